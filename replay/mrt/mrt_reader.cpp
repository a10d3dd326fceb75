#include "replay/mrt/mrt_reader.hpp"

#include "speaker/wire/message.hpp"

#include <bzlib.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace bgpsim::replay {

namespace mrt {
bool is_addpath(std::uint16_t type, std::uint16_t subtype) {
  if (type == bgp4mp || type == bgp4mp_et) return subtype >= 8 && subtype <= 11;
  if (type == table_dump_v2) return subtype >= 8 && subtype <= 12;
  return false;
}
bool is_local(std::uint16_t subtype) {
  return subtype == bgp4mp_subtype::message_local || subtype == bgp4mp_subtype::message_as4_local ||
         subtype == bgp4mp_subtype::message_local_addpath ||
         subtype == bgp4mp_subtype::message_as4_local_addpath;
}
bool is_as4(std::uint16_t subtype) {
  return subtype == bgp4mp_subtype::message_as4 || subtype == bgp4mp_subtype::state_change_as4 ||
         subtype == bgp4mp_subtype::message_as4_local ||
         subtype == bgp4mp_subtype::message_as4_addpath ||
         subtype == bgp4mp_subtype::message_as4_local_addpath;
}
}  // namespace mrt

wire::DecodeContext mrt_decode_context(const Record& r) {
  wire::DecodeContext ctx;
  ctx.extended_message = true;  // a dump holds whatever the session carried
  switch (r.mrt_type) {
    case mrt::bgp4mp:
    case mrt::bgp4mp_et:
      ctx.four_octet_asn = mrt::is_as4(r.mrt_subtype);
      break;
    case mrt::table_dump:
      ctx.four_octet_asn = r.mrt_subtype == 3 || r.mrt_subtype == 4;
      break;
    case mrt::bgp:
      ctx.four_octet_asn = false;
      break;
    default:
      ctx.four_octet_asn = true;  // TABLE_DUMP_V2: RFC 6396 4.3.4
  }
  if (mrt::is_addpath(r.mrt_type, r.mrt_subtype)) {
    for (auto f :
         {wire::ipv4_unicast, wire::ipv4_multicast, wire::ipv6_unicast, wire::ipv6_multicast})
      ctx.add_path.insert(f);
  }
  return ctx;
}

namespace {

// --- Byte sources: plain, gzip, bzip2, memory --------------------------------
class Source {
 public:
  virtual ~Source() = default;
  // Reads up to n bytes; fewer only at the end of the data. Throws on a
  // decompression error (reported as an error Record by the caller).
  virtual std::size_t read(std::uint8_t* dst, std::size_t n) = 0;
};

class MemorySource final : public Source {
 public:
  explicit MemorySource(wire::ByteView d) : data_(d) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    n = std::min(n, data_.size() - pos_);
    if (n) std::memcpy(dst, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  wire::ByteView data_;
  std::size_t pos_ = 0;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

class PlainSource final : public Source {
 public:
  explicit PlainSource(FilePtr f) : f_(std::move(f)) {}
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    return std::fread(dst, 1, n, f_.get());
  }

 private:
  FilePtr f_;
};

// gzread reads concatenated gzip members as one stream.
class GzipSource final : public Source {
 public:
  explicit GzipSource(gzFile f) : f_(f) { gzbuffer(f_, 1 << 17); }
  ~GzipSource() override { gzclose(f_); }
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    std::size_t done = 0;
    while (done < n) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 30));
      const int got = gzread(f_, dst + done, chunk);
      if (got < 0) {
        int code = 0;
        throw std::runtime_error(fmt::format("gzip: {}", gzerror(f_, &code)));
      }
      if (got == 0) {
        int code = 0;
        gzerror(f_, &code);
        if (code != Z_OK && code != Z_BUF_ERROR)
          throw std::runtime_error(fmt::format("gzip: {}", gzerror(f_, &code)));
        break;
      }
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

 private:
  gzFile f_;
};

