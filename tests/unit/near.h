/* SPDX-License-Identifier: GPL-2.0-or-later */
/* assert_near(): cmocka's assert_float_equal() takes floats; postured's maths is in double. */
#ifndef POSTURED_TEST_NEAR_H
#define POSTURED_TEST_NEAR_H

#include <math.h>

static inline void assert_near_at(double got, double want, double tolerance, const char *file,
				  int line)
{
	if (fabs(got - want) <= tolerance)
		return;
	print_error("%.9g is not within %.9g of %.9g\n", got, tolerance, want);
	_fail(file, line);
}

#define assert_near(got, want, tolerance)                                                          \
	assert_near_at((got), (want), (tolerance), __FILE__, __LINE__)

#endif
