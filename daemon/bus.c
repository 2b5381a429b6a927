/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The D-Bus service: the only file of the daemon that uses sd-bus. Properties are served from a
 * snapshot refreshed at every bus_status_changed() and after every method, so what Get returns is
 * what PropertiesChanged announced. Methods are open to root and one group: the bus policy file
 * says so to dbus-daemon, and each call is checked here again, so a permissive or missing policy
 * opens nothing.
 */
#include "postured/bus.h"

#include <errno.h>
#include <grp.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "postured/log.h"
#include "postured/version.h"

#define NAME_MAX_LEN 32

/* What the properties show, as published. */
struct bus_props {
	bool ready;
	char state[NAME_MAX_LEN];
	char activity[NAME_MAX_LEN];
	double trunk_deg; /* as bus.h says: rounded, held within BUS_ANGLE_MOVE_DEG; NaN: unknown */
	double neck_deg;
	double lateral_deg;
	double head_deg;
	uint32_t alerts_today;
	char mode[NAME_MAX_LEN];
	uint64_t snoozed_until_usec;
	uint64_t calibrated_usec;
};

struct posture_bus {
	sd_bus *bus;
	const struct control_ops *ops;
	void *ctx;
	char group[BUS_GROUP_MAX];
	bool connected;
	struct bus_props props;
};

/* ---- properties ---- */

static double round_angle(double deg)
{
	double r;

	if (isnan(deg))
		return NAN;
	r = round(deg / BUS_ANGLE_STEP_DEG) * BUS_ANGLE_STEP_DEG;
	return r == 0.0 ? 0.0 : r; /* no "-0.0" */
}

static void props_from_status(const struct control_status *st, struct bus_props *out)
{
	memset(out, 0, sizeof(*out));
	out->ready = st->ready;
	snprintf(out->state, sizeof(out->state), "%s", st->state ? st->state : "");
	snprintf(out->activity, sizeof(out->activity), "%s", st->activity ? st->activity : "");
	out->trunk_deg = round_angle(st->trunk_deg);
	out->neck_deg = round_angle(st->neck_deg);
	out->lateral_deg = round_angle(st->lateral_deg);
	out->head_deg = round_angle(st->head_deg);
	out->alerts_today = st->alerts_today;
	snprintf(out->mode, sizeof(out->mode), "%s", alert_mode_name(st->mode));
	out->snoozed_until_usec = st->snoozed_until_usec;
	out->calibrated_usec = st->calibrated_usec;
}

static bool same_angle(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* Keeps the published angle while the new one is within BUS_ANGLE_MOVE_DEG of it. */
static void hold_angle(double published, double *next)
{
	if (!isnan(published) && !isnan(*next) && fabs(*next - published) < BUS_ANGLE_MOVE_DEG)
		*next = published;
}

/* Writes the names of the properties that differ between a and b into names (NULL-terminated). */
static size_t changed_props(const struct bus_props *a, const struct bus_props *b,
			    const char *names[13])
{
	size_t n = 0;

	if (a->ready != b->ready)
		names[n++] = "Ready";
	if (strcmp(a->state, b->state) != 0)
		names[n++] = "State";
	if (strcmp(a->activity, b->activity) != 0)
		names[n++] = "Activity";
	if (!same_angle(a->trunk_deg, b->trunk_deg))
		names[n++] = "TrunkFlexionDeg";
	if (!same_angle(a->neck_deg, b->neck_deg))
		names[n++] = "NeckFlexionDeg";
	if (!same_angle(a->lateral_deg, b->lateral_deg))
		names[n++] = "LateralDeg";
	if (!same_angle(a->head_deg, b->head_deg))
		names[n++] = "HeadInclinationDeg";
	if (a->alerts_today != b->alerts_today)
		names[n++] = "AlertsToday";
	if (strcmp(a->mode, b->mode) != 0)
		names[n++] = "Mode";
	if (a->snoozed_until_usec != b->snoozed_until_usec)
		names[n++] = "SnoozedUntilUSec";
	if (a->calibrated_usec != b->calibrated_usec)
		names[n++] = "CalibratedUSec";
	names[n] = NULL;
	return n;
}

void bus_status_changed(struct posture_bus *b, const struct control_status *now)
{
	struct bus_props next;
	const char *names[13];
	int ret;

	if (!b)
		return;
	props_from_status(now, &next);
	hold_angle(b->props.trunk_deg, &next.trunk_deg);
	hold_angle(b->props.neck_deg, &next.neck_deg);
	hold_angle(b->props.lateral_deg, &next.lateral_deg);
	hold_angle(b->props.head_deg, &next.head_deg);
	if (changed_props(&b->props, &next, names) == 0)
		return;
	b->props = next;
	if (!b->connected)
		return;
	ret = sd_bus_emit_properties_changed_strv(b->bus, BUS_PATH, BUS_INTERFACE, (char **)names);
	if (ret < 0)
		log_debug("D-Bus: cannot emit PropertiesChanged: %s", strerror(-ret));
}

static void refresh(struct posture_bus *b)
{
	struct control_status st;

	b->ops->status(b->ctx, &st);
	bus_status_changed(b, &st);
}

/* The getters get userdata moved by the property's offset: a field of struct posture_bus. */
static int get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
		      sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)error;
	return sd_bus_message_append_basic(reply, 's', userdata);
}

