/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define USEC_PER_SEC 1000000LL
#define USEC_PER_HOUR (3600LL * USEC_PER_SEC)

/* ---- journal fields ---- */

void report_event_init(struct report_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->duration_s = NAN;
	ev->trunk_deg = NAN;
}

/* The whole value as a finite number, or false. */
static bool parse_number(const char *value, size_t len, double *out)
{
	char buf[64];
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, value, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	return *end == '\0' && errno == 0 && isfinite(*out);
}

static bool parse_count(const char *value, size_t len, unsigned int *out)
{
	double x;

	if (!parse_number(value, len, &x) || x < 0.0 || x > 4e9 || x != floor(x))
		return false;
	*out = (unsigned int)x;
	return true;
}

static bool value_is(const char *value, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(value, word, len) == 0;
}

static bool parse_event_type(const char *value, size_t len, enum event_type *out)
{
	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		if (value_is(value, len, event_type_name((enum event_type)t))) {
			*out = (enum event_type)t;
			return true;
		}
	}
	return false;
}

static bool parse_cause(const char *value, size_t len, enum posture_angle *out)
{
	for (int a = 0; a < ANGLE_COUNT; a++) {
		if (value_is(value, len, angle_name((enum posture_angle)a))) {
			*out = (enum posture_angle)a;
			return true;
		}
	}
	return false;
}

static bool copy_text(char *dst, size_t cap, const char *value, size_t len)
{
	if (len >= cap)
		return false;
	memcpy(dst, value, len);
	dst[len] = '\0';
	return true;
}

/* The summary's numbers, by journal field name (event.c's add_summary writes them). */
static double *summary_seconds(struct posture_summary *s, const char *name)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{ "POSTURE_PERIOD_S", offsetof(struct posture_summary, period_s) },
		{ "POSTURE_UPRIGHT_S", offsetof(struct posture_summary, upright_s) },
		{ "POSTURE_LEANING_S", offsetof(struct posture_summary, leaning_s) },
		{ "POSTURE_SLUMPED_S", offsetof(struct posture_summary, slumped_s) },
		{ "POSTURE_LYING_S", offsetof(struct posture_summary, lying_s) },
		{ "POSTURE_STILL_S", offsetof(struct posture_summary, still_s) },
		{ "POSTURE_MOVING_S", offsetof(struct posture_summary, moving_s) },
		{ "POSTURE_LONGEST_SLUMP_S", offsetof(struct posture_summary, longest_slump_s) },
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(name, fields[i].name) == 0)
			return (double *)(void *)((char *)s + fields[i].offset);
	return NULL;
}

int report_event_set_field(struct report_event *ev, const char *name, const char *value, size_t len)
{
	double *seconds = summary_seconds(&ev->summary, name);
	double x;
	bool ok = true;

	if (seconds) {
		ok = parse_number(value, len, &x) && x >= 0.0;
		if (ok)
			*seconds = x;
		if (ok && strcmp(name, "POSTURE_PERIOD_S") == 0)
			ev->have_period = true;
	} else if (strcmp(name, "POSTURE_EVENT") == 0) {
		ok = parse_event_type(value, len, &ev->type);
		ev->have_type |= ok;
	} else if (strcmp(name, "_MACHINE_ID") == 0) {
		ok = copy_text(ev->machine_id, sizeof(ev->machine_id), value, len);
	} else if (strcmp(name, "_HOSTNAME") == 0) {
		ok = copy_text(ev->hostname, sizeof(ev->hostname), value, len);
	} else if (strcmp(name, "POSTURE_ALERTS") == 0) {
		ok = parse_count(value, len, &ev->summary.alerts);
	} else if (strcmp(name, "POSTURE_SLUMPS") == 0) {
		ok = parse_count(value, len, &ev->summary.slumps);
	} else if (strcmp(name, "POSTURE_DURATION_S") == 0) {
		ok = parse_number(value, len, &x) && x >= 0.0;
		if (ok)
			ev->duration_s = x;
	} else if (strcmp(name, "POSTURE_TRUNK_DEG") == 0) {
		ok = parse_number(value, len, &x);
		if (ok)
			ev->trunk_deg = x;
	} else if (strcmp(name, "POSTURE_CAUSE") == 0) {
		ok = parse_cause(value, len, &ev->cause);
		ev->have_cause |= ok;
	}
	return ok ? 0 : -EINVAL;
}

