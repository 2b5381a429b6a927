/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live daemon: an sd-event loop takes the sensors' samples (a block from their buffers every
 * fifth of a second, or a poll per sample), feeds the pipeline, drives the motor, watches the
 * wearer's button, reports to systemd (READY, STATUS, WATCHDOG, RELOADING) and handles signals.
 */
#include "postured/daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#include "postured/actions.h"
#include "postured/bus.h"
#include "postured/button.h"
#include "postured/calstore.h"
#include "postured/control.h"
#include "postured/framer.h"
#include "postured/gpio.h"
#include "postured/iio_source.h"
#include "postured/log.h"
#include "postured/pipeline.h"
#include "postured/recording.h"
#include "postured/version.h"

#define USEC_PER_SEC 1000000ULL
/* A lost sensor is retried after 0.5 s, doubling up to 8 s: quick recovery from a loose cable
 * without hammering a bus that is gone. */
#define RETRY_FIRST_USEC (USEC_PER_SEC / 2)
#define RETRY_MAX_USEC (8 * USEC_PER_SEC)
/* A sensor missing at start-up gets this long (a driver still probing at boot) before the daemon
 * reports ready without it: retried at 0.5, 1.5 and 3.5 s meanwhile. */
#define READY_GRACE_USEC (5 * USEC_PER_SEC)
#define STATUS_INTERVAL_USEC (USEC_PER_SEC / 4)
/* How late a poll tick may fire: far below the sample period, yet lets the kernel batch wakeups. */
#define POLL_ACCURACY_USEC 200
/* A buffer silent this long (or three blocks, if longer) has a trigger that does not fire, or
 * a device that is gone: a non-blocking read says nothing about either. */
#define SILENCE_USEC USEC_PER_SEC
/* How late a button deadline may be served: far below what a wearer could feel. */
#define BUTTON_ACCURACY_USEC 1000
/* An edge stamped further than this from the loop's time is on another clock (see edge_time_ns). */
#define EDGE_CLOCK_SLACK_NS (10 * 1000000000ULL)
/* How late a summary may close its period: a report puts it in the hour it ends. */
#define SUMMARY_ACCURACY_USEC (USEC_PER_SEC / 100)

struct role_input {
	struct daemon *d;
	enum sensor_role role;
	struct iio_sensor *sensor;
	bool lost;     /* reported lost; the retry timer is armed */
	bool answered; /* delivered a sample since it was (re)opened */
	bool seen;     /* opened at least once since start-up: "lost", not "missing" */
	char why[320]; /* why it cannot be opened, for STATUS= */
	uint64_t retry_usec;
	uint64_t opened_usec;
	uint64_t last_sample_usec;
	sd_event_source *retry;
	bool buffer_silent; /* its buffer never delivered: polled (capture = auto) until a reload */
};

struct daemon {
	sd_event *event;
	struct config *cfg;
	const struct run_options *opt;
	char state_dir[4096];

	struct pipeline pipeline;
	struct event_sink sink;
	struct actions actions;
	struct role_input in[ROLE_COUNT];
	struct framer framer; /* pairs the roles' samples by time: blocks come at their own times */
	struct recording_writer *recording;

	struct gpio_motor *motor;
	struct haptic_player player;
	sd_event_source *haptic_timer;

	struct gpio_button *button_line; /* NULL: no button configured */
	struct button button;
	sd_event_source *button_io;
	sd_event_source *button_timer;

	sd_event_source *poll_timer;
	sd_event_source *block_timer; /* runs while a sensor is buffered */
	uint64_t block_usec;
	sd_event_source *status_timer;
	uint64_t last_status_usec;
	sd_event_source *watchdog_timer;
	struct posture_bus *bus;	/* NULL: running without the D-Bus interface */
	sd_event_source *summary_timer; /* CLOCK_REALTIME: the next wall-clock boundary */
	uint64_t start_usec;
	uint64_t period_usec;
	uint64_t next_poll_usec;
	uint64_t watchdog_usec;
	double speed;
	bool ready;
	bool tty_status; /* a live status line on the terminal */
	bool status_shown;

	uint64_t stored_calibration_usec;  /* CLOCK_REALTIME of the calibration loaded at start */
	unsigned long alerts_before_today; /* actions' alert count at local midnight */
	int today;			   /* local date as year * 1000 + day of the year */
};

static uint64_t now_usec(const struct daemon *d)
{
	uint64_t usec = 0;

	sd_event_now(d->event, CLOCK_MONOTONIC, &usec);
	return usec;
}

/* Pipeline time: seconds since start, faster than real time for simulated wearers. */
static double pipeline_time_s(const struct daemon *d, uint64_t usec)
{
	return (double)(usec - d->start_usec) / 1e6 * d->speed;
}

/* The pipeline time of a CLOCK_MONOTONIC instant in ns (a kernel timestamp). */
static double pipeline_time_at_ns(const struct daemon *d, int64_t t_ns)
{
	return ((double)t_ns / 1e3 - (double)d->start_usec) / 1e6 * d->speed;
}

static void emit_simple(struct daemon *d, enum event_type type, enum sensor_role role,
			const char *detail)
{
	struct posture_event ev;

	event_init(&ev, type, pipeline_time_s(d, now_usec(d)));
	ev.role = role;
	snprintf(ev.detail, sizeof(ev.detail), "%s", detail);
	actions_on_event(&d->actions, &ev);
}

static void clear_status_line(void *ctx)
{
	struct daemon *d = ctx;

	if (d->status_shown) {
		fputs("\r\033[K", stderr);
		d->status_shown = false;
	}
}

/* ---- the wearer's controls (control.h): the bus and the button ---- */

static int minute_of_day(void *ctx)
{
	time_t now = time(NULL);
	struct tm tm;

	(void)ctx;
	if (!localtime_r(&now, &tm))
		return -1;
	return tm.tm_hour * 60 + tm.tm_min;
}

static int local_date(time_t t)
{
	struct tm tm;

	return localtime_r(&t, &tm) ? (tm.tm_year + 1900) * 1000 + tm.tm_yday : 0;
}

/* Pipeline time t_s as CLOCK_REALTIME microseconds (pipeline time runs speed times faster). */
static uint64_t realtime_usec_at(const struct daemon *d, double t_s)
{
	struct timespec ts;
	double now_real_s, now_pipe_s = pipeline_time_s(d, now_usec(d));

	clock_gettime(CLOCK_REALTIME, &ts);
	now_real_s = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	now_real_s += (t_s - now_pipe_s) / d->speed;
	return now_real_s > 0.0 ? (uint64_t)(now_real_s * 1e6) : 0;
}

/* The alerts of the local day: the count restarts at midnight (or at start-up). */
static unsigned int alerts_today(struct daemon *d)
{
	int today = local_date(time(NULL));

	if (today != d->today) {
		d->today = today;
		d->alerts_before_today = d->actions.alerts;
	}
	return (unsigned int)(d->actions.alerts - d->alerts_before_today);
}

