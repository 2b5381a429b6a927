/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Posture angles relative to the wearer's calibrated upright pose, and the calibration itself.
 * Pure: estimated up vectors and time in, angles and calibration decisions out.
 */
#ifndef POSTURED_POSTURE_H
#define POSTURED_POSTURE_H

#include <stdbool.h>

#include "postured/sample.h"

/* forward_axis values: a signed sensor axis, or learned from movements (reference.c). */
enum forward_mode {
	FORWARD_AUTO,
	FORWARD_AXIS,
};

struct posture_settings {
	enum forward_mode forward_mode[ROLE_COUNT];
	double forward_axis[ROLE_COUNT][3]; /* unit sensor axis pointing to the wearer's front */
};

/* What is persisted in the state directory. */
struct calibration {
	bool valid;
	bool has[ROLE_COUNT];
	double up_ref[ROLE_COUNT][3]; /* upright "up" vector, sensor axes */
	bool forward_known[ROLE_COUNT];
	double forward[ROLE_COUNT][3]; /* unit, orthogonal to up_ref */
	bool walking_known[ROLE_COUNT];
	double walking_up[ROLE_COUNT]
			 [3]; /* the latest walking evidence (reference.c), sensor axes */
};

struct posture_angles {
	bool valid[ROLE_COUNT];
	double flexion_deg[ROLE_COUNT]; /* + forward, - backward */
	double lateral_deg[ROLE_COUNT]; /* + right, - left */
	double tilt_deg[ROLE_COUNT];	/* total angle from the upright reference */
	bool neck_valid;
	double neck_flexion_deg; /* head flexion - trunk flexion (ISO 11226) */
};

/* What the wearer's posture is, as the trace, STATUS= and summaries name it. */
enum posture_state {
	STATE_CALIBRATING, /* no upright reference yet */
	STATE_UPRIGHT,
	STATE_LEANING, /* above a threshold, not yet for long enough */
	STATE_SLUMPED,
	STATE_LYING,
	STATE_COUNT,
};

/* "calibrating", "upright", "leaning", "slumped", "lying". */
const char *posture_state_name(enum posture_state s);

void posture_default_settings(struct posture_settings *s);

/*
 * Takes up vectors as reference; forward from settings when it is an axis, else unknown until
 * learned. The walking evidence in cal (if any) is kept.
 */
void posture_calibrate(struct calibration *cal, const struct posture_settings *s,
		       const bool has[ROLE_COUNT], const double up[ROLE_COUNT][3]);
/*
 * Takes one role's reference and keeps the others': a sensor that joins after the calibration
 * (a head sensor plugged in later) needs its own without changing the trunk's.
 */
void posture_calibrate_role(struct calibration *cal, const struct posture_settings *s,
			    enum sensor_role r, const double up[3]);

/*
 * Angles of the current up vectors against the calibration. With an unknown forward direction,
 * flexion is the total tilt and lateral is 0 until learning succeeds.
 */
void posture_angles(const struct calibration *cal, const bool has[ROLE_COUNT],
		    const double up[ROLE_COUNT][3], struct posture_angles *out);

#endif
