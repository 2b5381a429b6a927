#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generates tests/data/demo-session.csv.gz: a synthetic wearer for `make run`.

An MPU-6050 sits on the upper back between the shoulder blades, 0.45 m above the hip joint:
sensor z points up the spine, x out of the back (backward: the wearer's front is -X), and y to
the wearer's right, which makes the frame right-handed like the chip's. Recorded at 50 Hz in the
postured-recording 1 format: t, trunk.ax..az (m/s^2), trunk.gx..gz (rad/s), plus the ground
truth column truth.trunk_flexion_deg, which readers ignore.

The story, in seconds of wearer time (`make run` plays it at 6x, about 28 s):
      0 -  10  sitting upright and still (the daemon calibrates here)
     10 -  15  slowly slumps forward to 35 deg
     15 -  75  stays slumped, about 35 deg (60 s)
     75 -  77  corrects to upright
     77 -  92  upright
     92 -  93  reaches forward to 45 deg (upper body also shifts 10 cm forward)
     93 -  95  holds the reach
     95 -  96  back to upright (the shift reverses)
     96 - 111  upright
    111 - 116  slumps again, to 40 deg
    116 - 156  stays slumped, about 40 deg (40 s)
    156 - 158  corrects to upright
    158 - 168  upright; the recording ends at 168 s
Posture changes follow half-cosine ramps. On top of them: breathing sway (0.5 deg amplitude, i.e.
1 deg peak to peak, at 0.25 Hz) all along, and slow fidgeting (+-1.5 deg, a smoothed random walk)
while slumped.

Physics, with theta the flexion angle (forward positive) and r the sensor's height above the hip:
flexing forward turns the trunk about the wearer's left axis, which is -y in sensor axes, so the
gyroscope reads (0, -theta', 0). The accelerometer reads the specific force: the reaction to
gravity, g (sin theta, 0, cos theta), plus the sensor's own acceleration on its lever arm,
tangential -r theta'' along x and centripetal -r theta'^2 along z, plus the forward shift of the
reach (a world-forward acceleration a reads (-a cos theta, 0, a sin theta)). The script checks
itself: integrating the noise-free gyroscope reproduces the noise-free accelerometer's tilt.
Sensor errors: white noise of 0.05 m/s^2 and 0.005 rad/s rms per axis and a constant gyro bias of
0.01 rad/s on x.

Usage: tests/tools/make-demo-session.py [OUT]   (default tests/data/demo-session.csv.gz)
The output is byte-for-byte reproducible: fixed seed, gzip header without a time stamp.
"""

import math
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the script
from recsim import derivative, half_cosine, piecewise, smooth_noise, write_gzip  # noqa: E402

RATE_HZ = 50.0
DURATION_S = 168.0
G = 9.80665
LEVER_M = 0.45
SEED = 20240611

ACCEL_NOISE = 0.05
GYRO_NOISE = 0.005
GYRO_BIAS = (0.01, 0.0, 0.0)

BREATH_DEG = 0.5
BREATH_HZ = 0.25
FIDGET_DEG = 1.5

REACH_SHIFT_M = 0.10

# (start_s, end_s, from_deg, to_deg); the angle holds between segments.
RAMPS = [
    (10.0, 15.0, 0.0, 35.0),
    (75.0, 77.0, 35.0, 0.0),
    (92.0, 93.0, 0.0, 45.0),
    (95.0, 96.0, 45.0, 0.0),
    (111.0, 116.0, 0.0, 40.0),
    (156.0, 158.0, 40.0, 0.0),
]
SLUMPS = [(15.0, 75.0), (116.0, 156.0)]
# The reach's forward shift of the upper body: (start_s, end_s, from_m, to_m).
SHIFTS = [(92.0, 93.0, 0.0, REACH_SHIFT_M), (95.0, 96.0, REACH_SHIFT_M, 0.0)]


def simulate():
    """Rows of (t, accel, gyro, flexion_deg, dynamic), dynamic being the magnitude of the
    accelerometer reading's part that is not gravity."""
    rng = random.Random(SEED)
    dt = 1.0 / RATE_HZ
    n = int(round(DURATION_S * RATE_HZ))
    fidget = smooth_noise(rng, n, dt, 4.0, FIDGET_DEG / 2.0)
    # Fidgeting fades in and out with the slump, so calibration and upright stay still.
    for i in range(n):
        t = i * dt
        weight = 0.0
        for start, end in SLUMPS:
            weight = max(weight, half_cosine(t, start, start + 2.0, 0.0, 1.0)[0]
                         - half_cosine(t, end - 2.0, end, 0.0, 1.0)[0])
        fidget[i] *= weight
    fidget_rate = derivative(fidget, dt)
    fidget_acc = derivative(fidget_rate, dt)

    rows = []
    for i in range(n):
        t = i * dt
        deg, deg_rate, deg_acc = piecewise(t, RAMPS, 0.0)
        w = 2.0 * math.pi * BREATH_HZ
        deg += BREATH_DEG * math.sin(w * t) + fidget[i]
        deg_rate += BREATH_DEG * w * math.cos(w * t) + fidget_rate[i]
        deg_acc += -BREATH_DEG * w * w * math.sin(w * t) + fidget_acc[i]

        theta = math.radians(deg)
        rate = math.radians(deg_rate)
        acc = math.radians(deg_acc)
        shift_acc = piecewise(t, SHIFTS, 0.0)[2]
        dynamic = (-LEVER_M * acc - shift_acc * math.cos(theta),
                   0.0,
                   -LEVER_M * rate * rate + shift_acc * math.sin(theta))
        accel = (G * math.sin(theta) + dynamic[0], 0.0, G * math.cos(theta) + dynamic[2])
        gyro = (0.0, -rate, 0.0)
        rows.append((t, accel, gyro, deg, math.hypot(dynamic[0], dynamic[2])))
    return rows


def check_gyro_matches_tilt(rows):
    """Integrates du/dt = -w x u from the first accelerometer reading; the pitch it gives must
    follow the simulated angle, and so must the accelerometer's wherever the trunk is not
    accelerating (the gyro's sign and axis are what this checks)."""
    dt = 1.0 / RATE_HZ
    ax, _, az = rows[0][1]
    norm = math.hypot(ax, az)
    u = [ax / norm, 0.0, az / norm]
    worst = 0.0
    for i in range(1, len(rows)):
        w = [(a + b) / 2.0 for a, b in zip(rows[i - 1][2], rows[i][2])]
        speed = math.sqrt(sum(c * c for c in w))
        if speed > 0.0:
            # One exact rotation of u about w by -|w| dt (Rodrigues).
            k = [c / speed for c in w]
            phi = -speed * dt
            kxu = [k[1] * u[2] - k[2] * u[1], k[2] * u[0] - k[0] * u[2], k[0] * u[1] - k[1] * u[0]]
            kdu = sum(a * b for a, b in zip(k, u))
            u = [u[j] * math.cos(phi) + kxu[j] * math.sin(phi) + k[j] * kdu * (1 - math.cos(phi))
                 for j in range(3)]
        truth = rows[i][3]
        worst = max(worst, abs(math.degrees(math.atan2(u[0], u[2])) - truth))
        if rows[i][4] < 0.01:
            ax, _, az = rows[i][1]
            worst = max(worst, abs(math.degrees(math.atan2(ax, az)) - truth))
    if worst > 0.2:
        sys.exit("make-demo-session: gyro and accelerometer disagree by %.2f deg: sign error?"
                 % worst)


def write(rows, path):
    rng = random.Random(SEED + 1)
    lines = [
        "# postured-recording 1",
        "# Synthetic: a simulated wearer with an MPU-6050 on the upper back (x backward, y right,",
        "# z up the spine), 50 Hz, made by tests/tools/make-demo-session.py (seed %d)." % SEED,
        "# Story: upright 10 s, slump 35 deg 60 s, upright, reach 45 deg 4 s, upright,",
        "# slump 40 deg 40 s, upright. truth.trunk_flexion_deg is the simulated angle.",
        "t,trunk.ax,trunk.ay,trunk.az,trunk.gx,trunk.gy,trunk.gz,truth.trunk_flexion_deg",
    ]
    for t, accel, gyro, deg, _ in rows:
        a = [v + rng.gauss(0.0, ACCEL_NOISE) for v in accel]
        g = [v + b + rng.gauss(0.0, GYRO_NOISE) for v, b in zip(gyro, GYRO_BIAS)]
        lines.append("%.2f,%.4f,%.4f,%.4f,%.5f,%.5f,%.5f,%.3f"
                     % (t, a[0], a[1], a[2], g[0], g[1], g[2], deg))
    write_gzip(lines, path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "data", "demo-session.csv.gz")
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(default)
    rows = simulate()
    check_gyro_matches_tilt(rows)
    write(rows, path)
    print("wrote %s: %d samples, %.0f s" % (path, len(rows), len(rows) / RATE_HZ))


if __name__ == "__main__":
    main()
