/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/posturectl_text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
#define USEC_PER_WEEK (7 * USEC_PER_DAY)
#define DURATION_EXAMPLES "e.g. 90s, 30min, 1h30min"

static const struct {
	const char *name;  /* on the bus */
	const char *sig;   /* its D-Bus type */
	const char *label; /* in status and watch */
} props[CTL_PROP_COUNT] = {
	[CTL_STATE] = { "State", "s", "State" },
	[CTL_ACTIVITY] = { "Activity", "s", "Activity" },
	[CTL_TRUNK] = { "TrunkFlexionDeg", "d", "Trunk flexion" },
	[CTL_NECK] = { "NeckFlexionDeg", "d", "Neck flexion" },
	[CTL_LATERAL] = { "LateralDeg", "d", "Lateral bend" },
	[CTL_HEAD] = { "HeadInclinationDeg", "d", "Head inclination" },
	[CTL_MODE] = { "Mode", "s", "Mode" },
	[CTL_SNOOZED_UNTIL] = { "SnoozedUntilUSec", "t", "Snoozed until" },
	[CTL_ALERTS_TODAY] = { "AlertsToday", "u", "Alerts today" },
	[CTL_CALIBRATED] = { "CalibratedUSec", "t", "Calibrated" },
	[CTL_VERSION] = { "Version", "s", "Version" },
	[CTL_READY] = { "Ready", "b", "Ready" },
};

const char *ctl_prop_name(enum ctl_prop prop)
{
	return props[prop].name;
}

const char *ctl_prop_signature(enum ctl_prop prop)
{
	return props[prop].sig;
}

int ctl_prop_find(const char *name, enum ctl_prop *out)
{
	for (int p = 0; p < CTL_PROP_COUNT; p++) {
		if (strcmp(props[p].name, name) == 0) {
			*out = (enum ctl_prop)p;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- durations ---- */

static const struct {
	const char *name;
	uint64_t usec;
} units[] = {
	{ "us", 1 },
	{ "usec", 1 },
	{ "ms", USEC_PER_MSEC },
	{ "msec", USEC_PER_MSEC },
	{ "s", USEC_PER_SEC },
	{ "sec", USEC_PER_SEC },
	{ "second", USEC_PER_SEC },
	{ "seconds", USEC_PER_SEC },
	{ "m", USEC_PER_MINUTE },
	{ "min", USEC_PER_MINUTE },
	{ "minute", USEC_PER_MINUTE },
	{ "minutes", USEC_PER_MINUTE },
	{ "h", USEC_PER_HOUR },
	{ "hr", USEC_PER_HOUR },
	{ "hour", USEC_PER_HOUR },
	{ "hours", USEC_PER_HOUR },
	{ "d", USEC_PER_DAY },
	{ "day", USEC_PER_DAY },
	{ "days", USEC_PER_DAY },
	{ "w", USEC_PER_WEEK },
	{ "week", USEC_PER_WEEK },
	{ "weeks", USEC_PER_WEEK },
};

static int find_unit(const char *name, size_t len, uint64_t *usec)
{
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].name) == len && strncmp(units[i].name, name, len) == 0) {
			*usec = units[i].usec;
			return 0;
		}
	}
	return -EINVAL;
}

__attribute__((format(printf, 4, 5))) static int duration_error(int ret, char *err, size_t err_len,
								const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return ret;
}

/* Adds digits * unit to *total, the fraction's digits (frac, frac_digits) as their share. */
static int add_component(uint64_t whole, uint64_t frac, int frac_digits, uint64_t unit_usec,
			 uint64_t *total)
{
	uint64_t part, scale = 1;

	if (whole > UINT64_MAX / unit_usec)
		return -ERANGE;
	part = whole * unit_usec;
	for (int i = 0; i < frac_digits; i++)
		scale *= 10;
	/* frac < scale <= 10^18 and unit_usec <= a week: the product fits as a long double. */
	part += (uint64_t)((long double)frac * (long double)unit_usec / (long double)scale + 0.5L);
	if (part > UINT64_MAX - *total)
		return -ERANGE;
	*total += part;
	return 0;
}

