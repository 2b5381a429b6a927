#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What ships beside the code, checked without building anything:
#  - spdx: every source file names its license in an SPDX-License-Identifier line among its first
#    lines (the project's is in LICENSE_ID below; README "License");
#  - man: each page in man/ renders without a warning (`man --warnings -l PAGE`);
#  - keys: man/postured.ini.5 documents exactly the keys of config/postured.ini, at the same
#    defaults;
#  - unit: the unit's Documentation= names postured(8) and postured.ini(5), and every man: page it
#    names is in man/;
#  - completions: the bash completions in config/completions parse (`bash -n`);
#  - version: what `make version` (and so `postured --version`) says on a release tag, after it,
#    with local changes, in a clone without tags, in a `git archive` tarball (also unpacked inside
#    another repository), in a copy without git, and with VERSION= given.
# Usage: tests/docs/check.sh [CHECK...]      CHECK: spdx man keys unit completions version
#                                            (default: all)
#        tests/docs/check.sh --add-spdx      adds the SPDX line to each source file without one
# Exit status 0 when every check passed.
set -u

LICENSE_ID=GPL-2.0-or-later
# Files that cannot carry a comment, or that are data compared byte for byte: expected outputs,
# recordings, fuzz corpora and reproducers. Prose (README, *.md) is covered by LICENSE.
EXEMPT_RE='^(LICENSE|.*\.md|(.*/)?README|tests/data/.*|tests/fuzz/corpus/.*|tests/fuzz/crashes/.*|tests/system/expected/.*|debian/(changelog|copyright|compat|source/.*)|.*\.(gz|png|svg|csv|json|jsonl|bin))$'
# How far down the SPDX line may be: after a "#!" line, or a man page's first comment lines.
SPDX_MAX_LINE=3

cd "$(dirname "$0")/../.." || exit 1
# sort, comm and join agree on byte order.
export LC_ALL=C
work=$(mktemp -d "${TMPDIR:-/tmp}/postured-docs.XXXXXX") || exit 1
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

show() {
	[ -n "$1" ] && printf '%s\n' "$1" | sed 's/^/    /'
}

# The files of the tree: git's (tracked, and new ones not ignored), else everything but builds.
source_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard | sort -u
	else
		find . -type f ! -path './.git/*' ! -path './build*' ! -path './debian/.debhelper/*' |
			sed 's|^\./||' | sort
	fi | while read -r f; do
		[ -f "$f" ] && ! [[ $f =~ $EXEMPT_RE ]] && printf '%s\n' "$f"
	done
}

has_spdx() {
	head -n "$SPDX_MAX_LINE" "$1" | grep -q "SPDX-License-Identifier: $LICENSE_ID\b"
}

