/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * simwearer: a simulated wearer on emulated IIO IMUs, for `make run` and the integration tests.
 *
 *   umockdev-wrapper simwearer --devices PROFILE [--play REC.csv[.gz]] [--script FILE]
 *                    [--speed X] [--ready-file FILE] -- COMMAND [ARG...]
 *
 * It builds a umockdev testbed holding the IIO devices of PROFILE, with the sysfs attributes the
 * real kernel drivers create, starts COMMAND inside it (so the real libiio "local:" backend finds
 * the devices) and moves the sensors while COMMAND runs. umockdev-wrapper must start it: the
 * preload library is what redirects COMMAND's /sys to the testbed.
 *
 * Profiles (devices are created in this order, as iio:device0, 1, ...):
 *   mpu6050    trunk: "mpu6050" (inv_mpu6050, accel +-2 g, gyro +-250 dps) at I2C 1-0068
 *   mpu6050x2  trunk: "mpu6050" at 1-0068; head: "mpu6050" at 1-0069
 *   lsm6dso    trunk: "lsm6dso_accel" + "lsm6dso_gyro" (st_lsm6dsx) at 1-006a, mounted turned
 *              90 degrees: mount_matrix "0, 1, 0; -1, 0, 0; 0, 0, 1" on both devices
 * The I2C devices hang off /sys/devices/platform/soc/fe804000.i2c/i2c-1, as on a Raspberry Pi 4.
 *
 * Every value given to simwearer (recording columns, script values) is in the sensor's axes after
 * the mount matrix M, as in the recording format. simwearer writes raw = round(M^T v / scale),
 * clamped to 16 bits like the chips, so a reader applying M to raw * scale gets v back.
 *
 * --play FILE    plays a recording ("# postured-recording 1", gzip accepted): trunk.* columns
 *                drive the trunk sensor, head.* the head sensor. When it ends COMMAND gets SIGTERM.
 * --script FILE  a timeline, one action per line; '#' starts a comment:
 *                  TIME set ROLE accel X Y Z      accelerometer reading, m/s^2
 *                  TIME set ROLE gyro X Y Z       gyroscope reading, rad/s
 *                  TIME tilt ROLE AXIS DEG [over SECONDS]
 *                                                 a sensor at rest (but for breathing) whose "up"
 *                                                 (the accelerometer reading, 9.80665 m/s^2) is
 *                                                 +Z turned DEG degrees toward AXIS (+X, -X, +Y
 *                                                 or -Y). With "over", it turns from its current
 *                                                 pose at a constant rate that the gyroscope
 *                                                 reports.
 *                  TIME breathing ROLE on|off     start or stop the role's breathing (below);
 *                                                 "off" is a sensor lying on a desk
 *                  TIME remove ROLE               unplug the role's device(s)
 *                  TIME add ROLE                  plug them back (lowest free iio:deviceN, as the
 *                                                 kernel numbers them) with the latest values
 *                  TIME end                       COMMAND gets SIGTERM
 *                TIME is in seconds since COMMAND started, never decreasing; ROLE is trunk or
 *                head. Actions at time 0 apply before COMMAND starts ("0 remove head": a
 *                sensor missing at boot). "set" and "tilt" replace any turn still in progress.
 * --speed X      both inputs run X times faster than real time (default 1): times, and the rates
 *                of "over", are the wearer's. Give the daemon the same --speed.
 * --ready-file F once COMMAND runs, written atomically: "pid PID" and "sysfs DIR" (the testbed
 *                root, DIR/sys/... being what COMMAND sees as /sys/...) lines.
 * --buffer MODE  off (default): the devices offer no buffer, as an MPU-6050 without its INT pin;
 *                on: each device has a buffer (buffer/enable, length, watermark), a device node
 *                /dev/iio:deviceN (a pty) and, for the MPU-6050, its data-ready trigger
 *                "mpu6050-devN" (the LSM6DSO fills its buffer from its FIFO, without a trigger).
 *                While buffer/enable is 1, scans of the enabled channels (scan_elements/X_en = 1),
 * laid out as the kernel lays them out, with the timestamp in the clock that
 *                current_timestamp_clock names, stream into the pty at the device's
 *                sampling_frequency, a watermark's worth per write, as the kernel wakes a reader;
 *                stalled: the same, but the trigger never fires (INT declared, not wired).
 *
 * Until an input says otherwise every sensor is worn upright, breathing: its pose is accel
 * (0, 0, 9.80665) m/s^2, gyro 0. --play and --script can be combined. With neither, or after the
 * last script action when there is no "end", the sensors keep their pose (and breathe) until
 * COMMAND exits.
 *
 * Breathing: a worn sensor is never perfectly still, and postured tells a worn sensor from one on
 * a desk by that. Each breathing role's readings are its pose (what "tilt" or "set" made it, or
 * a turn in progress) rocked about the sensor's y axis by a pitch sway of BREATH_AMPLITUDE_DEG
 * (0.5 deg, 1 deg peak to peak) at BREATH_RATE_HZ (0.25 Hz): sway(t) = 0.5 deg * sin(2 pi 0.25 t)
 * with t the wearer's time since COMMAND started, the same phase for every role (so a neck angle,
 * head minus trunk, hardly sways). A positive sway turns "up" toward +X, the way "tilt ROLE +X"
 * leans: the sway is in the plane of the tests' forward lean. The gyroscope adds the sway's rate,
 * -sway'(t) about y (amplitude 0.5 * 2 pi * 0.25 = 0.79 deg/s), with the sign of a turn's rate, so
 * accelerometer and gyroscope agree. Every role breathes from the start; after "breathing ROLE
 * off" its readings are its pose exactly, through later tilts, until "breathing ROLE on". Values
 * given raw are played as given: "set" stops the role's breathing until its next "tilt" or
 * "breathing ROLE on", and so does every --play frame of the role, so a recording plays as
 * recorded (roles it has no columns for breathe). Stopping or suspending the sway moves the sensor
 * back to its pose at once (by at most 0.5 deg); the sway is zero at every multiple of 2 s.
 *
 * COMMAND runs in its own process group and gets SIGTERM if simwearer dies; SIGINT and SIGTERM
 * sent to simwearer are forwarded to it, and SIGKILL follows 10 s after any request to stop.
 * Exit status: COMMAND's (128 + N if signal N killed it; 127 if it could not be executed), or
 * 2 for a usage or setup error of simwearer itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <umockdev.h>
#include <unistd.h>

#include "postured/recording.h"
#include "postured/sample.h"
#include "postured/vec3.h"

#define EXIT_SETUP 2
#define EXIT_NOT_EXECUTED 127
#define KILL_GRACE_S 10.0
/* How often a turning sensor's values change, in wearer time: smoother than any daemon rate. */
#define TURN_STEP_S 0.005
/* The breathing sway (see the top comment): its amplitude, its rate and how often its values
 * change, in wearer time (the emulated chips' 50 Hz: a 4 s sine needs no more). */
#define BREATH_AMPLITUDE_DEG 0.5
#define BREATH_RATE_HZ 0.25
#define BREATH_STEP_S 0.02
#define MAX_DEVICES 4
#define MAX_CLIENTS 4

enum quantity { Q_ACCEL, Q_GYRO, Q_COUNT };

static const char *const quantity_prefix[Q_COUNT] = { "in_accel", "in_anglvel" };
static const char *const quantity_word[Q_COUNT] = { "accel", "gyro" };
static const char axis_letter[3] = { 'x', 'y', 'z' };

