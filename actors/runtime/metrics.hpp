#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

/// The daemon's metrics: counters, gauges and histograms with labels, kept in a
/// registry that `GET /metrics` renders (prometheus_text.hpp). Values are
/// atomics, so the I/O thread and the storage thread update them without
/// waiting on each other; only creating a series (a new combination of label
/// values) and reading them all take a mutex.
namespace qjob::metrics {

enum class metric_type { counter, gauge, histogram };

/// A count that only goes up. Any thread; lock-free.
class counter {
public:
  void inc(std::uint64_t by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down. Any thread; lock-free.
class gauge {
public:
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void add(double by) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

/// What a histogram holds at one moment, in the exposition format's terms.
struct histogram_data {
  std::vector<double> bounds;           ///< the buckets' upper bounds (`le`), ascending, +Inf left out
  std::vector<std::uint64_t> cumulative;  ///< observations <= each bound, then the +Inf bucket (== count)
  double sum = 0;
  std::uint64_t count = 0;
};

/// Observations counted into fixed buckets, with their sum. Any thread;
/// lock-free. The count is the sum of the buckets, so a read always has the
/// +Inf bucket equal to the count, even while others observe.
class histogram {
public:
  /// `bounds`: finite upper bounds, strictly ascending (std::invalid_argument otherwise).
  explicit histogram(std::vector<double> bounds);

  /// Counts `value` into the first bucket whose bound is >= value. NaN is ignored.
  void observe(double value) noexcept;
  histogram_data read() const;
  const std::vector<double>& bounds() const noexcept { return bounds_; }

private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, not cumulative; last: above every bound
  std::atomic<double> sum_{0.0};
};

/// One series of a family, as read for rendering.
struct series_data {
  std::vector<std::string> label_values;  ///< in the family's label_names order
  double value = 0;                       ///< counters and gauges
  histogram_data histogram;               ///< histograms
};

/// One metric family (one name), as read for rendering.
struct family_data {
  std::string name;
  std::string help;
  metric_type type = metric_type::gauge;
  std::vector<std::string> label_names;
  std::vector<series_data> series;  ///< ordered by label values
};

/// What every family offers the registry, whatever its metric type.
class family_base {
public:
  family_base(std::string name, std::string help, metric_type type, std::vector<std::string> label_names);
  family_base(const family_base&) = delete;
  family_base& operator=(const family_base&) = delete;
  virtual ~family_base() = default;

  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  metric_type type() const noexcept { return type_; }
  const std::vector<std::string>& label_names() const noexcept { return label_names_; }

  /// Every series now. Any thread.
  virtual family_data read() const = 0;

protected:
  /// Throws std::invalid_argument unless `values` has one value per label name.
  void check_arity(const std::vector<std::string>& values) const;

private:
  std::string name_;
  std::string help_;
  metric_type type_;
  std::vector<std::string> label_names_;
};

/// The series of one metric name, one per combination of label values.
template <class Metric>
class family final : public family_base {
public:
  family(std::string name, std::string help, metric_type type, std::vector<std::string> label_names,
         std::vector<double> bounds = {})
      : family_base(std::move(name), std::move(help), type, std::move(label_names)), bounds_(std::move(bounds)) {}

  /// The series with these label values (one per label name, in order),
  /// created at its first use. Any thread. The reference stays valid as long as
  /// the registry: callers may keep it to update without the lookup.
  Metric& with(const std::vector<std::string>& values) {
    check_arity(values);
    std::lock_guard lock(mutex_);
    auto& slot = series_[values];
    if (!slot) slot = make();
    return *slot;
  }

  family_data read() const override;
  /// The buckets' upper bounds of a histogram family; empty for the others.
  const std::vector<double>& bounds() const noexcept { return bounds_; }

private:
  std::unique_ptr<Metric> make() const {
    if constexpr (std::is_same_v<Metric, histogram>)
      return std::make_unique<Metric>(bounds_);
    else
      return std::make_unique<Metric>();
  }

  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

using counter_family = family<counter>;
using gauge_family = family<gauge>;
using histogram_family = family<histogram>;

extern template class family<counter>;
extern template class family<gauge>;
extern template class family<histogram>;

/// Every metric family of the daemon, by name. Registering is idempotent: the
/// same name with the same type, labels (and buckets) answers the family
/// registered first, so each actor registers what it updates. Any thread.
///
/// Names follow Prometheus' conventions, which registration enforces: a valid
/// metric name, counters ending in `_total`, valid label names (no `__` prefix,
/// no `le` on histograms). A violation, or a name registered again with another
/// shape, throws std::invalid_argument: it is a bug in the caller.
class registry {
public:
  counter_family& counters(const std::string& name, const std::string& help,
                           const std::vector<std::string>& label_names = {});
  gauge_family& gauges(const std::string& name, const std::string& help,
                       const std::vector<std::string>& label_names = {});
  histogram_family& histograms(const std::string& name, const std::string& help,
                               const std::vector<std::string>& label_names, const std::vector<double>& bounds);

  /// Every family now, ordered by name; families without a series are included
  /// (with none). Any thread.
  std::vector<family_data> read() const;

private:
  template <class Metric>
  family<Metric>& add(const std::string& name, const std::string& help, metric_type type,
                      const std::vector<std::string>& label_names, const std::vector<double>& bounds);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<family_base>> families_;
};

/// `given`, or a registry of the caller's own when it is null: actors built
/// without one (tests) count into a registry nobody reads.
inline std::shared_ptr<registry> registry_or_own(std::shared_ptr<registry> given) {
  return given ? std::move(given) : std::make_shared<registry>();
}

/// Bucket bounds for request latencies, in seconds: 5 ms to 1 min.
std::vector<double> request_seconds_buckets();
/// Bucket bounds for local disk latencies, in seconds: 0.1 ms to 2.5 s.
std::vector<double> disk_seconds_buckets();

}  // namespace qjob::metrics
