// Absurd spectral-region calibrations (zero, negative, NaN, infinite and huge deltas; reference
// rows far outside the strip; regions outside the image) through the reader and the stages,
// both from DICOM files and straight into the stage functions.
#include <cmath>
#include <functional>
#include <limits>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "../../fuzz/harness.h"
#include "refluxscan/dicom/read.h"
#include "robustness/hostile.h"

namespace refluxscan::robustness {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Mutation {
  std::string name;
  std::function<void(UltrasoundRegion&)> apply;
};

std::vector<Mutation> Mutations() {
  std::vector<Mutation> m;
  const double absurd[] = {0, -0.0, -1, kNaN, kInf, -kInf, 1e300, -1e300, 1e-300, 5e-324};
  for (double v : absurd) {
    const std::string s = std::to_string(v);
    m.push_back({"delta_x=" + s, [v](UltrasoundRegion& r) { r.delta_x = v; }});
    m.push_back({"delta_y=" + s, [v](UltrasoundRegion& r) { r.delta_y = v; }});
    m.push_back({"deltas=" + s, [v](UltrasoundRegion& r) { r.delta_x = r.delta_y = v; }});
    m.push_back({"ref_phys_y=" + s, [v](UltrasoundRegion& r) { r.reference_physical_y = v; }});
    m.push_back({"ref_phys_x=" + s, [v](UltrasoundRegion& r) { r.reference_physical_x = v; }});
    m.push_back({"angle=" + s, [v](UltrasoundRegion& r) { r.doppler_correction_angle_deg = v; }});
    m.push_back({"f0=" + s, [v](UltrasoundRegion& r) { r.transducer_frequency_hz = v; }});
    m.push_back({"prf=" + s, [v](UltrasoundRegion& r) { r.pulse_repetition_frequency_hz = v; }});
  }
  for (int row : {-2147483647 - 1, -100000, -1, 0, 1, 100000, 2147483647}) {
    const std::string s = std::to_string(row);
    m.push_back({"baseline_row=" + s, [row](UltrasoundRegion& r) { r.reference_pixel_y0 = row; }});
    m.push_back({"ref_x=" + s, [row](UltrasoundRegion& r) { r.reference_pixel_x0 = row; }});
  }
  m.push_back({"no_reference", [](UltrasoundRegion& r) {
                 r.reference_pixel_x0.reset();
                 r.reference_pixel_y0.reset();
                 r.reference_physical_x.reset();
                 r.reference_physical_y.reset();
               }});
  for (int units : {0, 1, 2, 3, 4, 5, 7, 12, 99, 65535}) {
    m.push_back(
        {"units_y=" + std::to_string(units), [units](UltrasoundRegion& r) { r.units_y = units; }});
    m.push_back(
        {"units_x=" + std::to_string(units), [units](UltrasoundRegion& r) { r.units_x = units; }});
  }
  m.push_back({"hz_no_f0", [](UltrasoundRegion& r) {
                 r.units_y = 5;
                 r.transducer_frequency_hz.reset();
               }});
  m.push_back({"one_row", [](UltrasoundRegion& r) { r.max_y1 = r.min_y0; }});
  m.push_back({"one_column", [](UltrasoundRegion& r) { r.max_x1 = r.min_x0; }});
  m.push_back({"one_pixel", [](UltrasoundRegion& r) {
                 r.max_x1 = r.min_x0;
                 r.max_y1 = r.min_y0;
               }});
  m.push_back({"cw", [](UltrasoundRegion& r) { r.data_type = 4; }});
  return m;
}

// The spectrogram contract (core/spectrogram.h) whenever the stage returns a value.
void ExpectSaneSpectrogram(const Result<Spectrogram>& s, const std::string& what) {
  if (!s) {
    EXPECT_NE(s.error().code, ErrorCode::kInternal) << what << ": " << s.error().message;
    return;
  }
  EXPECT_TRUE(std::isfinite(s->seconds_per_column) && s->seconds_per_column > 0) << what;
  EXPECT_TRUE(std::isfinite(s->velocity_step_per_row) && s->velocity_step_per_row > 0) << what;
  EXPECT_TRUE(std::isfinite(s->velocity_top)) << what;
  EXPECT_EQ(s->intensity.size(), s->valid.size()) << what;
}

void RunAllStages(const UltrasoundImage& image, const UltrasoundRegion& region,
                  const std::string& what) {
  WithinTime(Guard(60), what.c_str(), [&] {
    const Result<Spectrogram> s = spectral::SpectrogramFromDisplay(image, region);
    ExpectSaneSpectrogram(s, what);
    fuzz::RunStages(image, region);
  });
}

TEST(AbsurdCalibration, InMemoryRegionsGiveAValueOrAnError) {
  const dicom::UltrasoundWriteSpec clip = CompactClipSpec(dicom::TransferSyntax::kExplicitLittle);
  UltrasoundImage image;
  image.frames = clip.frames;
  image.decoded_frame_indices = {0};
  image.rows = clip.frames[0].rows;
  image.columns = clip.frames[0].cols;
  image.samples_per_pixel = clip.frames[0].channels();
  for (const Mutation& m : Mutations()) {
    UltrasoundRegion region = clip.regions.at(0);
    m.apply(region);
    image.regions = {region};
    RunAllStages(image, region, m.name);
  }
}

TEST(AbsurdCalibration, RegionsOutsideTheFrameAreRefusedByTheStripStage) {
  const dicom::UltrasoundWriteSpec clip = CompactClipSpec(dicom::TransferSyntax::kExplicitLittle);
  UltrasoundImage image;
  image.frames = clip.frames;
  image.decoded_frame_indices = {0};
  image.rows = clip.frames[0].rows;
  image.columns = clip.frames[0].cols;
  const int w = image.columns, h = image.rows;
  const std::pair<const char*, std::array<int, 4>> bounds[] = {
      {"beyond_right", {w - 10, 0, w + 500, h - 1}},
      {"beyond_bottom", {0, h - 10, w - 1, h + 500}},
      {"negative", {-50, -50, 10, 10}},
      {"inverted", {w - 1, h - 1, 0, 0}},
      {"far_away", {100000, 100000, 200000, 200000}},
  };
  for (const auto& [name, b] : bounds) {
    UltrasoundRegion region = clip.regions.at(0);
    region.min_x0 = b[0], region.min_y0 = b[1], region.max_x1 = b[2], region.max_y1 = b[3];
    image.regions = {region};
    RunAllStages(image, region, name);
  }
  // No frame decoded at all (a header-only read handed to the strip stage).
  UltrasoundImage header_only = image;
  header_only.frames.clear();
  header_only.decoded_frame_indices.clear();
  RunAllStages(header_only, clip.regions.at(0), "no frames");
}

TEST(AbsurdCalibration, FromDicomFilesGiveAValueOrAnError) {
  const fs::path dir = testing::ScratchDir("calibration");
  const dicom::UltrasoundWriteSpec valid = CompactClipSpec(dicom::TransferSyntax::kRle);
  int written = 0;
  for (const Mutation& m : Mutations()) {
    dicom::UltrasoundWriteSpec spec = valid;
    m.apply(spec.regions.at(0));
    const fs::path p = dir / "cal.dcm";
    if (!dicom::WriteUltrasound(spec, p.string())) continue;  // the writer may refuse some
    ++written;
    WithinTime(Guard(60), m.name.c_str(), [&] {
      auto image = dicom::ReadUltrasound(p.string());
      if (!image) {
        EXPECT_NE(image.error().code, ErrorCode::kInternal) << m.name;
        return;
      }
      for (const UltrasoundRegion* r : image->SpectralRegions()) {
        EXPECT_TRUE(image->frames.back()(r->Rect()).data != nullptr) << m.name;
        ExpectSaneSpectrogram(spectral::SpectrogramFromDisplay(*image, *r), m.name);
        fuzz::RunStages(*image, *r);
      }
    });
  }
  EXPECT_GT(written, 0);
}

// Region bounds the writer would never produce, patched in with DCMTK: the reader clamps or
// drops them, and the stages then never see a rectangle outside the frame.
TEST(AbsurdCalibration, RegionBoundsOutsideTheImageAreClampedByTheReader) {
  const fs::path dir = testing::ScratchDir("bounds");
  const std::array<Uint32, 4> bounds[] = {
      {0, 0, 0xffffffffu, 0xffffffffu},
      {0xfffffff0u, 0xfffffff0u, 0xffffffffu, 0xffffffffu},
      {500, 500, 10, 10},
      {0x80000000u, 0, 0x80000010u, 20},
  };
  for (const auto& b : bounds) {
    const fs::path p = dir / "bounds.dcm";
    WriteCompactClip(p, dicom::TransferSyntax::kExplicitLittle);
    {
      DcmFileFormat file;
      ASSERT_TRUE(file.loadFile(p.c_str()).good());
      DcmItem* item = nullptr;
      ASSERT_TRUE(file.getDataset()
                      ->findAndGetSequenceItem(DCM_SequenceOfUltrasoundRegions, item, 0)
                      .good());
      item->putAndInsertUint32(DCM_RegionLocationMinX0, b[0]);
      item->putAndInsertUint32(DCM_RegionLocationMinY0, b[1]);
      item->putAndInsertUint32(DCM_RegionLocationMaxX1, b[2]);
      item->putAndInsertUint32(DCM_RegionLocationMaxY1, b[3]);
      ASSERT_TRUE(file.saveFile(p.c_str(), EXS_Unknown).good());
    }
    WithinTime(Guard(60), "bounds", [&] {
      auto image = dicom::ReadUltrasound(p.string());
      if (!image) return;
      for (const UltrasoundRegion& r : image->regions) {
        EXPECT_GE(r.min_x0, 0);
        EXPECT_GE(r.min_y0, 0);
        EXPECT_LT(r.max_x1, image->columns);
        EXPECT_LT(r.max_y1, image->rows);
        EXPECT_LE(r.min_x0, r.max_x1);
        EXPECT_LE(r.min_y0, r.max_y1);
      }
      for (const UltrasoundRegion* r : image->SpectralRegions()) fuzz::RunStages(*image, *r);
    });
  }
}

}  // namespace
}  // namespace refluxscan::robustness
