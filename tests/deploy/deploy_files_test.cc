// The operations files under deploy/ checked against the code they configure and the tools that
// read them:
// Two long-running roles are deployed (kRoles): `tradewatch process` and the Census API poller
// `tradewatch ingest census --api --watch`; each check below runs for both.
// - kubernetes/: every manifest parses; per role, the probes, the container port, the Service and
//   the metrics address of the ConfigMap's tradewatch.yaml agree (metrics.listen_address,
//   census_api.metrics_listen_address); that tradewatch.yaml loads with the service's own loader,
//   every file it names is mounted, every directory the role writes is a writable volume, every
//   environment variable it names is set from a Secret; the rules ConfigMap is
//   deploy/rules/default.yaml and passes the rule loader; the container's flags are the binary's
//   and parse together; the poller runs as exactly one replica.
// - systemd/: the units parse as INI and carry the process unit's hardening; ExecStart's flags are
//   accepted by the built binary (the ingest unit's command line is run with --dry-run on the real
//   3344 file); the directories a role writes are its StateDirectory; no secret is inline.
// - prometheus/, alertmanager/: `promtool check config` and `amtool check-config` pass (a missing
//   tool fails the test), each role's scrape target is its configured metrics address under a job
//   of its own, every job a rule selects is scraped, routes and the inhibit rule use labels and
//   alert names the exported rules really carry.
// - grafana/: dashboards parse, every panel uses the provisioned datasource uid, every
//   expression is valid PromQL (promtool) after substitution of the allowed variables, and names
//   only metrics and labels the code exports: an exposition built from the real metrics classes
//   as `tradewatch process` registers them, the shipping ones fed by the real PortWatch file
//   (a metric no class exports fails); threshold lines are the rules' or the shipping config's
//   levels; deploy/README.md lists every dashboard.
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "alerts/alert_metrics.h"
#include "alerts/rule_engine.h"
#include "alerts/rule_text.h"
#include "alerts/rule_validation.h"
#include "alerts/shipping_rules.h"
#include "common/file_io.h"
#include "common/yaml_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/ingest_metrics.h"
#include "ingest/portwatch_reader.h"
#include "ingest/transit_sink.h"
#include "processors/chokepoint_analytics.h"
#include "processors/processor_metrics.h"
#include "processors/shipping_processor.h"
#include "processors/shipping_stream.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "tests/alerts/alert_fixtures.h"
#include "tests/support/grafana_queries.h"
#include "tests/support/subprocess.h"
#include "tools/alerting_hook.h"
#include "tools/service_config.h"

namespace tradewatch {
namespace {

namespace fs = std::filesystem;
namespace v1 = tradewatch::v1;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::tradewatch::testing::FindProgram;
using ::tradewatch::testing::RunProgram;

const std::string kSource = TRADEWATCH_SOURCE_DIR;
const std::string kBinary = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";
const std::string kDeploy = kSource + "/deploy";
const std::string k3344 =
    kSource + "/../shared/data/census_naics_by_country/census_imports_naics_3344.csv";
const std::string kPortwatch =
    kSource + "/../shared/data/imf_portwatch/portwatch_chokepoints_daily_2024-01_2026-07.csv";
// The variables the dashboards may use, with the values an end-to-end run substitutes
// (chokepoint6: the Strait of Hormuz).
const std::map<std::string, std::string> kGrafanaVariables = {
    {"naics", "3344"},         {"chokepoint", "chokepoint6"}, {"__rate_interval", "2m"},
    {"__interval", "30s"},     {"__range", "1h"}};

// ---- small helpers ----------------------------------------------------------------------------

std::string Read(const std::string& path) {
  auto text = ReadFileContents(path);
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : "";
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "deploy_files_test_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Every document of a YAML file; a parse error is a test failure (and no documents).
std::vector<YAML::Node> LoadYamlDocuments(const std::string& path) {
  try {
    return YAML::LoadAllFromFile(path);
  } catch (const YAML::Exception& e) {  // yaml-cpp reports errors by exception
    ADD_FAILURE() << path << ": " << e.what();
    return {};
  }
}

YAML::Node LoadYaml(const std::string& path) {
  std::vector<YAML::Node> docs = LoadYamlDocuments(path);
  EXPECT_EQ(docs.size(), 1u) << path;
  return docs.empty() ? YAML::Node() : docs.front();
}

std::vector<std::string> FilesIn(const std::string& dir, const std::set<std::string>& extensions) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (extensions.contains(entry.path().extension().string())) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> Strings(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node && node.IsSequence()) {
    for (const YAML::Node& n : node) out.push_back(n.as<std::string>());
  }
  return out;
}

// "host:port" -> port.
int PortOf(const std::string& address) {
  const size_t colon = address.rfind(':');
  return colon == std::string::npos ? -1 : std::stoi(address.substr(colon + 1));
}

// Splits `text` into words as a POSIX shell would for simple single- and double-quoted words.
std::vector<std::string> ShellWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

// The `tradewatch` command line inside `words` (an ExecStart, or a container's command + args):
// the words from the tradewatch binary on; a `/bin/sh -c 'SCRIPT'` is unwrapped (and a leading
// `exec` dropped). Empty when no tradewatch binary is run.
std::vector<std::string> TradewatchCommand(std::vector<std::string> words) {
  if (words.size() >= 3 && fs::path(words[0]).filename() == "sh" && words[1] == "-c") {
    words = ShellWords(words[2]);
  }
  if (!words.empty() && words[0] == "exec") words.erase(words.begin());
  if (words.empty() || fs::path(words[0]).filename() != "tradewatch") return {};
  return words;
}

// Checks that every option of `command` (tradewatch SUBCOMMAND... --flag value ...) is listed by
// `tradewatch SUBCOMMAND... --help` of the built binary.
void ExpectFlagsAccepted(const std::vector<std::string>& command, const std::string& where) {
  ASSERT_GE(command.size(), 2u) << where;
  std::vector<std::string> help = {kBinary};
  size_t i = 1;
  for (; i < command.size() && command[i].rfind("-", 0) != 0; ++i) help.push_back(command[i]);
  help.push_back("--help");
  auto [code, text] = RunProgram(help);
  ASSERT_EQ(code, 0) << where << ": " << text;
  int flags = 0;
  for (; i < command.size(); ++i) {
    if (command[i].rfind("-", 0) != 0) continue;
    const std::string flag = command[i].substr(0, command[i].find('='));
    // CLI11 lists options as "  -b,--brokers TEXT" or "  --config TEXT".
    const std::regex listed("(^|[ ,])" + flag + "( |,|$)", std::regex::multiline);
    EXPECT_TRUE(std::regex_search(text, listed))
        << where << ": " << flag << " is not an option of `" << help[1] << "`:\n"
        << text;
    ++flags;
  }
  EXPECT_GT(flags, 0) << where;
}

// Checks that the options of `command` also parse together (CLI11's needs/excludes between
// them): run with its --config replaced by a missing file, the binary must get as far as reading
// that file, which it does only after the command line parsed.
void ExpectCommandLineParses(std::vector<std::string> command, const std::string& where) {
  ASSERT_GE(command.size(), 2u) << where;
  command[0] = kBinary;
  auto config = std::find(command.begin(), command.end(), "--config");
  ASSERT_TRUE(config != command.end() && config + 1 != command.end()) << where << ": no --config";
  const std::string missing = ::testing::TempDir() + "deploy_files_test_missing_config.yaml";
  *(config + 1) = missing;
  auto [code, out] = RunProgram(command);
  EXPECT_NE(code, 0) << where << ": " << out;
  EXPECT_THAT(out, HasSubstr(missing)) << where << ": the command line did not parse";
}

// ---- the deployed roles -------------------------------------------------------------------------

// A long-running tradewatch process as deployed: the Deployment deploy/kubernetes/ names
// tradewatch-<name>, the unit deploy/systemd/tradewatch-<name>.service, the Prometheus job.
struct Role {
  std::string name;
  // The words after the binary and before --config.
  std::vector<std::string> args;
  std::string scrape_job;
  // Where the configuration puts its /metrics.
  std::string (*metrics_address)(const v1::ServiceConfig&);
  // Files the configuration names that the role reads.
  std::vector<std::string> (*files)(const v1::ServiceConfig&);
  // Directories the configuration names that the role writes.
  std::vector<std::string> (*writes)(const v1::ServiceConfig&);
  // Environment variables the configuration names that the role reads (secrets).
  std::vector<std::string> (*env)(const v1::ServiceConfig&);
  // What SIGTERM may take before the role has exited.
  int stop_seconds;
  // Whether exactly one may run per observation topic.
  bool single;
};

std::vector<std::string> KafkaEnv(const v1::ServiceConfig& c) {
  std::vector<std::string> vars;
  for (const auto& [property, variable] : c.kafka().properties_from_env()) vars.push_back(variable);
  return vars;
}

const std::vector<Role> kRoles = {
    {.name = "process",
     .args = {"process"},
     .scrape_job = "tradewatch",
     .metrics_address = [](const v1::ServiceConfig& c) { return c.metrics().listen_address(); },
     .files =
         [](const v1::ServiceConfig& c) {
           std::vector<std::string> files(c.rule_files().begin(), c.rule_files().end());
           files.push_back(c.processor().countries_file());
           return files;
         },
     .writes = [](const v1::ServiceConfig&) { return std::vector<std::string>(); },
     .env = KafkaEnv,
     // The loop may wait 60 s for a release's delivery and 40 s for the final flushes.
     .stop_seconds = 100,
     .single = false},
    {.name = "census-poll",
     .args = {"ingest", "census", "--api", "--watch"},
     .scrape_job = "tradewatch-census-poll",
     .metrics_address =
         [](const v1::ServiceConfig& c) { return c.census_api().metrics_listen_address(); },
     .files =
         [](const v1::ServiceConfig& c) {
           std::vector<std::string> files = {c.processor().countries_file()};
           if (!c.census_api().api_key_file().empty()) {
             files.push_back(c.census_api().api_key_file());
           }
           return files;
         },
     .writes =
         [](const v1::ServiceConfig& c) {
           return std::vector<std::string>{c.census_api().cache_dir()};
         },
     .env =
         [](const v1::ServiceConfig& c) {
           std::vector<std::string> vars = KafkaEnv(c);
           if (c.census_api().api_key_file().empty()) vars.push_back(c.census_api().api_key_env());
           return vars;
         },
     // A release marker waits up to 120 s for delivery, then the producer flushes (10 s + 10 s).
     .stop_seconds = 140,
     // Two pollers would publish the same revisions twice, under different vintages.
     .single = true},
};

// ---- what the code exports ----------------------------------------------------------------------

v1::RegionTable Regions() {
  v1::RegionTable regions;
  absl::Status loaded = LoadYamlFile(kDeploy + "/regions/regions.yaml", &regions);
  EXPECT_TRUE(loaded.ok()) << loaded;
  return regions;
}

v1::RuleFile DefaultRules() {
  auto rules = alerts::LoadRuleFiles({kDeploy + "/rules/default.yaml"},
                                     alerts::RegionNames(Regions()));
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : v1::RuleFile();
}

// Sample names (and family names) of an exposition, each with the label names it carries.
using Exposition = std::map<std::string, std::set<std::string>>;

Exposition ParseExposition(const std::string& text) {
  Exposition out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string family;
      words >> family;
      out[family];
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const size_t name_end = line.find_first_of("{ ");
    std::set<std::string>& labels = out[line.substr(0, name_end)];
    if (name_end == std::string::npos || line[name_end] != '{') continue;
    size_t i = name_end + 1;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string::npos) break;
      labels.insert(line.substr(i, eq - i));
      i = eq + 2;  // past ="
      while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
      ++i;  // past the closing quote
      if (i < line.size() && line[i] == ',') ++i;
    }
  }
  return out;
}

