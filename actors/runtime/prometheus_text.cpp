#include "runtime/prometheus_text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

namespace qjob::metrics {

namespace {

std::string_view type_name(metric_type type) {
  switch (type) {
    case metric_type::counter: return "counter";
    case metric_type::gauge: return "gauge";
    case metric_type::histogram: return "histogram";
  }
  return "untyped";
}

/// `{a="x",b="y"}` with `extra` (already formatted, such as `le="0.5"`) last;
/// "" when there are no labels at all.
std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra = {}) {
  if (names.empty() && extra.empty()) return {};
  std::string text = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += ',';
    text += names[i];
    text += "=\"";
    text += escape_label_value(values[i]);
    text += '"';
  }
  if (!extra.empty()) {
    if (!names.empty()) text += ',';
    text += extra;
  }
  text += '}';
  return text;
}

void sample(std::string& out, std::string_view name, const std::string& labels, double value) {
  out += name;
  out += labels;
  out += ' ';
  out += format_value(value);
  out += '\n';
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': escaped += "\\\\"; break;
      case '"': escaped += "\\\""; break;
      case '\n': escaped += "\\n"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string escape_help(std::string_view help) {
  std::string escaped;
  escaped.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\': escaped += "\\\\"; break;
      case '\n': escaped += "\\n"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Fixed notation in the usual range, so that a bucket reads le="0.0001" as
  // other exporters write it, not le="1e-04"; the shortest form beyond it.
  const double magnitude = std::fabs(value);
  const bool fixed = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e15);
  std::array<char, 64> buffer{};
  auto [end, ec] = fixed ? std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed)
                         : std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  // 64 characters hold any double in these forms; ec is never set.
  return std::string(buffer.data(), ec == std::errc{} ? end : buffer.data());
}

std::string render_prometheus_text(const std::vector<family_data>& families) {
  std::string out;
  for (const auto& family : families) {
    if (family.series.empty()) continue;
    out += "# HELP " + family.name + ' ' + escape_help(family.help) + '\n';
    out += "# TYPE " + family.name + ' ' + std::string(type_name(family.type)) + '\n';
    for (const auto& series : family.series) {
      if (family.type != metric_type::histogram) {
        sample(out, family.name, label_set(family.label_names, series.label_values), series.value);
        continue;
      }
      const auto& data = series.histogram;
      const auto bucket = family.name + "_bucket";
      for (std::size_t i = 0; i < data.bounds.size(); ++i)
        sample(out, bucket,
               label_set(family.label_names, series.label_values, "le=\"" + format_value(data.bounds[i]) + '"'),
               static_cast<double>(data.cumulative[i]));
      sample(out, bucket, label_set(family.label_names, series.label_values, "le=\"+Inf\""),
             static_cast<double>(data.count));
      const auto labels = label_set(family.label_names, series.label_values);
      sample(out, family.name + "_sum", labels, data.sum);
      sample(out, family.name + "_count", labels, static_cast<double>(data.count));
    }
  }
  return out;
}

}  // namespace qjob::metrics
