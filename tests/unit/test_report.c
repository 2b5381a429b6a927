/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report's arithmetic on scripted journal entries: hours and days in local time, periods
 * shared among the hours they overlap, counts in the hour with most of the period, the window of
 * --since/--until, one report per machine, the slumps and alerts of the plot, the exposure
 * score, the outputs and journalctl's time syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "near.h"

#include "postured/report.h"

#define A_ID "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B_ID "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define MS 1000LL
#define SEC 1000000LL

/* UTC+1 without daylight saving time, unless a test sets another zone. */
static int set_zone(void **state)
{
	(void)state;
	setenv("TZ", "XST-1", 1);
	tzset();
	return 0;
}

/* Local time to microseconds since the epoch. */
static int64_t at(int year, int month, int mday, int hour, int min, int sec)
{
	struct tm tm = { .tm_year = year - 1900,
			 .tm_mon = month - 1,
			 .tm_mday = mday,
			 .tm_hour = hour,
			 .tm_min = min,
			 .tm_sec = sec,
			 .tm_isdst = -1 };

	return (int64_t)mktime(&tm) * SEC;
}

static void set(struct report_event *ev, const char *name, const char *value)
{
	assert_int_equal(report_event_set_field(ev, name, value, strlen(value)), 0);
}

/* An entry of machine id (hostname host) at usec: "NAME=value" fields, NULL-terminated. */
static void add(struct report *r, const char *id, const char *host, int64_t usec, const char *event,
		...)
{
	struct report_event ev;
	const char *field;
	va_list ap;

	report_event_init(&ev);
	ev.realtime_usec = usec;
	set(&ev, "_MACHINE_ID", id);
	set(&ev, "_HOSTNAME", host);
	set(&ev, "POSTURE_EVENT", event);
	va_start(ap, event);
	while ((field = va_arg(ap, const char *))) {
		char name[64];
		const char *eq = strchr(field, '=');

		assert_non_null(eq);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - field), field);
		set(&ev, name, eq + 1);
	}
	va_end(ap);
	assert_int_equal(report_add_event(r, &ev), 0);
}

/* A summary or stopped entry: period and times in seconds, then alerts, slumps, longest. */
static void add_period(struct report *r, const char *id, int64_t usec, const char *event,
		       const char *period, const char *upright, const char *leaning,
		       const char *slumped, const char *lying, const char *alerts,
		       const char *slumps, const char *longest)
{
	char f[8][48];

	snprintf(f[0], sizeof(f[0]), "POSTURE_PERIOD_S=%s", period);
	snprintf(f[1], sizeof(f[1]), "POSTURE_UPRIGHT_S=%s", upright);
	snprintf(f[2], sizeof(f[2]), "POSTURE_LEANING_S=%s", leaning);
	snprintf(f[3], sizeof(f[3]), "POSTURE_SLUMPED_S=%s", slumped);
	snprintf(f[4], sizeof(f[4]), "POSTURE_LYING_S=%s", lying);
	snprintf(f[5], sizeof(f[5]), "POSTURE_ALERTS=%s", alerts);
	snprintf(f[6], sizeof(f[6]), "POSTURE_SLUMPS=%s", slumps);
	snprintf(f[7], sizeof(f[7]), "POSTURE_LONGEST_SLUMP_S=%s", longest);
	add(r, id, "alice", usec, event, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
	    "POSTURE_STILL_S=0.0", "POSTURE_MOVING_S=0.0", (const char *)NULL);
}

static const struct report_hour *hour_at(const struct report *r, size_t wearer, int64_t usec)
{
	const struct report_wearer *w = &r->wearers[wearer];

	for (size_t d = 0; d < w->n_days; d++)
		for (size_t h = 0; h < w->days[d].n_hours; h++)
			if (w->days[d].hours[h].start_usec == usec)
				return &w->days[d].hours[h];
	return NULL;
}

