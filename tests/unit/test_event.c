/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "postured/event.h"

struct expected_field {
	const char *name;
	const char *value;
};

static void assert_fields(const struct posture_event *ev, const struct expected_field *want,
			  size_t n_want)
{
	struct event_field got[EVENT_MAX_FIELDS];
	size_t n = event_fields(ev, got, EVENT_MAX_FIELDS);

	for (size_t i = 0; i < n && i < n_want; i++) {
		assert_string_equal(got[i].name, want[i].name);
		assert_string_equal(got[i].value, want[i].value);
	}
	assert_int_equal(n, n_want);
}

#define ASSERT_FIELDS(ev, ...)                                                                     \
	do {                                                                                       \
		const struct expected_field want_[] = { __VA_ARGS__ };                             \
		assert_fields((ev), want_, sizeof(want_) / sizeof(want_[0]));                      \
	} while (0)

static void names_follow_the_journal_interface(void **state)
{
	static const char *const names[EVENT_TYPE_COUNT] = {
		"started",	   "calibrated",      "slump_started", "alert",
		"slump_ended",	   "summary",	      "sensor_lost",   "sensor_restored",
		"config_reloaded", "config_rejected", "stopped",       "snooze_started",
		"snooze_ended",	   "mode_changed",
	};

	(void)state;
	for (int t = 0; t < EVENT_TYPE_COUNT; t++)
		assert_string_equal(event_type_name((enum event_type)t), names[t]);
	assert_string_equal(event_type_name(EVENT_TYPE_COUNT), "unknown");
}

static void every_type_has_its_own_128_bit_message_id(void **state)
{
	(void)state;
	for (int t = 0; t < EVENT_TYPE_COUNT; t++) {
		const char *id = event_message_id((enum event_type)t);

		assert_int_equal(strlen(id), 32);
		assert_int_equal(strspn(id, "0123456789abcdef"), 32);
		for (int u = 0; u < t; u++)
			assert_string_not_equal(id, event_message_id((enum event_type)u));
	}
	/* Saved journalctl queries and the catalog depend on these never changing. */
	assert_string_equal(event_message_id(EVENT_ALERT), "c8728e1bf6024845ab346d71896ba2a3");
	assert_string_equal(event_message_id(EVENT_STARTED), "9a13406cba904f10aa5a33642a986b34");
}

static void priorities_rank_what_needs_attention(void **state)
{
	(void)state;
	assert_int_equal(event_priority(EVENT_SENSOR_LOST), 4);
	assert_int_equal(event_priority(EVENT_CONFIG_REJECTED), 4);
	assert_int_equal(event_priority(EVENT_SLUMP_STARTED), 5);
	assert_int_equal(event_priority(EVENT_ALERT), 5);
	assert_int_equal(event_priority(EVENT_SLUMP_ENDED), 5);
	assert_int_equal(event_priority(EVENT_SENSOR_RESTORED), 5);
	assert_int_equal(event_priority(EVENT_STARTED), 6);
	assert_int_equal(event_priority(EVENT_CALIBRATED), 6);
	assert_int_equal(event_priority(EVENT_SUMMARY), 6);
	assert_int_equal(event_priority(EVENT_CONFIG_RELOADED), 6);
	assert_int_equal(event_priority(EVENT_STOPPED), 6);
}

static void init_leaves_angles_unknown(void **state)
{
	struct posture_event ev;

	(void)state;
	memset(&ev, 0x5a, sizeof(ev));
	event_init(&ev, EVENT_STARTED, 1.5);
	assert_int_equal(ev.type, EVENT_STARTED);
	assert_true(ev.t_s == 1.5);
	assert_true(isnan(ev.trunk_deg) && isnan(ev.neck_deg) && isnan(ev.lateral_deg));
	assert_int_equal(ev.alert_count, 0);
	assert_string_equal(ev.detail, "");
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "9a13406cba904f10aa5a33642a986b34" },
		      { "PRIORITY", "6" }, { "MESSAGE", "Posture monitoring started" },
		      { "POSTURE_EVENT", "started" });
}

