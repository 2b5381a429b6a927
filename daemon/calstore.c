/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stored calibration: a small text file a person can read. A damaged or hand-edited file is
 * rejected with the line to blame, and the daemon recalibrates: a wrong reference would make
 * every angle wrong, which is worse than a few seconds of calibrating.
 * The gyro bias lives in a file of its own: it belongs to the sensor, not to the wearer, and is
 * saved at other times (after rest) than the calibration, so neither write can damage the other.
 */
#include "postured/calstore.h"
#include "postured/text.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "postured/vec3.h"

#define CAL_FILE "calibration"
#define CAL_MAGIC "# postured calibration"
/* We write 9 significant digits, so anything further from unit length was not written by us. */
#define UNIT_TOLERANCE 0.01
/* |cos| between forward and up: 0.01 is 0.57 deg away from perpendicular. */
#define ORTHO_TOLERANCE 0.01
#define SHOWN_MAX 60
#define MODE_FILE "mode"
#define MODE_MAGIC "# postured mode"
#define BIAS_FILE "gyro-bias"
#define BIAS_MAGIC "# postured gyro bias"
#define BIAS_KEY "gyro_bias_rad_s"
/* Beyond any MEMS gyro's zero-rate offset (MPU-6050: +-20 deg/s): not a bias postured learned. */
#define BIAS_LIMIT_RAD_S (20.0 * RAD_PER_DEG)

enum cal_vector {
	VEC_UP,
	VEC_FORWARD,
	VEC_WALKING,
	VEC_COUNT,
};

static const char *const vector_name[VEC_COUNT] = { "up", "forward", "walking" };

struct cal_file {
	const char *path;
	double v[ROLE_COUNT][VEC_COUNT][3];
	unsigned long line_of[ROLE_COUNT][VEC_COUNT]; /* 0: not in the file */
};

static bool parse_key(const char *key, int *role, int *vec)
{
	char name[32];

	for (int r = 0; r < ROLE_COUNT; r++) {
		for (int v = 0; v < VEC_COUNT; v++) {
			snprintf(name, sizeof(name), "%s.%s", role_name((enum sensor_role)r),
				 vector_name[v]);
			if (strcmp(key, name) == 0) {
				*role = r;
				*vec = v;
				return true;
			}
		}
	}
	return false;
}

