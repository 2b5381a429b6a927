/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Under systemd, stderr is connected to the journal, which reads a "<N>" prefix as the syslog
 * priority: so plain stderr carries severities there without a second sd-journal user.
 */
#include "postured/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static enum log_level log_max_level = LOG_LEVEL_INFO;
static int log_to_journal;

void log_set_max_level(enum log_level max_level)
{
	log_max_level = max_level;
}

void log_set_journal(int to_journal)
{
	log_to_journal = to_journal;
}

void log_msgv(enum log_level level, const char *fmt, va_list ap)
{
	if (level > log_max_level)
		return;
	if (log_to_journal)
		fprintf(stderr, "<%d>", (int)level);
	else
		fputs(level <= LOG_LEVEL_ERR	   ? "postured: error: "
		      : level == LOG_LEVEL_WARNING ? "postured: warning: "
						   : "postured: ",
		      stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_msgv(level, fmt, ap);
	va_end(ap);
}

bool log_stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	int end = 0;

	/*
	 * systemd.exec(5): "DEVICE:INODE" of the stream it connected stderr (or stdout) to. A child
	 * that inherited the variable with stderr redirected elsewhere no longer matches, which is
	 * how systemd's own tools tell (log.c, stderr_is_journal).
	 */
	if (!env || sscanf(env, "%llu:%llu%n", &dev, &ino, &end) != 2 || env[end] != '\0')
		return false;
	return fstat(STDERR_FILENO, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}