// bzip2 with several concatenated streams (as pbzip2 writes them).
class Bzip2Source final : public Source {
 public:
  explicit Bzip2Source(FilePtr f) : f_(std::move(f)) { open({}); }
  ~Bzip2Source() override { close(); }
  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    std::size_t done = 0;
    while (done < n && bz_) {
      int err = BZ_OK;
      const auto chunk = static_cast<int>(std::min<std::size_t>(n - done, 1u << 30));
      const int got = BZ2_bzRead(&err, bz_, dst + done, chunk);
      if (err != BZ_OK && err != BZ_STREAM_END)
        throw std::runtime_error(fmt::format("bzip2: error {}", err));
      if (got > 0) done += static_cast<std::size_t>(got);
      if (err == BZ_STREAM_END) {
        void* unused = nullptr;
        int nunused = 0;
        BZ2_bzReadGetUnused(&err, bz_, &unused, &nunused);
        std::vector<char> rest(static_cast<char*>(unused), static_cast<char*>(unused) + nunused);
        close();
        if (rest.empty()) {
          int c = std::fgetc(f_.get());
          if (c == EOF) break;
          rest.push_back(static_cast<char>(c));
        }
        open(rest);
      }
    }
    return done;
  }

 private:
  void open(std::vector<char> unused) {
    unused_ = std::move(unused);
    int err = BZ_OK;
    bz_ = BZ2_bzReadOpen(&err, f_.get(), 0, 0, unused_.data(), static_cast<int>(unused_.size()));
    if (err != BZ_OK) {
      BZ2_bzReadClose(&err, bz_);
      bz_ = nullptr;
      throw std::runtime_error("bzip2: cannot open stream");
    }
  }
  void close() {
    if (!bz_) return;
    int err = BZ_OK;
    BZ2_bzReadClose(&err, bz_);
    bz_ = nullptr;
  }
  FilePtr f_;
  BZFILE* bz_ = nullptr;
  std::vector<char> unused_;
};

std::array<std::uint8_t, 4> head_of(std::FILE* f) {
  std::array<std::uint8_t, 4> head{};
  const std::size_t got = std::fread(head.data(), 1, head.size(), f);
  std::rewind(f);
  if (got < 3) head = {};
  return head;
}
bool is_gzip(const std::array<std::uint8_t, 4>& h) { return h[0] == 0x1f && h[1] == 0x8b; }
bool is_bzip2(const std::array<std::uint8_t, 4>& h) {
  return h[0] == 'B' && h[1] == 'Z' && h[2] == 'h';
}

// --- Record parsing ------------------------------------------------------------
struct Peer {
  wire::IpAddress address;
  std::uint32_t asn = 0;
};

class Parser {
 public:
  Parser(std::string name, const RecordSink& sink) : name_(std::move(name)), sink_(sink) {}

  void run(Source& src) {
    std::uint64_t offset = 0;
    std::uint64_t number = 0;
    std::array<std::uint8_t, 12> hdr{};
    for (;;) {
      std::size_t got = 0;
      try {
        got = src.read(hdr.data(), hdr.size());
      } catch (const std::exception& e) {
        error_at(number + 1, offset, e.what());
        return;
      }
      if (got == 0) return;
      ++number;
      if (got < hdr.size()) {
        error_at(number, offset, fmt::format("truncated file: {} of the 12 header bytes", got));
        return;
      }
      wire::Reader h(hdr);
      const std::uint32_t sec = *h.u32();
      const std::uint16_t type = *h.u16();
      const std::uint16_t subtype = *h.u16();
      const std::uint32_t length = *h.u32();
      if (length > max_record) {
        error_at(number, offset,
                 fmt::format("record length {} is beyond any MRT record (type {} subtype {}); "
                             "the rest of the file cannot be framed",
                             length, type, subtype));
        return;
      }
      body_.resize(length);
      try {
        got = length ? src.read(body_.data(), length) : 0;
      } catch (const std::exception& e) {
        error_at(number, offset, e.what());
        return;
      }
      if (got < length) {
        error_at(number, offset,
                 fmt::format("truncated file: record of {} bytes ends after {}", length, got));
        return;
      }
      rec_ = Record{};
      rec_.origin = {name_, number, offset};
      rec_.time.sec = sec;
      rec_.mrt_type = type;
      rec_.mrt_subtype = subtype;
      record(wire::ByteView(body_.data(), length));
      offset += hdr.size() + length;
    }
  }