static void control_status(void *ctx, struct control_status *out)
{
	struct daemon *d = ctx;
	const struct pipeline *p = &d->pipeline;
	const struct posture_angles *a = pipeline_angles(p);
	double until_s;

	memset(out, 0, sizeof(*out));
	out->ready = d->ready;
	out->state = posture_state_name(pipeline_state(p));
	out->activity = pipeline_frame_t_s(p) > 0.0 ? activity_name(pipeline_activity(p)) : "";
	out->trunk_deg = a->valid[ROLE_TRUNK] ? a->flexion_deg[ROLE_TRUNK] : NAN;
	out->lateral_deg = a->valid[ROLE_TRUNK] ? a->lateral_deg[ROLE_TRUNK] : NAN;
	out->head_deg = a->valid[ROLE_HEAD] ? a->flexion_deg[ROLE_HEAD] : NAN;
	out->neck_deg = a->neck_valid ? a->neck_flexion_deg : NAN;
	out->alerts_today = alerts_today(d);
	out->mode = actions_mode(&d->actions);
	if (actions_snoozed_until(&d->actions, &until_s))
		out->snoozed_until_usec = realtime_usec_at(d, until_s);
	out->calibrated_usec = d->actions.calibrated
				   ? realtime_usec_at(d, d->actions.last_calibrated_s)
				   : d->stored_calibration_usec;
}

static int control_calibrate(void *ctx, const char *who, char *err, size_t err_len)
{
	struct daemon *d = ctx;

	(void)err;
	(void)err_len;
	log_info("%s: recalibrating as soon as the wearer is still", who);
	pipeline_request_calibration(&d->pipeline);
	return 0;
}

/* A day: beyond it a forgotten snooze would silence the device for good. */
#define SNOOZE_MAX_S (24.0 * 3600.0)

static int control_snooze(void *ctx, double duration_s, const char *who, char *err, size_t err_len)
{
	struct daemon *d = ctx;

	if (!(duration_s >= 1.0 && duration_s <= SNOOZE_MAX_S)) {
		snprintf(err, err_len, "a snooze lasts 1 s to 24 h, not %g s", duration_s);
		return -EINVAL;
	}
	log_info("%s: alerts snoozed for %.0f s", who, duration_s);
	actions_snooze(&d->actions, pipeline_time_s(d, now_usec(d)), duration_s * d->speed, who);
	return 0;
}

static int control_resume(void *ctx, const char *who, char *err, size_t err_len)
{
	struct daemon *d = ctx;

	(void)err;
	(void)err_len;
	actions_resume(&d->actions, pipeline_time_s(d, now_usec(d)), who);
	return 0;
}

/* The detector's holding times for the mode in force. */
static void apply_mode(struct daemon *d, struct pipeline_settings *ps)
{
	struct policy_settings pol;

	config_policy_settings(d->cfg, &pol);
	policy_detector_settings(actions_mode(&d->actions), &pol, &d->cfg->detector, &ps->detector);
}

static int control_set_mode(void *ctx, enum alert_mode mode, const char *who, char *err,
			    size_t err_len)
{
	struct daemon *d = ctx;
	struct stored_mode stored = { mode, config_mode(d->cfg) };
	struct pipeline_settings ps;
	char why[512];

	if ((unsigned int)mode >= ALERT_MODE_COUNT) {
		snprintf(err, err_len, "unknown mode %d: iso, training or tracking", (int)mode);
		return -EINVAL;
	}
	actions_set_mode(&d->actions, pipeline_time_s(d, now_usec(d)), mode, who);
	config_pipeline_settings(d->cfg, &ps);
	apply_mode(d, &ps);
	pipeline_set_settings(&d->pipeline, &ps);
	if (calstore_save_mode(d->state_dir, &stored, why, sizeof(why)) < 0)
		log_warning("%s (mode %s is in force until postured restarts)", why,
			    alert_mode_name(mode));
	return 0;
}

static const struct control_ops control_ops = {
	.status = control_status,
	.calibrate = control_calibrate,
	.snooze = control_snooze,
	.resume = control_resume,
	.set_mode = control_set_mode,
};

/* The bus's properties follow the status; without a bus this does nothing. */
static void publish_status(struct daemon *d)
{
	struct control_status st;

	if (!d->bus)
		return;
	control_ops.status(d, &st);
	bus_status_changed(d->bus, &st);
}

/* The mode chosen at run time, unless [alerts] mode was edited since. */
static enum alert_mode initial_mode(const struct daemon *d)
{
	struct stored_mode stored;
	enum alert_mode ini = config_mode(d->cfg);
	char err[512];
	int ret = calstore_load_mode(d->state_dir, &stored, err, sizeof(err));

	if (ret == -ENOENT)
		return ini;
	if (ret < 0) {
		log_warning("%s: using [alerts] mode = %s", err, alert_mode_name(ini));
		return ini;
	}
	if (stored.ini_mode != ini) {
		log_info("[alerts] mode was edited to %s since mode %s was chosen at run time: %s",
			 alert_mode_name(ini), alert_mode_name(stored.mode), alert_mode_name(ini));
		return ini;
	}
	if (stored.mode != ini)
		log_info("mode %s, as chosen at run time (stored in %s)",
			 alert_mode_name(stored.mode), d->state_dir);
	return stored.mode;
}

/* ---- motor ---- */

static int on_haptic_timer(sd_event_source *s, uint64_t usec, void *userdata);

static void update_motor(struct daemon *d)
{
	double now_s = (double)now_usec(d) / 1e6, next_s;
	bool on = haptic_player_level(&d->player, now_s, &next_s);

	if (d->motor && gpio_motor_set(d->motor, on) < 0)
		log_warning("cannot switch the motor on [haptic] chip %s line %u",
			    d->cfg->haptic_chip, d->cfg->haptic_line);
	/* Its shaking must not read as posture (without a motor nothing shakes). */
	pipeline_set_motor(&d->pipeline, on && d->motor != NULL, pipeline_time_s(d, now_usec(d)));
	if (next_s >= 0.0) {
		uint64_t at = (uint64_t)(next_s * 1e6);

		if (d->haptic_timer) {
			sd_event_source_set_time(d->haptic_timer, at);
			sd_event_source_set_enabled(d->haptic_timer, SD_EVENT_ONESHOT);
		} else {
			sd_event_add_time(d->event, &d->haptic_timer, CLOCK_MONOTONIC, at, 1000,
					  on_haptic_timer, d);
		}
	}
}

static int on_haptic_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	update_motor(userdata);
	return 0;
}

static void buzz(void *ctx, const struct haptic_pattern *pattern)
{
	struct daemon *d = ctx;

	haptic_player_start(&d->player, pattern, (double)now_usec(d) / 1e6);
	update_motor(d);
}

static int open_motor(const struct config *cfg, struct gpio_motor **out, char *err, size_t len)
{
	*out = NULL;
	if (strcmp(cfg->haptic_backend, "none") == 0)
		return 0;
	return gpio_motor_open(cfg->haptic_chip, cfg->haptic_line, cfg->haptic_active_low,
			       "postured", out, err, len);
}

/* ---- button ---- */

static int open_button(const struct config *cfg, struct gpio_button **out, char *err, size_t len)
{
	enum gpio_bias bias = GPIO_BIAS_AS_IS;

	*out = NULL;
	if (strcmp(cfg->button_backend, "none") == 0)
		return 0;
	/* config_load accepted only a name this parses. */
	gpio_bias_parse(cfg->button_bias, &bias);
	return gpio_button_open(cfg->button_chip, cfg->button_line, cfg->button_active_low, bias,
				"postured", out, err, len);
}

