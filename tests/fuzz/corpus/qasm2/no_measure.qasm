OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
rx(-pi/2) q[0];
ry(sin(0.5)+cos(0.1)^2) q[1];
rz(ln(2)*exp(1)/sqrt(3)) q[2];
// comment
opaque magic(a) q;
