/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Vibration patterns: what the config accepts, what it rejects and how, and when the motor runs. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "postured/haptic.h"

#define assert_time(actual, expected)                                                              \
	do {                                                                                       \
		double a_ = (actual), e_ = (expected);                                             \
		if (!(fabs(a_ - e_) < 1e-9))                                                       \
			fail_msg("%s is %.9f, expected %.9f", #actual, a_, e_);                    \
	} while (0)

static void assert_parse_error(const char *text, const char *message)
{
	struct haptic_pattern p = { .n_steps = 1, .step_ms = { 777 } };
	char err[256] = "";

	assert_int_equal(haptic_pattern_parse(text, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
	/* A rejected reload must leave the pattern in force untouched. */
	assert_int_equal(p.n_steps, 1);
	assert_int_equal(p.step_ms[0], 777);
}

/* Parses text into p, which must succeed, and starts a fresh player on it at start_s. */
static void play(struct haptic_player *pl, struct haptic_pattern *p, const char *text,
		 double start_s)
{
	char err[128];

	assert_int_equal(haptic_pattern_parse(text, p, err, sizeof(err)), 0);
	haptic_player_init(pl);
	haptic_player_start(pl, p, start_s);
}

static void parse_good_patterns(void **state)
{
	struct haptic_pattern p;
	char err[256] = "";
	char text[128];

	(void)state;
	assert_int_equal(haptic_pattern_parse("200 100 200", &p, err, sizeof(err)), 0);
	assert_int_equal(p.n_steps, 3);
	assert_int_equal(p.step_ms[0], 200);
	assert_int_equal(p.step_ms[1], 100);
	assert_int_equal(p.step_ms[2], 200);
	assert_int_equal(haptic_pattern_total_ms(&p), 500);
	haptic_pattern_format(&p, text, sizeof(text));
	assert_string_equal(text, "200 100 200");

	assert_int_equal(haptic_pattern_parse("  1\t10000\n 0050 ", &p, err, sizeof(err)), 0);
	assert_int_equal(p.n_steps, 3);
	assert_int_equal(p.step_ms[2], 50);
	haptic_pattern_format(&p, text, sizeof(text));
	assert_string_equal(text, "1 10000 50");

	/* A trailing off step is allowed: it keeps the player busy. */
	assert_int_equal(haptic_pattern_parse("300 700", &p, err, sizeof(err)), 0);
	assert_int_equal(p.n_steps, 2);
	assert_int_equal(haptic_pattern_total_ms(&p), 1000);

	assert_int_equal(
	    haptic_pattern_parse("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", &p, err, sizeof(err)),
	    0);
	assert_int_equal(p.n_steps, HAPTIC_PATTERN_MAX_STEPS);
	assert_int_equal(p.step_ms[15], 16);
	assert_int_equal(haptic_pattern_total_ms(&p), 136);
	assert_string_equal(err, "");
}

static void parse_bad_patterns(void **state)
{
	(void)state;
	assert_parse_error("200 100 20x",
			   "pattern step 3 '20x' is not a whole number of milliseconds (1..10000)");
	assert_parse_error("1.5", "pattern step 1 '1.5' is not a whole number of milliseconds "
				  "(1..10000)");
	assert_parse_error("200 -100", "pattern step 2 '-100' is not a whole number of "
				       "milliseconds (1..10000)");
	assert_parse_error("200,100",
			   "pattern step 1 '200,100' is not a whole number of milliseconds "
			   "(1..10000)");
	assert_parse_error("0", "pattern step 1 '0' is out of range: each step is 1..10000 ms");
	assert_parse_error("100 10001",
			   "pattern step 2 '10001' is out of range: each step is 1..10000 ms");
	assert_parse_error("99999999999999999999999",
			   "pattern step 1 '99999999999999999999999' is out of range: each step is "
			   "1..10000 ms");
	assert_parse_error("", "pattern is empty: give on/off durations in ms starting with on, "
			       "e.g. \"200 100 200\"");
	assert_parse_error(" \t ", "pattern is empty: give on/off durations in ms starting with "
				   "on, e.g. \"200 100 200\"");
	assert_parse_error("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
			   "pattern has more than 16 steps: give at most 16 on/off durations");
	assert_parse_error("100 abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
			   "pattern step 2 'abcdefghijklmnopqrstuvwxyzabcdef...' is not a whole "
			   "number of milliseconds (1..10000)");
}

static void parse_error_fits_small_buffer(void **state)
{
	struct haptic_pattern p;
	char err[16];

	(void)state;
	memset(err, 'X', sizeof(err));
	assert_int_equal(haptic_pattern_parse("abc", &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "pattern step 1 ");
}

static void format_drops_steps_that_do_not_fit(void **state)
{
	struct haptic_pattern p = { .n_steps = 3, .step_ms = { 200, 100, 200 } };
	char text[7];

	(void)state;
	haptic_pattern_format(&p, text, sizeof(text));
	assert_string_equal(text, "200"); /* never "200 10", which reads as a 10 ms step */
}

static void idle_player_is_off(void **state)
{
	struct haptic_player pl;
	double next_s = 0;

	(void)state;
	haptic_player_init(&pl);
	assert_false(haptic_player_level(&pl, 100.0, &next_s));
	assert_true(next_s < 0);
}

static void player_timeline(void **state)
{
	struct haptic_pattern p;
	struct haptic_player pl;
	double next_s;

	(void)state;
	play(&pl, &p, "200 100 200", 10.0);

	assert_true(haptic_player_level(&pl, 10.0, &next_s));
	assert_time(next_s, 10.2);
	assert_true(haptic_player_level(&pl, 10.15, &next_s));
	assert_time(next_s, 10.2);
	assert_false(haptic_player_level(&pl, 10.2, &next_s));
	assert_time(next_s, 10.3);
	assert_false(haptic_player_level(&pl, 10.29, &next_s));
	assert_time(next_s, 10.3);
	assert_true(haptic_player_level(&pl, 10.3, &next_s));
	assert_time(next_s, 10.5);
	assert_true(haptic_player_level(&pl, 10.499, &next_s));
	assert_time(next_s, 10.5);
	assert_false(haptic_player_level(&pl, 10.5, &next_s));
	assert_true(next_s < 0);
	/* Idle after the end, even if asked about an instant inside the old pattern. */
	assert_false(haptic_player_level(&pl, 10.35, &next_s));
	assert_true(next_s < 0);
}

static void player_late_query_skips_to_the_right_step(void **state)
{
	struct haptic_pattern p;
	struct haptic_player pl;
	double next_s;

	(void)state;
	play(&pl, &p, "200 100 200", 0.0);
	/* A loop woken late (a busy CPU) lands in the third step, not the second. */
	assert_true(haptic_player_level(&pl, 0.35, &next_s));
	assert_time(next_s, 0.5);
	haptic_player_start(&pl, &p, 0.0);
	assert_false(haptic_player_level(&pl, 7.0, &next_s));
	assert_true(next_s < 0);
}

/* A caller that sleeps until each next_change_s must see every step once, then idle. */
static void player_driven_by_its_own_times(void **state)
{
	static const double starts_s[] = { 0.0, 1234.567, 86400.1, 1e6 + 0.3 };
	struct haptic_pattern p;
	char err[128];

	(void)state;
	assert_int_equal(haptic_pattern_parse("30 70 30 70 30", &p, err, sizeof(err)), 0);
	for (size_t s = 0; s < sizeof(starts_s) / sizeof(starts_s[0]); s++) {
		struct haptic_player pl;
		double now_s = starts_s[s];
		double next_s;
		bool levels[8];
		unsigned int n = 0;

		haptic_player_init(&pl);
		haptic_player_start(&pl, &p, now_s);
		for (;;) {
			assert_true(n < 8);
			levels[n++] = haptic_player_level(&pl, now_s, &next_s);
			if (next_s < 0)
				break;
			assert_true(next_s > now_s);
			now_s = next_s;
		}
		assert_int_equal(n, 6);
		for (unsigned int i = 0; i < 5; i++)
			assert_int_equal(levels[i], i % 2 == 0);
		assert_false(levels[5]);
		assert_time(now_s, starts_s[s] + 0.23);
	}
}

static void trailing_off_step_delays_the_end(void **state)
{
	struct haptic_pattern p;
	struct haptic_player pl;
	double next_s;

	(void)state;
	play(&pl, &p, "100 400", 2.0);
	assert_true(haptic_player_level(&pl, 2.05, &next_s));
	assert_time(next_s, 2.1);
	assert_false(haptic_player_level(&pl, 2.2, &next_s));
	assert_time(next_s, 2.5);
	assert_true(pl.playing);
	assert_false(haptic_player_level(&pl, 2.5, &next_s));
	assert_true(next_s < 0);
	assert_false(pl.playing);
}

static void restart_mid_pattern(void **state)
{
	struct haptic_pattern long_p, short_p;
	struct haptic_player pl;
	char err[128];
	double next_s;

	(void)state;
	play(&pl, &long_p, "200 100 200", 0.0);
	assert_int_equal(haptic_pattern_parse("50", &short_p, err, sizeof(err)), 0);
	assert_false(haptic_player_level(&pl, 0.25, &next_s));

	haptic_player_start(&pl, &short_p, 0.25);
	assert_true(haptic_player_level(&pl, 0.25, &next_s));
	assert_time(next_s, 0.30);
	/* The old pattern's third step (0.3..0.5) must not come back. */
	assert_false(haptic_player_level(&pl, 0.35, &next_s));
	assert_true(next_s < 0);

	haptic_player_start(&pl, &long_p, 1.0);
	assert_true(haptic_player_level(&pl, 1.0, &next_s));
	assert_time(next_s, 1.2);
}

static void query_before_start_is_off_until_start(void **state)
{
	struct haptic_pattern p;
	struct haptic_player pl;
	double next_s;

	(void)state;
	play(&pl, &p, "200", 5.0);
	assert_false(haptic_player_level(&pl, 4.0, &next_s));
	assert_time(next_s, 5.0);
	assert_true(haptic_player_level(&pl, 5.0, &next_s));
	assert_time(next_s, 5.2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good_patterns),
		cmocka_unit_test(parse_bad_patterns),
		cmocka_unit_test(parse_error_fits_small_buffer),
		cmocka_unit_test(format_drops_steps_that_do_not_fit),
		cmocka_unit_test(idle_player_is_off),
		cmocka_unit_test(player_timeline),
		cmocka_unit_test(player_late_query_skips_to_the_right_step),
		cmocka_unit_test(player_driven_by_its_own_times),
		cmocka_unit_test(trailing_off_step_delays_the_end),
		cmocka_unit_test(restart_mid_pattern),
		cmocka_unit_test(query_before_start_is_off_until_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
