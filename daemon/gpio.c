/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The motor line and the button line through libgpiod. One source for both APIs, chosen at build
 * time from the pkg-config version (POSTURED_GPIOD_MAJOR): 1.x on Debian 12 / Raspberry Pi OS
 * bookworm, 2.x on trixie. The 1.x API is line-oriented (request a struct gpiod_line); 2.x builds
 * settings and a line config and gets back a request object that outlives the chip handle.
 */
#include "postured/gpio.h"

#include <errno.h>
#include <fcntl.h>
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

#define HINT_GROUP "add the user running postured to the gpio group (or run it as root)"

/* What a line is for, so each message names the ini section to fix and what the line is. */
struct line_use {
	const char *section; /* "haptic" */
	const char *thing;   /* "motor" */
	const char *as;	     /* what the request asks the line to be */
};

static const struct line_use motor_use = { "haptic", "motor", "an output" };
static const struct line_use button_use = { "button", "button", "an input with edge events" };

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

struct gpio_button {
#if POSTURED_GPIOD_MAJOR == 2
	struct gpiod_line_request *request;
	struct gpiod_edge_event_buffer *events;
#else
	struct gpiod_chip *chip;
	struct gpiod_line *line;
#endif
};

/* Message for a chip that could not be opened; err_no is the errno of the failed open. */
static int chip_open_error(const struct line_use *use, const char *chip, int err_no, char *err,
			   size_t err_len)
{
	switch (err_no) {
	case EACCES:
	case EPERM:
		snprintf(err, err_len, "gpio chip '%s': permission denied: %s", chip, HINT_GROUP);
		return -EACCES;
	case ENODEV:
	case ENOTTY:
		snprintf(err, err_len,
			 "gpio chip '%s' is not a gpio chip device: list chips with gpiodetect and "
			 "set [%s] chip",
			 chip, use->section);
		return -ENODEV;
	case 0:
	case ENOENT:
	case ENAMETOOLONG:
		snprintf(err, err_len,
			 "gpio chip '%s' not found: list chips with gpiodetect and set [%s] chip",
			 chip, use->section);
		return -ENOENT;
	default:
		snprintf(err, err_len,
			 "gpio chip '%s' cannot be opened: %s: list chips with gpiodetect and set "
			 "[%s] chip",
			 chip, strerror(err_no), use->section);
		return -err_no;
	}
}

static int line_offset_error(const struct line_use *use, const char *chip, unsigned int line,
			     unsigned int num_lines, char *err, size_t err_len)
{
	if (num_lines == 0)
		snprintf(err, err_len,
			 "gpio chip '%s' has no lines, so no line %u: list chips with gpiodetect "
			 "and set [%s] chip",
			 chip, line, use->section);
	else
		snprintf(err, err_len,
			 "gpio chip '%s' has %u lines (0..%u), no line %u: "
			 "set [%s] line to the %s's line (gpioinfo lists them)",
			 chip, num_lines, num_lines - 1, line, use->section, use->thing);
	return -EINVAL;
}

/* holder: the consumer the kernel reports for the line, or NULL when it does not say. */
static int line_request_error(const struct line_use *use, const char *chip, unsigned int line,
			      int err_no, const char *holder, char *err, size_t err_len)
{
	switch (err_no) {
	case EBUSY:
		if (holder && holder[0] != '\0')
			snprintf(err, err_len,
				 "gpio chip '%s' line %u is busy, held by '%s': stop that program "
				 "or set [%s] line to a free line",
				 chip, line, holder, use->section);
		else
			snprintf(err, err_len,
				 "gpio chip '%s' line %u is busy (used by another program or the "
				 "kernel): free it or set [%s] line to a free line",
				 chip, line, use->section);
		return -EBUSY;
	case EACCES:
	case EPERM:
		snprintf(err, err_len, "gpio chip '%s' line %u: permission denied: %s", chip, line,
			 HINT_GROUP);
		return -EACCES;
	default:
		snprintf(err, err_len, "gpio chip '%s' line %u cannot be requested as %s: %s", chip,
			 line, use->as, strerror(err_no ? err_no : EIO));
		return err_no ? -err_no : -EIO;
	}
}

