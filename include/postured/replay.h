/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Offline replay: a recording through the live daemon's pipeline and actions. */
#ifndef POSTURED_REPLAY_H
#define POSTURED_REPLAY_H

#include "postured/config.h"
#include "postured/daemon.h"

/* Returns the process exit status (see README "Exit status"), like daemon_run(). */
int replay_run(const struct config *cfg, const char *recording_path, const struct run_options *opt);

#endif
