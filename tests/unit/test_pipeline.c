/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole pure pipeline on scripted sessions: synthetic IMU frames from exact physics in, the
 * events a wearer would see out, at the times the ISO holding-time curve predicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "near.h"

#include "motion.h"
#include "postured/haptic.h"
#include "postured/pipeline.h"
#include "postured/vibration.h"

#define RATE_HZ 50.0
#define MAX_EVENTS 32
/* The wearer breathes: a 0.5 deg pitch sway at 0.25 Hz, which also tells a worn sensor. */
#define BREATH_DEG 0.5
#define BREATH_HZ 0.25

struct session {
	struct pipeline p;
	double t_s;
	double lean_deg; /* current trunk lean, forward positive */
	double head_deg; /* current head lean (absolute) */
	bool with_head;
	bool head_missing; /* configured, but its frames have no head sample (unplugged) */
	bool breathing;	   /* false: the sensors lie on a desk */
	struct posture_event ev[MAX_EVENTS];
	int n_ev;
	/* The vibration motor: played on every alert as the daemon does, its shaking added to the
	 * samples; the pipeline is told it runs unless motor_untold. */
	bool with_motor, motor_untold;
	struct haptic_player player;
	struct haptic_pattern alert_pattern;
	double next_change_s;
	struct vibration vibration;
};

static void set_motor(struct session *s, bool on, double t_s)
{
	if (!s->motor_untold)
		pipeline_set_motor(&s->p, on, t_s);
	vibration_motor(&s->vibration, on, t_s);
}

static void play(struct session *s, const struct haptic_pattern *pattern, double t_s)
{
	haptic_player_start(&s->player, pattern, t_s);
	set_motor(s, haptic_player_level(&s->player, t_s, &s->next_change_s), t_s);
}

static void record_event(void *ctx, const struct posture_event *ev)
{
	struct session *s = ctx;

	assert_true(s->n_ev < MAX_EVENTS);
	s->ev[s->n_ev++] = *ev;
	if (s->with_motor && ev->type == EVENT_ALERT)
		play(s, &s->alert_pattern, ev->t_s);
}

static void setup_session(struct session *s, bool with_head)
{
	struct pipeline_settings ps;

	memset(s, 0, sizeof(*s));
	s->with_head = with_head;
	s->breathing = true;
	/* The wearer sits from -3 s: worn (the sway of breathing shows within about 2 s) and
	 * settled for still_s before anything happens at the times below. */
	s->t_s = -3.0;
	memset(&ps, 0, sizeof(ps));
	ps.role_enabled[ROLE_TRUNK] = true;
	ps.role_enabled[ROLE_HEAD] = with_head;
	estimator_default_settings(&ps.estimator);
	activity_default_settings(&ps.activity);
	reference_default_settings(&ps.reference);
	ps.reference.still_s = 3.0;
	posture_default_settings(&ps.posture);
	for (int r = 0; r < ROLE_COUNT; r++) {
		ps.posture.forward_mode[r] = FORWARD_AXIS;
		ps.posture.forward_axis[r][0] = -1.0; /* x points out of the back */
	}
	detector_default_settings(&ps.detector);
	ps.detector.rule[ANGLE_TRUNK] = (struct angle_rule){ true, 20.0, 10.0, 60.0, 2.0 };
	ps.detector.rule[ANGLE_NECK] = (struct angle_rule){ true, 25.0, 6.0, 85.0, 2.0 };
	ps.detector.realert_s = 5.0;
	pipeline_init(&s->p, &ps, NULL, record_event, s);
	haptic_player_init(&s->player);
	s->next_change_s = -1.0;
	s->alert_pattern = (struct haptic_pattern){ 3, { 400, 200, 400 } };
	vibration_init(&s->vibration, 1);
}

