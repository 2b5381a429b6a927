/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IIO scan layout and decoding: hand-made scans as the kernel lays them out. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "postured/scan.h"

#define S16_BE                                                                                     \
	{                                                                                          \
		0, 16, 16, 0, true, true                                                           \
	}
#define TS_LE                                                                                      \
	{                                                                                          \
		0, 64, 64, 0, true, false                                                          \
	}

/* inv_mpu6050 with accel, gyro and timestamp enabled (temp, index 3, disabled). */
static void mpu6050_scan(void **state)
{
	struct scan_element els[7] = { S16_BE, S16_BE, S16_BE, S16_BE, S16_BE, S16_BE, TS_LE };
	static const unsigned int index[7] = { 0, 1, 2, 4, 5, 6, 7 };
	const uint8_t scan[24] = { 0x00, 0x10, 0xff, 0xfe, 0x40, 0x00, /* accel 16, -2, 16384 */
				   0x80, 0x00, 0x7f, 0xff, 0x00, 0x00, /* gyro -32768, 32767, 0 */
				   0xaa, 0xbb, 0xcc, 0xdd,	       /* padding */
				   0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
	struct scan_layout l;

	(void)state;
	for (int i = 0; i < 7; i++)
		els[i].index = index[i];
	assert_int_equal(scan_layout_init(&l, els, 7), 0);
	assert_int_equal(l.scan_bytes, 24);
	assert_int_equal(l.offset[3], 6);
	assert_int_equal(l.offset[6], 16);
	assert_int_equal(scan_value(&l, 0, scan), 16);
	assert_int_equal(scan_value(&l, 1, scan), -2);
	assert_int_equal(scan_value(&l, 2, scan), 16384);
	assert_int_equal(scan_value(&l, 3, scan), -32768);
	assert_int_equal(scan_value(&l, 4, scan), 32767);
	assert_int_equal(scan_value(&l, 5, scan), 0);
	assert_int_equal(scan_value(&l, 6, scan), 0x0102030405060708LL);
}

/* The caller's order is kept; the layout follows the indexes. Without a timestamp the scan is
 * padded to its largest element only. */
static void order_follows_index(void **state)
{
	struct scan_element els[3] = { { 2, 16, 16, 0, true, false },
				       { 0, 32, 32, 0, true, false },
				       { 1, 8, 8, 0, false, false } };
	struct scan_layout l;

	(void)state;
	assert_int_equal(scan_layout_init(&l, els, 3), 0);
	assert_int_equal(l.offset[1], 0); /* index 0: 4 bytes */
	assert_int_equal(l.offset[2], 4); /* index 1: 1 byte */
	assert_int_equal(l.offset[0], 6); /* index 2: aligned to 2 */
	assert_int_equal(l.scan_bytes, 8);
}

/* A 12-bit value stored left-justified in 16 bits (le:s12/16>>4), and unsigned values. */
static void shift_mask_and_sign(void **state)
{
	struct scan_element els[2] = { { 0, 16, 12, 4, true, false },
				       { 1, 16, 12, 4, false, false } };
	const uint8_t scan[4] = { 0xf0, 0xff, 0xf5, 0xff }; /* -1 as s12, and 0xfff as u12 */
	struct scan_layout l;

	(void)state;
	assert_int_equal(scan_layout_init(&l, els, 2), 0);
	assert_int_equal(scan_value(&l, 0, scan), -1);
	assert_int_equal(scan_value(&l, 1, scan), 0xfff);
}

static void rejects_impossible_elements(void **state)
{
	struct scan_layout l;
	const struct scan_element bad_storage[1] = { { 0, 24, 24, 0, true, false } };
	const struct scan_element too_wide[1] = { { 0, 16, 14, 4, true, false } };
	const struct scan_element twice[2] = { S16_BE, S16_BE };
	const struct scan_element none_real[1] = { { 0, 16, 0, 0, true, false } };

	(void)state;
	assert_int_equal(scan_layout_init(&l, bad_storage, 1), -EINVAL);
	assert_int_equal(scan_layout_init(&l, too_wide, 1), -EINVAL);
	assert_int_equal(scan_layout_init(&l, twice, 2), -EINVAL);
	assert_int_equal(scan_layout_init(&l, none_real, 1), -EINVAL);
	assert_int_equal(scan_layout_init(&l, twice, SCAN_MAX_ELEMENTS + 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mpu6050_scan),
		cmocka_unit_test(order_follows_index),
		cmocka_unit_test(shift_mask_and_sign),
		cmocka_unit_test(rejects_impossible_elements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
