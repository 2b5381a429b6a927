/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Link-time fake of the libgpiod functions daemon/gpio.c calls, for both APIs. It is compiled
 * against the real <gpiod.h> of the version selected by POSTURED_GPIOD_MAJOR, so a signature that
 * drifts from the library fails to build here rather than on a user's Raspberry Pi. The behaviour
 * copies the library's where gpio.c depends on it: errno values, how 1.x gpiod_chip_open_lookup
 * tries a number, a label, a name and a path, that 1.x lines belong to their chip while a 2.x
 * request outlives the chip handle.
 *
 * An input requested for edges gets a pipe as its descriptor: fake_gpiod_input_edge writes an
 * edge record into it, so the descriptor becomes readable as the kernel's does, and the read
 * functions read the records back. Each open pipe counts as a live object.
 *
 * The chips live in shared memory, so a test can fork a child that drives a line through gpio.c,
 * kill it with SIGKILL and look at the line from the parent. The fake does not see the child die:
 * the test calls fake_gpiod_process_died(), which does what the kernel does when a dead process's
 * file descriptors are closed (release its lines) and what a Raspberry Pi without
 * dtparam=strict_gpiod does with a released output (keep its level).
 */
#include "fake_gpiod.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gpiod.h>

#ifndef POSTURED_GPIOD_MAJOR
#error "POSTURED_GPIOD_MAJOR must be the major version of libgpiod (pkg-config --modversion)"
#endif
#if POSTURED_GPIOD_MAJOR != 1 && POSTURED_GPIOD_MAJOR != 2
#error "unsupported libgpiod major version: only 1.x and 2.x are known"
#endif

#define FAKE_STR_MAX 64

struct fake_line {
	int level; /* physical */
	bool requested;
	bool active_low;
	bool held; /* by another program */
	bool held_named;
	const void *owner; /* the 1.x chip handle or 2.x request that requested it */
	pid_t owner_pid;   /* the process that did */
	unsigned int releases;
	unsigned int reconfigures;
	char consumer[FAKE_STR_MAX];
	bool edges;	  /* requested as an input reporting both edges */
	const char *bias; /* of the latest request */
	int event_rd;	  /* the pipe that stands for the request's descriptor */
	int event_wr;
};

/* What the fake's kernel queues per edge on an input's descriptor. */
struct fake_edge_record {
	uint64_t time_ns;
	uint32_t rising; /* logical: after active-low */
};

struct fake_chip {
	bool present;
	bool denied;
	bool unplugged;
	bool refuse_bias;
	char name[FAKE_STR_MAX];
	char path[FAKE_STR_MAX + 5];
	char label[FAKE_STR_MAX];
	unsigned int num_lines;
	struct fake_line lines[FAKE_GPIOD_MAX_LINES];
};

/* Shared with forked children: see the top of the file. */
static struct fake_chip *chips;
static unsigned int live_objects;

/* Every fake call needs fake_gpiod_reset first: say so rather than crash on a NULL map. */
static void check_reset(void)
{
	if (!chips) {
		fprintf(stderr, "fake_gpiod: call fake_gpiod_reset() before anything else\n");
		abort();
	}
}

/* A test that names a chip it never added is wrong: stop loudly rather than pass by accident. */
static struct fake_chip *chip_named(const char *name)
{
	check_reset();
	for (unsigned int i = 0; i < FAKE_GPIOD_MAX_CHIPS; i++)
		if (chips[i].present && strcmp(chips[i].name, name) == 0)
			return &chips[i];
	fprintf(stderr, "fake_gpiod: no chip '%s' was added\n", name);
	abort();
}

static struct fake_line *line_of(const char *name, unsigned int line)
{
	struct fake_chip *c = chip_named(name);

	if (line >= c->num_lines) {
		fprintf(stderr, "fake_gpiod: chip '%s' has no line %u\n", name, line);
		abort();
	}
	return &c->lines[line];
}

static struct fake_chip *chip_at_path(const char *path)
{
	check_reset();
	for (unsigned int i = 0; i < FAKE_GPIOD_MAX_CHIPS; i++)
		if (chips[i].present && strcmp(chips[i].path, path) == 0)
			return &chips[i];
	return NULL;
}

