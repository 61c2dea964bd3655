#include "processors/analytics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"
#include "processors/window.h"

namespace tradewatch::processors {
namespace {

using tradewatch::v1::PartnerKind;

const uint32_t kTotalPartner = PackPartnerCode("-");

// Window sums of one series, by partner.
struct WindowSums {
  absl::flat_hash_map<uint32_t, int64_t> countries;   // country -> value
  absl::flat_hash_map<uint32_t, int64_t> aggregates;  // group/continent -> value
  absl::flat_hash_map<uint32_t, int32_t> aggregate_months;
  int64_t countries_usd = 0;
  int64_t total_row_usd = 0;
  int32_t total_row_months = 0;
  int64_t vintage = 0;
};

WindowSums SumWindow(const Series& series, const v1::Window& window) {
  WindowSums sums;
  series.ForEachCellIn(WindowStart(window), window.end_period_yyyymm(),
                       [&](uint32_t partner, PartnerKind kind, int32_t, const Cell& cell) {
    sums.vintage = std::max(sums.vintage, cell.vintage);
    if (kind == v1::PARTNER_KIND_COUNTRY) {
      sums.countries[partner] += cell.value_usd;
      sums.countries_usd += cell.value_usd;
    } else if (partner == kTotalPartner) {
      sums.total_row_usd += cell.value_usd;
      ++sums.total_row_months;
    } else {
      sums.aggregates[partner] += cell.value_usd;
      ++sums.aggregate_months[partner];
    }
  });
  return sums;
}

struct Ranked {
  uint32_t partner;
  int64_t value;
};

// Largest first, ties by code so that output is deterministic.
std::vector<Ranked> Rank(const absl::flat_hash_map<uint32_t, int64_t>& values) {
  std::vector<Ranked> out;
  out.reserve(values.size());
  for (const auto& [partner, value] : values) out.push_back({partner, value});
  std::sort(out.begin(), out.end(), [](const Ranked& a, const Ranked& b) {
    if (a.value != b.value) return a.value > b.value;
    return a.partner < b.partner;
  });
  return out;
}

// A set of partner countries given by member codes and/or code prefixes, compiled for the sums:
// a Region, or the union of the Routes through a chokepoint (the two share these fields). Codes
// are compared packed (common/packed_code.h), so membership needs no allocation.
class PartnerSet {
 public:
  // Adds the members of a Region or a Route: its codes, and every country whose code starts with
  // its prefix.
  template <typename Members>
  void Add(const Members& members) {
    for (const std::string& code : members.member_codes()) codes_.push_back(PackPartnerCode(code));
    const std::string& prefix = members.member_code_prefix();
    if (!prefix.empty() && prefix.size() <= 4) {
      // The prefix's bytes sit in the most significant bytes of a packed code.
      const uint32_t mask =
          prefix.size() == 4 ? 0xffffffffu : ~(0xffffffffu >> (8 * prefix.size()));
      prefixes_.push_back({PackPartnerCode(prefix), mask});
    }
    std::sort(codes_.begin(), codes_.end());
    codes_.erase(std::unique(codes_.begin(), codes_.end()), codes_.end());
  }

  // Whether the country (a packed four-character code) is a member.
  bool Contains(uint32_t country) const {
    if (std::binary_search(codes_.begin(), codes_.end(), country)) return true;
    const bool four_characters = (country & 0xffu) != 0;
    return four_characters &&
           std::any_of(prefixes_.begin(), prefixes_.end(),
                       [&](const auto& p) { return (country & p.second) == p.first; });
  }

