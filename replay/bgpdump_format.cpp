#include "replay/bgpdump_format.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

#include "replay/mrt/mrt_reader.hpp"
#include "speaker/wire/message.hpp"

namespace bgpsim::replay {

namespace {

// A cursor with bgpdump's reading rules: reads past the end yield zeros and
// consume what is left, so a short field never stops the line from printing.
struct Cursor {
  const std::uint8_t* p = nullptr;
  std::size_t n = 0;
  std::size_t pos = 0;

  std::size_t can_read() const { return n - pos; }
  void get(std::uint8_t* dst, std::size_t len) {
    const std::size_t k = std::min(len, can_read());
    if (dst) {
      if (k) std::memcpy(dst, p + pos, k);
      if (k < len) std::memset(dst + k, 0, len - k);
    }
    pos += k;
  }
  std::uint8_t u8() {
    std::uint8_t v = 0;
    get(&v, 1);
    return v;
  }
  std::uint16_t u16() {
    std::uint8_t b[2];
    get(b, 2);
    return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
  }
  std::uint32_t u32() {
    std::uint8_t b[4];
    get(b, 4);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           b[3];
  }
  // A cursor over the next len bytes (fewer when the data ends first).
  Cursor take(std::size_t len) {
    const std::size_t k = std::min(len, can_read());
    Cursor c{p + pos, k, 0};
    pos += k;
    return c;
  }
};

struct Prefix {
  std::array<std::uint8_t, 16> addr{};
  std::uint8_t len = 0;
  std::uint32_t path_id = 0;
};

// bgpdump keeps at most this many prefixes of one list.
constexpr int max_prefixes = 65536;

struct MpNlri {
  std::uint8_t nexthop_len = 0;
  std::array<std::uint8_t, 16> nexthop{};
  std::vector<Prefix> nlri;
};

struct AsPath {
  unsigned asn_len = 2;
  std::vector<std::uint8_t> data;
  int count = 0;
  std::string str;
};

constexpr std::uint32_t none32 = 0xffffffff;

struct Attributes {
  std::uint64_t flag = 0;
  int origin = -1;
  std::uint32_t nexthop = none32;  // network order
  std::uint32_t med = none32, local_pref = none32;
  std::uint32_t aggregator_as = none32, aggregator_addr = none32;
  std::uint32_t new_aggregator_as = none32, new_aggregator_addr = none32;
  std::optional<AsPath> aspath, new_aspath;
  bool has_community = false;
  std::string community;  // with its leading space, as bgpdump builds it
  // [afi][safi], afi 0..2, safi 0..3 (3: unicast and multicast, an old value)
  std::optional<MpNlri> announce[3][4];
  std::optional<MpNlri> withdraw[3][4];

