/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Offline replay: a recording through exactly the pipeline and actions the live daemon uses,
 * as fast as the CPU allows or at a real-time multiple.
 */
#include "postured/replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "postured/actions.h"
#include "postured/log.h"
#include "postured/pipeline.h"
#include "postured/recording.h"
#include "postured/vibration.h"

/* --simulate-buzz draws the same vibration on every run: replays can be compared. */
#define SIMULATED_BUZZ_SEED 20261130u

/*
 * The replay's motor: the live daemon's haptic player on the alerts and calibrations of the
 * replay's own events, in recording time, so the pipeline knows when the motor runs as it does
 * live; and, with --simulate-buzz, the vibration the sensors would have felt.
 */
struct replay_motor {
	struct pipeline *p;
	struct haptic_player player;
	double next_change_s; /* the player's next step boundary; negative: idle */
	struct vibration vibration;
};

static void set_motor(struct replay_motor *m, bool on, double t_s)
{
	pipeline_set_motor(m->p, on, t_s);
	vibration_motor(&m->vibration, on, t_s);
}

/* actions' buzz: the pattern starts at the time of the frame whose event asked for it. */
static void buzz(void *ctx, const struct haptic_pattern *pattern)
{
	struct replay_motor *m = ctx;
	double now_s = pipeline_frame_t_s(m->p);

	haptic_player_start(&m->player, pattern, now_s);
	set_motor(m, haptic_player_level(&m->player, now_s, &m->next_change_s), now_s);
}

/* Every switch of the motor up to t_s, each at its own time, as the live daemon's timer does. */
static void advance_motor(struct replay_motor *m, double t_s)
{
	while (m->next_change_s >= 0.0 && m->next_change_s <= t_s) {
		double at_s = m->next_change_s;

		set_motor(m, haptic_player_level(&m->player, at_s, &m->next_change_s), at_s);
	}
}

static void trace_header(FILE *f, const bool has[ROLE_COUNT])
{
	fputs("t", f);
	for (int r = 0; r < ROLE_COUNT; r++) {
		const char *n = role_name((enum sensor_role)r);

		if (has[r])
			fprintf(f, ",%s.up_x,%s.up_y,%s.up_z,%s.flexion_deg,%s.lateral_deg", n, n,
				n, n, n);
	}
	if (has[ROLE_TRUNK] && has[ROLE_HEAD])
		fputs(",neck.flexion_deg", f);
	fputs(",state,activity,motor\n", f);
}

/* Angles are "nan" until the wearer is calibrated. */
static void trace_row(FILE *f, const bool has[ROLE_COUNT], const struct pipeline *p)
{
	const struct posture_angles *a = pipeline_angles(p);

	fprintf(f, "%.6f", pipeline_frame_t_s(p));
	for (int r = 0; r < ROLE_COUNT; r++) {
		const double *up = pipeline_up(p, (enum sensor_role)r);

		if (!has[r])
			continue;
		fprintf(f, ",%.6f,%.6f,%.6f", up[0], up[1], up[2]);
		if (a->valid[r])
			fprintf(f, ",%.3f,%.3f", a->flexion_deg[r], a->lateral_deg[r]);
		else
			fputs(",nan,nan", f);
	}
	if (has[ROLE_TRUNK] && has[ROLE_HEAD]) {
		if (a->neck_valid)
			fprintf(f, ",%.3f", a->neck_flexion_deg);
		else
			fputs(",nan", f);
	}
	fprintf(f, ",%s,%s,%d\n", posture_state_name(pipeline_state(p)),
		activity_name(pipeline_activity(p)), pipeline_motor_felt(p));
}

/* The longest sleep pace() takes: what a 32-bit time_t holds, with room for the start time. */
#define PACE_MAX_S 1e9

/* Sleeps until recording time t_s is due at the requested real-time multiple. */
static void pace(double first_t_s, double t_s, double speed, const struct timespec *start)
{
	double due_s = (t_s - first_t_s) / speed;
	struct timespec at = *start;

	/* A tiny --speed must not overflow the conversion. */
	if (!(due_s <= PACE_MAX_S))
		due_s = PACE_MAX_S;

	at.tv_sec += (time_t)due_s;
	at.tv_nsec += (long)((due_s - floor(due_s)) * 1e9);
	if (at.tv_nsec >= 1000000000L) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
		;
}

