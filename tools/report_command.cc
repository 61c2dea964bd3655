#include "tools/report_command.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/json_writer.h"
#include "common/period.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "ingest/census_reader.h"
#include "ingest/column_mapping.h"
#include "ingest/read_summary.h"
#include "processors/analytics.h"
#include "processors/trade_table.h"
#include "processors/window.h"
#include "tools/chokepoint_report.h"
#include "tools/reference_data.h"

namespace tradewatch::tools {
namespace {

using processors::TradeTable;

struct InputOptions {
  std::vector<std::string> files;
  std::string countries_path = DefaultCountriesPath();
  std::string regions_path;
  std::string routes_path;
  std::string mapping;
  std::string titles_path = DefaultNaicsTitlesPath();
  bool quiet = false;
};

struct ReportOptions {
  InputOptions input;
  std::string flow = "imports";
  std::string measure = "auto";
  std::string naics;
  std::string product;
  std::string window = "year";
  std::string period;
  std::string from;
  std::string to;
  int top = 10;
  std::string format = "table";
  bool allow_incomplete = false;
};

void AddInputOptions(CLI::App* cmd, InputOptions* in) {
  cmd->add_option("files", in->files, "Census tables: API JSON (or its cache wrapper) or CSV, "
                                      "plain or gzip")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--countries", in->countries_path,
                  "Census Schedule C country table (CSV kind,cty_code,name,...); default "
                  "$TRADEWATCH_COUNTRIES or ../shared/data/census_country_codes/"
                  "schedule_c_countries_and_groups.csv")
      ->capture_default_str();
  cmd->add_option("--regions", in->regions_path,
                  "region membership YAML (default: deploy/regions/regions.yaml, built in)");
  cmd->add_option("--routes", in->routes_path,
                  "route table YAML for the chokepoint exposures (default: "
                  "deploy/routes/routes.yaml, built in)");
  cmd->add_option("--mapping", in->mapping,
                  "column mapping: a built-in name (census, census_hitech, census_world_totals, "
                  "census_atp_totals) or a YAML file; default: detected from each header");
  cmd->add_option("--naics-titles", in->titles_path,
                  "CSV of NAICS titles (naics_code,title) for headings; default "
                  "$TRADEWATCH_NAICS_TITLES or ../shared/data/naics_titles/naics2017_all_codes.csv")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", in->quiet, "do not print the reader summary on stderr");
}

// What the report commands work on: the reference tables and the upsert table of every file.
struct Loaded {
  ingest::CountryTable countries;
  v1::RegionTable regions;
  v1::RouteTable routes;
  TradeTable table;
  ingest::ReadSummary summary;
  std::map<std::string, std::string> naics_titles;

  // " Semiconductor and Other Electronic Component Manufacturing", or "" when unknown.
  std::string TitleSuffix(v1::Classification classification, const std::string& code) const {
    if (classification != v1::CLASSIFICATION_NAICS) return "";
    auto it = naics_titles.find(code);
    return it == naics_titles.end() ? "" : " " + it->second;
  }
};

class TableSink : public ingest::RecordSink {
 public:
  explicit TableSink(TradeTable* table) : table_(table) {}
  void OnObservation(const v1::TradeObservation& o) override { table_->Upsert(o); }
  void OnReject(const v1::RejectedRecord&) override {}

