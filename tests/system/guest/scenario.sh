#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The system test's driver inside the virtual machine (installed as
# /usr/local/libexec/postured-test/scenario.sh):
#   scenario.sh sensors   two MPU-6050s on i2c-stub, bound to the real inv_mpu6050 driver, the
#                         wearer upright and breathing (run by postured-test-sensors.service,
#                         before postured.service; the breathing loop stays in that service)
#   scenario.sh run       the scenario, phase by phase (postured-test-scenario.service)
# It moves the emulated wearer by writing the sensors' registers, and records only what a user
# would read: systemctl is-active / show, `journalctl -u postured -o json`, `journalctl -x`,
# posturectl and busctl.
# It judges nothing: it writes everything to the second serial port, where the host compares it
# with tests/system/expected/. Every wait has a timeout, so a broken daemon only makes phases
# end early with what they saw.
set -u

RESULTS=/dev/ttyS1
CONFIG=/etc/postured/postured.ini
WORK=/run/postured-test
CURSOR=$WORK/cursor
DROPIN_DIR=/run/systemd/system/postured.service.d
DRIVER=/sys/bus/i2c/drivers/inv-mpu6050-i2c
HOLD_S=12
TRUNK_ADDR=0x68
HEAD_ADDR=0x69
# A BMI160 for the buffered-capture phase: on i2c-stub from the start, bound in that phase only.
BMI_ADDR=0x6a
# The registers are written under this lock (flock), by pose and by the breathing loop alike.
LOCK=$WORK/registers.lock

mkdir -p "$WORK"

# The bus number of i2c-stub's adapter: other adapters (the machine's SMBus) may come first.
stub_bus() {
	for adapter in /sys/bus/i2c/devices/i2c-*; do
		if [ "$(cat "$adapter/name" 2>/dev/null)" = "SMBus stub driver" ]; then
			echo "${adapter##*-}"
			return 0
		fi
	done
	echo "scenario: no i2c-stub adapter in /sys/bus/i2c/devices" >&2
	return 1
}

now() {
	cut -d' ' -f1 /proc/uptime
}

# after T S: the uptime S seconds after uptime T.
after() {
	awk -v t="$1" -v s="$2" 'BEGIN { print t + s }'
}

# sleep_until T: sleeps until uptime T (seconds, fractional).
sleep_until() {
	left=$(awk -v t="$1" -v n="$(now)" 'BEGIN { d = t - n; printf "%.2f", (d > 0 ? d : 0) }')
	sleep "$left"
}

# registers ROLE BYTE...: one I2C block write of the fourteen bytes from ACCEL_XOUT_H (0x3b) to
# GYRO_ZOUT_L (0x48) of the sensor of ROLE (trunk, head), so the driver never reads a
# half-written pose. The caller holds $LOCK.
registers() {
	case "$1" in
	trunk) addr=$TRUNK_ADDR ;;
	head) addr=$HEAD_ADDR ;;
	esac
	shift
	i2cset -f -y "$BUS" "$addr" 0x3b "$@" i
}

# pose ROLE DEG: the sensor of ROLE now tilted DEG forward from upright, at once; the breathing
# loop sways it about that pose from its next step on. Upright, +Z points up; forward is +Y, so
# leaning forward turns the measured up vector (the accelerometer's reading at rest, 1 g = 16384
# at the driver's default +-2 g) toward -Y: a turn about +x, which the gyroscope reads as a
# negative x rate. The registers hold big-endian 16-bit values (accel, temperature, gyro).
# $WORK/pose.ROLE gets five lines of register bytes: the pose at rest, written now, and the
# loop's four steps (see breathe), computed here once per pose rather than by the loop. File and
# registers change together under $LOCK, so a step of the loop comes wholly before the change
# (and is overwritten) or wholly after it (and sways the new pose).
pose() {
	(
		flock 9
		counts=0
		if [ -r "$WORK/breath-gyro-counts" ]; then
			read -r counts <"$WORK/breath-gyro-counts"
		fi
		awk -v deg="$2" -v counts="$counts" '
			function word(v) {
				v = int(v + (v < 0 ? -0.5 : 0.5))
				if (v < 0)
					v += 65536
				return sprintf("0x%02x 0x%02x", int(v / 256), v % 256)
			}
			function bytes(d, gx,  r) {
				r = d * atan2(0, -1) / 180
				printf "%s %s %s ", word(0), word(-16384 * sin(r)), word(16384 * cos(r))
				printf "%s %s %s %s\n", word(0), word(gx), word(0), word(0)
			}
			BEGIN {
				bytes(deg, 0)
				bytes(deg, -counts)
				bytes(deg + 0.5, 0)
				bytes(deg, counts)
				bytes(deg - 0.5, 0)
			}' >"$WORK/pose.$1"
		read -r at_rest <"$WORK/pose.$1"
		# shellcheck disable=SC2086 # fourteen separate byte arguments
		registers "$1" $at_rest
	) 9>"$LOCK"
}

