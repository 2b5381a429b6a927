/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ini file: the documented file is the defaults, every value a user can write is read as
 * meant, and every mistake is reported as FILE:LINE with what to change.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "postured/config.h"
#include "postured/vec3.h"
#include "testfs.h"

#define DOCUMENTED_INI "config/postured.ini"

/* Each test's config file is DIR/postured.ini, in fx->path. */
static int setup(void **state)
{
	if (testfs_setup(state) != 0)
		return -1;
	testfs_path(*state, "postured.ini");
	return 0;
}

static int load_text(struct testfs *fx, const char *text, struct config *cfg, char *err,
		     size_t err_len)
{
	testfs_write(fx->path, text);
	config_defaults(cfg);
	return config_load(fx->path, cfg, err, err_len);
}

static void load_ok(struct testfs *fx, const char *text, struct config *cfg)
{
	char err[512] = "";

	if (load_text(fx, text, cfg, err, sizeof(err)) != 0)
		fail_msg("rejected: %s", err);
}

/* Expects text to be rejected with "PATH:" + message, and the config left as it was. */
static void assert_error(struct testfs *fx, const char *text, const char *message)
{
	struct config cfg, before;
	char err[512] = "", expected[512];

	testfs_write(fx->path, text);
	config_defaults(&cfg);
	cfg.rate_hz = 33.0;
	memcpy(&before, &cfg, sizeof(cfg));
	assert_int_equal(config_load(fx->path, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected), "%s:%s", fx->path, message);
	assert_string_equal(err, expected);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

/* Runs config_log and returns what it wrote to stderr (caller frees). */
static char *capture_config_log(const struct config *cfg)
{
	char path[] = "/tmp/test_config_log.XXXXXX";
	int fd = mkstemp(path), saved;
	char *text;
	off_t len;

	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	config_log(cfg);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	len = lseek(fd, 0, SEEK_END);
	assert_true(len > 0);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(pread(fd, text, (size_t)len, 0), len);
	close(fd);
	return text;
}

/* The "[section] key = value" lines of a config_log output, without the file name line. */
static char *key_lines(const char *log)
{
	char *out = calloc(1, strlen(log) + 1);
	const char *line = log;

	assert_non_null(out);
	while (*line) {
		const char *end = strchr(line, '\n');
		const char *key = strstr(line, "config: [");
		size_t len = end ? (size_t)(end - line) + 1 : strlen(line);

		if (key && key < line + len)
			strncat(out, key, len - (size_t)(key - line));
		line += len;
	}
	return out;
}

/* Fails at the first line where the documented file's value differs from the default. */
static void assert_same_lines(const char *documented, const char *defaults)
{
	while (*documented || *defaults) {
		size_t la = strcspn(documented, "\n"), lb = strcspn(defaults, "\n");

		if (la != lb || strncmp(documented, defaults, la) != 0)
			fail_msg("the documented file gives '%.*s', the default is '%.*s'", (int)la,
				 documented, (int)lb, defaults);
		documented += la + (documented[la] == '\n');
		defaults += lb + (defaults[lb] == '\n');
	}
}

/* Does the ini text set "key = value" (value may be empty) inside [section]? */
static int ini_has_line(const char *ini, const char *section, const char *key, const char *value)
{
	char header[64], want[512];
	const char *s = ini;
	int in_section = 0;

	snprintf(header, sizeof(header), "[%s]", section);
	snprintf(want, sizeof(want), value[0] ? "%s = %s" : "%s =", key, value);
	while (*s) {
		const char *end = strchr(s, '\n');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (s[0] == '[')
			in_section = len == strlen(header) && strncmp(s, header, len) == 0;
		else if (in_section && len == strlen(want) && strncmp(s, want, len) == 0)
			return 1;
		s += end ? len + 1 : len;
	}
	return 0;
}

static void documented_file_is_the_defaults(void **state)
{
	struct config defaults, documented;
	char err[512] = "";
	char *default_log, *documented_log, *default_keys, *documented_keys, *ini, *line;
	int n_keys = 0;

	(void)state;
	config_defaults(&defaults);
	config_defaults(&documented);
	documented.rate_hz = 1.0;
	if (config_load(DOCUMENTED_INI, &documented, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(documented.path, DOCUMENTED_INI);

	default_log = capture_config_log(&defaults);
	documented_log = capture_config_log(&documented);
	default_keys = key_lines(default_log);
	documented_keys = key_lines(documented_log);
	assert_same_lines(documented_keys, default_keys);

	/* Every key config_log knows appears in the file, uncommented, at its default. */
	ini = testfs_read(DOCUMENTED_INI);
	for (line = strtok(default_keys, "\n"); line; line = strtok(NULL, "\n")) {
		char section[32], key[64], value[256] = "";

		if (sscanf(line, "config: [%31[^]]] %63s = %255[^\n]", section, key, value) < 2)
			fail_msg("unexpected config_log line '%s'", line);
		if (!ini_has_line(ini, section, key, value))
			fail_msg("%s does not document [%s] %s = %s", DOCUMENTED_INI, section, key,
				 value);
		n_keys++;
	}
	assert_int_equal(n_keys, 81);
	assert_non_null(strstr(default_log, "config: built-in defaults\n"));
	assert_non_null(strstr(documented_log, "config: " DOCUMENTED_INI "\n"));

	/* The file shows deg/s; the estimator's 0.05 rad/s is what it means. */
	assert_true(fabs(documented.estimator.rest_gyro_rad_s - 0.05) < 1e-5);
	free(ini);
	free(default_log);
	free(documented_log);
	free(default_keys);
	free(documented_keys);
}

static void defaults_follow_the_modules(void **state)
{
	struct config cfg;
	struct detector_settings d;
	struct estimator_settings e;

	(void)state;
	config_defaults(&cfg);
	detector_default_settings(&d);
	estimator_default_settings(&e);
	assert_memory_equal(&cfg.detector, &d, sizeof(d));
	assert_memory_equal(&cfg.estimator, &e, sizeof(e));
	assert_string_equal(cfg.uri, "local:");
	assert_int_equal(config_capture(&cfg), CAPTURE_AUTO);
	assert_true(cfg.sensor[ROLE_TRUNK].enabled);
	assert_false(cfg.sensor[ROLE_HEAD].enabled);
	assert_string_equal(cfg.sensor[ROLE_TRUNK].device, "mpu6050");
	assert_int_equal(cfg.posture.forward_mode[ROLE_TRUNK], FORWARD_AUTO);
	assert_string_equal(cfg.haptic_backend, "gpiod");
	assert_int_equal(cfg.haptic_line, 17);
	assert_int_equal(cfg.alert_pattern.n_steps, 3);
	assert_int_equal(cfg.calibrated_pattern.step_ms[0], 100);
	assert_string_equal(cfg.button_backend, "none");
	assert_true(cfg.button.debounce_ms == 30.0 && cfg.button.long_press_ms == 1500.0);
}

/* The button's keys as written, and what is wrong with them as a user would be told. */
static void button_keys(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;

	load_ok(fx,
		"[button]\nbackend = gpiod\nchip = gpiochip4\nline = 5\nactive_low = false\n"
		"bias = pull-down\ndebounce_ms = 10\nlong_press_ms = 800\nsnooze_s = 600\n"
		"snooze_pattern = 100\ncalibrate_pattern = 50 50 50\n",
		&cfg);
	assert_string_equal(cfg.button_backend, "gpiod");
	assert_string_equal(cfg.button_chip, "gpiochip4");
	assert_int_equal(cfg.button_line, 5);
	assert_false(cfg.button_active_low);
	assert_string_equal(cfg.button_bias, "pull-down");
	assert_true(cfg.button.debounce_ms == 10.0 && cfg.button.long_press_ms == 800.0);
	assert_true(cfg.snooze_s == 600.0);
	assert_int_equal(cfg.snooze_pattern.n_steps, 1);
	assert_int_equal(cfg.calibrate_pattern.n_steps, 3);
	load_ok(fx, "[button]\nbias = as-is\ndebounce_ms = 0\n", &cfg);
	assert_string_equal(cfg.button_bias, "as-is");

	assert_error(fx, "[button]\nbias = pullup\n",
		     "2: bias = 'pullup' must be pull-up, pull-down or as-is");
	assert_error(fx, "[button]\nbackend = gpio\n", "2: backend = 'gpio' must be gpiod or none");
	assert_error(fx, "[button]\ndebounce_ms = 200\n",
		     "2: debounce_ms = 200 is out of range (0..100)");
	assert_error(fx, "[button]\nlong_press_ms = 100\n",
		     "2: long_press_ms = 100 is out of range (300..10000)");
	assert_error(fx, "[button]\nsnooze_s = 30\n",
		     "2: snooze_s = 30 is out of range (60..86400)");
	assert_error(fx, "[button]\nsnooze_pattern = 60 0\n",
		     "2: snooze_pattern = '60 0': pattern step 2 '0' is out of range: each step "
		     "is 1..10000 ms");
	assert_error(fx, "[buton]\n", "1: unknown section [buton] (did you mean [button]?)");
}

/* The motor's output and the button's input on one line: refused, naming the later line. */
static void button_on_the_motor_line_is_refused(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;

	assert_error(fx, "[haptic]\nline = 27\n\n[button]\nbackend = gpiod\n",
		     "5: [button] chip = gpiochip0, line = 27 is the motor's line ([haptic] chip "
		     "and line): wire the button to another line and set [button] line to it");
	assert_error(fx, "[button]\nbackend = gpiod\nline = 17\n",
		     "3: [button] chip = gpiochip0, line = 17 is the motor's line ([haptic] chip "
		     "and line): wire the button to another line and set [button] line to it");
	/* Without a button, or without a motor, or on another chip, the line is free. */
	load_ok(fx, "[haptic]\nline = 27\n", &cfg);
	load_ok(fx, "[haptic]\nbackend = none\n[button]\nbackend = gpiod\nline = 17\n", &cfg);
	load_ok(fx, "[button]\nbackend = gpiod\nchip = gpiochip1\nline = 17\n", &cfg);
}

static void good_file_with_every_section(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;
	char *log;

	load_ok(fx,
		"; a comment\n"
		"[input]\n"
		"uri = ip:192.168.1.20\n"
		"rate_hz = 100\n"
		"capture = poll\n"
		"[trunk]\n"
		"device = lsm6dso\n"
		"label = back\n"
		"address = 1-006a\n"
		"axes = +Y-X+Z\n"
		"forward_axis = -X\n"
		"[estimator]\n"
		"tau_s = 1.5\n"
		"bias_tau_s = 30\n"
		"rest_gyro_deg_s = 3\n"
		"rest_accel_m_s2 = 0.5\n"
		"gyro_range_deg_s = 2000\n"
		"[calibration]\n"
		"still_s = 5\n"
		"learn_forward_deg = 15\n"
		"learn_forward_s = 4\n"
		"state_dir = /home/pi/.local/state/postured\n"
		"[detector]\n"
		"trunk_threshold_deg = 25\n"
		"trunk_hold_s = 300\n"
		"trunk_max_deg = 50\n"
		"trunk_hold_at_max_s = 30\n"
		"neck_enabled = false\n"
		"lateral_threshold_deg = 12\n"
		"hysteresis_deg = 3\n"
		"realert_s = 0\n"
		"lying_deg = 80\n"
		"[journal]\n"
		"summary_interval_s = 0\n"
		"[haptic]\n"
		"backend = none\n"
		"chip = gpiochip4\n"
		"line = 18\n"
		"active_low = true\n"
		"alert_pattern = 200 100 200 100 200\n"
		"calibrated_pattern = 50 50 50\n"
		"[bus]\n"
		"group = wearers_2\n",
		&cfg);
	assert_string_equal(cfg.uri, "ip:192.168.1.20");
	assert_true(cfg.rate_hz == 100.0);
	assert_int_equal(config_capture(&cfg), CAPTURE_POLL);
	assert_string_equal(cfg.sensor[ROLE_TRUNK].device, "lsm6dso");
	assert_string_equal(cfg.sensor[ROLE_TRUNK].label, "back");
	assert_string_equal(cfg.sensor[ROLE_TRUNK].address, "1-006a");
	assert_string_equal(cfg.sensor[ROLE_TRUNK].axes, "+Y-X+Z");
	assert_int_equal(cfg.posture.forward_mode[ROLE_TRUNK], FORWARD_AXIS);
	assert_true(cfg.posture.forward_axis[ROLE_TRUNK][0] == -1.0);
	assert_true(cfg.posture.forward_axis[ROLE_TRUNK][1] == 0.0);
	assert_int_equal(cfg.posture.forward_mode[ROLE_HEAD], FORWARD_AUTO);
	assert_true(cfg.estimator.tau_s == 1.5);
	assert_true(cfg.estimator.bias_tau_s == 30.0);
	assert_true(fabs(cfg.estimator.rest_gyro_rad_s - 3.0 * RAD_PER_DEG) < 1e-12);
	assert_true(cfg.estimator.rest_accel_m_s2 == 0.5);
	assert_true(fabs(cfg.estimator.gyro_range_rad_s - 2000.0 * RAD_PER_DEG) < 1e-9);
	assert_true(cfg.reference.still_s == 5.0);
	assert_true(cfg.reference.learn_forward_deg == 15.0);
	assert_true(cfg.reference.learn_forward_s == 4.0);
	assert_string_equal(cfg.state_dir, "/home/pi/.local/state/postured");
	assert_true(cfg.detector.rule[ANGLE_TRUNK].threshold_deg == 25.0);
	assert_true(cfg.detector.rule[ANGLE_TRUNK].hold_s == 300.0);
	assert_true(cfg.detector.rule[ANGLE_TRUNK].max_deg == 50.0);
	assert_true(cfg.detector.rule[ANGLE_TRUNK].hold_at_max_s == 30.0);
	assert_false(cfg.detector.rule[ANGLE_NECK].enabled);
	assert_true(cfg.detector.rule[ANGLE_LATERAL].threshold_deg == 12.0);
	assert_true(cfg.detector.hysteresis_deg == 3.0);
	assert_true(cfg.detector.realert_s == 0.0);
	assert_true(cfg.activity.lying_deg == 80.0);
	assert_true(cfg.summary_interval_s == 0.0);
	assert_string_equal(cfg.haptic_backend, "none");
	assert_string_equal(cfg.haptic_chip, "gpiochip4");
	assert_int_equal(cfg.haptic_line, 18);
	assert_true(cfg.haptic_active_low);
	assert_int_equal(cfg.alert_pattern.n_steps, 5);
	assert_int_equal(cfg.calibrated_pattern.n_steps, 3);
	assert_string_equal(cfg.bus_group, "wearers_2");
	assert_int_equal(cfg.calibrated_pattern.step_ms[2], 50);
	/* Keys the file leaves out keep their defaults. */
	assert_true(cfg.detector.rule[ANGLE_NECK].threshold_deg == 25.0);
	assert_true(cfg.detector.rule[ANGLE_LATERAL].hold_s == 240.0);

	log = capture_config_log(&cfg);
	assert_non_null(strstr(log, "postured: config: [trunk] forward_axis = -X\n"));
	assert_non_null(strstr(log, "postured: config: [estimator] rest_gyro_deg_s = 3\n"));
	assert_non_null(strstr(log, "postured: config: [estimator] gyro_range_deg_s = 2000\n"));
	assert_non_null(strstr(log, "postured: config: [haptic] alert_pattern = 200 100 200 100 "
				    "200\n"));
	assert_non_null(strstr(log, "postured: config: [haptic] active_low = true\n"));
	assert_non_null(strstr(log, "postured: config: [detector] realert_s = 0\n"));
	free(log);
}

static void head_sensor(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;

	load_ok(fx,
		"[trunk]\n"
		"address = 0x68\n"
		"[head]\n"
		"enabled = true\n"
		"address = 0x69\n"
		"axes = -Z+Y+X\n"
		"forward_axis = +z\n",
		&cfg);
	assert_true(cfg.sensor[ROLE_HEAD].enabled);
	assert_string_equal(cfg.sensor[ROLE_HEAD].device, "mpu6050");
	assert_string_equal(cfg.sensor[ROLE_HEAD].address, "0x69");
	assert_string_equal(cfg.sensor[ROLE_HEAD].axes, "-Z+Y+X");
	assert_string_equal(cfg.sensor[ROLE_TRUNK].address, "0x68");
	assert_int_equal(cfg.posture.forward_mode[ROLE_HEAD], FORWARD_AXIS);
	assert_true(cfg.posture.forward_axis[ROLE_HEAD][2] == 1.0);
	assert_int_equal(cfg.posture.forward_mode[ROLE_TRUNK], FORWARD_AUTO);

	/* A head-only wearer is allowed; the two sensors must be told apart. */
	load_ok(fx, "[trunk]\nenabled = false\n[head]\nenabled = true\n", &cfg);
	assert_false(cfg.sensor[ROLE_TRUNK].enabled);
	assert_error(fx, "[head]\nenabled = true\n",
		     "2: [trunk] and [head] both select device = mpu6050 with the same label and "
		     "address: set address (e.g. 0x68 and 0x69) or label so each finds its own "
		     "sensor");
	assert_error(fx, "[head]\nenabled = no\n[trunk]\nenabled = no\n",
		     "4: [trunk] and [head] are both disabled: enable at least the trunk sensor");
}

static void boolean_spellings(void **state)
{
	static const char *const yes[] = { "true", "yes", "on", "1", "True", "YES" };
	static const char *const no[] = { "false", "no", "off", "0", "False", "OFF" };
	struct testfs *fx = *state;
	struct config cfg;
	char text[128];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "[haptic]\nactive_low = %s\n", yes[i]);
		load_ok(fx, text, &cfg);
		assert_true(cfg.haptic_active_low);
		snprintf(text, sizeof(text), "[haptic]\nactive_low = %s\n", no[i]);
		load_ok(fx, text, &cfg);
		assert_false(cfg.haptic_active_low);
	}
	assert_error(fx, "[haptic]\nactive_low = maybe\n",
		     "2: active_low = 'maybe' must be true or false (or yes/no, on/off, 1/0)");
	assert_error(fx, "[haptic]\nactive_low =\n",
		     "2: active_low = '' must be true or false (or yes/no, on/off, 1/0)");
}

static void syntax_accepted(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;

	/* CRLF, a BOM, indented keys, inline comments, ':' as separator, blank lines. */
	load_ok(fx,
		"\xef\xbb\xbf# comment\r\n"
		"\r\n"
		"  [input]\r\n"
		"\trate_hz = 25 ; Hz\r\n"
		"   uri: ip:pi.local\r\n"
		"[haptic]\n"
		"alert_pattern=300 300\n",
		&cfg);
	assert_true(cfg.rate_hz == 25.0);
	assert_string_equal(cfg.uri, "ip:pi.local");
	assert_int_equal(cfg.alert_pattern.n_steps, 2);

	/* '#' and ';' after a blank both start a comment, on any line; without one they are kept.
	 */
	load_ok(fx,
		"[input] # the IIO input\n"
		"rate_hz = 25 # Hz\n"
		"uri = ip:pi.local\t; the Pi\n"
		"[trunk] ; upper back\n"
		"label = # none\n"
		"address = 0x68;#\n"
		"[calibration]\n"
		"state_dir = /srv/a#b;c  #  not  ; the path\n",
		&cfg);
	assert_true(cfg.rate_hz == 25.0);
	assert_string_equal(cfg.uri, "ip:pi.local");
	assert_string_equal(cfg.sensor[ROLE_TRUNK].label, "");
	assert_string_equal(cfg.sensor[ROLE_TRUNK].address, "0x68;#");
	assert_string_equal(cfg.state_dir, "/srv/a#b;c");
	assert_error(fx, "[input]\nrate_hz # = 5\n",
		     "2: 'rate_hz' is not 'key = value', a [section] or a comment");

	/* An empty file is all defaults. */
	load_ok(fx, "", &cfg);
	assert_true(cfg.rate_hz == 50.0);
}

/* Numbers are decimal as people write them; strtod's other forms would be misread. */
static void decimal_numbers(void **state)
{
	static const struct {
		const char *text;
		double rate_hz;
	} good[] = {
		{ "50", 50 },	 { "+50", 50 },	   { "2.5", 2.5 },  { "1.", 1 },
		{ "1e3", 1000 }, { "25E-1", 2.5 }, { "0.5e+1", 5 }, { "007", 7 },
	};
	static const char *const bad[] = { "0x32", "0X32", "0x1p4", "inf",  "-infinity",
					   "nan",  "2,5",  ".",	    "e3",   "1e",
					   "1e+",  "5 Hz", "--5",   "1.2.3" };
	struct testfs *fx = *state;
	struct config cfg;
	char text[128], message[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[input]\nrate_hz = %s\n", good[i].text);
		load_ok(fx, text, &cfg);
		assert_true(fabs(cfg.rate_hz - good[i].rate_hz) < 1e-12);
	}
	load_ok(fx, "[detector]\nhysteresis_deg = .5\n[calibration]\nwalk_lean_deg = -0\n", &cfg);
	assert_true(cfg.detector.hysteresis_deg == 0.5);
	assert_true(cfg.reference.walk_lean_deg == 0.0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[input]\nrate_hz = %s\n", bad[i]);
		snprintf(message, sizeof(message),
			 "2: rate_hz = '%s' must be a decimal number "
			 "(1..1000), written like 50, 2.5 or 1e3",
			 bad[i]);
		assert_error(fx, text, message);
	}
	assert_error(fx, "[input]\nrate_hz = 1e999\n",
		     "2: rate_hz = 1e999 is out of range (1..1000)");
	assert_error(fx, "[haptic]\nline = 0x11\n",
		     "2: line = '0x11' must be a whole decimal number (0..1023), written like 17");
}

static void error_messages(void **state)
{
	struct testfs *fx = *state;

	assert_error(fx, "[input]\n\n# c\n\n\n\nrate_hz = 5000\n",
		     "7: rate_hz = 5000 is out of range (1..1000)");
	assert_error(fx, "[input]\nrate_hz = fast\n",
		     "2: rate_hz = 'fast' must be a decimal "
		     "number (1..1000), written like 50, 2.5 or 1e3");
	assert_error(fx, "[input]\nrate_hz =\n",
		     "2: rate_hz = '' must be a decimal number "
		     "(1..1000), written like 50, 2.5 or 1e3");
	assert_error(fx, "# c\n\n[inptu]\n", "3: unknown section [inptu] (did you mean [input]?)");
	assert_error(
	    fx, "[sensors]\n",
	    "1: unknown section [sensors] (sections: input, trunk, head, "
	    "estimator, calibration, detector, activity, journal, alerts, haptic, bus, button)");
	assert_error(fx, "[detector]\n\n\n\n\n\n\n\n\n\n\ntrunk_treshold_deg = 30\n",
		     "12: unknown key 'trunk_treshold_deg' in [detector] (did you mean "
		     "trunk_threshold_deg?)");
	assert_error(fx, "[input]\nspeed = 3\n", "2: unknown key 'speed' in [input]");
	assert_error(fx, "rate_hz = 3\n",
		     "1: rate_hz is outside any section: put it under its "
		     "[section]");
	assert_error(fx, "[input]\nrate_hz\n",
		     "2: 'rate_hz' is not 'key = value', a [section] or a comment");
	assert_error(fx, "[input\n", "1: '[input' has no closing ']'");
	assert_error(fx, "[input]\nrate_hz = 10 ; a\nuri = local:\n\nrate_hz = 20\n",
		     "5: duplicate key rate_hz in [input], first set on line 2: keep one");
	assert_error(fx, "[trunk]\n\n\n\n\n\n\n\nforward_axis = up\n",
		     "9: forward_axis = 'up' must be auto or a signed axis like -X");
	assert_error(fx, "[trunk]\naxes = +Y+Y+Z\n",
		     "2: axes = '+Y+Y+Z' names Y twice: use each of X, Y and Z once, like +Y-X+Z");
	assert_error(fx, "[head]\naxes = +X+Y-Z\n",
		     "2: axes = '+X+Y-Z' is a mirror image, not a rotation (no way of mounting a "
		     "sensor gives it): flip one sign, e.g. +X+Y+Z");
	assert_error(fx, "[trunk]\ndevice =\n",
		     "2: device = '' must name the IIO device, like "
		     "mpu6050 (see /sys/bus/iio/devices/*/name)");
	assert_error(fx, "[input]\nuri = ;\n",
		     "2: uri = '' must be a libiio context URI, like local: or ip:HOSTNAME");
	assert_error(fx, "[estimator]\ngyro_range_deg_s = 50\n",
		     "2: gyro_range_deg_s = 50 is out of range (0, or 100..5000)");
	assert_error(fx, "[estimator]\ntau_s = 0.05\n",
		     "2: tau_s = 0.05 is out of range (0.1..60)");
	assert_error(fx, "[detector]\nrealert_s = 2\n",
		     "2: realert_s = 2 is out of range (0, or 5..3600)");
	assert_error(fx, "[journal]\nsummary_interval_s = -1\n",
		     "2: summary_interval_s = -1 is out of range (0, or 60..86400)");
	assert_error(fx, "[calibration]\nstate_dir = var/lib/postured\n",
		     "2: state_dir = 'var/lib/postured' must be an absolute path (or empty for "
		     "$STATE_DIRECTORY, else /var/lib/postured)");
	assert_error(fx, "[haptic]\nbackend = pwm\n", "2: backend = 'pwm' must be gpiod or none");
	assert_error(fx, "[input]\ncapture = buffered\n",
		     "2: capture = 'buffered' must be auto, buffer or poll");
	assert_error(fx, "[bus]\ngroup = 1wheel\n",
		     "2: group = '1wheel' must be a group name (up to 31 letters, digits, '_' or "
		     "'-', not starting with a digit or '-')");
	assert_error(fx, "[bus]\ngroup =\n",
		     "2: group = '' must be a group name (up to 31 letters, digits, '_' or '-', "
		     "not starting with a digit or '-')");
	assert_error(fx, "[haptic]\nchip =\n",
		     "2: chip = '' must name a GPIO chip, like gpiochip0 (see gpioinfo)");
	assert_error(fx, "[haptic]\nline = 1.5\n", "2: line = 1.5 is not a whole number (0..1023)");
	assert_error(fx, "[haptic]\nline = 1024\n", "2: line = 1024 is out of range (0..1023)");
	assert_error(fx, "[haptic]\nalert_pattern = 400 x\n",
		     "2: alert_pattern = '400 x': pattern step 2 'x' is not a whole number of "
		     "milliseconds (1..10000)");
	assert_error(
	    fx,
	    "[trunk]\nlabel = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\n",
	    "2: label = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is "
	    "too long (at most 127 characters)");
}

static void long_and_binary_lines(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;
	char text[512], err[512] = "", expected[512];

	/* 198 characters is inih's limit in Debian's build: accepted... */
	snprintf(text, sizeof(text), "[calibration]\nstate_dir = /%0185d\n", 0);
	load_ok(fx, text, &cfg);
	assert_int_equal(strlen(cfg.state_dir), 186);
	/* ... one more is an error, not a line silently cut in two. */
	snprintf(text, sizeof(text), "[calibration]\nstate_dir = /%0186d\n[input]\nrate_hz = 5\n",
		 0);
	assert_error(fx, text, "2: line is longer than 198 characters: shorten it");

	testfs_write(fx->path, "[input]\nrate_hz = 5");
	assert_int_equal(config_load(fx->path, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.rate_hz == 5.0);

	{
		FILE *f = fopen(fx->path, "w");

		assert_non_null(f);
		fwrite("[input]\nrate_hz = 5\0\n", 1, 21, f);
		fclose(f);
	}
	assert_int_equal(config_load(fx->path, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected), "%s:2: line contains a NUL byte: is this a text file?",
		 fx->path);
	assert_string_equal(err, expected);
}

static void cross_key_checks_blame_the_later_line(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;

	assert_error(fx, "[detector]\ntrunk_max_deg = 15\n",
		     "2: trunk_max_deg = 15 must be above trunk_threshold_deg = 20");
	assert_error(fx, "[detector]\ntrunk_max_deg = 30\n\ntrunk_threshold_deg = 40\n",
		     "4: trunk_max_deg = 30 must be above trunk_threshold_deg = 40");
	assert_error(fx,
		     "[detector]\nneck_threshold_deg = 50\nhysteresis_deg = 3\n"
		     "neck_max_deg = 50\n",
		     "4: neck_max_deg = 50 must be above neck_threshold_deg = 50");
	assert_error(
	    fx, "[detector]\nhysteresis_deg = 10\n",
	    "2: hysteresis_deg = 10 must be below lateral_threshold_deg = 10, or that lean "
	    "could never end");
	assert_error(fx,
		     "[detector]\nhysteresis_deg = 8\ntrunk_threshold_deg = 8\n"
		     "lateral_enabled = false\n",
		     "3: hysteresis_deg = 8 must be below trunk_threshold_deg = 8, or that lean "
		     "could never end");
	assert_error(
	    fx, "[detector]\nlying_deg = 30\n\ntrunk_threshold_deg = 40\n",
	    "4: lying_deg = 30 must be above trunk_threshold_deg = 40, or every trunk lean "
	    "would count as lying down");
	/* A disabled rule is not checked against the others. */
	load_ok(fx, "[detector]\nlateral_enabled = false\nhysteresis_deg = 12\n", &cfg);
	assert_true(cfg.detector.hysteresis_deg == 12.0);
}

static void missing_file_says_what_to_do(void **state)
{
	struct testfs *fx = *state;
	struct config cfg, before;
	char err[512] = "", expected[512];

	config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof(cfg));
	assert_int_equal(config_load("/nonexistent/postured.ini", &cfg, err, sizeof(err)), -ENOENT);
	assert_string_equal(err,
			    "/nonexistent/postured.ini: cannot read: No such file or directory "
			    "(copy the documented default config/postured.ini from the postured "
			    "sources there, or pass --config PATH)");
	assert_memory_equal(&cfg, &before, sizeof(cfg));

	assert_int_equal(config_load(fx->dir, &cfg, err, sizeof(err)), -EISDIR);
	snprintf(expected, sizeof(expected),
		 "%s: cannot read: a directory, not a regular file "
		 "(pass the ini file's path with --config PATH)",
		 fx->dir);
	assert_string_equal(err, expected);
}

/* Reading a FIFO or a terminal would wait for a writer: start-up and reloads would hang. */
static void special_files_are_refused_at_once(void **state)
{
	struct testfs *fx = *state;
	struct config cfg, before;
	char err[512] = "", expected[512];

	config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof(cfg));
	assert_int_equal(mkfifo(fx->path, 0600), 0);
	/* A regression blocks in config_load: let the alarm end the test instead of hanging. */
	alarm(10);
	assert_int_equal(config_load(fx->path, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected),
		 "%s: cannot read: a FIFO, not a regular file (pass "
		 "the ini file's path with --config PATH)",
		 fx->path);
	assert_string_equal(err, expected);
	assert_int_equal(config_load("/dev/null", &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/dev/null: cannot read: a character device, not a regular file "
				 "(pass the ini file's path with --config PATH)");
	alarm(0);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

/* What a reload must re-open, from the fields the openers read (sensors, motor, button). */
static unsigned int needs_by_fields(const struct config *a, const struct config *b)
{
	unsigned int needs = 0;

	if (strcmp(a->uri, b->uri) != 0 || a->rate_hz != b->rate_hz ||
	    strcmp(a->capture, b->capture) != 0 ||
	    memcmp(a->sensor, b->sensor, sizeof(a->sensor)) != 0)
		needs |= CONFIG_NEEDS_INPUT;
	if (strcmp(a->haptic_backend, b->haptic_backend) != 0 ||
	    strcmp(a->haptic_chip, b->haptic_chip) != 0 || a->haptic_line != b->haptic_line)
		needs |= CONFIG_NEEDS_MOTOR;
	if (a->haptic_active_low != b->haptic_active_low)
		needs |= CONFIG_NEEDS_MOTOR_WIRING;
	if (strcmp(a->button_backend, b->button_backend) != 0 ||
	    strcmp(a->button_chip, b->button_chip) != 0 || a->button_line != b->button_line ||
	    a->button_active_low != b->button_active_low ||
	    strcmp(a->button_bias, b->button_bias) != 0)
		needs |= CONFIG_NEEDS_BUTTON;
	return needs;
}

/* The 0-based index of the one line that differs between a and b; -1 if none or several. */
static int only_different_line(const char *a, const char *b)
{
	int found = -1;

	for (int i = 0; *a || *b; i++) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || strncmp(a, b, la) != 0) {
			if (found >= 0)
				return -1;
			found = i;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	return found;
}

/* Loads text over the defaults; returns its key lines (caller frees), NULL if rejected. */
static char *load_key_lines(struct testfs *fx, const char *text, struct config *cfg)
{
	char err[512], *log, *lines;

	if (load_text(fx, text, cfg, err, sizeof(err)) != 0)
		return NULL;
	log = capture_config_log(cfg);
	lines = key_lines(log);
	free(log);
	return lines;
}

/*
 * Changes each key of the table alone to a value it accepts, and checks config_changes()
 * against what the openers read. Keys come from config_log, which lists the whole table, so a
 * new key is covered without a word here.
 */
static bool key_change_needs_what_it_feeds(struct testfs *fx, int key, const char *section,
					   const char *name, unsigned int *needs)
{
	/* Tried in order until one is accepted and changes this key's logged value alone. */
	static const char *const values[] = { "false", "true",	"7",	    "45",
					      "0.5",   "200",	"+Y",	    "+Y-X+Z",
					      "/tmp",  "none",	"training", "22:00-07:00",
					      "gpiod", "as-is", "1000",	    "poll" };
	/* The trunk can only be turned off with the head on, the head only on at its own address.
	 */
	static const char *const bases[] = { "", "[head]\naddress = 0x69\n",
					     "[head]\naddress = 0x69\nenabled = true\n" };
	struct config base, changed;
	char text[256];

	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		char *base_lines = load_key_lines(fx, bases[b], &base);

		assert_non_null(base_lines);
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			char *lines;
			int diff;

			snprintf(text, sizeof(text), "%s[%s]\n%s = %s\n", bases[b], section, name,
				 values[v]);
			lines = load_key_lines(fx, text, &changed);
			if (!lines)
				continue;
			diff = only_different_line(base_lines, lines);
			free(lines);
			if (diff != key)
				continue;
			*needs = config_changes(&base, &changed);
			if (*needs != needs_by_fields(&base, &changed))
				fail_msg(
				    "[%s] %s = %s: config_changes() says %#x, the openers read "
				    "%#x",
				    section, name, values[v], *needs,
				    needs_by_fields(&base, &changed));
			free(base_lines);
			return true;
		}
		free(base_lines);
	}
	return false;
}

