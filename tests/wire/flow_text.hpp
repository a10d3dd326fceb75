// A flow route's text (FamilyRow::to_text) split back into the fields
// FamilyRow::from_fields takes: shared by the flow text round trips of
// wire_tests and config_tests.
#pragma once

#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "speaker/wire/family_row.hpp"

namespace bgpsim::wire::test {

struct FlowWords {
  std::optional<RouteDistinguisher> rd;  // flow-vpn: "rd X" ends the text
  std::vector<NlriField> fields;
};

inline FlowWords flow_words(const std::string& text) {
  // The component names, and "rd" which ends a flow-vpn route's text.
  static const std::set<std::string> keys = [] {
    std::set<std::string> out{"rd"};
    for (auto name : flow_component_names()) out.emplace(name);
    return out;
  }();
  FlowWords w;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    if (keys.count(word))
      w.fields.push_back({word, {}});
    else if (!w.fields.empty())
      w.fields.back().values.push_back(word);
  }
  if (!w.fields.empty() && w.fields.back().key == "rd") {
    w.rd = RouteDistinguisher::parse(w.fields.back().values.at(0));
    w.fields.pop_back();
  }
  return w;
}

}  // namespace bgpsim::wire::test
