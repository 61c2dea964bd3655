// End to end, with every real part an operator runs: a Kafka 3.9 broker (scripts/kafka), the built
// `tradewatch process`, Prometheus scraping it with the shipped configuration and exported rules
// (deploy/prometheus), Alertmanager with the shipped routing (deploy/alertmanager) delivering to a
// webhook receiver in this test, kcat reading the alert topic, and every Grafana panel query
// (deploy/grafana/dashboards) evaluated against the live Prometheus. The real 3344 imports are
// ingested release by release, one `tradewatch ingest census` per month, 2021-01 to 2025-12; then
// the real IMF PortWatch daily chokepoint transits (2024-01 to 2026-07) in one
// `tradewatch ingest portwatch`, which the shipping loop of `tradewatch process` turns into the
// shipping metrics and chokepoint alerts the shipping dashboard reads.
//
// The shipped files are used as they are except for what a test must change: ports (free ones on
// 127.0.0.1), the webhook URL, and intervals (seconds instead of minutes).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_replace.h"
#include "common/url_encode.h"
#include "fmt/format.h"
#include "simdjson.h"
#include "tests/support/census_months.h"
#include "tests/support/grafana_queries.h"
#include "tests/support/http_get.h"
#include "tests/support/http_server.h"
#include "tests/support/real_kafka.h"
#include "tests/support/subprocess.h"