static int get_bool(sd_bus *bus, const char *path, const char *interface, const char *property,
		    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	int value = *(const bool *)userdata; /* sd-bus's "b" is an int */

	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)error;
	return sd_bus_message_append_basic(reply, 'b', &value);
}

static int get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
		       sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	(void)bus;
	(void)path;
	(void)interface;
	(void)property;
	(void)userdata;
	(void)error;
	return sd_bus_message_append_basic(reply, 's', postured_version);
}

/* ---- access ---- */

static bool gid_in(gid_t gid, const gid_t *gids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (gids[i] == gid)
			return true;
	return false;
}

/*
 * Whether the sender's groups include gid. sd-bus (252) does not read the groups dbus-daemon
 * knows (SO_PEERGROUPS: the process's own groups, as the bus policy sees them), and reading
 * /proc/PID of another user is what ProtectProc=invisible forbids: so ask the bus driver.
 */
static int sender_in_group(sd_bus_message *m, sd_bus_creds *creds, gid_t gid)
{
	sd_bus_message *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	const gid_t *gids;
	const char *key;
	int n, ret, found = -ENODATA;

	n = sd_bus_creds_get_supplementary_gids(creds, &gids);
	if (n >= 0) {
		gid_t egid;

		if (sd_bus_creds_get_egid(creds, &egid) >= 0 && egid == gid)
			return 1;
		return gid_in(gid, gids, (size_t)n);
	}
	ret = sd_bus_call_method(sd_bus_message_get_bus(m), "org.freedesktop.DBus",
				 "/org/freedesktop/DBus", "org.freedesktop.DBus",
				 "GetConnectionCredentials", &error, &reply, "s",
				 sd_bus_message_get_sender(m));
	sd_bus_error_free(&error);
	if (ret < 0)
		return ret;
	ret = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (ret >= 0 && (ret = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		ret = sd_bus_message_read_basic(reply, 's', &key);
		if (ret >= 0 && strcmp(key, "UnixGroupIDs") == 0) {
			const void *arr;
			size_t size;

			ret = sd_bus_message_enter_container(reply, 'v', "au");
			if (ret >= 0)
				ret = sd_bus_message_read_array(reply, 'u', &arr, &size);
			if (ret >= 0)
				found = gid_in(gid, arr, size / sizeof(uint32_t));
			if (ret >= 0)
				ret = sd_bus_message_exit_container(reply);
		} else if (ret >= 0) {
			ret = sd_bus_message_skip(reply, "v");
		}
		if (ret >= 0)
			ret = sd_bus_message_exit_container(reply);
	}
	sd_bus_message_unref(reply);
	return ret < 0 ? ret : found;
}

/*
 * Root and members of the group may call the methods. Writes "bus (uid N)" to who. Returns 0, or
 * a negative errno with error set for the caller.
 */
static int check_caller(struct posture_bus *b, sd_bus_message *m, char *who, size_t who_len,
			sd_bus_error *error)
{
	sd_bus_creds *creds = NULL;
	const struct group *gr;
	uid_t uid;
	int ret;

	ret = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS,
					&creds);
	if (ret >= 0)
		ret = sd_bus_creds_get_euid(creds, &uid);
	if (ret < 0) {
		sd_bus_creds_unref(creds);
		return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
					 "Access denied: the bus does not tell who is calling (%s)",
					 strerror(-ret));
	}
	snprintf(who, who_len, "bus (uid %u)", (unsigned int)uid);
	if (uid == 0) {
		sd_bus_creds_unref(creds);
		return 0;
	}
	gr = getgrnam(b->group);
	ret = gr ? sender_in_group(m, creds, gr->gr_gid) : -ENOENT;
	sd_bus_creds_unref(creds);
	if (ret > 0)
		return 0;
	log_notice("D-Bus: %s() from uid %u denied: only root and group '%s' may call it%s",
		   sd_bus_message_get_member(m), (unsigned int)uid, b->group,
		   gr ? "" : " (no such group: create it, see README)");
	return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
				 "Access denied (only root and members of group '%s' may control "
				 "postured)",
				 b->group);
}

