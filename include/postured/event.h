/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Posture events: one struct, rendered as journal fields, JSON lines and readable text from a
 * single field list, so the three outputs can never disagree.
 */
#ifndef POSTURED_EVENT_H
#define POSTURED_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "postured/detector.h"
#include "postured/policy.h"
#include "postured/sample.h"

enum event_type {
	EVENT_STARTED,
	EVENT_CALIBRATED,
	EVENT_SLUMP_STARTED,
	EVENT_ALERT,
	EVENT_SLUMP_ENDED,
	EVENT_SUMMARY,
	EVENT_SENSOR_LOST,
	EVENT_SENSOR_RESTORED,
	EVENT_CONFIG_RELOADED,
	EVENT_CONFIG_REJECTED,
	EVENT_STOPPED,
	EVENT_SNOOZE_STARTED,
	EVENT_SNOOZE_ENDED,
	EVENT_MODE_CHANGED,
	EVENT_TYPE_COUNT,
};

/* Time per posture state (calibrating is not counted) and per activity class (lying is both). */
struct posture_summary {
	double period_s;
	double upright_s;
	double leaning_s; /* above a threshold, not (yet) for too long */
	double slumped_s;
	double lying_s;
	double still_s;
	double moving_s;
	unsigned int alerts;
	unsigned int slumps;
	double longest_slump_s;
};

struct posture_event {
	enum event_type type;
	double t_s; /* pipeline time (recording time in replay) */

	/* Angles at the time of the event; NaN when unknown. */
	double trunk_deg;
	double neck_deg;
	double lateral_deg;
	double head_deg; /* head inclination */
	bool have_activity;
	enum activity_class activity; /* what the wearer was doing */
	bool warning;	/* reported at warning priority (a calibration that looks wrong) */
	bool requested; /* calibrated: on the wearer's request (signal, bus, button) */
	bool have_mode;
	enum alert_mode mode;	      /* alerts, mode_changed */
	enum policy_silence silenced; /* alerts: why the motor stayed off */

	enum posture_angle cause;	/* slump events: which angle */
	double duration_s;		/* slump events; snoozes: how long */
	unsigned int alert_count;	/* alerts */
	struct posture_summary summary; /* summary, stopped */
	enum sensor_role role;		/* sensor_lost/restored */
	char detail[512];		/* free text: device name, error, config message, pattern */
};

/* Fills type and t_s, sets the angles to NaN and clears the rest. */
void event_init(struct posture_event *ev, enum event_type type, double t_s);

/* "slump_started" etc., the POSTURE_EVENT= value. */
const char *event_type_name(enum event_type type);
/* The fixed 128-bit MESSAGE_ID as 32 lower-case hex digits. */
const char *event_message_id(enum event_type type);
/* syslog priority, as for PRIORITY=; an event with warning set is reported at warning (4). */
int event_priority(enum event_type type);

#define EVENT_MAX_FIELDS 24
#define EVENT_FIELD_VALUE_MAX 600

struct event_field {
	const char *name; /* journal field name, e.g. "POSTURE_TRUNK_DEG" */
	char value[EVENT_FIELD_VALUE_MAX];
};

/*
 * The journal fields of ev (MESSAGE_ID, PRIORITY, MESSAGE, POSTURE_EVENT, POSTURE_*), in that
 * order; numbers only when finite. Values are valid UTF-8 (invalid bytes in detail become U+FFFD)
 * and may contain newlines. Returns how many were filled: at most max, and EVENT_MAX_FIELDS is
 * always enough.
 */
size_t event_fields(const struct posture_event *ev, struct event_field *fields, size_t max);

/* Worst case of event_to_json: every value byte escaped as \u00XX. */
#define EVENT_JSON_MAX (16 + EVENT_MAX_FIELDS * (32 + 6 * EVENT_FIELD_VALUE_MAX))

/*
 * One JSON object (no newline): "t" (seconds, 3 decimals) then the journal fields, every value a
 * string. Returns its length, or -ENOSPC when len is too small (EVENT_JSON_MAX never is).
 */
int event_to_json(const struct posture_event *ev, char *buf, size_t len);

#endif