 private:
  std::vector<uint32_t> codes_;                          // sorted, unique
  std::vector<std::pair<uint32_t, uint32_t>> prefixes_;  // (packed prefix, mask of its bytes)
};

// What the countries of one partner set add up to in a window.
struct MemberSum {
  int64_t value_usd = 0;
  int32_t partner_count = 0;  // members with a value above zero (as PartnerShares counts them)
};

// The one path behind region aggregates and chokepoint exposures: the sum over the countries of
// `set`, each country once.
MemberSum SumMembers(const absl::flat_hash_map<uint32_t, int64_t>& countries,
                     const PartnerSet& set) {
  MemberSum sum;
  for (const auto& [country, value] : countries) {
    if (!set.Contains(country)) continue;
    sum.value_usd += value;
    if (value > 0) ++sum.partner_count;
  }
  return sum;
}

}  // namespace

v1::Window WindowWithCoverage(const Series& series, v1::WindowKind kind, int32_t period_yyyymm) {
  v1::Window window = MakeWindow(kind, period_yyyymm);
  int32_t with_data = 0;
  auto& periods = series.periods();
  for (auto it = periods.lower_bound(WindowStart(window));
       it != periods.end() && it->first <= window.end_period_yyyymm(); ++it) {
    if (it->second.cells > 0) ++with_data;
  }
  window.set_months_with_data(with_data);
  window.set_complete(with_data == window.months());
  return window;
}

v1::PartnerShares ComputeShares(const Series& series, v1::WindowKind kind, int32_t period_yyyymm,
                                const ShareOptions& options) {
  v1::PartnerShares out;
  out.set_flow(series.flow());
  out.set_measure(series.measure());
  out.set_classification(series.classification());
  out.set_product_code(series.product_code());
  *out.mutable_window() = WindowWithCoverage(series, kind, period_yyyymm);
  const v1::Window& window = out.window();

  WindowSums sums = SumWindow(series, window);
  out.set_vintage(sums.vintage);
  out.set_countries_usd(sums.countries_usd);
  const bool has_total_row =
      sums.total_row_months > 0 && sums.total_row_months == window.months_with_data();
  int64_t denominator = sums.countries_usd;
  int64_t not_in_detail = 0;
  double coverage = 1.0;
  if (has_total_row) {
    out.set_total_row_usd(sums.total_row_usd);
    if (sums.total_row_usd > 0) {
      coverage = static_cast<double>(sums.countries_usd) / static_cast<double>(sums.total_row_usd);
    }
    if (coverage < options.coverage_threshold && sums.total_row_usd > sums.countries_usd) {
      denominator = sums.total_row_usd;
      not_in_detail = sums.total_row_usd - sums.countries_usd;
    }
  }
  out.set_coverage(coverage);
  out.set_total_usd(denominator);
  auto share_of = [&](int64_t value) {
    return denominator > 0 ? static_cast<double>(value) / static_cast<double>(denominator) : 0.0;
  };
  auto name_of = [&](const std::string& code) {
    return options.namer ? options.namer(code) : std::string();
  };

  std::vector<Ranked> ranked = Rank(sums.countries);
  int32_t partner_count = 0;
  double hhi = 0;
  for (const Ranked& r : ranked) {
    if (r.value > 0) ++partner_count;
    double s = share_of(r.value);
    hhi += s * s;
  }
  out.set_partner_count(partner_count);
  out.set_hhi(hhi);

  size_t listed = options.top_n <= 0 ? ranked.size()
                                     : std::min(ranked.size(), static_cast<size_t>(options.top_n));
  int64_t rest = 0;
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (i < listed) {
      auto* p = out.add_partners();
      std::string code = UnpackPartnerCode(ranked[i].partner);
      p->set_name(name_of(code));
      p->set_code(std::move(code));
      p->set_value_usd(ranked[i].value);
      p->set_share(share_of(ranked[i].value));
    } else {
      rest += ranked[i].value;
    }
  }
  if (ranked.size() > listed) {
    auto* p = out.add_partners();
    p->set_code("rest");
    p->set_name(fmt::format("{} other countries", ranked.size() - listed));
    p->set_value_usd(rest);
    p->set_share(share_of(rest));
  }
  if (not_in_detail > 0) {
    auto* p = out.add_partners();
    p->set_code("not_in_detail");
    p->set_name("not in partner detail");
    p->set_value_usd(not_in_detail);
    p->set_share(share_of(not_in_detail));
  }

