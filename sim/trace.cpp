#include "sim/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace bgpsim::sim {
namespace {

// The hash takes 8 bytes per step (a multiply and a shift), not one: a run
// of 1,000 speakers hashes every segment of 45 M events, and byte-wise FNV-1a
// was 4 % of it. It guards determinism, not against an adversary.
constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ULL;

void mix_word(std::uint64_t& h, std::uint64_t w) {
  h = (h ^ w) * kMul;
  h ^= h >> 29;
}

// Little-endian load of n <= 8 bytes, zero-padded: the hash is the same on
// any host.
std::uint64_t load_le(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, n);
  } else {
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  }
  return v;
}

}  // namespace

const char* to_string(TraceKind kind) {
  switch (kind) {
    case TraceKind::connect:
      return "connect";
    case TraceKind::established:
      return "established";
    case TraceKind::accepted:
      return "accepted";
    case TraceKind::refused:
      return "refused";
    case TraceKind::timed_out:
      return "timed_out";
    case TraceKind::write:
      return "write";
    case TraceKind::deliver:
      return "deliver";
    case TraceKind::fin:
      return "fin";
    case TraceKind::reset:
      return "reset";
    case TraceKind::close:
      return "close";
    case TraceKind::crash:
      return "crash";
    case TraceKind::restart:
      return "restart";
    case TraceKind::fault_on:
      return "fault_on";
    case TraceKind::fault_off:
      return "fault_off";
    case TraceKind::user:
      return "user";
    case TraceKind::bgp_state:
      return "bgp_state";
    case TraceKind::bgp_sent:
      return "bgp_sent";
    case TraceKind::bgp_received:
      return "bgp_received";
    case TraceKind::bgp_routes:
      return "bgp_routes";
    case TraceKind::step:
      return "step";
  }
  return "?";
}

bool is_text(TraceKind kind) { return kind >= TraceKind::bgp_state; }

std::string format_event(const TraceEvent& e) {
  if (is_text(e.kind))
    return fmt::format("t={}ns node={} {} {}", e.at_ns, e.node, to_string(e.kind),
                       std::string(e.bytes.begin(), e.bytes.end()));
  std::string hex;
  const std::size_t shown = std::min<std::size_t>(e.bytes.size(), 24);
  for (std::size_t i = 0; i < shown; ++i) hex += fmt::format("{:02x}", e.bytes[i]);
  if (shown < e.bytes.size()) hex += "..";
  return fmt::format("t={}ns node={} {} aux={} len={} {}", e.at_ns, e.node, to_string(e.kind),
                     e.aux, e.bytes.size(), hex);
}

void Trace::mix(std::int64_t at_ns, std::uint32_t node, TraceKind kind, std::uint64_t aux,
                std::span<const std::uint8_t> bytes) {
  // Canonical form, in 64-bit words: time, node | kind << 32, aux, length,
  // then the bytes little-endian, the last word zero-padded.
  mix_word(hash_, static_cast<std::uint64_t>(at_ns));
  mix_word(hash_, node | static_cast<std::uint64_t>(kind) << 32);
  mix_word(hash_, aux);
  mix_word(hash_, bytes.size());
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) mix_word(hash_, load_le(p, 8));
  if (n > 0) mix_word(hash_, load_le(p, n));
  ++count_;
}

void Trace::record(TraceEvent e) {
  mix(e.at_ns, e.node, e.kind, e.aux, e.bytes);
  if (observer) observer(TraceView{e.at_ns, e.node, e.kind, e.aux, e.bytes});
  if (options_.keep_events) events_.push_back(std::move(e));
}

void Trace::record(std::int64_t at_ns, std::uint32_t node, TraceKind kind, std::uint64_t aux,
                   std::span<const std::uint8_t> bytes) {
  mix(at_ns, node, kind, aux, bytes);
  if (observer) observer(TraceView{at_ns, node, kind, aux, bytes});
  if (options_.keep_events)
    events_.push_back(TraceEvent{at_ns, node, kind, aux, {bytes.begin(), bytes.end()}});
}

DeterminismReport check_determinism(std::uint64_t seed,
                                    const std::function<RunResult(std::uint64_t)>& run) {
  DeterminismReport report;
  report.seed = seed;
  const RunResult a = run(seed);
  const RunResult b = run(seed);
  report.hash_first = a.hash;
  report.hash_second = b.hash;
  report.same = a.hash == b.hash;
  if (report.same) {
    report.message = fmt::format("seed {} deterministic: trace hash {:016x} ({} events)", seed,
                                 a.hash, a.events.size());
    return report;
  }
  const std::size_t n = std::min(a.events.size(), b.events.size());
  std::size_t i = 0;
  while (i < n && a.events[i] == b.events[i]) ++i;
  report.first_difference = i;
  auto show = [](const RunResult& r, std::size_t k) {
    return k < r.events.size() ? format_event(r.events[k]) : std::string("<end of trace>");
  };
  report.message = fmt::format(
      "seed {} NOT deterministic: hashes {:016x} != {:016x}\nfirst difference at event {}:\n"
      "  run 1: {}\n  run 2: {}",
      seed, a.hash, b.hash, i, show(a, i), show(b, i));
  return report;
}

}  // namespace bgpsim::sim
