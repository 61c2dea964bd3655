#include "processors/event_decoder.h"

#include "google/protobuf/io/coded_stream.h"

namespace tradewatch::processors {

bool ParseTradeEventReusing(std::string_view bytes, v1::TradeEvent* event) {
  if (event->has_observation()) {
    event->mutable_observation()->Clear();
  } else {
    event->Clear();
  }
  // A payload holding a release marker switches the oneof, as a parse would.
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                               static_cast<int>(bytes.size()));
  return event->MergeFromCodedStream(&input) && input.ConsumedEntireMessage();
}

}  // namespace tradewatch::processors
