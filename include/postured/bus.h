/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The D-Bus interface on the system bus (README "D-Bus interface"): read-only properties that
 * emit PropertiesChanged, and the methods Calibrate, Snooze, Resume and SetMode, which go through
 * struct control_ops. Only bus.c and posturectl see sd-bus; this header holds no sd-bus type.
 */
#ifndef POSTURED_BUS_H
#define POSTURED_BUS_H

#include <stddef.h>
#include <systemd/sd-event.h>

#include "postured/control.h"

/* Reverse DNS of the project's home; the 1 is the interface's version. */
#define BUS_NAME "io.github.postured.Posture1"
#define BUS_PATH "/io/github/postured/Posture1"
#define BUS_INTERFACE "io.github.postured.Posture1"

/* Root and the members of this group may call the methods ([bus] group in postured.ini). */
#define BUS_DEFAULT_GROUP "posture"
#define BUS_GROUP_MAX 64

/*
 * Angles are published to BUS_ANGLE_STEP_DEG, and only once they have moved BUS_ANGLE_MOVE_DEG
 * from the value last published: breathing (about 1 deg peak to peak) and sensor noise would
 * otherwise send a signal at every status tick, while no posture decision turns on a degree.
 */
#define BUS_ANGLE_STEP_DEG 0.1
#define BUS_ANGLE_MOVE_DEG 1.0

struct posture_bus;

/*
 * Connects to the system bus ($DBUS_SYSTEM_BUS_ADDRESS if set), publishes the object, takes
 * BUS_NAME and attaches to event. ops->status gives the first snapshot, so call it when the
 * daemon can answer. Returns 0, or a negative errno with err saying what failed and what to do
 * (no bus, the name taken, the policy not installed); *out is then NULL.
 */
int bus_open(sd_event *event, const char *group, const struct control_ops *ops, void *ctx,
	     struct posture_bus **out, char *err, size_t err_len);

/* The group allowed to call the methods, e.g. after a reload; resolved at each call. */
void bus_set_group(struct posture_bus *bus, const char *group);

/*
 * The daemon's status now: properties that differ from the last published ones (angles as said
 * above) are published with one PropertiesChanged signal. Call it regularly (the status timer);
 * a method that succeeds publishes its effect at once.
 */
void bus_status_changed(struct posture_bus *bus, const struct control_status *now);

/* Flushes pending signals, releases the name and disconnects. NULL is fine. */
void bus_close(struct posture_bus *bus);

#endif