/* A short press snoozes, a long press recalibrates; each done is acknowledged on the motor. */
static void on_button_action(struct daemon *d, enum button_action action)
{
	const struct control_ops *ops = &control_ops;
	const struct haptic_pattern *ack;
	char err[256] = "";
	int ret;

	if (action == BUTTON_NONE)
		return;
	log_info("button: %s", button_action_name(action));
	if (action == BUTTON_SHORT_PRESS) {
		ret = ops->snooze(d, d->cfg->snooze_s, "button", err, sizeof(err));
		ack = &d->cfg->snooze_pattern;
	} else {
		ret = ops->calibrate(d, "button", err, sizeof(err));
		ack = &d->cfg->calibrate_pattern;
	}
	/* No acknowledgement for what was not done: the wearer must not believe it was. */
	if (ret < 0) {
		log_warning("button: %s not done: %s", button_action_name(action), err);
		return;
	}
	buzz(d, ack);
}

static int on_button_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* Wakes the loop at the button's next deadline (the long-press time, a level to confirm). */
static void arm_button_timer(struct daemon *d)
{
	uint64_t at_ns, at_usec;

	if (!button_deadline(&d->button, &at_ns)) {
		if (d->button_timer)
			sd_event_source_set_enabled(d->button_timer, SD_EVENT_OFF);
		return;
	}
	/* Rounded up: woken before the deadline, the button would have nothing to decide yet. */
	at_usec = at_ns / 1000 + (at_ns % 1000 != 0);
	if (d->button_timer) {
		sd_event_source_set_time(d->button_timer, at_usec);
		sd_event_source_set_enabled(d->button_timer, SD_EVENT_ONESHOT);
	} else {
		sd_event_add_time(d->event, &d->button_timer, CLOCK_MONOTONIC, at_usec,
				  BUTTON_ACCURACY_USEC, on_button_timer, d);
	}
}

static int on_button_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	(void)usec;
	on_button_action(d, button_tick(&d->button, now_usec(d) * 1000));
	arm_button_timer(d);
	return 0;
}

/*
 * The kernel's stamp of an edge, on the loop's CLOCK_MONOTONIC. Kernels before 5.7 stamp the
 * libgpiod 1.x events on CLOCK_REALTIME instead, decades away: such an edge is taken when read.
 */
static uint64_t edge_time_ns(const struct daemon *d, uint64_t stamp_ns)
{
	uint64_t now_ns = now_usec(d) * 1000;

	if (stamp_ns > now_ns + EDGE_CLOCK_SLACK_NS || stamp_ns + EDGE_CLOCK_SLACK_NS < now_ns)
		return now_ns;
	return stamp_ns;
}

static void stop_button(struct daemon *d)
{
	d->button_io = sd_event_source_disable_unref(d->button_io);
	d->button_timer = sd_event_source_disable_unref(d->button_timer);
	gpio_button_close(d->button_line);
	d->button_line = NULL;
}

static int on_button_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	struct gpio_edge edges[GPIO_BUTTON_READ_MAX];
	int n = gpio_button_read(d->button_line, edges, GPIO_BUTTON_READ_MAX);

	(void)s;
	(void)fd;
	if (n == -EAGAIN && !(revents & (EPOLLERR | EPOLLHUP)))
		return 0;
	if (n < 0) {
		log_err("cannot read the button on [button] chip %s line %u: %s: the button is off "
			"until a reload re-opens it",
			d->cfg->button_chip, d->cfg->button_line,
			strerror(n == -EAGAIN ? ENODEV : -n));
		stop_button(d);
		return 0;
	}
	for (int i = 0; i < n; i++)
		on_button_action(
		    d, button_edge(&d->button, edges[i].active, edge_time_ns(d, edges[i].time_ns)));
	arm_button_timer(d);
	return 0;
}

/* Watches the open line (if any) from the event loop, released and with nothing pending. */
static int start_button(struct daemon *d)
{
	button_init(&d->button, &d->cfg->button);
	if (!d->button_line)
		return 0;
	return sd_event_add_io(d->event, &d->button_io, gpio_button_fd(d->button_line), EPOLLIN,
			       on_button_io, d);
}

/*
 * Re-opens the button as cfg says. The old line is released first, as the new one may be the
 * same line requested otherwise; when the new one cannot be opened, fallback's is opened again.
 * Returns 0, or the negative errno and message of the open as cfg says.
 */
static int reopen_button(struct daemon *d, const struct config *cfg, const struct config *fallback,
			 char *err, size_t len)
{
	char fallback_err[512];
	int ret, watch;

	stop_button(d);
	ret = open_button(cfg, &d->button_line, err, len);
	if (ret < 0 &&
	    open_button(fallback, &d->button_line, fallback_err, sizeof(fallback_err)) < 0)
		log_err("%s: the button is off until a reload re-opens it", fallback_err);
	watch = start_button(d);
	if (watch < 0) {
		log_err("cannot watch the button's line: %s: the button is off until a reload "
			"re-opens it",
			strerror(-watch));
		stop_button(d);
	}
	return ret;
}

/* ---- sensors ---- */

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata);
static void update_capture(struct daemon *d);

static void close_sensor(struct role_input *in)
{
	if (!in->d)
		return; /* never opened: start-up failed before the sensors */
	framer_set_active(&in->d->framer, (int)in->role, false);
	iio_sensor_close(in->sensor);
	in->sensor = NULL;
	in->answered = false;
	update_capture(in->d);
}

static void schedule_retry(struct role_input *in)
{
	uint64_t at = now_usec(in->d) + in->retry_usec;

	if (in->retry) {
		sd_event_source_set_time(in->retry, at);
		sd_event_source_set_enabled(in->retry, SD_EVENT_ONESHOT);
	} else {
		sd_event_add_time(in->d->event, &in->retry, CLOCK_MONOTONIC, at, 10000, on_retry,
				  in);
	}
}

/* Before the daemon is ready a missing sensor is only retried: become_ready() reports it. */
static void sensor_lost(struct role_input *in, const char *why)
{
	struct daemon *d = in->d;

	if (d->ready)
		emit_simple(d, EVENT_SENSOR_LOST, in->role, why);
	else
		log_debug("%s sensor not there yet: %s", role_name(in->role), why);
	snprintf(in->why, sizeof(in->why), "%.300s", why);
	close_sensor(in);
	in->lost = true;
	in->retry_usec = RETRY_FIRST_USEC;
	pipeline_reset_role(&d->pipeline, in->role);
	schedule_retry(in);
}

/* A buffer that never delivered is not tried again until the input settings change. */
static enum capture_mode role_capture(const struct role_input *in)
{
	enum capture_mode mode = config_capture(in->d->cfg);

	return mode == CAPTURE_AUTO && in->buffer_silent ? CAPTURE_POLL : mode;
}

