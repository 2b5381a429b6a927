/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Frames from separately arriving streams: pairing by time, order, waiting and giving up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "postured/framer.h"

static struct framer f;

/* 50 Hz: pairs within 15 ms, a silent stream waited for half a second. */
static const struct framer_settings roles = { 0.015, 0.5, false };
static const struct framer_settings halves = { 0.005, 0.5, true };

static struct imu_sample reading(double x)
{
	struct imu_sample s = { { x, 0, 9.8 }, { 0, 0, x } };

	return s;
}

static void push(int stream, double t_s)
{
	struct imu_sample s = reading(t_s * 1000.0 + stream);

	framer_push(&f, stream, t_s, &s);
}

/* Pops one frame and checks its time and which streams it holds. */
static void expect_frame(double now_s, double t_s, bool has0, bool has1)
{
	struct frame out;

	if (!framer_pop(&f, now_s, &out))
		fail_msg("no frame at now %g s, expected one at %g s", now_s, t_s);
	assert_true(out.t_s == t_s);
	assert_int_equal(out.has[0], has0);
	assert_int_equal(out.has[1], has1);
	if (has0)
		assert_true(out.imu[0].accel_m_s2[0] == t_s * 1000.0);
	if (has1)
		assert_true(out.imu[1].accel_m_s2[0] >= t_s * 1000.0 + 1);
}

static void expect_none(double now_s)
{
	struct frame out;

	if (framer_pop(&f, now_s, &out))
		fail_msg("a frame at %g s came out at now %g s, expected none yet", out.t_s, now_s);
}

static int setup_roles(void **state)
{
	(void)state;
	framer_init(&f, &roles);
	framer_set_active(&f, 0, true);
	framer_set_active(&f, 1, true);
	return 0;
}

/* Polling: both sensors at the same instant are one frame at once. */
static void same_instant_is_one_frame(void **state)
{
	(void)state;
	push(0, 1.0);
	push(1, 1.0);
	expect_frame(1.0, 1.0, true, true);
	expect_none(1.0);
}

/* Blocks of the two sensors arrive at different times, 8 ms apart in phase: the first block
 * waits for the second, then every sample pairs, in time order. */
static void blocks_pair_by_time(void **state)
{
	(void)state;
	for (int i = 0; i < 10; i++)
		push(0, 0.02 * i);
	expect_none(0.2);
	for (int i = 0; i < 10; i++)
		push(1, 0.02 * i + 0.008);
	for (int i = 0; i < 10; i++)
		expect_frame(0.3, 0.02 * i, true, true);
	expect_none(0.3);
}

/* The other stream has moved past a sample: it goes alone, and nothing waits. */
static void passed_sample_goes_alone(void **state)
{
	(void)state;
	push(0, 1.0);
	push(1, 1.05);
	expect_frame(1.05, 1.0, true, false);
	push(0, 1.04);
	expect_frame(1.06, 1.04, true, true);
}

/* A stream that stays silent is waited for max_wait_s, then the others go alone. */
static void silent_stream_is_waited_for(void **state)
{
	(void)state;
	push(0, 2.0);
	expect_none(2.4);
	expect_frame(2.5, 2.0, true, false);
}

/* A lost stream is not waited for at all, and its queue is dropped. */
static void inactive_stream_is_not_waited_for(void **state)
{
	(void)state;
	push(1, 3.0);
	framer_set_active(&f, 1, false);
	push(0, 3.1);
	expect_frame(3.1, 3.1, true, false);
	expect_none(10.0);
	push(1, 3.2); /* ignored while inactive */
	expect_none(10.0);
}

/* Frames never go back in time: a stream that joins with older samples loses them. */
static void late_joiner_never_goes_back(void **state)
{
	(void)state;
	framer_set_active(&f, 1, false);
	push(0, 5.0);
	expect_frame(5.0, 5.0, true, false);
	framer_set_active(&f, 1, true);
	push(1, 4.9);
	push(1, 5.02);
	push(0, 5.02);
	expect_frame(5.02, 5.02, true, true);
	assert_int_equal(framer_dropped(&f), 1);
}

/* Accel and gyro halves of one sensor: a half without its partner is dropped, never alone. */
static void halves_need_each_other(void **state)
{
	(void)state;
	framer_set_settings(&f, &halves);
	push(0, 1.000);
	push(0, 1.020);
	push(1, 1.021);
	expect_frame(1.1, 1.020, true, true);
	assert_int_equal(framer_dropped(&f), 1);
	expect_none(9.0);
}

/* A full queue drops its oldest sample. */
static void overflow_drops_oldest(void **state)
{
	(void)state;
	for (int i = 0; i < FRAMER_QUEUE_LEN + 3; i++)
		push(0, 0.001 * i);
	assert_int_equal(framer_dropped(&f), 3);
	framer_set_active(&f, 1, false);
	expect_frame(1.0, 0.003, true, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(same_instant_is_one_frame, setup_roles),
		cmocka_unit_test_setup(blocks_pair_by_time, setup_roles),
		cmocka_unit_test_setup(passed_sample_goes_alone, setup_roles),
		cmocka_unit_test_setup(silent_stream_is_waited_for, setup_roles),
		cmocka_unit_test_setup(inactive_stream_is_not_waited_for, setup_roles),
		cmocka_unit_test_setup(late_joiner_never_goes_back, setup_roles),
		cmocka_unit_test_setup(halves_need_each_other, setup_roles),
		cmocka_unit_test_setup(overflow_drops_oldest, setup_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
