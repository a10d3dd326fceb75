// Address families (AFI/SAFI) and the names ExaBGP gives them.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bgpsim::wire {

enum class Afi : std::uint16_t { ipv4 = 1, ipv6 = 2, l2vpn = 25, bgp_ls = 16388 };
enum class Safi : std::uint8_t {
  unicast = 1,
  multicast = 2,
  nlri_mpls = 4,
  mcast_vpn = 5,
  vpls = 65,
  evpn = 70,
  bgp_ls = 71,
  bgp_ls_vpn = 72,
  srte = 73,
  mup = 85,
  mpls_vpn = 128,
  rtc = 132,
  flow = 133,
  flow_vpn = 134,
};

struct Family {
  std::uint16_t afi = 1;
  std::uint8_t safi = 1;

  constexpr Family() = default;
  constexpr Family(std::uint16_t a, std::uint8_t s) : afi(a), safi(s) {}
  constexpr Family(Afi a, Safi s)
      : afi(static_cast<std::uint16_t>(a)), safi(static_cast<std::uint8_t>(s)) {}

  // "ipv4 unicast", "ipv6 flow", ... ; unknown values render as numbers.
  std::string to_string() const;
  std::string afi_name() const;
  std::string safi_name() const;
  static std::optional<Family> parse(std::string_view text);  // "ipv4 unicast"
  auto operator<=>(const Family&) const = default;
};

inline constexpr Family ipv4_unicast{Afi::ipv4, Safi::unicast};
inline constexpr Family ipv4_multicast{Afi::ipv4, Safi::multicast};
inline constexpr Family ipv6_unicast{Afi::ipv6, Safi::unicast};
inline constexpr Family ipv6_multicast{Afi::ipv6, Safi::multicast};

// A small ordered set of families (a handful per session at most).
class FamilySet {
 public:
  bool contains(Family f) const;
  void insert(Family f);
  const std::vector<Family>& items() const { return items_; }
  bool operator==(const FamilySet&) const = default;

 private:
  std::vector<Family> items_;  // sorted
};

}  // namespace bgpsim::wire
