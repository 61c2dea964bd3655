// The processing loop's guarantees: restarts and reassignments give byte-identical outputs, bad
// records go to the dead-letter topic without stopping anything, and /metrics passes promtool.
// Built twice: on the embedded broker (integration_service_test) and, with
// TRADEWATCH_REAL_BROKER, on a real Kafka 3.9 broker started by scripts/kafka
// (kafka_service_test), where each service gets topics and a group of its own.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "fmt/format.h"

#include "common/kafka/partitioner.h"
#include "common/record_keys.h"
#include "ingest/observation_publisher.h"
#include "ingest/transit_publisher.h"
#include "tests/support/http_get.h"
#include "tests/support/kafka_read.h"
#include "tests/support/real_kafka.h"
#include "tests/support/subprocess.h"
#include "tools/demo.h"
#include "tools/service.h"
#include "tradewatch/v1/rejected.pb.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;
using ::tradewatch::testing::ReadRecord;
using ::tradewatch::testing::ReadTopic;

#ifdef TRADEWATCH_REAL_BROKER
constexpr bool kRealBroker = true;
#else
constexpr bool kRealBroker = false;
#endif

std::unique_ptr<Service> StartTestService(const std::string& metrics_address = "") {
  v1::ServiceConfig config;
  if (kRealBroker) {
    auto kafka = ::tradewatch::testing::SharedRealKafka();
    EXPECT_TRUE(kafka.ok()) << kafka.status();
    if (!kafka.ok()) return nullptr;
    static int services = 0;
    const std::string own = fmt::format(
        "{}-{}", ::testing::UnitTest::GetInstance()->current_test_info()->name(), ++services);
    config.mutable_kafka()->set_brokers((*kafka)->bootstrap());
    config.mutable_kafka()->set_topic_prefix(own + ".");
    config.mutable_kafka()->set_group_id("tradewatch-" + own);
  }
  if (metrics_address.empty()) {
    config.mutable_metrics()->set_disabled(true);
  } else {
    config.mutable_metrics()->set_listen_address(metrics_address);
  }
  ApplyDefaults(&config);
  auto service = StartService(config);
  EXPECT_TRUE(service.ok()) << service.status();
  return service.ok() ? *std::move(service) : nullptr;
}

// 3344 by country 2021-2025 and the 2024 334 family (both flows, so balances too).
ReplayOptions SmallReplay() {
  ReplayOptions replay;
  replay.sources = {
      {"census_naics_by_country/census_imports_naics_3344.csv", nullptr},
      {"census_naics_by_country/census_exports_naics334family_by_country_2024_monthly.csv",
       [](std::string_view code) { return code == "3344" || code == "3341"; }},
  };
  return replay;
}

// Outputs per (topic, key), in offset order: partition, value and event id. Records of one key
// come from one input partition, in its order; records of different input partitions interleave
// on an output partition as the consumer fetches them, so the comparison is per key.
using Outputs = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;

Outputs CollectOutputs(const Service& s) {
  Outputs out;
  const auto& topics = s.config.kafka().topics();
  for (const v1::TopicConfig* t : {&topics.shares(), &topics.balance(), &topics.alerts(),
                                   &topics.shipping_status()}) {
    auto records = ReadTopic(s.kafka.client, TopicName(s.config.kafka(), *t));
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) continue;
    for (const ReadRecord& r : *records) {
      out[{t->name(), r.key}].push_back(std::to_string(r.partition) + '\0' + r.value + '\0' +
                                        r.header(kHeaderEventId));
    }
  }
  return out;
}

// The first difference, readable: topic/partition, index and the two keys.
std::string FirstDifference(const Outputs& a, const Outputs& b) {
  for (const auto& [tp, records] : a) {
    auto it = b.find(tp);
    if (it == b.end()) return tp.first + " " + tp.second + " missing";
    if (records != it->second) {
      return tp.first + " " + tp.second + ": " + std::to_string(records.size()) + " vs " +
             std::to_string(it->second.size()) + " records, or different bytes";
    }
  }
  return "";
}

size_t Count(const Outputs& outputs) {
  size_t n = 0;
  for (const auto& [tp, records] : outputs) n += records.size();
  return n;
}

Outputs Baseline() {
  auto service = StartTestService();
  if (service == nullptr) return {};
  auto result = ReplayDemoData(*service, SmallReplay());
  EXPECT_TRUE(result.ok()) << result.status();
  return CollectOutputs(*service);
}

