/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * calstore_load and calstore_load_bias on any file: the input is written as both the calibration
 * and the gyro-bias file of a state directory, and each loader reads its own (the other file's
 * first line rejects it at once). What a loader accepts must survive a save and a load again: a
 * restart must not lose a calibration the daemon is using.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postured/calstore.h"
#include "tmpdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_calibration(const char *dir)
{
	struct calibration cal, again;
	char err[512];

	if (calstore_load(dir, &cal, err, sizeof(err)) != 0)
		return;
	if (!cal.valid || calstore_save(dir, &cal, err, sizeof(err)) != 0 ||
	    calstore_load(dir, &again, err, sizeof(err)) != 0 ||
	    memcmp(again.has, cal.has, sizeof(cal.has)) != 0 ||
	    memcmp(again.forward_known, cal.forward_known, sizeof(cal.forward_known)) != 0)
		abort();
	/* Walking evidence survives for every role, calibrated now or not (the fuzzer once found
	 * it lost for a role without a reference: tests/fuzz/crashes/calstore-walking-without-up).
	 */
	for (int r = 0; r < ROLE_COUNT; r++)
		if (again.walking_known[r] != cal.walking_known[r])
			abort();
}

static void check_bias(const char *dir)
{
	struct gyro_bias gb, again;
	char err[512];

	if (calstore_load_bias(dir, &gb, err, sizeof(err)) != 0)
		return;
	if (calstore_save_bias(dir, &gb, err, sizeof(err)) != 0 ||
	    calstore_load_bias(dir, &again, err, sizeof(err)) != 0 ||
	    memcmp(again.has, gb.has, sizeof(gb.has)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("calibration", data, size);
	fuzz_write("gyro-bias", data, size);
	check_calibration(fuzz_dir());
	check_bias(fuzz_dir());
	return 0;
}
