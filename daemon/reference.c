/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/reference.h"

#include <math.h>
#include <string.h>

#include "postured/vec3.h"

/* Breathing (0.2-0.3 Hz) and fidgeting pass two 1 Hz low-passes; gyro noise does not. */
#define SWAY_TAU_S 0.16
/* The sway is measured about the rate's mean over this long: a bias or a slow turn is not sway. */
#define SWAY_MEAN_TAU_S 10.0
#define SWAY_VAR_TAU_S 3.0
/* Movements are kept at this resolution, up to this long: posture transitions are short. */
#define MOVE_SAMPLE_S 0.1
#define MOVE_SAMPLES REFERENCE_MOVE_SAMPLES
/* Leans in a movement count only if they point the same way: putting a sensor on points every
 * way. The resultant of the unit lean directions must be at least this share of their count. */
#define LEAN_CONSISTENCY 0.7
/* A walk is evidence once steady: the first steps (and turning to go) are not. */
#define WALK_SETTLED_S 3.0
/*
 * Standing settled this long, at most this long before a walk, is the pose the walk started
 * from; walking vouches for it when the two are within the walking lean and this much more
 * (walking vs standing: 6 +- 6 deg over 50 recordings, Acti4).
 */
#define STAND_SETTLED_S 2.0
#define STAND_BEFORE_WALK_S 10.0
#define STAND_AGREES_DEG 6.0

void reference_default_settings(struct reference_settings *s)
{
	s->still_s = 5.0;
	s->settle_deg = 3.0;
	s->worn_gyro_rad_s = 0.25 * RAD_PER_DEG;
	s->learn_forward_deg = 15.0;
	s->learn_forward_s = 0.5;
	s->walk_check_s = 30.0;
	s->walk_margin_deg = 15.0;
	s->walk_lean_deg = 6.0;
	s->lying_deg = 60.0;
}

void reference_init(struct reference *ref)
{
	memset(ref, 0, sizeof(*ref));
}

static void start_role(struct reference_role *rr, const double up[3], const struct imu_sample *imu)
{
	vec3_copy(rr->mean_up, up);
	rr->settled_s = 0.0;
	for (int i = 0; i < 3; i++) {
		rr->sway_rad_s[0][i] = rr->sway_rad_s[1][i] = imu->gyro_rad_s[i];
		rr->sway_mean_rad_s[i] = imu->gyro_rad_s[i];
	}
	rr->sway_var_rad2_s2 = 0.0;
	rr->observed_s = 0.0;
	rr->worn_s = 0.0;
	rr->started = true;
}

static void observe_role(struct reference_role *rr, const struct reference_settings *s, double dt_s,
			 const double up[3], const struct imu_sample *imu)
{
	double km = dt_s / (0.5 * s->still_s + dt_s), ks = dt_s / (SWAY_TAU_S + dt_s);
	/* Until SWAY_MEAN_TAU_S has passed, the mean is the plain average so far: started from one
	 * noisy sample, it would show that sample's noise as sway for many seconds. The variance
	 * likewise, so a worn sensor is seen as worn within a breath. */
	double mean_tau_s = rr->observed_s < SWAY_MEAN_TAU_S ? rr->observed_s : SWAY_MEAN_TAU_S;
	double var_tau_s = rr->observed_s < SWAY_VAR_TAU_S ? rr->observed_s : SWAY_VAR_TAU_S;
	double kmean = dt_s / (mean_tau_s + dt_s), kvar = dt_s / (var_tau_s + dt_s);
	double settle_rad = s->settle_deg * RAD_PER_DEG, dev2 = 0.0, c;

	for (int i = 0; i < 3; i++) {
		double d;

		rr->mean_up[i] += km * (up[i] - rr->mean_up[i]);
		rr->sway_rad_s[0][i] += ks * (imu->gyro_rad_s[i] - rr->sway_rad_s[0][i]);
		rr->sway_rad_s[1][i] += ks * (rr->sway_rad_s[0][i] - rr->sway_rad_s[1][i]);
		rr->sway_mean_rad_s[i] += kmean * (imu->gyro_rad_s[i] - rr->sway_mean_rad_s[i]);
		d = rr->sway_rad_s[1][i] - rr->sway_mean_rad_s[i];
		dev2 += d * d;
	}
	rr->sway_var_rad2_s2 += kvar * (dev2 - rr->sway_var_rad2_s2);
	rr->observed_s += dt_s;
	if (rr->sway_var_rad2_s2 >= s->worn_gyro_rad_s * s->worn_gyro_rad_s)
		rr->worn_s += dt_s;
	else
		rr->worn_s = 0.0;
	/* Within settle_deg of the mean: 1 - cos(x) < x^2 / 2, no trigonometry per sample. */
	c = vec3_dot(up, rr->mean_up) / vec3_norm(rr->mean_up);
	if (1.0 - c < 0.5 * settle_rad * settle_rad)
		rr->settled_s += dt_s;
	else
		rr->settled_s = 0.0;
}