static void *new_object(size_t size)
{
	void *p = calloc(1, size);

	if (!p) {
		fprintf(stderr, "fake_gpiod: out of memory\n");
		abort();
	}
	live_objects++;
	return p;
}

static void free_object(void *p)
{
	if (!p)
		return;
	live_objects--;
	free(p);
}

void fake_gpiod_reset(void)
{
	size_t size = FAKE_GPIOD_MAX_CHIPS * sizeof(*chips);

	if (!chips) {
		chips = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (chips == MAP_FAILED) {
			fprintf(stderr, "fake_gpiod: cannot map the shared chip state\n");
			abort();
		}
	}
	memset(chips, 0, size);
	live_objects = 0;
}

void fake_gpiod_process_died(pid_t pid)
{
	check_reset();
	for (unsigned int i = 0; i < FAKE_GPIOD_MAX_CHIPS; i++) {
		for (unsigned int l = 0; l < chips[i].num_lines; l++) {
			struct fake_line *line = &chips[i].lines[l];

			if (!line->requested || line->owner_pid != pid)
				continue;
			/* Its pipe's numbers were the child's, gone with it: nothing to close here.
			 */
			line->edges = false;
			line->requested = false;
			line->owner = NULL;
			line->owner_pid = 0;
			line->releases++;
		}
	}
}

void fake_gpiod_add_chip(const char *name, const char *label, unsigned int num_lines)
{
	check_reset();
	for (unsigned int i = 0; i < FAKE_GPIOD_MAX_CHIPS; i++) {
		struct fake_chip *c = &chips[i];

		if (c->present)
			continue;
		if (num_lines > FAKE_GPIOD_MAX_LINES) {
			fprintf(stderr, "fake_gpiod: at most %d lines per chip\n",
				FAKE_GPIOD_MAX_LINES);
			abort();
		}
		c->present = true;
		snprintf(c->name, sizeof(c->name), "%s", name);
		snprintf(c->path, sizeof(c->path), "/dev/%s", name);
		snprintf(c->label, sizeof(c->label), "%s", label);
		c->num_lines = num_lines;
		for (unsigned int l = 0; l < FAKE_GPIOD_MAX_LINES; l++)
			c->lines[l].level = -1;
		return;
	}
	fprintf(stderr, "fake_gpiod: at most %d chips\n", FAKE_GPIOD_MAX_CHIPS);
	abort();
}

void fake_gpiod_deny_chip(const char *name)
{
	chip_named(name)->denied = true;
}

void fake_gpiod_hold_line(const char *name, unsigned int line, const char *consumer)
{
	struct fake_line *l = line_of(name, line);

	l->held = true;
	l->held_named = consumer != NULL;
	snprintf(l->consumer, sizeof(l->consumer), "%s", consumer ? consumer : "");
}

void fake_gpiod_unplug_chip(const char *name)
{
	chip_named(name)->unplugged = true;
}

void fake_gpiod_refuse_bias(const char *name)
{
	chip_named(name)->refuse_bias = true;
}

void fake_gpiod_input_edge(const char *name, unsigned int line, int level, uint64_t time_ns)
{
	struct fake_line *l = line_of(name, line);
	struct fake_edge_record rec = { time_ns, (level != 0) != l->active_low };

	l->level = level != 0;
	if (!l->requested || !l->edges)
		return;
	if (write(l->event_wr, &rec, sizeof(rec)) != (ssize_t)sizeof(rec)) {
		fprintf(stderr, "fake_gpiod: more than %d edges wait on '%s' line %u\n",
			FAKE_GPIOD_MAX_EDGES, name, line);
		abort();
	}
}

bool fake_gpiod_line_edges_requested(const char *name, unsigned int line)
{
	struct fake_line *l = line_of(name, line);

	return l->requested && l->edges;
}

const char *fake_gpiod_line_bias(const char *name, unsigned int line)
{
	const char *bias = line_of(name, line)->bias;

	return bias ? bias : "as-is";
}

