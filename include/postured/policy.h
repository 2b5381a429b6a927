/*
 * Whether and how an alert buzzes: the mode, a snooze, quiet hours and escalation. Pure: time in
 * (monotonic seconds, and the local minute of the day for quiet hours), decisions out.
 */
#ifndef POSTURED_POLICY_H
#define POSTURED_POLICY_H

#include <stdbool.h>

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

#endif
