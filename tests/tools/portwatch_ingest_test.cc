// `ingest portwatch` on the embedded broker: the real PortWatch file and a fixture with bad rows
// are published in process (PublishPortwatchFiles, as the command assembles it) and by the built
// binary, and the transit and dead-letter topics are read back as an independent consumer would:
// one record per (chokepoint, day), keyed "id/YYYY-MM-DD", one partition per chokepoint, rejects
// with reason and position.
#include "tools/portwatch_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "common/kafka/partitioner.h"
#include "common/record_keys.h"
#include "tests/support/kafka_read.h"
#include "tests/support/subprocess.h"
#include "tools/service.h"
#include "tools/service_config.h"

namespace tradewatch::tools {
namespace {

namespace fs = std::filesystem;
namespace v1 = tradewatch::v1;
using ::tradewatch::testing::ReadRecord;
using ::tradewatch::testing::ReadTopic;

const std::string kRealCsv =
    "../shared/data/imf_portwatch/portwatch_chokepoints_daily_2024-01_2026-07.csv";
const std::string kTradewatch = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";

// Two good rows (one restated), a negative count and a row naming no chokepoint.
constexpr char kFixture[] =
    "date,portid,portname,n_total,n_tanker,n_container,n_cargo,n_dry_bulk,capacity\n"
    "2026-08-01,chokepoint11,Taiwan Strait,200,40,70,160,60,5000000\n"
    "2026-08-01,chokepoint11,Taiwan Strait,210,40,75,170,60,5100000\n"
    "2026-08-02,,Luzon Strait,90,20,30,70,20,2000000\n"
    "2026-08-03,chokepoint11,Taiwan Strait,-4,40,70,160,60,5000000\n"
    "2026-08-03,,,200,40,70,160,60,5000000\n";

class PortwatchIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::ServiceConfig config;
    config.mutable_metrics()->set_disabled(true);
    ApplyDefaults(&config);
    auto service = StartIngestSide(config);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = *std::move(service);
    const v1::KafkaConfig& k = service_->config.kafka();
    transits_ = TopicName(k, k.topics().shipping_transits());
    deadletter_ = TopicName(k, k.topics().deadletter());
    fixture_ = (fs::path(::testing::TempDir()) / "portwatch_fixture.csv").string();
    std::ofstream(fixture_) << kFixture;
  }

  std::vector<ReadRecord> Read(const std::string& topic) {
    auto records = ReadTopic(service_->kafka.client, topic);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *std::move(records) : std::vector<ReadRecord>{};
  }

  std::unique_ptr<Service> service_;
  std::string transits_;
  std::string deadletter_;
  std::string fixture_;
};

