#include "runtime/metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace qm = qjob::metrics;

namespace {

const qm::family_data& family_named(const std::vector<qm::family_data>& all, const std::string& name) {
  for (const auto& family : all)
    if (family.name == name) return family;
  throw std::runtime_error("no family " + name);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics_tests)

BOOST_AUTO_TEST_CASE(counters_keep_one_series_per_combination_of_label_values) {
  qm::registry registry;
  auto& requests = registry.counters("qjob_requests_total", "Requests.", {"provider", "code"});
  requests.with({"ionq", "200"}).inc();
  requests.with({"ionq", "200"}).inc(2);
  requests.with({"ionq", "503"}).inc();
  const auto all = registry.read();
  const auto& family = family_named(all, "qjob_requests_total");
  BOOST_TEST((family.type == qm::metric_type::counter));
  BOOST_TEST((family.label_names == std::vector<std::string>{"provider", "code"}));
  BOOST_TEST_REQUIRE(family.series.size() == 2u);
  BOOST_TEST((family.series[0].label_values == std::vector<std::string>{"ionq", "200"}));
  BOOST_TEST(family.series[0].value == 3.0);
  BOOST_TEST((family.series[1].label_values == std::vector<std::string>{"ionq", "503"}));
  BOOST_TEST(family.series[1].value == 1.0);
}

BOOST_AUTO_TEST_CASE(an_unlabelled_metric_shows_zero_before_its_first_update) {
  qm::registry registry;
  registry.counters("qjob_things_total", "Things.");
  registry.gauges("qjob_level", "Level.", {"provider"});
  const auto all = registry.read();
  BOOST_TEST_REQUIRE(family_named(all, "qjob_things_total").series.size() == 1u);
  BOOST_TEST(family_named(all, "qjob_things_total").series[0].value == 0.0);
  BOOST_TEST(family_named(all, "qjob_level").series.empty());
}

BOOST_AUTO_TEST_CASE(gauges_go_up_and_down) {
  qm::registry registry;
  auto& open = registry.gauges("qjob_open", "Open.").with({});
  open.add(3);
  open.add(-1);
  BOOST_TEST(open.value() == 2.0);
  open.set(7.5);
  BOOST_TEST(registry.read().front().series.front().value == 7.5);
}

BOOST_AUTO_TEST_CASE(histograms_count_into_the_first_bucket_whose_bound_is_not_below_the_value) {
  qm::histogram latency({0.1, 0.5, 1.0});
  for (double value : {0.05, 0.1, 0.3, 1.0, 7.0, std::nan("")}) latency.observe(value);
  const auto data = latency.read();
  BOOST_TEST((data.bounds == std::vector<double>{0.1, 0.5, 1.0}));
  // le="0.1" holds 0.05 and 0.1 (bounds are inclusive); +Inf holds all; NaN is ignored.
  BOOST_TEST((data.cumulative == std::vector<std::uint64_t>{2, 3, 4, 5}));
  BOOST_TEST(data.count == 5u);
  BOOST_TEST(data.sum == 0.05 + 0.1 + 0.3 + 1.0 + 7.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(registering_again_answers_the_same_family) {
  qm::registry registry;
  auto& first = registry.histograms("qjob_wait_seconds", "Wait.", {"provider"}, {0.5, 1});
  auto& second = registry.histograms("qjob_wait_seconds", "Wait.", {"provider"}, {0.5, 1});
  BOOST_TEST(&first == &second);
  first.with({"a"}).observe(0.2);
  BOOST_TEST(second.with({"a"}).read().count == 1u);
  BOOST_TEST(registry.read().size() == 1u);
}

BOOST_AUTO_TEST_CASE(names_against_the_conventions_and_shape_mismatches_are_refused) {
  qm::registry registry;
  BOOST_CHECK_THROW(registry.counters("qjob_requests", "No _total."), std::invalid_argument);
  BOOST_CHECK_THROW(registry.gauges("qjob-level", "Dash."), std::invalid_argument);
  BOOST_CHECK_THROW(registry.gauges("qjob_level", "Reserved label.", {"__name"}), std::invalid_argument);
  BOOST_CHECK_THROW(registry.histograms("qjob_h_seconds", "le label.", {"le"}, {1}), std::invalid_argument);
  BOOST_CHECK_THROW(registry.histograms("qjob_h_seconds", "Descending.", {}, {1, 0.5}), std::invalid_argument);
  registry.gauges("qjob_level", "Level.", {"provider"});
  BOOST_CHECK_THROW(registry.gauges("qjob_level", "Level.", {"target"}), std::invalid_argument);
  BOOST_CHECK_THROW(registry.counters("qjob_level_total", "Level.").with({"extra"}), std::invalid_argument);
  registry.histograms("qjob_h_seconds", "H.", {}, {1, 2});
  BOOST_CHECK_THROW(registry.histograms("qjob_h_seconds", "H.", {}, {1, 3}), std::invalid_argument);
  BOOST_CHECK_THROW(registry.gauges("qjob_h_seconds", "H."), std::invalid_argument);
}

// Under ThreadSanitizer this is the check that updates from the storage thread
// and reads from the I/O thread need no lock of their own.
BOOST_AUTO_TEST_CASE(updates_from_several_threads_while_reading_lose_nothing) {
  qm::registry registry;
  auto& requests = registry.counters("qjob_requests_total", "Requests.", {"thread"});
  auto& latency = registry.histograms("qjob_latency_seconds", "Latency.", {"thread"}, {0.5});
  auto& level = registry.gauges("qjob_level", "Level.");
  constexpr int per_thread = 2000;
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        // Series created concurrently too: one shared, one per thread.
        requests.with({"shared"}).inc();
        requests.with({std::to_string(t)}).inc();
        latency.with({"shared"}).observe(i % 2 == 0 ? 0.25 : 1.0);
        level.with({}).add(1);
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    for (const auto& family : registry.read())
      for (const auto& series : family.series)
        if (family.type == qm::metric_type::histogram)
          BOOST_TEST(series.histogram.cumulative.back() == series.histogram.count);
  }
  for (auto& writer : writers) writer.join();
  BOOST_TEST(requests.with({"shared"}).value() == 3u * per_thread);
  for (const char* t : {"0", "1", "2"}) BOOST_TEST(requests.with({t}).value() == std::uint64_t{per_thread});
  const auto data = latency.with({"shared"}).read();
  BOOST_TEST(data.count == 3u * per_thread);
  BOOST_TEST((data.cumulative == std::vector<std::uint64_t>{3u * per_thread / 2, 3u * per_thread}));
  BOOST_TEST(data.sum == 3.0 * per_thread / 2 * 1.25, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(level.with({}).value() == 3.0 * per_thread);
}

BOOST_AUTO_TEST_SUITE_END()