static void alert_fields(void **state)
{
	struct posture_event ev;

	(void)state;
	event_init(&ev, EVENT_ALERT, 12.34);
	ev.trunk_deg = 34.24;
	ev.neck_deg = 12.0;
	ev.lateral_deg = -0.04; /* rounds to zero: must not print as "-0.0" */
	ev.cause = ANGLE_TRUNK;
	ev.duration_s = 61.4;
	ev.alert_count = 2;
	snprintf(ev.detail, sizeof(ev.detail), "haptic alert pattern 400,200,400 ms");
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "c8728e1bf6024845ab346d71896ba2a3" },
		      { "PRIORITY", "5" },
		      { "MESSAGE", "Slumped posture for 61 s (trunk 34.2°, neck 12.0°, "
				   "lateral 0.0°): alert 2; haptic alert pattern 400,200,400 ms" },
		      { "POSTURE_EVENT", "alert" }, { "POSTURE_TRUNK_DEG", "34.2" },
		      { "POSTURE_NECK_DEG", "12.0" }, { "POSTURE_LATERAL_DEG", "0.0" },
		      { "POSTURE_CAUSE", "trunk" }, { "POSTURE_DURATION_S", "61.4" },
		      { "POSTURE_ALERT_COUNT", "2" },
		      { "POSTURE_DETAIL", "haptic alert pattern 400,200,400 ms" });
}

static void slump_started_names_the_cause(void **state)
{
	struct posture_event ev;

	(void)state;
	event_init(&ev, EVENT_SLUMP_STARTED, 100.0);
	ev.trunk_deg = 5.0;
	ev.lateral_deg = 14.96;
	ev.cause = ANGLE_LATERAL;
	ev.duration_s = 245.0;
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "06b6811126c04f36b5de2abee8e40707" },
		      { "PRIORITY", "5" },
		      { "MESSAGE", "Slumped posture: side bending held for 4.1 min "
				   "(trunk 5.0°, lateral 15.0°)" },
		      { "POSTURE_EVENT", "slump_started" }, { "POSTURE_TRUNK_DEG", "5.0" },
		      { "POSTURE_LATERAL_DEG", "15.0" }, { "POSTURE_CAUSE", "lateral" },
		      { "POSTURE_DURATION_S", "245.0" });
}

static void slump_ended_fields_leave_out_unknown_angles(void **state)
{
	struct posture_event ev;

	(void)state;
	event_init(&ev, EVENT_SLUMP_ENDED, 300.0);
	ev.trunk_deg = 8.1;
	ev.cause = ANGLE_NECK;
	ev.duration_s = 95.0;
	ev.alert_count = 3; /* not part of slump_ended */
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "4d2e6e8e3bc64ba486b46dd6163a0d67" },
		      { "PRIORITY", "5" },
		      { "MESSAGE", "Posture corrected after 95 s of neck flexion (trunk 8.1°)" },
		      { "POSTURE_EVENT", "slump_ended" }, { "POSTURE_TRUNK_DEG", "8.1" },
		      { "POSTURE_CAUSE", "neck" }, { "POSTURE_DURATION_S", "95.0" });
}

static void fill_summary(struct posture_summary *s)
{
	s->period_s = 3600.0;
	s->upright_s = 3000.0;
	s->slumped_s = 400.0;
	s->lying_s = 200.0;
	s->still_s = 3000.0;
	s->moving_s = 400.0;
	s->alerts = 5;
	s->slumps = 3;
	s->longest_slump_s = 180.04;
}

static void summary_fields(void **state)
{
	struct posture_event ev;

	(void)state;
	event_init(&ev, EVENT_SUMMARY, 3600.0);
	fill_summary(&ev.summary);
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "900868aa62e243de8821e36bcbc373d4" },
		      { "PRIORITY", "6" },
		      { "MESSAGE", "Posture over the last 60.0 min: upright 83%, leaning 0%, "
				   "slumped 11%, lying 6%; still 83%, moving 11%; 3 slumps, "
				   "5 alerts, longest slump 3.0 min" },
		      { "POSTURE_EVENT", "summary" }, { "POSTURE_PERIOD_S", "3600.0" },
		      { "POSTURE_UPRIGHT_S", "3000.0" }, { "POSTURE_LEANING_S", "0.0" },
		      { "POSTURE_SLUMPED_S", "400.0" }, { "POSTURE_LYING_S", "200.0" },
		      { "POSTURE_STILL_S", "3000.0" }, { "POSTURE_MOVING_S", "400.0" },
		      { "POSTURE_ALERTS", "5" }, { "POSTURE_SLUMPS", "3" },
		      { "POSTURE_LONGEST_SLUMP_S", "180.0" });
}