/* One emulated IIO device; accel and gyro may live in one device or in two. */
struct sim_device {
	enum sensor_role role;
	char iio_name[32];
	const char *parent_syspath;
	GPtrArray *attrs; /* fixed attributes: name, value, name, value, ... */
	bool has[Q_COUNT];
	double scale[Q_COUNT];
	double matrix[Q_COUNT][3][3]; /* the mount matrix M: rows are the output axes */
	char *syspath;		      /* NULL while unplugged */
	unsigned int number;	      /* N of iio:deviceN while plugged */
	long raw[Q_COUNT][3];	      /* what the files hold while plugged */
	/* --buffer on|stalled: the pty behind /dev/iio:deviceN, and the scans being streamed */
	int pty_master, pty_slave; /* -1 while unplugged */
	char *trigger_syspath;
	bool streaming;
	struct scan_out *scan;
};

/* A constant-rate turn of the up vector about a fixed axis, in wearer time. */
struct turn {
	bool active;
	double start_s, end_s;
	double up0[3];
	double axis[3]; /* unit, perpendicular to up0 */
	double angle_rad;
};

/* The readings of a role are its pose (accel, gyro) rocked by the breathing sway. */
struct role_state {
	bool present;
	double accel[3];
	double gyro[3];
	struct turn turn;
	bool breathing;	   /* "breathing ROLE on|off"; on from the start */
	bool raw;	   /* the pose came as raw values: no sway until a tilt or "breathing on" */
	double sway_rad;   /* the breathing's pitch about y now ... */
	double sway_rad_s; /* ... and its rate */
};

enum action_kind { ACT_SET, ACT_TILT, ACT_BREATHING, ACT_REMOVE, ACT_ADD, ACT_END };

struct action {
	double t_s;
	enum action_kind kind;
	enum sensor_role role;
	enum quantity quantity; /* ACT_SET */
	double v[3];		/* ACT_SET: the values; ACT_TILT: the axis */
	double deg;		/* ACT_TILT */
	double over_s;		/* ACT_TILT: 0 for at once */
	bool on;		/* ACT_BREATHING */
};

enum buffer_mode { BUFFER_OFF, BUFFER_ON, BUFFER_STALLED };

#define MAX_SCAN_CHANNELS 8
/* Scans on their way into a device's pty: what the enabled channels ask for, where they sit. */
struct scan_out {
	size_t n;
	char channel[MAX_SCAN_CHANNELS][32]; /* "in_accel_x", "in_temp", "in_timestamp" */
	unsigned int bytes[MAX_SCAN_CHANNELS], shift[MAX_SCAN_CHANNELS];
	bool big_endian[MAX_SCAN_CHANNELS];
	size_t offset[MAX_SCAN_CHANNELS];
	size_t scan_bytes;
	unsigned int watermark;
	double period_s;       /* wearer time between scans */
	bool realtime;	       /* current_timestamp_clock: realtime, else monotonic */
	double next_s;	       /* wearer time of the next scan */
	uint8_t pending[8192]; /* a watermark's worth, written at once */
	size_t pending_len;
	unsigned int pending_scans;
};

struct sim {
	enum buffer_mode buffer;
	double start_wall_s, speed; /* for the scans' timestamps */
	UMockdevTestbed *tb;
	char *root; /* testbed root directory */
	char *client_syspath[MAX_CLIENTS];
	unsigned int client_addr[MAX_CLIENTS];
	size_t n_clients;
	char *adapter_syspath;
	struct sim_device dev[MAX_DEVICES];
	size_t n_devices;
	struct role_state role[ROLE_COUNT];
	const char *profile;
};

/* Errors and progress both go to stderr, where the tests collect them. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("simwearer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- devices ---------------------------------------------------------------------------- */

/* sysfs values end in a newline: libiio drops the last byte of what it reads. */
static void add_attr(struct sim_device *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_attr(struct sim_device *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *value;

	va_start(ap, fmt);
	value = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(d->attrs, g_strdup(name));
	g_ptr_array_add(d->attrs, g_strdup_printf("%s\n", value));
	g_free(value);
}

static void format_matrix(const int m[3][3], char *buf, size_t len)
{
	snprintf(buf, len, "%d, %d, %d; %d, %d, %d; %d, %d, %d", m[0][0], m[0][1], m[0][2], m[1][0],
		 m[1][1], m[1][2], m[2][0], m[2][1], m[2][2]);
}

static void set_matrix(struct sim_device *d, enum quantity q, const int m[3][3])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			d->matrix[q][i][j] = m[i][j];
}

/* Scan elements make libiio see a buffer-capable device, as on hardware. */
static void add_scan_element(struct sim_device *d, const char *channel, int index, const char *type)
{
	char name[96];

	snprintf(name, sizeof(name), "scan_elements/%s_en", channel);
	add_attr(d, name, "0");
	snprintf(name, sizeof(name), "scan_elements/%s_index", channel);
	add_attr(d, name, "%d", index);
	snprintf(name, sizeof(name), "scan_elements/%s_type", channel);
	add_attr(d, name, "%s", type);
}

static const int identity_matrix[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
static const int zero_matrix[3][3] = { { 0 } };
/* The LSM6DSO board is mounted turned 90 degrees about z: chip x is the wearer-frame -y. */
static const int lsm6dso_matrix[3][3] = { { 0, 1, 0 }, { -1, 0, 0 }, { 0, 0, 1 } };

static struct sim_device *new_device(struct sim *sim, enum sensor_role role, const char *iio_name,
				     const char *parent_syspath)
{
	struct sim_device *d = &sim->dev[sim->n_devices++];

	memset(d, 0, sizeof(*d));
	d->role = role;
	snprintf(d->iio_name, sizeof(d->iio_name), "%s", iio_name);
	d->parent_syspath = parent_syspath;
	d->pty_master = d->pty_slave = -1;
	d->attrs = g_ptr_array_new_with_free_func(g_free);
	add_attr(d, "name", "%s", iio_name);
	sim->role[role].present = true;
	return d;
}

/* Attributes of inv_mpu6050 (drivers/iio/imu/inv_mpu6050/inv_mpu_core.c) after probe on a
 * device-tree system, with the gyro range set to +-250 dps. */
static void add_mpu6050(struct sim *sim, enum sensor_role role, const char *parent_syspath)
{
	static const char *const calibbias[Q_COUNT][3] = { { "-2542", "1177", "1453" },
							   { "0", "0", "0" } };
	struct sim_device *d = new_device(sim, role, "mpu6050", parent_syspath);
	char matrix[64], name[64];

	for (int q = 0; q < Q_COUNT; q++) {
		d->has[q] = true;
		set_matrix(d, (enum quantity)q, identity_matrix);
	}
	d->scale[Q_ACCEL] = 0.000598;
	d->scale[Q_GYRO] = 0.000133090;
	add_attr(d, "in_accel_scale", "0.000598");
	add_attr(d, "in_accel_scale_available", "0.000598 0.001196 0.002392 0.004785");
	add_attr(d, "in_anglvel_scale", "0.000133090");
	add_attr(d, "in_anglvel_scale_available",
		 "0.000133090 0.000266181 0.000532362 0.001064724");
	format_matrix(identity_matrix, matrix, sizeof(matrix));
	add_attr(d, "in_accel_mount_matrix", "%s", matrix);
	add_attr(d, "in_anglvel_mount_matrix", "%s", matrix);
	/* Deprecated platform-data matrices: all zero when the orientation comes from the DT. */
	format_matrix(zero_matrix, matrix, sizeof(matrix));
	add_attr(d, "in_accel_matrix", "%s", matrix);
	add_attr(d, "in_gyro_matrix", "%s", matrix);
	for (int q = 0; q < Q_COUNT; q++)
		for (int i = 0; i < 3; i++) {
			snprintf(name, sizeof(name), "%s_%c_calibbias", quantity_prefix[q],
				 axis_letter[i]);
			add_attr(d, name, "%s", calibbias[q][i]);
		}
	add_attr(d, "in_temp_raw", "-3920"); /* 25 degC */
	add_attr(d, "in_temp_offset", "12420");
	add_attr(d, "in_temp_scale", "2.941176");
	add_attr(d, "sampling_frequency", "50");
	add_attr(d, "sampling_frequency_available", "10 20 50 100 200 500");
	add_attr(d, "current_timestamp_clock", "realtime");
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "in_accel_%c", axis_letter[i]);
		add_scan_element(d, name, i, "be:s16/16>>0");
		snprintf(name, sizeof(name), "in_anglvel_%c", axis_letter[i]);
		add_scan_element(d, name, 4 + i, "be:s16/16>>0");
	}
	add_scan_element(d, "in_temp", 3, "be:s16/16>>0");
	add_scan_element(d, "in_timestamp", 7, "le:s64/64>>0");
}

