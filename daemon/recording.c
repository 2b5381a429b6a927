/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recording format. zlib reads plain and gzip files alike and, with mode "T", writes plain
 * files too, so one code path serves both. Readers are strict about the form: a recording that
 * replays wrongly is worse than one that fails with the line to fix. A well-formed row with a
 * reading or a time no sensor or clock gives is a glitch of the sensor, not of the file (the live
 * daemon drops such samples too): it is skipped and counted, and the first one is reported.
 */
#include "postured/recording.h"
#include "postured/text.h"
#include "postured/version.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define FORMAT_LINE "# postured-recording 1"
#define VERSION_PREFIX "# postured-recording "
#define FORMAT_VERSION 1
#define AXES_PER_ROLE 6
#define HEADER_HINT "t,trunk.ax,..."
/* A line longer than this is not a recording: stop rather than eat all memory. */
#define LINE_MAX_BYTES (1 << 20)
/* Fields longer than this are cut in messages. */
#define FIELD_SHOWN_MAX 40

static const char *const axis_suffix[AXES_PER_ROLE] = { "ax", "ay", "az", "gx", "gy", "gz" };

/* Bytes read from the file at a time; a line may span several reads. */
#define READ_CHUNK_BYTES (64 * 1024)
/*
 * A sample's time: "monotonic, from any origin" fits in this (317 years, room for Unix times);
 * a row whose time jumps further ahead than MAX_JUMP_S is a glitch unless the next row goes on
 * from it (a sensor unplugged overnight), which costs that one row.
 */
#define T_MAX_S 1e10
#define MAX_JUMP_S 86400.0
#define SKIP_SHOWN_MAX 320

struct recording_reader {
	gzFile gz;
	char *path;
	char *line;
	size_t line_cap;
	unsigned long line_no;
	char *buf; /* what the last read gave, from buf_pos to buf_len not yet a line */
	size_t buf_pos, buf_len;

	int n_cols;
	char **col_name;
	int *slot; /* open-addressing hash of col_name: column index, or -1 */
	size_t slot_mask;
	double *value; /* the last row read, per column; NaN where not a number */
	char **field;  /* the fields of the current row, pointing into line */
	int col_t;
	int col[ROLE_COUNT][AXES_PER_ROLE];
	bool has[ROLE_COUNT];

	bool have_prev_t;
	double prev_t_s;
	bool have_jump_t;
	double jump_t_s; /* the time of the last row skipped for its jump */

	unsigned long skipped;
	char first_skip[SKIP_SHOWN_MAX];
};

struct recording_writer {
	gzFile gz;
	bool has[ROLE_COUNT];
	int error; /* the first write error: later writes cannot make the file whole again */
};

/* Refills r->buf. >0: bytes read, 0: end of file, <0: error (the line being read is lost). */
static int fill(struct recording_reader *r, char *err, size_t err_len)
{
	const char *msg;
	int n, zerr;

	errno = 0;
	n = gzread(r->gz, r->buf, READ_CHUNK_BYTES);
	if (n > 0) {
		r->buf_pos = 0;
		r->buf_len = (size_t)n;
		return n;
	}
	msg = gzerror(r->gz, &zerr);
	if (zerr == Z_ERRNO) {
		int e = errno ? errno : EIO;

		snprintf(err, err_len, "%s: cannot read: %s", r->path, strerror(e));
		return -e;
	}
	if (zerr != Z_OK) {
		/* zlib puts the path first: we already do. */
		size_t lp = strlen(r->path);

		if (strncmp(msg, r->path, lp) == 0 && strncmp(msg + lp, ": ", 2) == 0)
			msg += lp + 2;
		snprintf(err, err_len, "%s:%lu: the gzip data is damaged or cut short (%s)",
			 r->path, r->line_no + 1, msg);
		return -EIO;
	}
	return 0;
}

