/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bytes of an IIO buffer: where each enabled channel sits in one scan and what value it
 * holds. Pure (no libiio), so the layout rules are unit-tested against hand-made scans.
 */
#ifndef POSTURED_SCAN_H
#define POSTURED_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One enabled channel, as its scan_elements/in_X_index and in_X_type ("be:s16/16>>0") say. */
struct scan_element {
	unsigned int index;	   /* the order of the channel in a scan */
	unsigned int storage_bits; /* 8, 16, 32 or 64: the bytes it takes, and its alignment */
	unsigned int real_bits;	   /* significant bits, after the shift */
	unsigned int shift;	   /* right shift that drops the unused low bits */
	bool is_signed;
	bool big_endian;
};

#define SCAN_MAX_ELEMENTS 16

struct scan_layout {
	size_t n;
	struct scan_element el[SCAN_MAX_ELEMENTS]; /* in the caller's order */
	size_t offset[SCAN_MAX_ELEMENTS];	   /* byte offset of el[i] in a scan */
	size_t scan_bytes; /* one scan, padded to its largest element as the kernel pads it */
};

/*
 * Lays out n elements (given in any order) as the kernel does: in index order, each aligned to
 * its own size. -EINVAL for an impossible element (storage not 8/16/32/64 bits, real bits plus
 * shift beyond the storage, a repeated index) or more than SCAN_MAX_ELEMENTS.
 */
int scan_layout_init(struct scan_layout *l, const struct scan_element *els, size_t n);
/* Element i of the scan starting at scan (scan_bytes long): shifted, masked, sign-extended. */
int64_t scan_value(const struct scan_layout *l, size_t i, const uint8_t *scan);

#endif
