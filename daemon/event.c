/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/event.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct event_kind {
	const char *name;
	/* Generated once with `systemd-id128 new`; the catalog and saved journal queries rely on
	 * them, so they never change. */
	const char *message_id;
	int priority;
};

static const struct event_kind kinds[EVENT_TYPE_COUNT] = {
	[EVENT_STARTED] = { "started", "9a13406cba904f10aa5a33642a986b34", 6 },
	[EVENT_CALIBRATED] = { "calibrated", "585c7fea6abd475297a996cb13aec8ae", 6 },
	/* notice: `journalctl -p notice` shows whole slumps (start, alerts, end) and nothing of the
	 * routine chatter. */
	[EVENT_SLUMP_STARTED] = { "slump_started", "06b6811126c04f36b5de2abee8e40707", 5 },
	[EVENT_ALERT] = { "alert", "c8728e1bf6024845ab346d71896ba2a3", 5 },
	[EVENT_SLUMP_ENDED] = { "slump_ended", "4d2e6e8e3bc64ba486b46dd6163a0d67", 5 },
	[EVENT_SUMMARY] = { "summary", "900868aa62e243de8821e36bcbc373d4", 6 },
	/* warning, not err: the daemon keeps running and retries; the wearer gets no feedback
	 * meanwhile. */
	[EVENT_SENSOR_LOST] = { "sensor_lost", "5bd58a789ccd468f8ff429b6aaecf88a", 4 },
	[EVENT_SENSOR_RESTORED] = { "sensor_restored", "1f1b0e0d8ee546a6912220fd38fbf2d4", 5 },
	[EVENT_CONFIG_RELOADED] = { "config_reloaded", "7411d2e1d1bf4998a5c6901ed8e98d20", 6 },
	/* warning: the previous configuration stays in force, but the edit did not take effect. */
	[EVENT_CONFIG_REJECTED] = { "config_rejected", "270e96d21fbd462a88afbe4eca5c32ae", 4 },
	[EVENT_STOPPED] = { "stopped", "3b714edc2a10451eaa6702114aab5092", 6 },
	[EVENT_SNOOZE_STARTED] = { "snooze_started", "c872815bd1774ef29b37a4c1584354a5", 6 },
	[EVENT_SNOOZE_ENDED] = { "snooze_ended", "ecd4d9ba54b7487c9fd0df783ba2866c", 6 },
	[EVENT_MODE_CHANGED] = { "mode_changed", "c193109cde7a4446b78b6dfef09c8788", 6 },
};

/* How the MESSAGE sentence names each cause; POSTURE_CAUSE carries angle_name(). */
static const char *const cause_phrases[ANGLE_COUNT] = {
	[ANGLE_TRUNK] = "trunk flexion",
	[ANGLE_NECK] = "neck flexion",
	[ANGLE_LATERAL] = "side bending",
	[ANGLE_HEAD] = "head inclination",
};

static const char unknown_message_id[] = "00000000000000000000000000000000";

void event_init(struct posture_event *ev, enum event_type type, double t_s)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->t_s = t_s;
	ev->trunk_deg = NAN;
	ev->neck_deg = NAN;
	ev->lateral_deg = NAN;
	ev->head_deg = NAN;
}

static bool type_valid(enum event_type type)
{
	return (unsigned int)type < EVENT_TYPE_COUNT;
}

const char *event_type_name(enum event_type type)
{
	return type_valid(type) ? kinds[type].name : "unknown";
}

const char *event_message_id(enum event_type type)
{
	return type_valid(type) ? kinds[type].message_id : unknown_message_id;
}

int event_priority(enum event_type type)
{
	return type_valid(type) ? kinds[type].priority : 6;
}

/*
 * A bounded text builder that only ever holds valid UTF-8: journalctl shows a field with invalid
 * UTF-8 as a blob and JSON parsers reject it, and a detail may quote a config file in any
 * encoding. Text that does not fit is cut at a character boundary.
 */
struct text {
	char *buf;
	size_t cap;
	size_t len;
	bool full;
};