static bool parse_vector(const char *s, double out[3])
{
	char *end;

	for (int i = 0; i < 3; i++) {
		out[i] = strtod(s, &end);
		if (end == s || !isfinite(out[i]))
			return false;
		s = end;
	}
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

static int parse_cal_line(void *ctx, char *line, unsigned long line_no, char *err, size_t err_len)
{
	struct cal_file *cf = ctx;
	char *eq = strchr(line, '=');
	char *key;
	int role, vec;
	double *v;
	double norm;

	if (!eq) {
		snprintf(err, err_len, "%s:%lu: expected 'trunk.up = x y z', found '%.*s'",
			 cf->path, line_no, SHOWN_MAX, line);
		return -EINVAL;
	}
	*eq = '\0';
	key = text_trim(line);
	if (!parse_key(key, &role, &vec)) {
		snprintf(err, err_len,
			 "%s:%lu: unknown key '%.*s' (expected trunk.up, trunk.forward, "
			 "trunk.walking, or the same for head)",
			 cf->path, line_no, SHOWN_MAX, key);
		return -EINVAL;
	}
	if (cf->line_of[role][vec]) {
		snprintf(err, err_len, "%s:%lu: %s is set twice (first on line %lu)", cf->path,
			 line_no, key, cf->line_of[role][vec]);
		return -EINVAL;
	}
	v = cf->v[role][vec];
	if (!parse_vector(eq + 1, v)) {
		snprintf(err, err_len, "%s:%lu: %s needs three numbers, like 0 0 1", cf->path,
			 line_no, key);
		return -EINVAL;
	}
	norm = vec3_norm(v);
	if (fabs(norm - 1.0) > UNIT_TOLERANCE) {
		snprintf(err, err_len,
			 "%s:%lu: %s has length %.3f, not 1: not a direction postured "
			 "wrote",
			 cf->path, line_no, key, norm);
		return -EINVAL;
	}
	vec3_normalize(v);
	cf->line_of[role][vec] = line_no;
	return 0;
}

/* Cross-checks the vectors and fills cal. */
static int finish(struct cal_file *cf, struct calibration *cal, char *err, size_t err_len)
{
	struct calibration c;

	memset(&c, 0, sizeof(c));
	for (int r = 0; r < ROLE_COUNT; r++) {
		const char *name = role_name((enum sensor_role)r);
		double *up = cf->v[r][VEC_UP], *fwd = cf->v[r][VEC_FORWARD];
		unsigned long up_line = cf->line_of[r][VEC_UP],
			      fwd_line = cf->line_of[r][VEC_FORWARD];
		double d;

		if (!up_line && fwd_line) {
			snprintf(err, err_len, "%s:%lu: %s.forward without %s.up", cf->path,
				 fwd_line, name, name);
			return -EINVAL;
		}
		/* Walking evidence belongs to the mounting: it may outlive a reference. */
		if (cf->line_of[r][VEC_WALKING]) {
			vec3_copy(c.walking_up[r], cf->v[r][VEC_WALKING]);
			c.walking_known[r] = true;
		}
		if (!up_line)
			continue;
		c.has[r] = true;
		vec3_copy(c.up_ref[r], up);
		if (!fwd_line)
			continue;
		d = vec3_dot(fwd, up);
		if (fabs(d) > ORTHO_TOLERANCE) {
			snprintf(err, err_len,
				 "%s:%lu: %s.forward is %.1f deg off perpendicular to "
				 "%s.up",
				 cf->path, fwd_line > up_line ? fwd_line : up_line, name,
				 fabs(90.0 - acos(d) * DEG_PER_RAD), name);
			return -EINVAL;
		}
		/* Make it exactly perpendicular: posture.c relies on an orthonormal pair. */
		for (int i = 0; i < 3; i++)
			c.forward[r][i] = fwd[i] - d * up[i];
		vec3_normalize(c.forward[r]);
		c.forward_known[r] = true;
	}
	if (!c.has[ROLE_TRUNK] && !c.has[ROLE_HEAD]) {
		snprintf(err, err_len,
			 "%s: holds no sensor (expected a line like 'trunk.up = 0 0 1')", cf->path);
		return -EINVAL;
	}
	c.valid = true;
	*cal = c;
	return 0;
}

/*
 * Reads path line by line: the first must start with magic (what kind of file it is), then
 * blank lines and comments are skipped and each other line goes to parse with its number.
 * example is a line to show when the file is empty.
 */
static int read_lines(const char *path, const char *magic, const char *what, const char *example,
		      int (*parse)(void *ctx, char *line, unsigned long line_no, char *err,
				   size_t err_len),
		      void *ctx, char *err, size_t err_len)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long line_no = 0;
	bool seen_magic = false;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (ret == -ENOENT)
			snprintf(err, err_len, "%s: no stored %s", path, what);
		else
			snprintf(err, err_len, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	for (;;) {
		ssize_t n;
		char *s;

		errno = 0;
		n = getline(&line, &cap, f);
		if (n < 0) {
			if (ferror(f)) {
				ret = errno ? -errno : -EIO;
				snprintf(err, err_len, "%s: cannot read: %s", path, strerror(-ret));
			}
			break;
		}
		line_no++;
		s = text_trim(line);
		if (!seen_magic) {
			if (strncmp(s, magic, strlen(magic)) != 0) {
				snprintf(err, err_len,
					 "%s:%lu: not a postured %s file (the first line "
					 "should be '%s')",
					 path, line_no, what, magic);
				ret = -EINVAL;
				break;
			}
			seen_magic = true;
			continue;
		}
		if (*s == '\0' || *s == '#')
			continue;
		ret = parse(ctx, s, line_no, err, err_len);
		if (ret < 0)
			break;
	}
	free(line);
	fclose(f);
	if (ret == 0 && !seen_magic) {
		snprintf(err, err_len, "%s: is empty (expected '%s' and a line like '%s')", path,
			 magic, example);
		ret = -EINVAL;
	}
	return ret;
}

int calstore_load(const char *dir, struct calibration *cal, char *err, size_t err_len)
{
	struct cal_file cf;
	char path[PATH_MAX];
	int ret;

	memset(&cf, 0, sizeof(cf));
	cf.path = path;
	snprintf(path, sizeof(path), "%s/" CAL_FILE, dir);
	ret = read_lines(path, CAL_MAGIC, "calibration", "trunk.up = 0 0 1", parse_cal_line, &cf,
			 err, err_len);
	if (ret == 0)
		ret = finish(&cf, cal, err, err_len);
	return ret;
}

/* mkdir -p, with 0700 for what it creates: the calibration is the wearer's business. */
static int make_dirs(const char *dir, char *err, size_t err_len)
{
	char p[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(p)) {
		snprintf(err, err_len, "'%.*s': not a usable state directory", SHOWN_MAX, dir);
		return -EINVAL;
	}
	memcpy(p, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			int e = errno;

			snprintf(err, err_len,
				 "%s: cannot create directory: %s (check [calibration] "
				 "state_dir)",
				 p, strerror(e));
			return -e;
		}
		p[i] = dir[i];
	}
	return 0;
}