  if (options.regions != nullptr) {
    for (const v1::Region& region : options.regions->regions()) {
      PartnerSet members;
      members.Add(region);
      const int64_t value = SumMembers(sums.countries, members).value_usd;
      auto* r = out.add_regions();
      r->set_name(region.name());
      r->set_value_usd(value);
      r->set_share(share_of(value));
      r->set_census_code(region.census_code());
      if (!region.census_code().empty()) {
        uint32_t packed = PackPartnerCode(region.census_code());
        auto it = sums.aggregates.find(packed);
        if (it != sums.aggregates.end() &&
            sums.aggregate_months[packed] == window.months_with_data()) {
          r->set_census_value_usd(it->second);
          if (it->second != 0) {
            r->set_census_difference(static_cast<double>(value - it->second) /
                                     static_cast<double>(it->second));
          }
        }
      }
    }
  }

  if (options.routes != nullptr) {
    for (const v1::Chokepoint& chokepoint : options.routes->chokepoints()) {
      // A chokepoint's partner set is the union of the routes through it.
      PartnerSet members;
      for (const v1::Route& route : options.routes->routes()) {
        const auto& ids = route.chokepoint_ids();
        if (std::find(ids.begin(), ids.end(), chokepoint.id()) != ids.end()) members.Add(route);
      }
      const MemberSum sum = SumMembers(sums.countries, members);
      auto* e = out.add_exposures();
      e->set_chokepoint_id(chokepoint.id());
      e->set_chokepoint_name(chokepoint.name());
      e->set_value_usd(sum.value_usd);
      e->set_share(share_of(sum.value_usd));
      e->set_partner_count(sum.partner_count);
    }
  }
  return out;
}

v1::PartnerShares TrimShares(const v1::PartnerShares& full, int top_n) {
  v1::PartnerShares out = full;
  if (top_n <= 0) return out;
  out.clear_partners();
  const int64_t denominator = full.total_usd();
  int64_t rest = 0;
  int countries = 0;
  int rest_count = 0;
  const v1::PartnerShare* not_in_detail = nullptr;
  for (const v1::PartnerShare& p : full.partners()) {
    if (p.code() == "not_in_detail") {
      not_in_detail = &p;
    } else if (countries < top_n) {
      *out.add_partners() = p;
      ++countries;
    } else {
      rest += p.value_usd();
      ++rest_count;
    }
  }
  if (rest_count > 0) {
    auto* p = out.add_partners();
    p->set_code("rest");
    p->set_name(fmt::format("{} other countries", rest_count));
    p->set_value_usd(rest);
    p->set_share(denominator > 0 ? static_cast<double>(rest) / static_cast<double>(denominator)
                                 : 0.0);
  }
  if (not_in_detail != nullptr) *out.add_partners() = *not_in_detail;
  return out;
}

namespace {

// A flow's total over a window: its total row when present in every month with data, else the
// sum over countries.
int64_t FlowTotal(const WindowSums& sums, const v1::Window& window) {
  if (sums.total_row_months > 0 && sums.total_row_months == window.months_with_data()) {
    return sums.total_row_usd;
  }
  return sums.countries_usd;
}

}  // namespace