/* The journal fields event.c writes are the ones the report reads, with their values. */
static void reads_the_fields_postured_writes(void **state)
{
	struct posture_event pe;
	struct event_field fields[EVENT_MAX_FIELDS];
	struct report_event ev;
	size_t n;

	(void)state;
	event_init(&pe, EVENT_STOPPED, 100.0);
	pe.summary = (struct posture_summary){ 3599.9, 3000.1, 300.2, 200.3, 50.4,
					       3100.5, 400.6,  7,     3,     250.7 };
	pe.trunk_deg = 12.3;
	n = event_fields(&pe, fields, EVENT_MAX_FIELDS);
	report_event_init(&ev);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(report_event_set_field(&ev, fields[i].name, fields[i].value,
							strlen(fields[i].value)),
				 0);
	assert_true(ev.have_type);
	assert_int_equal(ev.type, EVENT_STOPPED);
	assert_true(ev.have_period);
	assert_near(ev.summary.period_s, 3599.9, 1e-9);
	assert_near(ev.summary.upright_s, 3000.1, 1e-9);
	assert_near(ev.summary.leaning_s, 300.2, 1e-9);
	assert_near(ev.summary.slumped_s, 200.3, 1e-9);
	assert_near(ev.summary.lying_s, 50.4, 1e-9);
	assert_near(ev.summary.still_s, 3100.5, 1e-9);
	assert_near(ev.summary.moving_s, 400.6, 1e-9);
	assert_int_equal(ev.summary.alerts, 7);
	assert_int_equal(ev.summary.slumps, 3);
	assert_near(ev.summary.longest_slump_s, 250.7, 1e-9);
	assert_near(ev.trunk_deg, 12.3, 1e-9);

	event_init(&pe, EVENT_ALERT, 5.0);
	pe.cause = ANGLE_NECK;
	pe.duration_s = 31.0;
	n = event_fields(&pe, fields, EVENT_MAX_FIELDS);
	report_event_init(&ev);
	for (size_t i = 0; i < n; i++)
		report_event_set_field(&ev, fields[i].name, fields[i].value,
				       strlen(fields[i].value));
	assert_int_equal(ev.type, EVENT_ALERT);
	assert_true(ev.have_cause);
	assert_int_equal(ev.cause, ANGLE_NECK);
	assert_near(ev.duration_s, 31.0, 1e-9);
}

/* A damaged value is refused and leaves the field as it was; the value needs no NUL. */
static void refuses_damaged_values(void **state)
{
	struct report_event ev;

	(void)state;
	report_event_init(&ev);
	assert_int_equal(report_event_set_field(&ev, "POSTURE_PERIOD_S", "3600.0xyz", 6), 0);
	assert_near(ev.summary.period_s, 3600.0, 1e-9);
	assert_int_equal(report_event_set_field(&ev, "POSTURE_PERIOD_S", "abc", 3), -EINVAL);
	assert_int_equal(report_event_set_field(&ev, "POSTURE_UPRIGHT_S", "-1", 2), -EINVAL);
	assert_int_equal(report_event_set_field(&ev, "POSTURE_LYING_S", "nan", 3), -EINVAL);
	assert_int_equal(report_event_set_field(&ev, "POSTURE_ALERTS", "2.5", 3), -EINVAL);
	assert_int_equal(report_event_set_field(&ev, "POSTURE_EVENT", "bogus", 5), -EINVAL);
	assert_false(ev.have_type);
	assert_int_equal(report_event_set_field(&ev, "POSTURE_CAUSE", "elbow", 5), -EINVAL);
	assert_int_equal(report_event_set_field(&ev, "_HOSTNAME", "", 0), 0);
	assert_int_equal(report_event_set_field(&ev, "_MACHINE_ID", A_ID "0", 33), -EINVAL);
	assert_int_equal(report_event_set_field(&ev, "MESSAGE", "\xff\xfe", 2), 0);
	assert_near(ev.summary.period_s, 3600.0, 1e-9);
	assert_near(ev.summary.upright_s, 0.0, 1e-9);
}

/*
 * Summaries closed at full hours go to their hour whole, also when the journal stamped them a
 * little later; a stopped entry covers its partial hour; the day adds its hours up.
 */
