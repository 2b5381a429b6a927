# SPDX-License-Identifier: GPL-2.0-or-later
# Alerts and lying on real people: the 30 shared HAPT recordings (../shared/data/hapt-50hz, beside
# the clone; SPEC.md "Data") replayed with config/postured.ini and tallied by
# tests/bench/hapt_table.sh, the table of `make bench`. Nothing in them is a sustained slump
# (data/README.md), so no alert may fall in any labelled interval: walking, stairs, transitions,
# lying, and the sitting and standing bouts, all shorter than the ISO holding times. Lying must be
# recognised (state or activity lying) for at least 95 % of the lying-label time.

data=../shared/data/hapt-50hz
if ! ls "$data"/*.csv.gz >/dev/null 2>&1; then
	echo "skipped: no HAPT recordings in $data (the shared data beside the clone)"
	exit 0
fi
set -- "$data"/*.csv.gz
[ $# -ge 30 ] || fail "only $# of the 30 HAPT recordings are in $data"

table=$T/hapt-table.txt
tests/bench/hapt_table.sh --config config/postured.ini --per-file --alerts "$BUILD" \
	>"$table" 2>"$LOG" || fail "tests/bench/hapt_table.sh failed on the recordings in $data"
cat "$table"

labelled=$(sed -n 's/^alerts in labelled intervals: \([0-9]*\)$/\1/p' "$table")
lying=$(sed -n 's/^lying recognised: \([0-9.]*\) %.*/\1/p' "$table")
if [ -z "$labelled" ] || [ -z "$lying" ]; then
	fail "hapt_table.sh printed no 'alerts in labelled intervals' or 'lying recognised' line"
fi

problems=
if [ "$labelled" -ne 0 ]; then
	# The alert lines of the table whose label is not "-": recording, t, label [interval).
	problems="$labelled alerts in labelled intervals (none allowed):
$(sed -n '/^alerts:$/,$p' "$table" | awk 'NF >= 4 && $3 != "-" && $1 != "recording"')"
fi
if ! awk -v p="$lying" 'BEGIN { exit !(p >= 95) }'; then
	problems="${problems:+$problems
}lying recognised for $lying % of the lying time, below 95 %; recordings below 95 %:
$(sed -n '/^recording .*lying rec %$/,/^$/p' "$table" |
		awk '$1 != "recording" && NF == 4 && $4 != "-" && $4 + 0 < 95 {
			printf "  %-22s %5.1f %% of its lying recognised\n", $1, $4
		}')"
fi
[ -z "$problems" ] || fail "on the HAPT recordings with config/postured.ini:
$problems"
