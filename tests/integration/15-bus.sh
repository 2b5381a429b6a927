# SPDX-License-Identifier: GPL-2.0-or-later
# The D-Bus interface and posturectl, on a private dbus-daemon (the host's bus is never used):
# the name taken at start-up, posturectl status, calibrate and watch, the introspection data the
# README shows, who may call the methods (the policy file, and postured's own check behind a
# permissive policy), snooze, resume, the mode across a restart, and the errors when postured is
# not running.

command -v dbus-daemon >/dev/null || fail "dbus-daemon is missing: install the dbus package (make deps)"
command -v setpriv >/dev/null || fail "setpriv is missing: install util-linux"
[ "$(id -u)" = 0 ] || fail "runs as root (posturectl is also run as other users with setpriv)"
# Users and groups every Debian system has (base-passwd): a member of the test's wearer group is
# nobody with the supplementary group users; the others are nobody alone and daemon.
GROUP=users
getent group "$GROUP" >/dev/null || fail "group $GROUP missing: the test needs it"
getent passwd nobody >/dev/null && getent passwd daemon >/dev/null ||
	fail "users nobody and daemon missing: the test needs them"

# Where other users can reach the bus socket and run posturectl ($T is root's only).
BUS_DIR=$(mktemp -d /tmp/postured-bus.XXXXXX) || fail "cannot create a directory in /tmp"
chmod 0755 "$BUS_DIR"
CTL="$BUS_DIR/posturectl"
cp "$BUILD/posturectl" "$CTL"
BUS_PID=
WATCH_PID=

