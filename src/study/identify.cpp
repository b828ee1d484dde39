// Segment identity: manifest, then DICOM tags, then the file name (docs/segments.md).
#include "refluxscan/study/identify.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "refluxscan/core/fs.h"
#include "refluxscan/core/text.h"

namespace refluxscan::study {
namespace {

// An unknown label is reported as typed, up to this many bytes (ImageComments holds up to 10 KB).
constexpr size_t kMaxUnknownLabelBytes = 256;

// `text` cut to at most `max_bytes`, not inside a UTF-8 sequence.
std::string Truncated(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

namespace fs = std::filesystem;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// One CSV line: fields separated by commas, optionally double-quoted with "" for a quote.
std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back().push_back('"');
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  for (std::string& f : fields) f = Trim(f);
  return fields;
}

std::vector<std::string> Lines(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

// Lexically normalized absolute form (no file-system access: files may not exist yet).
fs::path Normalized(const fs::path& p) {
  std::error_code ec;
  fs::path abs = p.is_absolute() ? p : fs::absolute(p, ec);
  if (ec) abs = p;
  return abs.lexically_normal();
}

bool IsInside(const fs::path& file, const fs::path& folder) {
  const fs::path rel = file.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != ".." && !rel.is_absolute();
}

struct Columns {
  size_t file = 0, laterality = 0, segment = 0;
  std::optional<size_t> antegrade;
};

Result<Columns> ParseHeader(const std::vector<std::string>& fields, std::string_view line) {
  Columns c;
  bool f = false, l = false, s = false;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string name = Lower(fields[i]);
    if (name == "file") c.file = i, f = true;
    if (name == "laterality") c.laterality = i, l = true;
    if (name == "segment") c.segment = i, s = true;
    if (name == "antegrade") c.antegrade = i;
  }
  if (!f || !l || !s) {
    // A spreadsheet saved with semicolons (a European locale) is the usual cause: say so.
    const bool semicolons = fields.size() == 1 && line.find(';') != std::string_view::npos;
    return Fail(
        ErrorCode::kInvalidInput,
        std::string("manifest: the first row must be the header file,laterality,segment") +
            (semicolons ? " (this one is separated by semicolons: save the CSV with commas)" : ""));
  }
  return c;
}

// Adds one data row, or a warning naming the row when it is unusable.
void AddRow(Manifest& m, const fs::path& folder, const Columns& cols,
            const std::vector<std::string>& fields, size_t row) {
  const std::string where = "manifest row " + std::to_string(row) + ": ";
  const size_t needed = std::max({cols.file, cols.laterality, cols.segment}) + 1;
  if (fields.size() < needed) {
    m.warnings.push_back(where + "too few fields, skipped");
    return;
  }
  const std::string& file = fields[cols.file];
  const auto laterality = LateralityFromCode(fields[cols.laterality]);
  const auto segment = SegmentFromName(fields[cols.segment]);
  if (file.empty()) return m.warnings.push_back(where + "empty file name, skipped");
  if (!laterality) {
    return m.warnings.push_back(where + "unknown laterality \"" +
                                SanitizeForLog(fields[cols.laterality], 40) +
                                "\" (use L, R, left or right), skipped");
  }
  if (!segment) {
    return m.warnings.push_back(where + "unknown segment \"" +
                                SanitizeForLog(fields[cols.segment], 40) +
                                "\" (use a canonical name, docs/segments.md), skipped");
  }
  const fs::path target = (folder / fs::path(file)).lexically_normal();
  if (!IsInside(target, folder)) {
    return m.warnings.push_back(where + "file \"" + SanitizeForLog(file, 80) +
                                "\" is outside the manifest's folder, skipped");
  }
  ManifestEntry entry{file, *laterality, *segment, std::nullopt, false};
  const std::string antegrade =
      cols.antegrade && *cols.antegrade < fields.size() ? Lower(Trim(fields[*cols.antegrade])) : "";
  entry.antegrade_inferred = antegrade == "auto" || antegrade == "inferred";
  if (!antegrade.empty() && !entry.antegrade_inferred) {
    entry.antegrade = AntegradeFromName(antegrade);
    entry.antegrade_inferred = !entry.antegrade;
    if (!entry.antegrade) {
      m.warnings.push_back(where + "unknown antegrade \"" + SanitizeForLog(antegrade, 40) +
                           "\" (use up, down, inferred, auto or leave it empty), inferred instead");
    }
  }
  const auto [it, inserted] = m.entries.emplace(target.string(), std::move(entry));
  if (!inserted) m.warnings.push_back(where + "file listed twice, the first row is kept");
}

Result<Manifest> ParseManifest(std::string_view text, const std::string& path) {
  Manifest m;
  m.path = path;
  const fs::path folder = Normalized(fs::path(path)).parent_path();
  std::optional<Columns> columns;
  const std::vector<std::string> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string line = Trim(lines[i]);
    if (line.empty() || line.starts_with('#')) continue;
    const std::vector<std::string> fields = SplitCsvLine(line);
    if (!columns) {
      auto header = ParseHeader(fields, line);
      if (!header) return std::unexpected(header.error());
      columns = *header;
      continue;
    }
    AddRow(m, folder, *columns, fields, i + 1);
  }
  if (!columns) return Fail(ErrorCode::kInvalidInput, "manifest: empty (no header row)");
  return m;
}

// Laterality from the DICOM tags: Laterality (0020,0060), then ImageLaterality (0020,0062).
// "B" (both) and "U" (unpaired) say nothing about one leg.
std::optional<Laterality> TagLaterality(const DicomTags& tags) {
  for (const std::string* raw : {&tags.laterality, &tags.image_laterality}) {
    if (auto l = LateralityFromCode(TrimDicom(*raw))) return l;
  }
  return std::nullopt;
}

// The tag laterality wins over the label's; when they disagree, neither is trusted.
std::optional<Laterality> Combine(std::optional<Laterality> tag, std::optional<Laterality> label,
                                  std::string& detail) {
  if (tag && label && *tag != *label) {
    detail += "; laterality tag and label disagree";
    return std::nullopt;
  }
  return tag ? tag : label;
}

// A clip identified by a label that names a segment: `source` / `detail` say where it was read,
// `text` is the label as kept in the report; the side tag wins over the label's side (Combine).
SegmentId FromSegmentLabel(const ParsedLabel& parsed, IdentitySource source, std::string detail,
                           std::string text, std::optional<Laterality> tag_laterality) {
  SegmentId id;
  id.segment = parsed.segment;
  id.vein_class = parsed.vein_class;
  id.source = source;
  id.source_detail = std::move(detail);
  id.label_text = std::move(text);
  id.laterality = Combine(tag_laterality, parsed.laterality, id.source_detail);
  return id;
}

// The part of a file's name that can hold a label: the name without a DICOM file extension
// (.dcm, .dicom, .dic, .ima, .img, any case), else the whole name. Files often have no extension,
// and a label may hold a dot ("rt._lesser_saph_prox_calf_19": its "stem" was "rt", stop 25, a
// seventh independent renderer).
std::string NameLabel(const std::string& file_path) {
  const fs::path name = fs::path(file_path).filename();
  constexpr std::array<std::string_view, 5> kDicomExtensions = {".dcm", ".dicom", ".dic", ".ima",
                                                                ".img"};
  const std::string extension = Lower(name.extension().string());
  const bool dicom_extension = std::find(kDicomExtensions.begin(), kDicomExtensions.end(),
                                         extension) != kDicomExtensions.end();
  return dicom_extension ? name.stem().string() : name.string();
}

// A file name without the word "rle": in a file name it names the compression
// ("GSV_SFJ_rle.dcm"), not the right lower extremity, which a label says as "RLE" too.
std::string WithoutCodecNames(std::string_view stem) {
  std::string out, word;
  const auto flush = [&] {
    if (Lower(word) != "rle") out += word;
    word.clear();
  };
  for (char c : stem) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word.push_back(c);
    } else {
      flush();
      out.push_back(c);
    }
  }
  flush();
  return out;
}

