// Deterministic PRNG for the simulator: xoshiro256** seeded through
// splitmix64. Probabilities are integer ratios so no float rounding reaches
// a decision.
#pragma once

#include <cstdint>
#include <string_view>

namespace bgpsim::sim {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Seed for a subsystem: depends only on the root seed and the name.
inline std::uint64_t derive_seed(std::uint64_t root, std::string_view name) {
  std::uint64_t state = root ^ fnv1a64(name);
  splitmix64(state);
  return splitmix64(state);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
  void reseed(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [lo, hi] (inclusive), without modulo bias.
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    const std::uint64_t span = hi - lo;
    if (span == ~0ULL) return next();
    const std::uint64_t n = span + 1;
    const std::uint64_t limit = ~0ULL - (~0ULL % n);
    std::uint64_t x;
    do x = next();
    while (x >= limit);
    return lo + x % n;
  }
  // True with probability num/den.
  bool chance(std::uint64_t num, std::uint64_t den) { return uniform(0, den - 1) < num; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace bgpsim::sim
