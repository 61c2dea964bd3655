#include "ingest/census_poller.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <system_error>
#include <utility>

#include "common/json_writer.h"
#include "common/logging.h"
#include "common/period.h"
#include "common/record_keys.h"
#include "fmt/format.h"
#include "ingest/census_reader.h"
#include "ingest/poll_error.h"

namespace tradewatch::ingest {
namespace {

namespace fs = std::filesystem;
namespace v1 = tradewatch::v1;

int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// "20260205T133000Z": sorts in time order.
std::string CompactTime(TimePoint t) {
  std::string text = FormatTime(t);  // 2026-02-05T13:30:00Z
  text.erase(std::remove(text.begin(), text.end(), '-'), text.end());
  text.erase(std::remove(text.begin(), text.end(), ':'), text.end());
  return text;
}

uint64_t RejectHash(const v1::RejectedRecord& reject) {
  std::string key = fmt::format("{}\x1f{}\x1f{}\x1f", static_cast<int>(reject.reason()),
                                reject.position().column(), reject.value());
  key += reject.raw();
  return std::hash<std::string>{}(key);
}

}  // namespace

std::vector<v1::CensusApiQuery> NormalizeCensusQueries(std::vector<v1::CensusApiQuery> queries) {
  std::map<std::string, int> seen;
  for (v1::CensusApiQuery& q : queries) {
    if (q.name().empty()) {
      std::string name = ShortName(q.endpoint());
      const int n = ++seen[name];
      q.set_name(n == 1 ? name : fmt::format("{}_{}", name, n));
    } else {
      ++seen[q.name()];
    }
    if (q.variables().empty()) {
      for (const std::string& v : DefaultCensusVariables(q.endpoint())) q.add_variables(v);
    }
  }
  return queries;
}

bool QueriesCover(const std::vector<v1::CensusApiQuery>& queries,
                  const v1::TradeObservation& observation) {
  for (const v1::CensusApiQuery& q : queries) {
    if (CensusEndpointFlow(q.endpoint()) != observation.flow() ||
        CensusEndpointClassification(q.endpoint()) != observation.classification()) {
      continue;
    }
    if (q.codes().empty()) return true;
    // HITECH answers write the all-commodities total as "" and the reader as "-".
    for (const std::string& code : q.codes()) {
      if (code == observation.product_code() ||
          (code.empty() && observation.product_code() == "-")) {
        return true;
      }
    }
  }
  return false;
}

std::string_view PollOutcomeName(PollOutcome outcome) {
  switch (outcome) {
    case PollOutcome::kNoData:
      return "no_data";
    case PollOutcome::kUnchanged:
      return "unchanged";
    case PollOutcome::kNewRelease:
      return "new_release";
    case PollOutcome::kRevision:
      return "revision";
  }
  return "unknown";
}

std::string PollResult::Format() const {
  switch (outcome) {
    case PollOutcome::kNoData:
      return "no data yet (HTTP 204)";
    case PollOutcome::kUnchanged:
      return fmt::format("nothing new ({} observations unchanged){}", unchanged,
                         rejects_published > 0
                             ? fmt::format(", {} rejects", rejects_published)
                             : "");
    case PollOutcome::kNewRelease:
    case PollOutcome::kRevision:
      break;
  }
  return fmt::format(
      "release {} (vintage {}, through {}): {} new, {} revised, {} unchanged observations, {} "
      "rejects",
      release_id, vintage, FormatPeriod(through_period), added, revised, unchanged,
      rejects_published);
}

CensusPoller::CensusPoller(CensusPollerOptions options, CensusApiClient* client,
                           const CountryTable* countries, ObservationPublisher* publisher,
                           CensusPollMetrics* metrics)
    : options_(std::move(options)),
      client_(client),
      countries_(countries),
      publisher_(publisher),
      metrics_(metrics) {
  options_.queries = NormalizeCensusQueries(std::move(options_.queries));
}

PeriodRange CensusPoller::RangeFor(TimePoint now) const {
  if (options_.range.from_yyyymm > 0) return options_.range;
  const int32_t base = held_.latest_period() > 0 ? held_.latest_period()
                                                 : ExpectedPeriod(0, now, options_.calendar);
  return {AddMonths(base, -options_.lookback_months), 0};
}

absl::StatusOr<std::string> CensusPoller::WriteCache(TimePoint now,
                                                     const CensusApiRequest& request,
                                                     const CensusApiResponse& response,
                                                     std::string* written_text) const {
  std::error_code error;
  fs::create_directories(options_.cache_dir, error);
  if (error) {
    return PollError(PollErrorKind::kCache,
                     fmt::format("census_api.cache_dir {}: {}", options_.cache_dir,
                                 error.message()));
  }
  const std::string stem =
      (fs::path(options_.cache_dir) / fmt::format("{}-{}", CompactTime(now), request.name))
          .string();
  std::string path = stem + ".json";
  for (int n = 2; fs::exists(path); ++n) path = fmt::format("{}-{}.json", stem, n);

  // The wrapper the readers accept ({"headers", "body"}), with the answer's body verbatim: the
  // file is exactly what Census sent, and `tradewatch check census FILE` reads it.
  std::string& text = *written_text;
  text = "{\n  \"url\": ";
  AppendJsonString(request.display_url, &text);
  text += ",\n  \"fetched_at\": ";
  AppendJsonString(FormatTime(now), &text);
  text += fmt::format(",\n  \"status\": {},\n  \"attempts\": {},\n  \"headers\": {{",
                      response.status, response.attempts);
  for (size_t i = 0; i < response.headers.size(); ++i) {
    text += i == 0 ? "\n    " : ",\n    ";
    AppendJsonString(response.headers[i].first, &text);
    text += ": ";
    AppendJsonString(response.headers[i].second, &text);
  }
  text += "\n  },\n  \"body\": ";
  text += response.body;
  text += "\n}\n";

  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      fs::remove(temporary, error);
      return PollError(PollErrorKind::kCache, fmt::format("{}: cannot write", temporary));
    }
  }
  fs::rename(temporary, path, error);
  if (error) {
    return PollError(PollErrorKind::kCache, fmt::format("{}: {}", path, error.message()));
  }
  return path;
}

