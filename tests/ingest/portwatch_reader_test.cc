// The PortWatch reader: both forms of the real file give the same records; the rows without a
// portid get a stable id and are counted; every reject reason names file:line, column and value;
// a restated (chokepoint, date) replaces the earlier row; dates past the horizon are rejected.
#include "ingest/portwatch_reader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/ingest_support.h"

namespace tradewatch::ingest {
namespace {

namespace v1 = tradewatch::v1;
using ::testing::HasSubstr;
using testing::Cat;

const std::string kDir = "../shared/data/imf_portwatch/";
const std::string kRealCsv = kDir + "portwatch_chokepoints_daily_2024-01_2026-07.csv";
const std::string kRealJson = kDir + "portwatch_chokepoints_daily_2024-01_2026-07.json";

constexpr char kCsv[] = "fixture.csv";
constexpr char kJson[] = "fixture.json";
constexpr char kHeader[] = "date,portid,portname,n_total,n_tanker,n_container,n_cargo,"
                           "n_dry_bulk,capacity";
constexpr char kBefore[] = "2025-03-13,chokepoint1,Suez Canal,45,18,7,27,15,1515864";
constexpr char kAfter[] = "2025-03-15,chokepoint1,Suez Canal,61,22,12,39,17,2223117";

// The header, a good row, `bad_row` on line 3, another good row.
std::string Around(std::string_view bad_row) {
  return Cat(kHeader, "\n", kBefore, "\n", bad_row, "\n", kAfter, "\n");
}

// The JSON form with one chokepoint whose series rows are one per line (row i on line 3 + i).
std::string JsonForm(const std::vector<std::string>& rows,
                     std::string_view updated = "2026-07-26") {
  std::string text = Cat("{\"updated\":\"", updated,
                         "\",\"columns\":[\"date\",\"total\",\"tanker\",\"container\",\"cargo\","
                         "\"dry_bulk\",\"capacity_dwt\"],\n"
                         "\"chokepoints\":{\"suez\":{\"name\":\"Suez Canal\",\"series\":[\n");
  for (size_t i = 0; i < rows.size(); ++i) text += Cat(i == 0 ? "" : ",\n", rows[i]);
  return text + "\n]}}}\n";
}

class PortwatchReaderTest : public ::testing::Test {
 protected:
  // Reads `text` as one file with a fresh reader; the summary must balance.
  PortwatchSummary Read(std::string_view text, std::string_view origin = kCsv) {
    PortwatchReader reader(options_, &sink_);
    reader.ReadBuffer(text, origin);
    EXPECT_TRUE(reader.summary().Balanced()) << reader.summary().Format();
    return reader.summary();
  }

  // The read's only reject: reason, position, value, raw row, a message naming file:line, column
  // and value; the rows around it still read.
  void ExpectOneReject(const PortwatchSummary& s, v1::RejectReason reason, std::string_view origin,
                       int64_t line, std::string_view column, std::string_view value,
                       std::string_view raw, size_t accepted = 2) {
    ASSERT_EQ(sink_.rejects.size(), 1u) << s.Format();
    const v1::RejectedRecord& r = sink_.rejects[0];
    EXPECT_EQ(r.reason(), reason) << v1::RejectReason_Name(r.reason());
    EXPECT_EQ(r.position().source(), origin);
    EXPECT_EQ(r.position().line(), line);
    EXPECT_EQ(r.position().column(), column);
    EXPECT_EQ(r.value(), value);
    EXPECT_EQ(r.raw(), raw);
    EXPECT_THAT(r.message(), HasSubstr(Cat(origin, ":", line, ":")));
    if (!column.empty()) {
      EXPECT_THAT(r.message(), HasSubstr(Cat(column, " '", value, "'")));
    }
    EXPECT_EQ(s.rejected.at(reason), 1);
    EXPECT_EQ(s.rejected_total(), 1);
    EXPECT_EQ(sink_.transits.size(), accepted);
  }

