// OpenQASM 2.0 text into parse_qasm2 (adapters/formats), then, for a program it
// accepts, every translation a target may ask of the circuit: OpenQASM 2 again
// (and that text parsed back), IonQ's QIS gates and OriginIR.
#include "formats/circuit_analysis.hpp"
#include "formats/qasm2_parser.hpp"
#include "formats/qasm2_writer.hpp"
#include "ionq/ionq_request.hpp"
#include "qcloud/originir.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view program(reinterpret_cast<const char*>(data), size);
  const qjob::formats::input_limits limits;
  auto parsed = qjob::formats::parse_qasm2(program, "input", limits);
  auto* circuit = std::get_if<qjob::formats::circuit>(&parsed);
  if (!circuit) return 0;
  (void)qjob::formats::needs_per_shot_simulation(*circuit);
  (void)qjob::formats::qasm2_registers(*circuit);
  auto written = qjob::formats::to_qasm2(*circuit, "input");
  if (written.text) (void)qjob::formats::parse_qasm2(*written.text, "input", limits);
  (void)qjob::ionq::translate_circuit(*circuit, "input");
  (void)qjob::qcloud::to_originir(*circuit, "input");
  return 0;
}
