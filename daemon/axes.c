/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Axis orientation. A remap must be a rotation: a mirrored frame would turn the gyro (a
 * pseudovector) the wrong way relative to the accelerometer, and the estimator would diverge
 * without any visible error, so mirror images are rejected here where the user can fix them.
 */
#include "postured/axes.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REMAP_EXAMPLE "+Y-X+Z"

void axes_apply(const double m[3][3], const double in[3], double out[3])
{
	double r[3];

	for (int i = 0; i < 3; i++)
		r[i] = m[i][0] * in[0] + m[i][1] * in[1] + m[i][2] * in[2];
	for (int i = 0; i < 3; i++)
		out[i] = r[i];
}

void axes_identity(double m[3][3])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			m[i][j] = i == j ? 1.0 : 0.0;
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

int axes_parse_mount_matrix(const char *text, double m[3][3])
{
	double v[9];
	const char *s;

	if (!text)
		return -EINVAL;
	s = text;
	for (int i = 0; i < 9; i++) {
		char *end;

		s = skip_space(s);
		v[i] = strtod(s, &end);
		if (end == s || !isfinite(v[i]))
			return -EINVAL;
		s = skip_space(end);
		if (i == 8)
			break;
		if (*s != (i % 3 == 2 ? ';' : ','))
			return -EINVAL;
		s++;
	}
	if (*s != '\0')
		return -EINVAL;
	for (int i = 0; i < 9; i++)
		m[i / 3][i % 3] = v[i];
	return 0;
}

static double det3(const double m[3][3])
{
	return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
	       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
	       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* Index of axis letter c (X, Y, Z in either case), or -1. */
static int axis_index(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'X':
		return 0;
	case 'Y':
		return 1;
	case 'Z':
		return 2;
	default:
		return -1;
	}
}

/* Longer remaps are cut in messages: the point is to show which text was meant. */
#define REMAP_SHOWN_MAX 24

int axes_parse_remap(const char *text, double m[3][3], char *err, size_t err_len)
{
	double r[3][3] = { { 0 } };
	bool seen[3] = { false, false, false };
	char sign[3], letter[3];
	const char *t = text ? text : "";
	const char *s = t;
	int shown = (int)strnlen(s, REMAP_SHOWN_MAX + 1);
	const char *more = shown > REMAP_SHOWN_MAX ? "..." : "";
	int n = 0;

	if (shown > REMAP_SHOWN_MAX)
		shown = REMAP_SHOWN_MAX;
	for (s = skip_space(s); *s != '\0'; s = skip_space(s)) {
		int axis;

		if (n == 3) {
			snprintf(err, err_len,
				 "'%.*s%s' has more than three axes: give exactly three "
				 "signed axes, like " REMAP_EXAMPLE,
				 shown, t, more);
			return -EINVAL;
		}
		if (*s != '+' && *s != '-') {
			if (axis_index(*s) >= 0)
				snprintf(
				    err, err_len,
				    "'%.*s%s': %c needs a sign (+%c or -%c), like " REMAP_EXAMPLE,
				    shown, t, more, toupper((unsigned char)*s),
				    toupper((unsigned char)*s), toupper((unsigned char)*s));
			else
				snprintf(err, err_len,
					 "'%.*s%s': '%c' is neither a sign nor an axis: "
					 "give three signed axes, like " REMAP_EXAMPLE,
					 shown, t, more, *s);
			return -EINVAL;
		}
		sign[n] = *s++;
		s = skip_space(s);
		axis = axis_index(*s);
		if (axis < 0) {
			if (*s == '\0')
				snprintf(err, err_len,
					 "'%.*s%s' ends with a sign: give three signed "
					 "axes, like " REMAP_EXAMPLE,
					 shown, t, more);
			else
				snprintf(err, err_len,
					 "'%.*s%s': '%c' is not an axis: use X, Y and Z, "
					 "each once with a sign, like " REMAP_EXAMPLE,
					 shown, t, more, *s);
			return -EINVAL;
		}
		letter[n] = (char)toupper((unsigned char)*s++);
		if (seen[axis]) {
			snprintf(err, err_len,
				 "'%.*s%s' names %c twice: use each of X, Y and Z once, "
				 "like " REMAP_EXAMPLE,
				 shown, t, more, letter[n]);
			return -EINVAL;
		}
		seen[axis] = true;
		r[n][axis] = sign[n] == '+' ? 1.0 : -1.0;
		n++;
	}
	if (n < 3) {
		snprintf(err, err_len,
			 "'%.*s%s' %s: give exactly three signed axes, like " REMAP_EXAMPLE, shown,
			 t, more, n == 0 ? "is empty" : "has fewer than three axes");
		return -EINVAL;
	}
	if (det3(r) < 0.0) {
		snprintf(err, err_len,
			 "'%.*s%s' is a mirror image, not a rotation (no way of "
			 "mounting a sensor gives it): flip one sign, e.g. %c%c%c%c%c%c",
			 shown, t, more, sign[0], letter[0], sign[1], letter[1],
			 sign[2] == '+' ? '-' : '+', letter[2]);
		return -EINVAL;
	}
	memcpy(m, r, sizeof(r));
	return 0;
}

int axes_parse_axis(const char *text, double v[3])
{
	int axis;

	if (!text || (text[0] != '+' && text[0] != '-'))
		return -EINVAL;
	axis = axis_index(text[1]);
	if (axis < 0 || text[2] != '\0')
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		v[i] = 0.0;
	v[axis] = text[0] == '+' ? 1.0 : -1.0;
	return 0;
}
