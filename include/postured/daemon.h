/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The live daemon on IIO sensors (sd-event loop), and the options it shares with replay. */
#ifndef POSTURED_DAEMON_H
#define POSTURED_DAEMON_H

#include <stdbool.h>

#include "postured/config.h"

struct run_options {
	const char *config_path;
	bool foreground;	 /* events to stderr in readable form, not to the journal */
	const char *events_path; /* JSON lines, or NULL */
	const char *record_path; /* live: write what the sensors deliver */
	const char *trace_path;	 /* replay: one row per sample */
	bool simulate_buzz;	 /* replay: the motor's vibration added while it runs */
	const char *state_dir;	 /* overrides the config and $STATE_DIRECTORY */
	double speed;		 /* replay: real-time multiple (0: as fast as possible);
				    live: simulated wearers, the clock runs this much faster */
};

/* Returns the process exit status (see README "Exit status"). */
int daemon_run(struct config *cfg, const struct run_options *opt);

#endif