static void each_key_change_needs_what_it_feeds(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;
	char *log, *lines, section[64], name[64];
	const char *line;
	int key = 0, count[16] = { 0 };
	unsigned int needs = 0;

	config_defaults(&cfg);
	log = capture_config_log(&cfg);
	lines = key_lines(log);
	for (line = lines; *line; line = strchr(line, '\n') + 1, key++) {
		assert_int_equal(sscanf(line, "config: [%63[^]]] %63s =", section, name), 2);
		if (!key_change_needs_what_it_feeds(fx, key, section, name, &needs))
			fail_msg("no value in the test's list changes [%s] %s alone: add one",
				 section, name);
		count[needs]++;
	}
	/* Each kind of key exists: the oracle above is not blind to one of them. */
	assert_true(count[0] > 0);
	assert_true(count[CONFIG_NEEDS_INPUT] > 0);
	assert_true(count[CONFIG_NEEDS_MOTOR] > 0);
	assert_true(count[CONFIG_NEEDS_MOTOR_WIRING] > 0);
	assert_true(count[CONFIG_NEEDS_BUTTON] > 0);
	assert_int_equal(config_changes(&cfg, &cfg), 0);
	free(lines);
	free(log);

	/* Changes to several keys add up. */
	{
		struct config changed;

		load_ok(fx, "[input]\nrate_hz = 7\n[haptic]\nline = 7\n", &changed);
		assert_int_equal(config_changes(&cfg, &changed),
				 CONFIG_NEEDS_INPUT | CONFIG_NEEDS_MOTOR);
	}
}

