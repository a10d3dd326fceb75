// Configuration parser throughput and footprint: N `route` lines streamed
// into the model. Reports lines/s and the heap the model holds per route
// (glibc mallinfo2, measured while the parsed model is alive). Two files:
// every route with the same attributes (the common big file), and routes
// whose MED and community change from one line to the next (21 attribute
// sets: no line repeats the words of the line before, each is parsed whole).
// Figures and the machine are recorded in docs/benchmarks.md.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>

#include <sstream>

#include "speaker/config/parser.hpp"

namespace {

std::string make_file(std::size_t routes, bool varied) {
  std::string text =
      "neighbor 127.0.0.1 {\n\trouter-id 10.0.0.2;\n\tlocal-address 127.0.0.1;\n\tlocal-as "
      "65000;\n\tpeer-as 65001;\n\tstatic {\n";
  for (std::size_t i = 0; i < routes; ++i) {
    const auto a = static_cast<std::uint32_t>(0x0A000000u + (i << 8));
    text += fmt::format("\t\troute {}.{}.{}.0/24 next-hop 192.0.2.1", a >> 24, (a >> 16) & 0xFF,
                        (a >> 8) & 0xFF);
    if (varied) text += fmt::format(" med {} community [ 65000:{} ]", i % 7, i % 3);
    text += ";\n";
  }
  text += "\t}\n}\n";
  return text;
}

void parse(benchmark::State& state, bool varied) {
  const auto routes = static_cast<std::size_t>(state.range(0));
  const std::string text = make_file(routes, varied);
  double held = 0;
  for (auto _ : state) {
    std::istringstream in(text);
    const auto before = mallinfo2().uordblks;
    auto r = bgpsim::config::parse_stream(in, "bench.conf");
    const auto after = mallinfo2().uordblks;
    if (!r.errors.empty() || r.config.neighbors.at(0).routes.size() != routes)
      state.SkipWithError("the file did not parse");
    held = double(after - before);
    benchmark::DoNotOptimize(r);
  }
  state.counters["lines/s"] =
      benchmark::Counter(double(state.iterations()) * double(routes), benchmark::Counter::kIsRate);
  state.counters["bytes/route"] = held / double(routes);
  state.counters["input bytes/route"] = double(text.size()) / double(routes);
}

void BM_ParseRoutesOneAttributeSet(benchmark::State& state) { parse(state, false); }
void BM_ParseRoutesVaryingAttributes(benchmark::State& state) { parse(state, true); }

BENCHMARK(BM_ParseRoutesOneAttributeSet)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseRoutesVaryingAttributes)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