 private:
  static constexpr std::uint32_t max_record = 16u << 20;

  void error_at(std::uint64_t number, std::uint64_t offset, std::string what) {
    Record r;
    r.kind = RecordKind::error;
    r.origin = {name_, number, offset};
    r.error = fmt::format("{}: record {} (byte {}): {}", name_, number, offset, what);
    sink_(r);
  }
  void fail(std::string what) {
    rec_.kind = RecordKind::error;
    rec_.bytes.clear();
    rec_.error =
        fmt::format("{}: record {} (byte {}): type {} subtype {}: {}", name_, rec_.origin.record,
                    rec_.origin.offset, rec_.mrt_type, rec_.mrt_subtype, what);
    sink_(rec_);
  }

  std::uint32_t session_of(const wire::IpAddress& peer, std::uint32_t peer_as,
                           const wire::IpAddress& local, std::uint32_t local_as) {
    auto key = std::make_tuple(peer, peer_as, local, local_as);
    auto [it, fresh] = sessions_.try_emplace(key, static_cast<std::uint32_t>(sessions_.size() + 1));
    return it->second;
  }

  static std::optional<wire::IpAddress> address(wire::Reader& r, bool v6) {
    auto b = r.take(v6 ? 16 : 4);
    if (!b) return std::nullopt;
    wire::IpAddress a;
    a.v6 = v6;
    std::memcpy(a.bytes.data(), b->data(), b->size());
    return a;
  }
  // A prefix as RIB records carry it: length in bits, then just enough bytes.
  static std::optional<wire::IpPrefix> prefix(wire::Reader& r, bool v6) {
    auto len = r.u8();
    if (!len || *len > (v6 ? 128 : 32)) return std::nullopt;
    auto b = r.take((*len + 7u) / 8u);
    if (!b) return std::nullopt;
    wire::IpPrefix p;
    p.address.v6 = v6;
    p.length = *len;
    std::memcpy(p.address.bytes.data(), b->data(), b->size());
    return p;
  }

  void record(wire::ByteView body) {
    wire::Reader r(body);
    switch (rec_.mrt_type) {
      case mrt::table_dump:
        return table_dump(r);
      case mrt::table_dump_v2:
        return table_dump_v2(r);
      case mrt::bgp4mp:
        return bgp4mp(r);
      case mrt::bgp4mp_et: {
        auto us = r.u32();
        if (!us) return fail("no microseconds in the extended header");
        rec_.time.usec = *us;
        return bgp4mp(r);
      }
      case mrt::bgp:
        return bgp(r);
      default:
        return fail("MRT type not read (not BGP)");
    }
  }

  void table_dump(wire::Reader& r) {
    const std::uint16_t st = rec_.mrt_subtype;
    if (st < 1 || st > 4) return fail("unknown TABLE_DUMP subtype (AFI)");
    const bool v6 = st == 2 || st == 4;
    const bool as4 = st == 3 || st == 4;
    auto view = r.u16();
    auto seq = r.u16();
    auto pfx = address(r, v6);
    auto len = r.u8();
    auto status = r.u8();
    auto orig = r.u32();
    auto peer = address(r, v6);
    auto peer_as =
        as4 ? r.u32()
            : (r.remaining() >= 2 ? std::optional<std::uint32_t>(*r.u16()) : std::nullopt);
    auto alen = r.u16();
    if (!view || !seq || !pfx || !len || !status || !orig || !peer || !peer_as || !alen)
      return fail("TABLE_DUMP entry cut short");
    if (*len > (v6 ? 128 : 32)) return fail(fmt::format("prefix length {}", *len));
    auto attrs = r.take(*alen);
    if (!attrs) return fail(fmt::format("attributes of {} bytes overrun the record", *alen));
    rec_.kind = RecordKind::rib_entry;
    rec_.sequence = *seq;
    rec_.family = v6 ? wire::ipv6_unicast : wire::ipv4_unicast;
    rec_.prefix.address = *pfx;
    rec_.prefix.length = *len;
    rec_.originated.sec = *orig;
    rec_.from = {*peer, 0, *peer_as};
    rec_.session = session_of(*peer, *peer_as, {}, 0);
    rec_.bytes.assign(attrs->begin(), attrs->end());
    sink_(rec_);
  }

