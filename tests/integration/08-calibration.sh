# SPDX-License-Identifier: GPL-2.0-or-later
# Calibration, end to end: (1) a wearer who keeps moving at start-up is not calibrated until they
# have been still for still_s; (2) a restart with the same state directory uses the stored
# upright pose, so a wearer already slumped is told so without a new calibration; (3) SIGUSR1
# makes the present pose the new upright: the slump in progress ends, and it is stored.

STILL_S=2
cat >"$T/postured.ini" <<INI
[trunk]
device = mpu6050
forward_axis = -X
[calibration]
still_s = $STILL_S
[detector]
trunk_hold_s = 3
trunk_hold_at_max_s = 1
realert_s = 5
[haptic]
backend = none
INI

# trunk_up FILE: the x y z of the trunk.up line of a stored calibration.
trunk_up() {
	sed -n 's/^trunk\.up = //p' "$1"
}

# (1) Tilts of 15 deg forward and back, each over 0.4 s every 0.5 s of wearer time, for 6 s: a
# movement (fidgeting within settle_deg would not be), so no calibration until the wearer stops,
# upright, at 5.9 s.
awk 'BEGIN { for (i = 0; i < 12; i++) printf "%.1f tilt trunk +X %d over 0.4\n", i * 0.5,
	i % 2 ? 0 : 15 }' >"$T/wearer"
start_sim mpu6050 "$T/wearer" --record "$T/moving.csv"
wait_event calibrated 20
[ "$(count_events calibrated)" -eq 1 ] || fail "expected one calibrated event"
expect_clean_stop
cp "$EVENTS" "$T/events-moving.jsonl"
# When the movement ended in the daemon's own time: the last recorded sample the estimator
# cannot call at rest (gyro at 0.05 rad/s or more, or |accel| 0.3 m/s^2 or more off 1 g).
moved_until=$(awk -F, '/^#/ || !header++ { next }
	sqrt($5 * $5 + $6 * $6 + $7 * $7) >= 0.05 ||
	(sqrt($2 * $2 + $3 * $3 + $4 * $4) - 9.80665) ^ 2 >= 0.09 { t = $1 } END { print t }' \
	"$T/moving.csv")
# No calibration while the wearer moves ...
calibrated_t=$(event_field calibrated t)
awk -v c="$calibrated_t" -v m="$moved_until" 'BEGIN { exit !(c > m) }' ||
	fail "calibrated at $calibrated_t s, while the wearer was still moving" \
		"(until $moved_until s)"
# ... and only once settled for still_s, not in any pause during the movement. The movement's
# end is told once the rate's 1 s variance has fallen and a second of quiet has passed
# (activity.c), so the count may start up to 2 s after the last fast sample.
delay=$(awk -v c="$calibrated_t" -v m="$moved_until" 'BEGIN { print c - m }')
awk -v d="$delay" -v s="$STILL_S" 'BEGIN { exit !(d >= s - 0.01 && d <= s + 2) }' ||
	fail "calibrated at $calibrated_t s, $delay s after the movement ended," \
		"expected still_s = $STILL_S s after it"
# The movement was seen to its end: the daemon's clock starts a little after the wearer's.
awk -v t="$moved_until" 'BEGIN { exit !(t >= 4.5 && t <= 5.95) }' ||
	fail "the recording shows the movement ending at $moved_until s, expected about 5.9 s"
[ -s "$T/state/calibration" ] || fail "no calibration stored in $T/state"
upright=$(trunk_up "$T/state/calibration")
expect_near "$(echo "$upright" | cut -d' ' -f3)" 1 0.005 "stored trunk.up z (upright: 0 0 1)"

# (2) Restart with the same state directory, the wearer already leaning 30 deg forward.
cat >"$T/wearer" <<'SCRIPT'
0 tilt trunk +X 30
SCRIPT
start_sim mpu6050 "$T/wearer"
wait_event slump_started 15
grep -q "using the stored calibration from $T/state" "$LOG" ||
	fail "postured did not say it uses the stored calibration from $T/state"
[ "$(count_events calibrated)" -eq 0 ] ||
	fail "postured calibrated again at start-up instead of using the stored calibration"
# 30 deg from the stored upright: allowed 3 s at 20 deg falling to 1 s at 60 deg, so 2.5 s.
expect_near "$(event_field slump_started POSTURE_TRUNK_DEG)" 30 3 "trunk angle at slump_started"
expect_near "$(event_field slump_started t)" 2.5 0.7 "slump_started time"
expect_running

# (3) SIGUSR1 while slumped: the wearer is still, so the present pose becomes upright at once.
kill -USR1 "$DAEMON_PID"
wait_event calibrated 10
wait_event slump_ended 5
expect_order "started slump_started alert slump_ended calibrated"
[ "$(event_field slump_ended t)" = "$(event_field calibrated t)" ] ||
	fail "slump_ended at $(event_field slump_ended t) s, expected it with the new calibration" \
		"at $(event_field calibrated t) s"
recalibrated=$(trunk_up "$T/state/calibration")
expect_near "$(echo "$recalibrated" | cut -d' ' -f1)" 0.5 0.02 \
	"stored trunk.up x after SIGUSR1 (sin 30 deg; was '$upright')"
# Long enough for a slump at 30 deg from the old upright to start twice over: none does.
sleep "$(awk -v s="$SPEED" 'BEGIN { print 6 / s }')"
expect_running
[ "$(count_events slump_started)" -eq 1 ] ||
	fail "a slump started again after recalibrating at the slumped pose"
expect_clean_stop
stopped_t=$(event_field stopped t)
awk -v a="$stopped_t" -v b="$(event_field calibrated t)" 'BEGIN { exit !(a - b >= 5) }' ||
	fail "postured ran only until $stopped_t s, too short after the recalibration to tell"
