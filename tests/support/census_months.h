// The real NAICS 3344 imports (../shared/data, 2021-01..2025-12) split into one CSV per month (the
// header and that month's rows), as the monthly releases would carry them: what the end-to-end
// and exactly-once tests ingest release by release with the built binary.
#pragma once

#include <fstream>
#include <map>
#include <regex>
#include <string>

namespace tradewatch::testing {

inline constexpr char kImports3344[] =
    "../shared/data/census_naics_by_country/census_imports_naics_3344.csv";

// Writes `dir`/imports_3344_YYYY-MM.csv for each month; returns period -> path, in order.
inline std::map<std::string, std::string> Split3344ByMonth(const std::string& dir) {
  std::ifstream in(kImports3344);
  std::string header;
  std::getline(in, header);
  std::map<std::string, std::string> rows;
  static const std::regex month(",([0-9]{4}-[0-9]{2})-01,");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, month)) rows[m[1]] += line + "\n";
  }
  std::map<std::string, std::string> files;
  for (const auto& [period, text] : rows) {
    const std::string path = dir + "/imports_3344_" + period + ".csv";
    std::ofstream(path) << header << "\n" << text;
    files[period] = path;
  }
  return files;
}

}  // namespace tradewatch::testing
