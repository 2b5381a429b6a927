# SPDX-License-Identifier: GPL-2.0-or-later
# Buffered capture gives what polling gives: the same simulated wearers (one MPU-6050 slumping,
# then two MPU-6050s with a forward head), polled (the devices offer no buffer) and then read
# from triggered buffers (their INT pins wired: simwearer --buffer on), produce the same events
# at the same times and angles. In buffer mode the log says which trigger was chosen and why.

quick_config <<'INI'
[trunk]
device = mpu6050
forward_axis = -X
INI
cat >"$T/wearer" <<'SCRIPT'
4 tilt trunk +X 35 over 1
14 tilt trunk +X 0 over 1
20 end
SCRIPT

# run_mode BUFFER PROFILE OUT: one run to its end; the event_times into OUT.
run_mode() {
	rm -rf "$T/state"
	SIM_BUFFER=$1 start_sim "$2" "$T/wearer"
	wait_event stopped 60
	stop_sim
	[ "$SIM_STATUS" -eq 0 ] || fail "postured exited with status $SIM_STATUS (--buffer $1)"
	event_times | grep -v '^summary ' >"$3"
	cp "$EVENTS" "$3.jsonl"
	cp "$LOG" "$3.log"
}

run_mode off mpu6050 "$T/poll"
grep -q 'polling at 50.0 Hz (capture = auto): mpu6050 (iio:device0) offers no buffer' "$T/poll.log" ||
	fail "the poll run's log does not say why it polls"
run_mode on mpu6050 "$T/buffer"
grep -q 'triggered buffer on its own data-ready trigger mpu6050-dev0 at 50.0 Hz, in blocks of 10' \
	"$T/buffer.log" || fail "the buffer run's log does not say it reads the buffer, and how"
EVENTS="$T/buffer.jsonl"
expect_order "started calibrated slump_started alert slump_ended stopped"
expect_near "$(event_field slump_started POSTURE_TRUNK_DEG)" 35 1 "buffered trunk angle at slump_started"
same_events "$T/poll" "$T/buffer" 0.3 "one MPU-6050, polled then buffered"

# Two sensors on their own triggers, each buffer read in blocks: frames pair the roles by time.
quick_config <<'INI'
[trunk]
device = mpu6050
address = 0x68
forward_axis = -X
[head]
enabled = true
device = mpu6050
address = 0x69
forward_axis = -X
INI
cat >"$T/wearer" <<'SCRIPT'
4 tilt head +X 40 over 1
12 tilt head +X 0 over 1
18 end
SCRIPT
EVENTS="$T/events.jsonl"
run_mode off mpu6050x2 "$T/poll2"
run_mode on mpu6050x2 "$T/buffer2"
[ "$(grep -c 'triggered buffer on its own data-ready trigger' "$T/buffer2.log")" -eq 2 ] ||
	fail "both sensors should read their buffers"
EVENTS="$T/buffer2.jsonl"
expect_order "started calibrated slump_started alert slump_ended stopped"
[ "$(event_field slump_started POSTURE_CAUSE)" = neck ] || fail "the buffered slump is not the neck's"
expect_near "$(event_field slump_started POSTURE_NECK_DEG)" 40 2 "buffered neck angle at slump_started"
same_events "$T/poll2" "$T/buffer2" 0.3 "two MPU-6050s, polled then buffered"
