/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The motor line through libgpiod. One source for both APIs, chosen at build time from the
 * pkg-config version (POSTURED_GPIOD_MAJOR): 1.x on Debian 12 / Raspberry Pi OS bookworm, 2.x on
 * trixie. The 1.x API is line-oriented (request a struct gpiod_line); 2.x builds settings and a
 * line config and gets back a request object that outlives the chip handle.
 */
#include "postured/gpio.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpiod.h>

#ifndef POSTURED_GPIOD_MAJOR
#error "POSTURED_GPIOD_MAJOR must be the major version of libgpiod (pkg-config --modversion)"
#endif
#if POSTURED_GPIOD_MAJOR != 1 && POSTURED_GPIOD_MAJOR != 2
#error "unsupported libgpiod major version: only 1.x and 2.x are known"
#endif

#if POSTURED_GPIOD_MAJOR == 2
/*
 * 2.x has no chip iterator, so a label is found by probing /dev/gpiochip0..N. The kernel numbers
 * chips from 0 and reuses freed numbers, so 256 is far beyond any Raspberry Pi, and probing keeps
 * the lookup inside libgpiod calls (which the unit tests fake) rather than a scan of /dev.
 */
#define CHIP_PROBE_COUNT 256
#endif

#define HINT_LIST "list chips with gpiodetect and set [haptic] chip"
#define HINT_GROUP "add the user running postured to the gpio group (or run it as root)"

struct gpio_motor {
#if POSTURED_GPIOD_MAJOR == 2
	struct gpiod_line_request *request;
#else
	/* In 1.x the line belongs to the chip: closing the chip would release it. */
	struct gpiod_chip *chip;
	struct gpiod_line *line;
#endif
	unsigned int offset;
};

/* Message for a chip that could not be opened; err_no is the errno of the failed open. */
static int chip_open_error(const char *chip, int err_no, char *err, size_t err_len)
{
	switch (err_no) {
	case EACCES:
	case EPERM:
		snprintf(err, err_len, "gpio chip '%s': permission denied: %s", chip, HINT_GROUP);
		return -EACCES;
	case ENODEV:
	case ENOTTY:
		snprintf(err, err_len, "gpio chip '%s' is not a gpio chip device: %s", chip,
			 HINT_LIST);
		return -ENODEV;
	case 0:
	case ENOENT:
	case ENAMETOOLONG:
		snprintf(err, err_len, "gpio chip '%s' not found: %s", chip, HINT_LIST);
		return -ENOENT;
	default:
		snprintf(err, err_len, "gpio chip '%s' cannot be opened: %s: %s", chip,
			 strerror(err_no), HINT_LIST);
		return -err_no;
	}
}

static int line_offset_error(const char *chip, unsigned int line, unsigned int num_lines, char *err,
			     size_t err_len)
{
	if (num_lines == 0)
		snprintf(err, err_len, "gpio chip '%s' has no lines, so no line %u: %s", chip, line,
			 HINT_LIST);
	else
		snprintf(err, err_len,
			 "gpio chip '%s' has %u lines (0..%u), no line %u: "
			 "set [haptic] line to the motor's line (gpioinfo lists them)",
			 chip, num_lines, num_lines - 1, line);
	return -EINVAL;
}

/* holder: the consumer the kernel reports for the line, or NULL when it does not say. */
static int line_request_error(const char *chip, unsigned int line, int err_no, const char *holder,
			      char *err, size_t err_len)
{
	switch (err_no) {
	case EBUSY:
		if (holder && holder[0] != '\0')
			snprintf(err, err_len,
				 "gpio chip '%s' line %u is busy, held by '%s': stop that program "
				 "or set [haptic] line to a free line",
				 chip, line, holder);
		else
			snprintf(err, err_len,
				 "gpio chip '%s' line %u is busy (used by another program or the "
				 "kernel): free it or set [haptic] line to a free line",
				 chip, line);
		return -EBUSY;
	case EACCES:
	case EPERM:
		snprintf(err, err_len, "gpio chip '%s' line %u: permission denied: %s", chip, line,
			 HINT_GROUP);
		return -EACCES;
	default:
		snprintf(err, err_len,
			 "gpio chip '%s' line %u cannot be requested as an output: %s", chip, line,
			 strerror(err_no ? err_no : EIO));
		return err_no ? -err_no : -EIO;
	}
}

#if POSTURED_GPIOD_MAJOR == 2

static bool is_number(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool chip_has_label(struct gpiod_chip *c, const char *label)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(c);
	bool match;

	if (!info)
		return false;
	match = strcmp(gpiod_chip_info_get_label(info), label) == 0;
	gpiod_chip_info_free(info);
	return match;
}

/* Opens a chip by label; else sets *err_no: EACCES when a chip was unreadable, else ENOENT. */
static struct gpiod_chip *open_chip_by_label(const char *label, int *err_no)
{
	char path[64];

