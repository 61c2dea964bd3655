// Shared by the ingest tests: the real Census country table and a string builder.
#pragma once

#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "ingest/country_table.h"

namespace tradewatch::ingest::testing {

inline constexpr char kCountriesCsv[] =
    "../shared/data/census_country_codes/schedule_c_countries_and_groups.csv";

// The real Schedule C table from ../shared/data, loaded once. A load failure fails the test that
// asked for it and yields an empty table.
inline const CountryTable& Countries() {
  static const CountryTable* const table = [] {
    auto loaded = CountryTable::Load(kCountriesCsv);
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      return new CountryTable(*CountryTable::Parse("kind,cty_code,name\n", "empty"));
    }
    return new CountryTable(*std::move(loaded));
  }();
  return *table;
}

// Concatenates anything streamable (std::string_view included, which absl::StrCat of Debian's
// abseil does not take).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

}  // namespace tradewatch::ingest::testing
