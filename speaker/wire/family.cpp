#include "speaker/wire/family.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace bgpsim::wire {

namespace {
// ExaBGP's names for AFIs and SAFIs (exabgp/protocol/family.py); the first
// of a value is its name, a later one an alias that parses ("srte", ExaBGP
// 4's name for SAFI 73).
struct Name {
  unsigned value;
  std::string_view name;
};
constexpr std::array afi_names{Name{1, "ipv4"}, Name{2, "ipv6"}, Name{25, "l2vpn"},
                               Name{16388, "bgp-ls"}};
constexpr std::array safi_names{Name{1, "unicast"},   Name{2, "multicast"},   Name{4, "nlri-mpls"},
                                Name{5, "mcast-vpn"}, Name{65, "vpls"},       Name{70, "evpn"},
                                Name{71, "bgp-ls"},   Name{72, "bgp-ls-vpn"}, Name{73, "sr-policy"},
                                Name{85, "mup"},      Name{128, "mpls-vpn"},  Name{132, "rtc"},
                                Name{133, "flow"},    Name{134, "flow-vpn"},  Name{73, "srte"}};

template <std::size_t N>
std::string name_of(const std::array<Name, N>& table, unsigned value) {
  for (const auto& n : table)
    if (n.value == value) return std::string(n.name);
  return std::to_string(value);
}

template <std::size_t N>
std::optional<unsigned> value_of(const std::array<Name, N>& table, std::string_view name) {
  for (const auto& n : table)
    if (n.name == name) return n.value;
  return std::nullopt;
}
}  // namespace

std::string Family::afi_name() const { return name_of(afi_names, afi); }
std::string Family::safi_name() const { return name_of(safi_names, safi); }
std::string Family::to_string() const { return afi_name() + " " + safi_name(); }

std::optional<Family> Family::parse(std::string_view text) {
  auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto afi = value_of(afi_names, text.substr(0, space));
  auto rest = text.substr(space + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  auto safi = value_of(safi_names, rest);
  if (!afi || !safi) return std::nullopt;
  return Family(static_cast<std::uint16_t>(*afi), static_cast<std::uint8_t>(*safi));
}

bool FamilySet::contains(Family f) const {
  return std::binary_search(items_.begin(), items_.end(), f);
}

void FamilySet::insert(Family f) {
  auto it = std::lower_bound(items_.begin(), items_.end(), f);
  if (it == items_.end() || *it != f) items_.insert(it, f);
}

}  // namespace bgpsim::wire