  PortwatchReadOptions options_;
  CollectingTransitSink sink_;
};

// ---------- the real files ----------

std::map<std::string, v1::ChokepointTransit> ByKey(const std::vector<v1::ChokepointTransit>& in) {
  std::map<std::string, v1::ChokepointTransit> out;
  for (v1::ChokepointTransit t : in) {
    t.clear_source();
    t.clear_source_line();
    out.emplace(Cat(t.chokepoint_id(), "/", t.date_yyyymmdd()), t);
  }
  return out;
}

TEST_F(PortwatchReaderTest, RealCsvAndJsonFormsGiveIdenticalRecords) {
  CollectingTransitSink csv;
  CollectingTransitSink json;
  PortwatchReader csv_reader(options_, &csv);
  PortwatchReader json_reader(options_, &json);
  ASSERT_TRUE(csv_reader.ReadFile(kRealCsv).ok());
  ASSERT_TRUE(json_reader.ReadFile(kRealJson).ok());
  EXPECT_EQ(csv.transits.size(), 11253u);  // PROVENANCE: 11,253 rows + header
  EXPECT_TRUE(csv.rejects.empty());
  EXPECT_TRUE(json.rejects.empty());
  const auto a = ByKey(csv.transits);
  const auto b = ByKey(json.transits);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, transit] : a) {
    auto it = b.find(key);
    ASSERT_NE(it, b.end()) << key;
    EXPECT_EQ(transit.SerializeAsString(), it->second.SerializeAsString())
        << transit.DebugString() << it->second.DebugString();
  }
  // Lines are the file's: the CSV's row k is on line k + 1.
  EXPECT_EQ(csv.transits.front().source_line(), 2);
  EXPECT_EQ(csv.transits.back().source_line(), 11254);
  EXPECT_EQ(csv.transits.front().source(), kRealCsv);
}

TEST_F(PortwatchReaderTest, RealRowsWithoutPortidGetStableNameIdsCountedInTheSummary) {
  // Counted here from the CSV text itself: rows whose second field is empty.
  std::ifstream in(kRealCsv);
  std::string line;
  std::getline(in, line);
  int64_t empty_portid = 0;
  std::set<std::string> names;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string date, portid, portname;
    std::getline(fields, date, ',');
    std::getline(fields, portid, ',');
    std::getline(fields, portname, ',');
    if (portid.empty()) {
      ++empty_portid;
      names.insert(portname);
    }
  }
  EXPECT_EQ(empty_portid, 4 * 938);  // Gibraltar, Dover, Oresund and Kerch
  EXPECT_EQ(names, (std::set<std::string>{"Dover Strait", "Gibraltar Strait", "Kerch Strait",
                                          "Oresund Strait"}));

  for (const std::string& file : {kRealCsv, kRealJson}) {
    CollectingTransitSink sink;
    PortwatchReader reader(options_, &sink);
    ASSERT_TRUE(reader.ReadFile(file).ok());
    EXPECT_EQ(reader.summary().ids_from_names, empty_portid) << file;
    EXPECT_THAT(reader.summary().Format(), HasSubstr(Cat("; ", empty_portid, " ids from names")));
    std::set<std::string> ids;
    for (const auto& t : sink.transits) {
      if (t.chokepoint_id().rfind("name:", 0) == 0) ids.insert(t.chokepoint_id());
    }
    EXPECT_EQ(ids, (std::set<std::string>{"name:dover-strait", "name:gibraltar-strait",
                                          "name:kerch-strait", "name:oresund-strait"}))
        << file;
  }
}

TEST_F(PortwatchReaderTest, RealFilesHorizonsComeFromTheJsonDateAndTheCsvName) {
  PortwatchReader csv(options_, &sink_);
  ASSERT_TRUE(csv.ReadFile(kRealCsv).ok());
  EXPECT_EQ(csv.summary().Format(),
            "11253 rows, 11253 records = 11253 accepted + 0 restated + 0 rejected; 3752 ids "
            "from names; horizon 2026-07-31 (file name)");
  PortwatchReader json(options_, &sink_);
  ASSERT_TRUE(json.ReadFile(kRealJson).ok());
  EXPECT_EQ(json.summary().horizon.date_yyyymmdd, 20260726);
  EXPECT_EQ(json.summary().horizon.source, "updated");
}

// ---------- identity and columns ----------

TEST(ChokepointIdTest, VerifiedNamesGetPortwatchIdsOthersANameSlug) {
  EXPECT_EQ(ChokepointIdForName("Suez Canal"), "chokepoint1");
  EXPECT_EQ(ChokepointIdForName("TAIWAN STRAIT"), "chokepoint11");
  EXPECT_EQ(ChokepointIdForName("Bab el-Mandeb Strait"), "chokepoint4");
  EXPECT_EQ(ChokepointIdForName("Gibraltar Strait"), "name:gibraltar-strait");
  EXPECT_EQ(ChokepointIdForName("  Öresund / Sound "), "name:resund-sound");
  EXPECT_EQ(ChokepointIdForName(""), "");
}

