/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the wearer feels and reads for each decision: the alert patterns step up within a slump,
 * silenced alerts are still written and say why, the correction buzz, snooze and mode events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postured/actions.h"

struct fixture {
	struct config cfg;
	struct event_sink sink;
	struct actions a;
	char *out;
	size_t out_len;
	const struct haptic_pattern *buzzed[16];
	int n_buzzed;
	int minute;
};

static void buzz(void *ctx, const struct haptic_pattern *p)
{
	struct fixture *fx = ctx;

	fx->buzzed[fx->n_buzzed++] = p;
}

static int minute_of_day(void *ctx)
{
	return ((struct fixture *)ctx)->minute;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	config_defaults(&fx->cfg);
	fx->sink.jsonl = open_memstream(&fx->out, &fx->out_len);
	fx->a.sink = &fx->sink;
	fx->a.motor_present = true;
	fx->a.buzz = buzz;
	fx->a.minute_of_day = minute_of_day;
	fx->a.hook_ctx = fx;
	fx->minute = 10 * 60;
	actions_init(&fx->a, &fx->cfg, ALERT_MODE_ISO);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fclose(fx->sink.jsonl);
	free(fx->out);
	free(fx);
	return 0;
}

/* The JSON lines written so far, and a fresh start for the next. */
static char *take_output(struct fixture *fx)
{
	static char copy[16384];

	fflush(fx->sink.jsonl);
	snprintf(copy, sizeof(copy), "%s", fx->out ? fx->out : "");
	rewind(fx->sink.jsonl);
	if (fx->out)
		fx->out[0] = '\0';
	fx->n_buzzed = 0;
	return copy;
}

static void alert(struct fixture *fx, double t_s, unsigned int count)
{
	struct posture_event ev;

	if (count == 1) {
		event_init(&ev, EVENT_SLUMP_STARTED, t_s);
		actions_on_event(&fx->a, &ev);
	}
	event_init(&ev, EVENT_ALERT, t_s);
	ev.alert_count = count;
	ev.duration_s = 240.0;
	actions_on_event(&fx->a, &ev);
}

static void end_slump(struct fixture *fx, double t_s, enum activity_class activity)
{
	struct posture_event ev;

	event_init(&ev, EVENT_SLUMP_ENDED, t_s);
	ev.have_activity = true;
	ev.activity = activity;
	actions_on_event(&fx->a, &ev);
}

static void alerts_step_up_within_a_slump(void **state)
{
	struct fixture *fx = *state;
	char *out;

	alert(fx, 100.0, 1);
	assert_int_equal(fx->n_buzzed, 1);
	assert_true(fx->buzzed[0]->n_steps == fx->cfg.alert_pattern.n_steps);
	out = take_output(fx);
	assert_non_null(strstr(out, "\"POSTURE_MODE\":\"iso\""));
	assert_non_null(strstr(out, "haptic alert pattern 400 200 400 ms"));
	assert_null(strstr(out, "POSTURE_SILENCED"));

	alert(fx, 220.0, 2);
	assert_int_equal(fx->n_buzzed, 1);
	assert_int_equal(fx->buzzed[0]->n_steps, 5);
	assert_non_null(strstr(take_output(fx), "haptic repeat alert pattern 400 200 400 200 400"));
	alert(fx, 340.0, 3);
	alert(fx, 460.0, 4);
	assert_int_equal(fx->n_buzzed, 2);
	assert_int_equal(fx->buzzed[0]->step_ms[0], 800);
	assert_ptr_equal(fx->buzzed[1], fx->buzzed[0]);
	out = take_output(fx);
	assert_non_null(strstr(out, "haptic urgent alert pattern 800 200"));

	/* The next slump starts from the first pattern again. */
	end_slump(fx, 500.0, ACTIVITY_MOVING);
	alert(fx, 900.0, 1);
	assert_int_equal(fx->buzzed[0]->n_steps, 3);
	assert_int_equal(fx->a.alerts, 5);
}