  void read_peer_index_table(wire::Reader& r) {
    auto id = r.u32();
    auto name_len = r.u16();
    if (!id || !name_len || !r.take(*name_len)) return fail("PEER_INDEX_TABLE header cut short");
    auto count = r.u16();
    if (!count) return fail("PEER_INDEX_TABLE header cut short");
    std::vector<Peer> peers;
    peers.reserve(*count);
    for (unsigned i = 0; i < *count; ++i) {
      auto type = r.u8();
      if (!type || !r.u32()) return fail(fmt::format("peer {} of {} cut short", i, *count));
      auto a = address(r, (*type & 1) != 0);
      auto asn = (*type & 2)
                     ? r.u32()
                     : (r.remaining() >= 2 ? std::optional<std::uint32_t>(*r.u16()) : std::nullopt);
      if (!a || !asn) return fail(fmt::format("peer {} of {} cut short", i, *count));
      peers.push_back({*a, *asn});
    }
    peers_ = std::move(peers);
    have_peers_ = true;
  }

  void table_dump_v2(wire::Reader& r) {
    using namespace mrt::td2;
    const std::uint16_t st = rec_.mrt_subtype;
    if (st == peer_index_table) return read_peer_index_table(r);
    const bool addpath = mrt::is_addpath(mrt::table_dump_v2, st);
    wire::Family family;
    switch (st) {
      case rib_ipv4_unicast:
      case rib_ipv4_unicast_addpath:
        family = wire::ipv4_unicast;
        break;
      case rib_ipv4_multicast:
      case rib_ipv4_multicast_addpath:
        family = wire::ipv4_multicast;
        break;
      case rib_ipv6_unicast:
      case rib_ipv6_unicast_addpath:
        family = wire::ipv6_unicast;
        break;
      case rib_ipv6_multicast:
      case rib_ipv6_multicast_addpath:
        family = wire::ipv6_multicast;
        break;
      case rib_generic:
      case rib_generic_addpath:
        break;
      default:
        return fail("unknown TABLE_DUMP_V2 subtype");
    }
    auto seq = r.u32();
    if (!seq) return fail("RIB header cut short");
    std::optional<wire::IpPrefix> pfx;
    if (st == rib_generic || st == rib_generic_addpath) {
      auto afi = r.u16();
      auto safi = r.u8();
      if (!afi || !safi) return fail("RIB_GENERIC header cut short");
      family = wire::Family(*afi, *safi);
      if ((*afi != 1 && *afi != 2) || (*safi != 1 && *safi != 2))
        return fail(fmt::format("RIB_GENERIC of {} not read", family.to_string()));
      // RFC 8050 4: in RIB_GENERIC_ADDPATH the NLRI carries its path id
      // ahead of the prefix, so the one in each entry is what counts.
      if (st == rib_generic_addpath && !r.u32()) return fail("RIB_GENERIC NLRI cut short");
    }
    pfx = prefix(r, family.afi == 2);
    if (!pfx) return fail("RIB prefix cut short or longer than the address");
    auto count = r.u16();
    if (!count) return fail("RIB entry count missing");
    rec_.kind = RecordKind::rib_entry;
    rec_.sequence = *seq;
    rec_.family = family;
    rec_.prefix = *pfx;
    for (unsigned i = 0; i < *count; ++i) {
      auto index = r.u16();
      auto orig = r.u32();
      std::optional<std::uint32_t> path_id;
      if (addpath) path_id = r.u32();
      auto alen = r.u16();
      if (!index || !orig || (addpath && !path_id) || !alen)
        return fail(fmt::format("RIB entry {} of {} cut short", i, *count));
      auto attrs = r.take(*alen);
      if (!attrs)
        return fail(fmt::format("RIB entry {} of {}: attributes of {} bytes overrun the record", i,
                                *count, *alen));
      if (!have_peers_ || *index >= peers_.size()) {
        Record keep = rec_;
        fail(fmt::format("RIB entry {} of {}: peer index {} not in the PEER_INDEX_TABLE ({})", i,
                         *count, *index,
                         have_peers_ ? "of " + std::to_string(peers_.size()) : "none yet"));
        rec_ = std::move(keep);
        continue;
      }
      const Peer& p = peers_[*index];
      rec_.kind = RecordKind::rib_entry;
      rec_.error.clear();
      rec_.from = {p.address, 0, p.asn};
      rec_.session = session_of(p.address, p.asn, {}, 0);
      rec_.originated = {*orig, 0};
      rec_.path_id = path_id;
      rec_.bytes.assign(attrs->begin(), attrs->end());
      sink_(rec_);
    }
  }