static void aligned_summaries_fill_their_hours(void **state)
{
	struct report r;
	struct posture_summary total;
	const struct report_hour *h;

	(void)state;
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	add_period(&r, A_ID, at(2026, 11, 30, 9, 0, 0) + 12 * MS, "summary", "2400.0", "1800.0",
		   "300.0", "240.0", "0.0", "2", "1", "420.0");
	add_period(&r, A_ID, at(2026, 11, 30, 10, 0, 0) + 1999 * MS, "summary", "3600.0", "3000.0",
		   "400.0", "200.0", "0.0", "1", "1", "500.0");
	add_period(&r, A_ID, at(2026, 11, 30, 10, 30, 0), "stopped", "1800.0", "1500.0", "300.0",
		   "0.0", "0.0", "0", "0", "0.0");
	assert_int_equal(r.n_wearers, 1);
	assert_string_equal(r.wearers[0].machine_id, A_ID);
	assert_string_equal(r.wearers[0].hostname, "alice");
	assert_int_equal(r.wearers[0].n_days, 1);
	assert_int_equal(r.wearers[0].days[0].year, 2026);
	assert_int_equal(r.wearers[0].days[0].month, 11);
	assert_int_equal(r.wearers[0].days[0].mday, 30);
	assert_int_equal(r.wearers[0].days[0].wday, 1);
	assert_int_equal(r.wearers[0].days[0].n_hours, 3);

	h = hour_at(&r, 0, at(2026, 11, 30, 8, 0, 0));
	assert_non_null(h);
	assert_near(h->sum.period_s, 2400.0, 1e-9);
	assert_near(h->sum.upright_s, 1800.0, 1e-9);
	assert_near(h->sum.slumped_s, 240.0, 1e-9);
	assert_int_equal(h->sum.alerts, 2);
	assert_near(h->sum.longest_slump_s, 420.0, 1e-9);
	h = hour_at(&r, 0, at(2026, 11, 30, 9, 0, 0));
	assert_near(h->sum.period_s, 3600.0, 1e-9);
	assert_int_equal(h->sum.slumps, 1);
	h = hour_at(&r, 0, at(2026, 11, 30, 10, 0, 0));
	assert_near(h->sum.period_s, 1800.0, 1e-9);
	assert_near(h->sum.leaning_s, 300.0, 1e-9);

	report_day_total(&r.wearers[0].days[0], &total);
	assert_near(total.period_s, 7800.0, 1e-9);
	assert_near(total.upright_s, 6300.0, 1e-9);
	assert_near(total.leaning_s, 1000.0, 1e-9);
	assert_near(total.slumped_s, 440.0, 1e-9);
	assert_int_equal(total.alerts, 3);
	assert_int_equal(total.slumps, 2);
	assert_near(total.longest_slump_s, 500.0, 1e-9);
	assert_near(report_exposure_pct(&total), 100.0 * 440.0 / 7740.0, 1e-9);
	report_free(&r);
}

/*
 * A period that does not end at a full hour (an older postured, or one stopped mid-hour and
 * written 2 s or more after it) is shared in proportion; its counts go to the hour with most
 * of it. The snap to the hour is for summaries only.
 */