void reference_observe(struct reference *ref, const struct reference_settings *s, double dt_s,
		       const bool has[ROLE_COUNT], const double up[ROLE_COUNT][3],
		       const struct imu_sample imu[ROLE_COUNT])
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!has[r])
			continue;
		if (!ref->role[r].started || dt_s <= 0.0)
			start_role(&ref->role[r], up[r], &imu[r]);
		else
			observe_role(&ref->role[r], s, dt_s, up[r], &imu[r]);
	}
}

void reference_reset_role(struct reference *ref, enum sensor_role r)
{
	ref->role[r].started = false;
}

bool reference_worn(const struct reference *ref, const struct reference_settings *s,
		    enum sensor_role r)
{
	return ref->role[r].sway_var_rad2_s2 >= s->worn_gyro_rad_s * s->worn_gyro_rad_s;
}

bool reference_may_calibrate(const struct reference *ref, const struct reference_settings *s,
			     const bool enabled[ROLE_COUNT], const bool has[ROLE_COUNT],
			     enum activity_class activity, bool explicit_request)
{
	if (!explicit_request && activity != ACTIVITY_STILL)
		return false;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!enabled[r])
			continue;
		if (!has[r] || ref->role[r].settled_s < s->still_s)
			return false;
		/* Worn all the while: picking a sensor up off a desk is no settled wearer. */
		if (!explicit_request && ref->role[r].worn_s < s->still_s)
			return false;
	}
	return true;
}

void reference_settled_up(const struct reference *ref, const bool has[ROLE_COUNT],
			  double up[ROLE_COUNT][3])
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!has[r])
			continue;
		vec3_copy(up[r], ref->role[r].mean_up);
		vec3_normalize(up[r]);
	}
}

static void drop_evidence(struct reference_role *rr)
{
	memset(rr->lean_sum, 0, sizeof(rr->lean_sum));
	memset(rr->walk_up_sum, 0, sizeof(rr->walk_up_sum));
	rr->lean_s = rr->walk_s = 0.0;
	rr->move_n = 0;
}

/* Where walking's evidence puts the upright reference: walking leans walk_lean_deg forward. */
static double walk_off_deg(const struct reference_settings *s, const struct calibration *cal,
			   enum sensor_role r, const double walk_up[3])
{
	double expected[3], l = s->walk_lean_deg * RAD_PER_DEG;

	if (!cal->forward_known[r])
		return fmax(0.0, vec3_angle_deg(walk_up, cal->up_ref[r]) - s->walk_lean_deg);
	for (int i = 0; i < 3; i++)
		expected[i] = cos(l) * cal->up_ref[r][i] - sin(l) * cal->forward[r][i];
	return vec3_angle_deg(walk_up, expected);
}

double reference_calibrated(struct reference *ref, const struct reference_settings *s,
			    const struct calibration *cal, bool explicit_cal)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		drop_evidence(&ref->role[r]);
	ref->explicit_cal = explicit_cal;
	ref->walk_lean_unknown = false;
	ref->warned = false;
	ref->confirmed = false;
	if (!cal->has[ROLE_TRUNK] || !cal->walking_known[ROLE_TRUNK])
		return -1.0;
	return walk_off_deg(s, cal, ROLE_TRUNK, cal->walking_up[ROLE_TRUNK]);
}

/*
 * A short movement that starts and ends in about the same pose (standing up, sitting down,
 * bending to pick something up) leans forward on the way: its leans, measured from the pose it
 * ends in, point to the front, whatever the reference is. Movements that end lying, began lying,
 * go from one pose to another (a slump, a recline) or last longer than MOVE_SAMPLES teach nothing.
 */
