#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-system: the whole user story on a real Linux kernel, the real inv_mpu6050 driver and
# real systemd, in a virtual machine (qemu-system-x86_64, TCG: no KVM needed).
#
#   1. Host tools (qemu-system-x86, debootstrap, cpio, openssl) are installed when missing.
#   2. Debian's kernel (linux-image-amd64 from bookworm-backports) and a root file system
#      (debootstrap bookworm minbase + systemd, udev, kmod, i2c-tools, dbus,
#      systemd-journal-remote and what postured's package depends on + the kernel modules the
#      test needs) are built once into the cache,
#      keyed on the package versions, the package list and this script's image recipe.
#   3. postured's Debian package (make deb: BUILD_DIR/deb/postured_*_amd64.deb) is installed
#      into a copy of the image by dpkg -i in a chroot (the unit from systemd/, unmodified), with
#      tests/system/guest/postured.ini as the wearer's config and the test's two units, and the
#      journal collector's and uploader's configs and certificates (phase "report"); that is
#      the initramfs, booted with systemd as PID 1.
#   4. Inside, tests/system/guest/scenario.sh moves the emulated wearer (i2c-stub registers) and
#      writes what a user would read (systemctl, journalctl) to the second serial port; here each
#      phase is compared with tests/system/expected/PHASE.txt, with a diff when they differ.
#   5. A negative control: the last phase starts postured with /sys/bus/iio made inaccessible
#      by a drop-in; the start-up checks of phase "boot" must fail on it, or they prove nothing.
#
# Usage: tests/system/run.sh BUILD_DIR   (as root; BUILD_DIR holds the built postured, and the
#                                        package in BUILD_DIR/deb)
# Environment:
#   POSTURED_CI_CACHE        the cache's parent directory (default /var/cache/postured-ci)
#   POSTURED_SYSTEM_DROPIN   a drop-in file for postured.service to add to the image, to see
#                            how the test fails when the unit changes (e.g. its hardening)
#   POSTURED_SYSTEM_TIMEOUT  seconds the virtual machine may run (default 600)
#   POSTURED_SYSTEM_KEEP=1   keep the run's files (results, console log) even when it passes
# Exit status 0 when every phase passed; the last line is "N passed, M failed".
set -Eeuo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/tests/system
build=$(cd "$1" && pwd)
step="setup"
trap 'echo "check-system: FAILED while: $step" >&2' ERR

say() { echo "check-system: $*"; }

if [ "$(id -u)" != 0 ]; then
	echo "check-system: run as root: debootstrap and chroot need it" \
		"(sudo make check-system)" >&2
	exit 2
fi
# shellcheck source=/dev/null
if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" != bookworm ]; then
	echo "check-system: the guest is Debian 12 (bookworm) and runs the postured built here:" \
		"run this on Debian 12" >&2
	exit 2
fi
if [ ! -x "$build/postured" ]; then
	echo "check-system: $build/postured is missing:" \
		"run 'make check-system', which builds it" >&2
	exit 2