static void unaligned_periods_are_shared_in_proportion(void **state)
{
	struct report r;
	const struct report_hour *h14, *h15;

	(void)state;
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	add_period(&r, B_ID, at(2026, 11, 30, 15, 20, 0), "summary", "3600.0", "3000.0", "600.0",
		   "0.0", "0.0", "1", "1", "100.0");
	h14 = hour_at(&r, 0, at(2026, 11, 30, 14, 0, 0));
	h15 = hour_at(&r, 0, at(2026, 11, 30, 15, 0, 0));
	assert_non_null(h14);
	assert_non_null(h15);
	assert_near(h14->sum.period_s, 2400.0, 1e-6);
	assert_near(h14->sum.upright_s, 2000.0, 1e-6);
	assert_near(h15->sum.leaning_s, 200.0, 1e-6);
	assert_int_equal(h14->sum.alerts, 1);
	assert_int_equal(h15->sum.alerts, 0);
	assert_near(h14->sum.longest_slump_s, 100.0, 1e-9);

	/* 2 s after the hour is not the daemon's hour: 2 s of it belong to the next. */
	add_period(&r, A_ID, at(2026, 11, 30, 10, 0, 2), "summary", "3600.0", "3600.0", "0.0",
		   "0.0", "0.0", "0", "0", "0.0");
	assert_near(hour_at(&r, 1, at(2026, 11, 30, 10, 0, 0))->sum.period_s, 2.0, 1e-6);
	/* A stopped entry just after the hour is not moved back to it. */
	add_period(&r, A_ID, at(2026, 11, 30, 12, 0, 1), "stopped", "60.0", "60.0", "0.0", "0.0",
		   "0.0", "0", "0", "0.0");
	assert_near(hour_at(&r, 1, at(2026, 11, 30, 12, 0, 0))->sum.period_s, 1.0, 1e-6);
	assert_near(hour_at(&r, 1, at(2026, 11, 30, 11, 0, 0))->sum.period_s, 59.0, 1e-6);
	report_free(&r);
}

/* Days are local: a night's hours go to the local day they are in. */
static void days_are_local(void **state)
{
	struct report r;

	(void)state;
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	/* 23:10 to 00:15 local time: 22:10 to 23:15 UTC, all on one UTC day */
	add_period(&r, A_ID, at(2026, 12, 1, 0, 0, 0) + 20 * MS, "summary", "3000.0", "3000.0",
		   "0.0", "0.0", "0.0", "0", "0", "0.0");
	add_period(&r, A_ID, at(2026, 12, 1, 0, 15, 0), "stopped", "900.0", "0.0", "0.0", "0.0",
		   "900.0", "0", "0", "0.0");
	assert_int_equal(r.wearers[0].n_days, 2);
	assert_int_equal(r.wearers[0].days[0].mday, 30);
	assert_int_equal(r.wearers[0].days[1].mday, 1);
	assert_int_equal(r.wearers[0].days[1].month, 12);
	assert_int_equal(r.wearers[0].days[1].wday, 2);
	assert_near(r.wearers[0].days[0].hours[0].sum.period_s, 3000.0, 1e-9);
	assert_near(r.wearers[0].days[1].hours[0].sum.lying_s, 900.0, 1e-9);
	report_free(&r);

	/* The same entries in UTC: one day. */
	setenv("TZ", "UTC0", 1);
	tzset();
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	add_period(&r, A_ID, 1796079600LL * SEC + 20 * MS, "summary", "3000.0", "3000.0", "0.0",
		   "0.0", "0.0", "0", "0", "0.0");
	add_period(&r, A_ID, 1796080500LL * SEC, "stopped", "900.0", "0.0", "0.0", "0.0", "900.0",
		   "0", "0", "0.0");
	assert_int_equal(r.wearers[0].n_days, 1);
	assert_int_equal(r.wearers[0].days[0].n_hours, 2);
	report_free(&r);
	set_zone(NULL);
}

/* The day daylight saving time ends has 25 local hours, the repeated one twice. */
static void a_day_may_have_25_hours(void **state)
{
	struct report r;
	struct posture_summary total;
	/* Sunday 2026-10-25, 00:00 CEST = 2026-10-24 22:00 UTC */
	const int64_t start = 1792879200LL * SEC;

	(void)state;
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	assert_true(start == at(2026, 10, 25, 0, 0, 0));
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	for (int i = 1; i <= 25; i++)
		add_period(&r, A_ID, start + i * 3600 * SEC + 5 * MS, "summary", "3600.0", "3600.0",
			   "0.0", "0.0", "0.0", "0", "0", "0.0");
	assert_int_equal(r.wearers[0].n_days, 1);
	assert_int_equal(r.wearers[0].days[0].n_hours, 25);
	report_day_total(&r.wearers[0].days[0], &total);
	assert_near(total.period_s, 25 * 3600.0, 1e-6);
	report_free(&r);
	set_zone(NULL);
}

