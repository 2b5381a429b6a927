/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IIO input through libiio. The only module that includes <iio.h>. */
#ifndef POSTURED_IIO_SOURCE_H
#define POSTURED_IIO_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "postured/config.h"
#include "postured/sample.h"

struct iio_sensor; /* opaque: one role's context, device(s) and channels */

/*
 * Opens the libiio context at uri, finds the role's device(s) by name/label/address, reads scales,
 * offsets and the mount matrix, sets sampling_frequency where writable. On failure returns a
 * negative errno and writes what was looked for, what was found and what to do into err.
 */
int iio_sensor_open(const char *uri, const struct sensor_config *sc, enum sensor_role role,
		    double rate_hz, struct iio_sensor **out, char *err, size_t err_len);
/* Reads one sample (m/s^2, rad/s, after the mount matrix). Negative errno + err on failure. */
int iio_sensor_read(struct iio_sensor *s, struct imu_sample *out, char *err, size_t err_len);
/* "mpu6050 (iio:device0) at 50 Hz", for messages. */
const char *iio_sensor_describe(const struct iio_sensor *s);
/* The sampling frequency in force as read back from the device; 0 when it has none. */
double iio_sensor_rate_hz(const struct iio_sensor *s);
void iio_sensor_close(struct iio_sensor *s);

#endif