static void push(struct session *s, double trunk_rate_deg_s, double head_rate_deg_s)
{
	struct frame f = { .t_s = s->t_s };
	double phase = 2.0 * M_PI * BREATH_HZ * s->t_s;
	double breath_deg = s->breathing ? BREATH_DEG * sin(phase) : 0.0;
	double breath_rate = s->breathing ? BREATH_DEG * 2.0 * M_PI * BREATH_HZ * cos(phase) : 0.0;

	/* The motor's switches up to this frame, each at its time, as the daemon's timer makes
	 * them. */
	while (s->next_change_s >= 0.0 && s->next_change_s <= s->t_s) {
		double at_s = s->next_change_s;

		set_motor(s, haptic_player_level(&s->player, at_s, &s->next_change_s), at_s);
	}
	f.has[ROLE_TRUNK] = true;
	motion_sample(-(s->lean_deg + breath_deg) * RAD_PER_DEG,
		      -(trunk_rate_deg_s + breath_rate) * RAD_PER_DEG, &f.imu[ROLE_TRUNK]);
	vibration_add(&s->vibration, s->t_s, &f.imu[ROLE_TRUNK]);
	if (s->with_head && !s->head_missing) {
		f.has[ROLE_HEAD] = true;
		motion_sample(-(s->head_deg + breath_deg) * RAD_PER_DEG,
			      -(head_rate_deg_s + breath_rate) * RAD_PER_DEG, &f.imu[ROLE_HEAD]);
	}
	pipeline_push(&s->p, &f);
	s->t_s += 1.0 / RATE_HZ;
}

static void stay(struct session *s, double duration_s)
{
	for (int i = 0; i < (int)(duration_s * RATE_HZ + 0.5); i++)
		push(s, 0.0, 0.0);
}

/* Moves the trunk (and the head with it) to lean_deg at a constant rate over duration_s. */
static void lean_to(struct session *s, double lean_deg, double head_deg, double duration_s)
{
	int steps = (int)(duration_s * RATE_HZ + 0.5);
	double trunk_rate = (lean_deg - s->lean_deg) / duration_s;
	double head_rate = (head_deg - s->head_deg) / duration_s;

	for (int i = 0; i < steps; i++) {
		s->lean_deg += trunk_rate / RATE_HZ;
		s->head_deg += head_rate / RATE_HZ;
		push(s, trunk_rate, head_rate);
	}
}

static void assert_event(const struct session *s, int i, enum event_type type, double t_s)
{

	assert_true(i < s->n_ev);
	assert_string_equal(event_type_name(s->ev[i].type), event_type_name(type));
	/* Within 0.1 s of the time the physics predicts: the breathing sway (+-0.5 deg) moves when
	 * a movement is over and how fast the dose grows by a few samples. */
	assert_near(s->ev[i].t_s, t_s, 0.1);
}

/*
 * Upright until 5 s (calibrated once worn and settled for 3 s), lean to 30 deg over 1 s (crossing
 * 20 deg at 5.667 s), hold. A 30 deg/s lean is a movement, and holding time counts only while
 * still: the rate's 1 s variance falls below 15 deg/s 0.6 s after the lean, and the wearer is still
 * 1 s later (activity.c's QUIET_S), at 7.6 s. 30 deg is allowed 8 s, so the slump starts at 15.6 s
 * (9.93 s after the onset); the re-alert follows 5 s later; correcting over 1 s from 21 s crosses
 * 15 deg (20 - 5 hysteresis) at 21.5 s: a movement does not hide a correction.
 */
static void slump_session_gives_the_expected_events(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, false);
	stay(s, 8.0); /* -3 to 5 s */
	lean_to(s, 30.0, 30.0, 1.0);
	stay(s, 15.0);
	lean_to(s, 0.0, 0.0, 1.0);
	stay(s, 3.0);
	pipeline_emit_summary(&s->p, EVENT_STOPPED);

	assert_int_equal(s->n_ev, 6);
	assert_true(s->ev[0].type == EVENT_CALIBRATED && s->ev[0].t_s < 3.0);
	assert_event(s, 1, EVENT_SLUMP_STARTED, 15.60);
	assert_near(s->ev[1].trunk_deg, 30.0, 0.6);
	assert_string_equal(angle_name(s->ev[1].cause), "trunk");
	assert_near(s->ev[1].duration_s, 15.60 - 5.667, 0.1);
	assert_event(s, 2, EVENT_ALERT, 15.60);
	assert_int_equal(s->ev[2].alert_count, 1);
	assert_event(s, 3, EVENT_ALERT, 20.60);
	assert_int_equal(s->ev[3].alert_count, 2);
	assert_event(s, 4, EVENT_SLUMP_ENDED, 21.5);
	assert_near(s->ev[4].duration_s, 21.5 - 5.667, 0.05);
	assert_event(s, 5, EVENT_STOPPED, 25.0);
	assert_int_equal(s->ev[5].summary.alerts, 2);
	assert_int_equal(s->ev[5].summary.slumps, 1);
	assert_near(s->ev[5].summary.slumped_s, 21.5 - 15.60, 0.1);
	assert_near(s->ev[5].summary.longest_slump_s, 21.5 - 5.667, 0.05);
	/* Leaning: from crossing 20 deg (5.667 s) until the slump started. */
	assert_near(s->ev[5].summary.leaning_s, 15.60 - 5.667, 0.1);
	/* The period runs from the first sample (-3 s); until the calibration the wearer was
	 * calibrating: neither upright nor slumped. */
	assert_near(s->ev[5].summary.period_s, 28.0, 0.05);
	assert_near(s->ev[5].summary.upright_s + s->ev[5].summary.leaning_s +
			s->ev[5].summary.slumped_s,
		    25.0 - s->ev[0].t_s, 0.05);
	/* Moving: the lean (5.0 to 7.6 s) and the correction (21.0 s until the rate's variance
	 * and the second of quiet are over, 22.86 s). */
	assert_near(s->ev[5].summary.moving_s, 2.6 + 1.86, 0.1);
	free(s);
}