fi
# The package `make deb` built (the guest is amd64).
debs=("$build"/deb/postured_*_amd64.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
	echo "check-system: expected one postured_*_amd64.deb in $build/deb:" \
		"run 'make check-system', which builds it (make deb)" >&2
	exit 2
fi
deb=${debs[0]}

# shellcheck source=tests/lib/apt-private.sh
. "$repo/tests/lib/apt-private.sh"

SUITE=bookworm
KERNEL_SUITE=bookworm-backports
# The root file system: minbase plus what the scenario and postured need at run time. No procps:
# the unit's reload must work without /bin/kill. dbus: the system bus (dbus-daemon, started by
# dbus.socket) that postured owns a name on and posturectl calls. systemd-journal-remote: the
# collector and the uploader of phase "report".
PACKAGES=(systemd udev kmod i2c-tools dbus systemd-journal-remote)
# And what postured's package depends on (the first of alternatives: its libraries, systemd for
# the sysusers entry), which dpkg -i needs there.
while read -r p; do
	[[ " ${PACKAGES[*]} " == *" $p "* ]] || PACKAGES+=("$p")
done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | sort -u)
# The modules the scenario loads; modprobe resolves the rest (industrialio, i2c-mux, ...).
# bmi160-i2c and iio-trig-hrtimer: the buffered-capture phase (its configfs trigger).
MODULES=(i2c-stub i2c-dev inv-mpu6050-i2c bmi160-i2c iio-trig-hrtimer)
HOST_PACKAGES=(qemu-system-x86 debootstrap cpio systemd openssl)
cache_parent=${POSTURED_CI_CACHE:-/var/cache/postured-ci}
cache=$cache_parent/system
timeout_s=${POSTURED_SYSTEM_TIMEOUT:-600}
t_start=$(date +%s)
mkdir -p "$cache"

### host tools ###

step="installing ${HOST_PACKAGES[*]}"
missing=()
for p in "${HOST_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	{
		apt-get update -q &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				--no-install-recommends "${missing[@]}"
	} >"$cache_parent/apt-install.log" 2>&1 || {
		cat "$cache_parent/apt-install.log" >&2
		false
	}
fi

# Two runs at once (make -j, two users) must not build into each other's directories.
exec 9>"$cache/lock"
flock 9

### kernel ###

step="reading the $SUITE and $KERNEL_SUITE package indexes"
apt_private_init "$cache/apt" "$SUITE" "$KERNEL_SUITE"
apt_private_update "$cache/apt"

# The newest version of PACKAGE in SUITE, from the private index.
version_in() {
	apt-cache "${apt_private_opts[@]}" madison "$1" |
		awk -F'|' -v suite="$2" '{ gsub(/ /, "", $2) } $3 ~ (" " suite "/") { print $2 }' |
		sort -V | tail -n 1
}

step="choosing the kernel from $KERNEL_SUITE"
meta_version=$(version_in linux-image-amd64 "$KERNEL_SUITE")
if [ -z "$meta_version" ]; then
	echo "check-system: no linux-image-amd64 in $KERNEL_SUITE on $apt_private_uri" >&2
	exit 1
fi
kernel_pkg=$(apt-cache "${apt_private_opts[@]}" show "linux-image-amd64=$meta_version" |
	sed -n 's/^Depends: //p' | tr ',' '\n' | sed -n 's/^ *\(linux-image-[^ ]*\) .*/\1/p' |
	head -n 1)