# A worn sensor is never perfectly still, and postured tells a worn sensor from one on a desk by
# that. Breathing: every second, each sensor's pose plus a pitch sway of 0.5 deg *
# sin(2 pi 0.25 t), in four steps per 4 s breath (0, +0.5, 0, -0.5 deg forward), the gyro reading
# the sway's rate at that step (0.79 deg/s * cos: -0.79, 0, +0.79, 0 deg/s about x, forward being
# negative), both sensors in phase. A step is line 2 + STEP of $WORK/pose.ROLE: two block writes,
# a flock and a sleep a second keep the load on the emulated (TCG) machine small. The loop ends on
# SIGTERM (systemd stopping the sensors' service at power-off) after the step in progress: systemd
# sends it to every process of the service, so the step and the sleep ignore it and finish.
breathe() {
	stop=no
	trap 'stop=yes' TERM INT
	step=0
	while [ "$stop" = no ]; do
		(
			trap '' TERM
			flock 9
			for role in trunk head; do
				{
					i=0
					while [ "$i" -le "$step" ]; do
						read -r line
						i=$((i + 1))
					done
					read -r line
				} <"$WORK/pose.$role"
				# shellcheck disable=SC2086 # fourteen separate byte arguments
				registers "$role" $line
			done
		) 9>"$LOCK"
		step=$(((step + 1) % 4))
		(
			trap '' TERM
			exec sleep 1
		)
	done
}

setup_sensors() {
	modprobe i2c-dev
	modprobe i2c-stub chip_addr=$TRUNK_ADDR,$HEAD_ADDR,$BMI_ADDR
	# Loaded here rather than by udev's modalias rule: the devices then bind at once.
	modprobe inv-mpu6050-i2c
	BUS=$(stub_bus) || exit 1
	for addr in $TRUNK_ADDR $HEAD_ADDR; do
		i2cset -y "$BUS" "$addr" 0x75 0x68 # WHO_AM_I of an MPU-6050
	done
	pose trunk 0
	pose head 0
	for addr in $TRUNK_ADDR $HEAD_ADDR; do
		echo "mpu6050 $addr" >"/sys/bus/i2c/devices/i2c-$BUS/new_device"
	done
	for dev in "$BUS-0068" "$BUS-0069"; do
		tries=0
		until ls -d "/sys/bus/i2c/devices/$dev"/iio:device* >/dev/null 2>&1; do
			if [ "$tries" -ge 100 ]; then
				echo "scenario: inv_mpu6050 did not bind $dev within 10 s" >&2
				exit 1
			fi
			sleep 0.1
			tries=$((tries + 1))
		done
		echo "scenario: $dev is $(basename "/sys/bus/i2c/devices/$dev"/iio:device*)" \
			"($(cat "/sys/bus/i2c/devices/$dev"/iio:device*/name))"
	done
	# The driver's gyro scale (rad/s per count) sets the counts of the breathing's 0.79 deg/s;
	# the poses are written again with them.
	scale=$(cat "/sys/bus/i2c/devices/$BUS-0068"/iio:device*/in_anglvel_scale)
	awk -v s="$scale" 'BEGIN { pi = atan2(0, -1)
		printf "%d\n", 0.5 * 2 * pi * 0.25 * pi / 180 / s + 0.5 }' \
		>"$WORK/breath-gyro-counts"
	pose trunk 0
	pose head 0
	# Left running in the service (oneshot, RemainAfterExit): its stop at power-off ends it.
	breathe </dev/null &
	echo "scenario: the wearer breathes (process $!)"
}

### recording ###

out() {
	printf '%s\n' "$*" >>"$RESULTS"
}

# check KEY VALUE: one observation of the current phase.
check() {
	key=$1
	shift
	out "check $key = $*"
}

begin_phase() {
	PHASE=$1
	PHASE_START_USEC=$(awk '{ printf "%d", $1 * 1000000 }' /proc/uptime)
	out "=== phase $PHASE $(now)"
}

# The phase's journal: every entry of the unit since the previous phase, as JSON.
end_phase() {
	out "=== journal $PHASE"
	journalctl -u postured.service -o json --no-pager -q --cursor-file="$CURSOR" >>"$RESULTS"
	out "=== end $PHASE $(now)"
}

prop() {
	systemctl show -p "$1" --value postured.service
}

# prop_of UNIT PROPERTY
prop_of() {
	systemctl show -p "$2" --value "$1"
}

# wait_event EVENT TIMEOUT_S [FIELD=VALUE]: until the journal has EVENT since the phase began
# (journal entries carry the monotonic clock, which /proc/uptime shows too).
wait_event() {
	deadline=$(awk -v n="$(now)" -v t="$2" 'BEGIN { print n + t }')
	while :; do
		if journalctl -u postured.service -q -o json --no-pager "POSTURE_EVENT=$1" \
			${3:+"$3"} 2>/dev/null | awk -v since="$PHASE_START_USEC" '
			match($0, /"__MONOTONIC_TIMESTAMP":"[0-9]*"/) &&
			    substr($0, RSTART + 25, RLENGTH - 26) + 0 > since + 0 { found = 1 }
			END { exit !found }'; then
			return 0
		fi
		if awk -v n="$(now)" -v d="$deadline" 'BEGIN { exit !(n > d) }'; then
			echo "scenario: phase $PHASE: no $1 event${3:+ with $3} within $2 s"
			return 1
		fi
		sleep 0.5
	done
}

