/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * haptic_pattern_parse on any string; a pattern it accepts must format back to text that parses
 * to the same pattern (the config log shows patterns in that form), of the same total length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postured/haptic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct haptic_pattern p, q;
	char err[256], text[256];
	char *s = malloc(size + 1);
	unsigned int total_ms = 0;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&p, 0xa5, sizeof(p));
	if (haptic_pattern_parse(s, &p, err, sizeof(err)) == 0) {
		if (p.n_steps < 1 || p.n_steps > HAPTIC_PATTERN_MAX_STEPS)
			abort();
		for (unsigned int i = 0; i < p.n_steps; i++)
			if (p.step_ms[i] < 1 || p.step_ms[i] > 10000)
				abort();
		haptic_pattern_format(&p, text, sizeof(text));
		if (haptic_pattern_parse(text, &q, err, sizeof(err)) != 0 ||
		    q.n_steps != p.n_steps ||
		    memcmp(q.step_ms, p.step_ms, p.n_steps * sizeof(p.step_ms[0])) != 0)
			abort();
		for (unsigned int i = 0; i < p.n_steps; i++)
			total_ms += p.step_ms[i];
		if (haptic_pattern_total_ms(&p) != total_ms)
			abort();
	}
	free(s);
	return 0;
}
