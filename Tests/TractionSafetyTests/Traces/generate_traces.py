#!/usr/bin/env python3
"""Writes the envelope scenario traces (deterministic; rerun to regenerate).

Columns: time_s, commanded_n, measured_n, sensor_time_s. Sample period 0.25 s (long sessions)
or 0.05 s (fault scenarios). The load cell is a first-order lag (tau = 0.1 s) of the commanded
force plus deterministic +-0.3 N noise. Limits the traces are made against: TestFixtures.swift
(70 kg lumbar patient: hard max 343.23 N, soft 274.59 N, ramp up 50 N/s, ramp down 100 N/s,
hold 30-75 s, rest >= 20 s, 15 cycles, session <= 1500 s, rest fraction 0.5; monitoring:
tracking 15 N / 1 s, overshoot 10 N / 0.5 s, freshness 0.5 s, frozen 1 s / 5 N).
Expected outcomes: see README.md next to this file.
"""
import math, os

HERE = os.path.dirname(os.path.abspath(__file__))

def protocol(pull_n, rest_n, cycles, hold_s, rest_s, ramp_up_s, ramp_down_s, lead_s=2.0):
    """Piecewise-linear commanded force: lead at 0, then cycles of ramp up / hold / ramp down / rest, then ramp to 0."""
    pts = [(0.0, 0.0), (lead_s, 0.0)]
    t = lead_s
    level = 0.0
    for _ in range(cycles):
        t += ramp_up_s; pts.append((t, pull_n))
        t += hold_s; pts.append((t, pull_n))
        t += ramp_down_s; pts.append((t, rest_n))
        t += rest_s; pts.append((t, rest_n))
    t += rest_n / 25.0; pts.append((t, 0.0))
    t += 2.0; pts.append((t, 0.0))
    return pts

def value_at(pts, t):
    for (t0, f0), (t1, f1) in zip(pts, pts[1:]):
        if t0 <= t <= t1:
            return f0 if t1 == t0 else f0 + (f1 - f0) * (t - t0) / (t1 - t0)
    return pts[-1][1]

def write(name, pts, dt, modify=None, end=None):
    end = end if end is not None else pts[-1][0]
    n = int(round(end / dt))
    state = 12345
    m = 0.0
    rows = []
    for k in range(n + 1):
        t = k * dt
        c = round(value_at(pts, t), 3)
        m += (c - m) * (1 - math.exp(-dt / 0.1))
        state = (1103515245 * state + 12345) % 2**31
        noise = (state / 2**31 - 0.5) * 0.6
        meas = m + noise
        row = [t, c, meas, t]
        if modify:
            row = modify(row, rows)
        rows.append(row)
    with open(os.path.join(HERE, name), "w") as f:
        f.write("time_s,commanded_n,measured_n,sensor_time_s\n")
        for t, c, meas, st in rows:
            f.write(f"{t:.3f},{c:.3f},{meas:.3f},{st:.3f}\n")

normal = protocol(250.0, 125.0, 15, 45.0, 30.0, 10.0, 5.0)
write("normal_session.csv", normal, 0.25)

# Overshoot: cycle 2 hold, from t = 130 s the measured force sits 20 N above the command.
def overshoot(row, rows):
    t, c, m, st = row
    return [t, c, m + 20.0, st] if t >= 130.0 - 1e-9 else row
write("overshoot.csv", normal, 0.05, overshoot, end=140.0)

# Frozen load cell: from t = 95 s (cycle 2 ramp up) the reading is stuck; its timestamp advances.
def frozen(row, rows):
    t, c, m, st = row
    if t >= 95.0 - 1e-9:
        frozen_value = next(r[2] for r in rows if abs(r[0] - 95.0) < 1e-9) if any(abs(r[0] - 95.0) < 1e-9 for r in rows) else m
        return [t, c, round(frozen_value, 3), st]
    return row
write("frozen_load_cell.csv", normal, 0.05, frozen, end=100.0)

# Too-fast ramp: the first ramp goes to 250 N in 2 s (125 N/s > 50 N/s).
fast = protocol(250.0, 125.0, 2, 45.0, 30.0, 2.0, 5.0)
write("fast_ramp.csv", fast, 0.05, end=10.0)

# Session overrun: 15 cycles with 45 s rests: 15 x 105 s = 1575 s > 1500 s.
overrun = protocol(250.0, 125.0, 15, 45.0, 45.0, 10.0, 5.0)
write("session_overrun.csv", overrun, 0.25)
