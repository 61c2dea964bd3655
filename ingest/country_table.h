// Census Schedule C partner codes: which codes are countries, groups, continents or the total, and
// the names they go by. Loaded from ../shared/data/census_country_codes (kind,cty_code,name,...).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "tradewatch/v1/trade.pb.h"

namespace tradewatch::ingest {

struct CountryEntry {
  std::string code;          // "5800"
  std::string name;          // as in the table: "South Korea (Republic of Korea)"
  std::string display_name;  // without the parenthetical: "South Korea"
  tradewatch::v1::PartnerKind kind;
};

// Immutable after loading; safe to share between threads.
class CountryTable {
 public:
  // Parses the Schedule C CSV (header kind,cty_code,name,iso2,additional_info, columns by name).
  // `origin` names the source in errors.
  static absl::StatusOr<CountryTable> Parse(std::string_view csv, std::string_view origin);
  static absl::StatusOr<CountryTable> Load(const std::string& path);

  // The kind of a partner code: "-" is the total, 0001-0028 groups, 1XXX-7XXX continents, and a
  // four-digit code is a country when the table has it. nullopt for anything else.
  std::optional<tradewatch::v1::PartnerKind> Classify(std::string_view code) const;

  // The entry for a code, or nullptr.
  const CountryEntry* FindByCode(std::string_view code) const;

  // The code for a partner name as Census spells it ("KOREA, SOUTH", "KOREA SOUTH", "TAIWAN",
  // "ST LUCIA", "CONGO (KINSHASA)", "USMCA (NAFTA)", "TOTAL FOR ALL COUNTRIES"), or nullptr when the
  // name is unknown.
  const CountryEntry* FindByName(std::string_view name) const;

  // A readable name for a code ("Taiwan"); the code itself when unknown.
  std::string_view DisplayName(std::string_view code) const;

  size_t size() const { return entries_.size(); }

 private:
  void AddName(std::string_view name, size_t index);

  std::vector<CountryEntry> entries_;
  absl::flat_hash_map<std::string, size_t> by_code_;
  absl::flat_hash_map<std::string, size_t> by_name_;  // normalized names
  // Parts of names before a comma, to register only those that one entry alone has.
  absl::flat_hash_map<std::string, size_t> comma_heads_;
};

// Upper case, parentheticals removed (unless `keep_parenthetical`), punctuation to spaces, spaces
// collapsed, SAINT written ST.
std::string NormalizePartnerName(std::string_view name, bool keep_parenthetical = false);

// The four-digit code forms: true for "5830", false for "5XXX", "-", "0003".
bool IsCountryCodeForm(std::string_view code);

}  // namespace tradewatch::ingest
