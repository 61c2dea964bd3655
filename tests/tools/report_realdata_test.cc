// Runs the built `tradewatch report` over the real Census data and checks its figures against an
// independent computation: the CSV files are read here line by line with zlib and summed directly,
// without the project's readers, mappings or tables.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

const std::string kData = "../shared/data";
const std::string kByCountry = kData + "/census_naics_by_country";
const std::string kTradewatch = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

RunResult RunTradewatch(const std::string& args) {
  char err_path[] = "/tmp/tw_test_stderr_XXXXXX";
  int fd = mkstemp(err_path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::string command = kTradewatch + " " + args + " 2>" + err_path;
  RunResult r;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  char buffer[65536];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) r.out.append(buffer, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  FILE* err = fopen(err_path, "r");
  while (err != nullptr && (n = fread(buffer, 1, sizeof(buffer), err)) > 0) r.err.append(buffer, n);
  if (err != nullptr) fclose(err);
  std::remove(err_path);
  return r;
}

// Reads a CSV (plain or gzip, through zlib's gzgets) into rows of fields; fields may be quoted
// but the Census files here never break a record over lines.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  gzFile file = gzopen(path.c_str(), "rb");
  EXPECT_NE(file, nullptr) << path;
  if (file == nullptr) return rows;
  std::string line;
  char chunk[8192];
  while (gzgets(file, chunk, sizeof(chunk)) != nullptr) {
    line += chunk;
    if (line.empty() || line.back() != '\n') continue;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          fields.back() += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    rows.push_back(std::move(fields));
    line.clear();
  }
  gzclose(file);
  return rows;
}

int Col(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// Census: individual countries are four digits starting 1-7 with no X.
bool IsCountry(const std::string& code) {
  return code.size() == 4 && code[0] >= '1' && code[0] <= '7' &&
         code.find('X') == std::string::npos;
}

// Per-country sums of `value_column` for rows of `naics` whose time starts with `prefix`.
std::map<std::string, int64_t> SumByCountry(const std::string& path, const std::string& naics,
                                            const std::string& value_column,
                                            const std::vector<std::string>& months) {
  auto rows = ReadCsv(path);
  std::map<std::string, int64_t> sums;
  const auto& h = rows.at(0);
  int c_naics = Col(h, "NAICS"), c_code = Col(h, "CTY_CODE"), c_time = Col(h, "time"),
      c_value = Col(h, value_column);
  std::set<std::string> wanted(months.begin(), months.end());
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r[c_naics] != naics || !IsCountry(r[c_code])) continue;
    if (!wanted.count(r[c_time].substr(0, 7))) continue;
    sums[r[c_code]] += std::stoll(r[c_value]);
  }
  return sums;
}

std::vector<std::string> MonthsOf(int year) {
  std::vector<std::string> out;
  char buffer[16];
  for (int m = 1; m <= 12; ++m) {
    std::snprintf(buffer, sizeof(buffer), "%04d-%02d", year, m);
    out.push_back(buffer);
  }
  return out;
}

int64_t Total(const std::map<std::string, int64_t>& sums) {
  int64_t t = 0;
  for (const auto& [code, v] : sums) t += v;
  return t;
}

// Checks a shares JSON document against independently computed per-country sums.
void ExpectSharesMatch(const std::string& json, const std::map<std::string, int64_t>& expected) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  int64_t total = Total(expected);
  EXPECT_EQ(int64_t(doc["total_usd"]), total);
  EXPECT_TRUE(bool(doc["complete"]));
  double share_sum = 0;
  int64_t listed = 0;
  for (simdjson::dom::element p : doc["partners"].get_array()) {
    std::string code{std::string_view(p["code"])};
    int64_t value = int64_t(p["value_usd"]);
    double share = double(p["share"]);
    share_sum += share;
    if (code == "rest") {
      EXPECT_EQ(value, total - listed);
      continue;
    }
    ASSERT_TRUE(expected.count(code)) << code;
    EXPECT_EQ(value, expected.at(code)) << code;
    EXPECT_NEAR(share, static_cast<double>(expected.at(code)) / total, 1e-9) << code;
    listed += value;
  }
  EXPECT_NEAR(share_sum, 1.0, 1e-9);
  double hhi = 0;
  for (const auto& [code, v] : expected) hhi += std::pow(static_cast<double>(v) / total, 2);
  EXPECT_NEAR(double(doc["hhi"]), hhi, 1e-9);
}