/*
 * A button request refused with EINVAL while asking for a pull resistor: kernels before 5.5 (and
 * some GPIO drivers) cannot set the bias.
 */
static int bias_error(const char *chip, unsigned int line, enum gpio_bias bias, char *err,
		      size_t err_len)
{
	snprintf(err, err_len,
		 "gpio chip '%s' line %u cannot be requested with bias = %s: the kernel or the "
		 "GPIO driver cannot set a pull resistor (Linux 5.5 or later can): set [button] "
		 "bias = as-is and fit a resistor",
		 chip, line, gpio_bias_name(bias));
	return -EINVAL;
}

const char *gpio_bias_name(enum gpio_bias bias)
{
	switch (bias) {
	case GPIO_BIAS_PULL_UP:
		return "pull-up";
	case GPIO_BIAS_PULL_DOWN:
		return "pull-down";
	case GPIO_BIAS_AS_IS:
		break;
	}
	return "as-is";
}

int gpio_bias_parse(const char *name, enum gpio_bias *out)
{
	static const enum gpio_bias all[] = { GPIO_BIAS_AS_IS, GPIO_BIAS_PULL_UP,
					      GPIO_BIAS_PULL_DOWN };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(name, gpio_bias_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * The daemon reads only when sd-event says the descriptor is readable; non-blocking anyway, so
 * a wakeup with nothing to read cannot stall the whole loop (and the watchdog with it).
 */
static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	return 0;
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

/* Puts settings for line alone into a new line config; NULL with errno set. */
static struct gpiod_line_config *line_config_for(unsigned int line,
						 struct gpiod_line_settings *settings)
{
	struct gpiod_line_config *line_cfg = gpiod_line_config_new();

	if (!line_cfg) {
		errno = ENOMEM;
		return NULL;
	}
	if (gpiod_line_config_add_line_settings(line_cfg, &line, 1, settings) < 0) {
		int saved_errno = errno;

		gpiod_line_config_free(line_cfg);
		errno = saved_errno;
		return NULL;
	}
	return line_cfg;
}

/* A line config for line as an output driven inactive (motor off); NULL with errno set. */
static struct gpiod_line_config *output_off_config(unsigned int line, bool active_low)
{
	struct gpiod_line_settings *settings = gpiod_line_settings_new();
	struct gpiod_line_config *line_cfg = NULL;
	int saved_errno = ENOMEM;

	if (!settings)
		goto out;
	if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
	    gpiod_line_settings_set_output_value(settings, GPIOD_LINE_VALUE_INACTIVE) < 0) {
		saved_errno = errno;
		goto out;
	}
	gpiod_line_settings_set_active_low(settings, active_low);
	line_cfg = line_config_for(line, settings);
	saved_errno = errno;
out:
	gpiod_line_settings_free(settings);
	errno = saved_errno;
	return line_cfg;
}

static enum gpiod_line_bias line_bias(enum gpio_bias bias)
{
	switch (bias) {
	case GPIO_BIAS_PULL_UP:
		return GPIOD_LINE_BIAS_PULL_UP;
	case GPIO_BIAS_PULL_DOWN:
		return GPIOD_LINE_BIAS_PULL_DOWN;
	case GPIO_BIAS_AS_IS:
		break;
	}
	return GPIOD_LINE_BIAS_AS_IS;
}

/*
 * A line config for line as an input reporting both edges, stamped on CLOCK_MONOTONIC (the
 * daemon's timers' clock); NULL with errno set. The kernel's own debouncer is left off: button.c
 * debounces, so both APIs time presses alike (1.x has no kernel debounce), from the edges as
 * they happened rather than stamped at the end of a kernel debounce period.
 */
static struct gpiod_line_config *input_edges_config(unsigned int line, bool active_low,
						    enum gpio_bias bias)
{
	struct gpiod_line_settings *settings = gpiod_line_settings_new();
	struct gpiod_line_config *line_cfg = NULL;
	int saved_errno = ENOMEM;

	if (!settings)
		goto out;
	if (gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT) < 0 ||
	    gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) < 0 ||
	    gpiod_line_settings_set_bias(settings, line_bias(bias)) < 0 ||
	    gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC) < 0) {
		saved_errno = errno;
		goto out;
	}
	gpiod_line_settings_set_active_low(settings, active_low);
	line_cfg = line_config_for(line, settings);
	saved_errno = errno;
