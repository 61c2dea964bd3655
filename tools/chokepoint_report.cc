#include "tools/chokepoint_report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/json_writer.h"
#include "common/period.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/portwatch_reader.h"
#include "processors/chokepoint_analytics.h"
#include "tools/portwatch_command.h"
#include "tools/report_command.h"
#include "tools/service_config.h"

namespace tradewatch::tools {
namespace {

namespace v1 = tradewatch::v1;
using processors::ChokepointOptions;
using processors::ChokepointSeries;

struct ChokepointReportOptions {
  std::vector<std::string> files;
  std::string date;
  bool history = false;
  std::string format = "table";
  std::string config;
  std::string horizon;
  bool quiet = false;
};

// Every chokepoint's series, in the order the files first name them. A later file's value of a
// day replaces an earlier file's (files are vintages in command-line order).
class SeriesSink : public ingest::TransitSink {
 public:
  void OnTransit(const v1::ChokepointTransit& transit) override {
    auto [it, inserted] = index_.try_emplace(transit.chokepoint_id(), series_.size());
    if (inserted) series_.emplace_back(transit.chokepoint_id(), transit.chokepoint_name());
    series_[it->second].Upsert(transit);
  }
  void OnReject(const v1::RejectedRecord&) override {}
  const std::vector<ChokepointSeries>& series() const { return series_; }