TEST_F(PortwatchIngestTest, PublishesOneRecordPerChokepointDayOnItsChokepointsPartition) {
  ingest::PortwatchReadOptions read{"portwatch-2026-08-03", 5, 0};
  auto published = PublishPortwatchFiles({kRealCsv, fixture_}, read, *service_, nullptr);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->topic, "tradewatch.shipping.transits.v1");
  EXPECT_EQ(published->partitions, 3);
  EXPECT_EQ(published->transits_sent, 11253 + 2);
  EXPECT_EQ(published->rejects_sent, 2);
  EXPECT_EQ(published->summary.restated, 1);
  EXPECT_TRUE(published->summary.Balanced());

  std::vector<ReadRecord> records = Read(transits_);
  ASSERT_EQ(records.size(), 11253u + 2 + 3);  // and a release marker on each partition
  // The markers come last on each partition and count its transits.
  std::map<int32_t, int64_t> per_partition;
  for (const ReadRecord& r : records) {
    v1::ShippingEvent event;
    ASSERT_TRUE(event.ParseFromString(r.value)) << r.key;
    if (event.has_transit()) ++per_partition[r.partition];
  }
  int markers = 0;
  for (auto it = records.begin(); it != records.end();) {
    v1::ShippingEvent event;
    ASSERT_TRUE(event.ParseFromString(it->value));
    if (!event.has_release_marker()) {
      ++it;
      continue;
    }
    ++markers;
    EXPECT_EQ(it->key, "release/portwatch-2026-08-03");
    EXPECT_EQ(event.release_marker().transit_count(), per_partition[it->partition]);
    // The real file's horizon (its name, 2026-07-31) and the fixture's (none) differ: the
    // marker carries the latest date sent (the fixture's 2026-08-03 rows are rejected).
    EXPECT_EQ(event.release_marker().through_yyyymmdd(), 20260802);  // 08-03 rows rejected
    it = records.erase(it);
  }
  EXPECT_EQ(markers, 3);
  std::set<std::string> keys;
  std::map<std::string, std::set<int32_t>> partitions;  // chokepoint -> partitions it is on
  std::map<std::string, int> days;
  for (const ReadRecord& r : records) {
    v1::ShippingEvent event;
    ASSERT_TRUE(event.ParseFromString(r.value)) << r.key;
    const v1::ChokepointTransit& t = event.transit();
    EXPECT_EQ(r.key, TransitKey(t));
    EXPECT_EQ(r.partition, kafka::PartitionFor(t.chokepoint_id(), 3)) << r.key;
    EXPECT_EQ(r.header(kHeaderSchema), "tradewatch.v1.ShippingEvent");
    EXPECT_EQ(r.header(kHeaderEventId), EventId(r.key, r.value));
    EXPECT_EQ(r.header(kHeaderSource), t.source() + ":" + std::to_string(t.source_line()));
    EXPECT_EQ(t.vintage(), 5);
    EXPECT_EQ(t.release_id(), "portwatch-2026-08-03");
    keys.insert(r.key);
    partitions[t.chokepoint_id()].insert(r.partition);
    ++days[t.chokepoint_id()];
  }
  EXPECT_EQ(keys.size(), records.size());  // one record per (chokepoint, day)
  for (const auto& [id, on] : partitions) EXPECT_EQ(on.size(), 1u) << id;
  EXPECT_EQ(days["chokepoint1"], 938);
  EXPECT_EQ(days["chokepoint6"], 935);
  EXPECT_EQ(days["chokepoint11"], 938 + 1);
  EXPECT_EQ(days["name:gibraltar-strait"], 938);
  EXPECT_EQ(days["name:luzon-strait"], 1);

  // The restated day carries the later row.
  for (const ReadRecord& r : records) {
    if (r.key != "chokepoint11/2026-08-01") continue;
    v1::ShippingEvent event;
    ASSERT_TRUE(event.ParseFromString(r.value));
    const v1::ChokepointTransit& t = event.transit();
    EXPECT_EQ(t.n_total(), 210);
    EXPECT_EQ(t.source_line(), 3);
  }

  const std::vector<ReadRecord> dead = Read(deadletter_);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].key, fixture_);
  EXPECT_EQ(dead[0].header(kHeaderReason), "negative_value");
  EXPECT_EQ(dead[0].header(kHeaderSource), fixture_ + ":5");
  EXPECT_EQ(dead[1].header(kHeaderReason), "missing_identity");
  EXPECT_EQ(dead[1].header(kHeaderSource), fixture_ + ":6");
  v1::RejectedRecord reject;
  ASSERT_TRUE(reject.ParseFromString(dead[0].value));
  EXPECT_EQ(reject.value(), "-4");
  EXPECT_EQ(reject.position().column(), "n_total");
  EXPECT_EQ(reject.raw(), "2026-08-03,chokepoint11,Taiwan Strait,-4,40,70,160,60,5000000");
}

TEST_F(PortwatchIngestTest, TheCommandPublishesToTheBrokersItIsGiven) {
  auto [code, out] = ::tradewatch::testing::RunProgram(
      {kTradewatch, "--log-level", "warn", "ingest", "portwatch", "--brokers",
       service_->kafka.client.brokers, "--release", "fixture", "--vintage", "7", fixture_});
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find(fixture_ + ": 5 rows, 5 records = 2 accepted + 1 restated + 2 rejected "
                                "(negative_value 1, missing_identity 1); 1 ids from names; no "
                                "horizon"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("release fixture (vintage 7): 2 transits to "
                     "tradewatch.shipping.transits.v1 (3 partitions, a release marker on "
                     "each), 2 rejects to tradewatch.deadletter.v1"),
            std::string::npos)
      << out;
  const std::vector<ReadRecord> records = Read(transits_);
  ASSERT_EQ(records.size(), 2u + 3u);
  std::set<std::string> keys;
  for (const ReadRecord& r : records) keys.insert(r.key);
  EXPECT_EQ(keys, (std::set<std::string>{"chokepoint11/2026-08-01",
                                         "name:luzon-strait/2026-08-02", "release/fixture"}));
  EXPECT_EQ(Read(deadletter_).size(), 2u);
}

TEST_F(PortwatchIngestTest, DryRunPrintsEveryRejectAndWritesNothing) {
  auto [code, out] = ::tradewatch::testing::RunProgram(
      {kTradewatch, "ingest", "portwatch", "--dry-run", fixture_});
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("reject negative_value: " + fixture_ + ":5: n_total '-4': negative count"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("reject missing_identity: " + fixture_ + ":6: portid '': neither portid "
                                                            "nor portname"),
            std::string::npos)
      << out;
  EXPECT_TRUE(Read(transits_).empty());
}

}  // namespace
}  // namespace tradewatch::tools
