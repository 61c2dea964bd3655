#include "ingest/column_mapping.h"

#include <algorithm>

#include "common/status_macros.h"
#include "common/yaml_config.h"
#include "fmt/format.h"

namespace tradewatch::ingest {
namespace {

using tradewatch::v1::ColumnMapping;

void AddValue(ColumnMapping* m, const char* column, v1::Flow flow, v1::Measure measure,
              double scale = 1.0) {
  auto* v = m->add_value_columns();
  v->set_column(column);
  v->set_flow(flow);
  v->set_measure(measure);
  v->set_scale_to_usd(scale);
}

std::vector<ColumnMapping> MakeBuiltins() {
  std::vector<ColumnMapping> out;
  {
    // Census API intltrade responses by HITECH (Advanced Technology Products) and partner.
    ColumnMapping m;
    m.set_name("census_hitech");
    m.set_classification(v1::CLASSIFICATION_HITECH);
    m.set_product_column("HITECH");
    m.set_partner_code_column("CTY_CODE");
    m.set_partner_name_column("CTY_NAME");
    m.set_period_column("time");
    m.set_year_column("YEAR");
    m.set_month_column("MONTH");
    AddValue(&m, "GEN_VAL_MO", v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS);
    AddValue(&m, "CON_VAL_MO", v1::FLOW_IMPORTS, v1::MEASURE_IMPORTS_FOR_CONSUMPTION);
    AddValue(&m, "ALL_VAL_MO", v1::FLOW_EXPORTS, v1::MEASURE_TOTAL_EXPORTS);
    m.add_signature_columns("HITECH");
    out.push_back(std::move(m));
  }
  {
    // Census API intltrade responses by NAICS and partner (imports/naics, exports/naics,
    // imports/statenaics), and CSVs written from them.
    ColumnMapping m;
    m.set_name("census");
    m.set_classification(v1::CLASSIFICATION_NAICS);
    m.set_product_column("NAICS");
    m.set_partner_code_column("CTY_CODE");
    m.set_partner_name_column("CTY_NAME");
    m.set_period_column("time");
    m.set_year_column("YEAR");
    m.set_month_column("MONTH");
    AddValue(&m, "GEN_VAL_MO", v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS);
    AddValue(&m, "CON_VAL_MO", v1::FLOW_IMPORTS, v1::MEASURE_IMPORTS_FOR_CONSUMPTION);
    AddValue(&m, "ALL_VAL_MO", v1::FLOW_EXPORTS, v1::MEASURE_TOTAL_EXPORTS);
    m.add_signature_columns("NAICS");
    out.push_back(std::move(m));
  }
  {
    // US totals over all partners by NAICS, one flow per row (census_naics_world_totals).
    ColumnMapping m;
    m.set_name("census_world_totals");
    m.set_classification(v1::CLASSIFICATION_NAICS);
    m.set_product_column("category_code");
    m.set_fixed_partner_code("-");
    m.set_period_column("time");
    m.set_year_column("year");
    m.set_month_column("month");
    m.set_flow_column("flow");
    m.set_classification_column("dimension");
    (*m.mutable_classification_values())["naics"] = v1::CLASSIFICATION_NAICS;
    AddValue(&m, "value_mo", v1::FLOW_UNSPECIFIED, v1::MEASURE_UNSPECIFIED);
    m.add_signature_columns("category_code");
    m.add_signature_columns("value_mo");
    m.add_signature_columns("flow");
    out.push_back(std::move(m));
  }
  {
    // Census country.xlsx aggregate 0007 (all Advanced Technology Products), millions of USD,
    // imports and exports as two columns of one row (census_atp).
    ColumnMapping m;
    m.set_name("census_atp_totals");
    m.set_classification(v1::CLASSIFICATION_HITECH);
    m.set_fixed_product_code("ATP");
    m.set_fixed_partner_code("-");
    m.set_year_column("year");
    m.set_month_column("month");
    AddValue(&m, "imports_musd", v1::FLOW_IMPORTS, v1::MEASURE_GENERAL_IMPORTS, 1e6);
    AddValue(&m, "exports_musd", v1::FLOW_EXPORTS, v1::MEASURE_TOTAL_EXPORTS, 1e6);
    m.add_signature_columns("imports_musd");
    m.add_signature_columns("exports_musd");
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

const std::vector<ColumnMapping>& BuiltinMappings() {
  static const auto* const kBuiltins = new std::vector<ColumnMapping>(MakeBuiltins());
  return *kBuiltins;
}

const ColumnMapping* FindBuiltinMapping(std::string_view name) {
  for (const auto& m : BuiltinMappings()) {
    if (m.name() == name) return &m;
  }
  return nullptr;
}

const ColumnMapping* DetectMapping(const std::vector<std::string>& header) {
  for (const auto& m : BuiltinMappings()) {
    bool all = !m.signature_columns().empty();
    for (const auto& column : m.signature_columns()) {
      if (std::find(header.begin(), header.end(), column) == header.end()) {
        all = false;
        break;
      }
    }
    if (all) return &m;
  }
  return nullptr;
}

absl::Status ValidateMapping(const ColumnMapping& m) {
  auto error = [&](std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("mapping '{}': {}", m.name(), what));
  };
  if (m.product_column().empty() && m.fixed_product_code().empty()) {
    return error("needs product_column or fixed_product_code");
  }
  if (m.partner_code_column().empty() && m.partner_name_column().empty() &&
      m.fixed_partner_code().empty()) {
    return error("needs partner_code_column, partner_name_column or fixed_partner_code");
  }
  if (m.period_column().empty() && (m.year_column().empty() || m.month_column().empty())) {
    return error("needs period_column, or year_column and month_column");
  }
  if (m.value_columns().empty()) return error("needs at least one entry in value_columns");
  for (int i = 0; i < m.value_columns_size(); ++i) {
    const auto& v = m.value_columns(i);
    if (v.column().empty()) return error(fmt::format("value_columns[{}].column is empty", i));
    if (v.flow() == v1::FLOW_UNSPECIFIED && m.flow_column().empty()) {
      return error(fmt::format("value_columns[{}] has no flow and the mapping no flow_column", i));
    }
    if (v.scale_to_usd() < 0) {
      return error(fmt::format("value_columns[{}].scale_to_usd must be positive", i));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ColumnMapping> LoadMappingFile(const std::string& path) {
  ColumnMapping mapping;
  TW_RETURN_IF_ERROR(LoadYamlFile(path, &mapping));
  if (mapping.name().empty()) mapping.set_name(path);
  TW_RETURN_IF_ERROR(ValidateMapping(mapping));
  return mapping;
}

}  // namespace tradewatch::ingest