# wait_active TIMEOUT_S: until postured.service is active (it reports READY=1 once the sensors
# answer), or TIMEOUT_S passed.
wait_active() {
	tries=0
	while [ "$(systemctl is-active postured.service)" != active ] &&
		[ "$tries" -lt $(($1 * 2)) ]; do
		sleep 0.5
		tries=$((tries + 1))
	done
}

### phases ###

# What a wearer sees after switching on: the service up, calibrated once still and upright.
# startup_phase NAME START_TIMEOUT_S CALIBRATED_TIMEOUT_S
startup_phase() {
	begin_phase "$1"
	wait_active "$2"
	if [ "$(systemctl is-active postured.service)" = active ]; then
		out "=== active $PHASE $(now)"
	fi
	wait_event calibrated "$3"
	sleep 1
	check active "$(systemctl is-active postured.service)"
	check status "$(prop StatusText)"
	end_phase
}

# slump PHASE TRUNK_DEG HEAD_DEG: holds the pose for HOLD_S, then sits up straight again.
# The correction runs on its own clock, so slow checks cannot stretch the slump; the status is
# read 2 s before it, well after the slump has started (7.5 s in at most, for these poses).
slump() {
	begin_phase "$1"
	t0=$(now)
	pose head "$3"
	pose trunk "$2"
	(
		sleep_until "$(after "$t0" "$HOLD_S")"
		pose trunk 0
		pose head 0
	) &
	correction=$!
	sleep_until "$(after "$t0" $((HOLD_S - 2)))"
	check status "$(prop StatusText)"
	wait "$correction"
	wait_event slump_ended 10
	sleep 1
	check status "$(prop StatusText)"
	end_phase
}

reload_phase() {
	begin_phase reload
	sed -i 's/^trunk_threshold_deg = 20$/trunk_threshold_deg = 10/' "$CONFIG"
	systemctl reload postured.service
	wait_event config_reloaded 10
	end_phase
	# 15 deg: no slump with the boot-time threshold of 20, one with the reloaded 10.
	slump reload-takes-effect 15 15
}

reload_invalid_phase() {
	begin_phase reload-invalid
	pid=$(prop MainPID)
	cp "$CONFIG" "$WORK/good.ini"
	sed -i 's/^trunk_threshold_deg = 10$/trunk_threshold_deg = 200/' "$CONFIG"
	systemctl reload postured.service
	check reload-exit-status "$?"
	wait_event config_rejected 10
	sleep 1
	check active "$(systemctl is-active postured.service)"
	check same-process "$([ "$(prop MainPID)" = "$pid" ] && echo yes || echo no)"
	check status "$(prop StatusText)"
	# The wearer fixes the file; the daemon kept the previous settings all along.
	cp "$WORK/good.ini" "$CONFIG"
	end_phase
}

# The trunk sensor's driver unbound (what a loose cable looks like to the daemon) for longer than
# WatchdogSec=, then bound again.
unplug_phase() {
	begin_phase sensor-unplug
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	t0=$(now)
	echo "$BUS-0068" >"$DRIVER/unbind"
	wait_event sensor_lost 10 POSTURE_SENSOR=trunk
	sleep 1
	check status-while-lost "$(prop StatusText)"
	steady=yes
	until awk -v n="$(now)" -v t="$t0" 'BEGIN { exit !(n > t + 15) }'; do
		if [ "$(systemctl is-active postured.service)" != active ] ||
			[ "$(prop MainPID)" != "$pid" ]; then
			steady=no
		fi
		sleep 2
	done
	check active-with-the-same-process-for-15s "$steady"
	echo "$BUS-0068" >"$DRIVER/bind"
	wait_event sensor_restored 20 POSTURE_SENSOR=trunk
	sleep 2
	check active "$(systemctl is-active postured.service)"
	check same-process "$([ "$(prop MainPID)" = "$pid" ] && echo yes || echo no)"
	check restarts-during-phase "$(($(prop NRestarts) - restarts))"
	check status "$(prop StatusText)"
	end_phase
}

