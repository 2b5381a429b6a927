#include "postured/reference.h"

#include <math.h>
#include <string.h>

#include "postured/vec3.h"

/* Breathing (0.2-0.3 Hz) and fidgeting pass two 1 Hz low-passes; gyro noise does not. */
#define SWAY_TAU_S 0.16
/* The sway is measured about the rate's mean over this long: a bias or a slow turn is not sway. */
#define SWAY_MEAN_TAU_S 10.0
#define SWAY_VAR_TAU_S 3.0
/* Leans in a movement count only if they point the same way: putting a sensor on points every
 * way. The resultant of the unit lean directions must be at least this share of their count. */
#define LEAN_CONSISTENCY 0.7
/* A walk is evidence once steady: the first steps (and turning to go) are not. */
#define WALK_SETTLED_S 3.0

void reference_default_settings(struct reference_settings *s)
{
	s->still_s = 5.0;
	s->settle_deg = 3.0;
	s->worn_gyro_rad_s = 0.25 * RAD_PER_DEG;
	s->learn_forward_deg = 20.0;
	s->learn_forward_s = 1.0;
	s->walk_check_s = 30.0;
	s->walk_margin_deg = 15.0;
	s->walk_lean_deg = 6.0;
	s->lying_deg = 60.0;
}

void reference_init(struct reference *ref)
{
	memset(ref, 0, sizeof(*ref));
}

static double angle_deg(const double a[3], const double b[3])
{
	double c = vec3_dot(a, b) / (vec3_norm(a) * vec3_norm(b));

	return acos(c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c) * DEG_PER_RAD;
}

/* Component of v orthogonal to unit r, normalised; false when v is (nearly) parallel to r. */
static bool orthogonal_unit(const double v[3], const double r[3], double out[3])
{
	double d = vec3_dot(v, r);

	for (int i = 0; i < 3; i++)
		out[i] = v[i] - d * r[i];
	return vec3_normalize(out) > 1e-3;
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
	rr->started = true;
}

static void observe_role(struct reference_role *rr, const struct reference_settings *s,
			 double dt_s, const double up[3], const struct imu_sample *imu)
{
	double km = dt_s / (0.5 * s->still_s + dt_s), ks = dt_s / (SWAY_TAU_S + dt_s);
	double kmean = dt_s / (SWAY_MEAN_TAU_S + dt_s), kvar = dt_s / (SWAY_VAR_TAU_S + dt_s);
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
		if (!explicit_request && !reference_worn(ref, s, (enum sensor_role)r))
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
	memset(rr->pending_sum, 0, sizeof(rr->pending_sum));
	memset(rr->walk_up_sum, 0, sizeof(rr->walk_up_sum));
	rr->lean_s = rr->pending_s = rr->walk_s = 0.0;
}

/* Where walking's evidence puts the upright reference: walking leans walk_lean_deg forward. */
static double walk_off_deg(const struct reference_settings *s, const struct calibration *cal,
			   enum sensor_role r, const double walk_up[3])
{
	double expected[3], l = s->walk_lean_deg * RAD_PER_DEG;

	if (!cal->forward_known[r])
		return fmax(0.0, angle_deg(walk_up, cal->up_ref[r]) - s->walk_lean_deg);
	for (int i = 0; i < 3; i++)
		expected[i] = cos(l) * cal->up_ref[r][i] - sin(l) * cal->forward[r][i];
	return angle_deg(walk_up, expected);
}

double reference_calibrated(struct reference *ref, const struct reference_settings *s,
			    const struct calibration *cal, bool explicit_cal)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		drop_evidence(&ref->role[r]);
	ref->explicit_cal = explicit_cal;
	ref->warned = false;
	ref->confirmed = false;
	if (!cal->has[ROLE_TRUNK] || !cal->walking_known[ROLE_TRUNK])
		return -1.0;
	return walk_off_deg(s, cal, ROLE_TRUNK, cal->walking_up[ROLE_TRUNK]);
}

