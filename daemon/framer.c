/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The earliest queued sample is always decided first, so frames come out in time order whatever
 * the order the streams' blocks arrive in; pairing it with the head of each other queue (never
 * a later sample) keeps the choice greedy and cheap. Equal rates in a fixed phase (two sensors
 * on one trigger, or the two halves of one FIFO) always pair; a stream at a slightly different
 * rate now and then leaves a sample alone, which the pipeline takes as it takes a polled frame
 * with one sensor missing.
 */
#include "postured/framer.h"

#include <string.h>

void framer_init(struct framer *f, const struct framer_settings *s)
{
	memset(f, 0, sizeof(*f));
	f->settings = *s;
}

void framer_set_settings(struct framer *f, const struct framer_settings *s)
{
	f->settings = *s;
}

void framer_set_active(struct framer *f, int stream, bool active)
{
	f->active[stream] = active;
	if (!active) {
		f->head[stream] = 0;
		f->count[stream] = 0;
	}
}

static struct framer_item *peek(struct framer *f, int stream)
{
	return f->count[stream] ? &f->queue[stream][f->head[stream]] : NULL;
}

static void drop_head(struct framer *f, int stream)
{
	f->head[stream] = (f->head[stream] + 1) % FRAMER_QUEUE_LEN;
	f->count[stream]--;
}

void framer_push(struct framer *f, int stream, double t_s, const struct imu_sample *imu)
{
	struct framer_item *item;

	if (!f->active[stream])
		return;
	if (f->count[stream] == FRAMER_QUEUE_LEN) {
		drop_head(f, stream);
		f->dropped++;
	}
	item = &f->queue[stream][(f->head[stream] + f->count[stream]) % FRAMER_QUEUE_LEN];
	item->t_s = t_s;
	item->imu = *imu;
	f->count[stream]++;
}

/* The active stream whose queued head is the earliest, or -1 when every queue is empty. */
static int earliest(struct framer *f)
{
	int best = -1;

	for (int s = 0; s < FRAMER_STREAMS; s++) {
		const struct framer_item *it = peek(f, s);

		if (it && (best < 0 || it->t_s < peek(f, best)->t_s))
			best = s;
	}
	return best;
}

enum partner { PARTNER_FOUND, PARTNER_NONE, PARTNER_UNDECIDED };

static enum partner find_partner(struct framer *f, int stream, double t_s, double now_s)
{
	const struct framer_item *it = peek(f, stream);

	if (it)
		return it->t_s - t_s <= f->settings.tolerance_s ? PARTNER_FOUND : PARTNER_NONE;
	return now_s - t_s < f->settings.max_wait_s ? PARTNER_UNDECIDED : PARTNER_NONE;
}

bool framer_pop(struct framer *f, double now_s, struct frame *out)
{
	for (;;) {
		int a = earliest(f);
		enum partner partner[FRAMER_STREAMS];
		bool complete = true;
		double t_s;

		if (a < 0)
			return false;
		t_s = peek(f, a)->t_s;
		if (f->have_last && t_s < f->last_t_s) {
			/* Behind a frame already given out (a stream that joined late). */
			drop_head(f, a);
			f->dropped++;
			continue;
		}
		for (int s = 0; s < FRAMER_STREAMS; s++) {
			partner[s] =
			    s == a || !f->active[s] ? PARTNER_NONE : find_partner(f, s, t_s, now_s);
			if (partner[s] == PARTNER_UNDECIDED)
				return false;
			if (s != a && f->active[s] && partner[s] == PARTNER_NONE)
				complete = false;
		}
		if (f->settings.need_all && !complete) {
			drop_head(f, a);
			f->dropped++;
			continue;
		}
		memset(out, 0, sizeof(*out));
		out->t_s = t_s;
		for (int s = 0; s < FRAMER_STREAMS; s++) {
			if (s != a && partner[s] != PARTNER_FOUND)
				continue;
			out->has[s] = true;
			out->imu[s] = peek(f, s)->imu;
			drop_head(f, s);
		}
		f->last_t_s = t_s;
		f->have_last = true;
		return true;
	}
}

unsigned long framer_dropped(const struct framer *f)
{
	return f->dropped;
}
