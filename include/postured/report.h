/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posturectl report's figures: postured's events, as the journal holds them, become time per
 * posture state and activity, alerts, slumps, the longest slump and an ISO 11226 exposure score,
 * per local hour and per local day, one report per wearer (machine). Pure: entries come in as
 * values (journal_reader.c reads the journal), "now" is an argument, days and hours follow the
 * local time zone (TZ).
 */
#ifndef POSTURED_REPORT_H
#define POSTURED_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "postured/event.h"

#define REPORT_MACHINE_ID_MAX 33 /* 32 hex digits */
#define REPORT_HOSTNAME_MAX 65
/* A local day has 23, 24 or 25 hours (daylight saving time). */
#define REPORT_DAY_HOURS_MAX 25
/* No bound: the earliest and latest times a report may cover. */
#define REPORT_TIME_MIN INT64_MIN
#define REPORT_TIME_MAX INT64_MAX

/* One journal entry of postured, as far as the report needs it. */
struct report_event {
	bool have_type;
	enum event_type type;  /* POSTURE_EVENT */
	int64_t realtime_usec; /* when the journal received it (__REALTIME_TIMESTAMP) */
	char machine_id[REPORT_MACHINE_ID_MAX];
	char hostname[REPORT_HOSTNAME_MAX];
	bool have_period;		/* POSTURE_PERIOD_S was there: summary, stopped */
	struct posture_summary summary; /* POSTURE_PERIOD_S, POSTURE_UPRIGHT_S, ... */
	double duration_s;		/* POSTURE_DURATION_S, NaN when absent */
	double trunk_deg;		/* POSTURE_TRUNK_DEG, NaN when absent */
	bool have_cause;
	enum posture_angle cause; /* POSTURE_CAUSE */
};

/* Clears ev: no type, NaN duration and angle, no machine. */
void report_event_init(struct report_event *ev);
/*
 * Takes one field (NAME and its value, len bytes, not NUL-terminated, as sd_journal_get_data
 * gives them) into ev; fields the report does not use are ignored. Returns 0, or -EINVAL for a
 * value the field cannot hold (a number that is not one, an unknown event name): the field is
 * then left as it was.
 */
int report_event_set_field(struct report_event *ev, const char *name, const char *value,
			   size_t len);

/* A local hour's figures; period_s is the time measured (the sum over the summaries' periods). */
struct report_hour {
	int64_t start_usec; /* the hour's local start */
	struct posture_summary sum;
};

struct report_day {
	int year, month, mday, wday; /* local date; wday 0 = Sunday */
	struct report_hour hours[REPORT_DAY_HOURS_MAX];
	size_t n_hours; /* in time order; only hours with a summary's time or counts */
};

/* A slump as its events tell it: leaning from onset, slumped from start, corrected at end. */
struct report_slump {
	int64_t onset_usec; /* when the angle went beyond its threshold */
	int64_t start_usec; /* slump_started (the first alert); onset_usec when not seen */
	int64_t end_usec;   /* slump_ended, or the daemon's stop; 0 while it lasts */
	enum posture_angle cause;
};

struct report_alert {
	int64_t usec;
	double trunk_deg; /* NaN when unknown */
	enum posture_angle cause;
};

struct report_wearer {
	char machine_id[REPORT_MACHINE_ID_MAX];
	char hostname[REPORT_HOSTNAME_MAX]; /* the latest entry's */
	struct report_day *days;	    /* in date order */
	size_t n_days;
	struct report_slump *slumps; /* for the plot, in time order */
	size_t n_slumps;
	struct report_alert *alerts;
	size_t n_alerts;
	bool slump_open;   /* the last slump has no end yet */
	int64_t last_usec; /* the latest entry's time: where a slump that lasts is drawn to */
};

/* Caller-owned; read the wearers and days directly, change them only through the functions. */
struct report {
	int64_t since_usec; /* the report covers [since, until) */
	int64_t until_usec;
	char machine[REPORT_HOSTNAME_MAX]; /* only this machine id or hostname; "" for all */
	struct report_wearer *wearers;	   /* in the order they first appear */
	size_t n_wearers;
};

/* since/until: REPORT_TIME_MIN/MAX for no bound. machine: NULL or "" for every wearer. */
void report_init(struct report *r, int64_t since_usec, int64_t until_usec, const char *machine);
void report_free(struct report *r);

/*
 * Adds one entry. summary and stopped entries give time per state and activity, alerts, slumps
 * and the longest slump: their period ends at the entry's time (a summary written within
 * REPORT_SNAP_USEC after a local full hour ends at that hour: the daemon closes its summaries
 * there, and the journal stamps them when they arrive), and is shared among the local hours it
 * overlaps in proportion, clipped to [since, until); counts and the longest slump go to the hour
 * with most of the period. alert, slump_started and slump_ended entries (and started/stopped,
 * which end a slump) feed the plot's timeline. Entries without a machine id, of other machines
 * than the filter's, or of other types are skipped. Returns 0 or -ENOMEM.
 */
#define REPORT_SNAP_USEC 2000000
int report_add_event(struct report *r, const struct report_event *ev);

/* Sum of a day's hours (longest slump: the longest of them). */
void report_day_total(const struct report_day *day, struct posture_summary *total);

/*
 * The ISO 11226 exposure score of a period: the share of the time sat or stood (upright, leaning
 * or slumped; lying is not a working posture) spent slumped, i.e. in a posture held longer than
 * ISO 11226 accepts for its angle, in percent. NaN when there was no such time.
 */
double report_exposure_pct(const struct posture_summary *s);

/* The readable report: per wearer, per day a line of totals and a table per hour. */
int report_write_text(const struct report *r, FILE *out);
/* The same figures as one JSON object, seconds as numbers, for other tools. */
int report_write_json(const struct report *r, FILE *out);

/*
 * journalctl's time syntax, the common forms: "now", "today", "yesterday", "tomorrow" (local
 * midnight), "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (or with a "T"), "HH:MM[:SS]" (today),
 * "@SECONDS" (since the epoch, UTC), and relative to now "-2h", "+30min", "-1d 12h", "3h ago"
 * (units: s, sec, m, min, h, hour, d, day, w, week, with an optional plural s). Returns 0 with
 * the time in *usec, or -EINVAL.
 */
int report_parse_time(const char *text, int64_t now_usec, int64_t *usec);

#endif