  bool has(unsigned type) const { return type >= 1 && type <= 64 && (flag >> (type - 1)) & 1; }
};

void aspath_string(AsPath& as) {
  constexpr std::size_t max_len = 8000;
  as.str.clear();
  as.count = 0;
  bool space = false;
  std::uint8_t type = 2;  // AS_SEQUENCE
  std::size_t pnt = 0;
  const std::size_t end = as.data.size();
  std::optional<std::uint8_t> last;
  auto delim = [](std::uint8_t t, bool start) -> char {
    switch (t) {
      case 1:
        return start ? '{' : '}';
      case 3:
        return start ? '(' : ')';
      case 4:
        return start ? '[' : ']';
      default:
        return ' ';
    }
  };
  while (pnt < end) {
    if (end - pnt < 2) {  // a header that does not fit: bgpdump reads garbage; call it an error
      as.str = "! Error !";
      as.count = 0;
      return;
    }
    const std::uint8_t stype = as.data[pnt];
    const std::uint8_t slen = as.data[pnt + 1];
    if (stype < 1 || stype > 4 || pnt + slen * as.asn_len + 2 > end) {
      as.str = "! Error !";
      as.count = 0;
      return;
    }
    if (type != 2) as.str.push_back(delim(type, false));
    if (space) as.str.push_back(' ');
    if (stype != 2) as.str.push_back(delim(stype, true));
    space = false;
    as.count += (stype == 2 || stype == 3) ? slen : 1;
    for (unsigned i = 0; i < slen; ++i) {
      if (space)
        as.str.push_back((stype == 1 || stype == 4) ? ',' : ' ');
      else
        space = true;
      const std::uint8_t* a = as.data.data() + pnt + 2 + i * as.asn_len;
      const std::uint32_t asn = as.asn_len == 2
                                    ? (std::uint32_t{a[0]} << 8 | a[1])
                                    : (std::uint32_t{a[0]} << 24 | std::uint32_t{a[1]} << 16 |
                                       std::uint32_t{a[2]} << 8 | a[3]);
      char buf[16];
      auto r = std::to_chars(buf, buf + sizeof buf, asn);
      as.str.append(buf, r.ptr);
      if (as.str.size() > max_len - 100) {
        as.str += "...";
        return;
      }
    }
    type = stype;
    last = stype;
    pnt += slen * as.asn_len + 2;
  }
  if (last && *last != 2) as.str.push_back(delim(*last, false));
}

// bgpdump's AS4_PATH merge (RFC 4893 section 4.2.3, as bgpdump does it: the
// leading part is copied from the first AS_PATH segment, again and again).
void merge_as4(Attributes& a) {
  if (a.has(7 /*AGGREGATOR*/) && a.has(18 /*AS4_AGGREGATOR*/)) {
    if (a.aggregator_as != 23456) return;
    a.aggregator_as = a.new_aggregator_as;
    a.aggregator_addr = a.new_aggregator_addr;
  }
  if (!a.has(17) || !a.aspath || !a.new_aspath) return;
  AsPath& old = *a.aspath;
  const AsPath& nw = *a.new_aspath;
  if (old.count < nw.count) return;
  AsPath merged;
  merged.asn_len = 4;
  const int want = old.count - nw.count;
  if (want > 0 && old.data.size() >= 2) {
    const std::uint8_t stype = old.data[0];
    const std::uint8_t slen = old.data[1];
    while (merged.count < want) {
      const std::size_t seg_at = merged.data.size();
      merged.data.push_back(stype);
      merged.data.push_back(slen);
      for (unsigned i = 0; i < slen; ++i) {
        merged.data.push_back(0);
        merged.data.push_back(0);
        merged.data.push_back(old.data[2 + 2 * i]);
        merged.data.push_back(old.data[3 + 2 * i]);
      }
      if (stype == 1 || stype == 4) {
        merged.count += 1;
      } else {
        if (slen == 0) break;  // bgpdump would loop for ever here
        merged.count += slen;
        if (merged.count > want) {
          const int over = merged.count - want;
          merged.data[seg_at + 1] = static_cast<std::uint8_t>(slen - over);
          merged.data.resize(merged.data.size() - 4 * static_cast<std::size_t>(over));
        }
      }
    }
  }
  merged.data.insert(merged.data.end(), nw.data.begin(), nw.data.end());
  aspath_string(merged);
  a.aspath = std::move(merged);
}

int read_prefix_list(Cursor& s, std::vector<Prefix>& out, bool addpath) {
  out.clear();
  int count = 0;
  while (s.can_read()) {
    std::uint32_t path_id = 0;
    if (addpath) path_id = s.u32();
    const std::uint8_t plen = s.u8();
    const std::size_t pbytes = (plen + 7u) / 8u;
    if (s.can_read() < pbytes) break;
    if (count++ > max_prefixes) {
      s.get(nullptr, pbytes);
      continue;
    }
    Prefix p;
    p.len = plen;
    p.path_id = path_id;
    s.get(p.addr.data(), std::min<std::size_t>(pbytes, 16));
    if (pbytes > 16) s.get(nullptr, pbytes - 16);
    out.push_back(p);
  }
  if (count > max_prefixes) out.resize(max_prefixes);
  return static_cast<int>(out.size());
}

MpNlri get_nexthop(Cursor& s, std::uint16_t afi) {
  MpNlri m;
  m.nexthop_len = s.u8();
  if (afi == 1) {
    s.get(m.nexthop.data(), 4);
    return m;
  }
  s.get(m.nexthop.data(), 16);
  if (m.nexthop_len == 32) s.get(nullptr, 16);
  return m;
}

void mp_announce(Cursor& s, Attributes& a, bool addpath) {
  if (s.can_read() && s.p[s.pos] != 0) {  // MRT's abbreviated MP_REACH: next hop only
    a.announce[2][1] = get_nexthop(s, 2);
    return;
  }
  const std::uint16_t afi = s.u16();
  const std::uint8_t safi = s.u8();
  if (afi > 2 || safi > 3) return;
  if (a.announce[afi][safi]) return;
  MpNlri m = get_nexthop(s, afi == 1 ? 1 : 2);
  std::uint8_t snpa = s.u8();
  for (; snpa > 0; --snpa) s.get(nullptr, s.u8());
  read_prefix_list(s, m.nlri, addpath);
  a.announce[afi][safi] = std::move(m);
}

void mp_withdraw(Cursor& s, Attributes& a, bool addpath) {
  const std::uint16_t afi = s.u16();
  const std::uint8_t safi = s.u8();
  if (afi > 2 || safi > 3) return;
  if (a.withdraw[afi][safi]) return;
  MpNlri m;
  read_prefix_list(s, m.nlri, addpath);
  a.withdraw[afi][safi] = std::move(m);
}

void community_string(Cursor& s, std::size_t len, Attributes& a) {
  a.has_community = true;
  a.community.clear();
  const std::size_t n = len / 4;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t v = s.u32();
    switch (v) {
      case 0xFFFFFF01:
        a.community += " no-export";
        break;
      case 0xFFFFFF02:
        a.community += " no-advertise";
        break;
      case 0xFFFFFF03:
        a.community += " local-AS";
        break;
      default: {
        char buf[32];
        char* e = buf;
        *e++ = ' ';
        e = std::to_chars(e, buf + sizeof buf, v >> 16).ptr;
        *e++ = ':';
        e = std::to_chars(e, buf + sizeof buf, v & 0xffff).ptr;
        a.community.append(buf, e);
      }
    }
  }
}

Attributes attribute_block(Cursor all, unsigned asn_len, bool addpath) {
  Attributes a;
  while (all.can_read()) {
    const std::uint8_t flag = all.u8();
    const std::uint8_t type = all.u8();
    const std::size_t len = (flag & 0x10) ? all.u16() : all.u8();
    Cursor s = all.take(len);
    if (s.can_read() != len) break;  // truncated attribute: ignored
    if (type >= 1 && type <= 64) a.flag |= std::uint64_t{1} << (type - 1);
    switch (type) {
      case 14:
        mp_announce(s, a, addpath);
        break;
      case 15:
        mp_withdraw(s, a, addpath);
        break;
      case 1:
        a.origin = s.u8();
        break;
      case 2: {
        AsPath p;
        p.asn_len = asn_len;
        p.data.assign(s.p, s.p + len);
        aspath_string(p);
        a.aspath = std::move(p);
        break;
      }
      case 3: {
        std::uint8_t b[4];
        s.get(b, 4);
        std::memcpy(&a.nexthop, b, 4);
        break;
      }
      case 4:
        a.med = s.u32();
        break;
      case 5:
        a.local_pref = s.u32();
        break;
      case 7: {
        a.aggregator_as = asn_len == 4 ? s.u32() : s.u16();
        std::uint8_t b[4];
        s.get(b, 4);
        std::memcpy(&a.aggregator_addr, b, 4);
        break;
      }
      case 8:
        community_string(s, len, a);
        break;
      case 17: {
        AsPath p;
        p.asn_len = 4;
        p.data.assign(s.p, s.p + len);
        aspath_string(p);
        a.new_aspath = std::move(p);
        break;
      }
      case 18: {
        a.new_aggregator_as = s.u32();
        std::uint8_t b[4];
        s.get(b, 4);
        std::memcpy(&a.new_aggregator_addr, b, 4);
        break;
      }
      default:
        break;
    }
  }
  if (asn_len == 2) merge_as4(a);
  return a;
}

// The attribute field of an UPDATE: its length, then the attributes.
Attributes process_attributes(Cursor& outer, unsigned asn_len, bool addpath) {
  const std::uint16_t total = outer.u16();
  return attribute_block(outer.take(total), asn_len, addpath);
}

// --- Output ----------------------------------------------------------------------
// Appends to a std::string through a raw pointer: each line first asks for
// room enough for itself, then writes without further checks.
class Out {
 public:
  explicit Out(std::string& s) : s_(s), len_(s.size()) {}
  ~Out() { s_.resize(len_); }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  void room(std::size_t n) {
    if (s_.size() < len_ + n) s_.resize(len_ + n);
    p_ = s_.data();
  }
  void push_back(char c) { p_[len_++] = c; }
  Out& operator+=(std::string_view v) {
    if (v.empty())
      return *this;  // an empty view may hold a null pointer, which memcpy must not get
    std::memcpy(p_ + len_, v.data(), v.size());
    len_ += v.size();
    return *this;
  }
  void append(std::string_view v) { *this += v; }
  void append(const char* b, const char* e) {
    *this += std::string_view(b, static_cast<std::size_t>(e - b));
  }
  char* cur() { return p_ + len_; }
  void advance_to(char* e) { len_ = static_cast<std::size_t>(e - p_); }

