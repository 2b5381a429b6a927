# SPDX-License-Identifier: GPL-2.0-or-later
# A live session recorded with --record is a valid recording: its header is the documented one,
# it holds what the sensor delivered, and --replay of it finds the same slump.

quick_config <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
INI

cat >"$T/wearer" <<'SCRIPT'
4 tilt trunk +X 35 over 1
12 tilt trunk +X 0 over 1
SCRIPT

start_sim mpu6050 "$T/wearer" --record "$T/session.csv"
wait_event slump_ended 30
expect_clean_stop

[ "$(sed -n 1p "$T/session.csv")" = "# postured-recording 1" ] ||
	fail "the recording's first line is '$(sed -n 1p "$T/session.csv")'," \
		"expected '# postured-recording 1'"
header=$(grep -v '^#' "$T/session.csv" | sed -n 1p)
[ "$header" = "t,trunk.ax,trunk.ay,trunk.az,trunk.gx,trunk.gy,trunk.gz" ] ||
	fail "the recording's header is '$header'"
# Mid-slump the sensor read g (sin 35 deg, 0, cos 35 deg), swayed by simwearer's breathing
# (+-0.5 deg, 4 s a breath): averaged over one whole breath, 6 to 10 s, the sway cancels whatever
# its phase in the daemon's clock, which starts a little after the wearer's.
mean=$(grep -v '^#' "$T/session.csv" | awk -F, 'NR > 1 && $1 >= 6 && $1 < 10 {
	n++; ax += $2; az += $4 } END { if (n) printf "%.4f %.4f %d", ax / n, az / n, n }')
[ "${mean##* }" -ge 150 ] 2>/dev/null ||
	fail "the recording has ${mean##* } rows from 6 to 10 s, expected 200 at 50 Hz"
expect_near "$(echo "$mean" | cut -d' ' -f1)" 5.625 0.01 "mean trunk.ax from 6 to 10 s"
expect_near "$(echo "$mean" | cut -d' ' -f2)" 8.033 0.01 "mean trunk.az from 6 to 10 s"

# While the trunk turns (wearer time 4..5 s) every poll must see a new reading: a timer that
# fires in bursts (sd-event's default 250 ms accuracy) reads one value many times over and
# stamps the copies with made-up times.
repeats=$(grep -v '^#' "$T/session.csv" | awk -F, 'NR > 1 && $1 >= 4.1 && $1 <= 4.9 {
	rows++; if ($2 == prev) same++; prev = $2 } END { printf "%d of %d", same, rows }')
[ "${repeats%% of *}" -le 2 ] && [ "${repeats##* of }" -ge 30 ] ||
	fail "while turning, $repeats recorded rows repeat the previous accelerometer reading"

live_slump_t=$(event_field slump_started t)
EVENTS="$T/replay.jsonl"
status=0
"$BUILD/postured" --replay "$T/session.csv" --config "$T/postured.ini" --events "$EVENTS" \
	>"$T/replay.log" 2>&1 || status=$?
[ "$status" -eq 0 ] ||
	fail "postured --replay exited with status $status: $(tail -n 5 "$T/replay.log")"
expect_order "calibrated slump_started alert slump_ended"
expect_near "$(event_field slump_started t)" "$live_slump_t" 0.5 "replayed slump_started time"
