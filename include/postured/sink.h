/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where events go: the systemd journal (the only module that talks to sd-journal) when stderr is
 * the journal, readable lines on stderr anywhere else, and optionally a JSON-lines file.
 */
#ifndef POSTURED_SINK_H
#define POSTURED_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "postured/event.h"

struct event_sink {
	bool to_journal;
	bool to_stderr;
	bool journal_down; /* the last event did not reach the journal: it went to stderr */
	const char *journal_socket; /* NULL: journald's; a test's stand-in for it otherwise */
	FILE *jsonl;		    /* NULL: none; opened and closed by the functions below */
	const char *jsonl_path;
};

/* Opens (truncates) path for JSON lines. Returns 0, or a negative errno with a message in err. */
int sink_open_jsonl(struct event_sink *s, const char *path, char *err, size_t err_len);
/* Closes what the sink opened. Returns 0, or a negative errno with a message in err: a write that
 * failed only on close (a full disk) is still reported. */
int sink_close(struct event_sink *s, char *err, size_t err_len);

/*
 * Sends ev to every enabled output. Returns 0, or the negative errno of the first output that
 * failed (journal or JSON-lines file; each failure is logged); the other outputs still get it.
 * An event the journal does not take is written to stderr instead (in readable form, at its
 * priority), so an event is never lost with the journal.
 */
int sink_emit(struct event_sink *s, const struct posture_event *ev);
/*
 * Readable one-line form for a terminal, built from the MESSAGE field so it always says what the
 * journal says: "[  12.3 s] alert           Slumped posture for 61 s (trunk 34.2°): alert 1".
 * Control characters become spaces.
 */
void sink_format_text(const struct posture_event *ev, char *buf, size_t len);

#endif
