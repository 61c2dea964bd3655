#include "tools/census_poll_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <utility>

#include "common/clock.h"
#include "common/kafka/kafka_consumer.h"
#include "common/logging.h"
#include "common/period.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/census_api_client.h"
#include "ingest/census_poller.h"
#include "ingest/census_watch.h"
#include "ingest/http_fetcher.h"
#include "ingest/ingest_metrics.h"
#include "ingest/observation_publisher.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"
#include "tools/service_config.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;

absl::StatusOr<int32_t> ParseMonthOption(const std::string& name, const std::string& text) {
  if (text.empty()) return 0;
  auto period = ParsePeriod(text);
  if (!period || text.size() != 7) {
    return absl::InvalidArgumentError(fmt::format("{} '{}': expected YYYY-MM", name, text));
  }
  return *period;
}

// The configured queries, or those named with --query.
absl::StatusOr<std::vector<v1::CensusApiQuery>> SelectQueries(
    const v1::CensusApiConfig& api, const std::vector<std::string>& names) {
  std::vector<v1::CensusApiQuery> all =
      ingest::NormalizeCensusQueries({api.queries().begin(), api.queries().end()});
  if (names.empty()) return all;
  std::vector<v1::CensusApiQuery> selected;
  for (const std::string& name : names) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const v1::CensusApiQuery& q) { return q.name() == name; });
    if (it == all.end()) {
      std::vector<std::string> known;
      for (const auto& q : all) known.push_back(q.name());
      return absl::InvalidArgumentError(fmt::format(
          "--query {}: no such census_api query (configured: {})", name, fmt::join(known, ", ")));
    }
    selected.push_back(*it);
  }
  return selected;
}

void PrintQueries(const ingest::PollResult& result) {
  for (const ingest::QueryResult& q : result.queries) {
    if (q.status == 204) {
      std::cout << fmt::format("{}: HTTP 204, no data yet\n", q.name);
      continue;
    }
    std::cout << fmt::format("{}: HTTP 200{}, {}: {}\n", q.name,
                             q.attempts > 1 ? fmt::format(" after {} attempts", q.attempts) : "",
                             q.cache_file.empty() ? "not kept" : q.cache_file, q.summary.Format());
  }
}

}  // namespace

CLI::Option* AddCensusApiOptions(CLI::App* census, CensusApiOptions* o) {
  const char* kGroup = "Census API (--api)";
  CLI::Option* api =
      census
          ->add_flag("--api", o->api,
                     "poll the Census international-trade API instead of reading FILES: fetch "
                     "census_api.queries (default: imports and exports of NAICS 334 and "
                     "3341-3346 by partner) for the months from census_api.lookback_months "
                     "before the latest month on the observation topic, publish only new and "
                     "revised observations (a new vintage) and a release marker; the key comes "
                     "from $CENSUS_API_KEY (census_api.api_key_env) or census_api.api_key_file")
          ->group(kGroup);
  CLI::Option* watch =
      census
          ->add_flag("--watch", o->watch,
                     "keep polling on the release calendar (census_api.calendar: about 35 days "
                     "after each month ends) until SIGTERM/SIGINT, serving /metrics")
          ->group(kGroup)
          ->needs(api);
  CLI::Option* from = census
                          ->add_option("--from", o->from,
                                       "first month to fetch, YYYY-MM (one poll only; default: "
                                       "lookback_months before the latest month held)")
                          ->group(kGroup)
                          ->needs(api)
                          ->excludes(watch);
  census
      ->add_option("--to", o->to,
                   "last month to fetch, YYYY-MM (one poll only, with --from; default: the latest "
                   "published)")
      ->group(kGroup)
      ->needs(from)
      ->excludes(watch);
  census
      ->add_option("--query", o->queries,
                   "poll only these census_api.queries, by name (default names: imports_naics, "
                   "exports_naics)")
      ->group(kGroup)
      ->needs(api);
  census
      ->add_option("--base-url", o->base_url,
                   "API base URL (overrides census_api.base_url, default "
                   "https://api.census.gov/data/timeseries/intltrade)")
      ->group(kGroup)
      ->needs(api);
  census
      ->add_option("--cache-dir", o->cache_dir,
                   "directory of the raw answers kept for audit (overrides census_api.cache_dir, "
                   "default census-api-cache)")
      ->group(kGroup)
      ->needs(api);
  census
      ->add_option("--metrics-address", o->metrics_address,
                   "host:port of /metrics with --watch (overrides "
                   "census_api.metrics_listen_address, default 127.0.0.1:9465)")
      ->group(kGroup)
      ->needs(watch);
  return api;
}

