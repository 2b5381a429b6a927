/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small string helpers shared by the parsers (config, recording, calibration store). */
#ifndef POSTURED_TEXT_H
#define POSTURED_TEXT_H

/* Strips leading and trailing white space in place; returns the first non-blank character. */
char *text_trim(char *s);

#endif