/* ---- methods ---- */

/* Replies to a method whose operation returned ret (with err from control_ops). */
static int finish(struct posture_bus *b, sd_bus_message *m, int ret, const char *err,
		  sd_bus_error *error)
{
	if (ret < 0)
		return sd_bus_error_set_errnof(error, -ret, "%s", err[0] ? err : strerror(-ret));
	/* Before the reply: a client that asks right after sees the effect. */
	refresh(b);
	return sd_bus_reply_method_return(m, "");
}

static int method_calibrate(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct posture_bus *b = userdata;
	char who[64], err[256] = "";
	int ret = check_caller(b, m, who, sizeof(who), error);

	if (ret < 0)
		return ret;
	return finish(b, m, b->ops->calibrate(b->ctx, who, err, sizeof(err)), err, error);
}

static int method_snooze(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct posture_bus *b = userdata;
	char who[64], err[256] = "";
	uint64_t duration_usec;
	int ret = sd_bus_message_read_basic(m, 't', &duration_usec);

	if (ret < 0)
		return ret;
	ret = check_caller(b, m, who, sizeof(who), error);
	if (ret < 0)
		return ret;
	return finish(b, m,
		      b->ops->snooze(b->ctx, (double)duration_usec / 1e6, who, err, sizeof(err)),
		      err, error);
}

static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct posture_bus *b = userdata;
	char who[64], err[256] = "";
	int ret = check_caller(b, m, who, sizeof(who), error);

	if (ret < 0)
		return ret;
	return finish(b, m, b->ops->resume(b->ctx, who, err, sizeof(err)), err, error);
}

static int method_set_mode(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct posture_bus *b = userdata;
	char who[64], err[256] = "";
	enum alert_mode mode;
	const char *name;
	int ret = sd_bus_message_read_basic(m, 's', &name);

	if (ret < 0)
		return ret;
	ret = check_caller(b, m, who, sizeof(who), error);
	if (ret < 0)
		return ret;
	if (alert_mode_parse(name, &mode) < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Unknown mode '%.40s' (modes: iso, training, tracking)",
					 name);
	return finish(b, m, b->ops->set_mode(b->ctx, mode, who, err, sizeof(err)), err, error);
}