static int append_to_line(struct recording_reader *r, size_t len, const char *from, size_t n,
			  char *err, size_t err_len)
{
	const char *nul = memchr(from, '\0', n);

	if (nul) {
		snprintf(
		    err, err_len,
		    "%s:%lu: a NUL byte at column %zu: this is binary data, not a "
		    "recording (CSV text, plain or gzipped): check that this is the right file",
		    r->path, r->line_no + 1, len + (size_t)(nul - from) + 1);
		return -EINVAL;
	}
	if (len + n + 1 > LINE_MAX_BYTES) {
		snprintf(err, err_len, "%s:%lu: line is longer than %d bytes: is this a recording?",
			 r->path, r->line_no + 1, LINE_MAX_BYTES);
		return -EINVAL;
	}
	if (len + n + 1 > r->line_cap) {
		size_t cap = r->line_cap ? r->line_cap : 4096;
		char *p;

		while (cap < len + n + 1)
			cap *= 2;
		p = realloc(r->line, cap);
		if (!p) {
			snprintf(err, err_len, "%s:%lu: out of memory", r->path, r->line_no + 1);
			return -ENOMEM;
		}
		r->line = p;
		r->line_cap = cap;
	}
	memcpy(r->line + len, from, n);
	return 0;
}

/*
 * Reads one line into r->line without its end of line. 1: a line, 0: end of file, <0: error.
 * Lengths are counted, not found by strlen, so a NUL byte is seen (and refused) where it is.
 */
static int read_line(struct recording_reader *r, char *err, size_t err_len)
{
	size_t len = 0;
	int ret;

	for (;;) {
		const char *from, *nl;
		size_t n;

		if (r->buf_pos == r->buf_len) {
			ret = fill(r, err, err_len);
			if (ret < 0)
				return ret;
			if (ret == 0) {
				if (len == 0)
					return 0;
				break;
			}
		}
		from = r->buf + r->buf_pos;
		nl = memchr(from, '\n', r->buf_len - r->buf_pos);
		n = nl ? (size_t)(nl - from) : r->buf_len - r->buf_pos;
		ret = append_to_line(r, len, from, n, err, err_len);
		if (ret < 0)
			return ret;
		len += n;
		r->buf_pos += n + (nl != NULL);
		if (nl)
			break;
	}
	r->line_no++;
	while (len > 0 && r->line[len - 1] == '\r')
		len--;
	r->line[len] = '\0';
	return 1;
}

static bool is_blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

static bool is_comment(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s == '#';
}

/* Splits line at commas into at most max fields (trimmed); returns the number of fields. */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	char *s = line;

	for (;;) {
		char *comma = strchr(s, ',');

		if (comma)
			*comma = '\0';
		if (n < max)
			fields[n] = text_trim(s);
		n++;
		if (!comma)
			return n;
		s = comma + 1;
	}
}

static int count_fields(const char *line)
{
	int n = 1;

	for (; *line; line++)
		n += *line == ',';
	return n;
}

static int check_version(struct recording_reader *r, char *err, size_t err_len)
{
	const char *v = text_trim(r->line);

	if (strncmp(v, VERSION_PREFIX, strlen(VERSION_PREFIX)) != 0)
		return 0;
	v += strlen(VERSION_PREFIX);
	if (atoi(v) == FORMAT_VERSION && strspn(v, "0123456789") == strlen(v))
		return 0;
	snprintf(err, err_len,
		 "%s:%lu: recording format version '%.*s' is not supported (this "
		 "postured reads version %d)",
		 r->path, r->line_no, FIELD_SHOWN_MAX, v, FORMAT_VERSION);
	return -EINVAL;
}

