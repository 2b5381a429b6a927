/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files for the unit tests: each test gets a fresh directory, removed with all it holds after
 * the test (also after a failed one, so reruns start clean), and files written or read whole in
 * one call that fails the test on any error.
 */
#ifndef POSTURED_TEST_TESTFS_H
#define POSTURED_TEST_TESTFS_H

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define TESTFS_DIR_MAX 64
#define TESTFS_PATH_MAX (TESTFS_DIR_MAX + 64)

/* A fixture needing more than this starts with it and is allocated by testfs_new. */
struct testfs {
	char dir[TESTFS_DIR_MAX];   /* $TMPDIR (or /tmp) / PROGRAM.XXXXXX */
	char path[TESTFS_PATH_MAX]; /* what testfs_path made last */
};

/*
 * Allocates size zeroed bytes that start with a struct testfs and makes its directory, named
 * after the test program so a leftover says where it came from. NULL if either fails.
 */
static inline void *testfs_new(size_t size)
{
	const char *tmp = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
	struct testfs *fs = calloc(1, size);
	int len;

	if (!fs)
		return NULL;
	len =
	    snprintf(fs->dir, sizeof(fs->dir), "%s/%s.XXXXXX", tmp, program_invocation_short_name);
	if (len < 0 || (size_t)len >= sizeof(fs->dir)) {
		print_error("%s/%s.XXXXXX is too long for a test directory: set a shorter TMPDIR\n",
			    tmp, program_invocation_short_name);
		free(fs);
		return NULL;
	}
	if (!mkdtemp(fs->dir)) {
		print_error("cannot create %s: %s\n", fs->dir, strerror(errno));
		free(fs);
		return NULL;
	}
	return fs;
}

/* cmocka setup: *state is a struct testfs with its own empty directory. */
static inline int testfs_setup(void **state)
{
	*state = testfs_new(sizeof(struct testfs));
	return *state ? 0 : -1;
}

static inline int testfs_remove_entry(const char *path, const struct stat *st, int type,
				      struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/*
 * cmocka teardown for testfs_setup or a fixture from testfs_new: removes the directory and
 * everything below it (symbolic links, not what they point to) and frees the fixture. A file
 * that cannot be removed fails the test: the next run would trip over it.
 */
static inline int testfs_teardown(void **state)
{
	struct testfs *fs = *state;
	int ret = nftw(fs->dir, testfs_remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	if (ret != 0)
		print_error("cannot remove %s: %s\n", fs->dir, strerror(errno));
	free(fs);
	return ret == 0 ? 0 : -1;
}

/* "DIR/name" in fs->path, which the next call replaces. */
static inline const char *testfs_path(struct testfs *fs, const char *name)
{
	snprintf(fs->path, sizeof(fs->path), "%s/%s", fs->dir, name);
	return fs->path;
}

/* Creates or replaces the file at path with exactly text. */
static inline void testfs_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* The whole file at path, NUL-terminated (caller frees); relative paths start at the repository. */
static inline char *testfs_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	if (!f)
		fail_msg("cannot open %s: %s%s", path, strerror(errno),
			 path[0] == '/' ? "" : " (tests run from the repository root)");
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

#endif
