// The route table and the exposures of NAICS codes to chokepoints (issue 6): validation of the
// table with messages naming the file, line and entry; exposures computed by ComputeShares on a
// hand-written table, carried by the partition processor, and exported as gauges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/yaml_config.h"
#include "fmt/format.h"
#include "processors/analytics.h"
#include "processors/partition_processor.h"
#include "processors/processor_metrics.h"
#include "processors/route_table.h"
#include "prometheus/registry.h"
#include "tests/support/observations.h"

namespace tradewatch::processors {
namespace {

namespace v1 = tradewatch::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::tradewatch::testing::Obs;

constexpr auto kCountry = v1::PARTNER_KIND_COUNTRY;

// A small valid table. Line numbers below refer to this text.
constexpr char kRoutes[] = R"y(version: test
chokepoints:
  - {id: chokepoint5, name: Malacca Strait}
  - {id: chokepoint11, name: Taiwan Strait}
  - {id: chokepoint2, name: Panama Canal}
routes:
  - name: Taiwan
    member_codes: ["5830"]
    chokepoint_ids: [chokepoint11]
    assumption: ports on the strait
  - name: Malaysia and Singapore
    member_codes: ["5570", "5590"]
    chokepoint_ids: [chokepoint5]
    assumption: Port Klang and Penang on the strait
  - name: Malaysia westbound
    member_codes: ["5570"]
    chokepoint_ids: [chokepoint5, chokepoint11]
    assumption: a second lane, to test that a partner counts once per chokepoint
  - name: Land
    member_codes: ["2010"]
    chokepoint_ids: []
    assumption: land border
)y";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The validation message of a table (origin "routes.yaml"), or "" when it is valid.
std::string Problems(const std::string& yaml) {
  v1::RouteTable table;
  YamlLines lines;
  absl::Status parsed = ParseYamlToProto(yaml, "routes.yaml", &table, &lines);
  if (!parsed.ok()) return std::string(parsed.message());
  absl::Status valid = ValidateRouteTable(table, &lines);
  return valid.ok() ? "" : std::string(valid.message());
}

v1::RouteTable Table(const std::string& yaml = kRoutes) {
  v1::RouteTable table;
  EXPECT_TRUE(ParseYamlToProto(yaml, "routes.yaml", &table).ok());
  EXPECT_TRUE(ValidateRouteTable(table).ok());
  return table;
}

TEST(RouteTableTest, ValidTableHasNoProblems) { EXPECT_EQ(Problems(kRoutes), ""); }

TEST(RouteTableTest, DefaultTableIsValid) {
  v1::RouteTable table;
  YamlLines lines;
  absl::Status loaded =
      LoadYamlFile(std::string(TRADEWATCH_SOURCE_DIR) + "/deploy/routes/routes.yaml", &table,
                   &lines);
  ASSERT_TRUE(loaded.ok()) << loaded;
  absl::Status valid = ValidateRouteTable(table, &lines);
  EXPECT_TRUE(valid.ok()) << valid;
}

TEST(RouteTableTest, UnknownChokepointNamesFileLineRouteAndTheKnownIds) {
  EXPECT_EQ(Problems(Replace(kRoutes, "chokepoint_ids: [chokepoint11]",
                             "chokepoint_ids: [chokepoint9]")),
            "routes.yaml:9:22: routes[0].chokepoint_ids[0]: route \"Taiwan\": unknown chokepoint "
            "\"chokepoint9\" (known: chokepoint5, chokepoint11, chokepoint2)");
}

TEST(RouteTableTest, PartnerListedTwiceInOneRouteIsAnError) {
  EXPECT_EQ(Problems(Replace(kRoutes, "[\"5570\", \"5590\"]", "[\"5570\", \"5590\", \"5570\"]")),
            "routes.yaml:12:36: routes[1].member_codes[2]: route \"Malaysia and Singapore\": "
            "partner \"5570\" is listed twice (first at member_codes[0])");
}

TEST(RouteTableTest, PartnerInTwoRoutesIsAllowed) {
  // 5570 is in "Malaysia and Singapore" and in "Malaysia westbound".
  EXPECT_EQ(Problems(kRoutes), "");
}

TEST(RouteTableTest, EmptyRouteIsAnError) {
  EXPECT_EQ(Problems(Replace(kRoutes, "    member_codes: [\"2010\"]\n", "")),
            "routes.yaml:19:5: routes[3]: route \"Land\": empty route: needs member_codes or "
            "member_code_prefix");
}

TEST(RouteTableTest, EveryProblemIsReportedOnItsOwnLine) {
  std::string yaml = Replace(kRoutes, "id: chokepoint2,", "id: panama,");
  yaml = Replace(yaml, "- {id: chokepoint11, name: Taiwan Strait}",
                 "- {id: chokepoint5, name: Malacca Strait}");
  yaml = Replace(yaml, "    assumption: ports on the strait\n", "");
  yaml = Replace(yaml, "[\"5570\", \"5590\"]", "[\"5570\", \"0027\"]");
  yaml = Replace(yaml, "name: Land", "name: Taiwan");
  yaml = Replace(yaml, "chokepoint_ids: [chokepoint5, chokepoint11]",
                 "chokepoint_ids: [chokepoint5, chokepoint5]");
  yaml = Replace(yaml, "version: test\n", "");
  std::string problems = Problems(yaml);
  EXPECT_THAT(problems, HasSubstr("routes.yaml:1:1: version: required"));
  EXPECT_THAT(problems, HasSubstr("routes.yaml:3:6: chokepoints[1].id: chokepoint \"Malacca "
                                  "Strait\": duplicate chokepoint id \"chokepoint5\" (first at "
                                  "chokepoints[0])"));
  EXPECT_THAT(problems, HasSubstr("chokepoints[1].name: chokepoint \"Malacca Strait\": duplicate "
                                  "chokepoint name"));
  EXPECT_THAT(problems, HasSubstr("routes.yaml:4:6: chokepoints[2].id: chokepoint \"Panama "
                                  "Canal\": \"panama\" is not a PortWatch chokepoint id"));
  EXPECT_THAT(problems,
              HasSubstr("routes[0].assumption: route \"Taiwan\": assumption is required"));
  EXPECT_THAT(problems, HasSubstr("routes[1].member_codes[1]: route \"Malaysia and Singapore\": "
                                  "\"0027\" is not a Census country code"));
  EXPECT_THAT(problems, HasSubstr("routes[2].chokepoint_ids[1]: route \"Malaysia westbound\": "
                                  "chokepoint \"chokepoint5\" is listed twice"));
  EXPECT_THAT(problems, HasSubstr("routes[3].name: route \"Taiwan\": duplicate route name (first "
                                  "at routes[0])"));
  // The Taiwan route names a chokepoint the table no longer has.
  EXPECT_THAT(problems, HasSubstr("routes.yaml:8:22: routes[0].chokepoint_ids[0]: route "
                                  "\"Taiwan\": unknown chokepoint \"chokepoint11\" (known: "
                                  "chokepoint5)\n"));
  EXPECT_EQ(std::count(problems.begin(), problems.end(), '\n'), 8) << problems;
}

TEST(RouteTableTest, PrefixMustBeDigitsAndWithoutLinesMessagesStartWithThePath) {
  v1::RouteTable table = Table();
  table.mutable_routes(3)->set_member_code_prefix("4X");
  absl::Status status = ValidateRouteTable(table);
  EXPECT_EQ(status.message(),
            "routes[3].member_code_prefix: route \"Land\": \"4X\" is not a code prefix (one to "
            "three digits)");
}

// 2024 imports of 3344 per month: Taiwan 50, Malaysia 30, Singapore 5, Mexico 15 (and Germany
// 0, present without value).
void AddYear(TradeTable* table) {
  for (int m = 1; m <= 12; ++m) {
    int32_t p = 202400 + m;
    table->Upsert(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, p, 50));
    table->Upsert(Obs(v1::FLOW_IMPORTS, "3344", "5570", kCountry, p, 30));
    table->Upsert(Obs(v1::FLOW_IMPORTS, "3344", "5590", kCountry, p, 5));
    table->Upsert(Obs(v1::FLOW_IMPORTS, "3344", "2010", kCountry, p, 15));
    table->Upsert(Obs(v1::FLOW_IMPORTS, "3344", "4280", kCountry, p, 0));
  }
}

