/*
 * Under systemd, stderr is connected to the journal, which reads a "<N>" prefix as the syslog
 * priority: so plain stderr carries severities there without a second sd-journal user.
 */
#include "postured/log.h"

#include <stdio.h>

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
