/*
 * posturectl, the wearer's command line. This branch has only its report command; the D-Bus
 * commands (status, calibrate, snooze, mode, watch) join it in this dispatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postured/posturectl_report.h"
#include "postured/version.h"

static void usage(FILE *out)
{
	fputs("Usage: posturectl COMMAND [OPTIONS]\n"
	      "\n"
	      "  report     time per posture state, alerts and slumps per hour and day, from the\n"
	      "             journal (posturectl report --help)\n"
	      "  --version  print the version\n"
	      "  --help     this help\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "report") == 0)
		return posturectl_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("posturectl %s\n", postured_version);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "posturectl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
