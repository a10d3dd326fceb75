// `bgpsim qa`: runs functional tests in ExaBGP's .ci format and prints a
// summary. Today it checks every raw -> JSON pair (the decoding half of the
// functional suite); the simulator-driven half joins it with the speaker.
#include "tools/cli/qa.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "qa/runner/decode_check.hpp"
#include "tools/cli/qa_functional.hpp"

namespace bgpsim::cli {

namespace fs = std::filesystem;
using namespace bgpsim::qa;

namespace {

struct Tally {
  int passed = 0, failed = 0, skipped = 0;
  std::map<std::string, int> skipped_families;
};

// Session context for a file: ExaBGP-style configuration (option:file, in
// `config_dir`), then our own `option:context:` lines (asn2, extended-message,
// add-path=FAMILY) for decoding tests that have no configuration.
wire::DecodeContext context_for(const CiFile& file, const fs::path& config_dir) {
  wire::DecodeContext ctx;
  if (!file.configs.empty()) ctx = context_from_exabgp_config(config_dir / file.configs.front());
  for (const auto& [key, value] : file.options) {
    if (key != "context") continue;
    if (value == "asn2") ctx.four_octet_asn = false;
    if (value == "extended-message") ctx.extended_message = true;
    if (value.rfind("add-path=", 0) == 0)
      if (auto f = wire::Family::parse(value.substr(9))) ctx.add_path.insert(*f);
  }
  return ctx;
}

void run_file(const fs::path& path, const fs::path& config_dir, bool verbose, Tally& tally,
              FunctionalRun& functional) {
  auto parsed = read_ci_file(path);
  if (auto* error = std::get_if<CiError>(&parsed)) {
    fmt::print("FAIL {}: {}\n", error->where, error->reason);
    ++tally.failed;
    return;
  }
  const auto& file = std::get<CiFile>(parsed);
  functional.maybe_run(file, config_dir);
  const auto ctx = context_for(file, config_dir);
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& pair : raw_json_pairs(file)) {
    auto outcome = check_raw_json_pair(pair, ctx);
    switch (outcome.kind) {
      case PairOutcome::pass:
        ++passed;
        break;
      case PairOutcome::fail:
        ++failed;
        fmt::print("FAIL {}\n  {}\n", pair.where, outcome.detail);
        break;
      case PairOutcome::other_family:
        ++skipped;
        for (const auto& f : outcome.families) ++tally.skipped_families[f];
        break;
    }
  }
  if (verbose || failed)
    fmt::print("{:<40} {} passed, {} failed, {} skipped\n", path.filename().string(), passed,
               failed, skipped);
  tally.passed += passed;
  tally.failed += failed;
  tally.skipped += skipped;
}

}  // namespace

int run_qa(const QaOptions& options) {
  Tally tally;
  std::vector<std::pair<fs::path, fs::path>> files;  // (file, its configuration folder)
  auto add = [&](const fs::path& p, const fs::path& config_dir) {
    if (fs::is_directory(p))
      for (const auto& f : ci_files_under(p)) files.emplace_back(f, config_dir);
    else
      files.emplace_back(p, config_dir);
  };
  for (const auto& p : options.paths) add(p, fs::path(p).parent_path() / "etc");
  if (!options.exabgp_root.empty()) {
    const fs::path root = options.exabgp_root;
    if (!fs::is_directory(root / "encoding")) {
      fmt::print(stderr, "bgpsim qa: {} has no encoding/ folder\n", root.string());
      return 2;
    }
    add(root / "encoding", root / "etc");
    add(root / "api", root / "etc");
  }
  if (files.empty()) {
    add(fs::path(BGPSIM_SOURCE_DIR) / "qa" / "decode", fs::path{});
    add(fs::path(BGPSIM_SOURCE_DIR) / "qa" / "encoding",
        fs::path(BGPSIM_SOURCE_DIR) / "qa" / "etc");
  }
  FunctionalRun functional(options.functional);
  for (const auto& [file, config_dir] : files)
    run_file(file, config_dir, options.verbose, tally, functional);
  functional.run_queued();
  functional.print();
  if (!tally.skipped_families.empty()) {
    std::string list;
    for (const auto& [family, count] : tally.skipped_families)
      list += fmt::format(" {}={}", family, count);
    fmt::print("skipped (families not decoded yet):{}\n", list);
  }
  fmt::print("qa: {} files\n{} passed, {} failed, {} skipped\n", files.size(), tally.passed,
             tally.failed, tally.skipped);
  // The floor counts raw -> JSON pairs and functional tests that pass.
  if (tally.passed + functional.passed() < options.min_pass) {
    fmt::print("FAIL: {} pairs and {} functional tests pass, below the floor of {} (--min-pass)\n",
               tally.passed, functional.passed(), options.min_pass);
    return 1;
  }
  return tally.failed == 0 && functional.failed() == 0 ? 0 : 1;
}

void add_qa_command(CLI::App& app, QaOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "qa", "Run functional tests in ExaBGP's .ci format (default: the bundled suite in qa/)");
  cmd->add_option("paths", options.paths, ".ci files or folders of them")->check(CLI::ExistingPath);
  cmd->add_option("--exabgp", options.exabgp_root,
                  "Also run an ExaBGP qa tree (its encoding/ and api/, with etc/ configurations)")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("-v,--verbose", options.verbose, "Print a line for every file");
  cmd->add_option("--min-pass", options.min_pass,
                  "Fail unless at least this many raw -> JSON pairs pass (a floor)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  add_functional_options(cmd, options.functional);
  cmd->callback([&options, &exit_code] { exit_code = run_qa(options); });
}

}  // namespace bgpsim::cli
