#include "tools/demo.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <utility>

#include "common/kafka/kafka_consumer.h"
#include "common/logging.h"
#include "common/period.h"
#include "common/record_keys.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/census_reader.h"
#include "ingest/portwatch_reader.h"
#include "ingest/transit_publisher.h"
#include "processors/chokepoint_analytics.h"
#include "processors/window.h"
#include "tools/reference_data.h"
#include "tools/report_command.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;

// Collects one file's observations of the kept codes by period.
class BucketSink : public ingest::RecordSink {
 public:
  BucketSink(std::function<bool(std::string_view)> keep,
             std::map<int32_t, std::vector<v1::TradeObservation>>* by_period,
             std::vector<v1::RejectedRecord>* rejects)
      : keep_(std::move(keep)), by_period_(by_period), rejects_(rejects) {}
  void OnObservation(const v1::TradeObservation& o) override {
    if (!keep_ || keep_(o.product_code())) (*by_period_)[o.period_yyyymm()].push_back(o);
  }
  void OnReject(const v1::RejectedRecord& reject) override { rejects_->push_back(reject); }

 private:
  std::function<bool(std::string_view)> keep_;
  std::map<int32_t, std::vector<v1::TradeObservation>>* by_period_;
  std::vector<v1::RejectedRecord>* rejects_;
};

std::string LabelValue(const v1::AlertEvent& event, std::string_view name) {
  for (const v1::Label& l : event.labels()) {
    if (l.name() == name) return l.value();
  }
  return "";
}

const v1::Rule* FindRule(const v1::RuleFile& rules, const std::string& name) {
  for (const v1::Rule& r : rules.rules()) {
    if (r.name() == name) return &r;
  }
  return nullptr;
}

std::string FormatValue(v1::RuleMetric metric, double value) {
  switch (metric) {
    case v1::RULE_METRIC_HHI:
      return fmt::format("{:.3f}", value);
    case v1::RULE_METRIC_BALANCE:
      return fmt::format("${:.1f}B", value / 1e9);
    case v1::RULE_METRIC_TRANSIT_STALENESS_DAYS:
      return fmt::format("{:.0f} days", value);
    default:
      return fmt::format("{:.1f}%", value * 100.0);
  }
}

// Polls the service until `count()` reaches `expected` (markers closed by one of its loops).
absl::Status WaitForMarkers(Service& service, const std::function<int64_t()>& count,
                            int64_t expected, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (count() < expected) {
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(fmt::format(
          "the processor closed {} of {} {} within 120 s", count(), expected, what));
    }
    TW_RETURN_IF_ERROR(service.Poll(50));
  }
  return absl::OkStatus();
}

// Collects the transits of a PortWatch file by month.
class MonthlyTransits : public ingest::TransitSink {
 public:
  void OnTransit(const v1::ChokepointTransit& t) override {
    by_month[t.date_yyyymmdd() / 100].push_back(t);
  }
  void OnReject(const v1::RejectedRecord& reject) override { rejects.push_back(reject); }
  std::map<int32_t, std::vector<v1::ChokepointTransit>> by_month;
  std::vector<v1::RejectedRecord> rejects;
};