TEST_F(PortwatchReaderTest, ColumnsAreFoundByNameInAnyOrderWithOthersIgnored) {
  Read("capacity,extra,n_dry_bulk,n_cargo,n_container,n_tanker,n_total,portname,portid,date\n"
       "1515864,x,15,27,7,18,45,Suez Canal,chokepoint1,2025-03-14\n");
  ASSERT_EQ(sink_.transits.size(), 1u);
  const v1::ChokepointTransit& t = sink_.transits[0];
  EXPECT_EQ(t.chokepoint_id(), "chokepoint1");
  EXPECT_EQ(t.chokepoint_name(), "Suez Canal");
  EXPECT_EQ(t.date_yyyymmdd(), 20250314);
  EXPECT_EQ(t.n_total(), 45);
  EXPECT_EQ(t.n_tanker(), 18);
  EXPECT_EQ(t.n_container(), 7);
  EXPECT_EQ(t.n_cargo(), 27);
  EXPECT_EQ(t.n_dry_bulk(), 15);
  EXPECT_EQ(t.capacity_dwt(), 1515864);
  EXPECT_EQ(t.source_line(), 2);
}

TEST_F(PortwatchReaderTest, ReleaseAndVintageAreStampedOnEveryTransit) {
  options_.release_id = "portwatch-2026-07-28";
  options_.vintage = 42;
  Read(Around(kBefore));  // the same row twice: one restatement
  ASSERT_EQ(sink_.transits.size(), 2u);
  for (const auto& t : sink_.transits) {
    EXPECT_EQ(t.release_id(), "portwatch-2026-07-28");
    EXPECT_EQ(t.vintage(), 42);
  }
}

// ---------- every reject reason ----------

TEST_F(PortwatchReaderTest, RejectsANegativeCount) {
  const std::string bad = "2025-03-14,chokepoint1,Suez Canal,45,-3,7,27,15,1515864";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_NEGATIVE_VALUE, kCsv, 3, "n_tanker", "-3",
                  bad);
}

TEST_F(PortwatchReaderTest, RejectsANonNumericCount) {
  const std::string bad = "2025-03-14,chokepoint1,Suez Canal,45,18,n/a,27,15,1515864";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_NON_NUMERIC_VALUE, kCsv, 3, "n_container",
                  "n/a", bad);
}

TEST_F(PortwatchReaderTest, RejectsAFractionalCount) {
  const std::string bad = "2025-03-14,chokepoint1,Suez Canal,45.5,18,7,27,15,1515864";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_NON_NUMERIC_VALUE, kCsv, 3, "n_total",
                  "45.5", bad);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("not a whole number of transits"));
}

TEST_F(PortwatchReaderTest, RejectsAnEmptyCountAsMissingNotZero) {
  const std::string bad = "2025-03-14,chokepoint1,Suez Canal,45,18,7,27,,1515864";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_NON_NUMERIC_VALUE, kCsv, 3, "n_dry_bulk",
                  "", bad);
}

TEST_F(PortwatchReaderTest, RejectsAnAbsurdCount) {
  const std::string bad = "2025-03-14,chokepoint1,Suez Canal,45,18,7,2700000,15,1515864";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_ABSURD_VALUE, kCsv, 3, "n_cargo",
                  "2700000", bad);
}

TEST_F(PortwatchReaderTest, RejectsANegativeCapacity) {
  const std::string bad = "2025-03-14,chokepoint1,Suez Canal,45,18,7,27,15,-1";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_NEGATIVE_VALUE, kCsv, 3, "capacity", "-1",
                  bad);
}

TEST_F(PortwatchReaderTest, RoundsAFractionalCapacityToWholeTonnes) {
  Read(Around("2025-03-14,chokepoint1,Suez Canal,45,18,7,27,15,1515864.6"));
  ASSERT_EQ(sink_.transits.size(), 3u);
  EXPECT_EQ(sink_.transits[1].capacity_dwt(), 1515865);
}

TEST_F(PortwatchReaderTest, RejectsABadDate) {
  const std::string bad = "2025-02-30,chokepoint1,Suez Canal,45,18,7,27,15,1515864";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_BAD_PERIOD, kCsv, 3, "date", "2025-02-30",
                  bad);
}

TEST_F(PortwatchReaderTest, RejectsARowNamingNoChokepoint) {
  const std::string bad = "2025-03-14,,,45,18,7,27,15,1515864";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_MISSING_IDENTITY, kCsv, 3, "portid", "",
                  bad);
}

TEST_F(PortwatchReaderTest, RejectsARowWithTheWrongNumberOfFields) {
  const std::string bad = "2025-03-14,chokepoint1,Suez Canal,45,18,7,27,15";
  ExpectOneReject(Read(Around(bad)), v1::REJECT_REASON_MALFORMED_RECORD, kCsv, 3, "", "", bad);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("8 fields where the header has 9"));
}

