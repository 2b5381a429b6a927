/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/actions.h"

#include <stdio.h>
#include <string.h>

#include "postured/calstore.h"
#include "postured/log.h"

bool actions_motor_configured(const struct config *cfg)
{
	return strcmp(cfg->haptic_backend, "none") != 0;
}

void actions_init(struct actions *a, const struct config *cfg, enum alert_mode mode)
{
	a->cfg = cfg;
	config_policy_settings(cfg, &a->policy_settings);
	policy_init(&a->policy, mode);
	a->alerts_in_slump = 0;
}

void actions_set_config(struct actions *a, const struct config *cfg)
{
	a->cfg = cfg;
	config_policy_settings(cfg, &a->policy_settings);
}

static void describe_pattern(const struct actions *a, const char *name,
			     const struct haptic_pattern *p, struct posture_event *ev)
{
	char text[128];

	haptic_pattern_format(p, text, sizeof(text));
	snprintf(ev->detail, sizeof(ev->detail), "haptic %s pattern %s ms%s", name, text,
		 a->motor_present ? "" : " (no motor: [haptic] backend = none)");
}

static enum policy_silence silence_now(const struct actions *a, double now_s)
{
	int minute = a->minute_of_day ? a->minute_of_day(a->hook_ctx) : -1;

	return policy_silence(&a->policy, &a->policy_settings, now_s, minute);
}

/* The pattern an event plays, or NULL; marks an alert that stays silent. */
static const struct haptic_pattern *pattern_for(struct actions *a, struct posture_event *ev)
{
	static const char *const rank[] = { "alert", "repeat alert", "urgent alert" };
	const struct haptic_pattern *p;
	enum policy_silence silence = silence_now(a, ev->t_s);

	switch (ev->type) {
	case EVENT_SLUMP_STARTED:
		a->alerts_in_slump = 0;
		return NULL;
	case EVENT_ALERT:
		a->alerts++;
		a->alerts_in_slump = ev->alert_count;
		ev->have_mode = true;
		ev->mode = a->policy.mode;
		ev->silenced = silence;
		if (silence != SILENCE_NONE)
			return NULL;
		p = policy_alert_pattern(&a->policy_settings, ev->alert_count);
		describe_pattern(a,
				 rank[ev->alert_count <= 1   ? 0
				      : ev->alert_count == 2 ? 1
							     : 2],
				 p, ev);
		return p;
	case EVENT_SLUMP_ENDED: {
		/* Sitting up out of a slump that alerted, not moving away from it or lying down. */
		bool corrected =
		    a->alerts_in_slump > 0 && ev->have_activity && ev->activity == ACTIVITY_STILL;

		a->alerts_in_slump = 0;
		return corrected && a->policy_settings.correction_buzz && silence == SILENCE_NONE
			   ? &a->policy_settings.correction_pattern
			   : NULL;
	}
	case EVENT_CALIBRATED:
		/* The wearer asked for it and waits for the tick; an automatic one is silenced. */
		return ev->requested || silence == SILENCE_NONE ? &a->cfg->calibrated_pattern
								: NULL;
	default:
		return NULL;
	}
}

static void save_calibration(struct actions *a)
{
	char err[512];

	if (!a->state_dir || !a->pipeline)
		return;
	if (calstore_save(a->state_dir, pipeline_calibration(a->pipeline), err, sizeof(err)) < 0)
		log_warning("%s (calibration kept in memory only)", err);
}

static void emit(struct actions *a, const struct posture_event *ev)
{
	if (a->sink->to_stderr && a->before_print)
		a->before_print(a->hook_ctx);
	if (sink_emit(a->sink, ev) < 0)
		a->sink_errors++;
}

void actions_on_event(void *ctx, const struct posture_event *in)
{
	struct actions *a = ctx;
	struct posture_event ev = *in;
	const struct haptic_pattern *pattern = pattern_for(a, &ev);

	if (ev.type == EVENT_CALIBRATED) {
		a->calibrated = true;
		a->last_calibrated_s = ev.t_s;
		save_calibration(a);
	}
	if (pattern && a->buzz)
		a->buzz(a->hook_ctx, pattern);
	emit(a, &ev);
}

static void emit_control(struct actions *a, enum event_type type, double now_s, double duration_s,
			 const char *who)
{
	struct posture_event ev;

	event_init(&ev, type, now_s);
	ev.duration_s = duration_s;
	ev.have_mode = type == EVENT_MODE_CHANGED;
	ev.mode = a->policy.mode;
	if (who)
		snprintf(ev.detail, sizeof(ev.detail), "requested by %s", who);
	emit(a, &ev);
}

void actions_snooze(struct actions *a, double now_s, double duration_s, const char *who)
{
	if (!a->policy.snoozed)
		a->snooze_started_s = now_s;
	policy_snooze(&a->policy, now_s, duration_s);
	emit_control(a, EVENT_SNOOZE_STARTED, now_s, duration_s, who);
}

void actions_resume(struct actions *a, double now_s, const char *who)
{
	if (policy_resume(&a->policy))
		emit_control(a, EVENT_SNOOZE_ENDED, now_s, now_s - a->snooze_started_s, who);
}

void actions_set_mode(struct actions *a, double now_s, enum alert_mode mode, const char *who)
{
	if (a->policy.mode == mode)
		return;
	a->policy.mode = mode;
	emit_control(a, EVENT_MODE_CHANGED, now_s, 0.0, who);
}

void actions_tick(struct actions *a, double now_s)
{
	if (policy_snooze_expired(&a->policy, now_s))
		emit_control(a, EVENT_SNOOZE_ENDED, now_s, now_s - a->snooze_started_s, NULL);
}

enum alert_mode actions_mode(const struct actions *a)
{
	return a->policy.mode;
}

bool actions_snoozed_until(const struct actions *a, double *until_s)
{
	*until_s = a->policy.snoozed_until_s;
	return a->policy.snoozed;
}
