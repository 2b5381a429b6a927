/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wearer's upright reference and forward direction, and the evidence that keeps them right.
 * Pure: estimated up vectors, rates, the activity and time in; decisions out. The pipeline applies
 * them to the calibration and reports them as events.
 *
 * - A calibration is taken only from a sensor that is worn (the slow sway of breathing and
 *   fidgeting shows in the gyroscope; a sensor on a desk is perfectly still) and settled (its up
 *   vector within settle_deg of its recent mean for still_s), so a real person sitting naturally
 *   is calibrated within seconds, and a desk never.
 * - Walking is evidence that a bad pose cannot fake: a walking trunk is near vertical, leaning
 *   walk_lean_deg forward of standing. After walk_check_s of walking the trunk's reference is
 *   compared with it; a start-up calibration off by more than walk_margin_deg is corrected; an
 *   explicit one (SIGUSR1) is kept, with a warning.
 * - Forward is learned only from leans during short movements that start and end in about the
 *   same pose (standing up, sitting down, bending to pick something up: all lean forward on the
 *   way), measured from the pose they end in, so a wrong reference cannot mislead it; never from
 *   a still lean (reclining is backward), from a movement to or from lying, or from one that
 *   points every way (putting the sensor on).
 */
#ifndef POSTURED_REFERENCE_H
#define POSTURED_REFERENCE_H

#include <stdbool.h>

#include "postured/activity.h"
#include "postured/posture.h"
#include "postured/sample.h"

/* A movement teaching forward lasts at most this many tenths of a second. */
#define REFERENCE_MOVE_SAMPLES 60

struct reference_settings {
	double still_s;		  /* settled this long before calibrating */
	double settle_deg;	  /* ... with up within this of its mean over about still_s / 2 */
	double worn_gyro_rad_s;	  /* breathing sway (rate low-passed to 1 Hz, rms) at least this */
	double learn_forward_deg; /* forward: leans beyond this during movements ... */
	double learn_forward_s;	  /* ... adding up to this long */
	double walk_check_s;	  /* this much walking checks the trunk's reference; 0: never */
	double walk_margin_deg;	  /* a reference further than this from walking's says is wrong */
	double walk_lean_deg;	  /* a walking trunk leans this far forward of standing upright */
	double lying_deg;	  /* no forward evidence from leans this deep (activity's lying) */
};

struct reference_role {
	/* All private. */
	bool started;
	double mean_up[3];
	double settled_s;
	double sway_rad_s[2][3];   /* the rate of turn through two 1 Hz low-passes */
	double sway_mean_rad_s[3]; /* its slow mean: bias and steady turns are not sway */
	double sway_var_rad2_s2;
	double observed_s;  /* since the sensor was first (or again) seen */
	double worn_s;	    /* how long the sway has shown a worn sensor */
	double lean_sum[3]; /* forward evidence: directions of accepted leans, summed */
	double lean_s;
	double move_up[REFERENCE_MOVE_SAMPLES][3]; /* the movement in progress, every 0.1 s */
	int move_n; /* samples in move_up; REFERENCE_MOVE_SAMPLES + 1: too long */
	double move_since_s;
	double before_up[3];   /* the pose the movement started from */
	bool from_lying;       /* the movement in progress began lying down */
	double walk_up_sum[3]; /* walking evidence being gathered */
	double walk_s;
	double settled_up[3];	/* the latest settled pose ... */
	double since_settled_s; /* ... this long ago */
	bool settled_known;
	double walk_stand_up[3]; /* the settled pose a walk started from */
	bool stand_known;
};

struct reference {
	struct reference_role role[ROLE_COUNT];
	bool explicit_cal; /* the calibration in force was asked for: walking warns, not corrects */
	bool warned;	   /* the walking disagreement with it has been reported */
	bool confirmed;	   /* walking has agreed with it (reported once) */
	bool walk_lean_unknown; /* corrected by walking while forward was unknown: lean not taken
				   out */
};

enum reference_change {
	REFERENCE_NONE,
	REFERENCE_FORWARD_LEARNED, /* cal->forward of some role was learned */
	REFERENCE_CORRECTED,	   /* the trunk's upright reference was corrected by walking */
	REFERENCE_WALK_DISAGREES,  /* an explicit calibration is off the walking evidence */
	REFERENCE_WALK_CONFIRMED,  /* walking agrees, for the first time since the calibration */
};

struct reference_result {
	enum reference_change change;
	double off_deg;	    /* CORRECTED, WALK_*: how far the reference was from walking's */
	double walk_s;	    /* CORRECTED, WALK_*: how much walking that was */
	bool from_standing; /* CORRECTED: to the standing pose the walk started from */
};

void reference_default_settings(struct reference_settings *s);
void reference_init(struct reference *ref);

/* Sway and settling of each present role; call every sample before the decisions below. */
void reference_observe(struct reference *ref, const struct reference_settings *s, double dt_s,
		       const bool has[ROLE_COUNT], const double up[ROLE_COUNT][3],
		       const struct imu_sample imu[ROLE_COUNT]);
/* The role's sensor was lost: settling and sway are measured afresh when it returns. */
void reference_reset_role(struct reference *ref, enum sensor_role r);
/* Every enabled role present and settled for still_s, and (unless explicit) worn all that time
 * and still now. */
bool reference_may_calibrate(const struct reference *ref, const struct reference_settings *s,
			     const bool enabled[ROLE_COUNT], const bool has[ROLE_COUNT],
			     enum activity_class activity, bool explicit_request);
/* True when role r shows the sway of a worn sensor. */
bool reference_worn(const struct reference *ref, const struct reference_settings *s,
		    enum sensor_role r);
/* The up vectors to calibrate with: each role's settled mean. */
void reference_settled_up(const struct reference *ref, const bool has[ROLE_COUNT],
			  double up[ROLE_COUNT][3]);
/*
 * A calibration was taken (explicit: asked for). Evidence gathered against the old reference is
 * dropped. Returns how far the new trunk reference is from the walking evidence in cal, in deg,
 * or a negative number when there is none.
 */
double reference_calibrated(struct reference *ref, const struct reference_settings *s,
			    const struct calibration *cal, bool explicit_cal);
/* Forward and walking evidence; may change cal as the result says. */
void reference_update(struct reference *ref, const struct reference_settings *s,
		      struct calibration *cal, double dt_s, const bool has[ROLE_COUNT],
		      const double up[ROLE_COUNT][3], const struct activity *activity,
		      struct reference_result *out);

#endif
