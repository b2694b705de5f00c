#include "runtime/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace qjob::metrics {

namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool valid_name(std::string_view name, bool colons) {
  if (name.empty() || !(is_name_start(name[0]) || (colons && name[0] == ':'))) return false;
  return std::all_of(name.begin(), name.end(), [colons](char c) { return is_name_char(c) || (colons && c == ':'); });
}

void check_shape(const std::string& name, metric_type type, const std::vector<std::string>& label_names,
                 const std::vector<double>& bounds) {
  if (!valid_name(name, true)) throw std::invalid_argument("metric name '" + name + "' is not a valid name");
  if (type == metric_type::counter && !name.ends_with("_total"))
    throw std::invalid_argument("counter '" + name + "' must end in _total");
  for (const auto& label : label_names) {
    if (!valid_name(label, false) || label.starts_with("__"))
      throw std::invalid_argument("metric '" + name + "': label name '" + label + "' is not valid");
    if (type == metric_type::histogram && label == "le")
      throw std::invalid_argument("histogram '" + name + "' cannot have a label 'le'");
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i])))
      throw std::invalid_argument("histogram '" + name + "': bucket bounds must be finite and ascending");
  }
}

}  // namespace

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  check_shape("histogram", metric_type::histogram, {}, bounds_);
}

void histogram::observe(double value) noexcept {
  if (std::isnan(value)) return;
  const auto index = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

histogram_data histogram::read() const {
  histogram_data data;
  data.bounds = bounds_;
  data.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    data.cumulative.push_back(running);
  }
  data.count = running;
  data.sum = sum_.load(std::memory_order_relaxed);
  return data;
}

family_base::family_base(std::string name, std::string help, metric_type type, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {}

void family_base::check_arity(const std::vector<std::string>& values) const {
  if (values.size() != label_names_.size())
    throw std::invalid_argument("metric '" + name_ + "' takes " + std::to_string(label_names_.size()) +
                                " label value(s), not " + std::to_string(values.size()));
}

template <class Metric>
family_data family<Metric>::read() const {
  family_data data;
  data.name = name();
  data.help = help();
  data.type = type();
  data.label_names = label_names();
  std::lock_guard lock(mutex_);
  data.series.reserve(series_.size());
  for (const auto& [values, metric] : series_) {
    series_data series;
    series.label_values = values;
    if constexpr (std::is_same_v<Metric, histogram>)
      series.histogram = metric->read();
    else
      series.value = static_cast<double>(metric->value());
    data.series.push_back(std::move(series));
  }
  return data;
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

template <class Metric>
family<Metric>& registry::add(const std::string& name, const std::string& help, metric_type type,
                              const std::vector<std::string>& label_names, const std::vector<double>& bounds) {
  check_shape(name, type, label_names, bounds);
  std::lock_guard lock(mutex_);
  auto& slot = families_[name];
  if (slot) {
    auto* existing = dynamic_cast<family<Metric>*>(slot.get());
    if (existing == nullptr || existing->type() != type || existing->label_names() != label_names)
      throw std::invalid_argument("metric '" + name + "' is registered already with another type or labels");
    if (existing->bounds() != bounds)
      throw std::invalid_argument("histogram '" + name + "' is registered already with other buckets");
    return *existing;
  }
  auto created = std::make_unique<family<Metric>>(name, help, type, label_names, bounds);
  auto& result = *created;
  // An unlabelled metric has its one series from the start, so it shows as 0.
  if (label_names.empty()) result.with({});
  slot = std::move(created);
  return result;
}

counter_family& registry::counters(const std::string& name, const std::string& help,
                                   const std::vector<std::string>& label_names) {
  return add<counter>(name, help, metric_type::counter, label_names, {});
}

gauge_family& registry::gauges(const std::string& name, const std::string& help,
                               const std::vector<std::string>& label_names) {
  return add<gauge>(name, help, metric_type::gauge, label_names, {});
}

histogram_family& registry::histograms(const std::string& name, const std::string& help,
                                       const std::vector<std::string>& label_names, const std::vector<double>& bounds) {
  return add<histogram>(name, help, metric_type::histogram, label_names, bounds);
}

std::vector<family_data> registry::read() const {
  std::vector<family_data> all;
  std::lock_guard lock(mutex_);
  all.reserve(families_.size());
  for (const auto& [name, family] : families_) all.push_back(family->read());
  return all;
}

std::vector<double> request_seconds_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::vector<double> disk_seconds_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
}

}  // namespace qjob::metrics