cleanup_bus() {
	cleanup_sim
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
	[ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
	rm -rf "$BUS_DIR"
}
trap cleanup_bus EXIT

# The installed policy as it is, but for the group name; the system bus's own defaults (deny
# owning and method calls, as /usr/share/dbus-1/system.conf); and one hole that lets daemon call
# the methods, so that postured's own check is what must refuse it.
sed "s/group=\"posture\"/group=\"$GROUP\"/" systemd/io.github.postured.Posture1.conf \
	>"$T/policy.conf"
cat >"$T/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$BUS_DIR/bus.socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <include>$T/policy.conf</include>
  <policy user="daemon">
    <allow send_destination="io.github.postured.Posture1"/>
  </policy>
</busconfig>
EOF
dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/dbus.log" 2>&1 &
BUS_PID=$!
tries=0
while [ ! -S "$BUS_DIR/bus.socket" ]; do
	kill -0 "$BUS_PID" 2>/dev/null || fail "dbus-daemon exited: $(cat "$T/dbus.log")"
	[ "$tries" -lt 100 ] || fail "dbus-daemon did not listen within 10 s"
	sleep 0.1
	tries=$((tries + 1))
done
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$BUS_DIR/bus.socket"

# ctl [USER [GROUPS]] ARGS...: posturectl as root, or as USER with only GROUPS (- for none);
# its stdout in $T/ctl.out, its stderr in $T/ctl.err, its exit status in CTL_STATUS.
ctl() {
	CTL_STATUS=0
	"$CTL" "$@" >"$T/ctl.out" 2>"$T/ctl.err" || CTL_STATUS=$?
}
ctl_as() {
	user=$1
	groups=$2
	shift 2
	CTL_STATUS=0
	if [ "$groups" = - ]; then
		setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups "$CTL" "$@" \
			>"$T/ctl.out" 2>"$T/ctl.err" || CTL_STATUS=$?
	else
		setpriv --reuid="$user" --regid="$(id -g "$user")" --groups="$groups" "$CTL" "$@" \
			>"$T/ctl.out" 2>"$T/ctl.err" || CTL_STATUS=$?
	fi
}
expect_ok() {
	[ "$CTL_STATUS" -eq 0 ] ||
		fail "posturectl $* exited with $CTL_STATUS, expected 0: $(cat "$T/ctl.err")"
}
# expect_failure STATUS MESSAGE ARGS...: exit status STATUS and MESSAGE as the first stderr line.
expect_failure() {
	want_status=$1
	want=$2
	shift 2
	[ "$CTL_STATUS" -eq "$want_status" ] ||
		fail "posturectl $* exited with $CTL_STATUS, expected $want_status"
	[ "$(head -n 1 "$T/ctl.err")" = "$want" ] ||
		fail "posturectl $* said '$(cat "$T/ctl.err")', expected '$want'"
}
# status_line KEY: the value of "   KEY: value" in the last posturectl status.
status_line() {
	sed -n "s/^ *$1: //p" "$T/ctl.out"
}

# Not running yet: what every command says then.
ctl status
expect_failure 1 "Failed to connect to postured: it is not running (nothing owns \
io.github.postured.Posture1 on the system bus; systemctl start postured)" status

quick_config <<INI
[trunk]
device = mpu6050
forward_axis = -X
[bus]
group = $GROUP
INI
# Upright and still (calibrated within 2 s), slumped from 40 s of the wearer's time.
cat >"$T/wearer" <<'SCRIPT'
40 tilt trunk +X 35 over 1
SCRIPT
start_sim mpu6050 "$T/wearer"
wait_event calibrated 10
grep -q "running without the D-Bus interface" "$LOG" &&
	fail "postured did not take its D-Bus name: $(grep 'D-Bus' "$LOG")"

ctl status
expect_ok status
for key in State Activity "Trunk flexion" "Neck flexion" "Lateral bend" "Head inclination" \
	Mode "Snoozed until" "Alerts today" Calibrated Version; do
	[ -n "$(status_line "$key")" ] || fail "posturectl status has no '$key' line: $(cat "$T/ctl.out")"
done
[ "$(status_line State)" = upright ] || fail "posturectl status: State '$(status_line State)', expected upright"
[ "$(status_line "Neck flexion")" = n/a ] || fail "no head sensor, yet Neck flexion is '$(status_line "Neck flexion")'"
expect_near "$(status_line "Trunk flexion" | sed 's/ deg$//')" 0 1.5 "Trunk flexion upright"
[ "$(status_line "Alerts today")" = 0 ] || fail "Alerts today '$(status_line "Alerts today")', expected 0"

# The interface is what the README documents.
busctl introspect --xml-interface io.github.postured.Posture1 /io/github/postured/Posture1 \
	>"$T/introspect.xml" 2>&1 || fail "busctl introspect failed: $(cat "$T/introspect.xml")"
interface() {
	sed -n '/<interface name="io.github.postured.Posture1">/,/<\/interface>/p' "$1" |
		sed 's/^[[:space:]]*//'
}
interface README.md >"$T/readme.xml"
interface "$T/introspect.xml" >"$T/live.xml"
[ -s "$T/live.xml" ] || fail "busctl introspect shows no io.github.postured.Posture1 interface"
diff "$T/readme.xml" "$T/live.xml" >"$T/xml.diff" ||
	fail "README's introspection XML differs from the daemon's: $(cat "$T/xml.diff")"

# watch prints the present state, then a line per change, until SIGTERM.
"$CTL" watch >"$T/watch.out" 2>"$T/watch.err" &
WATCH_PID=$!

# Calibrate as root, then as a member of the group: each is a calibration.
ctl calibrate
expect_ok calibrate
wait_event calibrated 10
tries=0
while [ "$(count_events calibrated)" -lt 2 ]; do
	[ "$tries" -lt 100 ] || fail "posturectl calibrate (root) made no calibrated event"
	sleep 0.1
	tries=$((tries + 1))
done
ctl_as nobody "$GROUP" calibrate
expect_ok calibrate as a member of "$GROUP"
tries=0
while [ "$(count_events calibrated)" -lt 3 ]; do
	[ "$tries" -lt 100 ] || fail "posturectl calibrate (group $GROUP) made no calibrated event"
	sleep 0.1
	tries=$((tries + 1))
done
grep -q "bus (uid 65534): recalibrating" "$LOG" || fail "the log does not name the caller of Calibrate"

# Outside the group: refused by the bus policy (nobody), and by postured itself where the policy
# lets the call through (daemon). Reading stays open to everyone.
ctl_as nobody - calibrate
expect_failure 1 "Failed to calibrate: Access denied (only root and members of group 'posture' \
may control postured)" calibrate as nobody
ctl_as daemon - calibrate
expect_failure 1 "Failed to calibrate: Access denied (only root and members of group '$GROUP' \
may control postured)" calibrate as daemon
grep -q "D-Bus: Calibrate() from uid 1 denied" "$LOG" || fail "postured did not log the refusal"
ctl_as nobody - status
expect_ok status as nobody
sleep 1
[ "$(count_events calibrated)" -eq 3 ] || fail "a refused calibrate calibrated"

# Usage errors are posturectl's own (exit 2), before any call.
ctl snooze 5x
expect_failure 2 "Invalid duration '5x': unknown unit 'x' (units: us, ms, s, min, h, d, w; \
e.g. 90s, 30min, 1h30min)" snooze 5x
ctl mode relaxed
expect_failure 2 "Unknown mode 'relaxed' (modes: iso, training, tracking)" mode relaxed

# The slump: watch sees the state change, the alert counts.
wait_event alert 40
tries=0
until grep -q "State: leaning\|State: slumped" "$T/watch.out"; do
	[ "$tries" -lt 50 ] || fail "posturectl watch printed no state change: $(cat "$T/watch.out")"
	sleep 0.1
	tries=$((tries + 1))
done
sleep 0.5
ctl status
[ "$(status_line State)" = slumped ] || fail "State '$(status_line State)' after the alert, expected slumped"
expect_near "$(status_line "Trunk flexion" | sed 's/ deg$//')" 35 3 "Trunk flexion slumped"
[ "$(status_line "Alerts today")" -ge 1 ] || fail "Alerts today '$(status_line "Alerts today")' after an alert"

# Snooze: no buzz, every alert still written (marked snoozed), with events for its start and end.
ctl snooze 25h
expect_failure 1 "Failed to snooze: a snooze lasts 1 s to 24 h, not 90000 s" snooze 25h
ctl snooze 30m
expect_ok snooze 30m
wait_event snooze_started 5 "POSTURE_DETAIL=requested by bus (uid 0)"
now_s=$(date +%s)
until_usec=$(busctl get-property io.github.postured.Posture1 /io/github/postured/Posture1 \
	io.github.postured.Posture1 SnoozedUntilUSec | cut -d' ' -f2)
expect_near "$((until_usec / 1000000 - now_s))" 1800 5 "SnoozedUntilUSec - now, s"
ctl status
case "$(status_line "Snoozed until")" in
*" left") ;;
*) fail "Snoozed until '$(status_line "Snoozed until")', expected a time and what is left" ;;
esac
case "$(status_line Calibrated)" in
*" ago") ;;
*) fail "Calibrated '$(status_line Calibrated)', expected a time and its age" ;;
esac
# The slump re-alerts every 5 s: the next alert comes while snoozed.
alerts=$(count_events alert)
tries=0
while [ "$(count_events alert)" -le "$alerts" ]; do
	[ "$tries" -lt 150 ] || fail "no alert event while snoozed"
	sleep 0.1
	tries=$((tries + 1))