kernel_dir=$cache/kernel/${kernel_pkg}_$meta_version
if [ ! -f "$kernel_dir/vmlinuz" ]; then
	step="downloading $kernel_pkg $meta_version"
	say "downloading $kernel_pkg $meta_version"
	rm -rf "$cache/kernel"
	tmp=$(mktemp -d "$cache/download.XXXXXX")
	# apt fetches as the _apt user when run as root; let it write here.
	if id _apt >/dev/null 2>&1; then
		chown _apt "$tmp"
	fi
	(cd "$tmp" && apt-get "${apt_private_opts[@]}" download "$kernel_pkg=$meta_version" \
		>"$cache/apt/download.log" 2>&1) || {
		cat "$cache/apt/download.log" >&2
		false
	}
	mkdir "$tmp/root"
	dpkg -x "$tmp"/*.deb "$tmp/root"
	mkdir -p "$kernel_dir"
	kver=$(basename "$(ls -d "$tmp"/root/lib/modules/*)")
	mv "$tmp/root/lib/modules/$kver" "$kernel_dir/modules"
	echo "$kver" >"$kernel_dir/release"
	mv "$tmp/root/boot/vmlinuz-$kver" "$kernel_dir/vmlinuz"
	rm -rf "$tmp"
fi
kver=$(cat "$kernel_dir/release")

### root file system ###

# build_base ROOTFS: the cached part of the image. Its source is part of the cache key.
build_base() {
	local rootfs=$1 m keep
	local include
	include=$(
		IFS=,
		echo "${PACKAGES[*]}"
	)
	debootstrap --variant=minbase --include="$include" \
		${apt_private_key:+--keyring="$apt_private_key"} \
		"$SUITE" "$rootfs" "$apt_private_uri" >"$cache/debootstrap.log" 2>&1 || {
		tail -n 30 "$cache/debootstrap.log" >&2
		return 1
	}
	# The kernel's modules: only those the scenario loads and what they depend on.
	mkdir -p "$rootfs/lib/modules"
	cp -a "$kernel_dir/modules" "$rootfs/lib/modules/$kver"
	chroot "$rootfs" depmod "$kver"
	keep=$(for m in "${MODULES[@]}"; do
		chroot "$rootfs" modprobe -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" { print $2 }' | sort -u)
	if [ -z "$keep" ]; then
		echo "check-system: modprobe resolved none of ${MODULES[*]} in $kver" >&2
		return 1
	fi
	mv "$rootfs/lib/modules/$kver" "$rootfs/lib/modules/all"
	for m in $keep; do
		mkdir -p "$rootfs$(dirname "$m")"
		mv "$rootfs/lib/modules/all/${m#/lib/modules/"$kver"/}" "$rootfs$m"
	done
	cp "$rootfs/lib/modules/all/modules.order" "$rootfs/lib/modules/all/modules.builtin"* \
		"$rootfs/lib/modules/$kver/"
	rm -rf "$rootfs/lib/modules/all"
	chroot "$rootfs" depmod "$kver"
	# What a test machine does not need: the package caches, documentation, and services
	# that only slow the boot down.
	rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
		"$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
		"$rootfs"/usr/share/locale/* "$rootfs"/usr/share/info/*
	for m in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
		fstrim.timer e2scrub_reap.service getty@tty1.service serial-getty@ttyS0.service \
		serial-getty@ttyS1.service systemd-pstore.service; do
		ln -sf /dev/null "$rootfs/etc/systemd/system/$m"
	done
	echo postured-test >"$rootfs/etc/hostname"
	# A fresh machine id at each boot, as on a first boot.
	: >"$rootfs/etc/machine-id"
}

step="reading the package versions for the root file system"
versions=$(for p in "${PACKAGES[@]}"; do echo "$p $(version_in "$p" "$SUITE")"; done)
if grep -q ' $' <<<"$versions"; then
	echo "check-system: not in $SUITE on $apt_private_uri:" \
		"$(grep ' $' <<<"$versions" | tr '\n' ' ')" >&2
	exit 1
fi
key=$( {
	declare -f build_base
	echo "$SUITE ${PACKAGES[*]} ${MODULES[*]} $kernel_pkg $meta_version $apt_private_uri"
	echo "$versions"
} | sha256sum | cut -c1-16)
base=$cache/base-$key.cpio
if [ ! -f "$base" ]; then
	step="building the root file system (debootstrap $SUITE, kernel $kver)"
	say "building the root file system: debootstrap $SUITE and the modules of $kver" \
		"(about a minute; log in $cache/debootstrap.log)"
	t0=$(date +%s)
	rm -f "$cache"/base-*.cpio
	rm -rf "$cache/rootfs"
	build_base "$cache/rootfs"
	(cd "$cache/rootfs" && find . -mindepth 1 | cpio -o -H newc --quiet >"$base.tmp")
	mv "$base.tmp" "$base"
	rm -rf "$cache/rootfs"
	say "root file system cached as $base ($(du -m "$base" | cut -f1) MB," \
		"$(($(date +%s) - t0)) s)"
fi
flock -u 9
exec 9>&-

### postured, installed into the image ###

work=$(mktemp -d "${TMPDIR:-/tmp}/postured-system.XXXXXX")
keep_work=no
[ "${POSTURED_SYSTEM_KEEP:-}" = 1 ] && keep_work=yes
qemu_pid=
cleanup() {
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
	rm -f "$work/initrd.cpio"
	rm -rf "$work/root"
	if [ "$keep_work" = no ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step="checking tests/system/guest/postured.ini with postured --check-config"
"$build/postured" --check-config "$here/guest/postured.ini" >/dev/null

# The image is unpacked, the package installed into it as on any Debian system (its postinst
# creates the users from the sysusers entry and enables the unit; systemd's trigger adds the
# catalog), then the test's own files are added and the whole is packed again (about 2 s).
step="unpacking the image to install postured's package into it"
t_install=$(date +%s)
root=$work/root
mkdir -m 755 "$root"
(cd "$root" && cpio -i -d --quiet <"$base")
step="installing $(basename "$deb") into the image (dpkg -i in a chroot)"
cp "$deb" "$root/tmp/postured.deb"
chroot "$root" dpkg -i /tmp/postured.deb >"$work/install.log" 2>&1 || {
	cat "$work/install.log" >&2
	echo "check-system: dpkg -i $(basename "$deb") failed in the image: a dependency" \
		"missing from PACKAGES?" >&2
	false
}
rm "$root/tmp/postured.deb"
install -m 0644 "$here/guest/postured.ini" "$root/etc/postured/postured.ini"
install -D -m 0755 "$here/guest/scenario.sh" "$root/usr/local/libexec/postured-test/scenario.sh"
install -D -m 0644 -t "$root/etc/systemd/system" "$here/guest/postured-test-sensors.service" \
	"$here/guest/postured-test-scenario.service"
# Phase "report": the journal collected as README "Many wearers" sets it up, in the guest over
# loopback. A test CA made here signs the collector's certificate (for localhost) and the
# uploader's; the CA's key stays on the host. The keys reach the services as credentials
# (LoadCredential= drop-ins); both services are started by the phase.
step="making the journal upload's certificates (openssl)"
tls=$work/tls
mkdir -m 700 "$tls"
# cert NAME CN: NAME.key and NAME.pem, signed by the CA, for localhost.
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$2" \
		-keyout "$tls/$1.key" -out "$tls/$1.csr" &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$tls/$1.ext" &&
		openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
			-CAcreateserial -days 2 -extfile "$tls/$1.ext" -out "$tls/$1.pem"
}
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=postured system test CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" &&
		cert journal-remote localhost && cert journal-upload postured-test
} >"$tls/openssl.log" 2>&1 || {
	cat "$tls/openssl.log" >&2
	false
}
step="installing the collector's and the uploader's files into the image"
mkdir -p "$root/etc/ssl/private"
chmod 700 "$root/etc/ssl/private"
for name in journal-remote journal-upload; do
	install -m 0600 "$tls/$name.key" "$root/etc/ssl/private/$name.pem"
	install -D -m 0644 "$tls/$name.pem" "$root/etc/ssl/certs/$name.pem"
	install -D -m 0644 "$here/guest/$name.conf" "$root/etc/systemd/$name.conf"
	install -D -m 0644 "$here/guest/systemd-$name.service.d/override.conf" \
		"$root/etc/systemd/system/systemd-$name.service.d/override.conf"
done
install -D -m 0644 "$tls/ca.pem" "$root/etc/ssl/ca/trusted.pem"
if [ -n "${POSTURED_SYSTEM_DROPIN:-}" ]; then
	say "adding $POSTURED_SYSTEM_DROPIN as a drop-in for postured.service"
	dropin_dir=$root/etc/systemd/system/postured.service.d
	install -D -m 0644 -t "$dropin_dir" "$POSTURED_SYSTEM_DROPIN"
fi
# postured.service is enabled by the package; the test's units are not.
systemctl --root="$root" --quiet enable postured-test-sensors.service \
	postured-test-scenario.service
(cd "$root" && find . -mindepth 1 | cpio -o -H newc --quiet >"$work/initrd.cpio")
rm -rf "$root"
say "installed $(basename "$deb") into the image ($(($(date +%s) - t_install)) s)"

### boot ###

step="running the virtual machine"
say "booting $kver under qemu (TCG) with $(basename "$deb");" \
	"console log: $work/console.log"
: >"$work/results.txt"
t_boot=$(date +%s)
qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m 1536 -nodefaults -display none -no-reboot \
	-serial "file:$work/console.log" -serial "file:$work/results.txt" \
	-kernel "$kernel_dir/vmlinuz" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 rdinit=/lib/systemd/systemd panic=-1 loglevel=4" \
	</dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!
waited=0
while kill -0 "$qemu_pid" 2>/dev/null; do
	if [ "$waited" -ge "$timeout_s" ]; then
		say "the virtual machine did not finish within $timeout_s s: stopping it"
		kill "$qemu_pid" 2>/dev/null || true
		break
	fi
	sleep 1
	waited=$((waited + 1))
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
t_end=$(date +%s)

### compare ###

# Renders the results into one file per phase, $work/actual/PHASE.txt: the checks, then the
# phase's journal entries a user would look at, one line each:
#   EVENT pid=N cause=.. duration_s=.. alert_count=.. sensor=.. mode=.. [| DETAIL]   (POSTURE_EVENT=)
#   systemd: MESSAGE   (systemd's own messages about the unit: exits, restarts, watchdog)
#   log: MESSAGE       (postured's messages about the stored calibration)
# pid=N numbers postured's processes in the order they appear.
render() {
	awk -v dir="$work/actual" '
		function field(line, name,    v) {
			if (!match(line, "\"" name "\":\"([^\"\\\\]|\\\\.)*\""))
				return ""
			v = substr(line, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
			gsub(/\\"/, "\"", v)
			gsub(/\\\\/, "\\", v)
			return v
		}
		function pid_no(p) {
			if (!(p in pids))
				pids[p] = ++npids
			return pids[p]
		}
		function event_line(ev,    s) {
			s = ev
			if (ev == "started" || ev == "calibrated" || ev == "stopped")
				s = s " pid=" pid_no(field($0, "_PID"))
			if (field($0, "POSTURE_CAUSE") != "")
				s = s " cause=" field($0, "POSTURE_CAUSE")
			if (ev == "slump_started" || ev == "slump_ended")
				s = s sprintf(" duration_s=%.1f", field($0, "POSTURE_DURATION_S"))
			if (ev == "alert")
				s = s " alert_count=" field($0, "POSTURE_ALERT_COUNT")
			if (ev == "sensor_lost" || ev == "sensor_restored")
				s = s " sensor=" field($0, "POSTURE_SENSOR")
			if (ev == "snooze_started")
				s = s sprintf(" duration_s=%.1f", field($0, "POSTURE_DURATION_S"))
			if (ev == "mode_changed")
				s = s " mode=" field($0, "POSTURE_MODE")
			if (ev ~ /^(sensor_lost|sensor_restored|config_rejected)$/ ||
			    ev ~ /^(snooze_started|snooze_ended|mode_changed)$/)
				s = s " | " field($0, "POSTURE_DETAIL")
			return s
		}
		BEGIN {
			# the messages of systemd that tell of trouble: exits, restarts, timeouts
			systemd_re = "Watchdog|Main process exited|Scheduled restart"
			systemd_re = systemd_re "|Failed with result|timed out"
		}
		{ sub(/\r$/, "") }
		/^=== phase / {
			phase = $3
			file = dir "/" phase ".txt"
			printf "" >file
			injournal = 0
			next
		}
		/^=== journal / { injournal = 1; next }
		/^=== end / { close(file); phase = ""; injournal = 0; next }
		/^===/ || phase == "" { next }
		!injournal {
			if (/^check /)
				print >file
			next
		}
		{
			ev = field($0, "POSTURE_EVENT")
			msg = field($0, "MESSAGE")
			if (ev != "")
				print event_line(ev) >file
			else if (field($0, "_PID") == "1" && msg ~ systemd_re)
				print "systemd: " msg >file
			else if (field($0, "_PID") != "1" && msg ~ /stored calibration/)
				print "log: " msg >file
		}' "$work/results.txt"
}

# compare EXPECTED ACTUAL OUT: writes to OUT the actual lines, where each line that satisfies
# the corresponding expected line (same event and occurrence, same check, same message) is
# replaced by that expected line, so `diff EXPECTED OUT` shows only real differences.
# Expected lines (tests/system/expected/*.txt; # starts a comment):
#   EVENT k=v k=v~TOL ... [| DETAIL or |~ REGEX]   numbers within TOL, the rest exactly
#   check KEY = VALUE  or  check KEY ~ REGEX
#   systemd: MESSAGE  and  log: MESSAGE            exactly
compare() {
	local clean
	clean=$work/$(basename "$1").clean
	grep -v '^#' "$1" | grep -v '^$' >"$clean" || true
	awk -v expected="$clean" '
		function key(line,    w) {
			if (line ~ /^(systemd|log): /)
				return line
			split(line, w, " ")
			return line ~ /^check / ? "check " w[2] : w[1]
		}
		# "head | detail" -> part 1 or 2 (after "| ", or "|~ " kept as "~ REGEX")
		function part(line, n,    i) {
			i = index(line, " |")
			if (i == 0)
				return n == 1 ? line : ""
			if (n == 1)
				return substr(line, 1, i - 1)
			if (substr(line, i + 2) ~ /^~ /)
				return substr(line, i + 2)
			return substr(line, i + 3)
		}
		function field_ok(want, have,    tol, name, d) {
			if (!index(want, "~"))
				return want == have
			tol = substr(want, index(want, "~") + 1)
			want = substr(want, 1, index(want, "~") - 1)
			name = substr(want, 1, index(want, "="))
			if (index(have, name) != 1)
				return 0
			d = substr(have, length(name) + 1) - substr(want, length(name) + 1)
			return d <= tol + 1e-9 && -d <= tol + 1e-9
		}
		function matches(e, a,    w, ed, ad, n, i, ef, af) {
			if (e ~ /^check /) {
				split(e, w, " ")
				if (w[3] == "=")
					return e == a
				w[1] = substr(a, index(a, " = ") + 3)
				return w[1] ~ substr(e, index(e, " ~ ") + 3)
			}
			if (e ~ /^(systemd|log): /)
				return e == a
			ed = part(e, 2)
			ad = part(a, 2)
			if (ed ~ /^~ /) {
				if (ad !~ substr(ed, 3))
					return 0
			} else if (ed != ad) {
				return 0
			}
			n = split(part(e, 1), ef, " ")
			if (split(part(a, 1), af, " ") != n)
				return 0
			for (i = 1; i <= n; i++)
				if (!field_ok(ef[i], af[i]))
					return 0
			return 1
		}
		BEGIN {
			while ((getline line <expected) > 0) {
				k = key(line)
				want[k "#" ++seen[k]] = line
			}
		}
		{
			k = key($0)
			e = want[k "#" ++count[k]]
			if (e != "" && matches(e, $0))
				print e
			else
				print
		}' "$2" >"$3"
}

passed=0
failed=0
mkdir -p "$work/actual"
render
# Figures the guest measured (phase bmi160-buffer): printed, never judged.
sed -n 's/^=== measure \(.*\)/measured: \1/p' "$work/results.txt" | tr -d '\r' |
	while read -r line; do say "$line"; done
active_s=$(sed -n "s/^=== active boot \([0-9.]*\).*/\1/p" "$work/results.txt")
aborted=$(sed -n "s/^=== aborted: //p" "$work/results.txt" | tr -d "\r")
if [ -n "$aborted" ]; then
	keep_work=yes
	say "the scenario stopped after start-up: $aborted"