static void print_cal(FILE *f, const void *data)
{
	const struct calibration *cal = data;

	fprintf(f, CAL_MAGIC "\n# unit vectors in sensor axes: up when upright, the wearer's "
			     "forward, and up while walking\n");
	for (int r = 0; r < ROLE_COUNT; r++) {
		const char *name = role_name((enum sensor_role)r);

		if (cal->has[r]) {
			fprintf(f, "%s.up = %.9g %.9g %.9g\n", name, cal->up_ref[r][0],
				cal->up_ref[r][1], cal->up_ref[r][2]);
			if (cal->forward_known[r])
				fprintf(f, "%s.forward = %.9g %.9g %.9g\n", name,
					cal->forward[r][0], cal->forward[r][1], cal->forward[r][2]);
		}
		/* Walking evidence belongs to the mounting: kept for a role not calibrated now. */
		if (cal->walking_known[r])
			fprintf(f, "%s.walking = %.9g %.9g %.9g\n", name, cal->walking_up[r][0],
				cal->walking_up[r][1], cal->walking_up[r][2]);
	}
}

static int write_file(int fd, void (*print)(FILE *f, const void *data), const void *data)
{
	FILE *f = fdopen(fd, "w");
	int ret = 0;

	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	print(f, data);
	if (fflush(f) != 0 || ferror(f))
		ret = errno ? -errno : -EIO;
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

/* Writes dir/name atomically: a temporary file, synced, renamed over it, the directory synced. */
static int save_atomic(const char *dir, const char *name, void (*print)(FILE *f, const void *data),
		       const void *data, char *err, size_t err_len)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, dfd, ret;

	ret = make_dirs(dir, err, err_len);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: cannot create a file there: %s", dir, strerror(-ret));
		return ret;
	}
	errno = 0;
	ret = write_file(fd, print, data);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0) {
		unlink(tmp);
		snprintf(err, err_len, "%s: cannot write: %s", path, strerror(-ret));
		return ret;
	}
	/* The rename is only durable once the directory is on disk too. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		ret = -errno;
		snprintf(err, err_len, "%s: cannot sync the directory: %s", dir, strerror(-ret));
	}
	if (dfd >= 0)
		close(dfd);
	return ret;
}

int calstore_save(const char *dir, const struct calibration *cal, char *err, size_t err_len)
{
	if (!cal->valid || (!cal->has[ROLE_TRUNK] && !cal->has[ROLE_HEAD])) {
		snprintf(err, err_len, "%s: nothing to save: no sensor is calibrated", dir);
		return -EINVAL;
	}
	return save_atomic(dir, CAL_FILE, print_cal, cal, err, err_len);
}

struct bias_file {
	const char *path;
	struct gyro_bias gb;
	unsigned long line_of[ROLE_COUNT]; /* 0: not in the file */
};