 private:
  TradeTable* table_;
};

absl::StatusOr<std::optional<v1::ColumnMapping>> ResolveMapping(const std::string& name) {
  return ResolveColumnMapping(name);
}

// Reads every file into one table. Each file is its own vintage, in command-line order, so a
// later file's value of an identity replaces an earlier file's.
absl::Status Load(const InputOptions& in, Loaded* out) {
  TW_ASSIGN_OR_RETURN(out->countries, LoadCountries(in.countries_path));
  TW_ASSIGN_OR_RETURN(out->regions, LoadRegions(in.regions_path));
  TW_ASSIGN_OR_RETURN(out->routes, LoadRoutes(in.routes_path));
  out->naics_titles = LoadNaicsTitles(in.titles_path);
  TW_ASSIGN_OR_RETURN(auto mapping, ResolveMapping(in.mapping));
  TableSink sink(&out->table);
  for (size_t i = 0; i < in.files.size(); ++i) {
    ingest::ReadOptions options;
    options.countries = &out->countries;
    options.release_id = std::filesystem::path(in.files[i]).filename().string();
    options.vintage = static_cast<int64_t>(i) + 1;
    options.mapping = mapping;
    ingest::CensusReader reader(options, &sink);
    TW_RETURN_IF_ERROR(reader.ReadFile(in.files[i]));
    if (!in.quiet) {
      std::fprintf(stderr, "%s: %s\n", in.files[i].c_str(),
                   reader.summary().Format().c_str());
    }
    out->summary.Merge(reader.summary());
  }
  // HITECH API tables carry the ten groups; `--product atp` reads their sum.
  processors::DeriveAtpSeries(&out->table);
  return absl::OkStatus();
}


absl::StatusOr<v1::Flow> ParseFlow(const std::string& flow) {
  if (flow == "imports") return v1::FLOW_IMPORTS;
  if (flow == "exports") return v1::FLOW_EXPORTS;
  return absl::InvalidArgumentError(
      fmt::format("--flow '{}': expected imports or exports", flow));
}

std::string FlowName(v1::Flow flow) { return flow == v1::FLOW_EXPORTS ? "exports" : "imports"; }

std::string MeasureName(v1::Measure m) {
  switch (m) {
    case v1::MEASURE_GENERAL_IMPORTS: return "general_imports";
    case v1::MEASURE_IMPORTS_FOR_CONSUMPTION: return "imports_for_consumption";
    case v1::MEASURE_TOTAL_EXPORTS: return "total_exports";
    default: return "unspecified";
  }
}

// The series of (flow, classification, code): the measure asked for, or for "auto" the
// default basis (general imports, total exports) when present, else the only one present.
absl::StatusOr<const processors::Series*> FindSeries(const TradeTable& table, v1::Flow flow,
                                                     v1::Classification classification,
                                                     const std::string& code,
                                                     const std::string& measure) {
  std::vector<v1::Measure> candidates;
  if (measure == "auto") {
    candidates = flow == v1::FLOW_IMPORTS
                     ? std::vector{v1::MEASURE_GENERAL_IMPORTS, v1::MEASURE_IMPORTS_FOR_CONSUMPTION}
                     : std::vector{v1::MEASURE_TOTAL_EXPORTS};
  } else if (measure == "general") {
    candidates = {v1::MEASURE_GENERAL_IMPORTS};
  } else if (measure == "consumption") {
    candidates = {v1::MEASURE_IMPORTS_FOR_CONSUMPTION};
  } else if (measure == "total") {
    candidates = {v1::MEASURE_TOTAL_EXPORTS};
  } else {
    return absl::InvalidArgumentError(fmt::format(
        "--measure '{}': expected auto, general, consumption or total", measure));
  }
  for (v1::Measure m : candidates) {
    if (const auto* s = table.Find({flow, m, classification, code})) return s;
  }
  std::set<std::string> present;
  table.ForEachSeries([&](const processors::Series& s) {
    if (s.flow() == flow && s.classification() == classification) present.insert(s.product_code());
  });
  std::string kind = classification == v1::CLASSIFICATION_HITECH ? "HITECH" : "NAICS";
  if (present.empty()) {
    return absl::NotFoundError(
        fmt::format("no {} {} data in the files", FlowName(flow), kind));
  }
  std::vector<std::string> sample(present.begin(), present.end());
  if (sample.size() > 25) sample.resize(25);
  return absl::NotFoundError(fmt::format("unknown {} code {} in the {} data of the files "
                                         "(codes present: {}{})",
                                         kind, code, FlowName(flow), fmt::join(sample, " "),
                                         present.size() > 25 ? " ..." : ""));
}

// --period: "2025" (a year) or "2025-04" (a month). A year given for a month-based window means
// its December.
absl::StatusOr<int32_t> ParsePeriodArg(const std::string& text, const char* flag) {
  if (text.size() == 4) {
    if (auto p = ParseYearMonth(text, "12")) return *p;
  } else if (auto p = ParsePeriod(text)) {
    return *p;
  }
  return absl::InvalidArgumentError(
      fmt::format("{} '{}': expected a year (2025) or a month (2025-04)", flag, text));
}

absl::Status CheckWindow(const v1::Window& w, const std::string& what, bool allow_incomplete) {
  std::string period = processors::FormatWindowPeriod(w);
  std::string kind = processors::WindowKindName(w.kind());
  if (w.months_with_data() == 0) {
    return absl::NotFoundError(fmt::format("no data for {} {} of {}", kind, period, what));
  }
  if (!w.complete() && !allow_incomplete) {
    return absl::FailedPreconditionError(fmt::format(
        "{} {} of {} is incomplete: {} of {} months have data; pass --allow-incomplete to "
        "report it anyway",
        kind, period, what, w.months_with_data(), w.months()));
  }
  return absl::OkStatus();
}

std::string Billions(int64_t usd) { return fmt::format("{:.2f}", static_cast<double>(usd) / 1e9); }
std::string Percent(double fraction) { return fmt::format("{:.1f}%", fraction * 100.0); }

// ---------- shares ----------

void WriteWindowJson(JsonWriter& j, const v1::Window& w) {
  j.Key("window").String(processors::WindowKindName(w.kind()));
  j.Key("period").String(processors::FormatWindowPeriod(w));
  j.Key("complete").Bool(w.complete());
  j.Key("months_with_data").Int(w.months_with_data());
}

std::string SharesJson(const v1::PartnerShares& s, const std::string& title) {
  JsonWriter j;
  j.BeginObject();
  j.Key("flow").String(FlowName(s.flow()));
  j.Key("measure").String(MeasureName(s.measure()));
  j.Key(s.classification() == v1::CLASSIFICATION_HITECH ? "hitech" : "naics")
      .String(s.product_code());
  j.Key("title").String(title);
  WriteWindowJson(j, s.window());
  j.Key("total_usd").Int(s.total_usd());
  j.Key("countries_usd").Int(s.countries_usd());
  j.Key("total_row_usd");
  if (s.has_total_row_usd()) {
    j.Int(s.total_row_usd());
  } else {
    j.Null();
  }
  j.Key("coverage").Double(s.coverage());
  j.Key("partners").BeginArray();
  for (const auto& p : s.partners()) {
    j.BeginObject();
    j.Key("code").String(p.code());
    j.Key("name").String(p.name());
    j.Key("value_usd").Int(p.value_usd());
    j.Key("share").Double(p.share());
    j.EndObject();
  }
  j.EndArray();
  j.Key("regions").BeginArray();
  for (const auto& r : s.regions()) {
    j.BeginObject();
    j.Key("name").String(r.name());
    j.Key("value_usd").Int(r.value_usd());
    j.Key("share").Double(r.share());
    j.Key("census_code").String(r.census_code());
    j.Key("census_value_usd");
    if (r.has_census_value_usd()) {
      j.Int(r.census_value_usd());
    } else {
      j.Null();
    }
    j.Key("census_difference");
    if (r.has_census_difference()) {
      j.Double(r.census_difference());
    } else {
      j.Null();
    }
    j.EndObject();
  }
  j.EndArray();
  j.Key("exposures").BeginArray();
  for (const auto& e : s.exposures()) {
    j.BeginObject();
    j.Key("chokepoint_id").String(e.chokepoint_id());
    j.Key("chokepoint_name").String(e.chokepoint_name());
    j.Key("value_usd").Int(e.value_usd());
    j.Key("share").Double(e.share());
    j.Key("partner_count").Int(e.partner_count());
    j.EndObject();
  }
  j.EndArray();
  j.Key("hhi").Double(s.hhi());
  j.Key("partner_count").Int(s.partner_count());
  j.EndObject();
  return j.str();
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string SharesCsv(const v1::PartnerShares& s) {
  std::string out = "flow,measure,code,window,period,complete,rank,partner_code,partner_name,value_usd,share\n";
  int rank = 0;
  for (const auto& p : s.partners()) {
    ++rank;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{:.10g}\n", FlowName(s.flow()),
                       MeasureName(s.measure()), s.product_code(),
                       processors::WindowKindName(s.window().kind()),
                       processors::FormatWindowPeriod(s.window()),
                       s.window().complete() ? "true" : "false", rank, p.code(),
                       CsvField(p.name()), p.value_usd(), p.share());
  }
  return out;
}

std::string ReadableMeasure(v1::Measure m) {
  std::string name = MeasureName(m);
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string SharesTable(const v1::PartnerShares& s, const std::string& title) {
  const v1::Window& w = s.window();
  std::string out = fmt::format(
      "{} of {} {}{}, {}, {} {} ({} of {} months with data)\n",
      s.flow() == v1::FLOW_EXPORTS ? "Exports" : "Imports",
      s.classification() == v1::CLASSIFICATION_HITECH ? "HITECH" : "NAICS", s.product_code(), title,
      ReadableMeasure(s.measure()), processors::WindowKindName(w.kind()),
      processors::FormatWindowPeriod(w), w.months_with_data(), w.months());
  if (s.total_usd() != s.countries_usd()) {
    out += fmt::format(
        "Total ${}B (the Census all-partner total); the {} countries in the partner detail cover "
        "{} of it. HHI {:.3f}\n",
        Billions(s.total_usd()), s.partner_count(), Percent(s.coverage()), s.hhi());
  } else {
    out += fmt::format("Total ${}B from {} countries. HHI {:.3f}\n", Billions(s.total_usd()),
                       s.partner_count(), s.hhi());
  }
  out += fmt::format("  {:>4}  {:<30} {:>9}  {:>6}\n", "rank", "partner", "$B", "share");
  int rank = 0;
  for (const auto& p : s.partners()) {
    bool country = p.code() != "rest" && p.code() != "not_in_detail";
    std::string label = country ? p.name() : fmt::format("({})", p.name());
    out += fmt::format("  {:>4}  {:<30} {:>9}  {:>6}\n",
                       country ? fmt::format("{}", ++rank) : "", label.substr(0, 30),
                       Billions(p.value_usd()), Percent(p.share()));
  }
  if (!s.regions().empty()) {
    out += fmt::format("  {:>4}  {:<30} {:>9}  {:>6}  {}\n", "", "region", "$B", "share",
                       "cross-check with the Census group row");
    for (const auto& r : s.regions()) {
      std::string check = "no Census row in the input";
      if (r.has_census_difference()) {
        check = std::fabs(r.census_difference()) < 5e-6
                    ? fmt::format("{}: equal", r.census_code())
                    : fmt::format("{}: members differ by {:+.2f}%", r.census_code(),
                                  r.census_difference() * 100.0);
      }
      out += fmt::format("  {:>4}  {:<30} {:>9}  {:>6}  {}\n", "", r.name(),
                         Billions(r.value_usd()), Percent(r.share()), check);
    }
    if (s.total_usd() != s.countries_usd()) {
      out += "        (regions sum only the members present in the partner detail)\n";
    }
  }
  if (!s.exposures().empty()) {
    out += fmt::format("  {:>4}  {:<30} {:>9}  {:>6}  {}\n", "", "chokepoint exposure", "$B",
                       "share", "partners routed through it");
    for (const auto& e : s.exposures()) {
      out += fmt::format("  {:>4}  {:<30} {:>9}  {:>6}  {}\n", "", e.chokepoint_name(),
                         Billions(e.value_usd()), Percent(e.share()), e.partner_count());
    }
    out += "        (upper bounds of the value at sea: a partner counts in full, though part of "
           "its trade flies)\n";
  }
  return out;
}

struct Target {
  v1::Classification classification = v1::CLASSIFICATION_NAICS;
  std::string code;
  std::string product = "naics";
};

absl::StatusOr<Target> ResolveTarget(const ReportOptions& o) {
  Target t;
  if (!o.naics.empty() && !o.product.empty()) {
    return absl::InvalidArgumentError("give --naics or --product, not both");
  }
  if (!o.naics.empty()) {
    t.code = o.naics;
    return t;
  }
  if (o.product == "atp") {
    t.classification = v1::CLASSIFICATION_HITECH;
    t.code = "ATP";
    t.product = "atp";
    return t;
  }
  if (o.product.rfind("hitech:", 0) == 0) {
    t.classification = v1::CLASSIFICATION_HITECH;
    t.code = o.product.substr(7);
    t.product = "hitech";
    return t;
  }
  if (o.product.rfind("naics:", 0) == 0) {
    t.code = o.product.substr(6);
    return t;
  }
  return absl::InvalidArgumentError(
      o.product.empty() ? "give --naics CODE or --product atp"
                        : fmt::format("--product '{}': expected atp, hitech:NN or naics:CODE",
                                      o.product));
}

absl::StatusOr<v1::WindowKind> ResolveWindow(const std::string& name) {
  auto kind = processors::ParseWindowKind(name);
  if (!kind) {
    return absl::InvalidArgumentError(
        fmt::format("--window '{}': expected month, t12m, ytd or year", name));
  }
  return *kind;
}

absl::Status RunShares(const ReportOptions& o) {
  TW_ASSIGN_OR_RETURN(Target target, ResolveTarget(o));
  TW_ASSIGN_OR_RETURN(v1::Flow flow, ParseFlow(o.flow));
  TW_ASSIGN_OR_RETURN(v1::WindowKind kind, ResolveWindow(o.window));
  TW_ASSIGN_OR_RETURN(int32_t period, ParsePeriodArg(o.period, "--period"));
  Loaded loaded;
  TW_RETURN_IF_ERROR(Load(o.input, &loaded));
  TW_ASSIGN_OR_RETURN(const processors::Series* series,
                      FindSeries(loaded.table, flow, target.classification, target.code, o.measure));
  processors::ShareOptions options;
  options.top_n = o.top;
  options.regions = &loaded.regions;
  options.routes = &loaded.routes;
  options.namer = MakeNamer(loaded.countries);
  v1::PartnerShares shares = processors::ComputeShares(*series, kind, period, options);
  TW_RETURN_IF_ERROR(CheckWindow(shares.window(),
                                 fmt::format("{} {} {}", FlowName(flow), target.product, target.code),
                                 o.allow_incomplete));
  if (o.format == "json") {
    std::string title = loaded.TitleSuffix(shares.classification(), shares.product_code());
    std::cout << SharesJson(shares, title.empty() ? title : title.substr(1)) << "\n";
  } else if (o.format == "csv") {
    std::cout << SharesCsv(shares);
  } else {
    std::cout << SharesTable(shares, loaded.TitleSuffix(shares.classification(),
                                                        shares.product_code()));
  }
  return absl::OkStatus();
}

// ---------- balance ----------

std::string BalanceJson(const v1::BalanceResult& b, const std::string& product) {
  JsonWriter j;
  j.BeginObject();
  j.Key("product").String(product);
  j.Key("code").String(b.product_code());
  WriteWindowJson(j, b.window());
  j.Key("imports_measure").String(MeasureName(b.imports_measure()));
  j.Key("exports_measure").String(MeasureName(b.exports_measure()));
  j.Key("imports_usd").Int(b.imports_usd());
  j.Key("exports_usd").Int(b.exports_usd());
  j.Key("balance_usd").Int(b.balance_usd());
  j.Key("previous_balance_usd");
  if (b.has_previous_balance_usd()) {
    j.Int(b.previous_balance_usd());
  } else {
    j.Null();
  }
  j.Key("deficit_growth");
  if (b.has_deficit_growth()) {
    j.Double(b.deficit_growth());
  } else {
    j.Null();
  }
  j.Key("contributors").BeginArray();
  for (const auto& c : b.contributors()) {
    j.BeginObject();
    j.Key("code").String(c.code());
    j.Key("name").String(c.name());
    j.Key("imports_usd").Int(c.imports_usd());
    j.Key("exports_usd").Int(c.exports_usd());
    j.Key("balance_usd").Int(c.balance_usd());
    j.Key("contribution").Double(c.contribution());
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.str();
}

std::string BalanceTable(const v1::BalanceResult& b, const std::string& product,
                         const std::string& title) {
  const v1::Window& w = b.window();
  std::string out = fmt::format(
      "Balance of {} {}{}, {} {} (balance = imports - exports; positive is a US deficit)\n",
      product == "naics" ? "NAICS" : product == "atp" ? "Advanced Technology Products" : "HITECH",
      product == "atp" ? "(all ten groups)" : b.product_code(), title,
                                processors::WindowKindName(w.kind()),
                                processors::FormatWindowPeriod(w));
  out += fmt::format("  imports  ${:>10}B  ({})\n", Billions(b.imports_usd()),
                     ReadableMeasure(b.imports_measure()));
  out += fmt::format("  exports  ${:>10}B  ({})\n", Billions(b.exports_usd()),
                     ReadableMeasure(b.exports_measure()));
  out += fmt::format("  balance  ${:>10}B\n", Billions(b.balance_usd()));
  if (b.has_previous_balance_usd()) {
    out += fmt::format("  previous ${:>10}B  ({} {})", Billions(b.previous_balance_usd()),
                       processors::WindowKindName(w.kind()),
                       processors::FormatWindowPeriod(processors::PreviousYear(w)));
    if (b.has_deficit_growth()) out += fmt::format(", deficit growth {:+.1f}%", b.deficit_growth() * 100);
    out += "\n";
  } else {
    out += "  previous  n/a (the window a year earlier is not complete in the files)\n";
  }
  if (!b.contributors().empty()) {
    out += fmt::format("  {:<34} {:>10} {:>10} {:>10} {:>13}\n", "partner", "imports $B",
                       "exports $B", "balance $B", "contribution");
    for (const auto& c : b.contributors()) {
      out += fmt::format("  {:<34} {:>10} {:>10} {:>10} {:>13}\n", c.name().substr(0, 34),
                         Billions(c.imports_usd()), Billions(c.exports_usd()),
                         Billions(c.balance_usd()), Percent(c.contribution()));
    }
  }
  return out;
}

absl::Status RunBalance(const ReportOptions& o) {
  TW_ASSIGN_OR_RETURN(Target target, ResolveTarget(o));
  TW_ASSIGN_OR_RETURN(v1::WindowKind kind, ResolveWindow(o.window));
  TW_ASSIGN_OR_RETURN(int32_t period, ParsePeriodArg(o.period, "--period"));
  Loaded loaded;
  TW_RETURN_IF_ERROR(Load(o.input, &loaded));
  TW_ASSIGN_OR_RETURN(const processors::Series* imports,
                      FindSeries(loaded.table, v1::FLOW_IMPORTS, target.classification,
                                 target.code, o.measure == "total" ? "auto" : o.measure));
  TW_ASSIGN_OR_RETURN(const processors::Series* exports,
                      FindSeries(loaded.table, v1::FLOW_EXPORTS, target.classification,
                                 target.code, "auto"));
  v1::BalanceResult balance = processors::ComputeBalance(imports, exports, kind, period,
                                                         MakeNamer(loaded.countries), o.top);
  TW_RETURN_IF_ERROR(CheckWindow(balance.window(),
                                 fmt::format("the {} {} balance", target.product, target.code),
                                 o.allow_incomplete));
  if (o.format == "json") {
    std::cout << BalanceJson(balance, target.product) << "\n";
  } else if (o.format == "csv") {
    std::cout << "code,window,period,partner_code,partner_name,imports_usd,exports_usd,balance_usd,contribution\n";
    std::cout << fmt::format("{},{},{},-,all partners,{},{},{},1\n", balance.product_code(),
                             processors::WindowKindName(kind),
                             processors::FormatWindowPeriod(balance.window()),
                             balance.imports_usd(), balance.exports_usd(), balance.balance_usd());
    for (const auto& c : balance.contributors()) {
      std::cout << fmt::format("{},{},{},{},{},{},{},{},{:.10g}\n", balance.product_code(),
                               processors::WindowKindName(kind),
                               processors::FormatWindowPeriod(balance.window()), c.code(),
                               CsvField(c.name()), c.imports_usd(), c.exports_usd(),
                               c.balance_usd(), c.contribution());
    }
  } else {
    std::cout << BalanceTable(balance, target.product,
                              loaded.TitleSuffix(balance.classification(), balance.product_code()));
  }
  return absl::OkStatus();
}

// ---------- shift ----------

std::string ShiftJson(const v1::SupplierShift& s) {
  JsonWriter j;
  j.BeginObject();
  j.Key("flow").String(FlowName(s.flow()));
  j.Key("measure").String(MeasureName(s.measure()));
  j.Key(s.classification() == v1::CLASSIFICATION_HITECH ? "hitech" : "naics").String(s.product_code());
  j.Key("window").String(processors::WindowKindName(s.to_window().kind()));
  j.Key("from").String(processors::FormatWindowPeriod(s.from_window()));
  j.Key("to").String(processors::FormatWindowPeriod(s.to_window()));
  for (const char* side : {"gains", "losses"}) {
    const auto& moves = std::string(side) == "gains" ? s.gains() : s.losses();
    j.Key(side).BeginArray();
    for (const auto& m : moves) {
      j.BeginObject();
      j.Key("code").String(m.code());
      j.Key("name").String(m.name());
      j.Key("from_share").Double(m.from_share());
      j.Key("to_share").Double(m.to_share());
      j.Key("change").Double(m.change());
      j.EndObject();
    }
    j.EndArray();
  }
  j.EndObject();
  return j.str();
}

std::string ShiftTable(const v1::SupplierShift& s, const std::string& title) {
  std::string out = fmt::format(
      "Supplier shift in {} of NAICS {}{} ({}), {} {} -> {}\n", FlowName(s.flow()), s.product_code(), title,
      ReadableMeasure(s.measure()), processors::WindowKindName(s.to_window().kind()),
      processors::FormatWindowPeriod(s.from_window()),
      processors::FormatWindowPeriod(s.to_window()));
  for (const char* side : {"gains", "losses"}) {
    const auto& moves = std::string(side) == "gains" ? s.gains() : s.losses();
    out += fmt::format("  largest {}:\n", side);
    for (const auto& m : moves) {
      out += fmt::format("    {:<34} {:>6} -> {:>6}  {:+.1f} points\n", m.name().substr(0, 34),
                         Percent(m.from_share()), Percent(m.to_share()), m.change() * 100.0);
    }
  }
  return out;
}

absl::Status RunShift(const ReportOptions& o) {
  TW_ASSIGN_OR_RETURN(Target target, ResolveTarget(o));
  TW_ASSIGN_OR_RETURN(v1::Flow flow, ParseFlow(o.flow));
  TW_ASSIGN_OR_RETURN(v1::WindowKind kind, ResolveWindow(o.window));
  TW_ASSIGN_OR_RETURN(int32_t from, ParsePeriodArg(o.from, "--from"));
  TW_ASSIGN_OR_RETURN(int32_t to, ParsePeriodArg(o.to, "--to"));
  Loaded loaded;
  TW_RETURN_IF_ERROR(Load(o.input, &loaded));
  TW_ASSIGN_OR_RETURN(const processors::Series* series,
                      FindSeries(loaded.table, flow, target.classification, target.code, o.measure));
  processors::ShareOptions options;
  options.top_n = 0;
  options.namer = MakeNamer(loaded.countries);
  std::string what = fmt::format("{} {} {}", FlowName(flow), target.product, target.code);
  v1::PartnerShares a = processors::ComputeShares(*series, kind, from, options);
  TW_RETURN_IF_ERROR(CheckWindow(a.window(), what, o.allow_incomplete));
  v1::PartnerShares b = processors::ComputeShares(*series, kind, to, options);
  TW_RETURN_IF_ERROR(CheckWindow(b.window(), what, o.allow_incomplete));
  v1::SupplierShift shift = processors::ComputeShift(a, b, o.top);
  if (o.format == "json") {
    std::cout << ShiftJson(shift) << "\n";
  } else if (o.format == "csv") {
    std::cout << "side,partner_code,partner_name,from_share,to_share,change\n";
    for (const auto& m : shift.gains()) {
      std::cout << fmt::format("gain,{},{},{:.10g},{:.10g},{:.10g}\n", m.code(), CsvField(m.name()),
                               m.from_share(), m.to_share(), m.change());
    }
    for (const auto& m : shift.losses()) {
      std::cout << fmt::format("loss,{},{},{:.10g},{:.10g},{:.10g}\n", m.code(), CsvField(m.name()),
                               m.from_share(), m.to_share(), m.change());
    }
  } else {
    std::cout << ShiftTable(shift, loaded.TitleSuffix(shift.classification(), shift.product_code()));
  }
  return absl::OkStatus();
}

// ---------- check ----------

struct CheckOptions {
  InputOptions input;
  int show = -1;
  std::string release_id;
  std::string release_through;
};

class PrintingSink : public ingest::RecordSink {
 public:
  explicit PrintingSink(int limit) : limit_(limit) {}
  void OnObservation(const v1::TradeObservation&) override {}
  void OnReject(const v1::RejectedRecord& r) override {
    if (limit_ < 0 || printed_ < limit_) {
      std::cout << "reject " << ingest::RejectReasonName(r.reason()) << ": " << r.message() << "\n";
      ++printed_;
    }
  }

 private:
  int limit_;
  int printed_ = 0;
};

absl::Status RunCheck(const CheckOptions& o) {
  TW_ASSIGN_OR_RETURN(ingest::CountryTable countries, LoadCountries(o.input.countries_path));
  TW_ASSIGN_OR_RETURN(auto mapping, ResolveMapping(o.input.mapping));
  ingest::ReadOptions options;
  options.countries = &countries;
  options.release_id = o.release_id.empty() ? "check" : o.release_id;
  options.vintage = 1;
  options.mapping = mapping;
  TW_ASSIGN_OR_RETURN(options.release_through_period,
                      ParseMonthFlag(o.release_through, "--release-through"));
  PrintingSink sink(o.show);
  ingest::CensusReader reader(options, &sink);
  for (const auto& file : o.input.files) {
    TW_RETURN_IF_ERROR(reader.ReadFile(file));
    std::cout << file << ": " << reader.last_file_summary().Format() << "\n";
  }
  if (o.input.files.size() > 1) std::cout << "total: " << reader.summary().Format() << "\n";
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<v1::ColumnMapping>> ResolveColumnMapping(const std::string& name) {
  if (name.empty()) return std::optional<v1::ColumnMapping>();
  if (const auto* builtin = ingest::FindBuiltinMapping(name)) return std::optional(*builtin);
  TW_ASSIGN_OR_RETURN(v1::ColumnMapping m, ingest::LoadMappingFile(name));
  return std::optional(std::move(m));
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "tradewatch: %s\n", std::string(status.message()).c_str());
  return 1;
}

absl::StatusOr<int32_t> ParseMonthFlag(const std::string& text, const char* flag) {
  if (text.empty()) return 0;
  if (auto month = ParsePeriod(text)) return *month;
  return absl::InvalidArgumentError(fmt::format("{} '{}': expected YYYY-MM", flag, text));
}

absl::StatusOr<int32_t> ParseDateFlag(const std::string& text, const char* flag) {
  if (text.empty()) return 0;
  if (auto date = ParseDate(text)) return *date;
  return absl::InvalidArgumentError(fmt::format("{} '{}': expected YYYY-MM-DD", flag, text));
}

ReleaseStamp StampRelease(const std::string& release_id, int64_t vintage) {
  ReleaseStamp stamp;
  stamp.vintage = vintage > 0 ? vintage
                              : std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  stamp.release_id = release_id.empty() ? fmt::format("ingest-{}", stamp.vintage) : release_id;
  return stamp;
}

absl::Status CheckCensusFiles(const CheckRequest& request) {
  CheckOptions o;
  o.input.files = request.files;
  o.input.countries_path = request.countries_path;
  o.input.mapping = request.mapping;
  o.show = request.show;
  o.release_id = request.release_id;
  o.release_through = request.release_through;
  return RunCheck(o);
}

void AddReportCommands(CLI::App& app, int* exit_code) {
  auto* report = app.add_subcommand("report", "Print shares, balances and supplier shifts from "
                                              "Census files, chokepoint status from PortWatch "
                                              "files (no Kafka)");
  report->require_subcommand(1);

  static ReportOptions shares_o, balance_o, shift_o;
  auto common = [](CLI::App* cmd, ReportOptions* o) {
    AddInputOptions(cmd, &o->input);
    cmd->add_option("--window", o->window, "month, t12m, ytd or year")->capture_default_str();
    cmd->add_option("--measure", o->measure,
                    "auto (general imports, else imports for consumption; total exports), "
                    "general, consumption or total")
        ->capture_default_str();
    cmd->add_option("--top", o->top, "partners listed by name (0: all)")->capture_default_str();
    cmd->add_option("--format", o->format, "table, json or csv")
        ->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    cmd->add_flag("--allow-incomplete", o->allow_incomplete,
                  "report a window even when some of its months have no data");
  };

  auto* shares = report->add_subcommand("shares", "Partner shares, regions, chokepoint exposures and HHI of one code");
  common(shares, &shares_o);
  shares->add_option("--flow", shares_o.flow, "imports or exports")->capture_default_str();
  shares->add_option("--naics", shares_o.naics, "NAICS code (334, 3344, ...)");
  shares->add_option("--product", shares_o.product, "instead of --naics: atp or hitech:NN");
  shares->add_option("--period", shares_o.period, "2025 (a year) or 2025-04 (a month)")->required();
  shares->callback([exit_code] {
    if (auto s = RunShares(shares_o); !s.ok()) *exit_code = Fail(s);
  });

  auto* balance = report->add_subcommand(
      "balance", "Imports, exports, balance, deficit growth and top contributors");
  common(balance, &balance_o);
  balance->add_option("--naics", balance_o.naics, "NAICS code");
  balance->add_option("--product", balance_o.product,
                      "instead of --naics: atp (all Advanced Technology Products) or hitech:NN");
  balance->add_option("--period", balance_o.period, "2025 (a year) or 2025-04 (a month)")->required();
  balance->callback([exit_code] {
    if (auto s = RunBalance(balance_o); !s.ok()) *exit_code = Fail(s);
  });

  auto* shift = report->add_subcommand(
      "shift", "Largest share-point gains and losses between two windows");
  common(shift, &shift_o);
  shift->add_option("--flow", shift_o.flow, "imports or exports")->capture_default_str();
  shift->add_option("--naics", shift_o.naics, "NAICS code");
  shift->add_option("--product", shift_o.product, "instead of --naics: hitech:NN");
  shift->add_option("--from", shift_o.from, "first window's period (2021 or 2021-03)")->required();
  shift->add_option("--to", shift_o.to, "second window's period (2024 or 2024-03)")->required();
  shift->callback([exit_code] {
    if (auto s = RunShift(shift_o); !s.ok()) *exit_code = Fail(s);
  });

  AddChokepointReport(report, exit_code);

  static CheckOptions check_o;
  auto* check = app.add_subcommand("check", "Validate input files without processing them");
  check->require_subcommand(1);
  auto* census = check->add_subcommand(
      "census", "Read Census files and print every rejected row and the accounting of each file");
  AddInputOptions(census, &check_o.input);
  census->add_option("--show-rejects", check_o.show, "print at most N rejected rows (-1: all)")
      ->capture_default_str();
  census->add_option("--release", check_o.release_id, "release id the files belong to");
  census->add_option("--release-through", check_o.release_through,
                     "latest month the release may carry (YYYY-MM); later periods are rejected");
  census->callback([exit_code] {
    if (auto s = RunCheck(check_o); !s.ok()) *exit_code = Fail(s);
  });
}

}  // namespace tradewatch::tools
