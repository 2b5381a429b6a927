# SPDX-License-Identifier: GPL-2.0-or-later
# The alert modes and escalation on the demo session (see 00-replay-demo for its story), replayed:
# - iso: the second and third alerts of the first slump step up their patterns.
# - tracking: the same slumps and alerts at the same times, each alert saying it did not buzz.
# - training (training_hold_s = 8, training_realert_s = 10): the first slump, above 20 deg from
#   12.73 s, alerts after 8 s of holding instead of 35.45 s, and every 10 s after that.

# replay MODE [EXTRA_ALERTS_LINE...]: replays the demo with [alerts] mode = MODE into $EVENTS.
replay() {
	mode=$1
	shift
	{
		cat config/demo.ini
		printf '[alerts]\nmode = %s\n' "$mode"
		for line; do printf '%s\n' "$line"; done
	} >"$T/$mode.ini"
	status=0
	"$BUILD/postured" --replay tests/data/demo-session.csv.gz --config "$T/$mode.ini" \
		--events "$EVENTS" >"$LOG" 2>&1 || status=$?
	[ "$status" -eq 0 ] || fail "postured --replay ($mode) exited with status $status"
}

replay iso
iso_events=$(events)
iso_alert_times=$(grep '"POSTURE_EVENT":"alert"' "$EVENTS" | sed 's/.*"t":\([0-9.]*\).*/\1/' |
	tr '\n' ' ')
grep '"POSTURE_EVENT":"alert"' "$EVENTS" | sed -n 1p | grep -q 'haptic alert pattern 400 200 400 ms' ||
	fail "the first alert plays alert_pattern"
grep '"POSTURE_EVENT":"alert"' "$EVENTS" | sed -n 2p |
	grep -q 'haptic repeat alert pattern 400 200 400 200 400 ms' ||
	fail "the second alert of a slump plays repeat_alert_pattern"
grep '"POSTURE_EVENT":"alert"' "$EVENTS" | sed -n 3p |
	grep -q 'haptic urgent alert pattern 800 200 400 200 400 200 800 ms' ||
	fail "the third alert of a slump plays urgent_alert_pattern"
[ "$(event_field alert POSTURE_MODE 1)" = iso ] || fail "alerts carry POSTURE_MODE=iso"
! grep -q POSTURE_SILENCED "$EVENTS" || fail "no alert is silenced in iso mode"

replay tracking
[ "$(events)" = "$iso_events" ] || fail "tracking gives iso's events: $iso_events"
tracking_alert_times=$(grep '"POSTURE_EVENT":"alert"' "$EVENTS" |
	sed 's/.*"t":\([0-9.]*\).*/\1/' | tr '\n' ' ')
[ "$tracking_alert_times" = "$iso_alert_times" ] ||
	fail "tracking alerts at iso's times ($iso_alert_times), not $tracking_alert_times"
n=$(count_events alert)
[ "$(grep -c '"POSTURE_SILENCED":"tracking"' "$EVENTS")" = "$n" ] ||
	fail "each of the $n alerts says POSTURE_SILENCED=tracking"
! grep -q 'haptic .*pattern' "$EVENTS" || fail "tracking names no haptic pattern"
grep -q 'alert 1 (no buzz: tracking mode)' "$EVENTS" || fail "the MESSAGE says the alert was silent"

replay training 'training_hold_s = 8' 'training_realert_s = 10'
[ "$(event_field alert POSTURE_MODE 1)" = training ] || fail "alerts carry POSTURE_MODE=training"
expect_near "$(event_field alert t 1)" 20.8 0.5 "training: first alert after 8 s above 20 deg"
expect_near "$(event_field alert t 2)" 30.8 0.5 "training: second alert 10 s later"
[ "$(count_events slump_started)" -ge 2 ] || fail "training still sees both slumps"