/* --since/--until: the part of a period in the window counts, and only that. */
static void the_window_clips_periods(void **state)
{
	struct report r;
	const struct report_hour *h;

	(void)state;
	report_init(&r, at(2026, 11, 30, 9, 0, 0), at(2026, 11, 30, 10, 15, 0), NULL);
	add_period(&r, A_ID, at(2026, 11, 30, 9, 0, 0) + 12 * MS, "summary", "2400.0", "1800.0",
		   "300.0", "240.0", "0.0", "2", "1", "420.0");
	add_period(&r, A_ID, at(2026, 11, 30, 10, 0, 0) + 5 * MS, "summary", "3600.0", "3000.0",
		   "400.0", "200.0", "0.0", "1", "1", "500.0");
	add_period(&r, A_ID, at(2026, 11, 30, 10, 30, 0), "stopped", "1800.0", "1500.0", "300.0",
		   "0.0", "0.0", "1", "0", "0.0");
	add_period(&r, A_ID, at(2026, 11, 30, 12, 0, 0), "summary", "3600.0", "3600.0", "0.0",
		   "0.0", "0.0", "0", "0", "0.0");
	assert_int_equal(r.wearers[0].n_days, 1);
	assert_int_equal(r.wearers[0].days[0].n_hours, 2);
	assert_null(hour_at(&r, 0, at(2026, 11, 30, 8, 0, 0)));
	h = hour_at(&r, 0, at(2026, 11, 30, 10, 0, 0));
	assert_near(h->sum.period_s, 900.0, 1e-6);
	assert_near(h->sum.upright_s, 750.0, 1e-6);
	/* Its counts belong to the hour, which is partly in the window. */
	assert_int_equal(h->sum.alerts, 1);
	report_free(&r);
}

/* One wearer per machine; the filter takes a machine id (any case) or a hostname. */
static void one_report_per_machine(void **state)
{
	struct report r;

	(void)state;
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	add(&r, B_ID, "bob", at(2026, 11, 30, 9, 0, 0), "alert", (const char *)NULL);
	add(&r, A_ID, "alice", at(2026, 11, 30, 9, 1, 0), "alert", (const char *)NULL);
	add(&r, B_ID, "bob-renamed", at(2026, 11, 30, 9, 2, 0), "alert", (const char *)NULL);
	assert_int_equal(r.n_wearers, 2);
	assert_string_equal(r.wearers[0].hostname, "bob-renamed");
	assert_int_equal(r.wearers[0].n_alerts, 2);
	assert_int_equal(r.wearers[1].n_alerts, 1);
	report_free(&r);

	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, "ALICE");
	add(&r, A_ID, "alice", at(2026, 11, 30, 9, 1, 0), "alert", (const char *)NULL);
	assert_int_equal(r.n_wearers, 0);
	report_free(&r);
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	add(&r, A_ID, "alice", at(2026, 11, 30, 9, 1, 0), "alert", (const char *)NULL);
	add(&r, B_ID, "bob", at(2026, 11, 30, 9, 1, 0), "alert", (const char *)NULL);
	assert_int_equal(r.n_wearers, 1);
	report_free(&r);
	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, "bob");
	add(&r, A_ID, "alice", at(2026, 11, 30, 9, 1, 0), "alert", (const char *)NULL);
	add(&r, B_ID, "bob", at(2026, 11, 30, 9, 1, 0), "alert", (const char *)NULL);
	assert_int_equal(r.n_wearers, 1);
	assert_string_equal(r.wearers[0].machine_id, B_ID);
	/* Other events of postured, and entries without an event, are not the report's. */
	add(&r, B_ID, "bob", at(2026, 11, 30, 9, 5, 0), "config_reloaded", (const char *)NULL);
	assert_int_equal(r.wearers[0].n_days, 1);
	report_free(&r);
}