  void bgp4mp(wire::Reader& r) {
    using namespace mrt::bgp4mp_subtype;
    const std::uint16_t st = rec_.mrt_subtype;
    const bool state = st == state_change || st == state_change_as4;
    const bool message = st == mrt::bgp4mp_subtype::message || st == message_as4 ||
                         st == message_local || st == message_as4_local ||
                         (st >= message_addpath && st <= message_as4_local_addpath);
    if (!state && !message) return fail("BGP4MP subtype not read");
    const bool as4 = mrt::is_as4(st);
    auto asn = [&]() -> std::optional<std::uint32_t> {
      if (as4) return r.u32();
      if (auto v = r.u16()) return *v;
      return std::nullopt;
    };
    auto peer_as = asn();
    auto local_as = asn();
    if (state && !as4 && r.remaining() == 4) {
      // Old Zebra wrote 8-byte state changes (no interface, family or
      // addresses); bgpdump reads them as IPv4 0.0.0.0, and so do we.
      rec_.kind = RecordKind::state_change;
      rec_.from = {wire::IpAddress{}, 0, *peer_as};
      rec_.to = {wire::IpAddress{}, 0, *local_as};
      rec_.session = session_of({}, *peer_as, {}, *local_as);
      rec_.old_state = *r.u16();
      rec_.new_state = *r.u16();
      sink_(rec_);
      return;
    }
    auto ifindex = r.u16();
    auto afi = r.u16();
    if (!peer_as || !local_as || !ifindex || !afi) return fail("BGP4MP header cut short");
    if (*afi != 1 && *afi != 2) return fail(fmt::format("BGP4MP address family {}", *afi));
    auto peer_ip = address(r, *afi == 2);
    auto local_ip = address(r, *afi == 2);
    if (!peer_ip || !local_ip) return fail("BGP4MP addresses cut short");
    Endpoint peer{*peer_ip, 0, *peer_as}, local{*local_ip, 0, *local_as};
    rec_.session = session_of(*peer_ip, *peer_as, *local_ip, *local_as);
    if (state) {
      auto o = r.u16();
      auto n = r.u16();
      if (!o || !n) return fail("state change cut short");
      if (!r.empty())
        return fail(fmt::format("state change with {} bytes too many", r.remaining()));
      rec_.kind = RecordKind::state_change;
      rec_.from = peer;
      rec_.to = local;
      rec_.old_state = *o;
      rec_.new_state = *n;
      sink_(rec_);
      return;
    }
    auto msg = r.rest();
    if (msg.size() < wire::header_size) return fail("BGP message shorter than its header");
    for (std::size_t i = 0; i < 16; ++i)
      if (msg[i] != 0xff) return fail("BGP message without its marker");
    rec_.kind = RecordKind::message;
    rec_.context = mrt_decode_context(rec_);
    const bool local_sent = mrt::is_local(st);
    rec_.from = local_sent ? local : peer;
    rec_.to = local_sent ? peer : local;
    rec_.bytes.assign(msg.begin(), msg.end());
    sink_(rec_);
  }

