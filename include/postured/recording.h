/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recording format ("postured-recording 1", see README): CSV with '#' comments, one header
 * row, t in seconds, R.ax..R.az in m/s^2 and R.gx..R.gz in rad/s per role. Gzip input is read
 * transparently (zlib). A role is present when all six of its columns are; other columns are
 * kept for recording_column(). Blank lines, CRLF line ends and '#' comments anywhere are fine.
 */
#ifndef POSTURED_RECORDING_H
#define POSTURED_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "postured/sample.h"

struct recording_reader; /* opaque */

/* On error returns a negative errno and writes "FILE: message" or "FILE:LINE: message" to err. */
int recording_open(const char *path, struct recording_reader **out, char *err, size_t err_len);
/* Which roles have all six columns. */
void recording_roles(const struct recording_reader *r, bool has[ROLE_COUNT]);
/*
 * Reads the next sample row into f. Returns 1 for a frame, 0 at end of file, or a negative errno
 * with "FILE:LINE: message" in err for a file that is not a recording (binary data: a NUL byte)
 * or a malformed row (a wrong field count, a non-number, a time going backwards). A row no
 * sensor or clock could have given is skipped and counted (see recording_skipped): a reading
 * beyond IMU_ACCEL_MAX_M_S2 or IMU_GYRO_MAX_RAD_S, a time that is not finite or beyond 1e10 s,
 * or a time more than a day ahead of the previous row's (unless the next row goes on from it).
 */
int recording_next(struct recording_reader *r, struct frame *f, char *err, size_t err_len);
/* How many rows were skipped so far; the first one's "FILE:LINE: reason" goes to first. */
unsigned long recording_skipped(const struct recording_reader *r, char *first, size_t len);
/* Looks up an extra column (e.g. "truth.qw") of the last row read; NaN when absent. */
double recording_column(const struct recording_reader *r, const char *name);
void recording_close(struct recording_reader *r);

struct recording_writer; /* opaque */

/*
 * Writes the "# postured-recording 1" line and the header for the given roles; gzip when path
 * ends in ".gz". On error returns a negative errno with "FILE: message" in err.
 */
int recording_create(const char *path, const bool has[ROLE_COUNT], struct recording_writer **out,
		     char *err, size_t err_len);
/*
 * Appends one row. -EINVAL (nothing written) when f lacks a role of the header or holds a
 * non-finite value, since the reader would reject the row. A write error (ENOSPC, EIO) is
 * returned by this and every later call, and by recording_finish.
 */
int recording_write(struct recording_writer *w, const struct frame *f);
/* Flushes, closes and frees; returns a negative errno if anything could not be written. */
int recording_finish(struct recording_writer *w);

#endif
