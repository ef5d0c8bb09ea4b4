/**
 * Writes a sweep's trials in Optuna's journal-storage format, so `optuna-dashboard FILE` and
 * `optuna.storages.JournalStorage(JournalFileStorage(FILE))` open them. Reimplemented from the
 * format's definition (Optuna 3.1+, optuna/storages/_journal/storage.py): one JSON object per
 * line, each an operation replayed in order:
 *
 *   op 0 CREATE_STUDY          {study_name, directions: [1 = minimize | 2 = maximize]}
 *   op 2 SET_STUDY_USER_ATTR   {study_id, user_attr: {key: value}}
 *   op 4 CREATE_TRIAL          {study_id, datetime_start}            -> trial_id = trials so far
 *   op 5 SET_TRIAL_PARAM       {trial_id, param_name, param_value_internal, distribution: JSON text}
 *   op 8 SET_TRIAL_USER_ATTR   {trial_id, user_attr: {key: value}}
 *   op 6 SET_TRIAL_STATE_VALUES{trial_id, state: 1 = COMPLETE, values, datetime_complete}
 *
 * Every line carries a worker_id. Distributions are distribution_to_json's text:
 * {"name": "FloatDistribution" | "IntDistribution" | "CategoricalDistribution", "attributes": ...};
 * a categorical parameter's internal value is the index of its choice.
 *
 * One study per sweep; one Optuna trial per sweep trial (config x clip), the clip as user
 * attributes. The file is regenerated whole (atomically) from the results, never appended, so
 * reruns and shards cannot duplicate trials.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { metricDirection } from '../metrics/registry.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { SweepPlan } from './plan.js';
import type { Dimension } from './spec.js';
import type { TrialRecord } from './store.js';

export const OPTUNA_JOURNAL_FILE = 'optuna-journal.log';

const OP = { CREATE_STUDY: 0, SET_STUDY_USER_ATTR: 2, CREATE_TRIAL: 4, SET_TRIAL_PARAM: 5, SET_TRIAL_STATE_VALUES: 6, SET_TRIAL_USER_ATTR: 8 } as const;
const DIRECTION = { minimize: 1, maximize: 2 } as const;
const TRIAL_COMPLETE = 1;

interface OptunaParam {
  name: string;
  distribution: string;
  internal: (value: unknown) => number | null;
}

/** Python's json.dumps separators (", ", ": "), so the text reads like Optuna's own. */
function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`).join(', ')}}`;
  if (typeof value === 'number' && Number.isInteger(value) && Object.is(value, -0)) return '0';
  return JSON.stringify(value);
}

const floatText = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));

/** distribution_to_json of one swept key. Float bounds keep a decimal point, as Python writes floats. */
export function optunaParam(d: Dimension): OptunaParam {
  if (d.kind === 'values') {
    const choices = d.values;
    const distribution = pyJson({ name: 'CategoricalDistribution', attributes: { choices } });
    return {
      name: d.key,
      distribution,
      internal: (v) => {
        const i = choices.findIndex((c) => c === v);
        return i < 0 ? null : i;
      },
    };
  }
  if (d.integer) {
    const distribution = pyJson({ name: 'IntDistribution', attributes: { low: Math.ceil(d.low), high: Math.floor(d.high), log: d.log, step: 1 } });
    return { name: d.key, distribution, internal: (v) => (typeof v === 'number' ? v : null) };
  }
  const distribution = `{"name": "FloatDistribution", "attributes": {"low": ${floatText(d.low)}, "high": ${floatText(d.high)}, "log": ${d.log}, "step": null}}`;
  return { name: d.key, distribution, internal: (v) => (typeof v === 'number' ? v : null) };
}

const isoMicro = (ms: number) => new Date(ms).toISOString().replace('Z', '000');

export function optunaJournalText(plan: SweepPlan, records: TrialRecord[]): string {
  const worker = `omnizip-studio-${randomUUID()}`;
  const lines: string[] = [];
  const op = (code: number, fields: Record<string, unknown>) => lines.push(pyJson({ op_code: code, worker_id: worker, ...fields }));
  const objectives = plan.spec.objectives;
  op(OP.CREATE_STUDY, { study_name: plan.name, directions: objectives.map((o) => DIRECTION[metricDirection(o)]) });
  op(OP.SET_STUDY_USER_ATTR, { study_id: 0, user_attr: { objectives } });
  op(OP.SET_STUDY_USER_ATTR, { study_id: 0, user_attr: { clips: plan.clips.map((c) => c.path) } });
  const params = plan.spec.space.map(optunaParam);
  if (plan.spec.methods.length > 1) params.push(optunaParam({ key: 'method', kind: 'values', values: plan.spec.methods }));
  const created = Date.parse(plan.createdAt) || Date.now();
  let trialId = 0;
  for (const r of [...records].sort((a, b) => a.trial - b.trial)) {
    const values = objectives.map((o) => r.metrics[o]);
    if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) continue;
    op(OP.CREATE_TRIAL, { study_id: 0, datetime_start: isoMicro(created) });
    for (const p of params) {
      const internal = p.internal((r.config as unknown as Record<string, unknown>)[p.name]);
      if (internal === null) continue;
      op(OP.SET_TRIAL_PARAM, { trial_id: trialId, param_name: p.name, param_value_internal: internal, distribution: p.distribution });
    }
    op(OP.SET_TRIAL_USER_ATTR, { trial_id: trialId, user_attr: { clip: r.clip.path } });
    op(OP.SET_TRIAL_USER_ATTR, { trial_id: trialId, user_attr: { content_hash: r.clip.content_hash } });
    op(OP.SET_TRIAL_USER_ATTR, { trial_id: trialId, user_attr: { sweep_trial: r.trial } });
    op(OP.SET_TRIAL_USER_ATTR, { trial_id: trialId, user_attr: { method: r.method } });
    for (const [k, v] of Object.entries(r.metrics)) if (!objectives.includes(k)) op(OP.SET_TRIAL_USER_ATTR, { trial_id: trialId, user_attr: { [k]: v } });
    op(OP.SET_TRIAL_STATE_VALUES, { trial_id: trialId, state: TRIAL_COMPLETE, values, datetime_complete: isoMicro(created + r.wall_ms) });
    trialId++;
  }
  return `${lines.join('\n')}\n`;
}

export async function writeOptunaJournal(dir: string, plan: SweepPlan, records: TrialRecord[], file = path.join(dir, OPTUNA_JOURNAL_FILE)): Promise<string> {
  await writeFileAtomic(file, optunaJournalText(plan, records));
  return file;
}
