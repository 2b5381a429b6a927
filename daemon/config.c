/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ini file and its drop-ins (the .ini files of PATH.d, read after it in name order), parsed
 * by inih through our own line reader. The reader counts lines (inih's handler gets no line
 * number in Debian's build), strips leading blanks (so an indented key is a key, not one of
 * inih's multi-line continuations), checks section names (inih does not report them), rejects
 * over-long lines (older inih silently split them) and cuts inline comments. One table describes
 * every key: parsing, range checks, messages, config_log and what a change to the key needs on a
 * reload (config_changes) all come from it; each value's origin (file, line) is kept while
 * reading, for messages and --dump-config.
 */
#include "postured/config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "postured/axes.h"
#include "postured/bus.h"
#include "postured/gpio.h"
#include "postured/log.h"
#include "postured/text.h"
#include "postured/vec3.h"

enum key_type {
	KEY_BOOL,
	KEY_DOUBLE,
	KEY_UINT,
	KEY_STRING,
	KEY_FORWARD, /* "auto" or a signed axis, into posture.forward_mode/forward_axis[role] */
	KEY_PATTERN, /* a struct haptic_pattern */
};

/* Writes what is wrong with value, to follow "key = ", into msg; false if it is fine. */
typedef bool (*string_check_fn)(const char *value, char *msg, size_t len);

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;		/* into struct config */
	size_t size;		/* KEY_STRING: buffer size */
	double min, max;	/* KEY_DOUBLE, KEY_UINT: allowed range in the file's unit */
	bool zero_allowed;	/* 0 is accepted outside min..max ("never", "unknown") */
	double stored_per_unit; /* KEY_DOUBLE: stored value = file value * this (deg -> rad) */
	string_check_fn check;	/* KEY_STRING: optional validation */
	int role;		/* KEY_FORWARD */
	unsigned int needs; /* enum config_need: what a change to it takes beyond new settings */
};

/* One key a line reads best as the table it is: the formatter leaves it alone. */
/* clang-format off */
#define OFF(member) offsetof(struct config, member)
#define BOOL_KEY(sec, name, member, needs) \
	{ sec, name, KEY_BOOL, OFF(member), 0, 0, 0, false, 1, NULL, 0, needs }
#define NUM_KEY(sec, name, member, lo, hi) \
	{ sec, name, KEY_DOUBLE, OFF(member), 0, lo, hi, false, 1, NULL, 0, 0 }
#define NUM0_KEY(sec, name, member, lo, hi) \
	{ sec, name, KEY_DOUBLE, OFF(member), 0, lo, hi, true, 1, NULL, 0, 0 }
#define STR_KEY(sec, name, member, check, needs) \
	{ sec, name, KEY_STRING, OFF(member), sizeof(((struct config *)0)->member), 0, 0, false, 1, \
	  check, 0, needs }

static bool check_uri(const char *value, char *msg, size_t len);
static bool check_capture(const char *value, char *msg, size_t len);
static bool check_device(const char *value, char *msg, size_t len);
static bool check_chip(const char *value, char *msg, size_t len);
static bool check_remap(const char *value, char *msg, size_t len);
static bool check_state_dir(const char *value, char *msg, size_t len);
static bool check_backend(const char *value, char *msg, size_t len);
static bool check_mode(const char *value, char *msg, size_t len);
static bool check_quiet_hours(const char *value, char *msg, size_t len);
static bool check_group(const char *value, char *msg, size_t len);
static bool check_bias(const char *value, char *msg, size_t len);

#define SENSOR_KEYS(role, sec) \
	BOOL_KEY(sec, "enabled", sensor[role].enabled, CONFIG_NEEDS_INPUT), \
	STR_KEY(sec, "device", sensor[role].device, check_device, CONFIG_NEEDS_INPUT), \
	STR_KEY(sec, "label", sensor[role].label, NULL, CONFIG_NEEDS_INPUT), \
	STR_KEY(sec, "address", sensor[role].address, NULL, CONFIG_NEEDS_INPUT), \
	STR_KEY(sec, "axes", sensor[role].axes, check_remap, CONFIG_NEEDS_INPUT), \
	{ sec, "forward_axis", KEY_FORWARD, 0, 0, 0, 0, false, 1, NULL, role, 0 }

#define RULE_KEYS(a, p) \
	BOOL_KEY("detector", p "_enabled", detector.rule[a].enabled, 0), \
	NUM_KEY("detector", p "_threshold_deg", detector.rule[a].threshold_deg, 1, 89), \
	NUM_KEY("detector", p "_hold_s", detector.rule[a].hold_s, 1, 7200), \
	NUM_KEY("detector", p "_max_deg", detector.rule[a].max_deg, 2, 90), \
	NUM_KEY("detector", p "_hold_at_max_s", detector.rule[a].hold_at_max_s, 1, 7200)