bool fake_gpiod_line_active_low(const char *name, unsigned int line)
{
	return line_of(name, line)->active_low;
}

int fake_gpiod_line_level(const char *name, unsigned int line)
{
	return line_of(name, line)->level;
}

bool fake_gpiod_line_requested(const char *name, unsigned int line)
{
	return line_of(name, line)->requested;
}

unsigned int fake_gpiod_line_releases(const char *name, unsigned int line)
{
	return line_of(name, line)->releases;
}

const char *fake_gpiod_line_consumer(const char *name, unsigned int line)
{
	struct fake_line *l = line_of(name, line);

	if (l->requested || (l->held && l->held_named))
		return l->consumer;
	return NULL;
}

unsigned int fake_gpiod_line_reconfigures(const char *name, unsigned int line)
{
	return line_of(name, line)->reconfigures;
}

unsigned int fake_gpiod_live_objects(void)
{
	return live_objects;
}

/* What the kernel does on a line request; returns 0 or an errno. */
static int request_line(struct fake_chip *c, unsigned int offset, const char *consumer,
			bool active_low, bool value_active, const void *owner)
{
	struct fake_line *l;

	if (c->unplugged)
		return ENODEV;
	if (offset >= c->num_lines)
		return EINVAL;
	l = &c->lines[offset];
	if (l->held || l->requested)
		return EBUSY;
	l->requested = true;
	l->owner = owner;
	l->owner_pid = getpid();
	l->active_low = active_low;
	l->bias = "as-is";
	l->level = value_active != active_low;
	snprintf(l->consumer, sizeof(l->consumer), "%s", consumer ? consumer : "");
	return 0;
}

/*
 * What the kernel does on a request of an input reporting both edges; returns 0 or an errno. The
 * descriptor is a pipe that holds FAKE_GPIOD_MAX_EDGES records without blocking the writer.
 */
static int request_input(struct fake_chip *c, unsigned int offset, const char *consumer,
			 bool active_low, const char *bias, const void *owner)
{
	struct fake_line *l;
	int fds[2];

	if (c->unplugged)
		return ENODEV;
	if (offset >= c->num_lines)
		return EINVAL;
	if (c->refuse_bias && strcmp(bias, "as-is") != 0)
		return EINVAL;
	l = &c->lines[offset];
	if (l->held || l->requested)
		return EBUSY;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "fake_gpiod: cannot make a pipe: %s\n", strerror(errno));
		abort();
	}
	live_objects++;
	l->requested = true;
	l->edges = true;
	l->owner = owner;
	l->owner_pid = getpid();
	l->active_low = active_low;
	l->bias = bias;
	l->event_rd = fds[0];
	l->event_wr = fds[1];
	snprintf(l->consumer, sizeof(l->consumer), "%s", consumer ? consumer : "");
	return 0;
}

/* Reads up to max records from an input's descriptor: their count, or -1 with errno set. */
static int read_edge_records(const struct fake_line *l, struct fake_edge_record *recs, size_t max)
{
	ssize_t n;

	if (!l->requested || !l->edges) {
		errno = EBADF;
		return -1;
	}
	n = read(l->event_rd, recs, max * sizeof(*recs));
	if (n < 0)
		return -1;
	if (n % (ssize_t)sizeof(*recs) != 0) {
		fprintf(stderr, "fake_gpiod: a partial edge record was read\n");
		abort();
	}
	return (int)(n / (ssize_t)sizeof(*recs));
}

static int set_line(struct fake_chip *c, unsigned int offset, bool value_active, const void *owner)
{
	struct fake_line *l = &c->lines[offset];

	if (c->unplugged)
		return ENODEV;
	if (!l->requested || l->edges || l->owner != owner || l->owner_pid != getpid())
		return EPERM;
	l->level = value_active != l->active_low;
	return 0;
}

/* What the kernel does on a change of a requested output's flags and value in place. */
static int reconfigure_line(struct fake_chip *c, unsigned int offset, bool active_low,
			    bool value_active, const void *owner)
{
	struct fake_line *l = &c->lines[offset];

	if (c->unplugged)
		return ENODEV;
	if (!l->requested || l->owner != owner || l->owner_pid != getpid())
		return EPERM;
	l->active_low = active_low;
	l->level = value_active != active_low;
	l->reconfigures++;
	return 0;
}

