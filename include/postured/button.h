/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wearer's push button: debounced short and long presses from edge timestamps. Pure, as
 * keyd's core is: edges with their kernel timestamps and the time now go in, decisions and the
 * next time to be woken come out; no clock is read here and the caller owns the state. gpio.c
 * reads the edges from the line; the daemon turns the decisions into a snooze or a calibration.
 *
 * A level counts once it has held for debounce_ms without another edge, so contact bounce and a
 * spike shorter than that make no press. A long press fires as soon as the hold reaches
 * long_press_ms, without waiting for the release, so the wearer feels its acknowledgement while
 * still holding; its release is then no short press.
 */
#ifndef POSTURED_BUTTON_H
#define POSTURED_BUTTON_H

#include <stdbool.h>
#include <stdint.h>

enum button_action {
	BUTTON_NONE,
	BUTTON_SHORT_PRESS, /* pressed for debounce_ms .. long_press_ms, then released */
	BUTTON_LONG_PRESS,  /* held for long_press_ms (fired while still held) */
};

/* "none", "short press", "long press": for the log. */
const char *button_action_name(enum button_action action);

struct button_settings {
	double debounce_ms;   /* a level must hold this long to count (0: every edge counts) */
	double long_press_ms; /* a hold this long is a long press; above debounce_ms */
};

struct button {
	/* All private: read through the functions below. */
	uint64_t debounce_ns;
	uint64_t long_press_ns;
	bool raw_pressed;      /* the level the latest edge reported */
	uint64_t raw_since_ns; /* the latest edge's time */
	bool pressed;	       /* the debounced level */
	uint64_t pressed_since_ns;
	bool long_fired; /* this press has been a long press already */
	uint64_t now_ns; /* the latest time seen: time never runs backwards here */
};

/* debounce_ms 30 (a typical tactile switch bounces for 1..10 ms), long_press_ms 1500. */
void button_default_settings(struct button_settings *s);
/* Released, nothing pending. A button held at start-up counts from its next press. */
void button_init(struct button *b, const struct button_settings *s);
/* New timings; a press in progress is judged by them from now on. */
void button_set_settings(struct button *b, const struct button_settings *s);

/*
 * An edge at t_ns (the kernel's CLOCK_MONOTONIC stamp): the line became pressed or released, as
 * the wiring's logical level says. Edges must come in the order the kernel stamped them; two of
 * the same kind in a row (an edge lost in a burst of bounce) are fine. Returns BUTTON_NONE, or
 * the press that the time up to t_ns or this edge decided.
 */
enum button_action button_edge(struct button *b, bool pressed, uint64_t t_ns);
/* The time is now_ns: returns a press decided by then, else BUTTON_NONE. */
enum button_action button_tick(struct button *b, uint64_t now_ns);
/*
 * When the caller must call button_tick next, into *at_ns (possibly already past: call it at
 * once); false when nothing is pending until the next edge.
 */
bool button_deadline(const struct button *b, uint64_t *at_ns);
/* The debounced level. */
bool button_pressed(const struct button *b);

#endif
