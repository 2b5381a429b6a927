/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Persists the calibration in the state directory, so a restart keeps it. */
#ifndef POSTURED_CALSTORE_H
#define POSTURED_CALSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "postured/policy.h"
#include "postured/posture.h"

/* Returns 0, -ENOENT when nothing is stored, or another negative errno with a message in err. */
int calstore_load(const char *dir, struct calibration *cal, char *err, size_t err_len);
/*
 * When the stored calibration was taken: the file's modification time, CLOCK_REALTIME in
 * microseconds; 0 when there is none.
 */
uint64_t calstore_saved_usec(const char *dir);
/* Sets that time (after a save that only added evidence to an older calibration). */
int calstore_set_taken_usec(const char *dir, uint64_t usec);
/* Writes atomically (temporary file + rename). */
int calstore_save(const char *dir, const struct calibration *cal, char *err, size_t err_len);

/* The gyro bias of each sensor, kept in the file "gyro-bias" beside the calibration. */
struct gyro_bias {
	bool has[ROLE_COUNT];
	double bias_rad_s[ROLE_COUNT][3]; /* sensor axes, as estimator_get_bias() gives it */
};

/*
 * Returns 0, -ENOENT when nothing is stored, or another negative errno with a message in err
 * (-EINVAL, with FILE:LINE, for a damaged file: start from no bias, as on a first run).
 */
int calstore_load_bias(const char *dir, struct gyro_bias *gb, char *err, size_t err_len);
/* Writes atomically, like calstore_save(); refuses a set with no sensor or an absurd value. */
int calstore_save_bias(const char *dir, const struct gyro_bias *gb, char *err, size_t err_len);

/*
 * The alert mode chosen at run time (posturectl mode), kept in the file "mode" with the ini's mode
 * of that moment: the choice holds across restarts until the ini's own mode is edited.
 */
struct stored_mode {
	enum alert_mode mode;
	enum alert_mode ini_mode;
};

/* Returns 0, -ENOENT when nothing is stored, or -EINVAL with FILE:LINE for a damaged file. */
int calstore_load_mode(const char *dir, struct stored_mode *m, char *err, size_t err_len);
/* Writes atomically, like calstore_save(). */
int calstore_save_mode(const char *dir, const struct stored_mode *m, char *err, size_t err_len);

#endif