# The daemon killed: systemd restarts it, and it carries on with the stored calibration.
kill_phase() {
	begin_phase kill-restart
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	systemctl kill -s SIGKILL postured.service
	tries=0
	while [ "$tries" -lt 80 ]; do
		new=$(prop MainPID)
		if [ "$new" != 0 ] && [ "$new" != "$pid" ] &&
			[ "$(systemctl is-active postured.service)" = active ]; then
			break
		fi
		sleep 0.5
		tries=$((tries + 1))
	done
	check active "$(systemctl is-active postured.service)"
	check new-process "$([ "$(prop MainPID)" != "$pid" ] && echo yes || echo no)"
	check restarts-during-phase "$(($(prop NRestarts) - restarts))"
	# Still and upright for twice still_s: a daemon that lost its calibration would redo it now.
	sleep 4
	check status "$(prop StatusText)"
	systemctl stop postured.service
	check after-stop "$(systemctl is-active postured.service)"
	# ExecStopPost=postured --motor-off ran after the kill and the stop: with backend = none it
	# has no motor to stop and must succeed, or the unit would end up failed.
	check stop-post "$(systemctl show -p ExecStopPost --value postured.service |
		sed -n 's/.*code=\([a-z]*\) ; status=\([0-9]*\).*/\1 \2/p')"
	end_phase
}

# postured started with the head MPU-6050 unbound (a sensor missing at boot), bound 6 s later:
# `systemctl start` returns once the grace period is over, the trunk is monitored meanwhile, and
# the head is picked up by the retry, with the stored calibration's head reference.
head_missing_phase() {
	begin_phase head-missing-at-start
	echo "$BUS-0069" >"$DRIVER/unbind"
	t0=$(now)
	systemctl start postured.service
	check start-exit-status "$?"
	check ready-after-the-grace-period "$(awk -v t="$t0" -v n="$(now)" \
		'BEGIN { d = n - t; print (d >= 5 && d < 15) ? "yes" : "no, after " d " s" }')"
	check active "$(systemctl is-active postured.service)"
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	wait_event sensor_lost 10 POSTURE_SENSOR=head
	sleep 1
	check status-while-missing "$(prop StatusText)"
	sleep_until "$(after "$t0" 6)"
	echo "$BUS-0069" >"$DRIVER/bind"
	wait_event sensor_restored 20 POSTURE_SENSOR=head
	sleep 2
	check active-after-bind "$(systemctl is-active postured.service)"
	check same-process "$([ "$(prop MainPID)" = "$pid" ] && echo yes || echo no)"
	check restarts-during-phase "$(($(prop NRestarts) - restarts))"
	check status "$(prop StatusText)"
	end_phase
}

# journalctl -x explains every event from the installed catalog.
catalog_phase() {
	begin_phase catalog
	for event in started calibrated slump_started alert slump_ended sensor_lost \
		sensor_restored config_reloaded config_rejected stopped; do
		subject=$(journalctl -u postured.service -x -q --no-pager -n 1 \
			"POSTURE_EVENT=$event" | sed -n 's/^.*Subject: //p' | head -n 1)
		check "$event" "${subject:-(no explanation)}"
	done
	end_phase
}

# bmi_registers DEG GYRO_X: the BMI160's gyro and accel data (0x0c..0x17, little-endian x, y, z)
# for a pose DEG forward (toward -Y, as pose() does) turning at GYRO_X counts about x.
bmi_registers() {
	awk -v deg="$1" -v gx="$2" -v bus="$BUS" -v addr="$BMI_ADDR" '
		function word(v) {
			v = int(v + (v < 0 ? -0.5 : 0.5))
			if (v < 0)
				v += 65536
			return sprintf("0x%02x 0x%02x ", v % 256, int(v / 256))
		}
		BEGIN {
			r = deg * atan2(0, -1) / 180
			# 1 g at the +-2 g range (0.000598 m/s^2 per count)
			g = 9.80665 / 0.000598
			printf "i2cset -f -y %s %s 0x0c %s%s%s%s%s%si\n", bus, addr, word(gx), word(0),
				word(0), word(0), word(-g * sin(r)), word(g * cos(r))
		}' | sh
}

# bmi_pose DEG: the BMI160 now tilted DEG forward, at once; the breathing loop sways it about that
# pose from its next step on. Pose and registers change under the loop's lock, so a step that
# read the old pose never writes it over the new one.
bmi_pose() {
	(
		flock 8
		echo "$1" >"$WORK/bmi-pose"
		bmi_registers "$1" 0
	) 8>"$WORK/bmi.lock"
}

# bmi_breathe: the BMI160 worn and breathing about its pose (as breathe() does), until killed.
# The gyro reads 0.79 deg/s at the 2000 deg/s range's 0.001065 rad/s per count: 13 counts.
bmi_breathe() {
	trap 'exit 0' TERM
	while :; do
		for step in "0 -13" "0.5 0" "0 13" "-0.5 0"; do
			(
				flock 8
				read -r deg <"$WORK/bmi-pose"
				# shellcheck disable=SC2086 # two numbers
				set -- $step
				bmi_registers "$(awk -v a="$deg" -v b="$1" 'BEGIN { print a + b }')" \
					"$2"
			) 8>"$WORK/bmi.lock"
			sleep 1
		done
	done
}