// The shipping side of `tradewatch process` on the real PortWatch file: every transit applied to
// one partition's state, closed by one release marker at the file's horizon (what
// `tradewatch ingest portwatch FILE` publishes, all partitions in one), the shipping metrics set
// from the release's latest statuses and the default rules' shipping rules evaluated on it, as
// tools/alerting_hook.cc does, with `trade_side` as the shares topic's content.
void FeedShippingSide(processors::ShippingMetrics& metrics, alerts::AlertMetrics& alert_metrics,
                      const v1::PartnerShares& trade_side) {
  ingest::CollectingTransitSink read;
  ingest::PortwatchReader reader({.release_id = "deploy-files-test", .vintage = 1}, &read);
  const absl::Status status = reader.ReadFile(kPortwatch);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_GT(read.transits.size(), 10000u) << reader.summary().Format();
  auto defaults = tools::LoadServiceConfig("");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  processors::ShippingPartition partition(
      processors::ChokepointOptionsFromConfig(defaults->shipping()));
  for (const v1::ChokepointTransit& transit : read.transits) {
    metrics.consumed.Increment();
    if (processors::CheckTransit(transit)) continue;
    partition.Apply(transit);
  }
  metrics.Rejected("malformed_record").Increment();
  v1::ShippingReleaseMarker marker;
  marker.set_release_id("deploy-files-test");
  marker.set_vintage(1);
  marker.set_through_yyyymmdd(reader.summary().horizon.date_yyyymmdd);
  const processors::ShippingReleaseResults results = partition.CloseRelease(marker);
  metrics.Update(results.latest);
  metrics.releases.Increment();

  auto engine = alerts::ShippingRuleEngine::Create(DefaultRules());
  ASSERT_TRUE(engine.ok()) << engine.status();
  (*engine)->OnShares(trade_side);
  for (const v1::AlertEvent& event : (*engine)->OnRelease(
           tools::ShippingReleaseOf(marker), tools::ChokepointDaysOf(partition, results))) {
    alert_metrics.Count(event);
  }
  alert_metrics.Update(**engine);
}

// The metrics of `tradewatch process`, built as tools/service.cc builds them (one registry, the
// processor's, the alerts', the shipping and the ingest's metrics), every labelled family given a
// series, the default rules evaluated on one trade release that feeds all four trade rule kinds,
// and the shipping side fed by the real PortWatch file (FeedShippingSide).
const Exposition& ExportedMetrics() {
  static const Exposition exposition = [] {
    prometheus::Registry registry;
    processors::ProcessorMetrics processor(registry, {{"334", "3341", "3342", "3344"}, 5});
    alerts::AlertMetrics alert_metrics(registry);
    processors::ShippingMetrics shipping_metrics(registry);
    ingest::IngestMetrics ingest_metrics(registry);
    processor.consumed.Increment();
    processor.releases.Increment();
    processor.consumer_errors.Increment(0);
    processor.latest_period.Set(202501);
    processor.last_release_timestamp.Set(1.7e9);
    processor.release_latency.Observe(0.01);
    processor.Produced("tradewatch.trade.shares.v1").Increment();
    processor.Rejected("undecodable").Increment();
    processor.Upserts("inserted").Increment();
    processor.Lag(0).Set(0);
    ingest_metrics.published.Increment();
    ingest_metrics.Rejected("bad_value").Increment();

    namespace fx = alerts::fixtures;
    v1::PartnerShares semiconductors = fx::TaiwanShare(202501, 0.35);
    semiconductors.set_hhi(0.16);
    semiconductors.set_partner_count(semiconductors.partners_size());
    for (const auto& [id, share] :
         {std::pair{"chokepoint11", 0.405}, {"chokepoint5", 0.22}, {"chokepoint6", 0.01}}) {
      v1::RouteExposure* exposure = semiconductors.add_exposures();
      exposure->set_chokepoint_id(id);
      exposure->set_share(share);
      exposure->set_value_usd(static_cast<int64_t>(share * fx::kTotalUsd));
    }
    processor.UpdateTopShares(semiconductors);
    processor.UpdateRouteExposures(semiconductors);
    fx::SharesSpec computers;
    computers.product_code = "3341";
    computers.partners = {{"2010", 0.2}, {"rest", 0.8}};
    computers.regions = {{"USMCA", 0.2}};
    auto engine = alerts::RuleEngine::Create(DefaultRules());
    EXPECT_TRUE(engine.ok()) << engine.status();
    if (engine.ok()) {
      for (const v1::AlertEvent& event :
           fx::Release(**engine, {semiconductors, fx::Shares(computers)},
                       {fx::Balance(202501, 500'000'000'000, 200'000'000'000, 0.3)})) {
        alert_metrics.Count(event);
      }
      alert_metrics.Update(**engine);
    }
    FeedShippingSide(shipping_metrics, alert_metrics, semiconductors);
    std::ostringstream text;
    prometheus::TextSerializer().Serialize(text, registry.Collect());
    return ParseExposition(text.str());
  }();
  return exposition;
}

// Labels Prometheus adds to every scraped series.
const std::set<std::string> kTargetLabels = {"job", "instance"};

// ---- Kubernetes -------------------------------------------------------------------------------

struct Manifests {
  std::map<std::string, YAML::Node> by_kind_and_name;  // "Deployment/tradewatch-process"
  std::vector<std::string> files;

  std::vector<YAML::Node> OfKind(const std::string& kind) const {
    std::vector<YAML::Node> out;
    for (const auto& [key, node] : by_kind_and_name) {
      if (key.rfind(kind + "/", 0) == 0) out.push_back(node);
    }
    return out;
  }
  YAML::Node One(const std::string& kind) const {
    std::vector<YAML::Node> nodes = OfKind(kind);
    EXPECT_EQ(nodes.size(), 1u) << kind;
    return nodes.empty() ? YAML::Node() : nodes.front();
  }
};

Manifests LoadManifests() {
  Manifests m;
  m.files = FilesIn(kDeploy + "/kubernetes", {".yaml", ".yml"});
  for (const std::string& file : m.files) {
    for (const YAML::Node& doc : LoadYamlDocuments(file)) {
      if (doc.IsNull()) continue;
      EXPECT_TRUE(doc.IsMap()) << file;
      EXPECT_TRUE(doc["apiVersion"] && doc["kind"]) << file << ": apiVersion and kind required";
      if (!doc.IsMap() || !doc["kind"]) continue;
      const std::string kind = doc["kind"].as<std::string>();
      const std::string name = doc["metadata"] && doc["metadata"]["name"]
                                   ? doc["metadata"]["name"].as<std::string>()
                                   : fs::path(file).filename().string();
      EXPECT_FALSE(doc["metadata"] && doc["metadata"]["namespace"])
          << file << ": manifests are namespace-less (choose it at apply time)";
      EXPECT_TRUE(m.by_kind_and_name.emplace(kind + "/" + name, doc).second)
          << file << ": " << kind << "/" << name << " defined twice";
    }
  }
  return m;
}

YAML::Node OnlyContainer(const YAML::Node& deployment) {
  const YAML::Node containers = deployment["spec"]["template"]["spec"]["containers"];
  EXPECT_TRUE(containers && containers.IsSequence() && containers.size() == 1);
  return containers && containers.size() > 0 ? containers[0] : YAML::Node();
}