static int open_role(struct role_input *in, char *err, size_t len)
{
	struct daemon *d = in->d;
	const struct config *cfg = d->cfg;
	int ret = iio_sensor_open(cfg->uri, &cfg->sensor[in->role], in->role, cfg->rate_hz,
				  role_capture(in), &in->sensor, err, len);

	if (ret < 0)
		return ret;
	in->seen = true;
	in->opened_usec = now_usec(d);
	log_info("%s sensor: %s, sampling_frequency in force %.1f Hz; %s", role_name(in->role),
		 iio_sensor_describe(in->sensor), iio_sensor_rate_hz(in->sensor),
		 iio_sensor_capture_why(in->sensor));
	framer_set_active(&d->framer, (int)in->role, true);
	update_capture(d);
	return 0;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct role_input *in = userdata;
	char err[1024];

	(void)s;
	(void)usec;
	if (open_role(in, err, sizeof(err)) == 0) {
		in->lost = false;
		in->retry_usec = RETRY_FIRST_USEC;
		if (in->d->ready)
			emit_simple(in->d, EVENT_SENSOR_RESTORED, in->role,
				    iio_sensor_describe(in->sensor));
		return 0;
	}
	log_debug("%s sensor still missing: %s", role_name(in->role), err);
	snprintf(in->why, sizeof(in->why), "%.300s", err);
	in->retry_usec = in->retry_usec * 2 > RETRY_MAX_USEC ? RETRY_MAX_USEC : in->retry_usec * 2;
	schedule_retry(in);
	return 0;
}

static void close_role(struct role_input *in)
{
	close_sensor(in);
	in->lost = false;
	in->retry = sd_event_source_disable_unref(in->retry);
}

/*
 * (Re)opens every role in use, at start-up and when a reload changes the input settings. A role
 * already reported lost stays one lost episode: restored if it opens now, silent if not.
 */
static void open_sensors(struct daemon *d)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct role_input *in = &d->in[r];
		bool was_lost = in->lost;
		char err[1024];

		in->d = d;
		in->role = (enum sensor_role)r;
		close_role(in);
		in->buffer_silent = false;
		if (!d->cfg->sensor[r].enabled)
			continue;
		if (open_role(in, err, sizeof(err)) == 0) {
			if (was_lost)
				emit_simple(d, EVENT_SENSOR_RESTORED, in->role,
					    iio_sensor_describe(in->sensor));
		} else if (was_lost) {
			in->lost = true;
			in->retry_usec = RETRY_FIRST_USEC;
			snprintf(in->why, sizeof(in->why), "%.300s", err);
			schedule_retry(in);
		} else {
			sensor_lost(in, err);
		}
	}
}

static void close_sensors(struct daemon *d)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		close_role(&d->in[r]);
}

/* ---- systemd notification ---- */

/*
 * A sensor not found since start-up is "missing", with why; one that stopped answering is "lost".
 * The posture of the sensors still answering follows; with none the posture is unknown.
 */
static void format_status(const struct daemon *d, char *buf, size_t len)
{
	const struct pipeline *p = &d->pipeline;
	const struct posture_angles *a = pipeline_angles(p);
	unsigned int alerts = pipeline_alerts(p);
	bool any_open = false, any_seen = false;
	double until_s;
	size_t used = 0;

	for (int r = 0; r < ROLE_COUNT; r++) {
		if (!d->cfg->sensor[r].enabled)
			continue;
		any_open |= !d->in[r].lost;
		any_seen |= d->in[r].seen;
	}
	if (!any_open && !any_seen)
		used = (size_t)snprintf(buf, len, "no sensor answers: ");
	for (int r = 0; r < ROLE_COUNT && used < len; r++) {
		const struct role_input *in = &d->in[r];
		const char *sep = used && buf[used - 1] != ' ' ? "; " : "";

		if (!d->cfg->sensor[r].enabled || !in->lost)
			continue;
		if (in->seen)
			used += (size_t)snprintf(buf + used, len - used, "%s%s sensor lost", sep,
						 role_name((enum sensor_role)r));
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%s sensor missing: %s",
						 sep, role_name((enum sensor_role)r), in->why);
	}
	if (any_open && used < len) {
		used += (size_t)snprintf(buf + used, len - used, "%s%s, %s", used ? "; " : "",
					 posture_state_name(pipeline_state(p)),
					 activity_name(pipeline_activity(p)));
		if (a->valid[ROLE_TRUNK] && used < len)
			used += (size_t)snprintf(
			    buf + used, len - used, ", trunk %.1f deg, lateral %.1f deg",
			    a->flexion_deg[ROLE_TRUNK], a->lateral_deg[ROLE_TRUNK]);
		if (a->neck_valid && used < len)
			used += (size_t)snprintf(buf + used, len - used, ", neck %.1f deg",
						 a->neck_flexion_deg);
	}
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, ", %u alert%s", alerts,
					 alerts == 1 ? "" : "s");
	if (actions_mode(&d->actions) != ALERT_MODE_ISO && used < len)
		used += (size_t)snprintf(buf + used, len - used, ", %s mode",
					 alert_mode_name(actions_mode(&d->actions)));
	if (actions_snoozed_until(&d->actions, &until_s) && used < len)
		snprintf(buf + used, len - used, ", snoozed");
}

static void notify_status(struct daemon *d)
{
	char status[1024];

	format_status(d, status, sizeof(status));
	sd_notifyf(false, "STATUS=%s", status);
	if (d->tty_status) {
		fprintf(stderr, "\r\033[K[%6.1f s] %s", pipeline_frame_t_s(&d->pipeline), status);
		fflush(stderr);
		d->status_shown = true;
	}
}

/*
 * While a sensor is buffered, STATUS= is updated on its blocks' wake-ups (every 200 ms) and the
 * timer is only the fallback for when they stop: otherwise it would wake the daemon 4 times a
 * second on top of the blocks' 5.
 */
static uint64_t status_interval_usec(const struct daemon *d)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (d->in[r].sensor && iio_sensor_buffered(d->in[r].sensor))
			return 4 * STATUS_INTERVAL_USEC;
	return STATUS_INTERVAL_USEC;
}

static int on_status_timer(sd_event_source *s, uint64_t due_usec, void *userdata)
{
	struct daemon *d = userdata;

	(void)due_usec;
	d->last_status_usec = now_usec(d);
	actions_tick(&d->actions, pipeline_time_s(d, d->last_status_usec));
	notify_status(d);
	publish_status(d);
	sd_event_source_set_time(s, d->last_status_usec + status_interval_usec(d));
	return 0;
}

/*
 * Healthy means every sensor in use either delivered a sample within half the watchdog period, or
 * is known lost and being retried. A loop that still runs but gets no data must not be kept
 * alive by the watchdog.
 */
static bool healthy(const struct daemon *d, uint64_t now)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct role_input *in = &d->in[r];

		if (!d->cfg->sensor[r].enabled || in->lost)
			continue;
		if (!in->answered || now > in->last_sample_usec + d->watchdog_usec / 2)
			return false;
	}
	return true;
}

static int on_watchdog_timer(sd_event_source *s, uint64_t due_usec, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now = now_usec(d);

	(void)due_usec;
	if (healthy(d, now))
		sd_notify(false, "WATCHDOG=1");
	else
		log_warning("no samples for %.1f s: not pinging the watchdog",
			    (double)d->watchdog_usec / 2e6);
	sd_event_source_set_time(s, now + d->watchdog_usec / 4);
	return 0;
}

/*
 * Ready once every sensor answers, or when the grace period ends without some: the daemon then
 * monitors with the sensors it has (none, at worst) and picks the others up when they appear,
 * instead of never becoming ready and being restarted by systemd over and over.
 */