# measure NAME SAMPLES_PER_S: over 10 s, the daemon's CPU (its threads' schedstat, exact) and
# wake-ups (voluntary context switches: each is a sleep in epoll_wait) when it runs, and the whole guest's CPU (all of
# /proc/stat but idle and iowait), as a "=== measure" line that the host prints. The emulated
# (TCG) machine is slow, so only the ratios mean something. Sets WAKEUPS (per second).
measure() {
	pid=$(prop MainPID)
	guest0=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
	cs0=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	ns0=$(cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	t0=$(now)
	sleep 10
	guest1=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
	cs1=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	ns1=$(cat /proc/"$pid"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
	t1=$(now)
	WAKEUPS=$(awk -v a="${cs0:-0}" -v b="${cs1:-0}" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.1f", (b - a) / (t1 - t0) }')
	awk -v name="$1" -v rate="$2" -v g="$((guest1 - guest0))" -v d="$((ns1 - ns0))" \
		-v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" -v wk="$WAKEUPS" 'BEGIN {
		w = t1 - t0
		printf "=== measure %s: guest %.1f%% CPU", name, 100 * g / hz / w
		if (rate > 0)
			printf ", daemon %.2f%% CPU, %s wake-ups/s, %d samples/s", 100 * d / 1e9 / w,
				wk, rate
		printf " (%.1f s)\n", w
	}' >>"$RESULTS"
}

# Buffered capture on a real driver, as installed: a BMI160 (one device, no interrupt wired, so
# no trigger of its own) bound to the bmi160 driver, read with capture = buffer through the
# "postured" hrtimer trigger that the unit's privileged ExecStartPre creates in configfs. The
# udev rules must have handed the buffer's files and /dev/iio:deviceN to the iio group, or the
# unprivileged, hardened daemon could not set it up; rate_hz must reach the trigger and the
# chip (sampling_frequency written). Calibration, a slump and its correction follow; the daemon
# wakes about 5 times a second, not 50.
bmi160_buffer_phase() {
	# Figures first: the two MPU-6050s polled, then the machine without postured.
	measure poll-two-mpu6050 100
	systemctl stop postured.service
	measure idle 0
	# The MPU-6050s' daemon stopping belongs to no phase: its entries are skipped.
	journalctl -u postured.service -q --no-pager --cursor-file="$CURSOR" >/dev/null
	cp "$CONFIG" "$WORK/mpu6050.ini"
	begin_phase bmi160-buffer
	i2cset -f -y "$BUS" "$BMI_ADDR" 0x00 0xd1 # CHIP_ID
	i2cset -f -y "$BUS" "$BMI_ADDR" 0x41 0x03 # ACC_RANGE: +-2 g
	bmi_pose 0
	modprobe bmi160-i2c
	echo "bmi160 $BMI_ADDR" >"/sys/bus/i2c/devices/i2c-$BUS/new_device"
	udevadm settle -t 10
	dev=$(basename "$(ls -d "/sys/bus/i2c/devices/$BUS-006a"/iio:device* 2>/dev/null)")
	check bound "${dev:+bmi160 as iio:deviceN}"
	check node-group "$(stat -c %G "/dev/$dev" 2>&1)"
	bmi_breathe </dev/null &
	breathing=$!
	sed -e '/^\[trunk\]$/,/^$/s/^device = mpu6050$/device = bmi160/' \
		-e '/^\[trunk\]$/,/^$/s/^address = .*$/address = '"$BMI_ADDR"'/' \
		-e '/^\[head\]$/,/^$/s/^enabled = true$/enabled = false/' \
		-e 's/^\[trunk\]$/[input]\ncapture = buffer\nrate_hz = 50\n\n[trunk]/' \
		"$WORK/mpu6050.ini" >"$CONFIG"
	rm -rf /var/lib/private/postured /var/lib/postured
	systemctl start postured.service
	wait_event calibrated 30
	check capture "$(journalctl -u postured.service -q -o cat --no-pager |
		grep -o 'triggered buffer on [^(]*' | tail -n 1 | sed 's/ *$//')"
	trig=$(grep -l '^postured$' /sys/bus/iio/devices/trigger*/name 2>/dev/null | head -n 1)
	check trigger-rate "$(cat "${trig%/name}/sampling_frequency" 2>&1)"
	check chip-rate "$(cat "/sys/bus/iio/devices/$dev/in_accel_sampling_frequency" 2>&1)"
	t0=$(now)
	bmi_pose 40
	sleep_until "$(after "$t0" "$HOLD_S")"
	bmi_pose 0
	wait_event slump_ended 15
	sleep 1
	check status "$(prop StatusText)"
	# Still from here (no breathing loop to count in the guest's CPU): the buffer's figures.
	kill "$breathing" 2>/dev/null
	wait "$breathing" 2>/dev/null
	measure buffer-bmi160 50
	check wakeups-per-s-at-most-8 "$(awk -v w="$WAKEUPS" 'BEGIN {
		print w + 0 <= 8 ? "yes" : "no, " w }')"
	systemctl stop postured.service
	echo "$BMI_ADDR" >"/sys/bus/i2c/devices/i2c-$BUS/delete_device"
	cp "$WORK/mpu6050.ini" "$CONFIG"
	end_phase
}

