#include "render.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace json = boost::json;
namespace cli = qjob::cli;

namespace {

json::object object_of(char const* text) {
    return json::parse(text).as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(render_tests)

BOOST_AUTO_TEST_CASE(columns_are_as_wide_as_their_widest_cell_without_trailing_blanks) {
    std::string const table = cli::render_table({{"ID"}, {"N", true}, {"NOTE"}}, {{"a", "5", "x"}, {"long-id", "1234", ""}});
    BOOST_TEST(table == "ID          N  NOTE\n"
                        "a           5  x\n"
                        "long-id  1234\n");
}

BOOST_AUTO_TEST_CASE(widths_count_utf8_code_points_not_bytes) {
    std::string const table = cli::render_table({{"NAME"}, {"X"}}, {{"\xC3\xA9t\xC3\xA9", "1"}, {"ab", "2"}});
    BOOST_TEST(table == "NAME  X\n"
                        "\xC3\xA9t\xC3\xA9   1\n"
                        "ab    2\n");
}

BOOST_AUTO_TEST_CASE(short_rows_print_empty_cells) {
    BOOST_TEST(cli::render_table({{"A"}, {"B"}}, {{"1"}}) == "A  B\n1\n");
}

BOOST_AUTO_TEST_CASE(cells_show_null_and_missing_as_a_dash_and_join_lists) {
    auto const job = object_of(R"({"name": null, "shots": 100, "tags": ["a", "b"], "ok": true})");
    BOOST_TEST(cli::cell_text(job, "name") == "-");
    BOOST_TEST(cli::cell_text(job, "absent") == "-");
    BOOST_TEST(cli::cell_text(job, "shots") == "100");
    BOOST_TEST(cli::cell_text(job, "tags") == "a,b");
    BOOST_TEST(cli::cell_text(job, "ok") == "true");
}

BOOST_AUTO_TEST_CASE(job_list_has_the_documented_columns_sized_to_content) {
    auto const jobs = json::parse(R"([
        {"id": "j-1", "name": "bell", "status": "succeeded", "provider": "local", "target": "simulator",
         "shots": 1000, "created_at": "2025-01-02T03:04:05Z"},
        {"id": "j-22", "name": null, "status": "waiting", "provider": "ionq", "target": "qpu.aria-1",
         "shots": 50, "created_at": "2025-01-02T03:04:06Z"}])")
                          .as_array();
    BOOST_TEST(cli::render_job_list(jobs) ==
               "ID    NAME  STATUS     PROVIDER  TARGET      SHOTS  CREATED\n"
               "j-1   bell  succeeded  local     simulator    1000  2025-01-02T03:04:05Z\n"
               "j-22  -     waiting    ionq      qpu.aria-1     50  2025-01-02T03:04:06Z\n");
}

BOOST_AUTO_TEST_CASE(an_empty_list_prints_the_header_only) {
    BOOST_TEST(cli::render_job_list(json::array{}) == "ID  NAME  STATUS  PROVIDER  TARGET  SHOTS  CREATED\n");
}

BOOST_AUTO_TEST_CASE(results_are_sorted_by_count_then_outcome) {
    auto const result = object_of(R"({"id": "j", "status": "succeeded", "results": [
        {"counts": {"00": 250, "01": 12, "11": 488, "10": 250},
         "probabilities": {"00": 0.25, "01": 0.012, "11": 0.488, "10": 0.25}}]})");
    BOOST_TEST(cli::render_results(result) == "OUTCOME  COUNT  PROBABILITY\n"
                                              "11         488       0.4880\n"
                                              "00         250       0.2500\n"
                                              "10         250       0.2500\n"
                                              "01          12       0.0120\n");
}

BOOST_AUTO_TEST_CASE(probability_only_results_drop_the_count_column) {
    auto const result = object_of(R"({"results": [{"probabilities": {"0": 0.25, "1": 0.75}}]})");
    BOOST_TEST(cli::render_results(result) == "OUTCOME  PROBABILITY\n"
                                              "1             0.7500\n"
                                              "0             0.2500\n");
}

