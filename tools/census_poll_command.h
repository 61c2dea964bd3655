// `tradewatch ingest census --api [--watch]`: the Census API poller assembled from the service
// configuration (census_api): the API key (file or environment), libcurl fetcher with the retry
// policy, the vintages already on the observation topic, the publisher, and in watch mode the
// release calendar loop and a /metrics endpoint. The pieces are in ingest/ (census_poller.h,
// census_watch.h); this file only wires them.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "ingest/held_vintages.h"
#include "tools/service.h"
#include "tradewatch/v1/service.pb.h"

namespace tradewatch::tools {

struct CensusApiOptions {
  bool api = false;
  bool watch = false;
  std::string from;             // YYYY-MM, one poll only
  std::string to;               // YYYY-MM, one poll only
  std::vector<std::string> queries;  // names of census_api.queries to poll; empty: all
  std::string base_url;         // overrides census_api.base_url
  std::string cache_dir;        // overrides census_api.cache_dir
  std::string metrics_address;  // overrides census_api.metrics_listen_address
};

// Adds --api, --watch and the API options (help group "Census API") to `census`. Returns the
// --api option, which the file options exclude.
CLI::Option* AddCensusApiOptions(CLI::App* census, CensusApiOptions* options);

// Runs one poll (prints the outcome) or, with --watch, polls on the release calendar until `stop`
// is set (`install_signals` is called first).
absl::Status RunCensusApi(const std::string& config_path, const ServiceOverrides& overrides,
                          const std::string& countries_path, const CensusApiOptions& options,
                          std::atomic<bool>* stop, void (*install_signals)());

// Reads the observation topic of `service` up to its end and holds every observation the queries
// cover (QueriesCover), so that a poll publishes only what differs from the topic. Returns the
// records read.
absl::StatusOr<int64_t> LoadHeldVintages(const Service& service,
                                         const std::vector<tradewatch::v1::CensusApiQuery>& queries,
                                         ingest::HeldVintages* held);

}  // namespace tradewatch::tools
