#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon's states, activity classes and alerts on the labelled HAPT recordings (SPEC.md
# "Data": 30 people, a phone at the waist, 50 Hz), for `make bench` and the regression test 11.
# Usage: tests/bench/hapt_table.sh [--config PATH] [--per-file] [--alerts] BUILD_DIR [REC...]
#   REC: recordings with `# interval-label LABEL START_S END_S` lines (half-open, seconds of the
#   file's t); default all of ../shared/data/hapt-50hz/*.csv.gz beside the clone.
#   --config PATH: default config/postured.ini.
#   --per-file: one line per recording (alerts in labelled intervals, lying recognised).
#   --alerts: one line per alert (recording, t, label and interval, "-" outside any interval).
# Each recording is replayed by BUILD_DIR/postured with --trace and --events. A trace row stands
# for the time up to the next row (the last row for the step before it); the row's label is the
# interval its t falls in, "-" when none. Trace columns are found by their header names: `state`
# is required, `activity` (still, moving, lying) is used when present and shown as "-" when not.
# Printed per label: time, alerts (alert events whose t falls in an interval of the label) and
# the share of time in each state and activity class. Totals: "active" time is walking,
# stairs_up, stairs_down and the six transitions, where an alert is always false (the data holds
# no sustained slump, see data/README.md, so an alert in any labelled interval is false too);
# "lying recognised" is the share of lying-label time with state lying or activity lying.
# Needs only sh, awk, zcat and sort. Exits 1 when a replay fails, 2 on bad usage.
set -eu

usage() {
	echo "usage: $0 [--config PATH] [--per-file] [--alerts] BUILD_DIR [REC...]" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/../.." && pwd)
config=$root/config/postured.ini
per_file=0
alerts=0
while [ $# -gt 0 ]; do
	case "$1" in
	--config)
		[ $# -ge 2 ] || usage
		config=$2
		shift 2
		;;
	--per-file) per_file=1 && shift ;;
	--alerts) alerts=1 && shift ;;
	--) shift && break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
postured=$1/postured
shift
if [ ! -x "$postured" ]; then
	echo "$0: $postured is missing: build it with 'make $postured'" >&2
	exit 2
fi
[ -r "$config" ] || {
	echo "$0: cannot read the config $config" >&2
	exit 2
}
if [ $# -eq 0 ]; then
	data=$root/../shared/data/hapt-50hz
	set -- "$data"/*.csv.gz
	[ -e "$1" ] || {
		echo "$0: no recordings in $data (the shared data beside the clone)" >&2
		exit 2
	}
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/postured-hapt.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# tally REC: replays REC and appends its figures to $tmp/tally as lines of
#   time LABEL STATE ACTIVITY SECONDS   (summed over the recording's rows)
#   alert FILE T LABEL START END        (every alert; LABEL "-" and no interval when unlabelled)
#   file FILE SECONDS LYING_S LYING_RECOGNISED_S
tally() {
	rec=$1
	name=$(basename "$rec" .csv.gz)
	zcat -f "$rec" | awk '!/^#/ { exit } $2 == "interval-label" { print $3, $4, $5 }' |
		sort -k2,2n >"$tmp/labels"
	"$postured" --replay "$rec" --config "$config" --trace "$tmp/trace.csv" \
		--events "$tmp/events.jsonl" >/dev/null 2>"$tmp/replay.err" || {
		echo "$0: postured --replay $rec --config $config failed:" >&2
		cat "$tmp/replay.err" >&2
		exit 1
	}
	awk -v name="$name" -v trace="$tmp/trace.csv" '
	BEGIN { n = 0 }
	# Intervals sorted by start, none overlapping: the label of a time only moves forward.
	FILENAME == ARGV[1] { label[n] = $1; start[n] = $2 + 0; end[n] = $3 + 0; n++; next }
	# An event line: "t":NUMBER and "POSTURE_EVENT":"NAME" anywhere in the object.
	{
		if (!match($0, /"POSTURE_EVENT":"[^"]*"/)) next
		if (substr($0, RSTART + 17, RLENGTH - 18) != "alert") next
		if (!match($0, /"t":[-0-9.eE+]*/)) next
		t = substr($0, RSTART + 4, RLENGTH - 4) + 0
		for (i = 0; i < n; i++)
			if (t >= start[i] && t < end[i]) break
		if (i < n)
			print "alert", name, t, label[i], start[i], end[i]
		else
			print "alert", name, t, "-"
	}
	function label_at(t) {
		while (k < n && t >= end[k]) k++
		return (k < n && t >= start[k]) ? label[k] : "-"
	}
	function add(t, dt, state, activity,   l) {
		l = label_at(t)
		time[l SUBSEP state SUBSEP activity] += dt
		total += dt
		if (l == "lying") {
			lying += dt
			if (state == "lying" || activity == "lying") recognised += dt
		}
	}
	END {
		if ((getline line < trace) <= 0) { print "empty trace " trace > "/dev/stderr"; exit 1 }
		cols = split(line, h, ",")
		for (i = 1; i <= cols; i++) col[h[i]] = i
		if (!("t" in col) || !("state" in col)) {
			print "trace " trace " has no t or state column: " line > "/dev/stderr"
			exit 1
		}
		ct = col["t"]; cs = col["state"]; ca = ("activity" in col) ? col["activity"] : 0
		k = 0; rows = 0
		while ((getline line < trace) > 0) {
			split(line, f, ",")
			t = f[ct] + 0
			if (rows++ > 0) { dt = t - pt; add(pt, dt, ps, pa) }
			pt = t; ps = f[cs]; pa = ca ? f[ca] : "-"
		}
		if (rows > 0) add(pt, dt, ps, pa)
		for (key in time) {
			split(key, p, SUBSEP)
			printf "time %s %s %s %.6f\n", p[1], p[2], p[3], time[key]
		}
		printf "file %s %.6f %.6f %.6f\n", name, total, lying, recognised
	}' "$tmp/labels" "$tmp/events.jsonl" >>"$tmp/tally" || {
		echo "$0: could not read the trace or events of $rec" >&2
		exit 1
	}
}

