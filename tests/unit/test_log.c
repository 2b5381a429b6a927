/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where messages and events go: stderr is the journal only when systemd connected it, as
 * $JOURNAL_STREAM says (systemd.exec(5)); a redirected stderr with the variable inherited is not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postured/log.h"

/* stderr on a temporary file while a test runs, so its device and inode are known. */
struct redirect {
	int saved_fd;
	FILE *file;
	struct stat sb;
};

static void redirect_start(struct redirect *r)
{
	fflush(stderr);
	r->file = tmpfile();
	assert_non_null(r->file);
	assert_int_equal(fstat(fileno(r->file), &r->sb), 0);
	r->saved_fd = dup(STDERR_FILENO);
	assert_true(r->saved_fd >= 0);
	assert_true(dup2(fileno(r->file), STDERR_FILENO) >= 0);
}

static void redirect_end(struct redirect *r)
{
	fflush(stderr);
	dup2(r->saved_fd, STDERR_FILENO);
	close(r->saved_fd);
	fclose(r->file);
}

static void set_stream(unsigned long long dev, unsigned long long ino, const char *suffix)
{
	char value[64];

	snprintf(value, sizeof(value), "%llu:%llu%s", dev, ino, suffix);
	assert_int_equal(setenv("JOURNAL_STREAM", value, 1), 0);
}

static void stderr_is_the_journal_only_when_it_is_the_named_stream(void **state)
{
	struct redirect r;
	bool named, other_inode, other_device, trailing, garbage, unset;

	(void)state;
	redirect_start(&r);
	set_stream(r.sb.st_dev, r.sb.st_ino, "");
	named = log_stderr_is_journal();
	/* A service's child whose stderr went elsewhere inherits the variable: not the journal. */
	set_stream(r.sb.st_dev, r.sb.st_ino + 1, "");
	other_inode = log_stderr_is_journal();
	set_stream(r.sb.st_dev + 1, r.sb.st_ino, "");
	other_device = log_stderr_is_journal();
	set_stream(r.sb.st_dev, r.sb.st_ino, "x");
	trailing = log_stderr_is_journal();
	assert_int_equal(setenv("JOURNAL_STREAM", "journal", 1), 0);
	garbage = log_stderr_is_journal();
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	unset = log_stderr_is_journal();
	redirect_end(&r);

	assert_true(named);
	assert_false(other_inode);
	assert_false(other_device);
	assert_false(trailing);
	assert_false(garbage);
	assert_false(unset);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stderr_is_the_journal_only_when_it_is_the_named_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