void CensusPoller::CountFailure(const absl::Status& status, bool count_kind) {
  if (PollErrorKindOf(status) == PollErrorKind::kCancelled) return;
  ++consecutive_failures_;
  if (metrics_ == nullptr) return;
  metrics_->Polls("failed").Increment();
  if (count_kind) metrics_->Errors(PollErrorKindOf(status)).Increment();
  metrics_->consecutive_failures.Set(consecutive_failures_);
}

absl::StatusOr<PollResult> CensusPoller::Poll(TimePoint now) {
  std::vector<std::string> written;
  absl::StatusOr<PollResult> result = PollOnce(now, &written);
  if (result.ok()) {
    // Keep only the answers that published or rejected something: unchanged answers, polled
    // every few minutes during a release window, would fill the disk with copies.
    const bool keep = result->outcome == PollOutcome::kNewRelease ||
                      result->outcome == PollOutcome::kRevision || result->rejects_published > 0;
    if (!keep) {
      for (const std::string& path : written) {
        std::error_code ignored;
        fs::remove(path, ignored);
      }
      for (QueryResult& q : result->queries) q.cache_file.clear();
    }
  } else if (PollErrorKindOf(result.status()) != PollErrorKind::kBadResponse) {
    // A failed poll published nothing; an unreadable answer is kept for a human to look at.
    for (const std::string& path : written) {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
  }
  return result;
}

absl::StatusOr<PollResult> CensusPoller::PollOnce(TimePoint now,
                                                  std::vector<std::string>* written) {
  PollResult result;
  result.range = RangeFor(now);
  const int64_t vintage =
      std::max({Seconds(now), last_vintage_ + 1, held_.max_vintage() + 1});

  // Fetch everything first: a poll publishes all of its changes or none.
  struct Fetched {
    CensusApiRequest request;
    CensusApiResponse response;
  };
  std::vector<Fetched> fetched;
  for (const v1::CensusApiQuery& query : options_.queries) {
    CensusApiRequest request =
        BuildCensusApiRequest(options_.base_url, query, result.range, options_.api_key);
    absl::StatusOr<CensusApiResponse> response = client_->Fetch(request);
    if (!response.ok()) {
      CountFailure(response.status(), /*count_kind=*/false);  // the client counted the attempts
      return response.status();
    }
    fetched.push_back({std::move(request), *std::move(response)});
  }

  ReadOptions read;
  read.countries = countries_;
  read.vintage = vintage;
  read.release_id = fmt::format("census-api-poll-{}", vintage);
  CollectingSink collected;
  CensusReader reader(read, &collected);
  bool any_data = false;
  for (Fetched& f : fetched) {
    QueryResult q;
    q.name = f.request.name;
    q.display_url = f.request.display_url;
    q.status = f.response.status;
    q.attempts = f.response.attempts;
    if (f.response.status == 204) {
      result.queries.push_back(std::move(q));
      continue;
    }
    any_data = true;
    const size_t rejects_before = collected.rejects.size();
    if (options_.cache_dir.empty()) {
      reader.ReadBuffer(f.response.body, fmt::format("census-api/{}", q.name));
    } else {
      std::string text;  // the file as written: positions in rejects are lines of the file
      absl::StatusOr<std::string> path = WriteCache(now, f.request, f.response, &text);
      if (!path.ok()) {
        CountFailure(path.status(), /*count_kind=*/true);
        return WithPrefix(path.status(), q.name);
      }
      written->push_back(*path);
      q.cache_file = *path;
      reader.ReadBuffer(text, *path);
    }
    q.summary = reader.last_file_summary();
    // An answer that gave no value at all but rejects is not a table the reader understands
    // (malformed JSON, unknown columns): nothing of this poll is published.
    if (q.summary.accepted + q.summary.aggregates == 0 && q.summary.rejected_total() > 0) {
      absl::Status status = PollError(
          PollErrorKind::kBadResponse,
          fmt::format("{}: {} gave no readable row: {}", q.name, q.display_url,
                      collected.rejects[rejects_before].message()));
      CountFailure(status, /*count_kind=*/true);
      return status;
    }
    result.queries.push_back(std::move(q));
  }

  if (!any_data) {
    result.outcome = PollOutcome::kNoData;
  } else {
    const int32_t held_latest = held_.latest_period();
    VintageDiff diff = held_.Diff(collected.observations);
    result.unchanged = diff.unchanged;

    for (const v1::RejectedRecord& reject : collected.rejects) {
      if (!rejects_sent_.insert(RejectHash(reject)).second) continue;
      publisher_->OnReject(reject);
      ++result.rejects_published;
    }

    if (diff.empty()) {
      result.outcome = PollOutcome::kUnchanged;
      if (!publisher_->status().ok()) {
        absl::Status status = PollError(PollErrorKind::kPublish,
                                        std::string(publisher_->status().message()));
        CountFailure(status, /*count_kind=*/true);
        return status;
      }
    } else {
      int32_t changed_latest = 0;
      for (const VintageChange& c : diff.changes) {
        changed_latest = std::max(changed_latest, c.observation.period_yyyymm());
      }
      const bool new_month = changed_latest > held_latest;
      result.outcome = new_month ? PollOutcome::kNewRelease : PollOutcome::kRevision;
      result.through_period = std::max(held_latest, changed_latest);
      result.vintage = vintage;
      result.release_id =
          new_month ? fmt::format("census-api-{}", FormatPeriod(result.through_period))
                    : fmt::format("census-api-{}-revised-{}", FormatPeriod(result.through_period),
                                  vintage);
      v1::TradeObservation observation;
      for (const VintageChange& c : diff.changes) {
        observation = c.observation;
        observation.set_release_id(result.release_id);
        publisher_->OnObservation(observation);
      }
      absl::Status published = publisher_->status();
      absl::Status finished =
          publisher_->FinishRelease(result.release_id, vintage, result.through_period);
      if (!published.ok() || !finished.ok()) {
        absl::Status status =
            PollError(PollErrorKind::kPublish,
                      fmt::format("release {}: {}", result.release_id,
                                  std::string((published.ok() ? finished : published).message())));
        CountFailure(status, /*count_kind=*/true);
        return status;
      }
      held_.Apply(diff);
      last_vintage_ = vintage;
      result.added = diff.added;
      result.revised = diff.revised;
      for (const VintageChange& c : diff.changes) {
        if (c.is_revision()) {
          Logger("ingest")->debug("revised {} from {} to {} (vintage {} -> {})",
                                  ObservationKey(c.observation), c.previous->value_usd,
                                  c.observation.value_usd(), c.previous->vintage, vintage);
        }
      }
      if (metrics_ != nullptr) {
        metrics_->revised.Increment(static_cast<double>(diff.revised));
        if (new_month) {
          metrics_->last_release.Set(static_cast<double>(Seconds(now)));
          metrics_->last_release_period.Set(result.through_period);
        }
      }
    }
  }

  result.latest_period = held_.latest_period();
  consecutive_failures_ = 0;
  if (metrics_ != nullptr) {
    metrics_->Polls(PollOutcomeName(result.outcome)).Increment();
    metrics_->consecutive_failures.Set(0);
    metrics_->last_success.Set(static_cast<double>(Seconds(now)));
  }
  return result;
}

}  // namespace tradewatch::ingest
