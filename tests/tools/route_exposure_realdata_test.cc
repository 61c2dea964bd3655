// Issue 6: the exposure of NAICS 3344 imports to each chokepoint, from the built `tradewatch
// report shares`, against an independent computation: the Census CSV parsed here line by line,
// the route table read here with yaml-cpp (not the project's loader), the members of every route
// through a chokepoint summed directly. Also checks the default route table against the shared
// reference data: every partner code a Schedule C country, every chokepoint a PortWatch one, the
// main partners of NAICS 334 routed.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/support/subprocess.h"

namespace {

using ::testing::HasSubstr;

const std::string kSource = TRADEWATCH_SOURCE_DIR;
const std::string kTradewatch = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";
const std::string kData = "../shared/data";
const std::string k3344 = kData + "/census_naics_by_country/census_imports_naics_3344.csv";
const std::string kRoutes = kSource + "/deploy/routes/routes.yaml";

// Splits one CSV line; fields may be quoted ("KOREA, SOUTH") with "" for a quote.
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(SplitCsv(line));
  return rows;
}

int Col(const std::vector<std::string>& header, const std::string& name) {
  auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name;
  return static_cast<int>(it - header.begin());
}

// Census: individual countries are four digits starting 1-7 with no X.
bool IsCountry(const std::string& code) {
  return code.size() == 4 && code[0] >= '1' && code[0] <= '7' &&
         code.find('X') == std::string::npos;
}

// 2025 general imports of NAICS 3344 per country.
std::map<std::string, int64_t> Imports2025() {
  auto rows = ReadCsv(k3344);
  const auto& h = rows.at(0);
  const int code = Col(h, "CTY_CODE"), time = Col(h, "time"), value = Col(h, "GEN_VAL_MO");
  std::map<std::string, int64_t> sums;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.size() <= static_cast<size_t>(std::max({code, time, value}))) continue;
    if (!IsCountry(r[code]) || r[time].rfind("2025-", 0) != 0) continue;
    sums[r[code]] += std::stoll(r[value]);
  }
  return sums;
}

struct Route {
  std::set<std::string> codes;
  std::string prefix;
  std::vector<std::string> chokepoints;
  bool Has(const std::string& code) const {
    return codes.count(code) > 0 || (!prefix.empty() && code.rfind(prefix, 0) == 0);
  }
};

struct Table {
  std::vector<std::pair<std::string, std::string>> chokepoints;  // (id, name) in order
  std::vector<Route> routes;
};

Table ReadRoutes() {
  YAML::Node doc = YAML::LoadFile(kRoutes);
  Table t;
  for (const auto& c : doc["chokepoints"]) {
    t.chokepoints.emplace_back(c["id"].as<std::string>(), c["name"].as<std::string>());
  }
  for (const auto& r : doc["routes"]) {
    Route route;
    for (const auto& code : r["member_codes"]) route.codes.insert(code.as<std::string>());
    if (r["member_code_prefix"]) route.prefix = r["member_code_prefix"].as<std::string>();
    for (const auto& id : r["chokepoint_ids"]) route.chokepoints.push_back(id.as<std::string>());
    t.routes.push_back(std::move(route));
  }
  return t;
}

struct Expected {
  int64_t value = 0;
  int count = 0;
};

// The exposure of `imports` to `chokepoint`: the countries of any route through it, once each.
Expected ExposureOf(const Table& t, const std::map<std::string, int64_t>& imports,
                    const std::string& chokepoint) {
  Expected e;
  for (const auto& [code, value] : imports) {
    bool routed = std::any_of(t.routes.begin(), t.routes.end(), [&](const Route& r) {
      return r.Has(code) && std::find(r.chokepoints.begin(), r.chokepoints.end(), chokepoint) !=
                                r.chokepoints.end();
    });
    if (!routed) continue;
    e.value += value;
    if (value > 0) ++e.count;
  }
  return e;
}