: >"$tmp/tally"
for rec; do
	tally "$rec"
done

awk -v config="$config" -v per_file="$per_file" -v list_alerts="$alerts" -v files="$#" '
BEGIN {
	nstates = split("calibrating upright leaning slumped lying", state_name, " ")
	nacts = split("still moving lying", act_name, " ")
	norder = split("sitting standing lying walking stairs_up stairs_down stand_to_sit " \
		"sit_to_stand sit_to_lie lie_to_sit stand_to_lie lie_to_stand", order, " ")
	for (i = 1; i <= norder; i++) known[order[i]] = 1
	active_list = "walking stairs_up stairs_down stand_to_sit sit_to_stand sit_to_lie " \
		"lie_to_sit stand_to_lie lie_to_stand"
	split(active_list, act_label, " ")
	for (i in act_label) active[act_label[i]] = 1
	for (i = 1; i <= nstates; i++) state_known[state_name[i]] = 1
	for (i = 1; i <= nacts; i++) act_known[act_name[i]] = 1
}
$1 == "time" {
	l = $2; s = $3; a = $4; dt = $5 + 0
	seen[l] = 1
	label_s[l] += dt
	state_s[l, s] += dt
	act_s[l, a] += dt
	if (a != "-") has_activity = 1
	if (!(s in state_known)) other_state[s] += dt
	if (a != "-" && !(a in act_known)) other_act[a] += dt
	if (active[l]) active_s += dt
	next
}
$1 == "alert" {
	l = $4
	alerts[l]++
	if (l != "-") {
		labelled_alerts++
		file_alerts[$2]++
		if (active[l]) active_alerts++
		where = sprintf("%-13s [%.2f, %.2f)", l, $5, $6)
	} else
		where = "-"
	alert_line[++nalert] = sprintf("  %-22s %9.2f  %s", $2, $3, where)
	next
}
$1 == "file" {
	file_name[++nfile] = $2
	file_s[$2] = $3; file_lying[$2] = $4; file_rec[$2] = $5
	lying_s += $4; recognised_s += $5
	next
}
function pct(x, whole) {
	return whole > 0 ? sprintf("%6.1f", 100 * x / whole) : sprintf("%6s", "-")
}
function row(l,   line, i) {
	line = sprintf("%-13s %8.1f %6d ", l, label_s[l], alerts[l])
	for (i = 1; i <= nstates; i++) line = line pct(state_s[l, state_name[i]], label_s[l])
	line = line "  "
	for (i = 1; i <= nacts; i++)
		line = line (has_activity ? pct(act_s[l, act_name[i]], label_s[l]) : sprintf("%6s", "-"))
	print line
}
END {
	printf "%d recordings, config %s\n", files, config
	printf "%-13s %8s %6s  %-29s  %s\n", "", "", "", "state, % of the time", \
		"activity, %" (has_activity ? "" : " (no activity column)")
	printf "%-13s %8s %6s %6s%6s%6s%6s%6s  %6s%6s%6s\n", "label", "time s", "alerts", \
		"calib", "uprt", "lean", "slump", "lying", "still", "move", "lying"
	for (i = 1; i <= norder; i++) if (seen[order[i]]) row(order[i])
	for (l in seen) if (!(l in known) && l != "-") extra[++nextra] = l
	for (i = 1; i <= nextra; i++) row(extra[i])
	if (seen["-"]) row("-")
	for (l in alerts) if (!(l in seen)) row(l)
	for (s in other_state) printf "note: %.1f s in state \"%s\", not a column above\n", other_state[s], s
	for (a in other_act) printf "note: %.1f s in activity \"%s\", not a column above\n", other_act[a], a
	print ""
	printf "active time (walking, stairs_up, stairs_down, transitions): %.2f h\n", active_s / 3600
	printf "false alerts per active hour: %s (%d alerts in active intervals)\n", \
		(active_s > 0 ? sprintf("%.2f", active_alerts / (active_s / 3600)) : "-"), active_alerts
	printf "alerts in labelled intervals: %d\n", labelled_alerts
	printf "lying recognised: %s %% of %.1f s of lying\n", \
		(lying_s > 0 ? sprintf("%.1f", 100 * recognised_s / lying_s) : "-"), lying_s
	if (per_file) {
		print ""
		printf "%-22s %8s %8s %10s\n", "recording", "time s", "alerts", "lying rec %"
		for (i = 1; i <= nfile; i++) {
			f = file_name[i]
			printf "%-22s %8.1f %8d %10s\n", f, file_s[f], file_alerts[f], \
				(file_lying[f] > 0 ? sprintf("%.1f", 100 * file_rec[f] / file_lying[f]) : "-")
		}
	}
	if (list_alerts && nalert > 0) {
		print ""
		print "alerts:"
		printf "  %-22s %9s  %s\n", "recording", "t s", "label [interval s)"
		for (i = 1; i <= nalert; i++) print alert_line[i]
	}
}' "$tmp/tally"