// The latest complete T12M imports result per product code, read back from the shares topic as a
// downstream consumer would.
absl::StatusOr<std::map<std::string, v1::PartnerShares>> LatestT12mShares(const Service& s) {
  const std::string topic = TopicName(s.config.kafka(), s.config.kafka().topics().shares());
  TW_ASSIGN_OR_RETURN(auto reader, kafka::KafkaConsumer::CreateReader(s.kafka.client));
  TW_ASSIGN_OR_RETURN(int32_t partitions, reader->PartitionCount(topic, 10000));
  std::map<std::string, v1::PartnerShares> latest;
  for (int32_t p = 0; p < partitions; ++p) {
    TW_ASSIGN_OR_RETURN(auto marks, reader->Watermarks(topic, p, 10000));
    TW_RETURN_IF_ERROR(kafka::ReadPartitionRange(
        s.kafka.client, topic, p, kafka::kOffsetBeginning, marks.second,
        [&](const kafka::ConsumedRecord& record) -> absl::Status {
          v1::PartnerShares shares;
          if (!shares.ParseFromArray(record.value().data(),
                                     static_cast<int>(record.value().size()))) {
            return absl::DataLossError(fmt::format("{}/{}@{}: not a PartnerShares", topic, p,
                                                   record.offset()));
          }
          if (shares.flow() != v1::FLOW_IMPORTS ||
              shares.window().kind() != v1::WINDOW_KIND_T12M || !shares.window().complete()) {
            return absl::OkStatus();
          }
          auto& best = latest[shares.product_code()];
          if (shares.window().end_period_yyyymm() > best.window().end_period_yyyymm() ||
              (shares.window().end_period_yyyymm() == best.window().end_period_yyyymm() &&
               shares.measure() == v1::MEASURE_GENERAL_IMPORTS)) {
            best = std::move(shares);
          }
          return absl::OkStatus();
        }));
  }
  return latest;
}

// The latest status of every chokepoint, read back from the status topic as a downstream
// consumer would (the compacted topic's last record per chokepoint and day; the latest day wins).
absl::StatusOr<std::map<std::string, v1::ChokepointStatus>> LatestChokepointStatus(
    const Service& s) {
  const std::string topic =
      TopicName(s.config.kafka(), s.config.kafka().topics().shipping_status());
  TW_ASSIGN_OR_RETURN(auto reader, kafka::KafkaConsumer::CreateReader(s.kafka.client));
  TW_ASSIGN_OR_RETURN(int32_t partitions, reader->PartitionCount(topic, 10000));
  std::map<std::string, v1::ChokepointStatus> latest;
  for (int32_t p = 0; p < partitions; ++p) {
    TW_ASSIGN_OR_RETURN(auto marks, reader->Watermarks(topic, p, 10000));
    TW_RETURN_IF_ERROR(kafka::ReadPartitionRange(
        s.kafka.client, topic, p, kafka::kOffsetBeginning, marks.second,
        [&](const kafka::ConsumedRecord& record) -> absl::Status {
          v1::ChokepointStatus status;
          if (!status.ParseFromArray(record.value().data(),
                                     static_cast<int>(record.value().size()))) {
            return absl::DataLossError(fmt::format("{}/{}@{}: not a ChokepointStatus", topic, p,
                                                   record.offset()));
          }
          auto& best = latest[status.chokepoint_id()];
          if (status.date_yyyymmdd() >= best.date_yyyymmdd()) best = std::move(status);
          return absl::OkStatus();
        }));
  }
  return latest;
}

// The chokepoints of the route table: their latest 7-day transits against baseline, and the share
// of `shares` (a product code's T12M imports) routed through each.
void PrintChokepointTable(std::FILE* out, const std::map<std::string, v1::ChokepointStatus>& latest,
                          const v1::RouteTable& routes, const v1::PartnerShares& shares) {
  fmt::print(out,
             "\nChokepoints of the route table (IMF PortWatch, 7 days to the latest day) and NAICS "
             "{} imports routed through them (T12M to {}):\n",
             shares.product_code(), FormatPeriod(shares.window().end_period_yyyymm()));
  fmt::print(out, "  {:<22} {:<10}  {:>11}  {:>8}  {:>6}  {:<28}  {:>8}\n", "chokepoint", "day",
             "transits_7d", "baseline", "ratio", "status", "exposure");
  for (const v1::Chokepoint& c : routes.chokepoints()) {
    auto it = latest.find(c.id());
    if (it == latest.end()) continue;
    const v1::ChokepointStatus& st = it->second;
    double exposure = 0;
    for (const v1::RouteExposure& x : shares.exposures()) {
      if (x.chokepoint_id() == c.id()) exposure = x.share();
    }
    std::string status = processors::TransitStatusName(st.status());
    if (st.episode_start_yyyymmdd() != 0) {
      status += fmt::format(" (since {})", FormatDate(st.episode_start_yyyymmdd()));
    }
    fmt::print(out, "  {:<22} {:<10}  {:>11}  {:>8}  {:>6}  {:<28}  {:>7.1f}%\n", c.name(),
               FormatDate(st.date_yyyymmdd()), st.transits_7d(),
               st.has_baseline_7d() ? fmt::format("{:.1f}", st.baseline_7d()) : "-",
               st.has_ratio() ? fmt::format("{:.2f}", st.ratio()) : "-", status,
               exposure * 100.0);
  }
}