static void become_ready(struct daemon *d)
{
	char missing[64] = "";
	size_t used = 0;
	bool any_open = false;

	d->ready = true;
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct role_input *in = &d->in[r];

		if (!d->cfg->sensor[r].enabled)
			continue;
		if (!in->lost) {
			any_open = true;
			continue;
		}
		emit_simple(d, EVENT_SENSOR_LOST, in->role, in->why);
		used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s",
					 used ? " and " : "", role_name(in->role));
	}
	if (!used)
		log_info("sensors answer: ready");
	else if (!any_open)
		log_warning("no sensor answers after %.0f s (%s missing): ready, retrying; "
			    "monitoring starts when a sensor appears",
			    (double)READY_GRACE_USEC / 1e6, missing);
	else
		log_warning("%s sensor missing after %.0f s: ready, monitoring with the others; "
			    "retrying, it is picked up when it appears",
			    missing, (double)READY_GRACE_USEC / 1e6);
	sd_notify(false, "READY=1");
	notify_status(d);
}

static int on_ready_grace(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	(void)usec;
	if (!d->ready)
		become_ready(d);
	return 0;
}

/* ---- polling ---- */

static void set_period(struct daemon *d)
{
	d->period_usec = (uint64_t)(1e6 / (d->cfg->rate_hz * d->speed));
	if (d->period_usec == 0)
		d->period_usec = 1;
}

static void record_frame(struct daemon *d, const struct frame *f)
{
	int ret;

	for (int r = 0; r < ROLE_COUNT; r++)
		if (d->cfg->sensor[r].enabled && !f->has[r])
			return; /* a row needs every column: gaps stay gaps */
	ret = recording_write(d->recording, f);
	if (ret < 0) {
		log_err("cannot write the recording %s: %s; recording stopped", d->opt->record_path,
			strerror(-ret));
		recording_finish(d->recording);
		d->recording = NULL;
	}
}

/* Ready once every sensor in use has answered since it was opened. */
static bool all_answered(const struct daemon *d)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (d->cfg->sensor[r].enabled && !d->in[r].answered)
			return false;
	return true;
}

/* Hands the frames the framer has decided to the pipeline (and the recording). */
static void deliver_frames(struct daemon *d)
{
	double now_s = pipeline_time_s(d, now_usec(d));
	struct frame f;

	while (framer_pop(&d->framer, now_s, &f)) {
		unsigned long dropped = pipeline_dropped_frames(&d->pipeline);

		pipeline_push(&d->pipeline, &f);
		/* Once, not per sample: a glitching sensor would flood the journal. */
		if (dropped == 0 && pipeline_dropped_frames(&d->pipeline) > 0)
			log_warning(
			    "a sensor gave an impossible reading (beyond what any IMU reads): "
			    "sample dropped; the count is logged when postured stops");
		if (d->recording)
			record_frame(d, &f);
	}
	if (!d->ready && all_answered(d))
		become_ready(d);
}

/*
 * The callback's usec is when the tick was due, not when it runs: samples are stamped with the
 * time they are read, or a late tick would pair an old reading with a made-up time step.
 */
static int on_poll_timer(sd_event_source *s, uint64_t due_usec, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t usec = now_usec(d);
	double t_s = pipeline_time_s(d, usec);

	(void)due_usec;
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct role_input *in = &d->in[r];
		struct imu_sample imu;
		char err[512];

		if (!d->cfg->sensor[r].enabled || !in->sensor || iio_sensor_buffered(in->sensor))
			continue;
		if (iio_sensor_read(in->sensor, &imu, err, sizeof(err)) < 0) {
			sensor_lost(in, err);
			continue;
		}
		framer_push(&d->framer, r, t_s, &imu);
		in->answered = true;
		in->last_sample_usec = usec;
	}
	deliver_frames(d);

	/* Keep a steady grid; after a stall, skip missed ticks instead of bursting. */
	d->next_poll_usec += d->period_usec;
	if (d->next_poll_usec <= usec)
		d->next_poll_usec = usec + d->period_usec;
	sd_event_source_set_time(s, d->next_poll_usec);
	return 0;
}

/* ---- buffered capture ---- */

static void on_sample(void *ctx, int64_t t_ns, const struct imu_sample *imu)
{
	struct role_input *in = ctx;

	framer_push(&in->d->framer, (int)in->role, pipeline_time_at_ns(in->d, t_ns), imu);
}

/* Takes what a buffered role's buffer holds; false when the sensor was lost reading it. */
static bool drain(struct role_input *in, uint64_t now)
{
	char err[512];
	int n = iio_sensor_read_block(in->sensor, on_sample, in, err, sizeof(err));

	if (n < 0) {
		sensor_lost(in, err);
		return false;
	}
	if (n > 0) {
		in->answered = true;
		in->last_sample_usec = now;
	}
	return true;
}

static bool buffered(const struct role_input *in)
{
	return in->sensor && iio_sensor_buffered(in->sensor);
}

/* How long a buffer may stay silent, in wall time: a second, or three blocks if longer. */
static uint64_t silence_usec(const struct daemon *d, const struct role_input *in)
{
	uint64_t blocks = (uint64_t)(3e6 * iio_sensor_block_s(in->sensor) / d->speed);

	return blocks > SILENCE_USEC ? blocks : SILENCE_USEC;
}

/*
 * A buffer that never delivered has a trigger that does not fire (an INT pin declared but not
 * wired): with capture = auto the sensor is polled from then on, and the message says what to
 * wire. One that delivered and stopped, or any with capture = buffer, is a lost sensor.
 */
static void buffer_silent(struct role_input *in, uint64_t now)
{
	struct daemon *d = in->d;
	double silent_s =
	    (double)(now - (in->answered ? in->last_sample_usec : in->opened_usec)) / 1e6;
	char hint[320], why[512];

	if (!drain(in, now) || in->last_sample_usec == now)
		return; /* lost with the read's own error, or it delivered after all */
	if (in->answered) {
		snprintf(why, sizeof(why),
			 "no samples from the buffer of %s for %.1f s: the device is gone or its "
			 "trigger stopped",
			 iio_sensor_describe(in->sensor), silent_s);
		sensor_lost(in, why);
		return;
	}
	iio_sensor_silence_hint(in->sensor, hint, sizeof(hint));
	if (config_capture(d->cfg) == CAPTURE_BUFFER) {
		snprintf(why, sizeof(why), "no samples from the buffer of %s in %.1f s: %s",
			 iio_sensor_describe(in->sensor), silent_s, hint);
		sensor_lost(in, why);
		return;
	}
	snprintf(why, sizeof(why), "no samples from the buffer in %.1f s: %s (capture = auto)",
		 silent_s, hint);
	log_warning("%s sensor %s: %s; polling at %.1f Hz instead", role_name(in->role),
		    iio_sensor_describe(in->sensor), why, d->cfg->rate_hz);
	iio_sensor_stop_buffer(in->sensor, why);
	in->buffer_silent = true;
	framer_set_active(&d->framer, (int)in->role, true);
	update_capture(d);
}