static void release_line(struct fake_chip *c, unsigned int offset, const void *owner)
{
	struct fake_line *l = &c->lines[offset];

	if (!l->requested || l->owner != owner || l->owner_pid != getpid())
		return;
	if (l->edges) {
		close(l->event_rd);
		close(l->event_wr);
		live_objects--;
		l->edges = false;
	}
	l->requested = false;
	l->owner = NULL;
	l->owner_pid = 0;
	l->releases++;
}

static struct fake_chip *open_path(const char *path)
{
	struct fake_chip *c = chip_at_path(path);

	if (!c) {
		errno = ENOENT;
		return NULL;
	}
	if (c->denied) {
		errno = EACCES;
		return NULL;
	}
	return c;
}

#if POSTURED_GPIOD_MAJOR == 2

struct gpiod_chip {
	struct fake_chip *fake;
};

struct gpiod_chip_info {
	char name[FAKE_STR_MAX];
	char label[FAKE_STR_MAX];
	size_t num_lines;
};

struct gpiod_line_info {
	bool has_consumer;
	char consumer[FAKE_STR_MAX];
};

struct gpiod_line_settings {
	enum gpiod_line_direction direction;
	enum gpiod_line_value output_value;
	bool active_low;
	enum gpiod_line_edge edge;
	enum gpiod_line_bias bias;
	enum gpiod_line_clock event_clock;
};

/* gpio.c drives one line; a config for more is a bug this fake reports. */
struct gpiod_line_config {
	unsigned int num_offsets;
	unsigned int offset;
	struct gpiod_line_settings settings;
};

struct gpiod_request_config {
	char consumer[FAKE_STR_MAX];
};

struct gpiod_line_request {
	struct fake_chip *fake;
	unsigned int offset;
};

struct gpiod_edge_event {
	enum gpiod_edge_event_type type;
	uint64_t timestamp_ns;
	unsigned int offset;
};

struct gpiod_edge_event_buffer {
	size_t capacity;
	size_t num_events;
	struct gpiod_edge_event events[]; /* capacity of them */
};

bool gpiod_is_gpiochip_device(const char *path)
{
	return chip_at_path(path) != NULL;
}

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	struct fake_chip *fake = open_path(path);
	struct gpiod_chip *chip;

	if (!fake)
		return NULL;
	chip = new_object(sizeof(*chip));
	chip->fake = fake;
	return chip;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	free_object(chip);
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
	struct gpiod_chip_info *info = new_object(sizeof(*info));

	snprintf(info->name, sizeof(info->name), "%s", chip->fake->name);
	snprintf(info->label, sizeof(info->label), "%s", chip->fake->label);
	info->num_lines = chip->fake->num_lines;
	return info;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	free_object(info);
}

const char *gpiod_chip_info_get_name(struct gpiod_chip_info *info)
{
	return info->name;
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
	return info->label;
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
	return info->num_lines;
}

struct gpiod_line_info *gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset)
{
	struct gpiod_line_info *info;
	const char *consumer;

	if (offset >= chip->fake->num_lines) {
		errno = EINVAL;
		return NULL;
	}
	info = new_object(sizeof(*info));
	consumer = fake_gpiod_line_consumer(chip->fake->name, offset);
	if (consumer) {
		info->has_consumer = true;
		snprintf(info->consumer, sizeof(info->consumer), "%s", consumer);
	}
	return info;
}

void gpiod_line_info_free(struct gpiod_line_info *info)
{
	free_object(info);
}

const char *gpiod_line_info_get_consumer(struct gpiod_line_info *info)
{
	return info->has_consumer ? info->consumer : NULL;
}

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *settings = new_object(sizeof(*settings));

	settings->direction = GPIOD_LINE_DIRECTION_AS_IS;
	settings->output_value = GPIOD_LINE_VALUE_INACTIVE;
	settings->edge = GPIOD_LINE_EDGE_NONE;
	settings->bias = GPIOD_LINE_BIAS_AS_IS;
	settings->event_clock = GPIOD_LINE_CLOCK_MONOTONIC;
	return settings;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
	free_object(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings,
				      enum gpiod_line_direction direction)
{
	settings->direction = direction;
	return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings, bool active_low)
{
	settings->active_low = active_low;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings,
					 enum gpiod_line_value value)
{
	settings->output_value = value;
	return 0;
}