TEST(ServiceTest, RestartFromCommittedOffsetsGivesByteIdenticalOutputs) {
  const Outputs baseline = Baseline();
  ASSERT_GT(Count(baseline), 500u);

  auto service = StartTestService();
  ASSERT_NE(service, nullptr);
  // 2021-01 .. 2024-09: nine months of shipping releases (2024-01 on) before the restart.
  ReplayOptions first = SmallReplay();
  first.release_count = 45;
  auto before = ReplayDemoData(*service, first);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->shipping_releases, 9);
  // New loops in the same groups: trade and shipping state and rule history rebuilt from the
  // topics up to the committed offsets, then consumption resumes where the first ones stopped.
  ASSERT_TRUE(StartProcessor(*service).ok());
  // The second replay publishes the shipping months up to 2024-10 again (the same values: they
  // change nothing, so they emit nothing), then the rest.
  ReplayOptions second = SmallReplay();
  second.first_release = 45;
  auto rest = ReplayDemoData(*service, second);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->releases, 15);
  const Outputs restarted = CollectOutputs(*service);
  EXPECT_EQ(Count(restarted), Count(baseline));
  EXPECT_TRUE(restarted == baseline) << FirstDifference(baseline, restarted);
}

TEST(ServiceTest, ReassignmentToASecondGroupMemberGivesByteIdenticalOutputs) {
  const Outputs baseline = Baseline();
  ASSERT_GT(Count(baseline), 500u);

  auto service = StartTestService();
  ASSERT_NE(service, nullptr);
  ReplayOptions first = SmallReplay();
  first.release_count = 20;
  ASSERT_TRUE(ReplayDemoData(*service, first).ok());

  // A second member joins: the group rebalances and partitions move to it, with their state
  // rebuilt there. Both members poll while the rest of the data is replayed.
  AlertingHook second_hook(service->rules,
                           TopicName(service->config.kafka(), service->config.kafka().topics().alerts()),
                           service->config.kafka().topics().alerts().partitions(), nullptr);
  auto second = processors::StreamProcessor::Create(service->stream_options,
                                                    service->producer.get(), &second_hook,
                                                    nullptr);
  ASSERT_TRUE(second.ok()) << second.status();
  // Replay the remaining 40 releases without waiting on one member only.
  // The trade data first; the shipping months follow once every trade release is processed, as
  // in the baseline, where each shipping month comes after the trade months up to it (composite
  // rules join the two streams as of each day, so their order across topics matters).
  ReplayOptions rest = SmallReplay();
  rest.first_release = 20;
  rest.wait_for_processor = false;
  rest.portwatch.clear();
  auto published = ReplayDemoData(*service, rest);
  ASSERT_TRUE(published.ok()) << published.status();
  const int64_t before = service->processor->markers_processed();
  const int64_t expected = 6 * 40;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  bool both_had_partitions = false;
  while (service->processor->markers_processed() - before + (*second)->markers_processed() <
             expected &&
         std::chrono::steady_clock::now() < deadline) {
    absl::Status first_poll = service->processor->Poll(1);
    ASSERT_TRUE(first_poll.ok()) << first_poll;
    absl::Status second_poll = (*second)->Poll(1);
    ASSERT_TRUE(second_poll.ok()) << second_poll;
    both_had_partitions |= !service->processor->assigned().empty() && !(*second)->assigned().empty();
  }
  EXPECT_TRUE(both_had_partitions);
  EXPECT_EQ(service->processor->markers_processed() - before + (*second)->markers_processed(),
            expected);
  EXPECT_GT((*second)->markers_processed(), 0);
  ReplayOptions shipping = SmallReplay();
  shipping.sources.clear();
  auto shipped = ReplayDemoData(*service, shipping);  // waits on the shipping loop
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_GT(shipped->shipping_releases, 0);
  const Outputs reassigned = CollectOutputs(*service);
  EXPECT_EQ(Count(reassigned), Count(baseline));
  EXPECT_TRUE(reassigned == baseline) << FirstDifference(baseline, reassigned);
  ASSERT_TRUE((*second)->Close().ok());
}