 private:
  std::vector<ChokepointSeries> series_;
  std::map<std::string, size_t> index_;
};

absl::Status LoadSeries(const ChokepointReportOptions& o, SeriesSink* sink) {
  TW_ASSIGN_OR_RETURN(const int32_t horizon, ParseDateFlag(o.horizon, "--horizon"));
  for (size_t i = 0; i < o.files.size(); ++i) {
    ingest::PortwatchReadOptions read;
    read.release_id = std::filesystem::path(o.files[i]).filename().string();
    read.vintage = static_cast<int64_t>(i) + 1;
    read.horizon_yyyymmdd = horizon;
    ingest::PortwatchReader reader(read, sink);
    TW_RETURN_IF_ERROR(reader.ReadFile(o.files[i]));
    if (!o.quiet) {
      std::fprintf(stderr, "%s: %s\n", o.files[i].c_str(), reader.summary().Format().c_str());
    }
  }
  if (sink->series().empty()) {
    return absl::NotFoundError("no chokepoint transits in the files");
  }
  return absl::OkStatus();
}

struct Report {
  int32_t as_of = 0;
  std::vector<v1::ChokepointStatus> latest;
  std::vector<v1::DisruptionEpisode> episodes;
};

Report Analyze(const std::vector<ChokepointSeries>& all, int32_t date,
               const ChokepointOptions& options) {
  Report report;
  report.as_of = date;
  if (report.as_of == 0) {
    for (const ChokepointSeries& s : all) report.as_of = std::max(report.as_of, s.last_date());
  }
  for (const ChokepointSeries& s : all) {
    processors::ChokepointTimeline timeline = processors::EvaluateTimeline(s, options);
    if (auto status = processors::StatusAsOf(s, timeline, report.as_of, options)) {
      report.latest.push_back(*std::move(status));
    }
    for (v1::DisruptionEpisode& e : timeline.episodes) report.episodes.push_back(std::move(e));
  }
  std::stable_sort(report.episodes.begin(), report.episodes.end(),
                   [](const v1::DisruptionEpisode& a, const v1::DisruptionEpisode& b) {
                     return a.start_yyyymmdd() < b.start_yyyymmdd();
                   });
  return report;
}

void OptionalDouble(JsonWriter& j, bool present, double value) {
  if (present) {
    j.Double(value);
  } else {
    j.Null();
  }
}

void StatusJson(JsonWriter& j, const v1::ChokepointStatus& s) {
  j.BeginObject();
  j.Key("id").String(s.chokepoint_id());
  j.Key("name").String(s.chokepoint_name());
  j.Key("date").String(FormatDate(s.date_yyyymmdd()));
  j.Key("transits_7d").Int(s.transits_7d());
  OptionalDouble(j.Key("baseline_7d"), s.has_baseline_7d(), s.baseline_7d());
  OptionalDouble(j.Key("ratio"), s.has_ratio(), s.ratio());
  j.Key("status").String(processors::TransitStatusName(s.status()));
  j.EndObject();
}

void EpisodeJson(JsonWriter& j, const v1::DisruptionEpisode& e) {
  j.BeginObject();
  j.Key("id").String(e.chokepoint_id());
  j.Key("name").String(e.chokepoint_name());
  j.Key("start").String(FormatDate(e.start_yyyymmdd()));
  j.Key("end");
  if (e.end_yyyymmdd() != 0) {
    j.String(FormatDate(e.end_yyyymmdd()));
  } else {
    j.Null();  // still open
  }
  j.Key("min_ratio").Double(e.min_ratio());
  j.EndObject();
}

std::string ReportJson(const Report& r, bool history) {
  JsonWriter j;
  j.BeginObject();
  j.Key("chokepoints").BeginArray();
  for (const v1::ChokepointStatus& s : r.latest) StatusJson(j, s);
  j.EndArray();
  if (history) {
    j.Key("episodes").BeginArray();
    for (const v1::DisruptionEpisode& e : r.episodes) EpisodeJson(j, e);
    j.EndArray();
  }
  j.EndObject();
  return j.str();
}

std::string BaselineSource(v1::BaselineKind kind) {
  switch (kind) {
    case v1::BASELINE_KIND_SAME_WEEK_LAST_YEAR: return "last year";
    case v1::BASELINE_KIND_TRAILING_MEDIAN: return "median";
    default: return "-";
  }
}

std::string ReportTable(const Report& r, bool history, const ChokepointOptions& options) {
  std::string out = fmt::format(
      "Chokepoint transits as of {} (7 days to each chokepoint's latest date)\n"
      "Baseline: the same week a year earlier, else the median of the last {} days. Disrupted "
      "below {:.2f} until back at {:.2f}; stale after {} days.\n",
      FormatDate(r.as_of), options.baseline_fallback_days, options.disruption_ratio,
      options.recovery_ratio, options.stale_days);
  out += fmt::format("  {:<22} {:<22} {:<10}  {:>11}  {:>11}  {:<9}  {:>5}  {}\n", "id", "name",
                     "date", "transits_7d", "baseline_7d", "baseline", "ratio", "status");
  for (const v1::ChokepointStatus& s : r.latest) {
    out += fmt::format(
        "  {:<22} {:<22} {:<10}  {:>11}  {:>11}  {:<9}  {:>5}  {}{}\n", s.chokepoint_id(),
        s.chokepoint_name().substr(0, 22), FormatDate(s.date_yyyymmdd()), s.transits_7d(),
        s.has_baseline_7d() ? fmt::format("{:.1f}", s.baseline_7d()) : "-",
        BaselineSource(s.baseline_kind()), s.has_ratio() ? fmt::format("{:.2f}", s.ratio()) : "-",
        processors::TransitStatusName(s.status()),
        s.episode_start_yyyymmdd() != 0
            ? fmt::format(" (since {})", FormatDate(s.episode_start_yyyymmdd()))
            : "");
  }
  if (!history) return out;
  out += fmt::format("\nDisruption episodes in the files ({}):\n", r.episodes.size());
  out += fmt::format("  {:<22} {:<22} {:<10}  {:<10}  {:>9}  {}\n", "id", "name", "start", "end",
                     "min_ratio", "on");
  for (const v1::DisruptionEpisode& e : r.episodes) {
    out += fmt::format("  {:<22} {:<22} {:<10}  {:<10}  {:>9.3f}  {}\n", e.chokepoint_id(),
                       e.chokepoint_name().substr(0, 22), FormatDate(e.start_yyyymmdd()),
                       e.end_yyyymmdd() != 0 ? FormatDate(e.end_yyyymmdd()) : "(open)",
                       e.min_ratio(), FormatDate(e.min_ratio_yyyymmdd()));
  }
  return out;
}

absl::Status RunChokepointReport(const ChokepointReportOptions& o) {
  TW_ASSIGN_OR_RETURN(const v1::ServiceConfig config, LoadServiceConfig(o.config));
  const ChokepointOptions options = processors::ChokepointOptionsFromConfig(config.shipping());
  TW_ASSIGN_OR_RETURN(const int32_t date, ParseDateFlag(o.date, "--date"));
  SeriesSink sink;
  TW_RETURN_IF_ERROR(LoadSeries(o, &sink));
  const Report report = Analyze(sink.series(), date, options);
  if (report.latest.empty()) {
    return absl::NotFoundError(
        fmt::format("no chokepoint has data on or before {}", FormatDate(report.as_of)));
  }
  std::cout << (o.format == "json" ? ReportJson(report, o.history) + "\n"
                                   : ReportTable(report, o.history, options));
  return absl::OkStatus();
}

}  // namespace

void AddChokepointReport(CLI::App* report, int* exit_code) {
  static ChokepointReportOptions o;
  auto* cmd = report->add_subcommand(
      "chokepoints",
      "Chokepoint transits (IMF PortWatch): 7-day sums against a baseline, status, and with "
      "--history the disruption episodes");
  AddPortwatchInputs(cmd, &o.files, &o.horizon);
  cmd->add_option("--date", o.date,
                  "as-of date YYYY-MM-DD: each chokepoint's latest date on or before it, STALE "
                  "when older than shipping.stale_days (default: the latest date in the files)");
  cmd->add_flag("--history", o.history, "list every disruption episode in the files");
  cmd->add_option("--format", o.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_option("--config", o.config,
                  "service configuration YAML whose `shipping` section sets the thresholds "
                  "(default: every default)");
  cmd->add_flag("-q,--quiet", o.quiet, "do not print the reader summary on stderr");
  cmd->callback([exit_code] {
    if (auto s = RunChokepointReport(o); !s.ok()) *exit_code = Fail(s);
  });
}

}  // namespace tradewatch::tools