void PrintShareTable(std::FILE* out, const v1::PartnerShares& s) {
  fmt::print(out, "\nNAICS {} imports ({}), trailing twelve months to {}: ${:.1f}B, HHI {:.3f}\n",
             s.product_code(), ShortName(s.measure()), FormatPeriod(s.window().end_period_yyyymm()),
             static_cast<double>(s.total_usd()) / 1e9, s.hhi());
  for (const v1::PartnerShare& p : s.partners()) {
    fmt::print(out, "  {:<34} {:>6.1f}%  ${:>7.2f}B\n",
               p.name().empty() ? p.code() : fmt::format("{} ({})", p.name(), p.code()),
               p.share() * 100.0, static_cast<double>(p.value_usd()) / 1e9);
  }
}

struct DemoOptions {
  std::string config;
  std::string data_dir = "../shared/data";
  std::string metrics_address;
  bool once = false;
};

absl::Status RunDemo(const DemoOptions& o, std::atomic<bool>* stop) {
  ServiceOverrides overrides;
  overrides.metrics_address = o.metrics_address;
  TW_ASSIGN_OR_RETURN(v1::ServiceConfig config, LoadConfigWithOverrides(o.config, overrides));
  config.mutable_kafka()->clear_brokers();  // the demo always runs on the embedded broker
  TW_ASSIGN_OR_RETURN(std::unique_ptr<Service> service, StartService(std::move(config)));
  const std::string alerts_topic =
      TopicName(service->config.kafka(), service->config.kafka().topics().alerts());
  fmt::print("embedded broker: {}   (read alerts with: kcat -b {} -t {} -C)\n",
             service->kafka.client.brokers, service->kafka.client.brokers, alerts_topic);
  if (!service->metrics_url().empty()) fmt::print("metrics: {}\n", service->metrics_url());
  std::fflush(stdout);

  ReplayOptions replay;
  replay.data_dir = o.data_dir;
  replay.timeline = stdout;
  replay.progress = stderr;
  TW_ASSIGN_OR_RETURN(ReplayResult result, ReplayDemoData(*service, replay));

  std::map<std::string, const v1::AlertEvent*> last_state;
  for (const v1::AlertEvent& e : result.alerts) last_state[AlertKey(e)] = &e;
  int firing = 0;
  for (const auto& [key, e] : last_state) firing += e->state() == v1::ALERT_STATE_FIRING;
  fmt::print("\n{} trade releases replayed: {} observations, {} rejected records on the "
             "dead-letter topic; {} shipping releases: {} chokepoint-days; {} alert transitions, "
             "{} alerts firing at the end\n",
             result.releases, result.observations, result.rejects, result.shipping_releases,
             result.transits, result.alerts.size(), firing);

  TW_ASSIGN_OR_RETURN(auto latest, LatestT12mShares(*service));
  for (const char* code : {"3344", "3341", "3342", "334"}) {
    auto it = latest.find(code);
    if (it != latest.end()) PrintShareTable(stdout, it->second);
  }
  TW_ASSIGN_OR_RETURN(auto chokepoints, LatestChokepointStatus(*service));
  if (auto it = latest.find("3344"); it != latest.end() && !chokepoints.empty()) {
    PrintChokepointTable(stdout, chokepoints, service->routes, it->second);
  }
  std::fflush(stdout);
  if (o.once) return absl::OkStatus();

  fmt::print("\nserving {} and the embedded broker {} until Ctrl-C\n", service->metrics_url(),
             service->kafka.client.brokers);
  std::fflush(stdout);
  return service->Run(*stop);
}

}  // namespace

