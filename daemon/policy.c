/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/policy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const mode_names[ALERT_MODE_COUNT] = {
	[ALERT_MODE_ISO] = "iso",
	[ALERT_MODE_TRAINING] = "training",
	[ALERT_MODE_TRACKING] = "tracking",
};

const char *alert_mode_name(enum alert_mode mode)
{
	return (unsigned int)mode < ALERT_MODE_COUNT ? mode_names[mode] : "unknown";
}

int alert_mode_parse(const char *name, enum alert_mode *out)
{
	for (int m = 0; m < ALERT_MODE_COUNT; m++) {
		if (strcmp(name, mode_names[m]) == 0) {
			*out = (enum alert_mode)m;
			return 0;
		}
	}
	return -EINVAL;
}

/* "HH:MM" at *p, 00:00..24:00; advances *p past it. */
static bool parse_clock(const char **p, unsigned int *minute)
{
	const char *s = *p;
	unsigned int h, m;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != ':' || s[3] < '0' ||
	    s[3] > '9' || s[4] < '0' || s[4] > '9')
		return false;
	h = (unsigned int)(s[0] - '0') * 10 + (unsigned int)(s[1] - '0');
	m = (unsigned int)(s[3] - '0') * 10 + (unsigned int)(s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return false;
	*minute = h * 60 + m;
	*p = s + 5;
	return true;
}

static bool is_separator(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

int quiet_hours_parse(const char *text, struct quiet_hours *out, char *err, size_t err_len)
{
	struct quiet_hours q = { 0 };
	const char *p = text;

	for (;;) {
		const char *start;
		unsigned int from, to;
		size_t len;

		while (is_separator(*p))
			p++;
		if (!*p)
			break;
		start = p;
		len = strcspn(start, ", \t");
		if (q.n_ranges == QUIET_HOURS_MAX_RANGES) {
			snprintf(err, err_len, "more than %d quiet-hour ranges",
				 QUIET_HOURS_MAX_RANGES);
			return -EINVAL;
		}
		if (!parse_clock(&p, &from) || *p++ != '-' || !parse_clock(&p, &to) ||
		    (*p && !is_separator(*p)) || from == to) {
			snprintf(err, err_len,
				 "quiet-hour range %u '%.*s' is not a local-time range like "
				 "22:00-07:00 (HH:MM-HH:MM, start and end differ)",
				 q.n_ranges + 1, (int)(len > 40 ? 40 : len), start);
			return -EINVAL;
		}
		q.range[q.n_ranges].start_min = from % MINUTES_PER_DAY;
		q.range[q.n_ranges].end_min = to % MINUTES_PER_DAY;
		q.n_ranges++;
	}
	*out = q;
	return 0;
}

bool quiet_hours_contain(const struct quiet_hours *q, int minute_of_day)
{
	unsigned int m;

	if (minute_of_day < 0)
		return false;
	m = (unsigned int)minute_of_day % MINUTES_PER_DAY;
	for (unsigned int i = 0; i < q->n_ranges; i++) {
		unsigned int a = q->range[i].start_min, b = q->range[i].end_min;

		if (a < b ? (m >= a && m < b) : (m >= a || m < b))
			return true;
	}
	return false;
}

const char *policy_silence_name(enum policy_silence s)
{
	switch (s) {
	case SILENCE_TRACKING:
		return "tracking";
	case SILENCE_SNOOZED:
		return "snoozed";
	case SILENCE_QUIET_HOURS:
		return "quiet_hours";
	default:
		return "";
	}
}

void policy_init(struct policy *p, enum alert_mode mode)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
}

void policy_snooze(struct policy *p, double now_s, double duration_s)
{
	p->snoozed = true;
	p->snoozed_until_s = now_s + duration_s;
}

bool policy_resume(struct policy *p)
{
	bool was = p->snoozed;

	p->snoozed = false;
	return was;
}

bool policy_snooze_expired(struct policy *p, double now_s)
{
	if (!p->snoozed || now_s < p->snoozed_until_s)
		return false;
	p->snoozed = false;
	return true;
}

enum policy_silence policy_silence(const struct policy *p, const struct policy_settings *s,
				   double now_s, int minute_of_day)
{
	if (p->mode == ALERT_MODE_TRACKING)
		return SILENCE_TRACKING;
	if (p->snoozed && now_s < p->snoozed_until_s)
		return SILENCE_SNOOZED;
	if (quiet_hours_contain(&s->quiet, minute_of_day))
		return SILENCE_QUIET_HOURS;
	return SILENCE_NONE;
}

const struct haptic_pattern *policy_alert_pattern(const struct policy_settings *s,
						  unsigned int alert_count)
{
	if (alert_count <= 1)
		return &s->alert_pattern[0];
	return &s->alert_pattern[alert_count == 2 ? 1 : 2];
}

void policy_detector_settings(enum alert_mode mode, const struct policy_settings *s,
			      const struct detector_settings *iso, struct detector_settings *out)
{
	*out = *iso;
	if (mode != ALERT_MODE_TRAINING)
		return;
	for (int a = 0; a < ANGLE_COUNT; a++) {
		struct angle_rule *r = &out->rule[a];

		r->hold_s = fmin(r->hold_s, s->training_hold_s);
		r->hold_at_max_s = fmin(r->hold_at_max_s, s->training_hold_s);
	}
	out->realert_s = s->training_realert_s;
}
