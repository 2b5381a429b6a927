# SPDX-License-Identifier: GPL-2.0-or-later
# posturectl report on journal files as a collector holds them: postured's entries of two wearers
# (two machines) in journal export format, written to journal files by systemd-journal-remote,
# read back with --directory and --file. The local time zone is UTC+1 (TZ=XST-1, no daylight
# saving), so local days differ from UTC days.
#
# alice (machine aaaa...): started 08:20; summaries at 09:00 and 10:00 (written a few ms after
# the hour, as the daemon's wall-clock timer and the journal do), stopped 10:30 (the partial
# hour); started again 23:10, lying down: a summary at midnight closes Monday, one at 01:00, and
# the stop at 01:15:30 Tuesday. Slumps at 08:37-08:44 and 09:25-09:33:20 with 3 alerts.
# bob (machine bbbb...): a summary at 14:00 for 13:00-14:00, then one written by a postured that
# did not yet align its summaries: 14:20-15:20, shared 2/3 : 1/3 between 14:00 and 15:00.
# The expected figures below are worked out by hand from these entries.
# Meanwhile the live daemon, at real speed with summary_interval_s = 60, must close its first
# summary at the next full minute of the wall clock, covering the time since it started.

command -v /lib/systemd/systemd-journal-remote >/dev/null ||
	fail "systemd-journal-remote is missing: install the systemd-journal-remote package (make deps)"
CTL="$BUILD/posturectl"
[ -x "$CTL" ] || fail "$CTL is missing: run make check-integration, which builds it"
export TZ=XST-1

quick_config <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
INI
printf '[journal]\nsummary_interval_s = 60\n' >>"$T/postured.ini"
printf '600 tilt trunk +X 0 over 1\n' >"$T/wearer"
# Not within 3 s of a full minute, so which minute comes next is clear.
while [ $(($(date +%s) % 60)) -ge 57 ]; do sleep 0.5; done
SPEED=1
start_wall=$(date +%s.%N)
start_sim mpu6050 "$T/wearer"

# msgid EVENT: the event's MESSAGE_ID, from event.c's table.
msgid() {
	sed -n "s/.*{ \"$1\", \"\\([0-9a-f]\\{32\\}\\)\".*/\\1/p" daemon/event.c
}

# entry MACHINE HOST 'YYYY-MM-DD HH:MM:SS[.mmm]' EVENT [FIELD=VALUE...]: one postured entry in
# journal export format, at that local time.
seq=0
entry() {
	machine=$1 host=$2 when=$3 event=$4
	shift 4
	seq=$((seq + 1))
	usec=$(date -d "$when" +%s%6N) || fail "date cannot read '$when'"
	printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n' "$usec" "$seq"
	printf '_BOOT_ID=%s\n_MACHINE_ID=%s\n_HOSTNAME=%s\n' "$(echo "$machine" | tr a-f 0-5)" \
		"$machine" "$host"
	printf 'SYSLOG_IDENTIFIER=postured\nPRIORITY=6\n'
	if [ "$event" = other ]; then
		printf 'MESSAGE=not postured\n\n'
		return
	fi
	printf 'MESSAGE_ID=%s\nMESSAGE=%s\nPOSTURE_EVENT=%s\n' "$(msgid "$event")" "$event" "$event"
	for field; do printf '%s\n' "$field"; done
	printf '\n'
}

# period PERIOD UPRIGHT LEANING SLUMPED LYING STILL MOVING ALERTS SLUMPS LONGEST: the fields of a
# summary or stopped entry.
period() {
	printf 'POSTURE_PERIOD_S=%s POSTURE_UPRIGHT_S=%s POSTURE_LEANING_S=%s POSTURE_SLUMPED_S=%s ' \
		"$1" "$2" "$3" "$4"
	printf 'POSTURE_LYING_S=%s POSTURE_STILL_S=%s POSTURE_MOVING_S=%s POSTURE_ALERTS=%s ' \
		"$5" "$6" "$7" "$8"
	printf 'POSTURE_SLUMPS=%s POSTURE_LONGEST_SLUMP_S=%s' "$9" "${10}"
}

