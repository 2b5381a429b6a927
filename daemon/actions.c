#include "postured/actions.h"

#include <stdio.h>
#include <string.h>

#include "postured/calstore.h"
#include "postured/log.h"

bool actions_motor_configured(const struct config *cfg)
{
	return strcmp(cfg->haptic_backend, "none") != 0;
}

static void describe_pattern(const struct actions *a, const char *name,
			     const struct haptic_pattern *p, struct posture_event *ev)
{
	char text[128];

	haptic_pattern_format(p, text, sizeof(text));
	snprintf(ev->detail, sizeof(ev->detail), "haptic %s pattern %s ms%s", name, text,
		 a->motor_present ? "" : " (no motor: [haptic] backend = none)");
}

void actions_on_event(void *ctx, const struct posture_event *in)
{
	struct actions *a = ctx;
	struct posture_event ev = *in;
	const struct haptic_pattern *pattern = NULL;

	if (ev.type == EVENT_ALERT) {
		pattern = &a->cfg->alert_pattern;
		describe_pattern(a, "alert", pattern, &ev);
	} else if (ev.type == EVENT_CALIBRATED) {
		pattern = &a->cfg->calibrated_pattern;
		if (a->state_dir && a->pipeline) {
			char err[512];

			if (calstore_save(a->state_dir, pipeline_calibration(a->pipeline), err,
					  sizeof(err)) < 0)
				log_warning("%s (calibration kept in memory only)", err);
		}
	}
	if (pattern && a->buzz)
		a->buzz(a->hook_ctx, pattern);
	if (a->sink->to_stderr && a->before_print)
		a->before_print(a->hook_ctx);
	if (sink_emit(a->sink, &ev) < 0)
		a->sink_errors++;
}