static const struct key keys[] = {
	STR_KEY("input", "uri", uri, check_uri, CONFIG_NEEDS_INPUT),
	{ "input", "rate_hz", KEY_DOUBLE, OFF(rate_hz), 0, 1, 1000, false, 1, NULL, 0,
	  CONFIG_NEEDS_INPUT },
	STR_KEY("input", "capture", capture, check_capture, CONFIG_NEEDS_INPUT),

	SENSOR_KEYS(ROLE_TRUNK, "trunk"),
	SENSOR_KEYS(ROLE_HEAD, "head"),

	NUM_KEY("estimator", "tau_s", estimator.tau_s, 0.1, 60),
	NUM_KEY("estimator", "bias_tau_s", estimator.bias_tau_s, 0.1, 600),
	{ "estimator", "rest_gyro_deg_s", KEY_DOUBLE, OFF(estimator.rest_gyro_rad_s), 0, 0.1, 50,
	  false, RAD_PER_DEG, NULL, 0, 0 },
	NUM_KEY("estimator", "rest_accel_m_s2", estimator.rest_accel_m_s2, 0.01, 5),
	{ "estimator", "gyro_range_deg_s", KEY_DOUBLE, OFF(estimator.gyro_range_rad_s), 0, 100,
	  5000, true, RAD_PER_DEG, NULL, 0, 0 },

	NUM_KEY("calibration", "still_s", reference.still_s, 0.5, 60),
	NUM_KEY("calibration", "settle_deg", reference.settle_deg, 0.5, 20),
	{ "calibration", "worn_gyro_deg_s", KEY_DOUBLE, OFF(reference.worn_gyro_rad_s), 0, 0.01, 10,
	  true, RAD_PER_DEG, NULL, 0, 0 },
	NUM_KEY("calibration", "learn_forward_deg", reference.learn_forward_deg, 5, 60),
	NUM_KEY("calibration", "learn_forward_s", reference.learn_forward_s, 0.2, 60),
	NUM0_KEY("calibration", "walk_check_s", reference.walk_check_s, 10, 3600),
	NUM_KEY("calibration", "walk_margin_deg", reference.walk_margin_deg, 3, 45),
	NUM_KEY("calibration", "walk_lean_deg", reference.walk_lean_deg, 0, 20),
	/* Read at each save: the next one goes to the new directory. */
	STR_KEY("calibration", "state_dir", state_dir, check_state_dir, 0),

	RULE_KEYS(ANGLE_TRUNK, "trunk"),
	RULE_KEYS(ANGLE_NECK, "neck"),
	RULE_KEYS(ANGLE_LATERAL, "lateral"),
	RULE_KEYS(ANGLE_HEAD, "head"),
	NUM_KEY("detector", "hysteresis_deg", detector.hysteresis_deg, 0, 30),
	NUM0_KEY("detector", "realert_s", detector.realert_s, 5, 3600),
	NUM_KEY("detector", "movement_break_s", detector.movement_break_s, 1, 600),
	NUM_KEY("detector", "lying_deg", activity.lying_deg, 30, 90),

	NUM_KEY("activity", "moving_accel_m_s2", activity.moving_accel_m_s2, 0.1, 10),
	{ "activity", "moving_gyro_deg_s", KEY_DOUBLE, OFF(activity.moving_gyro_rad_s), 0, 1, 500,
	  false, RAD_PER_DEG, NULL, 0, 0 },

	NUM0_KEY("journal", "summary_interval_s", summary_interval_s, 60, 86400),

	STR_KEY("alerts", "mode", mode, check_mode, 0),
	NUM_KEY("alerts", "training_hold_s", training_hold_s, 5, 600),
	NUM_KEY("alerts", "training_realert_s", training_realert_s, 5, 3600),
	STR_KEY("alerts", "quiet_hours", quiet_hours, check_quiet_hours, 0),
	BOOL_KEY("alerts", "correction_buzz", correction_buzz, 0),

	STR_KEY("haptic", "backend", haptic_backend, check_backend, CONFIG_NEEDS_MOTOR),
	STR_KEY("haptic", "chip", haptic_chip, check_chip, CONFIG_NEEDS_MOTOR),
	{ "haptic", "line", KEY_UINT, OFF(haptic_line), 0, 0, 1023, false, 1, NULL, 0,
	  CONFIG_NEEDS_MOTOR },
	BOOL_KEY("haptic", "active_low", haptic_active_low, CONFIG_NEEDS_MOTOR_WIRING),
	{ "haptic", "alert_pattern", KEY_PATTERN, OFF(alert_pattern), 0, 0, 0, false, 1, NULL, 0,
	  0 },
	{ "haptic", "calibrated_pattern", KEY_PATTERN, OFF(calibrated_pattern), 0, 0, 0, false, 1,
	  NULL, 0, 0 },
	{ "haptic", "repeat_alert_pattern", KEY_PATTERN, OFF(repeat_alert_pattern), 0, 0, 0, false, 1,
	  NULL, 0, 0 },
	{ "haptic", "urgent_alert_pattern", KEY_PATTERN, OFF(urgent_alert_pattern), 0, 0, 0, false, 1,
	  NULL, 0, 0 },
	{ "haptic", "correction_pattern", KEY_PATTERN, OFF(correction_pattern), 0, 0, 0, false, 1,
	  NULL, 0, 0 },

	/* Looked up at each method call: a reload applies it at once. */
	STR_KEY("bus", "group", bus_group, check_group, 0),

	STR_KEY("button", "backend", button_backend, check_backend, CONFIG_NEEDS_BUTTON),
	STR_KEY("button", "chip", button_chip, check_chip, CONFIG_NEEDS_BUTTON),
	{ "button", "line", KEY_UINT, OFF(button_line), 0, 0, 1023, false, 1, NULL, 0,
	  CONFIG_NEEDS_BUTTON },
	BOOL_KEY("button", "active_low", button_active_low, CONFIG_NEEDS_BUTTON),
	STR_KEY("button", "bias", button_bias, check_bias, CONFIG_NEEDS_BUTTON),
	/* Ranges that keep a long press longer than any debounce time. */
	NUM_KEY("button", "debounce_ms", button.debounce_ms, 0, 100),
	NUM_KEY("button", "long_press_ms", button.long_press_ms, 300, 10000),
	NUM_KEY("button", "snooze_s", snooze_s, 60, 86400),
	{ "button", "snooze_pattern", KEY_PATTERN, OFF(snooze_pattern), 0, 0, 0, false, 1, NULL, 0,
	  0 },
	{ "button", "calibrate_pattern", KEY_PATTERN, OFF(calibrate_pattern), 0, 0, 0, false, 1,
	  NULL, 0, 0 },
};
/* clang-format on */

#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))
#define MSG_MAX 512
/* Longer than any line inih accepts, so an over-long line is still seen as one. */
#define LINE_BUF_SIZE 1024
/* Values longer than this are cut in messages. */
#define VALUE_SHOWN_MAX 60
/* Names further than this (in edits) from every known one get no "did you mean". */
#define SUGGEST_MAX_EDITS 2

/* The main file, then the drop-ins of its "PATH.d" directory in the order they are read. */
struct file_list {
	char **paths;
	int n;
};

/* Where a value came from: files.paths[file], line (from 1); line 0: the built-in default. */
struct origin {
	int file;
	int line;
};

struct parse_state {
	struct config *cfg;
	struct file_list files;
	int file_index;	  /* the file being read */
	const char *path; /* its name, files.paths[file_index] */
	FILE *file;
	char buf[LINE_BUF_SIZE];
	int line;
	struct origin origin[KEY_COUNT];
	bool failed;
	int err_line; /* in the file being read */
	int err_errno;
	char *err;
	size_t err_len;
};

__attribute__((format(printf, 4, 0))) static void
vfail_at(struct parse_state *st, int err_errno, struct origin at, const char *fmt, va_list ap)
{
	const char *path = at.file < st->files.n ? st->files.paths[at.file] : st->path;
	char msg[MSG_MAX];

	if (st->failed)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (at.line > 0)
		snprintf(st->err, st->err_len, "%s:%d: %s", path, at.line, msg);
	else
		snprintf(st->err, st->err_len, "%s: %s", path, msg);
	st->failed = true;
	st->err_line = at.line;
	st->err_errno = err_errno;
}

/* An error at a line of the file being read (0: the file as a whole). */
__attribute__((format(printf, 4, 5))) static void fail(struct parse_state *st, int err_errno,
						       int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(st, err_errno, (struct origin){ st->file_index, line }, fmt, ap);
	va_end(ap);
}

/* An error found once every file is read, at the origin of the value that completed it. */
__attribute__((format(printf, 4, 5))) static void fail_at(struct parse_state *st, int err_errno,
							  struct origin at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(st, err_errno, at, fmt, ap);
	va_end(ap);
}

static void *field(struct config *cfg, const struct key *k)
{
	return (char *)cfg + k->offset;
}

static const void *cfield(const struct config *cfg, const struct key *k)
{
	return (const char *)cfg + k->offset;
}