/* Every buffered role past its silence limit, at each block tick. */
static void check_silence(struct daemon *d, uint64_t now)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct role_input *in = &d->in[r];

		if (buffered(in) && now >= (in->answered ? in->last_sample_usec : in->opened_usec) +
					       silence_usec(d, in))
			buffer_silent(in, now);
	}
}

/*
 * Every fifth of a second: every buffered role is drained at once, so any number of sensors
 * cost 5 wake-ups a second between them, and the framer gets the roles' samples of the same
 * stretch of time to pair. A timer, not the buffers' fds: the kernel wakes a poller of an IIO
 * buffer at every sample it stores (the watermark only decides whether poll() then reports it
 * readable), which would cost a wake-up per sample again.
 */
static int on_block_timer(sd_event_source *s, uint64_t due_usec, void *userdata)
{
	struct daemon *d = userdata;
	uint64_t now = now_usec(d);

	for (int r = 0; r < ROLE_COUNT; r++)
		if (buffered(&d->in[r]))
			drain(&d->in[r], now);
	check_silence(d, now);
	deliver_frames(d);
	/* STATUS= rides on the blocks' wake-ups (see status_interval_usec). */
	if (now >= d->last_status_usec + STATUS_INTERVAL_USEC / 2)
		on_status_timer(d->status_timer, now, d);
	/* A steady grid; after a stall, no burst of catching up. */
	due_usec += d->block_usec;
	sd_event_source_set_time(s, due_usec > now ? due_usec : now + d->block_usec);
	return 0;
}

/*
 * After a sensor opened, closed or fell back to polling: the block timer runs while some sensor
 * is buffered (at the shortest block), the poll timer while some sensor is polled, and the
 * framer pairs within three quarters of the slowest sample period and waits for a silent role
 * two blocks of the slowest buffer.
 */
static bool timer_on(sd_event_source *s)
{
	int on = SD_EVENT_OFF;

	sd_event_source_get_enabled(s, &on);
	return on != SD_EVENT_OFF;
}

static void update_capture(struct daemon *d)
{
	struct framer_settings fs = { 0.75 / d->cfg->rate_hz, 2.0 / d->cfg->rate_hz, false };
	bool polled = false;
	double shortest_block_s = 0.0;

	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct role_input *in = &d->in[r];
		double rate_hz, block_s;

		if (!in->sensor)
			continue;
		if (!buffered(in)) {
			polled = true;
			continue;
		}
		rate_hz = iio_sensor_rate_hz(in->sensor);
		block_s = iio_sensor_block_s(in->sensor);
		if (rate_hz > 0.0 && 0.75 / rate_hz > fs.tolerance_s)
			fs.tolerance_s = 0.75 / rate_hz;
		if (2.0 * block_s > fs.max_wait_s)
			fs.max_wait_s = 2.0 * block_s;
		if (shortest_block_s == 0.0 || block_s < shortest_block_s)
			shortest_block_s = block_s;
	}
	framer_set_settings(&d->framer, &fs);
	if (!d->poll_timer)
		return;
	if (!polled) {
		sd_event_source_set_enabled(d->poll_timer, SD_EVENT_OFF);
	} else if (!timer_on(d->poll_timer)) {
		d->next_poll_usec = now_usec(d) + d->period_usec;
		sd_event_source_set_time(d->poll_timer, d->next_poll_usec);
		sd_event_source_set_enabled(d->poll_timer, SD_EVENT_ON);
	}
	if (shortest_block_s == 0.0) {
		sd_event_source_set_enabled(d->block_timer, SD_EVENT_OFF);
		return;
	}
	d->block_usec = (uint64_t)(shortest_block_s / d->speed * 1e6);
	if (d->block_usec == 0)
		d->block_usec = 1;
	if (!timer_on(d->block_timer)) {
		sd_event_source_set_time(d->block_timer, now_usec(d) + d->block_usec);
		sd_event_source_set_enabled(d->block_timer, SD_EVENT_ON);
	}
}

/* ---- summaries at wall-clock boundaries ---- */

/*
 * Summaries close at local wall-clock boundaries, every summary_interval_s from midnight (each
 * full hour by default), so a report's hours add up; the first covers the part of the period
 * since start. A CLOCK_REALTIME timer follows a clock that is set later (NTP on a Pi without a
 * real-time clock). With a faster clock (--speed, simulated wearers) the wall clock means
 * nothing: the pipeline keeps its own intervals, as in replay.
 */
static uint64_t next_summary_realtime_usec(double interval_s)
{
	struct timespec ts;
	struct tm tm;
	double day_s, next_s;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (!localtime_r(&ts.tv_sec, &tm))
		tm = (struct tm){ 0 };
	day_s = tm.tm_hour * 3600.0 + tm.tm_min * 60.0 + tm.tm_sec + (double)ts.tv_nsec / 1e9;
	/* The day's last period ends at midnight, also when the interval does not divide a day. */
	next_s = fmin((floor(day_s / interval_s) + 1.0) * interval_s, 86400.0);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000 +
	       (uint64_t)((next_s - day_s) * 1e6);
}

static int arm_summary_timer(struct daemon *d);

static int on_summary_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	(void)usec;
	pipeline_emit_summary(&d->pipeline, EVENT_SUMMARY);
	if (arm_summary_timer(d) < 0)
		log_warning("cannot set the next summary's timer: summaries come every "
			    "summary_interval_s from now on, not at wall-clock boundaries");
	return 0;
}

static int arm_summary_timer(struct daemon *d)
{
	bool wall_clock = d->speed == 1.0 && d->cfg->summary_interval_s > 0.0;
	uint64_t due_usec;
	int ret;

	pipeline_summaries_by_caller(&d->pipeline, wall_clock);
	if (!wall_clock) {
		if (d->summary_timer)
			sd_event_source_set_enabled(d->summary_timer, SD_EVENT_OFF);
		return 0;
	}
	due_usec = next_summary_realtime_usec(d->cfg->summary_interval_s);
	if (!d->summary_timer)
		ret = sd_event_add_time(d->event, &d->summary_timer, CLOCK_REALTIME, due_usec,
					SUMMARY_ACCURACY_USEC, on_summary_timer, d);
	else if ((ret = sd_event_source_set_time(d->summary_timer, due_usec)) >= 0)
		ret = sd_event_source_set_enabled(d->summary_timer, SD_EVENT_ONESHOT);
	if (ret < 0)
		pipeline_summaries_by_caller(&d->pipeline, false);
	return ret;
}

/* ---- signals ---- */

/*
 * A second request for the line we hold would be refused as busy: change it in place instead,
 * after stopping the buzz, so the motor is off under the old wiring and the new.
 */
static int reconfigure_motor(struct daemon *d, const struct config *next, char *err, size_t len)
{
	int ret;

	haptic_player_init(&d->player);
	update_motor(d);
	ret = gpio_motor_reconfigure(d->motor, next->haptic_active_low);
	if (ret < 0)
		snprintf(err, len,
			 "gpio chip '%s' line %u cannot be switched to active_low = %s: "
			 "%s: restart postured to apply it",
			 next->haptic_chip, next->haptic_line,
			 next->haptic_active_low ? "true" : "false", strerror(-ret));
	return ret;
}

static void reject_config(struct daemon *d, const char *why)
{
	emit_simple(d, EVENT_CONFIG_REJECTED, ROLE_TRUNK, why);
}

