#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
# Seed corpora are assembled under BUILD_DIR/fuzz-corpus (never in the repository) from
# sample_data/, ../shared/realdicom/ (when present), small generated clips left by the robustness
# tests in any build*/test_scratch, and small config texts. Crashes land in
# BUILD_DIR/fuzz-artifacts/<target>/, logs in BUILD_DIR/fuzz-logs/<target>.log.
set -euo pipefail
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(dicom config strip)
src=$(cd "$(dirname "$0")/.." && pwd)
corpus=$build/fuzz-corpus
mkdir -p "$corpus"/{dicom,config,strip} "$build"/fuzz-artifacts "$build"/fuzz-logs

seed_dicom() {
  find "$src/sample_data" -name '*.dcm' -exec cp -n {} "$corpus/dicom/" \;
  if [ -d "$src/../shared/realdicom" ]; then
    cp -n "$src"/../shared/realdicom/*.dcm "$corpus/dicom/" 2>/dev/null || true
  fi
  find "$src" -maxdepth 4 -path '*/test_scratch/*' -name 'whole.dcm' -size -600k 2>/dev/null |
    head -n 12 | while read -r f; do
      cp -n "$f" "$corpus/dicom/compact_$(basename "$(dirname "$f")").dcm"
    done
}

seed_config() {
  local c=$corpus/config
  { printf '\x00'; cat "$src/sample_data/manifest.csv"; } > "$c/manifest"
  printf '\x00file,laterality,segment\n../x.dcm,L,GSV_SFJ\n"a,b.dcm",R,"CFV"\n' > "$c/manifest_hostile"
  { printf '\x01'; cat "$(ls "$src"/criteria/*.json | head -n 1)"; } > "$c/criteria"
  printf '\x02{"name":"p","required":[{"laterality":"L","segment":"GSV_SFJ"}]}' > "$c/protocol"
  printf '\x02{"name":"p","segments":["CFV","GSV_SFJ","SSV_SPJ"]}' > "$c/protocol_both"
  for label in "RT GSV PROX THIGH" "Lt. great saphenous mid thigh" "L SSV SPJ" "RIGHT POP V" \
               "L GSV @ knee" "SFJ R" "perf calf L"; do
    printf '\x03%s' "$label" > "$c/label_$(echo "$label" | tr -c 'A-Za-z0-9' _)"
  done
}

seed_strip() {
  local s=$corpus/strip
  # rows-1, cols-1, colour, type, x0, y0, x1, y1, presence, ref x/y, ... then pixels.
  printf '\x7f\xff\x00\x00\x00\x00\xff\xff\x0f\x00\x00\x40\x00\x07\x07\x07\x07\x05\x07\x07' > "$s/gray"
  head -c 4000 /dev/zero | tr '\0' '\20' >> "$s/gray"
  printf '\x3f\x3f\x01\x01\x00\x00\x3f\x3f\x7f\x10\x00\x20\x00\x00\x01\x02\x03\x04\x05\x06\x07' > "$s/bgr"
  head -c 3000 /dev/urandom >> "$s/bgr"
}

for t in "${targets[@]}"; do
  "seed_$t"
  bin=$build/fuzz/fuzz_$t
  max_len=${FUZZ_MAX_LEN:-$([ "$t" = dicom ] && echo 2500000 || echo 70000)}
  mkdir -p "$build/fuzz-artifacts/$t"
  echo "== fuzz_$t for ${seconds}s (corpus $(ls "$corpus/$t" | wc -l) files)"
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" "$corpus/$t" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=3072 \
      -max_len="$max_len" -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$t/" > "$build/fuzz-logs/$t.log" 2>&1 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$build/fuzz-logs/$t.log" || true
  grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$build/fuzz-logs/$t.log" | tail -n 1 || true
  found=$(ls "$build/fuzz-artifacts/$t" | wc -l)
  echo "artifacts: $found (in $build/fuzz-artifacts/$t)"
done