/* ---- local time ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool local_tm(int64_t usec, struct tm *tm)
{
	time_t t = (time_t)floor_div(usec, USEC_PER_SEC);

	return localtime_r(&t, tm) != NULL;
}

/* The start of the local hour holding usec (whole-hour and half-hour zones alike). */
static int64_t hour_start_usec(int64_t usec)
{
	int64_t sec = floor_div(usec, USEC_PER_SEC);
	struct tm tm;

	if (!local_tm(usec, &tm))
		return (sec - (sec % 3600 + 3600) % 3600) * USEC_PER_SEC;
	return (sec - tm.tm_min * 60 - tm.tm_sec) * USEC_PER_SEC;
}

static int64_t next_hour_usec(int64_t start_usec)
{
	int64_t next = hour_start_usec(start_usec + USEC_PER_HOUR);

	return next > start_usec ? next : start_usec + USEC_PER_HOUR;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* ---- the report's structure ---- */

void report_init(struct report *r, int64_t since_usec, int64_t until_usec, const char *machine)
{
	memset(r, 0, sizeof(*r));
	r->since_usec = since_usec;
	r->until_usec = until_usec;
	if (machine)
		snprintf(r->machine, sizeof(r->machine), "%s", machine);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n_wearers; i++) {
		free(r->wearers[i].days);
		free(r->wearers[i].slumps);
		free(r->wearers[i].alerts);
	}
	free(r->wearers);
	r->wearers = NULL;
	r->n_wearers = 0;
}

/* array with room for n + 1 elements of size, the last one zeroed; NULL when out of memory. */
static void *grown(void *array, size_t n, size_t size)
{
	char *bigger = realloc(array, (n + 1) * size);

	if (bigger)
		memset(bigger + n * size, 0, size);
	return bigger;
}

static struct report_slump *new_slump(struct report_wearer *w)
{
	struct report_slump *bigger = grown(w->slumps, w->n_slumps, sizeof(*bigger));

	if (!bigger)
		return NULL;
	w->slumps = bigger;
	return &bigger[w->n_slumps++];
}

static bool wanted(const struct report *r, const struct report_event *ev)
{
	return !r->machine[0] || strcasecmp(r->machine, ev->machine_id) == 0 ||
	       strcmp(r->machine, ev->hostname) == 0;
}

static struct report_wearer *find_wearer(struct report *r, const struct report_event *ev)
{
	struct report_wearer *w;

	for (size_t i = 0; i < r->n_wearers; i++) {
		if (strcmp(r->wearers[i].machine_id, ev->machine_id) == 0) {
			w = &r->wearers[i];
			goto found;
		}
	}
	w = grown(r->wearers, r->n_wearers, sizeof(*w));
	if (!w)
		return NULL;
	r->wearers = w;
	w = &w[r->n_wearers++];
	snprintf(w->machine_id, sizeof(w->machine_id), "%s", ev->machine_id);
found:
	if (ev->hostname[0])
		snprintf(w->hostname, sizeof(w->hostname), "%s", ev->hostname);
	return w;
}

static int date_key(int year, int month, int mday)
{
	return (year * 100 + month) * 100 + mday;
}

/* The local day of usec, inserted in date order when new; NULL when out of memory. */
static struct report_day *find_day(struct report_wearer *w, int64_t usec)
{
	struct report_day *d;
	struct tm tm;
	int key;
	size_t i;

	if (!local_tm(usec, &tm))
		memset(&tm, 0, sizeof(tm));
	key = date_key(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	for (i = 0; i < w->n_days; i++) {
		int k = date_key(w->days[i].year, w->days[i].month, w->days[i].mday);

		if (k == key)
			return &w->days[i];
		if (k > key)
			break;
	}
	d = grown(w->days, w->n_days, sizeof(*d));
	if (!d)
		return NULL;
	w->days = d;
	w->n_days++;
	memmove(&w->days[i + 1], &w->days[i], (w->n_days - 1 - i) * sizeof(*w->days));
	memset(&w->days[i], 0, sizeof(w->days[i]));
	w->days[i].year = tm.tm_year + 1900;
	w->days[i].month = tm.tm_mon + 1;
	w->days[i].mday = tm.tm_mday;
	w->days[i].wday = tm.tm_wday;
	return &w->days[i];
}

/* The hour starting at start_usec, inserted in time order when new; NULL when out of memory. */
static struct report_hour *find_hour(struct report_wearer *w, int64_t start_usec)
{
	struct report_day *d = find_day(w, start_usec);
	size_t i;

