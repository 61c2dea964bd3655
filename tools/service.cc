#include "tools/service.h"

#include <unistd.h>

#include <exception>
#include <utility>

#include "common/logging.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "tools/reference_data.h"
#include "alerts/rule_validation.h"
#include "tools/rules_command.h"

namespace tradewatch::tools {

namespace v1 = tradewatch::v1;

absl::StatusOr<v1::ServiceConfig> LoadConfigWithOverrides(const std::string& path,
                                                          const ServiceOverrides& overrides) {
  TW_ASSIGN_OR_RETURN(v1::ServiceConfig config, LoadServiceConfig(path));
  if (!overrides.brokers.empty()) config.mutable_kafka()->set_brokers(overrides.brokers);
  if (!overrides.metrics_address.empty()) {
    config.mutable_metrics()->set_listen_address(overrides.metrics_address);
  }
  if (overrides.no_metrics) config.mutable_metrics()->set_disabled(true);
  if (!overrides.group_id.empty()) config.mutable_kafka()->set_group_id(overrides.group_id);
  if (!overrides.rule_files.empty()) {
    config.clear_rule_files();
    for (const std::string& f : overrides.rule_files) config.add_rule_files(f);
  }
  TW_RETURN_IF_ERROR(ValidateServiceConfig(config));
  return config;
}

Service::~Service() {
  // The loops leave their groups before the producers they flush into go away.
  shipping.reset();
  processor.reset();
  shipping_transactions.reset();
  trade_transactions.reset();
  if (producer) {
    if (auto s = producer->Flush(10000); !s.ok()) Logger("kafka")->warn("{}", std::string(s.message()));
  }
}

absl::Status Service::Poll(int timeout_ms) {
  // Drain both topics, one record of each per turn, so neither starves the other.
  for (;;) {
    TW_RETURN_IF_ERROR(processor->Poll(0));
    bool handled = processor->polled_record();
    if (shipping) {
      TW_RETURN_IF_ERROR(shipping->Poll(0));
      handled = handled || shipping->polled_record();
    }
    if (!handled) break;
  }
  TW_RETURN_IF_ERROR(processor->Poll(shipping ? timeout_ms / 2 : timeout_ms));
  if (shipping) TW_RETURN_IF_ERROR(shipping->Poll(timeout_ms / 2));
  return absl::OkStatus();
}

absl::Status Service::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) TW_RETURN_IF_ERROR(Poll(100));
  if (shipping) TW_RETURN_IF_ERROR(shipping->Close());
  return processor->Close();
}

std::string Service::metrics_url() const {
  if (!exposer) return "";
  const std::string& address = config.metrics().listen_address();
  std::string host = address.substr(0, address.rfind(':'));
  return fmt::format("http://{}:{}/metrics", host, exposer->GetListeningPorts().front());
}

ingest::PublishTopics Service::publish_topics() const {
  ingest::PublishTopics topics;
  topics.observations = TopicName(config.kafka(), config.kafka().topics().observations());
  topics.deadletter = TopicName(config.kafka(), config.kafka().topics().deadletter());
  auto partitions = producer->PartitionCount(topics.observations);
  topics.observation_partitions =
      partitions.ok() ? *partitions : config.kafka().topics().observations().partitions();
  return topics;
}

absl::StatusOr<ingest::TransitTopics> Service::transit_topics() const {
  const v1::KafkaConfig& k = config.kafka();
  ingest::TransitTopics topics;
  topics.transits = TopicName(k, k.topics().shipping_transits());
  topics.deadletter = TopicName(k, k.topics().deadletter());
  TW_ASSIGN_OR_RETURN(topics.transit_partitions, producer->PartitionCount(topics.transits));
  return topics;
}