done
grep '"POSTURE_EVENT":"alert"' "$EVENTS" | tail -n 1 | grep -q '"POSTURE_SILENCED":"snoozed"' ||
	fail "the alert while snoozed is not marked POSTURE_SILENCED=snoozed"
ctl resume
expect_ok resume
wait_event snooze_ended 5
ctl status
[ "$(status_line "Snoozed until")" = no ] || fail "still snoozed after resume"

# The mode: switched over the bus, kept across a restart.
ctl mode training
expect_ok mode training
wait_event mode_changed 5
ctl status
[ "$(status_line Mode)" = training ] || fail "Mode '$(status_line Mode)' after mode training"
expect_clean_stop
start_sim mpu6050 "$T/wearer"
wait_event started 10
ctl status
[ "$(status_line Mode)" = training ] ||
	fail "Mode '$(status_line Mode)' after a restart, expected training (kept in the state directory)"

# Stopped: watch says so and keeps watching; posturectl says postured is not running.
expect_clean_stop
tries=0
until grep -q " postured stopped$" "$T/watch.out"; do
	[ "$tries" -lt 50 ] || fail "posturectl watch did not print that postured stopped"
	sleep 0.1
	tries=$((tries + 1))
done
ctl calibrate
expect_failure 1 "Failed to connect to postured: it is not running (nothing owns \
io.github.postured.Posture1 on the system bus; systemctl start postured)" calibrate
kill -TERM "$WATCH_PID"
watch_status=0
wait "$WATCH_PID" || watch_status=$?
WATCH_PID=
[ "$watch_status" -eq 0 ] || fail "posturectl watch exited with $watch_status on SIGTERM, expected 0"
[ ! -s "$T/watch.err" ] || fail "posturectl watch wrote errors: $(cat "$T/watch.err")"