/* clang-format off */
#define PROP(name, sig, member) \
	SD_BUS_PROPERTY(name, sig, NULL, offsetof(struct posture_bus, props.member), \
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)
#define PROP_GET(name, sig, get, member) \
	SD_BUS_PROPERTY(name, sig, get, offsetof(struct posture_bus, props.member), \
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

/* The access check is ours (check_caller): sd-bus's own would allow root only. */
static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	PROP_GET("Ready", "b", get_bool, ready),
	PROP_GET("State", "s", get_string, state),
	PROP_GET("Activity", "s", get_string, activity),
	PROP("TrunkFlexionDeg", "d", trunk_deg),
	PROP("NeckFlexionDeg", "d", neck_deg),
	PROP("LateralDeg", "d", lateral_deg),
	PROP("HeadInclinationDeg", "d", head_deg),
	PROP("AlertsToday", "u", alerts_today),
	PROP_GET("Mode", "s", get_string, mode),
	PROP("SnoozedUntilUSec", "t", snoozed_until_usec),
	PROP("CalibratedUSec", "t", calibrated_usec),
	SD_BUS_PROPERTY("Version", "s", get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_METHOD("Calibrate", "", "", method_calibrate, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Snooze", SD_BUS_ARGS("t", duration_usec), SD_BUS_NO_RESULT,
				method_snooze, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Resume", "", "", method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SetMode", SD_BUS_ARGS("s", mode), SD_BUS_NO_RESULT,
				method_set_mode, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};
/* clang-format on */

/* ---- connection ---- */

/*
 * Sees every incoming message first. A call to the object finds the snapshot brought up to date
 * (and the change signalled), so a Get right after an event already shows it. When dbus-daemon
 * goes away (a restart of it), the daemon keeps monitoring without its interface.
 */
static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct posture_bus *b = userdata;
	const char *path = sd_bus_message_get_path(m);
	uint8_t type = 0;

	(void)error;
	if (sd_bus_message_get_type(m, &type) >= 0 && type == SD_BUS_MESSAGE_METHOD_CALL && path &&
	    strcmp(path, BUS_PATH) == 0)
		refresh(b);
	else if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected") &&
		 b->connected) {
		log_warning("lost the connection to the D-Bus system bus: %s is gone until "
			    "postured restarts",
			    BUS_NAME);
		b->connected = false;
	}
	return 0;
}

static int take_name(struct posture_bus *b, char *err, size_t err_len)
{
	int ret = sd_bus_request_name(b->bus, BUS_NAME, 0);

	if (ret == -EEXIST)
		snprintf(err, err_len,
			 "D-Bus name %s is taken: another postured runs (busctl status %s "
			 "tells which)",
			 BUS_NAME, BUS_NAME);
	else if (ret == -EACCES || ret == -EPERM)
		snprintf(err, err_len,
			 "not allowed to own the D-Bus name %s: install the bus policy (make "
			 "install puts %s.conf in /usr/share/dbus-1/system.d) and create the user "
			 "postured (systemd-sysusers)",
			 BUS_NAME, BUS_NAME);
	else if (ret < 0)
		snprintf(err, err_len, "cannot take the D-Bus name %s: %s", BUS_NAME,
			 strerror(-ret));
	return ret < 0 ? ret : 0;
}

int bus_open(sd_event *event, const char *group, const struct control_ops *ops, void *ctx,
	     struct posture_bus **out, char *err, size_t err_len)
{
	struct posture_bus *b = calloc(1, sizeof(*b));
	const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	int ret;

	*out = NULL;
	if (!b) {
		snprintf(err, err_len, "cannot set up the D-Bus interface: out of memory");
		return -ENOMEM;
	}
	b->ops = ops;
	b->ctx = ctx;
	bus_set_group(b, group);
	ret = sd_bus_open_system(&b->bus);
	if (ret < 0) {
		snprintf(err, err_len, "cannot connect to the D-Bus system bus (%.200s): %s",
			 address ? address : "unix:path=/run/dbus/system_bus_socket",
			 strerror(-ret));
		goto fail;
	}
	ret = sd_bus_add_object_vtable(b->bus, NULL, BUS_PATH, BUS_INTERFACE, vtable, b);
	if (ret >= 0)
		ret = sd_bus_add_filter(b->bus, NULL, on_message, b);
	if (ret < 0) {
		snprintf(err, err_len, "cannot publish %s on the D-Bus system bus: %s", BUS_PATH,
			 strerror(-ret));
		goto fail;
	}
	refresh(b);
	ret = take_name(b, err, err_len);
	if (ret < 0)
		goto fail;
	ret = sd_bus_attach_event(b->bus, event, SD_EVENT_PRIORITY_NORMAL);
	if (ret < 0) {
		snprintf(err, err_len, "cannot attach the D-Bus connection to the event loop: %s",
			 strerror(-ret));
		goto fail;
	}
	b->connected = true;
	*out = b;
	return 0;
fail:
	sd_bus_flush_close_unref(b->bus);
	free(b);
	return ret;
}

void bus_set_group(struct posture_bus *b, const char *group)
{
	if (b)
		snprintf(b->group, sizeof(b->group), "%s", group);
}

void bus_close(struct posture_bus *b)
{
	if (!b)
		return;
	sd_bus_flush_close_unref(b->bus);
	free(b);
}
