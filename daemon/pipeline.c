/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "postured/vec3.h"

static void reset_summary(struct pipeline *p, double t_s)
{
	memset(&p->summary, 0, sizeof(p->summary));
	p->summary_start_s = t_s;
	p->summary_started = true;
}

void pipeline_init(struct pipeline *p, const struct pipeline_settings *s,
		   const struct calibration *stored, pipeline_emit_fn emit, void *emit_ctx)
{
	memset(p, 0, sizeof(*p));
	p->settings = *s;
	p->emit = emit;
	p->emit_ctx = emit_ctx;
	for (int r = 0; r < ROLE_COUNT; r++)
		estimator_init(&p->est[r], &s->estimator);
	activity_init(&p->activity);
	reference_init(&p->ref);
	if (stored && stored->valid)
		p->cal = *stored;
	detector_init(&p->det, &s->detector);
	p->state = p->cal.valid ? STATE_UPRIGHT : STATE_CALIBRATING;
	p->motor_quiet_t_s = -INFINITY;
}

void pipeline_set_settings(struct pipeline *p, const struct pipeline_settings *s)
{
	p->settings = *s;
	for (int r = 0; r < ROLE_COUNT; r++)
		estimator_set_settings(&p->est[r], &s->estimator);
	detector_set_settings(&p->det, &s->detector);
}

void pipeline_set_motor(struct pipeline *p, bool on, double t_s)
{
	if (on)
		p->motor_quiet_t_s = INFINITY;
	else if (p->motor_quiet_t_s == INFINITY)
		p->motor_quiet_t_s = t_s + PIPELINE_MOTOR_TAIL_S;
}

/*
 * A sample is the average over the period since the previous one (or, for the first, an instant):
 * it felt the motor if the period began before the last buzz died away (or the motor runs).
 */
static bool motor_felt(const struct pipeline *p, double t_s)
{
	return (p->have_t ? p->t_s : t_s) < p->motor_quiet_t_s;
}

void pipeline_request_calibration(struct pipeline *p)
{
	p->calibration_requested = true;
}

void pipeline_set_gyro_bias(struct pipeline *p, enum sensor_role role, const double bias_rad_s[3],
			    double sigma_rad_s)
{
	estimator_set_bias(&p->est[role], bias_rad_s, sigma_rad_s);
}

void pipeline_reset_role(struct pipeline *p, enum sensor_role role)
{
	double bias_rad_s[3], sigma_rad_s;

	estimator_get_bias(&p->est[role], bias_rad_s, &sigma_rad_s);
	estimator_init(&p->est[role], &p->settings.estimator);
	estimator_set_bias(&p->est[role], bias_rad_s, sigma_rad_s);
	reference_reset_role(&p->ref, role);
}

static void fill_angles(const struct pipeline *p, struct posture_event *ev)
{
	const struct posture_angles *a = &p->angles;

	if (a->valid[ROLE_TRUNK]) {
		ev->trunk_deg = a->flexion_deg[ROLE_TRUNK];
		ev->lateral_deg = a->lateral_deg[ROLE_TRUNK];
	}
	if (a->neck_valid)
		ev->neck_deg = a->neck_flexion_deg;
	if (a->valid[ROLE_HEAD])
		ev->head_deg = a->flexion_deg[ROLE_HEAD];
	ev->have_activity = true;
	ev->activity = p->activity.cls;
}

static void emit(struct pipeline *p, struct posture_event *ev)
{
	fill_angles(p, ev);
	p->emit(p->emit_ctx, ev);
}

void pipeline_emit_summary(struct pipeline *p, enum event_type type)
{
	struct posture_event ev;

	event_init(&ev, type, p->t_s);
	ev.summary = p->summary;
	/* A slump still in progress counts with its duration so far. */
	if (p->state == STATE_SLUMPED && p->t_s - p->det.onset_t_s > ev.summary.longest_slump_s)
		ev.summary.longest_slump_s = p->t_s - p->det.onset_t_s;
	ev.summary.period_s = p->have_t ? p->t_s - p->summary_start_s : 0.0;
	emit(p, &ev);
	/* Before the first frame (no sensor yet) the next period starts with that frame. */
	if (p->have_t)
		reset_summary(p, p->t_s);
}

void pipeline_summaries_by_caller(struct pipeline *p, bool by_caller)
{
	p->summaries_by_caller = by_caller;
}

