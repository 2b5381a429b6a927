#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: figures about postured, printed for a reader; nothing here passes or fails on a time.
# Usage: tests/bench/run.sh BUILD_DIR
#   1. replay throughput of the whole pipeline (wall clock, and instructions under callgrind);
#   2. estimator accuracy on the BROAD trials in ../shared/data/broad-48hz (SPEC.md "Data") at
#      47.62 Hz, at 23.81 Hz, held over half periods (a time-step check, not 95 Hz data), with
#      a 3 deg/s gyro bias, and started moving with that bias (issue 7), the variants made by
#      broad_variant in a temporary directory. One variant's figure by hand, e.g. the last
#      (from the top of the tree, BUILD=build):
#        set --
#        for rec in ../shared/data/broad-48hz/*.csv.gz; do
#          out=/tmp/$(basename "$rec" .csv.gz).csv
#          build/broad_variant moving-start 3 "$rec" "$out"
#          build/postured --replay "$out" --config config/postured.ini --trace "$out.trace"
#          set -- "$@" "$out" "$out.trace"
#        done >/dev/null 2>&1
#        build/broad_rmse "$@";
#   3. the estimator's cost: instructions per estimator_update() (callgrind) and ns per update;
#   4. the live daemon on an emulated MPU-6050 (umockdev): CPU and memory at 1x and 6x speed;
#      then polling against buffered capture side by side, two MPU-6050s at 50 Hz: CPU and
#      wake-ups per second (issue 10).
#   5. states, activity and alerts per label on the HAPT recordings in ../shared/data/hapt-50hz
#      (tests/bench/hapt_table.sh, also behind integration test 11).
#   6. the motor's own vibration: recordings with alerts replayed with a motor, with and without
#      --simulate-buzz: how far the angles move while it runs (also integration test 16).
# make builds BUILD_DIR/postured, simwearer, broad_rmse, broad_variant and estimator_cost; a
# section whose program or data is missing is skipped with a note. valgrind is installed
# (apt-get, as root) when missing.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd) || exit 2
cd "$(dirname "$0")/../.."
postured=$build/postured
if [ ! -x "$postured" ]; then
	echo "$0: $postured is missing: run 'make bench', which builds it" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/postured-bench.XXXXXX")
