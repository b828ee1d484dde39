// refluxscan-synth: writes a synthetic duplex vein-mapping study set with exact ground truth.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "refluxscan/core/exit_codes.h"
#include "synth/set.h"

int main(int argc, char** argv) {
  using refluxscan::ExitCode;
  refluxscan::synth::SetOptions o;
  CLI::App app{"refluxscan-synth: synthetic spectral Doppler vein-mapping studies + truth.json"};
  app.add_option("--out", o.out_dir, "output folder (created)")->required();
  app.add_option("--seed", o.seed, "random seed (same seed, same bytes)");
  auto* studies = app.add_option("--studies", o.studies, "number of studies (stress preset)");
  app.add_option("--preset", o.preset, "sample | stress | edge")
      ->check(CLI::IsMember({"sample", "stress", "edge"}));
  app.add_option("--transfer-syntax", o.transfer_syntax,
                 "explicit | rle | jpeg | jpegls | j2k | j2k-lossy | mixed")
      ->check(CLI::IsMember({"explicit", "rle", "jpeg", "jpegls", "j2k", "j2k-lossy", "mixed"}));
  app.add_option("--jpeg-quality", o.jpeg_quality,
                 "JPEG quality 1..100 (default 90, varied when mixed)")
      ->check(CLI::Range(1, 100));
  bool no_jpeg2000 = false;
  app.add_flag("--no-jpeg2000", no_jpeg2000,
               "mixed without JPEG 2000 (the split of earlier versions; make bench)");
  app.add_flag("--emit-signal", o.emit_signal, "also write <base>.iq and <base>.wav");
  app.add_flag("--preview", o.preview, "also write <base>.png of each image");
  app.add_option(
      "--tint", o.tint,
      "every clip in this display map (gray blue sepia green hot rose ice amber bone "
      "copper purple navy-floor slate-floor viridis magma rainbow); default: the preset's draw");
  app.add_option("--valsalva", o.valsalva,
                 "share (0..1) of the junction and proximal deep clips (SFJ, SPJ, CFV, proximal "
                 "FV) done as a Valsalva instead of a squeeze (default 0)");
  app.add_option("--artery", o.artery,
                 "share (0..1) of the CW clips and of the deep-vein PW clips with an artery in "
                 "the beam (arterial crosstalk; default: the preset's, 0.6 and 0.08 for stress)");
  app.add_option("--cuff", o.cuff,
                 "share (0..1) of the squeeze clips done with a cuff instead: inflation burst, "
                 "1-3 s hold, rapid deflation as the release (default: the preset's, 0.1 for "
                 "stress)");
  app.add_option("--clutter", o.clutter,
                 "share (0..1) of the clips with tissue clutter residue: the tissue's "
                 "respiratory motion 25-45 dB over the blood, partly through the wall filter "
                 "(default 0)");
  app.add_option("--threads", o.threads, "worker threads (default: up to 2)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }
  o.mixed_jpeg2000 = !no_jpeg2000;
  // Combinations that would be silently ignored are usage errors (the set would not be what was
  // asked for).
  if (studies->count() > 0 && o.preset != "stress") {
    std::fprintf(stderr, "refluxscan-synth: --studies applies to the stress preset only\n");
    return static_cast<int>(ExitCode::kUsage);
  }
  if (no_jpeg2000 && o.transfer_syntax != "mixed") {
    std::fprintf(stderr, "refluxscan-synth: --no-jpeg2000 applies to --transfer-syntax mixed\n");
    return static_cast<int>(ExitCode::kUsage);
  }
  if (auto ok = refluxscan::synth::CheckOptions(o); !ok) {  // a usage error, as for refluxscan
    std::fprintf(stderr, "refluxscan-synth: %s\n", ok.error().message.c_str());
    return static_cast<int>(ExitCode::kUsage);
  }
  auto summary = refluxscan::synth::GenerateSet(o);
  if (!summary) {
    std::fprintf(stderr, "refluxscan-synth: %s\n", summary.error().message.c_str());
    return static_cast<int>(ExitCode::kFailure);
  }
  std::printf("%d studies, %d files, %.1f MB -> %s\n", summary->studies, summary->files,
              static_cast<double>(summary->bytes) / 1e6, summary->truth_path.c_str());
  return static_cast<int>(ExitCode::kOk);
}