const Series& Imports(const TradeTable& t) {
  return *t.Find({v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, v1::CLASSIFICATION_NAICS, "3344"});
}

// "chokepoint5 Malacca Strait 420 0.35 2" per exposure.
std::vector<std::string> Exposures(const v1::PartnerShares& s) {
  std::vector<std::string> out;
  for (const auto& e : s.exposures()) {
    out.push_back(fmt::format("{} {} {} {:.4f} {}", e.chokepoint_id(), e.chokepoint_name(),
                              e.value_usd(), e.share(), e.partner_count()));
  }
  return out;
}

TEST(RouteExposureTest, ExposureIsTheShareOfThePartnersRoutedThroughEachChokepoint) {
  TradeTable t;
  AddYear(&t);
  v1::RouteTable routes = Table();
  ShareOptions options;
  options.routes = &routes;
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, options);
  ASSERT_EQ(s.total_usd(), 1200);
  // Malacca: Malaysia and Singapore; Malaysia, in two routes through it, counts once. Taiwan
  // Strait: Taiwan, and Malaysia through its second route. Panama: no route, zero. In the
  // table's order.
  EXPECT_THAT(Exposures(s), ElementsAre("chokepoint5 Malacca Strait 420 0.3500 2",
                                        "chokepoint11 Taiwan Strait 960 0.8000 2",
                                        "chokepoint2 Panama Canal 0 0.0000 0"));
  EXPECT_DOUBLE_EQ(s.exposures(0).share(), 420.0 / 1200.0);
}