TEST_F(PortwatchReaderTest, RejectsEveryRowWhenARequiredColumnIsMissing) {
  const PortwatchSummary s =
      Read("date,portid,portname,n_total,n_container,n_cargo,n_dry_bulk,capacity\n"
           "2025-03-14,chokepoint1,Suez Canal,45,7,27,15,1515864\n");
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MISSING_COLUMN);
  EXPECT_THAT(sink_.rejects[0].message(),
              HasSubstr("fixture.csv:2: missing required column n_tanker"));
  EXPECT_EQ(s.rows, 1);
}

TEST_F(PortwatchReaderTest, RejectsADateAfterTheHorizonGiven) {
  options_.horizon_yyyymmdd = 20250314;
  const std::string bad = "2025-03-15,chokepoint1,Suez Canal,61,22,12,39,17,2223117";
  const PortwatchSummary s = Read(Cat(kHeader, "\n", kBefore, "\n", bad, "\n"));
  ExpectOneReject(s, v1::REJECT_REASON_PERIOD_AFTER_RELEASE, kCsv, 3, "date", "2025-03-15", bad,
                  1);
  EXPECT_THAT(sink_.rejects[0].message(),
              HasSubstr("after the file's publication horizon 2025-03-14 (--horizon)"));
}

TEST_F(PortwatchReaderTest, TheJsonUpdatedDateIsItsHorizon) {
  const PortwatchSummary s =
      Read(JsonForm({"[\"2026-07-26\",45,18,7,27,15,1515864]",
                     "[\"2026-07-27\",61,22,12,39,17,2223117]"}),
           kJson);
  ExpectOneReject(s, v1::REJECT_REASON_PERIOD_AFTER_RELEASE, kJson, 4, "date", "2026-07-27",
                  "[\"2026-07-27\",61,22,12,39,17,2223117]", 1);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("chokepoints.suez.series[1]"));
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("2026-07-26 (updated)"));
}

TEST_F(PortwatchReaderTest, AFileNameDateIsTheHorizonOfAFileWithoutOne) {
  const std::string bad = "2025-03-15,chokepoint1,Suez Canal,61,22,12,39,17,2223117";
  const std::string name = "extract_2025-03-14.csv";
  ExpectOneReject(Read(Cat(kHeader, "\n", kBefore, "\n", bad, "\n"), name),
                  v1::REJECT_REASON_PERIOD_AFTER_RELEASE, name, 3, "date", "2025-03-15", bad, 1);
  EXPECT_EQ(PublicationHorizon("dir_2020-01-01/extract_2025-03.csv", "").date_yyyymmdd,
            20250331);
  EXPECT_EQ(PublicationHorizon("extract.csv", "").source, "none");
  EXPECT_EQ(PublicationHorizon("extract_2025-03.csv", "2025-03-20").date_yyyymmdd, 20250320);
}

TEST_F(PortwatchReaderTest, RejectsANonNumericJsonCellWithItsJsonPosition) {
  const PortwatchSummary s =
      Read(JsonForm({"[\"2025-03-13\",45,18,7,27,15,1515864]",
                     "[\"2025-03-14\",null,18,7,27,15,1515864]",
                     "[\"2025-03-15\",61,22,12,39,17,2223117]"}),
           kJson);
  ExpectOneReject(s, v1::REJECT_REASON_NON_NUMERIC_VALUE, kJson, 4, "total", "",
                  "[\"2025-03-14\",null,18,7,27,15,1515864]");
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("fixture.json:4: chokepoints.suez.series[1]"));
}

TEST_F(PortwatchReaderTest, RejectsAJsonRowThatIsNotAFlatArray) {
  const PortwatchSummary s = Read(JsonForm({"[\"2025-03-13\",45,18,7,27,15,1515864]",
                                            "[\"2025-03-14\",[45],18,7,27,15,1515864]",
                                            "{\"date\":\"2025-03-15\"}",
                                            "[\"2025-03-16\",61,22,12,39,17,2223117]"}),
                                  kJson);
  ASSERT_EQ(sink_.rejects.size(), 2u) << s.Format();
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_EQ(sink_.rejects[0].position().line(), 4);
  EXPECT_EQ(sink_.rejects[1].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_EQ(sink_.rejects[1].position().line(), 5);
  EXPECT_EQ(sink_.transits.size(), 2u);
  EXPECT_EQ(s.rows, 4);
}

TEST_F(PortwatchReaderTest, RejectsAJsonDocumentItCannotRead) {
  const PortwatchSummary s = Read("{\"columns\": [\"date\"", kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u);
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("fixture.json:1: "));
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("malformed JSON"));
  EXPECT_EQ(s.rows, 1);
}

