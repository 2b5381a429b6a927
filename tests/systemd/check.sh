#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks the systemd integration files without a running systemd:
#  - the unit, rendered as `make install` renders it, passes `systemd-analyze verify` silently
#    (which finds its Documentation= pages in man/) and its `systemd-analyze security` exposure
#    stays at the measured level;
#  - the sysusers entry creates the postured user in the gpio group, with and without that group,
#    and the wearers' group;
#  - the D-Bus policy names the unit's user and the group that sysusers creates and postured.ini
#    documents;
#  - the catalog compiles and documents every MESSAGE_ID of daemon/event.c, and nothing else.
# Usage: tests/systemd/check.sh (from any directory). Exit status 0 when every check passed.
set -u

# Measured with systemd 252: 0.4, with only these settings open (each explained in the unit).
# The overall figure has one decimal, so any further open setting fails the check too.
MAX_EXPOSURE=0.4
EXPECTED_OPEN=(RootDirectory=/RootImage= PrivateDevices= RestrictAddressFamilies=~AF_UNIX
	DeviceAllow=)
BINDIR=/usr/local/bin
SYSCONFDIR=/etc

cd "$(dirname "$0")/../.." || exit 1
for tool in systemd-analyze journalctl systemd-sysusers; do
	if ! command -v "$tool" >/dev/null; then
		echo "error: $tool not found: install the systemd package (make deps)" >&2
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/postured-systemd.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

pass() {
	echo "PASS: $*"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# Prints a command's output indented, for the log.
show() {
	[ -n "$1" ] && printf '%s\n' "$1" | sed 's/^/    /'
}

### unit ###

root=$work/root
unitdir=$root/usr/lib/systemd/system
unit=$unitdir/postured.service
mkdir -p "$unitdir" "$root$BINDIR"
# verify resolves the unit's dependencies (sysinit.target, ...) inside the root: give it the host's.
cp -a /usr/lib/systemd/system/. "$unitdir/"
sed "s|@BINDIR@|$BINDIR|g; s|@SYSCONFDIR@|$SYSCONFDIR|g" systemd/postured.service.in >"$unit"

if grep -n '@[A-Z_]*@' "$unit" >/dev/null; then
	fail "postured.service.in has placeholders the Makefile does not substitute:"
	show "$(grep -n '@[A-Z_]*@' "$unit")"
else
	pass "postured.service.in renders completely"
fi

# verify insists that every Exec*= command exists in the root: the daemon gets a stub, the other
# commands (ExecReload=/bin/kill) are copied from this system.
if [ -L /bin ]; then
	mkdir -p "$root/$(readlink /bin)"
	ln -s "$(readlink /bin)" "$root/bin"
fi
exec_ok=1
while read -r cmd; do
	if [ "${cmd#"$BINDIR"/}" != "$cmd" ]; then
		printf '#!/bin/sh\n' >"$root$cmd"
		chmod 0755 "$root$cmd"
	elif [ -x "$cmd" ]; then
		mkdir -p "$(dirname "$root$cmd")"
		cp "$(readlink -f "$cmd")" "$root$cmd"
	else
		fail "the unit runs $cmd, which does not exist here"
		exec_ok=0
	fi
done < <(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$unit" | sort -u)

# verify runs man(1) for each Documentation= page: this tree's pages, installed as make does.
mandir=$work/man
for page in man/*.[1-8]; do
	[ -e "$page" ] && install -D -m 0644 "$page" "$mandir/man${page##*.}/${page#man/}"
done
out=$(MANPATH=$mandir systemd-analyze verify --root="$root" postured.service 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || printf '%s\n' "$out" | grep -q postured; then
	fail "systemd-analyze verify postured.service (status $rc):"
	show "$out"
elif [ "$exec_ok" = 1 ]; then
	pass "systemd-analyze verify postured.service: no warnings"
	show "$out"
fi

out=$(systemd-analyze security --offline=yes --root="$root" postured.service 2>&1)
exposure=$(printf '%s\n' "$out" |
	sed -n 's/.*Overall exposure level for postured.service: \([0-9.]*\).*/\1/p')
if [ -z "$exposure" ]; then
	fail "systemd-analyze security gave no exposure level:"
	show "$out"
elif awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e > max) }'; then
	fail "systemd-analyze security: exposure $exposure is above $MAX_EXPOSURE; what is open:"
	show "$(printf '%s\n' "$out" | grep '✗')"
elif newly_open=$(printf '%s\n' "$out" | awk '$1 == "✗" { print $2 }' |
	grep -v -x -F "$(printf '%s\n' "${EXPECTED_OPEN[@]}")"); then
	fail "systemd-analyze security: exposure $exposure, but these settings are newly open:"
	show "$(printf '%s\n' "$out" | grep '✗' | grep -F "$newly_open")"
else
	pass "systemd-analyze security: exposure $exposure (limit $MAX_EXPOSURE); still open:"
	show "$(printf '%s\n' "$out" | grep '✗')"
fi

### sysusers ###