/* The plot's slumps: leaning from the onset, slumped from slump_started, corrected at the end. */
static void slumps_pair_their_events(void **state)
{
	struct report r;
	const struct report_wearer *w;
	int64_t t0 = at(2026, 11, 30, 8, 40, 0);

	(void)state;
	report_init(&r, REPORT_TIME_MIN, at(2026, 11, 30, 12, 0, 0), NULL);
	/* ended, its start before what was read */
	add(&r, A_ID, "alice", t0 - 600 * SEC, "slump_ended", "POSTURE_DURATION_S=100.0",
	    (const char *)NULL);
	add(&r, A_ID, "alice", t0, "slump_started", "POSTURE_DURATION_S=180.0",
	    "POSTURE_CAUSE=neck", (const char *)NULL);
	add(&r, A_ID, "alice", t0 + 240 * SEC, "slump_ended", "POSTURE_DURATION_S=420.0",
	    (const char *)NULL);
	/* never ended: the next start ends it, and a stop ends that one */
	add(&r, A_ID, "alice", t0 + 3600 * SEC, "slump_started", "POSTURE_DURATION_S=60.0",
	    (const char *)NULL);
	add(&r, A_ID, "alice", t0 + 4000 * SEC, "slump_started", "POSTURE_DURATION_S=60.0",
	    (const char *)NULL);
	add_period(&r, A_ID, t0 + 4100 * SEC, "stopped", "100.0", "0.0", "0.0", "100.0", "0.0", "0",
		   "0", "160.0");
	/* after the window: dropped once it ends */
	add(&r, A_ID, "alice", at(2026, 11, 30, 13, 0, 0), "slump_started", (const char *)NULL);
	add(&r, A_ID, "alice", at(2026, 11, 30, 13, 5, 0), "slump_ended", (const char *)NULL);
	/* and one still lasting */
	add(&r, A_ID, "alice", at(2026, 11, 30, 11, 0, 0), "slump_started", (const char *)NULL);
	w = &r.wearers[0];
	assert_int_equal(w->n_slumps, 5);
	assert_true(w->slumps[0].onset_usec == t0 - 700 * SEC);
	assert_true(w->slumps[0].start_usec == t0 - 700 * SEC);
	assert_true(w->slumps[0].end_usec == t0 - 600 * SEC);
	assert_true(w->slumps[1].onset_usec == t0 - 180 * SEC);
	assert_true(w->slumps[1].start_usec == t0);
	assert_true(w->slumps[1].end_usec == t0 + 240 * SEC);
	assert_int_equal(w->slumps[1].cause, ANGLE_NECK);
	assert_true(w->slumps[2].end_usec == t0 + 4000 * SEC);
	assert_true(w->slumps[3].end_usec == t0 + 4100 * SEC);
	assert_true(w->slumps[4].end_usec == 0);
	assert_true(w->slump_open);
	assert_true(w->last_usec == at(2026, 11, 30, 13, 5, 0));
	report_free(&r);
}

static void alerts_in_the_window_are_marked(void **state)
{
	struct report r;

	(void)state;
	report_init(&r, at(2026, 11, 30, 0, 0, 0), at(2026, 12, 1, 0, 0, 0), NULL);
	add(&r, A_ID, "alice", at(2026, 11, 29, 23, 59, 59), "alert", (const char *)NULL);
	add(&r, A_ID, "alice", at(2026, 11, 30, 8, 40, 0), "alert", "POSTURE_TRUNK_DEG=35.2",
	    "POSTURE_CAUSE=trunk", (const char *)NULL);
	add(&r, A_ID, "alice", at(2026, 12, 1, 0, 0, 0), "alert", (const char *)NULL);
	assert_int_equal(r.wearers[0].n_alerts, 1);
	assert_near(r.wearers[0].alerts[0].trunk_deg, 35.2, 1e-9);
	/* The alert's day is in the report, before any summary of it. */
	assert_int_equal(r.wearers[0].n_days, 1);
	assert_int_equal(r.wearers[0].days[0].n_hours, 0);
	report_free(&r);
}

