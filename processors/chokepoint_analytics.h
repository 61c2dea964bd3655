// Chokepoint transit analytics (pure: protos in, protos out). Per chokepoint, from its daily
// transits: 7-day sums by vessel type and capacity, a baseline, their ratio, a per-day status and
// disruption episodes with hysteresis. The same code serves a batch report (EvaluateTimeline over
// a whole file) and a stream (Upsert each arriving day, then evaluate again: a restated day
// changes the windows of the 7 days from it and the baselines a year later).
//
// Definitions (dates are yyyymmdd; "the window of D" is the 7 days D-6..D):
// - A window with a missing day is GAP: missing days are gaps, never zeros, and no ratio is
//   judged. The sums are over the days present.
// - Baseline, first choice: the same week one year earlier, 364 days back (52 weeks: the same
//   weekdays), as the median of the 7-day sums of the windows ending D-371, D-364 and D-357, all
//   three complete and the median above zero; the neighbours keep one odd week a year ago (a
//   spike, a holiday, a disruption) from setting the baseline alone.
// - Baseline, fallback (less than a year of history, or a gap a year ago): the median of the
//   complete 7-day sums of the windows ending D-7-k, k = 0 .. baseline_fallback_days-1 (they end
//   before the current window starts, so a disruption never judges itself), when at least half
//   of them are complete and the median is above zero. Otherwise there is no baseline
//   (NO_BASELINE).
// - ratio = transits_7d / baseline_7d. An episode starts on the first day with ratio <
//   disruption_ratio and ends on the first later day with ratio >= recovery_ratio; the days in
//   between are DISRUPTED, whatever their ratio. Days without a ratio neither end nor extend it.
// - STALE: the latest day is more than stale_days before the as-of date (StatusAsOf).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tradewatch/v1/service.pb.h"
#include "tradewatch/v1/shipping.pb.h"

namespace tradewatch::processors {

// The thresholds; defaults as in tradewatch.v1.ShippingConfig.
struct ChokepointOptions {
  double disruption_ratio = 0.7;
  double recovery_ratio = 0.8;
  int32_t stale_days = 9;
  int32_t baseline_fallback_days = 90;
};

// Options from a configuration whose defaults are filled in (tools::ApplyDefaults).
ChokepointOptions ChokepointOptionsFromConfig(const tradewatch::v1::ShippingConfig& config);

// One chokepoint's daily transits: an upsert table by day. Not thread-safe.
class ChokepointSeries {
 public:
  ChokepointSeries(std::string id, std::string name);

  // Sets the day of `transit` (a later value of a day replaces the earlier one; it never adds).
  // Precondition: transit.chokepoint_id() == id() and a valid date. Returns false when the day
  // already held exactly these counts.
  bool Upsert(const tradewatch::v1::ChokepointTransit& transit);

  const std::string& id() const { return id_; }
  // The name of the latest upsert.
  const std::string& name() const { return name_; }
  bool empty() const { return days_.empty(); }
  // First and last day with data, yyyymmdd; 0 when empty.
  int32_t first_date() const;
  int32_t last_date() const;
  // The latest day with data on or before `date`, yyyymmdd; 0 when none.
  int32_t LatestDateOnOrBefore(int32_t date) const;

  // The window of `date` against its baseline: sums, days missing, baseline, ratio and a status
  // without history: GAP, NO_BASELINE, or NORMAL / DISRUPTED by ratio < disruption_ratio alone
  // (EpisodeTracker applies the hysteresis). as_of = date.
  tradewatch::v1::ChokepointStatus Window(int32_t date, const ChokepointOptions& options) const;

 private:
  struct Day {
    bool present = false;
    int64_t total = 0;
    int64_t tanker = 0;
    int64_t container = 0;
    int64_t cargo = 0;
    int64_t dry_bulk = 0;
    int64_t capacity_dwt = 0;
  };
  // The day `day_number` (days since 1970-01-01), or nullptr when missing.
  const Day* At(int32_t day_number) const;
  // The transits of the window ending `day_number`, when all 7 days are present.
  std::optional<int64_t> CompleteSum(int32_t day_number) const;
  // The baseline of the window ending `day_number`, with its kind.
  std::optional<double> Baseline(int32_t day_number, const ChokepointOptions& options,
                                 tradewatch::v1::BaselineKind* kind) const;

  std::string id_;
  std::string name_;
  int32_t first_day_ = 0;   // day number of days_[0]
  std::vector<Day> days_;   // dense from the first to the last day with data
};

// The hysteresis of disruption episodes, fed the windows of one chokepoint in date order (a
// stream keeps one per chokepoint). Not thread-safe.
class EpisodeTracker {
 public:
  explicit EpisodeTracker(const ChokepointOptions& options) : options_(options) {}

  // Applies the episode state to `day` (from ChokepointSeries::Window; dates strictly
  // increasing): a judged day is DISRUPTED while an episode is open, NORMAL otherwise, and
  // carries the open episode's start. Returns the episode that ended on this day, if any.
  std::optional<tradewatch::v1::DisruptionEpisode> Step(tradewatch::v1::ChokepointStatus* day);

  // The episode open after the last Step (end_yyyymmdd 0), if any.
  const std::optional<tradewatch::v1::DisruptionEpisode>& open() const { return open_; }

 private:
  ChokepointOptions options_;
  std::optional<tradewatch::v1::DisruptionEpisode> open_;
};

// Every day of a series, first to last date, and its episodes.
struct ChokepointTimeline {
  // One status per calendar day from first_date() to last_date(), hysteresis applied.
  std::vector<tradewatch::v1::ChokepointStatus> days;
  // In start order; the last one is open (end_yyyymmdd 0) when the series ends disrupted.
  std::vector<tradewatch::v1::DisruptionEpisode> episodes;
};

// Runs Window and an EpisodeTracker over every day of the series. Empty for an empty series.
ChokepointTimeline EvaluateTimeline(const ChokepointSeries& series,
                                    const ChokepointOptions& options);

// The status of the latest day with data on or before as_of (nullopt when there is none), from
// `timeline` (EvaluateTimeline of `series`), with as_of set, and STALE when that day is more than
// stale_days before as_of.
std::optional<tradewatch::v1::ChokepointStatus> StatusAsOf(const ChokepointSeries& series,
                                                           const ChokepointTimeline& timeline,
                                                           int32_t as_of_yyyymmdd,
                                                           const ChokepointOptions& options);

// "normal", "disrupted", "gap", "stale", "no_baseline".
std::string TransitStatusName(tradewatch::v1::TransitStatus status);

}  // namespace tradewatch::processors