 private:
  std::string& s_;
  std::size_t len_;
  char* p_ = nullptr;
};
void put_u(Out& out, std::uint64_t v) {
  out.advance_to(std::to_chars(out.cur(), out.cur() + 24, v).ptr);
}
void put_i(Out& out, std::int64_t v) {
  out.advance_to(std::to_chars(out.cur(), out.cur() + 24, v).ptr);
}
void put_v4(Out& out, const std::uint8_t* b) {
  char* p = out.cur();
  for (int i = 0; i < 4; ++i) {
    const unsigned v = b[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    *p++ = '.';
  }
  out.advance_to(p - 1);
}
void put_v4(Out& out, std::uint32_t network_order) {
  std::uint8_t b[4];
  std::memcpy(b, &network_order, 4);
  put_v4(out, b);
}
// bgpdump's own IPv6 text (not inet_ntop's): "::" replaces the first longest
// run of zero groups even when the run is one group long; IPv4-mapped and
// IPv4-compatible addresses end in dotted quad.
void put_v6(Out& out, const std::uint8_t* b) {
  static constexpr char hex[] = "0123456789abcdef";
  bool first12_zero = true;
  for (int i = 0; i < 10; ++i) first12_zero = first12_zero && b[i] == 0;
  const bool mapped = first12_zero && b[10] == 0xff && b[11] == 0xff;
  const std::uint32_t tail = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                             (std::uint32_t{b[14]} << 8) | b[15];
  const bool compat = first12_zero && b[10] == 0 && b[11] == 0 && tail > 1;
  if (mapped || compat) {
    out += mapped ? "::ffff:" : "::";
    put_v4(out, b + 12);
    return;
  }
  int zr[8];
  int run = 0;
  for (int i = 7; i >= 0; --i) {
    run = (b[2 * i] == 0 && b[2 * i + 1] == 0) ? run + 1 : 0;
    zr[i] = run;
  }
  int k = -1, best = 0;
  for (int i = 0; i < 8; ++i)
    if (zr[i] > best) k = i, best = zr[i];
  for (int i = 0; i < 8; ++i) {
    if (i == k) {
      if (i == 0) out.push_back(':');
      out.push_back(':');
      i += zr[i] - 1;
      continue;
    }
    const unsigned v = (unsigned{b[2 * i]} << 8) | b[2 * i + 1];
    bool lead = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned d = (v >> shift) & 0xf;
      if (lead && d == 0 && shift != 0) continue;
      lead = false;
      out.push_back(hex[d]);
    }
    if (i != 7) out.push_back(':');
  }
}
void put_addr(Out& out, const wire::IpAddress& a) {
  if (a.v6)
    put_v6(out, a.bytes.data());
  else
    put_v4(out, a.bytes.data());
}

void put_time(Out& out, const Record& r) {
  put_i(out, r.time.sec);
  if (r.mrt_type == mrt::bgp4mp_et) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%06u", r.time.usec);
    out += buf;
  }
}