# count_since EVENT: how many EVENTs the journal has since the phase began.
count_since() {
	journalctl -u postured.service -q -o json --no-pager "POSTURE_EVENT=$1" 2>/dev/null |
		awk -v since="$PHASE_START_USEC" '
		match($0, /"__MONOTONIC_TIMESTAMP":"[0-9]*"/) &&
		    substr($0, RSTART + 25, RLENGTH - 26) + 0 > since + 0 { n++ }
		END { print n + 0 }'
}

# wait_count EVENT N TIMEOUT_S: until the journal has N EVENTs since the phase began.
wait_count() {
	tries=0
	while [ "$(count_since "$1")" -lt "$2" ]; do
		if [ "$tries" -ge $(($3 * 2)) ]; then
			echo "scenario: phase $PHASE: $(count_since "$1") $1 events within $3 s, not $2"
			return 1
		fi
		sleep 0.5
		tries=$((tries + 1))
	done
}

# ctl USER ARGS...: posturectl as root, or as USER with the groups /etc/group gives them (as a
# login would); "exit N" and the first line posturectl wrote to stderr, if any. Its output is in
# $WORK/ctl.out.
ctl() {
	user=$1
	shift
	rc=0
	if [ "$user" = root ]; then
		posturectl "$@" >"$WORK/ctl.out" 2>"$WORK/ctl.err" || rc=$?
	else
		setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups posturectl "$@" \
			>"$WORK/ctl.out" 2>"$WORK/ctl.err" || rc=$?
	fi
	err=$(head -n 1 "$WORK/ctl.err")
	echo "exit $rc${err:+: $err}"
}

# status_value KEY: the value of "KEY: value" in the last posturectl output.
status_value() {
	sed -n "s/^ *$1: //p" "$WORK/ctl.out"
}

# The D-Bus interface on the system bus, as the package set it up: the unit's user (postured,
# from sysusers.d) owns the name, root and the group posture call the methods, everyone reads.
bus_phase() {
	begin_phase bus
	# The package's postinst created them with systemd-sysusers from its postured.conf.
	check postured-user-groups "$(id -nG postured 2>&1)"
	check posture-group "$(getent group posture | cut -d: -f1)"
	useradd -G posture wearer
	useradd visitor
	check wearer-groups "$(id -nG wearer 2>&1)"
	# `systemctl restart` returns on READY=1: the name must be owned then, not a moment later.
	systemctl restart postured.service
	check restart-exit-status "$?"
	owner=$(busctl status --no-pager io.github.postured.Posture1 2>&1 | sed -n 's/^PID=//p')
	check name-owner-at-ready "$(if [ -n "$owner" ] && [ "$owner" = "$(prop MainPID)" ]; then
		echo "postured.service's main process"
	else
		echo "pid ${owner:-none}, main pid $(prop MainPID)"
	fi)"
	check busctl-list "$(busctl list --no-pager --no-legend |
		awk '$1 == "io.github.postured.Posture1" { print $1, $3, $4, $6 }')"
	# The interface's members: name, kind, signature and flags (the values vary).
	busctl introspect --no-pager --no-legend io.github.postured.Posture1 \
		/io/github/postured/Posture1 io.github.postured.Posture1 >"$WORK/introspect" 2>&1
	check introspect-exit-status "$?"
	while read -r name kind signature rest; do
		check member "$name $kind $signature ${rest##* }"
	done <"$WORK/introspect"

	# Root: the status, snooze, resume, calibrate and mode.
	check root-status "$(ctl root status)"
	while IFS= read -r line; do
		key=$(printf '%s\n' "$line" | sed 's/^ *//; s/: .*//; s/ /-/g')
		check "$key" "$(printf '%s\n' "$line" | sed 's/^[^:]*: //')"
	done <"$WORK/ctl.out"
	check root-snooze "$(ctl root snooze 10m)"
	wait_count snooze_started 1 10
	ctl root status >/dev/null
	check snoozed-until "$(status_value "Snoozed until")"
	check root-resume "$(ctl root resume)"
	wait_count snooze_ended 1 10
	ctl root status >/dev/null
	check snoozed-until-after-resume "$(status_value "Snoozed until")"
	check root-calibrate "$(ctl root calibrate)"
	wait_count calibrated 1 20
	check root-calibrate-log "$(journalctl -u postured.service -q -o cat --no-pager |
		grep 'recalibrating' | tail -n 1)"
	check root-mode-training "$(ctl root mode training)"
	wait_count mode_changed 1 10
	ctl root status >/dev/null
	check mode-after "$(status_value Mode)"

	# A wearer in the group posture: the same as root.
	check wearer-snooze "$(ctl wearer snooze 10m)"
	wait_count snooze_started 2 10
	check wearer-resume "$(ctl wearer resume)"
	wait_count snooze_ended 2 10
	check wearer-calibrate "$(ctl wearer calibrate)"
	wait_count calibrated 2 20
	check wearer-calibrate-log "$(journalctl -u postured.service -q -o cat --no-pager |
		grep 'recalibrating' | tail -n 1)"
	check wearer-status "$(ctl wearer status)"

	# Outside the group: refused by the bus policy, reading still open.
	check visitor-snooze "$(ctl visitor snooze 10m)"
	check visitor-calibrate "$(ctl visitor calibrate)"
	check visitor-mode "$(ctl visitor mode iso)"
	check visitor-status "$(ctl visitor status)"
	check visitor-status-state "$(status_value State)"
	sleep 2
	check snooze-events-in-all "$(count_since snooze_started)"
	check calibrated-events-in-all "$(count_since calibrated)"

	# Back to the ini's mode, so that what comes after runs as before.
	check root-mode-iso "$(ctl root mode iso)"
	wait_count mode_changed 2 10
	ctl root status >/dev/null
	check mode-at-end "$(status_value Mode)"
	# Every start of postured since boot took its name (no "running without the D-Bus
	# interface") and kept its connection.
	check bus-warnings-since-boot "$(journalctl -b -u postured.service -q -o cat --no-pager |
		grep -c -e 'running without the D-Bus interface' -e 'lost the connection to the D-Bus')"
	end_phase
}

