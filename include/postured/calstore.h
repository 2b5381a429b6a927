/* Persists the calibration in the state directory, so a restart keeps it. */
#ifndef POSTURED_CALSTORE_H
#define POSTURED_CALSTORE_H

#include <stddef.h>

#include "postured/posture.h"

/* Returns 0, -ENOENT when nothing is stored, or another negative errno with a message in err. */
int calstore_load(const char *dir, struct calibration *cal, char *err, size_t err_len);
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

#endif