v1::BalanceResult ComputeBalance(const Series* imports, const Series* exports,
                                 v1::WindowKind kind, int32_t period_yyyymm,
                                 const PartnerNamer& namer, int top_n) {
  v1::BalanceResult out;
  const Series* any = imports != nullptr ? imports : exports;
  if (any != nullptr) {
    out.set_classification(any->classification());
    out.set_product_code(any->product_code());
  }
  v1::Window wi = imports ? WindowWithCoverage(*imports, kind, period_yyyymm)
                          : MakeWindow(kind, period_yyyymm);
  v1::Window we = exports ? WindowWithCoverage(*exports, kind, period_yyyymm)
                          : MakeWindow(kind, period_yyyymm);
  v1::Window window = wi;
  window.set_months_with_data(std::min(wi.months_with_data(), we.months_with_data()));
  window.set_complete(imports != nullptr && exports != nullptr && wi.complete() && we.complete());
  *out.mutable_window() = window;
  if (imports) out.set_imports_measure(imports->measure());
  if (exports) out.set_exports_measure(exports->measure());

  WindowSums si = imports ? SumWindow(*imports, wi) : WindowSums{};
  WindowSums se = exports ? SumWindow(*exports, we) : WindowSums{};
  out.set_imports_usd(FlowTotal(si, wi));
  out.set_exports_usd(FlowTotal(se, we));
  out.set_balance_usd(out.imports_usd() - out.exports_usd());
  out.set_vintage(std::max(si.vintage, se.vintage));

  if (imports != nullptr && exports != nullptr) {
    v1::Window prev = PreviousYear(window);
    v1::Window pi = WindowWithCoverage(*imports, prev.kind(), prev.end_period_yyyymm());
    v1::Window pe = WindowWithCoverage(*exports, prev.kind(), prev.end_period_yyyymm());
    if (pi.complete() && pe.complete()) {
      int64_t previous =
          FlowTotal(SumWindow(*imports, pi), pi) - FlowTotal(SumWindow(*exports, pe), pe);
      out.set_previous_balance_usd(previous);
      if (previous != 0) {
        out.set_deficit_growth(static_cast<double>(out.balance_usd() - previous) /
                               std::fabs(static_cast<double>(previous)));
      }
    }
  }

  // Partner contributions, over countries present in either flow.
  absl::flat_hash_set<uint32_t> partners;
  for (const auto& [p, v] : si.countries) partners.insert(p);
  for (const auto& [p, v] : se.countries) partners.insert(p);
  std::vector<v1::BalanceContributor> contributors;
  for (uint32_t p : partners) {
    v1::BalanceContributor c;
    std::string code = UnpackPartnerCode(p);
    c.set_name(namer ? namer(code) : std::string());
    c.set_code(std::move(code));
    auto ii = si.countries.find(p);
    auto ee = se.countries.find(p);
    c.set_imports_usd(ii == si.countries.end() ? 0 : ii->second);
    c.set_exports_usd(ee == se.countries.end() ? 0 : ee->second);
    c.set_balance_usd(c.imports_usd() - c.exports_usd());
    if (out.balance_usd() != 0) {
      c.set_contribution(static_cast<double>(c.balance_usd()) /
                         static_cast<double>(out.balance_usd()));
    }
    contributors.push_back(std::move(c));
  }
  std::sort(contributors.begin(), contributors.end(),
            [](const v1::BalanceContributor& a, const v1::BalanceContributor& b) {
              if (a.balance_usd() != b.balance_usd()) return a.balance_usd() > b.balance_usd();
              return a.code() < b.code();
            });
  size_t keep = top_n <= 0 ? contributors.size()
                           : std::min(contributors.size(), static_cast<size_t>(top_n));
  for (size_t i = 0; i < keep; ++i) *out.add_contributors() = std::move(contributors[i]);
  return out;
}

