#!/usr/bin/env bash
# Throughput benchmark (issue "Speed, memory and robustness"): generates a stress set once
# (cached under the build folder), then measures the decode floor, the full analysis, the
# --jobs 2 speed-up, peak RSS, and the same at 4x the set size. Prints one table.
# Usage: tools/bench.sh BUILD_DIR [STUDIES]   (STUDIES per 1x set; 25 studies ~ 500 clips)
set -euo pipefail
build=${1:-build}
studies=${2:-${BENCH_STUDIES:-25}}
bin="$build/refluxscan"
synth="$build/refluxscan-synth"
cache="$build/bench-data"
mkdir -p "$cache"

make_set() {  # $1 = folder, $2 = studies, $3 = seed
  if [ ! -f "$1/truth.json" ]; then
    echo "bench: generating $2 studies into $1 (once)" >&2
    "$synth" --preset stress --studies "$2" --seed "$3" --transfer-syntax mixed --no-jpeg2000 --out "$1" >/dev/null
  fi
}

# Runs analyze; prints "seconds max_rss_kb".
measure() {  # $1 = folder, $2 = jobs, $3.. = extra flags
  local dir=$1 jobs=$2; shift 2
  local out="$cache/out"
  rm -rf "$out"
  /usr/bin/time -f "%e %M" -o "$cache/time.txt" "$bin" analyze "$dir" -o "$out" -q --force \
    --jobs "$jobs" "$@" >/dev/null || true
  cat "$cache/time.txt"
}

median3() {  # runs `measure` three times, prints the median seconds and the max RSS
  local results=()
  for _ in 1 2 3; do results+=("$(measure "$@")"); done
  printf '%s\n' "${results[@]}" | sort -n | sed -n 2p
}

set1="$cache/stress-$studies"
set4="$cache/stress-$((studies * 4))"
make_set "$set1" "$studies" 1
make_set "$set4" "$((studies * 4))" 2

clips1=$(find "$set1" -name '*.dcm' | wc -l)
clips4=$(find "$set4" -name '*.dcm' | wc -l)
mb1=$(du -sm "$set1" | cut -f1)
mb4=$(du -sm "$set4" | cut -f1)

read -r floor_s floor_rss < <(median3 "$set1" 2 --decode-only)
read -r floorall_s floorall_rss < <(median3 "$set1" 2 --decode-only --all-frames)
read -r full_s full_rss < <(median3 "$set1" 2)
read -r one_s one_rss < <(median3 "$set1" 1)
# 4x: one run each (minutes per run; the 1x medians carry the noise estimate).
read -r floor4_s floor4_rss < <(measure "$set4" 2 --decode-only)
read -r floorall4_s floorall4_rss < <(measure "$set4" 2 --decode-only --all-frames)
read -r full4_s full4_rss < <(measure "$set4" 2)

awk -v c1="$clips1" -v c4="$clips4" -v mb1="$mb1" -v mb4="$mb4" \
    -v fl="$floor_s" -v fla="$floorall_s" -v fla4="$floorall4_s" -v fu="$full_s" -v one="$one_s" -v fl4="$floor4_s" -v fu4="$full4_s" \
    -v rss="$full_rss" -v rss4="$full4_rss" -v rssf="$floor_rss" 'BEGIN {
  printf "refluxscan benchmark (1x: median of 3 runs; 4x: one run; %d cores; --jobs 2 unless said)\n", '"$(nproc)"'
  printf "%-34s %10s %10s\n", "", "1x", "4x"
  printf "%-34s %10d %10d\n", "clips", c1, c4
  printf "%-34s %10d %10d\n", "input MB", mb1, mb4
  printf "%-34s %10.2f %10.2f\n", "decode floor s, every frame", fla, fla4
  printf "%-34s %10.2f %10.2f\n", "decode floor s, analysed frame", fl, fl4
  printf "%-34s %10.2f %10.2f\n", "full analysis s (--jobs 2)", fu, fu4
  printf "%-34s %10.1f %10.1f\n", "full clips/s", c1 / fu, c4 / fu4
  printf "%-34s %10.1f %10.1f\n", "full MB/s", mb1 / fu, mb4 / fu4
  printf "%-34s %10.2f %10.2f   (target <= 1.3)\n", "full / floor, every frame", fu / fla, fu4 / fla4
  printf "%-34s %10.2f %10.2f   (stricter: same frames)\n", "full / floor, analysed frame", fu / fl, fu4 / fl4
  printf "%-34s %10.1f %10.1f   (target < 250, flat within 10%%)\n", "peak RSS MB (full)", rss / 1024, rss4 / 1024
  printf "%-34s %10.1f\n", "peak RSS MB (floor)", rssf / 1024
  printf "%-34s %10.2f %10s   (target >= 1.8)\n", "speed-up --jobs 2 vs 1", one / fu, "-"
  printf "%-34s %10.2f   (1.0 = linear in clips)\n", "time per clip 4x / 1x", (fu4 / c4) / (fu / c1)
}'

# Microbenchmarks of the hot stages (Google Benchmark; built when libbenchmark-dev is present).
if [ -x "$build/refluxscan-micro-bench" ]; then
  echo
  "$build/refluxscan-micro-bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
fi