TEST(RouteExposureTest, PrefixRoutesCountEveryCountryWithThePrefixAndItsListedCodes) {
  TradeTable t;
  AddYear(&t);
  v1::RouteTable routes = Table();
  // "Land" becomes every 20xx country plus Germany (4280), through Panama.
  v1::Route* land = routes.mutable_routes(3);
  land->clear_member_codes();
  land->add_member_codes("4280");
  land->set_member_code_prefix("20");
  land->add_chokepoint_ids("chokepoint2");
  ShareOptions options;
  options.routes = &routes;
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, options);
  // Mexico (2010) by the prefix, Germany (4280) listed but without value: not counted as present.
  EXPECT_EQ(Exposures(s)[2], "chokepoint2 Panama Canal 180 0.1500 1");
}

TEST(RouteExposureTest, ExposureSharesUseTheSameDenominatorAsPartnerShares) {
  TradeTable t;
  AddYear(&t);
  // A total row the countries cover by less than 99%: shares are of the total row.
  for (int m = 1; m <= 12; ++m) {
    t.Upsert(Obs(v1::FLOW_IMPORTS, "3344", "-", v1::PARTNER_KIND_TOTAL, 202400 + m, 200));
  }
  v1::RouteTable routes = Table();
  ShareOptions options;
  options.routes = &routes;
  v1::PartnerShares s = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, options);
  ASSERT_EQ(s.total_usd(), 2400);
  EXPECT_DOUBLE_EQ(s.exposures(0).share(), 420.0 / 2400.0);
  for (const auto& p : s.partners()) {
    if (p.code() == "5570") {
      EXPECT_DOUBLE_EQ(p.share(), 360.0 / 2400.0);
    }
  }
}

TEST(RouteExposureTest, NoRouteTableNoExposuresAndTrimmingKeepsThem) {
  TradeTable t;
  AddYear(&t);
  v1::PartnerShares without = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, {});
  EXPECT_EQ(without.exposures_size(), 0);
  v1::RouteTable routes = Table();
  ShareOptions options;
  options.top_n = 0;
  options.routes = &routes;
  v1::PartnerShares full = ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, options);
  v1::PartnerShares trimmed = TrimShares(full, 1);
  EXPECT_EQ(Exposures(trimmed), Exposures(full));
  options.top_n = 1;
  EXPECT_EQ(trimmed.SerializeAsString(),
            ComputeShares(Imports(t), v1::WINDOW_KIND_YEAR, 202412, options).SerializeAsString());
}