namespace tradewatch {
namespace {

namespace fs = std::filesystem;
using ::tradewatch::testing::FindProgram;
using ::tradewatch::testing::HttpGet;
using ::tradewatch::testing::RunProgram;
using ::tradewatch::testing::Subprocess;

const std::string kBinary = std::string(TRADEWATCH_BINARY_DIR) + "/tools/tradewatch";
const std::string kDescriptorSet = std::string(TRADEWATCH_BINARY_DIR) + "/proto/tradewatch.desc";
constexpr char kPortwatch[] =
    "../shared/data/imf_portwatch/portwatch_chokepoints_daily_2024-01_2026-07.csv";
constexpr int kPartitions = 6;
// Partitions of tradewatch.shipping.transits.v1 (the default configuration): one release marker
// each per `ingest portwatch` run.
constexpr int kShippingPartitions = 3;
// Rows of the PortWatch file, every one accepted.
constexpr int kPortwatchTransits = 11253;
constexpr auto kDeadline = std::chrono::seconds(120);

// A port nobody listens on now (the kernel's pick for an ephemeral bind).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces `from` (which must occur) in `text`.
std::string Replace(const std::string& text, const std::string& from, const std::string& to) {
  EXPECT_NE(text.find(from), std::string::npos) << "the shipped file no longer holds '" << from
                                                << "': update this test with it";
  return absl::StrReplaceAll(text, {{from, to}});
}

// A long-running service with its output in `log` (so no pipe can fill up and stall it).
std::unique_ptr<Subprocess> StartService(const std::vector<std::string>& argv,
                                         const std::string& log) {
  std::string command = "exec";
  for (const std::string& a : argv) command += " '" + a + "'";
  command += " > '" + log + "' 2>&1";
  return std::make_unique<Subprocess>(std::vector<std::string>{"sh", "-c", command});
}

// Polls `ready` every 200 ms until it holds or the deadline passes.
bool WaitFor(const std::function<bool()>& ready, std::chrono::seconds deadline = kDeadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return ready();
}

class EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / fmt::format("tradewatch-e2e-{}", getpid())).string();
    fs::create_directories(dir_);
  }
  void TearDown() override {
    for (auto* service : {&process_, &prometheus_, &alertmanager_}) {
      if (*service != nullptr) {
        (*service)->Signal(SIGTERM);
        (*service)->Wait();
      }
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string Log(const std::string& name) const { return dir_ + "/" + name + ".log"; }

  // Prometheus's answer to an instant query, parsed; ADD_FAILUREs and returns 0 results unless
  // the query succeeded.
  size_t QueryResults(const std::string& expr, std::string* body_out = nullptr) {
    auto body = HttpGet(prometheus_port_, "/api/v1/query?query=" + PercentEncode(expr));
    if (!body.ok()) {
      ADD_FAILURE() << expr << ": " << body.status();
      return 0;
    }
    if (body_out != nullptr) *body_out = *body;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view status;
    simdjson::dom::array result;
    if (parser.parse(*body).get(doc) != simdjson::SUCCESS || doc["status"].get(status) ||
        status != "success" || doc["data"]["result"].get(result)) {
      ADD_FAILURE() << expr << ": " << *body;
      return 0;
    }
    return result.size();
  }

  std::string dir_;
  std::unique_ptr<Subprocess> process_, prometheus_, alertmanager_;
  int prometheus_port_ = 0;
};

TEST_F(EndToEndTest, TaiwanDependencyReachesPrometheusAlertmanagerKafkaAndGrafana) {
  const std::string prometheus = FindProgram("prometheus");
  const std::string alertmanager = FindProgram("prometheus-alertmanager");
  const std::string kcat = FindProgram("kcat");
  const std::string protoc = FindProgram("protoc");
  ASSERT_FALSE(prometheus.empty()) << "prometheus is missing: scripts/bootstrap --services";
  ASSERT_FALSE(alertmanager.empty()) << "prometheus-alertmanager is missing: scripts/bootstrap --services";
  ASSERT_FALSE(kcat.empty()) << "kcat is missing: scripts/bootstrap --services";
  ASSERT_FALSE(protoc.empty()) << "protoc is missing: scripts/bootstrap";

  auto kafka = ::tradewatch::testing::RealKafka::Start(1);
  ASSERT_TRUE(kafka.ok()) << kafka.status();
  const std::string brokers = (*kafka)->bootstrap();

  // The webhook receiver Alertmanager delivers to.
  ::tradewatch::testing::HttpServer webhook(
      [](const ::tradewatch::testing::HttpRequest&) { return ::tradewatch::testing::Reply(200); });
  ASSERT_TRUE(webhook.ok());

  // tradewatch process.
  const int metrics_port = FreePort();
  process_ = StartService({kBinary, "process", "--brokers", brokers, "--metrics-address",
                           fmt::format("127.0.0.1:{}", metrics_port)},
                          Log("tradewatch"));
  ASSERT_TRUE(WaitFor([&] { return HttpGet(metrics_port, "/metrics").ok(); }))
      << ReadFile(Log("tradewatch"));

  // Alertmanager with the shipped routing; only the receiver URL and the waits differ.
  const int alertmanager_port = FreePort();
  std::string am_config = ReadFile("deploy/alertmanager/alertmanager.yml");
  am_config = Replace(am_config, "http://127.0.0.1:9095/alerts", webhook.url() + "/alerts");
  am_config = Replace(am_config, "group_wait: 30s", "group_wait: 1s");
  am_config = Replace(am_config, "group_interval: 5m", "group_interval: 1s");
  std::ofstream(dir_ + "/alertmanager.yml") << am_config;
  alertmanager_ = StartService(
      {alertmanager, "--config.file=" + dir_ + "/alertmanager.yml",
       "--storage.path=" + dir_ + "/alertmanager",
       fmt::format("--web.listen-address=127.0.0.1:{}", alertmanager_port),
       "--cluster.listen-address="},
      Log("alertmanager"));
  ASSERT_TRUE(WaitFor([&] { return HttpGet(alertmanager_port, "/-/ready").ok(); }))
      << ReadFile(Log("alertmanager"));

  // Prometheus with the shipped configuration and the exported rules.
  prometheus_port_ = FreePort();
  std::string prom_config = ReadFile("deploy/prometheus/prometheus.yml");
  prom_config = Replace(prom_config, "scrape_interval: 30s", "scrape_interval: 1s");
  prom_config = Replace(prom_config, "evaluation_interval: 30s", "evaluation_interval: 1s");
  prom_config = Replace(prom_config, "127.0.0.1:9464", fmt::format("127.0.0.1:{}", metrics_port));
  prom_config =
      Replace(prom_config, "127.0.0.1:9093", fmt::format("127.0.0.1:{}", alertmanager_port));
  prom_config = Replace(prom_config, "- tradewatch-rules.yml",
                        "- " + fs::absolute("deploy/prometheus/tradewatch-rules.yml").string());
  std::ofstream(dir_ + "/prometheus.yml") << prom_config;
  prometheus_ = StartService(
      {prometheus, "--config.file=" + dir_ + "/prometheus.yml",
       "--storage.tsdb.path=" + dir_ + "/prometheus",
       fmt::format("--web.listen-address=127.0.0.1:{}", prometheus_port_)},
      Log("prometheus"));
  ASSERT_TRUE(WaitFor([&] { return HttpGet(prometheus_port_, "/-/ready").ok(); }))
      << ReadFile(Log("prometheus"));

  // The releases: one ingest per month, each with a later vintage.
  const std::map<std::string, std::string> months = ::tradewatch::testing::Split3344ByMonth(dir_);
  ASSERT_EQ(months.size(), 60u);
  int vintage = 0;
  for (const auto& [period, file] : months) {
    auto [code, out] = RunProgram({kBinary, "ingest", "census", "--brokers", brokers, "--release",
                                   period, "--vintage", std::to_string(++vintage), file});
    ASSERT_EQ(code, 0) << period << ": " << out;
    ASSERT_NE(out.find("0 rejected"), std::string::npos) << period << ": " << out;
  }
  std::string scrape;
  ASSERT_TRUE(WaitFor([&] {
    auto body = HttpGet(metrics_port, "/metrics");
    if (body.ok()) scrape = *body;
    return body.ok() &&
           ::tradewatch::testing::ScrapedValue(*body, "tradewatch_processor_releases_total") == kPartitions * 60;
  })) << scrape.substr(0, 3000);
  EXPECT_EQ(::tradewatch::testing::ScrapedValue(scrape, "tradewatch_processor_latest_period_yyyymm"), 202512);

  // The shipping release: the real PortWatch file, published by the built binary; the shipping
  // loop closes one release per transit partition.
  {
    auto [code, out] = RunProgram({kBinary, "ingest", "portwatch", "-b", brokers, kPortwatch});
    ASSERT_EQ(code, 0) << out;
    ASSERT_NE(out.find(fmt::format("{} accepted", kPortwatchTransits)), std::string::npos) << out;
    ASSERT_NE(out.find("0 rejected"), std::string::npos) << out;
  }
  ASSERT_TRUE(WaitFor([&] {
    auto body = HttpGet(metrics_port, "/metrics");
    if (body.ok()) scrape = *body;
    return body.ok() && ::tradewatch::testing::ScrapedValue(
                            *body, "tradewatch_shipping_releases_total") == kShippingPartitions;
  })) << ReadFile(Log("tradewatch")).substr(0, 3000) << "\n" << scrape.substr(0, 3000);
  EXPECT_EQ(
      ::tradewatch::testing::ScrapedValue(scrape, "tradewatch_shipping_records_consumed_total"),
      kPortwatchTransits + kShippingPartitions);
  // The releases counter goes up after a release's metrics and alerts are set: once Prometheus
  // has scraped it at 3, it holds every shipping series of the release.
  ASSERT_TRUE(WaitFor([&] {
    return QueryResults(fmt::format(
               "tradewatch_shipping_releases_total{{job=\"tradewatch\"}} == {}",
               kShippingPartitions)) == 1;
  })) << ReadFile(Log("prometheus"));
  // The Strait of Hormuz is disrupted at the end of the real file (transits at a tenth of the
  // baseline since March 2026).
  std::string hormuz;
  EXPECT_EQ(QueryResults(
                "tradewatch_shipping_status{chokepoint=\"chokepoint6\",status=\"disrupted\"} == 1",
                &hormuz),
            1u)
      << hormuz;

  // 1. Prometheus: the Taiwan rule is firing, with the rule's labels.
  std::string alerts_body;
  bool taiwan_firing = false;
  ASSERT_TRUE(WaitFor([&] {
    auto body = HttpGet(prometheus_port_, "/api/v1/alerts");
    if (!body.ok()) return false;
    alerts_body = *body;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(alerts_body).get(doc)) return false;
    for (simdjson::dom::element alert : doc["data"]["alerts"]) {
      std::string_view name, state, severity, product, partner;
      if (alert["labels"]["alertname"].get(name) || name != "TaiwanSemiconductorImportShareHigh") {
        continue;
      }
      EXPECT_FALSE(alert["state"].get(state));
      EXPECT_FALSE(alert["labels"]["severity"].get(severity));
      EXPECT_FALSE(alert["labels"]["product_code"].get(product));
      EXPECT_FALSE(alert["labels"]["partner"].get(partner));
      EXPECT_EQ(std::string(severity), "page");
      EXPECT_EQ(std::string(product), "3344");
      EXPECT_EQ(std::string(partner), "5830");
      taiwan_firing = state == "firing";
    }
    return taiwan_firing;
  })) << alerts_body;

  // 2. Alertmanager delivered it to the webhook, grouped by rule and NAICS code, with the
  // rendered annotations: 34.95% is Taiwan's 2025 share of 3344 imports in the real data.
  std::string delivered;
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& request : webhook.requests()) {
      if (request.body.find("\"alertname\":\"TaiwanSemiconductorImportShareHigh\"") !=
          std::string::npos) {
        delivered = request.body;
        return true;
      }
    }
    return false;
  })) << webhook.request_count() << " deliveries; Alertmanager log:\n"
      << ReadFile(Log("alertmanager"));
  simdjson::dom::parser parser;
  simdjson::dom::element message;
  ASSERT_FALSE(parser.parse(delivered).get(message)) << delivered;
  std::string_view status, receiver, group_rule, group_code, summary, runbook;
  EXPECT_FALSE(message["status"].get(status));
  EXPECT_EQ(std::string(status), "firing");
  EXPECT_FALSE(message["receiver"].get(receiver));
  EXPECT_EQ(std::string(receiver), "tradewatch-page");
  EXPECT_FALSE(message["groupLabels"]["rule"].get(group_rule));
  EXPECT_EQ(std::string(group_rule), "TaiwanSemiconductorImportShareHigh");
  EXPECT_FALSE(message["groupLabels"]["product_code"].get(group_code));
  EXPECT_EQ(std::string(group_code), "3344");
  simdjson::dom::element first = message["alerts"].at(0);
  EXPECT_FALSE(first["annotations"]["summary"].get(summary));
  EXPECT_NE(summary.find("34.95%"), std::string::npos) << summary;
  EXPECT_NE(summary.find("NAICS 3344"), std::string::npos) << summary;
  EXPECT_FALSE(first["annotations"]["runbook_url"].get(runbook));
  EXPECT_NE(runbook.find("docs/runbooks.md#taiwansemiconductorimportsharehigh"), std::string::npos);

  // 3. The alert event on tradewatch.alerts.v1, read by kcat and decoded with the descriptor set.
  auto [kcat_code, positions] = RunProgram(
      {kcat, "-C", "-b", brokers, "-t", "tradewatch.alerts.v1", "-e", "-q", "-f", "%p %o %k\n"},
      false);
  ASSERT_EQ(kcat_code, 0);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(positions, m,
                                std::regex("([0-9]+) ([0-9]+) TaiwanSemiconductorImportShareHigh\\{")))
      << positions;
  auto [decode_code, event] = RunProgram(
      {"sh", "-c",
       fmt::format("{} -C -b {} -t tradewatch.alerts.v1 -p {} -o {} -c 1 -e -q -f '%s' | {} "
                   "--decode=tradewatch.v1.AlertEvent --descriptor_set_in={}",
                   kcat, brokers, m[1].str(), m[2].str(), protoc, kDescriptorSet)});
  ASSERT_EQ(decode_code, 0) << event;
  EXPECT_NE(event.find("state: ALERT_STATE_FIRING"), std::string::npos) << event;
  // The first firing is the 2025-04 release (30.4% > 30%), in event time.
  EXPECT_NE(event.find("period_yyyymm: 202504"), std::string::npos) << event;

  // 4. Every Grafana panel query, with its variables set as a user viewing 3344 and the Strait of
  // Hormuz would, returns data from the live Prometheus without error.
  const auto queries = ::tradewatch::testing::LoadDashboardQueries("deploy/grafana/dashboards");
  ASSERT_GT(queries.size(), 10u);
  const std::map<std::string, std::string> vars = {{"naics", "3344"},
                                                    {"chokepoint", "chokepoint6"},
                                                    {"__rate_interval", "1m"},
                                                    {"__interval", "15s"},
                                                    {"__range", "1h"}};
  // Each template variable's query (label_values(metric, label)) offers values, among them the
  // one substituted below.
  for (const auto& variable :
       ::tradewatch::testing::LoadVariableQueries("deploy/grafana/dashboards")) {
    std::smatch parts;
    ASSERT_TRUE(std::regex_match(variable.query, parts,
                                 std::regex(R"(label_values\((\w+),\s*(\w+)\))")))
        << variable.dashboard << " $" << variable.name << ": " << variable.query;
    auto body = HttpGet(prometheus_port_, "/api/v1/label/" + parts[2].str() +
                                              "/values?match%5B%5D=" +
                                              PercentEncode(parts[1].str()));
    ASSERT_TRUE(body.ok()) << body.status();
    simdjson::dom::parser values_parser;
    simdjson::dom::array values;
    ASSERT_FALSE(values_parser.parse(*body)["data"].get(values)) << *body;
    std::set<std::string> offered;
    for (simdjson::dom::element v : values) offered.insert(std::string(v.get_string().value()));
    EXPECT_FALSE(offered.empty()) << variable.dashboard << " $" << variable.name << ": " << *body;
    if (vars.contains(variable.name)) {
      EXPECT_TRUE(offered.contains(vars.at(variable.name)))
          << variable.dashboard << " $" << variable.name << ": " << *body;
    }
  }
  for (const auto& query : queries) {
    const std::string expr = ::tradewatch::testing::SubstituteGrafanaVariables(query.expr, vars);
    std::string body;
    EXPECT_GT(QueryResults(expr, &body), 0u)
        << query.dashboard << " / " << query.panel << ": " << expr << " -> " << body;
  }

  // Everything stops cleanly.
  process_->Signal(SIGTERM);
  EXPECT_EQ(process_->Wait(), 0) << ReadFile(Log("tradewatch"));
  process_.reset();
}

}  // namespace
}  // namespace tradewatch