static void reload(struct daemon *d)
{
	struct config *next = malloc(sizeof(*next));
	struct pipeline_settings ps;
	char err[1024];
	bool reopen_sensors, reopen_motor, reopen_button_line, ini_mode_changed;
	unsigned int changes;
	struct timespec ts;

	/* systemd needs the current time to order RELOADING=1 against the following READY=1. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (d->ready)
		sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
			   (uint64_t)ts.tv_sec * (uint64_t)USEC_PER_SEC +
			       (uint64_t)ts.tv_nsec / 1000);
	if (!next) {
		reject_config(d, "out of memory");
		goto done;
	}
	config_defaults(next);
	if (config_load(d->opt->config_path, next, err, sizeof(err)) < 0) {
		reject_config(d, err);
		goto done;
	}
	changes = config_changes(d->cfg, next);
	/* First, as a failure to open the motor below must be able to put the old one back. */
	reopen_button_line = changes & CONFIG_NEEDS_BUTTON;
	if (reopen_button_line && reopen_button(d, next, d->cfg, err, sizeof(err)) < 0) {
		reject_config(d, err);
		goto done;
	}
	reopen_motor = changes & CONFIG_NEEDS_MOTOR;
	if (!reopen_motor && (changes & CONFIG_NEEDS_MOTOR_WIRING) && d->motor) {
		if (reconfigure_motor(d, next, err, sizeof(err)) < 0)
			goto reject;
	} else if (reopen_motor) {
		struct gpio_motor *motor;

		if (open_motor(next, &motor, err, sizeof(err)) < 0)
			goto reject;
		gpio_motor_close(d->motor);
		d->motor = motor;
		d->actions.motor_present = motor != NULL;
	}
	reopen_sensors = changes & CONFIG_NEEDS_INPUT;
	ini_mode_changed = config_mode(next) != config_mode(d->cfg);
	*d->cfg = *next;
	actions_set_config(&d->actions, d->cfg);
	/* An edited [alerts] mode is the wearer's latest word: it replaces a run-time choice. */
	if (ini_mode_changed)
		control_set_mode(d, config_mode(d->cfg), "the configuration", err, sizeof(err));
	bus_set_group(d->bus, d->cfg->bus_group);
	config_pipeline_settings(d->cfg, &ps);
	apply_mode(d, &ps);
	pipeline_set_settings(&d->pipeline, &ps);
	button_set_settings(&d->button, &d->cfg->button);
	if (arm_summary_timer(d) < 0)
		log_warning("cannot set the summary timer: summaries follow summary_interval_s, "
			    "not the wall clock");
	if (reopen_sensors) {
		for (int r = 0; r < ROLE_COUNT; r++)
			pipeline_reset_role(&d->pipeline, (enum sensor_role)r);
		pipeline_request_calibration(&d->pipeline);
		set_period(d);
		open_sensors(d);
	}
	config_log(d->cfg);
	emit_simple(d, EVENT_CONFIG_RELOADED, ROLE_TRUNK, d->opt->config_path);
	goto done;
reject:
	/* The running config stays, and with it its button. */
	if (reopen_button_line) {
		char button_err[512];

		reopen_button(d, d->cfg, d->cfg, button_err, sizeof(button_err));
	}
	reject_config(d, err);
done:
	free(next);
	/* Before start-up has become ready (the grace for a missing sensor), READY=1 is its to say.
	 */
	if (d->ready)
		sd_notify(false, "READY=1");
	notify_status(d);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	(void)s;
	switch (si->ssi_signo) {
	case SIGHUP:
		log_info("SIGHUP: reloading %s", d->opt->config_path);
		reload(d);
		break;
	case SIGUSR1:
		control_ops.calibrate(d, "SIGUSR1", NULL, 0);
		break;
	default:
		sd_event_exit(d->event, 0);
		break;
	}
	return 0;
}

/* ---- setup and teardown ---- */

static int setup_event_loop(struct daemon *d)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	sigset_t mask;
	uint64_t now;
	int ret;

	ret = sd_event_new(&d->event);
	if (ret < 0)
		return ret;
	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaddset(&mask, signals[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		ret = sd_event_add_signal(d->event, NULL, signals[i], on_signal, d);
		if (ret < 0)
			return ret;
	}
	sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	d->start_usec = now;
	set_period(d);
	d->next_poll_usec = now + d->period_usec;
	/* Accuracy 0 would mean sd-event's default of 250 ms: ticks would come in bursts. */
	/* Both off until a sensor opens: update_capture() says which of them runs. */
	ret = sd_event_add_time(d->event, &d->poll_timer, CLOCK_MONOTONIC, d->next_poll_usec,
				POLL_ACCURACY_USEC, on_poll_timer, d);
	if (ret < 0)
		return ret;
	sd_event_source_set_enabled(d->poll_timer, SD_EVENT_OFF);
	/* Its accuracy lets the kernel fold other timers into the same wake-up. */
	ret = sd_event_add_time(d->event, &d->block_timer, CLOCK_MONOTONIC, UINT64_MAX,
				USEC_PER_SEC / 20, on_block_timer, d);
	if (ret < 0)
		return ret;
	sd_event_source_set_enabled(d->block_timer, SD_EVENT_OFF);
	ret = sd_event_add_time(d->event, &d->status_timer, CLOCK_MONOTONIC,
				now + STATUS_INTERVAL_USEC, STATUS_INTERVAL_USEC / 10,
				on_status_timer, d);
	if (ret < 0)
		return ret;
	sd_event_source_set_enabled(d->status_timer, SD_EVENT_ON);
	if (sd_watchdog_enabled(false, &d->watchdog_usec) > 0) {
		ret = sd_event_add_time(d->event, &d->watchdog_timer, CLOCK_MONOTONIC,
					now + d->watchdog_usec / 4, d->watchdog_usec / 20,
					on_watchdog_timer, d);
		if (ret < 0)
			return ret;
		sd_event_source_set_enabled(d->watchdog_timer, SD_EVENT_ON);
	}
	return arm_summary_timer(d);
}

static void load_calibration(struct daemon *d, struct calibration *cal)
{
	char err[512];
	int ret = calstore_load(d->state_dir, cal, err, sizeof(err));

	if (ret == 0)
		log_info("using the stored calibration from %s", d->state_dir);
	else if (ret == -ENOENT)
		log_info("no stored calibration in %s: calibrating once the wearer is still",
			 d->state_dir);
	else
		log_warning("%s: recalibrating once the wearer is still", err);
	if (ret < 0)
		cal->valid = false;
}

/* A gyro bias learned in an earlier run: a cheap gyro's offset is large, and starting from it
 * keeps the first minutes' angles right even if the wearer never sits still. */
static void restore_gyro_bias(struct daemon *d)
{
	struct gyro_bias gb;
	char err[512];
	int ret = calstore_load_bias(d->state_dir, &gb, err, sizeof(err));

	if (ret == -ENOENT)
		return;
	if (ret < 0) {
		log_warning("%s: learning the gyro bias afresh", err);
		return;
	}
	for (int r = 0; r < ROLE_COUNT; r++)
		if (gb.has[r])
			pipeline_set_gyro_bias(&d->pipeline, (enum sensor_role)r, gb.bias_rad_s[r],
					       ESTIMATOR_RESTORED_BIAS_SIGMA_RAD_S);
	log_info("using the stored gyro bias from %s", d->state_dir);
}

