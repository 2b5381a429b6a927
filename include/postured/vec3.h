/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small 3-vector helpers for the pure maths modules. */
#ifndef POSTURED_VEC3_H
#define POSTURED_VEC3_H

#include <math.h>
#include <stdbool.h>

static inline double vec3_dot(const double a[3], const double b[3])
{
	return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline void vec3_cross(const double a[3], const double b[3], double out[3])
{
	double x = a[1] * b[2] - a[2] * b[1];
	double y = a[2] * b[0] - a[0] * b[2];
	double z = a[0] * b[1] - a[1] * b[0];
	out[0] = x;
	out[1] = y;
	out[2] = z;
}

static inline double vec3_norm(const double a[3])
{
	return sqrt(vec3_dot(a, a));
}

/* Returns the norm before scaling; leaves a zero vector untouched. */
static inline double vec3_normalize(double a[3])
{
	double n = vec3_norm(a);
	if (n > 0.0) {
		a[0] /= n;
		a[1] /= n;
		a[2] /= n;
	}
	return n;
}

static inline void vec3_copy(double dst[3], const double src[3])
{
	dst[0] = src[0];
	dst[1] = src[1];
	dst[2] = src[2];
}

#define RAD_PER_DEG (M_PI / 180.0)
#define DEG_PER_RAD (180.0 / M_PI)

/* The angle between two non-zero vectors, deg; rounding never takes acos out of its domain. */
static inline double vec3_angle_deg(const double a[3], const double b[3])
{
	double c = vec3_dot(a, b) / (vec3_norm(a) * vec3_norm(b));

	return acos(c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c) * DEG_PER_RAD;
}

/* The component of v orthogonal to unit r, normalised; false when v is (nearly) parallel to r. */
static inline bool vec3_orthogonal_unit(const double v[3], const double r[3], double out[3])
{
	double d = vec3_dot(v, r);

	for (int i = 0; i < 3; i++)
		out[i] = v[i] - d * r[i];
	return vec3_normalize(out) > 1e-3;
}
#define STANDARD_GRAVITY_M_S2 9.80665

#endif