TEST(ReportRealDataTest, SemiconductorImportShares2025MatchDirectSums) {
  std::string file = kByCountry + "/census_imports_naics_3344.csv";
  RunResult r = RunTradewatch("report shares --flow imports --naics 3344 --window year --period 2025 "
                    "--format json -q " + file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto expected = SumByCountry(file, "3344", "GEN_VAL_MO", MonthsOf(2025));
  ExpectSharesMatch(r.out, expected);
  // Taiwan supplied about a third of US semiconductor imports in 2025.
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out);
  simdjson::dom::element first = doc["partners"].at(0);
  EXPECT_EQ(std::string_view(first["code"]), "5830");
  EXPECT_EQ(std::string_view(first["name"]), "Taiwan");
  EXPECT_NEAR(double(first["share"]), 0.3495, 0.00005);
  // The official NAICS title from ../shared/data/naics_titles.
  EXPECT_EQ(std::string_view(doc["title"]),
            "Semiconductor and Other Electronic Component Manufacturing");
}

TEST(ReportRealDataTest, Naics334FamilyShares2024MatchDirectSums) {
  std::string file = kByCountry + "/census_imports_naics334family_by_country_2024_monthly.csv";
  for (const char* naics : {"334", "3341", "3342", "3344"}) {
    SCOPED_TRACE(naics);
    RunResult r = RunTradewatch(std::string("report shares --flow imports --naics ") + naics +
                      " --window year --period 2024 --top 15 --format json -q " + file);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ExpectSharesMatch(r.out, SumByCountry(file, naics, "GEN_VAL_MO", MonthsOf(2024)));
  }
}

TEST(ReportRealDataTest, GzipTwoToFourDigitFileGivesTheSame334SharesAsThe334FamilyFile) {
  RunResult family = RunTradewatch("report shares --naics 334 --period 2024 --format json -q " + kByCountry +
                         "/census_imports_naics334family_by_country_2024_monthly.csv");
  RunResult all = RunTradewatch("report shares --naics 334 --period 2024 --format json -q " + kByCountry +
                      "/census_imports_naics2to4_by_country_2024_monthly.csv.gz");
  ASSERT_EQ(family.exit_code, 0) << family.err;
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(family.out, all.out);
}

TEST(ReportRealDataTest, Naics334Balance2024MatchesDirectSums) {
  std::string imports = kByCountry + "/census_imports_naics334family_by_country_2024_monthly.csv";
  std::string exports = kByCountry + "/census_exports_naics334family_by_country_2024_monthly.csv";
  RunResult r = RunTradewatch("report balance --naics 334 --window year --period 2024 --top 0 "
                    "--format json -q " + imports + " " + exports);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto im = SumByCountry(imports, "334", "GEN_VAL_MO", MonthsOf(2024));
  auto ex = SumByCountry(exports, "334", "ALL_VAL_MO", MonthsOf(2024));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out);
  EXPECT_EQ(int64_t(doc["imports_usd"]), Total(im));
  EXPECT_EQ(int64_t(doc["exports_usd"]), Total(ex));
  EXPECT_EQ(int64_t(doc["balance_usd"]), Total(im) - Total(ex));
  // PROVENANCE: the 2024 sum over the 184 countries of NAICS 334 imports is $550.85B.
  EXPECT_NEAR(static_cast<double>(Total(im)) / 1e9, 550.85, 0.005);
  // Every partner's balance, and China first.
  std::set<std::string> partners;
  for (const auto& [c, v] : im) partners.insert(c);
  for (const auto& [c, v] : ex) partners.insert(c);
  size_t seen = 0;
  for (simdjson::dom::element c : doc["contributors"].get_array()) {
    std::string code{std::string_view(c["code"])};
    int64_t expected = (im.count(code) ? im[code] : 0) - (ex.count(code) ? ex[code] : 0);
    EXPECT_EQ(int64_t(c["balance_usd"]), expected) << code;
    ++seen;
  }
  EXPECT_EQ(seen, partners.size());
  EXPECT_EQ(std::string_view(doc["contributors"].at(0)["code"]), "5700");
}

