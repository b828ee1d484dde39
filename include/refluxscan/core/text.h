#pragma once
// Untrusted text (DICOM attributes, file names, manifests) made safe for each destination.
#include <string>
#include <string_view>

namespace refluxscan {

// Printable ASCII only, control characters and non-ASCII replaced by '?', trimmed, at most
// max_chars. For logs and terminal output.
std::string SanitizeForLog(std::string_view raw, size_t max_chars = 200);
// A single safe path component: [A-Za-z0-9._-] only, no leading dot, never empty ("unnamed"),
// at most max_chars. Never a traversal ("..", "/") whatever the input.
std::string SanitizeFileComponent(std::string_view raw, size_t max_chars = 64);
// HTML text/attribute escaping (& < > " ') after dropping control characters.
std::string EscapeHtml(std::string_view raw);
// One CSV field: quoted when needed, quotes doubled, control characters dropped, and a leading
// = + - @ prefixed with ' so spreadsheets do not evaluate it as a formula.
std::string EscapeCsvField(std::string_view raw);
// The useful part of a JSON parser's error message ("line 3, column 5: syntax error ..."): the
// library's "[json.exception.parse_error.101] parse error at " prefix dropped, sanitized for logs.
std::string JsonParseErrorText(std::string_view what);
// Trim DICOM padding (spaces and NULs) at both ends.
std::string TrimDicom(std::string_view raw);

}  // namespace refluxscan