// A container port given by number or by name, as the port number; -1 if the name is unknown.
int ResolvePort(const YAML::Node& container, const YAML::Node& port) {
  if (!port) return -1;
  const std::string value = port.as<std::string>();
  if (!value.empty() && std::all_of(value.begin(), value.end(), ::isdigit)) return std::stoi(value);
  for (const YAML::Node& p : container["ports"]) {
    if (p["name"] && p["name"].as<std::string>() == value) return p["containerPort"].as<int>();
  }
  return -1;
}

bool SelectorMatches(const YAML::Node& selector, const YAML::Node& labels) {
  if (!selector || !selector.IsMap() || selector.size() == 0) return false;
  for (const auto& kv : selector) {
    const std::string key = kv.first.as<std::string>();
    if (!labels[key] || labels[key].as<std::string>() != kv.second.as<std::string>()) return false;
  }
  return true;
}

std::string ConfigMapData(const Manifests& m, const std::string& name, const std::string& key) {
  auto it = m.by_kind_and_name.find("ConfigMap/" + name);
  if (it == m.by_kind_and_name.end() || !it->second["data"][key]) return "";
  return it->second["data"][key].as<std::string>();
}

// `path` is `dir` or below it.
bool IsUnder(const std::string& path, const std::string& dir) {
  return path == dir || path.rfind(dir + "/", 0) == 0;
}

// The value of `flag` in a command line; empty if it is not given.
std::string FlagValue(const std::vector<std::string>& words, const std::string& flag) {
  auto it = std::find(words.begin(), words.end(), flag);
  return it != words.end() && it + 1 != words.end() ? *(it + 1) : std::string();
}

// A role's Deployment and its container.
struct Pod {
  YAML::Node deployment;
  YAML::Node container;
  YAML::Node labels() const { return deployment["spec"]["template"]["metadata"]["labels"]; }
  std::vector<std::string> words() const {
    std::vector<std::string> words = Strings(container["command"]);
    for (const std::string& arg : Strings(container["args"])) words.push_back(arg);
    return words;
  }
};

class KubernetesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_ = LoadManifests();
    ASSERT_FALSE(HasFailure());
    for (const Role& role : kRoles) {
      auto it = m_.by_kind_and_name.find("Deployment/tradewatch-" + role.name);
      ASSERT_NE(it, m_.by_kind_and_name.end()) << "no Deployment tradewatch-" << role.name;
      Pod pod{it->second, OnlyContainer(it->second)};
      ASSERT_TRUE(pod.container.IsMap()) << role.name;
      pods_[role.name] = pod;
    }
    const std::string config_text = ConfigMapData(m_, "tradewatch-config", "tradewatch.yaml");
    ASSERT_FALSE(config_text.empty()) << "ConfigMap tradewatch-config has no tradewatch.yaml";
    config_path_ = WriteTemp("k8s-tradewatch.yaml", config_text);
  }
  Manifests m_;
  std::map<std::string, Pod> pods_;  // by role name
  std::string config_path_;
};

TEST_F(KubernetesTest, EveryManifestParsesAndTheKustomizationListsThemAll) {
  EXPECT_THAT(m_.by_kind_and_name, Contains(::testing::Key("ConfigMap/tradewatch-config")));
  EXPECT_THAT(m_.by_kind_and_name, Contains(::testing::Key("ConfigMap/tradewatch-rules")));
  // One Deployment per role, and no other.
  EXPECT_EQ(m_.OfKind("Deployment").size(), kRoles.size());
  const YAML::Node kustomization = m_.One("Kustomization");
  ASSERT_TRUE(kustomization);
  std::set<std::string> listed;
  for (const std::string& r : Strings(kustomization["resources"])) listed.insert(r);
  for (const std::string& file : m_.files) {
    const std::string name = fs::path(file).filename().string();
    if (name == "kustomization.yaml") continue;
    EXPECT_TRUE(listed.erase(name) == 1) << name << " is not in kustomization.yaml resources";
  }
  EXPECT_TRUE(listed.empty()) << "kustomization.yaml lists missing files: " << *listed.begin();
}

TEST_F(KubernetesTest, ConfigMapConfigurationLoadsWithTheServiceConfigLoader) {
  auto config = tools::LoadServiceConfig(config_path_);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->kafka().brokers().empty())
      << "kafka.brokers is empty: each pod would start its own embedded broker";
  EXPECT_FALSE(config->rule_files().empty()) << "rule_files: the rules ConfigMap is not used";
  // Each secret the configuration names (kafka.properties_from_env, census_api.api_key_env)
  // reaches the container of the role that reads it as that variable, from a Secret.
  const std::string readme = Read(kDeploy + "/README.md");
  for (const Role& role : kRoles) {
    SCOPED_TRACE(role.name);
    const YAML::Node container = pods_[role.name].container;
    std::map<std::string, YAML::Node> env;
    for (const YAML::Node& e : container["env"]) env[e["name"].as<std::string>()] = e;
    const std::vector<std::string> vars = role.env(*config);
    if (role.name == "census-poll") {
      EXPECT_THAT(vars, Contains("CENSUS_API_KEY"));
    }
    for (const std::string& variable : vars) {
      ASSERT_TRUE(env.contains(variable)) << variable << " is not in the env";
      const YAML::Node secret = env[variable]["valueFrom"]["secretKeyRef"];
      ASSERT_TRUE(secret) << variable << " is not set from a Secret";
      // deploy/README.md tells how to create that Secret with that key.
      const std::string name = secret["name"].as<std::string>();
      const std::string key = secret["key"].as<std::string>();
      EXPECT_TRUE(std::regex_search(
          readme, std::regex("kubectl create secret generic " + name + " [^\\n]*--from-[a-z]+=" +
                             key + "=")))
          << "deploy/README.md does not create Secret " << name << " with key " << key;
    }
  }
}

TEST_F(KubernetesTest, ConfigMapKeepsTheTopicsAndShippingThresholdsOfTheHostConfig) {
  // The ConfigMap's tradewatch.yaml differs from deploy/config/tradewatch.yaml in brokers,
  // security, addresses and mounted paths only: the topics (names, partitions, replication,
  // cleanup; the shipping topics included) and the shipping thresholds are the same.
  auto config = tools::LoadServiceConfig(config_path_);
  ASSERT_TRUE(config.ok()) << config.status();
  auto host = tools::LoadServiceConfig(kDeploy + "/config/tradewatch.yaml");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(config->kafka().topics().DebugString(), host->kafka().topics().DebugString());
  EXPECT_EQ(config->shipping().DebugString(), host->shipping().DebugString());
  // Both spell the shipping section out, so an operator sees the thresholds it runs with.
  const YAML::Node k8s = LoadYaml(config_path_);
  const YAML::Node file = LoadYaml(kDeploy + "/config/tradewatch.yaml");
  for (const auto& [where, root] : {std::pair{"ConfigMap", k8s}, {"deploy/config", file}}) {
    const YAML::Node shipping = root["shipping"];
    ASSERT_TRUE(shipping.IsMap()) << where << ": no shipping section";
    for (const char* key :
         {"disruption_ratio", "recovery_ratio", "stale_days", "baseline_fallback_days"}) {
      EXPECT_TRUE(shipping[key].IsDefined()) << where << ": shipping." << key;
    }
    const YAML::Node topics = root["kafka"]["topics"];
    ASSERT_TRUE(topics.IsMap()) << where << ": no kafka.topics";
    for (const char* topic : {"shipping_transits", "shipping_status"}) {
      EXPECT_TRUE(topics[topic].IsDefined()) << where << ": kafka.topics." << topic;
    }
  }
}

TEST_F(KubernetesTest, FilesTheConfigurationNamesAreMountedFromTheConfigMaps) {
  auto config = tools::LoadServiceConfig(config_path_);
  ASSERT_TRUE(config.ok()) << config.status();
  for (const Role& role : kRoles) {
    SCOPED_TRACE(role.name);
    const Pod& pod = pods_[role.name];
    std::map<std::string, YAML::Node> volumes;
    for (const YAML::Node& v : pod.deployment["spec"]["template"]["spec"]["volumes"]) {
      volumes[v["name"].as<std::string>()] = v;
    }
    std::vector<std::string> files = role.files(*config);
    const std::string config_arg = FlagValue(pod.words(), "--config");
    ASSERT_FALSE(config_arg.empty()) << "the container runs without --config";
    files.push_back(config_arg);
    for (const std::string& file : files) {
      ASSERT_FALSE(file.empty());
      bool mounted = false;
      for (const YAML::Node& mount : pod.container["volumeMounts"]) {
        const std::string dir = mount["mountPath"].as<std::string>() + "/";
        if (file.rfind(dir, 0) != 0) continue;
        mounted = true;
        ASSERT_TRUE(volumes.contains(mount["name"].as<std::string>()))
            << "volume " << mount["name"].as<std::string>() << " is not defined";
        const YAML::Node volume = volumes[mount["name"].as<std::string>()];
        if (!volume["configMap"]) continue;
        const std::string config_map = volume["configMap"]["name"].as<std::string>();
        if (!m_.by_kind_and_name.contains("ConfigMap/" + config_map)) continue;  // operator's own
        EXPECT_FALSE(ConfigMapData(m_, config_map, file.substr(dir.size())).empty())
            << file << ": ConfigMap " << config_map << " has no key " << file.substr(dir.size());
      }
      EXPECT_TRUE(mounted) << file << " is not under any volumeMount";
    }
    // The root filesystem is read-only: what the role writes is a writable volume of its own.
    EXPECT_TRUE(pod.container["securityContext"]["readOnlyRootFilesystem"].as<bool>(false));
    for (const std::string& dir : role.writes(*config)) {
      ASSERT_TRUE(fs::path(dir).is_absolute()) << dir << " is relative to the working directory";
      bool writable = false;
      for (const YAML::Node& mount : pod.container["volumeMounts"]) {
        if (!IsUnder(dir, mount["mountPath"].as<std::string>())) continue;
        const YAML::Node volume = volumes[mount["name"].as<std::string>()];
        writable = !mount["readOnly"].as<bool>(false) &&
                   (volume["emptyDir"] || volume["persistentVolumeClaim"]);
      }
      EXPECT_TRUE(writable) << dir << " is not on a writable emptyDir or PVC volume";
    }
  }
}