int ctl_parse_duration(const char *text, uint64_t *usec, char *err, size_t err_len)
{
	const char *p = text;
	uint64_t total = 0;
	bool any = false;

	while (*p) {
		uint64_t whole = 0, frac = 0, unit_usec = USEC_PER_SEC;
		int frac_digits = 0, ret;
		bool digits = false;
		const char *unit;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (; isdigit((unsigned char)*p); p++, digits = true) {
			if (whole > (UINT64_MAX - 9) / 10)
				return duration_error(-ERANGE, err, err_len,
						      "'%s': too long a duration", text);
			whole = whole * 10 + (uint64_t)(*p - '0');
		}
		if (*p == '.') {
			for (p++; isdigit((unsigned char)*p); p++, digits = true)
				if (frac_digits < 18) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					frac_digits++;
				}
		}
		if (!digits)
			return duration_error(-EINVAL, err, err_len,
					      "'%s' is not a duration (" DURATION_EXAMPLES ")",
					      text);
		while (isspace((unsigned char)*p))
			p++;
		unit = p;
		while (isalpha((unsigned char)*p))
			p++;
		if (p > unit && find_unit(unit, (size_t)(p - unit), &unit_usec) < 0)
			return duration_error(-EINVAL, err, err_len,
					      "'%s': unknown unit '%.*s' (units: us, ms, s, min, "
					      "h, d, w; " DURATION_EXAMPLES ")",
					      text, (int)(p - unit), unit);
		ret = add_component(whole, frac, frac_digits, unit_usec, &total);
		if (ret < 0)
			return duration_error(ret, err, err_len, "'%s': too long a duration", text);
		any = true;
	}
	if (!any)
		return duration_error(-EINVAL, err, err_len,
				      "'%s' is not a duration (" DURATION_EXAMPLES ")", text);
	*usec = total;
	return 0;
}

/* ---- times ---- */

