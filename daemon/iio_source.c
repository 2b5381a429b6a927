/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads one sensor role through libiio, in one of two ways:
 * - polling the attributes (in_*_raw, scale, offset): no trigger or buffer setup, works over
 *   iiod (ip:) and on every driver, but costs six sysfs reads (and six bus transactions) per
 *   sample, from six instants, and a wake-up per sample;
 * - a triggered buffer: the kernel captures all channels of one instant with its timestamp on
 *   each trigger and keeps them until the daemon takes them, a block at a time, so it wakes a
 *   few times a second. The trigger is the device's own (a data-ready interrupt, a FIFO), else
 *   the "postured" hrtimer trigger that postured.service creates, if the driver accepts it.
 * Devices are matched by name, label and bus address, never by iio:deviceN, which changes
 * between boots.
 */
#include "postured/iio_source.h"

#include <errno.h>
#include <fcntl.h>
#include <iio.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "postured/axes.h"
#include "postured/framer.h"
#include "postured/log.h"
#include "postured/scan.h"

enum { KIND_ACCEL, KIND_GYRO, KIND_COUNT };

static const char *const kind_prefix[KIND_COUNT] = { "accel", "anglvel" };
static const char *const axis_names[3] = { "x", "y", "z" };

/* The hrtimer trigger postured.service creates (configfs: iio/triggers/hrtimer/postured). */
#define HRTIMER_TRIGGER "postured"
/* A block is a fifth of a second: at most 5 wake-ups a second, alerts at most that much later. */
#define BLOCKS_PER_S 5.0
/* The kernel buffer holds this many blocks: a daemon late by a block or three loses nothing. */
#define KERNEL_BLOCKS 4

enum trigger_kind { TRIGGER_NONE, TRIGGER_OWN, TRIGGER_FIFO, TRIGGER_HRTIMER };

/* One device's buffer: a combined accel + gyro device has one, a split pair two. */
struct capture {
	struct iio_buffer *buf;
	struct scan_layout layout;
	/* Position in the layout of each axis of each kind the device has, and of the timestamp. */
	int axis_at[KIND_COUNT][3];
	int timestamp_at;    /* -1: no timestamp channel, times come from the clock */
	clockid_t clock;     /* the clock of the device's timestamps (current_timestamp_clock) */
	uint8_t partial[64]; /* a scan cut short by a read (never from the kernel; a pty can) */
	size_t partial_len;
};

struct iio_sensor {
	enum sensor_role role;
	struct iio_context *ctx;
	const struct iio_device *dev[KIND_COUNT]; /* the same device twice for mpu6050 / bmi160 */
	const struct iio_channel *chn[KIND_COUNT][3];
	double scale[KIND_COUNT][3];
	double offset[KIND_COUNT][3];
	double matrix[KIND_COUNT][3][3];
	double rate_hz;
	char description[256];

	bool buffered;
	enum trigger_kind trigger;
	char trigger_name[64];
	unsigned int block_samples;
	struct capture cap[KIND_COUNT]; /* cap[KIND_GYRO] unused when one device has both */
	struct framer *halves;		/* pairs the halves of a split pair by time */
	char capture_why[640];
};

static const char *dev_label(const struct iio_device *dev)
{
	const char *label = iio_device_get_label(dev);

	return label ? label : "";
}

static const char *dev_name(const struct iio_device *dev)
{
	const char *name = iio_device_get_name(dev);

	return name ? name : "";
}

/*
 * The bus address is the name of the IIO device's parent in sysfs ("1-0068" for I2C,
 * "spi0.0" for SPI). Only the local backend can see it.
 */