# postured_events [JOURNALCTL_OPTION...]: "REALTIME_USEC EVENT" per postured event in the journal
# (the local one, or the one the options name), oldest first.
postured_events() {
	journalctl "$@" -u postured.service -q -o json --no-pager 2>/dev/null | awk '
		match($0, /"POSTURE_EVENT":"[a-z_]*"/) {
			ev = substr($0, RSTART + 17, RLENGTH - 18)
			match($0, /"__REALTIME_TIMESTAMP":"[0-9]*"/)
			print substr($0, RSTART + 24, RLENGTH - 25), ev
		}'
}

# json_day_sum KEY FILE: the sum over the days (not the hours) of KEY's number in posturectl
# report --json's FILE.
json_day_sum() {
	sed 's/{"date":/\n&/g' "$2" | sed -n 's/,"hours":.*//; /^{"date":/p' |
		sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p" | awk '{ n += $1 } END { print n + 0 }'
}

# wait_collected TIMEOUT_S: until the collector's directory ($remote) holds every postured event
# of this machine's journal (in $WORK/local.events and collected.events); "yes" or what is missing.
wait_collected() {
	postured_events >"$WORK/local.events"
	tries=0
	until postured_events --directory="$remote" >"$WORK/collected.events" &&
		cmp -s "$WORK/local.events" "$WORK/collected.events"; do
		if [ "$tries" -ge $(($1 * 2)) ]; then
			echo "no: $(wc -l <"$WORK/collected.events") of" \
				"$(wc -l <"$WORK/local.events") events after $1 s"
			return
		fi
		sleep 0.5
		tries=$((tries + 1))
	done
	echo yes
}

