# SPDX-License-Identifier: GPL-2.0-or-later
# End to end replay: the bundled demo session through `postured --replay` gives exactly the
# events its story implies, at the times the ISO holding-time curve predicts.
#
# The session (tests/tools/make-demo-session.py) ramps with half-cosines; config/demo.ini allows
# 30 s at 20 deg falling linearly to 10 s at 60 deg, re-alerts every 20 s, hysteresis 5 deg.
# - Slump 1: 0 -> 35 deg over 10..15 s crosses 20 deg at 12.73 s; the ramp (a slow slump, not a
#   movement) uses 0.09 of the dose and 35 deg allows 22.5 s, so slump_started and alert 1 at
#   35.45 s, alerts 2 and 3 at 55.45 and 75.45 s (still 28 deg: correcting, but above threshold,
#   and the half-cosine correction is not yet fast enough to be a movement), and the correction
#   over 75..77 s passes 15 deg at 76.09 s: slump_ended after 63.4 s.
# - The reach to 45 deg (92..96 s) is above 20 deg for about 3.2 s of the 17.5 s allowed: nothing.
# - Slump 2: 0 -> 40 deg over 111..116 s crosses 20 deg at 113.5 s; 40 deg allows 20 s: started
#   at 133.85 s, alert 2 at 153.85 s, ended at 157.16 s after 43.7 s.
# - Summaries every 60 s of recording time; stopped at the last row (167.98 s).
# Breathing and fidgeting (+-1.5 deg) move these by a few tenths of a second, and so does the
# reference, the mean up of the settled seconds rather than one breath's instant: tolerance 0.5 s.

status=0
"$BUILD/postured" --replay tests/data/demo-session.csv.gz --config config/demo.ini \
	--events "$EVENTS" >"$LOG" 2>&1 || status=$?
[ "$status" -eq 0 ] || fail "postured --replay exited with status $status"

expected="started calibrated slump_started alert alert summary alert slump_ended summary"
expected="$expected slump_started alert alert slump_ended stopped"
[ "$(events)" = "$expected" ] || fail "expected exactly these events: $expected"

# expect_at EVENT N T: the Nth EVENT event came at T s (+-0.5).
expect_at() {
	expect_near "$(event_field "$1" t "$2")" "$3" 0.5 "time of $1 #$2"
}
expect_at slump_started 1 35.45
expect_at alert 1 35.45
expect_at alert 2 55.45
expect_at alert 3 75.45
expect_at slump_ended 1 76.09
expect_near "$(event_field slump_ended POSTURE_DURATION_S 1)" 63.4 0.5 "first slump's duration"
expect_at slump_started 2 133.85
expect_at alert 5 153.85
expect_at slump_ended 2 157.16
expect_near "$(event_field slump_ended POSTURE_DURATION_S 2)" 43.7 0.5 "second slump's duration"
expect_at summary 1 60.0
expect_at summary 2 120.0
expect_at stopped 1 167.98
[ "$(event_field alert POSTURE_ALERT_COUNT 3)" = 3 ] ||
	fail "the third alert of the first slump has POSTURE_ALERT_COUNT" \
		"'$(event_field alert POSTURE_ALERT_COUNT 3)'"
[ "$(event_field stopped POSTURE_SLUMPS)" = 1 ] ||
	fail "stopped counts '$(event_field stopped POSTURE_SLUMPS)' slumps since the last summary"
