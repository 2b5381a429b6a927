# SPDX-License-Identifier: GPL-2.0-or-later
# postured: see README.md. `make run` and `make check` install what they need (Debian 12, root).

# The version `postured --version` prints. Releases are tagged vMAJOR.MINOR.PATCH (README
# "Versions and releases"). In a git clone: "1.2.0" on a release tag, "1.2.0-3-gabc1234" three
# commits after it, "-dirty" with uncommitted changes, "0-gabc1234" in a clone without the tags
# (a shallow CI clone). In a tarball made by `git archive` (GitHub's downloads too), the line
# below is filled in by export-subst (.gitattributes). Otherwise "unknown"; a packager may give
# `make VERSION=...`.
# archive version: $Format:%(describe:tags=true,match=v[0-9]*) %h$
ifneq ($(origin VERSION),command line)
# Only this tree's own repository: a tarball unpacked inside another one must not take its tags.
GIT_VERSION := $(if $(filter $(realpath $(CURDIR)),$(realpath $(shell git rev-parse \
	--show-toplevel 2>/dev/null))),$(shell git describe --tags --match 'v[0-9]*' --always \
	--dirty 2>/dev/null | sed 's/^v//; t; s/^/0-g/'))
ARCHIVE_VERSION := $(shell sed -n 's/^\# archive version: v\([0-9][^ ]*\) .*/\1/p; \
	s/^\# archive version:  *\([0-9a-f]\{7,\}\)$$/0-g\1/p' $(firstword $(MAKEFILE_LIST)))
VERSION := $(or $(GIT_VERSION),$(ARCHIVE_VERSION),unknown)
endif
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
# systemd looks here for units and catalogs regardless of PREFIX
SYSTEMDUNITDIR ?= /usr/lib/systemd/system
CATALOGDIR ?= /usr/lib/systemd/catalog
SYSUSERSDIR ?= /usr/lib/sysusers.d
# dbus-daemon reads its policy files from here and /etc, never from under /usr/local
DBUSPOLICYDIR ?= /usr/share/dbus-1/system.d
MANDIR ?= $(PREFIX)/share/man
# bash-completion looks under each of $XDG_DATA_DIRS (/usr/local/share:/usr/share)
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

# Cross builds: `make CROSS=aarch64-linux-gnu` (or arm-linux-gnueabihf) builds with Debian's cross
# gcc of that triplet into build-arm64/ (build-armhf/), against the target's libraries: with
# SYSROOT=DIR those unpacked in DIR, else the multiarch -dev packages installed for it (found by
# the triplet's pkg-config). `make check-cross` does it all, tests included (README, "Cross
# builds and the Raspberry Pi").
ARCHES ?= arm64 armhf
CROSS_TRIPLET_arm64 := aarch64-linux-gnu
CROSS_TRIPLET_armhf := arm-linux-gnueabihf
CROSS_QEMU_arm64 := qemu-aarch64-static
CROSS_QEMU_armhf := qemu-arm-static
CROSS ?=
# the Debian architecture of the triplet CROSS, for the build directory's name
CROSS_ARCH := $(firstword $(foreach a,arm64 armhf,\
	$(if $(filter $(CROSS),$(CROSS_TRIPLET_$(a))),$(a))))

# make predefines CC as cc and AR as ar, so "CC ?= gcc" would never apply: gcc (or the cross
# triplet's gcc) unless CC was given.
ifeq ($(origin CC),default)
CC := $(if $(CROSS),$(CROSS)-gcc,gcc)
endif
ifeq ($(origin AR),default)
AR := $(if $(CROSS),$(CROSS)-ar,ar)
endif
# SYSROOT: the target's Debian packages unpacked into a directory instead of installed (what
# check-cross makes, one per architecture): gcc's --sysroot, and pkg-config reads the .pc files
# there, leaving out the sysroot's own /usr/include and library directory as the triplet's
# pkg-config does (so their headers stay system headers, outside -Werror).
SYSROOT ?=
ifneq ($(SYSROOT),)
PKG_CONFIG ?= PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) \
	PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(CROSS)/pkgconfig:$(SYSROOT)/usr/share/pkgconfig \
	PKG_CONFIG_SYSTEM_INCLUDE_PATH=$(SYSROOT)/usr/include \
	PKG_CONFIG_SYSTEM_LIBRARY_PATH=$(SYSROOT)/usr/lib/$(CROSS) pkg-config