	*err_no = ENOENT;
	for (unsigned int n = 0; n < CHIP_PROBE_COUNT; n++) {
		snprintf(path, sizeof(path), "/dev/gpiochip%u", n);
		if (!gpiod_is_gpiochip_device(path))
			continue;
		struct gpiod_chip *c = gpiod_chip_open(path);
		if (!c) {
			/* The label may be on a chip we cannot open: say so, not "not found". */
			if (errno == EACCES || errno == EPERM)
				*err_no = EACCES;
			continue;
		}
		if (chip_has_label(c, label))
			return c;
		gpiod_chip_close(c);
	}
	return NULL;
}

/* The same lookup as 1.x gpiod_chip_open_lookup: a path, a number, a name or a label. */
static struct gpiod_chip *open_chip(const char *chip, int *err_no)
{
	char path[PATH_MAX];
	struct gpiod_chip *c;

	if (strchr(chip, '/')) {
		c = gpiod_chip_open(chip);
		*err_no = c ? 0 : errno;
		return c;
	}
	if (is_number(chip)) {
		/* Like 1.x: "007" is gpiochip7; more digits than any chip number is no chip. */
		if (strlen(chip) > 9) {
			*err_no = ENOENT;
			return NULL;
		}
		snprintf(path, sizeof(path), "/dev/gpiochip%lu", strtoul(chip, NULL, 10));
		c = gpiod_chip_open(path);
		*err_no = c ? 0 : errno;
		return c;
	}
	if ((size_t)snprintf(path, sizeof(path), "/dev/%s", chip) < sizeof(path) &&
	    gpiod_is_gpiochip_device(path)) {
		c = gpiod_chip_open(path);
		*err_no = c ? 0 : errno;
		return c;
	}
	return open_chip_by_label(chip, err_no);
}

static unsigned int chip_num_lines(struct gpiod_chip *c)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(c);
	size_t n;

	if (!info)
		return 0;
	n = gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	return n > UINT_MAX ? UINT_MAX : (unsigned int)n;
}

/* The consumer holding a line, copied into buf; NULL when the kernel does not name one. */
static const char *line_holder(struct gpiod_chip *c, unsigned int line, char *buf, size_t len)
{
	struct gpiod_line_info *info = gpiod_chip_get_line_info(c, line);
	const char *consumer;
	const char *ret = NULL;

	if (!info)
		return NULL;
	consumer = gpiod_line_info_get_consumer(info);
	if (consumer) {
		snprintf(buf, len, "%s", consumer);
		ret = buf;
	}
	gpiod_line_info_free(info);
	return ret;
}

/* A line config for line as an output driven inactive (motor off); NULL with errno set. */
static struct gpiod_line_config *output_off_config(unsigned int line, bool active_low)
{
	struct gpiod_line_settings *settings = gpiod_line_settings_new();
	struct gpiod_line_config *line_cfg = gpiod_line_config_new();
	int saved_errno = ENOMEM;

	if (!settings || !line_cfg)
		goto fail;
	if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
	    gpiod_line_settings_set_output_value(settings, GPIOD_LINE_VALUE_INACTIVE) < 0) {
		saved_errno = errno;
		goto fail;
	}
	gpiod_line_settings_set_active_low(settings, active_low);
	if (gpiod_line_config_add_line_settings(line_cfg, &line, 1, settings) < 0) {
		saved_errno = errno;
		goto fail;
	}
	gpiod_line_settings_free(settings);
	return line_cfg;
fail:
	gpiod_line_config_free(line_cfg);
	gpiod_line_settings_free(settings);
	errno = saved_errno;
	return NULL;
}

static struct gpiod_line_request *request_output(struct gpiod_chip *c, unsigned int line,
						 bool active_low, const char *consumer)
{
	struct gpiod_line_config *line_cfg = output_off_config(line, active_low);
	struct gpiod_request_config *req_cfg = gpiod_request_config_new();
	struct gpiod_line_request *request = NULL;
	int saved_errno = line_cfg ? ENOMEM : errno;

	if (!line_cfg || !req_cfg)
		goto out;
	gpiod_request_config_set_consumer(req_cfg, consumer);
	request = gpiod_chip_request_lines(c, req_cfg, line_cfg);
	saved_errno = errno;
out:
	gpiod_request_config_free(req_cfg);
	gpiod_line_config_free(line_cfg);
	errno = saved_errno;
	return request;
}

int gpio_motor_open(const char *chip, unsigned int line, bool active_low, const char *consumer,
		    struct gpio_motor **out, char *err, size_t err_len)
{
	struct gpio_motor *m;
	struct gpiod_chip *c;
	unsigned int num_lines;
	int err_no;
	int ret;

	*out = NULL;
	if (chip[0] == '\0')
		return chip_open_error(chip, ENOENT, err, err_len);
	c = open_chip(chip, &err_no);
	if (!c)
		return chip_open_error(chip, err_no, err, err_len);