std::vector<DemoSource> DemoDataset() {
  auto only = [](std::vector<std::string> codes) {
    return [codes = std::move(codes)](std::string_view code) {
      for (const std::string& c : codes) {
        if (c == code) return true;
      }
      return false;
    };
  };
  auto family_except = [](std::vector<std::string> excluded) {
    return [excluded = std::move(excluded)](std::string_view code) {
      if (code.substr(0, 3) != "334") return false;
      for (const std::string& c : excluded) {
        if (c == code) return false;
      }
      return true;
    };
  };
  return {
      {"census_naics_by_country/census_imports_naics_3344.csv", nullptr},
      {"census_naics3_by_country_2013_2025/"
       "census_imports_naics334_top30_countries_monthly_2013-01_2025-11.csv",
       nullptr},
      {"census_naics_by_country/census_imports_naics334family_by_country_2024_monthly.csv",
       family_except({"334", "3344"})},
      {"census_naics_by_country/census_exports_naics334family_by_country_2024_monthly.csv",
       family_except({"334"})},
      {"census_naics_world_totals/census_imports_naics_2016_2024.csv.gz", only({"334"})},
      {"census_naics_world_totals/census_exports_naics_3digit_2016_2024.csv.gz", only({"334"})},
      {"census_atp/census_atp_total_monthly_2013_2026.csv", nullptr},
  };
}

std::string FormatTimelineLine(const v1::AlertEvent& event, const v1::RuleFile& rules,
                               const ingest::CountryTable& countries,
                               const v1::RouteTable* routes) {
  const v1::Rule* rule = FindRule(rules, event.rule());
  const v1::RuleMetric metric = rule != nullptr ? rule->metric() : v1::RULE_METRIC_UNSPECIFIED;
  std::string subject = LabelValue(event, "region");
  if (const std::string partner = LabelValue(event, "partner"); !partner.empty()) {
    subject = fmt::format("{} ({})", countries.DisplayName(partner), partner);
  }
  if (const std::string chokepoint = LabelValue(event, "chokepoint"); !chokepoint.empty()) {
    std::string name = chokepoint;
    for (int i = 0; routes != nullptr && i < routes->chokepoints_size(); ++i) {
      if (routes->chokepoints(i).id() == chokepoint) name = routes->chokepoints(i).name();
    }
    subject = "via " + name;
  }
  if (subject.empty()) subject = "all partners";
  const bool firing = event.state() == v1::ALERT_STATE_FIRING;
  const v1::AlertEvidence& ev = event.evidence();
  const bool above = rule != nullptr && rule->has_above();
  // Firing: the value beyond the threshold; resolved: the value back across the clear level.
  // A composite rule may resolve on its route side alone: its trade side is then still beyond
  // the clear level, and shown against the threshold.
  const bool trade_cleared = above ? ev.value() < ev.clear() : ev.value() > ev.clear();
  const bool show_threshold = firing || (rule != nullptr && rule->has_route() && !trade_cleared);
  const char* relation = show_threshold == above ? ">" : "<";
  std::string against = show_threshold
                            ? FormatValue(metric, ev.threshold())
                            : fmt::format("{} (clear)", FormatValue(metric, ev.clear()));
  std::string route;
  if (rule != nullptr && rule->has_route() && event.route().status().has_ratio()) {
    const double ratio = event.route().status().ratio();
    const bool low = ratio < event.route().ratio_threshold();
    route = fmt::format("  and transits {:.1f}% {} {:.1f}% of baseline", ratio * 100.0,
                        low ? "<" : ">=",
                        (low || firing ? event.route().ratio_threshold()
                                       : event.route().ratio_clear()) *
                            100.0);
  }
  const std::string when = event.date_yyyymmdd() != 0 ? FormatDate(event.date_yyyymmdd())
                                                      : FormatPeriod(event.period_yyyymm());
  return fmt::format("{:<10}  {:<8}  {:<42}  {:<6} {:<5}  {:<26}  {} {} {}{}{}", when,
                     firing ? "FIRING" : "RESOLVED", event.rule(),
                     LabelValue(event, "product_code"), LabelValue(event, "window"), subject,
                     FormatValue(metric, ev.value()), relation, against, route,
                     ev.cause() == v1::ALERT_CAUSE_REVISION ? "  (revision)" : "");
}

