/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posturectl report --plot: the report as a picture, drawn by cairo (the only file that uses
 * it). Per wearer, per day: a timeline of the day (each hour's time per posture state as a
 * stacked column, slumps at the minute they held, alerts marked) beside a bar chart of the
 * day's time per state and time moving.
 */
#ifndef POSTURED_PLOT_H
#define POSTURED_PLOT_H

#include <stddef.h>

#include "postured/report.h"

/* The picture's width and height (pixels in PNG, CSS pixels in SVG) for r. */
void plot_size(const struct report *r, int *width, int *height);

/*
 * Draws r into path, an SVG or a PNG file by the name's ending (.svg, .png). Returns 0, or a
 * negative errno with a message in err: another ending, a file that cannot be written, a
 * drawing error.
 */
int plot_write(const struct report *r, const char *path, char *err, size_t err_len);

#endif