BOOST_AUTO_TEST_CASE(each_circuit_of_a_multi_circuit_job_gets_a_headed_table) {
    auto const result = object_of(R"({"results": [{"counts": {"0": 3}, "probabilities": {"0": 1.0}},
                                                 {"counts": {"1": 3}, "probabilities": {"1": 1.0}}]})");
    BOOST_TEST(cli::render_results(result) == "circuit 0:\n"
                                              "OUTCOME  COUNT  PROBABILITY\n"
                                              "0            3       1.0000\n"
                                              "\n"
                                              "circuit 1:\n"
                                              "OUTCOME  COUNT  PROBABILITY\n"
                                              "1            3       1.0000\n");
}

BOOST_AUTO_TEST_CASE(job_block_aligns_keys_and_skips_what_the_daemon_left_out) {
    auto const job = object_of(R"({"id": "j-1", "name": "bell", "provider": "local", "target": "simulator",
        "shots": 1000, "status": "waiting", "provider_status": null, "batch_id": null, "queue_position": 3,
        "created_at": "2025-01-02T03:04:05Z", "started_at": null, "attempts": 0, "error": null,
        "cancel_requested": false})");
    BOOST_TEST(cli::render_job(job) == "id:              j-1\n"
                                       "name:            bell\n"
                                       "status:          waiting\n"
                                       "provider:        local/simulator\n"
                                       "provider status: -\n"
                                       "queue position:  3\n"
                                       "shots:           1000\n"
                                       "created:         2025-01-02T03:04:05Z\n"
                                       "started:         -\n"
                                       "attempts:        0\n");
}

BOOST_AUTO_TEST_CASE(job_block_says_why_a_job_of_a_removed_provider_waits) {
    auto const job = object_of(R"({"id": "j", "status": "waiting",
        "waiting_reason": "provider 'ionq' is not in the configuration"})");
    BOOST_TEST(cli::render_job(job) == "id:              j\n"
                                       "status:          waiting\n"
                                       "waiting because: provider 'ionq' is not in the configuration\n");
}

BOOST_AUTO_TEST_CASE(job_block_shows_the_error_cancel_request_and_history) {
    auto const job = object_of(R"({"id": "j", "status": "failed", "cancel_requested": true,
        "error": {"code": "provider_error", "message": "qubit count too large"},
        "history": [{"status": "waiting", "provider_status": null, "at": "t1"},
                    {"status": "failed", "provider_status": "failed", "at": "t2"}]})");
    BOOST_TEST(cli::render_job(job) == "id:               j\n"
                                       "status:           failed\n"
                                       "cancel requested: yes\n"
                                       "error:            provider_error: qubit count too large\n"
                                       "\n"
                                       "AT  STATUS   PROVIDER STATUS\n"
                                       "t1  waiting  -\n"
                                       "t2  failed   failed\n");
}

BOOST_AUTO_TEST_CASE(batch_progress_counts_done_jobs) {
    auto const batch = object_of(R"({"batch_id": "b", "total": 10,
        "counts": {"waiting": 2, "executing": 3, "succeeded": 4, "failed": 1, "cancelled": 0}})");
    BOOST_TEST(cli::render_batch_progress(batch) ==
               "5/10 done  waiting 2  executing 3  succeeded 4  failed 1  cancelled 0");
    BOOST_TEST(cli::render_batch_progress(batch, 10, 2.5) ==
               "[#####.....] 5/10 done  waiting 2  executing 3  succeeded 4  failed 1  cancelled 0  2.5 jobs/s  ETA 2s");
    BOOST_TEST(!cli::batch_is_final(batch));
    BOOST_TEST(cli::batch_has_failures(batch));

    auto const done = object_of(R"({"total": 2, "counts": {"waiting": 0, "executing": 0, "succeeded": 2}})");
    BOOST_TEST(cli::batch_is_final(done));
    BOOST_TEST(!cli::batch_has_failures(done));
}

