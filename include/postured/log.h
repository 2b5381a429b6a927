/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: one place decides where messages go (stderr in a terminal, the journal under systemd).
 */
#ifndef POSTURED_LOG_H
#define POSTURED_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Severities match syslog(3) priorities so the journal gets them unchanged. */
enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* Messages above max_level are dropped. */
void log_set_max_level(enum log_level max_level);
/* to_journal: stderr is the journal's stream: "<N>" prefixes instead of "postured: ..." lines. */
void log_set_journal(int to_journal);
/*
 * Whether stderr is the journal: systemd connected it ($JOURNAL_STREAM names its device and
 * inode, and they match). Anywhere else (a terminal, a pipe, a file) a person reads stderr.
 */
bool log_stderr_is_journal(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_msgv(enum log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define log_err(...) log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
