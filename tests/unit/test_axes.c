/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Axis orientation: the kernel's mount matrices and the config's "+Y-X+Z" remaps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "postured/axes.h"

static void assert_vec(const double v[3], double x, double y, double z)
{
	if (v[0] != x || v[1] != y || v[2] != z)
		fail_msg("got (%g, %g, %g), expected (%g, %g, %g)", v[0], v[1], v[2], x, y, z);
}

static void apply_rows_are_output_axes(void **state)
{
	const double m[3][3] = { { 0, 1, 0 }, { -1, 0, 0 }, { 0, 0, 1 } };
	const double in[3] = { 1, 2, 3 };
	double out[3], same[3] = { 1, 2, 3 }, id[3][3];

	(void)state;
	axes_apply(m, in, out);
	assert_vec(out, 2, -1, 3);
	/* in and out may be the same array. */
	axes_apply(m, same, same);
	assert_vec(same, 2, -1, 3);
	axes_identity(id);
	axes_apply(id, in, out);
	assert_vec(out, 1, 2, 3);
}

static void mount_matrix_in_kernel_format(void **state)
{
	double m[3][3];
	const double in[3] = { 1, 2, 3 };
	double out[3];

	(void)state;
	/* As read from in_accel_mount_matrix, newline included. */
	assert_int_equal(axes_parse_mount_matrix("0, 1, 0; -1, 0, 0; 0, 0, 1\n", m), 0);
	axes_apply(m, in, out);
	assert_vec(out, 2, -1, 3);

	assert_int_equal(axes_parse_mount_matrix("1,0,0;0,1,0;0,0,1", m), 0);
	axes_apply(m, in, out);
	assert_vec(out, 1, 2, 3);

	assert_int_equal(axes_parse_mount_matrix("0.5, 0, 0; 0, -0.25, 0; 0, 0, 2", m), 0);
	axes_apply(m, in, out);
	assert_vec(out, 0.5, -0.5, 6);
}

static void mount_matrix_rejects_malformed_text(void **state)
{
	static const char *const bad[] = {
		"",
		"1, 0, 0; 0, 1, 0; 0, 0",	/* 8 numbers */
		"1, 0, 0; 0, 1, 0; 0, 0, 1; 1", /* 10 */
		"1, 0, 0, 0, 1, 0, 0, 0, 1",	/* no row separators */
		"1; 0; 0; 0; 1; 0; 0; 0; 1",	/* no column separators */
		"1, 0, 0; 0, x, 0; 0, 0, 1",
		"1, 0, 0; 0, 1, 0; 0, 0, 1 trailing",
		"1, 0, 0; 0, nan, 0; 0, 0, 1",
		"1, 0, 0; 0, inf, 0; 0, 0, 1",
	};
	double m[3][3], before[3][3];

	(void)state;
	axes_identity(m);
	memcpy(before, m, sizeof(m));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (axes_parse_mount_matrix(bad[i], m) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_memory_equal(m, before, sizeof(m));
	}
	assert_int_equal(axes_parse_mount_matrix(NULL, m), -EINVAL);
}

static void remap_maps_output_axes_to_signed_inputs(void **state)
{
	double m[3][3];
	const double in[3] = { 1, 2, 3 };
	double out[3];
	char err[256] = "";

	(void)state;
	assert_int_equal(axes_parse_remap("+Y-X+Z", m, err, sizeof(err)), 0);
	axes_apply(m, in, out);
	assert_vec(out, 2, -1, 3);

	assert_int_equal(axes_parse_remap("+X+Y+Z", m, err, sizeof(err)), 0);
	axes_apply(m, in, out);
	assert_vec(out, 1, 2, 3);

	/* Lower case and blanks between the axes are accepted. */
	assert_int_equal(axes_parse_remap(" -z +y +x ", m, err, sizeof(err)), 0);
	axes_apply(m, in, out);
	assert_vec(out, -3, 2, 1);

	assert_int_equal(axes_parse_remap("-X-Y+Z", m, err, sizeof(err)), 0);
	axes_apply(m, in, out);
	assert_vec(out, -1, -2, 3);
}