# The line as the file's comments are written: C, roff, or '#' (after a "#!" line if any).
add_spdx() {
	local f=$1 tag="SPDX-License-Identifier: $LICENSE_ID"

	case "$f" in
	*.c | *.h) sed -i "1i /* $tag */" "$f" ;;
	man/*.[1-9]) sed -i "1i .\\\\\" $tag" "$f" ;;
	*)
		# XML (the D-Bus policy): the declaration must stay first.
		if head -n 1 "$f" | grep -q '^<?xml'; then
			sed -i "1a <!-- $tag -->" "$f"
		elif head -n 1 "$f" | grep -q '^#!'; then
			sed -i "1a # $tag" "$f"
		else
			sed -i "1i # $tag" "$f"
		fi
		;;
	esac
}

check_spdx() {
	local missing=() f n=0

	while read -r f; do
		n=$((n + 1))
		has_spdx "$f" || missing+=("$f")
	done < <(source_files)
	if [ "${#missing[@]}" -eq 0 ]; then
		pass "spdx: all $n source files say SPDX-License-Identifier: $LICENSE_ID"
	else
		fail "spdx: ${#missing[@]} of $n source files lack 'SPDX-License-Identifier:" \
			"$LICENSE_ID' in their first $SPDX_MAX_LINE lines (tests/docs/check.sh" \
			"--add-spdx adds it; a file that cannot hold a comment goes in EXEMPT_RE):"
		show "$(printf '%s\n' "${missing[@]}")"
	fi
}

check_man() {
	local page out

	if ! command -v man >/dev/null; then
		fail "man: the man command is missing: install man-db (make deps)"
		return
	fi
	for page in man/*.[1-9]; do
		[ -e "$page" ] || continue
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		if [ -n "$out" ]; then
			fail "man: man --warnings -l $page:"
			show "$out"
		else
			pass "man: $page renders without a warning"
		fi
	done
}

# "[section] key=value" per key of an ini file, in file order.
ini_keys() {
	awk '
		/^[ \t]*[#;]/ || /^[ \t]*$/ { next }
		/^[ \t]*\[/ { s = $0; gsub(/[ \t]/, "", s); sub(/\].*/, "]", s); next }
		{
			line = $0
			sub(/[ \t]+[#;].*/, "", line)
			k = line; sub(/[ \t]*[=:].*/, "", k); gsub(/^[ \t]+/, "", k)
			v = line; sub(/^[^=:]*[=:][ \t]*/, "", v); sub(/[ \t]+$/, "", v)
			print s " " k "=" v
		}' "$1"
}

# The same from a man page: ".B key = value" tags of ".TP" paragraphs under ".SS [section]".
man_keys() {
	awk '
		/^\.SS \[/ { s = $2; next }
		/^\.SH / { s = "" }
		prev == ".TP" && s != "" && /^\.B [a-z_0-9]+ =/ {
			line = substr($0, 4)
			gsub(/\\-/, "-", line); gsub(/\\\(ha/, "^", line); gsub(/\\&/, "", line)
			gsub(/\\e/, "\\", line)
			k = line; sub(/[ \t]*=.*/, "", k)
			v = line; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
			print s " " k "=" v
		}
		{ prev = $0 }' "$1"
}

check_keys() {
	local ini=config/postured.ini page=man/postured.ini.5 only_ini only_man changed

	if [ ! -e "$page" ]; then
		fail "keys: $page is missing"
		return
	fi
	ini_keys "$ini" | sort >"$work/ini.keys"
	man_keys "$page" | sort >"$work/man.keys"
	# Keys alone, then keys with values: a changed default is named once, as changed.
	cut -d= -f1 "$work/ini.keys" >"$work/ini.names"
	cut -d= -f1 "$work/man.keys" >"$work/man.names"
	only_ini=$(comm -23 "$work/ini.names" "$work/man.names")
	only_man=$(comm -13 "$work/ini.names" "$work/man.names")
	changed=$(join -t= "$work/ini.keys" "$work/man.keys" | awk -F= -v ini="$ini" '$2 != $3 {
		printf "%s: %s says \"%s\", the page says \"%s\"\n", $1, ini, $2, $3 }')
	if [ -n "$only_ini" ]; then
		fail "keys: in $ini but not in $page (add each as '.TP' then '.B key = default'" \
			"and what it means, under its '.SS [section]'):"
		show "$only_ini"
	fi
	if [ -n "$only_man" ]; then
		fail "keys: in $page but not in $ini:"
		show "$only_man"
	fi
	if [ -n "$changed" ]; then
		fail "keys: defaults differ between $ini and $page:"
		show "$changed"
	fi
	if [ -z "$only_ini$only_man$changed" ]; then
		pass "keys: $page documents all $(wc -l <"$work/ini.keys") keys of $ini at their" \
			"defaults"
	fi
}

check_unit() {
	local unit=systemd/postured.service.in docs ref page problems=""

	docs=$(sed -n 's/^Documentation=//p' "$unit" | tr ' ' '\n')
	for ref in 'man:postured(8)' 'man:postured.ini(5)'; do
		printf '%s\n' "$docs" | grep -qxF "$ref" || problems="$problems $ref"
	done
	for ref in $(printf '%s\n' "$docs" | grep '^man:'); do
		page=${ref#man:}
		page="man/${page%(*}.$(printf '%s' "$page" | sed 's/.*(\(.*\))/\1/')"
		[ -e "$page" ] || problems="$problems $ref (no $page)"
	done
	if [ -n "$problems" ]; then
		fail "unit: $unit's Documentation= lacks or names a problems page:$problems"
	else
		pass "unit: Documentation=$(printf '%s' "$docs" | tr '\n' ' ')"
	fi
}

# expect_version DIR WANT WHAT: `make -s -C DIR version` prints WANT (a regular expression).
expect_version() {
	local got

	got=$(make -s --no-print-directory -C "$1" version 2>&1)
	if [[ $got =~ ^$2$ ]]; then
		pass "version: $3: $got"
	else
		fail "version: $3: make version says '$got', expected '$2'"
	fi
}

check_version() {
	local repo=$work/repo g=(git -c user.name=check -c user.email=check@localhost -c
		init.defaultBranch=main -c advice.detachedHead=false) h1 h2

	if ! command -v git >/dev/null; then
		fail "version: git is missing"
		return
	fi
	# A repository of this Makefile and .gitattributes: `make version` needs nothing else.
	mkdir -p "$repo"
	cp Makefile .gitattributes "$repo/"
	if ! { "${g[@]}" -C "$repo" init -q && "${g[@]}" -C "$repo" add . &&
		"${g[@]}" -C "$repo" commit -qm first; }; then
		fail "version: cannot make a test repository"
		return
	fi
	h1=$(git -C "$repo" rev-parse --short HEAD)
	expect_version "$repo" "0-g$h1" "no release tag yet"
	git -C "$repo" archive --prefix=untagged/ HEAD | tar -x -C "$work"
	expect_version "$work/untagged" "0-g$h1" "git archive with no release tag yet"
	"${g[@]}" -C "$repo" tag -a v9.8.7 -m "postured 9.8.7"
	expect_version "$repo" 9.8.7 "on the tag v9.8.7"
	echo >>"$repo/.gitattributes"
	expect_version "$repo" 9.8.7-dirty "on v9.8.7 with a change"
	"${g[@]}" -C "$repo" commit -qam second
	"${g[@]}" -C "$repo" tag not-a-release
	h2=$(git -C "$repo" rev-parse --short HEAD)
	expect_version "$repo" "9.8.7-1-g$h2" "a commit after v9.8.7 (a tag not vN ignored)"

	"${g[@]}" clone -q --no-tags --depth 1 "file://$repo" "$work/shallow"
	expect_version "$work/shallow" "0-g$h2" "a shallow clone without tags"

	git -C "$repo" archive --prefix=tagged/ v9.8.7 | tar -x -C "$work"
	expect_version "$work/tagged" 9.8.7 "git archive of v9.8.7"
	git -C "$repo" archive --prefix=later/ HEAD | tar -x -C "$work"
	expect_version "$work/later" "9.8.7-1-g$h2" "git archive of a later commit"
	mkdir -p "$work/outer"
	"${g[@]}" -C "$work/outer" init -q && "${g[@]}" -C "$work/outer" commit -q \
		--allow-empty -m outer && "${g[@]}" -C "$work/outer" tag v1.0.0
	git -C "$repo" archive --prefix=outer/inner/ v9.8.7 | tar -x -C "$work"
	expect_version "$work/outer/inner" 9.8.7 "git archive unpacked inside another repository"
	mkdir -p "$work/plain"
	cp Makefile "$work/plain/"
	expect_version "$work/plain" unknown "a copy without git or archive"
	if [ "$(make -s --no-print-directory -C "$work/plain" version VERSION=2.0~rc1)" = "2.0~rc1" ]; then
		pass "version: make VERSION=2.0~rc1 wins"
	else
		fail "version: make VERSION=2.0~rc1 is not used"
	fi
}

check_completions() {
	local f

	for f in config/completions/*; do
		if bash -n "$f" 2>"$work/bash.err"; then
			pass "completions: $f parses"
		else
			fail "completions: $f: $(cat "$work/bash.err")"
		fi
	done
}

if [ "${1:-}" = --add-spdx ]; then
	while read -r f; do
		has_spdx "$f" || {
			add_spdx "$f"
			echo "added to $f"
		}
	done < <(source_files)
	exit 0
fi
[ $# -gt 0 ] || set -- spdx man keys unit completions version
for check; do
	case "$check" in
	spdx | man | keys | unit | completions | version) "check_$check" ;;
	*)
		echo "usage: $0 [--add-spdx] [spdx|man|keys|unit|completions|version...]" >&2
		exit 2
		;;
	esac
done
echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
