/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether and how an alert buzzes: the mode, a snooze, quiet hours and escalation. Pure: time in
 * (pipeline seconds, and the local minute of the day for quiet hours), decisions out. Nothing here
 * ever stops an event from being written: only the motor is silenced.
 */
#ifndef POSTURED_POLICY_H
#define POSTURED_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "postured/detector.h"
#include "postured/haptic.h"

enum alert_mode {
	ALERT_MODE_ISO,	     /* the ISO 11226 holding times (default) */
	ALERT_MODE_TRAINING, /* short holds, so the wearer learns what slumping feels like */
	ALERT_MODE_TRACKING, /* never buzz: events only */
	ALERT_MODE_COUNT,
};

/* "iso", "training", "tracking". */
const char *alert_mode_name(enum alert_mode mode);
/* Parses a mode name; returns 0 or -EINVAL. */
int alert_mode_parse(const char *name, enum alert_mode *out);

#define QUIET_HOURS_MAX_RANGES 8
#define MINUTES_PER_DAY (24 * 60)

/* Local-time ranges [start, end) in minutes since midnight; end < start wraps past midnight. */
struct quiet_hours {
	unsigned int n_ranges;
	struct {
		unsigned int start_min, end_min;
	} range[QUIET_HOURS_MAX_RANGES];
};

/*
 * Parses "22:00-07:00, 12:30-13:15" (ranges separated by commas or spaces; "" is none). On error
 * returns -EINVAL, leaves *out untouched and writes what is wrong, naming the range, into err.
 */
int quiet_hours_parse(const char *text, struct quiet_hours *out, char *err, size_t err_len);
/* minute_of_day < 0 (no wall clock, as in replay) is never quiet. */
bool quiet_hours_contain(const struct quiet_hours *q, int minute_of_day);

struct policy_settings {
	enum alert_mode mode;	   /* as the ini says; a mode chosen at run time overrides it */
	double training_hold_s;	   /* training: no holding time is longer than this */
	double training_realert_s; /* training: repeat alerts this often */
	struct quiet_hours quiet;
	/* Escalation: the first alert of a slump, the second, the third and later. */
	struct haptic_pattern alert_pattern[3];
	bool correction_buzz; /* a short buzz when the wearer corrects a slump that alerted */
	struct haptic_pattern correction_pattern;
};

/* Why the motor stays off for an alert; SILENCE_NONE: it buzzes. */
enum policy_silence {
	SILENCE_NONE,
	SILENCE_TRACKING,
	SILENCE_SNOOZED,
	SILENCE_QUIET_HOURS,
};

/* "", "tracking", "snoozed", "quiet_hours": the POSTURE_SILENCED= value. */
const char *policy_silence_name(enum policy_silence s);

/* The run-time state: survives a reload (the settings are passed in at each call). */
struct policy {
	enum alert_mode mode;
	bool snoozed;
	double snoozed_until_s;
};

void policy_init(struct policy *p, enum alert_mode mode);
/* Silences the motor from now_s for duration_s (> 0), replacing a snooze in progress. */
void policy_snooze(struct policy *p, double now_s, double duration_s);
/* Ends a snooze now; returns whether one was running. */
bool policy_resume(struct policy *p);
/*
 * Ends a snooze whose time has come; returns true once, at the first call at or after its end,
 * so the caller reports the end exactly once.
 */
bool policy_snooze_expired(struct policy *p, double now_s);
/* Why an alert at now_s does not buzz (tracking beats snooze beats quiet hours), or SILENCE_NONE.
 */
enum policy_silence policy_silence(const struct policy *p, const struct policy_settings *s,
				   double now_s, int minute_of_day);
/* The pattern for the alert_count-th alert of one slump (1 = the first). */
const struct haptic_pattern *policy_alert_pattern(const struct policy_settings *s,
						  unsigned int alert_count);
/*
 * The detector settings for mode from the ini's (ISO) ones: training caps every holding time at
 * training_hold_s and repeats alerts every training_realert_s; iso and tracking keep them.
 */
void policy_detector_settings(enum alert_mode mode, const struct policy_settings *s,
			      const struct detector_settings *iso, struct detector_settings *out);

#endif