/* Shortest decimal form to a thousandth: "50", "0.3", "2.865". */
static void format_double(double v, char *buf, size_t len)
{
	char *p;

	snprintf(buf, len, "%.3f", v);
	p = strchr(buf, '.');
	if (!p)
		return;
	p += strlen(p) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
}

static void format_value(const struct config *cfg, const struct key *k, char *buf, size_t len)
{
	switch (k->type) {
	case KEY_BOOL:
		snprintf(buf, len, "%s", *(const bool *)cfield(cfg, k) ? "true" : "false");
		break;
	case KEY_DOUBLE:
		format_double(*(const double *)cfield(cfg, k) / k->stored_per_unit, buf, len);
		break;
	case KEY_UINT:
		snprintf(buf, len, "%u", *(const unsigned int *)cfield(cfg, k));
		break;
	case KEY_STRING:
		snprintf(buf, len, "%s", (const char *)cfield(cfg, k));
		break;
	case KEY_FORWARD: {
		const double *v = cfg->posture.forward_axis[k->role];

		snprintf(buf, len, "auto");
		if (cfg->posture.forward_mode[k->role] != FORWARD_AXIS)
			break;
		for (int i = 0; i < 3; i++)
			if (fabs(v[i]) > 0.5)
				snprintf(buf, len, "%c%c", v[i] > 0 ? '+' : '-', "XYZ"[i]);
		break;
	}
	case KEY_PATTERN:
		haptic_pattern_format(cfield(cfg, k), buf, len);
		break;
	}
}

static bool check_uri(const char *value, char *msg, size_t len)
{
	if (value[0] != '\0')
		return false;
	snprintf(msg, len, "'' must be a libiio context URI, like local: or ip:HOSTNAME");
	return true;
}

static bool check_chip(const char *value, char *msg, size_t len)
{
	if (value[0] != '\0')
		return false;
	snprintf(msg, len, "'' must name a GPIO chip, like gpiochip0 (see gpioinfo)");
	return true;
}

static bool check_device(const char *value, char *msg, size_t len)
{
	if (value[0] != '\0')
		return false;
	snprintf(msg, len,
		 "'' must name the IIO device, like mpu6050 (see "
		 "/sys/bus/iio/devices/*/name)");
	return true;
}

static bool check_remap(const char *value, char *msg, size_t len)
{
	double m[3][3];

	return value[0] != '\0' && axes_parse_remap(value, m, msg, len) < 0;
}

static bool check_state_dir(const char *value, char *msg, size_t len)
{
	if (value[0] == '\0' || value[0] == '/')
		return false;
	snprintf(msg, len,
		 "'%s' must be an absolute path (or empty for $STATE_DIRECTORY, "
		 "else /var/lib/postured)",
		 value);
	return true;
}

static bool check_backend(const char *value, char *msg, size_t len)
{
	if (strcmp(value, "gpiod") == 0 || strcmp(value, "none") == 0)
		return false;
	snprintf(msg, len, "'%s' must be gpiod or none", value);
	return true;
}

static const char *const capture_names[CAPTURE_MODE_COUNT] = { "auto", "buffer", "poll" };

static bool check_capture(const char *value, char *msg, size_t len)
{
	for (int m = 0; m < CAPTURE_MODE_COUNT; m++)
		if (strcmp(value, capture_names[m]) == 0)
			return false;
	snprintf(msg, len, "'%s' must be auto, buffer or poll", value);
	return true;
}

const char *capture_mode_name(enum capture_mode mode)
{
	return (unsigned int)mode < CAPTURE_MODE_COUNT ? capture_names[mode] : "?";
}

enum capture_mode config_capture(const struct config *cfg)
{
	for (int m = 0; m < CAPTURE_MODE_COUNT; m++)
		if (strcmp(cfg->capture, capture_names[m]) == 0)
			return (enum capture_mode)m;
	/* Checked when the file was read: auto only stands in for a bug. */
	return CAPTURE_AUTO;
}

static bool check_mode(const char *value, char *msg, size_t len)
{
	enum alert_mode mode;

	if (alert_mode_parse(value, &mode) == 0)
		return false;
	snprintf(msg, len, "'%s' must be iso, training or tracking", value);
	return true;
}

static bool check_quiet_hours(const char *value, char *msg, size_t len)
{
	struct quiet_hours q;

	return quiet_hours_parse(value, &q, msg, len) < 0;
}

/* The rule of useradd and systemd-sysusers: a letter or '_', then letters, digits, '_', '-'. */
static bool check_group(const char *value, char *msg, size_t len)
{
	size_t n = strlen(value);
	bool ok = n > 0 && n <= 31 && (isalpha((unsigned char)value[0]) || value[0] == '_');

	for (size_t i = 1; ok && i < n; i++)
		ok = isalnum((unsigned char)value[i]) || value[i] == '_' || value[i] == '-';
	if (ok)
		return false;
	snprintf(msg, len,
		 "'%s' must be a group name (up to 31 letters, digits, '_' or '-', not starting "
		 "with a digit or '-')",
		 value);
	return true;
}

