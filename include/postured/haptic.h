/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Vibration patterns. The pattern player is pure (time in, motor level out); the motor itself is
 * driven by gpio.c, the only file that sees libgpiod.
 */
#ifndef POSTURED_HAPTIC_H
#define POSTURED_HAPTIC_H

#include <stdbool.h>
#include <stddef.h>

#define HAPTIC_PATTERN_MAX_STEPS 16

/*
 * Alternating on/off durations in ms, starting with "on": "200 100 200" buzzes twice. Any count
 * of 1..HAPTIC_PATTERN_MAX_STEPS steps of 1..10000 ms; a trailing "off" step keeps the player busy
 * (motor off) until it ends, which spaces out patterns played back to back.
 */
struct haptic_pattern {
	unsigned int n_steps;
	unsigned int step_ms[HAPTIC_PATTERN_MAX_STEPS];
};

/*
 * Parses "200 100 200" (steps separated by whitespace); on error returns -EINVAL, leaves *out
 * untouched and writes a message naming the step, e.g. "pattern step 3 '20x' is not a whole number
 * of milliseconds (1..10000)", into err.
 */
int haptic_pattern_parse(const char *text, struct haptic_pattern *out, char *err, size_t err_len);
/* Writes "200 100 200", the form haptic_pattern_parse reads; truncates to fit len. */
void haptic_pattern_format(const struct haptic_pattern *p, char *buf, size_t len);
unsigned int haptic_pattern_total_ms(const struct haptic_pattern *p);

struct haptic_player {
	struct haptic_pattern pattern;
	bool playing;
	double start_s;
};

void haptic_player_init(struct haptic_player *pl);
/* Plays p from its first step at now_s, replacing whatever was playing. */
void haptic_player_start(struct haptic_player *pl, const struct haptic_pattern *p, double now_s);
/*
 * Motor level at now_s; *next_change_s is set to the next step boundary (where the level changes,
 * or, after a trailing "off" step, where the pattern ends), or to a negative value once the pattern
 * has ended, after which the player is idle. Calling again at exactly *next_change_s always moves
 * past that boundary. Before the start time the level is off and the next change is the start.
 */
bool haptic_player_level(struct haptic_player *pl, double now_s, double *next_change_s);

#endif