sim_pid=
cleanup() {
	if [ -n "$sim_pid" ]; then
		kill -TERM "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

demo=tests/data/demo-session.csv.gz
broad_dir=../shared/data/broad-48hz
set -- "$broad_dir"/*.csv.gz
[ -e "$1" ] || set --
broad_count=$#

now_ns() {
	date +%s%N
}

# The recording's trial name: file name without directory and extension.
trial() {
	basename "$1" .csv.gz
}

# replay REC CONFIG TRACE: one replay of the whole pipeline, its events discarded.
replay() {
	"$postured" --replay "$1" --config "$2" --trace "$3" >/dev/null 2>"$tmp/replay.err" || {
		echo "postured --replay $1 failed:" >&2
		cat "$tmp/replay.err" >&2
		exit 1
	}
}

# best_ns REC CONFIG TRACE: the fastest of 3 replays, in ns of wall clock.
best_ns() {
	best=
	for _ in 1 2 3; do
		t0=$(now_ns)
		replay "$1" "$2" "$3"
		t1=$(now_ns)
		if [ -z "$best" ] || [ $((t1 - t0)) -lt "$best" ]; then
			best=$((t1 - t0))
		fi
	done
	echo "$best"
}

echo "postured bench ($(git describe --tags --always --dirty 2>/dev/null || echo unknown)," \
	"$(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))"

echo
echo "== 1. Replay throughput: postured --replay --trace, whole process, best of 3 wall clock"
echo "   (CSV and gzip parsing, estimator, posture, detector, events, trace writing)"
# A one-row recording: what starting the process and reading the config cost, in every figure.
printf '# postured-recording 1\nt,trunk.ax,trunk.ay,trunk.az,trunk.gx,trunk.gy,trunk.gz\n' \
	>"$tmp/one-row.csv"
echo "0.02,0,0,9.80665,0,0,0" >>"$tmp/one-row.csv"
startup_ns=$(best_ns "$tmp/one-row.csv" config/postured.ini "$tmp/one-row.trace.csv")
printf '%-46s %8s %9s %12s %11s\n' recording rows "wall ms" "samples/s" "ns/sample"
printf '%-46s %8d %9.1f\n' "(start-up: a one-row recording)" 1 \
	"$(awk -v n="$startup_ns" 'BEGIN { print n / 1e6 }')"
# throughput_row NAME ROWS NS
throughput_row() {
	awk -v name="$1" -v rows="$2" -v ns="$3" 'BEGIN {
		printf "%-46s %8d %9.1f %12.0f %11.0f\n", name, rows, ns / 1e6, rows / (ns / 1e9), ns / rows
	}'
}
rows_of() {
	echo $(($(wc -l <"$1") - 1))
}
ns=$(best_ns "$demo" config/demo.ini "$tmp/demo.trace.csv")
throughput_row "$(trial "$demo") (config/demo.ini)" "$(rows_of "$tmp/demo.trace.csv")" "$ns"
broad_rows=0
broad_ns=0
for rec; do
	ns=$(best_ns "$rec" config/postured.ini "$tmp/$(trial "$rec").trace.csv")
	rows=$(rows_of "$tmp/$(trial "$rec").trace.csv")
	throughput_row "$(trial "$rec")" "$rows" "$ns"
	broad_rows=$((broad_rows + rows))
	broad_ns=$((broad_ns + ns))
done
if [ "$broad_count" -gt 0 ]; then
	throughput_row "all $broad_count BROAD trials (config/postured.ini)" "$broad_rows" "$broad_ns"
else
	echo "(no BROAD trials in $broad_dir: only the demo session was replayed)"
fi

if ! command -v valgrind >/dev/null && [ "$(id -u)" = 0 ]; then
	echo "installing valgrind for the instruction counts"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind >"$tmp/apt.log" 2>&1 ||
		echo "(apt-get install valgrind failed: see the end of $tmp/apt.log)"
fi
if command -v valgrind >/dev/null; then
	if [ "$broad_count" -gt 0 ]; then
		cg_rec=$1
		cg_config=config/postured.ini
	else
		cg_rec=$demo
		cg_config=config/demo.ini
	fi
	# callgrind_instructions [VALGRIND_OPTION...]: instructions callgrind collected.
	callgrind_instructions() {
		valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" "$@" \
			"$postured" --replay "$cg_rec" --config "$cg_config" \
			--trace "$tmp/callgrind.trace.csv" >/dev/null 2>"$tmp/callgrind.err" || {
			echo "valgrind --tool=callgrind of postured --replay $cg_rec failed:" >&2
			cat "$tmp/callgrind.err" >&2
			exit 1
		}
		sed -n 's/^==[0-9]*== Collected : //p' "$tmp/callgrind.err"
	}
	echo "Instructions (valgrind --tool=callgrind, one replay of $(trial "$cg_rec")):"
	# instructions_row WHAT [VALGRIND_OPTION...]
	instructions_row() {
		what=$1
		shift
		n=$(callgrind_instructions "$@")
		rows=$(rows_of "$tmp/callgrind.trace.csv")
		awk -v what="$what" -v n="$n" -v rows="$rows" 'BEGIN {
			printf "  %-58s %11.0f, %6.0f per sample\n", what, n, n / rows
		}'
	}
	instructions_row "whole process (with CSV parsing, gzip, trace writing)"
	instructions_row "replay_run() (the same without start-up and config)" \
		--toggle-collect=replay_run
	instructions_row "pipeline_push() (estimator, posture, detector, events)" \
		--toggle-collect=pipeline_push
else
	echo "(valgrind is not installed and cannot be: no instruction counts)"
fi

echo
echo "== 2. Estimator accuracy on BROAD: angle between estimated and true up vectors, RMSE over"
echo "   rows with truth.movement = 1 and finite truth, worst single row; config/postured.ini"
if [ "$broad_count" -eq 0 ]; then
	echo "(skipped: no BROAD trials in $broad_dir)"
elif [ ! -x "$build/broad_rmse" ]; then
	echo "(skipped: $build/broad_rmse is missing: run 'make bench', which builds it)"
else
	# score DIR: replays DIR/*.csv (traces beside them) and prints broad_rmse's table.
	score() {
		dir=$1
		set --
		for rec in "$dir"/*.csv; do
			trace=${rec%.csv}.trace
			replay "$rec" config/postured.ini "$trace"
			set -- "$@" "$rec" "$trace"
		done
		"$build/broad_rmse" "$@"
	}
	echo
	echo "-- 47.62 Hz: the shared trials"
	for rec; do
		set -- "$@" "$rec" "$tmp/$(trial "$rec").trace.csv"
		shift
	done
	"$build/broad_rmse" "$@"
	if [ ! -x "$build/broad_variant" ]; then
		echo "(the 23.81 Hz, 95.24 Hz, gyro bias and moving start variants are skipped:" \
			"$build/broad_variant is missing: run 'make bench', which builds it)"
	else
		# variant NAME ARG...: each trial through broad_variant ARG... into $tmp/NAME/.
		variant() {
			dir=$tmp/$1
			shift
			mkdir "$dir"
			for rec in "$broad_dir"/*.csv.gz; do
				"$build/broad_variant" "$@" "$rec" "$dir/$(trial "$rec").csv" || exit 1
			done
		}
		variant 24hz decimate
		variant 95hz upsample
		variant bias gyro-bias 3
		variant moving moving-start 3
		echo
		echo "-- 23.81 Hz: block averages of row pairs"
		score "$tmp/24hz"
		echo
		echo "-- 95.24 Hz CHECK, NOT 95 Hz DATA: each row held over two half periods, truth"
		echo "   interpolated. The shared data are 47.62 Hz averages, from which real 95 Hz data"
		echo "   cannot be made; this only shows that the time step comes from the timestamps."
		score "$tmp/95hz"
		echo
		echo "-- 47.62 Hz with a constant gyro bias of +3 deg/s on every axis"
		score "$tmp/bias"
		echo
		echo "-- 47.62 Hz, moving start, +3 deg/s bias: each trial from its first row with"
		echo "   truth.movement = 1 and the bias above: put on while walking, no rest to learn it"
		score "$tmp/moving"
		rm -rf "$tmp/24hz" "$tmp/95hz" "$tmp/bias" "$tmp/moving"
	fi
	echo
	echo "published on these 19 trials at 47.62 Hz: VQF 1.19 mean (worst trial 3.24)," \
		"Madgwick 2.64, Fusion 4.75"
fi

echo
echo "== 3. The estimator's cost: estimator_update() alone, on every sample of a trial"
if [ ! -x "$build/estimator_cost" ]; then
	echo "(skipped: $build/estimator_cost is missing: run 'make bench', which builds it)"
else
	cost_rec=$demo
	if [ "$broad_count" -gt 0 ]; then
		cost_rec=$(set -- "$broad_dir"/*.csv.gz && echo "$1")
	fi
	"$build/estimator_cost" "$cost_rec" 50 >"$tmp/cost.out" || exit 1
	echo "recording: $(trial "$cost_rec")"
	grep '^wall clock: ' "$tmp/cost.out"
	if command -v valgrind >/dev/null; then
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cost.callgrind" \
			--toggle-collect=estimator_update "$build/estimator_cost" "$cost_rec" 1 \
			>"$tmp/cost1.out" 2>"$tmp/cost.err" || {
			echo "valgrind --tool=callgrind of estimator_cost failed:" >&2
			cat "$tmp/cost.err" >&2
			exit 1
		}
		awk -v n="$(sed -n 's/^==[0-9]*== Collected : //p' "$tmp/cost.err")" \
			-v calls="$(sed -n 's/^updates //p' "$tmp/cost1.out")" 'BEGIN {
			printf "instructions (callgrind, estimator_update() with what it calls): " \
				"%.0f per update (%.0f over %d updates)\n", n / calls, n, calls
		}'
	else
		echo "(valgrind is not installed and cannot be: no instruction count)"
	fi
	echo "for scale, on this machine: VQF about 2200 instructions per sample, Madgwick about 180"
fi

echo
echo "== 4. The live daemon: the demo session played into an emulated MPU-6050 (umockdev)"
live_skipped=
if [ ! -x "$build/simwearer" ]; then
	live_skipped="(skipped: $build/simwearer is missing: run 'make bench', which builds it)"
elif ! command -v umockdev-wrapper >/dev/null; then
	live_skipped="(skipped: umockdev-wrapper is missing: install the umockdev package (make deps))"
fi
clk_tck=$(getconf CLK_TCK)

# cpu_ticks PID: utime + stime (fields 14 and 15; the name in parentheses may hold spaces).
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# live SPEED END_S: the demo at SPEED, measured from 1 s after the daemon starts to END_S.
live() {
	speed=$1
	end_s=$2
	state=$tmp/state-$speed
	mkdir "$state"
	rm -f "$tmp/ready"
	umockdev-wrapper "$build/simwearer" --devices mpu6050 --play "$demo" --speed "$speed" \
		--ready-file "$tmp/ready" -- \
		"$postured" --config config/demo.ini --foreground --speed "$speed" \
		--state-dir "$state" >"$tmp/live-$speed.log" 2>&1 &
	sim_pid=$!
	waited=0
	while [ ! -s "$tmp/ready" ]; do
		if ! kill -0 "$sim_pid" 2>/dev/null || [ "$waited" -ge 100 ]; then
			echo "simwearer did not start postured; its output:" >&2
			cat "$tmp/live-$speed.log" >&2
			exit 1
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	pid=$(sed -n 's/^pid //p' "$tmp/ready")
	sleep 1
	ticks0=$(cpu_ticks "$pid")
	t0=$(now_ns)
	sleep $((end_s - 1))
	ticks1=$(cpu_ticks "$pid")
	t1=$(now_ns)
	rss_kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
	hwm_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status")
	rate_hz=$(sed -n 's/.*; polling at \([0-9.]*\) Hz.*/\1/p' "$tmp/live-$speed.log" | head -n 1)
	kill -TERM "$sim_pid"
	wait "$sim_pid" || {
		echo "postured did not stop cleanly at ${speed}x; its output:" >&2
		cat "$tmp/live-$speed.log" >&2
		exit 1
	}
	sim_pid=
	awk -v speed="$speed" -v rate="$rate_hz" -v dt="$((ticks1 - ticks0))" -v hz="$clk_tck" \
		-v ns="$((t1 - t0))" -v rss="$rss_kb" -v hwm="$hwm_kb" 'BEGIN {
		cpu_s = dt / hz; wall_s = ns / 1e9; polls = rate * speed * wall_s
		printf "%5sx  %6.0f Hz  %6.1f s  %6.2f %%  %9.1f  %8d  %8d\n", speed, rate * speed,
			wall_s, 100 * cpu_s / wall_s, 1e6 * cpu_s / polls, rss, hwm
	}'
}