  // The obsolete BGP type: 2-byte ASNs, IPv4 only, message bodies without
  // their header (RFC 6396 B.2.1). We put the header back.
  void bgp(wire::Reader& r) {
    using namespace mrt::bgp_subtype;
    const std::uint16_t st = rec_.mrt_subtype;
    if (st == state_change) {
      auto as = r.u16();
      auto ip = address(r, false);
      auto o = r.u16();
      auto n = r.u16();
      if (!as || !ip || !o || !n) return fail("state change cut short");
      rec_.kind = RecordKind::state_change;
      rec_.from = {*ip, 0, *as};
      rec_.session = session_of(*ip, *as, {}, 0);
      rec_.old_state = *o;
      rec_.new_state = *n;
      sink_(rec_);
      return;
    }
    std::uint8_t type = 0;
    switch (st) {
      case update:
        type = 2;
        break;
      case open:
        type = 1;
        break;
      case notify:
        type = 3;
        break;
      case keepalive:
        type = 4;
        break;
      default:
        return fail("BGP subtype not read");
    }
    auto src_as = r.u16();
    auto src_ip = address(r, false);
    auto dst_as = r.u16();
    auto dst_ip = address(r, false);
    if (!src_as || !src_ip || !dst_as || !dst_ip) return fail("BGP header cut short");
    auto body = r.rest();
    if (body.size() + wire::header_size > 65535) return fail("BGP message too long");
    rec_.kind = RecordKind::message;
    rec_.context = mrt_decode_context(rec_);
    rec_.from = {*src_ip, 0, *src_as};
    rec_.to = {*dst_ip, 0, *dst_as};
    rec_.session = session_of(*src_ip, *src_as, *dst_ip, *dst_as);
    rec_.bytes.assign(16, 0xff);
    const auto total = static_cast<std::uint16_t>(body.size() + wire::header_size);
    rec_.bytes.push_back(static_cast<std::uint8_t>(total >> 8));
    rec_.bytes.push_back(static_cast<std::uint8_t>(total));
    rec_.bytes.push_back(type);
    rec_.bytes.insert(rec_.bytes.end(), body.begin(), body.end());
    sink_(rec_);
  }

  std::string name_;
  const RecordSink& sink_;
  std::vector<std::uint8_t> body_;
  Record rec_;
  std::vector<Peer> peers_;
  bool have_peers_ = false;
  std::map<std::tuple<wire::IpAddress, std::uint32_t, wire::IpAddress, std::uint32_t>,
           std::uint32_t>
      sessions_;
};

}  // namespace

void read_mrt_bytes(wire::ByteView data, const std::string& name, const RecordSink& sink) {
  MemorySource src(data);
  Parser(name, sink).run(src);
}

void read_mrt(const std::string& path, const RecordSink& sink) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    Record r;
    r.kind = RecordKind::error;
    r.origin = {path, 0, 0};
    r.error = fmt::format("{}: cannot open: {}", path, std::strerror(errno));
    sink(r);
    return;
  }
  const auto head = head_of(f.get());
  std::unique_ptr<Source> src;
  if (is_gzip(head)) {
    f.reset();
    gzFile g = gzopen(path.c_str(), "rb");
    if (!g) {
      Record r;
      r.kind = RecordKind::error;
      r.origin = {path, 0, 0};
      r.error = fmt::format("{}: cannot open as gzip", path);
      sink(r);
      return;
    }
    src = std::make_unique<GzipSource>(g);
  } else if (is_bzip2(head)) {
    try {
      src = std::make_unique<Bzip2Source>(std::move(f));
    } catch (const std::exception& e) {
      Record r;
      r.kind = RecordKind::error;
      r.origin = {path, 0, 0};
      r.error = fmt::format("{}: {}", path, e.what());
      sink(r);
      return;
    }
  } else {
    src = std::make_unique<PlainSource>(std::move(f));
  }
  Parser(path, sink).run(*src);
}

bool looks_like_mrt(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return false;
  const auto head = head_of(f.get());
  if (is_gzip(head) || is_bzip2(head)) return true;
  // Plain MRT starts with a timestamp: nothing to check but that it is not a
  // capture file (the caller tells those apart first).
  return true;
}

}  // namespace bgpsim::replay
