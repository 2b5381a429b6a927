/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tmpdir.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAMES_MAX 8

static char dir[PATH_MAX];
static char paths[NAMES_MAX][PATH_MAX];
static int n_paths;

/* Everything in the directory is ours: what we wrote and what a parser's save wrote beside it. */
static void cleanup(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
}

static void make_dir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/postured-fuzz.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	atexit(cleanup);
}

const char *fuzz_dir(void)
{
	if (!dir[0])
		make_dir();
	return dir;
}

const char *fuzz_path(const char *name)
{
	if (!dir[0])
		make_dir();
	for (int i = 0; i < n_paths; i++)
		if (strcmp(strrchr(paths[i], '/') + 1, name) == 0)
			return paths[i];
	if (n_paths == NAMES_MAX) {
		fprintf(stderr, "fuzz_path: more than %d names\n", NAMES_MAX);
		abort();
	}
	snprintf(paths[n_paths], sizeof(paths[n_paths]), "%s/%s", dir, name);
	return paths[n_paths++];
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	const char *path = fuzz_path(name);
	FILE *f = fopen(path, "we");

	if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}
