#include "tools/service_command.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "common/logging.h"
#include "common/period.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/census_reader.h"
#include "tools/census_poll_command.h"
#include "tools/demo.h"
#include "tools/portwatch_command.h"
#include "tools/reference_data.h"
#include "tools/report_command.h"
#include "tools/service.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

void InstallStopSignals() {
  std::signal(SIGTERM, OnStopSignal);
  std::signal(SIGINT, OnStopSignal);
}

struct IngestOptions {
  std::vector<std::string> files;
  std::string config;
  ServiceOverrides overrides;
  std::string release_id;
  int64_t vintage = 0;
  std::string release_through;
  std::string mapping;
  std::string countries;
  bool dry_run = false;
  bool quiet = false;
  CensusApiOptions api;
};

absl::Status RunIngest(const IngestOptions& o) {
  if (o.dry_run) {
    CheckRequest request;
    request.files = o.files;
    request.countries_path = o.countries.empty() ? DefaultCountriesPath() : o.countries;
    request.mapping = o.mapping;
    request.release_id = o.release_id;
    request.release_through = o.release_through;
    return CheckCensusFiles(request);
  }
  TW_ASSIGN_OR_RETURN(v1::ServiceConfig config, LoadConfigWithOverrides(o.config, o.overrides));
  if (!o.countries.empty()) config.mutable_processor()->set_countries_file(o.countries);
  if (config.kafka().brokers().empty()) {
    Logger("ingest")->warn(
        "no brokers configured: writing to an embedded broker that ends with this command "
        "(give --brokers or kafka.brokers to reach a running cluster)");
  }
  TW_ASSIGN_OR_RETURN(std::unique_ptr<Service> service, StartIngestSide(std::move(config)));
  TW_ASSIGN_OR_RETURN(auto mapping, ResolveColumnMapping(o.mapping));

  ingest::ReadOptions read;
  read.countries = &service->countries;
  const ReleaseStamp stamp = StampRelease(o.release_id, o.vintage);
  read.vintage = stamp.vintage;
  read.release_id = stamp.release_id;
  read.mapping = mapping;
  TW_ASSIGN_OR_RETURN(read.release_through_period,
                      ParseMonthFlag(o.release_through, "--release-through"));

  ingest::ObservationPublisher publisher(service->publish_topics(), service->producer.get());
  struct LatestPeriod : ingest::RecordSink {
    ingest::ObservationPublisher* next;
    int32_t latest = 0;
    void OnObservation(const v1::TradeObservation& observation) override {
      latest = std::max(latest, observation.period_yyyymm());
      next->OnObservation(observation);
    }
    void OnReject(const v1::RejectedRecord& reject) override { next->OnReject(reject); }
  } sink;
  sink.next = &publisher;
  ingest::CensusReader reader(read, &sink);
  for (const std::string& file : o.files) {
    TW_RETURN_IF_ERROR(reader.ReadFile(file));
    TW_RETURN_IF_ERROR(publisher.status());
    if (!o.quiet) std::cout << file << ": " << reader.last_file_summary().Format() << "\n";
  }
  if (o.files.size() > 1 && !o.quiet) std::cout << "total: " << reader.summary().Format() << "\n";
  const int32_t through =
      read.release_through_period > 0 ? read.release_through_period : sink.latest;
  TW_RETURN_IF_ERROR(publisher.FinishRelease(read.release_id, read.vintage, through));
  std::cout << fmt::format(
      "release {} (vintage {}, through {}): {} observations, {} rejects to {}, {} markers on {}\n",
      read.release_id, read.vintage, through > 0 ? FormatPeriod(through) : "-",
      publisher.observations_sent(), publisher.rejects_sent(),
      service->publish_topics().deadletter, service->publish_topics().observation_partitions,
      service->publish_topics().observations);
  return absl::OkStatus();
}

struct ProcessOptions {
  std::string config;
  ServiceOverrides overrides;
};

absl::Status RunProcess(const ProcessOptions& o) {
  TW_ASSIGN_OR_RETURN(v1::ServiceConfig config, LoadConfigWithOverrides(o.config, o.overrides));
  InstallStopSignals();
  TW_ASSIGN_OR_RETURN(std::unique_ptr<Service> service, StartService(std::move(config)));
  if (service->kafka.embedded) {
    std::cout << "embedded broker: " << service->kafka.client.brokers << "\n" << std::flush;
  }
  if (!service->metrics_url().empty()) {
    std::cout << "metrics: " << service->metrics_url() << "\n" << std::flush;
  }
  TW_RETURN_IF_ERROR(service->Run(g_stop));
  Logger("processor")
      ->info("stopped after {} release markers and {} shipping release markers",
             service->processor->markers_processed(), service->shipping->markers_processed());
  return absl::OkStatus();
}

