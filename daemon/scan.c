/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel writes a scan as the enabled channels in index order, each aligned to its own
 * storage size, the whole scan padded to the largest one (iio_compute_scan_bytes). libiio 0.24
 * computes the same size for our channels but leaves the decoding to its callers.
 */
#include "postured/scan.h"

#include <errno.h>

static bool storage_ok(unsigned int bits)
{
	return bits == 8 || bits == 16 || bits == 32 || bits == 64;
}

int scan_layout_init(struct scan_layout *l, const struct scan_element *els, size_t n)
{
	size_t order[SCAN_MAX_ELEMENTS], at = 0, largest = 1;

	if (n > SCAN_MAX_ELEMENTS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const struct scan_element *e = &els[i];
		size_t k = i;

		if (!storage_ok(e->storage_bits) || e->real_bits == 0 ||
		    e->real_bits + e->shift > e->storage_bits)
			return -EINVAL;
		/* Insertion into index order: n is a handful. */
		for (; k > 0 && els[order[k - 1]].index >= e->index; k--) {
			if (els[order[k - 1]].index == e->index)
				return -EINVAL;
			order[k] = order[k - 1];
		}
		order[k] = i;
		l->el[i] = *e;
	}
	l->n = n;
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k], bytes = els[i].storage_bits / 8;

		if (at % bytes)
			at += bytes - at % bytes;
		l->offset[i] = at;
		at += bytes;
		if (bytes > largest)
			largest = bytes;
	}
	if (at % largest)
		at += largest - at % largest;
	l->scan_bytes = at;
	return 0;
}

int64_t scan_value(const struct scan_layout *l, size_t i, const uint8_t *scan)
{
	const struct scan_element *e = &l->el[i];
	const uint8_t *p = scan + l->offset[i];
	unsigned int bytes = e->storage_bits / 8;
	uint64_t raw = 0, mask;

	for (unsigned int b = 0; b < bytes; b++) {
		unsigned int k = e->big_endian ? b : bytes - 1 - b;

		raw = raw << 8 | p[k];
	}
	raw >>= e->shift;
	mask = e->real_bits == 64 ? UINT64_MAX : (UINT64_C(1) << e->real_bits) - 1;
	raw &= mask;
	if (e->is_signed && e->real_bits < 64 && (raw >> (e->real_bits - 1)) & 1)
		raw |= ~mask;
	return (int64_t)raw;
}
