// WriteUltrasound: a valid US Image / US Multi-frame Image Storage object from frames + regions.
#include "refluxscan/dicom/write.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <sstream>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrlerp.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrsl.h>
#include <dcmtk/dcmimage/diregist.h>  // colour image support for the JPEG/RLE encoders
#include <dcmtk/dcmjpeg/djrploss.h>
#include <dcmtk/dcmjpls/djrparam.h>
#include <opencv2/imgproc.hpp>

#include "dicom/internal.h"
#include "dicom/j2k.h"

namespace refluxscan::dicom {
namespace {

struct SyntaxEntry {
  TransferSyntax ts;
  std::string_view name;
  E_TransferSyntax xfer;
};

constexpr std::array<SyntaxEntry, 8> kSyntaxes = {{
    {TransferSyntax::kExplicitLittle, "explicit", EXS_LittleEndianExplicit},
    {TransferSyntax::kImplicitLittle, "implicit", EXS_LittleEndianImplicit},
    {TransferSyntax::kDeflated, "deflated", EXS_DeflatedLittleEndianExplicit},
    {TransferSyntax::kRle, "rle", EXS_RLELossless},
    {TransferSyntax::kJpegBaseline, "jpeg", EXS_JPEGProcess1},
    {TransferSyntax::kJpegLsLossless, "jpegls", EXS_JPEGLSLossless},
    {TransferSyntax::kJpeg2000Lossless, "j2k", EXS_JPEG2000LosslessOnly},
    {TransferSyntax::kJpeg2000, "j2k-lossy", EXS_JPEG2000},
}};

const SyntaxEntry& EntryOf(TransferSyntax ts) {
  for (const SyntaxEntry& e : kSyntaxes) {
    if (e.ts == ts) return e;
  }
  return kSyntaxes.front();
}

// Collects the first failing OFCondition of a run of put calls.
struct Putter {
  DcmItem& item;
  OFCondition status = EC_Normal;
  void Str(const DcmTagKey& key, const std::string& value) {
    if (status.good()) status = item.putAndInsertString(key, value.c_str());
  }
  void U16(const DcmTagKey& key, Uint16 value) {
    if (status.good()) status = item.putAndInsertUint16(key, value);
  }
  void U32(const DcmTagKey& key, Uint32 value) {
    if (status.good()) status = item.putAndInsertUint32(key, value);
  }
  void S32(const DcmTagKey& key, Sint32 value) {
    if (status.good()) status = item.putAndInsertSint32(key, value);
  }
  void F64(const DcmTagKey& key, double value) {
    if (status.good()) status = item.putAndInsertFloat64(key, value);
  }
};

std::string OrNewUid(const std::string& uid) { return uid.empty() ? NewUid() : uid; }

void PutPatientStudySeries(Putter& p, const DicomTags& t) {
  p.Str(DCM_SpecificCharacterSet, "ISO_IR 100");
  p.Str(DCM_PatientName, t.patient_name);
  p.Str(DCM_PatientID, t.patient_id);
  p.Str(DCM_PatientBirthDate, "");
  p.Str(DCM_PatientSex, "");
  p.Str(DCM_StudyInstanceUID, OrNewUid(t.study_instance_uid));
  p.Str(DCM_StudyDate, t.study_date);
  p.Str(DCM_StudyTime, "");
  p.Str(DCM_ReferringPhysicianName, "");
  p.Str(DCM_StudyID, "");
  p.Str(DCM_AccessionNumber, t.accession_number);
  if (!t.study_description.empty()) p.Str(DCM_StudyDescription, t.study_description);
  p.Str(DCM_Modality, "US");
  p.Str(DCM_SeriesInstanceUID, OrNewUid(t.series_instance_uid));
  p.Str(DCM_SeriesNumber, "1");
  // Laterality (General Series, Type 2C): present (empty when unknown) unless Image Laterality
  // carries it, in which case dciodvfy rejects both together.
  if (t.image_laterality.empty()) p.Str(DCM_Laterality, t.laterality);
  if (!t.series_description.empty()) p.Str(DCM_SeriesDescription, t.series_description);
  if (!t.protocol_name.empty()) p.Str(DCM_ProtocolName, t.protocol_name);
}

void PutEquipmentImage(Putter& p, const DicomTags& t) {
  p.Str(DCM_Manufacturer, t.manufacturer.empty() ? "refluxscan" : t.manufacturer);
  if (!t.model.empty()) p.Str(DCM_ManufacturerModelName, t.model);
  p.Str(DCM_InstanceNumber, "1");
  p.Str(DCM_PatientOrientation, "");
  p.Str(DCM_ImageType, "ORIGINAL\\PRIMARY");
  if (!t.image_laterality.empty()) p.Str(DCM_ImageLaterality, t.image_laterality);
  if (!t.image_comments.empty()) p.Str(DCM_ImageComments, t.image_comments);
  if (!t.acquisition_device_processing_description.empty()) {
    p.Str(DCM_AcquisitionDeviceProcessingDescription, t.acquisition_device_processing_description);
  }
  p.Str(DCM_LossyImageCompression, "00");
}

void PutPixelModule(Putter& p, const cv::Mat& first, size_t frame_count, double frame_time_ms) {
  const bool color = first.channels() == 3;
  p.U16(DCM_Rows, static_cast<Uint16>(first.rows));
  p.U16(DCM_Columns, static_cast<Uint16>(first.cols));
  p.U16(DCM_SamplesPerPixel, color ? 3 : 1);
  p.Str(DCM_PhotometricInterpretation, color ? "RGB" : "MONOCHROME2");
  if (color) p.U16(DCM_PlanarConfiguration, 0);
  p.U16(DCM_BitsAllocated, 8);
  p.U16(DCM_BitsStored, 8);
  p.U16(DCM_HighBit, 7);
  p.U16(DCM_PixelRepresentation, 0);
  if (frame_count > 1) {
    p.Str(DCM_NumberOfFrames, std::to_string(frame_count));
    if (p.status.good())
      p.status = p.item.putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_FrameTime);
    std::ostringstream frame_time;
    frame_time.setf(std::ios::fixed);
    frame_time.precision(3);
    frame_time << frame_time_ms;
    p.Str(DCM_FrameTime, frame_time.str());
  }
}

// Interleaved RGB (or gray) bytes of every frame, in order.
std::vector<Uint8> PixelBytes(const std::vector<cv::Mat>& frames) {
  std::vector<Uint8> bytes;
  const size_t frame_bytes = frames.front().total() * frames.front().elemSize();
  bytes.resize(frame_bytes * frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    cv::Mat rgb;
    if (frames[i].channels() == 3) {
      cv::cvtColor(frames[i], rgb, cv::COLOR_BGR2RGB);
    } else {
      rgb = frames[i].isContinuous() ? frames[i] : frames[i].clone();
    }
    std::memcpy(bytes.data() + i * frame_bytes, rgb.data, frame_bytes);
  }
  return bytes;
}

void PutRegion(Putter& p, const UltrasoundRegion& r) {
  p.U16(DCM_RegionSpatialFormat, static_cast<Uint16>(r.spatial_format));
  p.U16(DCM_RegionDataType, static_cast<Uint16>(r.data_type));
  p.U32(DCM_RegionFlags, r.flags);
  p.U32(DCM_RegionLocationMinX0, static_cast<Uint32>(r.min_x0));
  p.U32(DCM_RegionLocationMinY0, static_cast<Uint32>(r.min_y0));
  p.U32(DCM_RegionLocationMaxX1, static_cast<Uint32>(r.max_x1));
  p.U32(DCM_RegionLocationMaxY1, static_cast<Uint32>(r.max_y1));
  if (r.reference_pixel_x0) p.S32(DCM_ReferencePixelX0, *r.reference_pixel_x0);
  if (r.reference_pixel_y0) p.S32(DCM_ReferencePixelY0, *r.reference_pixel_y0);
  p.U16(DCM_PhysicalUnitsXDirection, static_cast<Uint16>(r.units_x));
  p.U16(DCM_PhysicalUnitsYDirection, static_cast<Uint16>(r.units_y));
  if (r.reference_physical_x) p.F64(DCM_ReferencePixelPhysicalValueX, *r.reference_physical_x);
  if (r.reference_physical_y) p.F64(DCM_ReferencePixelPhysicalValueY, *r.reference_physical_y);
  p.F64(DCM_PhysicalDeltaX, r.delta_x);
  p.F64(DCM_PhysicalDeltaY, r.delta_y);
  // PS3.3 C.8.5.5.1: TransducerFrequency is kHz.
  if (r.transducer_frequency_hz) {
    p.U32(DCM_TransducerFrequency,
          static_cast<Uint32>(std::lround(*r.transducer_frequency_hz / 1000.0)));
  }
  if (r.pulse_repetition_frequency_hz) {
    p.U32(DCM_PulseRepetitionFrequency,
          static_cast<Uint32>(std::lround(*r.pulse_repetition_frequency_hz)));
  }
  if (r.doppler_correction_angle_deg)
    p.F64(DCM_DopplerCorrectionAngle, *r.doppler_correction_angle_deg);
}

Result<void> PutRegions(DcmDataset& ds, const std::vector<UltrasoundRegion>& regions) {
  for (const UltrasoundRegion& r : regions) {
    DcmItem* item = nullptr;
    OFCondition c = ds.findOrCreateSequenceItem(DCM_SequenceOfUltrasoundRegions, item, -2);
    if (c.bad() || item == nullptr) {
      return std::unexpected(internal::ErrorFromCondition(ErrorCode::kInternal, "region item", c));
    }
    Putter p{*item};
    PutRegion(p, r);
    if (p.status.bad()) {
      return std::unexpected(
          internal::ErrorFromCondition(ErrorCode::kInternal, "region", p.status));
    }
  }
  return {};
}

Result<void> ValidateSpec(const UltrasoundWriteSpec& spec) {
  if (spec.frames.empty()) return Fail(ErrorCode::kInvalidInput, "no frames to write");
  const cv::Mat& first = spec.frames.front();
  if (first.depth() != CV_8U || (first.channels() != 1 && first.channels() != 3) || first.empty() ||
      first.rows > 65535 || first.cols > 65535) {
    return Fail(ErrorCode::kInvalidInput, "frames must be non-empty 8-bit gray or BGR, < 65536 px");
  }
  for (const cv::Mat& f : spec.frames) {
    if (f.size() != first.size() || f.type() != first.type()) {
      return Fail(ErrorCode::kInvalidInput, "all frames must have the same size and type");
    }
  }
  if (spec.jpeg_quality < 1 || spec.jpeg_quality > 100) {
    return Fail(ErrorCode::kInvalidInput, "jpeg_quality must be in 1..100");
  }
  if (!(spec.j2k_compression_ratio > 1) || !std::isfinite(spec.j2k_compression_ratio)) {
    return Fail(ErrorCode::kInvalidInput, "j2k_compression_ratio must be a finite number > 1");
  }
  return {};
}

Result<void> BuildDataset(const UltrasoundWriteSpec& spec, DcmDataset& ds) {
  const bool multi = spec.frames.size() > 1;
  Putter p{ds};
  p.Str(DCM_SOPClassUID, multi ? UID_UltrasoundMultiframeImageStorage : UID_UltrasoundImageStorage);
  p.Str(DCM_SOPInstanceUID, OrNewUid(spec.tags.sop_instance_uid));
  PutPatientStudySeries(p, spec.tags);
  PutEquipmentImage(p, spec.tags);
  PutPixelModule(p, spec.frames.front(), spec.frames.size(), spec.frame_time_ms);
  if (p.status.good()) {
    const std::vector<Uint8> bytes = PixelBytes(spec.frames);
    p.status = ds.putAndInsertUint8Array(DCM_PixelData, bytes.data(),
                                         static_cast<unsigned long>(bytes.size()));
  }
  if (p.status.bad()) {
    return std::unexpected(internal::ErrorFromCondition(ErrorCode::kInternal, "dataset", p.status));
  }
  return PutRegions(ds, spec.regions);
}

// JPEG 2000 through OpenJPEG (DCMTK 3.6.7 has no J2K codec): one fragment per frame after a
// Basic Offset Table, the photometric interpretation of the codestream's colour transform, and
// the lossy-compression attributes PS3.3 C.7.6.1.1.5 asks for.
Result<void> EncodeJpeg2000(DcmDataset& ds, const UltrasoundWriteSpec& spec,
                            E_TransferSyntax xfer) {
  const bool lossless = spec.transfer_syntax == TransferSyntax::kJpeg2000Lossless;
  auto seq = std::make_unique<DcmPixelSequence>(DCM_PixelSequenceTag);
  auto* table = new DcmPixelItem(DCM_PixelItemTag);
  seq->insert(table);
  DcmOffsetList offsets;
  std::string photometric;
  uint64_t raw_bytes = 0, coded_bytes = 0;
  OFCondition c = EC_Normal;
  for (const cv::Mat& frame : spec.frames) {
    Result<internal::J2kEncoded> encoded =
        internal::EncodeJ2k(frame, lossless, spec.j2k_compression_ratio);
    if (!encoded) return std::unexpected(encoded.error());
    photometric = encoded->photometric_interpretation;
    raw_bytes += frame.total() * frame.elemSize();
    coded_bytes += encoded->codestream.size();
    c = seq->storeCompressedFrame(offsets, encoded->codestream.data(),
                                  static_cast<Uint32>(encoded->codestream.size()),
                                  spec.j2k_fragment_kib);
    if (c.bad()) break;
  }
  if (c.good() && spec.j2k_offset_table) c = table->createOffsetTable(offsets);
  DcmElement* element = nullptr;
  if (c.good()) c = ds.findAndGetElement(DCM_PixelData, element);
  if (c.bad() || element == nullptr) {
    return std::unexpected(internal::ErrorFromCondition(ErrorCode::kInternal, "JPEG 2000", c));
  }
  static_cast<DcmPixelData*>(element)->putOriginalRepresentation(xfer, nullptr, seq.release());
  Putter p{ds};
  p.Str(DCM_PhotometricInterpretation, photometric);
  if (!lossless) {
    p.Str(DCM_LossyImageCompression, "01");
    p.Str(DCM_LossyImageCompressionMethod, "ISO_15444_1");
    std::ostringstream ratio;  // the ratio achieved (PS3.3 C.7.6.1.1.5), not the one asked for
    ratio.precision(4);
    ratio << static_cast<double>(raw_bytes) /
                 static_cast<double>(std::max<uint64_t>(1, coded_bytes));
    p.Str(DCM_LossyImageCompressionRatio, ratio.str());
  }
  if (p.status.bad()) {
    return std::unexpected(
        internal::ErrorFromCondition(ErrorCode::kInternal, "JPEG 2000", p.status));
  }
  return {};
}

// Compresses in memory when the syntax needs an encoder; lossless syntaxes keep RGB.
Result<void> Encode(DcmDataset& ds, const UltrasoundWriteSpec& spec, E_TransferSyntax xfer) {
  if (spec.transfer_syntax == TransferSyntax::kJpeg2000Lossless ||
      spec.transfer_syntax == TransferSyntax::kJpeg2000) {
    if (Result<void> ok = EncodeJpeg2000(ds, spec, xfer); !ok) return ok;
  }
  OFCondition c = EC_Normal;
  if (spec.transfer_syntax == TransferSyntax::kJpegBaseline) {
    const DJ_RPLossy params(spec.jpeg_quality);
    c = ds.chooseRepresentation(xfer, &params);
  } else if (spec.transfer_syntax == TransferSyntax::kRle) {
    const DcmRLERepresentationParameter params;
    c = ds.chooseRepresentation(xfer, &params);
  } else if (spec.transfer_syntax == TransferSyntax::kJpegLsLossless) {
    const DJLSRepresentationParameter params(0, OFTrue);
    c = ds.chooseRepresentation(xfer, &params);
  }
  if (c.good() && !ds.canWriteXfer(xfer)) c = EC_CannotChangeRepresentation;
  if (c.bad()) {
    return std::unexpected(internal::ErrorFromCondition(
        ErrorCode::kInternal, std::string("encoding as ") + DcmXfer(xfer).getXferName(), c));
  }
  return {};
}

}  // namespace

