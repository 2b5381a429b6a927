/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What happens when the pipeline decides something: the same for the live daemon and replay, so
 * replay emits exactly the live events. Whether the motor buzzes is policy.c's decision; the motor
 * itself is behind the buzz callback.
 */
#ifndef POSTURED_ACTIONS_H
#define POSTURED_ACTIONS_H

#include <stdbool.h>

#include "postured/config.h"
#include "postured/event.h"
#include "postured/pipeline.h"
#include "postured/policy.h"
#include "postured/sink.h"

struct actions {
	const struct config *cfg;
	struct event_sink *sink;
	const struct pipeline *pipeline; /* its calibration is saved on every "calibrated" */
	const char *state_dir;		 /* NULL: never persist (replay) */
	bool motor_present; /* as the config says (actions_motor_configured), also in replay */
	void (*buzz)(void *ctx, const struct haptic_pattern *pattern); /* NULL: nothing to drive */
	/* The local minute of the day, for quiet hours; NULL (replay): no wall clock, never quiet.
	 */
	int (*minute_of_day)(void *ctx);
	void *hook_ctx; /* passed to buzz, minute_of_day and before_print */
	/* Called before an event is printed to stderr, to clear a live status line. */
	void (*before_print)(void *ctx);
	int sink_errors;

	/* Private: the mode and snooze in force (survive a reload), the settings from cfg. */
	struct policy policy;
	struct policy_settings policy_settings;
	unsigned int alerts_in_slump; /* how many of the current slump's alerts buzzed or not */
	double snooze_started_s;
	unsigned long alerts;	  /* every alert so far, buzzed or not */
	bool calibrated;	  /* a calibrated event was seen ... */
	double last_calibrated_s; /* ... at this pipeline time */
};

/* Sets up the policy from cfg (its mode, no snooze); the other members are the caller's. */
void actions_init(struct actions *a, const struct config *cfg, enum alert_mode mode);
/* After a reload: the new settings; the mode in force and a snooze are kept. */
void actions_set_config(struct actions *a, const struct config *cfg);

/* pipeline_emit_fn for struct actions. */
void actions_on_event(void *ctx, const struct posture_event *ev);

/*
 * The wearer's requests (control.h), at pipeline time now_s; each writes its event. who names
 * the requester in the event ("button", "bus (uid 1000)").
 */
void actions_snooze(struct actions *a, double now_s, double duration_s, const char *who);
void actions_resume(struct actions *a, double now_s, const char *who);
void actions_set_mode(struct actions *a, double now_s, enum alert_mode mode, const char *who);
/* Ends a snooze whose time has come, with its event; call it at least once a second. */
void actions_tick(struct actions *a, double now_s);

enum alert_mode actions_mode(const struct actions *a);
/* Pipeline time the snooze ends at; false when not snoozed. */
bool actions_snoozed_until(const struct actions *a, double *until_s);

/*
 * Whether the config names a motor: the live daemon then has one (it does not start, or keeps the
 * old config, when the motor cannot be opened), so the events say so in replay too.
 */
bool actions_motor_configured(const struct config *cfg);

#endif
