#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-package: the Debian package that `make deb` left in BUILD_DIR/deb/, checked.
#  - lintian: bookworm's, on the .changes (the source package and both .debs), with --pedantic;
#    any tag of severity error, warning, info or pedantic fails. An override needs a reason in a
#    comment above it (debian/*.lintian-overrides); lintian prints the overrides it applied.
#  - files: the two programs, the unit, the sysusers entry, the catalog, the D-Bus policy, each
#    man page of man/ and each completion of config/completions, where the system looks for
#    them; the unit rendered for /usr/bin and /etc; the others byte for byte the tree's.
#  - conffile: /etc/postured/postured.ini is one, the same as config/postured.ini, and
#    postured.ini.d/ is there for the wearer's drop-ins.
#  - scripts: postinst applies the sysusers entry and enables and starts the unit.
#  - depends: the libraries found by dpkg-shlibdeps (cairo for posturectl's plots), and
#    systemd-sysusers.
#  - version: the packaged postured and posturectl say the package's upstream version.
# Usage: tests/package/check.sh BUILD_DIR
# Exit status 0 when every check passed; the last line is "package: N passed, M failed".
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(cd "$1" && pwd)/deb
cd "$repo" || exit 1
arch=$(dpkg --print-architecture)
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

show() {
	[ -n "$1" ] && printf '%s\n' "$1" | sed 's/^/    /'
}