/* Every slump ends here, so the summary's longest slump counts each one however it ended. */
static void end_slump(struct pipeline *p, const struct detector_result *res)
{
	struct posture_event ev;

	if (res->duration_s > p->summary.longest_slump_s)
		p->summary.longest_slump_s = res->duration_s;
	event_init(&ev, EVENT_SLUMP_ENDED, p->t_s);
	ev.cause = res->cause;
	ev.duration_s = res->duration_s;
	emit(p, &ev);
}

/* The reference changed: a slump in progress ends, its angles were measured against the old one. */
static void restart_detector(struct pipeline *p)
{
	struct detector_result released = { 0 };

	detector_release(&p->det, p->t_s, &released);
	if (released.decision == DECISION_SLUMP_ENDED)
		end_slump(p, &released);
	detector_init(&p->det, &p->settings.detector);
}

/* "; warning: ..." for what makes an explicit calibration look wrong. */
static void explain_explicit(struct pipeline *p, const bool has[ROLE_COUNT], double off_deg,
			     struct posture_event *ev)
{
	size_t used = strlen(ev->detail);

	for (int r = 0; r < ROLE_COUNT && used < sizeof(ev->detail); r++) {
		if (!has[r] || reference_worn(&p->ref, &p->settings.reference, (enum sensor_role)r))
			continue;
		used +=
		    (size_t)snprintf(ev->detail + used, sizeof(ev->detail) - used,
				     "; warning: the %s sensor shows no breathing motion: is it "
				     "worn?",
				     role_name((enum sensor_role)r));
		ev->warning = true;
	}
	if (off_deg > p->settings.reference.walk_margin_deg && used < sizeof(ev->detail)) {
		snprintf(ev->detail + used, sizeof(ev->detail) - used,
			 "; warning: %.0f deg off the trunk's direction while walking: if this was "
			 "not an upright pose, calibrate again sitting or standing upright",
			 off_deg);
		ev->warning = true;
	}
}

static void calibrate(struct pipeline *p, const bool has[ROLE_COUNT])
{
	struct posture_event ev;
	double up[ROLE_COUNT][3];
	bool explicit_cal = p->calibration_requested;
	double off_deg;

	restart_detector(p);
	reference_settled_up(&p->ref, has, up);
	posture_calibrate(&p->cal, &p->settings.posture, has, up);
	off_deg = reference_calibrated(&p->ref, &p->settings.reference, &p->cal, explicit_cal);
	p->calibration_requested = false;
	event_init(&ev, EVENT_CALIBRATED, p->t_s);
	ev.requested = explicit_cal;
	posture_angles(&p->cal, has, up, &p->angles);
	snprintf(ev.detail, sizeof(ev.detail), "upright reference taken %s%s",
		 explicit_cal ? "on request" : "while worn and settled",
		 p->cal.forward_known[ROLE_TRUNK] || !has[ROLE_TRUNK]
		     ? ""
		     : "; forward is learned from the next movements (standing up, bending)");
	if (explicit_cal)
		explain_explicit(p, has, off_deg, &ev);
	emit(p, &ev);
}

/*
 * A sensor that was missing when the others were calibrated (a head sensor plugged in after
 * start-up, or a stored calibration made without it) takes its own upright reference once it is
 * worn and settled; the others keep theirs.
 */
static void calibrate_late_roles(struct pipeline *p, const bool has[ROLE_COUNT],
				 const double up[ROLE_COUNT][3])
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		bool only[ROLE_COUNT] = { false };
		double settled[ROLE_COUNT][3];
		struct posture_event ev;

		if (!p->settings.role_enabled[r] || !has[r] || p->cal.has[r])
			continue;
		only[r] = true;
		if (!reference_may_calibrate(&p->ref, &p->settings.reference, only, has,
					     p->activity.cls, false))
			continue;
		reference_settled_up(&p->ref, only, settled);
		posture_calibrate_role(&p->cal, &p->settings.posture, (enum sensor_role)r,
				       settled[r]);
		posture_angles(&p->cal, has, up, &p->angles);
		event_init(&ev, EVENT_CALIBRATED, p->t_s);
		snprintf(ev.detail, sizeof(ev.detail),
			 "%s upright reference taken while worn and "
			 "settled; the other sensors keep theirs",
			 role_name((enum sensor_role)r));
		emit(p, &ev);
	}
}