A=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
B=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
D1=2026-11-30
D2=2026-12-01
{
	entry $A alice "$D1 08:20:00 +0100" started
	entry $A alice "$D1 08:40:00 +0100" slump_started POSTURE_CAUSE=trunk POSTURE_DURATION_S=180.0
	entry $A alice "$D1 08:40:00 +0100" alert POSTURE_CAUSE=trunk POSTURE_TRUNK_DEG=35.2 \
		POSTURE_ALERT_COUNT=1
	entry $A alice "$D1 08:41:00 +0100" alert POSTURE_CAUSE=trunk POSTURE_TRUNK_DEG=36.0 \
		POSTURE_ALERT_COUNT=2
	entry $A alice "$D1 08:44:00 +0100" slump_ended POSTURE_CAUSE=trunk POSTURE_DURATION_S=420.0
	# shellcheck disable=SC2046
	entry $A alice "$D1 09:00:00.012 +0100" summary $(period 2400 1800 300 240 0 2100 240 2 1 420)
	entry $A alice "$D1 09:30:00 +0100" slump_started POSTURE_CAUSE=neck POSTURE_DURATION_S=300.0
	entry $A alice "$D1 09:30:00 +0100" alert POSTURE_CAUSE=neck POSTURE_TRUNK_DEG=4.0 \
		POSTURE_ALERT_COUNT=1
	entry $A alice "$D1 09:33:20 +0100" slump_ended POSTURE_CAUSE=neck POSTURE_DURATION_S=500.0
	entry $A alice "$D1 09:45:00 +0100" config_reloaded
	entry $A alice "$D1 09:50:00 +0100" other
	# shellcheck disable=SC2046
	entry $A alice "$D1 10:00:00.005 +0100" summary $(period 3600 3000 400 200 0 3300 300 1 1 500)
	# shellcheck disable=SC2046
	entry $A alice "$D1 10:30:00 +0100" stopped $(period 1800 1500 300 0 0 1700 100 0 0 0)
	entry $A alice "$D1 23:10:00 +0100" started
	# shellcheck disable=SC2046
	entry $A alice "$D2 00:00:00.020 +0100" summary $(period 3000 600 0 0 2400 600 0 0 0 0)
	# shellcheck disable=SC2046
	entry $A alice "$D2 01:00:00.003 +0100" summary $(period 3600 0 0 0 3600 0 0 0 0 0)
	# shellcheck disable=SC2046
	entry $A alice "$D2 01:15:30 +0100" stopped $(period 930 30 0 0 900 30 0 0 0 0)
} >"$T/alice.export"
{
	entry $B bob "$D1 13:10:00 +0100" alert POSTURE_CAUSE=trunk POSTURE_TRUNK_DEG=30.0
	entry $B bob "$D1 13:40:00 +0100" alert POSTURE_CAUSE=trunk POSTURE_TRUNK_DEG=31.0
	entry $B bob "$D1 13:45:00 +0100" alert POSTURE_CAUSE=trunk POSTURE_TRUNK_DEG=32.0
	# shellcheck disable=SC2046
	entry $B bob "$D1 14:00:00.010 +0100" summary $(period 3600 2000 800 600 0 3000 400 3 2 400)
	# shellcheck disable=SC2046
	entry $B bob "$D1 15:20:00 +0100" summary $(period 3600 3000 600 0 0 3600 0 1 0 0)
} >"$T/bob.export"

mkdir "$T/remote"
for who in alice bob; do
	/lib/systemd/systemd-journal-remote -o "$T/remote/remote-$who.journal" - \
		<"$T/$who.export" >>"$LOG" 2>&1 ||
		fail "systemd-journal-remote could not write $who's journal file"
done

# report ARG...: posturectl report ARG... into $T/out; fails on a non-zero status.
report() {
	status=0
	"$CTL" report "$@" >"$T/out" 2>>"$LOG" || status=$?
	[ "$status" -eq 0 ] || fail "posturectl report $*: exit status $status"
}

