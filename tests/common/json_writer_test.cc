#include "common/json_writer.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace tradewatch {
namespace {

TEST(JsonWriterTest, WritesNestedObjectsAndArraysWithCommasBetweenMembersOnly) {
  JsonWriter w;
  w.BeginObject()
      .Key("a").BeginArray().Int(1).Int(2).BeginObject().Key("b").Null().EndObject().EndArray()
      .Key("c").String("x")
      .Key("d").BeginObject().EndObject()
      .Key("e").BeginArray().EndArray()
      .EndObject();
  EXPECT_EQ(w.str(), R"({"a":[1,2,{"b":null}],"c":"x","d":{},"e":[]})");
}

TEST(JsonWriterTest, WritesArrayOfObjects) {
  JsonWriter w;
  w.BeginArray();
  for (int i = 0; i < 3; ++i) w.BeginObject().Key("i").Int(i).EndObject();
  w.EndArray();
  EXPECT_EQ(w.str(), R"([{"i":0},{"i":1},{"i":2}])");
}

TEST(JsonWriterTest, KeepsMembersInTheOrderWritten) {
  JsonWriter w;
  w.BeginObject().Key("z").Int(1).Key("a").Int(2).EndObject();
  EXPECT_EQ(w.str(), R"({"z":1,"a":2})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter w;
  w.BeginArray()
      .String("say \"hi\"")
      .String("back\\slash")
      .String("line\nbreak\r\ttab")
      .String(std::string_view("\x01\x1f", 2))
      .String("KOREA, SOUTH")
      .EndArray();
  EXPECT_EQ(w.str(), R"(["say \"hi\"","back\\slash","line\nbreak\r\ttab","\u0001\u001f","KOREA, SOUTH"])");
}

TEST(JsonWriterTest, EscapesKeys) {
  JsonWriter w;
  w.BeginObject().Key("a\"b").Bool(true).EndObject();
  EXPECT_EQ(w.str(), R"({"a\"b":true})");
}

TEST(JsonWriterTest, PassesUtf8Through) {
  JsonWriter w;
  w.String("Curaçao");
  EXPECT_EQ(w.str(), "\"Curaçao\"");
}

TEST(JsonWriterTest, WritesNonFiniteDoublesAsNull) {
  JsonWriter w;
  w.BeginArray()
      .Double(std::nan(""))
      .Double(std::numeric_limits<double>::infinity())
      .Double(-std::numeric_limits<double>::infinity())
      .EndArray();
  EXPECT_EQ(w.str(), "[null,null,null]");
}

TEST(JsonWriterTest, WritesDoublesWithTenSignificantDigits) {
  JsonWriter w;
  w.BeginArray().Double(0.3495).Double(1.0 / 3.0).Double(0).Double(-2.5).EndArray();
  EXPECT_EQ(w.str(), "[0.3495,0.3333333333,0,-2.5]");
}

TEST(JsonWriterTest, WritesInt64AsExactNumbers) {
  JsonWriter w;
  w.BeginArray()
      .Int(std::numeric_limits<int64_t>::max())
      .Int(std::numeric_limits<int64_t>::min())
      .Int(31281400000)
      .EndArray();
  EXPECT_EQ(w.str(), "[9223372036854775807,-9223372036854775808,31281400000]");
}

TEST(JsonWriterTest, WritesBoolsAndTopLevelScalars) {
  JsonWriter w;
  w.Bool(false);
  EXPECT_EQ(w.str(), "false");
}

}  // namespace
}  // namespace tradewatch
