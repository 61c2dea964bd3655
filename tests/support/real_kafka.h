// A real Apache Kafka cluster (3.9, KRaft) on loopback for the tests that claim Kafka behaviour:
// started and stopped through scripts/kafka (jars fetched by `scripts/kafka fetch`, which
// scripts/test runs). A missing jar folder, java or kcat is an error naming the fix, never a skip.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/support/subprocess.h"

namespace tradewatch::testing {

class RealKafka {
 public:
  // Starts `nodes` (1 or 3) combined KRaft nodes in a new temporary directory and waits until
  // every node lists all of them. Tests run from the repository root (ctest's working directory).
  static absl::StatusOr<std::unique_ptr<RealKafka>> Start(int nodes = 1) {
    std::string dir = (std::filesystem::temp_directory_path() /
                       ("tradewatch-kafka-" + std::to_string(getpid()) + "-" +
                        std::to_string(counter()++)))
                          .string();
    auto [code, out] = RunProgram({"scripts/kafka", "start", "--nodes", std::to_string(nodes),
                                   "--dir", dir},
                                  /*merge_stderr=*/false);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    if (code != 0 || out.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "scripts/kafka start --nodes ", nodes, " failed (exit ", code,
          "); its stderr is above. The jars come from `scripts/kafka fetch` (scripts/test runs it)"));
    }
    return std::unique_ptr<RealKafka>(new RealKafka(dir, out, nodes));
  }

  ~RealKafka() { RunProgram({"scripts/kafka", "stop", "--dir", dir_}); }

  // "127.0.0.1:PORT[,...]"
  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& dir() const { return dir_; }
  int nodes() const { return nodes_; }

  // Stops node `n` (1-based): controlled shutdown, or kill -9 when `kill`.
  absl::Status StopNode(int n, bool kill = false) {
    std::vector<std::string> argv = {"scripts/kafka", "stop-node", "--dir", dir_, "--node",
                                     std::to_string(n)};
    if (kill) argv.push_back("--kill");
    return Check(argv);
  }
  // Restarts node `n` and waits until every node lists it again.
  absl::Status StartNode(int n) {
    return Check({"scripts/kafka", "start-node", "--dir", dir_, "--node", std::to_string(n)});
  }

  // The segment files (*.log) of topic-partition on node `n`, oldest first.
  std::vector<std::string> SegmentFiles(const std::string& topic, int partition, int n = 1) const {
    std::vector<std::string> files;
    std::filesystem::path folder = std::filesystem::path(dir_) / ("node" + std::to_string(n)) /
                                   "data" / (topic + "-" + std::to_string(partition));
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
      if (entry.path().extension() == ".log") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  // kafka.tools.DumpLogSegments --deep-iteration --print-data-log over `files`: the broker's own
  // view of each batch (producerId, isTransactional, control records) and record.
  std::string DumpLog(const std::vector<std::string>& files) const {
    std::vector<std::string> argv = {"scripts/kafka", "dump-log"};
    argv.insert(argv.end(), files.begin(), files.end());
    return RunProgram(argv).second;
  }

 private:
  RealKafka(std::string dir, std::string bootstrap, int nodes)
      : dir_(std::move(dir)), bootstrap_(std::move(bootstrap)), nodes_(nodes) {}

  static int& counter() {
    static int n = 0;
    return n;
  }

  static absl::Status Check(const std::vector<std::string>& argv) {
    auto [code, out] = RunProgram(argv);
    if (code == 0) return absl::OkStatus();
    std::string command;
    for (const std::string& a : argv) absl::StrAppend(&command, command.empty() ? "" : " ", a);
    return absl::InternalError(absl::StrCat(command, " failed (exit ", code, "): ", out));
  }

  std::string dir_;
  std::string bootstrap_;
  int nodes_;
};

// One single-node cluster per test binary, started on first use and stopped at exit.
inline absl::StatusOr<RealKafka*> SharedRealKafka() {
  static absl::StatusOr<std::unique_ptr<RealKafka>> kafka = RealKafka::Start(1);
  if (!kafka.ok()) return kafka.status();
  return kafka->get();
}

}  // namespace tradewatch::testing