elif ! grep -q "^=== done" "$work/results.txt"; then
	failed=$((failed + 1))
	keep_work=yes
	say "FAIL the scenario did not finish (results end after:" \
		"'$(grep '^===' "$work/results.txt" | tail -n 1)'); last lines of the console:"
	grep -v '^\s*$' "$work/console.log" | tail -n 40 | sed 's/^/    /'
	if [ -s "$work/qemu.log" ]; then
		say "qemu said:"
		sed "s/^/    /" "$work/qemu.log"
	fi
fi

# diff_phase NAME EXPECTED: 0 when the phase's actual lines satisfy EXPECTED.
diff_phase() {
	local actual=$work/actual/$1.txt
	[ -f "$actual" ] || : >"$actual"
	compare "$2" "$actual" "$actual.cmp"
	diff -u --label "expected ($(realpath --relative-to="$repo" "$2"))" \
		--label "actual (phase $1)" "$work/$(basename "$2").clean" "$actual.cmp" \
		>"$work/$1.diff"
}

# In the order the guest ran them; a phase that did not run is compared with nothing.
phases=$( {
	sed -n "s/^=== phase \([^ ]*\) .*/\1/p" "$work/results.txt"
	for expected in "$here"/expected/*.txt; do basename "$expected" .txt; done
} | awk "!seen[\$0]++" | grep -vx hardened || true)
for name in $phases; do
	expected=$here/expected/$name.txt
	if [ ! -f "$expected" ]; then
		failed=$((failed + 1))
		say "FAIL $name: the guest ran a phase that tests/system/expected/" \
			"does not describe"
	elif ! grep -q "^=== phase $name " "$work/results.txt"; then
		failed=$((failed + 1))
		say "FAIL $name: the phase did not run"
	elif diff_phase "$name" "$expected"; then
		passed=$((passed + 1))
		say "PASS $name"
	else
		failed=$((failed + 1))
		keep_work=yes
		say "FAIL $name: expected (-) and actual (+) lines differ:"
		sed 's/^/    /' "$work/$name.diff"
	fi
done

# The negative control: with the IIO devices made inaccessible by a drop-in, the start-up checks
# of phase "boot" must fail, and because the daemon reports the blocked sensor.
if ! grep -q "^=== phase hardened " "$work/results.txt"; then
	failed=$((failed + 1))
	say "FAIL hardened: the negative control did not run"
elif diff_phase hardened "$here/expected/boot.txt"; then
	failed=$((failed + 1))
	keep_work=yes
	say "FAIL hardened: the start-up checks passed although a drop-in made /sys/bus/iio" \
		"inaccessible: they cannot see a sensor that the unit's hardening blocks"
elif ! grep -q '^sensor_lost sensor=trunk | ' "$work/actual/hardened.txt"; then
	failed=$((failed + 1))
	keep_work=yes
	say "FAIL hardened: with /sys/bus/iio inaccessible, expected a sensor_lost event for the" \
		"trunk; got:"
	sed 's/^/    /' "$work/actual/hardened.txt"
else
	passed=$((passed + 1))
	say "PASS hardened: with /sys/bus/iio inaccessible (InaccessiblePaths= drop-in) the" \
		"start-up checks fail as they must:"
	sed 's/^/    /' "$work/hardened.diff"
fi

if [ -n "$active_s" ]; then
	active_s="postured.service active $active_s s after the kernel started"
else
	active_s="postured.service never became active"
fi
say "kernel $kver; $active_s; the virtual machine ran" \
	"$((t_end - t_boot)) s; $((t_end - t_start)) s in all"
if [ "$keep_work" = yes ]; then
	say "files kept in $work (results.txt: what the guest saw; console.log; actual/)"
fi
trap - ERR
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
