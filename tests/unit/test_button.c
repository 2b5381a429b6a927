/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The button's debouncer and press classifier, driven as keyd's tests are: a script of edges at
 * times in ms ("p100" pressed, "r300" released) played to a prompt caller that ticks at every
 * deadline the button asks for, and the decisions it heard with their times ("short@330").
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postured/button.h"

#define NS_PER_MS 1000000.0

static uint64_t ns(double ms)
{
	return (uint64_t)llround(ms * NS_PER_MS);
}

static void append(char *out, size_t len, enum button_action action, uint64_t t_ns)
{
	size_t used = strlen(out);

	if (action == BUTTON_NONE)
		return;
	snprintf(out + used, len - used, "%s%s@%g", used ? " " : "",
		 action == BUTTON_SHORT_PRESS ? "short" : "long", (double)t_ns / NS_PER_MS);
}

/* Wakes at the deadline at, which must lie ahead of now and be gone once it is served. */
static void wake(struct button *b, uint64_t *now, uint64_t at, char *out, size_t len)
{
	uint64_t next;

	assert_true(at >= *now);
	*now = at;
	append(out, len, button_tick(b, at), at);
	if (button_deadline(b, &next) && next <= at)
		fail_msg("woken at the deadline %.3f ms, the button asks for %.3f ms next",
			 (double)at / NS_PER_MS, (double)next / NS_PER_MS);
}

/*
 * Plays script to a caller that wakes at each deadline before the next edge, and at the
 * deadlines after the last edge (up to 60 s later). Deadlines never lie before the time the
 * caller last gave: the caller must never be told to go back.
 */
static void play(struct button *b, const char *script, char *out, size_t len)
{
	const char *s = script;
	uint64_t now = 0, at;

	out[0] = '\0';
	for (;;) {
		char *end;
		char kind;
		uint64_t t;

		while (*s == ' ' || *s == '|')
			s++;
		if (*s == '\0')
			break;
		kind = *s++;
		assert_true(kind == 'p' || kind == 'r');
		t = ns(strtod(s, &end));
		assert_true(end != s);
		s = end;
		while (button_deadline(b, &at) && at <= t)
			wake(b, &now, at, out, len);
		now = t;
		append(out, len, button_edge(b, kind == 'p', t), t);
	}
	while (button_deadline(b, &at) && at <= now + ns(60000))
		wake(b, &now, at, out, len);
}

static void assert_script(const char *script, const char *expected)
{
	struct button_settings s;
	struct button b;
	char got[256];

	button_default_settings(&s);
	button_init(&b, &s);
	play(&b, script, got, sizeof(got));
	if (strcmp(got, expected) != 0)
		fail_msg("script '%s' gave '%s', expected '%s'", script, got, expected);
}

static void defaults_are_documented(void **state)
{
	struct button_settings s;

	(void)state;
	button_default_settings(&s);
	assert_true(s.debounce_ms == 30.0);
	assert_true(s.long_press_ms == 1500.0);
	assert_string_equal(button_action_name(BUTTON_NONE), "none");
	assert_string_equal(button_action_name(BUTTON_SHORT_PRESS), "short press");
	assert_string_equal(button_action_name(BUTTON_LONG_PRESS), "long press");
}

/* Decided once the release has held for debounce_ms. */
static void short_press(void **state)
{
	(void)state;
	assert_script("p100 r300", "short@330");
}

/* A tactile switch chatters for a few ms at each end: still one press. */
static void bounce_makes_no_extra_press(void **state)
{
	(void)state;
	assert_script("p100 r100.5 p101 r102.2 p103 | r400 p400.4 r401 p402 r403", "short@433");
}

/* A spike (a knock, interference) shorter than debounce_ms is no press. */
static void press_shorter_than_debounce_is_ignored(void **state)
{
	(void)state;
	assert_script("p100 r120", "");
	assert_script("p100 r129.999", "");
	assert_script("p100 r110 p115 r125 p128 r140", "");
	/* Exactly debounce_ms is enough. */
	assert_script("p100 r130", "short@160");
}

/* The wearer feels the long press's acknowledgement while holding; the release adds nothing. */
static void long_press_fires_while_held(void **state)
{
	(void)state;
	assert_script("p100 r5000", "long@1600");
	assert_script("p100 r100.5 p101 r5000 p5000.5 r5001", "long@1601");
}

/* A contact that opens for a moment during the hold does not restart it. */
static void glitch_during_the_hold_keeps_it(void **state)
{
	(void)state;
	assert_script("p100 r900 p903 r5000", "long@1600");
}

static void release_just_before_the_long_press_time_is_short(void **state)
{
	(void)state;
	assert_script("p100 r1590", "short@1620");
	/* Released after it: the hold reached long_press_ms. */
	assert_script("p100 r1601", "long@1600");
}

/* Open at the long-press time, closed again within debounce: long once it closes again. */
static void bounce_across_the_long_press_time(void **state)
{
	(void)state;
	assert_script("p100 r1599 p1601 r3000", "long@1601");
}

static void presses_in_a_row(void **state)
{
	(void)state;
	assert_script("p100 r300 p400 r600 p700 r2500 p3000 r3100", "short@330 short@630 long@2200 "
								    "short@3130");
}

/* The kernel reads the level after a burst: two edges of a kind in a row (one lost between). */
static void repeated_edges_of_one_kind(void **state)
{
	(void)state;
	assert_script("p100 p110 r300 r305", "short@335");
	assert_script("r50 p100 r300", "short@330");
}