void AddKafkaOverrides(CLI::App* cmd, std::string* config, ServiceOverrides* overrides) {
  cmd->add_option("--config", *config,
                  "service configuration YAML (proto tradewatch.v1.ServiceConfig); default: "
                  "every default, embedded broker");
  cmd->add_option("-b,--brokers", overrides->brokers,
                  "bootstrap servers host:port[,...] (overrides kafka.brokers)");
}

}  // namespace

void AddServiceCommands(CLI::App& app, int* exit_code) {
  auto* ingest = app.add_subcommand(
      "ingest", "Publish data: Census trade to the observation topic, PortWatch transits to the "
                "shipping transits topic");
  ingest->require_subcommand(1);
  static IngestOptions ingest_o;
  auto* census = ingest->add_subcommand(
      "census",
      "Read Census files, or poll the Census API (--api), and publish observations, dead letters "
      "and release markers");
  CLI::Option* files =
      census->add_option("files", ingest_o.files, "Census tables (API JSON or CSV, plain or gzip)")
          ->check(CLI::ExistingFile);
  AddKafkaOverrides(census, &ingest_o.config, &ingest_o.overrides);
  CLI::Option* release = census->add_option(
      "--release", ingest_o.release_id,
      "release id stamped on every observation and marker (default ingest-<vintage>)");
  CLI::Option* vintage =
      census->add_option("--vintage", ingest_o.vintage,
                         "vintage number; a later vintage replaces earlier values (default: now, "
                         "seconds since the epoch)");
  CLI::Option* through = census->add_option(
      "--release-through", ingest_o.release_through,
      "latest month the release may carry, YYYY-MM (later periods are rejected)");
  CLI::Option* mapping =
      census->add_option("--mapping", ingest_o.mapping,
                         "column mapping: built-in name or YAML file (default: detected per file)");
  census->add_option("--countries", ingest_o.countries, "Census Schedule C country table CSV");
  CLI::Option* dry_run = census->add_flag(
      "--dry-run", ingest_o.dry_run, "validate only: read and print the summary, write nothing");
  CLI::Option* quiet = census->add_flag("-q,--quiet", ingest_o.quiet, "no per-file summary");
  CLI::Option* api = AddCensusApiOptions(census, &ingest_o.api);
  // The API poller names its own releases and vintages and reads what Census sends.
  for (CLI::Option* file_only : {files, release, vintage, through, mapping, dry_run, quiet}) {
    api->excludes(file_only);
  }
  census->callback([exit_code] {
    absl::Status status;
    if (ingest_o.api.api) {
      status = RunCensusApi(ingest_o.config, ingest_o.overrides, ingest_o.countries, ingest_o.api,
                            &g_stop, InstallStopSignals);
    } else if (ingest_o.files.empty()) {
      status = absl::InvalidArgumentError(
          "ingest census: give FILES to read, or --api to poll the Census API");
    } else {
      status = RunIngest(ingest_o);
    }
    if (!status.ok()) *exit_code = Fail(status);
  });

  AddPortwatchIngest(ingest, exit_code);

  static ProcessOptions process_o;
  auto* process = app.add_subcommand(
      "process", "Run the processing loop: shares, balances, rules, alerts and /metrics until "
                 "SIGTERM or SIGINT");
  AddKafkaOverrides(process, &process_o.config, &process_o.overrides);
  process->add_option("--metrics-address", process_o.overrides.metrics_address,
                      "host:port of /metrics (overrides metrics.listen_address)");
  process->add_option("--rules", process_o.overrides.rule_files,
                      "rule files (override rule_files; default: deploy/rules/default.yaml, "
                      "built in)");
  process->add_option("--group", process_o.overrides.group_id,
                      "consumer group (overrides kafka.group_id)");
  process->callback([exit_code] {
    if (auto s = RunProcess(process_o); !s.ok()) *exit_code = Fail(s);
  });

  AddDemoCommand(app, exit_code, &g_stop, InstallStopSignals);
}

}  // namespace tradewatch::tools