static void learn_from_movement(struct reference_role *rr, const struct reference_settings *s,
				const double end_up[3])
{
	double cos_lean = cos(s->learn_forward_deg * RAD_PER_DEG);
	double cos_lying = cos(s->lying_deg * RAD_PER_DEG);
	double sum[3] = { 0 }, lean_s = 0.0;

	if (rr->move_n == 0 || rr->move_n > MOVE_SAMPLES || rr->from_lying ||
	    vec3_dot(rr->before_up, end_up) < cos_lean)
		return;
	for (int k = 0; k < rr->move_n; k++) {
		const double *u = rr->move_up[k];
		double c = vec3_dot(u, end_up), away[3], dir[3];

		if (c < cos_lying)
			return;
		if (c > cos_lean)
			continue;
		for (int i = 0; i < 3; i++)
			away[i] = -u[i];
		if (!vec3_orthogonal_unit(away, end_up, dir))
			continue;
		for (int i = 0; i < 3; i++)
			sum[i] += dir[i] * MOVE_SAMPLE_S;
		lean_s += MOVE_SAMPLE_S;
	}
	for (int i = 0; i < 3; i++)
		rr->lean_sum[i] += sum[i];
	rr->lean_s += lean_s;
}

/* Keeps the movement in progress (one up vector every MOVE_SAMPLE_S); judges it once still. */
static bool gather_lean(struct reference_role *rr, const struct reference_settings *s,
			struct calibration *cal, enum sensor_role r, double dt_s,
			const double up[3], const struct activity *act)
{
	if (act->cls == ACTIVITY_LYING) {
		rr->from_lying = true;
		rr->move_n = 0;
		vec3_copy(rr->before_up, up);
		return false;
	}
	if (act->walking) {
		/* A walk is no posture transition, but the sitting down that ends it is. */
		rr->move_n = 0;
		vec3_copy(rr->before_up, up);
		return false;
	}
	if (act->cls == ACTIVITY_MOVING) {
		rr->move_since_s += dt_s;
		if (rr->move_n == 0 || rr->move_since_s >= MOVE_SAMPLE_S) {
			if (rr->move_n < MOVE_SAMPLES)
				vec3_copy(rr->move_up[rr->move_n], up);
			if (rr->move_n <= MOVE_SAMPLES)
				rr->move_n++;
			rr->move_since_s = 0.0;
		}
		return false;
	}
	learn_from_movement(rr, s, up);
	rr->move_n = 0;
	vec3_copy(rr->before_up, up);
	rr->from_lying = false;
	if (rr->lean_s < s->learn_forward_s ||
	    vec3_norm(rr->lean_sum) < LEAN_CONSISTENCY * rr->lean_s)
		return false;
	cal->forward_known[r] = vec3_orthogonal_unit(rr->lean_sum, cal->up_ref[r], cal->forward[r]);
	return cal->forward_known[r];
}

/* Walking's up, turned back by the walking lean: the trunk standing upright. */
static void correct_from_walk(const struct reference_settings *s, struct calibration *cal,
			      const double walk_up[3])
{
	double l = s->walk_lean_deg * RAD_PER_DEG, fwd[3];
	double *ref = cal->up_ref[ROLE_TRUNK];

	if (cal->forward_known[ROLE_TRUNK] &&
	    vec3_orthogonal_unit(cal->forward[ROLE_TRUNK], walk_up, fwd)) {
		for (int i = 0; i < 3; i++)
			ref[i] = cos(l) * walk_up[i] + sin(l) * fwd[i];
	} else {
		vec3_copy(ref, walk_up);
	}
	vec3_normalize(ref);
	if (cal->forward_known[ROLE_TRUNK])
		cal->forward_known[ROLE_TRUNK] =
		    vec3_orthogonal_unit(cal->forward[ROLE_TRUNK], ref, cal->forward[ROLE_TRUNK]);
}

static void check_walk(struct reference *ref, const struct reference_settings *s,
		       struct calibration *cal, struct reference_result *out)
{
	struct reference_role *rr = &ref->role[ROLE_TRUNK];
	double walk_up[3];

