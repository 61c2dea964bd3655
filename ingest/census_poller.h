// One poll of the Census API: every configured query is fetched for the time range (the months
// from lookback_months before the latest period held, open-ended), each raw answer is written to
// the cache directory for audit and read with the CensusReader, the observations are compared
// with the vintages held (HeldVintages), and only the changes are published, new months and
// revisions alike under a new vintage, followed by one release marker per partition. Rejected
// rows go to the dead-letter topic once per process (a row rejected again by the next poll is not
// re-sent).
//
// A poll publishes all or nothing of its changes: when any query fails, nothing is published and
// the next poll sees the same changes again. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "ingest/census_api_client.h"
#include "ingest/country_table.h"
#include "ingest/held_vintages.h"
#include "ingest/ingest_metrics.h"
#include "ingest/observation_publisher.h"
#include "ingest/read_summary.h"
#include "ingest/release_calendar.h"
#include "tradewatch/v1/service.pb.h"

namespace tradewatch::ingest {

struct CensusPollerOptions {
  std::string base_url = kCensusApiBaseUrl;
  // The API key (a secret: only ever put in request URLs). Empty: anonymous.
  std::string api_key;
  // The queries of every poll, each with a unique name (NormalizeCensusQueries).
  std::vector<tradewatch::v1::CensusApiQuery> queries;
  int lookback_months = 12;
  // An explicit range; from_yyyymm 0: automatic (see above; with nothing held, from the month
  // ExpectedPeriod gives for `now`).
  PeriodRange range;
  // Where raw answers are kept; empty: nowhere (observations then name "census-api/<query>").
  std::string cache_dir;
  ReleaseCalendar calendar;
};

// Queries with defaults applied: names (endpoint short name, made unique by a suffix) and
// variables (DefaultCensusVariables).
std::vector<tradewatch::v1::CensusApiQuery> NormalizeCensusQueries(
    std::vector<tradewatch::v1::CensusApiQuery> queries);

// Whether `observation` is of a series the queries fetch: the flow and classification of a
// query's endpoint and, when the query selects codes, one of them. What the poller holds.
bool QueriesCover(const std::vector<tradewatch::v1::CensusApiQuery>& queries,
                  const tradewatch::v1::TradeObservation& observation);

enum class PollOutcome {
  kNoData,      // every query answered 204
  kUnchanged,   // data, but nothing new or revised
  kNewRelease,  // a month later than any held was published (with any revisions)
  kRevision,    // only values of months already held changed
};
// "no_data", "unchanged", "new_release", "revision" (the metric label).
std::string_view PollOutcomeName(PollOutcome outcome);

struct QueryResult {
  std::string name;
  std::string display_url;  // the request without the key
  int status = 0;           // 200 or 204
  int attempts = 0;
  std::string cache_file;   // the raw answer kept for audit, or empty (204, no cache, unchanged)
  ReadSummary summary;
};

struct PollResult {
  PollOutcome outcome = PollOutcome::kNoData;
  PeriodRange range;
  std::vector<QueryResult> queries;
  // Set when something was published.
  std::string release_id;
  int64_t vintage = 0;
  int32_t through_period = 0;
  int64_t added = 0;
  int64_t revised = 0;
  int64_t unchanged = 0;
  int64_t rejects_published = 0;
  // Latest period held after the poll, yyyymm.
  int32_t latest_period = 0;

  // "release census-api-2025-12 (vintage V, through 2025-12): 120 new, 3 revised, 5000
  // unchanged observations, 0 rejects", or "no data yet" / "nothing new (5000 unchanged)".
  std::string Format() const;
};

class CensusPoller {
 public:
  // Every pointer must outlive the poller; `metrics` may be null.
  CensusPoller(CensusPollerOptions options, CensusApiClient* client,
               const CountryTable* countries, ObservationPublisher* publisher,
               CensusPollMetrics* metrics);

  // The table the poller compares with; seed it (Hold) before the first poll.
  HeldVintages& held() { return held_; }
  const CensusPollerOptions& options() const { return options_; }

  // Polls once, `now` being the poll's time (the vintage is its second, made larger than any
  // vintage held or used before). Errors carry a PollErrorKind; metrics are updated either way.
  absl::StatusOr<PollResult> Poll(TimePoint now);

 private:
  absl::StatusOr<PollResult> PollOnce(TimePoint now, std::vector<std::string>* written);
  // Writes the raw answer to the cache directory; returns the file's path and its text.
  absl::StatusOr<std::string> WriteCache(TimePoint now, const CensusApiRequest& request,
                                         const CensusApiResponse& response,
                                         std::string* written_text) const;
  PeriodRange RangeFor(TimePoint now) const;
  void CountFailure(const absl::Status& status, bool count_kind);

  CensusPollerOptions options_;
  CensusApiClient* client_;
  const CountryTable* countries_;
  ObservationPublisher* publisher_;
  CensusPollMetrics* metrics_;
  HeldVintages held_;
  // Rejected rows already sent to the dead-letter topic (hash of reason, column, value and raw).
  absl::flat_hash_set<uint64_t> rejects_sent_;
  int64_t last_vintage_ = 0;
  int consecutive_failures_ = 0;
};

}  // namespace tradewatch::ingest
