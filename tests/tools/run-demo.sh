#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make run`: a simulated wearer (tests/data/demo-session.csv.gz, about three minutes of sitting,
# slumping, correcting and reaching) played at 6x into an emulated MPU-6050, read by the daemon
# through the real libiio code path. Usage: tests/tools/run-demo.sh BUILD_DIR
# make has built BUILD_DIR/postured and BUILD_DIR/simwearer; this script builds nothing.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$1
cd "$(dirname "$0")/../.."
for f in "$build/postured" "$build/simwearer"; do
	if [ ! -x "$f" ]; then
		echo "$0: $f is missing: run 'make run', which builds it" >&2
		exit 2
	fi
done
if ! command -v umockdev-wrapper >/dev/null; then
	echo "$0: umockdev-wrapper is missing: install the umockdev package (make deps)" >&2
	exit 2
fi

# A fresh state directory, so the demo always starts by calibrating.
state=$(mktemp -d "${TMPDIR:-/tmp}/postured-demo.XXXXXX")
trap 'rm -rf "$state"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

speed=6
echo "Simulated wearer at ${speed}x real time (about 30 s): calibration, a long slump, a brief"
echo "reach that must not alert, a second slump. Times below are the wearer's. Ctrl-C stops."
echo
umockdev-wrapper "$build/simwearer" --devices mpu6050 \
	--play tests/data/demo-session.csv.gz --speed "$speed" -- \
	"$build/postured" --config config/demo.ini --foreground --speed "$speed" \
	--state-dir "$state"