# A system without a gpio group, and Raspberry Pi OS, whose gpio group already has members.
for case in without-gpio with-gpio; do
	sroot=$work/sysusers-$case
	mkdir -p "$sroot/etc"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$sroot/etc/passwd"
	printf 'root:x:0:\n' >"$sroot/etc/group"
	want='^gpio:x:[0-9]*:postured$'
	group=$(sed -n 's/^group = //p' config/postured.ini)
	if [ "$case" = with-gpio ]; then
		printf 'gpio:x:997:pi\n' >>"$sroot/etc/group"
		want='^gpio:x:997:pi,postured$'
	fi
	out=$(systemd-sysusers --root="$sroot" "$PWD/systemd/postured.sysusers" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "systemd-sysusers postured.sysusers ($case, status $rc):"
		show "$out"
	elif ! grep -q '^postured:x:[0-9]*:[0-9]*:.*:/usr/sbin/nologin$' "$sroot/etc/passwd" ||
		! grep -q "$want" "$sroot/etc/group" ||
		! grep -q '^iio:x:[0-9]*:postured$' "$sroot/etc/group"; then
		fail "systemd-sysusers ($case): no postured user in the gpio and iio groups:"
		show "$(cat "$sroot/etc/passwd" "$sroot/etc/group")"
	elif ! grep -q "^$group:x:[0-9]*:\$" "$sroot/etc/group"; then
		fail "systemd-sysusers ($case): no group '$group' ([bus] group in postured.ini):"
		show "$(cat "$sroot/etc/group")"
	else
		pass "systemd-sysusers ($case): $(grep -E '^(gpio|iio):' "$sroot/etc/group" |
			tr '\n' ' ')$group"
	fi
done

### D-Bus policy ###

# The name postured takes, the user the unit runs as and the wearers' group: one spelling each
# in the daemon, the unit, postured.ini and the policy.
policy=systemd/io.github.postured.Posture1.conf
name=$(sed -n 's/^#define BUS_NAME "\(.*\)"$/\1/p' include/postured/bus.h)
user=$(sed -n 's/^User=//p' systemd/postured.service.in)
group=$(sed -n 's/^group = //p' config/postured.ini)
default_group=$(sed -n 's/^#define BUS_DEFAULT_GROUP "\(.*\)"$/\1/p' include/postured/bus.h)
if [ "$policy" != "systemd/$name.conf" ]; then
	fail "the policy file is not named after the bus name $name"
elif [ "$group" != "$default_group" ]; then
	fail "postured.ini documents [bus] group = $group, the daemon's default is $default_group"
elif ! grep -q "<policy user=\"$user\">" "$policy" ||
	! grep -q "<allow own=\"$name\"/>" "$policy" ||
	! grep -q "<policy group=\"$group\">" "$policy"; then
	fail "$policy does not let user $user own $name and group $group call it"
elif ! grep -q '<policy context="default">' "$policy" ||
	grep -A 20 '<policy context="default">' "$policy" | grep -q 'send_interface="'"$name"'"'; then
	fail "$policy: the default context must allow reading and nothing of $name's own methods"
else
	pass "$policy: user $user owns $name, group $group calls its methods, everyone reads"
fi

### catalog ###

croot=$work/catalog
mkdir -p "$croot/usr/lib/systemd/catalog"
cp systemd/postured.catalog "$croot/usr/lib/systemd/catalog/"
out=$(journalctl --root="$croot" --update-catalog 2>&1)
rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
	fail "journalctl --update-catalog (status $rc):"
	show "$out"
else
	pass "journalctl --update-catalog: postured.catalog compiles"
fi

listed=$(journalctl --root="$croot" --list-catalog 2>&1)
# The ids as daemon/event.c defines them: [EVENT_X] = { "name", "id", priority }.
ids=$(sed -n 's/^[[:space:]]*\[EVENT_[A-Z_]*\] = { "[a-z_]*", "\([0-9a-f]*\)".*/\1/p' \
	daemon/event.c)
n_types=$(sed -n '/^enum event_type {/,/^};/p' include/postured/event.h |
	grep -c '^[[:space:]]*EVENT_[A-Z_]*,')
n_types=$((n_types - 1)) # EVENT_TYPE_COUNT
n_ids=$(printf '%s\n' "$ids" | grep -c '^[0-9a-f]\{32\}$')
if [ "$n_ids" -ne "$n_types" ]; then
	fail "found $n_ids MESSAGE_IDs in daemon/event.c for $n_types event types" \
		'(expected the form [EVENT_X] = { "name", "<32 hex digits>", priority })'
fi
missing=0
for id in $ids; do
	if ! printf '%s\n' "$listed" | grep -q "^$id postured: "; then
		name=$(grep -o "\[EVENT_[A-Z_]*\] = { \"[a-z_]*\", \"$id\"" daemon/event.c |
			cut -d'"' -f2)
		fail "MESSAGE_ID $id ($name) has no postured entry in systemd/postured.catalog"
		missing=1
	fi
done
extra=$(printf '%s\n' "$listed" | awk '{ print $1 }' | grep -v -x -F "$ids")
if [ -n "$extra" ]; then
	fail "systemd/postured.catalog documents ids that daemon/event.c does not use:"
	show "$extra"
elif [ "$missing" = 0 ] && [ "$n_ids" -eq "$n_types" ]; then
	pass "catalog documents all $n_ids MESSAGE_IDs of daemon/event.c"
fi

echo "systemd: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
