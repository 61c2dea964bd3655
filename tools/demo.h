// `tradewatch demo`: the whole monitor in one process on the embedded broker. The real Census data
// in ../shared/data is read with the ingest readers and replayed month by month as successive
// releases (release "YYYY-MM", vintage = its index), each ingested, processed and evaluated before
// the next; every alert transition is printed as one timeline line, then the final T12M share
// tables read back from the shares topic, and /metrics is served until Ctrl-C (--once exits).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "tools/service.h"
#include "tradewatch/v1/rules.pb.h"

namespace tradewatch::tools {

// One file of the demo data set and the product codes taken from it (files overlap: each code
// comes from one file only, so no identity has two values in one release).
struct DemoSource {
  std::string path;  // relative to the data directory
  std::function<bool(std::string_view product_code)> keep;
};

// The demo data set: 3344 imports by country 2021-2025; 334 imports (consumption basis) of the
// top 30 partners 2013-2025; the other 334 family codes by country in 2024, both flows; 334
// world totals 2016-2024, both flows; ATP totals 2013-2026.
std::vector<DemoSource> DemoDataset();

struct ReplayOptions {
  std::string data_dir = "../shared/data";
  // The files replayed (default: DemoDataset()).
  std::vector<DemoSource> sources = DemoDataset();
  // IMF PortWatch daily chokepoint transits, relative to data_dir (empty: no shipping). Each month
  // of it is published as one shipping release ("portwatch-YYYY-MM", horizon its last day) right
  // after the trade release of the same month, so composite rules see the trade figure of that
  // month; the months after the last trade release follow it.
  std::string portwatch = "imf_portwatch/portwatch_chokepoints_daily_2024-01_2026-07.csv";
  // Replays releases [first_release, first_release + release_count) of the data set's months;
  // release_count < 0: to the end. Rejected records are published with the first release.
  int first_release = 0;
  int release_count = -1;
  // Wait after each release until the service's processor has closed it (false: only publish;
  // the caller polls).
  bool wait_for_processor = true;
  // Print progress and timeline lines to these (null: silent).
  std::FILE* timeline = nullptr;
  std::FILE* progress = nullptr;
};

struct ReplayResult {
  int releases = 0;        // replayed by this call
  int shipping_releases = 0;
  int64_t transits = 0;
  int total_releases = 0;  // months in the data set
  int64_t observations = 0;
  int64_t rejects = 0;
  std::vector<tradewatch::v1::AlertEvent> alerts;  // in publication order
};

// Reads the data set, replays it through `service` (started with StartService) release by
// release, waiting after each release until the processors have closed it on every partition
// (markers counted from the processors' counts at the call).
absl::StatusOr<ReplayResult> ReplayDemoData(Service& service, const ReplayOptions& options);

// One timeline line: "2021-12     FIRING    TaiwanSemiconductorImportShareHigh  ...", or for a
// shipping rule the day ("2025-10-22  FIRING    TaiwanStraitTransitsLow ..."). The subject column
// names the partner, the region, or the chokepoint ("via Malacca Strait", its name from `routes`
// when given); a composite rule's line ends with the chokepoint's transits against baseline.
std::string FormatTimelineLine(const tradewatch::v1::AlertEvent& event,
                               const tradewatch::v1::RuleFile& rules,
                               const ingest::CountryTable& countries,
                               const tradewatch::v1::RouteTable* routes = nullptr);

// Adds `demo`. `stop` is set by SIGINT/SIGTERM once `install_signals` has run.
void AddDemoCommand(CLI::App& app, int* exit_code, std::atomic<bool>* stop,
                    void (*install_signals)());

}  // namespace tradewatch::tools