SYSROOT_FLAGS := --sysroot=$(SYSROOT)
endif
PKG_CONFIG ?= $(if $(CROSS),$(CROSS)-pkg-config,pkg-config)
SHELL := /bin/bash
BUILD ?= $(if $(CROSS),build-$(or $(CROSS_ARCH),$(CROSS)),build)
PKGS := libiio libgpiod inih libsystemd zlib
# Only posturectl's plot draws: the daemon never links the drawing library.
CAIRO_CFLAGS = $(shell $(PKG_CONFIG) --cflags cairo 2>/dev/null)
CAIRO_LIBS = $(shell $(PKG_CONFIG) --libs cairo 2>/dev/null)
GPIOD_MAJOR := $(firstword $(subst ., ,$(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)))

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef \
	-Wconversion
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
CFLAGS ?= -O2 -g
# CPPFLAGS: the preprocessor's, as packagers hand them (dpkg-buildflags: -D_FORTIFY_SOURCE=2).
CPPFLAGS ?=
# _FILE_OFFSET_BITS=64: on 32-bit targets (armhf) files over 2 GiB (a long --record, the events
# file) and directories whose offsets need 64 bits (ext4 under a 64-bit kernel) work; no change
# on 64-bit ones. time_t stays the platform's: bookworm's armhf libraries take a 32-bit one.
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARNINGS) $(CPPFLAGS) $(CFLAGS) \
	$(SYSROOT_FLAGS) \
	-Iinclude \
	-DPOSTURED_GPIOD_MAJOR=$(or $(GPIOD_MAJOR),1) \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm

