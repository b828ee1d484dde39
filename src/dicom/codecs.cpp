// DCMTK codec registration, once per process.
#include <mutex>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/oflog/oflog.h>

#include "dicom/internal.h"

namespace refluxscan::dicom::internal {

void RegisterCodecsOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // DCMTK logs to stderr by default; our errors are values with their own messages.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    // JPEG baseline/extended/lossless, YCbCr -> RGB by the PhotometricInterpretation. Not
    // EDC_guessLossyOnly: it fixes YCbCr streams labelled RGB but breaks RGB streams with
    // component ids 1, 2, 3 and no Adobe marker (libjpeg then guesses YCbCr; stop-28 review).
    DJDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    // Encoders keep the SOP Instance UID the caller chose (EUC_never), even for lossy JPEG.
    DJEncoderRegistration::registerCodecs(ECC_lossyYCbCr, EUC_never);
    DcmRLEEncoderRegistration::registerCodecs();
    DJLSEncoderRegistration::registerCodecs(0, 0, 0, 0, OFTrue, 0, OFTrue, EJLSUC_never);
  });
}

}  // namespace refluxscan::dicom::internal