// The tags a label is typed in, in priority order.
struct LabelTag {
  const char* name;
  std::string DicomTags::*member;
  bool of_the_image;  // the image's own text, not its series' or protocol's
};
constexpr LabelTag kLabelTags[] = {
    {"ImageComments", &DicomTags::image_comments, true},
    {"SeriesDescription", &DicomTags::series_description, false},
    {"ProtocolName", &DicomTags::protocol_name, false},
    {"AcquisitionDeviceProcessingDescription",
     &DicomTags::acquisition_device_processing_description, true},
};

struct TypedLabel {
  const char* tag;
  std::string text;  // trimmed, capped at kMaxUnknownLabelBytes
};

// The first non-empty label tag.
std::optional<TypedLabel> FirstTypedLabel(const DicomTags& tags) {
  for (const LabelTag& t : kLabelTags) {
    const std::string text = TrimDicom(tags.*t.member);
    if (!text.empty()) return TypedLabel{t.name, Truncated(text, kMaxUnknownLabelBytes)};
  }
  return std::nullopt;
}

// A manifest row's identity. The image's own identity (`from_image`: tags, then file name) is
// kept as the label a reviewer checks the manifest against; a side or segment it names that the
// row contradicts sets label_mismatch (a mislabelled clip, or a manifest row for another file).
SegmentId FromManifest(const ManifestEntry& row, const std::string& manifest_path,
                       const DicomTags& tags, const SegmentId& from_image) {
  SegmentId id;
  id.laterality = row.laterality;
  id.segment = row.segment;
  id.vein_class = Info(row.segment).vein_class;
  id.source = IdentitySource::kManifest;
  id.source_detail = manifest_path;
  // The label the sonographer typed (the first non-empty label tag), else the row's file.
  const auto typed = FirstTypedLabel(tags);
  id.label_text = typed ? typed->text : row.file;
  const bool side_differs = from_image.laterality && *from_image.laterality != row.laterality;
  const bool segment_differs = from_image.segment && *from_image.segment != row.segment;
  id.label_mismatch = side_differs || segment_differs;
  if (id.label_mismatch) {
    id.source_detail +=
        "; the image's label names " +
        std::string(from_image.laterality ? LateralityCode(*from_image.laterality)
                                          : std::string_view("?")) +
        " " +
        std::string(from_image.segment ? Info(*from_image.segment).name : std::string_view("?"));
  }
  return id;
}

}  // namespace

