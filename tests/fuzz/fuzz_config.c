/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config_load on any file: an error with a message, or a configuration; never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postured/config.h"
#include "tmpdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg, before;
	char err[512];
	const char *path = fuzz_write("postured.ini", data, size);

	config_defaults(&cfg);
	err[0] = '\0';
	if (config_load(path, &cfg, err, sizeof(err)) < 0) {
		/* A rejected reload keeps the configuration in force (config.h). */
		config_defaults(&before);
		if (memcmp(&cfg, &before, sizeof(cfg)) != 0 || err[0] == '\0')
			abort();
	}
	return 0;
}