	if (!d)
		return NULL;
	for (i = 0; i < d->n_hours; i++) {
		if (d->hours[i].start_usec == start_usec)
			return &d->hours[i];
		if (d->hours[i].start_usec > start_usec)
			break;
	}
	if (d->n_hours == REPORT_DAY_HOURS_MAX)
		return NULL; /* not possible: a day has at most 25 local hours */
	memmove(&d->hours[i + 1], &d->hours[i], (d->n_hours - i) * sizeof(d->hours[0]));
	memset(&d->hours[i], 0, sizeof(d->hours[i]));
	d->hours[i].start_usec = start_usec;
	d->n_hours++;
	return &d->hours[i];
}

/* ---- periods: summary and stopped ---- */

static void add_times(struct posture_summary *dst, const struct posture_summary *src, double f)
{
	dst->period_s += f * src->period_s;
	dst->upright_s += f * src->upright_s;
	dst->leaning_s += f * src->leaning_s;
	dst->slumped_s += f * src->slumped_s;
	dst->lying_s += f * src->lying_s;
	dst->still_s += f * src->still_s;
	dst->moving_s += f * src->moving_s;
}

static void add_counts(struct posture_summary *dst, const struct posture_summary *src)
{
	dst->alerts += src->alerts;
	dst->slumps += src->slumps;
	if (src->longest_slump_s > dst->longest_slump_s)
		dst->longest_slump_s = src->longest_slump_s;
}

static int add_period(struct report *r, struct report_wearer *w, const struct report_event *ev)
{
	const struct posture_summary *s = &ev->summary;
	int64_t end = ev->realtime_usec, start, period_usec, best = 0, best_overlap = 0;
	bool best_in_window = false;

	if (!(s->period_s > 0.0) || s->period_s > 1e9)
		return 0;
	/* The daemon closes a summary at a full hour; the journal stamps it a little later. */
	if (ev->type == EVENT_SUMMARY && end - hour_start_usec(end) < REPORT_SNAP_USEC)
		end = hour_start_usec(end);
	period_usec = llround(s->period_s * 1e6);
	start = end - period_usec;
	for (int64_t h = hour_start_usec(start), next; h < end; h = next) {
		int64_t overlap, lo, hi;

		next = next_hour_usec(h);
		overlap = min64(end, next) - max64(start, h);
		lo = max64(max64(start, h), r->since_usec);
		hi = min64(min64(end, next), r->until_usec);
		if (hi > lo) {
			struct report_hour *hour = find_hour(w, h);

			if (!hour)
				return -ENOMEM;
			add_times(&hour->sum, s, (double)(hi - lo) / (double)period_usec);
		}
		if (overlap > best_overlap) {
			best_overlap = overlap;
			best = h;
			best_in_window = hi > lo;
		}
	}
	if (best_in_window && (s->alerts || s->slumps || s->longest_slump_s > 0.0)) {
		struct report_hour *hour = find_hour(w, best);

		if (!hour)
			return -ENOMEM;
		add_counts(&hour->sum, s);
	}
	return 0;
}

/* ---- marks for the plot: alerts and slumps ---- */

static bool in_window(const struct report *r, int64_t usec)
{
	return usec >= r->since_usec && usec < r->until_usec;
}

static int add_alert(struct report *r, struct report_wearer *w, const struct report_event *ev)
{
	struct report_alert *a;

	if (!in_window(r, ev->realtime_usec))
		return 0;
	if (!find_day(w, ev->realtime_usec))
		return -ENOMEM;
	a = grown(w->alerts, w->n_alerts, sizeof(*a));
	if (!a)
		return -ENOMEM;
	w->alerts = a;
	a = &a[w->n_alerts++];
	a->usec = ev->realtime_usec;
	a->trunk_deg = ev->trunk_deg;
	a->cause = ev->have_cause ? ev->cause : ANGLE_TRUNK;
	return 0;
}

/* A slump outside [since, until) is dropped once its end is known. */
static int end_slump(struct report *r, struct report_wearer *w, int64_t end_usec)
{
	struct report_slump *s = &w->slumps[w->n_slumps - 1];

	w->slump_open = false;
	s->end_usec = end_usec;
	if (end_usec <= r->since_usec || s->onset_usec >= r->until_usec) {
		w->n_slumps--;
		return 0;
	}
	return find_day(w, max64(s->onset_usec, r->since_usec)) ? 0 : -ENOMEM;
}

static int64_t onset_usec(const struct report_event *ev)
{
	if (!isfinite(ev->duration_s) || ev->duration_s > 1e9)
		return ev->realtime_usec;
	return ev->realtime_usec - llround(ev->duration_s * 1e6);
}

static int add_slump_mark(struct report *r, struct report_wearer *w, const struct report_event *ev)
{
	struct report_slump *s;

	switch (ev->type) {
	case EVENT_SLUMP_STARTED:
		/* A slump never ended (the daemon killed): it ends where the next begins. */
		if (w->slump_open && end_slump(r, w, ev->realtime_usec) < 0)
			return -ENOMEM;
		s = new_slump(w);
		if (!s)
			return -ENOMEM;
		s->onset_usec = onset_usec(ev);
		s->start_usec = ev->realtime_usec;
		s->cause = ev->have_cause ? ev->cause : ANGLE_TRUNK;
		w->slump_open = true;
		return 0;
	case EVENT_SLUMP_ENDED:
		if (!w->slump_open) {
			/* Its start lies before what was read: known from its duration alone. */
			s = new_slump(w);
			if (!s)
				return -ENOMEM;
			s->onset_usec = onset_usec(ev);
			s->start_usec = s->onset_usec;
			s->cause = ev->have_cause ? ev->cause : ANGLE_TRUNK;
		}
		return end_slump(r, w, ev->realtime_usec);
	default:
		/* started, stopped: a slump does not outlive the daemon */
		return w->slump_open ? end_slump(r, w, ev->realtime_usec) : 0;
	}
}

int report_add_event(struct report *r, const struct report_event *ev)
{
	struct report_wearer *w;
	int ret = 0;

	if (!ev->have_type || !wanted(r, ev))
		return 0;
	switch (ev->type) {
	case EVENT_SUMMARY:
	case EVENT_STOPPED:
	case EVENT_STARTED:
	case EVENT_ALERT:
	case EVENT_SLUMP_STARTED:
	case EVENT_SLUMP_ENDED:
		break;
	default:
		return 0;
	}
	w = find_wearer(r, ev);
	if (!w)
		return -ENOMEM;
	w->last_usec = max64(w->last_usec, ev->realtime_usec);
	if (ev->type == EVENT_ALERT)
		return add_alert(r, w, ev);
	if ((ev->type == EVENT_SUMMARY || ev->type == EVENT_STOPPED) && ev->have_period)
		ret = add_period(r, w, ev);
	if (ret == 0 && ev->type != EVENT_SUMMARY)
		ret = add_slump_mark(r, w, ev);
	return ret;
}

void report_day_total(const struct report_day *day, struct posture_summary *total)
{
	memset(total, 0, sizeof(*total));
	for (size_t i = 0; i < day->n_hours; i++) {
		add_times(total, &day->hours[i].sum, 1.0);
		add_counts(total, &day->hours[i].sum);
	}
}

double report_exposure_pct(const struct posture_summary *s)
{
	double sat_or_stood_s = s->upright_s + s->leaning_s + s->slumped_s;

	return sat_or_stood_s > 0.0 ? 100.0 * s->slumped_s / sat_or_stood_s : NAN;
}

/* ---- text ---- */

static const char *const weekdays[7] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
					 "Thursday", "Friday", "Saturday" };