	vec3_copy(walk_up, rr->walk_up_sum);
	vec3_normalize(walk_up);
	out->walk_s = rr->walk_s;
	out->off_deg = walk_off_deg(s, cal, ROLE_TRUNK, walk_up);
	vec3_copy(cal->walking_up[ROLE_TRUNK], walk_up);
	cal->walking_known[ROLE_TRUNK] = true;
	memset(rr->walk_up_sum, 0, sizeof(rr->walk_up_sum));
	rr->walk_s = 0.0;
	if (out->off_deg <= s->walk_margin_deg) {
		out->change = ref->confirmed ? REFERENCE_NONE : REFERENCE_WALK_CONFIRMED;
		ref->confirmed = true;
	} else if (ref->explicit_cal) {
		out->change = ref->warned ? REFERENCE_NONE : REFERENCE_WALK_DISAGREES;
		ref->warned = true;
	} else if (rr->stand_known && vec3_angle_deg(rr->walk_stand_up, walk_up) <=
					  s->walk_lean_deg + STAND_AGREES_DEG) {
		/* Walking vouches for the pose the wearer stood in before the walk: that is
		 * upright, without walking's lean to take out. */
		vec3_copy(cal->up_ref[ROLE_TRUNK], rr->walk_stand_up);
		if (cal->forward_known[ROLE_TRUNK])
			cal->forward_known[ROLE_TRUNK] = vec3_orthogonal_unit(
			    cal->forward[ROLE_TRUNK], rr->walk_stand_up, cal->forward[ROLE_TRUNK]);
		out->change = REFERENCE_CORRECTED;
		out->from_standing = true;
	} else {
		ref->walk_lean_unknown = !cal->forward_known[ROLE_TRUNK];
		correct_from_walk(s, cal, walk_up);
		out->change = REFERENCE_CORRECTED;
	}
}

/* The trunk's latest settled pose, and the one it was in just before a walk began. */
static void track_standing(struct reference_role *rr, double dt_s, const struct activity *act)
{
	if (act->cls == ACTIVITY_STILL && rr->settled_s >= STAND_SETTLED_S) {
		vec3_copy(rr->settled_up, rr->mean_up);
		vec3_normalize(rr->settled_up);
		rr->since_settled_s = 0.0;
		rr->settled_known = true;
	} else {
		rr->since_settled_s += dt_s;
	}
	if (act->walking && act->walking_s <= dt_s && rr->settled_known &&
	    rr->since_settled_s <= STAND_BEFORE_WALK_S) {
		vec3_copy(rr->walk_stand_up, rr->settled_up);
		rr->stand_known = true;
	}
}

void reference_update(struct reference *ref, const struct reference_settings *s,
		      struct calibration *cal, double dt_s, const bool has[ROLE_COUNT],
		      const double up[ROLE_COUNT][3], const struct activity *activity,
		      struct reference_result *out)
{
	struct reference_role *trunk = &ref->role[ROLE_TRUNK];

	memset(out, 0, sizeof(*out));
	if (!cal->valid || dt_s <= 0.0)
		return;
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!has[r] || !cal->has[r] || cal->forward_known[r])
			continue;
		if (!gather_lean(&ref->role[r], s, cal, (enum sensor_role)r, dt_s, up[r], activity))
			continue;
		out->change = REFERENCE_FORWARD_LEARNED;
		/* A reference corrected by walking before forward was known still leans with the
		 * walk: now the lean can be taken out. */
		if (r == ROLE_TRUNK && ref->walk_lean_unknown && cal->walking_known[r]) {
			correct_from_walk(s, cal, cal->walking_up[r]);
			ref->walk_lean_unknown = false;
		}
	}
	if (s->walk_check_s <= 0.0 || !has[ROLE_TRUNK] || !cal->has[ROLE_TRUNK])
		return;
	track_standing(trunk, dt_s, activity);
	if (!activity->walking || activity->walking_s < WALK_SETTLED_S)
		return;
	for (int i = 0; i < 3; i++)
		trunk->walk_up_sum[i] += up[ROLE_TRUNK][i] * dt_s;
	trunk->walk_s += dt_s;
	if (trunk->walk_s >= s->walk_check_s && out->change == REFERENCE_NONE)
		check_walk(ref, s, cal, out);
}