// communities|atomic|aggregator| as every line kind but the old BGP one ends.
void put_tail(Out& out, const Attributes& a) {
  if (a.has(8) && !a.community.empty()) out.append(std::string_view(a.community).substr(1));
  out.push_back('|');
  out += a.has(6) ? "AG|" : "NAG|";
  if (a.aggregator_addr != none32) {
    put_u(out, a.aggregator_as);
    out.push_back(' ');
    put_v4(out, a.aggregator_addr);
  }
  out += "|\n";
}

const char* origin_name(int origin) {
  if (origin == 0) return "IGP";
  if (origin == 1) return "EGP";
  return "INCOMPLETE";
}
std::uint32_t pref_of(const Attributes& a) { return a.has(5) ? a.local_pref : 0; }
std::uint32_t med_of(const Attributes& a) { return a.has(4) ? a.med : 0; }
std::string_view path_of(const Attributes& a) {
  return a.has(2) && a.aspath ? std::string_view(a.aspath->str) : std::string_view();
}

void rib_line(const Record& r, Out& out) {
  const bool v2 = r.mrt_type == mrt::table_dump_v2;
  const bool addpath = mrt::is_addpath(r.mrt_type, r.mrt_subtype);
  if (v2) {
    // bgpdump prints only the unicast RIB subtypes.
    using namespace mrt::td2;
    const auto st = r.mrt_subtype;
    if (st != rib_ipv4_unicast && st != rib_ipv6_unicast && st != rib_ipv4_unicast_addpath &&
        st != rib_ipv6_unicast_addpath)
      return;
  }
  unsigned asn_len = 4;
  if (!v2) asn_len = (r.mrt_subtype == 1 || r.mrt_subtype == 2) ? 2 : 4;
  // RIB attributes come without the length field of an UPDATE's.
  const Attributes a = attribute_block(Cursor{r.bytes.data(), r.bytes.size(), 0}, asn_len, addpath);
  out.room(400 + path_of(a).size() + (a.aspath ? a.aspath->str.size() : 0) + a.community.size());
  out += v2 ? (addpath ? "TABLE_DUMP2_AP|" : "TABLE_DUMP2|") : "TABLE_DUMP|";
  put_i(out, r.time.sec);
  out += "|B|";
  // TABLE_DUMP prints IPv6 only for subtype 2 (AFI_IP6), as bgpdump does.
  const bool v6_table = v2 ? r.prefix.address.v6 : r.mrt_subtype == 2;
  if (v2)
    put_addr(out, r.from.address);
  else if (v6_table)
    put_v6(out, r.from.address.bytes.data());
  else
    put_v4(out, r.from.address.bytes.data());
  out.push_back('|');
  put_u(out, r.from.asn.value_or(0));
  out.push_back('|');
  if (v6_table)
    put_v6(out, r.prefix.address.bytes.data());
  else
    put_v4(out, r.prefix.address.bytes.data());
  out.push_back('/');
  put_u(out, r.prefix.length);
  out.push_back('|');
  if (addpath) {
    put_u(out, r.path_id.value_or(0));
    out.push_back('|');
  }
  out += v2 ? (a.aspath ? std::string_view(a.aspath->str) : std::string_view()) : path_of(a);
  out.push_back('|');
  out += origin_name(a.origin);
  out.push_back('|');
  if (a.has(14) && a.announce[2][1])
    put_v6(out, a.announce[2][1]->nexthop.data());
  else
    put_v4(out, a.nexthop);
  out.push_back('|');
  put_u(out, pref_of(a));
  out.push_back('|');
  put_u(out, med_of(a));
  out.push_back('|');
  put_tail(out, a);
}