BOOST_AUTO_TEST_CASE(durations_read_as_seconds_minutes_or_hours) {
    BOOST_TEST(cli::render_duration(42.2) == "42s");
    BOOST_TEST(cli::render_duration(185) == "3m05s");
    BOOST_TEST(cli::render_duration(7620) == "2h07m");
}

BOOST_AUTO_TEST_CASE(targets_table_marks_defaults_and_shows_health) {
    auto const targets = object_of(R"({"providers": [
        {"name": "local", "type": "local", "default": true, "health": {"status": "healthy"},
         "targets": [{"name": "simulator", "default": true, "formats": ["ionq.circuit.v0", "qasm2"],
                      "max_qubits": 24, "cancel_while_executing": true}]},
        {"name": "ionq", "type": "ionq", "default": false,
         "health": {"status": "degraded", "message": "429 from provider"},
         "targets": [{"name": "qpu.aria-1", "default": false, "formats": ["ionq.circuit.v0"],
                      "max_qubits": 25, "cancel_while_executing": false}]},
        {"name": "empty", "type": "azure", "health": {"status": "unhealthy"}, "targets": []}]})");
    BOOST_TEST(cli::render_targets(targets) ==
               "PROVIDER  TYPE   TARGET      FORMATS                QUBITS  CANCEL RUNNING  HEALTH\n"
               "local*    local  simulator*  ionq.circuit.v0,qasm2      24  yes             healthy\n"
               "ionq      ionq   qpu.aria-1  ionq.circuit.v0            25  no              degraded: 429 from provider\n"
               "empty     azure  -           -                           -  -               unhealthy\n");
}

BOOST_AUTO_TEST_CASE(health_prints_every_field_in_order) {
    auto const health = object_of(R"({"status": "ok", "ready": true, "draining": false, "jobs": {"waiting": 1}})");
    BOOST_TEST(cli::render_health(health) == "status:   ok\n"
                                             "ready:    true\n"
                                             "draining: false\n"
                                             "jobs:     {\"waiting\":1}\n");
}

BOOST_AUTO_TEST_CASE(api_errors_read_as_code_message_and_field) {
    std::string const body =
        R"({"error": {"code": "invalid_input", "message": "unknown gate 'foo' at input.circuit[3]",
                      "field": "input.circuit[3].gate"}})";
    BOOST_TEST(cli::describe_api_error(400, body) ==
               "invalid_input: unknown gate 'foo' at input.circuit[3] (field input.circuit[3].gate)");
    BOOST_TEST(cli::api_error_code(body) == "invalid_input");
    BOOST_TEST(cli::describe_api_error(404, R"({"error": {"code": "not_found", "message": "no job x"}})") ==
               "not_found: no job x");
}

BOOST_AUTO_TEST_CASE(errors_not_in_the_api_shape_show_status_and_first_line) {
    BOOST_TEST(cli::describe_api_error(502, "Bad Gateway\n<html>") == "HTTP 502: Bad Gateway");
    BOOST_TEST(cli::describe_api_error(500, "") == "HTTP 500");
    BOOST_TEST(cli::api_error_code("not json") == "");
    BOOST_TEST(cli::api_error_code(R"({"error": "x"})") == "");
}

BOOST_AUTO_TEST_CASE(pretty_json_indents_two_spaces) {
    auto const value = json::parse(R"({"a": [1, {"b": null}], "c": {}, "d": []})");
    BOOST_TEST(cli::pretty_json(value) == "{\n"
                                          "  \"a\": [\n"
                                          "    1,\n"
                                          "    {\n"
                                          "      \"b\": null\n"
                                          "    }\n"
                                          "  ],\n"
                                          "  \"c\": {},\n"
                                          "  \"d\": []\n"
                                          "}\n");
}

BOOST_AUTO_TEST_CASE(pretty_json_writes_doubles_in_their_shortest_form) {
    BOOST_TEST(cli::pretty_json(json::parse(R"({"p": 0.5, "q": 1e-7, "r": 0.1})")) ==
               "{\n  \"p\": 0.5,\n  \"q\": 1e-07,\n  \"r\": 0.1\n}\n");
}

BOOST_AUTO_TEST_SUITE_END()
