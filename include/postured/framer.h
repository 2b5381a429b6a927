/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frames from streams of timed samples that arrive separately: the sensors of the trunk and the
 * head (each buffered with its own kernel timestamps, or polled), or the accelerometer and gyro
 * halves of one sensor that the kernel splits into two devices (st_lsm6dsx). Samples are paired
 * by time and come out in time order. Pure: the caller says what time it is.
 */
#ifndef POSTURED_FRAMER_H
#define POSTURED_FRAMER_H

#include <stdbool.h>

#include "postured/sample.h"

#define FRAMER_STREAMS ROLE_COUNT
/* Two blocks of a fifth of a second at 1000 Hz, the highest rate_hz, and then some. */
#define FRAMER_QUEUE_LEN 512

struct framer_settings {
	double tolerance_s; /* samples of two streams this close in time are one frame */
	double max_wait_s;  /* how long a sample waits for a partner from a stream still silent */
	bool need_all; /* a frame needs every active stream (accel + gyro); else alone is fine */
};

struct framer_item {
	double t_s;
	struct imu_sample imu;
};

/* Caller-owned; members are private. */
struct framer {
	struct framer_settings settings;
	bool active[FRAMER_STREAMS];
	struct framer_item queue[FRAMER_STREAMS][FRAMER_QUEUE_LEN];
	unsigned int head[FRAMER_STREAMS], count[FRAMER_STREAMS];
	double last_t_s;
	bool have_last;
	unsigned long dropped; /* overflowed, unpaired (need_all) or older than a frame given out */
};

void framer_init(struct framer *f, const struct framer_settings *s);
void framer_set_settings(struct framer *f, const struct framer_settings *s);
/* A stream that starts or stops delivering (a sensor opened or lost): stopping drops its queue,
 * so the others no longer wait for it. */
void framer_set_active(struct framer *f, int stream, bool active);
/* Queues a sample of an active stream; times must not decrease within a stream. When the queue
 * is full the oldest sample is dropped. */
void framer_push(struct framer *f, int stream, double t_s, const struct imu_sample *imu);
/*
 * The next frame whose make-up is decided at now_s: the earliest queued sample with the sample
 * of each other active stream within tolerance_s, or alone once every other stream has moved
 * past it or stayed silent for max_wait_s. t_s of the frame is its earliest sample's; frames
 * come out in time order. False when none is decided yet.
 */
bool framer_pop(struct framer *f, double now_s, struct frame *out);
unsigned long framer_dropped(const struct framer *f);

#endif
