// Speaker events as ExaBGP's JSON API lines: session state changes and the
// messages received, one JSON object per line. Used by `bgpsim live` (on
// stdout) and, later, by API helper processes and the functional suite.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "speaker/config/model.hpp"
#include "speaker/session/peer.hpp"
#include "speaker/wire/json.hpp"

namespace bgpsim::api {

class JsonEvents : public session::PeerObserver {
 public:
  using Sink = std::function<void(const std::string& line)>;
  // `sink` takes the JSON event lines; `log` (optional) takes diagnostics that
  // are not ExaBGP events, such as routes the update builder refused.
  explicit JsonEvents(Sink sink, Sink log = {}) : sink_(std::move(sink)), log_(std::move(log)) {}

  // The neighbors events are about (addresses and ASNs for the envelope).
  void set_neighbors(const config::Config& config);
  void add_neighbor(const config::Neighbor& n);

  // The lines the observer calls print, for other printers (the API
  // dispatcher sends them to helper processes). up_line records the peer's
  // router id for later lines; message_line renders any message, OPEN and
  // KEEPALIVE included.
  std::string up_line(const std::string& peer, const session::Negotiated& n);
  std::string down_line(const std::string& peer, const session::Down& down) const;
  // `sent`: a message the speaker sent ("direction": "out"; received: "in").
  // With `raw` (`consolidate` and `packets`): "header" and "body" too.
  // With `negotiated` (an api binding's `negotiated;`, once the session is
  // up) an UPDATE's line carries the session's negotiated block, as
  // ExaBGP's does; other messages' lines do not.
  std::string message_line(const std::string& peer, const wire::Message& m,
                           const wire::DecodeContext& ctx, bool sent = false,
                           wire::ByteView raw = {},
                           const session::Negotiated* negotiated = nullptr) const;
  // `packets`: the message's bytes alone (wire::packets_to_json), with the
  // negotiated block when given.
  std::string packets_line(const std::string& peer, wire::ByteView raw, bool sent,
                           const session::Negotiated* negotiated = nullptr) const;
  // `negotiated;`: what the session negotiated, as ExaBGP's "negotiated"
  // event (reactor/api/response/json.py).
  std::string negotiated_line(const std::string& peer, const session::Negotiated& n) const;

  void on_established(const std::string& peer, const session::Negotiated& n) override;
  void on_down(const std::string& peer, const session::Down& down) override;
  void on_message(const std::string& peer, const wire::Message& m, const wire::DecodeContext& ctx,
                  wire::ByteView raw) override;
  void on_refused(const std::string& peer, const std::vector<rib::Refusal>& refused) override;

 private:
  wire::JsonEnvelope envelope(const std::string& peer) const;
  Sink sink_;
  Sink log_;
  std::map<std::string, wire::JsonEnvelope> envelopes_;  // by peer address
};

}  // namespace bgpsim::api