/* Loads text with config_load_motor over the defaults; returns its msg (warnings), static. */
static const char *load_motor(struct testfs *fx, const char *text, struct config *cfg)
{
	static char msg[1024];

	testfs_write(fx->path, text);
	config_defaults(cfg);
	assert_int_equal(config_load_motor(fx->path, cfg, msg, sizeof(msg)), 0);
	return msg;
}

/* The stop command must find the motor in a file the daemon refuses. */
static void motor_keys_despite_errors_elsewhere(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;
	char err[512], text[1024];

	snprintf(text, sizeof(text),
		 "[input]\nrate_hz = fast\n[nonsense]\nfoo = 1\nthis is not a key\n"
		 "[calibration\nstate_dir = /%0300d\n\n[haptic]\nbackend = gpiod\n"
		 "chip = gpiochip4\nline = 5\nalert_pattern = 9x\nactive_low = yes\n"
		 "colour = red\n[detector]\nline = 9\n",
		 0);
	assert_string_equal(load_motor(fx, text, &cfg), "");
	assert_string_equal(cfg.haptic_backend, "gpiod");
	assert_string_equal(cfg.haptic_chip, "gpiochip4");
	assert_int_equal(cfg.haptic_line, 5);
	assert_true(cfg.haptic_active_low);
	/* Only the motor keys: the rest keeps what the caller had. */
	assert_true(cfg.rate_hz == 50.0);

	config_defaults(&cfg);
	assert_int_equal(config_load(fx->path, &cfg, err, sizeof(err)), -EINVAL);
}