void state_line(const Record& r, Out& out) {
  out.room(200);
  if (r.mrt_type == mrt::bgp) {
    out += "BGP|";
  } else {
    out += r.mrt_type == mrt::bgp4mp_et ? "BGP4MP_ET|" : "BGP4MP|";
  }
  put_time(out, r);
  out += "|STATE|";
  put_addr(out, r.from.address);
  out.push_back('|');
  put_u(out, r.from.asn.value_or(0));
  out.push_back('|');
  put_u(out, r.old_state);
  out.push_back('|');
  put_u(out, r.new_state);
  out.push_back('\n');
}

void put_prefix(Out& out, const Prefix& p, bool v6) {
  if (v6)
    put_v6(out, p.addr.data());
  else
    put_v4(out, p.addr.data());
  out.push_back('/');
  put_u(out, p.len);
}

void update_lines(const Record& r, Out& out) {
  if (r.bytes.size() < wire::header_size || r.bytes[18] != 2) return;  // not an UPDATE
  const bool old_bgp = r.mrt_type == mrt::bgp;
  const bool addpath = mrt::is_addpath(r.mrt_type, r.mrt_subtype);
  const unsigned asn_len = old_bgp ? 2 : (mrt::is_as4(r.mrt_subtype) ? 4 : 2);
  // The BGP length field bounds what bgpdump reads (never beyond the record).
  const std::size_t size = (std::size_t{r.bytes[16]} << 8) | r.bytes[17];
  const std::size_t body_len = size >= wire::header_size ? size - wire::header_size : 0;
  Cursor all{r.bytes.data() + wire::header_size, r.bytes.size() - wire::header_size, 0};
  Cursor s = all.take(old_bgp ? all.can_read() : body_len);

  std::vector<Prefix> withdrawn, announced;
  {
    Cursor w = s.take(s.u16());
    read_prefix_list(w, withdrawn, addpath);
  }
  const Attributes a = process_attributes(s, asn_len, addpath);
  read_prefix_list(s, announced, addpath);

  // The peer: the sender of a received message, the receiver of a _LOCAL one.
  const bool local = !old_bgp && mrt::is_local(r.mrt_subtype);
  const Endpoint& peer = local ? r.to : r.from;
  const bool afi6 = peer.address.v6;
  // "BGP4MP_ET_LOCAL_AP|time" once per message, then copied into each line.
  char head_buf[64];
  std::size_t head_len = 0;
  {
    auto add = [&](std::string_view v) {
      std::memcpy(head_buf + head_len, v.data(), v.size());
      head_len += v.size();
    };
    if (old_bgp) {
      add("BGP");
    } else {
      add(r.mrt_type == mrt::bgp4mp_et ? "BGP4MP_ET" : "BGP4MP");
      if (local) add("_LOCAL");
      if (addpath) add("_AP");
    }
    head_buf[head_len++] = '|';
    head_len = static_cast<std::size_t>(
        std::to_chars(head_buf + head_len, head_buf + sizeof head_buf, r.time.sec).ptr - head_buf);
    if (r.mrt_type == mrt::bgp4mp_et) {
      head_buf[head_len++] = '.';
      char digits[8];
      const auto e = std::to_chars(digits, digits + sizeof digits, r.time.usec % 1000000).ptr;
      const auto n = static_cast<std::size_t>(e - digits);
      for (std::size_t z = n; z < 6; ++z) head_buf[head_len++] = '0';
      add(std::string_view(digits, n));
    }
  }
  const std::string_view head(head_buf, head_len);
  const std::size_t line_room = head_len + 300 + path_of(a).size() + a.community.size();
  auto peer_part = [&](Out& o) {
    put_addr(o, peer.address);
    o.push_back('|');
    put_u(o, peer.asn.value_or(0));
    o.push_back('|');
  };
  if (old_bgp) {
    for (const auto& p : withdrawn) {
      out.room(line_room);
      out += head;
      out += "|W|";
      peer_part(out);
      put_prefix(out, p, false);
      out.push_back('\n');
    }
    for (const auto& p : announced) {
      out.room(line_room);
      out += head;
      out += "|A|";
      peer_part(out);
      put_prefix(out, p, false);
      out.push_back('|');
      out += path_of(a);
      out.push_back('|');
      out += origin_name(a.origin);
      out.push_back('|');
      put_v4(out, a.nexthop);
      out.push_back('|');
      put_u(out, pref_of(a));
      out.push_back('|');
      put_u(out, med_of(a));
      put_tail(out, a);  // no '|' between MED and communities on old BGP lines
    }
    return;
  }

  auto withdraw_line = [&](const Prefix& p, bool v6) {
    out.room(line_room);
    out += head;
    out += "|W|";
    peer_part(out);
    put_prefix(out, p, v6);
    if (addpath) {
      out.push_back('|');
      put_u(out, p.path_id);
    }
    out.push_back('\n');
  };
  for (const auto& p : withdrawn) withdraw_line(p, false);
  for (int safi = 1; safi <= 3; ++safi)
    if (a.withdraw[1][safi])
      for (const auto& p : a.withdraw[1][safi]->nlri) withdraw_line(p, false);
  for (int safi = 1; safi <= 3; ++safi)
    if (a.withdraw[2][safi])
      for (const auto& p : a.withdraw[2][safi]->nlri) withdraw_line(p, true);

  // Announcements: prefix|[path id|]path|origin|next hop|pref|med|...
  auto announce_line = [&](const Prefix& p, bool v6, auto&& next_hop, bool signed_numbers) {
    out.room(line_room);
    out += head;
    out += "|A|";
    if (v6 && !afi6) {
      // bgpdump formats an IPv4 peer of an IPv6 announcement with fmt_ipv4.
      put_v4(out, peer.address.bytes.data());
      out.push_back('|');
      put_u(out, peer.asn.value_or(0));
      out.push_back('|');
    } else {
      peer_part(out);
    }
    put_prefix(out, p, v6);
    out.push_back('|');
    if (addpath) {
      put_u(out, p.path_id);
      out.push_back('|');
    }
    out += path_of(a);
    out.push_back('|');
    out += origin_name(a.origin);
    out.push_back('|');
    next_hop(out);
    out.push_back('|');
    if (signed_numbers) {
      put_i(out, static_cast<std::int32_t>(pref_of(a)));
      out.push_back('|');
      put_i(out, static_cast<std::int32_t>(med_of(a)));
    } else {
      put_u(out, pref_of(a));
      out.push_back('|');
      put_u(out, med_of(a));
    }
    out.push_back('|');
    put_tail(out, a);
  };
  for (const auto& p : announced)
    announce_line(
        p, false, [&](Out& o) { put_v4(o, a.nexthop); }, false);
  for (int safi = 1; safi <= 3; ++safi)
    if (a.announce[1][safi]) {
      const MpNlri& m = *a.announce[1][safi];
      for (const auto& p : m.nlri)
        announce_line(
            p, false, [&](Out& o) { put_v4(o, m.nexthop.data()); }, true);
    }
  for (int safi = 1; safi <= 3; ++safi)
    if (a.announce[2][safi]) {
      const MpNlri& m = *a.announce[2][safi];
      for (const auto& p : m.nlri)
        announce_line(
            p, true, [&](Out& o) { put_v6(o, m.nexthop.data()); }, false);
    }
}

}  // namespace

void format_bgpdump(const Record& r, std::string& text) {
  Out out(text);
  switch (r.kind) {
    case RecordKind::rib_entry:
      return rib_line(r, out);
    case RecordKind::state_change:
      return state_line(r, out);
    case RecordKind::message:
      return update_lines(r, out);
    default:
      return;
  }
}

}  // namespace bgpsim::replay
