/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line: live daemon, offline replay, or a config check. Only this file exits. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postured/config.h"
#include "postured/daemon.h"
#include "postured/gpio.h"
#include "postured/log.h"
#include "postured/replay.h"
#include "postured/version.h"

/* Exit status: 0 success, 1 runtime failure, 2 bad usage or invalid configuration. */
#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fputs(
	    "Usage: postured [OPTIONS]                      run the daemon on the IIO sensors\n"
	    "       postured --replay FILE [OPTIONS]        run the pipeline on a recording\n"
	    "       postured --check-config [PATH]          validate a configuration file\n"
	    "       postured --dump-config [PATH]           print the effective configuration\n"
	    "       postured --motor-off [--config PATH]    drive the motor's GPIO line off\n"
	    "\n"
	    "  -c, --config PATH     configuration file (default " CONFIG_DEFAULT_PATH "),\n"
	    "                        then its drop-ins PATH.d/*.ini by name\n"
	    "  -f, --foreground      events to stderr in readable form (the default unless\n"
	    "                        stderr is the journal)\n"
	    "      --events FILE     also write each event as a JSON line to FILE\n"
	    "      --record FILE     live: write what the sensors deliver (.csv or .csv.gz)\n"
	    "      --replay FILE     replay a recording (.csv or .csv.gz) instead of the sensors\n"
	    "      --trace FILE      replay: write one CSV row of estimates per sample\n"
	    "      --simulate-buzz   replay: add the vibration motor's shaking to the samples\n"
	    "                        while the replay's motor runs (a check that a buzz does not\n"
	    "                        read as posture; needs a config with a motor)\n"
	    "      --speed X         replay: X times real time (default: as fast as possible);\n"
	    "                        live: the clock runs X times faster (simulated wearers)\n"
	    "      --state-dir DIR   where the calibration is kept (default: [calibration]\n"
	    "                        state_dir, $STATE_DIRECTORY, /var/lib/postured)\n"
	    "  -v, --verbose         debug messages\n"
	    "      --version         print the version\n"
	    "  -h, --help            this help\n",
	    out);
}

enum {
	OPT_EVENTS = 256,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_TRACE,
	OPT_SIMULATE_BUZZ,
	OPT_SPEED,
	OPT_STATE_DIR,
	OPT_CHECK_CONFIG,
	OPT_DUMP_CONFIG,
	OPT_MOTOR_OFF,
	OPT_VERSION,
};

/*
 * Drives the motor's line off from the [haptic] settings alone, whatever else in the file is
 * wrong: invalid or missing motor keys take their documented defaults, and an unreadable file
 * means all of them. The unit's ExecStopPost= runs it after a kill mid-buzz (a released GPIO
 * output keeps its level), and the daemon runs it first thing. No chip of that name: no motor.
 * Returns an exit status; at_start: a failure is a warning, as the daemon reports it again.
 */
