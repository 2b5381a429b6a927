/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recording_open and recording_next on any file, read to its end or first error. Inputs that are
 * not gzip already are also read gzipped, in step with the plain reading: zlib serves both from one
 * code path, and a recording must replay the same either way, frame for frame and error for error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "postured/recording.h"
#include "tmpdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Both paths are as long, so messages compare after them. */
#define PLAIN_NAME "rec.csv"
#define GZIP_NAME "rec.cgz"

static const char *write_gzip(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(GZIP_NAME);
	gzFile gz = gzopen(path, "wb1");

	if (!gz || (size > 0 && gzwrite(gz, data, (unsigned int)size) != (int)size) ||
	    gzclose(gz) != Z_OK)
		abort();
	return path;
}

static bool same_frame(const struct frame *a, const struct frame *b)
{
	if (memcmp(&a->t_s, &b->t_s, sizeof(a->t_s)) != 0)
		return false;
	for (int r = 0; r < ROLE_COUNT; r++)
		if (a->has[r] != b->has[r] ||
		    (a->has[r] && memcmp(&a->imu[r], &b->imu[r], sizeof(a->imu[r])) != 0))
			return false;
	return true;
}

/* The same message but for the file name each starts with. */
static bool same_message(const char *a, const char *b)
{
	size_t la = strlen(fuzz_path(PLAIN_NAME)), lb = strlen(fuzz_path(GZIP_NAME));

	return strlen(a) >= la && strlen(b) >= lb && strcmp(a + la, b + lb) == 0;
}

static void check_columns(const struct recording_reader *r)
{
	bool has[ROLE_COUNT];

	recording_roles(r, has);
	recording_column(r, "t");
	recording_column(r, "truth.trunk_flexion_deg");
	recording_column(r, "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	const char *plain_path = fuzz_write(PLAIN_NAME, data, size);
	const char *gzip_path = gzipped ? NULL : write_gzip(data, size);
	struct recording_reader *a = NULL, *b = NULL;
	char err_a[512], err_b[512];
	struct frame fa, fb;
	int ra, rb;

	ra = recording_open(plain_path, &a, err_a, sizeof(err_a));
	if (gzip_path) {
		rb = recording_open(gzip_path, &b, err_b, sizeof(err_b));
		if (ra != rb || (ra < 0 && !same_message(err_a, err_b)))
			abort();
	}
	while (a) {
		memset(&fa, 0, sizeof(fa));
		ra = recording_next(a, &fa, err_a, sizeof(err_a));
		check_columns(a);
		if (b) {
			memset(&fb, 0, sizeof(fb));
			rb = recording_next(b, &fb, err_b, sizeof(err_b));
			if (ra != rb || (ra == 1 && !same_frame(&fa, &fb)) ||
			    (ra < 0 && !same_message(err_a, err_b)))
				abort();
		}
		if (ra != 1)
			break;
	}
	recording_close(a);
	recording_close(b);
	return 0;
}
