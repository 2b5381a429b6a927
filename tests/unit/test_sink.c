/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "postured/log.h"
#include "postured/sink.h"
#include "testfs.h"

/*
 * Stands in for libsystemd's sd_journal_sendv (a definition in the executable wins over the
 * shared library), so the exact journal entry can be checked without a journald.
 */
int sd_journal_sendv(const struct iovec *iov, int n);

static char journal_entry[32][EVENT_FIELD_VALUE_MAX + 64];
static int journal_n;
static int journal_rc;

int sd_journal_sendv(const struct iovec *iov, int n)
{
	journal_n = n;
	for (int i = 0; i < n && i < 32; i++) {
		size_t len = iov[i].iov_len < sizeof(journal_entry[i]) - 1
				 ? iov[i].iov_len
				 : sizeof(journal_entry[i]) - 1;

		memcpy(journal_entry[i], iov[i].iov_base, len);
		journal_entry[i][len] = '\0';
	}
	return journal_rc;
}

/* Stands for journald's socket where the journal is up: any file that exists. */
#define JOURNAL_PRESENT "/dev/null"

/* stderr redirected to a file, to see exactly what a terminal (or journald) would get. */
struct capture {
	int saved_fd;
	FILE *file;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved_fd = dup(STDERR_FILENO);
	assert_true(c->saved_fd >= 0);
	assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

static void capture_end(struct capture *c, char *out, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(c->saved_fd, STDERR_FILENO);
	close(c->saved_fd);
	rewind(c->file);
	n = fread(out, 1, len - 1, c->file);
	out[n] = '\0';
	fclose(c->file);
}

static const char started_json[] =
    "{\"t\":0.500,\"MESSAGE_ID\":\"9a13406cba904f10aa5a33642a986b34\",\"PRIORITY\":\"6\","
    "\"MESSAGE\":\"Posture monitoring started\",\"POSTURE_EVENT\":\"started\"}\n";

static void make_alert(struct posture_event *ev)
{
	event_init(ev, EVENT_ALERT, 12.34);
	ev->trunk_deg = 34.2;
	ev->neck_deg = 12.0;
	ev->cause = ANGLE_TRUNK;
	ev->duration_s = 61.0;
	ev->alert_count = 2;
}

static void text_line_is_the_message_with_time_and_name(void **state)
{
	struct posture_event ev;
	char line[256];

	(void)state;
	make_alert(&ev);
	sink_format_text(&ev, line, sizeof(line));
	assert_string_equal(line, "[  12.3 s] alert           Slumped posture for 61 s "
				  "(trunk 34.2°, neck 12.0°): alert 2");

	event_init(&ev, EVENT_CONFIG_REJECTED, 4000.31);
	snprintf(ev.detail, sizeof(ev.detail), "a.ini:3: bad\nline\ttoo");
	sink_format_text(&ev, line, sizeof(line));
	assert_string_equal(line, "[4000.3 s] config_rejected New configuration rejected, the "
				  "previous one stays in force: a.ini:3: bad line too");
}

static void text_line_cut_short_ends_on_a_whole_character(void **state)
{
	struct posture_event ev;
	const char *full = "[  12.3 s] alert           Slumped posture for 61 s (trunk 34.2°";
	char line[128];

	(void)state;
	make_alert(&ev);
	/* room for everything up to and including the first byte of "°" */
	sink_format_text(&ev, line, strlen(full));
	assert_string_equal(line,
			    "[  12.3 s] alert           Slumped posture for 61 s (trunk 34.2");
	sink_format_text(&ev, line, strlen(full) + 1);
	assert_string_equal(line, full);
}

static void stderr_gets_one_line_per_event(void **state)
{
	struct event_sink sink = { .to_stderr = true };
	struct posture_event ev;
	struct capture c;
	char out[512];
	int r;

	(void)state;
	make_alert(&ev);
	capture_start(&c);
	r = sink_emit(&sink, &ev);
	capture_end(&c, out, sizeof(out));
	assert_int_equal(r, 0);
	assert_string_equal(out, "[  12.3 s] alert           Slumped posture for 61 s "
				 "(trunk 34.2°, neck 12.0°): alert 2\n");
}

static void journal_gets_the_fields_and_identifier(void **state)
{
	struct event_sink sink = { .to_journal = true, .journal_socket = JOURNAL_PRESENT };
	struct posture_event ev;

	(void)state;
	journal_rc = 0;
	journal_n = 0;
	event_init(&ev, EVENT_CONFIG_REJECTED, 7.0);
	snprintf(ev.detail, sizeof(ev.detail), "a.ini:3: bad \"x\"\nline");
	assert_int_equal(sink_emit(&sink, &ev), 0);
	assert_int_equal(journal_n, 6);
	assert_string_equal(journal_entry[0], "MESSAGE_ID=270e96d21fbd462a88afbe4eca5c32ae");
	assert_string_equal(journal_entry[1], "PRIORITY=4");
	/* the native protocol carries the newline as it is */
	assert_string_equal(journal_entry[2], "MESSAGE=New configuration rejected, the previous "
					      "one stays in force: a.ini:3: bad \"x\"\nline");
	assert_string_equal(journal_entry[3], "POSTURE_EVENT=config_rejected");
	assert_string_equal(journal_entry[4], "POSTURE_DETAIL=a.ini:3: bad \"x\"\nline");
	assert_string_equal(journal_entry[5], "SYSLOG_IDENTIFIER=postured");
}

static void jsonl_file_has_one_object_per_line_at_once(void **state)
{
	struct testfs *fs = *state;
	struct event_sink sink = { 0 };
	struct posture_event ev;
	char *want = malloc(EVENT_JSON_MAX);
	char *got, err[256];
	int len;

	assert_non_null(want);
	/* As --events opens it: the sink owns the file. */
	assert_int_equal(sink_open_jsonl(&sink, testfs_path(fs, "events.jsonl"), err, sizeof(err)),
			 0);
	event_init(&ev, EVENT_STARTED, 0.5);
	assert_int_equal(sink_emit(&sink, &ev), 0);
	/* read while the file is still open: each event must be on disk when sink_emit returns */
	got = testfs_read(fs->path);
	assert_string_equal(got, started_json);
	free(got);

	make_alert(&ev);
	assert_int_equal(sink_emit(&sink, &ev), 0);
	len = event_to_json(&ev, want, EVENT_JSON_MAX);
	assert_true(len > 0);
	got = testfs_read(fs->path);
	assert_int_equal(strlen(got), strlen(started_json) + (size_t)len + 1);
	assert_memory_equal(got, started_json, strlen(started_json));
	assert_memory_equal(got + strlen(started_json), want, (size_t)len);
	assert_string_equal(got + strlen(started_json) + len, "\n");

	assert_int_equal(sink_close(&sink, err, sizeof(err)), 0);
	assert_null(sink.jsonl);
	free(want);
	free(got);
}

static void jsonl_that_cannot_be_created_names_the_path(void **state)
{
	struct event_sink sink = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(sink_open_jsonl(&sink, "/nonexistent-dir/events.jsonl", err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "cannot write events to /nonexistent-dir/events.jsonl: No such "
				 "file or directory");
	assert_int_equal(sink_close(&sink, err, sizeof(err)), 0);
}

static void jsonl_write_error_is_reported_with_the_path(void **state)
{
	struct event_sink sink = { .jsonl_path = "/dev/full" };
	struct posture_event ev;
	struct capture c;
	char out[512];
	int r;

	(void)state;
	sink.jsonl = fopen("/dev/full", "w");
	assert_non_null(sink.jsonl);
	make_alert(&ev);
	capture_start(&c);
	r = sink_emit(&sink, &ev);
	capture_end(&c, out, sizeof(out));
	fclose(sink.jsonl);
	assert_int_equal(r, -ENOSPC);
	assert_string_equal(out, "postured: error: cannot write the alert event to /dev/full: No "
				 "space left on device; check free space and permissions\n");
}

static void journal_failure_is_reported_and_other_outputs_still_run(void **state)
{
	struct testfs *fs = *state;
	struct event_sink sink = { .to_journal = true, .journal_socket = JOURNAL_PRESENT };
	struct posture_event ev;
	struct capture c;
	char out[512], err[256], *got;
	int r;

	assert_int_equal(sink_open_jsonl(&sink, testfs_path(fs, "events.jsonl"), err, sizeof(err)),
			 0);
	journal_rc = -ECONNREFUSED;
	event_init(&ev, EVENT_STARTED, 0.5);
	capture_start(&c);
	r = sink_emit(&sink, &ev);
	capture_end(&c, out, sizeof(out));
	journal_rc = 0;
	assert_int_equal(sink_close(&sink, err, sizeof(err)), 0);
	got = testfs_read(fs->path);
	assert_int_equal(r, -ECONNREFUSED);
	assert_string_equal(out,
			    "postured: error: cannot send the started event to the journal: "
			    "Connection refused; is systemd-journald running? Events go to "
			    "stderr until it takes them\n"
			    "postured: [   0.5 s] started         Posture monitoring started\n");
	assert_string_equal(got, started_json);
	free(got);
}

/*
 * Without a journal no event is lost: each one is on stderr instead. libsystemd drops an entry
 * without an error when journald's socket is missing, so the sink looks for the socket first.
 */
static void events_the_journal_does_not_take_go_to_stderr(void **state)
{
	struct event_sink sink = { .to_journal = true, .journal_socket = "/nonexistent/socket" };
	struct posture_event ev;
	struct capture c;
	char out[1024];

	(void)state;
	journal_rc = 0;
	journal_n = 0;
	capture_start(&c);
	event_init(&ev, EVENT_STARTED, 0.5);
	sink_emit(&sink, &ev);
	/* The outage is reported once; the next events only appear. */
	make_alert(&ev);
	sink_emit(&sink, &ev);
	/* Under systemd stderr is the journal's stream: the priority travels as "<N>". */
	log_set_journal(1);
	sink_emit(&sink, &ev);
	log_set_journal(0);
	capture_end(&c, out, sizeof(out));
	assert_string_equal(out,
			    "postured: error: cannot send the started event to the journal: No "
			    "such file or directory; is systemd-journald running? Events go to "
			    "stderr until it takes them\n"
			    "postured: [   0.5 s] started         Posture monitoring started\n"
			    "postured: [  12.3 s] alert           Slumped posture for 61 s (trunk "
			    "34.2°, neck 12.0°): alert 2\n"
			    "<5>[  12.3 s] alert           Slumped posture for 61 s (trunk 34.2°, "
			    "neck 12.0°): alert 2\n");

	assert_int_equal(journal_n, 0);

	/* Back: the events go to the journal again, and stderr says so once. */
	sink.journal_socket = JOURNAL_PRESENT;
	capture_start(&c);
	sink_emit(&sink, &ev);
	sink_emit(&sink, &ev);
	capture_end(&c, out, sizeof(out));
	assert_string_equal(out, "postured: the journal takes events again\n");
	assert_true(journal_n > 0);
	assert_false(sink.journal_down);
}

static void nothing_enabled_is_fine(void **state)
{
	struct event_sink sink = { 0 };
	struct posture_event ev;

	(void)state;
	journal_n = 0;
	make_alert(&ev);
	assert_int_equal(sink_emit(&sink, &ev), 0);
	assert_int_equal(journal_n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_line_is_the_message_with_time_and_name),
		cmocka_unit_test(text_line_cut_short_ends_on_a_whole_character),
		cmocka_unit_test(stderr_gets_one_line_per_event),
		cmocka_unit_test(journal_gets_the_fields_and_identifier),
		cmocka_unit_test_setup_teardown(jsonl_file_has_one_object_per_line_at_once,
						testfs_setup, testfs_teardown),
		cmocka_unit_test(jsonl_write_error_is_reported_with_the_path),
		cmocka_unit_test(jsonl_that_cannot_be_created_names_the_path),
		cmocka_unit_test_setup_teardown(
		    journal_failure_is_reported_and_other_outputs_still_run, testfs_setup,
		    testfs_teardown),
		cmocka_unit_test(events_the_journal_does_not_take_go_to_stderr),
		cmocka_unit_test(nothing_enabled_is_fine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
