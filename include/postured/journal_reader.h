/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The only file that reads the systemd journal (sink.c only writes to it): postured's entries
 * from the local journal, a directory (systemd-journal-remote's collection) or journal files,
 * each handed to the report as a struct report_event.
 */
#ifndef POSTURED_JOURNAL_READER_H
#define POSTURED_JOURNAL_READER_H

#include <stddef.h>

#include "postured/report.h"

struct journal_source {
	const char *directory;	  /* NULL: see files */
	const char *const *files; /* NULL-terminated; NULL with no directory: the local journal */
};

/*
 * Adds every summary, stopped, started, alert, slump_started and slump_ended entry of postured
 * (by MESSAGE_ID) from r->since_usec on to r. Returns how many entries were read, or a negative
 * errno with a message in err (the journal cannot be opened or read, out of memory).
 */
int journal_read_report(const struct journal_source *src, struct report *r, char *err,
			size_t err_len);

#endif