/* Applies what the reference evidence decided, with a calibrated event saying why. */
static void apply_reference(struct pipeline *p, const bool has[ROLE_COUNT],
			    const double up[ROLE_COUNT][3], const struct reference_result *res)
{
	struct posture_event ev;

	if (res->change == REFERENCE_NONE)
		return;
	if (res->change == REFERENCE_CORRECTED)
		restart_detector(p);
	event_init(&ev, EVENT_CALIBRATED, p->t_s);
	posture_angles(&p->cal, has, up, &p->angles);
	switch (res->change) {
	case REFERENCE_FORWARD_LEARNED:
		snprintf(
		    ev.detail, sizeof(ev.detail),
		    "forward direction learned from leans while moving (standing up, bending)");
		break;
	case REFERENCE_CORRECTED:
		snprintf(ev.detail, sizeof(ev.detail),
			 "upright reference corrected: it was %.0f deg "
			 "off the trunk's direction in %.0f s of walking; now %s",
			 res->off_deg, res->walk_s,
			 res->from_standing ? "the standing pose the walk started from"
					    : "the walking trunk's direction");
		break;
	case REFERENCE_WALK_CONFIRMED:
		snprintf(ev.detail, sizeof(ev.detail),
			 "upright reference confirmed by %.0f s of "
			 "walking (%.0f deg off)",
			 res->walk_s, res->off_deg);
		break;
	default:
		snprintf(ev.detail, sizeof(ev.detail),
			 "warning: the requested upright reference is "
			 "%.0f deg off the trunk's direction in %.0f s of walking; kept as asked: "
			 "calibrate again sitting or standing upright",
			 res->off_deg, res->walk_s);
		ev.warning = true;
		break;
	}
	emit(p, &ev);
}

static void account(struct pipeline *p, double dt_s)
{
	if (dt_s <= 0.0 || dt_s > p->settings.detector.max_gap_s)
		return;
	switch (p->state) {
	case STATE_UPRIGHT:
		p->summary.upright_s += dt_s;
		break;
	case STATE_LEANING:
		p->summary.leaning_s += dt_s;
		break;
	case STATE_SLUMPED:
		p->summary.slumped_s += dt_s;
		break;
	case STATE_LYING:
		p->summary.lying_s += dt_s;
		break;
	default:
		break;
	}
	if (p->activity.cls == ACTIVITY_STILL)
		p->summary.still_s += dt_s;
	else if (p->activity.cls == ACTIVITY_MOVING)
		p->summary.moving_s += dt_s;
}

static void run_detector(struct pipeline *p)
{
	struct detector_input in = { .t_s = p->t_s };
	struct detector_result res;
	struct posture_event ev;
	const struct posture_angles *a = &p->angles;

	in.valid[ANGLE_TRUNK] = a->valid[ROLE_TRUNK];
	in.angle_deg[ANGLE_TRUNK] = a->flexion_deg[ROLE_TRUNK];
	in.valid[ANGLE_LATERAL] = a->valid[ROLE_TRUNK] && p->cal.forward_known[ROLE_TRUNK];
	in.angle_deg[ANGLE_LATERAL] = a->lateral_deg[ROLE_TRUNK];
	in.valid[ANGLE_NECK] = a->neck_valid;
	in.angle_deg[ANGLE_NECK] = a->neck_flexion_deg;
	in.valid[ANGLE_HEAD] = a->valid[ROLE_HEAD];
	in.angle_deg[ANGLE_HEAD] = a->flexion_deg[ROLE_HEAD];
	in.activity = p->activity.cls;
	in.moving_s = p->activity.moving_s;

	detector_update(&p->det, &in, &res);
	p->state = p->det.state;

	if (res.decision == DECISION_NONE)
		return;
	if (res.decision == DECISION_SLUMP_ENDED) {
		end_slump(p, &res);
		return;
	}
	if (res.decision == DECISION_SLUMP_STARTED) {
		p->summary.slumps++;
		event_init(&ev, EVENT_SLUMP_STARTED, p->t_s);
		ev.cause = res.cause;
		ev.duration_s = res.duration_s;
		emit(p, &ev);
	}
	/* Every slump_started is also the first alert: the motor buzzes and the wearer is told. */
	p->summary.alerts++;
	event_init(&ev, EVENT_ALERT, p->t_s);
	ev.cause = res.cause;
	ev.duration_s = res.duration_s;
	ev.alert_count = res.alert_count;
	emit(p, &ev);
}

/* The role whose movements say what the wearer does: the trunk, else the head. */
static int activity_role(const bool has[ROLE_COUNT])
{
	return has[ROLE_TRUNK] ? ROLE_TRUNK : has[ROLE_HEAD] ? ROLE_HEAD : -1;
}

/* The trunk's tilt from its upright reference: lying is told from it, whatever forward is. */
static double reference_tilt_deg(const struct pipeline *p, int role, const double up[3])
{
	return p->cal.valid && p->cal.has[role] ? vec3_angle_deg(up, p->cal.up_ref[role]) : NAN;
}

