#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generates tests/data/wearer-<day>.csv.gz: five simulated days of a real wearer, scripted stories
with exact rigid-body physics, for the expected-events test tests/integration/12-wearer-days.sh.

Bodies and sensors. World axes: X forward (the wearer's initial heading), Y left, Z up. The trunk
is a rigid segment turning about the hip joint; the hip itself moves (standing up, walking,
running, rowing). The trunk's orientation is Rz(yaw) Ry(flexion) Rx(lateral) Rz(roll): flexion
forward positive about the left axis, lateral lean to the right positive, roll about the trunk's
own long axis (only used lying: 0 on the back, +90 deg on the left side, -90 on the right, -180 on
the front).
- Trunk sensor, as in the demo session: an MPU-6050 on the upper back 0.45 m above the hip
  joint; sensor x points out of the back (backward: the wearer's front is -X), y to the wearer's
  right, z up the spine.
- Head sensor (forward_head day only): on a headband at the forehead, 0.09 m in front of and
  0.12 m above the neck pivot (which is 0.60 m above the hip along the trunk); sensor x points
  forward out of the forehead, y to the wearer's left, z up through the crown. The head is the
  trunk's orientation times Ry(neck flexion).
- On the desk (desk_start day): the sensor lies flat on its skin side, so its +X axis points up
  (the accelerometer reads +9.81 m/s^2 on x), perfectly still: no breathing, no motion, only the
  sensor's noise and bias. It is picked up and put on in 3 s of large random-ish motion (turns of
  a few rad/s, a 0.25 m lift) that ends in the worn pose.

Physics. Each sensor's pose (orientation R, position p, world frame) is a smooth function of
time; the gyroscope reads the body-frame rate, log(R(t-h)^T R(t+h)) / 2h, and the accelerometer
the specific force R^T (p'' + g Z), p'' by central differences, h = 1 ms (errors below 1e-4
m/s^2). So the readings are consistent with the motion whatever it is: lever arm, centripetal
terms, gait accelerations and rotations all come from the same trajectory. Posture changes are
half-cosine ramps; on top of them, while worn: breathing sway (0.5 deg amplitude in flexion at
0.25 Hz, also lying), and while slumped or holding the head forward, fidgeting (three slow
sinusoids, 0.03-0.12 Hz, +-1.5 deg at most, zero at the phase's edges).
Gait (each pattern fades in and out over 1 s at the ends of its phase; hip: amplitudes of its
world acceleration; trunk rotations in deg; "sensor" is what the trunk accelerometer then reads,
amplitude x y z in m/s^2, printed by the script as it runs):
  walking   1.8 Hz: hip vertical 1.8 and forward 1.2 at the step frequency, sideways 0.45 at half
            of it; trunk pitch 1.5, roll 1.5, yaw 4; trunk leans 5 deg forward; 1.2 m/s.
            Sensor 1.1 0.7 1.8.
  stairs    1.6 Hz: vertical 3.0, forward 1.0, sideways 0.5; pitch 2, roll 2, yaw 3; lean 10;
            climbs 0.27 m/s. Sensor 1.6 0.9 2.9.
  running   2.7 Hz: vertical 5.0, forward 2.5, sideways 1.0; pitch 2, roll 1, yaw 5; lean 10;
            3 m/s. Sensor 2.6 1.1 4.9.
  cycling   exercise bike, trunk 35 deg forward; pedalling rocks it +-3 deg (roll) at 1.2 Hz
            against the hip's sideways sway of 1.0 m/s^2 (the pelvis rocks more than the
            shoulders), +-0.5 deg (pitch) and 0.6 m/s^2 vertical at 2.4 Hz. Sensor 1.3 0.9 0.5.
            (35 rather than 30 deg: at 30 deg ISO 11226 allows 195 s, longer than the 180 s ride,
            so a daemon counting cycling as a static posture would not be caught.)
  rowing    trunk swings between 30 deg forward and 20 deg back at 0.5 Hz, the seat slides with it
            (2.5 m/s^2). Sensor 8.4 0.0 0.8 (mostly gravity's share moving between x and z).
  jumping   2 Hz, vertical 8.5 m/s^2 (specific force 1.3 .. 18.3 m/s^2), pitch 1.5, lean 5.
            Sensor 2.2 0.0 8.5.
Sensor errors: white noise of 0.05 m/s^2 and 0.005 rad/s rms per axis, constant gyro biases
(trunk 0.010, -0.004, 0.006 rad/s; head -0.006, 0.008, 0.003 rad/s).

Columns (postured-recording 1): t, trunk.ax..gz, [head.ax..gz], then ground truth, which readers
ignore: truth.trunk_flexion_deg (signed sagittal angle of the trunk from true upright: -90 on the
back, 0 on a side, +90 on the front; nan while not worn), truth.trunk_tilt_deg (angle of the
trunk's long axis from vertical, any direction), [truth.neck_flexion_deg (head flexion minus
trunk flexion)], truth.activity (still, moving, lying). Phases are `# interval-label LABEL START
END` comment lines; transitions between postures are labelled `transition`.

Self-checks, which stop the script with a message if they fail: (1) the gyroscope, integrated
from the true orientation every 2 s, reproduces the true orientation (both sensors); (2) the
trunk accelerometer equals the rigid-body formula R^T (a_hip + g Z) + alpha x r + w x (w x r),
with w the gyroscope's reading, alpha its derivative and a_hip the hip's acceleration, both by
5-point differences of the 50 Hz samples: this ties the gyroscope's frame and sign to the
accelerometer's lever-arm terms; (3) at rest (desk, sitting, lying) the specific force is 1 g.
It also prints each gait's accelerometer amplitudes and the alerts a detector that knew the
ground truth would give by the rules tests/integration/12-wearer-days.sh expects.

Usage: tests/tools/make-wearer-days.py [DAY...]   (default all; writes tests/data/)
The output is byte-for-byte reproducible: fixed seeds, gzip header without a time stamp.
"""

import math
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the script
from recsim import half_cosine, piecewise, write_gzip  # noqa: E402

RATE_HZ = 50.0
G = 9.80665
SEED = 20261130
DIFF_H_S = 1e-3

LEVER_M = 0.45
NECK_M = 0.60
HEAD_SENSOR_M = (0.09, 0.0, 0.12)
SEAT_M = 0.50
STAND_M = 0.95
SADDLE_M = 0.80
ROWER_M = 0.30
BED_M = 0.45

ACCEL_NOISE = 0.05
GYRO_NOISE = 0.005
GYRO_BIAS = {"trunk": (0.010, -0.004, 0.006), "head": (-0.006, 0.008, 0.003)}

BREATH_DEG = 0.5
BREATH_HZ = 0.25
FIDGET_DEG = 1.5
GAIT_RAMP_S = 1.0
FIDGET_RAMP_S = 2.0

# Sensor axes as columns in body axes (body: X front, Y left, Z up the spine).
TRUNK_MOUNT = ((-1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, 0.0, 1.0))
HEAD_MOUNT = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
# On the desk: sensor x up, z horizontal 30 deg left of world forward, y = z cross x.
_DZ = (math.cos(math.radians(30.0)), math.sin(math.radians(30.0)), 0.0)
DESK_R = ((0.0, _DZ[1], _DZ[0]), (0.0, -_DZ[0], _DZ[1]), (1.0, 0.0, 0.0))
DESK_P = (0.5, 0.3, 0.75)
DON_LIFT_M = 0.25
DON_WOBBLE_RAD = 0.6

CHANNELS = ("flex", "lat", "roll", "yaw", "neck", "hip_x", "hip_y", "hip_z")
ANGLE_CHANNELS = ("flex", "lat", "roll", "yaw", "neck")

# Gait patterns: (channel, amplitude, frequency Hz, phase rad). Hip channels: acceleration
# amplitude, m/s^2; angle channels: deg. Frequency 0: a constant offset (the walking lean).
WALK_HZ = 1.8
WALK = [("hip_z", 1.8, WALK_HZ, 0.0), ("hip_x", 1.2, WALK_HZ, math.pi / 2),
        ("hip_y", 0.45, WALK_HZ / 2, 0.0), ("flex", 5.0, 0.0, 0.0),
        ("flex", 1.5, WALK_HZ, math.pi / 3), ("lat", 1.5, WALK_HZ / 2, math.pi / 2),
        ("yaw", 4.0, WALK_HZ / 2, math.pi / 2)]
STAIRS_HZ = 1.6
STAIRS = [("hip_z", 3.0, STAIRS_HZ, 0.0), ("hip_x", 1.0, STAIRS_HZ, math.pi / 2),
          ("hip_y", 0.5, STAIRS_HZ / 2, 0.0), ("flex", 10.0, 0.0, 0.0),
          ("flex", 2.0, STAIRS_HZ, math.pi / 3), ("lat", 2.0, STAIRS_HZ / 2, math.pi / 2),
          ("yaw", 3.0, STAIRS_HZ / 2, math.pi / 2)]
RUN_HZ = 2.7
RUN = [("hip_z", 5.0, RUN_HZ, 0.0), ("hip_x", 2.5, RUN_HZ, math.pi / 2),
       ("hip_y", 1.0, RUN_HZ / 2, 0.0), ("flex", 10.0, 0.0, 0.0),
       ("flex", 2.0, RUN_HZ, math.pi / 2), ("lat", 1.0, RUN_HZ / 2, math.pi / 2),
       ("yaw", 5.0, RUN_HZ / 2, math.pi / 2)]
# Pedalling rocks the pelvis on the saddle more than the shoulders: the trunk's roll opposes the
# hip's sideways sway.
CYCLE = [("lat", 3.0, 1.2, math.pi), ("flex", 0.5, 2.4, 0.0), ("yaw", 2.0, 1.2, math.pi / 2),
         ("hip_y", 1.0, 1.2, 0.0), ("hip_z", 0.6, 2.4, 0.0), ("hip_x", 0.5, 2.4, math.pi / 2)]
# The seat is forward (the catch) when the trunk leans forward: same phase.
ROW = [("flex", 25.0, 0.5, 0.0), ("hip_x", 2.5, 0.5, math.pi)]
JUMP = [("hip_z", 8.5, 2.0, 0.0), ("flex", 5.0, 0.0, 0.0), ("flex", 1.5, 2.0, math.pi / 2)]


# --- 3-vectors and rotation matrices (tuples of rows) ---

def matmul(a, b):
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3))
                 for i in range(3))


def transpose(a):
    return tuple(tuple(a[j][i] for j in range(3)) for i in range(3))


def matvec(a, v):
    return tuple(a[i][0] * v[0] + a[i][1] * v[1] + a[i][2] * v[2] for i in range(3))


def rot(axis, deg):
    c = math.cos(math.radians(deg))
    s = math.sin(math.radians(deg))
    if axis == "x":
        return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))
    if axis == "y":
        return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def exp_so3(v):
    """The rotation by |v| rad about v (Rodrigues)."""
    angle = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
    if angle < 1e-12:
        return ((1.0, -v[2], v[1]), (v[2], 1.0, -v[0]), (-v[1], v[0], 1.0))
    k = [c / angle for c in v]
    c = math.cos(angle)
    s = math.sin(angle)
    t = 1.0 - c
    return ((c + k[0] * k[0] * t, k[0] * k[1] * t - k[2] * s, k[0] * k[2] * t + k[1] * s),
            (k[1] * k[0] * t + k[2] * s, c + k[1] * k[1] * t, k[1] * k[2] * t - k[0] * s),
            (k[2] * k[0] * t - k[1] * s, k[2] * k[1] * t + k[0] * s, c + k[2] * k[2] * t))


def log_so3(r):
    """The rotation vector of r (angle below pi)."""
    cos_a = max(-1.0, min(1.0, (r[0][0] + r[1][1] + r[2][2] - 1.0) / 2.0))
    angle = math.acos(cos_a)
    w = (r[2][1] - r[1][2], r[0][2] - r[2][0], r[1][0] - r[0][1])
    if angle < 1e-6:
        return tuple(c / 2.0 for c in w)
    f = angle / (2.0 * math.sin(angle))
    return tuple(c * f for c in w)


def angle_deg(a, b):
    """The angle of the rotation from a to b."""
    v = log_so3(matmul(transpose(a), b))
    return math.degrees(math.sqrt(sum(c * c for c in v)))


def add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


# --- Stories ---

def envelope(t, start, end, ramp_s):
    """1 inside [start, end], fading in and out over ramp_s at its edges with half-cosines."""
    if t <= start or t >= end:
        return 0.0
    return (half_cosine(t, start, start + ramp_s, 0.0, 1.0)[0]
            - half_cosine(t, end - ramp_s, end, 0.0, 1.0)[0])


class Story:
    """A day built phase by phase: ramps of the posture channels, gait waves, fidgets."""

    def __init__(self, name, summary, head=False, **levels):
        self.name = name
        self.summary = summary
        self.head = head
        self.rng = random.Random("%d-%s" % (SEED, name))
        self.t = 0.0
        self.phases = []
        self.level = {c: 0.0 for c in CHANNELS}
        self.level["hip_z"] = SEAT_M
        self.level.update(levels)
        self.initial = dict(self.level)
        self.ramps = {c: [] for c in CHANNELS}
        self.waves = []
        self.fidgets = []
        self.donning = None
        self.wobble = None

    def hold(self, label, duration_s, activity="still", fidget=()):
        start = self.t
        self.phases.append((label, start, start + duration_s, activity))
        self.t += duration_s
        for channel in fidget:
            parts = []
            weights = [self.rng.uniform(0.5, 1.0) for _ in range(3)]
            for w in weights:
                parts.append((FIDGET_DEG * w / sum(weights), self.rng.uniform(0.03, 0.12),
                              self.rng.uniform(0.0, 2.0 * math.pi)))
            self.fidgets.append((channel, start, self.t, parts))

    def move(self, label, duration_s, activity="moving", **targets):
        """Ramps each channel through its waypoints (one value, or a list spread evenly)."""
        for channel, to in targets.items():
            points = to if isinstance(to, (list, tuple)) else [to]
            step = duration_s / len(points)
            for k, value in enumerate(points):
                self.ramps[channel].append((self.t + k * step, self.t + (k + 1) * step,
                                            self.level[channel], value))
                self.level[channel] = value
        self.hold(label, duration_s, activity)

    def gait(self, label, duration_s, pattern, speed_m_s=0.0, climb_m_s=0.0, **targets):
        self.waves.append((self.t, self.t + duration_s, pattern))
        targets.setdefault("hip_x", self.level["hip_x"] + speed_m_s * duration_s)
        targets.setdefault("hip_z", self.level["hip_z"] + climb_m_s * duration_s)
        self.move(label, duration_s, "moving", **targets)

    def desk(self, desk_s, donning_s):
        self.hold("desk", desk_s)
        self.donning = (self.t, self.t + donning_s)
        self.wobble = [[(self.rng.uniform(-1.0, 1.0) * DON_WOBBLE_RAD, self.rng.uniform(0.8, 2.0),
                         self.rng.uniform(0.0, 2.0 * math.pi)) for _ in range(2)]
                       for _ in range(3)]
        self.hold("donning", donning_s, "moving")

    def stand_up(self, lean_deg=35.0):
        self.move("transition", 2.0, flex=[lean_deg, 0.0],
                  hip_z=[self.level["hip_z"], STAND_M], hip_x=[self.level["hip_x"],
                                                               self.level["hip_x"] + 0.3])

    def sit_down(self, seat_m=SEAT_M):
        x = self.level["hip_x"]
        self.move("transition", 2.0, flex=[25.0, 0.0],
                  hip_z=[(self.level["hip_z"] + seat_m) / 2.0, seat_m], hip_x=[x - 0.1, x - 0.2])

    def channels(self, t):
        c = {name: piecewise(t, self.ramps[name], self.initial[name])[0] for name in CHANNELS}
        for start, end, pattern in self.waves:
            if not start < t < end:
                continue
            env = envelope(t, start, end, GAIT_RAMP_S)
            for name, amplitude, hz, phase in pattern:
                w = 2.0 * math.pi * hz
                if hz == 0.0:
                    c[name] += env * amplitude
                elif name in ANGLE_CHANNELS:
                    c[name] += env * amplitude * math.sin(w * t + phase)
                else:
                    # The displacement whose second derivative is amplitude * sin(w t + phase).
                    c[name] += env * -amplitude / (w * w) * math.sin(w * t + phase)
        for name, start, end, parts in self.fidgets:
            if start < t < end:
                env = envelope(t, start, end, FIDGET_RAMP_S)
                c[name] += env * sum(a * math.sin(2.0 * math.pi * hz * t + p)
                                     for a, hz, p in parts)
        c["flex"] += BREATH_DEG * math.sin(2.0 * math.pi * BREATH_HZ * t)
        return c

    def bodies(self, t):
        """Trunk and head orientations (body axes) and the hip position."""
        c = self.channels(t)
        trunk = matmul(matmul(rot("z", c["yaw"]), rot("y", c["flex"])),
                       matmul(rot("x", c["lat"]), rot("z", c["roll"])))
        head = matmul(trunk, rot("y", c["neck"]))
        return trunk, head, (c["hip_x"], c["hip_y"], c["hip_z"])

    def poses(self, t):
        """Each sensor's orientation and position at t."""
        trunk, head, hip = self.bodies(t)
        out = {"trunk": (matmul(trunk, TRUNK_MOUNT), add(hip, matvec(trunk, (0.0, 0.0, LEVER_M))))}
        if self.head:
            neck = add(hip, matvec(trunk, (0.0, 0.0, NECK_M)))
            out["head"] = (matmul(head, HEAD_MOUNT), add(neck, matvec(head, HEAD_SENSOR_M)))
        if self.donning is not None and t < self.donning[1]:
            out["trunk"] = self.off_body(t, *out["trunk"])
        return out

    def off_body(self, t, worn_r, worn_p):
        """On the desk, or being put on: the way from the desk to the worn pose, plus wobble."""
        start, end = self.donning
        if t <= start:
            return DESK_R, DESK_P
        s = half_cosine(t, start, end, 0.0, 1.0)[0]
        bump = math.sin(math.pi * (t - start) / (end - start)) ** 2
        r = matmul(DESK_R, exp_so3(tuple(s * c for c in log_so3(matmul(transpose(DESK_R),
                                                                       worn_r)))))
        wobble = tuple(bump * sum(a * math.sin(2.0 * math.pi * hz * (t - start) + p)
                                  for a, hz, p in axis) for axis in self.wobble)
        p = tuple(d + s * (w - d) for d, w in zip(DESK_P, worn_p))
        return matmul(r, exp_so3(wobble)), add(p, (0.0, 0.0, DON_LIFT_M * bump))

    def worn(self, t):
        return self.donning is None or t >= self.donning[1]

    def activity(self, t):
        for _, start, end, activity in self.phases:
            if start <= t < end:
                return activity
        return self.phases[-1][3]


def sagittal_deg(body):
    """Signed forward angle of a body's long axis from vertical (its elevation in the sagittal
    plane, -90 on the back, 0 upright or on a side, +90 on the front) and its tilt from vertical
    in any direction."""
    u = body[2]  # world up in body axes
    return (math.degrees(math.atan2(-u[0], math.hypot(u[1], u[2]))),
            math.degrees(math.acos(max(-1.0, min(1.0, u[2])))))


def desk_start():
    s = Story("desk_start", "on the desk 60 s, put on, sit, walk, sit, slump 35 deg 300 s, sit")
    s.desk(60.0, 3.0)
    s.hold("sitting", 60.0)
    s.stand_up()
    s.gait("walking", 60.0, WALK, speed_m_s=1.2)
    s.sit_down()
    s.hold("sitting", 120.0)
    s.move("transition", 4.0, flex=35.0)
    s.hold("slumped", 300.0, fidget=("flex",))
    s.move("transition", 2.0, flex=0.0)
    s.hold("sitting", 60.0)
    return s


def reclined_start():
    s = Story("reclined_start", "sits reclined 25 deg, stands, walks, sits, slumps 30 deg 300 s",
              flex=-25.0)
    s.hold("reclined", 60.0)
    s.stand_up()
    s.hold("standing", 20.0)
    s.gait("walking", 90.0, WALK, speed_m_s=1.2)
    s.sit_down()
    s.hold("sitting", 120.0)
    s.move("transition", 4.0, flex=30.0)
    s.hold("slumped", 300.0, fidget=("flex",))
    s.move("transition", 2.0, flex=0.0)
    s.hold("sitting", 20.0)
    s.stand_up()
    s.hold("standing", 20.0)
    return s


def active():
    s = Story("active", "sits, walks, stairs, runs, cycles, rows, jumps, sits: no alert")
    s.hold("sitting", 60.0)
    s.stand_up()
    s.gait("walking", 120.0, WALK, speed_m_s=1.2)
    s.gait("stairs", 60.0, STAIRS, speed_m_s=0.45, climb_m_s=0.27)
    s.gait("running", 60.0, RUN, speed_m_s=3.0)
    s.move("transition", 4.0, flex=35.0, hip_z=SADDLE_M, hip_x=s.level["hip_x"] + 0.5)
    s.gait("cycling", 180.0, CYCLE)
    s.move("transition", 6.0, flex=[0.0, 5.0], hip_z=[STAND_M, ROWER_M])
    s.gait("rowing", 120.0, ROW)
    s.move("transition", 3.0, flex=[30.0, 0.0], hip_z=[(ROWER_M + STAND_M) / 2.0, STAND_M])
    s.gait("jumping", 30.0, JUMP)
    s.sit_down()
    s.hold("sitting", 60.0)
    return s


def lying():
    s = Story("lying", "sits, walks, lies on the back, left, right, front, sits up: no alert")
    s.hold("sitting", 60.0)
    s.stand_up()
    s.gait("walking", 40.0, WALK, speed_m_s=1.2)
    s.move("transition", 4.0, flex=-90.0, hip_z=BED_M, hip_x=s.level["hip_x"] + 0.2)
    s.hold("lying_back", 180.0, "lying")
    s.move("transition", 3.0, roll=90.0)
    s.hold("lying_left", 180.0, "lying")
    s.move("transition", 4.0, roll=-90.0)
    s.hold("lying_right", 180.0, "lying")
    s.move("transition", 3.0, roll=-180.0)
    s.hold("lying_front", 180.0, "lying")
    s.move("transition", 4.0, flex=0.0, hip_z=SEAT_M)
    s.hold("sitting", 60.0)
    return s


def forward_head():
    s = Story("forward_head", "two sensors: sits, walks, head forward 32 deg 360 s, sits, "
              "slumps 30 deg with the head 300 s", head=True)
    s.hold("sitting", 60.0)
    s.stand_up()
    s.gait("walking", 40.0, WALK, speed_m_s=1.2)
    s.sit_down()
    s.move("transition", 2.0, neck=32.0)
    s.hold("forward_head", 360.0, fidget=("neck",))
    s.move("transition", 2.0, neck=0.0)
    s.hold("sitting", 60.0)
    s.move("transition", 4.0, flex=30.0, neck=5.0)
    s.hold("slumped", 300.0, fidget=("flex",))
    return s


DAYS = [desk_start, reclined_start, active, lying, forward_head]


# --- Simulation and checks ---

def simulate(story):
    """Per sample: t, {role: (R, accel, gyro)} noise-free, hip position, truth."""
    dt = 1.0 / RATE_HZ
    n = int(round(story.t * RATE_HZ))
    h = DIFF_H_S
    rows = []
    for i in range(n):
        t = i * dt
        before = story.poses(t - h)
        now = story.poses(t)
        after = story.poses(t + h)
        sensors = {}
        for role, (r, p) in now.items():
            acc = tuple((after[role][1][k] - 2.0 * p[k] + before[role][1][k]) / (h * h)
                        for k in range(3))
            accel = matvec(transpose(r), add(acc, (0.0, 0.0, G)))
            gyro = tuple(c / (2.0 * h) for c in log_so3(matmul(transpose(before[role][0]),
                                                               after[role][0])))
            sensors[role] = (r, accel, gyro)
        trunk, head, hip = story.bodies(t)
        flex, tilt = sagittal_deg(trunk)
        truth = {"flex": flex if story.worn(t) else math.nan, "tilt": tilt if story.worn(t)
                 else math.nan, "neck": sagittal_deg(head)[0] - flex,
                 "activity": story.activity(t)}
        rows.append((t, sensors, hip, truth))
    return rows


def check_gyro(story, rows):
    """Integrates each noise-free gyroscope from the true orientation, re-anchored every 2 s."""
    dt = 1.0 / RATE_HZ
    anchor = int(2.0 * RATE_HZ)
    worst = 0.0
    for role in rows[0][1]:
        est = None
        for i, (_, sensors, _, _) in enumerate(rows):
            r, _, gyro = sensors[role]
            if i % anchor == 0:
                est = r
                continue
            mid = tuple((a + b) / 2.0 * dt for a, b in zip(rows[i - 1][1][role][2], gyro))
            est = matmul(est, exp_so3(mid))
            worst = max(worst, angle_deg(est, r))
    if worst > 0.5:
        sys.exit("make-wearer-days: %s: the integrated gyroscope is %.2f deg off the true "
                 "orientation: frame or sign error?" % (story.name, worst))
    return worst


def edges(story):
    """Times where a ramp or an envelope starts or ends: the second derivatives jump there."""
    out = set()
    for ramps in story.ramps.values():
        for start, end, _, _ in ramps:
            out.update((start, (start + end) / 2.0, end))
    for start, end, _ in story.waves:
        out.update((start, start + GAIT_RAMP_S, end - GAIT_RAMP_S, end))
    for _, start, end, _ in story.fidgets:
        out.update((start, start + FIDGET_RAMP_S, end - FIDGET_RAMP_S, end))
    if story.donning is not None:
        out.update(story.donning)
    return sorted(out)


def check_rigid_body(story, rows):
    """The trunk accelerometer against the rigid-body formula from the 50 Hz gyro and hip."""
    dt = 1.0 / RATE_HZ
    lever = (0.0, 0.0, LEVER_M)
    jumps = edges(story)
    worst = 0.0
    for i in range(2, len(rows) - 2):
        t = rows[i][0]
        if not story.worn(t - 3 * dt) or any(abs(t - e) < 3 * dt for e in jumps):
            continue
        r, accel, gyro = rows[i][1]["trunk"]
        hip = [rows[i + k][2] for k in (-2, -1, 0, 1, 2)]
        a_hip = tuple((-hip[4][j] + 16 * hip[3][j] - 30 * hip[2][j] + 16 * hip[1][j] - hip[0][j])
                      / (12.0 * dt * dt) for j in range(3))
        w = [rows[i + k][1]["trunk"][2] for k in (-2, -1, 1, 2)]
        alpha = tuple((-w[3][j] + 8 * w[2][j] - 8 * w[1][j] + w[0][j]) / (12.0 * dt)
                      for j in range(3))
        # The lever in sensor axes: the mount keeps z up the spine.
        want = add(add(matvec(transpose(r), add(a_hip, (0.0, 0.0, G))), cross(alpha, lever)),
                   cross(gyro, cross(gyro, lever)))
        worst = max(worst, max(abs(a - b) for a, b in zip(accel, want)))
    if worst > 0.05:
        sys.exit("make-wearer-days: %s: the accelerometer is %.3f m/s^2 off the rigid-body "
                 "formula: lever arm, frame or sign error?" % (story.name, worst))
    return worst


def check_rest(story, rows):
    """Sitting, standing, lying or on the desk: the specific force is gravity's reaction (but
    at the very end of a half-cosine ramp, where the acceleration jumps to 0)."""
    dt = 1.0 / RATE_HZ
    jumps = edges(story)
    worst = 0.0
    for t, sensors, _, truth in rows:
        if truth["activity"] == "moving" or any(abs(t - e) < dt / 2.0 for e in jumps):
            continue
        for _, accel, _ in sensors.values():
            worst = max(worst, abs(math.sqrt(sum(c * c for c in accel)) - G))
    if worst > 0.02:
        sys.exit("make-wearer-days: %s: at rest the specific force is %.3f m/s^2 off 1 g"
                 % (story.name, worst))
    return worst


def gait_amplitudes(story, rows):
    """Per gait phase, each accelerometer axis's amplitude (sqrt(2) times its standard
    deviation) on the trunk, noise-free, away from the phase's fade-in and fade-out."""
    out = []
    for start, end, _ in story.waves:
        label = next(p[0] for p in story.phases if p[1] == start)
        axes = [[] for _ in range(3)]
        for t, sensors, _, _ in rows:
            if start + 2.0 * GAIT_RAMP_S <= t <= end - 2.0 * GAIT_RAMP_S:
                for k in range(3):
                    axes[k].append(sensors["trunk"][1][k])
        amps = []
        for values in axes:
            mean = sum(values) / len(values)
            amps.append(math.sqrt(2.0 * sum((v - mean) ** 2 for v in values) / len(values)))
        out.append("%s %.1f %.1f %.1f" % (label, amps[0], amps[1], amps[2]))
    return out


def iso_hold_s(deg):
    """ISO 11226 trunk holding time: 240 s at 20 deg falling linearly to 60 s at 60 deg."""
    return 240.0 - 4.5 * (min(deg, 60.0) - 20.0)


def ideal_alerts(story, rows):
    """What a detector that knew the truth would report, by the rules 12-wearer-days.sh
    expects: trunk dose only while still, neck flexion beyond 25 deg held 30 s, re-alerts every
    120 s, a slump ended 5 deg below its threshold. A check of the test's arithmetic."""
    dt = 1.0 / RATE_HZ
    out = []
    dose = 0.0
    trunk_at = None
    neck_from = None
    neck_at = None
    for t, _, _, truth in rows:
        flex = truth["flex"]
        if math.isnan(flex):
            continue
        if truth["activity"] == "still" and flex > 20.0:
            dose += dt / iso_hold_s(flex)
        if flex < 15.0:
            if trunk_at is not None:
                out.append("trunk ended %.1f" % t)
            dose = 0.0
            trunk_at = None
        elif dose >= 1.0 and (trunk_at is None or t - trunk_at >= 120.0):
            out.append("trunk alert %.1f" % t)
            trunk_at = t
        if not story.head:
            continue
        neck = truth["neck"]
        if neck > 25.0:
            neck_from = t if neck_from is None else neck_from
            if t - neck_from >= 30.0 and (neck_at is None or t - neck_at >= 120.0):
                out.append("neck alert %.1f" % t)
                neck_at = t
        elif neck < 20.0:
            if neck_at is not None:
                out.append("neck ended %.1f" % t)
            neck_from = None
            neck_at = None
    return out


def header(story):
    roles = ["trunk", "head"] if story.head else ["trunk"]
    lines = [
        "# postured-recording 1",
        "# Synthetic wearer day '%s': %s." % (story.name, story.summary),
        "# 50 Hz, made by tests/tools/make-wearer-days.py (seed %d); its docstring has the" % SEED,
        "# physics. Trunk MPU-6050 on the upper back 0.45 m above the hip: x backward, y right,",
        "# z up the spine.",
    ]
    if story.head:
        lines.append("# Head sensor on a headband at the forehead: x forward, y left, z up.")
    if story.donning is not None:
        lines.append("# Until it is put on, the sensor lies flat on a desk with +X up.")
    lines.append("# truth.* columns are the simulated ground truth; readers ignore them.")
    for label, start, end, _ in story.phases:
        lines.append("# interval-label %s %.2f %.2f" % (label, start, end))
    columns = ["t"]
    for role in roles:
        columns += ["%s.%s" % (role, axis) for axis in ("ax", "ay", "az", "gx", "gy", "gz")]
    columns += ["truth.trunk_flexion_deg", "truth.trunk_tilt_deg"]
    if story.head:
        columns.append("truth.neck_flexion_deg")
    columns.append("truth.activity")
    lines.append(",".join(columns))
    return roles, lines


def write(story, rows, path):
    rng = random.Random("%d-%s-noise" % (SEED, story.name))
    roles, lines = header(story)
    for t, sensors, _, truth in rows:
        fields = ["%.2f" % t]
        for role in roles:
            _, accel, gyro = sensors[role]
            fields += ["%.3f" % (v + rng.gauss(0.0, ACCEL_NOISE)) for v in accel]
            fields += ["%.4f" % (v + b + rng.gauss(0.0, GYRO_NOISE))
                       for v, b in zip(gyro, GYRO_BIAS[role])]
        fields += ["%.2f" % truth["flex"], "%.1f" % truth["tilt"]]
        if story.head:
            fields.append("%.2f" % truth["neck"])
        fields.append(truth["activity"])
        lines.append(",".join(fields))
    write_gzip(lines, path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = os.path.normpath(os.path.join(here, "..", "data"))
    wanted = sys.argv[1:] or [day.__name__ for day in DAYS]
    for day in DAYS:
        if day.__name__ not in wanted:
            continue
        story = day()
        rows = simulate(story)
        gyro_deg = check_gyro(story, rows)
        rigid = check_rigid_body(story, rows)
        rest = check_rest(story, rows)
        path = os.path.join(out_dir, "wearer-%s.csv.gz" % story.name.replace("_", "-"))
        write(story, rows, path)
        print("wrote %s: %.0f s; checks: gyro %.3f deg, rigid body %.4f m/s^2, rest %.4f m/s^2"
              % (path, story.t, gyro_deg, rigid, rest))
        if story.waves:
            print("  trunk accelerometer amplitudes x y z, m/s^2: %s"
                  % "; ".join(gait_amplitudes(story, rows)))
        print("  ideal detector on the ground truth: %s"
              % (", ".join(ideal_alerts(story, rows)) or "no alert"))
        for label, start, end, activity in story.phases:
            print("  %-13s %7.2f %7.2f  %s" % (label, start, end, activity))


if __name__ == "__main__":
    main()