v1::SupplierShift ComputeShift(const v1::PartnerShares& from, const v1::PartnerShares& to,
                               int top_n) {
  v1::SupplierShift out;
  out.set_flow(to.flow());
  out.set_measure(to.measure());
  out.set_classification(to.classification());
  out.set_product_code(to.product_code());
  *out.mutable_from_window() = from.window();
  *out.mutable_to_window() = to.window();
  std::map<std::string, v1::ShareMove> moves;
  auto is_country = [](const std::string& code) {
    return code != "rest" && code != "not_in_detail";
  };
  for (const auto& p : from.partners()) {
    if (!is_country(p.code())) continue;
    auto& m = moves[p.code()];
    m.set_code(p.code());
    m.set_name(p.name());
    m.set_from_share(p.share());
  }
  for (const auto& p : to.partners()) {
    if (!is_country(p.code())) continue;
    auto& m = moves[p.code()];
    m.set_code(p.code());
    m.set_name(p.name());
    m.set_to_share(p.share());
  }
  std::vector<v1::ShareMove> all;
  for (auto& [code, m] : moves) {
    m.set_change(m.to_share() - m.from_share());
    all.push_back(m);
  }
  std::vector<v1::ShareMove> gains, losses;
  for (const auto& m : all) {
    if (m.change() > 0) gains.push_back(m);
    if (m.change() < 0) losses.push_back(m);
  }
  auto by_change_desc = [](const v1::ShareMove& a, const v1::ShareMove& b) {
    if (a.change() != b.change()) return a.change() > b.change();
    return a.code() < b.code();
  };
  std::sort(gains.begin(), gains.end(), by_change_desc);
  std::sort(losses.begin(), losses.end(), [&](const auto& a, const auto& b) {
    if (a.change() != b.change()) return a.change() < b.change();
    return a.code() < b.code();
  });
  size_t n = top_n <= 0 ? SIZE_MAX : static_cast<size_t>(top_n);
  for (size_t i = 0; i < gains.size() && i < n; ++i) *out.add_gains() = gains[i];
  for (size_t i = 0; i < losses.size() && i < n; ++i) *out.add_losses() = losses[i];
  return out;
}

int DeriveAtpSeries(TradeTable* table) {
  struct Sum {
    int64_t value = 0;
    int64_t vintage = 0;
    PartnerKind kind = v1::PARTNER_KIND_UNSPECIFIED;
  };
  // (flow, measure) -> (partner, period) -> sum over the groups.
  std::map<std::pair<int, int>, absl::flat_hash_map<uint64_t, Sum>> sums;
  table->ForEachSeries([&](const Series& s) {
    if (s.classification() != v1::CLASSIFICATION_HITECH) return;
    const std::string& code = s.product_code();
    bool group = code.size() == 2 && code >= "01" && code <= "10";
    if (!group) return;
    auto& target = sums[{s.flow(), s.measure()}];
    s.ForEachCell([&](uint32_t partner, PartnerKind kind, int32_t period, const Cell& cell) {
      Sum& sum = target[Series::CellKey(partner, period)];
      sum.value += cell.value_usd;
      sum.vintage = std::max(sum.vintage, cell.vintage);
      sum.kind = kind;
    });
  });
  int added = 0;
  for (const auto& [flow_measure, cells] : sums) {
    auto flow = static_cast<v1::Flow>(flow_measure.first);
    auto measure = static_cast<v1::Measure>(flow_measure.second);
    if (table->Find({flow, measure, v1::CLASSIFICATION_HITECH, "ATP"}) != nullptr) continue;
    // Deterministic order: the table keeps insertion order per period.
    std::vector<std::pair<uint64_t, Sum>> ordered(cells.begin(), cells.end());
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    v1::TradeObservation o;
    o.set_flow(flow);
    o.set_measure(measure);
    o.set_classification(v1::CLASSIFICATION_HITECH);
    o.set_product_code("ATP");
    for (const auto& [key, sum] : ordered) {
      o.set_partner_code(UnpackPartnerCode(static_cast<uint32_t>(key >> 32)));
      o.set_partner_kind(sum.kind);
      o.set_period_yyyymm(static_cast<int32_t>(key & 0xffffffffu));
      o.set_value_usd(sum.value);
      o.set_vintage(sum.vintage);
      table->Upsert(o);
    }
    ++added;
  }
  return added;
}

std::string ValidateRegionTable(const v1::RegionTable& table) {
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < table.regions_size(); ++i) {
    const auto& r = table.regions(i);
    if (r.name().empty()) return fmt::format("regions[{}]: name is empty", i);
    if (!names.insert(r.name()).second) {
      return fmt::format("regions[{}]: duplicate region name '{}'", i, r.name());
    }
    if (r.member_codes().empty() && r.member_code_prefix().empty()) {
      return fmt::format("regions[{}] ({}): needs member_codes or member_code_prefix", i, r.name());
    }
  }
  return "";
}

}  // namespace tradewatch::processors