/* No calibration while the wearer moves: a wobbling start calibrates only after 3 s still. */
static void calibration_waits_for_stillness(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, false);
	s->t_s = 0.0; /* wobbling from the start */
	for (int i = 0; i < 5; i++) {
		lean_to(s, 10.0, 10.0, 0.5);
		lean_to(s, 0.0, 0.0, 0.5);
	}
	assert_int_equal(s->n_ev, 0);
	assert_int_equal(s->p.state, STATE_CALIBRATING);
	stay(s, 4.0);
	assert_int_equal(s->n_ev, 1);
	/* Movement ended at 5 s. The 3 s count starts once the up vector is back within 3 deg
	 * (settle_deg) of its 1.5 s mean after the 10 deg wobble, under 0.8 s later. */
	assert_string_equal(event_type_name(s->ev[0].type), "calibrated");
	assert_true(s->ev[0].t_s >= 8.0 && s->ev[0].t_s <= 8.8);
	free(s);
}

/* A sensor on a desk is perfectly still: it is not worn, so it is never calibrated. */
static void desk_is_never_calibrated(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, false);
	s->breathing = false;
	stay(s, 60.0);
	assert_int_equal(s->n_ev, 0);
	assert_int_equal(s->p.state, STATE_CALIBRATING);
	/* Put on: the wearer breathes, and is calibrated within seconds. */
	s->breathing = true;
	stay(s, 5.0);
	assert_int_equal(s->n_ev, 1);
	assert_int_equal(s->ev[0].type, EVENT_CALIBRATED);
	assert_false(s->ev[0].warning);
	free(s);
}

/* An explicit request is obeyed on a desk too, but the event warns, at warning priority. */
static void explicit_calibration_on_a_desk_warns(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, false);
	s->breathing = false;
	pipeline_request_calibration(&s->p);
	stay(s, 5.0);
	assert_int_equal(s->n_ev, 1);
	assert_int_equal(s->ev[0].type, EVENT_CALIBRATED);
	assert_true(s->ev[0].warning);
	assert_non_null(strstr(s->ev[0].detail, "no breathing motion"));
	free(s);
}

/*
 * SIGUSR1 while slumped is obeyed, but the stored walking evidence (a walking trunk near
 * vertical) says the new upright is 36 deg off it (30 deg of slump and the 6 deg walking lean):
 * the calibrated event warns.
 */
static void explicit_slumped_calibration_is_checked_against_walking(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, false);
	s->p.cal.valid = true;
	s->p.cal.has[ROLE_TRUNK] = true;
	s->p.cal.up_ref[ROLE_TRUNK][2] = 1.0;
	s->p.cal.forward_known[ROLE_TRUNK] = true;
	s->p.cal.forward[ROLE_TRUNK][0] = -1.0;
	s->p.cal.walking_known[ROLE_TRUNK] = true;
	s->p.cal.walking_up[ROLE_TRUNK][2] = 1.0;
	stay(s, 3.0);
	lean_to(s, 30.0, 30.0, 2.0);
	stay(s, 2.0);
	pipeline_request_calibration(&s->p);
	stay(s, 5.0);
	assert_true(s->n_ev >= 1);
	assert_int_equal(s->ev[s->n_ev - 1].type, EVENT_CALIBRATED);
	assert_true(s->ev[s->n_ev - 1].warning);
	{
		const char *w = strstr(s->ev[s->n_ev - 1].detail, "warning: ");
		double off_deg = 0.0;

		assert_non_null(w);
		assert_int_equal(
		    sscanf(w, "warning: %lf deg off the trunk's direction while walking", &off_deg),
		    1);
		/* The reference is the settled mean of a breathing wearer: within a degree. */
		assert_near(off_deg, 36.0, 1.5);
	}
	/* Obeyed: the slumped pose is the new upright. */
	assert_near(s->p.angles.flexion_deg[ROLE_TRUNK], 0.0, 1.5);
	free(s);
}

