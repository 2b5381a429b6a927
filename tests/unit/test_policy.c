/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether and how an alert buzzes: modes, snooze, quiet hours, escalation, training holds. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "postured/policy.h"

#define AT(h, m) ((h)*60 + (m))

static void modes_by_name(void **state)
{
	enum alert_mode m = ALERT_MODE_ISO;

	(void)state;
	for (int i = 0; i < ALERT_MODE_COUNT; i++) {
		assert_int_equal(alert_mode_parse(alert_mode_name((enum alert_mode)i), &m), 0);
		assert_int_equal(m, i);
	}
	assert_string_equal(alert_mode_name(ALERT_MODE_TRAINING), "training");
	assert_int_equal(alert_mode_parse("ISO", &m), -EINVAL);
	assert_int_equal(alert_mode_parse("", &m), -EINVAL);
	assert_int_equal(m, ALERT_MODE_TRACKING);
}

static void quiet_hours_ranges(void **state)
{
	struct quiet_hours q;
	char err[256] = "";

	(void)state;
	assert_int_equal(quiet_hours_parse("22:00-07:00, 12:30-13:15", &q, err, sizeof(err)), 0);
	assert_int_equal(q.n_ranges, 2);
	/* Across midnight: 22:00 up to, not including, 07:00. */
	assert_true(quiet_hours_contain(&q, AT(22, 0)));
	assert_true(quiet_hours_contain(&q, AT(23, 59)));
	assert_true(quiet_hours_contain(&q, AT(0, 0)));
	assert_true(quiet_hours_contain(&q, AT(6, 59)));
	assert_false(quiet_hours_contain(&q, AT(7, 0)));
	assert_false(quiet_hours_contain(&q, AT(21, 59)));
	assert_true(quiet_hours_contain(&q, AT(12, 30)));
	assert_false(quiet_hours_contain(&q, AT(13, 15)));
	assert_false(quiet_hours_contain(&q, AT(12, 29)));
	/* No wall clock (replay): never quiet. */
	assert_false(quiet_hours_contain(&q, -1));

	assert_int_equal(quiet_hours_parse("", &q, err, sizeof(err)), 0);
	assert_int_equal(q.n_ranges, 0);
	assert_false(quiet_hours_contain(&q, AT(23, 0)));
	assert_int_equal(quiet_hours_parse("09:00-24:00", &q, err, sizeof(err)), 0);
	assert_true(quiet_hours_contain(&q, AT(23, 59)));
	assert_false(quiet_hours_contain(&q, AT(8, 59)));
}

