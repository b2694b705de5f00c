#include "runtime/prometheus_text.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace qm = qjob::metrics;

BOOST_AUTO_TEST_SUITE(prometheus_text_tests)

BOOST_AUTO_TEST_CASE(counters_and_gauges_render_with_help_type_and_labels) {
  qm::registry registry;
  registry.counters("qjob_requests_total", "Requests sent.", {"provider", "code"}).with({"ionq", "200"}).inc(4);
  registry.gauges("qjob_open_connections", "Open connections.").with({}).set(2);
  const auto text = qm::render_prometheus_text(registry.read());
  BOOST_TEST(text ==
             "# HELP qjob_open_connections Open connections.\n"
             "# TYPE qjob_open_connections gauge\n"
             "qjob_open_connections 2\n"
             "# HELP qjob_requests_total Requests sent.\n"
             "# TYPE qjob_requests_total counter\n"
             "qjob_requests_total{provider=\"ionq\",code=\"200\"} 4\n");
}

BOOST_AUTO_TEST_CASE(histograms_render_cumulative_buckets_then_sum_and_count) {
  qm::registry registry;
  auto& latency = registry.histograms("qjob_latency_seconds", "Latency.", {"provider"}, {0.25, 1});
  latency.with({"ionq"}).observe(0.125);
  latency.with({"ionq"}).observe(0.5);
  latency.with({"ionq"}).observe(4);
  const auto text = qm::render_prometheus_text(registry.read());
  BOOST_TEST(text ==
             "# HELP qjob_latency_seconds Latency.\n"
             "# TYPE qjob_latency_seconds histogram\n"
             "qjob_latency_seconds_bucket{provider=\"ionq\",le=\"0.25\"} 1\n"
             "qjob_latency_seconds_bucket{provider=\"ionq\",le=\"1\"} 2\n"
             "qjob_latency_seconds_bucket{provider=\"ionq\",le=\"+Inf\"} 3\n"
             "qjob_latency_seconds_sum{provider=\"ionq\"} 4.625\n"
             "qjob_latency_seconds_count{provider=\"ionq\"} 3\n");
}

BOOST_AUTO_TEST_CASE(an_unlabelled_histogram_has_only_le_on_its_buckets) {
  qm::registry registry;
  registry.histograms("qjob_commit_seconds", "Commits.", {}, {0.001});
  const auto text = qm::render_prometheus_text(registry.read());
  BOOST_TEST(text.find("qjob_commit_seconds_bucket{le=\"0.001\"} 0\n") != std::string::npos, text);
  BOOST_TEST(text.find("qjob_commit_seconds_bucket{le=\"+Inf\"} 0\n") != std::string::npos, text);
  BOOST_TEST(text.find("qjob_commit_seconds_sum 0\nqjob_commit_seconds_count 0\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(label_values_and_help_are_escaped) {
  BOOST_TEST(qm::escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  BOOST_TEST(qm::escape_help("say \"hi\"\\\nbye") == "say \"hi\"\\\\\\nbye");
  qm::registry registry;
  registry.gauges("qjob_level", "Two\nlines.", {"name"}).with({"x\"y"}).set(1);
  const auto text = qm::render_prometheus_text(registry.read());
  BOOST_TEST(text == "# HELP qjob_level Two\\nlines.\n# TYPE qjob_level gauge\nqjob_level{name=\"x\\\"y\"} 1\n");
}

BOOST_AUTO_TEST_CASE(families_without_series_are_left_out) {
  qm::registry registry;
  registry.gauges("qjob_level", "Level.", {"provider"});
  BOOST_TEST(qm::render_prometheus_text(registry.read()).empty());
}

BOOST_AUTO_TEST_CASE(values_are_the_shortest_text_that_reads_back_the_same) {
  BOOST_TEST(qm::format_value(0) == "0");
  BOOST_TEST(qm::format_value(42) == "42");
  BOOST_TEST(qm::format_value(0.1) == "0.1");
  BOOST_TEST(qm::format_value(-2.5) == "-2.5");
  BOOST_TEST(qm::format_value(0.0001) == "0.0001");
  BOOST_TEST(qm::format_value(0.00025) == "0.00025");
  BOOST_TEST(qm::format_value(123456789012) == "123456789012");
  BOOST_TEST(qm::format_value(1e20) == "1e+20");
  BOOST_TEST(qm::format_value(2.5e-7) == "2.5e-07");
  BOOST_TEST(qm::format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  BOOST_TEST(qm::format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  BOOST_TEST(qm::format_value(std::nan("")) == "NaN");
  BOOST_TEST(std::stod(qm::format_value(1.0 / 3)) == 1.0 / 3);
}

BOOST_AUTO_TEST_SUITE_END()