int gpiod_line_settings_set_edge_detection(struct gpiod_line_settings *settings,
					   enum gpiod_line_edge edge)
{
	settings->edge = edge;
	return 0;
}

int gpiod_line_settings_set_bias(struct gpiod_line_settings *settings, enum gpiod_line_bias bias)
{
	settings->bias = bias;
	return 0;
}

int gpiod_line_settings_set_event_clock(struct gpiod_line_settings *settings,
					enum gpiod_line_clock event_clock)
{
	settings->event_clock = event_clock;
	return 0;
}

static const char *bias_name(enum gpiod_line_bias bias)
{
	switch (bias) {
	case GPIOD_LINE_BIAS_PULL_UP:
		return "pull-up";
	case GPIOD_LINE_BIAS_PULL_DOWN:
		return "pull-down";
	case GPIOD_LINE_BIAS_AS_IS:
		return "as-is";
	default:
		/* gpio.c never asks for the others: a test must see it if it does. */
		return "other";
	}
}

/*
 * The only input gpio.c may ask for: a button reporting both edges on the daemon's clock. The
 * kernel would take others, but here they are a bug a test must see.
 */
static bool is_button_input(const struct gpiod_line_settings *settings)
{
	return settings->direction == GPIOD_LINE_DIRECTION_INPUT &&
	       settings->edge == GPIOD_LINE_EDGE_BOTH &&
	       settings->event_clock == GPIOD_LINE_CLOCK_MONOTONIC;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
	return new_object(sizeof(struct gpiod_line_config));
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
	free_object(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config,
					const unsigned int *offsets, size_t num_offsets,
					struct gpiod_line_settings *settings)
{
	if (num_offsets != 1 || config->num_offsets != 0) {
		fprintf(stderr, "fake_gpiod: only a single line per request is modelled\n");
		abort();
	}
	config->num_offsets = 1;
	config->offset = offsets[0];
	config->settings = *settings;
	return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
	return new_object(sizeof(struct gpiod_request_config));
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
	free_object(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config, const char *consumer)
{
	snprintf(config->consumer, sizeof(config->consumer), "%s", consumer ? consumer : "");
}

struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip,
						    struct gpiod_request_config *req_cfg,
						    struct gpiod_line_config *line_cfg)
{
	struct gpiod_line_request *request = new_object(sizeof(*request));
	const struct gpiod_line_settings *settings = &line_cfg->settings;
	const char *consumer = req_cfg ? req_cfg->consumer : NULL;
	int err;

	if (line_cfg->num_offsets != 1 ||
	    (settings->direction != GPIOD_LINE_DIRECTION_OUTPUT && !is_button_input(settings))) {
		/* gpio.c only ever wants one output or one button: anything else is a bug. */
		free_object(request);
		errno = EINVAL;
		return NULL;
	}
	if (settings->direction == GPIOD_LINE_DIRECTION_INPUT)
		err = request_input(chip->fake, line_cfg->offset, consumer, settings->active_low,
				    bias_name(settings->bias), request);
	else
		err = request_line(chip->fake, line_cfg->offset, consumer, settings->active_low,
				   settings->output_value == GPIOD_LINE_VALUE_ACTIVE, request);
	if (err) {
		free_object(request);
		errno = err;
		return NULL;
	}
	request->fake = chip->fake;
	request->offset = line_cfg->offset;
	return request;
}

int gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
				 enum gpiod_line_value value)
{
	int err;

	if (offset != request->offset) {
		errno = EINVAL;
		return -1;
	}
	err = set_line(request->fake, offset, value == GPIOD_LINE_VALUE_ACTIVE, request);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int gpiod_line_request_reconfigure_lines(struct gpiod_line_request *request,
					 struct gpiod_line_config *config)
{
	int err;

