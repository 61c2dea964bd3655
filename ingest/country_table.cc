#include "ingest/country_table.h"

#include <cctype>

#include "absl/status/status.h"
#include "common/file_io.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/csv_reader.h"

namespace tradewatch::ingest {
namespace {

using tradewatch::v1::PartnerKind;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string StripParenthetical(std::string_view name) {
  std::string out;
  int depth = 0;
  for (char c : name) {
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (depth == 0) {
      out.push_back(c);
    }
  }
  return out;
}

// Census API spellings that Schedule C writes differently and no rule derives. Found by reading
// every (CTY_CODE, CTY_NAME) pair of the real Census files in shared/data.
struct Alias {
  const char* name;
  const char* code;
};
constexpr Alias kCensusAliases[] = {
    {"TOTAL FOR ALL COUNTRIES", "-"},
    {"USMCA", "0020"},  // "USMCA (NAFTA)" in API responses; Schedule C says NAFTA
    {"MACAU", "5660"},
    {"MACEDONIA", "4794"},
    {"CONGO", "7630"},
    {"CONGO BRAZZAVILLE", "7630"},
    {"CONGO KINSHASA", "7660"},
    {"DEMOCRATIC REPUBLIC OF THE CONGO", "7660"},
    {"HEARD AND MCDONALD ISLANDS", "6029"},
    {"BRITISH INDIAN OCEAN TERRITORIES", "7810"},
    {"SVALBARD JAN MAYEN ISLAND", "4031"},
    {"SVALBARD AND JAN MAYEN ISLAND", "4031"},
};

}  // namespace

std::string NormalizePartnerName(std::string_view name, bool keep_parenthetical) {
  std::string source = keep_parenthetical ? std::string(name) : StripParenthetical(name);
  std::string out;
  out.reserve(source.size());
  bool space = true;  // drop leading spaces
  for (char c : source) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      out.push_back(static_cast<char>(std::toupper(u)));
      space = false;
    } else if (!space) {
      out.push_back(' ');
      space = true;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  // Census abbreviates Saint as ST ("ST LUCIA"); Schedule C spells it out.
  std::string words;
  size_t start = 0;
  while (start <= out.size()) {
    size_t end = out.find(' ', start);
    if (end == std::string::npos) end = out.size();
    std::string_view word(out.data() + start, end - start);
    if (!words.empty()) words.push_back(' ');
    words.append(word == "SAINT" ? "ST" : word);
    start = end + 1;
  }
  return words;
}

bool IsCountryCodeForm(std::string_view code) {
  return code.size() == 4 && code[0] >= '1' && code[0] <= '9' && IsDigit(code[1]) &&
         IsDigit(code[2]) && IsDigit(code[3]);
}

void CountryTable::AddName(std::string_view name, size_t index) {
  for (bool keep : {false, true}) {
    std::string normalized = NormalizePartnerName(name, keep);
    if (!normalized.empty()) by_name_.try_emplace(normalized, index);
  }
  // The parenthetical alone names the country too: "Holy See (Vatican City)", "Burma (Myanmar)".
  auto open = name.find('(');
  auto close = name.find(')', open == std::string_view::npos ? 0 : open);
  if (open != std::string_view::npos && close != std::string_view::npos) {
    std::string inner = NormalizePartnerName(name.substr(open + 1, close - open - 1));
    if (!inner.empty()) by_name_.try_emplace(inner, index);
  }
  auto comma = name.find(',');
  if (comma != std::string_view::npos) {
    // "Korea, South" style: also register "SOUTH KOREA".
    std::string inverted = NormalizePartnerName(
        fmt::format("{} {}", StripParenthetical(name.substr(comma + 1)), name.substr(0, comma)));
    by_name_.try_emplace(inverted, index);
    // "Denmark, except Greenland", "Micronesia, Federated States of": the part before the comma,
    // unless two entries share it ("Congo, ..."), in which case neither gets it.
    std::string head = NormalizePartnerName(name.substr(0, comma));
    auto [it, inserted] = comma_heads_.try_emplace(head, index);
    if (inserted) {
      by_name_.try_emplace(head, index);
    } else if (it->second != index) {
      auto named = by_name_.find(head);
      if (named != by_name_.end() && named->second == it->second) by_name_.erase(named);
    }
  }
}

absl::StatusOr<CountryTable> CountryTable::Parse(std::string_view csv, std::string_view origin) {
  CsvReader reader(csv);
  CsvRecord record;
  if (!reader.Next(&record) || !record.error.empty()) {
    return absl::InvalidArgumentError(fmt::format("{}: empty or unreadable country table", origin));
  }
  int kind_col = FindColumn(record.fields, "kind");
  int code_col = FindColumn(record.fields, "cty_code");
  int name_col = FindColumn(record.fields, "name");
  if (kind_col < 0 || code_col < 0 || name_col < 0) {
    return absl::InvalidArgumentError(fmt::format(
        "{}: country table needs columns kind, cty_code and name", origin));
  }
  CountryTable table;
  while (reader.Next(&record)) {
    if (!record.error.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("{}:{}: {}", origin, record.line, record.error));
    }
    size_t needed = static_cast<size_t>(std::max({kind_col, code_col, name_col}));
    if (record.fields.size() <= needed) {
      return absl::InvalidArgumentError(
          fmt::format("{}:{}: expected at least {} fields", origin, record.line, needed + 1));
    }
    CountryEntry entry;
    entry.code = std::string(record.fields[code_col]);
    entry.name = std::string(record.fields[name_col]);
    std::string display = StripParenthetical(entry.name);
    while (!display.empty() && display.back() == ' ') display.pop_back();
    entry.display_name = display;
    std::string_view kind = record.fields[kind_col];
    if (kind == "country") {
      if (!IsCountryCodeForm(entry.code)) {
        return absl::InvalidArgumentError(fmt::format(
            "{}:{}: country code '{}' is not four digits", origin, record.line, entry.code));
      }
      entry.kind = v1::PARTNER_KIND_COUNTRY;
    } else if (kind == "group") {
      entry.kind = entry.code.find('X') != std::string::npos ? v1::PARTNER_KIND_CONTINENT
                                                             : v1::PARTNER_KIND_GROUP;
    } else {
      return absl::InvalidArgumentError(
          fmt::format("{}:{}: unknown kind '{}'", origin, record.line, kind));
    }
    size_t index = table.entries_.size();
    table.by_code_.try_emplace(entry.code, index);
    table.entries_.push_back(std::move(entry));
    table.AddName(table.entries_[index].name, index);
  }
  CountryEntry total{"-", "Total for all countries", "All partners", v1::PARTNER_KIND_TOTAL};
  table.by_code_.try_emplace(total.code, table.entries_.size());
  table.entries_.push_back(std::move(total));
  for (const Alias& alias : kCensusAliases) {
    auto it = table.by_code_.find(alias.code);
    if (it != table.by_code_.end()) table.by_name_.try_emplace(alias.name, it->second);
  }
  return table;
}

