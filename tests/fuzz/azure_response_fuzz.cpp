// Azure Quantum's answers into the Azure adapter's readers (adapters/azure): the
// first byte chooses the reader, the rest is the body. JobDetails and list pages,
// error bodies of the data plane and Blob storage with any status and a
// Retry-After, and output blobs of every results format it reads.
#include "fuzz_circuits.hpp"

#include "azure/azure_errors.hpp"
#include "azure/azure_results.hpp"
#include "azure/azure_status.hpp"
#include "azure/azure_submission.hpp"
#include "azure/azure_targets.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qjob::azure;
  if (size < 2) return 0;
  const auto selector = data[0];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (selector % 9) {
    case 0: {
      auto read = parse_job_details(body);
      if (read.job) (void)to_job_state(*read.job);
      break;
    }
    case 1: {
      auto read = parse_job_page(body);
      if (read.page)
        for (const auto& job : read.page->jobs) (void)to_job_state(job);
      break;
    }
    case 2: {
      (void)describe_error_body(body);
      // A status from the first body byte, and a Retry-After from the first line.
      qjob::http::response response;
      response.status = 100 + static_cast<unsigned char>(body[0]) * 2;
      const auto line = body.substr(1, body.find('\n') == std::string_view::npos ? 0 : body.find('\n') - 1);
      response.headers.add("Retry-After", std::string(line));
      response.body = std::string(body.substr(1 + line.size()));
      (void)status_error(response, exchange{"PUT jobs/x", (selector & 0x80) != 0});
      break;
    }
    case 3:
      (void)read_results(ionq_output, body, qjob::fuzz::one_circuit(), 100, 7);
      break;
    case 4:
      (void)read_results(quantinuum_output, body, qjob::fuzz::two_registers(), 100, 7);
      break;
    case 5:
      (void)read_results(microsoft_output_v2, body, qjob::fuzz::one_circuit(), 100, 7);
      break;
    case 6:
      (void)read_results(microsoft_output_v2, body, qjob::fuzz::two_circuits(), 100, 7);
      break;
    case 7:
      (void)map_status(body);
      break;
    case 8:
      // The prepared envelope comes back from the job store, written by us, but
      // it is read as untrusted text all the same.
      (void)from_envelope(body);
      break;
  }
  return 0;
}