/* "3 h 05 min", "12.5 min", "40 s" */
static void format_duration(char *buf, size_t len, double s)
{
	if (s < 60.0)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 3600.0)
		snprintf(buf, len, "%.1f min", s / 60.0);
	else {
		long min = lround(s / 60.0);

		snprintf(buf, len, "%ld h %02ld min", min / 60, min % 60);
	}
}

static void format_pct(char *buf, size_t len, double pct)
{
	if (isnan(pct))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", pct);
}

static const char *wearer_name(const struct report_wearer *w)
{
	return w->hostname[0] ? w->hostname : "(no hostname)";
}

static void write_day_line(const struct report_day *day, const struct posture_summary *t, FILE *out)
{
	char m[32], u[32], le[32], sl[32], ly[32], st[32], mv[32], lg[32], ex[16];

	fprintf(out, "%s %04d-%02d-%02d: ", weekdays[day->wday % 7], day->year, day->month,
		day->mday);
	if (!(t->period_s > 0.0)) {
		fputs("no period summarised yet (an hour is summarised at its end)\n", out);
		return;
	}
	format_duration(m, sizeof(m), t->period_s);
	format_duration(u, sizeof(u), t->upright_s);
	format_duration(le, sizeof(le), t->leaning_s);
	format_duration(sl, sizeof(sl), t->slumped_s);
	format_duration(ly, sizeof(ly), t->lying_s);
	format_duration(st, sizeof(st), t->still_s);
	format_duration(mv, sizeof(mv), t->moving_s);
	format_duration(lg, sizeof(lg), t->longest_slump_s);
	format_pct(ex, sizeof(ex), report_exposure_pct(t));
	fprintf(out,
		"measured %s; upright %s, leaning %s, slumped %s, lying %s; still %s, "
		"moving %s; %u alert%s, %u slump%s, longest slump %s; ISO 11226 exposure %s\n",
		m, u, le, sl, ly, st, mv, t->alerts, t->alerts == 1 ? "" : "s", t->slumps,
		t->slumps == 1 ? "" : "s", lg, ex);
}

