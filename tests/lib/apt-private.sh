# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the test scripts that fetch Debian packages without installing them
# (tests/gpiod2/check.sh, tests/system/run.sh): apt runs with its own sources list, index and
# cache under a directory of the caller's, so nothing in /etc/apt or /var/lib/apt changes and the
# system's packages and other apt users are unaffected.
#
#   apt_private_mirror CODENAME   prints "URI [KEYRING]": the Debian mirror this machine already
#                                 uses for CODENAME (a local mirror or proxy keeps working)
#   apt_private_init DIR SUITE... writes DIR's sources list for SUITE... (main) on that mirror
#                                 and sets the array apt_private_opts for apt-get and apt-cache
#   apt_private_update DIR        reads the index; on failure prints apt's log and what to check

# From one-line .list files or deb822 .sources files.
apt_private_mirror() {
	local codename=$1 f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk -v want="$codename" '
			$1 == "deb" {
				opts = ""; i = 2
				if ($2 ~ /^\[/) {
					while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ }
					opts = opts " " $i; i++
				}
				if ($(i + 1) == want) {
					key = ""
					if (match(opts, /signed-by=[^] ]+/))
						key = substr(opts, RSTART + 10, RLENGTH - 10)
					print $i, key; exit
				}
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v want="$codename" '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled !~ /^no$/ &&
				    (" " suites " ") ~ (" " want " ") && uri != "")
					{ print uri, key; found = 1; exit }
				types = suites = uri = key = enabled = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { types = $0; sub(/^[^:]*:[ \t]*/, "", types) }
			tolower($1) == "suites:" { suites = $0; sub(/^[^:]*:[ \t]*/, "", suites) }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "signed-by:" { key = $2 }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { if (!found) flush() }' "$f"
	done
}

# Sets apt_private_uri and apt_private_key too (the mirror and its keyring, for debootstrap).
apt_private_init() {
	local dir=$1 codename suite
	shift
	# shellcheck source=/dev/null
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	read -r apt_private_uri apt_private_key < <(apt_private_mirror "$codename" | head -n 1) ||
		true
	apt_private_uri=${apt_private_uri:-http://deb.debian.org/debian}
	if [ -z "${apt_private_key:-}" ] && [ -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
		apt_private_key=/usr/share/keyrings/debian-archive-keyring.gpg
	fi
	mkdir -p "$dir/etc/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	# No installed packages: versions and candidates come from the index alone.
	: >"$dir/status"
	: >"$dir/etc/sources.list"
	for suite; do
		echo "deb ${apt_private_key:+[signed-by=$apt_private_key] }$apt_private_uri $suite main" \
			>>"$dir/etc/sources.list"
	done
	apt_private_opts=(-q -o "Dir::Etc::SourceList=$dir/etc/sources.list"
		-o "Dir::Etc::SourceParts=$dir/etc/sources.list.d"
		-o "Dir::State::Lists=$dir/lists" -o "Dir::State::status=$dir/status"
		-o "Dir::Cache=$dir/cache")
}

apt_private_update() {
	local dir=$1
	if ! apt-get "${apt_private_opts[@]}" update >"$dir/update.log" 2>&1; then
		cat "$dir/update.log" >&2
		echo "cannot read $(cut -d' ' -f3- "$dir/etc/sources.list" | sort -u | tr '\n' ' ')" \
			"from $apt_private_uri: check the network or the mirror in" \
			"/etc/apt/sources.list*" >&2
		return 1
	fi
}