/* A caller that never ticks still gets each press once, from the next edge or tick. */
static void late_caller_gets_each_press_once(void **state)
{
	struct button_settings s;
	struct button b;

	(void)state;
	button_default_settings(&s);
	button_init(&b, &s);
	assert_int_equal(button_edge(&b, true, ns(100)), BUTTON_NONE);
	assert_int_equal(button_edge(&b, false, ns(300)), BUTTON_NONE);
	assert_int_equal(button_edge(&b, true, ns(400)), BUTTON_SHORT_PRESS);
	assert_int_equal(button_tick(&b, ns(10000)), BUTTON_LONG_PRESS);
	assert_int_equal(button_tick(&b, ns(20000)), BUTTON_NONE);
	assert_int_equal(button_edge(&b, false, ns(30000)), BUTTON_NONE);
	assert_int_equal(button_tick(&b, ns(40000)), BUTTON_NONE);
	assert_false(button_pressed(&b));
}

/*
 * The event loop's "now" is taken when it wakes, so an edge read in that iteration may be stamped
 * a little later, and a tick may come with an earlier time than the latest edge: time never
 * runs backwards inside, and no deadline lies before the latest time seen.
 */
static void time_never_runs_backwards(void **state)
{
	struct button_settings s;
	struct button b;
	uint64_t at;

	(void)state;
	button_default_settings(&s);
	button_init(&b, &s);
	assert_int_equal(button_edge(&b, true, ns(1000.2)), BUTTON_NONE);
	assert_int_equal(button_tick(&b, ns(1000)), BUTTON_NONE);
	assert_true(button_deadline(&b, &at));
	assert_true(at == ns(1030.2));
	/* An edge stamped before the latest time seen counts from that time. */
	assert_int_equal(button_tick(&b, ns(1010)), BUTTON_NONE);
	assert_int_equal(button_edge(&b, false, ns(1005)), BUTTON_NONE);
	assert_int_equal(button_edge(&b, true, ns(1006)), BUTTON_NONE);
	assert_true(button_deadline(&b, &at));
	assert_true(at == ns(1040));
	assert_int_equal(button_tick(&b, at), BUTTON_NONE);
	assert_true(button_pressed(&b));
}

static void deadlines(void **state)
{
	struct button_settings s;
	struct button b;
	uint64_t at = 0;

	(void)state;
	button_default_settings(&s);
	button_init(&b, &s);
	assert_false(button_deadline(&b, &at));
	button_edge(&b, true, ns(100));
	assert_true(button_deadline(&b, &at));
	assert_true(at == ns(130));
	button_tick(&b, at);
	assert_true(button_pressed(&b));
	assert_true(button_deadline(&b, &at));
	assert_true(at == ns(1600));
	/* A release pending before the long-press time: only its debounce is due. */
	button_edge(&b, false, ns(1000));
	assert_true(button_deadline(&b, &at));
	assert_true(at == ns(1030));
	assert_int_equal(button_tick(&b, at), BUTTON_SHORT_PRESS);
	assert_false(button_deadline(&b, &at));
	/* Held past the long press: nothing is due until the next edge. */
	button_edge(&b, true, ns(2000));
	assert_int_equal(button_tick(&b, ns(2030)), BUTTON_NONE);
	assert_int_equal(button_tick(&b, ns(3530)), BUTTON_LONG_PRESS);
	assert_false(button_deadline(&b, &at));
}

static void zero_debounce_counts_every_edge(void **state)
{
	struct button_settings s = { .debounce_ms = 0.0, .long_press_ms = 1500.0 };
	struct button b;
	char got[128];

	(void)state;
	button_init(&b, &s);
	play(&b, "p100 r100.5 p200 r300", got, sizeof(got));
	assert_string_equal(got, "short@100.5 short@300");
}

/* A reload that shortens the long press judges the press in progress by it. */
static void new_settings_apply_to_the_press_in_progress(void **state)
{
	struct button_settings s;
	struct button b;
	uint64_t at;

	(void)state;
	button_default_settings(&s);
	button_init(&b, &s);
	button_edge(&b, true, ns(100));
	assert_int_equal(button_tick(&b, ns(500)), BUTTON_NONE);
	s.long_press_ms = 300.0;
	button_set_settings(&b, &s);
	assert_true(button_deadline(&b, &at));
	assert_true(at == ns(400));
	assert_int_equal(button_tick(&b, ns(500)), BUTTON_LONG_PRESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_documented),
		cmocka_unit_test(short_press),
		cmocka_unit_test(bounce_makes_no_extra_press),
		cmocka_unit_test(press_shorter_than_debounce_is_ignored),
		cmocka_unit_test(long_press_fires_while_held),
		cmocka_unit_test(glitch_during_the_hold_keeps_it),
		cmocka_unit_test(release_just_before_the_long_press_time_is_short),
		cmocka_unit_test(bounce_across_the_long_press_time),
		cmocka_unit_test(presses_in_a_row),
		cmocka_unit_test(repeated_edges_of_one_kind),
		cmocka_unit_test(late_caller_gets_each_press_once),
		cmocka_unit_test(time_never_runs_backwards),
		cmocka_unit_test(deadlines),
		cmocka_unit_test(zero_debounce_counts_every_edge),
		cmocka_unit_test(new_settings_apply_to_the_press_in_progress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