static void text_init(struct text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->full = cap == 0;
	if (cap)
		buf[0] = '\0';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is invalid. */
static size_t utf8_sequence_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates and code points beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void text_put_bytes(struct text *t, const char *s, size_t n)
{
	if (t->full)
		return;
	if (t->len + n >= t->cap) {
		t->full = true;
		return;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* Appends s, replacing each invalid byte by U+FFFD. */
static void text_puts(struct text *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0 && !t->full) {
		size_t len = utf8_sequence_len(p, n);

		if (len == 0) {
			text_put_bytes(t, "\xef\xbf\xbd", 3);
			len = 1;
		} else {
			text_put_bytes(t, (const char *)p, len);
		}
		p += len;
		n -= len;
	}
}

static void text_printf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *fmt, ...)
{
	char tmp[EVENT_FIELD_VALUE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	text_puts(t, tmp);
}

/* One decimal, and never "-0.0" for a value that rounds to zero. */
static double one_decimal(double x)
{
	double r = round(x * 10.0) / 10.0;

	return r == 0.0 ? 0.0 : r;
}

/* " (trunk 34.2°, neck 12.0°)" with the finite angles; nothing when none is known. */
static void put_angles(struct text *t, const struct posture_event *ev)
{
	const struct {
		const char *name;
		double deg;
	} angles[] = {
		{ "trunk", ev->trunk_deg },
		{ "neck", ev->neck_deg },
		{ "lateral", ev->lateral_deg },
		{ "head", ev->head_deg },
	};
	const char *sep = " (";

	for (size_t i = 0; i < sizeof(angles) / sizeof(angles[0]); i++) {
		if (!isfinite(angles[i].deg))
			continue;
		text_printf(t, "%s%s %.1f°", sep, angles[i].name, one_decimal(angles[i].deg));
		sep = ", ";
	}
	if (sep[0] == ',')
		text_puts(t, ")");
}

/* Seconds, minutes or hours, whichever reads best. */
static void put_duration(struct text *t, double s)
{
	if (!isfinite(s) || s < 0.0)
		text_puts(t, "an unknown time");
	else if (s < 120.0)
		text_printf(t, "%.0f s", s);
	else if (s < 7200.0)
		text_printf(t, "%.1f min", s / 60.0);
	else
		text_printf(t, "%.1f h", s / 3600.0);
}

static void put_count(struct text *t, unsigned int n, const char *what)
{
	text_printf(t, "%u %s%s", n, what, n == 1 ? "" : "s");
}

/*
 * "upright 70%, leaning 13%, slumped 11%, lying 6%; still 80%, moving 14%; 3 slumps, 5 alerts,
 * longest slump 3.0 min"
 */
static void put_summary(struct text *t, const struct posture_summary *s)
{
	double pct;

	if (!(s->period_s > 0.0)) {
		text_puts(t, "no posture measured");
		return;
	}
	pct = 100.0 / s->period_s;
	text_printf(t, "upright %.0f%%, leaning %.0f%%, slumped %.0f%%, lying %.0f%%; ",
		    s->upright_s * pct, s->leaning_s * pct, s->slumped_s * pct, s->lying_s * pct);
	text_printf(t, "still %.0f%%, moving %.0f%%; ", s->still_s * pct, s->moving_s * pct);
	put_count(t, s->slumps, "slump");
	text_puts(t, ", ");
	put_count(t, s->alerts, "alert");
	if (s->longest_slump_s > 0.0) {
		text_puts(t, ", longest slump ");
		put_duration(t, s->longest_slump_s);
	}
}

static const char *silence_phrase(enum policy_silence s)
{
	switch (s) {
	case SILENCE_TRACKING:
		return "tracking mode";
	case SILENCE_SNOOZED:
		return "snoozed";
	case SILENCE_QUIET_HOURS:
		return "quiet hours";
	default:
		return "";
	}
}

static const char *cause_phrase(enum posture_angle cause)
{
	return (unsigned int)cause < ANGLE_COUNT ? cause_phrases[cause] : "an unknown angle";
}

static void put_role(struct text *t, enum sensor_role role, bool capital)
{
	const char *name = role_name(role);

	if (capital && name[0] >= 'a' && name[0] <= 'z')
		text_printf(t, "%c%s", name[0] - 'a' + 'A', name + 1);
	else
		text_puts(t, name);
}

/*
 * The MESSAGE= sentence. Events that exist to report something (a device, an error, a file)
 * append the detail after a colon; the others after a semicolon, as an aside.
 */
static void build_message(const struct posture_event *ev, char *buf, size_t len)
{
	struct text t;
	bool detail_explains = true;

	text_init(&t, buf, len);
	switch (ev->type) {
	case EVENT_STARTED:
		text_puts(&t, "Posture monitoring started");
		break;
	case EVENT_CALIBRATED:
		text_puts(&t, "Upright posture calibrated");
		break;
	case EVENT_SLUMP_STARTED:
		text_printf(&t, "Slumped posture: %s held for ", cause_phrase(ev->cause));
		put_duration(&t, ev->duration_s);
		put_angles(&t, ev);
		detail_explains = false;
		break;
	case EVENT_ALERT:
		text_puts(&t, "Slumped posture for ");
		put_duration(&t, ev->duration_s);
		put_angles(&t, ev);
		text_printf(&t, ": alert %u", ev->alert_count);
		if (ev->silenced != SILENCE_NONE)
			text_printf(&t, " (no buzz: %s)", silence_phrase(ev->silenced));
		detail_explains = false;
		break;
	case EVENT_SLUMP_ENDED:
		text_puts(&t, "Posture corrected after ");
		put_duration(&t, ev->duration_s);
		text_printf(&t, " of %s", cause_phrase(ev->cause));
		put_angles(&t, ev);
		detail_explains = false;
		break;
	case EVENT_SUMMARY:
		text_puts(&t, "Posture over the last ");
		put_duration(&t, ev->summary.period_s);
		text_puts(&t, ": ");
		put_summary(&t, &ev->summary);
		detail_explains = false;
		break;
	case EVENT_SENSOR_LOST:
		put_role(&t, ev->role, true);
		text_puts(&t, " sensor lost");
		break;
	case EVENT_SENSOR_RESTORED:
		put_role(&t, ev->role, true);
		text_puts(&t, " sensor restored");
		break;
	case EVENT_CONFIG_RELOADED:
		text_puts(&t, "Configuration reloaded");
		break;
	case EVENT_CONFIG_REJECTED:
		text_puts(&t, "New configuration rejected, the previous one stays in force");
		break;
	case EVENT_STOPPED:
		text_puts(&t, "Posture monitoring stopped");
		break;
	case EVENT_SNOOZE_STARTED:
		text_puts(&t, "Alerts snoozed for ");
		put_duration(&t, ev->duration_s);
		detail_explains = false;
		break;
	case EVENT_SNOOZE_ENDED:
		text_puts(&t, "Snooze ended after ");
		put_duration(&t, ev->duration_s);
		detail_explains = false;
		break;
	case EVENT_MODE_CHANGED:
		text_printf(&t, "Alert mode is now %s", alert_mode_name(ev->mode));
		detail_explains = false;
		break;
	default:
		text_printf(&t, "Unknown posture event %d", (int)ev->type);
		break;
	}
	if (ev->detail[0]) {
		text_puts(&t, detail_explains ? ": " : "; ");
		text_puts(&t, ev->detail);
	}
	if (ev->type == EVENT_STOPPED && ev->summary.period_s > 0.0) {
		text_puts(&t, ". Last ");
		put_duration(&t, ev->summary.period_s);
		text_puts(&t, ": ");
		put_summary(&t, &ev->summary);
	}
}

struct field_list {
	struct event_field *fields;
	size_t max;
	size_t n;
};

static struct event_field *add_field(struct field_list *l, const char *name)
{
	struct event_field *f;

	if (l->n >= l->max)
		return NULL;
	f = &l->fields[l->n++];
	f->name = name;
	f->value[0] = '\0';
	return f;
}

static void add_text(struct field_list *l, const char *name, const char *value)
{
	struct event_field *f = add_field(l, name);
	struct text t;

	if (!f)
		return;
	text_init(&t, f->value, sizeof(f->value));
	text_puts(&t, value);
}

static void add_uint(struct field_list *l, const char *name, unsigned int value)
{
	struct event_field *f = add_field(l, name);

	if (f)
		snprintf(f->value, sizeof(f->value), "%u", value);
}

/* Non-finite numbers are left out: "nan" in a numeric field would break every consumer. */
static void add_decimal(struct field_list *l, const char *name, double value)
{
	struct event_field *f;

	if (!isfinite(value))
		return;
	f = add_field(l, name);
	if (f)
		snprintf(f->value, sizeof(f->value), "%.1f", one_decimal(value));
}

static void add_summary(struct field_list *l, const struct posture_summary *s)
{
	add_decimal(l, "POSTURE_PERIOD_S", s->period_s);
	add_decimal(l, "POSTURE_UPRIGHT_S", s->upright_s);
	add_decimal(l, "POSTURE_LEANING_S", s->leaning_s);
	add_decimal(l, "POSTURE_SLUMPED_S", s->slumped_s);
	add_decimal(l, "POSTURE_LYING_S", s->lying_s);
	add_decimal(l, "POSTURE_STILL_S", s->still_s);
	add_decimal(l, "POSTURE_MOVING_S", s->moving_s);
	add_uint(l, "POSTURE_ALERTS", s->alerts);
	add_uint(l, "POSTURE_SLUMPS", s->slumps);
	add_decimal(l, "POSTURE_LONGEST_SLUMP_S", s->longest_slump_s);
}

size_t event_fields(const struct posture_event *ev, struct event_field *fields, size_t max)
{
	struct field_list l = { fields, max, 0 };
	struct event_field *f;
	bool slump = ev->type == EVENT_SLUMP_STARTED || ev->type == EVENT_ALERT ||
		     ev->type == EVENT_SLUMP_ENDED;

	add_text(&l, "MESSAGE_ID", event_message_id(ev->type));
	f = add_field(&l, "PRIORITY");
	if (f)
		snprintf(f->value, sizeof(f->value), "%d",
			 ev->warning ? 4 : event_priority(ev->type));
	f = add_field(&l, "MESSAGE");
	if (f)
		build_message(ev, f->value, sizeof(f->value));
	add_text(&l, "POSTURE_EVENT", event_type_name(ev->type));

	add_decimal(&l, "POSTURE_TRUNK_DEG", ev->trunk_deg);
	add_decimal(&l, "POSTURE_NECK_DEG", ev->neck_deg);
	add_decimal(&l, "POSTURE_LATERAL_DEG", ev->lateral_deg);
	add_decimal(&l, "POSTURE_HEAD_DEG", ev->head_deg);
	if (ev->have_activity)
		add_text(&l, "POSTURE_ACTIVITY", activity_name(ev->activity));
	if (slump) {
		add_text(&l, "POSTURE_CAUSE", angle_name(ev->cause));
		add_decimal(&l, "POSTURE_DURATION_S", ev->duration_s);
	}
	if (ev->type == EVENT_ALERT)
		add_uint(&l, "POSTURE_ALERT_COUNT", ev->alert_count);
	if (ev->have_mode)
		add_text(&l, "POSTURE_MODE", alert_mode_name(ev->mode));
	if (ev->silenced != SILENCE_NONE)
		add_text(&l, "POSTURE_SILENCED", policy_silence_name(ev->silenced));
	if (ev->type == EVENT_SNOOZE_STARTED || ev->type == EVENT_SNOOZE_ENDED)
		add_decimal(&l, "POSTURE_DURATION_S", ev->duration_s);
	if (ev->type == EVENT_SENSOR_LOST || ev->type == EVENT_SENSOR_RESTORED)
		add_text(&l, "POSTURE_SENSOR", role_name(ev->role));
	if (ev->type == EVENT_SUMMARY || ev->type == EVENT_STOPPED)
		add_summary(&l, &ev->summary);
	if (ev->detail[0])
		add_text(&l, "POSTURE_DETAIL", ev->detail);
	return l.n;
}

/* JSON string body: values are valid UTF-8 already, so only quotes, backslashes and control
 * characters need escaping. */
static void put_json_string(struct text *t, const char *s)
{
	text_put_bytes(t, "\"", 1);
	for (const char *p = s; *p && !t->full; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			text_put_bytes(t, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			text_put_bytes(t, esc, 6);
		} else {
			text_put_bytes(t, p, 1);
		}
	}
	text_put_bytes(t, "\"", 1);
}

int event_to_json(const struct posture_event *ev, char *buf, size_t len)
{
	struct event_field fields[EVENT_MAX_FIELDS];
	size_t n = event_fields(ev, fields, EVENT_MAX_FIELDS);
	struct text t;
	char num[64];

	if (!buf || len == 0)
		return -EINVAL;
	text_init(&t, buf, len);
	/* null rather than a number no JSON reader takes ("nan") or one that overflows num */
	if (fabs(ev->t_s) < 1e15)
		snprintf(num, sizeof(num), "{\"t\":%.3f", ev->t_s);
	else
		snprintf(num, sizeof(num), "{\"t\":null");
	text_put_bytes(&t, num, strlen(num));
	for (size_t i = 0; i < n; i++) {
		text_put_bytes(&t, ",", 1);
		put_json_string(&t, fields[i].name);
		text_put_bytes(&t, ":", 1);
		put_json_string(&t, fields[i].value);
	}
	text_put_bytes(&t, "}", 1);
	if (t.full) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)t.len;
}