absl::StatusOr<int64_t> LoadHeldVintages(const Service& service,
                                         const std::vector<v1::CensusApiQuery>& queries,
                                         ingest::HeldVintages* held) {
  const std::string topic =
      TopicName(service.config.kafka(), service.config.kafka().topics().observations());
  TW_ASSIGN_OR_RETURN(auto reader, kafka::KafkaConsumer::CreateReader(service.kafka.client));
  TW_ASSIGN_OR_RETURN(int32_t partitions, reader->PartitionCount(topic, 10000));
  int64_t records = 0;
  v1::TradeEvent event;
  for (int32_t p = 0; p < partitions; ++p) {
    TW_ASSIGN_OR_RETURN(auto marks, reader->Watermarks(topic, p, 10000));
    if (marks.second <= 0 || marks.second <= marks.first) continue;
    TW_RETURN_IF_ERROR(kafka::ReadPartitionRange(
        service.kafka.client, topic, p, kafka::kOffsetBeginning, marks.second,
        [&](const kafka::ConsumedRecord& r) -> absl::Status {
          ++records;
          // Markers and undecodable records are not observations; the processor accounts for
          // the latter.
          if (event.ParseFromArray(r.value().data(), static_cast<int>(r.value().size())) &&
              event.has_observation() && ingest::QueriesCover(queries, event.observation())) {
            held->Hold(event.observation());
          }
          return absl::OkStatus();
        }));
  }
  return records;
}