static void write_row(const char *label, const struct posture_summary *s, FILE *out)
{
	char ex[16];

	format_pct(ex, sizeof(ex), report_exposure_pct(s));
	fprintf(out, "  %-5s %8.1f %7.1f %7.1f %7.1f %6.1f %6.1f %6.1f %6u %6u %7.1f %8s\n", label,
		s->period_s / 60.0, s->upright_s / 60.0, s->leaning_s / 60.0, s->slumped_s / 60.0,
		s->lying_s / 60.0, s->still_s / 60.0, s->moving_s / 60.0, s->alerts, s->slumps,
		s->longest_slump_s / 60.0, ex);
}

static void write_day_text(const struct report_day *day, FILE *out)
{
	struct posture_summary total;

	report_day_total(day, &total);
	write_day_line(day, &total, out);
	if (day->n_hours == 0)
		return;
	fputs("  hour  measured upright leaning slumped  lying  still moving alerts slumps "
	      "longest exposure\n",
	      out);
	for (size_t i = 0; i < day->n_hours; i++) {
		struct tm tm;
		char label[16] = "?";

		if (local_tm(day->hours[i].start_usec, &tm))
			strftime(label, sizeof(label), "%H:%M", &tm);
		write_row(label, &day->hours[i].sum, out);
	}
	write_row("day", &total, out);
}

int report_write_text(const struct report *r, FILE *out)
{
	for (size_t i = 0; i < r->n_wearers; i++) {
		const struct report_wearer *w = &r->wearers[i];

		fprintf(out, "%sWearer %s (machine %s)\n", i ? "\n" : "", wearer_name(w),
			w->machine_id[0] ? w->machine_id : "unknown");
		fputs(
		    "Times in minutes per hour; exposure: the share of the time sat or stood held "
		    "longer than ISO 11226 accepts.\n",
		    out);
		if (w->n_days == 0)
			fputs("\nNothing in this time.\n", out);
		for (size_t d = 0; d < w->n_days; d++) {
			fputc('\n', out);
			write_day_text(&w->days[d], out);
		}
	}
	return ferror(out) ? -EIO : 0;
}

/* ---- JSON ---- */

static void json_string(const char *s, FILE *out)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

