/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything after the input stage, shared by the live daemon and replay:
 * frames -> estimators -> calibration and angles -> detector -> events. Pure: no clock, no I/O.
 */
#ifndef POSTURED_PIPELINE_H
#define POSTURED_PIPELINE_H

#include <stdbool.h>

#include "postured/activity.h"
#include "postured/detector.h"
#include "postured/estimator.h"
#include "postured/event.h"
#include "postured/posture.h"
#include "postured/reference.h"
#include "postured/sample.h"

struct pipeline_settings {
	bool role_enabled[ROLE_COUNT];
	struct estimator_settings estimator;
	struct activity_settings activity;
	struct reference_settings reference;
	struct posture_settings posture;
	struct detector_settings detector;
	double summary_interval_s; /* 0: only at stop */
};

/*
 * How long the vibration motor is still felt after it is switched off: a coin ERM motor without
 * braking coasts for 50-100 ms (datasheet stop times), and the IMU's digital low-pass reports it
 * up to 19 ms later (MPU-6050 at its narrowest bandwidth). 0.15 s covers both with a margin; a
 * longer tail costs nothing but gyro-only samples, a shorter one lets the last of the buzz in.
 */
#define PIPELINE_MOTOR_TAIL_S 0.15

typedef void (*pipeline_emit_fn)(void *ctx, const struct posture_event *ev);

/*
 * Caller-owned; all members are private: the daemon, replay and actions read what they need
 * through the accessors below (as x-io Fusion's FusionAhrs does).
 */
struct pipeline {
	struct pipeline_settings settings;
	pipeline_emit_fn emit;
	void *emit_ctx;

	struct estimator est[ROLE_COUNT];
	struct activity activity;
	struct reference ref;
	struct calibration cal;
	bool calibration_requested;
	struct detector det;

	/* Results of the latest frame, for the trace and STATUS=. */
	double t_s;
	bool have_t;
	struct posture_angles angles;
	enum posture_state state;

	/* The vibration motor (pipeline_set_motor): frames that felt it are not posture. */
	double motor_quiet_t_s; /* the last buzz has died away from then on; INFINITY: it runs */
	bool motor_felt;	/* the latest frame felt it */

	/* Frames dropped for a time or a reading no sensor gives (imu_sample_plausible). */
	unsigned long dropped_frames;

	/* Summary accounting since the last summary. */
	struct posture_summary summary;
	double summary_start_s;
	bool summary_started;
	bool summaries_by_caller; /* pipeline_summaries_by_caller() */
};

/* stored may be NULL (or !valid): the pipeline calibrates once the wearer is still. */
void pipeline_init(struct pipeline *p, const struct pipeline_settings *s,
		   const struct calibration *stored, pipeline_emit_fn emit, void *emit_ctx);
/* New thresholds etc. take effect without losing estimator or calibration state. */
void pipeline_set_settings(struct pipeline *p, const struct pipeline_settings *s);
/* Frames going back in time, or with a reading no sensor gives, change nothing. */
void pipeline_push(struct pipeline *p, const struct frame *f);
/*
 * The vibration motor was switched on or off at t_s (frame time; between frames, or during the
 * pipeline_push whose event started it). A frame whose sample period overlaps a buzz, its
 * PIPELINE_MOTOR_TAIL_S included, is read as the motor's and not the wearer's: the estimators
 * follow the gyro alone, the activity keeps its class, no calibration, settling, sway, forward
 * or walking evidence is taken, and the detector goes on with the held activity (a still
 * wearer's dose grows; the buzz ends no slump). Call it only for a motor that is there.
 */
void pipeline_set_motor(struct pipeline *p, bool on, double t_s);
/* Recalibrate as soon as the wearer is settled (SIGUSR1): obeyed, with a warning if it looks
 * wrong. */
void pipeline_request_calibration(struct pipeline *p);
/* Starts role's estimator from a gyro bias kept from an earlier run (see estimator_set_bias). */
void pipeline_set_gyro_bias(struct pipeline *p, enum sensor_role role, const double bias_rad_s[3],
			    double sigma_rad_s);
/* A role's samples stopped (sensor lost): its estimator restarts when samples return, keeping the
 * gyro bias, which belongs to the sensor. */
void pipeline_reset_role(struct pipeline *p, enum sensor_role role);
/* Emits the summary for the period so far and starts a new one. */
void pipeline_emit_summary(struct pipeline *p, enum event_type type);
/*
 * The caller emits the summaries (pipeline_emit_summary) on its own clock, as the live daemon does
 * at wall-clock boundaries; summary_interval_s then no longer applies. A new settings keeps it.
 */
void pipeline_summaries_by_caller(struct pipeline *p, bool by_caller);

/* The latest frame's time, posture state, activity and angles (for the trace and STATUS=). */
double pipeline_frame_t_s(const struct pipeline *p);
enum posture_state pipeline_state(const struct pipeline *p);
enum activity_class pipeline_activity(const struct pipeline *p);
const struct posture_angles *pipeline_angles(const struct pipeline *p);
/* A role's estimated unit up vector, sensor axes. */
const double *pipeline_up(const struct pipeline *p, enum sensor_role role);
/* Whether the latest frame felt the motor (see pipeline_set_motor), for the trace. */
bool pipeline_motor_felt(const struct pipeline *p);
/* Frames dropped as impossible (a sensor glitch: beyond any IMU's range, or a bad time). */
unsigned long pipeline_dropped_frames(const struct pipeline *p);
/* Alerts since the last summary. */
unsigned int pipeline_alerts(const struct pipeline *p);
/* The calibration in force (valid false while calibrating): what is persisted. */
const struct calibration *pipeline_calibration(const struct pipeline *p);
/* A role's learned gyro bias and its uncertainty; false while the role has had no sample. */
bool pipeline_gyro_bias(const struct pipeline *p, enum sensor_role role, double bias_rad_s[3],
			double *sigma_rad_s);

#endif
