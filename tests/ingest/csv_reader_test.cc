#include "ingest/csv_reader.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tradewatch::ingest {
namespace {

using ::testing::ElementsAre;

// A record copied out of the reader (its views are valid only until the next call).
struct Row {
  std::vector<std::string> fields;
  int64_t line;
  std::string raw;
  std::string error;
};

std::vector<Row> ReadAll(std::string_view text) {
  CsvReader reader(text);
  CsvRecord record;
  std::vector<Row> rows;
  while (reader.Next(&record)) {
    rows.push_back({std::vector<std::string>(record.fields.begin(), record.fields.end()),
                    record.line, std::string(record.raw), record.error});
    if (rows.size() > 1000) break;  // a reader that never ends is a failure, not a hang
  }
  return rows;
}

TEST(CsvReaderTest, SplitsFieldsAndNumbersLinesFromOne) {
  auto rows = ReadAll("time,CTY_CODE,GEN_VAL_MO\n2024-01,5830,100\n2024-02,5830,200\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("time", "CTY_CODE", "GEN_VAL_MO"));
  EXPECT_THAT(rows[2].fields, ElementsAre("2024-02", "5830", "200"));
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_EQ(rows[1].raw, "2024-01,5830,100");
  EXPECT_TRUE(rows[2].error.empty());
}

TEST(CsvReaderTest, ReadsLastRecordWithoutTrailingNewline) {
  auto rows = ReadAll("a,b\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2"));
  EXPECT_EQ(rows[1].raw, "1,2");
}

TEST(CsvReaderTest, EmptyBufferHasNoRecords) { EXPECT_TRUE(ReadAll("").empty()); }

TEST(CsvReaderTest, QuotedFieldKeepsItsCommas) {
  auto rows = ReadAll("2024-01,5800,\"KOREA, SOUTH\",334\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("2024-01", "5800", "KOREA, SOUTH", "334"));
  EXPECT_EQ(rows[0].raw, "2024-01,5800,\"KOREA, SOUTH\",334");
}

TEST(CsvReaderTest, DoubledQuotesInsideQuotesAreOneQuote) {
  auto rows = ReadAll("\"say \"\"hi\"\"\",\"a\"\"b\",\"\"\"\"\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("say \"hi\"", "a\"b", "\""));
  EXPECT_TRUE(rows[0].error.empty());
}

TEST(CsvReaderTest, EmptyQuotedFieldIsEmpty) {
  auto rows = ReadAll("a,\"\",c\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "", "c"));
}

TEST(CsvReaderTest, NewlineInsideQuotesStaysInTheFieldAndLaterLinesCountIt) {
  auto rows = ReadAll("h1,h2\n\"two\nlines\",1\nnext,2\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[1].fields, ElementsAre("two\nlines", "1"));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].raw, "\"two\nlines\",1");
  EXPECT_THAT(rows[2].fields, ElementsAre("next", "2"));
  EXPECT_EQ(rows[2].line, 4);
}

TEST(CsvReaderTest, ByteOrderMarkIsNotPartOfTheFirstColumnName) {
  auto rows = ReadAll("\xEF\xBB\xBFtime,CTY_CODE\n2024-01,5830\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("time", "CTY_CODE"));
  EXPECT_EQ(rows[0].line, 1);
}

TEST(CsvReaderTest, BlankLinesAreSkippedButCounted) {
  auto rows = ReadAll("a,b\n\n\r\n1,2\n\n3,4\n\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].line, 4);
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2"));
  EXPECT_EQ(rows[2].line, 6);
}

TEST(CsvReaderTest, CrlfLineEndsAreNotPartOfFieldsOrRaw) {
  auto rows = ReadAll("a,b\r\n1,\"x, y\"\r\n2,3\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "x, y"));
  EXPECT_TRUE(rows[1].error.empty()) << rows[1].error;
  EXPECT_THAT(rows[2].fields, ElementsAre("2", "3"));
  EXPECT_EQ(rows[2].raw, "2,3");
  EXPECT_EQ(rows[2].line, 3);
}

TEST(CsvReaderTest, CrlfWithoutFinalNewline) {
  auto rows = ReadAll("a,b\r\n1,2\r");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2"));
}

TEST(CsvReaderTest, TrailingCommaMakesALastEmptyField) {
  auto rows = ReadAll("a,b,\n1,2,\n3,4,");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", ""));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2", ""));
  EXPECT_THAT(rows[2].fields, ElementsAre("3", "4", ""));
}

TEST(CsvReaderTest, EmptyFieldsBetweenCommas) {
  auto rows = ReadAll(",,\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("", "", ""));
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnErrorAndReadingResumesAtTheNextLine) {
  auto rows = ReadAll("h1,h2\n\"open,1\nnext,2\nlast,3\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].error, "unterminated quoted field");
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].raw, "\"open,1");
  EXPECT_THAT(rows[2].fields, ElementsAre("next", "2"));
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_TRUE(rows[2].error.empty());
  EXPECT_EQ(rows[3].line, 4);
}

TEST(CsvReaderTest, UnterminatedQuoteOnTheLastLineWithoutNewline) {
  auto rows = ReadAll("h1,h2\nx,\"open");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[1].error.empty());
  EXPECT_EQ(rows[1].raw, "x,\"open");
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsAnError) {
  auto rows = ReadAll("a,b\n1,2\"3\n4,5\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[1].error.empty());
  EXPECT_TRUE(rows[2].error.empty());
  EXPECT_THAT(rows[2].fields, ElementsAre("4", "5"));
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsAnError) {
  auto rows = ReadAll("a,b\n\"x\"y,2\n4,5\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[1].error.empty());
  EXPECT_EQ(rows[1].raw, "\"x\"y,2");
  EXPECT_THAT(rows[2].fields, ElementsAre("4", "5"));
  EXPECT_EQ(rows[2].line, 3);
}

TEST(CsvReaderTest, FieldsOfTheCurrentRecordStayValidTogether) {
  CsvReader reader("\"a\"\"1\",\"b\"\"2\",\"c\"\"3\"\n");
  CsvRecord record;
  ASSERT_TRUE(reader.Next(&record));
  EXPECT_THAT(record.fields, ElementsAre("a\"1", "b\"2", "c\"3"));
  EXPECT_FALSE(reader.Next(&record));
}

}  // namespace
}  // namespace tradewatch::ingest
