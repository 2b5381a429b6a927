/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posturectl report: the wearer's days from the journal (journal_reader.c), as a table, JSON
 * (report.c) or a picture (plot.c).
 */
#include "postured/posturectl_report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "postured/journal_reader.h"
#include "postured/plot.h"
#include "postured/report.h"

#define EXIT_USAGE 2
/* More --file options than anyone types: a glob expands to them. */
#define FILES_MAX 1024

static void usage(FILE *out)
{
	fputs("Usage: posturectl report [OPTIONS]\n"
	      "Time per posture state and activity, alerts, slumps, the longest slump and the ISO\n"
	      "11226 exposure per hour and per day (local time), one report per wearer (machine),\n"
	      "from postured's journal entries.\n"
	      "\n"
	      "  -D, --directory DIR   the journal files in DIR (systemd-journal-remote's\n"
	      "                        /var/log/journal/remote on a collector)\n"
	      "      --file FILE       this journal file; repeat for more\n"
	      "                        (default: the local journal)\n"
	      "  -S, --since TIME      from TIME: \"2026-11-30\", \"2026-11-30 14:00[:00]\", "
	      "\"14:00\",\n"
	      "                        \"today\", \"yesterday\", \"now\", \"-3d\", \"-2h\", \"3h "
	      "ago\",\n"
	      "                        \"@SECONDS\"\n"
	      "  -U, --until TIME      up to TIME (same forms)\n"
	      "      --machine NAME    only the wearer with this machine id or hostname\n"
	      "      --json            JSON for other tools instead of the tables\n"
	      "      --plot OUT        also draw the days into OUT.svg or OUT.png\n"
	      "  -h, --help            this help\n",
	      out);
}

enum {
	OPT_FILE = 256,
	OPT_JSON,
	OPT_PLOT,
	OPT_MACHINE,
};

struct report_options {
	const char *directory;
	const char *files[FILES_MAX + 1];
	size_t n_files;
	const char *since, *until, *machine, *plot;
	bool json;
};

static int parse_options(int argc, char **argv, struct report_options *o)
{
	static const struct option options[] = {
		{ "directory", required_argument, NULL, 'D' },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "machine", required_argument, NULL, OPT_MACHINE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	/* 0, not 1: getopt starts afresh after posturectl's own options. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "D:S:U:h", options, NULL)) != -1) {
		switch (c) {
		case 'D':
			o->directory = optarg;
			break;
		case OPT_FILE:
			if (o->n_files == FILES_MAX) {
				fprintf(stderr, "posturectl report: more than %d --file options\n",
					FILES_MAX);
				return -EINVAL;
			}
			o->files[o->n_files++] = optarg;
			break;
		case 'S':
			o->since = optarg;
			break;
		case 'U':
			o->until = optarg;
			break;
		case OPT_MACHINE:
			o->machine = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PLOT:
			o->plot = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "posturectl report: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->directory && o->n_files) {
		fputs("posturectl report: --directory or --file, not both\n", stderr);
		return -EINVAL;
	}
	return 0;
}

static int parse_bound(const char *option, const char *text, int64_t now_usec, int64_t *usec)
{
	if (report_parse_time(text, now_usec, usec) < 0) {
		fprintf(stderr,
			"posturectl report: %s '%s' is not a time: use e.g. \"2026-11-30\", "
			"\"2026-11-30 14:00\", \"yesterday\", \"-2h\" (see --help)\n",
			option, text);
		return -EINVAL;
	}
	return 0;
}

static const char *source_description(const struct report_options *o)
{
	if (o->directory)
		return o->directory;
	return o->n_files ? "the journal files given" : "the local journal";
}

int posturectl_report(int argc, char **argv)
{
	struct report_options *o = malloc(sizeof(*o));
	struct journal_source src = { 0 };
	int64_t since = REPORT_TIME_MIN, until = REPORT_TIME_MAX, now_usec;
	struct timespec now;
	struct report r;
	char err[1024];
	int ret, status = EXIT_SUCCESS;

	if (!o) {
		fputs("posturectl report: out of memory\n", stderr);
		return EXIT_FAILURE;
	}
	ret = parse_options(argc, argv, o);
	if (ret != 0) {
		free(o);
		return ret > 0 ? EXIT_SUCCESS : EXIT_USAGE;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	now_usec = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	if ((o->since && parse_bound("--since", o->since, now_usec, &since) < 0) ||
	    (o->until && parse_bound("--until", o->until, now_usec, &until) < 0)) {
		free(o);
		return EXIT_USAGE;
	}
	if (since >= until) {
		fprintf(stderr, "posturectl report: --since %s is not before --until %s\n",
			o->since, o->until);
		free(o);
		return EXIT_USAGE;
	}

	report_init(&r, since, until, o->machine);
	src.directory = o->directory;
	src.files = o->n_files ? o->files : NULL;
	ret = journal_read_report(&src, &r, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "posturectl report: %s\n", err);
		status = EXIT_FAILURE;
		goto out;
	}
	if (r.n_wearers == 0)
		fprintf(stderr, "posturectl report: no postured events%s%s in %s%s\n",
			o->machine ? " of " : "", o->machine ? o->machine : "",
			source_description(o),
			o->directory || o->n_files || geteuid() == 0
			    ? ""
			    : " (outside the systemd-journal group you see only your own journal)");
	if ((o->json ? report_write_json(&r, stdout) : report_write_text(&r, stdout)) < 0 ||
	    fflush(stdout) == EOF) {
		fprintf(stderr, "posturectl report: cannot write the report: %s\n",
			strerror(errno ? errno : EIO));
		status = EXIT_FAILURE;
	}
	if (o->plot && plot_write(&r, o->plot, err, sizeof(err)) < 0) {
		fprintf(stderr, "posturectl report: %s\n", err);
		status = EXIT_FAILURE;
	}
out:
	report_free(&r);
	free(o);
	return status;
}