/* Attributes of st_lsm6dsx (drivers/iio/imu/st_lsm6dsx/st_lsm6dsx_core.c) for one half of an
 * LSM6DSO at its power-on rate and range: the mount matrix is shared by all channels, so it has
 * no "in_" prefix. */
static void add_lsm6dso_half(struct sim *sim, enum sensor_role role, const char *parent_syspath,
			     enum quantity q)
{
	struct sim_device *d;
	char iio_name[32], name[64], matrix[64];

	snprintf(iio_name, sizeof(iio_name), "lsm6dso_%s", quantity_word[q]);
	d = new_device(sim, role, iio_name, parent_syspath);
	d->has[q] = true;
	set_matrix(d, q, lsm6dso_matrix);
	snprintf(name, sizeof(name), "%s_scale", quantity_prefix[q]);
	if (q == Q_ACCEL) {
		d->scale[q] = 0.000598205;
		add_attr(d, name, "0.000598205");
		add_attr(d, "in_accel_scale_available",
			 "0.000598205 0.001196411 0.002392822 0.004785645");
	} else {
		d->scale[q] = 0.000152716;
		add_attr(d, name, "0.000152716");
		add_attr(d, "in_anglvel_scale_available",
			 "0.000152716 0.000305432 0.000610865 0.001221730");
	}
	format_matrix(lsm6dso_matrix, matrix, sizeof(matrix));
	add_attr(d, "mount_matrix", "%s", matrix);
	add_attr(d, "sampling_frequency", "12.500000");
	add_attr(d, "sampling_frequency_available",
		 "12.500 26.000 52.000 104.000 208.000 416.000 833.000");
	add_attr(d, "current_timestamp_clock", "realtime");
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "%s_%c", quantity_prefix[q], axis_letter[i]);
		add_scan_element(d, name, i, "le:s16/16>>0");
	}
	add_scan_element(d, "in_timestamp", 3, "le:s64/64>>0");
}

static const char *i2c_client(struct sim *sim, unsigned int addr, const char *chip,
			      const char *driver)
{
	char name[16], chip_line[32], modalias[96], modalias_line[100], of_compat[64];

	for (size_t i = 0; i < sim->n_clients; i++)
		if (sim->client_addr[i] == addr)
			return sim->client_syspath[i];
	snprintf(name, sizeof(name), "1-%04x", addr);
	snprintf(chip_line, sizeof(chip_line), "%s\n", chip);
	snprintf(of_compat, sizeof(of_compat), "%s,%s",
		 strncmp(chip, "mpu", 3) == 0 ? "invensense" : "st", chip);
	snprintf(modalias, sizeof(modalias), "of:N%sT(null)C%s", chip, of_compat);
	snprintf(modalias_line, sizeof(modalias_line), "%s\n", modalias);
	sim->client_addr[sim->n_clients] = addr;
	sim->client_syspath[sim->n_clients] = umockdev_testbed_add_device(
	    sim->tb, "i2c", name, sim->adapter_syspath, "name", chip_line, "modalias",
	    modalias_line, NULL, "DRIVER", driver, "MODALIAS", modalias, "OF_COMPATIBLE_0",
	    of_compat, NULL);
	return sim->client_syspath[sim->n_clients++];
}

static int build_profile(struct sim *sim, const char *profile)
{
	char *platform;

	platform = umockdev_testbed_add_device(
	    sim->tb, "platform", "platform/soc/fe804000.i2c", NULL, "modalias",
	    "of:Ni2cT(null)Cbrcm,bcm2711-i2c\n", NULL, "DRIVER", "i2c-bcm2835", NULL);
	sim->adapter_syspath = umockdev_testbed_add_device(sim->tb, "i2c", "i2c-1", platform,
							   "name", "bcm2835 (i2c@7e804000)\n", NULL,
							   "DEVTYPE", "i2c_adapter", NULL);
	g_free(platform);
	sim->profile = profile;
	if (strcmp(profile, "mpu6050") == 0) {
		add_mpu6050(sim, ROLE_TRUNK, i2c_client(sim, 0x68, "mpu6050", "inv-mpu6050-i2c"));
	} else if (strcmp(profile, "mpu6050x2") == 0) {
		add_mpu6050(sim, ROLE_TRUNK, i2c_client(sim, 0x68, "mpu6050", "inv-mpu6050-i2c"));
		add_mpu6050(sim, ROLE_HEAD, i2c_client(sim, 0x69, "mpu6050", "inv-mpu6050-i2c"));
	} else if (strcmp(profile, "lsm6dso") == 0) {
		const char *client = i2c_client(sim, 0x6a, "lsm6dso", "st_lsm6dsx_i2c");

		add_lsm6dso_half(sim, ROLE_TRUNK, client, Q_ACCEL);
		add_lsm6dso_half(sim, ROLE_TRUNK, client, Q_GYRO);
	} else {
		say("unknown profile '%s': use mpu6050, mpu6050x2 or lsm6dso", profile);
		return -EINVAL;
	}
	return 0;
}

static void role_readings(const struct role_state *rs, double accel[3], double gyro[3]);

/* raw = M^T v / scale: the mount matrices of the profiles are rotations, so M^T inverts M. */
static void compute_raw(const struct sim_device *d, const struct sim *sim, long raw[Q_COUNT][3])
{
	double readings[Q_COUNT][3];

	role_readings(&sim->role[d->role], readings[Q_ACCEL], readings[Q_GYRO]);
	for (int q = 0; q < Q_COUNT; q++) {
		const double *v = readings[q];

		if (!d->has[q])
			continue;
		for (int i = 0; i < 3; i++) {
			double chip = 0.0;

			for (int j = 0; j < 3; j++)
				chip += d->matrix[q][j][i] * v[j];
			raw[q][i] = lround(fmin(fmax(chip / d->scale[q], -32768.0), 32767.0));
		}
	}
}

static void raw_attr_name(enum quantity q, int axis, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%c_raw", quantity_prefix[q], axis_letter[axis]);
}

/* The kernel's ida hands out the lowest free number. */
static unsigned int free_device_number(const struct sim *sim)
{
	for (unsigned int n = 0;; n++) {
		bool taken = false;

		for (size_t i = 0; i < sim->n_devices; i++)
			if (sim->dev[i].syspath && sim->dev[i].number == n)
				taken = true;
		if (!taken)
			return n;
	}
}

