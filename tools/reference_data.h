// Reference tables the commands load: the Census country table (from the shared data, path
// configurable), the region membership table (deploy/regions/regions.yaml) and the route table
// (deploy/routes/routes.yaml), both embedded at build time and overridable with a file.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "ingest/country_table.h"
#include "processors/analytics.h"
#include "tradewatch/v1/config.pb.h"

namespace tradewatch::tools {

// Default country table path: $TRADEWATCH_COUNTRIES, else the shared data beside the checkout.
std::string DefaultCountriesPath();

absl::StatusOr<ingest::CountryTable> LoadCountries(const std::string& path);

// NAICS code -> official title, from a CSV with columns naics_code and title (the 2017 titles in
// the shared data by default: $TRADEWATCH_NAICS_TITLES or ../shared/data/naics_titles/). Titles
// only decorate output, so a missing file gives an empty map.
std::string DefaultNaicsTitlesPath();
std::map<std::string, std::string> LoadNaicsTitles(const std::string& path);

// `path` empty: the table embedded from deploy/regions/regions.yaml.
absl::StatusOr<tradewatch::v1::RegionTable> LoadRegions(const std::string& path);

// `path` empty: the table embedded from deploy/routes/routes.yaml. Validated
// (processors::ValidateRouteTable): errors are "FILE:LINE:COLUMN: path: entry: problem", one per
// line.
absl::StatusOr<tradewatch::v1::RouteTable> LoadRoutes(const std::string& path);

// Partner names from the country table ("5830" -> "Taiwan"). `countries` must outlive the namer.
processors::PartnerNamer MakeNamer(const ingest::CountryTable& countries);

}  // namespace tradewatch::tools