# Everything but the two main()s (postured's main.c, posturectl.c) goes into a static library, so
# tests link exactly the programs' code; each program takes only the objects it calls.
LIB_SRCS := $(filter-out daemon/main.c daemon/posturectl.c,$(wildcard daemon/*.c))
LIB_OBJS := $(LIB_SRCS:daemon/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/version.o
LIB := $(BUILD)/libpostured.a
BIN := $(BUILD)/postured
CTL := $(BUILD)/posturectl

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# tests/unit/fake_*.c replace a library at link time for the test of the same name
FAKE_OBJS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%.o,$(wildcard tests/unit/fake_*.c))

# Keep test objects between runs (make would delete them as intermediates).
.SECONDARY:
# The dependency files included below name targets of their own: `make` alone still means all.
.DEFAULT_GOAL := all

# The dependency files name objects first: without this, plain `make` would build only one.
.DEFAULT_GOAL := all
-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d)

.PHONY: FORCE all install uninstall check check-unit check-sanitize check-integration check-systemd \
	check-static check-format check-docs \
	check-gpiod2 check-system check-cross cross-deps fuzz fuzz-run run bench deps format clean \
	version deb deb-deps check-package
all: $(BIN) $(CTL)

# -MMD writes each object's header dependencies beside it: a header change rebuilds only what
# includes it. An object without its .d (a build from before) is rebuilt once to get one.
.SECONDEXPANSION:
$(BUILD)/obj/%.o: daemon/%.c $$(if $$(wildcard $$(basename $$@).d),,FORCE) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The estimator runs on every sample, and its loops over 3 axes and 9 matrix entries spent a sixth
# or more of its instructions on loop control (callgrind): unrolled they are straight code, with
# the same results.
$(BUILD)/obj/estimator.o: ALL_CFLAGS += -funroll-loops
$(BUILD)/obj/plot.o: ALL_CFLAGS += $(CAIRO_CFLAGS)

# Rewritten only when `git describe` changes, so a new commit relinks without recompiling.
$(BUILD)/version.c: FORCE | $(BUILD)/obj
	@printf 'const char postured_version[] = "%s";\n' '$(VERSION)' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(BUILD)/obj/version.o: $(BUILD)/version.c include/postured/version.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

FORCE:

$(LIB): $(LIB_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(BUILD)/obj/main.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

# --as-needed: posturectl needs neither libiio nor libgpiod, which the library list names.
$(CTL): $(BUILD)/obj/posturectl.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(LIBS) $(CAIRO_LIBS)

$(BUILD)/tests/%.o: tests/unit/%.c $$(if $$(wildcard $$(basename $$@).d),,FORCE) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) -MMD -MP -c -o $@ $<

# The plot's test reads its pictures back with cairo.
$(BUILD)/tests/test_plot.o: ALL_CFLAGS += $(CAIRO_CFLAGS)
$(BUILD)/tests/test_plot: LIBS += $(CAIRO_LIBS)

# A test named test_X links fake_X.o first when it exists, so the fake wins over the library.
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIB) $(FAKE_OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(filter $(BUILD)/tests/fake_$*.o,$(FAKE_OBJS)) \
		$(LIB) $(if $(filter $(BUILD)/tests/fake_$*.o,$(FAKE_OBJS)),$(filter-out -lgpiod,$(LIBS)),$(LIBS)) \
		$(shell $(PKG_CONFIG) --libs cmocka)

# The simulated wearer on emulated IIO devices (umockdev), for `make run` and integration tests.
SIM := $(BUILD)/simwearer
$(SIM): tests/tools/simwearer.c $(LIB) $(wildcard include/postured/*.h) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags umockdev-1.0) $(LDFLAGS) -o $@ $< $(LIB) \
		$(shell $(PKG_CONFIG) --libs umockdev-1.0) $(LIBS)

$(BUILD)/tests/test_notify: tests/integration/test_notify.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --libs cmocka)

# `make bench` tools on the daemon's own code: the BROAD accuracy metric, the BROAD variants
# (23.81 Hz, the 95.24 Hz time-step check, a gyro bias) and the estimator's cost per sample.
BENCH_TOOLS := $(BUILD)/broad_rmse $(BUILD)/broad_variant $(BUILD)/estimator_cost
$(BENCH_TOOLS): $(BUILD)/%: tests/bench/%.c $(LIB) $(wildcard include/postured/*.h)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LIBS)

# libFuzzer harnesses of the parsers of what users and the disk hand us (tests/fuzz/).
FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(BUILD)/fuzz/%)
$(FUZZ_BINS): $(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/tmpdir.c tests/fuzz/tmpdir.h $(LIB) \
		$(wildcard include/postured/*.h) | $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< tests/fuzz/tmpdir.c $(LIB) $(LIBS)

$(BUILD)/obj $(BUILD)/tests $(BUILD)/fuzz:
	mkdir -p $@

# Debian packages the build, the tests and `make run` need.
# dbus: the private bus of tests/integration/15-bus.sh; man-db: the man page check.
DEB_PKGS := gcc make pkg-config libiio-dev libgpiod-dev libinih-dev libsystemd-dev zlib1g-dev \
	libcmocka-dev umockdev libumockdev-dev clang libclang-rt-dev systemd cppcheck clang-format \
	dbus man-db git libcairo2-dev systemd-journal-remote openssl iproute2
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "error: run as root (or install: $$missing)" >&2; exit 1; fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# What `make deb` needs besides DEB_PKGS: dpkg-buildpackage and debhelper, lintian for
# check-package; then debian/control's Build-Depends (build-essential and cmocka included), which
# dpkg-checkbuilddeps checks and `apt-get build-dep` installs when one is missing.
DEB_TOOL_PKGS := dpkg-dev debhelper lintian
deb-deps: deps
	@missing=$$(for p in $(DEB_TOOL_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "error: run as root (or install: $$missing)" >&2; exit 1; fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends $$missing; \
	fi
	@if ! dpkg-checkbuilddeps 2>/dev/null; then \
		if [ "$$(id -u)" != 0 ]; then dpkg-checkbuilddeps; echo "error: run as root" >&2; exit 1; fi; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q ./; \
	fi

# What check-cross needs besides DEB_PKGS: Debian's cross compilers and qemu-user (called by name
# with -L SYSROOT: no binfmt_misc needed). The target's libraries are not installed: each
# architecture gets a sysroot of the Debian packages in CROSS_DEV_PKGS (tests/cross/sysroot.sh).
CROSS_DEB_PKGS := qemu-user-static $(foreach a,$(ARCHES),gcc-$(CROSS_TRIPLET_$(a)))
CROSS_DEV_PKGS := libc6-dev libiio-dev libgpiod-dev libinih-dev libsystemd-dev zlib1g-dev \
	libcmocka-dev libcairo2-dev
CROSS_DEPS_LOG := /tmp/postured-cross-deps.log
cross-deps: deps
	@missing=$$(for p in $(CROSS_DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing "(log: $(CROSS_DEPS_LOG))"; \
		if [ "$$(id -u)" != 0 ]; then echo "error: run as root (or install: $$missing)" >&2; exit 1; fi; \
		start=$$(date +%s); \
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o Dpkg::Use-Pty=0 $$missing; } >$(CROSS_DEPS_LOG) 2>&1 || { \
			tail -n 30 $(CROSS_DEPS_LOG) >&2; \
			echo "error: apt-get could not install $$missing (log: $(CROSS_DEPS_LOG))" >&2; \
			exit 1; }; \
		echo "installed in $$(( $$(date +%s) - start )) s"; \
	fi

# For each architecture in ARCHES: its sysroot, a -Werror cross build into build-ARCH/, the unit
# tests under qemu-user, and the demo session replayed under qemu-user against the native replay.
check-cross: $(ARCHES:%=check-cross-%)

# Each test binary and the replay take seconds under qemu-user; a hang (seen with qemu-user's
# fork in another set-up: a child spinning forever) ends here instead of at CI's limit.
CROSS_TEST_TIMEOUT_S := 300

check-cross-%: cross-deps
	@$(if $(CROSS_TRIPLET_$*),,echo "check-cross: unknown architecture $* (arm64, armhf)" >&2; exit 1)
	$(MAKE) WERROR=1 $(BIN)
	@sysroot=$$(tests/cross/sysroot.sh $* $(CROSS_DEV_PKGS)) && \
		emulator="timeout -k 10 $(CROSS_TEST_TIMEOUT_S) $(CROSS_QEMU_$*) -L $$sysroot" && \
		echo "check-cross: $* ($(CROSS_TRIPLET_$*)) in $$sysroot, tests under $$emulator" && \
		set -o pipefail && \
		$(MAKE) --no-print-directory CROSS=$(CROSS_TRIPLET_$*) SYSROOT=$$sysroot \
			BUILD=build-$* WERROR=1 EMULATOR="$$emulator" check-unit | \
			sed 's/^unit: /unit-$*: /' && \
		tests/cross/replay.sh "$$emulator" build-$* $(BUILD) $*

# Each suite prints "N passed, M failed"; the last line adds them up.
CHECK_LOG := $(BUILD)/check.log
check: deps
	@mkdir -p $(BUILD) && : > $(CHECK_LOG)
	set -o pipefail; $(MAKE) WERROR=1 check-unit 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) WERROR=1 check-integration 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) check-sanitize 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) check-systemd 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) check-gpiod2 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) check-static 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) check-format 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) check-docs 2>&1 | tee -a $(CHECK_LOG)
	set -o pipefail; $(MAKE) check-package 2>&1 | tee -a $(CHECK_LOG)
	@sed -n 's/^\([a-z]*: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed.*/\2 \3/p' $(CHECK_LOG) | \
		awk '{ p += $$1; f += $$2 } END { printf "make check: %d passed, %d failed\n", p, f; exit f > 0 }'

# A static analyser over the daemon's code: cppcheck's warning, performance and portability
# checks. Its findings fail the check; a false positive is silenced in the code with a reason.
check-static:
	@if cppcheck --enable=warning,performance,portability --std=c11 -Iinclude --inline-suppr \
		--quiet --error-exitcode=1 daemon/; then \
		echo "static: 1 passed, 0 failed"; else echo "static: 0 passed, 1 failed"; exit 1; fi

# EMULATOR runs each test binary (qemu-user for a cross build: check-cross).
EMULATOR ?=
check-unit: $(BIN) $(UNIT_BINS)
	EMULATOR="$(EMULATOR)" tests/run-unit.sh $(UNIT_BINS)

# Unit and integration tests again, built by clang with AddressSanitizer and UBSan. umockdev's
# preload library comes before ASan's runtime in the integration tests, which ASan accepts here.
SAN_FLAGS := -fsanitize=address,undefined
LSAN := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
check-sanitize:
	$(LSAN) $(MAKE) WERROR=1 CC=clang BUILD=build-san \
		CFLAGS="-O1 -g $(SAN_FLAGS) -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="$(SAN_FLAGS)" check-unit
	$(LSAN) ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 $(MAKE) WERROR=1 CC=clang BUILD=build-san \
		CFLAGS="-O1 -g $(SAN_FLAGS) -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="$(SAN_FLAGS)" check-integration

check-integration: $(BIN) $(CTL) $(SIM) $(BUILD)/tests/test_notify $(BUILD)/broad_rmse
	tests/integration/run.sh $(BUILD)

check-systemd:
	tests/systemd/check.sh

check-gpiod2:
	tests/gpiod2/check.sh $(BUILD)

# LICENSE and SPDX lines, the man pages (groff warnings, every key of config/postured.ini), the
# unit's Documentation=, the bash completions and the version from release tags; nothing is built.
check-docs:
	tests/docs/check.sh

# Each parser harness for FUZZ_SECONDS from a copy of its seed corpus, the daemon's code built by
# clang with libFuzzer's coverage, ASan and UBSan in its own tree (libclang-rt-dev has libFuzzer).
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz: deps
	$(MAKE) WERROR=1 CC=clang BUILD=build-fuzz \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN) -fno-omit-frame-pointer" \
		LDFLAGS="$(FUZZ_SAN)" fuzz-run

fuzz-run: $(FUZZ_BINS)
	tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# The Debian package in $(BUILD)/deb/ (README "The Debian package"), built from a copy of the
# tree with the version `make version` says in Debian's syntax.
deb: deb-deps
	tests/package/build.sh $(BUILD) '$(VERSION)'

# The package built, then lintian (bookworm's; any error or warning fails) and its contents.
check-package: deb
	tests/package/check.sh $(BUILD)

# The whole story in a VM: real kernel, inv_mpu6050 driver and systemd (Debian 12, as root),
# postured installed in it from the package.
check-system: $(BIN) deb
	tests/system/run.sh $(BUILD)

# A simulated wearer on an emulated IMU (umockdev): see README.
run: deps
	$(MAKE) $(BIN) $(SIM)
	tests/tools/run-demo.sh $(BUILD)

version:
	@echo '$(VERSION)'

bench: deps
	$(MAKE) $(BIN) $(SIM) $(BENCH_TOOLS)
	tests/bench/run.sh $(BUILD)

# Section N of each page man/NAME.N goes to $(MANDIR)/manN.
MAN_PAGES := $(wildcard man/*.[1-8])

install: $(BIN) $(CTL)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/postured
	install -D -m 0755 $(CTL) $(DESTDIR)$(BINDIR)/posturectl
	@# A reinstall keeps the wearer's tuned thresholds; the new defaults go beside them.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/postured/postured.ini ]; then \
		install -m 0644 config/postured.ini $(DESTDIR)$(SYSCONFDIR)/postured/postured.ini.new; \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/postured/postured.ini; new defaults in postured.ini.new"; \
	else install -D -m 0644 config/postured.ini $(DESTDIR)$(SYSCONFDIR)/postured/postured.ini; fi
	@# Where a wearer's own settings go, read after postured.ini (postured.ini(5)).
	install -d $(DESTDIR)$(SYSCONFDIR)/postured/postured.ini.d
	sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/postured.service.in \
		> $(BUILD)/postured.service
	install -D -m 0644 $(BUILD)/postured.service $(DESTDIR)$(SYSTEMDUNITDIR)/postured.service
	install -D -m 0644 systemd/postured.catalog $(DESTDIR)$(CATALOGDIR)/postured.catalog
	install -D -m 0644 systemd/postured.sysusers $(DESTDIR)$(SYSUSERSDIR)/postured.conf
	install -D -m 0644 systemd/io.github.postured.Posture1.conf \
		$(DESTDIR)$(DBUSPOLICYDIR)/io.github.postured.Posture1.conf
	install -D -m 0644 config/completions/postured $(DESTDIR)$(BASHCOMPDIR)/postured
	install -D -m 0644 config/completions/posturectl $(DESTDIR)$(BASHCOMPDIR)/posturectl
	for page in $(MAN_PAGES); do \
		install -D -m 0644 $$page $(DESTDIR)$(MANDIR)/man$${page##*.}/$${page#man/} || exit; \
	done
	@if [ -z "$(DESTDIR)" ] && command -v journalctl >/dev/null; then journalctl --update-catalog || true; fi
	@if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(SYSUSERSDIR)/postured.conf; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/postured $(DESTDIR)$(SYSTEMDUNITDIR)/postured.service \
		$(DESTDIR)$(CATALOGDIR)/postured.catalog $(DESTDIR)$(SYSUSERSDIR)/postured.conf \
		$(DESTDIR)$(BINDIR)/posturectl \
		$(DESTDIR)$(DBUSPOLICYDIR)/io.github.postured.Posture1.conf \
		$(DESTDIR)$(BASHCOMPDIR)/postured $(DESTDIR)$(BASHCOMPDIR)/posturectl \
		$(foreach page,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(page)))/$(notdir $(page)))
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/postured/postured.ini and postured.ini.d/ (your settings)"

# The house style is .clang-format (tabs, 100 columns), over every C file of ours.
FORMAT_FILES := daemon/*.c include/postured/*.h tests/unit/*.c tests/unit/*.h tests/tools/*.c \
	tests/bench/*.c tests/integration/*.c tests/fuzz/*.c tests/fuzz/*.h
format:
	clang-format -i --style=file $(FORMAT_FILES)

# Fails on any file `make format` would change, and says which.
check-format:
	@if clang-format --dry-run --Werror --style=file $(FORMAT_FILES); then \
		echo "format: 1 passed, 0 failed"; else echo "format: 0 passed, 1 failed" \
		"(run make format)"; exit 1; fi

clean:
	rm -rf build build-san build-fuzz $(ARCHES:%=build-%)