shopt -s nullglob
debs=("$out"/postured_*_"$arch".deb)
changes=("$out"/postured_*_"$arch".changes)
if [ ${#debs[@]} -ne 1 ] || [ ${#changes[@]} -ne 1 ]; then
	echo "check-package: expected one postured_*_$arch.deb and .changes in $out: run make deb" >&2
	exit 2
fi
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
work=$(mktemp -d "${TMPDIR:-/tmp}/postured-package.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/root"
dpkg-deb -e "$deb" "$work/control"
echo "check-package: $(basename "$deb") ($(du -k "$deb" | cut -f1) kB)"

### lintian ###

# Not as root, which lintian advises against: as nobody when nobody can read the files.
# (--show-overrides would make the overridden tags fail too: they are listed from the files.)
lintian_cmd=(lintian --display-info --pedantic --display-experimental
	'--fail-on=error,warning,info,pedantic')
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "${changes[0]}"; then
	lintian_cmd=(env HOME="$work" TMPDIR="$work" setpriv --reuid=nobody --regid=nogroup
		--clear-groups "${lintian_cmd[@]}")
	chmod 1777 "$work"
fi
t0=$(date +%s)
lintian_out=$("${lintian_cmd[@]}" "${changes[0]}" 2>&1)
lintian_rc=$?
lintian_s=$(($(date +%s) - t0))
lintian_version=$(lintian --print-version)
overrides=$(cat debian/*.lintian-overrides debian/source/lintian-overrides 2>/dev/null |
	grep -v '^#' | grep -v '^$')
if [ "$lintian_rc" -eq 0 ]; then
	pass "lintian $lintian_version: no error, warning, info or pedantic tag ($lintian_s s);" \
		"$(grep -c . <<<"$overrides") overridden, each with its reason in debian/:"
	show "$overrides"
	show "$lintian_out"
else
	fail "lintian $lintian_version: tags (fix each, or override it with the reason in" \
		"debian/postured.lintian-overrides):"
	show "$lintian_out"
fi

### files ###

# want PATH: the package ships PATH (a file; a directory when it ends in /).
missing=()
want() {
	if [[ $1 == */ ]]; then
		[ -d "$work/root$1" ] || missing+=("$1")
	else
		[ -f "$work/root$1" ] || missing+=("$1")
	fi
}
want /usr/bin/postured
want /usr/bin/posturectl
want /lib/systemd/system/postured.service
want /usr/lib/sysusers.d/postured.conf
want /usr/lib/systemd/catalog/postured.catalog
want /usr/share/dbus-1/system.d/io.github.postured.Posture1.conf
want /etc/postured/postured.ini
want /etc/postured/postured.ini.d/
for page in man/*.[1-9]; do
	want "/usr/share/man/man${page##*.}/${page#man/}.gz"
done
for f in config/completions/*; do
	want "/usr/share/bash-completion/completions/${f#config/completions/}"
done
want /usr/share/doc/postured/copyright
pages=(man/*.[1-9])
completions=(config/completions/*)
if [ ${#missing[@]} -eq 0 ]; then
	pass "files: programs, unit, sysusers, catalog, D-Bus policy, ${#pages[@]} man pages," \
		"${#completions[@]} completions, copyright"
else
	fail "files: the package lacks:"
	show "$(printf '%s\n' "${missing[@]}")"
	dpkg-deb -c "$deb" | sed 's/^/    /'
fi

differ=()
# same TREE_FILE PACKAGED_PATH: the package ships the tree's file unchanged.
same() {
	cmp -s "$1" "$work/root$2" || differ+=("$2 (from $1)")
}
same systemd/postured.sysusers /usr/lib/sysusers.d/postured.conf
same systemd/postured.catalog /usr/lib/systemd/catalog/postured.catalog
same systemd/io.github.postured.Posture1.conf \
	/usr/share/dbus-1/system.d/io.github.postured.Posture1.conf
same config/postured.ini /etc/postured/postured.ini
for page in man/*.[1-9]; do
	zcat "$work/root/usr/share/man/man${page##*.}/${page#man/}.gz" 2>/dev/null |
		cmp -s "$page" - || differ+=("/usr/share/man/man${page##*.}/${page#man/}.gz")
done
sed 's|@BINDIR@|/usr/bin|g; s|@SYSCONFDIR@|/etc|g' systemd/postured.service.in \
	>"$work/postured.service"
same "$work/postured.service" /lib/systemd/system/postured.service
if [ ${#differ[@]} -eq 0 ]; then
	pass "files: the unit rendered for /usr/bin and /etc, the rest as in the tree"
else
	fail "files: differ from the tree's:"
	show "$(printf '%s\n' "${differ[@]}")"
fi

### conffile ###

conffiles=$(cat "$work/control/conffiles" 2>/dev/null)
if [ "$conffiles" = /etc/postured/postured.ini ]; then
	pass "conffile: /etc/postured/postured.ini (and nothing else)"
else
	fail "conffile: expected /etc/postured/postured.ini alone; conffiles says:"
	show "${conffiles:-(none)}"
fi

### maintainer scripts ###

problems=()
postinst=$(cat "$work/control/postinst" 2>/dev/null)
grep -q 'systemd-sysusers .*postured\.conf' <<<"$postinst" ||
	problems+=("postinst does not run systemd-sysusers postured.conf")
grep -q "deb-systemd-helper enable 'postured.service'" <<<"$postinst" ||
	problems+=("postinst does not enable postured.service")
grep -q "deb-systemd-invoke .*'postured.service'" <<<"$postinst" ||
	problems+=("postinst does not start postured.service")
# systemd's own trigger updates the catalog; a script of ours must not do it twice.
if grep -q 'update-catalog' "$work/control"/p* 2>/dev/null; then
	problems+=("a maintainer script runs journalctl --update-catalog (systemd's trigger does)")
fi
if [ ${#problems[@]} -eq 0 ]; then
	pass "scripts: postinst applies the sysusers entry, enables and starts the unit"
else
	fail "scripts:"
	show "$(printf '%s\n' "${problems[@]}")"
fi

### dependencies ###

depends=$(dpkg-deb -f "$deb" Depends)
problems=()
for lib in libiio0 libgpiod2 libinih1 libsystemd0 zlib1g libcairo2 libc6 systemd; do
	grep -Eq "(^|[ ,|])$lib( |,|$)" <<<"$depends" || problems+=("$lib")
done
if [ ${#problems[@]} -eq 0 ]; then
	pass "depends: $depends"
else
	fail "depends: lacks ${problems[*]}: Depends: $depends"
fi

### version ###

upstream=${version%-*}
for prog in postured posturectl; do
	got=$("$work/root/usr/bin/$prog" --version 2>&1)
	if [ "$got" = "$prog $upstream" ]; then
		pass "version: the packaged $prog --version says '$got'"
	else
		fail "version: the packaged $prog --version says '$got', expected '$prog $upstream'"
	fi
done

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
