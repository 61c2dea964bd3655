#include "common/record_keys.h"

#include <cctype>

#include "common/period.h"
#include "fmt/format.h"

namespace tradewatch {
namespace {

namespace v1 = tradewatch::v1;

}  // namespace

std::string ShortEnumName(const google::protobuf::EnumDescriptor* type, int value) {
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByNumber(value);
  if (v == nullptr) return std::to_string(value);
  // The common prefix of the values is the type name in upper snake case plus '_': the
  // *_UNSPECIFIED value spells it.
  std::string_view name = v->name();
  std::string_view unspecified = type->value(0)->name();
  constexpr std::string_view kSuffix = "UNSPECIFIED";
  size_t prefix = unspecified.size() >= kSuffix.size() &&
                          unspecified.substr(unspecified.size() - kSuffix.size()) == kSuffix
                      ? unspecified.size() - kSuffix.size()
                      : 0;
  if (name.substr(0, prefix) != unspecified.substr(0, prefix)) prefix = 0;
  std::string out(name.substr(prefix));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ObservationKey(const v1::TradeObservation& o) {
  return fmt::format("{}/{}/{}/{}/{}/{}", ShortName(o.flow()), ShortName(o.measure()),
                     ShortName(o.classification()), o.product_code(), o.partner_code(),
                     o.period_yyyymm());
}

std::string ProductPartitionKey(v1::Classification classification, std::string_view product_code) {
  return fmt::format("{}/{}", ShortName(classification), product_code);
}

std::string SharesKey(const v1::PartnerShares& s) {
  return fmt::format("{}/{}/{}/{}/{}/{}", ShortName(s.flow()), ShortName(s.measure()),
                     ShortName(s.classification()), s.product_code(),
                     ShortName(s.window().kind()), s.window().end_period_yyyymm());
}

std::string BalanceKey(const v1::BalanceResult& b) {
  return fmt::format("{}/{}/all/{}/{}", ShortName(b.classification()), b.product_code(),
                     ShortName(b.window().kind()), b.window().end_period_yyyymm());
}

std::string AlertKey(const v1::AlertEvent& event) {
  std::string key = event.rule();
  key.push_back('{');
  for (int i = 0; i < event.labels_size(); ++i) {
    if (i > 0) key.push_back(',');
    key += event.labels(i).name();
    key.push_back('=');
    key += event.labels(i).value();
  }
  key.push_back('}');
  return key;
}

std::string TransitKey(const v1::ChokepointTransit& transit) {
  return fmt::format("{}/{}", transit.chokepoint_id(), FormatDate(transit.date_yyyymmdd()));
}

std::string ChokepointStatusKey(const v1::ChokepointStatus& status) {
  return fmt::format("{}/{}", status.chokepoint_id(), FormatDate(status.date_yyyymmdd()));
}

std::string EventId(std::string_view key, std::string_view value) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&hash](unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  };
  for (char c : key) mix(static_cast<unsigned char>(c));
  mix(0);
  for (char c : value) mix(static_cast<unsigned char>(c));
  return fmt::format("{:016x}", hash);
}

}  // namespace tradewatch
