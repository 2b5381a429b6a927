/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The axis parsers on any string: the remap of a [sensor] axes key, a single signed axis and the
 * kernel's mount matrix. An accepted remap must be a rotation (a signed permutation with
 * determinant +1) and an accepted matrix finite, or every angle after it would be wrong.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postured/axes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rotation(const double m[3][3])
{
	double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
		     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
		     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);

	for (int i = 0; i < 3; i++) {
		int row = 0, col = 0;

		for (int j = 0; j < 3; j++) {
			row += fabs(m[i][j]) == 1.0 ? 1 : m[i][j] == 0.0 ? 0 : 99;
			col += fabs(m[j][i]) == 1.0 ? 1 : m[j][i] == 0.0 ? 0 : 99;
		}
		if (row != 1 || col != 1)
			abort();
	}
	if (det != 1.0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double m[3][3], v[3];
	char err[256];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (axes_parse_remap(s, m, err, sizeof(err)) == 0)
		check_rotation(m);
	if (axes_parse_axis(s, v) == 0 && fabs(v[0]) + fabs(v[1]) + fabs(v[2]) != 1.0)
		abort();
	if (axes_parse_mount_matrix(s, m) == 0)
		for (int i = 0; i < 9; i++)
			if (!isfinite(m[i / 3][i % 3]))
				abort();
	free(s);
	return 0;
}
