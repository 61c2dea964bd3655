// Runs the built `tradewatch report chokepoints` over the real IMF PortWatch file and checks it
// against an independent computation: the CSV is split here line by line, and the 7-day sums,
// baselines, ratios, statuses and disruption episodes are computed from the definitions in
// processors/chokepoint_analytics.h with this file's own code (no project reader, no analytics).
// Nothing here says which chokepoint is disrupted when: the episodes are whatever the data gives.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/subprocess.h"

namespace {

using ::tradewatch::testing::RunProgram;

const std::string kDir = "../shared/data/imf_portwatch/";
const std::string kCsv = kDir + "portwatch_chokepoints_daily_2024-01_2026-07.csv";
const std::string kJson = kDir + "portwatch_chokepoints_daily_2024-01_2026-07.json";
const std::string kTradewatch = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";

// ---------- the independent computation ----------

int DayNumber(const std::string& date) {  // "2025-03-14" -> days since 1970-01-01
  using namespace std::chrono;
  const year_month_day ymd{year{std::stoi(date.substr(0, 4))},
                           month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                           day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  return sys_days{ymd}.time_since_epoch().count();
}

std::string DateOf(int day_number) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day_number}}};
  char text[16];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

struct Chokepoint {
  std::string id;
  std::string name;
  std::map<int, long> totals;  // day number -> n_total
};

// Rows without a portid are named "name:" + the name in lower case with blanks as '-'.
std::vector<Chokepoint> ReadChokepoints() {
  std::vector<Chokepoint> out;
  std::map<std::string, size_t> index;
  std::ifstream in(kCsv);
  std::string line;
  auto next_line = [&] {
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // the file ends lines with CRLF
    return true;
  };
  next_line();
  EXPECT_EQ(line, "date,portid,portname,n_total,n_tanker,n_container,n_cargo,n_dry_bulk,capacity");
  while (next_line()) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) f.push_back(cell);
    std::string id = f[1];
    if (id.empty()) {
      id = "name:" + f[2];
      std::transform(id.begin(), id.end(), id.begin(),
                     [](char c) { return c == ' ' ? '-' : static_cast<char>(std::tolower(c)); });
    }
    auto [it, inserted] = index.try_emplace(id, out.size());
    if (inserted) out.push_back({id, f[2], {}});
    out[it->second].totals[DayNumber(f[0])] = std::stol(f[3]);
  }
  return out;
}

std::optional<long> WindowSum(const Chokepoint& c, int end) {
  long sum = 0;
  for (int d = end - 6; d <= end; ++d) {
    auto it = c.totals.find(d);
    if (it == c.totals.end()) return std::nullopt;
    sum += it->second;
  }
  return sum;
}

