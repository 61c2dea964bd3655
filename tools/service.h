// One streaming process assembled from the configuration: Kafka (embedded or configured), the
// producer, reference tables, rules, the Prometheus registry and its /metrics endpoint, and the
// processing loop with the rule engine wired in. `process` and `demo` build one; `ingest` uses the
// Kafka and reference parts only.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "alerts/alert_metrics.h"
#include "common/kafka/kafka_producer.h"
#include "ingest/country_table.h"
#include "ingest/ingest_metrics.h"
#include "ingest/observation_publisher.h"
#include "ingest/transit_publisher.h"
#include "processors/processor_metrics.h"
#include "processors/shipping_stream.h"
#include "processors/stream_processor.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"
#include "tools/alerting_hook.h"
#include "tools/service_config.h"
#include "tradewatch/v1/rules.pb.h"
#include "tradewatch/v1/service.pb.h"

namespace tradewatch::tools {

// Command-line overrides of the configuration file.
struct ServiceOverrides {
  std::string brokers;          // kafka.brokers
  std::string metrics_address;  // metrics.listen_address
  bool no_metrics = false;      // metrics.disabled
  std::vector<std::string> rule_files;
  std::string group_id;         // kafka.group_id
};

absl::StatusOr<tradewatch::v1::ServiceConfig> LoadConfigWithOverrides(
    const std::string& path, const ServiceOverrides& overrides);

// The parts every streaming command shares. Members are declared in dependency order, so they
// are destroyed clients first, embedded broker last.
struct Service {
  tradewatch::v1::ServiceConfig config;
  KafkaSetup kafka;
  std::unique_ptr<kafka::KafkaProducer> producer;
  ingest::CountryTable countries;
  tradewatch::v1::RegionTable regions;
  tradewatch::v1::RouteTable routes;
  tradewatch::v1::RuleFile rules;
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<prometheus::Exposer> exposer;  // null when metrics are disabled
  std::unique_ptr<ingest::IngestMetrics> ingest_metrics;  // for in-process ingest (demo)
  std::unique_ptr<processors::ProcessorMetrics> processor_metrics;
  std::unique_ptr<alerts::AlertMetrics> alert_metrics;
  std::unique_ptr<processors::ShippingMetrics> shipping_metrics;
  std::unique_ptr<AlertingHook> hook;
  // Exactly once: each loop's transactional producer (null under at least once, where both loops
  // write through `producer`).
  std::unique_ptr<kafka::KafkaProducer> trade_transactions;
  std::unique_ptr<kafka::KafkaProducer> shipping_transactions;
  std::unique_ptr<processors::StreamProcessor> processor;
  // The shipping loop (transit topic, its own group: kafka.group_id + ".shipping").
  std::unique_ptr<processors::ShippingStream> shipping;
  // What the processor was started with (a test starts a second group member from it).
  processors::StreamOptions stream_options;

  // "http://127.0.0.1:PORT/metrics", or empty when metrics are disabled.
  std::string metrics_url() const;
  // Topics and partition counts the publisher writes.
  ingest::PublishTopics publish_topics() const;
  // Topics and partition count `ingest portwatch` writes.
  absl::StatusOr<ingest::TransitTopics> transit_topics() const;

  // One turn of both loops: drains what is waiting on the observation and transit topics, and
  // waits up to timeout_ms when neither had anything. Errors as StreamProcessor::Poll's.
  absl::Status Poll(int timeout_ms);
  // Polls until `stop` becomes true, then leaves both groups.
  absl::Status Run(const std::atomic<bool>& stop);
  ~Service();
};

// Connects Kafka (creating topics), the producer and the reference tables.
absl::StatusOr<std::unique_ptr<Service>> StartIngestSide(tradewatch::v1::ServiceConfig config);

// StartIngestSide plus rules, metrics endpoint and the processing loop (joined to the group).
absl::StatusOr<std::unique_ptr<Service>> StartService(tradewatch::v1::ServiceConfig config);

// (Re)starts the processing loop and its rule hook: a restart of `process` within one process.
// The previous loop, if any, leaves the group first.
absl::Status StartProcessor(Service& service);

}  // namespace tradewatch::tools