TEST(RouteExposureTest, PartitionProcessorCarriesTheExposuresOnEveryShareResult) {
  v1::RouteTable routes = Table();
  ProcessorOptions options;
  options.routes = &routes;
  PartitionProcessor p(options);
  for (int m = 1; m <= 12; ++m) {
    p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5830", kCountry, 202400 + m, 50));
    p.Apply(Obs(v1::FLOW_IMPORTS, "3344", "5570", kCountry, 202400 + m, 50));
  }
  v1::ReleaseMarker marker;
  marker.set_release_id("r1");
  marker.set_vintage(1);
  ReleaseResults results = p.CloseRelease(marker);
  ASSERT_FALSE(results.shares.empty());
  for (const auto& s : results.shares) {
    ASSERT_EQ(s.exposures_size(), 3);
    EXPECT_DOUBLE_EQ(s.exposures(0).share(), 0.5);  // Malacca: Malaysia
    EXPECT_DOUBLE_EQ(s.exposures(1).share(), 1.0);  // Taiwan Strait: Taiwan and Malaysia
  }
}

// The value of tradewatch_trade_route_exposure per chokepoint label, for one product code.
std::map<std::string, double> ExposureGauges(prometheus::Registry& registry,
                                             const std::string& code) {
  std::map<std::string, double> out;
  for (const auto& family : registry.Collect()) {
    if (family.name != "tradewatch_trade_route_exposure") continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& l : metric.label) labels[l.name] = l.value;
      EXPECT_EQ(labels["flow"], "imports");
      EXPECT_EQ(labels["window"], "t12m");
      if (labels["product_code"] == code) out[labels["chokepoint"]] = metric.gauge.value;
    }
  }
  return out;
}

v1::PartnerShares T12m(int32_t period, bool complete, double malacca) {
  v1::PartnerShares s;
  s.set_flow(v1::FLOW_IMPORTS);
  s.set_measure(v1::MEASURE_GENERAL_IMPORTS);
  s.set_classification(v1::CLASSIFICATION_NAICS);
  s.set_product_code("3344");
  s.mutable_window()->set_kind(v1::WINDOW_KIND_T12M);
  s.mutable_window()->set_end_period_yyyymm(period);
  s.mutable_window()->set_complete(complete);
  s.set_partner_count(20);
  auto* e = s.add_exposures();
  e->set_chokepoint_id("chokepoint5");
  e->set_share(malacca);
  e = s.add_exposures();
  e->set_chokepoint_id("chokepoint11");
  e->set_share(0.4);
  return s;
}

TEST(ProcessorMetricsTest, RouteExposureGaugesFollowTheLatestCompleteT12mImports) {
  prometheus::Registry registry;
  ProcessorMetrics metrics(registry, {{"3344"}, 5});
  metrics.UpdateRouteExposures(T12m(202412, true, 0.137));
  EXPECT_EQ(ExposureGauges(registry, "3344"),
            (std::map<std::string, double>{{"chokepoint11", 0.4}, {"chokepoint5", 0.137}}));
  // An incomplete window and an older period change nothing.
  metrics.UpdateRouteExposures(T12m(202501, false, 0.5));
  metrics.UpdateRouteExposures(T12m(202411, true, 0.6));
  EXPECT_EQ(ExposureGauges(registry, "3344")["chokepoint5"], 0.137);
  metrics.UpdateRouteExposures(T12m(202512, true, 0.1335));
  EXPECT_EQ(ExposureGauges(registry, "3344")["chokepoint5"], 0.1335);
  // Another code or another flow: not exported.
  v1::PartnerShares other = T12m(202601, true, 0.9);
  other.set_product_code("3341");
  metrics.UpdateRouteExposures(other);
  other = T12m(202601, true, 0.9);
  other.set_flow(v1::FLOW_EXPORTS);
  metrics.UpdateRouteExposures(other);
  // A total row without partner detail: its exposures would all read 0; skipped.
  other = T12m(202601, true, 0);
  other.set_partner_count(0);
  metrics.UpdateRouteExposures(other);
  EXPECT_TRUE(ExposureGauges(registry, "3341").empty());
  EXPECT_EQ(ExposureGauges(registry, "3344").size(), 2u);
  EXPECT_EQ(ExposureGauges(registry, "3344")["chokepoint5"], 0.1335);
}

}  // namespace
}  // namespace tradewatch::processors