TEST(ReportRealDataTest, AtpBalance2025MatchesTheAnnualCensusFigures) {
  RunResult r = RunTradewatch("report balance --product atp --window year --period 2025 --format json -q " +
                    kData + "/census_atp/census_atp_total_monthly_2013_2026.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto annual = ReadCsv(kData + "/census_atp/census_atp_total_annual_2013_2025.csv");
  std::map<std::string, std::pair<double, double>> by_year;
  const auto& h = annual.at(0);
  for (size_t i = 1; i < annual.size(); ++i) {
    by_year[annual[i][Col(h, "year")]] = {std::stod(annual[i][Col(h, "imports_musd_IYR")]),
                                          std::stod(annual[i][Col(h, "exports_musd_EYR")])};
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out);
  // PROVENANCE: the months sum to the annual value within $0.2M.
  EXPECT_NEAR(double(int64_t(doc["imports_usd"])), by_year["2025"].first * 1e6, 0.25e6);
  EXPECT_NEAR(double(int64_t(doc["exports_usd"])), by_year["2025"].second * 1e6, 0.25e6);
  double previous = (by_year["2024"].first - by_year["2024"].second) * 1e6;
  EXPECT_NEAR(double(int64_t(doc["previous_balance_usd"])), previous, 0.5e6);
  double now = (by_year["2025"].first - by_year["2025"].second) * 1e6;
  EXPECT_NEAR(double(doc["deficit_growth"]), (now - previous) / std::fabs(previous), 1e-5);
}

TEST(ReportRealDataTest, TopThirtyFileSharesAreOfTheCensusTotalWithNotInDetail) {
  std::string file = kData + "/census_naics3_by_country_2013_2025/"
                             "census_imports_naics334_top30_countries_monthly_2013-01_2025-11.csv";
  RunResult r = RunTradewatch("report shares --naics 334 --window t12m --period 2025-11 --top 0 "
                    "--format json -q " + file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Independent: sum by name over Dec 2024 .. Nov 2025; the three aggregates are not countries.
  auto rows = ReadCsv(file);
  const auto& h = rows.at(0);
  std::set<std::string> months;
  for (const char* m : {"2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05",
                        "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11"}) {
    months.insert(m);
  }
  int64_t total_row = 0, countries = 0;
  std::map<std::string, int64_t> by_name;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (!months.count(row[Col(h, "time")])) continue;
    int64_t v = std::stoll(row[Col(h, "CON_VAL_MO")]);
    const std::string& name = row[Col(h, "CTY_NAME")];
    if (name == "TOTAL FOR ALL COUNTRIES") {
      total_row += v;
    } else if (name != "EUROPEAN UNION" && name != "USMCA (NAFTA)") {
      countries += v;
      by_name[name] += v;
    }
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out);
  EXPECT_EQ(std::string_view(doc["measure"]), "imports_for_consumption");
  EXPECT_EQ(int64_t(doc["total_usd"]), total_row);
  EXPECT_EQ(int64_t(doc["countries_usd"]), countries);
  EXPECT_NEAR(double(doc["coverage"]), static_cast<double>(countries) / total_row, 1e-9);
  EXPECT_EQ(by_name.size(), 30u);
  int64_t not_in_detail = -1;
  size_t partners = 0;
  for (simdjson::dom::element p : doc["partners"].get_array()) {
    if (std::string_view(p["code"]) == "not_in_detail") {
      not_in_detail = int64_t(p["value_usd"]);
    } else {
      ++partners;
    }
  }
  EXPECT_EQ(partners, 30u);
  EXPECT_EQ(not_in_detail, total_row - countries);
  EXPECT_EQ(int64_t(doc["partners"].at(0)["value_usd"]), by_name["TAIWAN"]);
}

TEST(ReportRealDataTest, SameInputGivesByteIdenticalOutput) {
  std::string args = "report shares --naics 3344 --window t12m --period 2025-06 --format json -q " +
                     kByCountry + "/census_imports_naics_3344.csv";
  RunResult a = RunTradewatch(args);
  RunResult b = RunTradewatch(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_FALSE(a.out.empty());
  EXPECT_EQ(a.out, b.out);
}

TEST(ReportRealDataTest, UnknownNaicsIsOneClearLineAndNonZeroExit) {
  RunResult r = RunTradewatch("report shares --naics 9999 --period 2025 " + kByCountry +
                    "/census_imports_naics_3344.csv -q");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("unknown NAICS code 9999"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3344"), std::string::npos) << r.err;  // names the codes present
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ReportRealDataTest, IncompleteWindowIsRefusedUnlessAllowed) {
  std::string file = kData + "/census_naics3_by_country_2013_2025/"
                             "census_imports_naics334_top30_countries_monthly_2013-01_2025-11.csv";
  RunResult r = RunTradewatch("report shares --naics 334 --window year --period 2025 -q " + file);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("incomplete: 11 of 12 months"), std::string::npos) << r.err;
  RunResult allowed = RunTradewatch("report shares --naics 334 --window year --period 2025 "
                          "--allow-incomplete --format json -q " + file);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  simdjson::dom::parser parser;
  EXPECT_FALSE(bool(parser.parse(allowed.out)["complete"]));
}

TEST(ReportRealDataTest, PeriodWithoutDataIsAnError) {
  RunResult r = RunTradewatch("report shares --naics 3344 --period 2019 -q " + kByCountry +
                    "/census_imports_naics_3344.csv");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no data for year 2019"), std::string::npos) << r.err;
}

TEST(ReportRealDataTest, CheckAccountsForEveryRowOfEveryCensusFile) {
  const char* files[] = {
      "census_imports_naics_3344.csv",
      "census_imports_naics334family_by_country_2024_monthly.csv",
      "census_exports_naics334family_by_country_2024_monthly.csv",
      "census_imports_naics334family_all_countries_selected_months_2010-2025.csv",
      "census_imports_naics2to4_by_country_2024_monthly.csv.gz",
      "census_exports_naics2to4_by_country_2024_monthly.csv.gz",
      "census_imports_naics2to4_all_countries_selected_months_2010-2025.csv.gz",
      "raw_api_json/imports_statenaics_2025-01_all_countries.json",
      "raw_api_json/exports_statenaics_2024_taiwan.json",
  };
  for (const char* name : files) {
    SCOPED_TRACE(name);
    std::string path = kByCountry + "/" + name;
    RunResult r = RunTradewatch("check census " + path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // "<path>: N rows, N records = A accepted + G aggregates + D duplicates + R rejected (...)"
    auto at = r.out.find(path + ": ");
    ASSERT_NE(at, std::string::npos) << r.out.substr(0, 500);
    long long rows, records, accepted, aggregates, duplicates, rejected;
    ASSERT_EQ(std::sscanf(r.out.c_str() + at + path.size() + 2,
                          "%lld rows, %lld records = %lld accepted + %lld aggregates + %lld "
                          "duplicates + %lld rejected",
                          &rows, &records, &accepted, &aggregates, &duplicates, &rejected),
              6);
    EXPECT_EQ(records, accepted + aggregates + duplicates + rejected);
    // Independent row count: data lines of the file (JSON: rows of the body minus the header).
    if (std::string(name).find(".json") == std::string::npos) {
      EXPECT_EQ(rows, static_cast<long long>(ReadCsv(path).size()) - 1);
    }
    // Every non-accepted record is printed with its reason and position.
    size_t printed = 0;
    for (size_t pos = 0; (pos = r.out.find("reject ", pos)) != std::string::npos; ++pos) {
      ++printed;
    }
    EXPECT_EQ(printed, static_cast<size_t>(rejected));
  }
}

TEST(ReportRealDataTest, OldPartnerCodesOfThe2010DataAreRejectedWithTheCode) {
  RunResult r = RunTradewatch("check census " + kByCountry +
                    "/census_imports_naics334family_all_countries_selected_months_2010-2025.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("reject unknown_partner: "), std::string::npos);
  EXPECT_NE(r.out.find("CTY_CODE '2771': partner code not in the country table"),
            std::string::npos);
  EXPECT_NE(r.out.find("unknown_partner 12"), std::string::npos);
}



// The world-total extracts (one flow per row, partner fixed to the total) through the built-in
// census_world_totals mapping; Census trade codes ending in X ("11211X") are valid codes.
int64_t SumWorldTotal(const std::string& path, const std::string& code, const std::string& year) {
  auto rows = ReadCsv(path);
  const auto& h = rows.at(0);
  int64_t sum = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r[Col(h, "category_code")] == code && r[Col(h, "time")].substr(0, 4) == year) {
      sum += std::stoll(r[Col(h, "value_mo")]);
    }
  }
  return sum;
}

TEST(ReportRealDataTest, WorldTotalsGiveThe334BalanceOverAllPartners) {
  std::string dir = kData + "/census_naics_world_totals";
  std::string imports = dir + "/census_imports_naics_2016_2024.csv.gz";
  std::string exports = dir + "/census_exports_naics_3digit_2016_2024.csv.gz";
  RunResult r = RunTradewatch("report balance --naics 334 --window year --period 2024 "
                              "--format json -q " + imports + " " + exports);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out);
  int64_t im = SumWorldTotal(imports, "334", "2024");
  int64_t ex = SumWorldTotal(exports, "334", "2024");
  EXPECT_EQ(int64_t(doc["imports_usd"]), im);
  EXPECT_EQ(int64_t(doc["exports_usd"]), ex);
  // PROVENANCE: the world total of NAICS 334 imports in 2024 is $551.19B.
  EXPECT_NEAR(static_cast<double>(im) / 1e9, 551.19, 0.005);
  ASSERT_TRUE(doc["previous_balance_usd"].is_int64());
  EXPECT_EQ(int64_t(doc["previous_balance_usd"]),
            SumWorldTotal(imports, "334", "2023") - SumWorldTotal(exports, "334", "2023"));
}

TEST(ReportRealDataTest, WorldTotalsAcceptCensusTradeCodesEndingInXAndRejectEndUseRows) {
  std::string dir = kData + "/census_naics_world_totals";
  RunResult naics = RunTradewatch("check census " + dir + "/census_imports_naics_2016_2024.csv.gz");
  ASSERT_EQ(naics.exit_code, 0) << naics.err;
  EXPECT_NE(naics.out.find("82868 rows, 82868 records = 0 accepted + 82868 aggregates + 0 "
                           "duplicates + 0 rejected"),
            std::string::npos)
      << naics.out.substr(0, 400);
  RunResult enduse = RunTradewatch("check census --show-rejects 1 " + dir +
                                   "/census_trade_enduse_2016_2024.csv.gz");
  ASSERT_EQ(enduse.exit_code, 0) << enduse.err;
  EXPECT_NE(enduse.out.find("dimension 'enduse': unsupported classification"), std::string::npos)
      << enduse.out.substr(0, 400);
  EXPECT_NE(enduse.out.find("(unsupported_classification 31663)"), std::string::npos);
}

}  // namespace
