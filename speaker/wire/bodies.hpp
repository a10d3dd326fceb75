// Message bodies other than OPEN and UPDATE: NOTIFICATION (RFC 4271 4.5) and
// ROUTE-REFRESH (RFC 2918, RFC 7313). message.cpp frames them; these read and
// write only what follows the 19-byte header, so `body` offsets start at 19.
#pragma once

#include "speaker/wire/message.hpp"

namespace bgpsim::wire {

// A body shorter than code and subcode is a Message Header Error / Bad Message
// Length. RFC 4271 6.5: the session must not answer a malformed NOTIFICATION
// with one, it just closes.
Result<Notification> decode_notification(Reader body);
void encode_notification_body(const Notification& n, Writer& w);

// RFC 7313 5: a body that is not exactly 4 bytes (a message that is not 23) is
// a ROUTE-REFRESH Message Error / Invalid Message Length whose data is the whole
// message. A subtype other than 0, 1 or 2 "MUST be ignored": that returns a
// DecodeError with code 0, which means "drop the message, send nothing".
Result<RouteRefresh> decode_route_refresh(Reader body);
void encode_route_refresh_body(const RouteRefresh& r, Writer& w);

}  // namespace bgpsim::wire