static void invalid_motor_keys_take_the_default(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;
	char expected[1024];
	const char *msg;

	msg = load_motor(fx,
			 "[haptic]\nchip = gpiochip2\nline = 17x\nactive_low = maybe\n"
			 "backend = gpoid\nchip = gpiochip3\n",
			 &cfg);
	snprintf(
	    expected, sizeof(expected),
	    "%1$s:3: line = '17x' must be a whole decimal number (0..1023), written like 17 "
	    "(the motor stop uses the default, "
	    "line = 17)\n"
	    "%1$s:4: active_low = 'maybe' must be true or false (or yes/no, on/off, 1/0) (the "
	    "motor stop uses the default, active_low = false)\n"
	    "%1$s:5: backend = 'gpoid' must be gpiod or none (the motor stop uses the default, "
	    "backend = gpiod)\n"
	    "%1$s:6: duplicate key chip in [haptic] (the motor stop uses the one on line 2)",
	    fx->path);
	assert_string_equal(msg, expected);
	assert_string_equal(cfg.haptic_backend, "gpiod");
	assert_string_equal(cfg.haptic_chip, "gpiochip2");
	assert_int_equal(cfg.haptic_line, 17);
	assert_false(cfg.haptic_active_low);
}

static void missing_motor_keys_take_the_default(void **state)
{
	struct testfs *fx = *state;
	struct config cfg;

	assert_string_equal(load_motor(fx, "[input]\nrate_hz = 20\n", &cfg), "");
	assert_string_equal(cfg.haptic_backend, "gpiod");
	assert_string_equal(cfg.haptic_chip, "gpiochip0");
	assert_int_equal(cfg.haptic_line, 17);
	assert_false(cfg.haptic_active_low);

	assert_string_equal(load_motor(fx, "[haptic]\nbackend = none\n", &cfg), "");
	assert_string_equal(cfg.haptic_backend, "none");
}

