/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recording format: what record mode writes, replay reads back; what a person or a script
 * writes by hand is read or rejected with the line to fix.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "postured/recording.h"
#include "testfs.h"

#define BROAD_TRIAL "../shared/data/broad-48hz/01_undisturbed_slow_rotation_A.csv.gz"
#define HEADER "t,trunk.ax,trunk.ay,trunk.az,trunk.gx,trunk.gy,trunk.gz"

static struct frame make_frame(int i)
{
	struct frame f = { .t_s = 1000.0 + 0.02 * i };

	for (int r = 0; r < ROLE_COUNT; r++) {
		f.has[r] = true;
		for (int a = 0; a < 3; a++) {
			f.imu[r].accel_m_s2[a] = 9.80665 * sin(0.1 * i + a + 3 * r);
			f.imu[r].gyro_rad_s[a] = 0.001234567 * (i - 50) * (a + 1) * (r + 1);
		}
	}
	return f;
}

static void assert_close(double actual, double expected, double rel)
{
	if (!(fabs(actual - expected) <= rel * fabs(expected) + 1e-12))
		fail_msg("read %.9g, wrote %.9g", actual, expected);
}

static void write_and_read_back(struct testfs *fx, const char *name, const bool has[ROLE_COUNT])
{
	struct recording_writer *w;
	struct recording_reader *r;
	struct frame f;
	bool got[ROLE_COUNT];
	char err[256] = "";
	int i;

	if (recording_create(testfs_path(fx, name), has, &w, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	for (i = 0; i < 100; i++) {
		f = make_frame(i);
		assert_int_equal(recording_write(w, &f), 0);
	}
	assert_int_equal(recording_finish(w), 0);

	if (recording_open(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	recording_roles(r, got);
	for (int role = 0; role < ROLE_COUNT; role++)
		assert_int_equal(got[role], has[role]);
	for (i = 0; recording_next(r, &f, err, sizeof(err)) == 1; i++) {
		struct frame e = make_frame(i);

		/* t is written with microsecond resolution, values with 6 significant digits. */
		assert_true(fabs(f.t_s - e.t_s) < 1e-6);
		for (int role = 0; role < ROLE_COUNT; role++) {
			assert_int_equal(f.has[role], has[role]);
			for (int a = 0; has[role] && a < 3; a++) {
				assert_close(f.imu[role].accel_m_s2[a], e.imu[role].accel_m_s2[a],
					     1e-5);
				assert_close(f.imu[role].gyro_rad_s[a], e.imu[role].gyro_rad_s[a],
					     1e-5);
			}
		}
	}
	assert_int_equal(i, 100);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 0);
	recording_close(r);
}

static void round_trip_plain(void **state)
{
	struct testfs *fx = *state;
	const bool trunk_only[ROLE_COUNT] = { true, false };
	const bool both[ROLE_COUNT] = { true, true };
	char *text;

	struct recording_writer *w;
	struct frame f = { .t_s = 1.5, .has = { true, false } };
	char err[256] = "";

	write_and_read_back(fx, "demo.csv", trunk_only);

	/* The exact text: microseconds for t, 6 significant digits for values. */
	f.imu[ROLE_TRUNK] = (struct imu_sample){ { 0, -9.80665, 0.1234567 }, { 1e-7, -0.5, 3 } };
	assert_int_equal(recording_create(fx->path, trunk_only, &w, err, sizeof(err)), 0);
	assert_int_equal(recording_write(w, &f), 0);
	f.t_s = 12345.0000004;
	assert_int_equal(recording_write(w, &f), 0);
	assert_int_equal(recording_finish(w), 0);
	text = testfs_read(fx->path);
	assert_true(strncmp(text, "# postured-recording 1\n# written by postured ", 45) == 0);
	assert_non_null(strstr(text,
			       ": t in s, accel in m/s^2, gyro in rad/s, sensor axes\n" HEADER "\n"
			       "1.500000,0,-9.80665,0.123457,1e-07,-0.5,3\n"
			       "12345.000000,0,-9.80665,0.123457,1e-07,-0.5,3\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);

	write_and_read_back(fx, "demo.csv", both);
	text = testfs_read(fx->path);
	assert_non_null(
	    strstr(text, "\n" HEADER ",head.ax,head.ay,head.az,head.gx,head.gy,head.gz\n"));
	free(text);
}

static void round_trip_gzip(void **state)
{
	struct testfs *fx = *state;
	const bool both[ROLE_COUNT] = { true, true };
	const bool head_only[ROLE_COUNT] = { false, true };
	unsigned char magic[2];
	FILE *f;

	write_and_read_back(fx, "demo.csv.gz", both);
	f = fopen(fx->path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(magic, 1, 2, f), 2);
	fclose(f);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);

	write_and_read_back(fx, "demo.csv.gz", head_only);
}

static void writer_rejects_rows_it_could_not_read_back(void **state)
{
	struct testfs *fx = *state;
	const bool both[ROLE_COUNT] = { true, true };
	const bool none[ROLE_COUNT] = { false, false };
	struct recording_writer *w;
	struct frame f = make_frame(1);
	char err[256] = "", expected[256];

	assert_int_equal(recording_create(testfs_path(fx, "demo.csv"), none, &w, err, sizeof(err)),
			 -EINVAL);
	snprintf(expected, sizeof(expected), "%s: no sensor to record", fx->path);
	assert_string_equal(err, expected);

	assert_int_equal(recording_create(fx->path, both, &w, err, sizeof(err)), 0);
	f.has[ROLE_HEAD] = false;
	assert_int_equal(recording_write(w, &f), -EINVAL);
	f = make_frame(1);
	f.imu[ROLE_TRUNK].gyro_rad_s[1] = NAN;
	assert_int_equal(recording_write(w, &f), -EINVAL);
	/* Rejected rows leave the writer usable. */
	f = make_frame(2);
	assert_int_equal(recording_write(w, &f), 0);
	assert_int_equal(recording_finish(w), 0);

	assert_int_equal(recording_create("/nonexistent/x.csv", both, &w, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "/nonexistent/x.csv: cannot create: No such file or directory");
}

static void write_errors_are_reported(void **state)
{
	struct testfs *fx = *state;
	const bool has[ROLE_COUNT] = { true, true };
	struct recording_writer *w;
	struct frame f;
	char err[256] = "";
	int ret = 0;

	/* A full disk: the rows are buffered, so the error may come from a write or the finish. */
	assert_int_equal(recording_create("/dev/full", has, &w, err, sizeof(err)), 0);
	for (int i = 0; i < 2000 && ret == 0; i++) {
		f = make_frame(i);
		ret = recording_write(w, &f);
	}
	assert_true(ret == 0 || ret == -ENOSPC);
	if (ret == -ENOSPC) {
		f = make_frame(0);
		assert_int_equal(recording_write(w, &f), -ENOSPC);
	}
	assert_int_equal(recording_finish(w), -ENOSPC);

	assert_int_equal(symlink("/dev/full", testfs_path(fx, "full.gz")), 0);
	assert_int_equal(recording_create(fx->path, has, &w, err, sizeof(err)), 0);
	f = make_frame(0);
	recording_write(w, &f);
	assert_int_equal(recording_finish(w), -ENOSPC);
}

/* Writes text to DIR/demo.csv and opens it, which must succeed. */
static struct recording_reader *open_text(struct testfs *fx, const char *text)
{
	struct recording_reader *r;
	char err[256] = "";

	testfs_write(testfs_path(fx, "demo.csv"), text);
	if (recording_open(fx->path, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return r;
}

static void comments_blank_lines_and_crlf(void **state)
{
	struct testfs *fx = *state;
	struct recording_reader *r;
	struct frame f;
	bool has[ROLE_COUNT];
	char err[256] = "";

	r = open_text(fx, "# postured-recording 1\r\n"
			  "\r\n"
			  "# a note before the header\r\n"
			  " t , trunk.ax,trunk.ay,trunk.az,trunk.gx,trunk.gy,trunk.gz\r\n"
			  "0.5,0,0,9.81,0.1,0.2,0.3\r\n"
			  "\r\n"
			  "   \n"
			  "# the wearer stood up here\n"
			  "  # an indented comment\n"
			  "0.52, 1 ,2,3,4,5,6");
	recording_roles(r, has);
	assert_true(has[ROLE_TRUNK]);
	assert_false(has[ROLE_HEAD]);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_true(f.t_s == 0.5);
	assert_true(f.has[ROLE_TRUNK]);
	assert_false(f.has[ROLE_HEAD]);
	assert_true(f.imu[ROLE_TRUNK].accel_m_s2[2] == 9.81);
	assert_true(f.imu[ROLE_TRUNK].gyro_rad_s[2] == 0.3);
	/* The last line has no newline. */
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_true(f.t_s == 0.52);
	assert_true(f.imu[ROLE_TRUNK].accel_m_s2[0] == 1.0);
	assert_true(f.imu[ROLE_TRUNK].gyro_rad_s[2] == 6.0);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 0);
	recording_close(r);
}

static void extra_columns_and_partial_roles(void **state)
{
	struct testfs *fx = *state;
	struct recording_reader *r;
	struct frame f;
	bool has[ROLE_COUNT];
	char err[256] = "";

	/* head has only accelerometer columns: not a usable sensor, its columns are extras. */
	r = open_text(fx, "truth.qw," HEADER ",head.ax,head.ay,head.az,truth.movement,note\n"
			  "0.7071,1,0,0,9.8,0,0,0,1,2,3,1,hello\n"
			  "nan,2,0,0,9.8,0,0,0,4,5,6,0,\n");
	recording_roles(r, has);
	assert_true(has[ROLE_TRUNK]);
	assert_false(has[ROLE_HEAD]);
	assert_true(isnan(recording_column(r, "truth.qw")));
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_false(f.has[ROLE_HEAD]);
	assert_true(recording_column(r, "truth.qw") == 0.7071);
	assert_true(recording_column(r, "truth.movement") == 1.0);
	assert_true(recording_column(r, "head.az") == 3.0);
	assert_true(recording_column(r, "t") == 1.0);
	assert_true(isnan(recording_column(r, "note")));
	assert_true(isnan(recording_column(r, "truth.qx")));
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_true(isnan(recording_column(r, "truth.qw")));
	assert_true(recording_column(r, "truth.movement") == 0.0);
	assert_true(recording_column(r, "head.ax") == 4.0);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 0);
	recording_close(r);
}

/* Expects text to open (or not) and then fail at a row with "PATH" + message. */
static void assert_read_error(struct testfs *fx, const char *text, const char *message)
{
	struct recording_reader *r = NULL;
	struct frame f;
	char err[256] = "", expected[320];
	int ret;

	testfs_write(testfs_path(fx, "demo.csv"), text);
	ret = recording_open(fx->path, &r, err, sizeof(err));
	if (ret == 0) {
		while ((ret = recording_next(r, &f, err, sizeof(err))) == 1)
			;
		recording_close(r);
	} else {
		assert_null(r);
	}
	assert_int_equal(ret, -EINVAL);
	snprintf(expected, sizeof(expected), "%s%s", fx->path, message);
	assert_string_equal(err, expected);
}

static void malformed_files(void **state)
{
	struct testfs *fx = *state;

	assert_read_error(fx, "", ": no header row (expected t,trunk.ax,...)");
	assert_read_error(fx, "# postured-recording 1\n\n# only comments\n",
			  ": no header row (expected t,trunk.ax,...)");
	assert_read_error(fx, "# postured-recording 1\nt,trunk.ax,trunk.ay,trunk.az,head.gx\n",
			  ":2: header has no complete sensor (needs trunk.ax..trunk.gz or "
			  "head.ax..head.gz)");
	assert_read_error(fx, "time,trunk.ax,trunk.ay,trunk.az,trunk.gx,trunk.gy,trunk.gz\n",
			  ":1: header has no 't' column (expected t,trunk.ax,...)");
	assert_read_error(fx, "0.1,1,2,3,4,5,6\n",
			  ":1: header has no 't' column (expected t,trunk.ax,...)");
	assert_read_error(fx, HEADER ",trunk.ax\n", ":1: header names column 'trunk.ax' twice");
	assert_read_error(fx, HEADER ",,x\n", ":1: header column 8 has no name");
	assert_read_error(fx, "# postured-recording 2\n" HEADER "\n",
			  ":1: recording format version '2' is not supported (this postured reads "
			  "version 1)");
	assert_read_error(fx, HEADER "\n0,1,2,3,4,5,6\n0.1,1,2,3,4,5,6,7\n",
			  ":3: expected 7 fields, found 8");
	assert_read_error(fx, "# c\n" HEADER "\n# c\n0,1,2,3,4,5,6\n\n0.1,1,2,3,4,5\n",
			  ":6: expected 7 fields, found 6");
	assert_read_error(fx, HEADER "\n0,1,2,3,4,abc,6\n", ":2: trunk.gy = 'abc' is not a number");
	assert_read_error(fx, HEADER "\n0,1,2,3,4,,6\n", ":2: trunk.gy = '' is not a number");
	assert_read_error(fx, HEADER "\n0,1,2,3,4,5 6,6\n", ":2: trunk.gy = '5 6' is not a number");
	assert_read_error(fx, HEADER "\nx,1,2,3,4,5,6\n", ":2: t = 'x' is not a number");
	assert_read_error(fx, HEADER "\n3.12,1,2,3,4,5,6\n3.12,1,2,3,4,5,6\n3.1,1,2,3,4,5,6\n",
			  ":4: time 3.100 s is before the previous row's 3.120 s");
	/* Times that only differ further down are shown with enough decimals to tell. */
	assert_read_error(fx, HEADER "\n3.12005,1,2,3,4,5,6\n3.12004,1,2,3,4,5,6\n",
			  ":3: time 3.12004 s is before the previous row's 3.12005 s");
}

static void long_lines(void **state)
{
	struct testfs *fx = *state;
	struct recording_reader *r;
	struct frame f;
	char err[256] = "", expected[256];
	size_t n_extra = 3000, len = 0, cap = 64 * n_extra;
	char *text = malloc(cap);
	FILE *file;

	/* A header wider than any buffer guess: 3000 extra columns, about 30 kB per line. */
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, HEADER);
	for (size_t i = 0; i < n_extra; i++)
		len += (size_t)snprintf(text + len, cap - len, ",extra%zu", i);
	len += (size_t)snprintf(text + len, cap - len, "\n0,1,2,3,4,5,6");
	for (size_t i = 0; i < n_extra; i++)
		len += (size_t)snprintf(text + len, cap - len, ",%zu", i);
	snprintf(text + len, cap - len, "\n");
	r = open_text(fx, text);
	free(text);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_true(recording_column(r, "extra2999") == 2999.0);
	assert_true(f.imu[ROLE_TRUNK].gyro_rad_s[2] == 6.0);
	recording_close(r);

	/* A name given twice is found among thousands (the header's lookup is a hash). */
	text = malloc(cap);
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, HEADER);
	for (size_t i = 0; i < n_extra; i++)
		len += (size_t)snprintf(text + len, cap - len, ",extra%zu", i);
	snprintf(text + len, cap - len, ",extra1234\n");
	testfs_write(testfs_path(fx, "demo.csv"), text);
	free(text);
	assert_int_equal(recording_open(fx->path, &r, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected), "%s:1: header names column 'extra1234' twice",
		 fx->path);
	assert_string_equal(err, expected);

	/* Binary junk without newlines is refused rather than read into memory without end. */
	file = fopen(fx->path, "w");
	assert_non_null(file);
	for (int i = 0; i < (1 << 20) / 64 + 1; i++)
		fputs("0123456789012345678901234567890123456789012345678901234567890123", file);
	fclose(file);
	assert_int_equal(recording_open(fx->path, &r, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected),
		 "%s:1: line is longer than 1048576 bytes: is this a "
		 "recording?",
		 fx->path);
	assert_string_equal(err, expected);
}

/* Writes len bytes of data to path, gzipped when gzip. */
static void write_bytes(const char *path, const char *data, size_t len, bool gzip)
{
	if (gzip) {
		gzFile gz = gzopen(path, "wb");

		assert_non_null(gz);
		assert_int_equal(gzwrite(gz, data, (unsigned int)len), (int)len);
		assert_int_equal(gzclose(gz), Z_OK);
	} else {
		FILE *file = fopen(path, "w");

		assert_non_null(file);
		assert_int_equal(fwrite(data, 1, len, file), len);
		assert_int_equal(fclose(file), 0);
	}
}

/* Reads path to its end; returns what the last call returned, the rows read and the message. */
static int read_all(const char *path, int *rows, char *err, size_t err_len)
{
	struct recording_reader *r;
	struct frame f;
	int ret;

	*rows = 0;
	ret = recording_open(path, &r, err, err_len);
	if (ret < 0)
		return ret;
	while ((ret = recording_next(r, &f, err, err_len)) == 1)
		(*rows)++;
	recording_close(r);
	return ret;
}

/*
 * Binary data is not a recording: a NUL byte is an error at its line and column, plain or
 * gzipped, and the lines before it are read as they are (a NUL once hid a line and shifted the
 * numbers of the later ones). /dev/zero once kept replay spinning for ever.
 */
static void binary_data_is_an_error(void **state)
{
	static const char text[] = HEADER "\n0,1,2,3,4,5,6\n\0\0\0,1,2,3,4,5,6\n0.2,1,2,3,4,5,6\n";
	static const char mid[] = HEADER "\n0,1,2,3,4,5,6\n0.1,1,2\0,4,5,6\n";
	struct testfs *fx = *state;
	char err[512] = "", expected[512];
	int rows;

	for (int gzip = 0; gzip <= 1; gzip++) {
		write_bytes(testfs_path(fx, gzip ? "nul.csv.gz" : "nul.csv"), text,
			    sizeof(text) - 1, gzip);
		assert_int_equal(read_all(fx->path, &rows, err, sizeof(err)), -EINVAL);
		assert_int_equal(rows, 1);
		snprintf(
		    expected, sizeof(expected),
		    "%s:3: a NUL byte at column 1: this is binary "
		    "data, not a recording (CSV text, plain or gzipped): check that this is the "
		    "right file",
		    fx->path);
		assert_string_equal(err, expected);

		write_bytes(fx->path, mid, sizeof(mid) - 1, gzip);
		assert_int_equal(read_all(fx->path, &rows, err, sizeof(err)), -EINVAL);
		assert_int_equal(rows, 1);
		snprintf(
		    expected, sizeof(expected),
		    "%s:3: a NUL byte at column 8: this is binary "
		    "data, not a recording (CSV text, plain or gzipped): check that this is the "
		    "right file",
		    fx->path);
		assert_string_equal(err, expected);
	}
	assert_int_equal(read_all("/dev/zero", &rows, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "/dev/zero:1: a NUL byte at column 1: this is binary data, not a "
			    "recording (CSV text, plain or gzipped): check that this is the right "
			    "file");
}

/*
 * A row no sensor or clock could give is skipped, counted, and the first one's line and reason
 * are kept for the warning; the rows around it are read as if it were not there.
 */
static void impossible_rows_are_skipped_and_counted(void **state)
{
	struct testfs *fx = *state;
	struct recording_reader *r;
	struct frame f;
	char err[256] = "", first[512], expected[512];
	static const double kept_t[] = { 0.0, 0.04, 0.06, 0.08, 0.1, 0.12 };
	int rows = 0;

	r = open_text(fx, "# postured-recording 1\n" HEADER "\n"
			  "0,0,0,9.8,0,0,0\n"
			  "0.02,1e308,0,9.8,0,0,0\n" /* 4: a bus glitch on the accelerometer */
			  "0.04,0,0,9.8,0,0,0\n"
			  "1e308,0,0,9.8,0,0,0\n" /* 6: a time no clock gives */
			  "nan,0,0,9.8,0,0,0\n"
			  "0.06,0,0,9.8,0,0,0\n"
			  "0.07,0,0,9.8,-inf,0,0\n"
			  "0.075,0,0,9.8,0,1e5,0\n" /* 100000 rad/s */
			  "0.078,0,0,1e309,0,0,0\n" /* beyond a double: inf */
			  "0.08,0,0,9.8,0,0,0\n"
			  "100000.1,0,0,9.8,0,0,0\n" /* 14: more than a day ahead, alone */
			  "0.1,0,0,9.8,0,0,0\n"
			  "0.12,-313,313,-313,139,-139,139\n"); /* the largest taken as real */
	while (recording_next(r, &f, err, sizeof(err)) == 1) {
		assert_true(rows < 6);
		assert_true(f.t_s == kept_t[rows]);
		rows++;
	}
	assert_int_equal(rows, 6);
	assert_int_equal(recording_skipped(r, first, sizeof(first)), 7);
	snprintf(expected, sizeof(expected),
		 "%s:4: trunk.ax = 1e308 m/s^2 is beyond what an "
		 "accelerometer reads (314 m/s^2): row skipped",
		 fx->path);
	assert_string_equal(first, expected);
	recording_close(r);

	/* The first skipped row's reason, for a time and for a gyroscope. */
	r = open_text(fx, HEADER "\n0,0,0,9.8,0,0,0\n1e308,0,0,9.8,0,0,0\n");
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 0);
	assert_int_equal(recording_skipped(r, first, sizeof(first)), 1);
	snprintf(expected, sizeof(expected),
		 "%s:3: t = 1e308 s is not a time a clock gives (|t| "
		 "above 1e+10 s): row skipped",
		 fx->path);
	assert_string_equal(first, expected);
	recording_close(r);
	r = open_text(fx, HEADER "\n0,0,0,9.8,0,0,-1e5\n");
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 0);
	assert_int_equal(recording_skipped(r, first, sizeof(first)), 1);
	snprintf(expected, sizeof(expected),
		 "%s:2: trunk.gz = -1e5 rad/s is beyond what a "
		 "gyroscope reads (140 rad/s): row skipped",
		 fx->path);
	assert_string_equal(first, expected);
	recording_close(r);
}

/*
 * A sensor unplugged overnight: the time jumps more than a day, and the next row goes on from
 * it. Only the first row after the gap is lost (and counted).
 */
static void long_gap_is_read_when_the_next_row_confirms_it(void **state)
{
	struct testfs *fx = *state;
	struct recording_reader *r;
	struct frame f;
	char err[256] = "", first[512], expected[512];

	r = open_text(fx, HEADER "\n10,0,0,9.8,0,0,0\n200000,0,0,9.8,0,0,0\n"
				 "200000.02,0,0,9.8,0,0,0\n200000.04,0,0,9.8,0,0,0\n");
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_true(f.t_s == 10.0);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_true(f.t_s == 200000.02);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 1);
	assert_true(f.t_s == 200000.04);
	assert_int_equal(recording_next(r, &f, err, sizeof(err)), 0);
	assert_int_equal(recording_skipped(r, first, sizeof(first)), 1);
	snprintf(expected, sizeof(expected),
		 "%s:3: t = 200000 s jumps 199990 s ahead of the "
		 "previous row: row skipped (a later row that goes on from it is read)",
		 fx->path);
	assert_string_equal(first, expected);
	recording_close(r);
}

static void truncated_gzip_is_an_error(void **state)
{
	struct testfs *fx = *state;
	const bool has[ROLE_COUNT] = { true, false };
	struct recording_writer *w;
	struct recording_reader *r;
	struct frame f;
	char err[256] = "", prefix[256];
	long size;
	int ret, rows = 0;
	FILE *file;

	assert_int_equal(recording_create(testfs_path(fx, "cut.csv.gz"), has, &w, err, sizeof(err)),
			 0);
	for (int i = 0; i < 5000; i++) {
		f = make_frame(i);
		assert_int_equal(recording_write(w, &f), 0);
	}
	assert_int_equal(recording_finish(w), 0);
	/* Cut the file in the middle, as a power cut during record mode would. */
	file = fopen(fx->path, "r+");
	assert_non_null(file);
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fclose(file);
	assert_int_equal(truncate(fx->path, size / 2), 0);

	assert_int_equal(recording_open(fx->path, &r, err, sizeof(err)), 0);
	while ((ret = recording_next(r, &f, err, sizeof(err))) == 1)
		rows++;
	recording_close(r);
	assert_true(rows > 100 && rows < 5000);
	/* zlib returns no partial line: it reports the missing end where the cut row starts. */
	assert_int_equal(ret, -EIO);
	snprintf(prefix, sizeof(prefix),
		 "%s:%d: the gzip data is damaged or cut short "
		 "(unexpected end of file)",
		 fx->path, rows + 4);
	assert_string_equal(err, prefix);
}

static void missing_file(void **state)
{
	struct recording_reader *r;
	char err[256] = "";

	(void)state;
	assert_int_equal(recording_open("/nonexistent/demo.csv", &r, err, sizeof(err)), -ENOENT);
	assert_null(r);
	assert_string_equal(err, "/nonexistent/demo.csv: cannot open: No such file or directory");
	assert_int_equal(recording_open("/", &r, err, sizeof(err)), -EISDIR);
	assert_string_equal(err, "/: cannot read: Is a directory");
}

static void shared_broad_trial(void **state)
{
	struct recording_reader *r;
	struct frame f;
	bool has[ROLE_COUNT];
	char err[256] = "";
	double prev_t = -1.0;
	int rows = 0, ret;

	(void)state;
	if (access(BROAD_TRIAL, R_OK) != 0)
		skip();
	if (recording_open(BROAD_TRIAL, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	recording_roles(r, has);
	assert_true(has[ROLE_TRUNK]);
	assert_false(has[ROLE_HEAD]);
	while ((ret = recording_next(r, &f, err, sizeof(err))) == 1) {
		if (rows == 0) {
			assert_true(f.t_s == 0.021);
			assert_true(f.imu[ROLE_TRUNK].accel_m_s2[2] == 9.9185);
			assert_true(recording_column(r, "truth.qw") == 0.9997271);
			assert_true(recording_column(r, "truth.movement") == 0.0);
		}
		assert_true(f.t_s > prev_t);
		/* At 47.62 Hz, 21 ms apart. */
		if (rows > 0)
			assert_true(fabs(f.t_s - prev_t - 0.021) < 0.0015);
		prev_t = f.t_s;
		rows++;
	}
	if (ret != 0)
		fail_msg("%s", err);
	assert_int_equal(rows, 9490);
	recording_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip_plain, testfs_setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(round_trip_gzip, testfs_setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(writer_rejects_rows_it_could_not_read_back,
						testfs_setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(write_errors_are_reported, testfs_setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(comments_blank_lines_and_crlf, testfs_setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(extra_columns_and_partial_roles, testfs_setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(malformed_files, testfs_setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(long_lines, testfs_setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(binary_data_is_an_error, testfs_setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(impossible_rows_are_skipped_and_counted,
						testfs_setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(long_gap_is_read_when_the_next_row_confirms_it,
						testfs_setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(truncated_gzip_is_an_error, testfs_setup,
						testfs_teardown),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(shared_broad_trial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
