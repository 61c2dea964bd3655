#include "tools/portwatch_command.h"

#include <chrono>
#include <iostream>

#include "common/logging.h"
#include "common/period.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/transit_publisher.h"
#include "tools/report_command.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;

struct PortwatchIngestOptions {
  std::vector<std::string> files;
  std::string config;
  ServiceOverrides overrides;
  std::string release_id;
  int64_t vintage = 0;
  std::string horizon;
  bool dry_run = false;
  bool quiet = false;
};

absl::StatusOr<ingest::PortwatchReadOptions> ReadOptionsFrom(const PortwatchIngestOptions& o) {
  ingest::PortwatchReadOptions read;
  const ReleaseStamp stamp = StampRelease(o.release_id, o.vintage);
  read.vintage = stamp.vintage;
  read.release_id = stamp.release_id;
  TW_ASSIGN_OR_RETURN(read.horizon_yyyymmdd, ParseDateFlag(o.horizon, "--horizon"));
  return read;
}

// Prints every rejected row, as `check census` does.
class PrintingTransitSink : public ingest::TransitSink {
 public:
  void OnTransit(const v1::ChokepointTransit&) override {}
  void OnReject(const v1::RejectedRecord& r) override {
    std::cout << "reject " << ingest::RejectReasonName(r.reason()) << ": " << r.message() << "\n";
  }
};

// Reads every file, handing what it reads to `sink`, and prints the accounting lines.
absl::Status ReadAll(const std::vector<std::string>& files,
                     const ingest::PortwatchReadOptions& read, ingest::TransitSink* sink,
                     const absl::Status* sink_status, std::ostream* out,
                     ingest::PortwatchSummary* summary) {
  ingest::PortwatchReader reader(read, sink);
  for (const std::string& file : files) {
    TW_RETURN_IF_ERROR(reader.ReadFile(file));
    if (sink_status != nullptr) TW_RETURN_IF_ERROR(*sink_status);
    if (out != nullptr) *out << file << ": " << reader.last_file_summary().Format() << "\n";
  }
  if (files.size() > 1 && out != nullptr) *out << "total: " << reader.summary().Format() << "\n";
  *summary = reader.summary();
  return absl::OkStatus();
}

absl::Status RunPortwatchIngest(const PortwatchIngestOptions& o) {
  TW_ASSIGN_OR_RETURN(const ingest::PortwatchReadOptions read, ReadOptionsFrom(o));
  std::ostream* out = o.quiet ? nullptr : &std::cout;
  if (o.dry_run) {
    PrintingTransitSink sink;
    ingest::PortwatchSummary summary;
    return ReadAll(o.files, read, &sink, nullptr, &std::cout, &summary);
  }
  TW_ASSIGN_OR_RETURN(v1::ServiceConfig config, LoadConfigWithOverrides(o.config, o.overrides));
  if (config.kafka().brokers().empty()) {
    Logger("ingest")->warn(
        "no brokers configured: writing to an embedded broker that ends with this command "
        "(give --brokers or kafka.brokers to reach a running cluster)");
  }
  TW_ASSIGN_OR_RETURN(std::unique_ptr<Service> service, StartIngestSide(std::move(config)));
  TW_ASSIGN_OR_RETURN(PortwatchPublished published,
                      PublishPortwatchFiles(o.files, read, *service, out));
  std::cout << fmt::format("release {} (vintage {}): {} transits to {} ({} partitions, a release "
                           "marker on each), {} rejects to {}\n",
                           read.release_id, read.vintage, published.transits_sent,
                           published.topic, published.partitions, published.rejects_sent,
                           TopicName(service->config.kafka(),
                                     service->config.kafka().topics().deadletter()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PortwatchPublished> PublishPortwatchFiles(const std::vector<std::string>& files,
                                                         const ingest::PortwatchReadOptions& read,
                                                         Service& service, std::ostream* out) {
  TW_ASSIGN_OR_RETURN(const ingest::TransitTopics topics, service.transit_topics());
  PortwatchPublished published;
  published.topic = topics.transits;
  published.partitions = topics.transit_partitions;
  ingest::TransitPublisher publisher(topics, service.producer.get());
  TW_RETURN_IF_ERROR(ReadAll(files, read, &publisher, &publisher.status(), out,
                             &published.summary));
  // The horizon of the release: --horizon, else the files' own when they agree (else 0: the
  // latest date sent).
  TW_RETURN_IF_ERROR(publisher.FinishRelease(read.release_id, read.vintage,
                                             read.horizon_yyyymmdd > 0
                                                 ? read.horizon_yyyymmdd
                                                 : published.summary.horizon.date_yyyymmdd));
  published.transits_sent = publisher.transits_sent();
  published.rejects_sent = publisher.rejects_sent();
  return published;
}

void AddPortwatchInputs(CLI::App* cmd, std::vector<std::string>* files, std::string* horizon) {
  cmd->add_option("files", *files,
                  "PortWatch daily chokepoint tables (CSV or the JSON form), plain or gzip; a "
                  "later file's day replaces an earlier file's")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--horizon", *horizon,
                  "latest date the files may carry, YYYY-MM-DD; later rows are rejected "
                  "(default: each file's own: its \"updated\" date, else the last date in its "
                  "name)");
}

void AddPortwatchIngest(CLI::App* ingest, int* exit_code) {
  static PortwatchIngestOptions o;
  auto* cmd = ingest->add_subcommand(
      "portwatch",
      "Read IMF PortWatch daily chokepoint transits and publish them to the shipping transits "
      "topic (rejected rows to the dead-letter topic)");
  AddPortwatchInputs(cmd, &o.files, &o.horizon);
  cmd->add_option("--config", o.config,
                  "service configuration YAML (proto tradewatch.v1.ServiceConfig); default: "
                  "every default, embedded broker");
  cmd->add_option("-b,--brokers", o.overrides.brokers,
                  "bootstrap servers host:port[,...] (overrides kafka.brokers)");
  cmd->add_option("--release", o.release_id,
                  "release id stamped on every transit (default ingest-<vintage>)");
  cmd->add_option("--vintage", o.vintage,
                  "vintage number; a later vintage replaces earlier values (default: now, "
                  "seconds since the epoch)");
  cmd->add_flag("--dry-run", o.dry_run,
                "validate only: print every rejected row and each file's accounting, write "
                "nothing");
  cmd->add_flag("-q,--quiet", o.quiet, "no per-file summary");
  cmd->callback([exit_code] {
    if (auto s = RunPortwatchIngest(o); !s.ok()) *exit_code = Fail(s);
  });
}

}  // namespace tradewatch::tools
