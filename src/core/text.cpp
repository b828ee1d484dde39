#include "refluxscan/core/text.h"

#include <algorithm>

namespace refluxscan {
namespace {

bool IsPrintableAscii(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x20 && u < 0x7f;
}

}  // namespace

std::string TrimDicom(std::string_view raw) {
  auto is_pad = [](char c) { return c == ' ' || c == '\0'; };
  while (!raw.empty() && is_pad(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_pad(raw.back())) raw.remove_suffix(1);
  return std::string(raw);
}

std::string SanitizeForLog(std::string_view raw, size_t max_chars) {
  std::string out;
  out.reserve(std::min(raw.size(), max_chars));
  for (char c : TrimDicom(raw)) {
    if (out.size() >= max_chars) break;
    out.push_back(IsPrintableAscii(c) ? c : '?');
  }
  return out;
}

std::string SanitizeFileComponent(std::string_view raw, size_t max_chars) {
  std::string out;
  for (char c : raw) {
    if (out.size() >= max_chars) break;
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    out.push_back(keep ? c : '_');
  }
  // No hidden files, no "." or "..": leading dots become underscores.
  for (char& c : out) {
    if (c != '.') break;
    c = '_';
  }
  return out.empty() ? std::string("unnamed") : out;
}

std::string EscapeHtml(std::string_view raw) {
  std::string out;
  out.reserve(raw.size() + 16);
  for (char c : raw) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
          out.push_back(c);
        else if (c == '\n' || c == '\t')
          out.push_back(' ');
    }
  }
  return out;
}

std::string EscapeCsvField(std::string_view raw) {
  std::string clean;
  clean.reserve(raw.size());
  for (char c : raw) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
      clean.push_back(c);
    else if (c == '\n' || c == '\r' || c == '\t')
      clean.push_back(' ');
  }
  // Formula injection guard (OWASP CSV injection): spreadsheets evaluate = + - @ at the start.
  // Plain numbers ("-3.5") are left alone so numeric columns stay numeric.
  if (!clean.empty() &&
      (clean[0] == '=' || clean[0] == '+' || clean[0] == '@' ||
       (clean[0] == '-' && clean.find_first_not_of("-0123456789.eE") != std::string::npos))) {
    clean.insert(clean.begin(), '\'');
  }
  const bool quote = clean.find_first_of(",\"") != std::string::npos ||
                     (!clean.empty() && (clean.front() == ' ' || clean.back() == ' '));
  if (!quote) return clean;
  std::string out = "\"";
  for (char c : clean) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string JsonParseErrorText(std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    const size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  constexpr std::string_view kPrefix = "parse error at ";
  if (what.starts_with(kPrefix)) what.remove_prefix(kPrefix.size());
  return SanitizeForLog(what, 160);
}

}  // namespace refluxscan
