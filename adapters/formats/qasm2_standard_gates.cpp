#include "qasm2_standard_gates.hpp"

#include <numbers>

namespace qjob::formats::qasm {
namespace {

using params_t = std::span<const double>;
using qubits_t = std::span<const std::uint32_t>;
using ops_t = std::vector<operation>;

// The last `targets` qubits are targets, the ones before them controls.
void push(ops_t& out, gate_kind kind, qubits_t qubits, std::size_t targets, double p0 = 0.0, double p1 = 0.0,
          double p2 = 0.0) {
  operation op;
  op.gate = kind;
  op.controls.assign(qubits.begin(), qubits.end() - static_cast<std::ptrdiff_t>(targets));
  op.targets.assign(qubits.end() - static_cast<std::ptrdiff_t>(targets), qubits.end());
  op.params[0] = p0;
  op.params[1] = p1;
  op.params[2] = p2;
  out.push_back(std::move(op));
}

template <gate_kind Kind>
void fixed(params_t, qubits_t q, ops_t& out) {
  push(out, Kind, q, 1);
}

template <gate_kind Kind>
void one_angle(params_t p, qubits_t q, ops_t& out) {
  push(out, Kind, q, 1, p[0]);
}

template <gate_kind Kind>
void two_qubit(params_t p, qubits_t q, ops_t& out) {
  push(out, Kind, q, 2, p.empty() ? 0.0 : p[0]);
}

void u3(params_t p, qubits_t q, ops_t& out) { push(out, gate_kind::u, q, 1, p[0], p[1], p[2]); }
void u2(params_t p, qubits_t q, ops_t& out) { push(out, gate_kind::u, q, 1, std::numbers::pi / 2, p[0], p[1]); }
void identity(params_t, qubits_t, ops_t&) {}

// Qiskit's cu adds the phase gamma on the control's |1> branch before the cu3.
void cu(params_t p, qubits_t q, ops_t& out) {
  push(out, gate_kind::phase, q.first(1), 1, p[3]);
  push(out, gate_kind::u, q, 1, p[0], p[1], p[2]);
}

constexpr native_gate builtins[] = {
    {"U", 3, 1, u3},
    {"CX", 0, 2, fixed<gate_kind::x>},
};

constexpr native_gate standard[] = {
    {"u3", 3, 1, u3},
    {"u2", 2, 1, u2},
    {"u1", 1, 1, one_angle<gate_kind::phase>},
    {"cx", 0, 2, fixed<gate_kind::x>},
    {"id", 0, 1, identity},
    {"u0", 1, 1, identity},
    {"u", 3, 1, u3},
    {"p", 1, 1, one_angle<gate_kind::phase>},
    {"x", 0, 1, fixed<gate_kind::x>},
    {"y", 0, 1, fixed<gate_kind::y>},
    {"z", 0, 1, fixed<gate_kind::z>},
    {"h", 0, 1, fixed<gate_kind::h>},
    {"s", 0, 1, fixed<gate_kind::s>},
    {"sdg", 0, 1, fixed<gate_kind::si>},
    {"t", 0, 1, fixed<gate_kind::t>},
    {"tdg", 0, 1, fixed<gate_kind::ti>},
    {"sx", 0, 1, fixed<gate_kind::v>},
    {"sxdg", 0, 1, fixed<gate_kind::vi>},
    {"rx", 1, 1, one_angle<gate_kind::rx>},
    {"ry", 1, 1, one_angle<gate_kind::ry>},
    {"rz", 1, 1, one_angle<gate_kind::rz>},
    {"cz", 0, 2, fixed<gate_kind::z>},
    {"cy", 0, 2, fixed<gate_kind::y>},
    {"ch", 0, 2, fixed<gate_kind::h>},
    {"csx", 0, 2, fixed<gate_kind::v>},
    {"ccx", 0, 3, fixed<gate_kind::x>},
    {"c3x", 0, 4, fixed<gate_kind::x>},
    {"c4x", 0, 5, fixed<gate_kind::x>},
    {"crx", 1, 2, one_angle<gate_kind::rx>},
    {"cry", 1, 2, one_angle<gate_kind::ry>},
    {"crz", 1, 2, one_angle<gate_kind::rz>},
    {"cu1", 1, 2, one_angle<gate_kind::phase>},
    {"cp", 1, 2, one_angle<gate_kind::phase>},
    {"cu3", 3, 2, u3},
    {"cu", 4, 2, cu},
    {"swap", 0, 2, two_qubit<gate_kind::swap>},
    {"cswap", 0, 3, two_qubit<gate_kind::swap>},
    {"rxx", 1, 2, two_qubit<gate_kind::xx>},
    {"ryy", 1, 2, two_qubit<gate_kind::yy>},
    {"rzz", 1, 2, two_qubit<gate_kind::zz>},
};

// Verbatim from Qiskit's qelib1.inc.
constexpr std::string_view definitions = R"qasm(
gate rccx a,b,c
{
  u2(0,pi) c;
  u1(pi/4) c;
  cx b, c;
  u1(-pi/4) c;
  cx a, c;
  u1(pi/4) c;
  cx b, c;
  u1(-pi/4) c;
  u2(0,pi) c;
}
gate c3sqrtx a,b,c,d
{
    h d; cu1(-pi/8) a,d; h d;
    cx a,b;
    h d; cu1(pi/8) b,d; h d;
    cx a,b;
    h d; cu1(-pi/8) b,d; h d;
    cx b,c;
    h d; cu1(pi/8) c,d; h d;
    cx a,c;
    h d; cu1(-pi/8) c,d; h d;
    cx b,c;
    h d; cu1(pi/8) c,d; h d;
    cx a,c;
    h d; cu1(-pi/8) c,d; h d;
}
gate rc3x a,b,c,d
{
  u2(0,pi) d;
  u1(pi/4) d;
  cx c,d;
  u1(-pi/4) d;
  u2(0,pi) d;
  cx a,d;
  u1(pi/4) d;
  cx b,d;
  u1(-pi/4) d;
  cx a,d;
  u1(pi/4) d;
  cx b,d;
  u1(-pi/4) d;
  u2(0,pi) d;
  u1(pi/4) d;
  cx c,d;
  u1(-pi/4) d;
  u2(0,pi) d;
}
)qasm";

}  // namespace

std::span<const native_gate> builtin_gates() { return builtins; }
std::span<const native_gate> standard_gates() { return standard; }
std::string_view standard_gate_definitions() { return definitions; }

}  // namespace qjob::formats::qasm