int replay_run(const struct config *cfg, const char *recording_path, const struct run_options *opt)
{
	struct recording_reader *rec = NULL;
	struct pipeline *p = calloc(1, sizeof(*p));
	struct pipeline_settings ps;
	struct event_sink sink = { .to_stderr = true }; /* replay never writes to the journal */
	struct replay_motor motor = { .p = p, .next_change_s = -1.0 };
	/* The events are the live daemon's: with the motor the config names, never driven here,
	 * but played, so the pipeline knows when it would shake the sensors. */
	struct actions actions = {
		.sink = &sink,
		.motor_present = actions_motor_configured(cfg),
		.buzz = actions_motor_configured(cfg) ? buzz : NULL,
		.hook_ctx = &motor,
	};
	FILE *trace = NULL;
	bool has[ROLE_COUNT];
	struct frame f;
	struct timespec start;
	double first_t_s = 0.0;
	unsigned long frames = 0, skipped;
	bool warned_skip = false;
	char err[1024];
	int ret, status = EXIT_FAILURE;

	if (!p) {
		log_err("out of memory");
		return EXIT_FAILURE;
	}
	if (recording_open(recording_path, &rec, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	recording_roles(rec, has);
	if (opt->trace_path) {
		trace = fopen(opt->trace_path, "we");
		if (!trace) {
			log_err("cannot write the trace %s: %s", opt->trace_path, strerror(errno));
			goto out;
		}
		trace_header(trace, has);
	}
	if (opt->events_path && sink_open_jsonl(&sink, opt->events_path, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}

	/* Replay runs the sensors the recording holds, whatever the config enables. */
	config_pipeline_settings(cfg, &ps);
	for (int r = 0; r < ROLE_COUNT; r++)
		ps.role_enabled[r] = has[r];
	actions.pipeline = p;
	/* The ini's mode; no quiet hours, since a recording's time is not the wall clock. */
	actions_init(&actions, cfg, config_mode(cfg));
	pipeline_init(p, &ps, NULL, actions_on_event, &actions);
	haptic_player_init(&motor.player);
	vibration_init(&motor.vibration, SIMULATED_BUZZ_SEED);
	if (opt->simulate_buzz && !actions.motor_present)
		log_warning("--simulate-buzz: the config has no motor ([haptic] backend = none): "
			    "nothing buzzes; give a config with backend = gpiod (replay never "
			    "opens the line)");
	clock_gettime(CLOCK_MONOTONIC, &start);

	while ((ret = recording_next(rec, &f, err, sizeof(err))) > 0) {
		if (!warned_skip && recording_skipped(rec, err, sizeof(err)) > 0) {
			log_warning("%s (the count of skipped rows comes at the end)", err);
			warned_skip = true;
		}
		if (frames == 0) {
			struct posture_event ev;

			first_t_s = f.t_s;
			event_init(&ev, EVENT_STARTED, f.t_s);
			snprintf(ev.detail, sizeof(ev.detail), "replay of %.400s", recording_path);
			actions_on_event(&actions, &ev);
		}
		if (opt->speed > 0.0)
			pace(first_t_s, f.t_s, opt->speed, &start);
		advance_motor(&motor, f.t_s);
		for (int r = 0; r < ROLE_COUNT && opt->simulate_buzz; r++)
			if (f.has[r])
				vibration_add(&motor.vibration, f.t_s, &f.imu[r]);
		pipeline_push(p, &f);
		if (trace)
			trace_row(trace, has, p);
		frames++;
	}
	if (ret < 0) {
		log_err("%s", err);
		goto out;
	}
	skipped = recording_skipped(rec, err, sizeof(err));
	if (skipped > 0 && warned_skip)
		log_warning("%s: %lu row%s skipped in all", recording_path, skipped,
			    skipped == 1 ? "" : "s");
	else if (skipped > 0)
		log_warning("%s (%lu row%s skipped in all)", err, skipped, skipped == 1 ? "" : "s");
	if (frames == 0) {
		log_err("%s: no samples to replay", recording_path);
		goto out;
	}
	pipeline_emit_summary(p, EVENT_STOPPED);
	status = actions.sink_errors ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	if (trace && fclose(trace) != 0) {
		log_err("cannot write the trace %s: %s", opt->trace_path, strerror(errno));
		status = EXIT_FAILURE;
	}
	if (sink_close(&sink, err, sizeof(err)) < 0) {
		log_err("%s", err);
		status = EXIT_FAILURE;
	}
	recording_close(rec);
	free(p);
	return status;
}
