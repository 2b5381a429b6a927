/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sustained-posture detector. Pure: angles and time in, state and decisions out.
 *
 * Each rule accumulates a "dose" while its angle is above threshold: dose grows at 1/hold(angle)
 * per second, hold falling linearly from hold_s at threshold_deg to hold_at_max_s at max_deg
 * (the ISO 11226 maximum-holding-time curve). A slump starts when any dose reaches 1, so a deep
 * lean alerts sooner than a mild one and a brief reach never does. Doses reset once every angle is
 * back below threshold - hysteresis.
 *
 * The holding times are for static postures: doses grow only while the wearer is still, a movement
 * lasting movement_break_s (walking a few steps, standing up) resets them, and lying never counts.
 */
#ifndef POSTURED_DETECTOR_H
#define POSTURED_DETECTOR_H

#include <stdbool.h>

#include "postured/activity.h"
#include "postured/posture.h"

enum posture_angle {
	ANGLE_TRUNK,   /* trunk flexion */
	ANGLE_NECK,    /* neck flexion: head relative to trunk */
	ANGLE_LATERAL, /* trunk side bending, either side */
	ANGLE_HEAD,    /* head inclination: the head's own flexion from upright */
	ANGLE_COUNT,
};

const char *angle_name(enum posture_angle a);

struct angle_rule {
	bool enabled;
	double threshold_deg;
	double hold_s; /* holding time allowed at threshold_deg */
	double max_deg;
	double hold_at_max_s; /* holding time allowed at and beyond max_deg */
};

struct detector_settings {
	struct angle_rule rule[ANGLE_COUNT];
	double
	    hysteresis_deg; /* an angle must fall this far below threshold to count as corrected */
	double realert_s;   /* repeat the alert this often while still slumped; 0: never */
	double movement_break_s; /* moving this long resets the doses and ends a slump */
	double max_gap_s; /* a gap between samples longer than this is not counted as holding */
};

/* What the detector was given for one instant; invalid angles are ignored. */
struct detector_input {
	double t_s;
	bool valid[ANGLE_COUNT];
	double angle_deg[ANGLE_COUNT];
	enum activity_class activity;
	double moving_s; /* how long the current movement has lasted */
};

enum detector_decision {
	DECISION_NONE,
	DECISION_SLUMP_STARTED, /* also the first alert */
	DECISION_ALERT,		/* a repeat alert while still slumped */
	DECISION_SLUMP_ENDED,
};

struct detector {
	struct detector_settings settings;
	enum posture_state state;
	bool have_last_t;
	double last_t_s;
	double dose[ANGLE_COUNT];
	bool above[ANGLE_COUNT];
	double onset_t_s; /* when the current lean began */
	double last_alert_t_s;
	enum posture_angle cause; /* the rule that started the slump */
	unsigned int alerts_in_slump;
	double peak_deg[ANGLE_COUNT]; /* worst angles during the current lean */
};

struct detector_result {
	enum detector_decision decision;
	enum posture_angle cause;
	double duration_s; /* for SLUMP_ENDED: onset to correction; for alerts: onset to now */
	unsigned int alert_count; /* alerts so far in this slump */
	double peak_deg[ANGLE_COUNT];
};

void detector_default_settings(struct detector_settings *s);
void detector_init(struct detector *d, const struct detector_settings *s);
/* Replaces the settings and keeps the running state (used on config reload). */
void detector_set_settings(struct detector *d, const struct detector_settings *s);
void detector_update(struct detector *d, const struct detector_input *in,
		     struct detector_result *out);
/* Ends any lean now (e.g. the reference changed): SLUMP_ENDED in out if a slump was running. */
void detector_release(struct detector *d, double t_s, struct detector_result *out);

#endif