/* ISO 8601 local time with the offset, "2026-11-30T14:00:00+01:00", or null. */
static void json_time(int64_t usec, FILE *out)
{
	struct tm tm;
	char buf[40];
	size_t n;

	if (usec == REPORT_TIME_MIN || usec == REPORT_TIME_MAX || !local_tm(usec, &tm) ||
	    (n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm)) < 5) {
		fputs("null", out);
		return;
	}
	memmove(buf + n - 1, buf + n - 2, 3);
	buf[n - 2] = ':';
	json_string(buf, out);
}

static void json_figures(const struct posture_summary *s, FILE *out)
{
	double ex = report_exposure_pct(s);

	fprintf(out,
		"\"measured_s\":%.1f,\"upright_s\":%.1f,\"leaning_s\":%.1f,\"slumped_s\":%.1f,"
		"\"lying_s\":%.1f,\"still_s\":%.1f,\"moving_s\":%.1f,\"alerts\":%u,\"slumps\":%u,"
		"\"longest_slump_s\":%.1f,\"iso11226_exposure_pct\":",
		s->period_s, s->upright_s, s->leaning_s, s->slumped_s, s->lying_s, s->still_s,
		s->moving_s, s->alerts, s->slumps, s->longest_slump_s);
	if (isnan(ex))
		fputs("null", out);
	else
		fprintf(out, "%.1f", ex);
}

static void json_day(const struct report_day *day, FILE *out)
{
	struct posture_summary total;

	report_day_total(day, &total);
	fprintf(out, "{\"date\":\"%04d-%02d-%02d\",", day->year, day->month, day->mday);
	json_figures(&total, out);
	fputs(",\"hours\":[", out);
	for (size_t i = 0; i < day->n_hours; i++) {
		fputs(i ? ",{\"start\":" : "{\"start\":", out);
		json_time(day->hours[i].start_usec, out);
		fprintf(out, ",\"start_usec\":%lld,", (long long)day->hours[i].start_usec);
		json_figures(&day->hours[i].sum, out);
		fputc('}', out);
	}
	fputs("]}", out);
}

