/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The push button's debouncer and press classifier. Times are whole nanoseconds, as the kernel
 * stamps edges: a deadline computed here and the time the caller is woken at compare exactly,
 * with no rounding between them.
 */
#include "postured/button.h"

#include <math.h>

#define NS_PER_MS 1000000.0

const char *button_action_name(enum button_action action)
{
	switch (action) {
	case BUTTON_SHORT_PRESS:
		return "short press";
	case BUTTON_LONG_PRESS:
		return "long press";
	case BUTTON_NONE:
		break;
	}
	return "none";
}

void button_default_settings(struct button_settings *s)
{
	s->debounce_ms = 30.0;
	s->long_press_ms = 1500.0;
}

static uint64_t ms_to_ns(double ms)
{
	return ms > 0.0 ? (uint64_t)llround(ms * NS_PER_MS) : 0;
}

void button_set_settings(struct button *b, const struct button_settings *s)
{
	b->debounce_ns = ms_to_ns(s->debounce_ms);
	b->long_press_ns = ms_to_ns(s->long_press_ms);
}

void button_init(struct button *b, const struct button_settings *s)
{
	*b = (struct button){ 0 };
	button_set_settings(b, s);
}

static uint64_t long_press_at(const struct button *b)
{
	return b->pressed_since_ns + b->long_press_ns;
}

/*
 * The hold of a debounced press reached long_press_ms: the contact was still closed then. A
 * release not yet debounced may be bounce, in which case the hold goes on; until it is known,
 * only a release that came after the long-press time lets the long press fire.
 */
static bool long_press_due(const struct button *b)
{
	return b->pressed && !b->long_fired &&
	       (b->raw_pressed || b->raw_since_ns >= long_press_at(b));
}

/* Moves time to t_ns (never backwards); at most one press ends or grows long per call. */
static enum button_action advance(struct button *b, uint64_t t_ns)
{
	enum button_action action = BUTTON_NONE;

	if (t_ns > b->now_ns)
		b->now_ns = t_ns;
	if (long_press_due(b) && b->now_ns >= long_press_at(b)) {
		b->long_fired = true;
		action = BUTTON_LONG_PRESS;
	}
	if (b->raw_pressed == b->pressed || b->now_ns < b->raw_since_ns + b->debounce_ns)
		return action;
	b->pressed = b->raw_pressed;
	if (b->pressed) {
		/* The press began at its last bounce: the contact has been closed since. */
		b->pressed_since_ns = b->raw_since_ns;
		b->long_fired = false;
		if (b->now_ns >= long_press_at(b)) {
			b->long_fired = true;
			action = BUTTON_LONG_PRESS;
		}
	} else if (!b->long_fired) {
		action = BUTTON_SHORT_PRESS;
	}
	return action;
}

enum button_action button_edge(struct button *b, bool pressed, uint64_t t_ns)
{
	enum button_action action = advance(b, t_ns);

	/* A late-stamped edge (after a later one) is taken at the latest time seen. */
	b->raw_pressed = pressed;
	b->raw_since_ns = b->now_ns;
	/*
	 * The edge itself may decide at once: a contact closing again after the long-press time,
	 * or any edge without debouncing. After a decision this waits for the next call, which
	 * the deadline (already due) asks for, so no decision is lost.
	 */
	if (action == BUTTON_NONE)
		action = advance(b, b->now_ns);
	return action;
}

enum button_action button_tick(struct button *b, uint64_t now_ns)
{
	return advance(b, now_ns);
}

bool button_deadline(const struct button *b, uint64_t *at_ns)
{
	bool any = false;

	if (b->raw_pressed != b->pressed) {
		*at_ns = b->raw_since_ns + b->debounce_ns;
		any = true;
	}
	if (long_press_due(b) && (!any || long_press_at(b) < *at_ns)) {
		*at_ns = long_press_at(b);
		any = true;
	}
	return any;
}

bool button_pressed(const struct button *b)
{
	return b->pressed;
}