static void assert_quiet_error(const char *text, const char *message)
{
	struct quiet_hours q = { .n_ranges = 1 };
	char err[256] = "";

	assert_int_equal(quiet_hours_parse(text, &q, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
	/* A rejected reload keeps the ranges in force. */
	assert_int_equal(q.n_ranges, 1);
}

static void quiet_hours_errors(void **state)
{
	(void)state;
	assert_quiet_error("22-7", "quiet-hour range 1 '22-7' is not a local-time range like "
				   "22:00-07:00 (HH:MM-HH:MM, start and end differ)");
	assert_quiet_error("08:00-09:00 25:00-26:00",
			   "quiet-hour range 2 '25:00-26:00' is not a local-time range like "
			   "22:00-07:00 (HH:MM-HH:MM, start and end differ)");
	assert_quiet_error("10:00-10:00",
			   "quiet-hour range 1 '10:00-10:00' is not a local-time "
			   "range like 22:00-07:00 (HH:MM-HH:MM, start and end differ)");
	assert_quiet_error("10:00-11:00x", "quiet-hour range 1 '10:00-11:00x' is not a local-time "
					   "range like 22:00-07:00 (HH:MM-HH:MM, start and end "
					   "differ)");
	assert_quiet_error("1:00-2:00 1:00-2:00 1:00-2:00 1:00-2:00 1:00-2:00 1:00-2:00 1:00-2:00 "
			   "1:00-2:00 1:00-2:00",
			   "quiet-hour range 1 '1:00-2:00' is not a local-time range like "
			   "22:00-07:00 (HH:MM-HH:MM, start and end differ)");
	assert_quiet_error("01:00-02:00 01:00-02:00 01:00-02:00 01:00-02:00 01:00-02:00 "
			   "01:00-02:00 01:00-02:00 01:00-02:00 01:00-02:00",
			   "more than 8 quiet-hour ranges");
}

static void settings(struct policy_settings *s)
{
	char err[128];

	memset(s, 0, sizeof(*s));
	s->training_hold_s = 20.0;
	s->training_realert_s = 60.0;
	assert_int_equal(quiet_hours_parse("22:00-07:00", &s->quiet, err, sizeof(err)), 0);
	for (unsigned int i = 0; i < 3; i++) {
		s->alert_pattern[i].n_steps = i + 1;
		s->alert_pattern[i].step_ms[0] = 100 * (i + 1);
	}
}

static void snooze_silences_until_it_ends_by_itself(void **state)
{
	struct policy_settings s;
	struct policy p;

	(void)state;
	settings(&s);
	policy_init(&p, ALERT_MODE_ISO);
	assert_int_equal(policy_silence(&p, &s, 100.0, AT(10, 0)), SILENCE_NONE);
	policy_snooze(&p, 100.0, 1800.0);
	assert_int_equal(policy_silence(&p, &s, 100.0, AT(10, 0)), SILENCE_SNOOZED);
	assert_int_equal(policy_silence(&p, &s, 1899.9, AT(10, 30)), SILENCE_SNOOZED);
	assert_false(policy_snooze_expired(&p, 1899.9));
	/* It ends by itself, reported exactly once. */
	assert_true(policy_snooze_expired(&p, 1900.0));
	assert_false(policy_snooze_expired(&p, 1900.5));
	assert_int_equal(policy_silence(&p, &s, 1900.0, AT(10, 30)), SILENCE_NONE);
	/* Resume ends one early; a second resume has nothing to end. */
	policy_snooze(&p, 2000.0, 60.0);
	policy_snooze(&p, 2010.0, 600.0);
	assert_int_equal(policy_silence(&p, &s, 2100.0, AT(11, 0)), SILENCE_SNOOZED);
	assert_true(policy_resume(&p));
	assert_false(policy_resume(&p));
	assert_int_equal(policy_silence(&p, &s, 2100.0, AT(11, 0)), SILENCE_NONE);
}

static void tracking_beats_snooze_beats_quiet_hours(void **state)
{
	struct policy_settings s;
	struct policy p;

	(void)state;
	settings(&s);
	policy_init(&p, ALERT_MODE_ISO);
	assert_int_equal(policy_silence(&p, &s, 0.0, AT(23, 0)), SILENCE_QUIET_HOURS);
	assert_int_equal(policy_silence(&p, &s, 0.0, -1), SILENCE_NONE);
	policy_snooze(&p, 0.0, 60.0);
	assert_int_equal(policy_silence(&p, &s, 1.0, AT(23, 0)), SILENCE_SNOOZED);
	p.mode = ALERT_MODE_TRACKING;
	assert_int_equal(policy_silence(&p, &s, 1.0, AT(23, 0)), SILENCE_TRACKING);
	assert_int_equal(policy_silence(&p, &s, 100.0, AT(12, 0)), SILENCE_TRACKING);
	p.mode = ALERT_MODE_TRAINING;
	assert_int_equal(policy_silence(&p, &s, 100.0, AT(12, 0)), SILENCE_NONE);
	assert_string_equal(policy_silence_name(SILENCE_QUIET_HOURS), "quiet_hours");
	assert_string_equal(policy_silence_name(SILENCE_NONE), "");
}

static void repeated_alerts_escalate(void **state)
{
	struct policy_settings s;

	(void)state;
	settings(&s);
	assert_ptr_equal(policy_alert_pattern(&s, 1), &s.alert_pattern[0]);
	assert_ptr_equal(policy_alert_pattern(&s, 2), &s.alert_pattern[1]);
	assert_ptr_equal(policy_alert_pattern(&s, 3), &s.alert_pattern[2]);
	assert_ptr_equal(policy_alert_pattern(&s, 9), &s.alert_pattern[2]);
}

static void training_caps_holding_times(void **state)
{
	struct policy_settings s;
	struct detector_settings iso, out;

	(void)state;
	settings(&s);
	memset(&iso, 0, sizeof(iso));
	iso.rule[ANGLE_TRUNK] = (struct angle_rule){ true, 20.0, 240.0, 60.0, 60.0 };
	iso.rule[ANGLE_NECK] = (struct angle_rule){ true, 25.0, 30.0, 85.0, 10.0 };
	iso.realert_s = 120.0;
	iso.hysteresis_deg = 5.0;

	policy_detector_settings(ALERT_MODE_TRAINING, &s, &iso, &out);
	assert_true(out.rule[ANGLE_TRUNK].hold_s == 20.0);
	assert_true(out.rule[ANGLE_TRUNK].hold_at_max_s == 20.0);
	/* Already shorter: kept. */
	assert_true(out.rule[ANGLE_NECK].hold_at_max_s == 10.0);
	/* Thresholds and the rest are the ISO ones: training is about time, not angle. */
	assert_true(out.rule[ANGLE_TRUNK].threshold_deg == 20.0);
	assert_true(out.hysteresis_deg == 5.0);
	assert_true(out.realert_s == 60.0);

	policy_detector_settings(ALERT_MODE_TRACKING, &s, &iso, &out);
	assert_memory_equal(&out, &iso, sizeof(iso));
	policy_detector_settings(ALERT_MODE_ISO, &s, &iso, &out);
	assert_memory_equal(&out, &iso, sizeof(iso));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modes_by_name),
		cmocka_unit_test(quiet_hours_ranges),
		cmocka_unit_test(quiet_hours_errors),
		cmocka_unit_test(snooze_silences_until_it_ends_by_itself),
		cmocka_unit_test(tracking_beats_snooze_beats_quiet_hours),
		cmocka_unit_test(repeated_alerts_escalate),
		cmocka_unit_test(training_caps_holding_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
