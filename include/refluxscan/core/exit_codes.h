#pragma once
// Process exit codes of every refluxscan command (docs/exit-codes.md).
namespace refluxscan {
enum class ExitCode : int {
  kOk = 0,            // every input analyzed
  kPartial = 1,       // finished, but some inputs failed (their errors are in the report)
  kUsage = 2,         // bad command line or option file
  kFailure = 3,       // nothing could be done (no inputs, output folder not writable)
  kTargetMissed = 4,  // evaluate commands: an accuracy target was not met
};
}  // namespace refluxscan