std::vector<std::string> UnmatchedManifestRows(const Manifest& manifest,
                                               const std::vector<std::string>& files) {
  std::set<std::string> inputs;
  for (const std::string& f : files) inputs.insert(Normalized(fs::path(f)).string());
  std::vector<std::string> out;
  for (const auto& [key, entry] : manifest.entries) {
    if (!inputs.contains(key)) out.push_back(entry.file);
  }
  return out;
}

Result<Manifest> LoadManifest(const std::string& path) {
  auto text = ReadTextFile(path, 16u << 20);
  if (!text) return std::unexpected(text.error());
  return ParseManifest(*text, path);
}

const ManifestEntry* FindManifestEntry(const Manifest* manifest, const std::string& file_path) {
  if (manifest == nullptr) return nullptr;
  const auto it = manifest->entries.find(Normalized(fs::path(file_path)).string());
  return it == manifest->entries.end() ? nullptr : &it->second;
}

std::optional<AntegradeDirection> AntegradeFromName(std::string_view name) {
  const std::string lower = Lower(Trim(name));
  if (lower == "up") return AntegradeDirection::kUp;
  if (lower == "down") return AntegradeDirection::kDown;
  return std::nullopt;
}

SegmentId IdentifySegment(const std::string& file_path, const DicomTags& tags,
                          const Manifest* manifest) {
  if (const ManifestEntry* row = FindManifestEntry(manifest, file_path)) {
    return FromManifest(*row, manifest->path, tags, IdentifySegment(file_path, tags, nullptr));
  }
  SegmentId id;
  const std::optional<Laterality> tag_laterality = TagLaterality(tags);
  std::optional<Laterality> any_label_laterality;
  // The first label naming a vein without a level we map: later sources may still name the
  // segment; when none does, it gives the threshold class (segment stays unknown).
  struct VeinOnly {
    IdentitySource source;
    std::string detail, text;
    VeinClass vein_class;
    std::optional<Laterality> laterality;  // the same label's
    bool of_the_image;                     // LabelTag::of_the_image; the file name: true
  };
  std::optional<VeinOnly> vein_only;
  for (const LabelTag& tag : kLabelTags) {
    const char* name = tag.name;
    const std::string* raw = &(tags.*tag.member);
    const ParsedLabel parsed = ParseLabel(*raw);
    if (!any_label_laterality) any_label_laterality = parsed.laterality;
    if (!parsed.segment) {
      if (!vein_only && parsed.vein_class) {
        vein_only = {IdentitySource::kDicomTag, name,
                     TrimDicom(*raw),           *parsed.vein_class,
                     parsed.laterality,         tag.of_the_image};
      }
      continue;
    }
    return FromSegmentLabel(parsed, IdentitySource::kDicomTag, name, TrimDicom(*raw),
                            tag_laterality);
  }
  const std::string stem = NameLabel(file_path);
  const ParsedLabel from_name = ParseLabel(WithoutCodecNames(stem));
  if (from_name.segment) {
    return FromSegmentLabel(from_name, IdentitySource::kFileName, "file name", stem,
                            tag_laterality);
  }
  id.laterality = tag_laterality
                      ? tag_laterality
                      : (any_label_laterality ? any_label_laterality : from_name.laterality);
  if (!vein_only && from_name.vein_class) {
    vein_only = {IdentitySource::kFileName, "file name",          stem,
                 *from_name.vein_class,     from_name.laterality, true};
  }
  if (vein_only) {
    id.vein_class = vein_only->vein_class;
    id.vein_class_of_the_image = vein_only->of_the_image;
    id.source = vein_only->source;
    id.source_detail = vein_only->detail + ", vein only: level unknown";
    id.label_text = vein_only->text;
    // As for a segment label: the tag's side wins over the label's, a disagreement leaves it
    // unknown; the label's own side, not another tag's, goes with its vein.
    id.laterality = Combine(tag_laterality, vein_only->laterality, id.source_detail);
    return id;
  }
  // Unknown: the raw text the sonographer typed is still reported (reports escape it), so a
  // reviewer sees what was not understood.
  if (const auto typed = FirstTypedLabel(tags)) {
    id.label_text = typed->text;
    id.source_detail = std::string(typed->tag) + ", not understood";
  }
  return id;
}

