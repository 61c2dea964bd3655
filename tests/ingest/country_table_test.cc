#include "ingest/country_table.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/ingest_support.h"
#include "ingest/csv_reader.h"

namespace tradewatch::ingest {
namespace {

using ::testing::HasSubstr;
using tradewatch::v1::PARTNER_KIND_CONTINENT;
using tradewatch::v1::PARTNER_KIND_COUNTRY;
using tradewatch::v1::PARTNER_KIND_GROUP;
using tradewatch::v1::PARTNER_KIND_TOTAL;
using tradewatch::v1::PartnerKind;

constexpr const char* kScheduleC = testing::kCountriesCsv;
using testing::Countries;
constexpr char kData[] = "../shared/data/census_naics_by_country/";

std::string CodeOfName(std::string_view name) {
  const CountryEntry* entry = Countries().FindByName(name);
  return entry == nullptr ? "<none>" : entry->code;
}

// Distinct (CTY_CODE, CTY_NAME) pairs of a real Census table.
std::set<std::pair<std::string, std::string>> PartnerPairs(const std::string& path) {
  std::set<std::pair<std::string, std::string>> pairs;
  auto text = ReadFileContents(path);
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return pairs;
  CsvReader reader(*text);
  CsvRecord record;
  EXPECT_TRUE(reader.Next(&record));
  int code = -1;
  int name = -1;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (record.fields[i] == "CTY_CODE") code = static_cast<int>(i);
    if (record.fields[i] == "CTY_NAME") name = static_cast<int>(i);
  }
  EXPECT_GE(code, 0);
  EXPECT_GE(name, 0);
  if (code < 0 || name < 0) return pairs;
  while (reader.Next(&record)) {
    EXPECT_TRUE(record.error.empty()) << path << ":" << record.line << ": " << record.error;
    if (!record.error.empty()) continue;
    pairs.emplace(record.fields[code], record.fields[name]);
  }
  return pairs;
}

// Checks that every individual country of `path` is found by its name, with its code; returns
// the number of countries checked.
size_t ExpectEveryCountryFoundByName(const std::string& path) {
  std::vector<std::string> failures;
  size_t countries = 0;
  for (const auto& [code, name] : PartnerPairs(path)) {
    if (Countries().Classify(code) != PARTNER_KIND_COUNTRY) continue;
    ++countries;
    std::string found = CodeOfName(name);
    if (found != code) failures.push_back(code + " " + name + " -> " + found);
  }
  EXPECT_THAT(failures, ::testing::IsEmpty()) << path;
  return countries;
}

TEST(CountryTableTest, LoadsEveryRowOfScheduleCPlusTheTotal) {
  EXPECT_EQ(Countries().size(), 262u);  // 241 countries + 20 groups + "-"
}

TEST(CountryTableTest, ClassifiesTheAllPartnerTotal) {
  EXPECT_EQ(Countries().Classify("-"), std::optional<PartnerKind>(PARTNER_KIND_TOTAL));
}

TEST(CountryTableTest, ClassifiesGroupCodesOneToTwentyEight) {
  for (std::string_view code : {"0001", "0003", "0014", "0017", "0020", "0027", "0028"}) {
    EXPECT_EQ(Countries().Classify(code), std::optional<PartnerKind>(PARTNER_KIND_GROUP)) << code;
  }
  EXPECT_EQ(Countries().Classify("0000"), std::nullopt);
  EXPECT_EQ(Countries().Classify("0029"), std::nullopt);
  EXPECT_EQ(Countries().Classify("0100"), std::nullopt);
}

TEST(CountryTableTest, ClassifiesContinentsOneToSeven) {
  for (std::string_view code : {"1XXX", "2XXX", "3XXX", "4XXX", "5XXX", "6XXX", "7XXX"}) {
    EXPECT_EQ(Countries().Classify(code), std::optional<PartnerKind>(PARTNER_KIND_CONTINENT))
        << code;
  }
  EXPECT_EQ(Countries().Classify("8XXX"), std::nullopt);
  EXPECT_EQ(Countries().Classify("9XXX"), std::nullopt);
  EXPECT_EQ(Countries().Classify("0XXX"), std::nullopt);
  EXPECT_EQ(Countries().Classify("5XX"), std::nullopt);
}

TEST(CountryTableTest, ClassifiesCountriesOfTheTable) {
  for (std::string_view code : {"5830", "5700", "5800", "2010", "1220", "9510", "4280"}) {
    EXPECT_EQ(Countries().Classify(code), std::optional<PartnerKind>(PARTNER_KIND_COUNTRY)) << code;
  }
}

TEST(CountryTableTest, CodesNotInTheTableAreUnknown) {
  // 2771 Netherlands Antilles (dissolved 2010) and 7320 Sudan (before the split) appear in the
  // real 2010 data but not in the current Schedule C.
  for (std::string_view code : {"2771", "7320", "9999", "583", "58300", "", "58a0", "-1"}) {
    EXPECT_EQ(Countries().Classify(code), std::nullopt) << code;
  }
}

TEST(CountryTableTest, FindsEntriesByCode) {
  const CountryEntry* taiwan = Countries().FindByCode("5830");
  ASSERT_NE(taiwan, nullptr);
  EXPECT_EQ(taiwan->name, "Taiwan");
  EXPECT_EQ(taiwan->kind, PARTNER_KIND_COUNTRY);
  const CountryEntry* asia = Countries().FindByCode("5XXX");
  ASSERT_NE(asia, nullptr);
  EXPECT_EQ(asia->kind, PARTNER_KIND_CONTINENT);
  const CountryEntry* eu = Countries().FindByCode("0003");
  ASSERT_NE(eu, nullptr);
  EXPECT_EQ(eu->kind, PARTNER_KIND_GROUP);
  EXPECT_EQ(Countries().FindByCode("2771"), nullptr);
}

TEST(CountryTableTest, DisplayNameStripsTheParenthetical) {
  EXPECT_EQ(Countries().DisplayName("5800"), "South Korea");
  EXPECT_EQ(Countries().DisplayName("5790"), "North Korea");
  EXPECT_EQ(Countries().DisplayName("5830"), "Taiwan");
  EXPECT_EQ(Countries().DisplayName("0027"), "ASEAN");
  EXPECT_EQ(Countries().DisplayName("-"), "All partners");
}

TEST(CountryTableTest, DisplayNameOfUnknownCodeIsTheCode) {
  EXPECT_EQ(Countries().DisplayName("2771"), "2771");
}

TEST(CountryTableTest, FindsCensusSpellingsOfSouthKorea) {
  EXPECT_EQ(CodeOfName("KOREA, SOUTH"), "5800");
  EXPECT_EQ(CodeOfName("KOREA SOUTH"), "5800");
  EXPECT_EQ(CodeOfName("SOUTH KOREA"), "5800");
  EXPECT_EQ(CodeOfName("South Korea (Republic of Korea)"), "5800");
  EXPECT_EQ(CodeOfName("korea, south"), "5800");
}

TEST(CountryTableTest, FindsAggregatesByCensusApiName) {
  EXPECT_EQ(CodeOfName("TOTAL FOR ALL COUNTRIES"), "-");
  EXPECT_EQ(CodeOfName("EUROPEAN UNION"), "0003");
  EXPECT_EQ(CodeOfName("USMCA (NAFTA)"), "0020");
  EXPECT_EQ(CodeOfName("NAFTA"), "0020");
  EXPECT_EQ(CodeOfName("ASIA"), "5XXX");
  EXPECT_EQ(CodeOfName("PACIFIC RIM COUNTRIES"), "0014");
}

TEST(CountryTableTest, FindsPlainCountryNames) {
  EXPECT_EQ(CodeOfName("TAIWAN"), "5830");
  EXPECT_EQ(CodeOfName("CHINA"), "5700");
  EXPECT_EQ(CodeOfName("MEXICO"), "2010");
  EXPECT_EQ(CodeOfName("VIETNAM"), "5520");
}

TEST(CountryTableTest, UnknownNamesAreNotFound) {
  EXPECT_EQ(Countries().FindByName("ATLANTIS"), nullptr);
  EXPECT_EQ(Countries().FindByName(""), nullptr);
  EXPECT_EQ(Countries().FindByName("NETHERLANDS ANTILLES"), nullptr);
}

TEST(CountryTableTest, FindsEveryCountryOfTheNaics3344ImportsByName) {
  EXPECT_GT(ExpectEveryCountryFoundByName(std::string(kData) + "census_imports_naics_3344.csv"),
            150u);
}

TEST(CountryTableTest, FindsEveryCountryOfThe2024ExportsByName) {
  EXPECT_GT(ExpectEveryCountryFoundByName(
                std::string(kData) + "census_exports_naics334family_by_country_2024_monthly.csv"),
            150u);
}

TEST(CountryTableTest, FindsEveryCountryOfThe2010To2025ImportsByName) {
  EXPECT_GT(ExpectEveryCountryFoundByName(
                std::string(kData) +
                "census_imports_naics334family_all_countries_selected_months_2010-2025.csv"),
            200u);
}

TEST(CountryTableTest, FindsEveryGroupAndContinentOfTheNaics3344ImportsByName) {
  std::vector<std::string> failures;
  for (const auto& [code, name] :
       PartnerPairs(std::string(kData) + "census_imports_naics_3344.csv")) {
    auto kind = Countries().Classify(code);
    if (kind != PARTNER_KIND_GROUP && kind != PARTNER_KIND_CONTINENT) continue;
    std::string found = CodeOfName(name);
    if (found != code) failures.push_back(code + " " + name + " -> " + found);
  }
  EXPECT_THAT(failures, ::testing::IsEmpty());
}

TEST(CountryTableTest, NormalizesPartnerNames) {
  EXPECT_EQ(NormalizePartnerName("Korea, South"), "KOREA SOUTH");
  EXPECT_EQ(NormalizePartnerName("South Korea (Republic of Korea)"), "SOUTH KOREA");
  EXPECT_EQ(NormalizePartnerName("  USMCA (NAFTA) "), "USMCA");
  EXPECT_EQ(NormalizePartnerName("BOSNIA-HERZEGOVINA"), "BOSNIA HERZEGOVINA");
  EXPECT_EQ(NormalizePartnerName("ST KITTS AND NEVIS"), "ST KITTS AND NEVIS");
}

TEST(CountryTableTest, CountryCodeFormIsFourDigitsNotStartingWithZero) {
  EXPECT_TRUE(IsCountryCodeForm("5830"));
  EXPECT_TRUE(IsCountryCodeForm("9510"));
  EXPECT_FALSE(IsCountryCodeForm("5XXX"));
  EXPECT_FALSE(IsCountryCodeForm("-"));
  EXPECT_FALSE(IsCountryCodeForm("0003"));
  EXPECT_FALSE(IsCountryCodeForm("583"));
  EXPECT_FALSE(IsCountryCodeForm("58300"));
}

TEST(CountryTableTest, ParseFindsColumnsByName) {
  auto table = CountryTable::Parse(
      "name,kind,iso2,cty_code\nTaiwan,country,TW,5830\nASEAN,group,,0027\n", "small.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->Classify("5830"), std::optional<PartnerKind>(PARTNER_KIND_COUNTRY));
  EXPECT_EQ(table->Classify("5700"), std::nullopt);
  ASSERT_NE(table->FindByName("TAIWAN"), nullptr);
  EXPECT_EQ(table->FindByName("TAIWAN")->code, "5830");
}

TEST(CountryTableTest, ParseErrorsNameTheOrigin) {
  auto missing = CountryTable::Parse("kind,code,name\ncountry,5830,Taiwan\n", "codes.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("codes.csv"));

  auto kind = CountryTable::Parse("kind,cty_code,name\nisland,5830,Taiwan\n", "codes.csv");
  ASSERT_FALSE(kind.ok());
  EXPECT_THAT(kind.status().message(), HasSubstr("codes.csv:2"));
  EXPECT_THAT(kind.status().message(), HasSubstr("island"));

  auto code = CountryTable::Parse("kind,cty_code,name\ncountry,58X0,Taiwan\n", "codes.csv");
  ASSERT_FALSE(code.ok());
  EXPECT_THAT(code.status().message(), HasSubstr("codes.csv:2"));
  EXPECT_THAT(code.status().message(), HasSubstr("58X0"));

  auto empty = CountryTable::Parse("", "empty.csv");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("empty.csv"));
}

TEST(CountryTableTest, LoadOfMissingFileNamesThePath) {
  auto table = CountryTable::Load("no/such/countries.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr("no/such/countries.csv"));
}

}  // namespace
}  // namespace tradewatch::ingest
