#include "qa/runner/ci_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <variant>

namespace bgpsim::qa {

std::variant<CiFile, CiError> read_ci_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return CiError{path.string(), "cannot open"};
  CiFile file;
  file.path = path;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.find('#') != std::string::npos) continue;
    const std::string where = path.filename().string() + ":" + std::to_string(number);
    if (line.rfind("option:", 0) == 0) {
      auto rest = line.substr(7);
      auto colon = rest.find(':');
      if (colon == std::string::npos) return CiError{where, "option without a value: " + line};
      auto key = rest.substr(0, colon);
      if (key == "file")
        file.configs.push_back(rest.substr(colon + 1));
      else
        file.options.emplace_back(key, rest.substr(colon + 1));
      continue;
    }
    // [L]N:kind:value
    std::size_t i = 0;
    std::string group;
    if (i < line.size() && std::isalpha(static_cast<unsigned char>(line[i])) &&
        i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1])))
      group.push_back(line[i++]);
    else
      group.push_back('A');
    const std::size_t digits = i;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    if (i == digits || i >= line.size() || line[i] != ':')
      return CiError{where, "expected [L]N:kind:value, got: " + line};
    group += line.substr(digits, i - digits);
    auto colon = line.find(':', i + 1);
    if (colon == std::string::npos) return CiError{where, "expected N:kind:value, got: " + line};
    file.lines.push_back(
        CiLine{number, group, line.substr(i + 1, colon - i - 1), line.substr(colon + 1)});
  }
  return file;
}

std::vector<RawJsonPair> raw_json_pairs(const CiFile& file) {
  std::vector<RawJsonPair> pairs;
  for (std::size_t i = 0; i + 1 < file.lines.size(); ++i) {
    const auto& raw = file.lines[i];
    const auto& json = file.lines[i + 1];
    if (raw.kind == "raw" && json.kind == "json")
      pairs.push_back({file.path.filename().string() + ":" + std::to_string(raw.line_number),
                       raw.value, json.value});
  }
  return pairs;
}

std::vector<std::filesystem::path> ci_files_under(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".ci") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace bgpsim::qa