absl::StatusOr<std::unique_ptr<Service>> StartIngestSide(v1::ServiceConfig config) {
  auto service = std::make_unique<Service>();
  service->config = std::move(config);
  TW_ASSIGN_OR_RETURN(service->kafka, ConnectKafka(service->config, /*ensure_topics=*/true));
  TW_ASSIGN_OR_RETURN(service->producer, kafka::KafkaProducer::Create(service->kafka.client));
  const std::string countries_path = service->config.processor().countries_file().empty()
                                         ? DefaultCountriesPath()
                                         : service->config.processor().countries_file();
  TW_ASSIGN_OR_RETURN(service->countries, LoadCountries(countries_path));
  TW_ASSIGN_OR_RETURN(service->regions, LoadRegions(service->config.processor().regions_file()));
  TW_ASSIGN_OR_RETURN(service->routes, LoadRoutes(service->config.processor().routes_file()));
  return service;
}

absl::StatusOr<std::unique_ptr<Service>> StartService(v1::ServiceConfig config) {
  TW_ASSIGN_OR_RETURN(std::unique_ptr<Service> service, StartIngestSide(std::move(config)));
  Service& s = *service;
  const v1::ServiceConfig& c = s.config;
  TW_ASSIGN_OR_RETURN(s.rules, LoadRules({c.rule_files().begin(), c.rule_files().end()},
                                         {alerts::RegionNames(s.regions),
                                          alerts::ChokepointIds(s.routes)}));

  s.registry = std::make_shared<prometheus::Registry>();
  processors::TopShareOptions top;
  top.codes.assign(c.metrics().top_share_codes().begin(), c.metrics().top_share_codes().end());
  top.partners = c.metrics().top_share_partners();
  s.processor_metrics = std::make_unique<processors::ProcessorMetrics>(*s.registry, top);
  s.alert_metrics = std::make_unique<alerts::AlertMetrics>(*s.registry);
  s.shipping_metrics = std::make_unique<processors::ShippingMetrics>(*s.registry);
  s.ingest_metrics = std::make_unique<ingest::IngestMetrics>(*s.registry);
  if (!c.metrics().disabled()) {
    try {  // civetweb reports a port it cannot bind by exception
      s.exposer = std::make_unique<prometheus::Exposer>(c.metrics().listen_address());
    } catch (const std::exception& e) {
      return absl::UnavailableError(fmt::format("metrics.listen_address {}: cannot listen: {}",
                                                c.metrics().listen_address(), e.what()));
    }
    s.exposer->RegisterCollectable(s.registry);
    Logger("metrics")->info("serving {}", s.metrics_url());
  }

  TW_RETURN_IF_ERROR(StartProcessor(s));
  return service;
}

namespace {

// This instance's name in transactional ids: kafka.instance_id, else the host name.
std::string InstanceId(const v1::KafkaConfig& k) {
  if (!k.instance_id().empty()) return k.instance_id();
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') return "tradewatch";
  return host;
}

// A loop's transactional producer, transactions initialised (which fences an earlier producer of
// the same id: a zombie of this instance).
absl::StatusOr<std::unique_ptr<kafka::KafkaProducer>> TransactionalProducer(
    const Service& s, const std::string& loop) {
  const v1::KafkaConfig& k = s.config.kafka();
  kafka::ClientOptions options = s.kafka.client;
  const std::string id = fmt::format("{}.{}.{}", k.group_id(), loop, InstanceId(k));
  options.properties["transactional.id"] = id;
  TW_ASSIGN_OR_RETURN(auto producer, kafka::KafkaProducer::Create(options));
  TW_RETURN_IF_ERROR(producer->InitTransactions(60000));
  Logger("processor")->info("exactly once: transactional id {}", id);
  return producer;
}

}  // namespace