	num_lines = chip_num_lines(c);
	if (line >= num_lines) {
		gpiod_chip_close(c);
		return line_offset_error(chip, line, num_lines, err, err_len);
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		gpiod_chip_close(c);
		snprintf(err, err_len, "gpio chip '%s' line %u: out of memory", chip, line);
		return -ENOMEM;
	}
	m->offset = line;
	m->request = request_output(c, line, active_low, consumer);
	if (!m->request) {
		char holder[64];
		const char *held_by = NULL;

		err_no = errno;
		if (err_no == EBUSY)
			held_by = line_holder(c, line, holder, sizeof(holder));
		ret = line_request_error(chip, line, err_no, held_by, err, err_len);
		free(m);
		gpiod_chip_close(c);
		return ret;
	}
	/* The request keeps its own file descriptor; the chip handle is no longer needed. */
	gpiod_chip_close(c);
	*out = m;
	return 0;
}

int gpio_motor_reconfigure(struct gpio_motor *m, bool active_low)
{
	struct gpiod_line_config *line_cfg = output_off_config(m->offset, active_low);
	int ret = 0;

	if (!line_cfg)
		return errno ? -errno : -ENOMEM;
	/* One ioctl: the line is never released, so no other program can take it meanwhile. */
	if (gpiod_line_request_reconfigure_lines(m->request, line_cfg) < 0)
		ret = errno ? -errno : -EIO;
	gpiod_line_config_free(line_cfg);
	return ret;
}

int gpio_motor_set(struct gpio_motor *m, bool on)
{
	enum gpiod_line_value value = on ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;

	if (gpiod_line_request_set_value(m->request, m->offset, value) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

void gpio_motor_close(struct gpio_motor *m)
{
	if (!m)
		return;
	/* A released line keeps its last level on most GPIO drivers: turn the motor off first. */
	gpiod_line_request_set_value(m->request, m->offset, GPIOD_LINE_VALUE_INACTIVE);
	gpiod_line_request_release(m->request);
	free(m);
}

#else /* POSTURED_GPIOD_MAJOR == 1 */

int gpio_motor_open(const char *chip, unsigned int line, bool active_low, const char *consumer,
		    struct gpio_motor **out, char *err, size_t err_len)
{
	struct gpio_motor *m;
	struct gpiod_chip *c;
	struct gpiod_line *l;
	unsigned int num_lines;
	int err_no;
	int ret;

	*out = NULL;
	if (chip[0] == '\0')
		return chip_open_error(chip, ENOENT, err, err_len);
	/* gpiod_chip_open_lookup tries the string as a number, a label, a name and a path. */
	errno = 0;
	c = gpiod_chip_open_lookup(chip);
	if (!c)
		return chip_open_error(chip, errno, err, err_len);

	num_lines = gpiod_chip_num_lines(c);
	if (line >= num_lines) {
		gpiod_chip_close(c);
		return line_offset_error(chip, line, num_lines, err, err_len);
	}
	l = gpiod_chip_get_line(c, line);
	if (!l) {
		err_no = errno;
		gpiod_chip_close(c);
		return line_request_error(chip, line, err_no, NULL, err, err_len);
	}
	if (gpiod_line_request_output_flags(
		l, consumer, active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0, 0) < 0) {
		err_no = errno;
		/* gpiod_chip_get_line read the line's info just now, so its consumer is current. */
		ret = line_request_error(chip, line, err_no,
					 err_no == EBUSY ? gpiod_line_consumer(l) : NULL, err,
					 err_len);
		gpiod_chip_close(c);
		return ret;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		gpiod_line_release(l);
		gpiod_chip_close(c);
		snprintf(err, err_len, "gpio chip '%s' line %u: out of memory", chip, line);
		return -ENOMEM;
	}
	m->chip = c;
	m->line = l;
	m->offset = line;
	*out = m;
	return 0;
}

int gpio_motor_reconfigure(struct gpio_motor *m, bool active_low)
{
	/*
	 * gpiod_line_set_config (libgpiod 1.5+, kernel 5.5+) changes the request in place, so the
	 * line is never released and no other program can take it meanwhile. Value 0 is "off".
	 */
	if (gpiod_line_set_config(m->line, GPIOD_LINE_REQUEST_DIRECTION_OUTPUT,
				  active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0, 0) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

int gpio_motor_set(struct gpio_motor *m, bool on)
{
	if (gpiod_line_set_value(m->line, on ? 1 : 0) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

void gpio_motor_close(struct gpio_motor *m)
{
	if (!m)
		return;
	/* A released line keeps its last level on most GPIO drivers: turn the motor off first. */
	gpiod_line_set_value(m->line, 0);
	gpiod_line_release(m->line);
	gpiod_chip_close(m->chip);
	free(m);
}

#endif

int gpio_motor_off(const char *chip, unsigned int line, bool active_low, const char *consumer,
		   char *err, size_t err_len)
{
	struct gpio_motor *m;
	int ret = gpio_motor_open(chip, line, active_low, consumer, &m, err, err_len);

	/* The request itself drives the line inactive; closing drives it so again and releases. */
	if (ret == 0)
		gpio_motor_close(m);
	return ret;
}