# row WEARER DATE HOUR: the table's row of that hour ("day" for the total) of that day.
row() {
	awk -v w="Wearer $1 " -v d="$2:" -v h="$3" '
		index($0, w) == 1 { inw = 1; next }
		/^Wearer / { inw = 0 }
		inw && $2 == d { ind = 1; next }
		inw && ind && /^[A-Z]/ { ind = 0 }
		inw && ind && $1 == h { $1 = ""; sub(/^ /, ""); print; exit }' "$T/out"
}

# expect_row WEARER DATE HOUR 'MEASURED UPRIGHT ... EXPOSURE' (minutes, as printed)
expect_row() {
	got=$(row "$1" "$2" "$3")
	[ "$got" = "$4" ] || fail "$1 $2 $3: expected '$4', got '$got'"
}

report --directory "$T/remote"
cp "$T/out" "$T/table.txt"
#                                       measured upright leaning slumped lying still moving
#                                       alerts slumps longest exposure
expect_row alice $D1 08:00 "40.0 30.0 5.0 4.0 0.0 35.0 4.0 2 1 7.0 10.3%"
expect_row alice $D1 09:00 "60.0 50.0 6.7 3.3 0.0 55.0 5.0 1 1 8.3 5.6%"
expect_row alice $D1 10:00 "30.0 25.0 5.0 0.0 0.0 28.3 1.7 0 0 0.0 0.0%"
expect_row alice $D1 23:00 "50.0 10.0 0.0 0.0 40.0 10.0 0.0 0 0 0.0 0.0%"
expect_row alice $D1 day "180.0 115.0 16.7 7.3 40.0 128.3 10.7 3 2 8.3 5.3%"
expect_row alice $D2 00:00 "60.0 0.0 0.0 0.0 60.0 0.0 0.0 0 0 0.0 -"
expect_row alice $D2 01:00 "15.5 0.5 0.0 0.0 15.0 0.5 0.0 0 0 0.0 0.0%"
expect_row alice $D2 day "75.5 0.5 0.0 0.0 75.0 0.5 0.0 0 0 0.0 0.0%"
expect_row bob $D1 13:00 "60.0 33.3 13.3 10.0 0.0 50.0 6.7 3 2 6.7 17.6%"
expect_row bob $D1 14:00 "40.0 33.3 6.7 0.0 0.0 40.0 0.0 1 0 0.0 0.0%"
expect_row bob $D1 15:00 "20.0 16.7 3.3 0.0 0.0 20.0 0.0 0 0 0.0 0.0%"
expect_row bob $D1 day "120.0 83.3 23.3 10.0 0.0 110.0 6.7 4 2 6.7 8.6%"
[ "$(grep -c '^Wearer ' "$T/out")" = 2 ] || fail "two wearers, one report each"
grep -q "^Monday $D1: measured 3 h 00 min; upright 1 h 55 min, .* 3 alerts, 2 slumps, longest slump 8.3 min; ISO 11226 exposure 5.3%$" \
	"$T/out" || fail "alice's Monday line: $(grep "^Monday" "$T/out" | head -n1)"

# In UTC the night's hours fall on other days: 22:10-00:15 UTC.
TZ=UTC0 "$CTL" report --directory "$T/remote" --machine alice >"$T/out" 2>>"$LOG" ||
	fail "posturectl report in UTC failed"
expect_row alice $D1 22:00 "50.0 10.0 0.0 0.0 40.0 10.0 0.0 0 0 0.0 0.0%"
expect_row alice $D1 23:00 "60.0 0.0 0.0 0.0 60.0 0.0 0.0 0 0 0.0 -"
expect_row alice $D2 00:00 "15.5 0.5 0.0 0.0 15.0 0.5 0.0 0 0 0.0 0.0%"

# One wearer by hostname or machine id; --file reads the files named.
report --directory "$T/remote" --machine bob
[ "$(grep -c '^Wearer ' "$T/out")" = 1 ] && grep -q "^Wearer bob (machine $B)" "$T/out" ||
	fail "--machine bob: only bob's report"
report --file "$T/remote/remote-alice.journal" --file "$T/remote/remote-bob.journal" \
	--machine $A
grep -q "^Wearer alice (machine $A)" "$T/out" && ! grep -q '^Wearer bob' "$T/out" ||
	fail "--file ... --machine $A: only alice's report"

