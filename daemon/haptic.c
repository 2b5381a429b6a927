/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Vibration patterns: parsing, formatting and a player that turns time into a motor level. */
#include "postured/haptic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define STEP_MIN_MS 1u
#define STEP_MAX_MS 10000u
/* Longer tokens are cut in messages: the point is to show where the mistake is. */
#define TOKEN_SHOWN_MAX 32

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Parses a token of decimal digits; values beyond STEP_MAX_MS saturate so overflow cannot occur. */
static bool parse_digits(const char *tok, size_t len, unsigned int *value)
{
	unsigned int v = 0;

	for (size_t i = 0; i < len; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return false;
		if (v <= STEP_MAX_MS)
			v = v * 10 + (unsigned int)(tok[i] - '0');
	}
	*value = v;
	return true;
}

int haptic_pattern_parse(const char *text, struct haptic_pattern *out, char *err, size_t err_len)
{
	struct haptic_pattern p = { 0 };
	const char *s = text ? text : "";

	for (;;) {
		while (is_space(*s))
			s++;
		if (*s == '\0')
			break;
		const char *tok = s;
		while (*s != '\0' && !is_space(*s))
			s++;
		size_t len = (size_t)(s - tok);
		int shown = len > TOKEN_SHOWN_MAX ? TOKEN_SHOWN_MAX : (int)len;
		const char *more = len > TOKEN_SHOWN_MAX ? "..." : "";
		unsigned int step = p.n_steps + 1;
		unsigned int ms;

		if (p.n_steps == HAPTIC_PATTERN_MAX_STEPS) {
			snprintf(err, err_len,
				 "pattern has more than %d steps: give at most %d on/off durations",
				 HAPTIC_PATTERN_MAX_STEPS, HAPTIC_PATTERN_MAX_STEPS);
			return -EINVAL;
		}
		if (!parse_digits(tok, len, &ms)) {
			snprintf(err, err_len,
				 "pattern step %u '%.*s%s' is not a whole number of milliseconds "
				 "(%u..%u)",
				 step, shown, tok, more, STEP_MIN_MS, STEP_MAX_MS);
			return -EINVAL;
		}
		if (ms < STEP_MIN_MS || ms > STEP_MAX_MS) {
			snprintf(err, err_len,
				 "pattern step %u '%.*s%s' is out of range: each step is %u..%u ms",
				 step, shown, tok, more, STEP_MIN_MS, STEP_MAX_MS);
			return -EINVAL;
		}
		p.step_ms[p.n_steps++] = ms;
	}
	if (p.n_steps == 0) {
		snprintf(err, err_len,
			 "pattern is empty: give on/off durations in ms starting with on, "
			 "e.g. \"200 100 200\"");
		return -EINVAL;
	}
	*out = p;
	return 0;
}

void haptic_pattern_format(const struct haptic_pattern *p, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (unsigned int i = 0; i < p->n_steps && i < HAPTIC_PATTERN_MAX_STEPS; i++) {
		int n = snprintf(buf + used, len - used, "%s%u", i ? " " : "", p->step_ms[i]);
		if (n < 0 || (size_t)n >= len - used) {
			/* A cut number would read as a different duration: drop it whole. */
			buf[used] = '\0';
			return;
		}
		used += (size_t)n;
	}
}

unsigned int haptic_pattern_total_ms(const struct haptic_pattern *p)
{
	unsigned int total_ms = 0;

	for (unsigned int i = 0; i < p->n_steps && i < HAPTIC_PATTERN_MAX_STEPS; i++)
		total_ms += p->step_ms[i];
	return total_ms;
}

void haptic_player_init(struct haptic_player *pl)
{
	memset(pl, 0, sizeof(*pl));
}

void haptic_player_start(struct haptic_player *pl, const struct haptic_pattern *p, double now_s)
{
	pl->pattern = *p;
	if (pl->pattern.n_steps > HAPTIC_PATTERN_MAX_STEPS)
		pl->pattern.n_steps = HAPTIC_PATTERN_MAX_STEPS;
	pl->start_s = now_s;
	pl->playing = pl->pattern.n_steps > 0;
}

bool haptic_player_level(struct haptic_player *pl, double now_s, double *next_change_s)
{
	unsigned int end_ms = 0;

	if (!pl->playing) {
		*next_change_s = -1.0;
		return false;
	}
	if (now_s < pl->start_s) {
		*next_change_s = pl->start_s;
		return false;
	}
	/*
	 * Boundaries are always computed by this one expression, so a caller that sleeps until the
	 * returned next_change_s and calls again is past that boundary, never just short of it
	 * by a rounding error (which would spin a zero-length timer).
	 */
	for (unsigned int i = 0; i < pl->pattern.n_steps; i++) {
		end_ms += pl->pattern.step_ms[i];
		double boundary_s = pl->start_s + end_ms / 1000.0;
		if (now_s < boundary_s) {
			*next_change_s = boundary_s;
			return i % 2 == 0;
		}
	}
	pl->playing = false;
	*next_change_s = -1.0;
	return false;
}