static bool check_bias(const char *value, char *msg, size_t len)
{
	enum gpio_bias bias;

	if (gpio_bias_parse(value, &bias) == 0)
		return false;
	snprintf(msg, len, "'%s' must be pull-up, pull-down or as-is", value);
	return true;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *skip_digits(const char *s)
{
	while (isdigit((unsigned char)*s))
		s++;
	return s;
}

/*
 * Plain decimal, as people write numbers: an optional sign, digits with an optional fraction
 * and an optional exponent ("50", "-2.5", ".5", "1e3"). strtod alone would also take "0x32" as
 * 50, and "inf" or "nan"; none of them is what a user of this file means.
 */
static bool is_decimal(const char *v)
{
	const char *s = v + (*v == '+' || *v == '-');
	const char *int_end = skip_digits(s);
	const char *end = int_end;

	if (*end == '.')
		end = skip_digits(end + 1);
	if (end == s || (end == int_end + 1 && int_end == s))
		return false;
	if (*end == 'e' || *end == 'E') {
		const char *exp = end + 1 + (end[1] == '+' || end[1] == '-');

		end = skip_digits(exp);
		if (end == exp)
			return false;
	}
	return *end == '\0';
}

/* A value too large for a double becomes infinite, and then fails the range check. */
static int parse_number(const char *v, double *out)
{
	if (!is_decimal(v))
		return -EINVAL;
	*out = strtod(v, NULL);
	return 0;
}

static void format_range(const struct key *k, char *buf, size_t len)
{
	char lo[32], hi[32];

	format_double(k->min, lo, sizeof(lo));
	format_double(k->max, hi, sizeof(hi));
	snprintf(buf, len, "%s%s..%s", k->zero_allowed ? "0, or " : "", lo, hi);
}

static bool in_range(const struct key *k, double v)
{
	return (k->zero_allowed && v == 0.0) || (v >= k->min && v <= k->max);
}

/* Parses value into the key's field; on error reports it and returns false. */
static bool set_value(struct parse_state *st, const struct key *k, const char *value)
{
	int shown = (int)strnlen(value, VALUE_SHOWN_MAX + 1);
	const char *more = shown > VALUE_SHOWN_MAX ? "..." : "";
	char range[80], msg[MSG_MAX];
	double d;

	if (shown > VALUE_SHOWN_MAX)
		shown = VALUE_SHOWN_MAX;
	switch (k->type) {
	case KEY_BOOL:
		if (parse_bool(value, field(st->cfg, k)) == 0)
			return true;
		fail(st, EINVAL, st->line,
		     "%s = '%.*s%s' must be true or false (or yes/no, on/off, "
		     "1/0)",
		     k->name, shown, value, more);
		return false;
	case KEY_DOUBLE:
	case KEY_UINT:
		format_range(k, range, sizeof(range));
		if (parse_number(value, &d) < 0) {
			fail(st, EINVAL, st->line,
			     "%s = '%.*s%s' must be a %s (%s), written like %s", k->name, shown,
			     value, more,
			     k->type == KEY_UINT ? "whole decimal number" : "decimal number", range,
			     k->type == KEY_UINT ? "17" : "50, 2.5 or 1e3");
			return false;
		}
		if (!in_range(k, d)) {
			fail(st, EINVAL, st->line, "%s = %s is out of range (%s)", k->name, value,
			     range);
			return false;
		}
		if (k->type == KEY_DOUBLE) {
			*(double *)field(st->cfg, k) = d * k->stored_per_unit;
			return true;
		}
		if (d != floor(d)) {
			fail(st, EINVAL, st->line, "%s = %s is not a whole number (%s)", k->name,
			     value, range);
			return false;
		}
		*(unsigned int *)field(st->cfg, k) = (unsigned int)d;
		return true;
	case KEY_STRING:
		if (strlen(value) >= k->size) {
			fail(st, EINVAL, st->line,
			     "%s = '%.*s%s' is too long (at most %zu characters)", k->name, shown,
			     value, more, k->size - 1);
			return false;
		}
		if (k->check && k->check(value, msg, sizeof(msg))) {
			fail(st, EINVAL, st->line, "%s = %s", k->name, msg);
			return false;
		}
		snprintf(field(st->cfg, k), k->size, "%s", value);
		return true;
	case KEY_FORWARD: {
		struct posture_settings *p = &st->cfg->posture;

		if (strcasecmp(value, "auto") == 0) {
			p->forward_mode[k->role] = FORWARD_AUTO;
			return true;
		}
		if (axes_parse_axis(value, p->forward_axis[k->role]) == 0) {
			p->forward_mode[k->role] = FORWARD_AXIS;
			return true;
		}
		fail(st, EINVAL, st->line, "%s = '%.*s%s' must be auto or a signed axis like -X",
		     k->name, shown, value, more);
		return false;
	}
	case KEY_PATTERN:
		if (haptic_pattern_parse(value, field(st->cfg, k), msg, sizeof(msg)) == 0)
			return true;
		fail(st, EINVAL, st->line, "%s = '%.*s%s': %s", k->name, shown, value, more, msg);
		return false;
	}
	return false;
}

/* Optimal string alignment distance (a swap of neighbours is one edit), capped for speed. */
static int edit_distance(const char *a, const char *b)
{
	enum { N = 64 };
	int d[N + 1][N + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > N || lb > N)
		return N;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int best = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

static bool section_known(const char *section)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strcmp(keys[i].section, section) == 0)
			return true;
	return false;
}

/* The known section (or key in section) closest to name, or NULL when none is close. */
static const char *suggest(const char *section, const char *name)
{
	const char *best = NULL;
	int best_d = SUGGEST_MAX_EDITS + 1;

	for (size_t i = 0; i < KEY_COUNT; i++) {
		const char *cand = section ? keys[i].name : keys[i].section;
		int d;

		if (section && strcmp(keys[i].section, section) != 0)
			continue;
		d = edit_distance(name, cand);
		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	return best;
}

static int find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The sections of the key table in its order, "input, trunk, ...", into buf. */
static const char *section_list(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < KEY_COUNT && used < len; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(keys[j].section, keys[i].section) == 0;
		if (!seen)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 keys[i].section);
	}
	return buf;
}

static void check_section_line(struct parse_state *st, const char *line)
{
	const char *end = strchr(line, ']');
	char name[CONFIG_STR_MAX], all[MSG_MAX];
	const char *guess;

	if (!end) {
		fail(st, EINVAL, st->line, "'%.*s' has no closing ']'", VALUE_SHOWN_MAX, line);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(end - line - 1), line + 1);
	if (section_known(name))
		return;
	guess = suggest(NULL, name);
	if (guess)
		fail(st, EINVAL, st->line, "unknown section [%s] (did you mean [%s]?)", name,
		     guess);
	else
		fail(st, EINVAL, st->line, "unknown section [%s] (sections: %s)", name,
		     section_list(all, sizeof(all)));
}

/*
 * Reads one line (with its newline) into buf. Returns its length, -1 at the end of the file or on
 * a read error, -2 when it does not fit: a file without newlines (/dev/zero) must not eat memory.
 */
