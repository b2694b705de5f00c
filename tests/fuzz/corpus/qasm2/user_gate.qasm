OPENQASM 2.0;
include "qelib1.inc";
gate majority a,b,c
{
  cx c,b;
  cx c,a;
  ccx a,b,c;
}
gate rot(theta, phi) q { u3(theta, phi, -phi) q; rz(pi/4) q; }
qreg a[3];
qreg b[1];
creg out[4];
x a[0];
majority a[0],a[1],a[2];
rot(pi/3, 0.25*pi) b[0];
measure a -> out[0:0];
