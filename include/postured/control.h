/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the wearer can ask of the running daemon, whoever asks: the D-Bus interface (bus.c) and the
 * button both go through these operations, which the daemon implements. Nothing here sees sd-bus
 * or libgpiod.
 */
#ifndef POSTURED_CONTROL_H
#define POSTURED_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "postured/policy.h"

/* A snapshot of what the daemon shows: the D-Bus properties and `posturectl status`. */
struct control_status {
	bool ready;	      /* the sensors answered (READY=1 was sent) */
	const char *state;    /* posture_state_name(): "calibrating", "upright", "leaning", ... */
	const char *activity; /* activity_class_name(), or "" before the first frame */
	double trunk_deg;     /* trunk flexion; NaN when unknown */
	double neck_deg;      /* neck flexion (head relative to trunk); NaN without a head sensor */
	double lateral_deg;   /* trunk side bending; NaN when unknown */
	double head_deg;      /* head inclination; NaN without a head sensor */
	unsigned int alerts_today; /* since local midnight */
	enum alert_mode mode;
	uint64_t snoozed_until_usec; /* CLOCK_REALTIME, microseconds; 0: not snoozed */
	uint64_t calibrated_usec;    /* CLOCK_REALTIME of the last calibration; 0: none yet */
};

/*
 * Each operation returns 0, or a negative errno with a message for the caller in err (which the
 * bus turns into a D-Bus error). who names the requester for the event and the log, e.g.
 * "bus (uid 1000)" or "button".
 */
struct control_ops {
	void (*status)(void *ctx, struct control_status *out);
	/* The same as SIGUSR1: recalibrate at the next settled pose, obeyed but checked. */
	int (*calibrate)(void *ctx, const char *who, char *err, size_t err_len);
	/* No buzz for duration_s from now (events still written); a new snooze replaces the old. */
	int (*snooze)(void *ctx, double duration_s, const char *who, char *err, size_t err_len);
	/* Ends a snooze early; -EALREADY-free: resuming when not snoozed is a no-op that returns 0.
	 */
	int (*resume)(void *ctx, const char *who, char *err, size_t err_len);
	/* Switches the mode now and keeps it across restarts (the state directory). */
	int (*set_mode)(void *ctx, enum alert_mode mode, const char *who, char *err,
			size_t err_len);
};

#endif
