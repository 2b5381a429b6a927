/* Persists the calibration in the state directory, so a restart keeps it. */
#ifndef POSTURED_CALSTORE_H
#define POSTURED_CALSTORE_H

#include <stddef.h>

#include "postured/posture.h"

/* Returns 0, -ENOENT when nothing is stored, or another negative errno with a message in err. */
int calstore_load(const char *dir, struct calibration *cal, char *err, size_t err_len);
/* Writes atomically (temporary file + rename). */
int calstore_save(const char *dir, const struct calibration *cal, char *err, size_t err_len);

#endif
