/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/journal_reader.h"

#include <errno.h>
#include <string.h>
#include <systemd/sd-journal.h>

/* The events a report reads; their MESSAGE_IDs select them in the journal's index. */
static const enum event_type report_types[] = {
	EVENT_SUMMARY, EVENT_STOPPED,	    EVENT_STARTED,
	EVENT_ALERT,   EVENT_SLUMP_STARTED, EVENT_SLUMP_ENDED,
};

static const char *source_name(const struct journal_source *src)
{
	if (src->directory)
		return src->directory;
	if (src->files && src->files[0])
		return src->files[1] ? "the journal files" : src->files[0];
	return "the local journal";
}

static int open_journal(const struct journal_source *src, sd_journal **j)
{
	if (src->directory)
		return sd_journal_open_directory(j, src->directory, 0);
	if (src->files && src->files[0])
		return sd_journal_open_files(j, (const char **)src->files, 0);
	return sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY);
}

static int add_matches(sd_journal *j)
{
	for (size_t i = 0; i < sizeof(report_types) / sizeof(report_types[0]); i++) {
		char match[64];
		int ret;

		snprintf(match, sizeof(match), "MESSAGE_ID=%s", event_message_id(report_types[i]));
		ret = sd_journal_add_match(j, match, 0);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The entry under the cursor: its time and every field the report takes. */
static int read_entry(sd_journal *j, struct report_event *ev)
{
	const void *data;
	size_t len;
	uint64_t usec;
	int ret;

	report_event_init(ev);
	ret = sd_journal_get_realtime_usec(j, &usec);
	if (ret < 0)
		return ret;
	ev->realtime_usec = (int64_t)usec;
	SD_JOURNAL_FOREACH_DATA(j, data, len)
	{
		const char *field = data, *eq = memchr(field, '=', len);
		char name[64];
		size_t name_len;

		if (!eq || (name_len = (size_t)(eq - field)) >= sizeof(name))
			continue;
		memcpy(name, field, name_len);
		name[name_len] = '\0';
		/* A damaged value leaves the field as if absent: the rest of the entry counts. */
		(void)report_event_set_field(ev, name, eq + 1, len - name_len - 1);
	}
	return 0;
}

int journal_read_report(const struct journal_source *src, struct report *r, char *err,
			size_t err_len)
{
	sd_journal *j = NULL;
	struct report_event ev;
	int ret, n = 0;

	ret = open_journal(src, &j);
	if (ret < 0) {
		snprintf(err, err_len,
			 "cannot open %s: %s; check the path and that you may read it",
			 source_name(src), strerror(-ret));
		return ret;
	}
	ret = add_matches(j);
	if (ret >= 0)
		ret = r->since_usec > 0 ? sd_journal_seek_realtime_usec(j, (uint64_t)r->since_usec)
					: sd_journal_seek_head(j);
	while (ret >= 0 && (ret = sd_journal_next(j)) > 0) {
		ret = read_entry(j, &ev);
		if (ret >= 0)
			ret = report_add_event(r, &ev);
		n++;
	}
	sd_journal_close(j);
	if (ret == -ENOMEM) {
		snprintf(err, err_len,
			 "out of memory reading %s: report fewer days (--since, --until)",
			 source_name(src));
		return ret;
	}
	if (ret < 0) {
		snprintf(err, err_len, "cannot read %s: %s", source_name(src), strerror(-ret));
		return ret;
	}
	return n;
}
