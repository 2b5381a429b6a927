#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make deb: the Debian package of this tree, built by dpkg-buildpackage from a copy of it in
# BUILD_DIR/deb/postured-DEBVERSION, so that the .deb, .dsc, .tar.xz, .buildinfo and .changes it
# writes to the parent directory land in BUILD_DIR/deb/ and the tree stays clean.
#
# The package's version is VERSION (`make version`, what `postured --version` says) in Debian's
# syntax: the first "-" becomes "+", the others ".":
#   1.2.0 (a release tag)        -> 1.2.0             its entry must be in debian/changelog
#   1.2.0-3-gabc1234[-dirty]     -> 1.2.0+3.gabc1234[.dirty]
#   0-gabc1234 (no release yet)  -> 0+gabc1234
# Each sorts after the last release's entry and before the next release. For a version that is
# not debian/changelog's latest, the copy gets a snapshot entry on top (UNRELEASED, dated like
# the commit, so two builds of one commit are the same). debian/rules hands the upstream part of
# the version to the Makefile, so the packaged `postured --version` prints the package's version.
#
# Usage: tests/package/build.sh BUILD_DIR VERSION
# Environment: DEB_BUILD_OPTIONS as for dpkg-buildpackage (nocheck skips the unit tests).
# Prints the path of the .deb last.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR VERSION" >&2
	exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
version=$2

if ! [[ $version =~ ^[0-9][0-9A-Za-z.+~-]*$ ]]; then
	echo "make deb: the version '$version' is not one a package can have: build from a git" \
		"clone (git fetch --tags) or give make deb VERSION=X.Y.Z" >&2
	exit 1
fi
deb_version=$(printf '%s' "$version" | sed 's/-/+/; s/-/./g')
out=$build/deb
src=$out/postured-$deb_version
rm -rf "$out"
mkdir -p "$src"

# The copy: git's files (tracked, with their changes, and new ones not ignored), else the tree
# without builds. Never the build directories: they would go into the source package.
if [ "$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null)" = "$repo" ]; then
	git -C "$repo" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			# not a file deleted in the tree but not yet in git's index
			if [ -e "$repo/$f" ] || [ -L "$repo/$f" ]; then
				printf '%s\0' "$f"
			fi
		done | sort -zu | tar -C "$repo" --null -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$repo" --exclude='./build' --exclude='./build-*' --exclude='./.git' -cf - . |
		tar -C "$src" -xf -
fi

changelog=$src/debian/changelog
latest=$(dpkg-parsechangelog -l "$changelog" -S Version)
if [ "$latest" != "$deb_version" ]; then
	if [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
		echo "make deb: $version is a release, but debian/changelog's latest entry is" \
			"$latest: add the release's entry (dch -v $version, distribution unstable)" >&2
		exit 1
	fi
	if ! dpkg --compare-versions "$deb_version" gt "$latest"; then
		echo "make deb: the snapshot's version $deb_version would not be newer than" \
			"debian/changelog's latest entry $latest: is the release tag v$latest missing" \
			"(git fetch --tags)?" >&2
		exit 1
	fi
	maintainer=$(dpkg-parsechangelog -l "$changelog" -S Maintainer)
	date=$(git -C "$repo" log -1 --format=%aD 2>/dev/null || date -R)
	{
		printf 'postured (%s) UNRELEASED; urgency=medium\n\n' "$deb_version"
		printf '  * Snapshot %s, built by make deb: not a release.\n\n' "$version"
		printf ' -- %s  %s\n\n' "$maintainer" "$date"
		cat "$changelog"
	} >"$changelog.new"
	mv "$changelog.new" "$changelog"
fi

echo "make deb: building postured $deb_version in $src (log: $out/build.log)"
t0=$(date +%s)
# -us -uc: nothing is signed; the source package too, so that lintian sees debian/ as well.
if ! (cd "$src" && dpkg-buildpackage -us -uc -Jauto) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	echo "make deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
fi
deb=$out/postured_${deb_version}_$(dpkg --print-architecture).deb
if [ ! -f "$deb" ]; then
	echo "make deb: dpkg-buildpackage did not write $deb (log: $out/build.log)" >&2
	exit 1
fi
echo "make deb: built in $(($(date +%s) - t0)) s"
echo "$deb"