# --since/--until cut the hours: 09:00-10:15 holds the 09:00 hour and half the stop's period.
report --directory "$T/remote" --machine alice --since "$D1 09:00" --until "$D1 10:15:00"
expect_row alice $D1 09:00 "60.0 50.0 6.7 3.3 0.0 55.0 5.0 1 1 8.3 5.6%"
expect_row alice $D1 10:00 "15.0 12.5 2.5 0.0 0.0 14.2 0.8 0 0 0.0 0.0%"
[ -z "$(row alice $D1 08:00)" ] || fail "--since 09:00 shows the 08:00 hour"
[ -z "$(row alice $D2 00:00)" ] || fail "--until 10:15 shows Tuesday"
report --directory "$T/remote" --since "@$(date -d "$D2 00:00 +0100" +%s)"
[ "$(grep -c '^Wearer ' "$T/out")" = 1 ] || fail "--since Tuesday: only alice has Tuesday"
expect_row alice $D2 day "75.5 0.5 0.0 0.0 75.0 0.5 0.0 0 0 0.0 0.0%"

# JSON: the same figures in seconds.
report --directory "$T/remote" --json
grep -q '"machine_id":"'$A'","hostname":"alice","alert_events":3,"days":\[{"date":"2026-11-30","measured_s":10800.0,"upright_s":6900.0,"leaning_s":1000.0,"slumped_s":440.0,"lying_s":2400.0,"still_s":7700.0,"moving_s":640.0,"alerts":3,"slumps":2,"longest_slump_s":500.0,"iso11226_exposure_pct":5.3,' \
	"$T/out" || fail "JSON: alice's Monday: $(cat "$T/out")"
grep -q '{"start":"2026-11-30T14:00:00+01:00","start_usec":[0-9]*,"measured_s":2400.0,"upright_s":2000.0,"leaning_s":400.0,' \
	"$T/out" || fail "JSON: bob's 14:00 hour: $(cat "$T/out")"
grep -q '"iso11226_exposure_pct":null' "$T/out" || fail "JSON: an hour lying has no exposure"

# The plot: SVG and PNG of 1200 x (2 x 16 + 36 + 2 wearers x 34 + 3 days x 200) = 736 pixels.
report --directory "$T/remote" --plot "$T/days.svg"
report --directory "$T/remote" --plot "$T/days.png"
head -c 400 "$T/days.svg" | grep -q '<svg[^>]* width="1200px" height="736px"' ||
	fail "the SVG is not 1200 x 736: $(head -c 400 "$T/days.svg")"
[ "$(tail -n 1 "$T/days.svg")" = "</svg>" ] || fail "the SVG is not complete"
# Each alert is a black triangle (3 + 3, and the legend's): "M x y L ... Z" paths filled black.
n=$(grep -c 'fill:rgb(0%,0%,0%);fill-opacity:1;" d="M [0-9.]* [0-9.]* L [0-9.]* [0-9.]* L [0-9.]* [0-9.]* Z' \
	"$T/days.svg")
