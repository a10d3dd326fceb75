// `bgpsim qa --live`: the functional test body (functional_run.hpp) with the
// speaker and the test peer on real loopback sockets, in one io_context.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "qa/runner/functional.hpp"
#include "qa/runner/functional_run.hpp"
#include "speaker/reactor/on_asio.hpp"
#include "speaker/runtime/asio_runtime.hpp"

namespace bgpsim::qa {

namespace fs = std::filesystem;

namespace {

class LiveEnv {
 public:
  using runtime_type = runtime::AsioRuntime;
  static constexpr const char* clock_name = "real";

  LiveEnv() : rt_(io_), start_(rt_.now()) {}

  runtime_type& speaker_runtime() { return rt_; }
  runtime_type& peer_runtime() { return rt_; }
  // Same address, a port of the kernel's choosing.
  runtime::Endpoint peer_endpoint(const runtime::Endpoint& want) const {
    return runtime::Endpoint(want.address(), 0);
  }
  void spawn(runtime_type&, boost::asio::awaitable<void, runtime_type::executor_type> task) {
    boost::asio::co_spawn(io_, std::move(task), [this](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& error) {
        failures_.push_back(error.what());
      }
    });
  }
  // `t` counts from the start of the test, as in the simulator.
  void run_until(std::chrono::nanoseconds t) {
    const auto left = start_ + t - rt_.now();
    if (left > std::chrono::nanoseconds::zero()) run_for(left);
  }
  void run_for(std::chrono::nanoseconds d) {
    io_.restart();
    io_.run_for(d);
  }
  void stop() { io_.stop(); }
  std::chrono::nanoseconds now() const { return rt_.now(); }
  std::chrono::nanoseconds start() const { return start_; }
  const std::vector<std::string>& failures() const { return failures_; }
  std::uint64_t trace_hash() const { return 0; }

 private:
  boost::asio::io_context io_;
  runtime::AsioRuntime rt_;
  std::chrono::nanoseconds start_;
  std::vector<std::string> failures_;
};

}  // namespace

FunctionalResult run_functional_live(const CiFile& file, const fs::path& config_dir,
                                     const FunctionalOptions& options) {
  return detail::timed(file, [&](FunctionalResult& result) {
    auto prepared = detail::prepare(file, config_dir, options, result);
    if (!prepared) return;
    LiveEnv env;
    detail::run_prepared(env, file, config_dir, options, std::move(*prepared), result);
    // The peer stamps its outcome with the runtime's clock (since the epoch).
    if (result.virtual_time >= env.start()) result.virtual_time -= env.start();
  });
}

}  // namespace bgpsim::qa