static void quiet_summary_reads_naturally(void **state)
{
	struct posture_event ev;
	struct event_field f[EVENT_MAX_FIELDS];

	(void)state;
	event_init(&ev, EVENT_SUMMARY, 50.0);
	ev.summary.period_s = 45.0;
	ev.summary.upright_s = 45.0;
	ev.summary.alerts = 1;
	event_fields(&ev, f, EVENT_MAX_FIELDS);
	assert_string_equal(f[2].value, "Posture over the last 45 s: upright 100%, leaning 0%, "
					"slumped 0%, lying 0%; still 0%, moving 0%; 0 slumps, "
					"1 alert");

	/* a slump still in progress: counted, but none has ended to be the longest */
	ev.summary.slumps = 1;
	event_fields(&ev, f, EVENT_MAX_FIELDS);
	assert_string_equal(f[2].value, "Posture over the last 45 s: upright 100%, leaning 0%, "
					"slumped 0%, lying 0%; still 0%, moving 0%; 1 slump, "
					"1 alert");

	ev.summary.period_s = 0.0;
	event_fields(&ev, f, EVENT_MAX_FIELDS);
	assert_string_equal(f[2].value, "Posture over the last 0 s: no posture measured");
}

static void stopped_carries_the_last_summary(void **state)
{
	struct posture_event ev;

	(void)state;
	event_init(&ev, EVENT_STOPPED, 9000.0);
	fill_summary(&ev.summary);
	ev.summary.period_s = 9000.0;
	snprintf(ev.detail, sizeof(ev.detail), "SIGTERM");
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "3b714edc2a10451eaa6702114aab5092" },
		      { "PRIORITY", "6" },
		      { "MESSAGE", "Posture monitoring stopped: SIGTERM. Last 2.5 h: "
				   "upright 33%, leaning 0%, slumped 4%, lying 2%; still 33%, "
				   "moving 4%; 3 slumps, 5 alerts, longest slump 3.0 min" },
		      { "POSTURE_EVENT", "stopped" }, { "POSTURE_PERIOD_S", "9000.0" },
		      { "POSTURE_UPRIGHT_S", "3000.0" }, { "POSTURE_LEANING_S", "0.0" },
		      { "POSTURE_SLUMPED_S", "400.0" }, { "POSTURE_LYING_S", "200.0" },
		      { "POSTURE_STILL_S", "3000.0" }, { "POSTURE_MOVING_S", "400.0" },
		      { "POSTURE_ALERTS", "5" }, { "POSTURE_SLUMPS", "3" },
		      { "POSTURE_LONGEST_SLUMP_S", "180.0" }, { "POSTURE_DETAIL", "SIGTERM" });
}

static void sensor_events_name_the_role(void **state)
{
	struct posture_event ev;

	(void)state;
	event_init(&ev, EVENT_SENSOR_LOST, 20.0);
	ev.role = ROLE_HEAD;
	snprintf(ev.detail, sizeof(ev.detail), "mpu6050 (iio:device1): No such device");
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "5bd58a789ccd468f8ff429b6aaecf88a" },
		      { "PRIORITY", "4" },
		      { "MESSAGE", "Head sensor lost: mpu6050 (iio:device1): No such device" },
		      { "POSTURE_EVENT", "sensor_lost" }, { "POSTURE_SENSOR", "head" },
		      { "POSTURE_DETAIL", "mpu6050 (iio:device1): No such device" });

	event_init(&ev, EVENT_SENSOR_RESTORED, 25.0);
	ev.role = ROLE_TRUNK;
	ASSERT_FIELDS(&ev, { "MESSAGE_ID", "1f1b0e0d8ee546a6912220fd38fbf2d4" },
		      { "PRIORITY", "5" }, { "MESSAGE", "Trunk sensor restored" },
		      { "POSTURE_EVENT", "sensor_restored" }, { "POSTURE_SENSOR", "trunk" });
}

static void config_rejected_is_valid_json(void **state)
{
	struct posture_event ev;
	char json[EVENT_JSON_MAX];
	int len;

	(void)state;
	event_init(&ev, EVENT_CONFIG_REJECTED, 7.0);
	snprintf(ev.detail, sizeof(ev.detail),
		 "/etc/postured/postured.ini:12: \"threshold_deg\" must be 5..90\n\tgot C:\\x");
	len = event_to_json(&ev, json, sizeof(json));
	assert_string_equal(
	    json,
	    "{\"t\":7.000,\"MESSAGE_ID\":\"270e96d21fbd462a88afbe4eca5c32ae\","
	    "\"PRIORITY\":\"4\",\"MESSAGE\":"
	    "\"New configuration rejected, the previous one stays in force: "
	    "/etc/postured/postured.ini:12: \\\"threshold_deg\\\" must be 5..90\\u000a\\u0009"
	    "got C:\\\\x\",\"POSTURE_EVENT\":\"config_rejected\",\"POSTURE_DETAIL\":"
	    "\"/etc/postured/postured.ini:12: \\\"threshold_deg\\\" must be 5..90\\u000a\\u0009"
	    "got C:\\\\x\"}");
	assert_int_equal(len, strlen(json));
}

