/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A private temporary directory for harnesses whose parser reads a file: created on first use in
 * $TMPDIR (else /tmp) and removed with everything in it when the fuzzer exits normally (after a
 * crash libFuzzer leaves at once: tests/fuzz/run.sh points TMPDIR at a directory it removes).
 */
#ifndef POSTURED_FUZZ_TMPDIR_H
#define POSTURED_FUZZ_TMPDIR_H

#include <stddef.h>
#include <stdint.h>

/* The directory itself, e.g. as a state directory. */
const char *fuzz_dir(void);
/* The path of name in the directory; name must be one of a few fixed names per harness. */
const char *fuzz_path(const char *name);
/* Writes data as the whole file name and returns its path; aborts if it cannot (not a finding). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

#endif