static void exposure_is_the_share_held_too_long(void **state)
{
	struct posture_summary s = { 0 };

	(void)state;
	assert_true(isnan(report_exposure_pct(&s)));
	s.lying_s = 3600.0;
	assert_true(isnan(report_exposure_pct(&s)));
	s.upright_s = 2000.0;
	s.leaning_s = 1000.0;
	s.slumped_s = 1000.0;
	assert_near(report_exposure_pct(&s), 25.0, 1e-9);
}

/* Runs fn(r, stream) into a string (freed by the caller). */
static char *written(const struct report *r, int (*fn)(const struct report *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(r, f), 0);
	fclose(f);
	return buf;
}

static void writes_tables_and_json(void **state)
{
	struct report r;
	char *out;

	(void)state;
	report_init(&r, at(2026, 11, 30, 0, 0, 0), REPORT_TIME_MAX, NULL);
	add_period(&r, A_ID, at(2026, 11, 30, 9, 0, 0), "summary", "3600.0", "3000.0", "300.0",
		   "240.0", "60.0", "2", "1", "420.0");
	add(&r, A_ID, "alice", at(2026, 11, 30, 8, 40, 0), "alert", (const char *)NULL);

	out = written(&r, report_write_text);
	assert_non_null(strstr(out, "Wearer alice (machine " A_ID ")\n"));
	assert_non_null(strstr(out, "\nMonday 2026-11-30: measured 1 h 00 min; upright 50.0 min, "
				    "leaning 5.0 min, slumped 4.0 min, lying 1.0 min; still 0 s, "
				    "moving 0 s; 2 alerts, 1 slump, longest slump 7.0 min; ISO "
				    "11226 exposure 6.8%\n"));
	assert_non_null(strstr(out, "\n  08:00     60.0    50.0     5.0     4.0    1.0    0.0    "
				    "0.0      2      1     7.0     6.8%\n"));
	assert_non_null(strstr(out, "\n  day       60.0    50.0"));
	free(out);

	out = written(&r, report_write_json);
	assert_string_equal(
	    out,
	    "{\"since\":\"2026-11-30T00:00:00+01:00\",\"until\":null,\"wearers\":[{"
	    "\"machine_id\":\"" A_ID "\",\"hostname\":\"alice\",\"alert_events\":1,\"days\":[{"
	    "\"date\":\"2026-11-30\",\"measured_s\":3600.0,\"upright_s\":3000.0,"
	    "\"leaning_s\":300.0,\"slumped_s\":240.0,\"lying_s\":60.0,\"still_s\":0.0,"
	    "\"moving_s\":0.0,\"alerts\":2,\"slumps\":1,\"longest_slump_s\":420.0,"
	    "\"iso11226_exposure_pct\":6.8,\"hours\":[{\"start\":\"2026-11-30T08:00:00+01:00\","
	    "\"start_usec\":1796022000000000,\"measured_s\":3600.0,\"upright_s\":3000.0,"
	    "\"leaning_s\":300.0,\"slumped_s\":240.0,\"lying_s\":60.0,\"still_s\":0.0,"
	    "\"moving_s\":0.0,\"alerts\":2,\"slumps\":1,\"longest_slump_s\":420.0,"
	    "\"iso11226_exposure_pct\":6.8}]}]}]}\n");
	free(out);
	report_free(&r);

	report_init(&r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	add(&r, A_ID, "al\"ice\\", at(2026, 11, 30, 8, 40, 0), "alert", (const char *)NULL);
	out = written(&r, report_write_json);
	assert_non_null(strstr(out, "\"hostname\":\"al\\\"ice\\\\\""));
	free(out);
	out = written(&r, report_write_text);
	assert_non_null(strstr(out, "Monday 2026-11-30: no period summarised yet"));
	free(out);
	report_free(&r);
}

static void expect_time(const char *text, int64_t want)
{
	/* now: Monday 2026-11-30 14:25:36.5 local */
	int64_t now = at(2026, 11, 30, 14, 25, 36) + 500 * MS, got = -1;

	if (report_parse_time(text, now, &got) != 0 || got != want)
		fail_msg("'%s': got %lld, want %lld", text, (long long)got, (long long)want);
}

static void expect_no_time(const char *text)
{
	int64_t got = 42;

	if (report_parse_time(text, 0, &got) != -EINVAL || got != 42)
		fail_msg("'%s' was taken as a time", text);
}

static void parses_journalctl_times(void **state)
{
	int64_t now = at(2026, 11, 30, 14, 25, 36) + 500 * MS;

	(void)state;
	expect_time("now", now);
	expect_time(" today ", at(2026, 11, 30, 0, 0, 0));
	expect_time("yesterday", at(2026, 11, 29, 0, 0, 0));
	expect_time("tomorrow", at(2026, 12, 1, 0, 0, 0));
	expect_time("2026-11-30", at(2026, 11, 30, 0, 0, 0));
	expect_time("2026-03-01 14:00", at(2026, 3, 1, 14, 0, 0));
	expect_time("2026-03-01 14:00:59", at(2026, 3, 1, 14, 0, 59));
	expect_time("2026-03-01T07:05", at(2026, 3, 1, 7, 5, 0));
	expect_time("09:30", at(2026, 11, 30, 9, 30, 0));
	expect_time("09:30:15", at(2026, 11, 30, 9, 30, 15));
	expect_time("@1764500000", 1764500000 * SEC);
	expect_time("@1764500000.25", 1764500000 * SEC + 250 * MS);
	expect_time("@-1.000001", -SEC - 1);
	/* A 32-bit time_t (bookworm's armhf) cannot hold it: refused, never wrapped. */
	if (sizeof(time_t) >= 8)
		expect_time("9999-12-31 23:59:59", at(9999, 12, 31, 23, 59, 59));
	else
		expect_no_time("9999-12-31 23:59:59");
	expect_time("-2h", now - 7200 * SEC);
	expect_time("+30min", now + 1800 * SEC);
	expect_time("-3d", now - 3 * 86400 * SEC);
	expect_time("-1d 12h", now - 36 * 3600 * SEC);
	expect_time("-1h30m", now - 5400 * SEC);
	expect_time("-90", now - 90 * SEC);
	expect_time("-1w", now - 7 * 86400 * SEC);
	expect_time("3h ago", now - 3 * 3600 * SEC);
	expect_time("2 hours ago", now - 2 * 3600 * SEC);
	expect_time("45 minutes ago", now - 45 * 60 * SEC);

	expect_no_time("");
	expect_no_time("last tuesday");
	expect_no_time("2026-02-30");
	expect_no_time("2026-13-01");
	expect_no_time("2026-11-30 24:00");
	expect_no_time("2026-11-30 14:60");
	expect_no_time("2026-11-30 14");
	expect_no_time("2026-11-30 14:00 x");
	expect_no_time("26-11-30");
	expect_no_time("9:30");
	expect_no_time("-");
	expect_no_time("-2x");
	expect_no_time("-h");
	expect_no_time("ago");
	expect_no_time("@");
	expect_no_time("@12abc");
	expect_no_time("@1.1234567");
	expect_no_time("@1234567890123");
	expect_no_time("nowish");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_fields_postured_writes),
		cmocka_unit_test(refuses_damaged_values),
		cmocka_unit_test(aligned_summaries_fill_their_hours),
		cmocka_unit_test(unaligned_periods_are_shared_in_proportion),
		cmocka_unit_test(days_are_local),
		cmocka_unit_test(a_day_may_have_25_hours),
		cmocka_unit_test(the_window_clips_periods),
		cmocka_unit_test(one_report_per_machine),
		cmocka_unit_test(slumps_pair_their_events),
		cmocka_unit_test(alerts_in_the_window_are_marked),
		cmocka_unit_test(exposure_is_the_share_held_too_long),
		cmocka_unit_test(writes_tables_and_json),
		cmocka_unit_test(parses_journalctl_times),
	};

	return cmocka_run_group_tests(tests, set_zone, NULL);
}