/* FNV-1a: names are short and few collide; the table keeps a wide header linear. */
static size_t hash_name(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* The slot holding name, or the empty slot where it would go. */
static size_t find_slot(const struct recording_reader *r, const char *name)
{
	size_t i = hash_name(name) & r->slot_mask;

	while (r->slot[i] >= 0 && strcmp(r->col_name[r->slot[i]], name) != 0)
		i = (i + 1) & r->slot_mask;
	return i;
}

static int find_column(const struct recording_reader *r, const char *name)
{
	return r->slot ? r->slot[find_slot(r, name)] : -1;
}

static int parse_header(struct recording_reader *r, char *err, size_t err_len)
{
	int n = count_fields(r->line);
	size_t n_slots = 16;
	bool any_role = false;

	while (n_slots < 2 * (size_t)n)
		n_slots *= 2;
	r->col_name = calloc((size_t)n, sizeof(*r->col_name));
	r->field = calloc((size_t)n, sizeof(*r->field));
	r->value = calloc((size_t)n, sizeof(*r->value));
	r->slot = malloc(n_slots * sizeof(*r->slot));
	if (!r->col_name || !r->field || !r->value || !r->slot) {
		snprintf(err, err_len, "%s: out of memory", r->path);
		return -ENOMEM;
	}
	memset(r->slot, 0xff, n_slots * sizeof(*r->slot));
	r->slot_mask = n_slots - 1;
	split(r->line, r->field, n);
	for (int i = 0; i < n; i++) {
		size_t at;

		if (r->field[i][0] == '\0') {
			snprintf(err, err_len, "%s:%lu: header column %d has no name", r->path,
				 r->line_no, i + 1);
			return -EINVAL;
		}
		at = find_slot(r, r->field[i]);
		if (r->slot[at] >= 0) {
			snprintf(err, err_len, "%s:%lu: header names column '%.*s' twice", r->path,
				 r->line_no, FIELD_SHOWN_MAX, r->field[i]);
			return -EINVAL;
		}
		r->col_name[i] = strdup(r->field[i]);
		if (!r->col_name[i]) {
			snprintf(err, err_len, "%s: out of memory", r->path);
			return -ENOMEM;
		}
		r->slot[at] = i;
		r->value[i] = NAN;
		r->n_cols = i + 1;
	}
	r->col_t = find_column(r, "t");
	if (r->col_t < 0) {
		snprintf(err, err_len,
			 "%s:%lu: header has no 't' column (expected " HEADER_HINT ")", r->path,
			 r->line_no);
		return -EINVAL;
	}
	for (int role = 0; role < ROLE_COUNT; role++) {
		char name[32];

		r->has[role] = true;
		for (int a = 0; a < AXES_PER_ROLE; a++) {
			snprintf(name, sizeof(name), "%s.%s", role_name((enum sensor_role)role),
				 axis_suffix[a]);
			r->col[role][a] = find_column(r, name);
			if (r->col[role][a] < 0)
				r->has[role] = false;
		}
		any_role |= r->has[role];
	}
	if (!any_role) {
		snprintf(err, err_len,
			 "%s:%lu: header has no complete sensor (needs trunk.ax..trunk.gz "
			 "or head.ax..head.gz)",
			 r->path, r->line_no);
		return -EINVAL;
	}
	return 0;
}

/* Formats two times with as many decimals as it takes to tell them apart. */
static void format_times(double a, double b, char *sa, char *sb, size_t len)
{
	for (int decimals = 3; decimals <= 9; decimals++) {
		snprintf(sa, len, "%.*f", decimals, a);
		snprintf(sb, len, "%.*f", decimals, b);
		if (strcmp(sa, sb) != 0)
			return;
	}
}

static int parse_needed(struct recording_reader *r, int col, double *out, char *err, size_t err_len)
{
	const char *s = r->field[col];
	char *end;

	*out = strtod(s, &end);
	if (end == s || *end != '\0') {
		snprintf(err, err_len, "%s:%lu: %s = '%.*s%s' is not a number", r->path, r->line_no,
			 r->col_name[col], FIELD_SHOWN_MAX, s,
			 strlen(s) > FIELD_SHOWN_MAX ? "..." : "");
		return -EINVAL;
	}
	return 0;
}

/* Counts a skipped row; the first one's reason is kept, with its line, for the report. */
__attribute__((format(printf, 2, 3))) static void skip_row(struct recording_reader *r,
							   const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->skipped++ > 0)
		return;
	n = snprintf(r->first_skip, sizeof(r->first_skip), "%s:%lu: ", r->path, r->line_no);
	if (n < 0 || (size_t)n >= sizeof(r->first_skip))
		return;
	va_start(ap, fmt);
	vsnprintf(r->first_skip + n, sizeof(r->first_skip) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* A reading no sensor gives (a glitch, a corrupted row): true after counting it as skipped. */
static bool skip_impossible_reading(struct recording_reader *r, const struct frame *f)
{
	for (int role = 0; role < ROLE_COUNT; role++) {
		for (int a = 0; f->has[role] && a < 3; a++) {
			int ca = r->col[role][a], cg = r->col[role][a + 3];

			if (!(fabs(f->imu[role].accel_m_s2[a]) <= IMU_ACCEL_MAX_M_S2)) {
				skip_row(
				    r,
				    "%s = %.*s m/s^2 is beyond what an accelerometer reads (%.0f "
				    "m/s^2): row skipped",
				    r->col_name[ca], FIELD_SHOWN_MAX, r->field[ca],
				    IMU_ACCEL_MAX_M_S2);
				return true;
			}
			if (!(fabs(f->imu[role].gyro_rad_s[a]) <= IMU_GYRO_MAX_RAD_S)) {
				skip_row(r,
					 "%s = %.*s rad/s is beyond what a gyroscope reads (%.0f "
					 "rad/s): row skipped",
					 r->col_name[cg], FIELD_SHOWN_MAX, r->field[cg],
					 IMU_GYRO_MAX_RAD_S);
				return true;
			}
		}
	}
	return false;
}

/*
 * A time far ahead of the previous row's is a glitch, unless the next row goes on from it: true
 * after counting the row as skipped.
 */
static bool skip_far_jump(struct recording_reader *r, double t_s)
{
	if (r->have_prev_t && t_s - r->prev_t_s > MAX_JUMP_S &&
	    !(r->have_jump_t && t_s >= r->jump_t_s && t_s - r->jump_t_s <= MAX_JUMP_S)) {
		skip_row(r,
			 "t = %.*s s jumps %.0f s ahead of the previous row: row skipped (a "
			 "later row that goes on from it is read)",
			 FIELD_SHOWN_MAX, r->field[r->col_t], t_s - r->prev_t_s);
		r->have_jump_t = true;
		r->jump_t_s = t_s;
		return true;
	}
	r->have_jump_t = false;
	return false;
}

/* 0: a sample in f; 1: a row skipped as impossible (counted); <0: an error in err. */
static int parse_row(struct recording_reader *r, struct frame *f, char *err, size_t err_len)
{
	int n = count_fields(r->line);
	struct frame next;

	if (n != r->n_cols) {
		snprintf(err, err_len, "%s:%lu: expected %d fields, found %d", r->path, r->line_no,
			 r->n_cols, n);
		return -EINVAL;
	}
	split(r->line, r->field, n);
	memset(&next, 0, sizeof(next));
	if (parse_needed(r, r->col_t, &next.t_s, err, err_len) < 0)
		return -EINVAL;
	for (int role = 0; role < ROLE_COUNT; role++) {
		struct imu_sample *imu = &next.imu[role];

		if (!r->has[role])
			continue;
		next.has[role] = true;
		for (int a = 0; a < 3; a++) {
			if (parse_needed(r, r->col[role][a], &imu->accel_m_s2[a], err, err_len) <
				0 ||
			    parse_needed(r, r->col[role][a + 3], &imu->gyro_rad_s[a], err,
					 err_len) < 0)
				return -EINVAL;
		}
	}
	if (!(fabs(next.t_s) <= T_MAX_S)) {
		skip_row(r,
			 "t = %.*s s is not a time a clock gives (|t| above %.0e s): row skipped",
			 FIELD_SHOWN_MAX, r->field[r->col_t], T_MAX_S);
		return 1;
	}
	if (skip_impossible_reading(r, &next))
		return 1;
	if (r->have_prev_t && next.t_s < r->prev_t_s) {
		char now[40], prev[40];

		format_times(next.t_s, r->prev_t_s, now, prev, sizeof(now));
		snprintf(err, err_len, "%s:%lu: time %s s is before the previous row's %s s",
			 r->path, r->line_no, now, prev);
		return -EINVAL;
	}
	if (skip_far_jump(r, next.t_s))
		return 1;
	for (int i = 0; i < n; i++) {
		char *end;
		double v = strtod(r->field[i], &end);

		r->value[i] = end == r->field[i] || *end != '\0' ? NAN : v;
	}
	r->have_prev_t = true;
	r->prev_t_s = next.t_s;
	*f = next;
	return 0;
}

/* Reads up to the next line that is not blank and not a comment. */
static int next_content_line(struct recording_reader *r, char *err, size_t err_len)
{
	int ret;

	while ((ret = read_line(r, err, err_len)) > 0) {
		if (is_blank(r->line))
			continue;
		if (!is_comment(r->line))
			return 1;
		if (check_version(r, err, err_len) < 0)
			return -EINVAL;
	}
	return ret;
}

int recording_open(const char *path, struct recording_reader **out, char *err, size_t err_len)
{
	struct recording_reader *r;
	int ret;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path)) || !(r->buf = malloc(READ_CHUNK_BYTES))) {
		if (r)
			free(r->path);
		free(r);
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	errno = 0;
	r->gz = gzopen(path, "rb");
	if (!r->gz) {
		ret = errno ? -errno : -ENOMEM;
		snprintf(err, err_len, "%s: cannot open: %s", path, strerror(-ret));
		recording_close(r);
		return ret;
	}
	gzbuffer(r->gz, 64 * 1024);
	ret = next_content_line(r, err, err_len);
	if (ret == 0) {
		snprintf(err, err_len, "%s: no header row (expected " HEADER_HINT ")", path);
		ret = -EINVAL;
	}
	if (ret > 0)
		ret = parse_header(r, err, err_len);
	if (ret < 0) {
		recording_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

void recording_roles(const struct recording_reader *r, bool has[ROLE_COUNT])
{
	for (int role = 0; role < ROLE_COUNT; role++)
		has[role] = r->has[role];
}

int recording_next(struct recording_reader *r, struct frame *f, char *err, size_t err_len)
{
	int ret;

	do {
		ret = next_content_line(r, err, err_len);
		if (ret <= 0)
			return ret;
		ret = parse_row(r, f, err, err_len);
	} while (ret == 1);
	return ret < 0 ? ret : 1;
}

unsigned long recording_skipped(const struct recording_reader *r, char *first, size_t len)
{
	if (len > 0)
		snprintf(first, len, "%s", r->first_skip);
	return r->skipped;
}

double recording_column(const struct recording_reader *r, const char *name)
{
	int i = find_column(r, name);

	return i < 0 ? NAN : r->value[i];
}

void recording_close(struct recording_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose_r(r->gz);
	for (int i = 0; i < r->n_cols; i++)
		free(r->col_name[i]);
	free(r->col_name);
	free(r->slot);
	free(r->field);
	free(r->value);
	free(r->line);
	free(r->buf);
	free(r->path);
	free(r);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* The errno behind zlib's last error; write errors are usually ENOSPC or EIO. */
static int gz_errno(gzFile gz, int saved_errno)
{
	int zerr;

	gzerror(gz, &zerr);
	if (zerr == Z_ERRNO)
		return saved_errno ? -saved_errno : -EIO;
	return zerr == Z_MEM_ERROR ? -ENOMEM : -EIO;
}

struct line_buf {
	char text[512];
	size_t len;
	bool overflow;
};

__attribute__((format(printf, 2, 3))) static void append(struct line_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->text + b->len, sizeof(b->text) - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(b->text) - b->len)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

static int put(struct recording_writer *w, const char *text, size_t len)
{
	if (w->error)
		return w->error;
	errno = 0;
	if (len > 0 && gzwrite(w->gz, text, (unsigned int)len) != (int)len)
		w->error = gz_errno(w->gz, errno);
	return w->error;
}

int recording_create(const char *path, const bool has[ROLE_COUNT], struct recording_writer **out,
		     char *err, size_t err_len)
{
	struct recording_writer *w;
	struct line_buf header = { .len = 0 };
	int ret;

	*out = NULL;
	if (!has[ROLE_TRUNK] && !has[ROLE_HEAD]) {
		snprintf(err, err_len, "%s: no sensor to record", path);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	errno = 0;
	w->gz = gzopen(path, ends_with(path, ".gz") ? "wb6" : "wbT");
	if (!w->gz) {
		ret = errno ? -errno : -ENOMEM;
		snprintf(err, err_len, "%s: cannot create: %s", path, strerror(-ret));
		free(w);
		return ret;
	}
	append(&header,
	       FORMAT_LINE "\n# written by postured %s"
			   ": t in s, accel in m/s^2, gyro in rad/s, sensor axes\nt",
	       postured_version);
	for (int role = 0; role < ROLE_COUNT; role++) {
		w->has[role] = has[role];
		for (int a = 0; has[role] && a < AXES_PER_ROLE; a++)
			append(&header, ",%s.%s", role_name((enum sensor_role)role),
			       axis_suffix[a]);
	}
	append(&header, "\n");
	ret = header.overflow ? -EOVERFLOW : put(w, header.text, header.len);
	if (ret < 0) {
		snprintf(err, err_len, "%s: cannot write: %s", path, strerror(-ret));
		gzclose_w(w->gz);
		free(w);
		return ret;
	}
	*out = w;
	return 0;
}

int recording_write(struct recording_writer *w, const struct frame *f)
{
	struct line_buf row = { .len = 0 };

	if (w->error)
		return w->error;
	if (!isfinite(f->t_s))
		return -EINVAL;
	for (int role = 0; role < ROLE_COUNT; role++) {
		if (!w->has[role])
			continue;
		if (!f->has[role])
			return -EINVAL;
		for (int a = 0; a < 3; a++)
			if (!isfinite(f->imu[role].accel_m_s2[a]) ||
			    !isfinite(f->imu[role].gyro_rad_s[a]))
				return -EINVAL;
	}
	append(&row, "%.6f", f->t_s);
	for (int role = 0; role < ROLE_COUNT; role++) {
		const struct imu_sample *imu = &f->imu[role];

		if (w->has[role])
			append(&row, ",%.6g,%.6g,%.6g,%.6g,%.6g,%.6g", imu->accel_m_s2[0],
			       imu->accel_m_s2[1], imu->accel_m_s2[2], imu->gyro_rad_s[0],
			       imu->gyro_rad_s[1], imu->gyro_rad_s[2]);
	}
	append(&row, "\n");
	/* The widest finite row is under 500 bytes; the check keeps a future column honest. */
	return row.overflow ? -EINVAL : put(w, row.text, row.len);
}

int recording_finish(struct recording_writer *w)
{
	int ret, zret;

	if (!w)
		return 0;
	ret = w->error;
	errno = 0;
	zret = gzclose_w(w->gz);
	if (ret == 0 && zret != Z_OK)
		ret = zret == Z_ERRNO && errno ? -errno : zret == Z_MEM_ERROR ? -ENOMEM : -EIO;
	free(w);
	return ret;
}
