#!/usr/bin/env python3
"""Reference solution for the steady 1D Michaelis–Menten reaction–diffusion test.

Problem (units mm, s, mM):  D c''(x) = V c / (K + c)  on 0 < x < L,
                            c(0) = c0,  c'(L) = 0   (symmetry plane).
Solved with scipy.integrate.solve_bvp (collocation, residual tolerance 1e-10,
max 200000 nodes) and written at 201 equally spaced points to
transport_mm_reference.csv (columns x [mm], c [mM]).  A second solve on a mesh
twice as fine is compared with the first, and an independent backward
shooting integration (solve_ivp DOP853, rtol 1e-13) with the whole profile; both
differences are printed (the
reference must be accurate to 1e-8 relative).  Run:  python3 transport_mm_reference.py
"""
import numpy as np
from scipy.integrate import solve_bvp

D, V, K, c0, L = 1.0e-3, 4.0e-4, 0.5, 4.0, 5.0


def rhs(x, y):
    c, q = y  # q = c'
    return np.vstack([q, V * c / (K + c) / D])


def bc(ya, yb):
    return np.array([ya[0] - c0, yb[1]])


def solve(n):
    x = np.linspace(0.0, L, n)
    y = np.vstack([np.full(n, c0), np.zeros(n)])
    sol = solve_bvp(rhs, bc, x, y, tol=1e-10, max_nodes=200000)
    assert sol.status == 0, sol.message
    return sol


s1, s2 = solve(2001), solve(4001)
# Independent check: shoot backwards from x = L with c(L), c'(L) = 0 (solve_ivp,
# DOP853, rtol 1e-13) and compare the whole profile.
from scipy.integrate import solve_ivp
cL = float(s1.sol(L)[0])
shot = solve_ivp(lambda x, y: rhs(x, y.reshape(2, 1)).ravel(), (L, 0.0), [cL, 0.0], method="DOP853", rtol=1e-13, atol=1e-15, dense_output=True)
xs = np.linspace(0.0, L, 201)
c1, c2 = s1.sol(xs)[0], s2.sol(xs)[0]
diff = np.max(np.abs(c1 - c2)) / np.max(np.abs(c1))
print(f"max relative difference between the two solves: {diff:.3e}")
assert diff < 1e-8
shoot = np.max(np.abs(shot.sol(xs)[0] - c1)) / np.max(np.abs(c1))
print(f"max relative difference to the shooting solution: {shoot:.3e}")
assert shoot < 1e-8
with open("transport_mm_reference.csv", "w") as f:
    f.write(f"# D={D} mm^2/s V={V} mM/s K={K} mM c0={c0} mM L={L} mm; scipy solve_bvp tol 1e-10\n")
    f.write("x_mm,c_mM\n")
    for x, c in zip(xs, c1):
        f.write(f"{x:.6f},{c:.12e}\n")
print("c(L) =", c1[-1])
