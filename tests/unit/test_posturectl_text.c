/* SPDX-License-Identifier: GPL-2.0-or-later */
/* posturectl's words: the durations it accepts and refuses, and what status and watch print. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "postured/posturectl_text.h"

#define SEC 1000000ULL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
/* Mon 2026-11-30 10:18:00 UTC */
#define NOW_USEC (1796033880ULL * SEC)

static int utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void assert_duration(const char *text, uint64_t want_usec)
{
	uint64_t usec = 12345;
	char err[256] = "";

	if (ctl_parse_duration(text, &usec, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", text, err);
	if (usec != want_usec)
		fail_msg("'%s' is %llu us, expected %llu", text, (unsigned long long)usec,
			 (unsigned long long)want_usec);
}

static void assert_duration_error(const char *text, int want_ret, const char *message)
{
	uint64_t usec = 12345;
	char err[256] = "";

	assert_int_equal(ctl_parse_duration(text, &usec, err, sizeof(err)), want_ret);
	assert_string_equal(err, message);
	assert_int_equal(usec, 12345); /* untouched */
}

static void durations_as_systemd_writes_them(void **state)
{
	(void)state;
	assert_duration("90s", 90 * SEC);
	assert_duration("30m", 30 * MIN);
	assert_duration("30min", 30 * MIN);
	assert_duration("1h", HOUR);
	assert_duration("1h30m", 90 * MIN);
	assert_duration("1h 30min", 90 * MIN);
	assert_duration("1 hour 30 minutes", 90 * MIN);
	assert_duration("1.5h", 90 * MIN);
	assert_duration("0.25s", SEC / 4);
	assert_duration("45", 45 * SEC);
	assert_duration("2d", 2 * DAY);
	assert_duration("1w", 7 * DAY);
	assert_duration("500ms", SEC / 2);
	assert_duration("10us", 10);
	assert_duration(" 10s ", 10 * SEC);
	assert_duration("0", 0);
	/* A component without a unit is seconds, as a lone number is. */
	assert_duration("1m 30", 90 * SEC);
}

static void durations_refused_with_why(void **state)
{
	(void)state;
	assert_duration_error("", -EINVAL, "'' is not a duration (e.g. 90s, 30min, 1h30min)");
	assert_duration_error("  ", -EINVAL, "'  ' is not a duration (e.g. 90s, 30min, 1h30min)");
	assert_duration_error("abc", -EINVAL, "'abc' is not a duration (e.g. 90s, 30min, 1h30min)");
	assert_duration_error("-5m", -EINVAL, "'-5m' is not a duration (e.g. 90s, 30min, 1h30min)");
	assert_duration_error(".", -EINVAL, "'.' is not a duration (e.g. 90s, 30min, 1h30min)");
	assert_duration_error("5x", -EINVAL,
			      "'5x': unknown unit 'x' (units: us, ms, s, min, h, d, w; e.g. "
			      "90s, 30min, 1h30min)");
	assert_duration_error("1h30mins", -EINVAL,
			      "'1h30mins': unknown unit 'mins' (units: us, ms, s, min, h, d, w; "
			      "e.g. 90s, 30min, 1h30min)");
	/* Months and years are not durations a snooze needs. */
	assert_duration_error("1M", -EINVAL,
			      "'1M': unknown unit 'M' (units: us, ms, s, min, h, d, w; e.g. 90s, "
			      "30min, 1h30min)");
	assert_duration_error("99999999999999999999s", -ERANGE,
			      "'99999999999999999999s': too long a duration");
	assert_duration_error("40000000w", -ERANGE, "'40000000w': too long a duration");
}

static void assert_relative(uint64_t then, uint64_t now, const char *want)
{
	char buf[64];

	ctl_format_relative(then, now, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void relative_times_as_systemd(void **state)
{
	(void)state;
	assert_relative(NOW_USEC, NOW_USEC, "now");
	assert_relative(NOW_USEC - SEC / 2, NOW_USEC, "now");
	assert_relative(NOW_USEC - 5 * SEC, NOW_USEC, "5s ago");
	assert_relative(NOW_USEC - 90 * SEC, NOW_USEC, "1min 30s ago");
	assert_relative(NOW_USEC - 12 * MIN - 5 * SEC, NOW_USEC, "12min ago");
	assert_relative(NOW_USEC - 82 * MIN, NOW_USEC, "1h 22min ago");
	assert_relative(NOW_USEC - 7 * HOUR - 5 * MIN, NOW_USEC, "7h ago");
	assert_relative(NOW_USEC - 26 * HOUR, NOW_USEC, "1 day 2h ago");
	assert_relative(NOW_USEC - 3 * DAY, NOW_USEC, "3 days ago");
	assert_relative(NOW_USEC - 8 * DAY, NOW_USEC, "1 week 1 day ago");
	assert_relative(NOW_USEC - 15 * DAY, NOW_USEC, "2 weeks 1 day ago");
	assert_relative(NOW_USEC + 24 * MIN + 30 * SEC, NOW_USEC, "24min left");
	assert_relative(NOW_USEC + 30 * MIN, NOW_USEC, "30min left");
}

static void timestamps_in_local_time(void **state)
{
	char buf[64];

	(void)state;
	ctl_format_timestamp(NOW_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "Mon 2026-11-30 10:18:00 UTC");
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	ctl_format_timestamp(NOW_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "Mon 2026-11-30 11:18:00 CET");
	utc(NULL);
}

static struct ctl_status example_status(void)
{
	struct ctl_status st = {
		.ready = true,
		.state = "upright",
		.activity = "still",
		.trunk_deg = 3.2,
		.neck_deg = NAN,
		.lateral_deg = -0.8,
		.head_deg = NAN,
		.alerts_today = 2,
		.mode = "iso",
		.snoozed_until_usec = NOW_USEC + 24 * MIN,
		.calibrated_usec = NOW_USEC - 82 * MIN,
		.version = "0.3",
	};

	for (int p = 0; p < CTL_PROP_COUNT; p++)
		st.have[p] = true;
	return st;
}

static void status_lines_aligned(void **state)
{
	struct ctl_status st = example_status();
	char buf[1024];
	size_t n;

	(void)state;
	n = ctl_format_status(&st, NOW_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "           State: upright\n"
				 "        Activity: still\n"
				 "   Trunk flexion: 3.2 deg\n"
				 "    Neck flexion: n/a\n"
				 "    Lateral bend: -0.8 deg\n"
				 "Head inclination: n/a\n"
				 "            Mode: iso\n"
				 "   Snoozed until: Mon 2026-11-30 10:42:00 UTC; 24min left\n"
				 "    Alerts today: 2\n"
				 "      Calibrated: Mon 2026-11-30 08:56:00 UTC; 1h 22min ago\n"
				 "         Version: 0.3\n");
	assert_int_equal(n, strlen(buf));

	/* Not snoozed, never calibrated, starting, no sample yet, an angle near zero. */
	st.snoozed_until_usec = 0;
	st.calibrated_usec = 0;
	st.ready = false;
	strcpy(st.state, "calibrating");
	st.activity[0] = '\0';
	st.trunk_deg = -0.04;
	ctl_format_status(&st, NOW_USEC, buf, sizeof(buf));
	assert_non_null(strstr(buf, "           State: calibrating (starting: waiting for the "
				    "sensors)\n"));
	assert_non_null(strstr(buf, "        Activity: n/a\n"));
	assert_non_null(strstr(buf, "   Trunk flexion: 0.0 deg\n")); /* never "-0.0" */
	assert_non_null(strstr(buf, "   Snoozed until: no\n"));
	assert_non_null(strstr(buf, "      Calibrated: never\n"));
}

static void status_of_an_older_daemon(void **state)
{
	struct ctl_status st = example_status();
	char buf[1024];

	(void)state;
	/* Properties the daemon did not send are left out, and the keys align on what is left. */
	st.have[CTL_HEAD] = false;
	st.have[CTL_SNOOZED_UNTIL] = false;
	st.have[CTL_VERSION] = false;
	ctl_format_status(&st, NOW_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "        State: upright\n"
				 "     Activity: still\n"
				 "Trunk flexion: 3.2 deg\n"
				 " Neck flexion: n/a\n"
				 " Lateral bend: -0.8 deg\n"
				 "         Mode: iso\n"
				 " Alerts today: 2\n"
				 "   Calibrated: Mon 2026-11-30 08:56:00 UTC; 1h 22min ago\n");
}

static void status_cut_to_the_buffer(void **state)
{
	struct ctl_status st = example_status();
	char buf[40], full[1024];
	size_t need;

	(void)state;
	need = ctl_format_status(&st, NOW_USEC, buf, sizeof(buf));
	ctl_format_status(&st, NOW_USEC, full, sizeof(full));
	assert_int_equal(need, strlen(full));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, full, sizeof(buf) - 1);
}

static void watch_lines(void **state)
{
	struct ctl_status st = example_status();
	bool changed[CTL_PROP_COUNT] = { false };
	char buf[512];

	(void)state;
	changed[CTL_STATE] = true;
	changed[CTL_TRUNK] = true;
	strcpy(st.state, "leaning");
	st.trunk_deg = 24.9;
	ctl_format_changes(&st, changed, NOW_USEC + 40 * SEC, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-30 10:18:40 State: leaning; Trunk flexion: 24.9 deg");

	memset(changed, 0, sizeof(changed));
	changed[CTL_READY] = true;
	changed[CTL_SNOOZED_UNTIL] = true;
	st.snoozed_until_usec = 0;
	ctl_format_changes(&st, changed, NOW_USEC, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-30 10:18:00 Snoozed until: no; Ready: yes");
}

static void property_names(void **state)
{
	enum ctl_prop p;

	(void)state;
	assert_int_equal(ctl_prop_find("TrunkFlexionDeg", &p), 0);
	assert_int_equal(p, CTL_TRUNK);
	assert_string_equal(ctl_prop_signature(p), "d");
	assert_int_equal(ctl_prop_find("SnoozedUntilUSec", &p), 0);
	assert_string_equal(ctl_prop_name(p), "SnoozedUntilUSec");
	assert_string_equal(ctl_prop_signature(p), "t");
	assert_int_equal(ctl_prop_find("Ready", &p), 0);
	assert_string_equal(ctl_prop_signature(p), "b");
	assert_int_equal(ctl_prop_find("Humidity", &p), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_as_systemd_writes_them),
		cmocka_unit_test(durations_refused_with_why),
		cmocka_unit_test(relative_times_as_systemd),
		cmocka_unit_test(timestamps_in_local_time),
		cmocka_unit_test(status_lines_aligned),
		cmocka_unit_test(status_of_an_older_daemon),
		cmocka_unit_test(status_cut_to_the_buffer),
		cmocka_unit_test(watch_lines),
		cmocka_unit_test(property_names),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