// `report shares` of 2025 NAICS 3344 imports with `options` added.
std::string Report(const std::vector<std::string>& options) {
  std::vector<std::string> argv = {kTradewatch, "report", "shares", "--flow", "imports",
                                   "--naics", "3344", "--window", "year", "--period", "2025", "-q"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(k3344);
  auto [code, out] = tradewatch::testing::RunProgram(argv, /*merge_stderr=*/false);
  EXPECT_EQ(code, 0) << out;
  return out;
}

TEST(RouteExposureRealDataTest, SemiconductorExposures2025MatchTheRouteTableMembersSummedDirectly) {
  const Table table = ReadRoutes();
  const auto imports = Imports2025();
  int64_t total = 0;
  for (const auto& [code, value] : imports) total += value;
  ASSERT_EQ(total, 173'194'822'387);  // $173.19B from 159 countries

  const std::string json = Report({"--format", "json"});
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  ASSERT_EQ(int64_t(doc["total_usd"]), total);
  simdjson::dom::array exposures = doc["exposures"].get_array();
  ASSERT_EQ(exposures.size(), table.chokepoints.size());
  size_t i = 0;
  std::map<std::string, double> share_of;
  for (simdjson::dom::element e : exposures) {
    const auto& [id, name] = table.chokepoints[i++];
    SCOPED_TRACE(id);
    EXPECT_EQ(std::string_view(e["chokepoint_id"]), id);
    EXPECT_EQ(std::string_view(e["chokepoint_name"]), name);
    const Expected expected = ExposureOf(table, imports, id);
    EXPECT_EQ(int64_t(e["value_usd"]), expected.value);
    EXPECT_EQ(int64_t(e["partner_count"]), expected.count);
    EXPECT_NEAR(double(e["share"]), static_cast<double>(expected.value) / total, 1e-9);
    share_of[id] = double(e["share"]);
  }
  // The figures the route table and the rule SemiconductorImportMalaccaExposureHigh quote:
  // Malaysia, Singapore and Indonesia 13.4% through the Malacca Strait; Taiwan, China, Hong Kong
  // and Macao 40.5% through the Taiwan Strait; 3.5% through Suez (and Bab el-Mandeb, and the Cape).
  EXPECT_NEAR(share_of["chokepoint5"], 0.1335, 0.00005);
  EXPECT_NEAR(share_of["chokepoint11"], 0.4050, 0.00005);
  EXPECT_NEAR(share_of["chokepoint1"], 0.0347, 0.00005);
  EXPECT_EQ(share_of["chokepoint1"], share_of["chokepoint4"]);
  EXPECT_EQ(share_of["chokepoint1"], share_of["chokepoint7"]);
}

TEST(RouteExposureRealDataTest, TableReportShowsTheExposuresAsUpperBounds) {
  const std::string out = Report({"--format", "table"});
  EXPECT_THAT(out, HasSubstr("chokepoint exposure"));
  EXPECT_THAT(out, ::testing::ContainsRegex("Malacca Strait +23\\.13 +13\\.4%  3"));
  EXPECT_THAT(out, ::testing::ContainsRegex("Taiwan Strait +70\\.14 +40\\.5%  4"));
  EXPECT_THAT(out, HasSubstr("upper bounds"));
}

TEST(RouteExposureRealDataTest, RoutesOptionReplacesTheBuiltInTable) {
  const std::string routes = ::testing::TempDir() + "route_exposure_realdata_routes.yaml";
  std::ofstream(routes) << "version: test\n"
                           "chokepoints: [{id: chokepoint5, name: Malacca Strait}]\n"
                           "routes:\n"
                           "  - {name: Malaysia, member_codes: [\"5570\"], "
                           "chokepoint_ids: [chokepoint5], assumption: ports on the strait}\n";
  const std::string json = Report({"--format", "json", "--routes", routes});
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  simdjson::dom::array exposures = doc["exposures"].get_array();
  ASSERT_EQ(exposures.size(), 1u);
  simdjson::dom::element malacca = exposures.at(0);
  EXPECT_EQ(int64_t(malacca["value_usd"]), Imports2025().at("5570"));
  EXPECT_EQ(int64_t(malacca["partner_count"]), 1);
  std::remove(routes.c_str());
}

TEST(RouteExposureRealDataTest, EveryMemberCodeIsAScheduleCCountry) {
  auto rows = ReadCsv(kData + "/census_country_codes/schedule_c_countries_and_groups.csv");
  const int kind = Col(rows.at(0), "kind"), code = Col(rows.at(0), "cty_code");
  std::set<std::string> countries;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i][kind] == "country") countries.insert(rows[i][code]);
  }
  ASSERT_GT(countries.size(), 200u);
  for (const Route& r : ReadRoutes().routes) {
    for (const std::string& c : r.codes) EXPECT_TRUE(countries.count(c)) << c;
  }
}

TEST(RouteExposureRealDataTest, ChokepointsAreThePortWatchOnesWithTheirNames) {
  auto rows = ReadCsv(kData + "/imf_portwatch/portwatch_chokepoints_daily_2024-01_2026-07.csv");
  const int id = Col(rows.at(0), "portid"), name = Col(rows.at(0), "portname");
  std::map<std::string, std::string> portwatch;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (!rows[i][id].empty()) portwatch[rows[i][id]] = rows[i][name];
  }
  for (const auto& [chokepoint, chokepoint_name] : ReadRoutes().chokepoints) {
    ASSERT_TRUE(portwatch.count(chokepoint)) << chokepoint;
    EXPECT_EQ(portwatch[chokepoint], chokepoint_name);
  }
}

TEST(RouteExposureRealDataTest, MainPartnersOfComputerAndElectronicImportsAreRouted) {
  const Table table = ReadRoutes();
  // China, Taiwan, Malaysia, Vietnam, Thailand, South Korea, Japan, Singapore, Philippines, India,
  // Indonesia, Israel, Germany, Ireland, Netherlands, Mexico, Canada.
  for (const char* code : {"5700", "5830", "5570", "5520", "5490", "5800", "5880", "5590", "5650",
                           "5330", "5600", "5081", "4280", "4190", "4210", "2010", "1220"}) {
    EXPECT_TRUE(std::any_of(table.routes.begin(), table.routes.end(),
                            [&](const Route& r) { return r.Has(code); }))
        << code << " is in no route";
  }
  // The routes cover 99.5% of 2025 NAICS 3344 imports.
  const auto imports = Imports2025();
  int64_t total = 0, routed = 0;
  for (const auto& [code, value] : imports) {
    total += value;
    if (std::any_of(table.routes.begin(), table.routes.end(),
                    [&](const Route& r) { return r.Has(code); })) {
      routed += value;
    }
  }
  EXPECT_GT(static_cast<double>(routed) / total, 0.995);
}

}  // namespace