absl::StatusOr<CountryTable> CountryTable::Load(const std::string& path) {
  TW_ASSIGN_OR_RETURN(std::string text, ReadFileContents(path));
  return Parse(text, path);
}

std::optional<PartnerKind> CountryTable::Classify(std::string_view code) const {
  if (code == "-") return v1::PARTNER_KIND_TOTAL;
  if (code.size() == 4 && code[0] == '0' && IsDigit(code[1]) && IsDigit(code[2]) &&
      IsDigit(code[3])) {
    int number = (code[1] - '0') * 100 + (code[2] - '0') * 10 + (code[3] - '0');
    if (number >= 1 && number <= 28) return v1::PARTNER_KIND_GROUP;
    return std::nullopt;
  }
  if (code.size() == 4 && code[0] >= '1' && code[0] <= '7' && code.substr(1) == "XXX") {
    return v1::PARTNER_KIND_CONTINENT;
  }
  if (IsCountryCodeForm(code) && by_code_.contains(absl::string_view(code.data(), code.size()))) return v1::PARTNER_KIND_COUNTRY;
  return std::nullopt;
}

const CountryEntry* CountryTable::FindByCode(std::string_view code) const {
  auto it = by_code_.find(absl::string_view(code.data(), code.size()));
  return it == by_code_.end() ? nullptr : &entries_[it->second];
}

const CountryEntry* CountryTable::FindByName(std::string_view name) const {
  // With the parenthetical first ("CONGO (KINSHASA)"), then without it ("USMCA (NAFTA)").
  auto it = by_name_.find(NormalizePartnerName(name, true));
  if (it != by_name_.end()) return &entries_[it->second];
  std::string normalized = NormalizePartnerName(name);
  it = by_name_.find(normalized);
  if (it != by_name_.end()) return &entries_[it->second];
  // "KOREA SOUTH": Census sometimes drops the comma of "KOREA, SOUTH".
  auto space = normalized.rfind(' ');
  if (space != std::string::npos) {
    std::string rotated = normalized.substr(space + 1) + " " + normalized.substr(0, space);
    it = by_name_.find(rotated);
    if (it != by_name_.end()) return &entries_[it->second];
  }
  return nullptr;
}

std::string_view CountryTable::DisplayName(std::string_view code) const {
  const CountryEntry* entry = FindByCode(code);
  return entry == nullptr ? code : std::string_view(entry->display_name);
}

}  // namespace tradewatch::ingest