if [ -n "$live_skipped" ]; then
	echo "$live_skipped"
else
	echo "   CPU = utime + stime of postured over the window / wall time; its sysfs reads go through"
	echo "   umockdev's preload library, which a Raspberry Pi does not pay. RSS and HWM at the end."
	printf '%6s  %9s  %8s  %8s  %9s  %8s  %8s\n' speed polling window "CPU" "us/poll" "RSS kB" \
		"HWM kB"
	live 1 30
	# At 6x the 168 s session ends after 28 s, when simwearer stops the daemon.
	live 6 25
fi

# cpu_ns PID: the CPU time of PID's threads in ns (/proc/PID/task/*/schedstat): exact where
# utime + stime count whole 10 ms ticks, too coarse for a daemon that runs 0.1% of the time.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%d\n", s }'
}

# capture MODE BUFFER: two MPU-6050s at 50 Hz, real time, [input] capture = MODE, simwearer
# --buffer BUFFER; CPU and voluntary context switches (the daemon going to sleep: in epoll_wait,
# and under umockdev also in the preload library's round trips to the testbed) over 20 s from
# 2 s after the start; then, apart because strace slows what it watches, the wake-ups proper:
# the epoll_wait calls that returned, over 10 s.
capture() {
	printf '[input]\ncapture = %s\n[trunk]\naddress = 0x68\n[head]\nenabled = true\naddress = 0x69\n[haptic]\nbackend = none\n' \
		"$1" >"$tmp/capture-$1.ini"
	rm -rf "$tmp/state-$1" "$tmp/ready"
	mkdir "$tmp/state-$1"
	umockdev-wrapper "$build/simwearer" --devices mpu6050x2 --buffer "$2" \
		--ready-file "$tmp/ready" -- \
		"$postured" --config "$tmp/capture-$1.ini" --foreground \
		--state-dir "$tmp/state-$1" >"$tmp/capture-$1.log" 2>&1 &
	sim_pid=$!
	waited=0
	while [ ! -s "$tmp/ready" ]; do
		if ! kill -0 "$sim_pid" 2>/dev/null || [ "$waited" -ge 100 ]; then
			echo "simwearer did not start postured; its output:" >&2
			cat "$tmp/capture-$1.log" >&2
			exit 1
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	pid=$(sed -n 's/^pid //p' "$tmp/ready")
	sleep 2
	ns0=$(cpu_ns "$pid")
	cs0=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status")
	t0=$(now_ns)
	sleep 20
	ns1=$(cpu_ns "$pid")
	cs1=$(sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status")
	t1=$(now_ns)
	wakeups=
	if command -v strace >/dev/null; then
		timeout -s INT 10 strace -q -e trace=epoll_wait -o "$tmp/strace-$1" -p "$pid" \
			2>/dev/null || true
		# Only calls that began and returned inside the 10 s: not the one strace attached
		# to ("<... resumed>") nor the one it left ("<unfinished ...>").
		wakeups=$(grep -c '^epoll_wait(.*) = [0-9]' "$tmp/strace-$1" || true)
	fi
	kill -TERM "$sim_pid"
	wait "$sim_pid" || {
		echo "postured did not stop cleanly (capture = $1); its output:" >&2
		cat "$tmp/capture-$1.log" >&2
		exit 1
	}
	sim_pid=
	how=$(sed -n 's/.*trunk sensor: [^;]*; \([a-z]* [a-z]*\).*/\1/p' "$tmp/capture-$1.log" |
		head -n 1)
	awk -v mode="$1" -v how="$how" -v dt="$((ns1 - ns0))" \
		-v ns="$((t1 - t0))" -v cs="$((cs1 - cs0))" -v wk="$wakeups" 'BEGIN {
		cpu_s = dt / 1e9; wall_s = ns / 1e9; samples = 2 * 50 * wall_s
		wake = wk == "" ? "-" : sprintf("%.1f", wk / 10)
		printf "%-8s %-18s %6.1f s  %6.2f %%  %9.1f  %9.1f  %9s\n", mode, how, wall_s,
			100 * cpu_s / wall_s, 1e6 * cpu_s / samples, cs / wall_s, wake
		printf "%s %.6f %s\n", mode, cpu_s / wall_s, wake > "/dev/stderr"
	}' 2>>"$tmp/capture.figures"
}