	if (config->num_offsets != 1 || config->offset != request->offset ||
	    config->settings.direction != GPIOD_LINE_DIRECTION_OUTPUT) {
		/* The same line as an output is all gpio.c may ask for: anything else is a bug. */
		errno = EINVAL;
		return -1;
	}
	err = reconfigure_line(request->fake, request->offset, config->settings.active_low,
			       config->settings.output_value == GPIOD_LINE_VALUE_ACTIVE, request);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
	if (!request)
		return;
	release_line(request->fake, request->offset, request);
	free_object(request);
}

/* The real one never fails; an output's descriptor is never polled by gpio.c. */
int gpiod_line_request_get_fd(struct gpiod_line_request *request)
{
	const struct fake_line *l = &request->fake->lines[request->offset];

	return l->requested && l->edges && l->owner == request ? l->event_rd : -1;
}

int gpiod_line_request_read_edge_events(struct gpiod_line_request *request,
					struct gpiod_edge_event_buffer *buffer, size_t max_events)
{
	struct fake_edge_record recs[FAKE_GPIOD_MAX_EDGES];
	int n;

	if (max_events > buffer->capacity)
		max_events = buffer->capacity;
	if (max_events > FAKE_GPIOD_MAX_EDGES)
		max_events = FAKE_GPIOD_MAX_EDGES;
	n = read_edge_records(&request->fake->lines[request->offset], recs, max_events);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		buffer->events[i].type =
		    recs[i].rising ? GPIOD_EDGE_EVENT_RISING_EDGE : GPIOD_EDGE_EVENT_FALLING_EDGE;
		buffer->events[i].timestamp_ns = recs[i].time_ns;
		buffer->events[i].offset = request->offset;
	}
	buffer->num_events = (size_t)n;
	return n;
}

/* As the library: 0 means 64, more than 1024 is 1024. */
struct gpiod_edge_event_buffer *gpiod_edge_event_buffer_new(size_t capacity)
{
	struct gpiod_edge_event_buffer *buffer;

	if (capacity == 0)
		capacity = 64;
	if (capacity > 1024)
		capacity = 1024;
	buffer = new_object(sizeof(*buffer) + capacity * sizeof(buffer->events[0]));
	buffer->capacity = capacity;
	return buffer;
}

void gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer)
{
	free_object(buffer);
}

struct gpiod_edge_event *gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *buffer,
							   unsigned long index)
{
	if (index >= buffer->num_events) {
		errno = EINVAL;
		return NULL;
	}
	return &buffer->events[index];
}

enum gpiod_edge_event_type gpiod_edge_event_get_event_type(struct gpiod_edge_event *event)
{
	return event->type;
}

uint64_t gpiod_edge_event_get_timestamp_ns(struct gpiod_edge_event *event)
{
	return event->timestamp_ns;
}

#else /* POSTURED_GPIOD_MAJOR == 1 */

struct gpiod_line {
	struct gpiod_chip *chip;
	unsigned int offset;
};

struct gpiod_chip {
	struct fake_chip *fake;
	struct gpiod_line *lines; /* handed out by gpiod_chip_get_line, freed with the chip */
};

static struct gpiod_chip *chip_handle(struct fake_chip *fake)
{
	struct gpiod_chip *chip = new_object(sizeof(*chip));

	chip->fake = fake;
	chip->lines = calloc(fake->num_lines ? fake->num_lines : 1, sizeof(*chip->lines));
	if (!chip->lines) {
		fprintf(stderr, "fake_gpiod: out of memory\n");
		abort();
	}
	for (unsigned int i = 0; i < fake->num_lines; i++) {
		chip->lines[i].chip = chip;
		chip->lines[i].offset = i;
	}
	return chip;
}

static bool is_uint(const char *s)
{
	for (; *s && *s >= '0' && *s <= '9'; s++)
		;
	return *s == '\0';
}

/* 1.6.3: a number; else a label (any unreadable chip aborts that scan), a name, then a path. */
struct gpiod_chip *gpiod_chip_open_lookup(const char *descr)
{
	char path[FAKE_STR_MAX + 16];
	struct fake_chip *fake;

