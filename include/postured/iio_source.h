/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IIO input through libiio. The only module that includes <iio.h>. */
#ifndef POSTURED_IIO_SOURCE_H
#define POSTURED_IIO_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "postured/config.h"
#include "postured/sample.h"

struct iio_sensor; /* opaque: one role's context, device(s), channels and buffer(s) */

/*
 * Opens the libiio context at uri, finds the role's device(s) by name/label/address, reads scales,
 * offsets and the mount matrix, sets sampling_frequency where writable, and sets up the capture
 * as capture says: a triggered buffer where one is usable (auto, buffer), else polling (auto,
 * poll); iio_sensor_capture_why() tells which and why. On failure (with capture = buffer, also
 * when no buffer is usable) returns a negative errno and writes what was looked for, what was
 * found and what to do into err.
 */
int iio_sensor_open(const char *uri, const struct sensor_config *sc, enum sensor_role role,
		    double rate_hz, enum capture_mode capture, struct iio_sensor **out, char *err,
		    size_t err_len);
/* Polling: reads one sample (m/s^2, rad/s, after the mount matrix). Negative errno + err. */
int iio_sensor_read(struct iio_sensor *s, struct imu_sample *out, char *err, size_t err_len);
/* "mpu6050 (iio:device0)", for messages. */
const char *iio_sensor_describe(const struct iio_sensor *s);
/* The sampling rate in force: the trigger's or the device's sampling_frequency; 0 when the
 * device has none. */
double iio_sensor_rate_hz(const struct iio_sensor *s);
/* "triggered buffer on its own data-ready trigger mpu6050-dev0 at 50.0 Hz, ..." or
 * "polling at 50.0 Hz (capture = auto): mpu6050 (iio:device0) offers no buffer ...". */
const char *iio_sensor_capture_why(const struct iio_sensor *s);
void iio_sensor_close(struct iio_sensor *s);

/* ---- buffered capture ---- */

bool iio_sensor_buffered(const struct iio_sensor *s);
/* How long a block takes to fill, s (the daemon reads that often); 0 when polled. */
double iio_sensor_block_s(const struct iio_sensor *s);

/* One sample with its kernel timestamp, converted to CLOCK_MONOTONIC nanoseconds. */
typedef void (*iio_sample_fn)(void *ctx, int64_t t_ns, const struct imu_sample *imu);
/*
 * Takes what the buffer(s) hold without waiting and hands each sample to fn, in time order.
 * Returns the number of samples (0 when nothing was there), or a negative errno with err.
 */
int iio_sensor_read_block(struct iio_sensor *s, iio_sample_fn fn, void *ctx, char *err,
			  size_t err_len);
/* What to wire or check when the buffer delivers nothing, for messages. */
void iio_sensor_silence_hint(const struct iio_sensor *s, char *buf, size_t len);
/* Gives the buffer up: the sensor is polled from now on (why goes to capture_why). */
void iio_sensor_stop_buffer(struct iio_sensor *s, const char *why);

#endif