static bool has_own_trigger(const struct sim_device *d)
{
	return strcmp(d->iio_name, "mpu6050") == 0;
}

static void add_pair(GPtrArray *attrs, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_pair(GPtrArray *attrs, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *value;

	va_start(ap, fmt);
	value = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(attrs, g_strdup(name));
	g_ptr_array_add(attrs, g_strdup_printf("%s\n", value));
	g_free(value);
}

/* The buffer directory of a kernel with kfifo buffers (length 2 and watermark 1 at probe), and
 * the MPU-6050's own trigger in force, as inv_mpu6050 sets it at probe. */
static void add_buffer_attrs(const struct sim_device *d, GPtrArray *attrs, unsigned int n)
{
	add_pair(attrs, "buffer/enable", "0");
	add_pair(attrs, "buffer/length", "2");
	add_pair(attrs, "buffer/watermark", "1");
	add_pair(attrs, "buffer/data_available", "0");
	if (has_own_trigger(d))
		add_pair(attrs, "trigger/current_trigger", "%s-dev%u", d->iio_name, n);
}

/*
 * /dev/iio:deviceN is a pty whose other end simwearer writes scans into; the trigger device
 * sits below the IIO device, as in sysfs. simwearer keeps the pty's slave open too, so a reader
 * that comes and goes never sees a hangup, and it can flush what a reader left unread.
 */
static int add_buffer_node(struct sim *sim, struct sim_device *d)
{
	char pty_name[256], node[4200], dir[4096], name[32], trigger[64];
	struct termios tio;

	if (openpty(&d->pty_master, &d->pty_slave, pty_name, NULL, NULL) < 0) {
		say("cannot open a pty for %s: %s", d->iio_name, strerror(errno));
		return -EIO;
	}
	tcgetattr(d->pty_slave, &tio);
	cfmakeraw(&tio);
	tcsetattr(d->pty_slave, TCSANOW, &tio);
	fcntl(d->pty_master, F_SETFL, fcntl(d->pty_master, F_GETFL) | O_NONBLOCK);
	snprintf(dir, sizeof(dir), "%s/dev", sim->root);
	mkdir(dir, 0755);
	snprintf(node, sizeof(node), "%s/iio:device%u", dir, d->number);
	unlink(node);
	if (symlink(pty_name, node) < 0) {
		say("cannot create %s: %s", node, strerror(errno));
		return -EIO;
	}
	if (has_own_trigger(d)) {
		snprintf(name, sizeof(name), "trigger%u", d->number);
		snprintf(trigger, sizeof(trigger), "%s-dev%u\n", d->iio_name, d->number);
		d->trigger_syspath = umockdev_testbed_add_device(sim->tb, "iio", name, d->syspath,
								 "name", trigger, NULL, NULL);
	}
	d->streaming = false;
	return 0;
}

static void remove_buffer_node(struct sim *sim, struct sim_device *d)
{
	char node[4096];

	if (d->trigger_syspath) {
		umockdev_testbed_remove_device(sim->tb, d->trigger_syspath);
		g_free(d->trigger_syspath);
		d->trigger_syspath = NULL;
	}
	snprintf(node, sizeof(node), "%s/dev/iio:device%u", sim->root, d->number);
	unlink(node);
	if (d->pty_master >= 0) {
		close(d->pty_master);
		close(d->pty_slave);
	}
	d->pty_master = d->pty_slave = -1;
	d->streaming = false;
}

static int plug(struct sim *sim, struct sim_device *d)
{
	GPtrArray *attrs = g_ptr_array_new_with_free_func(g_free);
	gchar devtype_key[] = "DEVTYPE", devtype[] = "iio_device";
	gchar *props[] = { devtype_key, devtype, NULL };
	char name[32];
	unsigned int n = free_device_number(sim);

	for (guint i = 0; i < d->attrs->len; i++)
		g_ptr_array_add(attrs, g_strdup(g_ptr_array_index(d->attrs, i)));
	compute_raw(d, sim, d->raw);
	for (int q = 0; q < Q_COUNT; q++)
		for (int i = 0; d->has[q] && i < 3; i++) {
			raw_attr_name((enum quantity)q, i, name, sizeof(name));
			g_ptr_array_add(attrs, g_strdup(name));
			g_ptr_array_add(attrs, g_strdup_printf("%ld\n", d->raw[q][i]));
		}
	if (sim->buffer != BUFFER_OFF)
		add_buffer_attrs(d, attrs, n);
	g_ptr_array_add(attrs, NULL);
	snprintf(name, sizeof(name), "iio:device%u", n);
	d->syspath = umockdev_testbed_add_devicev(sim->tb, "iio", name, d->parent_syspath,
						  (gchar **)attrs->pdata, props);
	g_ptr_array_free(attrs, TRUE);
	if (!d->syspath) {
		say("cannot create %s (%s) in the umockdev testbed", name, d->iio_name);
		return -EIO;
	}
	d->number = n;
	if (sim->buffer != BUFFER_OFF && add_buffer_node(sim, d) < 0)
		return -EIO;
	umockdev_testbed_uevent(sim->tb, d->syspath, "add");
	return 0;
}

static void unplug(struct sim *sim, struct sim_device *d)
{
	umockdev_testbed_uevent(sim->tb, d->syspath, "remove");
	remove_buffer_node(sim, d);
	umockdev_testbed_remove_device(sim->tb, d->syspath);
	g_free(d->syspath);
	d->syspath = NULL;
}

/*
 * umockdev_testbed_set_attribute() fsyncs every write, far too slow for hundreds of samples a
 * second. Writing a temporary file outside the sysfs tree and renaming it over the attribute is
 * just as atomic: a reader sees the old or the new value, never an empty file.
 */
static int write_attr(const struct sim *sim, const struct sim_device *d, const char *name,
		      const char *value)
{
	char tmp[4096], path[4096];
	size_t len = strlen(value);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/simwearer.tmp", sim->root);
	snprintf(path, sizeof(path), "%s%s/%s", sim->root, d->syspath, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto error;
	if (write(fd, value, len) != (ssize_t)len) {
		close(fd);
		goto error;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		goto error;
	return 0;
error:
	say("cannot write %s: %s", path, strerror(errno));
	return -EIO;
}

/* Writes the raw values that changed on every plugged device. */
static int flush(struct sim *sim)
{
	for (size_t k = 0; k < sim->n_devices; k++) {
		struct sim_device *d = &sim->dev[k];
		long raw[Q_COUNT][3];

		if (!d->syspath)
			continue;
		compute_raw(d, sim, raw);
		for (int q = 0; q < Q_COUNT; q++)
			for (int i = 0; d->has[q] && i < 3; i++) {
				char name[32], value[32];

				if (raw[q][i] == d->raw[q][i])
					continue;
				raw_attr_name((enum quantity)q, i, name, sizeof(name));
				snprintf(value, sizeof(value), "%ld\n", raw[q][i]);
				if (write_attr(sim, d, name, value) < 0)
					return -EIO;
				d->raw[q][i] = raw[q][i];
			}
	}
	return 0;
}

/* ---- the buffer: scans into the pty -------------------------------------------------------- */

/* A sysfs value as the daemon left it, without its newline; "" when it cannot be read. */
static void read_attr(const struct sim *sim, const struct sim_device *d, const char *name,
		      char *buf, size_t len)
{
	char path[4096];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s%s/%s", sim->root, d->syspath, name);
	f = fopen(path, "re");
	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static double attr_number(const struct sim *sim, const struct sim_device *d, const char *name,
			  double fallback)
{
	char buf[64], *end;
	double v;

	read_attr(sim, d, name, buf, sizeof(buf));
	v = strtod(buf, &end);
	return end == buf ? fallback : v;
}

/*
 * The layout of include/linux/iio/buffer.h's scans, written here from the kernel's rules rather
 * than shared with the daemon's decoder, so that a test can catch either side: the enabled
 * channels in index order, each aligned to its storage size, the scan padded to the largest.
 */
static int start_stream(struct sim *sim, struct sim_device *d, double now_s)
{
	struct scan_out *o = d->scan;
	char dir[4096], buf[64];
	int index[MAX_SCAN_CHANNELS];
	size_t at = 0, largest = 1;
	GDir *gd;
	const char *entry;

	if (!o)
		o = d->scan = g_new0(struct scan_out, 1);
	memset(o, 0, sizeof(*o));
	snprintf(dir, sizeof(dir), "%s%s/scan_elements", sim->root, d->syspath);
	gd = g_dir_open(dir, 0, NULL);
	while (gd && (entry = g_dir_read_name(gd))) {
		size_t len = strlen(entry), k;
		char name[96], endian, sign;
		unsigned int real, storage, shift;

		if (len < 4 || strcmp(entry + len - 3, "_en") != 0 || o->n == MAX_SCAN_CHANNELS)
			continue;
		snprintf(name, sizeof(name), "scan_elements/%s", entry);
		read_attr(sim, d, name, buf, sizeof(buf));
		if (strcmp(buf, "1") != 0)
			continue;
		k = o->n++;
		snprintf(o->channel[k], sizeof(o->channel[k]), "%.*s", (int)(len - 3), entry);
		snprintf(name, sizeof(name), "scan_elements/%s_index", o->channel[k]);
		index[k] = (int)attr_number(sim, d, name, 0);
		snprintf(name, sizeof(name), "scan_elements/%s_type", o->channel[k]);
		read_attr(sim, d, name, buf, sizeof(buf));
		if (sscanf(buf, "%ce:%c%u/%u>>%u", &endian, &sign, &real, &storage, &shift) != 5) {
			say("%s: cannot parse %s '%s'", d->iio_name, name, buf);
			return -EINVAL;
		}
		o->bytes[k] = storage / 8;
		o->shift[k] = shift;
		o->big_endian[k] = endian == 'b';
	}
	if (gd)
		g_dir_close(gd);
	for (size_t done = 0; done < o->n; done++) {
		size_t next = o->n;

		for (size_t k = 0; k < o->n; k++)
			if (index[k] >= 0 && (next == o->n || index[k] < index[next]))
				next = k;
		if (at % o->bytes[next])
			at += o->bytes[next] - at % o->bytes[next];
		o->offset[next] = at;
		at += o->bytes[next];
		if (o->bytes[next] > largest)
			largest = o->bytes[next];
		index[next] = -1;
	}
	o->scan_bytes = at % largest ? at + largest - at % largest : at;
	o->watermark = (unsigned int)fmax(1.0, attr_number(sim, d, "buffer/watermark", 1));
	o->period_s = 1.0 / attr_number(sim, d, "sampling_frequency", 50.0);
	read_attr(sim, d, "current_timestamp_clock", buf, sizeof(buf));
	o->realtime = strcmp(buf, "monotonic") != 0;
	o->next_s = now_s;
	/* What a reader left in the pty is not this buffer's. */
	tcflush(d->pty_slave, TCIFLUSH);
	d->streaming = true;
	say("%.2f s: %s (iio:device%u) buffer enabled: %zu channels, %zu-byte scans, watermark %u",
	    now_s, d->iio_name, d->number, o->n, o->scan_bytes, o->watermark);
	return 0;
}

static void put_value(uint8_t *p, unsigned int bytes, bool big_endian, uint64_t v)
{
	for (unsigned int b = 0; b < bytes; b++)
		p[big_endian ? bytes - 1 - b : b] = (uint8_t)(v >> (8 * b));
}

/* One scan at wearer time t_s, of the readings in force now. */
static void append_scan(struct sim *sim, struct sim_device *d, double t_s)
{
	struct scan_out *o = d->scan;
	uint8_t *scan = o->pending + o->pending_len;
	long raw[Q_COUNT][3] = { { 0 } };
	double wall_s = sim->start_wall_s + t_s / sim->speed;
	struct timespec real, mono;

	compute_raw(d, sim, raw);
	memset(scan, 0, o->scan_bytes);
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (o->realtime)
		wall_s += (double)(real.tv_sec - mono.tv_sec) +
			  (double)(real.tv_nsec - mono.tv_nsec) * 1e-9;
	for (size_t k = 0; k < o->n; k++) {
		const char *c = o->channel[k];
		int64_t v = 0;

		if (strcmp(c, "in_timestamp") == 0)
			v = (int64_t)(wall_s * 1e9);
		else if (strcmp(c, "in_temp") == 0)
			v = -3920;
		for (int q = 0; q < Q_COUNT; q++)
			for (int i = 0; i < 3; i++) {
				char want[32];

				snprintf(want, sizeof(want), "%s_%c", quantity_prefix[q],
					 axis_letter[i]);
				if (strcmp(c, want) == 0)
					v = raw[q][i];
			}
		put_value(scan + o->offset[k], o->bytes[k], o->big_endian[k],
			  (uint64_t)v << o->shift[k]);
	}
	o->pending_len += o->scan_bytes;
	o->pending_scans++;
}

/*
 * Follows buffer/enable and streams the scans due by now_s; returns the wearer time of the next
 * scan (INFINITY when not streaming). A reader that does not keep up loses scans, as with a full
 * kernel buffer.
 */
static double stream(struct sim *sim, struct sim_device *d, double now_s)
{
	char enable[8];
	struct scan_out *o;

	if (!d->syspath || d->pty_master < 0)
		return INFINITY;
	read_attr(sim, d, "buffer/enable", enable, sizeof(enable));
	if (strcmp(enable, "1") != 0) {
		d->streaming = false;
		return INFINITY;
	}
	if (sim->buffer == BUFFER_STALLED)
		return INFINITY;
	if (!d->streaming && start_stream(sim, d, now_s) < 0)
		return INFINITY;
	o = d->scan;
	while (o->next_s <= now_s) {
		if (o->pending_len + o->scan_bytes > sizeof(o->pending)) {
			o->pending_len = 0;
			o->pending_scans = 0;
		}
		append_scan(sim, d, o->next_s);
		o->next_s += o->period_s;
		if (o->pending_scans >= o->watermark) {
			if (write(d->pty_master, o->pending, o->pending_len) < 0 && errno != EAGAIN)
				say("cannot write scans of %s: %s", d->iio_name, strerror(errno));
			o->pending_len = 0;
			o->pending_scans = 0;
		}
	}
	return o->next_s;
}

static void describe_role_devices(const struct sim *sim, enum sensor_role role, char *buf,
				  size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < sim->n_devices && used < len; k++) {
		const struct sim_device *d = &sim->dev[k];

		if (d->role != role)
			continue;
		used +=
		    (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", d->iio_name);
		if (d->syspath && used < len)
			used +=
			    (size_t)snprintf(buf + used, len - used, " (iio:device%u)", d->number);
	}
}

/* ---- the wearer ------------------------------------------------------------------------- */

static void set_upright(struct role_state *rs)
{
	rs->accel[0] = 0.0;
	rs->accel[1] = 0.0;
	rs->accel[2] = STANDARD_GRAVITY_M_S2;
	memset(rs->gyro, 0, sizeof(rs->gyro));
	rs->breathing = true;
}

/* Rotating u about the unit axis n by phi (Rodrigues). */
static void rotate(const double u[3], const double n[3], double phi, double out[3])
{
	double nxu[3], along = vec3_dot(n, u) * (1.0 - cos(phi));

	vec3_cross(n, u, nxu);
	for (int i = 0; i < 3; i++)
		out[i] = u[i] * cos(phi) + nxu[i] * sin(phi) + n[i] * along;
}

/* The breathing's pitch axis: the sensor's y, about which "tilt +X" and "tilt -X" turn. */
static const double breath_axis[3] = { 0.0, 1.0, 0.0 };

/* The sway at wearer time now_s, deterministic: zero for a role that does not breathe. */
static void update_breath(struct role_state *rs, double now_s)
{
	double w = 2.0 * M_PI * BREATH_RATE_HZ, a = BREATH_AMPLITUDE_DEG * RAD_PER_DEG;

	if (!rs->breathing || rs->raw) {
		rs->sway_rad = 0.0;
		rs->sway_rad_s = 0.0;
		return;
	}
	rs->sway_rad = a * sin(w * now_s);
	rs->sway_rad_s = a * w * cos(w * now_s);
}

/* The pose rocked by the sway: "up" turned about y, the gyro reading the turn (see update_turn). */
static void role_readings(const struct role_state *rs, double accel[3], double gyro[3])
{
	rotate(rs->accel, breath_axis, rs->sway_rad, accel);
	for (int i = 0; i < 3; i++)
		gyro[i] = rs->gyro[i] - rs->sway_rad_s * breath_axis[i];
}

static bool any_breathing(const struct sim *sim)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (sim->role[r].present && sim->role[r].breathing && !sim->role[r].raw)
			return true;
	return false;
}

/*
 * A sensor turning at rate w (rad/s, sensor axes) sees a fixed world vector u change as
 * du/dt = -w x u. Turning u about n at phi' means du/dt = phi' n x u, so the gyro reads
 * -phi' n.
 */
static void update_turn(struct role_state *rs, double now_s)
{
	struct turn *tr = &rs->turn;
	double up[3], s, rate;

	if (!tr->active)
		return;
	s = (now_s - tr->start_s) / (tr->end_s - tr->start_s);
	if (s >= 1.0) {
		s = 1.0;
		tr->active = false;
	}
	rotate(tr->up0, tr->axis, tr->angle_rad * s, up);
	rate = tr->active ? tr->angle_rad / (tr->end_s - tr->start_s) : 0.0;
	for (int i = 0; i < 3; i++) {
		rs->accel[i] = STANDARD_GRAVITY_M_S2 * up[i];
		rs->gyro[i] = -rate * tr->axis[i];
	}
}

static void start_tilt(struct role_state *rs, const struct action *a, double now_s)
{
	static const double z[3] = { 0.0, 0.0, 1.0 };
	struct turn *tr = &rs->turn;
	double target[3], up0[3], n[3];

	for (int i = 0; i < 3; i++)
		target[i] = cos(a->deg * RAD_PER_DEG) * z[i] + sin(a->deg * RAD_PER_DEG) * a->v[i];
	vec3_copy(up0, rs->accel);
	if (vec3_normalize(up0) == 0.0)
		vec3_copy(up0, z);
	vec3_cross(up0, target, n);
	tr->active = false;
	rs->raw = false;
	if (a->over_s <= 0.0 || vec3_normalize(n) < 1e-9) {
		/* At once, or already there (or a half turn, which has no unique axis: jump). */
		for (int i = 0; i < 3; i++)
			rs->accel[i] = STANDARD_GRAVITY_M_S2 * target[i];
		memset(rs->gyro, 0, sizeof(rs->gyro));
		return;
	}
	tr->active = true;
	tr->start_s = now_s;
	tr->end_s = now_s + a->over_s;
	vec3_copy(tr->up0, up0);
	vec3_copy(tr->axis, n);
	tr->angle_rad = acos(fmax(-1.0, fmin(1.0, vec3_dot(up0, target))));
	update_turn(rs, now_s);
}

/* ---- the script ------------------------------------------------------------------------- */

static int parse_role(const char *word, enum sensor_role *out)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (strcmp(word, role_name((enum sensor_role)r)) == 0) {
			*out = (enum sensor_role)r;
			return 0;
		}
	return -EINVAL;
}

/* "+X", "-X", "+Y" or "-Y": the directions a sensor upright along +Z can tilt toward. */
static int parse_level_axis(const char *word, double v[3])
{
	if (strlen(word) != 2 || (word[0] != '+' && word[0] != '-') ||
	    (word[1] != 'X' && word[1] != 'Y'))
		return -EINVAL;
	memset(v, 0, 3 * sizeof(v[0]));
	v[word[1] - 'X'] = word[0] == '+' ? 1.0 : -1.0;
	return 0;
}

static int parse_number(const char *word, double *out)
{
	char *end;

	if (!word)
		return -EINVAL;
	errno = 0;
	*out = strtod(word, &end);
	return errno || end == word || *end || !isfinite(*out) ? -EINVAL : 0;
}

static int parse_action(const struct sim *sim, char **w, int n, struct action *a, char *err,
			size_t len)
{
	if (n < 2 || parse_number(w[0], &a->t_s) < 0 || a->t_s < 0.0) {
		snprintf(err, len, "expected 'TIME ACTION ...' with TIME in seconds >= 0");
		return -EINVAL;
	}
	if (strcmp(w[1], "end") == 0) {
		a->kind = ACT_END;
		if (n != 2) {
			snprintf(err, len, "'end' takes nothing after it");
			return -EINVAL;
		}
		return 0;
	}
	if (n < 3 || parse_role(w[2], &a->role) < 0) {
		snprintf(err, len, "expected a role (trunk or head) after '%s'", w[1]);
		return -EINVAL;
	}
	if (!sim->role[a->role].present) {
		snprintf(err, len, "profile %s has no %s sensor", sim->profile, w[2]);
		return -EINVAL;
	}
	if (strcmp(w[1], "set") == 0) {
		a->kind = ACT_SET;
		if (n != 7 || (strcmp(w[3], "accel") != 0 && strcmp(w[3], "gyro") != 0) ||
		    parse_number(w[4], &a->v[0]) < 0 || parse_number(w[5], &a->v[1]) < 0 ||
		    parse_number(w[6], &a->v[2]) < 0) {
			snprintf(err, len, "expected 'TIME set ROLE accel|gyro X Y Z'");
			return -EINVAL;
		}
		a->quantity = strcmp(w[3], "accel") == 0 ? Q_ACCEL : Q_GYRO;
	} else if (strcmp(w[1], "tilt") == 0) {
		a->kind = ACT_TILT;
		if ((n != 5 && n != 7) || parse_level_axis(w[3], a->v) < 0 ||
		    parse_number(w[4], &a->deg) < 0 || fabs(a->deg) > 180.0 ||
		    (n == 7 && (strcmp(w[5], "over") != 0 || parse_number(w[6], &a->over_s) < 0 ||
				a->over_s <= 0.0))) {
			snprintf(err, len,
				 "expected 'TIME tilt ROLE +X|-X|+Y|-Y DEG [over SECONDS]' with "
				 "|DEG| <= 180 and SECONDS > 0");
			return -EINVAL;
		}
	} else if (strcmp(w[1], "breathing") == 0) {
		a->kind = ACT_BREATHING;
		if (n != 4 || (strcmp(w[3], "on") != 0 && strcmp(w[3], "off") != 0)) {
			snprintf(err, len, "expected 'TIME breathing ROLE on|off'");
			return -EINVAL;
		}
		a->on = strcmp(w[3], "on") == 0;
	} else if (strcmp(w[1], "remove") == 0 || strcmp(w[1], "add") == 0) {
		a->kind = strcmp(w[1], "remove") == 0 ? ACT_REMOVE : ACT_ADD;
		if (n != 3) {
			snprintf(err, len, "expected 'TIME %s ROLE'", w[1]);
			return -EINVAL;
		}
	} else {
		snprintf(err, len,
			 "unknown action '%s': use set, tilt, breathing, remove, add or end", w[1]);
		return -EINVAL;
	}
	return 0;
}

static int load_script(const struct sim *sim, const char *path, struct action **out, size_t *n_out)
{
	FILE *f = fopen(path, "r");
	struct action *acts = NULL;
	size_t n = 0, cap = 0;
	char line[1024];
	unsigned int lineno = 0;
	double last_t = 0.0;

	if (!f) {
		say("cannot open script %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#'), *w[8], *save = NULL, *tok;
		char err[256];
		struct action a = { 0 };
		int nw = 0;

		lineno++;
		if (hash)
			*hash = '\0';
		for (tok = strtok_r(line, " \t\r\n", &save); tok && nw < 8;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = tok;
		if (nw == 0)
			continue;
		if (tok || parse_action(sim, w, nw, &a, err, sizeof(err)) < 0) {
			say("%s:%u: %s", path, lineno, tok ? "too many words" : err);
			goto bad;
		}
		if (a.t_s < last_t) {
			say("%s:%u: time %g s comes before %g s of an earlier line: keep the "
			    "actions in time order",
			    path, lineno, a.t_s, last_t);
			goto bad;
		}
		last_t = a.t_s;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			acts = g_renew(struct action, acts, cap);
		}
		acts[n++] = a;
	}
	if (ferror(f)) {
		say("cannot read script %s: %s", path, strerror(errno));
		goto bad;
	}
	fclose(f);
	*out = acts;
	*n_out = n;
	return 0;
bad:
	fclose(f);
	g_free(acts);
	return -EINVAL;
}

/* ---- the command ------------------------------------------------------------------------ */

static pid_t spawn(char **argv, const sigset_t *old_mask)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* Own process group: a terminal's Ctrl-C reaches it once, through simwearer. */
	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(EXIT_NOT_EXECUTED);
	sigprocmask(SIG_SETMASK, old_mask, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "simwearer: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(EXIT_NOT_EXECUTED);
}

static int write_ready_file(const char *path, pid_t pid, const char *root)
{
	char *tmp = g_strdup_printf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ret = 0;

	if (!f || fprintf(f, "pid %ld\nsysfs %s\n", (long)pid, root) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0) {
		say("cannot write the ready file %s: %s", path, strerror(errno));
		ret = -EIO;
	}
	g_free(tmp);
	return ret;
}

static int exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* ---- main loop -------------------------------------------------------------------------- */

struct run {
	struct sim *sim;
	double speed;
	double start_wall_s;
	struct recording_reader *rec;
	const char *rec_path;
	bool have_frame;
	struct frame frame; /* the next frame to play */
	double rec_t0_s;
	struct action *acts;
	size_t n_acts, next_act;
	pid_t child;
	bool child_done;
	int child_wstatus;
	bool stopping;
	double kill_at_wall_s;
	bool failed;
};

static void apply_frame(struct run *run)
{
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct role_state *rs = &run->sim->role[r];

		if (!run->frame.has[r] || !rs->present)
			continue;
		rs->turn.active = false;
		rs->raw = true;
		vec3_copy(rs->accel, run->frame.imu[r].accel_m_s2);
		vec3_copy(rs->gyro, run->frame.imu[r].gyro_rad_s);
	}
}

/* Reads the next frame; at the end (or on a bad row) there is none. */
static int next_frame(struct run *run)
{
	char err[512];
	int ret = recording_next(run->rec, &run->frame, err, sizeof(err));

	run->have_frame = ret == 1;
	if (ret < 0) {
		say("%s", err);
		return ret;
	}
	return 0;
}

static void request_stop(struct run *run, int sig, double now_wall_s)
{
	if (run->child_done)
		return;
	kill(run->child, sig);
	if (!run->stopping) {
		run->stopping = true;
		run->kill_at_wall_s = now_wall_s + KILL_GRACE_S;
	}
}

static int do_action(struct run *run, const struct action *a, double now_s)
{
	struct sim *sim = run->sim;
	struct role_state *rs = &sim->role[a->role];
	char devs[256];

	switch (a->kind) {
	case ACT_SET:
		rs->turn.active = false;
		rs->raw = true;
		vec3_copy(a->quantity == Q_ACCEL ? rs->accel : rs->gyro, a->v);
		break;
	case ACT_TILT:
		start_tilt(rs, a, now_s);
		break;
	case ACT_BREATHING:
		rs->breathing = a->on;
		if (a->on)
			rs->raw = false;
		break;
	case ACT_REMOVE:
	case ACT_ADD:
		for (size_t k = 0; k < sim->n_devices; k++) {
			struct sim_device *d = &sim->dev[k];

			if (d->role != a->role || (a->kind == ACT_ADD) == (d->syspath != NULL))
				continue;
			if (a->kind == ACT_REMOVE)
				unplug(sim, d);
			else if (plug(sim, d) < 0)
				return -EIO;
		}
		describe_role_devices(sim, a->role, devs, sizeof(devs));
		say("%.2f s: %s %s: %s", now_s, a->kind == ACT_ADD ? "plugged" : "unplugged",
		    role_name(a->role), devs);
		break;
	case ACT_END:
		say("%.2f s: script ends, stopping the command", now_s);
		request_stop(run, SIGTERM, monotonic_s());
		break;
	}
	return 0;
}

static bool any_turning(const struct sim *sim)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		if (sim->role[r].turn.active)
			return true;
	return false;
}

/* Forwards signals, reaps the child; returns false once the loop must end. */
static bool handle_signals(struct run *run, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			if (waitpid(run->child, &run->child_wstatus, WNOHANG) == run->child)
				run->child_done = true;
		} else {
			request_stop(run, (int)si.ssi_signo, monotonic_s());
		}
	}
	return !run->child_done;
}

