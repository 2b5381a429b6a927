/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sensor axis orientation: IIO mount matrices and "+Y-X+Z" style remaps. Pure. */
#ifndef POSTURED_AXES_H
#define POSTURED_AXES_H

#include <stddef.h>

/* out = m * in (rows of m are the output axes, as the kernel's mount matrix defines them). */
void axes_apply(const double m[3][3], const double in[3], double out[3]);
void axes_identity(double m[3][3]);
/* Parses the kernel's "x1, y1, z1; x2, y2, z2; x3, y3, z3". */
int axes_parse_mount_matrix(const char *text, double m[3][3]);
/*
 * Parses a remap like "+Y-X+Z": output x is +input y, output y is -input x, ...
 * Each axis must appear once. On error returns -EINVAL with a message in err.
 */
int axes_parse_remap(const char *text, double m[3][3], char *err, size_t err_len);
/* Parses a single signed axis like "+X" or "-Z" into a unit vector. */
int axes_parse_axis(const char *text, double v[3]);

#endif
