// `bgpsim qa`: runs functional tests in ExaBGP's .ci format and prints a
// summary: every raw -> JSON pair (the decoding half), and every test that
// names a configuration in the simulator (qa_functional.cpp). With no path
// it runs the bundled suite, every folder of qa/ (bundled_suite_dir).
#include "tools/cli/qa.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
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
  // Without its configuration a file would decode in the wrong session
  // context (add-path, ASN size) and fail for the wrong reason.
  for (const auto& name : file.configs)
    if (!fs::exists(config_dir / name)) {
      fmt::print("FAIL {}: option:file:{}: no such configuration in {}\n", path.string(), name,
                 config_dir.string());
      ++tally.failed;
      return;
    }
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

// Where the bundled suite is: $BGPSIM_QA_DIR, else the source tree the
// binary was built from, else beside the binary (build/PRESET/tools/bgpsim
// -> qa/, or an installed bin/ -> share/bgpsim/qa). Empty, with the places
// looked at in `looked`, when none holds a qa/etc folder.
fs::path bundled_suite_dir(std::vector<std::string>& looked) {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("BGPSIM_QA_DIR"); env && *env) {
    candidates.emplace_back(env);
  } else {
    candidates.emplace_back(fs::path(BGPSIM_SOURCE_DIR) / "qa");
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      candidates.push_back(exe.parent_path() / ".." / ".." / ".." / "qa");
      candidates.push_back(exe.parent_path() / ".." / "share" / "bgpsim" / "qa");
    }
  }
  for (const auto& c : candidates) {
    looked.push_back(c.lexically_normal().string());
    if (fs::is_directory(c / "etc")) return c.lexically_normal();
  }
  return {};
}

// The configurations of a .ci file given by path: an `etc/` in its own
// folder, else the one beside that folder (ExaBGP's layout: qa/api/x.ci,
// qa/etc/x.conf). No further up: /etc is not a test tree's. When neither
// exists, run_file names the configuration it did not find.
fs::path config_dir_for(const fs::path& ci) {
  const fs::path folder = fs::absolute(ci).parent_path();
  if (fs::is_directory(folder / "etc")) return folder / "etc";
  return folder.parent_path() / "etc";
}

}  // namespace

int run_qa(const QaOptions& options) {
  Tally tally;
  std::vector<std::pair<fs::path, fs::path>> files;  // (file, its configuration folder)
  // Every file's configurations are found the same way (config_dir_for):
  // ExaBGP's tree and the bundled suite keep them in the etc/ beside the
  // test folders.
  auto add = [&](const fs::path& p) {
    if (fs::is_directory(p))
      for (const auto& f : ci_files_under(p)) files.emplace_back(f, config_dir_for(f));
    else
      files.emplace_back(p, config_dir_for(p));
  };
  for (const auto& p : options.paths) add(p);
  if (!options.exabgp_root.empty()) {
    const fs::path root = options.exabgp_root;
    if (!fs::is_directory(root / "encoding")) {
      fmt::print(stderr, "bgpsim qa: {} has no encoding/ folder\n", root.string());
      return 2;
    }
    add(root / "encoding");
    add(root / "api");
  }
  if (options.paths.empty() && options.exabgp_root.empty()) {
    // The bundled suite: every folder of qa/ that holds .ci files, in name
    // order, their configurations in qa/etc.
    std::vector<std::string> looked;
    const fs::path suite = bundled_suite_dir(looked);
    if (suite.empty()) {
      std::string list;
      for (const auto& l : looked) list += "\n  " + l;
      fmt::print(stderr,
                 "bgpsim qa: the bundled suite (qa/ with its etc/) is not in any of:{}\n"
                 "set BGPSIM_QA_DIR to the qa/ folder of a bgpsim source tree, or name .ci "
                 "files or folders\n",
                 list);
      return 2;
    }
    std::vector<fs::path> folders;
    for (const auto& e : fs::directory_iterator(suite))
      if (e.is_directory() && !ci_files_under(e.path()).empty()) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    for (const auto& folder : folders) add(folder);
    if (files.empty()) {
      fmt::print(stderr, "bgpsim qa: {} holds no .ci file\n", suite.string());
      return 2;
    }
  }
  // Helpers of any suite find bgpsim's stand-in for ExaBGP's Python package.
  auto functional_options = options.functional;
  {
    std::vector<std::string> looked;
    if (const fs::path suite = bundled_suite_dir(looked);
        !suite.empty() && fs::is_directory(suite / "python"))
      functional_options.python_path = (suite / "python").string();
  }
  FunctionalRun functional(functional_options);
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
  fmt::print(
      "qa: {} files: raw -> JSON pairs {} passed, {} failed, {} skipped; functional {} "
      "passed, {} failed, {} skipped\n",
      files.size(), tally.passed, tally.failed, tally.skipped, functional.passed(),
      functional.failed(), functional.skipped());
  // The floor counts raw -> JSON pairs and functional tests that pass.
  const bool below = tally.passed + functional.passed() < options.min_pass;
  if (below)
    fmt::print("FAIL: {} pairs and {} functional tests pass, below the floor of {} (--min-pass)\n",
               tally.passed, functional.passed(), options.min_pass);
  // The last line: pairs and functional tests together.
  fmt::print("{} passed, {} failed, {} skipped\n", tally.passed + functional.passed(),
             tally.failed + functional.failed(), tally.skipped + functional.skipped());
  return !below && tally.failed == 0 && functional.failed() == 0 ? 0 : 1;
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
