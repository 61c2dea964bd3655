#include "tools/reference_data.h"

#include <cstdlib>
#include <algorithm>
#include <filesystem>

#include "common/file_io.h"
#include "common/status_macros.h"
#include "common/yaml_config.h"
#include "fmt/format.h"
#include "ingest/csv_reader.h"
#include "processors/analytics.h"
#include "processors/route_table.h"

namespace tradewatch::tools {

// Generated from deploy/regions/regions.yaml and deploy/routes/routes.yaml by
// tools/CMakeLists.txt.
extern const char* const kEmbeddedRegionsYaml;
extern const char* const kEmbeddedRoutesYaml;

std::string DefaultCountriesPath() {
  if (const char* env = std::getenv("TRADEWATCH_COUNTRIES"); env != nullptr && *env != '\0') {
    return env;
  }
  return "../shared/data/census_country_codes/schedule_c_countries_and_groups.csv";
}

absl::StatusOr<ingest::CountryTable> LoadCountries(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(fmt::format(
        "country table not found at {} (run from the checkout beside shared/, or pass "
        "--countries FILE or set TRADEWATCH_COUNTRIES)",
        path));
  }
  return ingest::CountryTable::Load(path);
}

std::string DefaultNaicsTitlesPath() {
  if (const char* env = std::getenv("TRADEWATCH_NAICS_TITLES"); env != nullptr && *env != '\0') {
    return env;
  }
  return "../shared/data/naics_titles/naics2017_all_codes.csv";
}

std::map<std::string, std::string> LoadNaicsTitles(const std::string& path) {
  std::map<std::string, std::string> titles;
  auto text = ReadFileContents(path);
  if (!text.ok()) return titles;
  ingest::CsvReader reader(*text);
  ingest::CsvRecord record;
  if (!reader.Next(&record)) return titles;
  int code = ingest::FindColumn(record.fields, "naics_code");
  int title = ingest::FindColumn(record.fields, "title");
  if (code < 0 || title < 0) return titles;
  while (reader.Next(&record)) {
    if (record.fields.size() > static_cast<size_t>(std::max(code, title))) {
      titles.emplace(std::string(record.fields[code]), std::string(record.fields[title]));
    }
  }
  return titles;
}

absl::StatusOr<v1::RegionTable> LoadRegions(const std::string& path) {
  v1::RegionTable table;
  if (path.empty()) {
    TW_RETURN_IF_ERROR(ParseYamlToProto(kEmbeddedRegionsYaml, "deploy/regions/regions.yaml", &table));
  } else {
    TW_RETURN_IF_ERROR(LoadYamlFile(path, &table));
  }
  std::string problem = processors::ValidateRegionTable(table);
  if (!problem.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", path.empty() ? "deploy/regions/regions.yaml" : path, problem));
  }
  return table;
}

absl::StatusOr<v1::RouteTable> LoadRoutes(const std::string& path) {
  v1::RouteTable table;
  YamlLines lines;
  if (path.empty()) {
    TW_RETURN_IF_ERROR(
        ParseYamlToProto(kEmbeddedRoutesYaml, "deploy/routes/routes.yaml", &table, &lines));
  } else {
    TW_RETURN_IF_ERROR(LoadYamlFile(path, &table, &lines));
  }
  TW_RETURN_IF_ERROR(processors::ValidateRouteTable(table, &lines));
  return table;
}

processors::PartnerNamer MakeNamer(const ingest::CountryTable& countries) {
  return [&countries](std::string_view code) { return std::string(countries.DisplayName(code)); };
}

}  // namespace tradewatch::tools