TEST_F(KubernetesTest, RulesConfigMapIsTheDefaultRulesAndPassesTheRuleLoader) {
  const std::string rules = ConfigMapData(m_, "tradewatch-rules", "default.yaml");
  EXPECT_EQ(rules, Read(kDeploy + "/rules/default.yaml"))
      << "configmap-rules.yaml differs from deploy/rules/default.yaml";
  auto parsed = alerts::ParseRuleFile(rules, "configmap-rules.yaml default.yaml",
                                      alerts::RegionNames(Regions()));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->rules_size(), DefaultRules().rules_size());
}

TEST_F(KubernetesTest, ProbesTheServiceAndTheConfigAgreeOnTheMetricsPort) {
  auto config = tools::LoadServiceConfig(config_path_);
  ASSERT_TRUE(config.ok()) << config.status();
  for (const Role& role : kRoles) {
    SCOPED_TRACE(role.name);
    const Pod& pod = pods_[role.name];
    const YAML::Node& container = pod.container;
    const std::string address = role.metrics_address(*config);
    const std::string host = address.substr(0, address.rfind(':'));
    EXPECT_TRUE(host == "0.0.0.0" || host == "[::]" || host == "::")
        << "metrics address " << address << " is not reachable from the kubelet";
    const int port = PortOf(address);
    // The container declares the port it listens on.
    ASSERT_TRUE(container["ports"] && container["ports"].size() == 1);
    EXPECT_EQ(container["ports"][0]["containerPort"].as<int>(), port);
    // Every probe GETs /metrics on that port.
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
      if (std::string(probe) == "startupProbe" && !container[probe]) continue;
      const YAML::Node get = container[probe]["httpGet"];
      ASSERT_TRUE(get) << probe << " is not an httpGet probe";
      EXPECT_EQ(get["path"].as<std::string>(), "/metrics") << probe;
      EXPECT_EQ(ResolvePort(container, get["port"]), port) << probe;
    }
    // The Deployment, exactly one Service and any PodDisruptionBudget select this role's pods
    // and no other role's.
    const YAML::Node labels = pod.labels();
    auto selects_only_this_role = [&](const YAML::Node& selector) {
      if (!SelectorMatches(selector, labels)) return false;
      for (const auto& [other, other_pod] : pods_) {
        if (other != role.name && SelectorMatches(selector, other_pod.labels())) return false;
      }
      return true;
    };
    EXPECT_TRUE(selects_only_this_role(pod.deployment["spec"]["selector"]["matchLabels"]));
    for (const YAML::Node& pdb : m_.OfKind("PodDisruptionBudget")) {
      if (SelectorMatches(pdb["spec"]["selector"]["matchLabels"], labels)) {
        EXPECT_TRUE(selects_only_this_role(pdb["spec"]["selector"]["matchLabels"]));
      }
    }
    std::vector<YAML::Node> services;
    for (const YAML::Node& s : m_.OfKind("Service")) {
      if (SelectorMatches(s["spec"]["selector"], labels)) services.push_back(s);
    }
    ASSERT_EQ(services.size(), 1u) << "Services selecting the pods";
    const YAML::Node service = services.front();
    EXPECT_TRUE(selects_only_this_role(service["spec"]["selector"]));
    // It forwards to that port; the scrape annotations name it.
    ASSERT_EQ(service["spec"]["ports"].size(), 1u);
    EXPECT_EQ(ResolvePort(container, service["spec"]["ports"][0]["targetPort"]), port);
    const YAML::Node annotations = service["metadata"]["annotations"];
    EXPECT_EQ(annotations["prometheus.io/scrape"].as<std::string>(""), "true");
    EXPECT_EQ(annotations["prometheus.io/port"].as<std::string>(""), std::to_string(port));
    EXPECT_EQ(annotations["prometheus.io/path"].as<std::string>(""), "/metrics");
  }
}

TEST_F(KubernetesTest, ContainerFlagsAreOptionsOfTheBinary) {
  for (const Role& role : kRoles) {
    SCOPED_TRACE(role.name);
    const std::vector<std::string> command = TradewatchCommand(pods_[role.name].words());
    ASSERT_FALSE(command.empty()) << "the container does not run tradewatch";
    ASSERT_GT(command.size(), role.args.size());
    EXPECT_EQ(std::vector<std::string>(command.begin() + 1, command.begin() + 1 + role.args.size()),
              role.args);
    const std::string where = "Deployment tradewatch-" + role.name;
    ExpectFlagsAccepted(command, where);
    ExpectCommandLineParses(command, where);
  }
}

TEST_F(KubernetesTest, ThePollerRunsAsExactlyOneReplica) {
  for (const Role& role : kRoles) {
    if (!role.single) continue;
    SCOPED_TRACE(role.name);
    const YAML::Node spec = pods_[role.name].deployment["spec"];
    EXPECT_EQ(spec["replicas"].as<int>(-1), 1);
    // A rolling update would run the old and the new pod side by side.
    EXPECT_EQ(spec["strategy"]["type"].as<std::string>(""), "Recreate");
  }
}

// ---- systemd ----------------------------------------------------------------------------------

// A unit file: section -> key -> values (keys may repeat).
using Unit = std::map<std::string, std::multimap<std::string, std::string>>;

// Parses systemd's INI dialect: [Section], Key=Value, comments (# ;), trailing-backslash
// continuation. Anything else is a test failure.
Unit ParseUnit(const std::string& path) {
  Unit unit;
  std::istringstream lines(Read(path));
  std::string line;
  std::string section;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    while (!line.empty() && line.back() == '\\') {
      line.pop_back();
      std::string next;
      if (!std::getline(lines, next)) break;
      ++number;
      line += " " + next;
    }
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#' || line[first] == ';') continue;
    if (line[first] == '[') {
      const size_t close = line.find(']');
      EXPECT_TRUE(close != std::string::npos && line.find_first_not_of(" \t", close + 1) ==
                                                    std::string::npos)
          << path << ":" << number << ": bad section header";
      section = line.substr(first + 1, close - first - 1);
      unit[section];
      continue;
    }
    const size_t eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << path << ":" << number << ": not Key=Value: " << line;
    EXPECT_FALSE(section.empty()) << path << ":" << number << ": key outside a section";
    if (eq == std::string::npos || section.empty()) continue;
    std::string key = line.substr(first, eq - first);
    key.erase(key.find_last_not_of(" \t") + 1);
    EXPECT_TRUE(std::regex_match(key, std::regex("[A-Za-z][A-Za-z0-9]*")))
        << path << ":" << number << ": bad key '" << key << "'";
    std::string value = line.substr(eq + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    unit[section].emplace(key, value);
  }
  return unit;
}

std::string Value(const Unit& unit, const std::string& section, const std::string& key) {
  auto s = unit.find(section);
  if (s == unit.end()) return "";
  auto range = s->second.equal_range(key);
  return range.first == range.second ? "" : std::prev(range.second)->second;  // last one wins
}

// Every value of a key that may repeat (EnvironmentFile=, Environment=), in order.
std::vector<std::string> Values(const Unit& unit, const std::string& section,
                                const std::string& key) {
  std::vector<std::string> values;
  auto s = unit.find(section);
  if (s == unit.end()) return values;
  for (auto [it, end] = s->second.equal_range(key); it != end; ++it) values.push_back(it->second);
  return values;
}

std::string UnitPath(const Role& role) {
  return kDeploy + "/systemd/tradewatch-" + role.name + ".service";
}

// The configuration the units run with: deploy/config/tradewatch.yaml, installed as
// /etc/tradewatch/tradewatch.yaml by the commands at the top of each unit.
v1::ServiceConfig HostConfig() {
  auto config = tools::LoadServiceConfig(kDeploy + "/config/tradewatch.yaml");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : v1::ServiceConfig();
}

TEST(SystemdTest, UnitsParseAsIniWithKnownSections) {
  const std::vector<std::string> units =
      FilesIn(kDeploy + "/systemd", {".service", ".timer", ".path", ".socket"});
  for (const Role& role : kRoles) ASSERT_THAT(units, Contains(UnitPath(role)));
  for (const std::string& path : units) {
    Unit unit = ParseUnit(path);
    const std::string type = fs::path(path).extension().string().substr(1);
    const std::string own =
        std::string(1, static_cast<char>(std::toupper(type[0]))) + type.substr(1);
    for (const auto& entry : unit) {
      const std::string& section = entry.first;
      EXPECT_TRUE(section == "Unit" || section == "Install" || section == own)
          << path << ": section [" << section << "] in a ." << type << " unit";
    }
    EXPECT_FALSE(Value(unit, "Unit", "Description").empty()) << path;
    EXPECT_TRUE(unit.contains(own)) << path << ": no [" << own << "] section";
  }
}

