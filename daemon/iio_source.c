/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads one sensor role through libiio attributes (in_*_raw, scale, offset): polling sysfs at the
 * configured rate needs no trigger or buffer setup, works over iiod (ip:) and on every driver.
 * Devices are matched by name, label and bus address, never by iio:deviceN, which changes
 * between boots.
 */
#include "postured/iio_source.h"

#include <errno.h>
#include <iio.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postured/axes.h"
#include "postured/log.h"

enum { KIND_ACCEL, KIND_GYRO, KIND_COUNT };

static const char *const kind_prefix[KIND_COUNT] = { "accel", "anglvel" };
static const char *const axis_names[3] = { "x", "y", "z" };

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

/* Asks for rate_hz where the driver lets us, then reports what is actually in force. */
static void setup_rate(struct iio_sensor *s, double rate_hz)
{
	s->rate_hz = 0.0;
	for (int k = 0; k < KIND_COUNT; k++) {
		const struct iio_device *dev = s->dev[k];
		double in_force;

		if (!iio_device_find_attr(dev, "sampling_frequency"))
			continue;
		if (iio_device_attr_write_double(dev, "sampling_frequency", rate_hz) < 0)
			log_debug(
			    "%s: sampling_frequency is not writable; keeping the driver's rate",
			    dev_name(dev));
		if (iio_device_attr_read_double(dev, "sampling_frequency", &in_force) == 0 &&
		    (s->rate_hz == 0.0 || in_force < s->rate_hz))
			s->rate_hz = in_force;
		if (k == KIND_ACCEL && s->dev[KIND_GYRO] == dev)
			break;
	}
}

int iio_sensor_open(const char *uri, const struct sensor_config *sc, enum sensor_role role,
		    double rate_hz, struct iio_sensor **out, char *err, size_t err_len)
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
	if (s->ctx)
		iio_context_destroy(s->ctx);
	free(s);
}
