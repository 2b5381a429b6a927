/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posturectl's words: durations it reads ("1h30min"), and the daemon's properties as `status` and
 * `watch` print them. Pure: the time is an input; local time follows $TZ.
 */
#ifndef POSTURED_POSTURECTL_TEXT_H
#define POSTURED_POSTURECTL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The daemon's D-Bus properties (README "D-Bus interface"), in the order status shows them. */
enum ctl_prop {
	CTL_STATE,
	CTL_ACTIVITY,
	CTL_TRUNK,
	CTL_NECK,
	CTL_LATERAL,
	CTL_HEAD,
	CTL_MODE,
	CTL_SNOOZED_UNTIL,
	CTL_ALERTS_TODAY,
	CTL_CALIBRATED,
	CTL_VERSION,
	CTL_READY,
	CTL_PROP_COUNT,
};

#define CTL_NAME_MAX 64

/* What the properties said; have says which of them the daemon sent. */
struct ctl_status {
	bool have[CTL_PROP_COUNT];
	bool ready;
	char state[CTL_NAME_MAX];
	char activity[CTL_NAME_MAX];
	double trunk_deg; /* NaN: unknown */
	double neck_deg;
	double lateral_deg;
	double head_deg;
	uint32_t alerts_today;
	char mode[CTL_NAME_MAX];
	uint64_t snoozed_until_usec; /* CLOCK_REALTIME; 0: not snoozed */
	uint64_t calibrated_usec;    /* CLOCK_REALTIME; 0: never */
	char version[CTL_NAME_MAX];
};

/* The property's D-Bus name ("TrunkFlexionDeg") and its D-Bus type ("d"). */
const char *ctl_prop_name(enum ctl_prop prop);
const char *ctl_prop_signature(enum ctl_prop prop);
/* The property of that D-Bus name; -ENOENT for one posturectl does not know. */
int ctl_prop_find(const char *name, enum ctl_prop *out);

/*
 * A duration as systemd writes them: numbers with units, "90s", "30min", "1h30m", "1.5h",
 * "2h 15min"; a bare number is seconds. Units: us, ms, s (sec, second(s)), m (min, minute(s)),
 * h (hr, hour(s)), d (day(s)), w (week(s)). Returns 0, or -EINVAL (-ERANGE beyond 2^64 us)
 * with err saying what is wrong.
 */
int ctl_parse_duration(const char *text, uint64_t *usec, char *err, size_t err_len);

/* "Sat 2026-12-05 14:03:12 CET", local time. */
void ctl_format_timestamp(uint64_t realtime_usec, char *buf, size_t len);
/* How far then is from now, systemd's way: "12min ago", "1h 5min left", "now". */
void ctl_format_relative(uint64_t then_usec, uint64_t now_usec, char *buf, size_t len);

/* One property's value as status shows it: "23.4 deg", "no", "Sat ...; 12min ago". */
void ctl_format_value(const struct ctl_status *st, enum ctl_prop prop, uint64_t now_usec, char *buf,
		      size_t len);

/*
 * `posturectl status`: one "      Key: value" line per property the daemon sent, keys right-
 * aligned as timedatectl's. Returns the length it needed (as snprintf).
 */
size_t ctl_format_status(const struct ctl_status *st, uint64_t now_usec, char *buf, size_t len);

/*
 * A `posturectl watch` line, without the newline: the local time of now, then "Key: value" for
 * each property in changed, separated by "; ".
 */
size_t ctl_format_changes(const struct ctl_status *st, const bool changed[CTL_PROP_COUNT],
			  uint64_t now_usec, char *buf, size_t len);

#endif