TEST(SystemdTest, RoleUnitsRestartOnFailureAndStopGracefully) {
  for (const Role& role : kRoles) {
    SCOPED_TRACE(role.name);
    Unit unit = ParseUnit(UnitPath(role));
    EXPECT_EQ(Value(unit, "Service", "Restart"), "on-failure");
    EXPECT_EQ(Value(unit, "Service", "KillSignal"), "SIGTERM");
    const std::string timeout = Value(unit, "Service", "TimeoutStopSec");
    ASSERT_FALSE(timeout.empty());
    std::smatch seconds;
    ASSERT_TRUE(std::regex_match(timeout, seconds, std::regex("([0-9]+)s?"))) << timeout;
    EXPECT_GE(std::stoi(seconds[1]), role.stop_seconds) << timeout;
    EXPECT_TRUE(Value(unit, "Service", "DynamicUser") == "yes" ||
                !Value(unit, "Service", "User").empty())
        << "runs as root";
    EXPECT_EQ(Value(unit, "Service", "NoNewPrivileges"), "yes");
    EXPECT_EQ(Value(unit, "Service", "ProtectSystem"), "strict");
    EXPECT_EQ(Value(unit, "Install", "WantedBy"), "multi-user.target");
    std::vector<std::string> expected = {"/usr/local/bin/tradewatch"};
    expected.insert(expected.end(), role.args.begin(), role.args.end());
    expected.insert(expected.end(), {"--config", "/etc/tradewatch/tradewatch.yaml"});
    EXPECT_EQ(TradewatchCommand(ShellWords(Value(unit, "Service", "ExecStart"))), expected);
  }
}

TEST(SystemdTest, EveryUnitHasTheHardeningOfTheProcessUnit) {
  // The process unit's [Service] settings other than what it runs and how it stops are its
  // sandbox (user, capabilities, Protect*, Restrict*, system calls, umask): every unit has the
  // same.
  const std::set<std::string> own = {"Type",           "ExecStart",          "EnvironmentFile",
                                     "Environment",    "KillSignal",         "TimeoutStartSec",
                                     "TimeoutStopSec", "Restart",            "RestartSec",
                                     "StateDirectory", "StateDirectoryMode", "WorkingDirectory"};
  const Unit process = ParseUnit(kDeploy + "/systemd/tradewatch-process.service");
  std::set<std::string> hardening;
  for (const auto& [key, value] : process.at("Service")) {
    if (!own.contains(key)) hardening.insert(key);
  }
  EXPECT_GE(hardening.size(), 20u);
  for (const std::string& path : FilesIn(kDeploy + "/systemd", {".service"})) {
    const Unit unit = ParseUnit(path);
    for (const std::string& key : hardening) {
      EXPECT_EQ(Values(unit, "Service", key), Values(process, "Service", key))
          << path << ": " << key;
    }
  }
}

TEST(SystemdTest, RoleUnitsWriteOnlyTheirStateDirectoryAndKeepSecretsOutOfTheUnit) {
  const v1::ServiceConfig config = HostConfig();
  for (const Role& role : kRoles) {
    SCOPED_TRACE(role.name);
    const Unit unit = ParseUnit(UnitPath(role));
    // ProtectSystem=strict: the only writable paths are the StateDirectory= ones, /var/lib/NAME.
    std::vector<std::string> state;
    for (const std::string& value : Values(unit, "Service", "StateDirectory")) {
      for (const std::string& dir : ShellWords(value)) state.push_back("/var/lib/" + dir);
    }
    for (const std::string& dir : role.writes(config)) {
      EXPECT_TRUE(fs::path(dir).is_absolute())
          << dir << " is relative to the working directory, / (read-only)";
      EXPECT_TRUE(std::any_of(state.begin(), state.end(),
                              [&](const std::string& s) { return IsUnder(dir, s); }))
          << dir << " is not under a StateDirectory= of the unit";
    }
    // The variables the configuration names are secrets: never set inline, and read from an
    // EnvironmentFile= that must exist (no leading "-") so a missing key fails the start.
    const std::vector<std::string> vars = role.env(config);
    if (role.name == "census-poll") {
      EXPECT_THAT(vars, Contains("CENSUS_API_KEY"));
    }
    for (const std::string& variable : vars) {
      for (const std::string& value : Values(unit, "Service", "Environment")) {
        for (const std::string& assignment : ShellWords(value)) {
          EXPECT_NE(assignment.rfind(variable + "=", 0), 0u)
              << variable << " is set inline: " << value;
        }
      }
    }
    if (!vars.empty()) {
      const std::vector<std::string> files = Values(unit, "Service", "EnvironmentFile");
      EXPECT_TRUE(std::any_of(files.begin(), files.end(), [](const std::string& f) {
        return !f.empty() && f[0] == '/';
      })) << "no required EnvironmentFile= for " << ::testing::PrintToString(vars);
    }
  }
}

TEST(SystemdTest, ExecStartFlagsAreOptionsOfTheBinary) {
  for (const std::string& path : FilesIn(kDeploy + "/systemd", {".service"})) {
    Unit unit = ParseUnit(path);
    const std::string exec = Value(unit, "Service", "ExecStart");
    ASSERT_FALSE(exec.empty()) << path;
    const std::vector<std::string> command = TradewatchCommand(ShellWords(exec));
    ASSERT_FALSE(command.empty()) << path << ": ExecStart does not run tradewatch: " << exec;
    ExpectFlagsAccepted(command, path);
  }
  for (const Role& role : kRoles) {
    ExpectCommandLineParses(
        TradewatchCommand(ShellWords(Value(ParseUnit(UnitPath(role)), "Service", "ExecStart"))),
        UnitPath(role));
  }
}

TEST(SystemdTest, IngestUnitCommandLineRunsOnARealFile) {
  // The template's command for the instance 2025-12, its file glob replaced by the real 3344
  // file and --dry-run added: the flags and their values must be accepted as they are.
  const std::string path = kDeploy + "/systemd/tradewatch-ingest@.service";
  if (!fs::exists(path)) GTEST_SKIP() << "no ingest unit";
  std::vector<std::string> command =
      TradewatchCommand(ShellWords(Value(ParseUnit(path), "Service", "ExecStart")));
  ASSERT_GE(command.size(), 3u);
  EXPECT_EQ(command[1], "ingest");
  EXPECT_EQ(command[2], "census");
  command[0] = kBinary;
  bool has_files = false;
  for (std::string& word : command) {
    for (size_t at; (at = word.find("%i")) != std::string::npos;) word.replace(at, 2, "2025-12");
    if (word == "/etc/tradewatch/tradewatch.yaml") word = kDeploy + "/config/tradewatch.yaml";
    if (word.find('*') != std::string::npos) {
      word = k3344;
      has_files = true;
    }
  }
  EXPECT_TRUE(has_files) << "the ingest unit names no input files";
  command.push_back("--dry-run");
  auto [code, out] = RunProgram(command);
  EXPECT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("10341 rows"));
}

// ---- Prometheus and Alertmanager ----------------------------------------------------------------

std::string RequireTool(const std::string& name) {
  const std::string path = FindProgram(name);
  EXPECT_FALSE(path.empty()) << name
                             << " not found: install it with ./scripts/bootstrap --services";
  return path;
}

