#!/usr/bin/env bash
# Builds the embedded demo clip (assets/demo/demo.mp4, 24 s) from generated material only, then
# encodes it with the built-in demo encoders into assets/demo/demo.safetensors.
#
# Needs: ffmpeg, espeak-ng (Debian: apt-get install ffmpeg espeak-ng), node with the repo's deps.
# The timeline is chosen so that audio guidance is visible: speech and sound events where the
# picture is busy, silence where the picture is static (see assets/demo/README.md).
#
# Deterministic: synthetic sources with fixed seeds, single-threaded bit-exact encoding.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="${1:-$repo/assets/demo}"
ffmpeg_bin="${OMNIZIP_FFMPEG:-ffmpeg}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for tool in "$ffmpeg_bin" espeak-ng; do
  command -v "$tool" >/dev/null || { echo "make-demo-clip: '$tool' not found (apt-get install ffmpeg espeak-ng)" >&2; exit 1; }
done

ff() { "$ffmpeg_bin" -v error -y -nostdin "$@"; }
W=480; H=270; FPS=25; SEG=4

# --- audio, 16 kHz mono, six 4-s segments -----------------------------------------------------
speech() { # text -> 4-s wav (speech then silence)
  espeak-ng -v en-us -s 155 -a 120 -w "$work/raw.wav" "$2"
  ff -i "$work/raw.wav" -af "aresample=16000,apad=whole_dur=$SEG,atrim=0:$SEG" -ac 1 "$work/$1.wav"
}
silence() { ff -f lavfi -i "anullsrc=r=16000:cl=mono" -t "$SEG" "$work/$1.wav"; }

speech a1 "Welcome to OmniZip studio. The audio tells the model where to look."
silence a2
# Sound events: three beeps, then two noise bursts (random(0) is the expression's own seeded PRNG).
ff -f lavfi -i "aevalsrc='0.45*sin(2*PI*880*t)*between(t,0.15,0.40)+0.45*sin(2*PI*1320*t)*between(t,0.75,0.95)+0.45*sin(2*PI*660*t)*between(t,1.35,1.65)+0.5*(2*random(0)-1)*(between(t,2.0,2.35)+between(t,2.9,3.5))':s=16000:d=$SEG" "$work/a3.wav"
silence a4
speech a5 "Where it is quiet, the picture can be pruned harder."
silence a6
ff -i "$work/a1.wav" -i "$work/a2.wav" -i "$work/a3.wav" -i "$work/a4.wav" -i "$work/a5.wav" -i "$work/a6.wav" \
  -filter_complex "[0][1][2][3][4][5]concat=n=6:v=0:a=1[s];anoisesrc=r=16000:a=0.002:c=pink:seed=7:d=24[n];[s][n]amix=inputs=2:normalize=0:duration=first[m]" \
  -map "[m]" -ac 1 -ar 16000 "$work/audio.wav"

# --- video: six 4-s scenes ----------------------------------------------------------------------
box() { echo "color=c=$1:s=$2:r=$FPS:d=$SEG"; }
scene() { # name, background colour, overlay graph (inputs [bg] and numbered boxes)
  ff -filter_complex "$2" -map "[v]" -t "$SEG" -r "$FPS" -pix_fmt yuv420p -c:v rawvideo -f nut "$work/$1.nut"
}
# 1. speech over two moving squares
scene v1 "$(box 0x1d2b53 ${W}x${H})[bg];$(box 0xff004d 80x80)[r];$(box 0xffec27 60x60)[y];[bg][r]overlay=x='30+t*85':y=50[t1];[t1][y]overlay=x='390-t*75':y='150+35*sin(t*3)'[v]"
# 2. silence over a static picture
scene v2 "$(box 0x5f574f ${W}x${H})[bg];$(box 0xc2c3c7 160x90)[a];$(box 0x83769c 70x70)[b];[bg][a]overlay=x=60:y=40[t1];[t1][b]overlay=x=320:y=150[v]"
# 3. sound events over busy, changing pictures: a test pattern, cut to cellular automaton life
ff -f lavfi -i "testsrc2=s=${W}x${H}:r=$FPS:d=2" -f lavfi -i "life=s=${W}x${H}:r=$FPS:seed=11:ratio=0.3:mold=8:life_color=0x00e436:death_color=0x111111,trim=duration=2" \
  -filter_complex "[0][1]concat=n=2:v=1:a=0,format=yuv420p[v]" -map "[v]" -c:v rawvideo -f nut "$work/v3.nut"
# 4. silence, slow drift of one small box
scene v4 "$(box 0x29adff ${W}x${H})[bg];$(box 0xfff1e8 40x40)[w];[bg][w]overlay=x='200+t*4':y=115[v]"
# 5. speech over three fast objects
scene v5 "$(box 0x008751 ${W}x${H})[bg];$(box 0xffa300 70x70)[o];$(box 0x7e2553 50x50)[p];$(box 0xffccaa 40x40)[q];[bg][o]overlay=x='20+t*100':y='30+t*40'[t1];[t1][p]overlay=x='420-t*90':y=40[t2];[t2][q]overlay=x='220+120*sin(t*2.5)':y='200-60*abs(sin(t*4))'[v]"
# 6. quiet room tone over a static picture
scene v6 "$(box 0x1a1c2c ${W}x${H})[bg];$(box 0x5d275d 200x120)[a];[bg][a]overlay=x=140:y=75[v]"

mkdir -p "$out_dir"
ff -i "$work/v1.nut" -i "$work/v2.nut" -i "$work/v3.nut" -i "$work/v4.nut" -i "$work/v5.nut" -i "$work/v6.nut" -i "$work/audio.wav" \
  -filter_complex "[0][1][2][3][4][5]concat=n=6:v=1:a=0,format=yuv420p[v]" -map "[v]" -map 6:a \
  -c:v libx264 -preset slow -crf 26 -threads 1 -g 50 -c:a aac -b:a 64k -ac 1 -ar 16000 \
  -map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -movflags +faststart \
  -t 24 "$out_dir/demo.mp4"

# --- pre-encoded bundle ---------------------------------------------------------------------------
node "$repo/bin/omnizip-studio.mjs" encode "$out_dir/demo.mp4" --encoders demo --dtype F16 \
  --display-size 128 --waveform-rate 8000 --provider cpu --quiet --out "$out_dir/demo.safetensors"
ls -l "$out_dir/demo.mp4" "$out_dir/demo.safetensors"
