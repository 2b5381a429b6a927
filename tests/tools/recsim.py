# SPDX-License-Identifier: GPL-2.0-or-later
"""What the generators of synthetic recordings share (make-demo-session.py, make-wearer-days.py):
half-cosine posture ramps, smooth random fidgeting, numerical derivatives, and the reproducible
gzip writer. Python 3 standard library only; imported from the scripts' own directory."""

import gzip
import math
import os


def half_cosine(t, start, end, a, b):
    """Value, first and second derivative of a half-cosine ramp from a to b over [start, end]."""
    if t <= start:
        return a, 0.0, 0.0
    if t >= end:
        return b, 0.0, 0.0
    w = math.pi / (end - start)
    s = t - start
    half = (b - a) / 2.0
    return (a + half * (1.0 - math.cos(w * s)),
            half * w * math.sin(w * s),
            half * w * w * math.cos(w * s))


def piecewise(t, ramps, initial):
    """The ramp covering t, or the value the latest finished ramp left."""
    value = initial
    for start, end, a, b in ramps:
        if t < start:
            break
        if t <= end:
            return half_cosine(t, start, end, a, b)
        value = b
    return value, 0.0, 0.0


def smooth_noise(rng, n, dt, tau_s, rms):
    """A random walk pulled back to 0 (Ornstein-Uhlenbeck), low-passed twice so that its second
    derivative stays physical; rms is its standard deviation."""
    alpha = dt / tau_s
    x = 0.0
    y = 0.0
    z = 0.0
    step = rms * math.sqrt(2.0 * alpha)
    out = []
    for _ in range(n):
        x += -alpha * x + step * rng.gauss(0.0, 1.0)
        y += alpha * 2.0 * (x - y)
        z += alpha * 2.0 * (y - z)
        out.append(z)
    return out


def derivative(values, dt):
    """Central differences (one-sided at the ends)."""
    n = len(values)
    out = [0.0] * n
    for i in range(n):
        lo = max(i - 1, 0)
        hi = min(i + 1, n - 1)
        out[i] = (values[hi] - values[lo]) / ((hi - lo) * dt)
    return out


def write_gzip(lines, path):
    """Writes the lines as a .csv.gz that is the same byte for byte on every run: maximum
    compression, no file name and no time stamp in the gzip header; replaced atomically."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as gz:
            gz.write(data)
    os.replace(tmp, path)
