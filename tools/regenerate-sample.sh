#!/bin/sh
# Regenerates sample_data/ (the bundled bilateral vein-mapping study) with refluxscan-synth.
# Usage: tools/regenerate-sample.sh <build-dir>
set -eu
build=${1:?usage: tools/regenerate-sample.sh <build-dir>}
root=$(cd "$(dirname "$0")/.." && pwd)
synth="$build/refluxscan-synth"
[ -x "$synth" ] || { echo "no $synth: build the refluxscan-synth target first" >&2; exit 2; }
rm -rf "$root/sample_data"
"$synth" --preset sample --seed 1 --out "$root/sample_data"
cat > "$root/sample_data/README.md" <<'MD'
# sample_data

A synthetic bilateral duplex vein-mapping study (20 spectral Doppler clips, both legs: CFV, FV,
POPV, GSV from SFJ to knee/calf, SSV/SPJ, a calf perforator, one clip with an unknown label) with
exact ground truth. Nothing here comes from a patient.

Made by `refluxscan-synth --preset sample --seed 1 --out sample_data` (tools/synth, see
docs/synth.md for the physics, the display renderer and the truth schema). Regenerate with

    tools/regenerate-sample.sh <build-dir>

The synth test `Set.BundledSampleDataIsReproducible` regenerates it into a scratch folder and
checks every file is byte-identical (except the uninitialized pad byte DCMTK's JPEG-LS encoder
leaves after an odd-length fragment).

- `truth.json`: schema `refluxscan.truth/1`, one entry per file (reflux onset/offset, durations,
  peaks, expected classification, calibration, per-column true max-velocity envelope).
- `manifest.csv`: `file,laterality,segment` for clips whose label is in the vocabulary.
- `STUDY_001/IMG_*.dcm`: US Image / US Multi-frame storage, JPEG baseline, RLE or JPEG-LS.
MD
echo "sample_data regenerated: $(du -sh "$root/sample_data" | cut -f1)"
