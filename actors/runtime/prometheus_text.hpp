#pragma once

#include "runtime/metrics.hpp"

#include <string>
#include <string_view>
#include <vector>

/// Prometheus' text exposition format, version 0.0.4: what `GET /metrics` answers.
namespace qjob::metrics {

/// The Content-Type of the format.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// The families as exposition text: per family a `# HELP` and a `# TYPE` line,
/// then one line per series (histograms: `_bucket{le=...}` cumulative through
/// `+Inf`, `_sum` and `_count`). Families without a series are left out, as the
/// format has no way to say "no series yet". Pure.
std::string render_prometheus_text(const std::vector<family_data>& families);

/// A label value inside its double quotes: backslash, double quote and line
/// feed escaped as `\\`, `\"` and `\n`.
std::string escape_label_value(std::string_view value);

/// A HELP text: backslash and line feed escaped.
std::string escape_help(std::string_view help);

/// A sample value or bucket bound: the shortest text that reads back as the
/// same double, in fixed notation from 1e-4 up to 1e15; `+Inf`, `-Inf` and
/// `NaN` for the special values.
std::string format_value(double value);

}  // namespace qjob::metrics