/* A forward head with the trunk upright is a neck slump (ISO 11226: head relative to trunk). */
static void forward_head_is_a_neck_slump(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, true);
	stay(s, 7.0); /* -3 to 4 s */
	lean_to(s, 0.0, 40.0, 1.0);
	stay(s, 8.0);
	assert_true(s->n_ev >= 3);
	assert_true(s->ev[0].type == EVENT_CALIBRATED && s->ev[0].t_s < 3.0);
	assert_int_equal(s->ev[1].type, EVENT_SLUMP_STARTED);
	assert_string_equal(angle_name(s->ev[1].cause), "neck");
	assert_near(s->ev[1].neck_deg, 40.0, 0.5);
	assert_near(s->ev[1].trunk_deg, 0.0, 0.5);
	free(s);
}

/*
 * The head sensor missing at start-up: the trunk alone is calibrated and monitored (its slump
 * alerts, no neck angle). The head, plugged in later, takes its own reference once settled while
 * the trunk keeps its own, and the neck rule works from then on.
 */
static void head_joining_late_is_calibrated_on_its_own(void **state)
{
	struct session *s = malloc(sizeof(*s));
	double trunk_ref[3];
	int n, neck_slumps = 0;

	(void)state;
	setup_session(s, true);
	s->head_missing = true;
	stay(s, 7.0); /* -3 to 4 s */
	assert_true(s->n_ev >= 1);
	assert_int_equal(s->ev[0].type, EVENT_CALIBRATED);
	assert_true(s->p.cal.has[ROLE_TRUNK]);
	assert_false(s->p.cal.has[ROLE_HEAD]);
	memcpy(trunk_ref, s->p.cal.up_ref[ROLE_TRUNK], sizeof(trunk_ref));
	lean_to(s, 30.0, 30.0, 1.0);
	stay(s, 10.0);
	assert_int_equal(s->p.state, STATE_SLUMPED);
	assert_false(s->p.angles.neck_valid);
	lean_to(s, 0.0, 0.0, 1.0);
	stay(s, 2.0);

	n = s->n_ev;
	s->head_missing = false;
	stay(s, 6.0);
	assert_int_equal(s->n_ev, n + 1);
	assert_int_equal(s->ev[n].type, EVENT_CALIBRATED);
	assert_non_null(strstr(s->ev[n].detail, "head upright reference"));
	assert_memory_equal(s->p.cal.up_ref[ROLE_TRUNK], trunk_ref, sizeof(trunk_ref));
	assert_true(s->p.angles.neck_valid);
	assert_near(s->p.angles.neck_flexion_deg, 0.0, 1.0);

	lean_to(s, 0.0, 40.0, 1.0);
	stay(s, 8.0);
	for (int i = n + 1; i < s->n_ev; i++)
		neck_slumps += s->ev[i].type == EVENT_SLUMP_STARTED &&
			       strcmp(angle_name(s->ev[i].cause), "neck") == 0;
	assert_int_equal(neck_slumps, 1);
	free(s);
}

/* Recalibrating (SIGUSR1) in a slumped pose makes that pose the new upright: the slump ends. */
static void recalibration_ends_the_slump(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, false);
	stay(s, 7.0); /* -3 to 4 s */
	lean_to(s, 30.0, 30.0, 1.0);
	stay(s, 10.0);
	assert_int_equal(s->p.state, STATE_SLUMPED);
	/* A summary during the slump counts it with its duration so far (onset at 4.667 s). */
	pipeline_emit_summary(&s->p, EVENT_SUMMARY);
	assert_int_equal(s->ev[s->n_ev - 1].type, EVENT_SUMMARY);
	assert_near(s->ev[s->n_ev - 1].summary.longest_slump_s, 15.0 - 4.667, 0.05);
	pipeline_request_calibration(&s->p);
	stay(s, 4.0);
	assert_int_equal(s->ev[s->n_ev - 2].type, EVENT_SLUMP_ENDED);
	assert_int_equal(s->ev[s->n_ev - 1].type, EVENT_CALIBRATED);
	assert_int_equal(s->p.state, STATE_UPRIGHT);
	assert_near(s->p.angles.flexion_deg[ROLE_TRUNK], 0.0, 0.5);
	free(s);
}

