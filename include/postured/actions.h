/*
 * What happens when the pipeline decides something: the same for the live daemon and replay, so
 * replay emits exactly the live events. The motor itself is behind the buzz callback.
 */
#ifndef POSTURED_ACTIONS_H
#define POSTURED_ACTIONS_H

#include <stdbool.h>

#include "postured/config.h"
#include "postured/event.h"
#include "postured/pipeline.h"
#include "postured/sink.h"

struct actions {
	const struct config *cfg;
	struct event_sink *sink;
	const struct pipeline *pipeline; /* its calibration is saved on every "calibrated" */
	const char *state_dir;		 /* NULL: never persist (replay) */
	bool motor_present; /* as the config says (actions_motor_configured), also in replay */
	void (*buzz)(void *ctx, const struct haptic_pattern *pattern); /* NULL: nothing to drive */
	void *hook_ctx; /* passed to buzz and before_print */
	/* Called before an event is printed to stderr, to clear a live status line. */
	void (*before_print)(void *ctx);
	int sink_errors;
};

/* pipeline_emit_fn for struct actions. */
void actions_on_event(void *ctx, const struct posture_event *ev);

/*
 * Whether the config names a motor: the live daemon then has one (it does not start, or keeps the
 * old config, when the motor cannot be opened), so the events say so in replay too.
 */
bool actions_motor_configured(const struct config *cfg);

#endif
