#include "common/kafka/partitioner.h"

#include <string>

#include "gtest/gtest.h"

namespace tradewatch::kafka {
namespace {

// org.apache.kafka.common.utils.UtilsTest#testMurmur2: the Java client's own vectors.
TEST(KafkaMurmur2Test, MatchesTheJavaClientVectors) {
  EXPECT_EQ(Murmur2("21"), -973932308);
  EXPECT_EQ(Murmur2("foobar"), -790332482);
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(Murmur2("abc"), 479470107);
}

TEST(KafkaMurmur2Test, HashesBytesAboveSevenBitsAsUnsigned) {
  // Java masks each byte with 0xff; a sign-extending port differs on these.
  EXPECT_NE(Murmur2(std::string("\xff\xfe\xfd", 3)), Murmur2(std::string("\x7f\x7e\x7d", 3)));
  EXPECT_EQ(Murmur2(std::string("\xff\xfe\xfd", 3)), Murmur2(std::string("\xff\xfe\xfd", 3)));
}

TEST(KafkaPartitionForTest, IsThePositiveHashModuloThePartitionCount) {
  // (-790332482 & 0x7fffffff) = 1357151166.
  EXPECT_EQ(PartitionFor("foobar", 50), 1357151166 % 50);
  EXPECT_EQ(PartitionFor("foobar", 1), 0);
}

TEST(KafkaPartitionForTest, StaysInRangeAndUsesEveryPartition) {
  constexpr int32_t kPartitions = 7;
  int counts[kPartitions] = {};
  for (int i = 0; i < 7000; ++i) {
    const int32_t p = PartitionFor("key-" + std::to_string(i), kPartitions);
    ASSERT_GE(p, 0);
    ASSERT_LT(p, kPartitions);
    ++counts[p];
  }
  for (int count : counts) EXPECT_GT(count, 700);
}

}  // namespace
}  // namespace tradewatch::kafka