static int count_summaries(const struct session *s)
{
	int n = 0;

	for (int i = 0; i < s->n_ev; i++)
		n += s->ev[i].type == EVENT_SUMMARY;
	return n;
}

/*
 * Summaries come every summary_interval_s of pipeline time (replay), or when the caller says (the
 * live daemon, at wall-clock boundaries): then the interval no longer applies, also after new
 * settings, and the caller's summary covers the time since the previous one.
 */
static void summaries_by_interval_or_by_caller(void **state)
{
	struct session *s = malloc(sizeof(*s));
	struct pipeline_settings ps;
	double last_summary_s;

	(void)state;
	setup_session(s, false);
	ps = s->p.settings;
	ps.summary_interval_s = 4.0;
	pipeline_set_settings(&s->p, &ps);
	/* -3 to 12 s: calibrated at 2.7 s (a calibrating pipeline checks no interval), then
	 * summaries 4 s apart */
	stay(s, 15.0);
	assert_int_equal(count_summaries(s), 3);
	assert_near(s->ev[s->n_ev - 1].summary.period_s, 4.0, 0.03);
	last_summary_s = s->ev[s->n_ev - 1].t_s;

	pipeline_summaries_by_caller(&s->p, true);
	pipeline_set_settings(&s->p, &ps);
	stay(s, 10.0);
	assert_int_equal(count_summaries(s), 3);
	pipeline_emit_summary(&s->p, EVENT_SUMMARY);
	assert_int_equal(count_summaries(s), 4);
	assert_near(s->ev[s->n_ev - 1].summary.period_s, s->p.t_s - last_summary_s, 1e-9);
	assert_true(s->ev[s->n_ev - 1].summary.period_s > 11.0);
	assert_near(s->ev[s->n_ev - 1].summary.upright_s, s->ev[s->n_ev - 1].summary.period_s,
		    1e-9);

	pipeline_summaries_by_caller(&s->p, false);
	stay(s, 4.1);
	assert_int_equal(count_summaries(s), 5);
	free(s);
}

/* A summary before any frame (no sensor answers yet) measured nothing and anchors nothing. */
static void a_summary_before_the_first_frame_measured_nothing(void **state)
{
	struct session *s = malloc(sizeof(*s));

	(void)state;
	setup_session(s, false);
	pipeline_summaries_by_caller(&s->p, true);
	pipeline_emit_summary(&s->p, EVENT_SUMMARY);
	assert_int_equal(s->n_ev, 1);
	assert_near(s->ev[0].summary.period_s, 0.0, 1e-9);
	s->t_s = 100.0;
	stay(s, 12.0);
	pipeline_emit_summary(&s->p, EVENT_SUMMARY);
	assert_int_equal(s->ev[s->n_ev - 1].type, EVENT_SUMMARY);
	assert_near(s->ev[s->n_ev - 1].summary.period_s, 12.0 - 0.02, 1e-9);
	free(s);
}

/* Pushes one frame whose trunk reading is the given glitch, at the session's next time. */
static void push_glitch(struct session *s, double t_s, double accel_m_s2, double gyro_rad_s)
{
	struct frame f = { .t_s = t_s };

	f.has[ROLE_TRUNK] = true;
	motion_sample(0.0, 0.0, &f.imu[ROLE_TRUNK]);
	f.imu[ROLE_TRUNK].accel_m_s2[0] = accel_m_s2;
	f.imu[ROLE_TRUNK].gyro_rad_s[2] = gyro_rad_s;
	pipeline_push(&s->p, &f);
}

/*
 * A glitching sensor (a bus error reads 1e308, or a huge rate, or a frame has no time) must
 * change nothing: one 1e308 m/s^2 once kept the wearer "lying" for the rest of the session.
 * Those frames are dropped and counted; the wearer stays upright, with no event, and the next
 * frames are taken as before.
 */
