// Reading functional test files in ExaBGP's .ci format (see qa/README.md):
// options, and groups of expected raw messages with their commands and JSON.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bgpsim::qa {

struct CiLine {
  std::size_t line_number = 0;
  std::string group;  // "A1": letter (default A) then number
  std::string kind;   // raw, json, cmd, notification, signal
  std::string value;
};

struct CiFile {
  std::filesystem::path path;
  std::vector<std::string> configs;                          // option:file:NAME (in order)
  std::vector<std::pair<std::string, std::string>> options;  // other option:KEY:VALUE
  std::vector<CiLine> lines;
};

// Parses a .ci file; errors name file:line.
struct CiError {
  std::string where;
  std::string reason;
};
std::variant<CiFile, CiError> read_ci_file(const std::filesystem::path& path);

// A raw message followed directly by the JSON a speaker emits on receiving it.
struct RawJsonPair {
  std::string where;  // file:line of the raw line
  std::string raw;
  std::string json;
};
std::vector<RawJsonPair> raw_json_pairs(const CiFile& file);

// The .ci files under a directory, sorted by name.
std::vector<std::filesystem::path> ci_files_under(const std::filesystem::path& dir);

}  // namespace bgpsim::qa