absl::Status RunCensusApi(const std::string& config_path, const ServiceOverrides& overrides,
                          const std::string& countries_path, const CensusApiOptions& o,
                          std::atomic<bool>* stop, void (*install_signals)()) {
  TW_ASSIGN_OR_RETURN(v1::ServiceConfig config, LoadConfigWithOverrides(config_path, overrides));
  v1::CensusApiConfig* api = config.mutable_census_api();
  if (!o.base_url.empty()) api->set_base_url(o.base_url);
  if (!o.cache_dir.empty()) api->set_cache_dir(o.cache_dir);
  if (!o.metrics_address.empty()) api->set_metrics_listen_address(o.metrics_address);
  if (!countries_path.empty()) config.mutable_processor()->set_countries_file(countries_path);
  TW_RETURN_IF_ERROR(ValidateServiceConfig(config));
  TW_ASSIGN_OR_RETURN(int32_t from, ParseMonthOption("--from", o.from));
  TW_ASSIGN_OR_RETURN(int32_t to, ParseMonthOption("--to", o.to));
  if (to > 0 && to < from) {
    return absl::InvalidArgumentError(fmt::format("--to {} is before --from {}", o.to, o.from));
  }
  TW_ASSIGN_OR_RETURN(std::vector<v1::CensusApiQuery> queries, SelectQueries(*api, o.queries));
  TW_ASSIGN_OR_RETURN(std::string key, ingest::ResolveCensusApiKey(*api));
  auto log = Logger("ingest");
  if (key.empty()) {
    log->warn("no Census API key (${} is unset and no census_api.api_key_file): requests are "
              "anonymous, and the API allows only a limited number a day",
              api->api_key_env());
  }
  if (config.kafka().brokers().empty()) {
    log->warn("no brokers configured: publishing to an embedded broker that ends with this "
              "command (give --brokers or kafka.brokers to reach a running cluster)");
  }

  TW_ASSIGN_OR_RETURN(std::unique_ptr<Service> service, StartIngestSide(config));
  if (service->kafka.embedded && o.watch) {
    std::cout << "embedded broker: " << service->kafka.client.brokers << "\n" << std::flush;
  }
  // The Exposer holds the registry by weak_ptr: it must be shared and outlive the exposer.
  auto registry = std::make_shared<prometheus::Registry>();
  ingest::IngestMetrics ingest_metrics(*registry);
  ingest::CensusPollMetrics poll_metrics(*registry);
  std::unique_ptr<prometheus::Exposer> exposer;
  if (o.watch) {
    try {  // civetweb reports a port it cannot bind by exception
      exposer = std::make_unique<prometheus::Exposer>(api->metrics_listen_address());
    } catch (const std::exception& e) {
      return absl::UnavailableError(fmt::format("census_api.metrics_listen_address {}: cannot "
                                                "listen: {}",
                                                api->metrics_listen_address(), e.what()));
    }
    exposer->RegisterCollectable(registry);
    const std::string& address = api->metrics_listen_address();
    std::cout << fmt::format("metrics: http://{}:{}/metrics\n",
                             address.substr(0, address.rfind(':')),
                             exposer->GetListeningPorts().front())
              << std::flush;
  }

  static const std::atomic<bool> kNeverStop{false};
  const std::atomic<bool>& stopping = stop != nullptr ? *stop : kNeverStop;
  SystemClock clock;
  ingest::HttpFetchOptions fetch;
  fetch.connect_timeout = std::chrono::milliseconds(api->connect_timeout_ms());
  fetch.timeout = std::chrono::milliseconds(api->timeout_ms());
  fetch.max_response_bytes = api->max_response_bytes();
  fetch.stop = &stopping;
  TW_ASSIGN_OR_RETURN(std::unique_ptr<ingest::CurlHttpFetcher> fetcher,
                      ingest::CurlHttpFetcher::Create(fetch));
  ingest::CensusApiClient::Options client_options;
  client_options.retry.max_attempts = api->max_attempts();
  client_options.retry.initial_backoff = std::chrono::milliseconds(api->initial_backoff_ms());
  client_options.retry.max_backoff = std::chrono::milliseconds(api->max_backoff_ms());
  client_options.retry.jitter = api->backoff_jitter();
  client_options.secret = key;
  client_options.seed = static_cast<uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  ingest::CensusApiClient client(
      fetcher.get(), client_options,
      [&](std::chrono::milliseconds delay) {
        return clock.SleepUntil(clock.Now() + delay, stopping);
      },
      [&](ingest::PollErrorKind kind) { poll_metrics.Errors(kind).Increment(); });

  ingest::ObservationPublisher publisher(service->publish_topics(), service->producer.get(),
                                         &ingest_metrics);
  ingest::CensusPollerOptions poller_options;
  poller_options.base_url = api->base_url();
  poller_options.api_key = key;
  poller_options.queries = queries;
  poller_options.lookback_months = api->lookback_months();
  poller_options.range = {from, to};
  poller_options.cache_dir = api->cache_dir();
  poller_options.calendar = ingest::ReleaseCalendar::FromConfig(api->calendar());
  ingest::CensusPoller poller(std::move(poller_options), &client, &service->countries, &publisher,
                              &poll_metrics);
  {
    const auto started = std::chrono::steady_clock::now();
    TW_ASSIGN_OR_RETURN(int64_t records, LoadHeldVintages(*service, queries, &poller.held()));
    const ingest::HeldVintages& held = poller.held();
    log->info("holding {} observations (latest {}) of {} records read from the observation topic "
              "in {:.1f} s",
              held.size(), held.latest_period() > 0 ? FormatPeriod(held.latest_period()) : "-",
              records,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }

  if (!o.watch) {
    TW_ASSIGN_OR_RETURN(ingest::PollResult result, poller.Poll(clock.Now()));
    PrintQueries(result);
    std::cout << result.Format() << "\n";
    return absl::OkStatus();
  }

  if (install_signals != nullptr) install_signals();
  ingest::CensusWatch watch(ingest::ReleaseCalendar::FromConfig(api->calendar()), &clock,
                            [&](ingest::TimePoint now) { return poller.Poll(now); },
                            poller.held().latest_period(), &poll_metrics);
  watch.Run(stopping);
  log->info("stopped after {} polls", watch.polls());
  return absl::OkStatus();
}

}  // namespace tradewatch::tools