int report_write_json(const struct report *r, FILE *out)
{
	fputs("{\"since\":", out);
	json_time(r->since_usec, out);
	fputs(",\"until\":", out);
	json_time(r->until_usec, out);
	fputs(",\"wearers\":[", out);
	for (size_t i = 0; i < r->n_wearers; i++) {
		const struct report_wearer *w = &r->wearers[i];

		fputs(i ? ",{\"machine_id\":" : "{\"machine_id\":", out);
		json_string(w->machine_id, out);
		fputs(",\"hostname\":", out);
		json_string(w->hostname, out);
		fprintf(out, ",\"alert_events\":%zu,\"days\":[", w->n_alerts);
		for (size_t d = 0; d < w->n_days; d++) {
			if (d)
				fputc(',', out);
			json_day(&w->days[d], out);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
	return ferror(out) ? -EIO : 0;
}

/* ---- journalctl's time syntax ---- */

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static double unit_seconds(const char *unit, size_t len)
{
	static const struct {
		const char *name;
		double s;
	} units[] = {
		{ "s", 1 },	    { "sec", 1 },     { "second", 1 },	{ "m", 60 },
		{ "min", 60 },	    { "minute", 60 }, { "h", 3600 },	{ "hr", 3600 },
		{ "hour", 3600 },   { "d", 86400 },   { "day", 86400 }, { "w", 604800 },
		{ "week", 604800 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i].name);

		if ((len == n || (len == n + 1 && n > 1 && unit[n] == 's')) &&
		    strncmp(unit, units[i].name, n) == 0)
			return units[i].s;
	}
	return NAN;
}

/* "1d 12h", "90min", "2 hours": a sum of spans (a bare number is seconds). */
static int parse_span(const char *s, const char *end, double *out_s)
{
	double total = 0.0;
	int parts = 0;

	s = skip_blanks(s);
	while (s < end) {
		char *num_end;
		double n, unit;
		const char *u;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		n = strtod(s, &num_end);
		s = skip_blanks(num_end);
		u = s;
		while (s < end && isalpha((unsigned char)*s))
			s++;
		unit = s == u ? 1.0 : unit_seconds(u, (size_t)(s - u));
		if (isnan(unit))
			return -EINVAL;
		total += n * unit;
		parts++;
		s = skip_blanks(s);
	}
	if (parts == 0 || !(total < 1e11))
		return -EINVAL;
	*out_s = total;
	return 0;
}

static int local_midnight(int64_t now_usec, int days, int64_t *usec)
{
	struct tm tm;
	time_t t;

	if (!local_tm(now_usec, &tm))
		return -EINVAL;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*usec = (int64_t)t * USEC_PER_SEC;
	return 0;
}

/* Exactly n decimal digits. */
static bool take_digits(const char **s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

static bool take_char(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

/* HH:MM[:SS] */
static bool take_clock(const char **s, int *h, int *mi, int *sec)
{
	*sec = 0;
	if (!take_digits(s, 2, h) || !take_char(s, ':') || !take_digits(s, 2, mi))
		return false;
	return !take_char(s, ':') || take_digits(s, 2, sec);
}

/* "2026-11-30", "2026-11-30 14:00[:00]", "2026-11-30T14:00", "14:00[:00]" (today) */
static int parse_calendar(const char *s, int64_t now_usec, int64_t *usec)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0;
	time_t t;

	if (take_digits(&s, 4, &y)) {
		if (!take_char(&s, '-') || !take_digits(&s, 2, &mo) || !take_char(&s, '-') ||
		    !take_digits(&s, 2, &d))
			return -EINVAL;
		if ((take_char(&s, ' ') || take_char(&s, 'T')) && !take_clock(&s, &h, &mi, &sec))
			return -EINVAL;
	} else {
		if (!take_clock(&s, &h, &mi, &sec) || !local_tm(now_usec, &tm))
			return -EINVAL;
		y = tm.tm_year + 1900;
		mo = tm.tm_mon + 1;
		d = tm.tm_mday;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	/* mktime moves 2026-02-30 to March: that is no date. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -EINVAL;
	*usec = (int64_t)t * USEC_PER_SEC;
	return 0;
}

/* "@SECONDS[.FRACTION]", to the microsecond, exactly: no detour through a double. */
static int parse_epoch(const char *s, const char *end, int64_t *usec)
{
	int64_t sec = 0, frac = 0, scale = 1000000;
	bool negative = s < end && *s == '-';
	const char *digits;

	s += negative;
	for (digits = s; s < end && isdigit((unsigned char)*s) && s - digits < 12; s++)
		sec = sec * 10 + (*s - '0');
	if (s == digits)
		return -EINVAL;
	if (s < end && *s == '.') {
		for (digits = ++s; s < end && isdigit((unsigned char)*s) && s - digits < 6; s++) {
			scale /= 10;
			frac += (*s - '0') * scale;
		}
		if (s == digits)
			return -EINVAL;
	}
	if (s != end)
		return -EINVAL;
	*usec = (negative ? -1 : 1) * (sec * 1000000 + frac);
	return 0;
}

int report_parse_time(const char *text, int64_t now_usec, int64_t *usec)
{
	const char *s = skip_blanks(text);
	size_t len = strlen(s);
	double span_s;
	int ret;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 3 && strncmp(s, "now", 3) == 0) {
		*usec = now_usec;
		return 0;
	}
	if (len == 5 && strncmp(s, "today", 5) == 0)
		return local_midnight(now_usec, 0, usec);
	if (len == 9 && strncmp(s, "yesterday", 9) == 0)
		return local_midnight(now_usec, -1, usec);
	if (len == 8 && strncmp(s, "tomorrow", 8) == 0)
		return local_midnight(now_usec, 1, usec);
	if (s[0] == '@')
		return parse_epoch(s + 1, s + len, usec);
	if (s[0] == '+' || s[0] == '-') {
		ret = parse_span(s + 1, s + len, &span_s);
		if (ret == 0)
			*usec = now_usec + (s[0] == '+' ? 1 : -1) * llround(span_s * 1e6);
		return ret;
	}
	if (len > 4 && strncmp(s + len - 4, " ago", 4) == 0) {
		ret = parse_span(s, s + len - 4, &span_s);
		if (ret == 0)
			*usec = now_usec - llround(span_s * 1e6);
		return ret;
	}
	if (len != strlen(s)) {
		char buf[64];

		if (len >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, len);
		buf[len] = '\0';
		return parse_calendar(buf, now_usec, usec);
	}
	return parse_calendar(s, now_usec, usec);
}