static int dev_bus_address(const struct iio_device *dev, char *out, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(link, sizeof(link), "/sys/bus/iio/devices/%s", iio_device_get_id(dev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	if (strlen(slash) >= len)
		return -ENAMETOOLONG;
	memcpy(out, slash, strlen(slash) + 1);
	return 0;
}

/* "0x68" matches any I2C bus ("1-0068"); anything else must equal the parent's name. */
static bool address_matches(const char *want, const char *have)
{
	char *end;
	unsigned long addr;
	const char *dash;

	if (strcmp(want, have) == 0)
		return true;
	if (strncmp(want, "0x", 2) != 0)
		return false;
	addr = strtoul(want + 2, &end, 16);
	if (*end != '\0' || addr > 0x3ff)
		return false;
	dash = strchr(have, '-');
	return dash && strtoul(dash + 1, &end, 16) == addr && *end == '\0' && end - dash == 5;
}

static bool has_channels(const struct iio_device *dev, int kind)
{
	char id[32];

	snprintf(id, sizeof(id), "%s_x", kind_prefix[kind]);
	return iio_device_find_channel(dev, id, false) != NULL;
}

/* Does dev match the role's name/label/address for this kind of channel? */
static bool dev_matches(const struct iio_device *dev, const struct sensor_config *sc, int kind,
			bool local)
{
	const char *name = dev_name(dev);
	size_t dlen = strlen(sc->device);
	const char *suffix = kind == KIND_ACCEL ? "_accel" : "_gyro";

	if (strcmp(name, sc->device) != 0 &&
	    !(strncmp(name, sc->device, dlen) == 0 && strcmp(name + dlen, suffix) == 0))
		return false;
	if (!has_channels(dev, kind))
		return false;
	if (sc->label[0] && strcmp(dev_label(dev), sc->label) != 0)
		return false;
	if (sc->address[0]) {
		char addr[128];

		if (!local || dev_bus_address(dev, addr, sizeof(addr)) < 0)
			return false;
		if (!address_matches(sc->address, addr))
			return false;
	}
	return true;
}

/* "mpu6050 (iio:device0, 1-0068), lsm6dso_accel (iio:device1)" for error messages. */
static void list_devices(struct iio_context *ctx, bool local, char *out, size_t len)
{
	unsigned int n = iio_context_get_devices_count(ctx);
	size_t used = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < n && used < len; i++) {
		const struct iio_device *dev = iio_context_get_device(ctx, i);
		char addr[128] = "";

		if (local && dev_bus_address(dev, addr, sizeof(addr)) < 0)
			addr[0] = '\0';
		used += (size_t)snprintf(out + used, len - used, "%s%s (%s%s%s%s%s)", i ? ", " : "",
					 dev_name(dev), iio_device_get_id(dev), addr[0] ? ", " : "",
					 addr, dev_label(dev)[0] ? ", label " : "", dev_label(dev));
	}
	if (n == 0)
		snprintf(out, len, "no IIO devices at all");
}

static int find_device(struct iio_sensor *s, const struct sensor_config *sc, enum sensor_role role,
		       const char *uri, int kind, char *err, size_t err_len)
{
	bool local = strncmp(uri, "local:", 6) == 0;
	unsigned int n = iio_context_get_devices_count(s->ctx);
	const struct iio_device *found = NULL;
	unsigned int matches = 0;
	char list[1024];

	if (sc->address[0] && !local) {
		snprintf(err, err_len,
			 "[%s] address = %s needs the local: context (uri is %s): match by device "
			 "name or label instead",
			 role_name(role), sc->address, uri);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct iio_device *dev = iio_context_get_device(s->ctx, i);

		if (dev_matches(dev, sc, kind, local)) {
			matches++;
			if (!found)
				found = dev;
		}
	}
	if (matches == 1) {
		s->dev[kind] = found;
		return 0;
	}
	list_devices(s->ctx, local, list, sizeof(list));
	if (matches == 0) {
		snprintf(
		    err, err_len,
		    "no IIO device for [%s] with %s channels named '%s'%s%s%s%s in %s (found: %s): "
		    "check the wiring and the dtoverlay, or set [%s] device/label/address",
		    role_name(role), kind_prefix[kind], sc->device, sc->label[0] ? ", label " : "",
		    sc->label, sc->address[0] ? ", address " : "", sc->address, uri, list,
		    role_name(role));
		return -ENODEV;
	}
	snprintf(err, err_len,
		 "%u IIO devices match [%s] device = %s (found: %s): set [%s] address (e.g. 0x68) "
		 "or label to pick one",
		 matches, role_name(role), sc->device, list, role_name(role));
	return -EEXIST;
}

static int read_double_attr(const struct iio_channel *chn, const char *attr, double *out)
{
	char buf[64], *end;
	ssize_t n = iio_channel_attr_read(chn, attr, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	*out = strtod(buf, &end);
	return end == buf ? -EINVAL : 0;
}

/*
 * Drivers name the mount matrix three ways: per type (inv_mpu6050's in_accel_mount_matrix, a
 * "mount_matrix" attribute of each accel channel in libiio), per device (st_lsm6dsx's
 * mount_matrix) or shared by all inputs (in_mount_matrix: libiio's "mount" channel). The
 * deprecated in_accel_matrix ("matrix" on accel channels, zeros on device-tree systems) is not
 * a mount matrix and is never read.
 */
static void read_mount_matrix(struct iio_sensor *s, int kind)
{
	const struct iio_device *dev = s->dev[kind];
	const struct iio_channel *mount = iio_device_find_channel(dev, "mount", false);
	char buf[256];
	ssize_t n = iio_channel_attr_read(s->chn[kind][0], "mount_matrix", buf, sizeof(buf));

	axes_identity(s->matrix[kind]);
	if (n <= 0 && iio_device_find_attr(dev, "mount_matrix"))
		n = iio_device_attr_read(dev, "mount_matrix", buf, sizeof(buf));
	if (n <= 0 && mount)
		n = iio_channel_attr_read(mount, "matrix", buf, sizeof(buf));
	if (n > 0 && axes_parse_mount_matrix(buf, s->matrix[kind]) < 0) {
		log_warning(
		    "%s (%s): cannot parse mount matrix '%s': using identity (set [%s] axes "
		    "instead)",
		    dev_name(dev), iio_device_get_id(dev), buf, role_name(s->role));
		axes_identity(s->matrix[kind]);
	}
}

static int setup_channels(struct iio_sensor *s, int kind, char *err, size_t err_len)
{
	for (int a = 0; a < 3; a++) {
		char id[32];
		const struct iio_channel *chn;
		int ret;

		snprintf(id, sizeof(id), "%s_%s", kind_prefix[kind], axis_names[a]);
		chn = iio_device_find_channel(s->dev[kind], id, false);
		if (!chn) {
			snprintf(err, err_len,
				 "%s (%s) has no in_%s_raw: not an IMU postured can use",
				 dev_name(s->dev[kind]), iio_device_get_id(s->dev[kind]), id);
			return -ENODEV;
		}
		s->chn[kind][a] = chn;
		ret = read_double_attr(chn, "scale", &s->scale[kind][a]);
		if (ret < 0) {
			snprintf(err, err_len, "cannot read in_%s_scale of %s (%s): %s", id,
				 dev_name(s->dev[kind]), iio_device_get_id(s->dev[kind]),
				 strerror(-ret));
			return ret;
		}
		if (read_double_attr(chn, "offset", &s->offset[kind][a]) < 0)
			s->offset[kind][a] = 0.0;
	}
	read_mount_matrix(s, kind);
	return 0;
}

/*
 * Asks for rate_hz where the driver lets us (the device's sampling_frequency, or per channel type
 * as bmi160 has it), then reports what is actually in force.
 */
static void setup_rate(struct iio_sensor *s, double rate_hz)
{
	s->rate_hz = 0.0;
	for (int k = 0; k < KIND_COUNT; k++) {
		const struct iio_device *dev = s->dev[k];
		const struct iio_channel *chn = s->chn[k][0];
		double in_force;
		int ret;

		if (iio_device_find_attr(dev, "sampling_frequency")) {
			/* One device with both kinds: once is enough. */
			if (k == KIND_GYRO && s->dev[KIND_ACCEL] == dev)
				continue;
			ret = iio_device_attr_write_double(dev, "sampling_frequency", rate_hz);
			if (ret < 0)
				log_debug(
				    "%s: sampling_frequency is not writable (%s); keeping the "
				    "driver's rate",
				    dev_name(dev), strerror(-ret));
			ret = iio_device_attr_read_double(dev, "sampling_frequency", &in_force);
		} else if (iio_channel_find_attr(chn, "sampling_frequency")) {
			if (iio_channel_attr_write_double(chn, "sampling_frequency", rate_hz) < 0)
				log_debug(
				    "%s: in_%s_sampling_frequency is not writable; keeping the "
				    "driver's rate",
				    dev_name(dev), kind_prefix[k]);
			ret = iio_channel_attr_read_double(chn, "sampling_frequency", &in_force);
		} else {
			continue;
		}
		if (ret == 0 && (s->rate_hz == 0.0 || in_force < s->rate_hz))
			s->rate_hz = in_force;
	}
}

/* ---- buffered capture ---- */

/*
 * The clock of the device's timestamps: the kernel's default is realtime, which NTP steps;
 * monotonic (the daemon's own clock) is asked for where the attribute is writable, and any other
 * is converted at each read.
 */
static clockid_t timestamp_clock(const struct iio_device *dev)
{
	static const struct {
		const char *name;
		clockid_t id;
	} clocks[] = {
		{ "realtime", CLOCK_REALTIME },
		{ "monotonic", CLOCK_MONOTONIC },
		{ "monotonic_raw", CLOCK_MONOTONIC_RAW },
		{ "realtime_coarse", CLOCK_REALTIME_COARSE },
		{ "monotonic_coarse", CLOCK_MONOTONIC_COARSE },
		{ "boottime", CLOCK_BOOTTIME },
		{ "tai", CLOCK_TAI },
	};
	char buf[32];

	if (!iio_device_find_attr(dev, "current_timestamp_clock"))
		return CLOCK_REALTIME;
	if (iio_device_attr_read(dev, "current_timestamp_clock", buf, sizeof(buf)) > 0 &&
	    strcmp(buf, "monotonic") != 0 &&
	    iio_device_attr_write(dev, "current_timestamp_clock", "monotonic") < 0)
		log_debug("%s: current_timestamp_clock is not writable: converting %s timestamps",
			  dev_name(dev), buf);
	if (iio_device_attr_read(dev, "current_timestamp_clock", buf, sizeof(buf)) <= 0)
		return CLOCK_REALTIME;
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		if (strcmp(buf, clocks[i].name) == 0)
			return clocks[i].id;
	return CLOCK_REALTIME;
}

static int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "mpu6050-dev0": the data-ready trigger inv_mpu6050 and bmi160 register for iio:device0. */
static const struct iio_device *own_trigger(struct iio_context *ctx, const struct iio_device *dev)
{
	const char *id = iio_device_get_id(dev);
	const struct iio_device *trig;
	char want[160];

	if (strncmp(id, "iio:device", 10) != 0)
		return NULL;
	snprintf(want, sizeof(want), "%s-dev%s", dev_name(dev), id + 10);
	trig = iio_context_find_device(ctx, want);
	return trig && iio_device_is_trigger(trig) ? trig : NULL;
}

/*
 * libiio 0.24 prints to stderr, which is the journal, and has no switch for it: "WARNING:
 * High-speed mode not enabled" at every buffer start (the mmap interface is for DMA
 * converters; read() is what IMU drivers offer), and an error per channel when a buffer of a
 * device already unplugged is closed. What matters is reported by us, with what to do.
 */
static int mute_stderr(void)
{
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	if (null >= 0)
		close(null);
	return saved;
}

static void unmute_stderr(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
}

/* What to do about a sysfs file or device node we may not write. */
static const char *permission_hint(int ret)
{
	return ret == -EACCES || ret == -EPERM || ret == -EROFS
		   ? ": install postured's udev rules (make install) so that the iio group may set "
		     "up buffers, then replug or reboot"
		   : "";
}

/*
 * Picks the device's trigger: its own (a data-ready interrupt), else the "postured" hrtimer
 * trigger, if the driver accepts it (inv_mpu6050 takes only its own). A device without a
 * trigger directory fills its buffer from its hardware FIFO (st_lsm6dsx with an interrupt).
 */
static int setup_trigger(struct iio_sensor *s, const struct iio_device *dev, double rate_hz,
			 char *why, size_t why_len)
{
	const struct iio_device *current = NULL, *cand[2];
	const enum trigger_kind kind[2] = { TRIGGER_OWN, TRIGGER_HRTIMER };
	int ret = iio_device_get_trigger(dev, &current);
	size_t used;

	if (ret == -ENOENT) {
		s->trigger = TRIGGER_FIFO;
		snprintf(s->trigger_name, sizeof(s->trigger_name), "its FIFO");
		return 0;
	}
	/* No trigger in force reads as an empty file, which libiio 0.24 reports as -EIO. */
	if (ret < 0 && ret != -ENXIO && ret != -EIO) {
		snprintf(why, why_len, "cannot read trigger/current_trigger of %s (%s): %s",
			 dev_name(dev), iio_device_get_id(dev), strerror(-ret));
		return ret;
	}
	cand[0] = own_trigger(s->ctx, dev);
	cand[1] = iio_context_find_device(s->ctx, HRTIMER_TRIGGER);
	if (cand[1] && !iio_device_is_trigger(cand[1]))
		cand[1] = NULL;
	used = (size_t)snprintf(why, why_len, "%s (%s)", dev_name(dev), iio_device_get_id(dev));
	for (int i = 0; i < 2; i++) {
		if (!cand[i])
			continue;
		ret = current == cand[i] ? 0 : iio_device_set_trigger(dev, cand[i]);
		if (ret == 0) {
			s->trigger = kind[i];
			snprintf(s->trigger_name, sizeof(s->trigger_name), "%s", dev_name(cand[i]));
			return 0;
		}
		if (used < why_len)
			used += (size_t)snprintf(why + used, why_len - used,
						 "%s refuses trigger %s (%s)%s", i ? "; " : " ",
						 dev_name(cand[i]), strerror(-ret),
						 permission_hint(ret));
	}
	if (!cand[0] && used < why_len)
		used += (size_t)snprintf(why + used, why_len - used,
					 "%shas no data-ready trigger (an MPU-6050 has one when "
					 "its INT pin is wired and "
					 "declared: dtoverlay=mpu6050,interrupt=GPIO)",
					 cand[1] ? "; " : " ");
	if (!cand[1] && used < why_len)
		snprintf(why + used, why_len - used,
			 " and there is no hrtimer trigger '" HRTIMER_TRIGGER
			 "' (postured.service creates it; it needs the iio-trig-hrtimer module)");
	(void)rate_hz;
	return -ENODEV;
}

/* The hrtimer trigger runs at rate_hz where writable; returns the rate in force. */
static double setup_trigger_rate(struct iio_sensor *s, double rate_hz)
{
	const struct iio_device *trig = iio_context_find_device(s->ctx, s->trigger_name);
	double in_force;

	if (s->trigger != TRIGGER_HRTIMER)
		return s->rate_hz > 0.0 ? s->rate_hz : rate_hz;
	if (iio_device_attr_write_double(trig, "sampling_frequency", rate_hz) < 0)
		log_debug("trigger %s: sampling_frequency is not writable; keeping its rate",
			  s->trigger_name);
	if (iio_device_attr_read_double(trig, "sampling_frequency", &in_force) < 0 ||
	    in_force <= 0.0)
		return rate_hz;
	return in_force;
}

static bool wanted_channel(const struct iio_channel *chn, int *kind, int *axis)
{
	const char *id = iio_channel_get_id(chn);

	if (iio_channel_is_output(chn))
		return false;
	if (strcmp(id, "timestamp") == 0) {
		*kind = -1;
		return true;
	}
	for (int k = 0; k < KIND_COUNT; k++)
		for (int a = 0; a < 3; a++) {
			char want[32];

			snprintf(want, sizeof(want), "%s_%s", kind_prefix[k], axis_names[a]);
			if (strcmp(id, want) == 0) {
				*kind = k;
				*axis = a;
				return true;
			}
		}
	return false;
}

/* Enables the channels we read (and only those) and learns where they sit in a scan. */
static int setup_scan(struct iio_sensor *s, int k, char *why, size_t why_len)
{
	const struct iio_device *dev = s->dev[k];
	struct capture *c = &s->cap[k];
	struct scan_element els[SCAN_MAX_ELEMENTS];
	size_t n = 0;
	ssize_t libiio_bytes;

	memset(c->axis_at, -1, sizeof(c->axis_at));
	c->timestamp_at = -1;
	for (unsigned int i = 0; i < iio_device_get_channels_count(dev); i++) {
		struct iio_channel *chn = iio_device_get_channel(dev, i);
		const struct iio_data_format *fmt = iio_channel_get_data_format(chn);
		int kind = 0, axis = 0;

		if (!iio_channel_is_scan_element(chn))
			continue;
		if (!wanted_channel(chn, &kind, &axis) || n == SCAN_MAX_ELEMENTS ||
		    (kind >= 0 && s->dev[kind] != dev)) {
			iio_channel_disable(chn);
			continue;
		}
		iio_channel_enable(chn);
		els[n] = (struct scan_element){
			.index = (unsigned int)iio_channel_get_index(chn),
			.storage_bits = fmt->length,
			.real_bits = fmt->bits,
			.shift = fmt->shift,
			.is_signed = fmt->is_signed,
			.big_endian = fmt->is_be,
		};
		if (kind < 0)
			c->timestamp_at = (int)n;
		else
			c->axis_at[kind][axis] = (int)n;
		n++;
	}
	for (int kind = 0; kind < KIND_COUNT; kind++)
		for (int a = 0; a < 3 && s->dev[kind] == dev; a++)
			if (c->axis_at[kind][a] < 0) {
				snprintf(why, why_len, "%s (%s) has no scan element in_%s_%s",
					 dev_name(dev), iio_device_get_id(dev), kind_prefix[kind],
					 axis_names[a]);
				return -ENODEV;
			}
	libiio_bytes = iio_device_get_sample_size(dev);
	if (scan_layout_init(&c->layout, els, n) < 0 || c->layout.scan_bytes > sizeof(c->partial) ||
	    libiio_bytes != (ssize_t)c->layout.scan_bytes) {
		snprintf(why, why_len,
			 "the scan layout of %s (%s) is not one postured reads (%zu bytes; libiio "
			 "says %zd)",
			 dev_name(dev), iio_device_get_id(dev), c->layout.scan_bytes, libiio_bytes);
		return -ENOTSUP;
	}
	return 0;
}

/*
 * The buffer holds KERNEL_BLOCKS blocks; the daemon takes one every block. The watermark is a
 * block too: a driver with a hardware FIFO (st_lsm6dsx) then interrupts once a block instead of
 * once a sample. It can only change while the buffer is off and must not exceed its length, so
 * the length is set first; libiio then sets the same length when it starts the buffer.
 */
static int start_buffer(struct iio_sensor *s, int k, char *why, size_t why_len)
{
	const struct iio_device *dev = s->dev[k];
	struct capture *c = &s->cap[k];
	char length[32];
	int ret;

	c->clock = timestamp_clock(dev);
	iio_device_attr_write(dev, "buffer/enable", "0");
	snprintf(length, sizeof(length), "%u", s->block_samples * KERNEL_BLOCKS);
	iio_device_attr_write(dev, "buffer/length", length);
	if (iio_device_find_buffer_attr(dev, "watermark") &&
	    iio_device_buffer_attr_write_longlong(dev, "watermark", s->block_samples) < 0)
		log_debug("%s: buffer/watermark is not writable: a FIFO interrupts per sample",
			  dev_name(dev));
	{
		int saved = mute_stderr();

		errno = 0;
		c->buf = iio_device_create_buffer(dev, s->block_samples, false);
		ret = errno ? -errno : -EIO;
		unmute_stderr(saved);
	}
	if (!c->buf) {
		snprintf(why, why_len, "cannot start the buffer of %s (%s): %s%s", dev_name(dev),
			 iio_device_get_id(dev), strerror(-ret), permission_hint(ret));
		return ret;
	}
	ret = iio_buffer_set_blocking_mode(c->buf, false);
	if (ret < 0) {
		snprintf(why, why_len, "cannot make the buffer of %s (%s) non-blocking: %s",
			 dev_name(dev), iio_device_get_id(dev), strerror(-ret));
		return ret;
	}
	c->partial_len = 0;
	return 0;
}

static bool has_buffer(const struct iio_sensor *s, int k)
{
	return iio_channel_is_scan_element(s->chn[k][0]) &&
	       iio_device_get_buffer_attrs_count(s->dev[k]) > 0;
}

static void stop_captures(struct iio_sensor *s)
{
	int saved = s->buffered ? mute_stderr() : -1;

	for (int k = 0; k < KIND_COUNT; k++) {
		if (s->cap[k].buf)
			iio_buffer_destroy(s->cap[k].buf);
		s->cap[k].buf = NULL;
	}
	unmute_stderr(saved);
	free(s->halves);
	s->halves = NULL;
	s->buffered = false;
}

static int split(const struct iio_sensor *s)
{
	return s->dev[KIND_ACCEL] != s->dev[KIND_GYRO];
}

static int setup_buffered(struct iio_sensor *s, const char *uri, double rate_hz, char *why,
			  size_t why_len)
{
	int kinds = split(s) ? KIND_COUNT : 1, ret;
	double capture_hz;

	if (strncmp(uri, "local:", 6) != 0) {
		snprintf(why, why_len, "buffered capture needs the local: context (uri is %s)",
			 uri);
		return -ENOTSUP;
	}
	for (int k = 0; k < kinds; k++) {
		if (!has_buffer(s, k)) {
			snprintf(why, why_len, "%s (%s) offers no buffer%s", dev_name(s->dev[k]),
				 iio_device_get_id(s->dev[k]),
				 strncmp(dev_name(s->dev[k]), "mpu", 3) == 0
				     ? " (inv_mpu6050 offers one only when its INT pin is wired "
				       "and declared: dtoverlay=mpu6050,interrupt=GPIO)"
				     : "");
			return -ENODEV;
		}
		ret = setup_trigger(s, s->dev[k], rate_hz, why, why_len);
		if (ret < 0)
			return ret;
		ret = setup_scan(s, k, why, why_len);
		if (ret < 0)
			return ret;
	}
	capture_hz = setup_trigger_rate(s, rate_hz);
	s->block_samples = (unsigned int)lround(capture_hz / BLOCKS_PER_S);
	if (s->block_samples < 1)
		s->block_samples = 1;
	for (int k = 0; k < kinds; k++) {
		ret = start_buffer(s, k, why, why_len);
		if (ret < 0) {
			stop_captures(s);
			return ret;
		}
	}
	if (kinds == KIND_COUNT) {
		struct framer_settings fs = { 0.5 / capture_hz, 2.0 / BLOCKS_PER_S, true };

		s->halves = malloc(sizeof(*s->halves));
		if (!s->halves) {
			stop_captures(s);
			snprintf(why, why_len, "out of memory");
			return -ENOMEM;
		}
		framer_init(s->halves, &fs);
		framer_set_active(s->halves, KIND_ACCEL, true);
		framer_set_active(s->halves, KIND_GYRO, true);
	}
	s->rate_hz = capture_hz;
	s->buffered = true;
	return 0;
}

static const char *trigger_words(enum trigger_kind t)
{
	switch (t) {
	case TRIGGER_OWN:
		return "its own data-ready trigger";
	case TRIGGER_FIFO:
		return "its hardware FIFO";
	case TRIGGER_HRTIMER:
		return "the hrtimer trigger";
	default:
		return "no trigger";
	}
}

/* Chooses how the sensor is read, as [input] capture says; fails only for capture = buffer. */
static int setup_capture(struct iio_sensor *s, const char *uri, double rate_hz,
			 enum capture_mode capture, char *err, size_t err_len)
{
	char why[512];
	int ret;

	if (capture == CAPTURE_POLL) {
		snprintf(s->capture_why, sizeof(s->capture_why),
			 "polling at %.1f Hz (capture = poll)", rate_hz);
		return 0;
	}
	ret = setup_buffered(s, uri, rate_hz, why, sizeof(why));
	if (ret == 0) {
		snprintf(s->capture_why, sizeof(s->capture_why),
			 "triggered buffer on %s%s%s at %.1f Hz, in blocks of %u samples "
			 "(capture = %s)",
			 trigger_words(s->trigger), s->trigger == TRIGGER_FIFO ? "" : " ",
			 s->trigger == TRIGGER_FIFO ? "" : s->trigger_name, s->rate_hz,
			 s->block_samples, capture_mode_name(capture));
		return 0;
	}
	if (capture == CAPTURE_BUFFER) {
		snprintf(err, err_len, "[%s] no triggered buffer (capture = buffer): %s",
			 role_name(s->role), why);
		return ret;
	}
	snprintf(s->capture_why, sizeof(s->capture_why),
		 "polling at %.1f Hz (capture = auto): %.500s", rate_hz, why);
	return 0;
}

int iio_sensor_open(const char *uri, const struct sensor_config *sc, enum sensor_role role,
		    double rate_hz, enum capture_mode capture, struct iio_sensor **out, char *err,
		    size_t err_len)
{
	struct iio_sensor *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		snprintf(err, err_len, "cannot open [%s]: out of memory", role_name(role));
		return -ENOMEM;
	}
	s->role = role;
	errno = 0;
	s->ctx = iio_create_context_from_uri(uri);
	if (!s->ctx) {
		/* libiio does not always set errno: never report "Success" for a failure. */
		ret = errno ? -errno : -EIO;
		snprintf(err, err_len,
			 "cannot open IIO context '%s' for [%s]: %s (check [input] uri and that "
			 "/sys/bus/iio exists)",
			 uri, role_name(role), strerror(-ret));
		free(s);
		return ret;
	}
	for (int k = 0; k < KIND_COUNT; k++) {
		ret = find_device(s, sc, role, uri, k, err, err_len);
		if (ret == 0)
			ret = setup_channels(s, k, err, err_len);
		if (ret < 0) {
			iio_sensor_close(s);
			return ret;
		}
	}
	if (sc->axes[0]) {
		double remap[3][3];

		ret = axes_parse_remap(sc->axes, remap, err, err_len);
		if (ret < 0) {
			iio_sensor_close(s);
			return ret;
		}
		memcpy(s->matrix[KIND_ACCEL], remap, sizeof(remap));
		memcpy(s->matrix[KIND_GYRO], remap, sizeof(remap));
	}
	setup_rate(s, rate_hz);
	if (s->dev[KIND_ACCEL] == s->dev[KIND_GYRO])
		snprintf(s->description, sizeof(s->description), "%s (%s)",
			 dev_name(s->dev[KIND_ACCEL]), iio_device_get_id(s->dev[KIND_ACCEL]));
	else
		snprintf(s->description, sizeof(s->description), "%s (%s) + %s (%s)",
			 dev_name(s->dev[KIND_ACCEL]), iio_device_get_id(s->dev[KIND_ACCEL]),
			 dev_name(s->dev[KIND_GYRO]), iio_device_get_id(s->dev[KIND_GYRO]));
	ret = setup_capture(s, uri, rate_hz, capture, err, err_len);
	if (ret < 0) {
		iio_sensor_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

int iio_sensor_read(struct iio_sensor *s, struct imu_sample *out, char *err, size_t err_len)
{
	double v[KIND_COUNT][3];

	for (int k = 0; k < KIND_COUNT; k++) {
		for (int a = 0; a < 3; a++) {
			long long raw;
			int ret = iio_channel_attr_read_longlong(s->chn[k][a], "raw", &raw);

			if (ret < 0) {
				snprintf(err, err_len, "cannot read in_%s_%s_raw of %s: %s",
					 kind_prefix[k], axis_names[a], s->description,
					 strerror(-ret));
				return ret;
			}
			v[k][a] = ((double)raw + s->offset[k][a]) * s->scale[k][a];
		}
	}
	axes_apply(s->matrix[KIND_ACCEL], v[KIND_ACCEL], out->accel_m_s2);
	axes_apply(s->matrix[KIND_GYRO], v[KIND_GYRO], out->gyro_rad_s);
	return 0;
}

/* One scan of capture c: the axes it holds, scaled and turned by the mount matrix, into imu. */
static void decode_scan(const struct iio_sensor *s, const struct capture *c, const uint8_t *scan,
			struct imu_sample *imu)
{
	for (int k = 0; k < KIND_COUNT; k++) {
		double v[3];

		if (c->axis_at[k][0] < 0)
			continue;
		for (int a = 0; a < 3; a++)
			v[a] = ((double)scan_value(&c->layout, (size_t)c->axis_at[k][a], scan) +
				s->offset[k][a]) *
			       s->scale[k][a];
		axes_apply(s->matrix[k], v, k == KIND_ACCEL ? imu->accel_m_s2 : imu->gyro_rad_s);
	}
}

struct block_reader {
	struct iio_sensor *s;
	int k;
	int64_t mono_now_ns, offset_ns; /* offset: monotonic minus the timestamps' clock */
	size_t scans, total;		/* scans handed on so far, and in this refill */
	iio_sample_fn fn;
	void *ctx;
	int delivered;
};

static void deliver_scan(struct block_reader *r, const uint8_t *scan)
{
	struct iio_sensor *s = r->s;
	const struct capture *c = &s->cap[r->k];
	struct imu_sample imu;
	int64_t t_ns;

	memset(&imu, 0, sizeof(imu));
	decode_scan(s, c, scan, &imu);
	if (c->timestamp_at >= 0)
		t_ns = scan_value(&c->layout, (size_t)c->timestamp_at, scan) + r->offset_ns;
	else /* no timestamp channel: spaced back from now at the rate in force */
		t_ns = r->mono_now_ns -
		       (int64_t)((double)(r->total - 1 - r->scans) * 1e9 / s->rate_hz);
	r->scans++;
	if (s->halves) {
		framer_push(s->halves, r->k, (double)t_ns / 1e9, &imu);
		return;
	}
	r->fn(r->ctx, t_ns, &imu);
	r->delivered++;
}

/* Hands on the whole scans of what one refill read, keeping a cut-off scan for the next. */
static void deliver_bytes(struct block_reader *r, const uint8_t *p, size_t left)
{
	struct capture *c = &r->s->cap[r->k];
	size_t bytes = c->layout.scan_bytes;

	r->scans = 0;
	r->total = (c->partial_len + left) / bytes;
	if (c->partial_len) {
		size_t take = bytes - c->partial_len < left ? bytes - c->partial_len : left;

		memcpy(c->partial + c->partial_len, p, take);
		c->partial_len += take;
		p += take;
		left -= take;
		if (c->partial_len < bytes)
			return;
		deliver_scan(r, c->partial);
		c->partial_len = 0;
	}
	for (; left >= bytes; p += bytes, left -= bytes)
		deliver_scan(r, p);
	memcpy(c->partial, p, left);
	c->partial_len = left;
}

int iio_sensor_read_block(struct iio_sensor *s, iio_sample_fn fn, void *ctx, char *err,
			  size_t err_len)
{
	struct block_reader r = { .s = s, .fn = fn, .ctx = ctx };
	struct frame f;

	r.mono_now_ns = clock_ns(CLOCK_MONOTONIC);
	for (int k = 0; k < KIND_COUNT; k++) {
		struct capture *c = &s->cap[k];

		if (!c->buf)
			continue;
		r.k = k;
		r.offset_ns = c->clock == CLOCK_MONOTONIC ? 0 : r.mono_now_ns - clock_ns(c->clock);
		/* A late read finds several blocks: take them all, never more than the kernel
		 * holds. */
		for (int i = 0; i <= KERNEL_BLOCKS; i++) {
			ssize_t got = iio_buffer_refill(c->buf);

			if (got == -EAGAIN)
				break;
			if (got < 0) {
				snprintf(err, err_len, "cannot read the buffer of %s: %s",
					 s->description, strerror((int)-got));
				return (int)got;
			}
			deliver_bytes(&r, iio_buffer_start(c->buf), (size_t)got);
			if ((size_t)got < (size_t)s->block_samples * c->layout.scan_bytes)
				break;
		}
	}
	while (s->halves && framer_pop(s->halves, (double)r.mono_now_ns / 1e9, &f)) {
		struct imu_sample imu;

		memcpy(imu.accel_m_s2, f.imu[KIND_ACCEL].accel_m_s2, sizeof(imu.accel_m_s2));
		memcpy(imu.gyro_rad_s, f.imu[KIND_GYRO].gyro_rad_s, sizeof(imu.gyro_rad_s));
		fn(ctx, (int64_t)(f.t_s * 1e9), &imu);
		r.delivered++;
	}
	return r.delivered;
}

bool iio_sensor_buffered(const struct iio_sensor *s)
{
	return s->buffered;
}

double iio_sensor_block_s(const struct iio_sensor *s)
{
	return s->buffered ? (double)s->block_samples / s->rate_hz : 0.0;
}

const char *iio_sensor_capture_why(const struct iio_sensor *s)
{
	return s->capture_why;
}

void iio_sensor_silence_hint(const struct iio_sensor *s, char *buf, size_t len)
{
	switch (s->trigger) {
	case TRIGGER_OWN:
		snprintf(buf, len,
			 "its data-ready trigger %s never fired: the INT pin is not wired, or not "
			 "to the GPIO the device tree names (Raspberry Pi: wire INT to a GPIO and "
			 "add it to the overlay, dtoverlay=mpu6050,interrupt=GPIO)",
			 s->trigger_name);
		break;
	case TRIGGER_FIFO:
		snprintf(buf, len,
			 "its FIFO interrupt never came: wire the INT1 pin to the GPIO the device "
			 "tree names");
		break;
	default:
		snprintf(buf, len,
			 "the hrtimer trigger %s never fired: check "
			 "/sys/bus/iio/devices/trigger*/sampling_frequency",
			 s->trigger_name);
		break;
	}
}

void iio_sensor_stop_buffer(struct iio_sensor *s, const char *why)
{
	stop_captures(s);
	snprintf(s->capture_why, sizeof(s->capture_why), "polling: %s", why);
}

const char *iio_sensor_describe(const struct iio_sensor *s)
{
	return s->description;
}

double iio_sensor_rate_hz(const struct iio_sensor *s)
{
	return s->rate_hz;
}

void iio_sensor_close(struct iio_sensor *s)
{
	if (!s)
		return;
	stop_captures(s);
	if (s->ctx)
		iio_context_destroy(s->ctx);
	free(s);
}