std::string_view TransferSyntaxName(TransferSyntax ts) { return EntryOf(ts).name; }

Result<TransferSyntax> TransferSyntaxFromName(std::string_view name) {
  for (const SyntaxEntry& e : kSyntaxes) {
    if (e.name == name) return e.ts;
  }
  return Fail(
      ErrorCode::kInvalidInput,
      internal::Cat("unknown transfer syntax \"", name,
                    "\" (explicit, implicit, deflated, rle, jpeg, jpegls, j2k, j2k-lossy)"));
}

std::string NewUid() {
  char uid[100] = {};
  dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT);
  return uid;
}

Result<void> WriteUltrasound(const UltrasoundWriteSpec& spec, const std::string& path) {
  try {
    internal::RegisterCodecsOnce();
    if (Result<void> ok = ValidateSpec(spec); !ok) return ok;
    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    if (Result<void> ok = BuildDataset(spec, ds); !ok) return ok;
    const E_TransferSyntax xfer = EntryOf(spec.transfer_syntax).xfer;
    if (Result<void> ok = Encode(ds, spec, xfer); !ok) return ok;
    const OFCondition c = file.saveFile(path.c_str(), xfer);
    if (c.bad()) {
      return std::unexpected(internal::ErrorFromCondition(ErrorCode::kIo, "writing " + path, c));
    }
    return {};
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what());
  }
}

}  // namespace refluxscan::dicom