echo
echo "== 4b. Polling and buffered capture side by side: two MPU-6050s at 50 Hz (umockdev, real time)"
if [ -n "$live_skipped" ]; then
	echo "$live_skipped"
else
	echo "   poll: 12 sysfs reads every 20 ms; buffer: each sensor's data-ready trigger, blocks of"
	echo "   10 scans (simwearer writes them into the pty that stands for /dev/iio:deviceN)."
	printf '%-8s %-18s %8s  %8s  %9s  %9s  %9s\n' capture "chosen" window CPU "us/sample" \
		"vol. cs/s" "wakeups/s"
	: >"$tmp/capture.figures"
	capture poll on
	capture auto on
	awk '{ cpu[$1] = $2; wake[$1] = $3 } END {
		printf "buffer / poll: CPU %.2fx (target <= 0.5x), %s wake-ups/s (target <= 5)\n",
			cpu["auto"] / cpu["poll"], wake["auto"]
	}' "$tmp/capture.figures"
fi

echo
echo "== 5. Real people: states, activity and alerts per labelled activity on the HAPT recordings"
echo "   (phone at the waist, 50 Hz; Reyes-Ortiz et al., Neurocomputing 171:754-767, 2016)"
hapt_dir=../shared/data/hapt-50hz
if ! ls "$hapt_dir"/*.csv.gz >/dev/null 2>&1; then
	echo "(skipped: no HAPT recordings in $hapt_dir)"
else
	tests/bench/hapt_table.sh --config config/postured.ini --alerts "$build" || exit 1
fi

echo
echo "== 6. The motor's own vibration: replayed with a motor, with and without --simulate-buzz"
echo "   (150-250 Hz, 1.5 g, aliased and clipped: daemon/vibration.c); the largest difference of"
echo "   any angle in the trace while the motor runs (and its 0.15 s spin-down), and in the 3 s after"
sed 's/^backend = none$/backend = gpiod/' config/demo.ini >"$tmp/demo-motor.ini"
printf '%-30s %6s %10s %10s %s\n' recording "rows" "during deg" "after deg" "events"
# buzz_row NAME REC CONFIG
buzz_row() {
	"$postured" --replay "$2" --config "$3" --trace "$tmp/quiet.trace" \
		--events "$tmp/quiet.jsonl" >/dev/null 2>&1 || { echo "replay of $2 failed" >&2; exit 1; }
	"$postured" --replay "$2" --config "$3" --trace "$tmp/buzz.trace" --events "$tmp/buzz.jsonl" \
		--simulate-buzz >/dev/null 2>&1 || { echo "replay of $2 failed" >&2; exit 1; }
	same=different
	if [ "$(sed 's/.*"t":\([0-9.]*\),.*"POSTURE_EVENT":"\([a-z_]*\)".*/\2 \1/' "$tmp/quiet.jsonl")" = \
		"$(sed 's/.*"t":\([0-9.]*\),.*"POSTURE_EVENT":"\([a-z_]*\)".*/\2 \1/' "$tmp/buzz.jsonl")" ]; then
		same="the same, alerts: $(grep -c '"POSTURE_EVENT":"alert"' "$tmp/buzz.jsonl")"
	fi
	awk -F, -v quiet="$tmp/quiet.trace" -v name="$1" -v same="$same" '
		NR == 1 {
			for (i = 1; i <= NF; i++) {
				if ($i ~ /_deg$/) angle[i] = 1
				if ($i == "motor") motor = i
			}
			getline line < quiet
			next
		}
		{
			getline line < quiet
			split(line, q, ",")
			if ($motor == 1) { rows++; last = $1 }
			if (last == "" || $1 - last > 3.0) next
			for (i in angle) {
				if ($i == "nan" || q[i] == "nan") continue
				d = $i - q[i]
				if (d < 0) d = -d
				if ($motor == 1 && d > during) during = d
				if ($motor != 1 && d > after) after = d
			}
		}
		END { printf "%-30s %6d %10.3f %10.3f %s\n", name, rows, during, after, same }' "$tmp/buzz.trace"
}
buzz_row "demo (demo.ini with a motor)" "$demo" "$tmp/demo-motor.ini"
for day in forward-head desk-start reclined-start; do
	buzz_row "wearer-$day" "tests/data/wearer-$day.csv.gz" config/postured.ini
done
