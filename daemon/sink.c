/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* CODE_FILE= and friends would always name this file, which tells a reader nothing. */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "postured/log.h"

/* Where journald takes native entries (sd_journal_sendv's own address). */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Longest field name: POSTURE_LONGEST_SLUMP_S. */
#define JOURNAL_NAME_MAX 32

static int send_journal(struct event_sink *s, const struct posture_event *ev)
{
	struct event_field fields[EVENT_MAX_FIELDS];
	char lines[EVENT_MAX_FIELDS][JOURNAL_NAME_MAX + EVENT_FIELD_VALUE_MAX];
	struct iovec iov[EVENT_MAX_FIELDS + 1];
	size_t n = event_fields(ev, fields, EVENT_MAX_FIELDS);
	char identifier[] = "SYSLOG_IDENTIFIER=postured";
	int r;

	/* The journal's native protocol carries newlines in values, so no escaping here. */
	for (size_t i = 0; i < n; i++) {
		snprintf(lines[i], sizeof(lines[i]), "%s=%s", fields[i].name, fields[i].value);
		iov[i].iov_base = lines[i];
		iov[i].iov_len = strlen(lines[i]);
	}
	iov[n].iov_base = identifier;
	iov[n].iov_len = sizeof(identifier) - 1;
	/* sd_journal_sendv drops an entry and returns 0 when journald's socket is missing. */
	if (access(s->journal_socket ? s->journal_socket : JOURNAL_SOCKET, F_OK) < 0)
		r = -errno;
	else
		r = sd_journal_sendv(iov, (int)n + 1);
	/* Said once per outage: every event of it is on stderr instead. */
	if (r < 0 && !s->journal_down)
		log_err("cannot send the %s event to the journal: %s; is systemd-journald running? "
			"Events go to stderr until it takes them",
			event_type_name(ev->type), strerror(-r));
	else if (r >= 0 && s->journal_down)
		log_notice("the journal takes events again");
	s->journal_down = r < 0;
	return r < 0 ? r : 0;
}

/*
 * An event the journal did not take, on stderr at its priority: under systemd stderr is the
 * journal's stream socket, which may still work when the native socket does not (and the event
 * keeps at least its MESSAGE); anywhere else a person reads it.
 */
static void write_instead(const struct posture_event *ev)
{
	char line[64 + EVENT_FIELD_VALUE_MAX];

	sink_format_text(ev, line, sizeof(line));
	log_msg(ev->warning ? LOG_LEVEL_WARNING : (enum log_level)event_priority(ev->type), "%s",
		line);
}

static int write_jsonl(struct event_sink *s, const struct posture_event *ev)
{
	const char *path = s->jsonl_path ? s->jsonl_path : "the events file";
	char *json = malloc(EVENT_JSON_MAX);
	int len, err = 0;

	if (!json) {
		log_err("cannot write the %s event to %s: out of memory", event_type_name(ev->type),
			path);
		return -ENOMEM;
	}
	len = event_to_json(ev, json, EVENT_JSON_MAX);
	/* Flushed at once: whoever follows the file (a test, `tail -f`) sees each event live. */
	errno = 0;
	if (len < 0)
		err = -len;
	else if (fwrite(json, 1, (size_t)len, s->jsonl) != (size_t)len ||
		 fputc('\n', s->jsonl) == EOF || fflush(s->jsonl) == EOF)
		err = errno ? errno : EIO;
	free(json);
	if (err) {
		log_err("cannot write the %s event to %s: %s; check free space and permissions",
			event_type_name(ev->type), path, strerror(err));
		return -err;
	}
	return 0;
}

int sink_emit(struct event_sink *s, const struct posture_event *ev)
{
	int first_err = 0;
	int r;

	if (s->to_journal) {
		r = send_journal(s, ev);
		if (r < 0 && !first_err)
			first_err = r;
		if (r < 0 && !s->to_stderr)
			write_instead(ev);
	}
	if (s->to_stderr) {
		char line[64 + EVENT_FIELD_VALUE_MAX];

		sink_format_text(ev, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	if (s->jsonl) {
		r = write_jsonl(s, ev);
		if (r < 0 && !first_err)
			first_err = r;
	}
	return first_err;
}

/* A line cut short by snprintf may end inside a multi-byte character: drop that fragment. */
static void cut_partial_utf8(char *s)
{
	size_t len = strlen(s);
	size_t start = len;
	size_t need;
	unsigned char lead;

	while (start > 0 && ((unsigned char)s[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return;
	lead = (unsigned char)s[start - 1];
	if (lead < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (len - (start - 1) < need)
		s[start - 1] = '\0';
}

void sink_format_text(const struct posture_event *ev, char *buf, size_t len)
{
	struct event_field fields[EVENT_MAX_FIELDS];
	size_t n = event_fields(ev, fields, EVENT_MAX_FIELDS);
	const char *message = "";

	if (len == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i].name, "MESSAGE") == 0)
			message = fields[i].value;
	}
	if ((size_t)snprintf(buf, len, "[%6.1f s] %-15s %s", ev->t_s, event_type_name(ev->type),
			     message) >= len)
		cut_partial_utf8(buf);
	/* One event, one line, whatever a detail contains. */
	for (char *p = buf; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
}

int sink_open_jsonl(struct event_sink *s, const char *path, char *err, size_t err_len)
{
	s->jsonl = fopen(path, "we");
	s->jsonl_path = path;
	if (!s->jsonl) {
		int ret = -errno;

		snprintf(err, err_len, "cannot write events to %s: %s", path, strerror(-ret));
		return ret;
	}
	return 0;
}

int sink_close(struct event_sink *s, char *err, size_t err_len)
{
	int ret = 0;

	if (s->jsonl && fclose(s->jsonl) != 0) {
		ret = -errno;
		snprintf(err, err_len, "cannot write events to %s: %s", s->jsonl_path,
			 strerror(-ret));
	}
	s->jsonl = NULL;
	return ret;
}