// Alert names and labels of the exported Prometheus rules (deploy/prometheus/tradewatch-rules.yml).
std::map<std::string, std::map<std::string, std::string>> ExportedAlerts() {
  std::map<std::string, std::map<std::string, std::string>> alerts;
  YAML::Node rules = LoadYaml(kDeploy + "/prometheus/tradewatch-rules.yml");
  for (const YAML::Node& group : rules["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      if (!rule["alert"]) continue;
      auto& labels = alerts[rule["alert"].as<std::string>()];
      for (const auto& kv : rule["labels"]) {
        labels[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  }
  return alerts;
}

TEST(PrometheusConfigTest, PromtoolCheckConfigPasses) {
  const std::string promtool = RequireTool("promtool");
  ASSERT_FALSE(promtool.empty());
  auto [code, out] =
      RunProgram({promtool, "check", "config", kDeploy + "/prometheus/prometheus.yml"});
  EXPECT_EQ(code, 0) << out;
  // The rule file was found and checked with it.
  EXPECT_THAT(out, HasSubstr("tradewatch-rules.yml"));
  EXPECT_THAT(out, HasSubstr("SUCCESS: 24 rules found"));
}

// The scrape job of prometheus.yml with that name; not a map if there is none (a default
// YAML::Node is a null node, which converts to true).
YAML::Node ScrapeJob(const YAML::Node& config, const std::string& name) {
  for (const YAML::Node& j : config["scrape_configs"]) {
    if (j["job_name"].as<std::string>() == name) return j;
  }
  return YAML::Node();
}

std::vector<std::string> Targets(const YAML::Node& job) {
  std::vector<std::string> targets;
  for (const YAML::Node& s : job["static_configs"]) {
    for (const std::string& t : Strings(s["targets"])) targets.push_back(t);
  }
  return targets;
}

TEST(PrometheusConfigTest, ScrapesEachRolesMetricsAddressUnderItsOwnJob) {
  YAML::Node config = LoadYaml(kDeploy + "/prometheus/prometheus.yml");
  const v1::ServiceConfig service = HostConfig();
  auto defaults = tools::LoadServiceConfig("");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  for (const Role& role : kRoles) {
    SCOPED_TRACE(role.name);
    const YAML::Node job = ScrapeJob(config, role.scrape_job);
    ASSERT_TRUE(job.IsMap()) << "no scrape job named " << role.scrape_job;
    EXPECT_EQ(job["metrics_path"] ? job["metrics_path"].as<std::string>() : "/metrics",
              "/metrics");
    const std::string address = role.metrics_address(service);
    EXPECT_THAT(Targets(job), Contains(address));
    // deploy/config/tradewatch.yaml keeps the loader's default, which the comments document.
    EXPECT_EQ(address, role.metrics_address(*defaults));
    // No other job scrapes it: in job tradewatch, the poller's up{} would stand for a processor.
    for (const YAML::Node& other : config["scrape_configs"]) {
      if (other["job_name"].as<std::string>() == role.scrape_job) continue;
      EXPECT_THAT(Targets(other), ::testing::Not(Contains(address)))
          << "job " << other["job_name"].as<std::string>();
    }
  }
  EXPECT_THAT(Strings(config["rule_files"]), Contains("tradewatch-rules.yml"));
  EXPECT_THAT(Strings(config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]),
              Contains("127.0.0.1:9093"));
  EXPECT_EQ(config["global"]["evaluation_interval"].as<std::string>(), "30s");
}

TEST(PrometheusConfigTest, EveryJobTheRulesSelectIsScraped) {
  YAML::Node config = LoadYaml(kDeploy + "/prometheus/prometheus.yml");
  YAML::Node rules = LoadYaml(kDeploy + "/prometheus/tradewatch-rules.yml");
  const std::regex job_matcher(R"re(\bjob\s*=~?\s*"([^"]*)")re");
  std::set<std::string> selected;
  for (const YAML::Node& group : rules["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string expr = rule["expr"].as<std::string>();
      for (auto m = std::sregex_iterator(expr.begin(), expr.end(), job_matcher);
           m != std::sregex_iterator(); ++m) {
        selected.insert((*m)[1]);
        EXPECT_TRUE(ScrapeJob(config, (*m)[1]).IsMap())
            << "no scrape job " << (*m)[1] << ": " << expr;
      }
    }
  }
  // The exported health rule and the dashboards select the processors' job.
  EXPECT_THAT(selected, Contains("tradewatch"));
}

const std::string kAlertmanagerYml = kDeploy + "/alertmanager/alertmanager.yml";

TEST(AlertmanagerConfigTest, AmtoolCheckConfigPasses) {
  const std::string amtool = RequireTool("amtool");
  ASSERT_FALSE(amtool.empty());
  auto [code, out] = RunProgram({amtool, "check-config", kAlertmanagerYml});
  EXPECT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("SUCCESS"));
}

// The receiver amtool routes an alert with these labels to.
std::string RouteOf(const std::string& amtool, const std::vector<std::string>& labels) {
  std::vector<std::string> argv = {amtool, "config", "routes", "test",
                                   "--config.file=" + kAlertmanagerYml};
  argv.insert(argv.end(), labels.begin(), labels.end());
  auto [code, out] = RunProgram(argv, /*merge_stderr=*/false);
  EXPECT_EQ(code, 0) << out;
  return out.substr(0, out.find('\n'));
}

TEST(AlertmanagerConfigTest, PagesAndWarningsGoToTheirOwnReceivers) {
  const std::string amtool = RequireTool("amtool");
  ASSERT_FALSE(amtool.empty());
  auto alerts = ExportedAlerts();
  ASSERT_TRUE(alerts.contains("TaiwanSemiconductorImportShareHigh"));
  std::map<std::string, std::string> receiver_of;  // severity -> receiver
  for (const auto& [name, labels] : alerts) {
    std::vector<std::string> args = {"alertname=" + name};
    for (const auto& [label, value] : labels) args.push_back(label + "=" + value);
    const std::string receiver = RouteOf(amtool, args);
    const std::string severity = labels.at("severity");
    auto [it, inserted] = receiver_of.emplace(severity, receiver);
    EXPECT_EQ(it->second, receiver) << name << ": alerts of severity " << severity
                                    << " go to different receivers";
  }
  ASSERT_TRUE(receiver_of.contains("page") && receiver_of.contains("warning"));
  EXPECT_NE(receiver_of["page"], receiver_of["warning"]);
  YAML::Node config = LoadYaml(kAlertmanagerYml);
  std::set<std::string> webhooks;
  for (const YAML::Node& r : config["receivers"]) {
    if (r["webhook_configs"]) webhooks.insert(r["name"].as<std::string>());
  }
  EXPECT_TRUE(webhooks.contains(receiver_of["page"]));
  EXPECT_TRUE(webhooks.contains(receiver_of["warning"]));
}

// A matcher `name="value"`, `name=~"regex"`, `name!="value"` (amtool's syntax, unquoted values
// too) applied to a label set.
bool Matches(const std::string& matcher, const std::map<std::string, std::string>& labels) {
  std::smatch m;
  const std::regex syntax(R"re(\s*(\w+)\s*(=~|!~|!=|=)\s*"?([^"]*)"?\s*)re");
  EXPECT_TRUE(std::regex_match(matcher, m, syntax))
      << matcher;
  auto it = labels.find(m[1]);
  const std::string value = it == labels.end() ? "" : it->second;
  const std::string op = m[2];
  if (op == "=") return value == m[3].str();
  if (op == "!=") return value != m[3].str();
  const bool match = std::regex_match(value, std::regex(m[3].str()));
  return op == "=~" ? match : !match;
}

bool MatchesAll(const YAML::Node& matchers, const std::map<std::string, std::string>& labels) {
  for (const std::string& m : Strings(matchers)) {
    if (!Matches(m, labels)) return false;
  }
  return true;
}

TEST(AlertmanagerConfigTest, GroupingAndInhibitionUseLabelsTheAlertsCarry) {
  YAML::Node config = LoadYaml(kAlertmanagerYml);
  // The labels a dependency alert carries: those of tradewatch_alert_value plus alertname.
  std::set<std::string> labels = ExportedMetrics().at("tradewatch_alert_value");
  labels.insert("alertname");
  for (const std::string& label : Strings(config["route"]["group_by"])) {
    EXPECT_TRUE(labels.contains(label)) << "group_by " << label << ": no alert carries it";
  }
  EXPECT_THAT(Strings(config["route"]["group_by"]), Contains("product_code"));

  auto alerts = ExportedAlerts();
  ASSERT_EQ(config["inhibit_rules"].size(), 1u);
  const YAML::Node inhibit = config["inhibit_rules"][0];
  std::set<std::string> sources, targets;
  for (auto [name, alert_labels] : alerts) {
    alert_labels["alertname"] = name;
    if (MatchesAll(inhibit["source_matchers"], alert_labels)) sources.insert(name);
    if (MatchesAll(inhibit["target_matchers"], alert_labels)) targets.insert(name);
  }
  EXPECT_EQ(sources, (std::set<std::string>{"TradewatchMetricsAbsent", "TradewatchReleaseStale"}));
  // Exactly the rules that read trade figures are inhibited: the dependency and composite rules
  // of deploy/rules/default.yaml (a stale Census release makes them blind), not the shipping
  // disruption and staleness rules, which read PortWatch only.
  std::set<std::string> dependency;
  const v1::RuleFile rules = DefaultRules();
  for (const v1::Rule& rule : rules.rules()) {
    if (!alerts::IsShippingMetric(rule.metric())) dependency.insert(rule.name());
  }
  EXPECT_EQ(dependency.size(), 7u);
  EXPECT_EQ(targets, dependency);
}

// ---- Grafana ----------------------------------------------------------------------------------

const std::string kDashboards = kDeploy + "/grafana/dashboards";

std::string ProvisionedDatasourceUid() {
  YAML::Node ds = LoadYaml(kDeploy + "/grafana/provisioning/datasources/prometheus.yaml");
  EXPECT_EQ(ds["datasources"].size(), 1u);
  if (ds["datasources"].size() != 1) return "";
  const YAML::Node source = ds["datasources"][0];
  EXPECT_EQ(source["type"].as<std::string>(), "prometheus");
  EXPECT_FALSE(source["url"].as<std::string>().empty());
  return source["uid"] ? source["uid"].as<std::string>() : "";
}

TEST(GrafanaTest, ProvisioningFilesDeclareTheDatasourceAndTheDashboardFolder) {
  EXPECT_EQ(ProvisionedDatasourceUid(), "tradewatch-prometheus");
  YAML::Node dashboards = LoadYaml(kDeploy + "/grafana/provisioning/dashboards/tradewatch.yaml");
  ASSERT_EQ(dashboards["providers"].size(), 1u);
  EXPECT_EQ(dashboards["providers"][0]["type"].as<std::string>(), "file");
  EXPECT_FALSE(dashboards["providers"][0]["options"]["path"].as<std::string>().empty());
}

std::string DatasourceUid(simdjson::dom::element node) {
  std::string_view uid, type;
  if (node["datasource"]["uid"].get(uid) != simdjson::SUCCESS) return "";
  if (node["datasource"]["type"].get(type) != simdjson::SUCCESS || type != "prometheus") return "";
  return std::string(uid);
}

TEST(GrafanaTest, EveryPanelQueriesTheProvisionedDatasource) {
  const std::string uid = ProvisionedDatasourceUid();
  const std::vector<std::string> files = testing::DashboardFiles(kDashboards);
  ASSERT_GE(files.size(), 5u);
  std::set<std::string> dashboard_uids;
  for (const std::string& file : files) {
    simdjson::dom::parser parser;
    simdjson::dom::element dashboard;
    ASSERT_EQ(parser.load(file).get(dashboard), simdjson::SUCCESS) << file;
    std::string_view dashboard_uid;
    ASSERT_EQ(dashboard["uid"].get(dashboard_uid), simdjson::SUCCESS) << file;
    EXPECT_TRUE(dashboard_uids.insert(std::string(dashboard_uid)).second) << file;
    int64_t schema = 0;
    EXPECT_EQ(dashboard["schemaVersion"].get(schema), simdjson::SUCCESS) << file;
    EXPECT_GE(schema, 36) << file;
    int panels = 0;
    std::set<int64_t> ids;
    testing::ForEachPanel(dashboard, [&](simdjson::dom::element panel) {
      ++panels;
      std::string_view title;
      EXPECT_EQ(panel["title"].get(title), simdjson::SUCCESS) << file;
      int64_t id = 0;
      EXPECT_EQ(panel["id"].get(id), simdjson::SUCCESS) << file << ": " << title;
      EXPECT_TRUE(ids.insert(id).second) << file << ": duplicate panel id " << id;
      EXPECT_EQ(DatasourceUid(panel), uid) << file << ": panel '" << title << "'";
      simdjson::dom::array targets;
      ASSERT_EQ(panel["targets"].get(targets), simdjson::SUCCESS) << file << ": " << title;
      EXPECT_GT(targets.size(), 0u) << file << ": panel '" << title << "' has no target";
      for (simdjson::dom::element target : targets) {
        std::string_view expr;
        EXPECT_EQ(target["expr"].get(expr), simdjson::SUCCESS) << file << ": " << title;
        EXPECT_FALSE(expr.empty()) << file << ": panel '" << title << "'";
        simdjson::dom::element ds;
        if (target["datasource"].get(ds) == simdjson::SUCCESS) {
          EXPECT_EQ(DatasourceUid(target), uid) << file << ": a target of '" << title << "'";
        }
      }
    });
    EXPECT_GT(panels, 0) << file;
    simdjson::dom::array variables;
    if (dashboard["templating"]["list"].get(variables) == simdjson::SUCCESS) {
      for (simdjson::dom::element variable : variables) {
        std::string_view type;
        if (variable["type"].get(type) == simdjson::SUCCESS && type == "query") {
          EXPECT_EQ(DatasourceUid(variable), uid) << file << ": a template variable";
        }
      }
    }
  }
}

// The template variables' queries (label_values(metric, label)) of every dashboard.
std::vector<std::string> VariableQueries() {
  std::vector<std::string> queries;
  for (const testing::VariableQuery& v : testing::LoadVariableQueries(kDashboards)) {
    queries.push_back(v.query);
  }
  return queries;
}

std::vector<testing::PanelQuery> Queries() {
  std::vector<testing::PanelQuery> queries = testing::LoadDashboardQueries(kDashboards);
  EXPECT_GE(queries.size(), 20u);
  return queries;
}

TEST(GrafanaTest, ExpressionsUseOnlyTheAllowedVariables) {
  for (const testing::PanelQuery& q : Queries()) {
    const std::string expr = testing::SubstituteGrafanaVariables(q.expr, kGrafanaVariables);
    EXPECT_FALSE(std::regex_search(expr, std::regex(R"(\$[A-Za-z_{]|\[\[)")))
        << q.dashboard << " / " << q.panel << ": a variable other than $naics, $chokepoint, "
        << "$__rate_interval, $__interval, $__range: " << q.expr;
  }
}

TEST(GrafanaTest, ExpressionsAreValidPromQL) {
  const std::string promtool = RequireTool("promtool");
  ASSERT_FALSE(promtool.empty());
  // Each expression becomes a recording rule: promtool parses it as PromQL.
  std::string rules = "groups:\n  - name: dashboards\n    rules:\n";
  const std::vector<testing::PanelQuery> queries = Queries();
  for (size_t i = 0; i < queries.size(); ++i) {
    std::string expr = testing::SubstituteGrafanaVariables(queries[i].expr, kGrafanaVariables);
    for (size_t at = 0; (at = expr.find('\'', at)) != std::string::npos; at += 2) {
      expr.insert(at, "'");
    }
    rules += "      - record: dashboard:query_" + std::to_string(i) + "\n        expr: '" + expr +
             "'\n";
  }
  const std::string path = WriteTemp("dashboard_queries.yml", rules);
  auto [code, out] = RunProgram({promtool, "check", "rules", path});
  EXPECT_EQ(code, 0) << out << "\n" << rules;
  EXPECT_THAT(out, HasSubstr("SUCCESS: " + std::to_string(queries.size()) + " rules found"));
}

using testing::MetricNames;

TEST(GrafanaTest, EveryMetricNameIsOneTheCodeExports) {
  const Exposition& exported = ExportedMetrics();
  std::vector<std::string> exprs;
  for (const testing::PanelQuery& q : Queries()) exprs.push_back(q.expr);
  for (const std::string& q : VariableQueries()) exprs.push_back(q);
  int names = 0;
  for (const std::string& expr : exprs) {
    for (const std::string& name : MetricNames(expr)) {
      ++names;
      EXPECT_TRUE(exported.contains(name)) << name << " is not exported by tradewatch: " << expr;
    }
  }
  EXPECT_GT(names, 20);
}

TEST(GrafanaTest, ExportedMetricsCoverEveryDefaultRule) {
  // The exposition the names are checked against has a series per rule (the fixture is sound).
  const std::set<std::string>& labels = ExportedMetrics().at("tradewatch_alert_value");
  for (const char* label : {"rule", "product_code", "partner", "region", "severity", "team"}) {
    EXPECT_TRUE(labels.contains(label)) << label;
  }
}

TEST(GrafanaTest, ExportedMetricsCoverTheShippingSide) {
  // The shipping families of processors/shipping_stream.h, each with its labels, the chokepoint
  // of the alert series (shipping rules, route_exposure rules) and of the route exposures: the
  // shipping dashboard's names are checked against a complete exposition.
  const Exposition& exported = ExportedMetrics();
  const std::map<std::string, std::set<std::string>> expected = {
      {"tradewatch_shipping_transits_7d", {"chokepoint", "name"}},
      {"tradewatch_shipping_baseline_7d", {"chokepoint", "name"}},
      {"tradewatch_shipping_transit_ratio", {"chokepoint", "name"}},
      {"tradewatch_shipping_status", {"chokepoint", "name", "status"}},
      {"tradewatch_shipping_episode_open", {"chokepoint", "name"}},
      {"tradewatch_shipping_latest_day_timestamp_seconds", {"chokepoint", "name"}},
      {"tradewatch_shipping_releases_total", {}},
      {"tradewatch_shipping_records_consumed_total", {}},
      {"tradewatch_shipping_records_rejected_total", {"reason"}},
      {"tradewatch_trade_route_exposure", {"flow", "product_code", "window", "chokepoint"}},
  };
  for (const auto& [name, labels] : expected) {
    ASSERT_TRUE(exported.contains(name)) << name;
    EXPECT_EQ(exported.at(name), labels) << name;
  }
  for (const char* family : {"tradewatch_alert_active", "tradewatch_alert_value"}) {
    EXPECT_TRUE(exported.at(family).contains("chokepoint")) << family;
  }
}

TEST(GrafanaTest, LabelsInSelectorsAndGroupingExist) {
  const Exposition& exported = ExportedMetrics();
  // Labels of Prometheus's ALERTS series: its own, and those of the alerts (rule labels).
  std::set<std::string> alert_labels = exported.at("tradewatch_alert_value");
  alert_labels.insert({"alertname", "alertstate"});
  const std::regex selector(
      R"(\b(tradewatch_[a-z0-9_]+|ALERTS|up|scrape_duration_seconds)\{([^}]*)\})");
  const std::regex matcher(R"re((\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)")re");
  const std::regex grouping(R"(\b(?:by|without|on|ignoring)\s*\(([^)]*)\))");
  for (const testing::PanelQuery& q : Queries()) {
    const std::string& expr = q.expr;
    std::set<std::string> available = kTargetLabels;
    available.insert("le");
    for (const std::string& name : MetricNames(expr)) {
      if (!exported.contains(name)) continue;
      available.insert(exported.at(name).begin(), exported.at(name).end());
    }
    if (expr.find("ALERTS") != std::string::npos) {
      available.insert(alert_labels.begin(), alert_labels.end());
    }
    if (expr.find("label_replace") != std::string::npos) available.insert("threshold");
    for (auto s = std::sregex_iterator(expr.begin(), expr.end(), selector);
         s != std::sregex_iterator(); ++s) {
      const std::string metric = (*s)[1];
      const std::string body = (*s)[2];
      std::set<std::string> own = kTargetLabels;
      if (metric == "ALERTS") own = alert_labels;
      if (exported.contains(metric)) {
        own.insert(exported.at(metric).begin(), exported.at(metric).end());
      }
      for (auto m = std::sregex_iterator(body.begin(), body.end(), matcher);
           m != std::sregex_iterator(); ++m) {
        EXPECT_TRUE(own.contains((*m)[1])) << q.dashboard << " / " << q.panel << ": " << metric
                                           << " has no label " << (*m)[1] << ": " << expr;
      }
    }
    for (auto g = std::sregex_iterator(expr.begin(), expr.end(), grouping);
         g != std::sregex_iterator(); ++g) {
      std::stringstream list((*g)[1].str());
      std::string label;
      while (std::getline(list, label, ',')) {
        label.erase(0, label.find_first_not_of(' '));
        label.erase(label.find_last_not_of(' ') + 1);
        if (label.empty()) continue;
        EXPECT_TRUE(available.contains(label))
            << q.dashboard << " / " << q.panel << ": no series carries " << label << ": " << expr;
      }
    }
  }
  for (const std::string& query : VariableQueries()) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(query, m, std::regex(R"(label_values\((\w+),\s*(\w+)\))")))
        << query;
    ASSERT_TRUE(exported.contains(m[1])) << query;
    EXPECT_TRUE(exported.at(m[1]).contains(m[2])) << query;
  }
}

TEST(GrafanaTest, RuleAndAlertNamesInExpressionsExist) {
  std::map<std::string, const v1::Rule*> rules;
  const v1::RuleFile file = DefaultRules();
  for (const v1::Rule& rule : file.rules()) rules[rule.name()] = &rule;
  const auto alerts = ExportedAlerts();
  const std::regex named(R"re(\b(rule|alertname)\s*(=~|=)\s*"([^"]*)")re");
  for (const testing::PanelQuery& q : Queries()) {
    for (auto m = std::sregex_iterator(q.expr.begin(), q.expr.end(), named);
         m != std::sregex_iterator(); ++m) {
      std::stringstream alternatives((*m)[3].str());
      std::string name;
      while (std::getline(alternatives, name, '|')) {
        const bool known = (*m)[1] == "rule" ? rules.contains(name) : alerts.contains(name);
        EXPECT_TRUE(known) << q.dashboard << " / " << q.panel << ": no " << (*m)[1] << " "
                           << name << ": " << q.expr;
      }
    }
  }
}

// A threshold line is label_replace(vector(LEVEL), "threshold", WHAT, "", ""): WHAT names where
// LEVEL comes from, a rule's level ("<Rule> above|below|clear") or a shipping threshold of the
// service configuration ("shipping.disruption_ratio", "shipping.recovery_ratio"). Each must hold
// the level it names, and no line may name anything else.
TEST(GrafanaTest, ThresholdLinesAreTheRulesAndTheShippingThresholds) {
  std::map<std::string, const v1::Rule*> rules;
  const v1::RuleFile file = DefaultRules();
  for (const v1::Rule& rule : file.rules()) rules[rule.name()] = &rule;
  const v1::ShippingConfig shipping = HostConfig().shipping();
  auto defaults = tools::LoadServiceConfig("");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  // deploy/config/tradewatch.yaml shows the defaults, which a configuration without `shipping:`
  // (the lines' reference) runs with.
  EXPECT_EQ(shipping.SerializeAsString(), defaults->shipping().SerializeAsString())
      << "deploy/config/tradewatch.yaml's shipping section is not the defaults";
  const std::map<std::string, double> shipping_levels = {
      {"disruption_ratio", shipping.disruption_ratio()},
      {"recovery_ratio", shipping.recovery_ratio()}};
  // label_replace(vector(0.15), "threshold", "<Rule> above|below|clear", "", "")
  const std::regex line(
      R"re(vector\(([0-9.]+)\)\s*,\s*"threshold"\s*,\s*"(\w+) (above|below|clear)")re");
  // label_replace(vector(0.7), "threshold", "shipping.disruption_ratio", "", "")
  const std::regex shipping_line(
      R"re(vector\(([0-9.]+)\)\s*,\s*"threshold"\s*,\s*"shipping\.(\w+)")re");
  const std::regex any_line(R"re("threshold"\s*,)re");
  int lines = 0;
  for (const testing::PanelQuery& q : Queries()) {
    const auto count = [&](const std::regex& r) {
      return std::distance(std::sregex_iterator(q.expr.begin(), q.expr.end(), r),
                           std::sregex_iterator());
    };
    EXPECT_EQ(count(any_line), count(line) + count(shipping_line))
        << q.dashboard << " / " << q.panel
        << ": a threshold line names neither a rule's level nor a shipping threshold: " << q.expr;
    for (auto m = std::sregex_iterator(q.expr.begin(), q.expr.end(), shipping_line);
         m != std::sregex_iterator(); ++m) {
      ++lines;
      auto level = shipping_levels.find((*m)[2]);
      ASSERT_NE(level, shipping_levels.end())
          << q.panel << ": shipping." << (*m)[2] << " is not a shipping threshold";
      EXPECT_NEAR(std::stod((*m)[1]), level->second, 1e-12)
          << q.panel << ": the shipping." << (*m)[2]
          << " line differs from deploy/config/tradewatch.yaml";
    }
    for (auto m = std::sregex_iterator(q.expr.begin(), q.expr.end(), line);
         m != std::sregex_iterator(); ++m) {
      ++lines;
      auto rule = rules.find((*m)[2]);
      ASSERT_NE(rule, rules.end()) << q.panel << ": " << (*m)[2];
      const v1::Rule& r = *rule->second;
      const std::string kind = (*m)[3];
      std::optional<double> expected;
      if (kind == "above" && r.has_above()) expected = r.above();
      if (kind == "below" && r.has_below()) expected = r.below();
      if (kind == "clear" && r.has_clear()) expected = r.clear();
      ASSERT_TRUE(expected.has_value()) << q.panel << ": " << r.name() << " has no " << kind;
      EXPECT_NEAR(std::stod((*m)[1]), *expected, 1e-12)
          << q.panel << ": the " << kind << " line of " << r.name()
          << " differs from deploy/rules/default.yaml";
    }
  }
  EXPECT_GT(lines, 0);
}

TEST(GrafanaTest, TheReadmeListsEveryDashboard) {
  // deploy/README.md names each dashboard by its title (after "tradewatch / "), in italics.
  const std::string readme = Read(kDeploy + "/README.md");
  const std::vector<std::string> files = testing::DashboardFiles(kDashboards);
  for (const std::string& file : files) {
    simdjson::dom::parser parser;
    simdjson::dom::element dashboard;
    ASSERT_EQ(parser.load(file).get(dashboard), simdjson::SUCCESS) << file;
    std::string_view title;
    ASSERT_EQ(dashboard["title"].get(title), simdjson::SUCCESS) << file;
    std::string name(title);
    if (name.rfind("tradewatch / ", 0) == 0) name = name.substr(13);
    EXPECT_THAT(readme, HasSubstr("*" + name + "*"))
        << "deploy/README.md does not list the dashboard " << file;
  }
  const std::vector<std::string> counts = {"one", "two", "three", "four", "five",
                                           "six", "seven", "eight", "nine"};
  ASSERT_LE(files.size(), counts.size());
  EXPECT_THAT(readme, HasSubstr("and " + counts[files.size() - 1] + " dashboards"));
}

// ---- the support header -----------------------------------------------------------------------

TEST(GrafanaQueriesTest, SubstitutesEveryVariableSyntax) {
  const std::map<std::string, std::string> vars = {
      {"naics", "3344"}, {"__range", "1h"}, {"__rate_interval", "2m"}};
  using testing::SubstituteGrafanaVariables;
  EXPECT_EQ(SubstituteGrafanaVariables(R"(x{product_code="$naics"})", vars),
            R"(x{product_code="3344"})");
  EXPECT_EQ(SubstituteGrafanaVariables("${naics}/${naics:raw}/[[naics]]", vars), "3344/3344/3344");
  EXPECT_EQ(SubstituteGrafanaVariables("rate(x[$__rate_interval]) + increase(x[$__range])", vars),
            "rate(x[2m]) + increase(x[1h])");
  // The longest name is taken; unknown names and PromQL's $1 stay.
  EXPECT_EQ(SubstituteGrafanaVariables("$__range_ms $other $1 ${other} [[other]]", vars),
            "$__range_ms $other $1 ${other} [[other]]");
  EXPECT_EQ(SubstituteGrafanaVariables("$", vars), "$");
}

TEST(GrafanaQueriesTest, MetricNamesKeepDigits) {
  EXPECT_EQ(testing::MetricNames("time() - max by (name) (tradewatch_shipping_latest_day_timestamp_"
                                 "seconds{chokepoint=~\"$chokepoint\"}) / tradewatch_shipping_"
                                 "transits_7d + my_tradewatch_x"),
            (std::vector<std::string>{"tradewatch_shipping_latest_day_timestamp_seconds",
                                      "tradewatch_shipping_transits_7d"}));
}

TEST(GrafanaQueriesTest, LoadsEveryVariableQuery) {
  std::map<std::string, std::string> by_name;
  for (const testing::VariableQuery& v : testing::LoadVariableQueries(kDashboards)) {
    EXPECT_FALSE(v.dashboard.empty());
    by_name[v.name] = v.query;
  }
  EXPECT_EQ(by_name["naics"].rfind("label_values(", 0), 0u);
  EXPECT_EQ(by_name["chokepoint"], "label_values(tradewatch_shipping_transits_7d, chokepoint)");
}

TEST(GrafanaQueriesTest, LoadsEveryTargetOfEveryDashboard) {
  size_t targets = 0;
  for (const std::string& file : testing::DashboardFiles(kDashboards)) {
    simdjson::dom::parser parser;
    simdjson::dom::element dashboard;
    ASSERT_EQ(parser.load(file).get(dashboard), simdjson::SUCCESS) << file;
    testing::ForEachPanel(dashboard, [&](simdjson::dom::element panel) {
      simdjson::dom::array t;
      if (panel["targets"].get(t) == simdjson::SUCCESS) targets += t.size();
    });
  }
  const std::vector<testing::PanelQuery> queries = Queries();
  EXPECT_EQ(queries.size(), targets);
  for (const testing::PanelQuery& q : queries) {
    EXPECT_FALSE(q.dashboard.empty());
    EXPECT_FALSE(q.panel.empty());
  }
}

}  // namespace
}  // namespace tradewatch