absl::Status StartProcessor(Service& s) {
  s.shipping.reset();
  s.processor.reset();
  s.trade_transactions.reset();
  s.shipping_transactions.reset();
  const bool exactly_once =
      s.config.kafka().processing_guarantee() == v1::PROCESSING_GUARANTEE_EXACTLY_ONCE;
  if (exactly_once) {
    TW_ASSIGN_OR_RETURN(s.trade_transactions, TransactionalProducer(s, "trade"));
    TW_ASSIGN_OR_RETURN(s.shipping_transactions, TransactionalProducer(s, "shipping"));
  }
  const v1::ServiceConfig& c = s.config;
  const v1::KafkaConfig& k = c.kafka();
  const std::string alerts_topic = TopicName(k, k.topics().alerts());
  TW_ASSIGN_OR_RETURN(int32_t alert_partitions, s.producer->PartitionCount(alerts_topic));
  s.hook = std::make_unique<AlertingHook>(s.rules, alerts_topic, alert_partitions,
                                          s.alert_metrics.get());

  processors::StreamOptions options;
  options.client = s.kafka.client;
  options.group_id = k.group_id();
  options.topics.observations = TopicName(k, k.topics().observations());
  options.topics.shares = TopicName(k, k.topics().shares());
  TW_ASSIGN_OR_RETURN(options.topics.shares_partitions,
                      s.producer->PartitionCount(options.topics.shares));
  options.topics.balance = TopicName(k, k.topics().balance());
  TW_ASSIGN_OR_RETURN(options.topics.balance_partitions,
                      s.producer->PartitionCount(options.topics.balance));
  options.topics.deadletter = TopicName(k, k.topics().deadletter());
  const v1::ProcessorConfig& p = c.processor();
  options.processor.top_n = p.top_n();
  options.processor.windows.clear();
  for (int kind : p.windows()) options.processor.windows.push_back(static_cast<v1::WindowKind>(kind));
  options.processor.coverage_threshold = p.coverage_threshold();
  options.processor.regions = &s.regions;
  options.processor.routes = &s.routes;
  options.processor.namer = MakeNamer(s.countries);
  options.processor.imports_measure = p.imports_measure();
  // librdkafka 2.0.2 stops fetching when the local queue holds queued.min.messages (100000 by
  // default) and resumes only a second later (fetch.queue.backoff.ms arrived in 2.2): a release
  // larger than the queue would stall once a second. Queue a whole release instead.
  options.member_properties = {{"queued.min.messages", "1000000"},
                               {"queued.max.messages.kbytes", "262144"}};
  if (s.kafka.embedded) {
    // The mock broker holds a rebalance for session.timeout.ms - 1 s: keep it short (and the
    // heartbeat below it) so that a joining member gets partitions in seconds.
    // It also answers an empty fetch only after fetch.wait.max.ms, even when data arrives
    // meanwhile (a real broker answers as soon as data is there): a release would wait that long.
    options.member_properties["session.timeout.ms"] = "6000";
    options.member_properties["heartbeat.interval.ms"] = "500";
    options.member_properties["fetch.wait.max.ms"] = "10";
  }
  s.hook->FollowShares(s.kafka.client, options.topics.shares);

  processors::ShippingStreamOptions shipping;
  shipping.client = s.kafka.client;
  shipping.member_properties = options.member_properties;
  shipping.group_id = k.group_id() + ".shipping";
  shipping.topics.transits = TopicName(k, k.topics().shipping_transits());
  shipping.topics.status = TopicName(k, k.topics().shipping_status());
  TW_ASSIGN_OR_RETURN(shipping.topics.status_partitions,
                      s.producer->PartitionCount(shipping.topics.status));
  shipping.topics.deadletter = options.topics.deadletter;
  shipping.chokepoint = processors::ChokepointOptionsFromConfig(c.shipping());

  options.transactions = s.trade_transactions.get();
  shipping.transactions = s.shipping_transactions.get();
  s.stream_options = options;
  EventSink* trade_sink = exactly_once ? s.trade_transactions.get() : s.producer.get();
  EventSink* shipping_sink = exactly_once ? s.shipping_transactions.get() : s.producer.get();
  TW_ASSIGN_OR_RETURN(s.processor,
                      processors::StreamProcessor::Create(std::move(options), trade_sink,
                                                          s.hook.get(),
                                                          s.processor_metrics.get()));
  TW_ASSIGN_OR_RETURN(s.shipping,
                      processors::ShippingStream::Create(std::move(shipping), shipping_sink,
                                                         s.hook.get(), s.shipping_metrics.get()));
  return absl::OkStatus();
}

}  // namespace tradewatch::tools
