// IonQ's answers into the IonQ adapter's readers (adapters/ionq): the first byte
// chooses the reader, the rest is the body. Job objects and list pages, error
// bodies with any status, result payloads (v1 and v2 keys, histograms, the
// multi-circuit aggregate) turned into results documents, and Retry-After.
#include "fuzz_circuits.hpp"

#include "http/retry_after.hpp"
#include "ionq/ionq_errors.hpp"
#include "ionq/ionq_results.hpp"
#include "ionq/ionq_status.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace qjob::ionq;

/// Turns what was read into the results document, as the IonQ provider does.
void document_of(const std::vector<qjob::formats::circuit>& circuits, std::vector<circuit_payload> payloads) {
  payloads.resize(circuits.size(), payloads.empty() ? circuit_payload{} : payloads.front());
  (void)build_result_document(circuits, payloads, document_options{100, 7, 1024});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto selector = data[0];
  const unsigned status = 100 + data[1] * 2;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (selector % 10) {
    case 0: {
      auto job = parse_job(body);
      if (job.job) (void)to_string(job.job->mapping.state);
      break;
    }
    case 1:
      (void)parse_job_page(body);
      break;
    case 2:
      (void)parse_error_body(body);
      (void)describe_failure(status, body.substr(1));
      break;
    case 3:
    case 4: {
      auto read = parse_probabilities(body, selector % 10 == 3 ? 1 : 2);
      if (read.value) document_of(qjob::fuzz::one_circuit(), {circuit_payload{*read.value, std::nullopt}});
      break;
    }
    case 5:
    case 6: {
      auto read = parse_histogram(body, selector % 10 == 5 ? 1 : 2);
      if (read.value) document_of(qjob::fuzz::two_registers(), {circuit_payload{std::nullopt, *read.value}});
      break;
    }
    case 7: {
      const std::vector<std::string> children{"child-a", "child-b"};
      auto read = parse_aggregate(body, children);
      if (!read.value) break;
      std::vector<circuit_payload> payloads;
      for (auto& d : *read.value) payloads.push_back(circuit_payload{std::move(d), std::nullopt});
      document_of(qjob::fuzz::two_circuits(), std::move(payloads));
      break;
    }
    case 8:
      (void)map_status(body);
      break;
    case 9:
      (void)qjob::http::parse_retry_after(body, std::chrono::system_clock::time_point{} + std::chrono::hours(480'000));
      break;
  }
  return 0;
}
