#include "speaker/api/json_events.hpp"

#include <fmt/format.h>

namespace bgpsim::api {

using wire::Json;

void JsonEvents::set_neighbors(const config::Config& config) {
  for (const auto& n : config.neighbors) add_neighbor(n);
}

void JsonEvents::add_neighbor(const config::Neighbor& n) {
  wire::JsonEnvelope e;
  e.local_address = n.local_address ? n.local_address->to_string() : "";
  e.peer_address = n.peer_address.to_string();
  e.local_as = n.local_as;
  e.peer_as = n.peer_as;
  e.direction = "in";
  envelopes_[e.peer_address] = e;
}

wire::JsonEnvelope JsonEvents::envelope(const std::string& peer) const {
  auto it = envelopes_.find(peer);
  if (it != envelopes_.end()) return it->second;
  wire::JsonEnvelope e;
  e.peer_address = peer;
  return e;
}

namespace {
Json neighbor_line(const wire::JsonEnvelope& e, const char* type) {
  Json j;
  j["exabgp"] = wire::exabgp_json_version;
  j["type"] = type;
  j["neighbor"]["address"] = {{"local", e.local_address}, {"peer", e.peer_address}};
  j["neighbor"]["asn"] = {{"local", e.local_as}, {"peer", e.peer_as}};
  return j;
}
Json state_line(const wire::JsonEnvelope& e, const char* state) {
  Json j = neighbor_line(e, "state");
  j["neighbor"]["state"] = state;
  return j;
}
Json family_names(const wire::FamilySet& families) {
  Json names = Json::array();
  for (const auto f : families.items()) names.push_back(f.to_string());
  return names;
}
// ExaBGP's negotiated object (JSON._negotiated), keys in its order. bgpsim
// negotiates neither multisession nor operational, so both are false. The
// next hops are ExaBGP's "AFI SAFI NEXTHOP-AFI" (RFC 8950: the other AFI).
// ExaBGP 4.2 fails to write a non-empty add-path "send" list (it joins
// family tuples); this writes the family names it meant, as "receive" has.
Json negotiated_json(const session::Negotiated& n) {
  Json j;
  j["message_size"] = n.send.max_message_size();
  j["hold_time"] = n.hold_time_s;
  j["asn4"] = n.send.four_octet_asn;
  j["multisession"] = false;
  j["operational"] = false;
  j["refresh"] = n.enhanced_route_refresh ? "enhanced" : n.route_refresh ? "normal" : "absent";
  j["families"] = family_names(n.families);
  Json next_hops = Json::array();
  for (const auto f : n.send.extended_next_hop.items())
    next_hops.push_back(f.to_string() +
                        (f.afi == static_cast<std::uint16_t>(wire::Afi::ipv4) ? " ipv6" : " ipv4"));
  j["nexthop"] = std::move(next_hops);
  j["add_path"] = {{"send", family_names(n.send.add_path)},
                   {"receive", family_names(n.receive.add_path)}};
  return j;
}
}  // namespace

std::string JsonEvents::up_line(const std::string& peer, const session::Negotiated& n) {
  auto& e = envelopes_[peer];
  if (e.peer_address.empty()) e.peer_address = peer;
  e.router_id = n.peer_router_id;
  e.peer_as = n.peer_as;
  return wire::exabgp_text(state_line(e, "up"));
}

std::string JsonEvents::down_line(const std::string& peer, const session::Down& down) const {
  Json j = state_line(envelope(peer), "down");
  j["neighbor"]["reason"] = down.reason;
  return wire::exabgp_text(j);
}

std::string JsonEvents::message_line(const std::string& peer, const wire::Message& m,
                                     const wire::DecodeContext& ctx, bool sent, wire::ByteView raw,
                                     const session::Negotiated* negotiated) const {
  auto e = envelope(peer);
  if (sent) e.direction = "out";
  auto j = wire::to_json(m, ctx, e);
  if (negotiated && std::holds_alternative<wire::Update>(m))
    j["neighbor"]["negotiated"] = negotiated_json(*negotiated);
  return wire::exabgp_text(raw.empty() ? j : wire::with_header_body(j, raw));
}

std::string JsonEvents::negotiated_line(const std::string& peer,
                                        const session::Negotiated& n) const {
  Json j = neighbor_line(envelope(peer), "negotiated");
  j["neighbor"]["negotiated"] = negotiated_json(n);
  return wire::exabgp_text(j);
}

std::string JsonEvents::packets_line(const std::string& peer, wire::ByteView raw, bool sent,
                                     const session::Negotiated* negotiated) const {
  auto e = envelope(peer);
  if (sent) e.direction = "out";
  auto j = wire::packets_to_json(raw, e);
  if (negotiated) j["neighbor"]["negotiated"] = negotiated_json(*negotiated);
  return wire::exabgp_text(j);
}

void JsonEvents::on_established(const std::string& peer, const session::Negotiated& n) {
  sink_(up_line(peer, n));
}

void JsonEvents::on_down(const std::string& peer, const session::Down& down) {
  if (down.from != session::State::established) return;  // ExaBGP reports sessions, not attempts
  sink_(down_line(peer, down));
}

void JsonEvents::on_message(const std::string& peer, const wire::Message& m,
                            const wire::DecodeContext& ctx, wire::ByteView) {
  // ExaBGP's API reports UPDATEs, NOTIFICATIONs and ROUTE-REFRESHes; OPEN and
  // KEEPALIVE only on request (an api binding's `receive { open; keepalive; }`).
  if (std::holds_alternative<wire::Keepalive>(m) || std::holds_alternative<wire::Open>(m)) return;
  sink_(message_line(peer, m, ctx));
}

void JsonEvents::on_refused(const std::string& peer, const std::vector<rib::Refusal>& refused) {
  // A route too large for any UPDATE the session allows is never sent (RFC
  // 4271 4.1, RFC 8654); the operator must hear which one and why.
  if (!log_) return;
  for (const auto& r : refused)
    log_(fmt::format("neighbor {}: {} {} not sent: {}", peer, r.key.family.to_string(),
                     r.key.nlri.prefix.to_string(), r.reason));
}

}  // namespace bgpsim::api