double Median(std::vector<long> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// Same week a year earlier (median of the weeks ending 371, 364 and 357 days back), else the
// median of the complete windows ending 7..96 days back when at least 45 are; above zero.
std::optional<double> Baseline(const Chokepoint& c, int day) {
  std::vector<long> year_ago;
  for (int back : {371, 364, 357}) {
    if (auto s = WindowSum(c, day - back)) year_ago.push_back(*s);
  }
  if (year_ago.size() == 3 && Median(year_ago) > 0) return Median(year_ago);
  std::vector<long> trailing;
  for (int back = 7; back < 97; ++back) {
    if (auto s = WindowSum(c, day - back)) trailing.push_back(*s);
  }
  if (trailing.size() >= 45 && Median(trailing) > 0) return Median(trailing);
  return std::nullopt;
}

struct Expected {
  long transits_7d = 0;
  std::optional<double> baseline;
  std::optional<double> ratio;
  std::string status;
};

struct Episode {
  std::string id, name, start, end;  // end "" while open
  double min_ratio = 0;
};

// Every day's figures and status, first day to last, and the episodes (0.7 / 0.8 hysteresis).
struct History {
  std::map<int, Expected> days;
  std::vector<Episode> episodes;
};

History Evaluate(const Chokepoint& c) {
  History h;
  std::optional<Episode> open;
  for (int d = c.totals.begin()->first; d <= c.totals.rbegin()->first; ++d) {
    Expected e;
    for (int k = d - 6; k <= d; ++k) e.transits_7d += c.totals.count(k) ? c.totals.at(k) : 0;
    e.baseline = Baseline(c, d);
    if (!WindowSum(c, d)) {
      e.status = "gap";
    } else if (!e.baseline) {
      e.status = "no_baseline";
    } else {
      e.ratio = e.transits_7d / *e.baseline;
      if (!open && *e.ratio < 0.7) {
        open = Episode{c.id, c.name, DateOf(d), "", *e.ratio};
      } else if (open && *e.ratio >= 0.8) {
        open->end = DateOf(d);
        h.episodes.push_back(*open);
        open.reset();
      } else if (open) {
        open->min_ratio = std::min(open->min_ratio, *e.ratio);
      }
      e.status = open ? "disrupted" : "normal";
    }
    h.days[d] = e;
  }
  if (open) h.episodes.push_back(*open);
  return h;
}

// ---------- the binary ----------

std::pair<int, std::string> Tradewatch(const std::vector<std::string>& args, bool merge = false) {
  std::vector<std::string> argv = {kTradewatch, "report", "chokepoints"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, merge);
}

// Runs the report with `args` and --format json -q on the CSV, and parses what it prints.
::testing::AssertionResult RunJson(std::vector<std::string> args, simdjson::dom::parser& parser,
                                   simdjson::dom::element* doc) {
  args.insert(args.end(), {"--format", "json", "-q", kCsv});
  auto [code, out] = Tradewatch(args);
  if (code != 0) return ::testing::AssertionFailure() << "exit " << code << ": " << out;
  if (parser.parse(out).get(*doc) != simdjson::SUCCESS) {
    return ::testing::AssertionFailure() << "not JSON: " << out;
  }
  return ::testing::AssertionSuccess();
}

// The report's JSON at `date` ("" for the default) checked against the independent figures of
// every chokepoint's latest date on or before it.
void ExpectLatestMatches(const std::vector<Chokepoint>& all, const std::string& date) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_TRUE(RunJson(date.empty() ? std::vector<std::string>{}
                                   : std::vector<std::string>{"--date", date},
                      parser, &doc));
  simdjson::dom::array rows = doc["chokepoints"].get_array();
  ASSERT_EQ(rows.size(), all.size());
  int as_of = 0;
  for (const Chokepoint& c : all) as_of = std::max(as_of, c.totals.rbegin()->first);
  if (!date.empty()) as_of = DayNumber(date);
  size_t i = 0;
  for (simdjson::dom::element row : rows) {
    const Chokepoint& c = all[i++];
    auto latest = std::prev(c.totals.upper_bound(as_of));
    const Expected e = Evaluate(c).days.at(latest->first);
    SCOPED_TRACE(c.id + " as of " + DateOf(as_of));
    EXPECT_EQ(std::string_view(row["id"]), c.id);
    EXPECT_EQ(std::string_view(row["name"]), c.name);
    EXPECT_EQ(std::string_view(row["date"]), DateOf(latest->first));
    EXPECT_EQ(int64_t(row["transits_7d"]), e.transits_7d);
    if (e.baseline) {
      EXPECT_NEAR(double(row["baseline_7d"]), *e.baseline, 1e-9);
    } else {
      EXPECT_TRUE(row["baseline_7d"].is_null());
    }
    if (e.ratio) {
      EXPECT_NEAR(double(row["ratio"]), *e.ratio, 1e-8);
    } else {
      EXPECT_TRUE(row["ratio"].is_null());
    }
    const bool stale = as_of - latest->first > 9;
    EXPECT_EQ(std::string_view(row["status"]), stale ? "stale" : e.status);
  }
}

class ReportChokepointsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { chokepoints_ = new std::vector<Chokepoint>(ReadChokepoints()); }
  static void TearDownTestSuite() { delete chokepoints_; }
  static const std::vector<Chokepoint>& All() { return *chokepoints_; }

  static std::vector<Chokepoint>* chokepoints_;
};
std::vector<Chokepoint>* ReportChokepointsTest::chokepoints_ = nullptr;

TEST_F(ReportChokepointsTest, TheFileHoldsTwelveChokepointsOfDailyRows) {
  ASSERT_EQ(All().size(), 12u);
  for (const Chokepoint& c : All()) {
    EXPECT_GE(c.totals.size(), 935u) << c.id;
  }
}

TEST_F(ReportChokepointsTest, LatestFiguresMatchTheIndependentComputation) {
  ExpectLatestMatches(All(), "");
}

TEST_F(ReportChokepointsTest, FiguresAtAnAsOfDateMatchWithTheYearAgoBaseline) {
  ExpectLatestMatches(All(), "2025-10-25");
}

TEST_F(ReportChokepointsTest, FiguresInTheFirstYearMatchWithTheTrailingMedianBaseline) {
  ExpectLatestMatches(All(), "2024-06-30");
}