	if (is_uint(descr)) {
		snprintf(path, sizeof(path), "/dev/gpiochip%lu", strtoul(descr, NULL, 10));
	} else {
		bool scan_ok = true;

		for (unsigned int i = 0; i < FAKE_GPIOD_MAX_CHIPS; i++)
			if (chips[i].present && chips[i].denied)
				scan_ok = false;
		for (unsigned int i = 0; scan_ok && i < FAKE_GPIOD_MAX_CHIPS; i++)
			if (chips[i].present && strcmp(chips[i].label, descr) == 0)
				return chip_handle(&chips[i]);
		if (strncmp(descr, "/dev/", 5) != 0)
			snprintf(path, sizeof(path), "/dev/%s", descr);
		else
			snprintf(path, sizeof(path), "%s", descr);
	}
	fake = open_path(path);
	return fake ? chip_handle(fake) : NULL;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	/* As in libgpiod 1.x, closing the chip releases its requested lines. */
	for (unsigned int i = 0; i < chip->fake->num_lines; i++)
		release_line(chip->fake, i, chip);
	free(chip->lines);
	free_object(chip);
}

unsigned int gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	return chip->fake->num_lines;
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	if (offset >= chip->fake->num_lines) {
		errno = EINVAL;
		return NULL;
	}
	return &chip->lines[offset];
}

int gpiod_line_request_output_flags(struct gpiod_line *line, const char *consumer, int flags,
				    int default_val)
{
	int err = request_line(line->chip->fake, line->offset, consumer,
			       (flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0, default_val != 0,
			       line->chip);

	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Flags gpio.c may give a button: anything else is a bug a test must see. */
#define BUTTON_FLAGS                                                                               \
	(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW | GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP |               \
	 GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)

int gpiod_line_request_both_edges_events_flags(struct gpiod_line *line, const char *consumer,
					       int flags)
{
	const char *bias = "as-is";
	int err;

	if ((flags & ~BUTTON_FLAGS) != 0 || ((flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP) &&
					     (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN))) {
		errno = EINVAL;
		return -1;
	}
	if (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
		bias = "pull-up";
	else if (flags & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
		bias = "pull-down";
	err = request_input(line->chip->fake, line->offset, consumer,
			    (flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0, bias, line->chip);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int gpiod_line_event_get_fd(struct gpiod_line *line)
{
	const struct fake_line *l = &line->chip->fake->lines[line->offset];

	if (!l->requested || !l->edges || l->owner != line->chip) {
		errno = EPERM;
		return -1;
	}
	return l->event_rd;
}

/* As 1.6.3: at most 16 events per read, each a struct timespec and a type. */
int gpiod_line_event_read_multiple(struct gpiod_line *line, struct gpiod_line_event *events,
				   unsigned int num_events)
{
	struct fake_edge_record recs[16];
	int n;

	if (num_events > 16)
		num_events = 16;
	n = read_edge_records(&line->chip->fake->lines[line->offset], recs, num_events);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		events[i].ts.tv_sec = (time_t)(recs[i].time_ns / 1000000000u);
		events[i].ts.tv_nsec = (long)(recs[i].time_ns % 1000000000u);
		events[i].event_type =
		    recs[i].rising ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE;
	}
	return n;
}

const char *gpiod_line_consumer(struct gpiod_line *line)
{
	return fake_gpiod_line_consumer(line->chip->fake->name, line->offset);
}

int gpiod_line_set_value(struct gpiod_line *line, int value)
{
	int err = set_line(line->chip->fake, line->offset, value != 0, line->chip);

	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int gpiod_line_set_config(struct gpiod_line *line, int direction, int flags, int value)
{
	int err;

	if (direction != GPIOD_LINE_REQUEST_DIRECTION_OUTPUT) {
		errno = EINVAL;
		return -1;
	}
	err = reconfigure_line(line->chip->fake, line->offset,
			       (flags & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) != 0, value != 0,
			       line->chip);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void gpiod_line_release(struct gpiod_line *line)
{
	release_line(line->chip->fake, line->offset, line->chip);
}

#endif
