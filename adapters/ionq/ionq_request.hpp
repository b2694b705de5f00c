#pragma once

#include "formats/circuit.hpp"
#include "formats/job_input.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

/// Translation of our jobs into IonQ's REST API v0.4 `POST /jobs` bodies.
///
/// Gate mapping (our `formats::gate_kind` to IonQ's QIS gates, gateset "qis"):
/// - h x y z s si t ti v vi rx ry rz swap xx yy zz: the gate of the same name
///   (angles in `rotation`, radians); x with controls is written `cnot`.
/// - controls: `control` for one, `controls` for several, on the one-qubit gates
///   and swap (IonQ's controlled forms: cnot/Toffoli, cz, crx, cswap, ...);
///   at most `max_controls` of them. Controlled xx/yy/zz are refused: no IonQ
///   SDK or example uses them.
/// - phase(l) becomes rz(l): equal up to the global phase e^{il/2}. With
///   controls c1..cn, that phase is no longer global, so the controlled phase is
///   written C^n-rz(l) on the target followed by C^(n-1)-phase(l/2) on cn,
///   recursively (n + 1 gates in all).
/// - u(theta, phi, lambda) becomes rz(lambda), ry(theta), rz(phi) (U = e^{i(phi+lambda)/2}
///   Rz(phi) Ry(theta) Rz(lambda)); with controls the factor e^{i(phi+lambda)/2} is
///   applied as C^(n-1)-phase((phi+lambda)/2) on cn, decomposed as above.
/// - barrier: dropped. measure: only as the last thing done to its qubit; IonQ
///   measures every qubit at the end and results are mapped back to our
///   classical bits (see ionq_results). reset: dropped on a qubit nothing has
///   touched yet (it is in |0>), refused elsewhere. Conditionals: refused.
namespace qjob::ionq {

/// IonQ's request type names.
inline constexpr std::string_view circuit_v1 = "ionq.circuit.v1";
inline constexpr std::string_view multi_circuit_v1 = "ionq.multi-circuit.v1";

/// What one IonQ job may hold (spec: shots 1..1,000,000; multi-circuit jobs at
/// most 5,000 circuits; metadata up to 10 keys). `max_controls` is ours: the
/// spec names no number, only the failure code TooManyControls, so we refuse
/// early what is surely too wide and leave the rest to IonQ.
struct request_limits {
  std::uint64_t max_shots = 1'000'000;
  std::size_t max_circuits = 5'000;
  std::size_t max_controls = 7;
  std::size_t max_metadata_keys = 10;
};

/// Our job, as far as IonQ needs it. `params` is the job's free `params` JSON
/// (null or an object): the keys IonQ defines for a job are passed through
/// (`noise` {model, seed}, `settings` {error_mitigation {debiasing},
/// compilation {opt, precision, gate_basis, service_version}}, `dry_run`,
/// `session_id`, and `metadata`, string values merged beside `qjob_id`);
/// any other key is refused.
struct job_description {
  std::string_view job_id;
  std::string_view name;    // "" leaves `name` out
  std::string_view target;  // IonQ's `backend`: "simulator", "qpu.aria-1", ...
  std::uint64_t shots = 0;
  const formats::parsed_input* input = nullptr;  // required
  const boost::json::value* params = nullptr;    // may be null
};

/// The `POST /jobs` body, or why the job cannot go to IonQ (message naming the
/// gate or parameter; field the JSON path in our job, as formats::input_error).
struct request_outcome {
  std::optional<boost::json::object> body;
  std::optional<formats::input_error> error;
};

/// Builds the body of `POST /jobs` for `job`: `ionq.circuit.v1` for a single
/// circuit, `ionq.multi-circuit.v1` when the input was a list of circuits.
/// Pure; safe on any thread. Refuses, before anything is sent, what IonQ's
/// QIS gate set cannot run and every unknown or ill-typed parameter.
request_outcome build_job_request(const job_description& job, const request_limits& limits = {});

/// IonQ's QIS gate list for one circuit (the `circuit` array), following the
/// mapping above, or the error naming the operation. `field` is the JSON path
/// of the circuit in our job ("input", "input[2]"), used in errors. Pure.
struct circuit_outcome {
  std::optional<boost::json::array> gates;
  std::optional<formats::input_error> error;
};
circuit_outcome translate_circuit(const formats::circuit& c, std::string_view field,
                                  const request_limits& limits = {});

/// The circuit IonQ runs for `c`, written back in our IR (one operation per IonQ
/// gate, measurements and barriers left out): for tests that compare its state
/// with the original's, and for estimating gate counts. Same errors as
/// translate_circuit. Pure.
struct lowered_outcome {
  std::optional<formats::circuit> circuit;
  std::optional<formats::input_error> error;
};
lowered_outcome lower_to_qis(const formats::circuit& c, std::string_view field, const request_limits& limits = {});

}  // namespace qjob::ionq
