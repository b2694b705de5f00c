// Bernstein-Vazirani: finds the hidden string s = 1011 in one query.
// Every shot measures 1011 (classical bit 0 rightmost).
OPENQASM 2.0;
include "qelib1.inc";
qreg q[4];
qreg ancilla[1];
creg c[4];
x ancilla[0];
h q;
h ancilla[0];
// oracle f(x) = s.x with s = 1011 (bits 0, 1 and 3 set)
cx q[0], ancilla[0];
cx q[1], ancilla[0];
cx q[3], ancilla[0];
h q;
barrier q;
measure q -> c;
