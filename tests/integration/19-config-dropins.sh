# SPDX-License-Identifier: GPL-2.0-or-later
# Drop-ins (postured.ini(5)): the files *.ini of $T/postured.ini.d are read after the main file,
# in name order, by --check-config, --dump-config, the daemon at start-up and on SIGHUP; a mistake
# in one is reported at its own FILE:LINE, and a reload that meets it keeps what was in force.

quick_config <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
INI
D=$T/postured.ini.d
mkdir -p "$D"
printf '[detector]\ntrunk_threshold_deg = 30\n' >"$D/20-later.ini"
printf '[detector]\ntrunk_threshold_deg = 25\n[input]\nrate_hz = 40\n' >"$D/10-wearer.ini"
printf '[input]\nrate_hz = 1\n' >"$D/10-wearer.ini~"

# --check-config names what it read; 20-later.ini comes last and wins.
out=$("$BUILD/postured" --check-config "$T/postured.ini" 2>&1) ||
	fail "--check-config rejects the drop-ins: $out"
[ "$out" = "$T/postured.ini: OK, with $T/postured.ini.d/: 10-wearer.ini, 20-later.ini" ] ||
	fail "--check-config says '$out'"

# --dump-config: each value with its origin, and itself a configuration.
"$BUILD/postured" --dump-config "$T/postured.ini" >"$T/dump.ini" 2>"$LOG" ||
	fail "--dump-config failed: $(cat "$LOG")"
for want in "trunk_threshold_deg = 30  # $D/20-later.ini:2" "rate_hz = 40  # $D/10-wearer.ini:4" \
	"still_s = 1  # $T/postured.ini:5" "uri = local:  # default"; do
	grep -Fxq "$want" "$T/dump.ini" || fail "--dump-config lacks the line '$want'"
done
"$BUILD/postured" --check-config "$T/dump.ini" >"$LOG" 2>&1 ||
	fail "the dump is not a valid configuration: $(cat "$LOG")"

# A mistake in a drop-in: exit 2, its FILE:LINE, nothing dumped.
printf '[detector]\n\ntrunk_hold_s = -1\n' >"$D/30-bad.ini"
status=0
"$BUILD/postured" --dump-config "$T/postured.ini" >"$T/dump.out" 2>"$LOG" || status=$?
[ "$status" -eq 2 ] && [ ! -s "$T/dump.out" ] &&
	grep -Fxq "$D/30-bad.ini:3: trunk_hold_s = -1 is out of range (1..7200)" "$LOG" ||
	fail "--dump-config with a bad drop-in: status $status, said '$(cat "$LOG")'"
rm "$D/30-bad.ini"

# The daemon reads them at start-up and logs which.
echo '# upright and breathing throughout' >"$T/wearer"
start_sim mpu6050 "$T/wearer"
wait_event calibrated 10
grep -Fq "postured: config: $T/postured.ini, then $T/postured.ini.d/: 10-wearer.ini, 20-later.ini" \
	"$LOG" || fail "the start-up log does not name the drop-ins"
grep -Fxq "postured: config: [detector] trunk_threshold_deg = 30" "$LOG" ||
	fail "the daemon does not use 20-later.ini's trunk_threshold_deg = 30"

# SIGHUP: a bad drop-in is rejected at its line, the configuration in force stays ...
printf '[detector]\ntrunk_threshold_deg = 35\ntrunk_hold_s = 0\n' >"$D/20-later.ini"
kill -HUP "$DAEMON_PID"
wait_event config_rejected 10
detail=$(event_field config_rejected POSTURE_DETAIL)
case "$detail" in
"$D/20-later.ini:3: trunk_hold_s = 0 is out of range"*) ;;
*) fail "config_rejected does not name the drop-in's line: '$detail'" ;;
esac
# ... and a good one takes effect.
printf '[detector]\ntrunk_threshold_deg = 35\n' >"$D/20-later.ini"
kill -HUP "$DAEMON_PID"
wait_event config_reloaded 10
grep -Fxq "postured: config: [detector] trunk_threshold_deg = 35" "$LOG" ||
	fail "the reload did not apply 20-later.ini's trunk_threshold_deg = 35"
expect_running
expect_clean_stop