# Many wearers (README): the journal uploaded by systemd-journal-upload over HTTPS to
# systemd-journal-remote, here on loopback, both set up as the README says (run.sh installed the
# configs, the drop-ins and certificates of a test CA); then posturectl report --directory on
# what the collector wrote. The report reads the summary and stopped entries: the slumps before
# kill-restart's SIGKILL are in none (a killed daemon writes no stopped entry), so this phase
# slumps once and stops postured, whose stopped entry then holds that slump; the earlier alerts
# are in the JSON's alert_events and the plot's triangles.
report_phase() {
	begin_phase report
	remote=/var/log/journal/remote
	systemctl enable --quiet --now systemd-journal-remote.socket
	check collector-exit-status "$?"
	systemctl enable --quiet --now systemd-journal-upload.service
	check uploader-exit-status "$?"
	# The first upload (the journal since boot) loads the emulated machine: over before the
	# slump, whose timing would suffer.
	check caught-up "$(wait_collected 60)"
	t0=$(now)
	pose head 40
	pose trunk 40
	sleep_until "$(after "$t0" "$HOLD_S")"
	pose trunk 0
	pose head 0
	wait_event slump_ended 10
	sleep 1
	systemctl stop postured.service
	check stop-exit-status "$?"
	# The uploader follows the journal: the collector has the slump and the stop within seconds.
	check caught-up-after-stop "$(wait_collected 30)"
	check uploader "$(systemctl is-active systemd-journal-upload.service)," \
		"$(prop_of systemd-journal-upload.service NRestarts) restarts"
	check collector "$(systemctl is-active systemd-journal-remote.service)"
	check collected-files "$(find "$remote" -mindepth 1 -printf '%P\n' | sort | paste -sd ' ')"
	check collected-events "$(wc -l <"$WORK/collected.events")"
	check slump-started-events "$(grep -c ' slump_started$' "$WORK/collected.events")"
	check alert-events "$(grep -c ' alert$' "$WORK/collected.events")"
	check stopped-events "$(grep -c ' stopped$' "$WORK/collected.events")"
	# What the report counts: the slumps of the summaries and stops, in this machine's journal.
	check slumps-in-periods "$(journalctl -u postured.service -q -o json --no-pager \
		POSTURE_EVENT=summary POSTURE_EVENT=stopped |
		sed -n 's/.*"POSTURE_SLUMPS":"\([0-9]*\)".*/\1/p' | awk '{ n += $1 } END { print n + 0 }')"

	# The report on the collected files: one wearer, this machine.
	machine=$(cat /etc/machine-id)
	check report "$(ctl root report --directory "$remote")"
	cp "$WORK/ctl.out" "$WORK/report.txt"
	check wearers "$(grep -c '^Wearer ' "$WORK/report.txt")"
	check wearer "$(sed -n 's/^Wearer //p' "$WORK/report.txt" |
		sed "s/ (machine $machine)\$/ (machine: this machine's id)/")"
	# The day (the last, should the test run over midnight) and its row.
	check day "$(grep -E '^[A-Z][a-z]+day [0-9]{4}-[0-9]{2}-[0-9]{2}: ' "$WORK/report.txt" |
		tail -n 1)"
	check day-row "$(grep '^  day ' "$WORK/report.txt" | tail -n 1 | sed 's/^ *//; s/  */ /g')"
	# The same report as from this machine's own journal, and with the wearer chosen.
	check same-as-local "$(ctl root report >/dev/null
		cmp -s "$WORK/ctl.out" "$WORK/report.txt" && echo yes || echo no)"
	check same-with-machine "$(ctl root report --directory "$remote" \
		--machine "$(cat /proc/sys/kernel/hostname)" >/dev/null
		cmp -s "$WORK/ctl.out" "$WORK/report.txt" && echo yes || echo no)"
	check report-json "$(ctl root report --directory "$remote" --json)"
	cp "$WORK/ctl.out" "$WORK/report.json"
	check json-wearer "$(grep -o '"machine_id":"[0-9a-f]*","hostname":"[^"]*"' \
		"$WORK/report.json" | sed "s/$machine/this machine's id/")"
	check json-alert-events "$(sed -n 's/.*"alert_events":\([0-9]*\).*/\1/p' \
		"$WORK/report.json")"
	check json-slumps "$(json_day_sum slumps "$WORK/report.json")"
	check json-alerts "$(json_day_sum alerts "$WORK/report.json")"
	# The plot: 1200 pixels wide, 16 + 36 + 34 (one wearer) + 200 per day + 16 high; a black
	# triangle per alert entry and the legend's.
	check plot "$(ctl root report --directory "$remote" --plot "$WORK/report.svg")"
	check plot-size "$(head -c 400 "$WORK/report.svg" |
		sed -n 's/.*<svg[^>]* width="\([0-9]*\)px" height="\([0-9]*\)px".*/\1 x \2/p')"
	check plot-complete "$(tail -n 1 "$WORK/report.svg")"
	triangle='fill:rgb(0%,0%,0%);fill-opacity:1;" d="M [0-9.]* [0-9.]* L [0-9.]* [0-9.]* L'
	check plot-alert-triangles "$(grep -c "$triangle [0-9.]* [0-9.]* Z" "$WORK/report.svg")"
	check plot-png "$(ctl root report --directory "$remote" --plot "$WORK/report.png")"
	check plot-png-signature "$(head -c 8 "$WORK/report.png" | od -An -tx1 | tr -d ' \n')"
	systemctl stop systemd-journal-upload.service systemd-journal-remote.socket \
		systemd-journal-remote.service
	# postured as the next phase expects it: running.
	systemctl start postured.service
	check start-exit-status "$?"
	end_phase
}

# A negative control: the same start-up as the first phase, with the unit hardened one step too
# far (the IIO devices made inaccessible). The host expects the start-up checks to fail here.
hardened_phase() {
	systemctl stop postured.service
	rm -rf /var/lib/private/postured /var/lib/postured
	mkdir -p "$DROPIN_DIR"
	printf '[Service]\nInaccessiblePaths=/sys/bus/iio\n' >"$DROPIN_DIR/50-test-blocked.conf"
	systemctl daemon-reload
	systemctl start --no-block postured.service
	startup_phase hardened 3 6
	systemctl stop postured.service
	rm -f "$DROPIN_DIR/50-test-blocked.conf"
	systemctl daemon-reload
}

run() {
	BUS=$(stub_bus) || exit 1
	: >"$RESULTS"
	out "=== postured system test"
	out "=== uptime $(now)"
	out "=== kernel $(uname -r)"
	startup_phase boot 30 20
	if [ "$(systemctl is-active postured.service)" != active ]; then
		# Every later phase needs a running daemon: they would only wait for their timeouts.
		out "=== aborted: postured.service is" \
			"$(systemctl is-active postured.service) after start-up"
		return
	fi
	slump trunk-slump 40 40
	slump neck-flexion 0 45
	reload_phase
	reload_invalid_phase
	unplug_phase
	kill_phase
	head_missing_phase
	catalog_phase
	bus_phase
	report_phase
	bmi160_buffer_phase
	hardened_phase
	out "=== done $(now)"
}

case "${1:-}" in
sensors) setup_sensors ;;
run) run ;;
*)
	echo "usage: $0 sensors|run" >&2
	exit 2
	;;
esac