static ssize_t read_bounded(FILE *f, char *buf, size_t size)
{
	size_t n = 0;
	int c = EOF;

	while (n + 1 < size && (c = getc(f)) != EOF) {
		buf[n++] = (char)c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	if (n + 1 == size && c != '\n')
		return -2;
	return n == 0 ? -1 : (ssize_t)n;
}

/*
 * Cuts an inline comment off s: a '#' or ';' after a blank starts one, so both work as users of
 * ini files expect (inih alone knows only ';', fixed when the system library was built). One
 * without a blank before it is part of the value: "state_dir = /srv/a#b" keeps its '#'.
 */
static char *cut_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if ((*p == '#' || *p == ';') && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	return text_trim(s);
}

/*
 * inih's line reader. Returning NULL ends parsing, which is what we want after the first
 * error: only that one is reported, and what follows it may be a consequence of it.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	ssize_t n;
	char *s;
	size_t got, len;

	if (st->failed)
		return NULL;
	errno = 0;
	n = read_bounded(st->file, st->buf, sizeof(st->buf));
	if (n == -1) {
		if (ferror(st->file))
			fail(st, errno ? errno : EIO, 0, "cannot read: %s",
			     strerror(errno ? errno : EIO));
		return NULL;
	}
	st->line++;
	got = n == -2 ? sizeof(st->buf) - 1 : (size_t)n;
	if (strlen(st->buf) != got) {
		fail(st, EINVAL, st->line, "line contains a NUL byte: is this a text file?");
		return NULL;
	}
	s = st->buf;
	if (st->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s = text_trim(s);
	len = strlen(s);
	/* inih needs room for the newline and the terminator. */
	if (n == -2 || num < 2 || len > (size_t)num - 2) {
		fail(st, EINVAL, st->line, "line is longer than %d characters: shorten it",
		     num - 2);
		return NULL;
	}
	s = cut_comment(s);
	len = strlen(s);
	if (s[0] == '[')
		check_section_line(st, s);
	else if (s[0] != '\0' && s[0] != ';' && s[0] != '#' && !strpbrk(s, "=:"))
		fail(st, EINVAL, st->line,
		     "'%.*s%s' is not 'key = value', a [section] or a comment", VALUE_SHOWN_MAX, s,
		     len > VALUE_SHOWN_MAX ? "..." : "");
	if (st->failed)
		return NULL;
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int handle(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	const char *guess;
	int k;

	if (section[0] == '\0') {
		fail(st, EINVAL, st->line, "%s is outside any section: put it under its [section]",
		     name);
		return 0;
	}
	k = find_key(section, name);
	if (k < 0) {
		guess = suggest(section, name);
		if (guess)
			fail(st, EINVAL, st->line, "unknown key '%s' in [%s] (did you mean %s?)",
			     name, section, guess);
		else
			fail(st, EINVAL, st->line, "unknown key '%s' in [%s]", name, section);
		return 0;
	}
	/* A drop-in overrides what an earlier file set; one file sets a key once. */
	if (st->origin[k].line && st->origin[k].file == st->file_index) {
		fail(st, EINVAL, st->line,
		     "duplicate key %s in [%s], first set on line %d: keep one", name, section,
		     st->origin[k].line);
		return 0;
	}
	st->origin[k] = (struct origin){ st->file_index, st->line };
	return set_value(st, &keys[k], value);
}

static struct origin origin_of(const struct parse_state *st, const char *section, const char *name)
{
	int k = find_key(section, name);

	return k < 0 ? (struct origin){ 0, 0 } : st->origin[k];
}

/* The one read last; a default is read before any file. */
static struct origin later(struct origin a, struct origin b)
{
	if (a.line == 0 || (b.line && (b.file > a.file || (b.file == a.file && b.line > a.line))))
		return b;
	return a;
}

static void cross_check_rules(struct parse_state *st)
{
	const struct detector_settings *d = &st->cfg->detector;
	char a[32], b[32], key_a[64], key_b[64];

	for (int i = 0; i < ANGLE_COUNT; i++) {
		const struct angle_rule *r = &d->rule[i];
		const char *p = angle_name((enum posture_angle)i);

		if (!r->enabled)
			continue;
		snprintf(key_a, sizeof(key_a), "%s_max_deg", p);
		snprintf(key_b, sizeof(key_b), "%s_threshold_deg", p);
		format_double(r->max_deg, a, sizeof(a));
		format_double(r->threshold_deg, b, sizeof(b));
		if (r->max_deg <= r->threshold_deg)
			fail_at(st, EINVAL,
				later(origin_of(st, "detector", key_a),
				      origin_of(st, "detector", key_b)),
				"%s = %s must be above %s = %s", key_a, a, key_b, b);
		format_double(d->hysteresis_deg, a, sizeof(a));
		if (d->hysteresis_deg >= r->threshold_deg)
			fail_at(
			    st, EINVAL,
			    later(origin_of(st, "detector", "hysteresis_deg"),
				  origin_of(st, "detector", key_b)),
			    "hysteresis_deg = %s must be below %s = %s, or that lean could never "
			    "end",
			    a, key_b, b);
	}
	if (d->rule[ANGLE_TRUNK].enabled &&
	    st->cfg->activity.lying_deg <= d->rule[ANGLE_TRUNK].threshold_deg) {
		format_double(st->cfg->activity.lying_deg, a, sizeof(a));
		format_double(d->rule[ANGLE_TRUNK].threshold_deg, b, sizeof(b));
		fail_at(
		    st, EINVAL,
		    later(origin_of(st, "detector", "lying_deg"),
			  origin_of(st, "detector", "trunk_threshold_deg")),
		    "lying_deg = %s must be above trunk_threshold_deg = %s, or every trunk lean "
		    "would count as lying down",
		    a, b);
	}
	if (st->cfg->reference.learn_forward_deg >= st->cfg->activity.lying_deg) {
		format_double(st->cfg->reference.learn_forward_deg, a, sizeof(a));
		format_double(st->cfg->activity.lying_deg, b, sizeof(b));
		fail_at(
		    st, EINVAL,
		    later(origin_of(st, "calibration", "learn_forward_deg"),
			  origin_of(st, "detector", "lying_deg")),
		    "learn_forward_deg = %s must be below lying_deg = %s, or forward could never "
		    "be "
		    "learned",
		    a, b);
	}
}

/* The latest line that set any of [section]'s sensor selection keys. */
static struct origin sensor_origin(const struct parse_state *st, const char *section)
{
	static const char *const names[] = { "enabled", "device", "label", "address" };
	struct origin at = { 0, 0 };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		at = later(at, origin_of(st, section, names[i]));
	return at;
}

/* One line cannot be the motor's output and the button's input: say so before a busy line does. */
static void cross_check_button(struct parse_state *st)
{
	const struct config *c = st->cfg;
	struct origin at;

	if (strcmp(c->button_backend, "gpiod") != 0 || strcmp(c->haptic_backend, "gpiod") != 0 ||
	    strcmp(c->button_chip, c->haptic_chip) != 0 || c->button_line != c->haptic_line)
		return;
	at = later(later(origin_of(st, "button", "backend"), origin_of(st, "button", "chip")),
		   later(origin_of(st, "button", "line"),
			 later(origin_of(st, "haptic", "chip"), origin_of(st, "haptic", "line"))));
	fail_at(
	    st, EINVAL, at,
	    "[button] chip = %s, line = %u is the motor's line ([haptic] chip and line): wire the "
	    "button to another line and set [button] line to it",
	    c->button_chip, c->button_line);
}

static void cross_check_sensors(struct parse_state *st)
{
	const struct sensor_config *t = &st->cfg->sensor[ROLE_TRUNK];
	const struct sensor_config *h = &st->cfg->sensor[ROLE_HEAD];
	struct origin at = later(sensor_origin(st, "trunk"), sensor_origin(st, "head"));

	if (!t->enabled && !h->enabled)
		fail_at(st, EINVAL, at,
			"[trunk] and [head] are both disabled: enable at least the "
			"trunk sensor");
	else if (t->enabled && h->enabled && strcmp(t->device, h->device) == 0 &&
		 strcmp(t->label, h->label) == 0 && strcmp(t->address, h->address) == 0)
		fail_at(
		    st, EINVAL, at,
		    "[trunk] and [head] both select device = %s with the same "
		    "label and address: set address (e.g. 0x68 and 0x69) or label so each finds "
		    "its own sensor",
		    t->device);
}

void config_defaults(struct config *cfg)
{
	static const struct haptic_pattern alert = { 3, { 400, 200, 400 } };
	static const struct haptic_pattern calibrated = { 1, { 100 } };
	static const struct haptic_pattern repeat = { 5, { 400, 200, 400, 200, 400 } };
	static const struct haptic_pattern urgent = { 7, { 800, 200, 400, 200, 400, 200, 800 } };
	static const struct haptic_pattern correction = { 1, { 60 } };
	static const struct haptic_pattern snooze = { 1, { 60 } };
	static const struct haptic_pattern calibrate = { 5, { 60, 80, 60, 80, 60 } };

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->uri, sizeof(cfg->uri), "local:");
	cfg->rate_hz = 50.0;
	snprintf(cfg->capture, sizeof(cfg->capture), "auto");
	for (int r = 0; r < ROLE_COUNT; r++)
		snprintf(cfg->sensor[r].device, sizeof(cfg->sensor[r].device), "mpu6050");
	cfg->sensor[ROLE_TRUNK].enabled = true;
	estimator_default_settings(&cfg->estimator);
	activity_default_settings(&cfg->activity);
	reference_default_settings(&cfg->reference);
	posture_default_settings(&cfg->posture);
	detector_default_settings(&cfg->detector);
	cfg->summary_interval_s = 3600.0;
	snprintf(cfg->haptic_backend, sizeof(cfg->haptic_backend), "gpiod");
	snprintf(cfg->haptic_chip, sizeof(cfg->haptic_chip), "gpiochip0");
	cfg->haptic_line = 17;
	cfg->alert_pattern = alert;
	cfg->calibrated_pattern = calibrated;
	cfg->repeat_alert_pattern = repeat;
	cfg->urgent_alert_pattern = urgent;
	cfg->correction_pattern = correction;
	snprintf(cfg->mode, sizeof(cfg->mode), "iso");
	cfg->training_hold_s = 20.0;
	cfg->training_realert_s = 60.0;
	snprintf(cfg->bus_group, sizeof(cfg->bus_group), "%s", BUS_DEFAULT_GROUP);
	snprintf(cfg->button_backend, sizeof(cfg->button_backend), "none");
	snprintf(cfg->button_chip, sizeof(cfg->button_chip), "gpiochip0");
	/* Header pin 13, beside a ground (pin 14): a button fits across the two. */
	cfg->button_line = 27;
	cfg->button_active_low = true;
	snprintf(cfg->button_bias, sizeof(cfg->button_bias), "%s",
		 gpio_bias_name(GPIO_BIAS_PULL_UP));
	button_default_settings(&cfg->button);
	cfg->snooze_s = 1800.0;
	cfg->snooze_pattern = snooze;
	cfg->calibrate_pattern = calibrate;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "a special file";
}

