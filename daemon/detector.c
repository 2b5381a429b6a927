/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/detector.h"

#include <math.h>
#include <string.h>

/* Timestamps and doses are sums of float steps: 14.0 s may arrive as 13.9999999. */
#define TIME_EPSILON_S 1e-6
#define DOSE_EPSILON 1e-9

static const char *const angle_names[ANGLE_COUNT] = {
	[ANGLE_TRUNK] = "trunk",
	[ANGLE_NECK] = "neck",
	[ANGLE_LATERAL] = "lateral",
	[ANGLE_HEAD] = "head",
};

const char *angle_name(enum posture_angle a)
{
	return a < ANGLE_COUNT ? angle_names[a] : "unknown";
}

/*
 * ISO 11226 / EN 1005-4 holding times. Neck flexion beyond 25 deg has no acceptable holding time
 * there: 30 s lets a glance down (a label, a phone) pass. Side bending has no curve, so it
 * borrows trunk's.
 */
void detector_default_settings(struct detector_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->rule[ANGLE_TRUNK] = (struct angle_rule){ true, 20.0, 240.0, 60.0, 60.0 };
	s->rule[ANGLE_NECK] = (struct angle_rule){ true, 25.0, 30.0, 85.0, 30.0 };
	s->rule[ANGLE_LATERAL] = (struct angle_rule){ true, 10.0, 240.0, 30.0, 60.0 };
	s->rule[ANGLE_HEAD] = (struct angle_rule){ true, 25.0, 480.0, 85.0, 60.0 };
	s->hysteresis_deg = 5.0;
	s->realert_s = 120.0;
	s->movement_break_s = 5.0;
	s->max_gap_s = 1.0;
}

void detector_init(struct detector *d, const struct detector_settings *s)
{
	memset(d, 0, sizeof(*d));
	d->settings = *s;
	d->state = STATE_UPRIGHT;
}

void detector_set_settings(struct detector *d, const struct detector_settings *s)
{
	d->settings = *s;
}

/* Allowed holding time at angle_deg: linear from (threshold, hold_s) to (max, hold_at_max_s). */
static double hold_s_at(const struct angle_rule *r, double angle_deg)
{
	double frac;

	if (angle_deg >= r->max_deg || r->max_deg <= r->threshold_deg)
		return r->hold_at_max_s;
	frac = (angle_deg - r->threshold_deg) / (r->max_deg - r->threshold_deg);
	return r->hold_s + frac * (r->hold_at_max_s - r->hold_s);
}

void detector_release(struct detector *d, double t_s, struct detector_result *out)
{
	if (d->state == STATE_SLUMPED) {
		out->decision = DECISION_SLUMP_ENDED;
		out->cause = d->cause;
		out->duration_s = t_s - d->onset_t_s;
		out->alert_count = d->alerts_in_slump;
		memcpy(out->peak_deg, d->peak_deg, sizeof(out->peak_deg));
	}
	memset(d->dose, 0, sizeof(d->dose));
	memset(d->above, 0, sizeof(d->above));
	memset(d->peak_deg, 0, sizeof(d->peak_deg));
	d->alerts_in_slump = 0;
}

/* The angle of rule a as compared with its threshold: either side counts for side bending. */
static double rule_angle(const struct detector_input *in, enum posture_angle a)
{
	return a == ANGLE_LATERAL ? fabs(in->angle_deg[a]) : in->angle_deg[a];
}

/* A real movement break: doses start again from zero once the wearer is still. */
static void moved_on(struct detector *d, const struct detector_input *in,
		     struct detector_result *out)
{
	bool beyond = false;

	detector_release(d, in->t_s, out);
	for (int a = 0; a < ANGLE_COUNT; a++)
		beyond |= d->settings.rule[a].enabled && in->valid[a] &&
			  rule_angle(in, (enum posture_angle)a) > d->settings.rule[a].threshold_deg;
	d->state = beyond ? STATE_LEANING : STATE_UPRIGHT;
	d->onset_t_s = in->t_s;
}

void detector_update(struct detector *d, const struct detector_input *in,
		     struct detector_result *out)
{
	const struct detector_settings *s = &d->settings;
	double dt_s = 0.0;
	bool engaged = false, exceeding = false;
	int tripped = -1;

	memset(out, 0, sizeof(*out));
	if (d->have_last_t) {
		dt_s = in->t_s - d->last_t_s;
		if (dt_s < 0.0 || dt_s > s->max_gap_s)
			dt_s = 0.0;
	}
	d->have_last_t = true;
	d->last_t_s = in->t_s;

	/* No angle at all (a sensor lost): nothing is known, so nothing ends or starts. */
	for (int a = 0; a < ANGLE_COUNT; a++)
		engaged |= in->valid[a];
	if (!engaged)
		return;
	engaged = false;

	if (in->activity == ACTIVITY_LYING) {
		detector_release(d, in->t_s, out);
		d->state = STATE_LYING;
		return;
	}
	if (in->activity == ACTIVITY_MOVING) {
		if (in->moving_s >= s->movement_break_s - TIME_EPSILON_S) {
			moved_on(d, in, out);
			return;
		}
		/* Not static: the posture is watched but its holding time does not grow. */
		dt_s = 0.0;
	}

	for (int a = 0; a < ANGLE_COUNT; a++) {
		const struct angle_rule *r = &s->rule[a];
		double v;

		if (!r->enabled || !in->valid[a]) {
			d->above[a] = false;
			continue;
		}
		/* Only forward counts for flexion and inclination. */
		v = rule_angle(in, (enum posture_angle)a);
		if (v > r->threshold_deg) {
			exceeding = true;
			/* An interval counts once the posture was already held at its start. */
			if (d->above[a])
				d->dose[a] += dt_s / hold_s_at(r, v);
			d->above[a] = true;
		} else if (v < r->threshold_deg - s->hysteresis_deg) {
			d->above[a] = false;
		}
		if (d->above[a]) {
			engaged = true;
			if (v > d->peak_deg[a])
				d->peak_deg[a] = v;
			if (d->dose[a] >= 1.0 - DOSE_EPSILON && tripped < 0)
				tripped = a;
		}
	}

	if (!engaged) {
		detector_release(d, in->t_s, out);
		d->state = STATE_UPRIGHT;
		return;
	}
	if (d->state != STATE_LEANING && d->state != STATE_SLUMPED)
		d->onset_t_s = in->t_s;

	if (d->state != STATE_SLUMPED && tripped >= 0) {
		d->state = STATE_SLUMPED;
		d->cause = (enum posture_angle)tripped;
		d->alerts_in_slump = 1;
		d->last_alert_t_s = in->t_s;
		out->decision = DECISION_SLUMP_STARTED;
	} else if (d->state == STATE_SLUMPED && s->realert_s > 0.0 && exceeding && dt_s > 0.0 &&
		   in->t_s - d->last_alert_t_s >= s->realert_s - TIME_EPSILON_S) {
		/* Not while the wearer is already correcting (inside the hysteresis band). */
		d->alerts_in_slump++;
		d->last_alert_t_s = in->t_s;
		out->decision = DECISION_ALERT;
	} else if (d->state != STATE_SLUMPED) {
		d->state = STATE_LEANING;
	}
	if (out->decision != DECISION_NONE) {
		out->cause = d->cause;
		out->duration_s = in->t_s - d->onset_t_s;
		out->alert_count = d->alerts_in_slump;
		memcpy(out->peak_deg, d->peak_deg, sizeof(out->peak_deg));
	}
}
