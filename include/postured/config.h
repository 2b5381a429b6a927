/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ini file: every key, its default and its allowed range live in config.c's key table. */
#ifndef POSTURED_CONFIG_H
#define POSTURED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "postured/activity.h"
#include "postured/button.h"
#include "postured/detector.h"
#include "postured/estimator.h"
#include "postured/haptic.h"
#include "postured/pipeline.h"
#include "postured/policy.h"
#include "postured/posture.h"
#include "postured/reference.h"
#include "postured/sample.h"

#define CONFIG_DEFAULT_PATH "/etc/postured/postured.ini"
#define CONFIG_STR_MAX 128

/* How one sensor role finds its IIO device(s) and orients its axes. */
struct sensor_config {
	bool enabled;
	char device[CONFIG_STR_MAX];  /* IIO name, or chip name of an accel/gyro pair ("lsm6dso") */
	char label[CONFIG_STR_MAX];   /* optional: IIO label must match */
	char address[CONFIG_STR_MAX]; /* optional: bus address, "0x68" or "1-0068" */
	char axes[CONFIG_STR_MAX];    /* optional remap like "+Y-X+Z", overrides the mount matrix */
};

/* How samples are read: see [input] capture in config/postured.ini. */
enum capture_mode {
	CAPTURE_AUTO,	/* a triggered buffer when the device has a usable trigger, else polling */
	CAPTURE_BUFFER, /* a triggered buffer or nothing (the sensor is reported and retried) */
	CAPTURE_POLL,	/* read the attributes on a timer: every driver, ip: contexts */
	CAPTURE_MODE_COUNT,
};

/* "auto", "buffer" or "poll". */
const char *capture_mode_name(enum capture_mode mode);

struct config {
	char path[4096]; /* the file this was loaded from, for messages */
	/* the drop-ins read after it (the .ini files of path.d): "10-wearer.ini, 20-motor.ini" */
	char dropins[1024];

	char uri[CONFIG_STR_MAX]; /* libiio context URI */
	double rate_hz;
	char capture[16]; /* capture_mode_name() */
	struct sensor_config sensor[ROLE_COUNT];

	struct estimator_settings estimator;
	struct activity_settings activity;
	struct reference_settings reference;
	struct posture_settings posture;
	struct detector_settings detector;

	char state_dir[4096]; /* empty: $STATE_DIRECTORY, else /var/lib/postured */
	double summary_interval_s;

	char haptic_backend[16]; /* "gpiod" or "none" */
	char haptic_chip[CONFIG_STR_MAX];
	unsigned int haptic_line;
	bool haptic_active_low;
	struct haptic_pattern alert_pattern;
	struct haptic_pattern calibrated_pattern;
	struct haptic_pattern repeat_alert_pattern; /* the second alert of one slump */
	struct haptic_pattern urgent_alert_pattern; /* the third and later */
	struct haptic_pattern correction_pattern;

	char mode[16];			  /* alert_mode_name() */
	char quiet_hours[CONFIG_STR_MAX]; /* quiet_hours_parse() */
	double training_hold_s;
	double training_realert_s;
	bool correction_buzz;

	char bus_group[CONFIG_STR_MAX]; /* root and this group may call the D-Bus methods */

	/* The wearer's push button: a short press snoozes, a long press recalibrates. */
	char button_backend[16]; /* "gpiod" or "none" */
	char button_chip[CONFIG_STR_MAX];
	unsigned int button_line;
	bool button_active_low;
	char button_bias[16]; /* gpio_bias_name(): "pull-up", "pull-down" or "as-is" */
	struct button_settings button;
	double snooze_s;			 /* how long a short press snoozes the alerts */
	struct haptic_pattern snooze_pattern;	 /* acknowledges a short press */
	struct haptic_pattern calibrate_pattern; /* acknowledges a long press */
};

/* What a changed key takes beyond the new settings, which every key takes effect by. */
enum config_need {
	CONFIG_NEEDS_INPUT = 1 << 0, /* re-open the sensors (and recalibrate) */
	CONFIG_NEEDS_MOTOR = 1 << 1, /* re-open the haptic motor (another line) */
	/* the same line, wired the other way round: changed in place, the motor off */
	CONFIG_NEEDS_MOTOR_WIRING = 1 << 2,
	CONFIG_NEEDS_BUTTON = 1 << 3, /* re-open the button's line */
};

/* Fills every field with its documented default. */
void config_defaults(struct config *cfg);

/*
 * Reads path over the defaults (keys the file leaves out keep their default), then the drop-ins:
 * the files "*.ini" in the directory "path.d", in byte order of their names, each over what came
 * before (a key set in one file once; a later file may set it again). No such directory: none.
 * On error returns a negative errno, writes "FILE:LINE: message" (or "FILE: message" when no line
 * applies) to err, FILE being the main file or the drop-in at fault, and leaves cfg untouched,
 * so a rejected reload keeps the configuration in force.
 */
int config_load(const char *path, struct config *cfg, char *err, size_t err_len);

/*
 * Reads path and its drop-ins as config_load does and writes the effective configuration to out:
 * an ini file of every key in the key table's order, each with a comment saying where its value
 * came from ("# default", "# FILE:LINE"). Numbers are shown as config_log shows them, so
 * config_load reads it back to the same values. Returns 0, or a negative errno with the message in
 * err (an invalid configuration is reported as config_load reports it, and nothing is written).
 */
int config_dump(const char *path, FILE *out, char *err, size_t err_len);

/* The pipeline's settings as the config says, with the detector's for the ini's mode. */
void config_pipeline_settings(const struct config *cfg, struct pipeline_settings *ps);

/* Whether and how alerts buzz, as the config says (its mode is the ini's, before any run-time
 * choice). */
void config_policy_settings(const struct config *cfg, struct policy_settings *out);

/* [input] capture. */
enum capture_mode config_capture(const struct config *cfg);

/* The ini's [alerts] mode. */
enum alert_mode config_mode(const struct config *cfg);

/* The state directory: [calibration] state_dir, else $STATE_DIRECTORY, else /var/lib/postured. */
void config_state_dir(const struct config *cfg, char *out, size_t len);

/*
 * The enum config_need flags of every key whose value differs between old and next: what a
 * reload from old to next has to re-open. The key table is the one place that knows it.
 */
unsigned int config_changes(const struct config *old, const struct config *next);

/*
 * For stopping the motor when the rest of the file may be wrong (postured --motor-off): reads only
 * [haptic] backend, chip, line and active_low of path and its drop-ins over cfg's values, ignoring
 * every other section and key and any line it cannot parse. A drop-in directory or a drop-in that
 * cannot be read is a warning line in msg, and is skipped. A motor key that is invalid (or a repeat
 * of one) keeps cfg's value and adds a line "FILE:LINE: message (what is used instead)" to msg; msg
 * is empty when there are none. On a file that cannot be read returns a negative errno with the
 * message in msg and leaves cfg untouched.
 */
int config_load_motor(const char *path, struct config *cfg, char *msg, size_t msg_len);

/* Logs the effective configuration at info level: "config: [section] key = value" per key. */
void config_log(const struct config *cfg);

#endif