static int parse_bias_line(void *ctx, char *line, unsigned long line_no, char *err, size_t err_len)
{
	struct bias_file *bf = ctx;
	char *eq = strchr(line, '='), *key, name[32];
	double *b;
	int role = -1;

	if (!eq) {
		snprintf(err, err_len,
			 "%s:%lu: expected 'trunk." BIAS_KEY " = x y z', found '%.*s'", bf->path,
			 line_no, SHOWN_MAX, line);
		return -EINVAL;
	}
	*eq = '\0';
	key = text_trim(line);
	for (int r = 0; r < ROLE_COUNT; r++) {
		snprintf(name, sizeof(name), "%s." BIAS_KEY, role_name((enum sensor_role)r));
		if (strcmp(key, name) == 0)
			role = r;
	}
	if (role < 0) {
		snprintf(err, err_len,
			 "%s:%lu: unknown key '%.*s' (expected trunk." BIAS_KEY " or "
			 "head." BIAS_KEY ")",
			 bf->path, line_no, SHOWN_MAX, key);
		return -EINVAL;
	}
	if (bf->line_of[role]) {
		snprintf(err, err_len, "%s:%lu: %s is set twice (first on line %lu)", bf->path,
			 line_no, key, bf->line_of[role]);
		return -EINVAL;
	}
	b = bf->gb.bias_rad_s[role];
	if (!parse_vector(eq + 1, b)) {
		snprintf(err, err_len, "%s:%lu: %s needs three numbers in rad/s, like 0.01 -0.02 0",
			 bf->path, line_no, key);
		return -EINVAL;
	}
	for (int i = 0; i < 3; i++) {
		if (fabs(b[i]) > BIAS_LIMIT_RAD_S) {
			snprintf(err, err_len,
				 "%s:%lu: %s: %g rad/s is beyond any gyro's bias (%.2f "
				 "rad/s): not a value postured wrote",
				 bf->path, line_no, key, b[i], BIAS_LIMIT_RAD_S);
			return -EINVAL;
		}
	}
	bf->line_of[role] = line_no;
	bf->gb.has[role] = true;
	return 0;
}

int calstore_load_bias(const char *dir, struct gyro_bias *gb, char *err, size_t err_len)
{
	struct bias_file bf;
	char path[PATH_MAX];
	int ret;

	memset(&bf, 0, sizeof(bf));
	bf.path = path;
	snprintf(path, sizeof(path), "%s/" BIAS_FILE, dir);
	ret = read_lines(path, BIAS_MAGIC, "gyro bias", "trunk." BIAS_KEY " = 0.01 -0.02 0",
			 parse_bias_line, &bf, err, err_len);
	if (ret == 0 && !bf.gb.has[ROLE_TRUNK] && !bf.gb.has[ROLE_HEAD]) {
		snprintf(err, err_len,
			 "%s: holds no sensor (expected a line like 'trunk." BIAS_KEY
			 " = 0.01 -0.02 0')",
			 path);
		ret = -EINVAL;
	}
	if (ret == 0)
		*gb = bf.gb;
	return ret;
}

static void print_bias(FILE *f, const void *data)
{
	const struct gyro_bias *gb = data;

	fprintf(f, BIAS_MAGIC "\n# rad/s in sensor axes, learned at rest; restored with a margin "
			      "for the temperature\n");
	for (int r = 0; r < ROLE_COUNT; r++) {
		const double *b = gb->bias_rad_s[r];

		if (gb->has[r])
			fprintf(f, "%s." BIAS_KEY " = %.9g %.9g %.9g\n",
				role_name((enum sensor_role)r), b[0], b[1], b[2]);
	}
}