/* Keeps what each sensor's estimator has learned well enough (averaged at rest). */
static void save_gyro_bias(struct daemon *d)
{
	struct gyro_bias gb = { 0 };
	char err[512];
	bool any = false;

	for (int r = 0; r < ROLE_COUNT; r++) {
		double sigma_rad_s;

		if (!d->cfg->sensor[r].enabled ||
		    !pipeline_gyro_bias(&d->pipeline, (enum sensor_role)r, gb.bias_rad_s[r],
					&sigma_rad_s))
			continue;
		gb.has[r] = sigma_rad_s < ESTIMATOR_RESTORED_BIAS_SIGMA_RAD_S;
		any |= gb.has[r];
	}
	if (any && calstore_save_bias(d->state_dir, &gb, err, sizeof(err)) < 0)
		log_warning("%s (the gyro bias is learned afresh next time)", err);
}

/* At exit, what was learned since the last calibrated event: walking evidence, gyro bias. */
static void save_learned(struct daemon *d)
{
	const struct calibration *cal = pipeline_calibration(&d->pipeline);
	struct control_status st;
	char err[512];

	control_status(d, &st);
	if (cal->valid && calstore_save(d->state_dir, cal, err, sizeof(err)) < 0)
		log_warning("%s (the latest walking evidence is not kept)", err);
	/* The file's time says when the calibration was taken (posturectl status), not this save.
	 */
	else if (cal->valid && st.calibrated_usec)
		calstore_set_taken_usec(d->state_dir, st.calibrated_usec);
	save_gyro_bias(d);
}

int daemon_run(struct config *cfg, const struct run_options *opt)
{
	struct daemon *d = calloc(1, sizeof(*d));
	struct pipeline_settings ps;
	struct calibration cal = { 0 };
	char err[1024];
	int ret, status = EXIT_SUCCESS;

	if (!d) {
		log_err("out of memory");
		return EXIT_FAILURE;
	}
	d->cfg = cfg;
	d->opt = opt;
	d->speed = opt->speed > 0.0 ? opt->speed : 1.0;
	d->sink.to_stderr = opt->foreground;
	d->sink.to_journal = !opt->foreground;
	d->tty_status = opt->foreground && isatty(STDERR_FILENO);
	if (opt->state_dir)
		snprintf(d->state_dir, sizeof(d->state_dir), "%s", opt->state_dir);
	else
		config_state_dir(cfg, d->state_dir, sizeof(d->state_dir));

	if (opt->events_path && sink_open_jsonl(&d->sink, opt->events_path, err, sizeof(err)) < 0) {
		log_err("%s", err);
		free(d);
		return EXIT_FAILURE;
	}
	if (opt->record_path) {
		bool roles[ROLE_COUNT];

		for (int r = 0; r < ROLE_COUNT; r++)
			roles[r] = cfg->sensor[r].enabled;
		if (recording_create(opt->record_path, roles, &d->recording, err, sizeof(err)) <
		    0) {
			log_err("%s", err);
			status = EXIT_FAILURE;
			goto out;
		}
	}
	if (open_motor(cfg, &d->motor, err, sizeof(err)) < 0) {
		log_err("%s", err);
		status = EXIT_FAILURE;
		goto out;
	}
	/* As the motor: a button configured but not there must not look as if it works. */
	if (open_button(cfg, &d->button_line, err, sizeof(err)) < 0) {
		log_err("%s", err);
		status = EXIT_FAILURE;
		goto out;
	}

	d->actions = (struct actions){
		.cfg = cfg,
		.sink = &d->sink,
		.pipeline = &d->pipeline,
		.state_dir = d->state_dir,
		.motor_present = d->motor != NULL,
		.buzz = buzz,
		.minute_of_day = minute_of_day,
		.hook_ctx = d,
		.before_print = clear_status_line,
	};
	actions_init(&d->actions, cfg, initial_mode(d));
	haptic_player_init(&d->player);
	load_calibration(d, &cal);
	if (cal.valid)
		d->stored_calibration_usec = calstore_saved_usec(d->state_dir);
	config_pipeline_settings(cfg, &ps);
	apply_mode(d, &ps);
	pipeline_init(&d->pipeline, &ps, &cal, actions_on_event, &d->actions);
	framer_init(&d->framer,
		    &(struct framer_settings){ 0.75 / cfg->rate_hz, 2.0 / cfg->rate_hz, false });
	restore_gyro_bias(d);

	ret = setup_event_loop(d);
	if (ret == 0)
		ret = start_button(d);
	if (ret < 0) {
		log_err("cannot set up the event loop: %s", strerror(-ret));
		status = EXIT_FAILURE;
		goto out;
	}
	config_log(cfg);
	snprintf(err, sizeof(err), "postured %s, config %.400s, state %.400s", postured_version,
		 opt->config_path, d->state_dir);
	emit_simple(d, EVENT_STARTED, ROLE_TRUNK, err);
	open_sensors(d);
	ret = sd_event_add_time_relative(d->event, NULL, CLOCK_MONOTONIC, READY_GRACE_USEC,
					 USEC_PER_SEC / 10, on_ready_grace, d);
	if (ret < 0) {
		log_err("cannot set up the start-up timer: %s", strerror(-ret));
		status = EXIT_FAILURE;
		goto out;
	}

	/* Before READY=1, which become_ready() sends from the loop: a client started after the
	 * unit finds the name. Without a bus the daemon monitors all the same. */
	ret = bus_open(d->event, cfg->bus_group, &control_ops, d, &d->bus, err, sizeof(err));
	if (ret < 0)
		log_warning("%s: running without the D-Bus interface", err);

	ret = sd_event_loop(d->event);
	if (ret < 0) {
		log_err("event loop failed: %s", strerror(-ret));
		status = EXIT_FAILURE;
	}
	sd_notify(false, "STOPPING=1");
	clear_status_line(d);
	pipeline_emit_summary(&d->pipeline, EVENT_STOPPED);
	if (pipeline_dropped_frames(&d->pipeline) > 0)
		log_warning("%lu impossible samples dropped in all: check the sensor's wiring",
			    pipeline_dropped_frames(&d->pipeline));
	save_learned(d);
	bus_close(d->bus);
	d->bus = NULL;

out:
	stop_button(d);
	gpio_motor_close(d->motor);
	close_sensors(d);
	if (d->recording) {
		ret = recording_finish(d->recording);
		if (ret < 0) {
			log_err("the recording %s is incomplete: %s", opt->record_path,
				strerror(-ret));
			status = EXIT_FAILURE;
		}
	}
	if (sink_close(&d->sink, err, sizeof(err)) < 0) {
		log_err("%s", err);
		status = EXIT_FAILURE;
	}
	sd_event_source_disable_unref(d->poll_timer);
	sd_event_source_disable_unref(d->block_timer);
	sd_event_source_disable_unref(d->status_timer);
	sd_event_source_disable_unref(d->watchdog_timer);
	sd_event_source_disable_unref(d->summary_timer);
	sd_event_source_disable_unref(d->haptic_timer);
	sd_event_unref(d->event);
	free(d);
	return status;
}
