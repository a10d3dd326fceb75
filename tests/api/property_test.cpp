// A RapidCheck property: any sequence of announce/withdraw commands (routes
// with and without `split`, the attributes/nlri form, selectors, malformed
// lines) leaves speaker A's Adj-RIB-Out equal to a simple model -- a map from
// prefix to MED, written here from the grammar, not from the dispatcher.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <fmt/format.h>

#include "tests/api/api_fixture.hpp"

namespace bgpsim {
namespace {

// A command and what it does to the model.
struct Op {
  enum Kind { announce, announce_split, announce_nlri, withdraw, withdraw_nlri, malformed };
  Kind kind = announce;
  int prefix = 0;  // 10.0.P.0/24 (or a /23 split into P and P+1: P even)
  int med = 0;
  int count = 1;  // nlri form: P, P+1, ... P+count-1
};

std::string prefix(int p, int length = 24) { return fmt::format("10.0.{}.0/{}", p, length); }

std::string line(const Op& op) {
  const std::string attributes = fmt::format("next-hop 10.0.0.1 med {}", op.med);
  auto nlri = [&] {
    std::string s;
    for (int i = 0; i < op.count; ++i) s += " " + prefix(op.prefix + i);
    return s;
  };
  switch (op.kind) {
    case Op::announce:
      return "announce route " + prefix(op.prefix) + " " + attributes;
    case Op::announce_split:
      return "announce route " + prefix(op.prefix, 23) + " " + attributes + " split /24";
    case Op::announce_nlri:
      return "announce attributes " + attributes + " nlri" + nlri();
    case Op::withdraw:
      return "neighbor 10.0.0.2 withdraw route " + prefix(op.prefix);
    case Op::withdraw_nlri:
      return "withdraw attributes nlri" + nlri();
    case Op::malformed:
      return "announce route " + prefix(op.prefix) + " med " + std::to_string(op.med);
  }
  return {};
}

void apply(std::map<std::string, int>& model, const Op& op) {
  switch (op.kind) {
    case Op::announce:
      model[prefix(op.prefix)] = op.med;
      break;
    case Op::announce_split:
      model[prefix(op.prefix)] = op.med;
      model[prefix(op.prefix + 1)] = op.med;
      break;
    case Op::announce_nlri:
      for (int i = 0; i < op.count; ++i) model[prefix(op.prefix + i)] = op.med;
      break;
    case Op::withdraw:
      model.erase(prefix(op.prefix));
      break;
    case Op::withdraw_nlri:
      for (int i = 0; i < op.count; ++i) model.erase(prefix(op.prefix + i));
      break;
    case Op::malformed:  // no next hop: refused, nothing changes
      break;
  }
}

rc::Gen<Op> gen_op() {
  return rc::gen::build<Op>(
      rc::gen::set(&Op::kind, rc::gen::element(Op::announce, Op::announce_split, Op::announce_nlri,
                                               Op::withdraw, Op::withdraw_nlri, Op::malformed)),
      // Even prefixes so a /23 is aligned; a small pool so keys collide.
      rc::gen::set(&Op::prefix, rc::gen::map(rc::gen::inRange(0, 6), [](int x) { return 2 * x; })),
      rc::gen::set(&Op::med, rc::gen::inRange(0, 4)),
      rc::gen::set(&Op::count, rc::gen::inRange(1, 4)));
}

RC_GTEST_PROP(ApiProperty, AnnounceWithdrawSequencesMatchAModel, ()) {
  const auto ops = *rc::gen::container<std::vector<Op>>(gen_op());
  apitest::World w;
  std::map<std::string, int> model;
  for (const auto& op : ops) {
    const auto reply = w.command(line(op));
    RC_ASSERT(reply.size() == 1u);
    RC_ASSERT(reply[0] == (op.kind == Op::malformed ? "error" : "done"));
    apply(model, op);
  }
  std::map<std::string, int> got;
  for (const auto& [key, attributes] : w.a_peer().adj_rib_out().routes()) {
    RC_ASSERT(attributes->med.has_value());
    got[key.nlri.prefix.to_string()] = static_cast<int>(*attributes->med);
  }
  RC_ASSERT(got == model);
}

}  // namespace
}  // namespace bgpsim