TEST(ServiceTest, BadRecordsGoToTheDeadLetterTopicAndNothingElseIsLost) {
  auto service = StartTestService();
  ASSERT_NE(service, nullptr);
  const auto topics = service->publish_topics();
  std::vector<std::string> sent;
  auto send = [&](int32_t partition, std::string value) {
    sent.push_back(value);
    OutgoingRecord r;
    r.topic = topics.observations;
    r.partition = partition;
    r.key = "bad";
    r.value = std::move(value);
    ASSERT_TRUE(service->producer->Send(std::move(r)).ok());
  };
  v1::TradeObservation good;
  good.set_flow(v1::FLOW_IMPORTS);
  good.set_measure(v1::MEASURE_GENERAL_IMPORTS);
  good.set_classification(v1::CLASSIFICATION_NAICS);
  good.set_product_code("3344");
  good.set_partner_code("5830");
  good.set_partner_kind(v1::PARTNER_KIND_COUNTRY);
  good.set_period_yyyymm(202501);
  good.set_value_usd(1000);
  good.set_vintage(1);
  const int32_t p = kafka::PartitionFor(ProductPartitionKey(v1::CLASSIFICATION_NAICS, "3344"),
                                        topics.observation_partitions);
  auto event_of = [](const v1::TradeObservation& o) {
    v1::TradeEvent e;
    *e.mutable_observation() = o;
    return e.SerializeAsString();
  };
  send(p, "\xff\xff not protobuf");
  send(p, v1::TradeEvent().SerializeAsString());  // neither observation nor marker
  v1::TradeObservation no_flow = good;
  no_flow.set_flow(v1::FLOW_UNSPECIFIED);
  send(p, event_of(no_flow));
  v1::TradeObservation bad_period = good;
  bad_period.set_period_yyyymm(202513);
  send(p, event_of(bad_period));
  v1::TradeObservation long_code = good;
  long_code.set_product_code("334413999");
  send(p, event_of(long_code));
  v1::TradeObservation no_partner = good;
  no_partner.set_partner_code("");
  send(p, event_of(no_partner));
  send(p, event_of(good));
  sent.pop_back();  // the good one is not a dead letter
  for (int32_t q = 0; q < topics.observation_partitions; ++q) {
    v1::ReleaseMarker marker;
    marker.set_release_id("2025-01");
    marker.set_vintage(1);
    marker.set_through_period_yyyymm(202501);
    ASSERT_TRUE(
        service->producer->Send(ingest::ReleaseMarkerRecord(topics.observations, q, marker)).ok());
  }
  ASSERT_TRUE(service->producer->Flush(10000).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (service->processor->markers_processed() < topics.observation_partitions &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(service->processor->Poll(50).ok());
  }
  ASSERT_EQ(service->processor->markers_processed(), topics.observation_partitions);

  auto dead = ReadTopic(service->kafka.client, topics.deadletter);
  ASSERT_TRUE(dead.ok()) << dead.status();
  std::vector<std::string> reasons;
  for (const ReadRecord& r : *dead) {
    v1::RejectedRecord reject;
    ASSERT_TRUE(reject.ParseFromString(r.value));
    reasons.push_back(r.header(kHeaderReason));
    // The message names where the record was: topic/partition@offset.
    EXPECT_NE(reject.message().find(topics.observations + "/" + std::to_string(p) + "@"),
              std::string::npos)
        << reject.message();
    EXPECT_EQ(reject.position().source(), r.header(kHeaderSource));
    ASSERT_LT(reasons.size(), sent.size() + 1);
    EXPECT_EQ(reject.raw(), sent[reasons.size() - 1]);  // the raw bytes, for replay after a fix
  }
  EXPECT_EQ(reasons, (std::vector<std::string>{"malformed_record", "malformed_record",
                                                "unknown_flow", "bad_period",
                                                "malformed_product_code", "unknown_partner"}));

  // The good observation still made its results.
  auto shares = ReadTopic(service->kafka.client,
                          TopicName(service->config.kafka(), service->config.kafka().topics().shares()));
  ASSERT_TRUE(shares.ok());
  bool month = false;
  for (const ReadRecord& r : *shares) month |= r.key == "imports/general_imports/naics/3344/month/202501";
  EXPECT_TRUE(month);
}

// Poison on the shipping transit topic: each kind goes to the dead-letter topic with its position
// and reason, the good transit is evaluated, and the loop carries on.
TEST(ServiceTest, BadShippingRecordsGoToTheDeadLetterTopicAndNothingElseIsLost) {
  auto service = StartTestService();
  ASSERT_NE(service, nullptr);
  const v1::KafkaConfig& k = service->config.kafka();
  const std::string transits = TopicName(k, k.topics().shipping_transits());
  auto partitions = service->producer->PartitionCount(transits);
  ASSERT_TRUE(partitions.ok());
  v1::ChokepointTransit good;
  good.set_chokepoint_id("chokepoint5");
  good.set_chokepoint_name("Malacca Strait");
  good.set_date_yyyymmdd(20250101);
  good.set_n_total(220);
  good.set_n_cargo(150);
  good.set_n_tanker(70);
  good.set_vintage(1);
  const int32_t p = kafka::PartitionFor("chokepoint5", *partitions);
  std::vector<std::string> sent;
  auto send = [&](int32_t partition, std::string value) {
    sent.push_back(value);
    OutgoingRecord r;
    r.topic = transits;
    r.partition = partition;
    r.key = "bad";
    r.value = std::move(value);
    ASSERT_TRUE(service->producer->Send(std::move(r)).ok());
  };
  auto event_of = [](const v1::ChokepointTransit& t) {
    v1::ShippingEvent e;
    *e.mutable_transit() = t;
    return e.SerializeAsString();
  };
  send(p, "\xff\xff not protobuf");
  send(p, "");  // an empty ShippingEvent: neither transit nor marker
  v1::ChokepointTransit no_id = good;
  no_id.clear_chokepoint_id();
  send(p, event_of(no_id));
  v1::ChokepointTransit bad_date = good;
  bad_date.set_date_yyyymmdd(20250230);
  send(p, event_of(bad_date));
  v1::ChokepointTransit negative = good;
  negative.set_n_tanker(-3);
  send(p, event_of(negative));
  send(p, event_of(good));
  sent.pop_back();  // the good one is not a dead letter
  auto topics = service->transit_topics();
  ASSERT_TRUE(topics.ok()) << topics.status();
  ingest::TransitPublisher markers(*topics, service->producer.get());
  ASSERT_TRUE(markers.FinishRelease("poison", 1, 20250101).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (service->shipping->markers_processed() < *partitions &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(service->Poll(50).ok());
  }
  ASSERT_EQ(service->shipping->markers_processed(), *partitions);

  auto dead = ReadTopic(service->kafka.client, topics->deadletter);
  ASSERT_TRUE(dead.ok()) << dead.status();
  std::vector<std::string> reasons;
  for (const ReadRecord& r : *dead) {
    v1::RejectedRecord reject;
    ASSERT_TRUE(reject.ParseFromString(r.value));
    reasons.push_back(r.header(kHeaderReason));
    EXPECT_NE(reject.message().find(transits + "/" + std::to_string(p) + "@"), std::string::npos)
        << reject.message();
    EXPECT_EQ(reject.position().source(), r.header(kHeaderSource));
    ASSERT_LT(reasons.size(), sent.size() + 1);
    EXPECT_EQ(reject.raw(), sent[reasons.size() - 1]);
  }
  EXPECT_EQ(reasons, (std::vector<std::string>{"malformed_record", "malformed_record",
                                                "missing_identity", "bad_period",
                                                "negative_value"}));

  // The good day has its status (one day: no baseline yet).
  auto status = ReadTopic(service->kafka.client, TopicName(k, k.topics().shipping_status()));
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_EQ(status->size(), 1u);
  EXPECT_EQ((*status)[0].key, "chokepoint5/2025-01-01");
  v1::ChokepointStatus day;
  ASSERT_TRUE(day.ParseFromString((*status)[0].value));
  EXPECT_EQ(day.transits_7d(), 220);
  EXPECT_EQ(day.days_missing(), 6);
  EXPECT_EQ(day.status(), v1::TRANSIT_STATUS_GAP);
}

// The real data through the whole service: the composite rule fires when the Taiwan Strait's
// transits fall while 3344 imports are exposed to it, with both sides' figures equal to what the
// shares and status topics carry for that day.
TEST(ServiceTest, TheCompositeRuleJoinsTheSharesAndStatusTopicsOfTheRealData) {
  auto service = StartTestService();
  ASSERT_NE(service, nullptr);
  auto replay = ReplayDemoData(*service, SmallReplay());
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(replay->shipping_releases, 31);
  const v1::KafkaConfig& k = service->config.kafka();

  std::vector<v1::AlertEvent> composite;
  auto alerts = ReadTopic(service->kafka.client, TopicName(k, k.topics().alerts()));
  ASSERT_TRUE(alerts.ok());
  for (const ReadRecord& r : *alerts) {
    v1::AlertEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    if (e.rule() == "SemiconductorImportsTaiwanStraitDisrupted") composite.push_back(e);
  }
  ASSERT_EQ(composite.size(), 2u);
  const v1::AlertEvent& fired = composite[0];
  EXPECT_EQ(fired.state(), v1::ALERT_STATE_FIRING);
  EXPECT_EQ(composite[1].state(), v1::ALERT_STATE_RESOLVED);

  // The statuses of the Taiwan Strait, by day, as published.
  std::map<int32_t, v1::ChokepointStatus> strait;
  auto status = ReadTopic(service->kafka.client, TopicName(k, k.topics().shipping_status()));
  ASSERT_TRUE(status.ok());
  for (const ReadRecord& r : *status) {
    v1::ChokepointStatus s;
    ASSERT_TRUE(s.ParseFromString(r.value));
    if (s.chokepoint_id() == "chokepoint11") strait[s.date_yyyymmdd()] = s;  // the latest wins
  }
  // FIRING on the first day below 70% of baseline, RESOLVED on the first day above 80% after.
  int32_t first_low = 0;
  for (const auto& [date, s] : strait) {
    if (s.has_ratio() && s.ratio() < 0.7) {
      first_low = date;
      break;
    }
  }
  ASSERT_NE(first_low, 0);
  EXPECT_EQ(fired.date_yyyymmdd(), first_low);
  int32_t back = 0;
  for (auto it = strait.upper_bound(first_low); it != strait.end(); ++it) {
    if (it->second.has_ratio() && it->second.ratio() > 0.8) {
      back = it->first;
      break;
    }
  }
  EXPECT_EQ(composite[1].date_yyyymmdd(), back);
  EXPECT_EQ(fired.route().status().SerializeAsString(), strait.at(first_low).SerializeAsString());

  // The trade side: the exposure of the T12M to the day's month, as on the shares topic.
  const std::string key =
      fmt::format("imports/general_imports/naics/3344/t12m/{}", first_low / 100);
  auto shares = ReadTopic(service->kafka.client, TopicName(k, k.topics().shares()));
  ASSERT_TRUE(shares.ok());
  double exposure = -1;
  for (const ReadRecord& r : *shares) {
    if (r.key != key) continue;
    v1::PartnerShares s;
    ASSERT_TRUE(s.ParseFromString(r.value));
    for (const v1::RouteExposure& x : s.exposures()) {
      if (x.chokepoint_id() == "chokepoint11") exposure = x.share();
    }
  }
  ASSERT_GT(exposure, 0.30);
  EXPECT_EQ(fired.evidence().value(), exposure);
  EXPECT_EQ(fired.evidence().window().end_period_yyyymm(), first_low / 100);
  EXPECT_EQ(fired.route().ratio_threshold(), 0.7);
}

TEST(ServiceTest, MetricsEndpointOnAnEphemeralPortPassesPromtool) {
  const std::string promtool = ::tradewatch::testing::FindProgram("promtool");
  ASSERT_FALSE(promtool.empty()) << "promtool is missing: scripts/bootstrap --services installs it";
  auto service = StartTestService("127.0.0.1:0");
  ASSERT_NE(service, nullptr);
  ASSERT_TRUE(ReplayDemoData(*service, SmallReplay()).ok());
  const int port = service->exposer->GetListeningPorts().front();
  ASSERT_GT(port, 0);
  auto body = ::tradewatch::testing::HttpGet(port, "/metrics");
  ASSERT_TRUE(body.ok()) << body.status();

  const std::string file = std::filesystem::temp_directory_path() /
                           ("tradewatch-metrics-" + std::to_string(getpid()) + ".txt");
  std::ofstream(file) << *body;
  auto [code, out] = ::tradewatch::testing::RunProgram(
      {"sh", "-c", promtool + " check metrics < " + file});
  std::filesystem::remove(file);
  EXPECT_EQ(code, 0) << out;

  auto value_of = [&](const std::string& series) {
    return ::tradewatch::testing::ScrapedValue(*body, series);
  };
  EXPECT_EQ(value_of("tradewatch_processor_releases_total"), 6 * 60);
  EXPECT_EQ(value_of("tradewatch_processor_latest_period_yyyymm"), 202512);
  EXPECT_GT(value_of("tradewatch_processor_records_consumed_total"), 10000);
  EXPECT_EQ(value_of("tradewatch_ingest_records_published_total"),
            value_of("tradewatch_processor_upserts_total{outcome=\"inserted\"}"));
  EXPECT_NE(body->find("tradewatch_alert_active{"), std::string::npos);
  EXPECT_NE(body->find("rule=\"TaiwanSemiconductorImportShareHigh\""), std::string::npos);
  EXPECT_NE(body->find("tradewatch_trade_partner_share{"), std::string::npos);
  EXPECT_NE(body->find("partner=\"5830\""), std::string::npos);
  EXPECT_NE(body->find("tradewatch_processor_release_latency_seconds_bucket"), std::string::npos);
}

}  // namespace
}  // namespace tradewatch::tools
