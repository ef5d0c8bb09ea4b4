#!/usr/bin/env bash
# Starts a single-node Slurm (Debian's slurm-wlm + munge) on this machine, for the sweep test that
# submits a real job array. Idempotent: does nothing when `sinfo` already answers. Needs root.
# State, spool and logs live under ${OMNIZIP_SLURM_DIR:-/tmp/omnizip-slurm}.
set -euo pipefail

if sinfo -h >/dev/null 2>&1; then
  echo "slurm: already answering"
  exit 0
fi
command -v slurmctld >/dev/null && command -v munged >/dev/null || { echo "slurm: slurm-wlm and munge are not installed" >&2; exit 1; }

base=${OMNIZIP_SLURM_DIR:-/tmp/omnizip-slurm}
mkdir -p "$base/state" "$base/spool" "$base/log" /etc/munge /var/run/munge /var/lib/munge /var/log/munge /etc/slurm
host=$(hostname)
cpus=$(nproc)

if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || munged --force

cat > /etc/slurm/slurm.conf <<CONF
ClusterName=omnizip
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$base/state
SlurmdSpoolDir=$base/spool
SlurmctldPidFile=$base/slurmctld.pid
SlurmdPidFile=$base/slurmd.pid
SlurmctldLogFile=$base/log/slurmctld.log
SlurmdLogFile=$base/log/slurmd.log
MaxArraySize=10001
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld
slurmd
for _ in $(seq 1 30); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE 'idle|mix|alloc'; then
    echo "slurm: single node $host with $cpus CPUs is up"
    exit 0
  fi
  sleep 1
done
echo "slurm: did not come up; see $base/log" >&2
exit 1