static void assert_remap_error(const char *text, const char *message)
{
	double m[3][3], before[3][3];
	char err[256] = "";

	axes_identity(m);
	memcpy(before, m, sizeof(m));
	assert_int_equal(axes_parse_remap(text, m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
	assert_memory_equal(m, before, sizeof(m));
}

static void remap_errors_name_the_problem(void **state)
{
	(void)state;
	assert_remap_error("", "'' is empty: give exactly three signed axes, like +Y-X+Z");
	assert_remap_error(NULL, "'' is empty: give exactly three signed axes, like +Y-X+Z");
	assert_remap_error("+Y-X", "'+Y-X' has fewer than three axes: give exactly three signed "
				   "axes, like +Y-X+Z");
	assert_remap_error("+Y-X+Z+X", "'+Y-X+Z+X' has more than three axes: give exactly three "
				       "signed axes, like +Y-X+Z");
	assert_remap_error("+YX+Z", "'+YX+Z': X needs a sign (+X or -X), like +Y-X+Z");
	assert_remap_error("+Y-W+Z", "'+Y-W+Z': 'W' is not an axis: use X, Y and Z, each once "
				     "with a sign, like +Y-X+Z");
	assert_remap_error("+Y-X*Z", "'+Y-X*Z': '*' is neither a sign nor an axis: give three "
				     "signed axes, like +Y-X+Z");
	assert_remap_error("+Y-X+", "'+Y-X+' ends with a sign: give three signed axes, like "
				    "+Y-X+Z");
	assert_remap_error("+Y+Y+Z", "'+Y+Y+Z' names Y twice: use each of X, Y and Z once, like "
				     "+Y-X+Z");
	/* A long value is cut in the message. */
	assert_remap_error("+Y-X+Z this is far too much text",
			   "'+Y-X+Z this is far too m...' has more than three axes: give exactly "
			   "three signed axes, like +Y-X+Z");
}

static void remap_rejects_mirror_images(void **state)
{
	(void)state;
	/* Mirrored axes would turn the gyro against the accelerometer: no mounting does that. */
	assert_remap_error("+X+Y-Z", "'+X+Y-Z' is a mirror image, not a rotation (no way of "
				     "mounting a sensor gives it): flip one sign, e.g. +X+Y+Z");
	assert_remap_error("+Y+X+Z", "'+Y+X+Z' is a mirror image, not a rotation (no way of "
				     "mounting a sensor gives it): flip one sign, e.g. +Y+X-Z");
}

static void single_axis(void **state)
{
	double v[3] = { 7, 7, 7 };

	(void)state;
	assert_int_equal(axes_parse_axis("+X", v), 0);
	assert_vec(v, 1, 0, 0);
	assert_int_equal(axes_parse_axis("-Y", v), 0);
	assert_vec(v, 0, -1, 0);
	assert_int_equal(axes_parse_axis("-z", v), 0);
	assert_vec(v, 0, 0, -1);

	assert_int_equal(axes_parse_axis("X", v), -EINVAL);
	assert_int_equal(axes_parse_axis("+W", v), -EINVAL);
	assert_int_equal(axes_parse_axis("+XY", v), -EINVAL);
	assert_int_equal(axes_parse_axis("+", v), -EINVAL);
	assert_int_equal(axes_parse_axis("", v), -EINVAL);
	assert_int_equal(axes_parse_axis(NULL, v), -EINVAL);
	assert_vec(v, 0, 0, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apply_rows_are_output_axes),
		cmocka_unit_test(mount_matrix_in_kernel_format),
		cmocka_unit_test(mount_matrix_rejects_malformed_text),
		cmocka_unit_test(remap_maps_output_axes_to_signed_inputs),
		cmocka_unit_test(remap_errors_name_the_problem),
		cmocka_unit_test(remap_rejects_mirror_images),
		cmocka_unit_test(single_axis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