static void json_numbers_and_unknown_time(void **state)
{
	struct posture_event ev;
	char json[EVENT_JSON_MAX];

	(void)state;
	event_init(&ev, EVENT_CONFIG_RELOADED, 1234.56789);
	assert_true(event_to_json(&ev, json, sizeof(json)) > 0);
	assert_string_equal(json, "{\"t\":1234.568,"
				  "\"MESSAGE_ID\":\"7411d2e1d1bf4998a5c6901ed8e98d20\","
				  "\"PRIORITY\":\"6\",\"MESSAGE\":\"Configuration reloaded\","
				  "\"POSTURE_EVENT\":\"config_reloaded\"}");

	ev.t_s = NAN;
	assert_true(event_to_json(&ev, json, sizeof(json)) > 0);
	assert_memory_equal(json, "{\"t\":null,", 10);
}

static void json_too_small_is_refused_not_cut(void **state)
{
	struct posture_event ev;
	char json[64];

	(void)state;
	event_init(&ev, EVENT_STARTED, 0.0);
	memset(json, 'x', sizeof(json));
	assert_int_equal(event_to_json(&ev, json, sizeof(json)), -ENOSPC);
	assert_string_equal(json, "");
	assert_int_equal(event_to_json(&ev, NULL, 0), -EINVAL);
}

static void invalid_utf8_in_detail_is_replaced(void **state)
{
	struct posture_event ev;
	struct event_field f[EVENT_MAX_FIELDS];
	size_t n;

	(void)state;
	event_init(&ev, EVENT_CONFIG_REJECTED, 0.0);
	/* Latin-1 "é", a lone continuation byte and a cut-off 3-byte sequence */
	snprintf(ev.detail, sizeof(ev.detail), "caf\xe9 \x80 \xe2\x82");
	n = event_fields(&ev, f, EVENT_MAX_FIELDS);
	assert_int_equal(n, 5);
	assert_string_equal(f[4].name, "POSTURE_DETAIL");
	assert_string_equal(f[4].value, "caf\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd");
}

static void long_message_is_cut_between_characters(void **state)
{
	struct posture_event ev;
	struct event_field f[EVENT_MAX_FIELDS];
	size_t len;

	(void)state;
	event_init(&ev, EVENT_SUMMARY, 0.0);
	fill_summary(&ev.summary);
	/* 255 two-byte characters after the summary sentence: the message cannot hold them all */
	for (size_t i = 0; i + 2 < sizeof(ev.detail); i += 2)
		memcpy(ev.detail + i, "\xc2\xb0", 2);
	event_fields(&ev, f, EVENT_MAX_FIELDS);
	len = strlen(f[2].value);
	assert_true(len >= EVENT_FIELD_VALUE_MAX - 3 && len < EVENT_FIELD_VALUE_MAX);
	/* no dangling lead byte at the end */
	assert_int_not_equal((unsigned char)f[2].value[len - 1], 0xc2);
	assert_int_equal((unsigned char)f[2].value[len - 1], 0xb0);
}

static void field_list_respects_max(void **state)
{
	struct posture_event ev;
	struct event_field f[3];

	(void)state;
	event_init(&ev, EVENT_SUMMARY, 1.0);
	fill_summary(&ev.summary);
	assert_int_equal(event_fields(&ev, f, 3), 3);
	assert_string_equal(f[2].name, "MESSAGE");
	assert_int_equal(event_fields(&ev, f, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_follow_the_journal_interface),
		cmocka_unit_test(every_type_has_its_own_128_bit_message_id),
		cmocka_unit_test(priorities_rank_what_needs_attention),
		cmocka_unit_test(init_leaves_angles_unknown),
		cmocka_unit_test(alert_fields),
		cmocka_unit_test(slump_started_names_the_cause),
		cmocka_unit_test(slump_ended_fields_leave_out_unknown_angles),
		cmocka_unit_test(summary_fields),
		cmocka_unit_test(quiet_summary_reads_naturally),
		cmocka_unit_test(stopped_carries_the_last_summary),
		cmocka_unit_test(sensor_events_name_the_role),
		cmocka_unit_test(config_rejected_is_valid_json),
		cmocka_unit_test(json_numbers_and_unknown_time),
		cmocka_unit_test(json_too_small_is_refused_not_cut),
		cmocka_unit_test(invalid_utf8_in_detail_is_replaced),
		cmocka_unit_test(long_message_is_cut_between_characters),
		cmocka_unit_test(field_list_respects_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