static int refuse_kind(const char *path, mode_t mode, char *err, size_t err_len)
{
	snprintf(err, err_len,
		 "%s: cannot read: %s, not a regular file (pass the ini file's path "
		 "with --config PATH)",
		 path, file_kind(mode));
	return S_ISDIR(mode) ? -EISDIR : -EINVAL;
}

static int cannot_read(const char *path, int err_errno, char *err, size_t err_len)
{
	if (err_errno == ENOENT)
		snprintf(err, err_len,
			 "%s: cannot read: %s (copy the documented default "
			 "config/postured.ini from the postured sources there, or pass --config "
			 "PATH)",
			 path, strerror(err_errno));
	else
		snprintf(err, err_len, "%s: cannot read: %s", path, strerror(err_errno));
	return -err_errno;
}

/*
 * Opens path for reading if it is a regular file. Anything else is refused before it is read:
 * reading a FIFO or a terminal would block start-up, a reload or --check-config for ever, and
 * opening a device can have effects of its own. stat() keeps those from being opened at all;
 * O_NONBLOCK and fstat() cover one swapped in between, without waiting for a FIFO's writer.
 */
static FILE *open_regular(const char *path, char *err, size_t err_len, int *ret)
{
	struct stat sb;
	FILE *f;
	int fd;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		*ret = refuse_kind(path, sb.st_mode, err, err_len);
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		*ret = cannot_read(path, errno, err, err_len);
		return NULL;
	}
	if (fstat(fd, &sb) < 0)
		*ret = cannot_read(path, errno, err, err_len);
	else if (!S_ISREG(sb.st_mode))
		*ret = refuse_kind(path, sb.st_mode, err, err_len);
	/* O_NONBLOCK does not apply to a regular file's reads: it can stay. */
	else if ((f = fdopen(fd, "r")))
		return f;
	else
		*ret = cannot_read(path, errno, err, err_len);
	close(fd);
	return NULL;
}

static int is_dropin_name(const struct dirent *de)
{
	size_t len = strlen(de->d_name);

	/* Hidden files are an editor's or a package manager's, never settings. */
	return de->d_name[0] != '.' && len > 4 && strcmp(de->d_name + len - 4, ".ini") == 0;
}

/* Byte order whatever the locale, as systemd orders its drop-ins: "10-a.ini" before "9-b.ini". */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void free_files(struct file_list *files)
{
	for (int i = 0; i < files->n; i++)
		free(files->paths[i]);
	free(files->paths);
	files->paths = NULL;
	files->n = 0;
}

/*
 * Lists path, then the *.ini files of the directory "path.d" by name; no such directory: none.
 * Returns 0; -ENOMEM with files empty; or another negative errno with a message in err when the
 * directory cannot be listed, files then holding path alone.
 */
