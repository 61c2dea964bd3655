#include "ingest/read_summary.h"

#include "gtest/gtest.h"

namespace tradewatch::ingest {
namespace {

using tradewatch::v1::REJECT_REASON_BAD_PERIOD;
using tradewatch::v1::REJECT_REASON_NON_NUMERIC_VALUE;
using tradewatch::v1::REJECT_REASON_UNKNOWN_PARTNER;

TEST(ReadSummaryTest, BalancedWhenRecordsEqualAcceptedAggregatesDuplicatesAndRejected) {
  ReadSummary s;
  s.rows = 10;
  s.records = 10;
  s.accepted = 5;
  s.aggregates = 2;
  s.duplicates = 1;
  s.rejected[REJECT_REASON_BAD_PERIOD] = 1;
  s.rejected[REJECT_REASON_UNKNOWN_PARTNER] = 1;
  EXPECT_EQ(s.rejected_total(), 2);
  EXPECT_TRUE(s.Balanced());
  s.records = 11;
  EXPECT_FALSE(s.Balanced());
}

TEST(ReadSummaryTest, EmptySummaryIsBalanced) { EXPECT_TRUE(ReadSummary{}.Balanced()); }

TEST(ReadSummaryTest, MergeAddsEveryCountAndEveryReason) {
  ReadSummary a;
  a.rows = 3;
  a.records = 4;
  a.accepted = 2;
  a.aggregates = 1;
  a.rejected[REJECT_REASON_BAD_PERIOD] = 1;
  ReadSummary b;
  b.rows = 2;
  b.records = 2;
  b.duplicates = 1;
  b.rejected[REJECT_REASON_BAD_PERIOD] = 1;
  b.rejected[REJECT_REASON_UNKNOWN_PARTNER] = 0;
  a.Merge(b);
  EXPECT_EQ(a.rows, 5);
  EXPECT_EQ(a.records, 6);
  EXPECT_EQ(a.accepted, 2);
  EXPECT_EQ(a.aggregates, 1);
  EXPECT_EQ(a.duplicates, 1);
  EXPECT_EQ(a.rejected[REJECT_REASON_BAD_PERIOD], 2);
  EXPECT_TRUE(a.Balanced());
}

TEST(ReadSummaryTest, FormatsTheAccountingLine) {
  ReadSummary s;
  s.rows = 10341;
  s.records = 10341;
  s.accepted = 8103;
  s.aggregates = 2238;
  EXPECT_EQ(s.Format(),
            "10341 rows, 10341 records = 8103 accepted + 2238 aggregates + 0 duplicates + 0 "
            "rejected");
}

TEST(ReadSummaryTest, FormatListsRejectionsByReasonName) {
  ReadSummary s;
  s.rows = 5;
  s.records = 5;
  s.accepted = 2;
  s.rejected[REJECT_REASON_NON_NUMERIC_VALUE] = 1;
  s.rejected[REJECT_REASON_UNKNOWN_PARTNER] = 2;
  EXPECT_EQ(s.Format(),
            "5 rows, 5 records = 2 accepted + 0 aggregates + 0 duplicates + 3 rejected "
            "(non_numeric_value 1, unknown_partner 2)");
}

TEST(ReadSummaryTest, ReasonNamesAreLowercaseWithoutPrefix) {
  EXPECT_EQ(RejectReasonName(REJECT_REASON_UNKNOWN_PARTNER), "unknown_partner");
  EXPECT_EQ(RejectReasonName(tradewatch::v1::REJECT_REASON_MISSING_COLUMN), "missing_column");
  EXPECT_EQ(RejectReasonName(tradewatch::v1::REJECT_REASON_UNSUPPORTED_CLASSIFICATION),
            "unsupported_classification");
}

}  // namespace
}  // namespace tradewatch::ingest
