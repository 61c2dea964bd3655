#include "processors/route_table.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "fmt/format.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// Census Schedule C individual countries: four digits, the first 1-7 (9 for US territories).
bool IsCountryCode(std::string_view code) {
  return code.size() == 4 && AllDigits(code) &&
         ((code[0] >= '1' && code[0] <= '7') || code[0] == '9');
}

// PortWatch chokepoint portids: "chokepoint1" ... "chokepoint28".
bool IsChokepointId(std::string_view id) {
  constexpr std::string_view kPrefix = "chokepoint";
  return id.size() > kPrefix.size() && id.substr(0, kPrefix.size()) == kPrefix &&
         AllDigits(id.substr(kPrefix.size()));
}

using Problems = YamlProblems;

// `route "Malaysia: from the Strait of Malacca ports": `, naming the entry beside its path in
// every message; empty for an entry without a name.
std::string Entry(const char* kind, const std::string& name) {
  return name.empty() ? "" : fmt::format("{} \"{}\": ", kind, name);
}

void CheckChokepoints(const v1::RouteTable& table, Problems* problems) {
  if (table.chokepoints().empty()) {
    problems->Add("chokepoints", "at least one chokepoint is required");
  }
  std::map<std::string, int> ids, names;
  for (int i = 0; i < table.chokepoints_size(); ++i) {
    const v1::Chokepoint& c = table.chokepoints(i);
    const std::string at = fmt::format("chokepoints[{}]", i);
    const std::string entry = Entry("chokepoint", c.name());
    if (c.id().empty()) {
      problems->Add(at + ".id", fmt::format("{}id is required", entry));
    } else if (!IsChokepointId(c.id())) {
      problems->Add(at + ".id", fmt::format("{}\"{}\" is not a PortWatch chokepoint id "
                                            "(chokepoint and a number: chokepoint5)",
                                            entry, c.id()));
    } else if (auto [it, inserted] = ids.emplace(c.id(), i); !inserted) {
      problems->Add(at + ".id", fmt::format("{}duplicate chokepoint id \"{}\" (first at "
                                            "chokepoints[{}])",
                                            entry, c.id(), it->second));
    }
    if (c.name().empty()) {
      problems->Add(at + ".name", fmt::format("{}name is required", entry));
    } else if (auto [it, inserted] = names.emplace(c.name(), i); !inserted) {
      problems->Add(at + ".name", fmt::format("{}duplicate chokepoint name \"{}\" (first at "
                                              "chokepoints[{}])",
                                              entry, c.name(), it->second));
    }
  }
}

void CheckRoute(const v1::RouteTable& table, int i, const std::vector<std::string>& known,
                Problems* problems) {
  const v1::Route& r = table.routes(i);
  const std::string at = fmt::format("routes[{}]", i);
  const std::string entry = Entry("route", r.name());
  if (r.name().empty()) problems->Add(at + ".name", fmt::format("{}name is required", entry));
  if (r.member_codes().empty() && r.member_code_prefix().empty()) {
    problems->Add(at, fmt::format("{}empty route: needs member_codes or member_code_prefix",
                                  entry));
  }
  std::map<std::string, int> members;
  for (int j = 0; j < r.member_codes_size(); ++j) {
    const std::string& code = r.member_codes(j);
    const std::string path = fmt::format("{}.member_codes[{}]", at, j);
    if (!IsCountryCode(code)) {
      problems->Add(path, fmt::format("{}\"{}\" is not a Census country code (four digits, "
                                      "the first 1-7 or 9)",
                                      entry, code));
    } else if (auto [it, inserted] = members.emplace(code, j); !inserted) {
      problems->Add(path, fmt::format("{}partner \"{}\" is listed twice (first at "
                                      "member_codes[{}])",
                                      entry, code, it->second));
    }
  }
  const std::string& prefix = r.member_code_prefix();
  if (!prefix.empty() && (!AllDigits(prefix) || prefix.size() > 3)) {
    problems->Add(at + ".member_code_prefix",
                  fmt::format("{}\"{}\" is not a code prefix (one to three digits)", entry,
                              prefix));
  }
  std::map<std::string, int> through;
  for (int j = 0; j < r.chokepoint_ids_size(); ++j) {
    const std::string& id = r.chokepoint_ids(j);
    const std::string path = fmt::format("{}.chokepoint_ids[{}]", at, j);
    if (std::find(known.begin(), known.end(), id) == known.end()) {
      problems->Add(path, fmt::format("{}unknown chokepoint \"{}\" (known: {})", entry, id,
                                      absl::StrJoin(known, ", ")));
    } else if (auto [it, inserted] = through.emplace(id, j); !inserted) {
      problems->Add(path, fmt::format("{}chokepoint \"{}\" is listed twice (first at "
                                      "chokepoint_ids[{}])",
                                      entry, id, it->second));
    }
  }
  if (r.assumption().empty()) {
    problems->Add(at + ".assumption",
                  fmt::format("{}assumption is required (why the members take this route)",
                              entry));
  }
}

}  // namespace

absl::Status ValidateRouteTable(const v1::RouteTable& table, const YamlLines* lines) {
  Problems problems(lines);
  if (table.version().empty()) problems.Add("version", "required");
  CheckChokepoints(table, &problems);
  std::vector<std::string> known;  // the valid ids, once each, in table order
  for (const v1::Chokepoint& c : table.chokepoints()) {
    if (IsChokepointId(c.id()) && std::find(known.begin(), known.end(), c.id()) == known.end()) {
      known.push_back(c.id());
    }
  }
  std::map<std::string, int> names;
  for (int i = 0; i < table.routes_size(); ++i) {
    CheckRoute(table, i, known, &problems);
    const std::string& name = table.routes(i).name();
    if (name.empty()) continue;
    if (auto [it, inserted] = names.emplace(name, i); !inserted) {
      problems.Add(fmt::format("routes[{}].name", i),
                   fmt::format("{}duplicate route name (first at routes[{}])",
                               Entry("route", name), it->second));
    }
  }
  return problems.ToStatus();
}

}  // namespace tradewatch::processors
