// JSON into parse_job_input (adapters/formats): an `ionq.circuit.v0` object, a
// list of them (a multi-circuit job), or whatever the "format" key names; the
// first byte chooses the declared input_format, the rest is the input.
#include "formats/ionq_circuit_parser.hpp"
#include "formats/job_input.hpp"
#include "ionq/ionq_request.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  constexpr std::string_view formats[] = {"", qjob::formats::ionq_circuit_v0, "ionq.circuit.v0", "qasm2"};
  const auto format = formats[data[0] % 4];
  boost::system::error_code ec;
  auto input = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1), ec);
  if (ec) return 0;
  const qjob::formats::input_limits limits;
  (void)qjob::formats::parse_ionq_circuit(input, "input", limits);
  auto outcome = qjob::formats::parse_job_input(format, input, limits);
  if (!outcome.input) return 0;
  qjob::ionq::job_description job;
  job.job_id = "00000000-0000-4000-8000-000000000000";
  job.target = "simulator";
  job.shots = 100;
  job.input = &*outcome.input;
  (void)qjob::ionq::build_job_request(job);
  return 0;
}
