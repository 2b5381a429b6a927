#include "postured/actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postured/calstore.h"
#include "postured/log.h"

void pipeline_settings_from_config(const struct config *cfg, struct pipeline_settings *ps)
{
	memset(ps, 0, sizeof(*ps));
	for (int r = 0; r < ROLE_COUNT; r++)
		ps->role_enabled[r] = cfg->sensor[r].enabled;
	ps->estimator = cfg->estimator;
	ps->activity = cfg->activity;
	ps->reference = cfg->reference;
	/* One lying threshold: no forward is learned from a lean the activity calls lying. */
	ps->reference.lying_deg = cfg->activity.lying_deg;
	ps->posture = cfg->posture;
	ps->detector = cfg->detector;
	ps->summary_interval_s = cfg->summary_interval_s;
}

void resolve_state_dir(const struct config *cfg, char *out, size_t len)
{
	const char *env = getenv("STATE_DIRECTORY");

	if (cfg->state_dir[0]) {
		snprintf(out, len, "%s", cfg->state_dir);
	} else if (env && env[0]) {
		/* systemd passes a colon-separated list when StateDirectory= names several. */
		size_t n = strcspn(env, ":");
		snprintf(out, len, "%.*s", (int)n, env);
	} else {
		snprintf(out, len, "/var/lib/postured");
	}
}

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

			if (calstore_save(a->state_dir, &a->pipeline->cal, err, sizeof(err)) < 0)
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