void ctl_format_timestamp(uint64_t realtime_usec, char *buf, size_t len)
{
	time_t t = (time_t)(realtime_usec / USEC_PER_SEC);
	struct tm tm;

	if (!localtime_r(&t, &tm) || strftime(buf, len, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
		snprintf(buf, len, "@%llu", (unsigned long long)(realtime_usec / USEC_PER_SEC));
}

/* The coarser unit, then the finer one, as systemd's format_timestamp_relative(). */
void ctl_format_relative(uint64_t then_usec, uint64_t now_usec, char *buf, size_t len)
{
	bool past = then_usec <= now_usec;
	unsigned long long d = past ? now_usec - then_usec : then_usec - now_usec;
	const char *suffix = past ? "ago" : "left";

	if (d >= USEC_PER_WEEK)
		snprintf(buf, len, "%llu week%s %llu day%s %s", d / USEC_PER_WEEK,
			 d / USEC_PER_WEEK == 1 ? "" : "s", d % USEC_PER_WEEK / USEC_PER_DAY,
			 d % USEC_PER_WEEK / USEC_PER_DAY == 1 ? "" : "s", suffix);
	else if (d >= 2 * USEC_PER_DAY)
		snprintf(buf, len, "%llu days %s", d / USEC_PER_DAY, suffix);
	else if (d >= 25 * USEC_PER_HOUR)
		snprintf(buf, len, "1 day %lluh %s", (d - USEC_PER_DAY) / USEC_PER_HOUR, suffix);
	else if (d >= 6 * USEC_PER_HOUR)
		snprintf(buf, len, "%lluh %s", d / USEC_PER_HOUR, suffix);
	else if (d >= USEC_PER_HOUR)
		snprintf(buf, len, "%lluh %llumin %s", d / USEC_PER_HOUR,
			 d % USEC_PER_HOUR / USEC_PER_MINUTE, suffix);
	else if (d >= 5 * USEC_PER_MINUTE)
		snprintf(buf, len, "%llumin %s", d / USEC_PER_MINUTE, suffix);
	else if (d >= USEC_PER_MINUTE)
		snprintf(buf, len, "%llumin %llus %s", d / USEC_PER_MINUTE,
			 d % USEC_PER_MINUTE / USEC_PER_SEC, suffix);
	else if (d >= USEC_PER_SEC)
		snprintf(buf, len, "%llus %s", d / USEC_PER_SEC, suffix);
	else
		snprintf(buf, len, "now");
}

/* "Sat 2026-12-05 14:03:12 CET; 12min ago" */
static void format_when(uint64_t usec, uint64_t now_usec, char *buf, size_t len)
{
	char stamp[64], rel[64];

	ctl_format_timestamp(usec, stamp, sizeof(stamp));
	ctl_format_relative(usec, now_usec, rel, sizeof(rel));
	snprintf(buf, len, "%s; %s", stamp, rel);
}

static void format_angle(double deg, char *buf, size_t len)
{
	double tenths = round(deg * 10.0);

	if (isnan(deg))
		snprintf(buf, len, "n/a");
	else /* + 0.0: "0.0" for what rounds to -0.0 */
		snprintf(buf, len, "%.1f deg", tenths / 10.0 + 0.0);
}

void ctl_format_value(const struct ctl_status *st, enum ctl_prop prop, uint64_t now_usec, char *buf,
		      size_t len)
{
	switch (prop) {
	case CTL_STATE:
		snprintf(buf, len, "%s%s", st->state,
			 st->have[CTL_READY] && !st->ready ? " (starting: waiting for the sensors)"
							   : "");
		break;
	case CTL_ACTIVITY:
		snprintf(buf, len, "%s", st->activity[0] ? st->activity : "n/a");
		break;
	case CTL_TRUNK:
		format_angle(st->trunk_deg, buf, len);
		break;
	case CTL_NECK:
		format_angle(st->neck_deg, buf, len);
		break;
	case CTL_LATERAL:
		format_angle(st->lateral_deg, buf, len);
		break;
	case CTL_HEAD:
		format_angle(st->head_deg, buf, len);
		break;
	case CTL_MODE:
		snprintf(buf, len, "%s", st->mode);
		break;
	case CTL_SNOOZED_UNTIL:
		if (st->snoozed_until_usec == 0)
			snprintf(buf, len, "no");
		else
			format_when(st->snoozed_until_usec, now_usec, buf, len);
		break;
	case CTL_ALERTS_TODAY:
		snprintf(buf, len, "%u", (unsigned int)st->alerts_today);
		break;
	case CTL_CALIBRATED:
		if (st->calibrated_usec == 0)
			snprintf(buf, len, "never");
		else
			format_when(st->calibrated_usec, now_usec, buf, len);
		break;
	case CTL_VERSION:
		snprintf(buf, len, "%s", st->version);
		break;
	case CTL_READY:
	default:
		snprintf(buf, len, "%s", st->ready ? "yes" : "no");
		break;
	}
}

/* Appends to buf as snprintf would, counting what did not fit. */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t len, size_t *used,
							 const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*used < len ? buf + *used : NULL, *used < len ? len - *used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

size_t ctl_format_status(const struct ctl_status *st, uint64_t now_usec, char *buf, size_t len)
{
	int width = 0;
	size_t used = 0;
	char value[160];

	if (len > 0)
		buf[0] = '\0';
	/* Ready shows in State's line. */
	for (int p = 0; p < CTL_READY; p++)
		if (st->have[p] && (int)strlen(props[p].label) > width)
			width = (int)strlen(props[p].label);
	for (int p = 0; p < CTL_READY; p++) {
		if (!st->have[p])
			continue;
		ctl_format_value(st, (enum ctl_prop)p, now_usec, value, sizeof(value));
		append(buf, len, &used, "%*s: %s\n", width, props[p].label, value);
	}
	return used;
}

size_t ctl_format_changes(const struct ctl_status *st, const bool changed[CTL_PROP_COUNT],
			  uint64_t now_usec, char *buf, size_t len)
{
	time_t t = (time_t)(now_usec / USEC_PER_SEC);
	size_t used = 0;
	const char *sep = " ";
	char value[160], stamp[32] = "";
	struct tm tm;

	if (len > 0)
		buf[0] = '\0';
	if (localtime_r(&t, &tm))
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	append(buf, len, &used, "%s", stamp);
	for (int p = 0; p < CTL_PROP_COUNT; p++) {
		if (!changed[p])
			continue;
		ctl_format_value(st, (enum ctl_prop)p, now_usec, value, sizeof(value));
		append(buf, len, &used, "%s%s: %s", sep, props[p].label, value);
		sep = "; ";
	}
	return used;
}