/* Leans of a movement that ends upright again are forward; any other movement's are dropped. */
static bool gather_lean(struct reference_role *rr, const struct reference_settings *s,
			struct calibration *cal, enum sensor_role r, double dt_s, const double up[3],
			const struct activity *act)
{
	double tilt = angle_deg(up, cal->up_ref[r]), away[3], dir[3];

	if (act->cls == ACTIVITY_LYING) {
		/* Getting up from lying leans every way: that movement teaches nothing. */
		rr->from_lying = true;
		rr->pending_s = 0.0;
		memset(rr->pending_sum, 0, sizeof(rr->pending_sum));
		return false;
	}
	if (act->cls == ACTIVITY_MOVING && !act->walking) {
		for (int i = 0; i < 3; i++)
			away[i] = -up[i];
		if (tilt >= s->learn_forward_deg && tilt < s->lying_deg &&
		    orthogonal_unit(away, cal->up_ref[r], dir)) {
			for (int i = 0; i < 3; i++)
				rr->pending_sum[i] += dir[i] * dt_s;
			rr->pending_s += dt_s;
		}
		return false;
	}
	if (rr->pending_s > 0.0 && act->cls == ACTIVITY_STILL && tilt < s->learn_forward_deg &&
	    !rr->from_lying) {
		for (int i = 0; i < 3; i++)
			rr->lean_sum[i] += rr->pending_sum[i];
		rr->lean_s += rr->pending_s;
	}
	memset(rr->pending_sum, 0, sizeof(rr->pending_sum));
	rr->pending_s = 0.0;
	if (act->cls == ACTIVITY_STILL)
		rr->from_lying = false;
	if (rr->lean_s < s->learn_forward_s ||
	    vec3_norm(rr->lean_sum) < LEAN_CONSISTENCY * rr->lean_s)
		return false;
	return cal->forward_known[r] = orthogonal_unit(rr->lean_sum, cal->up_ref[r], cal->forward[r]);
}

/* Walking's up, turned back by the walking lean: the trunk standing upright. */
static void correct_from_walk(const struct reference_settings *s, struct calibration *cal,
			      const double walk_up[3])
{
	double l = s->walk_lean_deg * RAD_PER_DEG, fwd[3];
	double *ref = cal->up_ref[ROLE_TRUNK];

	if (cal->forward_known[ROLE_TRUNK] &&
	    orthogonal_unit(cal->forward[ROLE_TRUNK], walk_up, fwd)) {
		for (int i = 0; i < 3; i++)
			ref[i] = cos(l) * walk_up[i] + sin(l) * fwd[i];
	} else {
		vec3_copy(ref, walk_up);
	}
	vec3_normalize(ref);
	if (cal->forward_known[ROLE_TRUNK])
		cal->forward_known[ROLE_TRUNK] =
			orthogonal_unit(cal->forward[ROLE_TRUNK], ref, cal->forward[ROLE_TRUNK]);
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
	} else {
		correct_from_walk(s, cal, walk_up);
		memset(rr->lean_sum, 0, sizeof(rr->lean_sum));
		rr->lean_s = 0.0;
		out->change = REFERENCE_CORRECTED;
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
		if (gather_lean(&ref->role[r], s, cal, (enum sensor_role)r, dt_s, up[r], activity))
			out->change = REFERENCE_FORWARD_LEARNED;
	}
	if (s->walk_check_s <= 0.0 || !has[ROLE_TRUNK] || !cal->has[ROLE_TRUNK] ||
	    !activity->walking || activity->walking_s < WALK_SETTLED_S)
		return;
	for (int i = 0; i < 3; i++)
		trunk->walk_up_sum[i] += up[ROLE_TRUNK][i] * dt_s;
	trunk->walk_s += dt_s;
	if (trunk->walk_s >= s->walk_check_s && out->change == REFERENCE_NONE)
		check_walk(ref, s, cal, out);
}
