#include "common/file_io.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/gzip.h"

namespace tradewatch {
namespace {

using ::testing::HasSubstr;

using tradewatch::testing::GzipBytes;

std::string WriteTemp(const std::string& name, std::string_view bytes) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(FileIoTest, RecognisesGzipByMagicBytes) {
  EXPECT_TRUE(IsGzip(GzipBytes("abc")));
  EXPECT_TRUE(IsGzip("\x1f\x8b"));
  EXPECT_FALSE(IsGzip("\x1f"));
  EXPECT_FALSE(IsGzip("time,CTY_CODE"));
  EXPECT_FALSE(IsGzip(""));
}

TEST(FileIoTest, GunzipRestoresTheBytes) {
  std::string text = "time,CTY_CODE,GEN_VAL_MO\n2024-01,5830,100\n";
  auto out = Gunzip(GzipBytes(text), "mem.gz");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
}

TEST(FileIoTest, GunzipHandlesOutputManyTimesLargerThanInput) {
  std::string text(5'000'000, 'x');
  auto out = Gunzip(GzipBytes(text), "big.gz");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
}

TEST(FileIoTest, GunzipReadsConcatenatedMembers) {
  auto out = Gunzip(GzipBytes("first\n") + GzipBytes("second\n"), "two.gz");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "first\nsecond\n");
}

TEST(FileIoTest, GunzipOfCorruptDataIsAnErrorNamingTheOrigin) {
  std::string gz = GzipBytes("time,CTY_CODE,GEN_VAL_MO\n2024-01,5830,100\n");
  gz[gz.size() / 2] = static_cast<char>(gz[gz.size() / 2] ^ 0x55);
  gz[12] = static_cast<char>(gz[12] ^ 0xff);
  auto out = Gunzip(gz, "corrupt.csv.gz");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("corrupt.csv.gz"));
}

TEST(FileIoTest, GunzipOfTruncatedDataIsAnError) {
  std::string gz = GzipBytes(std::string(10000, 'a') + "end");
  auto out = Gunzip(std::string_view(gz).substr(0, gz.size() - 10), "truncated.gz");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("truncated.gz"));
}

TEST(FileIoTest, GunzipOfGarbageAfterMagicIsAnError) {
  auto out = Gunzip(std::string("\x1f\x8b not really gzip at all", 25), "garbage.gz");
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("garbage.gz"));
}

TEST(FileIoTest, ReadFileContentsReturnsPlainBytesUnchanged) {
  std::string text = std::string("a,b\r\n1,2\r\n") + std::string(1, '\0') + "tail";
  std::string path = WriteTemp("file_io_test_plain.csv", text);
  auto out = ReadFileContents(path);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
  std::remove(path.c_str());
}

TEST(FileIoTest, ReadFileContentsDecompressesGzipWhateverTheName) {
  std::string text = "time,CTY_CODE,GEN_VAL_MO\n2024-01,5830,100\n";
  std::string path = WriteTemp("file_io_test_gzip_named.csv", GzipBytes(text));
  auto out = ReadFileContents(path);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
  std::remove(path.c_str());
}

TEST(FileIoTest, ReadFileContentsOfCorruptGzipNamesThePath) {
  std::string gz = GzipBytes(std::string(4000, 'q'));
  gz.resize(gz.size() / 2);
  std::string path = WriteTemp("file_io_test_corrupt.csv.gz", gz);
  auto out = ReadFileContents(path);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr(path));
  std::remove(path.c_str());
}

TEST(FileIoTest, ReadFileContentsOfMissingPathNamesThePath) {
  auto out = ReadFileContents("../shared/data/no_such_folder/no_such_file.csv");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(out.status().message(), HasSubstr("../shared/data/no_such_folder/no_such_file.csv"));
}

// A directory opens on Linux but cannot be read; that must not look like an empty file.
TEST(FileIoTest, ReadFileContentsOfADirectoryIsAnErrorNamingThePath) {
  auto out = ReadFileContents("../shared/data/census_atp");
  ASSERT_FALSE(out.ok()) << "read " << out->size() << " bytes from a directory";
  EXPECT_THAT(out.status().message(), HasSubstr("../shared/data/census_atp"));
}

TEST(FileIoTest, ReadFileContentsOfRealGzipDataStartsWithItsHeader) {
  auto out = ReadFileContents(
      "../shared/data/census_naics_world_totals/census_exports_naics_3digit_2016_2024.csv.gz");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->substr(0, out->find_first_of("\r\n")),
            "flow,dimension,category_code,category_desc,time,year,month,date,value_mo");
}

}  // namespace
}  // namespace tradewatch