[ "$n" = 7 ] || fail "the SVG has $n alert triangles, expected 6 and the legend's"
# Slumped is vermillion (0.835, 0.369, 0): present in the columns, bars and slump strips.
grep -q 'fill:rgb(83.5' "$T/days.svg" || fail "the SVG has nothing slumped"
[ "$(head -c 8 "$T/days.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "days.png is not a PNG"
[ "$(od -An -tu1 -j16 -N8 "$T/days.png" | tr -s ' ' | sed 's/^ //; s/ $//')" = \
	"0 0 4 176 0 0 2 224" ] || fail "days.png is not 1200 x 736"

# Usage errors: status 2, and the reason.
status=0
"$CTL" report --since "last tuesday" >"$T/out" 2>&1 || status=$?
[ "$status" = 2 ] && grep -q "'last tuesday' is not a time" "$T/out" ||
	fail "--since 'last tuesday': status $status, $(cat "$T/out")"
status=0
"$CTL" report --directory "$T/remote" --plot "$T/days.gif" >"$T/out" 2>&1 || status=$?
[ "$status" = 1 ] && grep -q "name it .svg or .png" "$T/out" ||
	fail "--plot days.gif: status $status, $(cat "$T/out")"
status=0
"$CTL" report --directory "$T/nowhere" >"$T/out" 2>&1 || status=$?
[ "$status" = 1 ] && grep -q "cannot open $T/nowhere" "$T/out" ||
	fail "--directory of nothing: status $status, $(cat "$T/out")"

# Many wearers as the README sets them up: each wearer's journal uploaded over HTTPS by
# systemd-journal-upload, which checks the collector's certificate against the clinic's CA, to
# systemd-journal-remote on loopback; the collector's directory gives the same report.
command -v openssl >/dev/null || fail "openssl is missing: install the openssl package (make deps)"
# cert NAME: NAME.key and NAME.pem, signed by the CA, valid for localhost.
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" \
		-keyout "$T/$1.key" -out "$T/$1.csr" 2>>"$LOG" &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$T/$1.ext" &&
		openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
			-CAcreateserial -days 30 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>>"$LOG" ||
		fail "openssl cannot make the $1 certificate"
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
	-subj "/CN=postured test CA" -keyout "$T/ca.key" -out "$T/ca.pem" 2>>"$LOG" ||
	fail "openssl cannot make the CA"
for name in collector alice bob; do cert $name; done
mkdir "$T/collected"
port=$((20000 + $$ % 20000))
/lib/systemd/systemd-journal-remote --listen-https=127.0.0.1:$port --key="$T/collector.key" \
	--cert="$T/collector.pem" --output="$T/collected/" >>"$LOG" 2>&1 &
remote_pid=$!
# stop_remote: ends the collector this test started.
stop_remote() {
	kill "$remote_pid" 2>/dev/null
	wait "$remote_pid" 2>/dev/null
}
# Listening once ss (iproute2) sees the port.
tries=0
until ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || [ $tries -ge 100 ]; do
	kill -0 "$remote_pid" 2>/dev/null || fail "systemd-journal-remote exited (port $port taken?)"
	sleep 0.1
	tries=$((tries + 1))
done
for who in alice bob; do
	timeout 30 /lib/systemd/systemd-journal-upload --url=https://localhost:$port \
		--key="$T/$who.key" --cert="$T/$who.pem" --trust="$T/ca.pem" --follow=false \
		--file="$T/remote/remote-$who.journal" >>"$LOG" 2>&1 ||
		{ stop_remote; fail "systemd-journal-upload of $who's journal failed"; }
done
# A wrong CA: the uploader refuses the collector.
if timeout 30 /lib/systemd/systemd-journal-upload --url=https://localhost:$port \
	--key="$T/alice.key" --cert="$T/alice.pem" --trust="$T/alice.pem" --follow=false \
	--file="$T/remote/remote-alice.journal" >>"$LOG" 2>&1; then
	stop_remote
	fail "systemd-journal-upload trusted a collector its CA did not sign"
fi
stop_remote
report --directory "$T/collected"
diff "$T/table.txt" "$T/out" >"$T/diff" ||
	fail "the collected journal's report differs: $(cat "$T/diff")"

# The live daemon's first summary: written at the full minute after its start, for the time since.
boundary=$(((${start_wall%.*} / 60 + 1) * 60))
tries=0
until grep -q '"POSTURE_EVENT":"summary"' "$EVENTS" 2>/dev/null; do
	[ $tries -lt 800 ] || fail "no summary within 80 s of the start (due at $boundary)"
	sleep 0.1
	tries=$((tries + 1))
done
arrival=$(date +%s.%N)
expect_near "$arrival" "$boundary.3" 0.4 "the first summary's arrival (wall clock)"
t_summary=$(event_field summary t)
expect_near "$t_summary" "$(echo "$boundary $start_wall" | awk '{ print $1 - $2 }')" 0.5 \
	"the first summary's time since start"
expect_near "$(event_field summary POSTURE_PERIOD_S)" "$t_summary" 0.5 \
	"the first summary's period (since start)"
expect_clean_stop
t_stop=$(event_field stopped t)
expect_near "$(event_field stopped POSTURE_PERIOD_S)" \
	"$(echo "$t_stop $t_summary" | awk '{ print $1 - $2 }')" 0.15 "the stop's partial period"