static int motor_off(const char *config_path, bool at_start)
{
	struct config *cfg = malloc(sizeof(*cfg));
	char msg[2048];
	int ret;

	if (!cfg) {
		log_err("cannot stop the motor: out of memory");
		return EXIT_FAILURE;
	}
	config_defaults(cfg);
	ret = config_load_motor(config_path, cfg, msg, sizeof(msg));
	if (ret < 0) {
		log_warning("%s: stopping the motor on the default [haptic] settings", msg);
	} else {
		for (char *line = strtok(msg, "\n"); line; line = strtok(NULL, "\n"))
			log_warning("%s", line);
	}
	if (strcmp(cfg->haptic_backend, "none") == 0) {
		log_debug("[haptic] backend = none: no motor to stop");
		free(cfg);
		return EXIT_SUCCESS;
	}
	ret = gpio_motor_off(cfg->haptic_chip, cfg->haptic_line, cfg->haptic_active_low, "postured",
			     msg, sizeof(msg));
	if (ret == 0)
		log_info("motor off: gpio chip '%s' line %u driven inactive (active_low = %s)",
			 cfg->haptic_chip, cfg->haptic_line,
			 cfg->haptic_active_low ? "true" : "false");
	else if (ret == -ENOENT)
		log_msg(at_start ? LOG_LEVEL_DEBUG : LOG_LEVEL_NOTICE, "no motor to stop: %s", msg);
	else
		log_msg(at_start ? LOG_LEVEL_WARNING : LOG_LEVEL_ERR, "cannot stop the motor: %s",
			msg);
	free(cfg);
	return ret == 0 || ret == -ENOENT ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --dump-config: the effective configuration on stdout, an invalid one on stderr as FILE:LINE. */
static int dump(const char *config_path)
{
	char err[1024];
	int ret = config_dump(config_path, stdout, err, sizeof(err));

	if (ret == 0)
		return EXIT_SUCCESS;
	fprintf(stderr, "%s\n", err);
	/* Written but not delivered (a full disk, a closed pipe) is a runtime failure. */
	return ferror(stdout) || ret == -ENOMEM ? EXIT_FAILURE : EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "simulate-buzz", no_argument, NULL, OPT_SIMULATE_BUZZ },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
		{ "dump-config", no_argument, NULL, OPT_DUMP_CONFIG },
		{ "motor-off", no_argument, NULL, OPT_MOTOR_OFF },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_options opt = { .config_path = CONFIG_DEFAULT_PATH };
	bool config_given = false;
	const char *replay_path = NULL;
	bool check_config = false;
	bool dump_config = false;
	bool motor_off_only = false;
	bool stderr_is_journal;
	struct config *cfg;
	char err[1024];
	int c, status;

	while ((c = getopt_long(argc, argv, "c:fvh", long_opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'c':
			opt.config_path = optarg;
			config_given = true;
			break;
		case 'f':
			opt.foreground = true;
			break;
		case OPT_EVENTS:
			opt.events_path = optarg;
			break;
		case OPT_RECORD:
			opt.record_path = optarg;
			break;
		case OPT_REPLAY:
			replay_path = optarg;
			break;
		case OPT_TRACE:
			opt.trace_path = optarg;
			break;
		case OPT_SIMULATE_BUZZ:
			opt.simulate_buzz = true;
			break;
		case OPT_SPEED:
			errno = 0;
			opt.speed = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !(opt.speed > 0.0 && opt.speed <= 1000.0)) {
				fprintf(stderr,
					"postured: --speed %s: expected a number above 0 "
					"and at most 1000\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_STATE_DIR:
			opt.state_dir = optarg;
			break;
		case OPT_CHECK_CONFIG:
			check_config = true;
			break;
		case OPT_DUMP_CONFIG:
			dump_config = true;
			break;
		case OPT_MOTOR_OFF:
			motor_off_only = true;
			break;
		case 'v':
			log_set_max_level(LOG_LEVEL_DEBUG);
			break;
		case OPT_VERSION:
			printf("postured %s\n", postured_version);
			return EXIT_SUCCESS;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((check_config || dump_config) && optind < argc)
		opt.config_path = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "postured: unexpected argument '%s' (see --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (opt.trace_path && !replay_path) {
		fputs("postured: --trace needs --replay FILE\n", stderr);
		return EXIT_USAGE;
	}
	if (opt.simulate_buzz && !replay_path) {
		fputs("postured: --simulate-buzz needs --replay FILE\n", stderr);
		return EXIT_USAGE;
	}
	if (check_config && dump_config) {
		fputs("postured: --check-config and --dump-config: choose one\n", stderr);
		return EXIT_USAGE;
	}
	if (dump_config && replay_path) {
		fputs("postured: --dump-config takes only --config PATH\n", stderr);
		return EXIT_USAGE;
	}
	if (dump_config)
		return dump(opt.config_path);
	if (motor_off_only && (replay_path || check_config)) {
		fputs("postured: --motor-off takes only --config PATH (and --verbose)\n", stderr);
		return EXIT_USAGE;
	}
	if (opt.record_path && replay_path) {
		fputs(
		    "postured: --record is for live sensors; it cannot be combined with --replay\n",
		    stderr);
		return EXIT_USAGE;
	}

	/*
	 * Events go to the journal, with their fields, when stderr is the journal (a systemd
	 * service), as systemd's own tools decide. Anywhere else (a terminal, a pipe into grep, a
	 * file, a system without journald) someone reads stderr: they go there, readable.
	 */
	stderr_is_journal = log_stderr_is_journal();
	if (!stderr_is_journal)
		opt.foreground = true;
	/* Severities travel through the journal's stream as "<N>" prefixes. */
	log_set_journal(stderr_is_journal && !replay_path && !check_config);
	if (motor_off_only)
		return motor_off(opt.config_path, false);
	/* Before anything can fail: a motor left on by a killed predecessor stops now. */
	if (!replay_path && !check_config)
		motor_off(opt.config_path, true);

	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		fputs("postured: out of memory\n", stderr);
		return EXIT_FAILURE;
	}
	config_defaults(cfg);
	/* Offline analysis needs no installed daemon: replay uses the documented defaults then. */
	if (replay_path && !config_given && access(opt.config_path, F_OK) < 0 && errno == ENOENT) {
		log_info("%s does not exist: replaying with the built-in defaults (see "
			 "config/postured.ini)",
			 opt.config_path);
	} else if (config_load(opt.config_path, cfg, err, sizeof(err)) < 0) {
		if (check_config)
			fprintf(stderr, "%s\n", err);
		else
			log_err("%s", err);
		free(cfg);
		return EXIT_USAGE;
	}
	if (check_config) {
		if (cfg->dropins[0])
			printf("%s: OK, with %s.d/: %s\n", opt.config_path, opt.config_path,
			       cfg->dropins);
		else
			printf("%s: OK\n", opt.config_path);
		free(cfg);
		return EXIT_SUCCESS;
	}

	if (replay_path)
		status = replay_run(cfg, replay_path, &opt);
	else
		status = daemon_run(cfg, &opt);
	free(cfg);
	return status;
}
