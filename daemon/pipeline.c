#include "postured/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "postured/vec3.h"

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_TRUNK] = "trunk",
	[ROLE_HEAD] = "head",
};

const char *role_name(enum sensor_role role)
{
	return role < ROLE_COUNT ? role_names[role] : "unknown";
}

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
	if (stored && stored->valid)
		p->cal = *stored;
	detector_init(&p->det, &s->detector);
	p->state = p->cal.valid ? STATE_UPRIGHT : STATE_CALIBRATING;
}

void pipeline_set_settings(struct pipeline *p, const struct pipeline_settings *s)
{
	p->settings = *s;
	for (int r = 0; r < ROLE_COUNT; r++)
		p->est[r].settings = s->estimator;
	detector_set_settings(&p->det, &s->detector);
}

void pipeline_request_calibration(struct pipeline *p)
{
	p->calibration_requested = true;
}

void pipeline_reset_role(struct pipeline *p, enum sensor_role role)
{
	estimator_init(&p->est[role], &p->settings.estimator);
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
	reset_summary(p, p->t_s);
}

/* Calibrate only when every sensor in use is present and has been still long enough. */
static bool ready_to_calibrate(const struct pipeline *p, const bool has[ROLE_COUNT])
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!p->settings.role_enabled[r])
			continue;
		if (!has[r] || !estimator_at_rest_for(&p->est[r], p->settings.posture.still_s))
			return false;
	}
	return true;
}

static void calibrate(struct pipeline *p, const bool has[ROLE_COUNT], const double up[ROLE_COUNT][3])
{
	struct posture_event ev;
	struct detector_result released = { 0 };

	/* A slump in progress ends: its angles were measured against the old reference. */
	detector_release(&p->det, p->t_s, &released);
	if (released.decision == DECISION_SLUMP_ENDED) {
		event_init(&ev, EVENT_SLUMP_ENDED, p->t_s);
		ev.cause = released.cause;
		ev.duration_s = released.duration_s;
		emit(p, &ev);
	}
	posture_calibrate(&p->cal, &p->settings.posture, has, up);
	memset(p->lean_s, 0, sizeof(p->lean_s));
	p->calibration_requested = false;
	detector_init(&p->det, &p->settings.detector);
	posture_angles(&p->cal, has, up, &p->angles);
	event_init(&ev, EVENT_CALIBRATED, p->t_s);
	snprintf(ev.detail, sizeof(ev.detail), "upright reference taken%s",
		 p->cal.forward_known[ROLE_TRUNK] ? "" : "; forward learned from the first sustained lean");
	emit(p, &ev);
}

static void account(struct pipeline *p, double dt_s)
{
	if (dt_s <= 0.0 || dt_s > p->settings.detector.max_gap_s)
		return;
	switch (p->state) {
	case STATE_UPRIGHT:
	case STATE_LEANING:
		p->summary.upright_s += dt_s;
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
}

static void run_detector(struct pipeline *p)
{
	struct detector_input in = { .t_s = p->t_s };
	struct detector_result res;
	struct posture_event ev;
	const struct posture_angles *a = &p->angles;

	in.valid[ANGLE_TRUNK] = a->valid[ROLE_TRUNK];
	in.angle_deg[ANGLE_TRUNK] = a->flexion_deg[ROLE_TRUNK];
	in.trunk_tilt_deg = a->tilt_deg[ROLE_TRUNK];
	in.valid[ANGLE_LATERAL] = a->valid[ROLE_TRUNK] && p->cal.forward_known[ROLE_TRUNK];
	in.angle_deg[ANGLE_LATERAL] = a->lateral_deg[ROLE_TRUNK];
	in.valid[ANGLE_NECK] = a->neck_valid;
	in.angle_deg[ANGLE_NECK] = a->neck_flexion_deg;

	detector_update(&p->det, &in, &res);
	p->state = p->det.state;

	switch (res.decision) {
	case DECISION_NONE:
		return;
	case DECISION_SLUMP_STARTED:
		p->summary.slumps++;
		event_init(&ev, EVENT_SLUMP_STARTED, p->t_s);
		break;
	case DECISION_ALERT:
		event_init(&ev, EVENT_ALERT, p->t_s);
		break;
	case DECISION_SLUMP_ENDED:
		if (res.duration_s > p->summary.longest_slump_s)
			p->summary.longest_slump_s = res.duration_s;
		event_init(&ev, EVENT_SLUMP_ENDED, p->t_s);
		break;
	}
	ev.cause = res.cause;
	ev.duration_s = res.duration_s;
	ev.alert_count = res.alert_count;
	emit(p, &ev);
	/* Every slump_started is also the first alert: the motor buzzes and the wearer is told. */
	if (res.decision == DECISION_SLUMP_STARTED || res.decision == DECISION_ALERT)
		p->summary.alerts++;
	if (res.decision == DECISION_SLUMP_STARTED) {
		event_init(&ev, EVENT_ALERT, p->t_s);
		ev.cause = res.cause;
		ev.duration_s = res.duration_s;
		ev.alert_count = res.alert_count;
		emit(p, &ev);
	}
}

void pipeline_push(struct pipeline *p, const struct frame *f)
{
	bool has[ROLE_COUNT];
	double up[ROLE_COUNT][3];
	double dt_s = p->have_t ? f->t_s - p->t_s : 0.0;

	if (p->have_t && dt_s < 0.0)
		return;
	p->t_s = f->t_s;
	p->have_t = true;
	if (!p->summary_started)
		reset_summary(p, f->t_s);

	for (int r = 0; r < ROLE_COUNT; r++) {
		has[r] = p->settings.role_enabled[r] && f->has[r];
		if (has[r])
			estimator_update(&p->est[r], f->t_s, &f->imu[r]);
		vec3_copy(up[r], p->est[r].up);
	}

	account(p, dt_s);

	if (!p->cal.valid || p->calibration_requested) {
		if (ready_to_calibrate(p, has))
			calibrate(p, has, up);
		else if (!p->cal.valid) {
			memset(&p->angles, 0, sizeof(p->angles));
			p->state = STATE_CALIBRATING;
			return;
		}
	}

	if (posture_learn_forward(&p->cal, &p->settings.posture, has, up, dt_s, p->lean_s)) {
		struct posture_event ev;

		event_init(&ev, EVENT_CALIBRATED, p->t_s);
		posture_angles(&p->cal, has, up, &p->angles);
		snprintf(ev.detail, sizeof(ev.detail), "forward direction learned from a sustained lean");
		emit(p, &ev);
	}
	posture_angles(&p->cal, has, up, &p->angles);
	run_detector(p);

	if (p->settings.summary_interval_s > 0.0 &&
	    p->t_s - p->summary_start_s >= p->settings.summary_interval_s)
		pipeline_emit_summary(p, EVENT_SUMMARY);
}