out:
	gpiod_line_settings_free(settings);
	errno = saved_errno;
	return line_cfg;
}

static struct gpiod_line_request *
request_lines(struct gpiod_chip *c, struct gpiod_line_config *line_cfg, const char *consumer)
{
	struct gpiod_request_config *req_cfg = gpiod_request_config_new();
	struct gpiod_line_request *request;
	int saved_errno;

	if (!req_cfg) {
		errno = ENOMEM;
		return NULL;
	}
	gpiod_request_config_set_consumer(req_cfg, consumer);
	request = gpiod_chip_request_lines(c, req_cfg, line_cfg);
	saved_errno = errno;
	gpiod_request_config_free(req_cfg);
	errno = saved_errno;
	return request;
}

/*
 * Opens chip, checks it has line, requests line with line_cfg (which it frees; NULL: building it
 * failed with errno) and closes the chip again: the request keeps its own file descriptor.
 * Returns 0 or a negative errno with a message for use in err. The request error comes back in
 * *request_errno (0 otherwise), for the caller to explain further.
 */
static int open_request(const struct line_use *use, const char *chip, unsigned int line,
			struct gpiod_line_config *line_cfg, const char *consumer,
			struct gpiod_line_request **out, int *request_errno, char *err,
			size_t err_len)
{
	struct gpiod_chip *c;
	unsigned int num_lines;
	int err_no = line_cfg ? 0 : errno;
	int ret = 0;

	*out = NULL;
	*request_errno = 0;
	if (!line_cfg) {
		snprintf(err, err_len, "gpio chip '%s' line %u: %s", chip, line, strerror(err_no));
		return -err_no;
	}
	c = chip[0] == '\0' ? NULL : open_chip(chip, &err_no);
	if (!c) {
		ret = chip_open_error(use, chip, chip[0] == '\0' ? ENOENT : err_no, err, err_len);
		goto out;
	}
	num_lines = chip_num_lines(c);
	if (line >= num_lines) {
		ret = line_offset_error(use, chip, line, num_lines, err, err_len);
		goto out;
	}
	*out = request_lines(c, line_cfg, consumer);
	if (!*out) {
		char holder[64];
		const char *held_by = NULL;

		err_no = errno;
		if (err_no == EBUSY)
			held_by = line_holder(c, line, holder, sizeof(holder));
		*request_errno = err_no;
		ret = line_request_error(use, chip, line, err_no, held_by, err, err_len);
	}
out:
	if (c)
		gpiod_chip_close(c);
	gpiod_line_config_free(line_cfg);
	return ret;
}

int gpio_motor_open(const char *chip, unsigned int line, bool active_low, const char *consumer,
		    struct gpio_motor **out, char *err, size_t err_len)
{
	struct gpiod_line_request *request;
	struct gpio_motor *m;
	int request_errno;
	int ret;