static void silenced_alerts_are_written_and_say_why(void **state)
{
	struct fixture *fx = *state;
	char *out;

	fx->minute = 23 * 60;
	snprintf(fx->cfg.quiet_hours, sizeof(fx->cfg.quiet_hours), "22:00-07:00");
	actions_set_config(&fx->a, &fx->cfg);
	alert(fx, 100.0, 1);
	assert_int_equal(fx->n_buzzed, 0);
	out = take_output(fx);
	assert_non_null(strstr(out, "\"POSTURE_EVENT\":\"alert\""));
	assert_non_null(strstr(out, "\"POSTURE_SILENCED\":\"quiet_hours\""));
	assert_non_null(strstr(out, "alert 1 (no buzz: quiet hours)"));
	assert_null(strstr(out, "haptic alert pattern"));

	fx->minute = 8 * 60;
	actions_snooze(&fx->a, 200.0, 600.0, "button");
	out = take_output(fx);
	assert_non_null(strstr(out, "\"POSTURE_EVENT\":\"snooze_started\""));
	assert_non_null(strstr(out, "\"POSTURE_DURATION_S\":\"600.0\""));
	assert_non_null(strstr(out, "Alerts snoozed for 10.0 min; requested by button"));
	alert(fx, 300.0, 2);
	assert_int_equal(fx->n_buzzed, 0);
	assert_non_null(strstr(take_output(fx), "\"POSTURE_SILENCED\":\"snoozed\""));

	/* The snooze ends by itself, once. */
	actions_tick(&fx->a, 799.0);
	assert_string_equal(take_output(fx), "");
	actions_tick(&fx->a, 800.0);
	actions_tick(&fx->a, 801.0);
	out = take_output(fx);
	assert_non_null(strstr(out, "\"POSTURE_EVENT\":\"snooze_ended\""));
	assert_null(strstr(strstr(out, "snooze_ended") + 1, "snooze_ended"));
	assert_non_null(strstr(out, "Snooze ended after 10.0 min"));
	alert(fx, 900.0, 3);
	assert_int_equal(fx->n_buzzed, 1);

	actions_set_mode(&fx->a, 950.0, ALERT_MODE_TRACKING, "bus (uid 1000)");
	out = take_output(fx);
	assert_non_null(strstr(out, "\"POSTURE_EVENT\":\"mode_changed\""));
	assert_non_null(strstr(out, "\"POSTURE_MODE\":\"tracking\""));
	assert_non_null(strstr(out, "requested by bus (uid 1000)"));
	alert(fx, 1000.0, 4);
	assert_int_equal(fx->n_buzzed, 0);
	assert_non_null(strstr(take_output(fx), "\"POSTURE_SILENCED\":\"tracking\""));
	/* Setting the mode in force again writes nothing. */
	actions_set_mode(&fx->a, 1010.0, ALERT_MODE_TRACKING, "bus (uid 1000)");
	assert_string_equal(take_output(fx), "");
}

static void resume_ends_a_snooze_early(void **state)
{
	struct fixture *fx = *state;
	char *out;
	double until_s;

	actions_resume(&fx->a, 10.0, "button");
	assert_string_equal(take_output(fx), "");
	actions_snooze(&fx->a, 10.0, 1800.0, "button");
	assert_true(actions_snoozed_until(&fx->a, &until_s));
	assert_true(until_s == 1810.0);
	/* A reload keeps the snooze in force. */
	actions_set_config(&fx->a, &fx->cfg);
	assert_true(actions_snoozed_until(&fx->a, &until_s));
	actions_resume(&fx->a, 70.0, "bus (uid 0)");
	out = take_output(fx);
	assert_non_null(strstr(out, "Snooze ended after 60 s; requested by bus (uid 0)"));
	assert_false(actions_snoozed_until(&fx->a, &until_s));
	actions_tick(&fx->a, 2000.0);
	assert_string_equal(take_output(fx), "");
}

static void correction_buzz_only_for_sitting_up_after_an_alert(void **state)
{
	struct fixture *fx = *state;
	struct posture_event ev;

	/* Off by default. */
	alert(fx, 100.0, 1);
	end_slump(fx, 150.0, ACTIVITY_STILL);
	assert_int_equal(fx->n_buzzed, 1);
	take_output(fx);

	fx->cfg.correction_buzz = true;
	actions_set_config(&fx->a, &fx->cfg);
	alert(fx, 200.0, 1);
	end_slump(fx, 250.0, ACTIVITY_STILL);
	assert_int_equal(fx->n_buzzed, 2);
	assert_int_equal(fx->buzzed[1]->step_ms[0], 60);
	take_output(fx);
	/* Walking away or lying down is not a correction to confirm. */
	alert(fx, 300.0, 1);
	end_slump(fx, 350.0, ACTIVITY_MOVING);
	alert(fx, 400.0, 1);
	end_slump(fx, 450.0, ACTIVITY_LYING);
	assert_int_equal(fx->n_buzzed, 2);
	/* A slump that never alerted (a recalibration released it) has nothing to confirm. */
	event_init(&ev, EVENT_SLUMP_STARTED, 500.0);
	actions_on_event(&fx->a, &ev);
	end_slump(fx, 510.0, ACTIVITY_STILL);
	assert_int_equal(fx->n_buzzed, 2);
}

static void calibration_tick_is_silenced_unless_asked_for(void **state)
{
	struct fixture *fx = *state;
	struct posture_event ev;

	actions_set_mode(&fx->a, 0.0, ALERT_MODE_TRACKING, "test");
	event_init(&ev, EVENT_CALIBRATED, 10.0);
	actions_on_event(&fx->a, &ev);
	assert_int_equal(fx->n_buzzed, 0);
	assert_true(fx->a.calibrated);
	assert_true(fx->a.last_calibrated_s == 10.0);
	ev.requested = true;
	actions_on_event(&fx->a, &ev);
	assert_int_equal(fx->n_buzzed, 1);
	assert_ptr_equal(fx->buzzed[0], &fx->cfg.calibrated_pattern);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(alerts_step_up_within_a_slump, setup, teardown),
		cmocka_unit_test_setup_teardown(silenced_alerts_are_written_and_say_why, setup,
						teardown),
		cmocka_unit_test_setup_teardown(resume_ends_a_snooze_early, setup, teardown),
		cmocka_unit_test_setup_teardown(correction_buzz_only_for_sitting_up_after_an_alert,
						setup, teardown),
		cmocka_unit_test_setup_teardown(calibration_tick_is_silenced_unless_asked_for,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