static void unreadable_file_leaves_the_motor_settings(void **state)
{
	struct testfs *fx = *state;
	struct config cfg, before;
	char msg[512];

	(void)fx;
	config_defaults(&cfg);
	memcpy(&before, &cfg, sizeof(cfg));
	assert_int_equal(config_load_motor("/nonexistent/postured.ini", &cfg, msg, sizeof(msg)),
			 -ENOENT);
	assert_string_equal(msg,
			    "/nonexistent/postured.ini: cannot read: No such file or "
			    "directory (copy the documented default config/postured.ini from the "
			    "postured sources there, or pass --config PATH)");
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

/* The main file's drop-in directory, DIR/postured.ini.d, made; returns the main file's path. */
static const char *make_dropin_dir(struct testfs *fx, char *main_path, size_t len)
{
	char dir[TESTFS_PATH_MAX + 8];

	snprintf(main_path, len, "%s", testfs_path(fx, "postured.ini"));
	snprintf(dir, sizeof(dir), "%s.d", main_path);
	assert_int_equal(mkdir(dir, 0700), 0);
	return main_path;
}

/* Writes text to DIR/postured.ini.d/name. */
static void write_dropin(const char *main_path, const char *name, const char *text)
{
	char path[TESTFS_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s.d/%s", main_path, name);
	testfs_write(path, text);
}

static void dropins_override_in_name_order(void **state)
{
	struct testfs *fx = *state;
	char main_path[TESTFS_PATH_MAX], err[512] = "";
	struct config cfg;
	char *log;

	make_dropin_dir(fx, main_path, sizeof(main_path));
	testfs_write(main_path, "[input]\nrate_hz = 20\n[haptic]\nline = 5\n");
	/* Byte order: "10-..." comes before "9-...", as systemd sorts its drop-ins. */
	write_dropin(main_path, "9-last.ini", "[input]\nrate_hz = 40\n");
	write_dropin(main_path, "10-first.ini",
		     "[input]\nrate_hz = 30\n[alerts]\nmode = tracking\n");
	/* Only *.ini files that are not hidden: an editor's backups and notes are left alone. */
	write_dropin(main_path, ".hidden.ini", "[input]\nrate_hz = 1\n");
	write_dropin(main_path, "10-first.ini~", "[input]\nrate_hz = 2\n");
	write_dropin(main_path, "README", "not an ini file\n");
	write_dropin(main_path, "old.ini.bak", "[input]\nrate_hz = 3\n");

	config_defaults(&cfg);
	if (config_load(main_path, &cfg, err, sizeof(err)) != 0)
		fail_msg("rejected: %s", err);
	assert_true(cfg.rate_hz == 40.0);
	assert_string_equal(cfg.mode, "tracking");
	assert_int_equal(cfg.haptic_line, 5);
	assert_string_equal(cfg.path, main_path);
	assert_string_equal(cfg.dropins, "10-first.ini, 9-last.ini");

	/* The start-up log says which files made the configuration. */
	log = capture_config_log(&cfg);
	snprintf(err, sizeof(err), "postured: config: %s, then %s.d/: 10-first.ini, 9-last.ini\n",
		 main_path, main_path);
	assert_non_null(strstr(log, err));
	free(log);

	/* The motor stop reads the drop-ins too: the line a wearer moved there is the one driven.
	 */
	write_dropin(main_path, "20-motor.ini", "[haptic]\nline = 6\nchip = gpiochip4\n");
	config_defaults(&cfg);
	assert_int_equal(config_load_motor(main_path, &cfg, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(cfg.haptic_line, 6);
	assert_string_equal(cfg.haptic_chip, "gpiochip4");
}

/* Expects main_path and its drop-ins to be rejected with exactly message, cfg left as it was. */
static void assert_dropin_error(const char *main_path, const char *message)
{
	struct config cfg, before;
	char err[512] = "";

	config_defaults(&cfg);
	cfg.rate_hz = 33.0;
	memcpy(&before, &cfg, sizeof(cfg));
	assert_true(config_load(main_path, &cfg, err, sizeof(err)) < 0);
	assert_string_equal(err, message);
	assert_memory_equal(&cfg, &before, sizeof(cfg));
}

static void dropin_errors_name_the_dropin(void **state)
{
	struct testfs *fx = *state;
	char main_path[TESTFS_PATH_MAX], expected[512], path[TESTFS_PATH_MAX + 64];

	make_dropin_dir(fx, main_path, sizeof(main_path));
	testfs_write(main_path, "[input]\nrate_hz = 20\n");
	write_dropin(main_path, "10-ok.ini", "[input]\nrate_hz = 30\n");

	write_dropin(main_path, "20-bad.ini", "# the wearer's\n[input]\nrate_hz = 0.5\n");
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini:3: rate_hz = 0.5 is out of range (1..1000)", main_path);
	assert_dropin_error(main_path, expected);

	/* A key set again in another file overrides it; twice in one drop-in is a mistake. */
	write_dropin(main_path, "20-bad.ini", "[input]\nrate_hz = 25\nrate_hz = 26\n");
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini:3: duplicate key rate_hz in [input], first set on line 2: "
		 "keep one",
		 main_path);
	assert_dropin_error(main_path, expected);

	/* Each drop-in names its own sections. */
	write_dropin(main_path, "20-bad.ini", "rate_hz = 25\n");
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini:1: rate_hz is outside any section: put it under its [section]",
		 main_path);
	assert_dropin_error(main_path, expected);

	write_dropin(main_path, "20-bad.ini", "[input]\nrate-hz = 25\n");
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini:2: unknown key 'rate-hz' in [input] (did you mean rate_hz?)",
		 main_path);
	assert_dropin_error(main_path, expected);

	/* A check across keys blames the line read last, in whichever file it is. */
	testfs_write(main_path, "[detector]\nlying_deg = 35\n");
	write_dropin(main_path, "20-bad.ini", "\n[detector]\ntrunk_threshold_deg = 40\n");
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini:3: lying_deg = 35 must be above trunk_threshold_deg = 40, or "
		 "every trunk lean would count as lying down",
		 main_path);
	assert_dropin_error(main_path, expected);
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini:2: lying_deg = 35 must be above trunk_threshold_deg = 40, or "
		 "every trunk lean would count as lying down",
		 main_path);
	testfs_write(main_path, "[detector]\n\n\n\ntrunk_threshold_deg = 40\n");
	write_dropin(main_path, "20-bad.ini", "[detector]\nlying_deg = 35\n");
	assert_dropin_error(main_path, expected);
	/* A later file beats a later line. */
	testfs_write(main_path, "\n");
	write_dropin(main_path, "05-early.ini", "[detector]\n\n\n\nlying_deg = 35\n");
	write_dropin(main_path, "20-bad.ini", "[detector]\ntrunk_threshold_deg = 40\n");
	assert_dropin_error(main_path, expected);

	/* A drop-in that is not a regular file is refused like the main file. */
	snprintf(path, sizeof(path), "%s.d/20-bad.ini", main_path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini: cannot read: a directory, not a regular file (pass the ini "
		 "file's path with --config PATH)",
		 main_path);
	assert_dropin_error(main_path, expected);
	assert_int_equal(rmdir(path), 0);

	/* A file where the directory should be. */
	snprintf(main_path, sizeof(main_path), "%s", testfs_path(fx, "other.ini"));
	testfs_write(main_path, "[input]\nrate_hz = 20\n");
	snprintf(path, sizeof(path), "%s.d", main_path);
	testfs_write(path, "[input]\nrate_hz = 30\n");
	snprintf(expected, sizeof(expected),
		 "%s.d: not a directory: drop-ins are .ini files in a directory of that name (move "
		 "the file away)",
		 main_path);
	assert_dropin_error(main_path, expected);
}