absl::StatusOr<ReplayResult> ReplayDemoData(Service& service, const ReplayOptions& options) {
  ReplayResult result;
  std::map<int32_t, std::vector<v1::TradeObservation>> by_period;
  std::vector<v1::RejectedRecord> rejects;
  for (const DemoSource& source : options.sources) {
    const std::string path = options.data_dir + "/" + source.path;
    ingest::ReadOptions read;
    read.countries = &service.countries;
    read.release_id = "demo";
    read.vintage = 1;
    BucketSink sink(source.keep, &by_period, &rejects);
    ingest::CensusReader reader(read, &sink);
    TW_RETURN_IF_ERROR(reader.ReadFile(path));
    if (options.progress != nullptr) {
      fmt::print(options.progress, "read {}: {}\n", source.path, reader.summary().Format());
    }
  }

  MonthlyTransits shipping;
  if (!options.portwatch.empty()) {
    ingest::PortwatchReadOptions read;
    read.release_id = "demo";
    read.vintage = 1;
    ingest::PortwatchReader reader(read, &shipping);
    TW_RETURN_IF_ERROR(reader.ReadFile(options.data_dir + "/" + options.portwatch));
    if (options.progress != nullptr) {
      fmt::print(options.progress, "read {}: {}\n", options.portwatch,
                 reader.summary().Format());
    }
  }

  if (options.timeline != nullptr) {
    fmt::print(options.timeline, "\n{:<10}  {:<8}  {:<42}  {:<6} {:<5}  {:<26}  {}\n",
               "period/day", "state", "rule", "code", "window", "partner or route", "value");
  }
  // The listener captures this call's locals: it is removed on every way out.
  struct ListenerReset {
    AlertingHook* hook;
    ~ListenerReset() { hook->set_listener(nullptr); }
  } reset{service.hook.get()};
  service.hook->set_listener([&](const v1::AlertEvent& event) {
    result.alerts.push_back(event);
    if (options.timeline != nullptr) {
      if (options.progress != nullptr && isatty(fileno(options.progress))) {
        fmt::print(options.progress, "\r\033[K");
      }
      fmt::print(options.timeline, "{}\n",
                 FormatTimelineLine(event, service.rules, service.countries, &service.routes));
      std::fflush(options.timeline);
    }
  });

  ingest::ObservationPublisher publisher(service.publish_topics(), service.producer.get(),
                                         service.ingest_metrics.get());
  TW_ASSIGN_OR_RETURN(const ingest::TransitTopics transit_topics, service.transit_topics());
  ingest::TransitPublisher transit_publisher(transit_topics, service.producer.get());
  const int64_t shipping_before = service.shipping->markers_processed();
  // Publishes the shipping months up to `through` (yyyymm) not yet published, one release each.
  auto replay_shipping = [&](int32_t through) -> absl::Status {
    while (!shipping.by_month.empty() && shipping.by_month.begin()->first <= through) {
      auto month = shipping.by_month.extract(shipping.by_month.begin());
      const std::string release_id = "portwatch-" + FormatPeriod(month.key());
      const int64_t vintage = 100000 + month.key();
      for (v1::ChokepointTransit& t : month.mapped()) {
        t.set_release_id(release_id);
        t.set_vintage(vintage);
        transit_publisher.OnTransit(t);
      }
      TW_RETURN_IF_ERROR(
          transit_publisher.FinishRelease(release_id, vintage, LastDayOfMonth(month.key())));
      result.transits += static_cast<int64_t>(month.mapped().size());
      ++result.shipping_releases;
      if (options.wait_for_processor) {
        TW_RETURN_IF_ERROR(WaitForMarkers(
            service, [&] { return service.shipping->markers_processed(); },
            shipping_before + static_cast<int64_t>(transit_topics.transit_partitions) *
                                  result.shipping_releases,
            "shipping release markers"));
      }
    }
    return absl::OkStatus();
  };
  const int32_t partitions = service.publish_topics().observation_partitions;
  const bool tty = options.progress != nullptr && isatty(fileno(options.progress));
  const int total = static_cast<int>(by_period.size());
  result.total_releases = total;
  const int last = options.release_count < 0 ? total
                                             : std::min(total, options.first_release +
                                                                   options.release_count);
  const int64_t markers_before = service.processor->markers_processed();
  int index = -1;
  for (auto& [period, observations] : by_period) {
    ++index;
    if (index < options.first_release || index >= last) continue;
    if (index == options.first_release) {
      for (const v1::RejectedRecord& reject : rejects) publisher.OnReject(reject);
      for (const v1::RejectedRecord& reject : shipping.rejects) publisher.OnReject(reject);
      result.rejects = static_cast<int64_t>(rejects.size() + shipping.rejects.size());
    }
    const std::string release_id = FormatPeriod(period);
    const int64_t vintage = index + 1;
    for (v1::TradeObservation& o : observations) {
      o.set_release_id(release_id);
      o.set_vintage(vintage);
      publisher.OnObservation(o);
    }
    TW_RETURN_IF_ERROR(publisher.FinishRelease(release_id, vintage, period));
    result.observations += static_cast<int64_t>(observations.size());
    ++result.releases;
    if (options.wait_for_processor) {
      TW_RETURN_IF_ERROR(WaitForMarkers(
          service, [&] { return service.processor->markers_processed(); },
          markers_before + static_cast<int64_t>(partitions) * result.releases,
          "release markers"));
    }
    TW_RETURN_IF_ERROR(replay_shipping(index + 1 == total ? INT32_MAX : period));
    if (options.progress != nullptr && (tty || (index + 1) % 24 == 0 || index + 1 == last)) {
      fmt::print(options.progress, "{}replayed {}/{} releases (through {}){}", tty ? "\r\033[K" : "",
                 index + 1, total, release_id, tty ? "" : "\n");
      std::fflush(options.progress);
    }
  }
  // Without trade releases (or when they end before the shipping data), the shipping months
  // still follow.
  if (last == total) TW_RETURN_IF_ERROR(replay_shipping(INT32_MAX));
  if (tty) fmt::print(options.progress, "\n");
  return result;
}

void AddDemoCommand(CLI::App& app, int* exit_code, std::atomic<bool>* stop,
                    void (*install_signals)()) {
  static DemoOptions o;
  auto* demo = app.add_subcommand(
      "demo", "The monitor in one process on the embedded broker: replay the real Census data "
              "month by month, print the alert timeline and the share tables, serve /metrics");
  demo->add_flag("--once", o.once, "exit after the replay instead of serving /metrics");
  demo->add_option("--data", o.data_dir, "the shared data directory")->capture_default_str();
  demo->add_option("--config", o.config, "service configuration YAML (brokers are ignored)");
  demo->add_option("--metrics-address", o.metrics_address,
                   "host:port of /metrics (default 127.0.0.1:9464; port 0 picks one)");
  demo->callback([exit_code, stop, install_signals] {
    install_signals();
    // The timeline is the demo's output: lifecycle logs only with an explicit --log-level.
    if (!LogLevelWasSet()) SetLogLevel("warn");
    if (auto s = RunDemo(o, stop); !s.ok()) *exit_code = Fail(s);
  });
}

}  // namespace tradewatch::tools
