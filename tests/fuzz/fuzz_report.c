/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What posturectl report parses: its first line as a --since/--until time, the rest as journal
 * entries (NAME=value lines, a blank line between entries, __REALTIME_TIMESTAMP= their time) fed
 * to the report, which then writes its table and JSON. A time it accepts must come back the same
 * from its "@SECONDS" form; the report's hours must be local hours in order, at most 25 a day, with
 * finite times adding up to no more than the entries' periods (an hour may hold more than an hour
 * when entries overlap, as a damaged journal's may).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postured/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* now: Monday 2026-11-30 14:25:36.5 UTC */
#define NOW_USEC 1796048736500000LL

static void check_time(const char *line)
{
	int64_t usec, again;
	char at[64];

	if (report_parse_time(line, NOW_USEC, &usec) != 0)
		return;
	snprintf(at, sizeof(at), "@%s%lld.%06lld", usec < 0 ? "-" : "", llabs(usec) / 1000000,
		 llabs(usec) % 1000000);
	if (report_parse_time(at, NOW_USEC, &again) != 0 || again != usec)
		abort();
}

static void check_report(const struct report *r, double periods_s)
{
	double measured_s = 0.0;
	FILE *null = fopen("/dev/null", "w");

	for (size_t i = 0; i < r->n_wearers; i++) {
		const struct report_wearer *w = &r->wearers[i];

		for (size_t d = 0; d < w->n_days; d++) {
			const struct report_day *day = &w->days[d];

			if (day->n_hours > REPORT_DAY_HOURS_MAX)
				abort();
			for (size_t h = 0; h < day->n_hours; h++) {
				const struct posture_summary *s = &day->hours[h].sum;

				if (day->hours[h].start_usec % (3600 * 1000000LL) != 0 ||
				    (h > 0 &&
				     day->hours[h].start_usec <= day->hours[h - 1].start_usec) ||
				    !(s->period_s >= 0.0) ||
				    !isfinite(s->upright_s + s->leaning_s + s->slumped_s +
					      s->lying_s + s->still_s + s->moving_s))
					abort();
				measured_s += s->period_s;
			}
		}
	}
	if (measured_s > periods_s * (1.0 + 1e-9) + 1e-6)
		abort();
	if (null) {
		report_write_text(r, null);
		report_write_json(r, null);
		fclose(null);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *next;
	struct report r;
	struct report_event ev;
	double periods_s = 0.0;
	bool any = false;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* UTC: every local hour starts at a multiple of 3600 s. */
	setenv("TZ", "UTC0", 1);
	next = strchr(text, '\n');
	if (next)
		*next++ = '\0';
	check_time(text);

	report_init(&r, NOW_USEC - 86400 * 1000000LL * 3, NOW_USEC, NULL);
	report_event_init(&ev);
	for (line = next; line; line = next) {
		char *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '\0' || !next) {
			if (any) {
				if (report_add_event(&r, &ev) != 0)
					abort();
				if (ev.have_period && ev.summary.period_s <= 1e9)
					periods_s += ev.summary.period_s;
			}
			report_event_init(&ev);
			any = false;
			if (line[0] == '\0')
				continue;
		}
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		any = true;
		if (strcmp(line, "__REALTIME_TIMESTAMP") == 0)
			ev.realtime_usec = strtoll(eq + 1, NULL, 10) % (1LL << 53);
		else
			report_event_set_field(&ev, line, eq + 1, strlen(eq + 1));
	}
	check_report(&r, periods_s);
	report_free(&r);
	free(text);
	return 0;
}