	*out = NULL;
	ret = open_request(&motor_use, chip, line, output_off_config(line, active_low), consumer,
			   &request, &request_errno, err, err_len);
	if (ret < 0)
		return ret;
	m = calloc(1, sizeof(*m));
	if (!m) {
		gpiod_line_request_release(request);
		snprintf(err, err_len, "gpio chip '%s' line %u: out of memory", chip, line);
		return -ENOMEM;
	}
	m->request = request;
	m->offset = line;
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

int gpio_button_open(const char *chip, unsigned int line, bool active_low, enum gpio_bias bias,
		     const char *consumer, struct gpio_button **out, char *err, size_t err_len)
{
	struct gpiod_line_request *request;
	struct gpio_button *b;
	int request_errno;
	int ret;

	*out = NULL;
	ret = open_request(&button_use, chip, line, input_edges_config(line, active_low, bias),
			   consumer, &request, &request_errno, err, err_len);
	if (ret < 0) {
		if (request_errno == EINVAL && bias != GPIO_BIAS_AS_IS)
			return bias_error(chip, line, bias, err, err_len);
		return ret;
	}
	b = calloc(1, sizeof(*b));
	if (b)
		b->events = gpiod_edge_event_buffer_new(GPIO_BUTTON_READ_MAX);
	ret = b && b->events ? set_nonblocking(gpiod_line_request_get_fd(request)) : -ENOMEM;
	if (ret < 0) {
		snprintf(err, err_len, "gpio chip '%s' line %u: %s", chip, line, strerror(-ret));
		if (b)
			gpiod_edge_event_buffer_free(b->events);
		free(b);
		gpiod_line_request_release(request);
		return ret;
	}
	b->request = request;
	*out = b;
	return 0;
}

int gpio_button_fd(struct gpio_button *b)
{
	return gpiod_line_request_get_fd(b->request);
}

int gpio_button_read(struct gpio_button *b, struct gpio_edge *edges, size_t max)
{
	int n;

	if (max > GPIO_BUTTON_READ_MAX)
		max = GPIO_BUTTON_READ_MAX;
	if (max == 0)
		return 0;
	n = gpiod_line_request_read_edge_events(b->request, b->events, max);
	if (n < 0)
		return errno ? -errno : -EIO;
	for (int i = 0; i < n; i++) {
		struct gpiod_edge_event *ev =
		    gpiod_edge_event_buffer_get_event(b->events, (unsigned long)i);

		edges[i].time_ns = gpiod_edge_event_get_timestamp_ns(ev);
		edges[i].active =
		    gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE;
	}
	return n;
}

void gpio_button_close(struct gpio_button *b)
{
	if (!b)
		return;
	gpiod_line_request_release(b->request);
	gpiod_edge_event_buffer_free(b->events);
	free(b);
}

#else /* POSTURED_GPIOD_MAJOR == 1 */

/*
 * Opens chip and gets line, not requested yet: the line belongs to the chip, and closing the
 * chip releases it. Returns 0 or a negative errno with a message for use in err.
 */
static int open_line(const struct line_use *use, const char *chip, unsigned int line,
		     struct gpiod_chip **out_chip, struct gpiod_line **out_line, char *err,
		     size_t err_len)
{
	struct gpiod_chip *c;
	unsigned int num_lines;
	int err_no;

	*out_chip = NULL;
	*out_line = NULL;
	if (chip[0] == '\0')
		return chip_open_error(use, chip, ENOENT, err, err_len);
	/* gpiod_chip_open_lookup tries the string as a number, a label, a name and a path. */
	errno = 0;
	c = gpiod_chip_open_lookup(chip);
	if (!c)
		return chip_open_error(use, chip, errno, err, err_len);

	num_lines = gpiod_chip_num_lines(c);
	if (line >= num_lines) {
		gpiod_chip_close(c);
		return line_offset_error(use, chip, line, num_lines, err, err_len);
	}
	*out_line = gpiod_chip_get_line(c, line);
	if (!*out_line) {
		err_no = errno;
		gpiod_chip_close(c);
		return line_request_error(use, chip, line, err_no, NULL, err, err_len);
	}
	*out_chip = c;
	return 0;
}

/* After a failed request of l: the message, and the chip closed. */
static int request_failed(const struct line_use *use, const char *chip, unsigned int line,
			  struct gpiod_chip *c, struct gpiod_line *l, int err_no, char *err,
			  size_t err_len)
{
	/* gpiod_chip_get_line read the line's info just now, so its consumer is current. */
	int ret = line_request_error(use, chip, line, err_no,
				     err_no == EBUSY ? gpiod_line_consumer(l) : NULL, err, err_len);

	gpiod_chip_close(c);
	return ret;
}

int gpio_motor_open(const char *chip, unsigned int line, bool active_low, const char *consumer,
		    struct gpio_motor **out, char *err, size_t err_len)
{
	struct gpio_motor *m;
	struct gpiod_chip *c;
	struct gpiod_line *l;
	int ret;