/* The dump's "key = value  # origin" line of [section] key, or NULL. */
static const char *dump_line(const char *dump, const char *section, const char *key, char *buf,
			     size_t len)
{
	char header[64];
	const char *s;
	size_t key_len = strlen(key);

	snprintf(header, sizeof(header), "\n[%s]\n", section);
	s = strstr(dump, header);

	while (s && (s = strchr(s + 1, '\n')) && s[1] != '[') {
		size_t n = strcspn(s + 1, "\n");

		if (strncmp(s + 1, key, key_len) == 0 && s[1 + key_len] == ' ') {
			snprintf(buf, len, "%.*s", (int)n, s + 1);
			return buf;
		}
	}
	return NULL;
}

static void dump_config_says_where_each_value_came_from(void **state)
{
	struct testfs *fx = *state;
	char main_path[TESTFS_PATH_MAX], err[512] = "", line[512], expected[512];
	char dump_path[TESTFS_PATH_MAX];
	struct config from_files, from_dump;
	char *dump, *log, *log_files, *log_dump;
	FILE *out;

	make_dropin_dir(fx, main_path, sizeof(main_path));
	snprintf(dump_path, sizeof(dump_path), "%s", testfs_path(fx, "dump.ini"));
	testfs_write(main_path, "# the main file\n[input]\nrate_hz = 20\n\n[haptic]\nline = 5\n");
	write_dropin(main_path, "10-wearer.ini",
		     "[input]\nrate_hz = 30\n[alerts]\nquiet_hours = 22:00-07:00\n"
		     "[trunk]\nlabel = back#2\n");

	out = fopen(dump_path, "w");
	assert_non_null(out);
	assert_int_equal(config_dump(main_path, out, err, sizeof(err)), 0);
	assert_int_equal(fclose(out), 0);
	dump = testfs_read(dump_path);

	snprintf(expected, sizeof(expected),
		 "# postured's effective configuration, from %1$s\n# then %1$s.d/10-wearer.ini\n",
		 main_path);
	assert_true(strncmp(dump, expected, strlen(expected)) == 0);
	snprintf(expected, sizeof(expected), "rate_hz = 30  # %s.d/10-wearer.ini:2", main_path);
	assert_string_equal(dump_line(dump, "input", "rate_hz", line, sizeof(line)), expected);
	snprintf(expected, sizeof(expected), "line = 5  # %s:6", main_path);
	assert_string_equal(dump_line(dump, "haptic", "line", line, sizeof(line)), expected);
	snprintf(expected, sizeof(expected), "quiet_hours = 22:00-07:00  # %s.d/10-wearer.ini:4",
		 main_path);
	assert_string_equal(dump_line(dump, "alerts", "quiet_hours", line, sizeof(line)), expected);
	assert_string_equal(dump_line(dump, "input", "uri", line, sizeof(line)),
			    "uri = local:  # default");
	assert_string_equal(dump_line(dump, "head", "label", line, sizeof(line)),
			    "label =  # default");
	assert_string_equal(dump_line(dump, "estimator", "rest_gyro_deg_s", line, sizeof(line)),
			    "rest_gyro_deg_s = 2.865  # default");
	assert_string_equal(dump_line(dump, "haptic", "urgent_alert_pattern", line, sizeof(line)),
			    "urgent_alert_pattern = 800 200 400 200 400 200 800  # default");

	/* The dump is itself a configuration, of the same values. */
	config_defaults(&from_files);
	config_defaults(&from_dump);
	assert_int_equal(config_load(main_path, &from_files, err, sizeof(err)), 0);
	if (config_load(dump_path, &from_dump, err, sizeof(err)) != 0)
		fail_msg("the dump is rejected: %s", err);
	assert_string_equal(from_dump.sensor[ROLE_TRUNK].label, "back#2");
	log = capture_config_log(&from_files);
	log_files = key_lines(log);
	free(log);
	log = capture_config_log(&from_dump);
	log_dump = key_lines(log);
	free(log);
	assert_string_equal(log_dump, log_files);
	free(dump);
	free(log_files);
	free(log_dump);

	/* An invalid configuration is reported as config_load reports it, and nothing written. */
	write_dropin(main_path, "20-bad.ini", "[input]\nrate_hz = 0\n");
	out = fopen(dump_path, "w");
	assert_non_null(out);
	assert_int_equal(config_dump(main_path, out, err, sizeof(err)), -EINVAL);
	assert_int_equal(fclose(out), 0);
	snprintf(expected, sizeof(expected),
		 "%s.d/20-bad.ini:2: rate_hz = 0 is out of range (1..1000)", main_path);
	assert_string_equal(err, expected);
	dump = testfs_read(dump_path);
	assert_string_equal(dump, "");
	free(dump);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(documented_file_is_the_defaults),
		cmocka_unit_test(defaults_follow_the_modules),
		cmocka_unit_test_setup_teardown(button_keys, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(button_on_the_motor_line_is_refused, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(good_file_with_every_section, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(head_sensor, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(boolean_spellings, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(syntax_accepted, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(decimal_numbers, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(error_messages, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(long_and_binary_lines, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(cross_key_checks_blame_the_later_line, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(motor_keys_despite_errors_elsewhere, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(invalid_motor_keys_take_the_default, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(missing_motor_keys_take_the_default, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(unreadable_file_leaves_the_motor_settings, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(missing_file_says_what_to_do, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(special_files_are_refused_at_once, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(each_key_change_needs_what_it_feeds, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(dropins_override_in_name_order, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(dropin_errors_name_the_dropin, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(dump_config_says_where_each_value_came_from, setup,
						testfs_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