/* A glitching sensor's reading or time would throw every stage off: the frame is dropped. */
static bool frame_plausible(const struct pipeline *p, const struct frame *f)
{
	if (!isfinite(f->t_s))
		return false;
	for (int r = 0; r < ROLE_COUNT; r++)
		if (p->settings.role_enabled[r] && f->has[r] && !imu_sample_plausible(&f->imu[r]))
			return false;
	return true;
}

void pipeline_push(struct pipeline *p, const struct frame *f)
{
	bool has[ROLE_COUNT], buzz;
	double up[ROLE_COUNT][3];
	double dt_s = p->have_t ? f->t_s - p->t_s : 0.0;
	struct reference_result ref_res;
	int ar;

	if (p->have_t && dt_s < 0.0)
		return;
	if (!frame_plausible(p, f)) {
		p->dropped_frames++;
		return;
	}
	buzz = motor_felt(p, f->t_s);
	p->motor_felt = buzz;
	p->t_s = f->t_s;
	p->have_t = true;
	if (!p->summary_started)
		reset_summary(p, f->t_s);

	for (int r = 0; r < ROLE_COUNT; r++) {
		has[r] = p->settings.role_enabled[r] && f->has[r];
		if (has[r])
			(buzz ? estimator_update_gyro : estimator_update)(&p->est[r], f->t_s,
									  &f->imu[r]);
		vec3_copy(up[r], estimator_up(&p->est[r]));
	}
	ar = activity_role(has);
	if (!buzz) {
		reference_observe(&p->ref, &p->settings.reference, dt_s, has, up, f->imu);
		if (ar >= 0)
			activity_update(&p->activity, &p->settings.activity, dt_s, &f->imu[ar],
					up[ar], reference_tilt_deg(p, ar, up[ar]));
	} else if (ar >= 0) {
		/* The motor's shaking is neither a movement, nor a settled pose, nor a worn
		 * sensor's sway. */
		activity_hold(&p->activity, dt_s, &f->imu[ar]);
	}

	account(p, dt_s);

	if (!p->cal.valid || p->calibration_requested) {
		bool delivering[ROLE_COUNT];

		/* A sensor missing since start-up (or lost) must not keep the others uncalibrated.
		 */
		for (int r = 0; r < ROLE_COUNT; r++)
			delivering[r] = p->settings.role_enabled[r] && p->est[r].initialised;
		if (!buzz &&
		    reference_may_calibrate(&p->ref, &p->settings.reference, delivering, has,
					    p->activity.cls, p->calibration_requested))
			calibrate(p, has);
		else if (!p->cal.valid) {
			memset(&p->angles, 0, sizeof(p->angles));
			p->state = STATE_CALIBRATING;
			return;
		}
	}

	/* Evidence about the reference waits for the buzz to end: the up vectors are the gyro's. */
	if (!buzz) {
		calibrate_late_roles(p, has, up);
		reference_update(&p->ref, &p->settings.reference, &p->cal, dt_s, has, up,
				 &p->activity, &ref_res);
		apply_reference(p, has, up, &ref_res);
	}
	posture_angles(&p->cal, has, up, &p->angles);
	run_detector(p);

	if (!p->summaries_by_caller && p->settings.summary_interval_s > 0.0 &&
	    p->t_s - p->summary_start_s >= p->settings.summary_interval_s)
		pipeline_emit_summary(p, EVENT_SUMMARY);
}

double pipeline_frame_t_s(const struct pipeline *p)
{
	return p->t_s;
}

enum posture_state pipeline_state(const struct pipeline *p)
{
	return p->state;
}

enum activity_class pipeline_activity(const struct pipeline *p)
{
	return p->activity.cls;
}

const struct posture_angles *pipeline_angles(const struct pipeline *p)
{
	return &p->angles;
}

const double *pipeline_up(const struct pipeline *p, enum sensor_role role)
{
	return estimator_up(&p->est[role]);
}

bool pipeline_motor_felt(const struct pipeline *p)
{
	return p->motor_felt;
}

unsigned long pipeline_dropped_frames(const struct pipeline *p)
{
	return p->dropped_frames;
}

unsigned int pipeline_alerts(const struct pipeline *p)
{
	return p->summary.alerts;
}

const struct calibration *pipeline_calibration(const struct pipeline *p)
{
	return &p->cal;
}

bool pipeline_gyro_bias(const struct pipeline *p, enum sensor_role role, double bias_rad_s[3],
			double *sigma_rad_s)
{
	if (!estimator_started(&p->est[role]))
		return false;
	estimator_get_bias(&p->est[role], bias_rad_s, sigma_rad_s);
	return true;
}