TEST_F(ReportChokepointsTest, AnAsOfDateLongAfterTheFileMakesEveryChokepointStale) {
  ExpectLatestMatches(All(), "2026-09-01");
}

TEST_F(ReportChokepointsTest, HistoryListsTheEpisodesAnIndependentComputationFinds) {
  std::vector<Episode> expected;
  for (const Chokepoint& c : All()) {
    for (const Episode& e : Evaluate(c).episodes) expected.push_back(e);
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const Episode& a, const Episode& b) { return a.start < b.start; });
  ASSERT_FALSE(expected.empty());

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_TRUE(RunJson({"--history"}, parser, &doc));
  simdjson::dom::array episodes = doc["episodes"].get_array();
  ASSERT_EQ(episodes.size(), expected.size());
  size_t i = 0;
  for (simdjson::dom::element e : episodes) {
    const Episode& want = expected[i++];
    SCOPED_TRACE(want.id + " from " + want.start);
    EXPECT_EQ(std::string_view(e["id"]), want.id);
    EXPECT_EQ(std::string_view(e["name"]), want.name);
    EXPECT_EQ(std::string_view(e["start"]), want.start);
    if (want.end.empty()) {
      EXPECT_TRUE(e["end"].is_null());
    } else {
      EXPECT_EQ(std::string_view(e["end"]), want.end);
    }
    EXPECT_NEAR(double(e["min_ratio"]), want.min_ratio, 1e-8);
    size_t keys = 0;
    for (auto member : e.get_object()) {
      (void)member;
      ++keys;
    }
    EXPECT_EQ(keys, 5u);  // exactly id, name, start, end, min_ratio
  }
}

TEST_F(ReportChokepointsTest, TheJsonFormGivesTheSameReport) {
  auto [csv_code, from_csv] = Tradewatch({"--history", "--format", "json", "-q", kCsv});
  auto [json_code, from_json] = Tradewatch({"--history", "--format", "json", "-q", kJson});
  EXPECT_EQ(csv_code, 0);
  EXPECT_EQ(json_code, 0);
  EXPECT_EQ(from_csv, from_json);
}

TEST_F(ReportChokepointsTest, TheTableShowsEveryChokepointAndEpisodeWithTheReaderSummary) {
  size_t episodes = 0;
  for (const Chokepoint& c : All()) episodes += Evaluate(c).episodes.size();
  auto [code, out] = Tradewatch({"--history", kCsv}, /*merge=*/true);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find(kCsv + ": 11253 rows, 11253 records = 11253 accepted + 0 restated + 0 "
                            "rejected; 3752 ids from names; horizon 2026-07-31 (file name)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Chokepoint transits as of 2026-07-26"), std::string::npos) << out;
  EXPECT_NE(out.find("transits_7d  baseline_7d"), std::string::npos) << out;
  std::istringstream lines(out);
  std::map<std::string, std::string> row_of;  // id -> its line in the status table
  for (std::string line; std::getline(lines, line);) {
    if (line.find("Disruption episodes") != std::string::npos) break;
    std::istringstream words(line);
    std::string first;
    words >> first;
    row_of.emplace(first, line);
  }
  for (const Chokepoint& c : All()) {
    ASSERT_TRUE(row_of.count(c.id)) << c.id << "\n" << out;
    const Expected e = Evaluate(c).days.at(c.totals.rbegin()->first);
    EXPECT_NE(row_of[c.id].find(" " + std::to_string(e.transits_7d) + " "), std::string::npos)
        << row_of[c.id];
    EXPECT_NE(row_of[c.id].find(e.status), std::string::npos) << row_of[c.id];
  }
  EXPECT_NE(out.find("Disruption episodes in the files (" + std::to_string(episodes) + "):"),
            std::string::npos)
      << out;
}

TEST_F(ReportChokepointsTest, ABadDateIsOneLineAndAFailure) {
  auto [code, out] = Tradewatch({"--date", "2025-13-01", "-q", kCsv}, /*merge=*/true);
  EXPECT_NE(code, 0);
  EXPECT_EQ(out, "tradewatch: --date '2025-13-01': expected YYYY-MM-DD\n");
  auto [before_code, before] = Tradewatch({"--date", "2023-12-31", "-q", kCsv}, true);
  EXPECT_NE(before_code, 0);
  EXPECT_EQ(before, "tradewatch: no chokepoint has data on or before 2023-12-31\n");
}

}  // namespace