/* Something went wrong on our side: the command stops, and simwearer reports the failure. */
static void abort_run(struct run *run)
{
	run->failed = true;
	request_stop(run, SIGTERM, monotonic_s());
}

/* Plays the inputs until the command has exited. */
static void run_loop(struct run *run, int sfd)
{
	struct sim *sim = run->sim;

	while (handle_signals(run, sfd)) {
		double now_wall = monotonic_s();
		double now_s = (now_wall - run->start_wall_s) * run->speed;
		double next_s = INFINITY, wait_s;
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		struct timespec ts;

		if (run->stopping && now_wall >= run->kill_at_wall_s) {
			say("the command ignored SIGTERM for %.0f s: killing it", KILL_GRACE_S);
			kill(run->child, SIGKILL);
			run->kill_at_wall_s = INFINITY;
		}
		while (!run->stopping && run->next_act < run->n_acts &&
		       run->acts[run->next_act].t_s <= now_s)
			if (do_action(run, &run->acts[run->next_act++], now_s) < 0)
				abort_run(run);
		while (!run->stopping && run->have_frame &&
		       run->frame.t_s - run->rec_t0_s <= now_s) {
			apply_frame(run);
			if (next_frame(run) < 0)
				abort_run(run);
			else if (!run->have_frame) {
				say("%.2f s: the recording ended, stopping the command", now_s);
				request_stop(run, SIGTERM, now_wall);
			}
		}
		if (!run->stopping) {
			for (int r = 0; r < ROLE_COUNT; r++) {
				update_turn(&sim->role[r], now_s);
				update_breath(&sim->role[r], now_s);
			}
			if (flush(sim) < 0)
				abort_run(run);
			for (size_t k = 0; k < sim->n_devices; k++)
				next_s = fmin(next_s, stream(sim, &sim->dev[k], now_s));
		}
		if (run->stopping) {
			next_s = now_s + (run->kill_at_wall_s - now_wall) * run->speed;
		} else {
			if (run->next_act < run->n_acts)
				next_s = fmin(next_s, run->acts[run->next_act].t_s);
			if (run->have_frame)
				next_s = fmin(next_s, run->frame.t_s - run->rec_t0_s);
			if (any_turning(sim))
				next_s = fmin(next_s, now_s + TURN_STEP_S);
			if (any_breathing(sim))
				next_s = fmin(next_s, now_s + BREATH_STEP_S);
		}
		/* SIGCHLD wakes ppoll; the cap only bounds a wait for nothing. */
		wait_s = fmax(0.0, fmin((next_s - now_s) / run->speed, 1.0));
		ts.tv_sec = (time_t)wait_s;
		ts.tv_nsec = (long)((wait_s - (double)ts.tv_sec) * 1e9);
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR) {
			say("cannot wait for signals: %s: killing the command", strerror(errno));
			run->failed = true;
			kill(run->child, SIGKILL);
			waitpid(run->child, &run->child_wstatus, 0);
			return;
		}
	}
}

