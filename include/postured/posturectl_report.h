/* SPDX-License-Identifier: GPL-2.0-or-later */
/* posturectl report (see posturectl_report.c): called by posturectl's command dispatch. */
#ifndef POSTURED_POSTURECTL_REPORT_H
#define POSTURED_POSTURECTL_REPORT_H

/*
 * argv[0] is "report", then its options. Returns the exit status: 0 success, 1 the journal or
 * the plot cannot be read or written, 2 bad usage.
 */
int posturectl_report(int argc, char **argv);

#endif