int calstore_save_bias(const char *dir, const struct gyro_bias *gb, char *err, size_t err_len)
{
	if (!gb->has[ROLE_TRUNK] && !gb->has[ROLE_HEAD]) {
		snprintf(err, err_len, "%s: no gyro bias to save", dir);
		return -EINVAL;
	}
	for (int r = 0; r < ROLE_COUNT; r++) {
		for (int i = 0; gb->has[r] && i < 3; i++) {
			if (!(fabs(gb->bias_rad_s[r][i]) <= BIAS_LIMIT_RAD_S)) {
				snprintf(err, err_len,
					 "%s: the %s gyro bias %g rad/s is not a bias: not "
					 "saved",
					 dir, role_name((enum sensor_role)r), gb->bias_rad_s[r][i]);
				return -EINVAL;
			}
		}
	}
	return save_atomic(dir, BIAS_FILE, print_bias, gb, err, err_len);
}

struct mode_file {
	const char *path;
	struct stored_mode m;
	bool has_mode, has_ini;
};

static int parse_mode_line(void *ctx, char *line, unsigned long line_no, char *err, size_t err_len)
{
	struct mode_file *mf = ctx;
	char *eq = strchr(line, '='), *key, *value;
	enum alert_mode mode;

	if (eq) {
		*eq = '\0';
		key = text_trim(line);
		value = text_trim(eq + 1);
		if (alert_mode_parse(value, &mode) == 0 && strcmp(key, "mode") == 0) {
			mf->m.mode = mode;
			mf->has_mode = true;
			return 0;
		}
		if (alert_mode_parse(value, &mode) == 0 && strcmp(key, "ini_mode") == 0) {
			mf->m.ini_mode = mode;
			mf->has_ini = true;
			return 0;
		}
	}
	snprintf(err, err_len,
		 "%s:%lu: expected 'mode = iso|training|tracking' or 'ini_mode = ...', found "
		 "'%.*s'",
		 mf->path, line_no, SHOWN_MAX, eq ? key : line);
	return -EINVAL;
}

int calstore_load_mode(const char *dir, struct stored_mode *m, char *err, size_t err_len)
{
	struct mode_file mf;
	char path[PATH_MAX];
	int ret;

	memset(&mf, 0, sizeof(mf));
	mf.path = path;
	snprintf(path, sizeof(path), "%s/" MODE_FILE, dir);
	ret = read_lines(path, MODE_MAGIC, "mode", "mode = training", parse_mode_line, &mf, err,
			 err_len);
	if (ret == 0 && (!mf.has_mode || !mf.has_ini)) {
		snprintf(err, err_len, "%s: needs both 'mode = ...' and 'ini_mode = ...' lines",
			 path);
		ret = -EINVAL;
	}
	if (ret == 0)
		*m = mf.m;
	return ret;
}

static void print_mode(FILE *f, const void *data)
{
	const struct stored_mode *m = data;

	fprintf(f,
		MODE_MAGIC
		"\n# chosen at run time (posturectl mode); ini_mode is [alerts] mode "
		"then: editing that key overrides this choice\nmode = %s\nini_mode = %s\n",
		alert_mode_name(m->mode), alert_mode_name(m->ini_mode));
}

int calstore_save_mode(const char *dir, const struct stored_mode *m, char *err, size_t err_len)
{
	return save_atomic(dir, MODE_FILE, print_mode, m, err, err_len);
}

uint64_t calstore_saved_usec(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/" CAL_FILE, dir);
	if (stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_mtim.tv_sec * 1000000u + (uint64_t)st.st_mtim.tv_nsec / 1000u;
}

int calstore_set_taken_usec(const char *dir, uint64_t usec)
{
	char path[PATH_MAX];
	struct timespec times[2] = {
		{ .tv_nsec = UTIME_OMIT },
		{ .tv_sec = (time_t)(usec / 1000000u), .tv_nsec = (long)(usec % 1000000u) * 1000 },
	};

	snprintf(path, sizeof(path), "%s/" CAL_FILE, dir);
	return utimensat(AT_FDCWD, path, times, 0) < 0 ? -errno : 0;
}