static int list_files(const char *path, struct file_list *files, char *err, size_t err_len)
{
	struct dirent **names = NULL;
	char *dir = NULL;
	int n = 0, ret = 0;

	files->n = 0;
	files->paths = NULL;
	if (asprintf(&dir, "%s.d", path) < 0)
		return -ENOMEM;
	n = scandir(dir, &names, is_dropin_name, by_name);
	if (n < 0) {
		ret = errno == ENOENT ? 0 : -errno;
		if (ret == -ENOTDIR)
			snprintf(err, err_len,
				 "%s: not a directory: drop-ins are .ini files in a directory of "
				 "that name (move the file away)",
				 dir);
		else if (ret < 0)
			snprintf(err, err_len, "%s: cannot list the drop-ins: %s", dir,
				 strerror(-ret));
		n = 0;
	}
	files->paths = calloc((size_t)n + 1, sizeof(char *));
	if (files->paths && (files->paths[0] = strdup(path)))
		files->n = 1;
	for (int i = 0; i < n; i++) {
		if (files->n == i + 1 &&
		    asprintf(&files->paths[files->n], "%s/%s", dir, names[i]->d_name) >= 0)
			files->n++;
		free(names[i]);
	}
	free(names);
	free(dir);
	if (files->n < n + 1) {
		free_files(files);
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	return ret;
}

/* "10-wearer.ini, 20-motor.ini": what config_log says was read after the main file. */
static void add_dropin_name(struct config *cfg, const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t used = strlen(cfg->dropins);

	snprintf(cfg->dropins + used, sizeof(cfg->dropins) - used, "%s%s", used ? ", " : "", name);
}

/*
 * Reads path and then its drop-ins over the defaults into next, recording where each value came
 * from in st. Returns 0, or a negative errno with the message in st->err.
 */
static int load_files(const char *path, struct config *next, struct parse_state *st)
{
	int ret = list_files(path, &st->files, st->err, st->err_len);

	if (ret < 0)
		return ret;
	config_defaults(next);
	snprintf(next->path, sizeof(next->path), "%s", path);
	st->cfg = next;
	for (int i = 0; i < st->files.n && !st->failed; i++) {
		st->file_index = i;
		st->path = st->files.paths[i];
		st->line = 0;
		st->file = open_regular(st->path, st->err, st->err_len, &ret);
		if (!st->file)
			return ret;
		ret = ini_parse_stream(read_line, st, handle, st);
		/* inih saw a syntax error that our reader let through, before any error of ours. */
		if (ret > 0 && (!st->failed || ret < st->err_line)) {
			st->failed = false;
			fail(st, EINVAL, ret,
			     "cannot parse this line: expected 'key = value', a [section] "
			     "or a comment");
		} else if (ret == -2) {
			fail(st, ENOMEM, 0, "out of memory");
		}
		fclose(st->file);
		st->file = NULL;
		if (i > 0)
			add_dropin_name(next, st->path);
	}
	if (!st->failed)
		cross_check_rules(st);
	if (!st->failed)
		cross_check_sensors(st);
	if (!st->failed)
		cross_check_button(st);
	return st->failed ? -st->err_errno : 0;
}

int config_load(const char *path, struct config *cfg, char *err, size_t err_len)
{
	struct parse_state st = { .path = path, .err = err, .err_len = err_len };
	struct config *next;
	int ret;

	next = malloc(sizeof(*next));
	if (!next) {
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = load_files(path, next, &st);
	free_files(&st.files);
	if (ret == 0)
		*cfg = *next;
	free(next);
	return ret;
}

/* "KEY = VALUE  # ORIGIN", or the origin on a line of its own when that would be too long to read
 * back (the reader's limit of 198 characters). */
static void dump_key(FILE *out, const struct key *k, const char *value, const char *origin)
{
	int len = snprintf(NULL, 0, "%s = %s  # %s", k->name, value, origin);

	if (len > INI_MAX_LINE - 2)
		fprintf(out, "# %s\n%s =%s%s\n", origin, k->name, value[0] ? " " : "", value);
	else
		fprintf(out, "%s =%s%s  # %s\n", k->name, value[0] ? " " : "", value, origin);
}

int config_dump(const char *path, FILE *out, char *err, size_t err_len)
{
	struct parse_state *st = calloc(1, sizeof(*st));
	struct config *cfg = malloc(sizeof(*cfg));
	const char *section = "";
	char value[MSG_MAX], origin[4096 + 16];
	int ret = -ENOMEM;

	if (!st || !cfg) {
		snprintf(err, err_len, "%s: out of memory", path);
		goto out;
	}
	st->path = path;
	st->err = err;
	st->err_len = err_len;
	ret = load_files(path, cfg, st);
	if (ret < 0)
		goto out;
	fprintf(out, "# postured's effective configuration, from %s", path);
	for (int i = 1; i < st->files.n; i++)
		fprintf(out, "\n# then %s", st->files.paths[i]);
	fputs("\n# Each value says where it came from: a FILE:LINE, or the built-in default.\n",
	      out);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct origin *at = &st->origin[i];

		if (strcmp(keys[i].section, section) != 0) {
			section = keys[i].section;
			fprintf(out, "\n[%s]\n", section);
		}
		format_value(cfg, &keys[i], value, sizeof(value));
		if (at->line > 0)
			snprintf(origin, sizeof(origin), "%s:%d", st->files.paths[at->file],
				 at->line);
		else
			snprintf(origin, sizeof(origin), "default");
		dump_key(out, &keys[i], value, origin);
	}
	if (fflush(out) == EOF || ferror(out)) {
		ret = -(errno ? errno : EIO);
		snprintf(err, err_len, "cannot write the configuration: %s", strerror(-ret));
	}
out:
	if (st)
		free_files(&st->files);
	free(st);
	free(cfg);
	return ret;
}

static bool same_value(const struct config *a, const struct config *b, const struct key *k)
{
	switch (k->type) {
	case KEY_BOOL:
		return *(const bool *)cfield(a, k) == *(const bool *)cfield(b, k);
	case KEY_DOUBLE:
		return *(const double *)cfield(a, k) == *(const double *)cfield(b, k);
	case KEY_UINT:
		return *(const unsigned int *)cfield(a, k) == *(const unsigned int *)cfield(b, k);
	case KEY_STRING:
		return strcmp(cfield(a, k), cfield(b, k)) == 0;
	case KEY_FORWARD:
		return a->posture.forward_mode[k->role] == b->posture.forward_mode[k->role] &&
		       memcmp(a->posture.forward_axis[k->role], b->posture.forward_axis[k->role],
			      sizeof(a->posture.forward_axis[k->role])) == 0;
	case KEY_PATTERN: {
		const struct haptic_pattern *pa = cfield(a, k), *pb = cfield(b, k);

		return pa->n_steps == pb->n_steps &&
		       memcmp(pa->step_ms, pb->step_ms, pa->n_steps * sizeof(pa->step_ms[0])) == 0;
	}
	}
	return false;
}

unsigned int config_changes(const struct config *old, const struct config *next)
{
	unsigned int needs = 0;

	for (size_t i = 0; i < KEY_COUNT; i++)
		if (!same_value(old, next, &keys[i]))
			needs |= keys[i].needs;
	return needs;
}

/*
 * The keys that say which line drives the motor and how: all the stop command needs. Their type,
 * range and default are the table's.
 */
static const char *const motor_keys[] = { "backend", "chip", "line", "active_low" };

static bool is_motor_key(const char *section, const char *name)
{
	if (strcmp(section, "haptic") != 0)
		return false;
	for (size_t i = 0; i < sizeof(motor_keys) / sizeof(motor_keys[0]); i++)
		if (strcmp(name, motor_keys[i]) == 0)
			return true;
	return false;
}

/* Appends "FILE:LINE: message (what is used instead)" as a line of st->err. */
static void add_motor_warning(struct parse_state *st, const char *message, const char *instead)
{
	size_t used = strlen(st->err);

	if (used < st->err_len)
		snprintf(st->err + used, st->err_len - used, "%s%s (%s)", used ? "\n" : "", message,
			 instead);
}

/* Reads what the line reader would, but a line it cannot use is skipped instead of an error. */
static char *read_motor_line(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	ssize_t n = read_bounded(st->file, st->buf, sizeof(st->buf));
	char *s = st->buf;
	size_t len;
	int c;

	if (n == -1)
		return NULL;
	st->line++;
	if (n == -2) {
		while ((c = getc(st->file)) != EOF && c != '\n')
			;
		s[0] = '\0';
	} else if (strlen(s) != (size_t)n) {
		s[0] = '\0';
	}
	if (st->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s = cut_comment(text_trim(s));
	len = strlen(s);
	/* A broken section header or key line is dropped, so inih has no error to stop at. */
	if (num < 2 || len > (size_t)num - 2 || (s[0] == '[' && !strchr(s, ']')) ||
	    (s[0] != '[' && s[0] != ';' && s[0] != '#' && !strpbrk(s, "=:")))
		len = 0;
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int handle_motor_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	char message[MSG_MAX + 64], instead[MSG_MAX + 64], dflt[MSG_MAX];
	char *warnings = st->err;
	size_t warnings_len = st->err_len;
	struct config defaults;
	bool ok;
	int k;

	if (!is_motor_key(section, name))
		return 1;
	k = find_key(section, name);
	if (st->origin[k].line && st->origin[k].file == st->file_index) {
		snprintf(message, sizeof(message), "%s:%d: duplicate key %s in [haptic]", st->path,
			 st->line, name);
		snprintf(instead, sizeof(instead), "the motor stop uses the one on line %d",
			 st->origin[k].line);
		add_motor_warning(st, message, instead);
		return 1;
	}
	st->origin[k] = (struct origin){ st->file_index, st->line };
	/* set_value reports through fail(): catch its message, which becomes a warning. */
	st->err = message;
	st->err_len = sizeof(message);
	ok = set_value(st, &keys[k], value);
	st->err = warnings;
	st->err_len = warnings_len;
	st->failed = false;
	if (ok)
		return 1;
	config_defaults(&defaults);
	format_value(&defaults, &keys[k], dflt, sizeof(dflt));
	snprintf(instead, sizeof(instead), "the motor stop uses the default, %s = %s", name, dflt);
	add_motor_warning(st, message, instead);
	return 1;
}

/*
 * Reads the motor keys of st->files.paths[i] over st->cfg. Returns 0, or a negative errno with
 * the message in err (what cannot be read is not read at all).
 */
static int read_motor_file(struct parse_state *st, int i, char *err, size_t err_len)
{
	int ret;

	st->file_index = i;
	st->path = st->files.paths[i];
	st->line = 0;
	st->file = open_regular(st->path, err, err_len, &ret);
	if (!st->file)
		return ret;
	ret = ini_parse_stream(read_motor_line, st, handle_motor_key, st);
	if (ret == -2) {
		snprintf(err, err_len, "%s: out of memory", st->path);
		ret = -ENOMEM;
	} else if (ferror(st->file)) {
		snprintf(err, err_len, "%s: cannot read: %s", st->path, strerror(EIO));
		ret = -EIO;
	} else {
		ret = 0;
	}
	fclose(st->file);
	st->file = NULL;
	return ret;
}

int config_load_motor(const char *path, struct config *cfg, char *msg, size_t msg_len)
{
	struct parse_state st = { .path = path, .err = msg, .err_len = msg_len };
	char problem[MSG_MAX + 4096];
	struct config *next, *saved;
	int ret;

	msg[0] = '\0';
	next = malloc(sizeof(*next));
	saved = malloc(sizeof(*saved));
	if (!next || !saved) {
		snprintf(msg, msg_len, "%s: out of memory", path);
		ret = -ENOMEM;
		goto out;
	}
	*next = *cfg;
	st.cfg = next;
	ret = list_files(path, &st.files, problem, sizeof(problem));
	if (ret == -ENOMEM) {
		snprintf(msg, msg_len, "%s", problem);
		goto out;
	} else if (ret < 0) {
		add_motor_warning(&st, problem, "the motor stop reads the main file alone");
	}
	ret = read_motor_file(&st, 0, problem, sizeof(problem));
	if (ret < 0) {
		snprintf(msg, msg_len, "%s", problem);
		goto out;
	}
	/* A drop-in that cannot be read leaves what the files before it said. */
	for (int i = 1; i < st.files.n; i++) {
		*saved = *next;
		if (read_motor_file(&st, i, problem, sizeof(problem)) < 0) {
			*next = *saved;
			add_motor_warning(&st, problem, "the motor stop skips it");
		}
	}
	memcpy(cfg->haptic_backend, next->haptic_backend, sizeof(cfg->haptic_backend));
	memcpy(cfg->haptic_chip, next->haptic_chip, sizeof(cfg->haptic_chip));
	cfg->haptic_line = next->haptic_line;
	cfg->haptic_active_low = next->haptic_active_low;
out:
	free_files(&st.files);
	free(next);
	free(saved);
	return ret;
}

void config_log(const struct config *cfg)
{
	char value[MSG_MAX];

	if (cfg->dropins[0])
		log_info("config: %s, then %s.d/: %s", cfg->path, cfg->path, cfg->dropins);
	else
		log_info("config: %s", cfg->path[0] ? cfg->path : "built-in defaults");
	for (size_t i = 0; i < KEY_COUNT; i++) {
		format_value(cfg, &keys[i], value, sizeof(value));
		log_info("config: [%s] %s = %s", keys[i].section, keys[i].name, value);
	}
}

void config_pipeline_settings(const struct config *cfg, struct pipeline_settings *ps)
{
	struct policy_settings pol;

	memset(ps, 0, sizeof(*ps));
	for (int r = 0; r < ROLE_COUNT; r++)
		ps->role_enabled[r] = cfg->sensor[r].enabled;
	ps->estimator = cfg->estimator;
	ps->activity = cfg->activity;
	ps->reference = cfg->reference;
	/* One lying threshold: no forward is learned from a lean the activity calls lying. */
	ps->reference.lying_deg = cfg->activity.lying_deg;
	ps->posture = cfg->posture;
	config_policy_settings(cfg, &pol);
	policy_detector_settings(pol.mode, &pol, &cfg->detector, &ps->detector);
	ps->summary_interval_s = cfg->summary_interval_s;
}

enum alert_mode config_mode(const struct config *cfg)
{
	enum alert_mode mode;

	/* Checked when the file was read: iso only stands in for a bug. */
	return alert_mode_parse(cfg->mode, &mode) == 0 ? mode : ALERT_MODE_ISO;
}

void config_policy_settings(const struct config *cfg, struct policy_settings *out)
{
	char err[256];

	memset(out, 0, sizeof(*out));
	out->mode = config_mode(cfg);
	/* Checked when the file was read: none only stands in for a bug. */
	if (quiet_hours_parse(cfg->quiet_hours, &out->quiet, err, sizeof(err)) < 0)
		out->quiet.n_ranges = 0;
	out->training_hold_s = cfg->training_hold_s;
	out->training_realert_s = cfg->training_realert_s;
	out->alert_pattern[0] = cfg->alert_pattern;
	out->alert_pattern[1] = cfg->repeat_alert_pattern;
	out->alert_pattern[2] = cfg->urgent_alert_pattern;
	out->correction_buzz = cfg->correction_buzz;
	out->correction_pattern = cfg->correction_pattern;
}

void config_state_dir(const struct config *cfg, char *out, size_t len)
{
	const char *env = getenv("STATE_DIRECTORY");

	if (cfg->state_dir[0]) {
		snprintf(out, len, "%s", cfg->state_dir);
	} else if (env && env[0]) {
		/* systemd passes a colon-separated list when StateDirectory= names several. */
		size_t n = strcspn(env, ":");
		snprintf(out, len, "%.*s", (int)n, env);
	} else {
		snprintf(out, len, "/var/lib/postured");
	}
}
