# SPDX-License-Identifier: GPL-2.0-or-later
# Estimator accuracy guard on real data: three shared BROAD trials (../shared/data/broad-48hz,
# beside the clone; SPEC.md "Data") through `postured --replay --trace` with the documented
# defaults, scored by broad_rmse, the metric of `make bench`. Each RMSE must stay within 1.5x of
# the figure the estimator had when this test was written: a guard against regressions, not the
# target (README, "Estimator"). 08 is fast rotation with breaks (gyro integration, rest and bias
# learning), 15 fast translation (accelerations the low-pass must average out), 24 tapping.

data=../shared/data/broad-48hz
if ! ls "$data"/*.csv.gz >/dev/null 2>&1; then
	echo "skipped: no BROAD trials in $data (the shared data beside the clone)"
	exit 0
fi
[ -x "$BUILD/broad_rmse" ] ||
	fail "$BUILD/broad_rmse is missing: run 'make check-integration', which builds it"

# trial NAME RMSE_DEG GUARD_DEG: replays and scores one trial.
trial() {
	rec=$data/$1.csv.gz
	[ -e "$rec" ] || fail "$rec is missing from the shared data"
	status=0
	"$BUILD/postured" --replay "$rec" --config config/postured.ini --trace "$T/$1.trace.csv" \
		>"$LOG" 2>&1 || status=$?
	[ "$status" -eq 0 ] || fail "postured --replay $rec exited with status $status"
	"$BUILD/broad_rmse" "$rec" "$T/$1.trace.csv" >"$T/$1.score" 2>&1 ||
		fail "broad_rmse $rec failed: $(cat "$T/$1.score")"
	rmse=$(awk -v name="$1" '$1 == name { print $2 }' "$T/$1.score")
	echo "$1: RMSE $rmse deg (was $2, guard $3)"
	awk -v r="$rmse" -v g="$3" 'BEGIN { exit !(r != "" && r + 0 <= g + 0) }' ||
		fail "$1: inclination RMSE $rmse deg, above the guard of $3 deg (it was $2 deg)"
}

trial 08_undisturbed_fast_rotation_with_breaks_A 1.63 2.45
trial 15_undisturbed_fast_translation_A 0.64 0.96
trial 24_disturbed_tapping_A 0.66 0.99