static void usage(FILE *out)
{
	fputs("Usage: umockdev-wrapper simwearer --devices PROFILE [--play REC.csv[.gz]]\n"
	      "           [--script FILE] [--speed X] [--ready-file FILE] -- COMMAND [ARG...]\n"
	      "Profiles: mpu6050, mpu6050x2 (trunk 1-0068, head 1-0069), lsm6dso (rotated mount).\n"
	      "See the comment at the top of tests/tools/simwearer.c for the script syntax.\n",
	      out);
}

static void free_sim(struct sim *sim)
{
	for (size_t k = 0; k < sim->n_devices; k++) {
		if (sim->dev[k].syspath)
			remove_buffer_node(sim, &sim->dev[k]);
		g_free(sim->dev[k].scan);
		g_free(sim->dev[k].syspath);
		g_ptr_array_free(sim->dev[k].attrs, TRUE);
	}
	for (size_t i = 0; i < sim->n_clients; i++)
		g_free(sim->client_syspath[i]);
	g_free(sim->adapter_syspath);
	g_free(sim->root);
	/* Disposing of the testbed removes its directory. */
	if (sim->tb)
		g_object_unref(sim->tb);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "devices", required_argument, NULL, 'd' },
		{ "play", required_argument, NULL, 'p' },
		{ "script", required_argument, NULL, 's' },
		{ "speed", required_argument, NULL, 'x' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *profile = NULL, *script = NULL, *ready_file = NULL;
	struct sim sim = { 0 };
	struct run run = { .sim = &sim, .speed = 1.0 };
	sigset_t mask, old_mask;
	int c, sfd = -1, status = EXIT_SETUP;

	while ((c = getopt_long(argc, argv, "+h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			profile = optarg;
			break;
		case 'p':
			run.rec_path = optarg;
			break;
		case 's':
			script = optarg;
			break;
		case 'x':
			if (parse_number(optarg, &run.speed) < 0 || run.speed <= 0.0) {
				say("--speed %s: expected a number > 0", optarg);
				return EXIT_SETUP;
			}
			break;
		case 'r':
			ready_file = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "on") == 0)
				sim.buffer = BUFFER_ON;
			else if (strcmp(optarg, "stalled") == 0)
				sim.buffer = BUFFER_STALLED;
			else if (strcmp(optarg, "off") != 0) {
				say("--buffer %s: expected on, stalled or off", optarg);
				return EXIT_SETUP;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_SETUP;
		}
	}
	if (!profile || optind >= argc) {
		say("%s", !profile ? "--devices PROFILE is required" : "no COMMAND given after --");
		usage(stderr);
		return EXIT_SETUP;
	}
	/* umockdev_in_mock_environment() answers false under umockdev-wrapper in umockdev 0.17. */
	if (!strstr(getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "", "libumockdev-preload")) {
		say("the umockdev preload library is not active: run me as "
		    "'umockdev-wrapper %s ...'",
		    argv[0]);
		return EXIT_SETUP;
	}

	/* Blocked before the testbed starts its threads, which inherit the mask: a signal taken by
	 * one of them would kill simwearer before it can stop COMMAND and remove the testbed. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old_mask);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		say("cannot create a signalfd: %s", strerror(errno));
		return EXIT_SETUP;
	}
	sim.tb = umockdev_testbed_new();
	sim.root = umockdev_testbed_get_root_dir(sim.tb);
	if (build_profile(&sim, profile) < 0)
		goto out;
	for (int r = 0; r < ROLE_COUNT; r++)
		set_upright(&sim.role[r]);
	if (script && load_script(&sim, script, &run.acts, &run.n_acts) < 0)
		goto out;
	if (run.rec_path) {
		bool has[ROLE_COUNT];
		char err[512];

		if (recording_open(run.rec_path, &run.rec, err, sizeof(err)) < 0) {
			say("%s", err);
			goto out;
		}
		recording_roles(run.rec, has);
		for (int r = 0; r < ROLE_COUNT; r++)
			if (has[r] && !sim.role[r].present)
				say("%s: profile %s has no %s sensor: ignoring the %s.* columns",
				    run.rec_path, profile, role_name((enum sensor_role)r),
				    role_name((enum sensor_role)r));
		if (next_frame(&run) < 0)
			goto out;
		if (!run.have_frame) {
			say("%s: no samples", run.rec_path);
			goto out;
		}
		run.rec_t0_s = run.frame.t_s;
		apply_frame(&run);
	}
	for (size_t k = 0; k < sim.n_devices; k++)
		if (plug(&sim, &sim.dev[k]) < 0)
			goto out;
	/* Time 0 is before COMMAND starts: "0 remove head" is a sensor missing at boot. */
	while (run.next_act < run.n_acts && run.acts[run.next_act].t_s <= 0.0 &&
	       run.acts[run.next_act].kind != ACT_END)
		if (do_action(&run, &run.acts[run.next_act++], 0.0) < 0)
			goto out;

	run.start_wall_s = monotonic_s();
	sim.start_wall_s = run.start_wall_s;
	sim.speed = run.speed;
	run.child = spawn(&argv[optind], &old_mask);
	if (run.child < 0) {
		say("cannot fork to run %s: %s", argv[optind], strerror(errno));
		goto out;
	}
	setpgid(run.child, run.child);
	if (ready_file && write_ready_file(ready_file, run.child, sim.root) < 0)
		abort_run(&run);
	run_loop(&run, sfd);
	status = run.failed ? EXIT_SETUP : exit_status(run.child_wstatus);
out:
	if (sfd >= 0)
		close(sfd);
	if (run.rec)
		recording_close(run.rec);
	g_free(run.acts);
	free_sim(&sim);
	return status;
}