	*out = NULL;
	ret = open_line(&motor_use, chip, line, &c, &l, err, err_len);
	if (ret < 0)
		return ret;
	if (gpiod_line_request_output_flags(
		l, consumer, active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0, 0) < 0)
		return request_failed(&motor_use, chip, line, c, l, errno, err, err_len);
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

static int bias_flags(enum gpio_bias bias)
{
	switch (bias) {
	case GPIO_BIAS_PULL_UP:
		return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
	case GPIO_BIAS_PULL_DOWN:
		return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
	case GPIO_BIAS_AS_IS:
		break;
	}
	return 0;
}

/*
 * The 1.x API has no choice of event clock: the kernel stamps edges on CLOCK_MONOTONIC since
 * Linux 5.7 (CLOCK_REALTIME before), the clock of the daemon's timers.
 */
int gpio_button_open(const char *chip, unsigned int line, bool active_low, enum gpio_bias bias,
		     const char *consumer, struct gpio_button **out, char *err, size_t err_len)
{
	int flags = (active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0) | bias_flags(bias);
	struct gpio_button *b;
	struct gpiod_chip *c;
	struct gpiod_line *l;
	int ret;

	*out = NULL;
	ret = open_line(&button_use, chip, line, &c, &l, err, err_len);
	if (ret < 0)
		return ret;
	if (gpiod_line_request_both_edges_events_flags(l, consumer, flags) < 0) {
		int err_no = errno;

		if (err_no == EINVAL && bias != GPIO_BIAS_AS_IS) {
			gpiod_chip_close(c);
			return bias_error(chip, line, bias, err, err_len);
		}
		return request_failed(&button_use, chip, line, c, l, err_no, err, err_len);
	}
	b = calloc(1, sizeof(*b));
	ret = b ? set_nonblocking(gpiod_line_event_get_fd(l)) : -ENOMEM;
	if (ret < 0) {
		snprintf(err, err_len, "gpio chip '%s' line %u: %s", chip, line, strerror(-ret));
		free(b);
		gpiod_line_release(l);
		gpiod_chip_close(c);
		return ret;
	}
	b->chip = c;
	b->line = l;
	*out = b;
	return 0;
}

int gpio_button_fd(struct gpio_button *b)
{
	return gpiod_line_event_get_fd(b->line);
}

int gpio_button_read(struct gpio_button *b, struct gpio_edge *edges, size_t max)
{
	struct gpiod_line_event events[GPIO_BUTTON_READ_MAX];
	int n;

	if (max > GPIO_BUTTON_READ_MAX)
		max = GPIO_BUTTON_READ_MAX;
	if (max == 0)
		return 0;
	n = gpiod_line_event_read_multiple(b->line, events, (unsigned int)max);
	if (n < 0)
		return errno ? -errno : -EIO;
	for (int i = 0; i < n; i++) {
		edges[i].time_ns =
		    (uint64_t)events[i].ts.tv_sec * 1000000000u + (uint64_t)events[i].ts.tv_nsec;
		edges[i].active = events[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
	}
	return n;
}

void gpio_button_close(struct gpio_button *b)
{
	if (!b)
		return;
	gpiod_line_release(b->line);
	gpiod_chip_close(b->chip);
	free(b);
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