namespace {

constexpr long kMinRepairedLetters = 4;  // RepairedLine

// The burned-in label among OCR lines (reading order): the first line naming a segment, or two
// lines that only name one together; a line naming a segment but no side is joined with the next
// or the previous line if that reading names the same segment and a side (OCR splits a label at a
// wide gap: "LEFT great" | "saph prox thigh", "lt." | "FV DIST", "GSV AT KNEE" | "- LT"). A
// header line before a whole label ("PRF 4.2 kHz" | "lt. sfj") is not joined to it.
std::optional<std::pair<std::string, ParsedLabel>> BurnedLabel(
    const std::vector<std::string>& lines) {
  for (size_t i = 0; i < lines.size(); ++i) {
    const ParsedLabel alone = ParseLabel(lines[i]);
    if (!alone.segment) {
      // A label split mid-name ("LEFT great" | "saph prox thigh"): neither half names a segment.
      if (i + 1 == lines.size() || ParseLabel(lines[i + 1]).segment) continue;
      const std::string joined = lines[i] + " " + lines[i + 1];
      const ParsedLabel parsed = ParseLabel(joined);
      if (parsed.segment) return std::make_pair(joined, parsed);
      continue;
    }
    if (alone.laterality) return std::make_pair(lines[i], alone);
    for (const size_t other : {i + 1, i - 1}) {  // i - 1 wraps past the end for i = 0
      if (other >= lines.size()) continue;
      const std::string joined =
          other > i ? lines[i] + " " + lines[other] : lines[other] + " " + lines[i];
      const ParsedLabel parsed = ParseLabel(joined);
      if (parsed.segment == alone.segment && parsed.laterality) {
        return std::make_pair(joined, parsed);
      }
    }
    return std::make_pair(lines[i], alone);
  }
  return std::nullopt;
}

// `line` with OCR confusions undone, unless it is too short to carry that much trust: a line of
// fewer than kMinRepairedLetters letters that only a repair makes a label is speckle read as a
// word (fifteenth independent renderer: B-mode speckle read "ve", repaired to "vf", the Spanish
// "vena femoral", named the femoral vein on clips of the GSV).
std::string RepairedLine(const std::string& line) {
  const auto letters = std::count_if(line.begin(), line.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80 && std::isalpha(static_cast<unsigned char>(c));
  });
  return letters < kMinRepairedLetters ? line : RepairOcrConfusions(line);
}

}  // namespace

SegmentId WithBurnedInLabel(SegmentId id, const std::vector<std::string>& lines,
                            const DicomTags& tags, const std::vector<std::string>& unsure_lines) {
  if (id.segment) return id;
  std::vector<std::string> repaired;
  repaired.reserve(lines.size());
  for (const std::string& line : lines) repaired.push_back(RepairedLine(line));
  auto label = BurnedLabel(repaired);
  for (size_t i = 0; !label && i < unsure_lines.size(); ++i) {
    std::string text = RepairedLine(unsure_lines[i]);
    ParsedLabel parsed = ParseLabel(text);
    if (parsed.segment && parsed.laterality) label.emplace(std::move(text), parsed);
  }
  if (!label) return id;
  const auto& [text, parsed] = *label;
  // A typed label of the image that named the vein without a level ("LLE accessory saphenous 2")
  // keeps its class: the pixels may give its level, never a vein of another class (threshold).
  // A class read from the series' or protocol's text ("GSV SSV mapping", "varicose veins calf")
  // names what the study is about, not this clip: the clip's own burned-in label wins.
  if (id.vein_class && id.vein_class_of_the_image && parsed.vein_class != id.vein_class) return id;
  return FromSegmentLabel(parsed, IdentitySource::kBurnedIn, "burned into the image (OCR)",
                          SanitizeForLog(text, kMaxUnknownLabelBytes), TagLaterality(tags));
}

}  // namespace refluxscan::study