static void glitching_sensor_changes_nothing(void **state)
{
	struct session *s = malloc(sizeof(*s));
	int n_ev;

	(void)state;
	setup_session(s, false);
	stay(s, 8.0);
	assert_int_equal(s->p.state, STATE_UPRIGHT);
	n_ev = s->n_ev;
	push_glitch(s, s->t_s, 1e308, 0.0);
	push_glitch(s, s->t_s, -INFINITY, 0.0);
	push_glitch(s, s->t_s, 0.0, 1e5);
	push_glitch(s, NAN, 0.0, 0.0);
	push_glitch(s, INFINITY, 0.0, 0.0);
	assert_int_equal(s->p.dropped_frames, 5);
	for (int i = 0; i < (int)RATE_HZ * 60; i++) {
		push(s, 0.0, 0.0);
		assert_int_equal(s->p.state, STATE_UPRIGHT);
		assert_near(s->p.angles.flexion_deg[ROLE_TRUNK], 0.0, 1.0);
	}
	assert_int_equal(s->n_ev, n_ev);
	assert_true(isfinite(s->p.t_s));
	free(s);
}

/*
 * The session of slump_session_gives_the_expected_events with a vibration motor on the trunk
 * sensor: 1.5 g of a 150-250 Hz buzz aliased into the 50 Hz samples (vibration.h) while it runs.
 * It plays the alert pattern on every alert, and a 2 s buzz (a long pattern) from 9 s, while the
 * wearer leans and the dose grows. Returns the largest flexion error while the wearer holds the
 * lean (8 to 21 s), and sets *moving when the activity read moving then.
 */
static double buzzing_slump_session(struct session *s, bool told, bool *moving)
{
	const struct haptic_pattern long_buzz = { 1, { 2000 } };
	double worst_deg = 0.0;

	setup_session(s, false);
	s->with_motor = true;
	s->motor_untold = !told;
	*moving = false;
	stay(s, 8.0); /* -3 to 5 s */
	lean_to(s, 30.0, 30.0, 1.0);
	while (s->t_s < 21.0 - 0.5 / RATE_HZ) {
		double phase = 2.0 * M_PI * BREATH_HZ * s->t_s;

		if (fabs(s->t_s - 9.0) < 0.5 / RATE_HZ)
			play(s, &long_buzz, s->t_s);
		push(s, 0.0, 0.0);
		worst_deg = fmax(worst_deg, fabs(s->p.angles.flexion_deg[ROLE_TRUNK] - s->lean_deg -
						 BREATH_DEG * sin(phase)));
		*moving |= s->t_s > 8.0 && pipeline_activity(&s->p) == ACTIVITY_MOVING;
	}
	lean_to(s, 0.0, 0.0, 1.0);
	stay(s, 3.0);
	return worst_deg;
}

/*
 * Told that the motor runs, the pipeline takes none of it as posture: the angle stays within a
 * degree (the breathing reference's half degree included), the wearer still, the dose grows
 * through the buzz (the slump starts when it would without one) and the alert's own buzz ends no
 * slump. Not told, the same buzz reads as a movement that ends the slump.
 */
static void motor_vibration_is_not_posture(void **state)
{
	struct session *s = malloc(sizeof(*s));
	bool moving;
	double worst_deg = buzzing_slump_session(s, true, &moving);

	(void)state;
	assert_true(worst_deg < 1.0);
	assert_false(moving);
	assert_int_equal(s->n_ev, 5);
	assert_event(s, 1, EVENT_SLUMP_STARTED, 15.60);
	assert_event(s, 2, EVENT_ALERT, 15.60);
	assert_event(s, 3, EVENT_ALERT, 20.60);
	assert_event(s, 4, EVENT_SLUMP_ENDED, 21.5);
	assert_false(pipeline_motor_felt(&s->p));

	buzzing_slump_session(s, false, &moving);
	assert_true(moving);
	assert_true(s->n_ev < 5 || s->ev[1].type != EVENT_SLUMP_STARTED || s->ev[4].t_s < 21.0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slump_session_gives_the_expected_events),
		cmocka_unit_test(calibration_waits_for_stillness),
		cmocka_unit_test(desk_is_never_calibrated),
		cmocka_unit_test(explicit_calibration_on_a_desk_warns),
		cmocka_unit_test(explicit_slumped_calibration_is_checked_against_walking),
		cmocka_unit_test(forward_head_is_a_neck_slump),
		cmocka_unit_test(recalibration_ends_the_slump),
		cmocka_unit_test(glitching_sensor_changes_nothing),
		cmocka_unit_test(summaries_by_interval_or_by_caller),
		cmocka_unit_test(a_summary_before_the_first_frame_measured_nothing),
		cmocka_unit_test(head_joining_late_is_calibrated_on_its_own),
		cmocka_unit_test(motor_vibration_is_not_posture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