TEST_F(PortwatchReaderTest, RejectsAJsonEntryWithoutASeriesAndReadsTheOthers) {
  const std::string text =
      "{\"updated\":\"2026-07-26\",\"columns\":[\"date\",\"total\",\"tanker\",\"container\","
      "\"cargo\",\"dry_bulk\",\"capacity_dwt\"],\"chokepoints\":{\n"
      "\"suez\":{\"name\":\"Suez Canal\"},\n"
      "\"kerch\":{\"name\":\"Kerch Strait\",\"series\":[[\"2025-03-14\",1,1,0,0,0,5326]]}}}";
  const PortwatchSummary s = Read(text, kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u) << s.Format();
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MALFORMED_RECORD);
  EXPECT_THAT(sink_.rejects[0].message(),
              HasSubstr("fixture.json:2: chokepoints.suez: malformed JSON: entry has no"));
  ASSERT_EQ(sink_.transits.size(), 1u);
  EXPECT_EQ(sink_.transits[0].chokepoint_id(), "name:kerch-strait");
  EXPECT_EQ(sink_.transits[0].source_line(), 3);
}

TEST_F(PortwatchReaderTest, RejectsEveryJsonRowWhenAColumnIsMissing) {
  std::string text = JsonForm({"[\"2025-03-13\",45,18,7,27,1515864]"});
  text.replace(text.find(",\"dry_bulk\""), 11, "");
  const PortwatchSummary s = Read(text, kJson);
  ASSERT_EQ(sink_.rejects.size(), 1u) << text;
  EXPECT_EQ(sink_.rejects[0].reason(), v1::REJECT_REASON_MISSING_COLUMN);
  EXPECT_THAT(sink_.rejects[0].message(), HasSubstr("missing required column n_dry_bulk"));
  EXPECT_EQ(s.rows, 1);
}

// ---------- restatements ----------

TEST_F(PortwatchReaderTest, ALaterRowOfTheSameChokepointAndDayReplacesTheEarlierOne) {
  const PortwatchSummary s =
      Read(Cat(kHeader, "\n", kBefore, "\n", kAfter, "\n",
               "2025-03-13,chokepoint1,Suez Canal,50,20,7,30,15,1600000\n"));
  EXPECT_EQ(s.rows, 3);
  EXPECT_EQ(s.accepted, 2);
  EXPECT_EQ(s.restated, 1);
  EXPECT_EQ(s.Format(),
            "3 rows, 3 records = 2 accepted + 1 restated + 0 rejected; 0 ids from names; no "
            "horizon");
  ASSERT_EQ(sink_.transits.size(), 2u);
  // The restated day keeps its place and carries the later row's values and line.
  EXPECT_EQ(sink_.transits[0].date_yyyymmdd(), 20250313);
  EXPECT_EQ(sink_.transits[0].n_total(), 50);
  EXPECT_EQ(sink_.transits[0].source_line(), 4);
  EXPECT_EQ(sink_.transits[1].date_yyyymmdd(), 20250315);
}

TEST_F(PortwatchReaderTest, ARejectedRestatementLeavesTheEarlierRow) {
  const std::string bad = "2025-03-13,chokepoint1,Suez Canal,-1,20,7,30,15,1600000";
  const PortwatchSummary s = Read(Around(bad));
  EXPECT_EQ(s.restated, 0);
  ASSERT_EQ(sink_.transits.size(), 2u);
  EXPECT_EQ(sink_.transits[0].n_total(), 45);
}

TEST_F(PortwatchReaderTest, RestatementsAreWithinOneFileAndRejectCountsSumUp) {
  PortwatchReader reader(options_, &sink_);
  reader.ReadBuffer(Cat(kHeader, "\n", kBefore, "\n"), "a.csv");
  reader.ReadBuffer(Cat(kHeader, "\n", kBefore, "\n", "2025-03-14,,,1,1,1,1,1,1\n"), "b.csv");
  EXPECT_EQ(reader.summary().accepted, 2);  // one per file: the later file's value wins downstream
  EXPECT_EQ(reader.summary().restated, 0);
  EXPECT_EQ(reader.summary().rejected_total(), 1);
  EXPECT_THAT(reader.summary().Format(), HasSubstr("+ 1 rejected (missing_identity 1)"));
  EXPECT_TRUE(reader.summary().Balanced());
}

}  // namespace
}  // namespace tradewatch::ingest
