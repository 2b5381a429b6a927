/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Angles against the wearer's own upright pose. With up reference r and forward f (orthogonal to
 * r), leaning forward by theta turns the sensor-frame up vector toward -f: flexion is
 * atan2(-u.f, u.r); side bending likewise against the right axis f x r.
 */
#include "postured/posture.h"

#include <math.h>
#include <string.h>

#include "postured/vec3.h"

static const char *const state_names[STATE_COUNT] = {
	[STATE_CALIBRATING] = "calibrating",
	[STATE_UPRIGHT] = "upright",
	[STATE_LEANING] = "leaning",
	[STATE_SLUMPED] = "slumped",
	[STATE_LYING] = "lying",
};

const char *posture_state_name(enum posture_state s)
{
	return (unsigned int)s < STATE_COUNT ? state_names[s] : "unknown";
}

void posture_default_settings(struct posture_settings *s)
{
	memset(s, 0, sizeof(*s));
	for (int r = 0; r < ROLE_COUNT; r++)
		s->forward_mode[r] = FORWARD_AUTO;
}

void posture_calibrate(struct calibration *cal, const struct posture_settings *s,
		       const bool has[ROLE_COUNT], const double up[ROLE_COUNT][3])
{
	struct calibration old = *cal;

	/* Walking evidence belongs to the sensor's mounting, not to the pose: it stays. */
	memset(cal, 0, sizeof(*cal));
	memcpy(cal->walking_known, old.walking_known, sizeof(cal->walking_known));
	memcpy(cal->walking_up, old.walking_up, sizeof(cal->walking_up));
	for (int r = 0; r < ROLE_COUNT; r++)
		if (has[r])
			posture_calibrate_role(cal, s, (enum sensor_role)r, up[r]);
	cal->valid = true;
}

void posture_calibrate_role(struct calibration *cal, const struct posture_settings *s,
			    enum sensor_role r, const double up[3])
{
	cal->has[r] = true;
	vec3_copy(cal->up_ref[r], up);
	vec3_normalize(cal->up_ref[r]);
	cal->forward_known[r] = false;
	if (s->forward_mode[r] == FORWARD_AXIS)
		cal->forward_known[r] =
		    vec3_orthogonal_unit(s->forward_axis[r], cal->up_ref[r], cal->forward[r]);
}

void posture_angles(const struct calibration *cal, const bool has[ROLE_COUNT],
		    const double up[ROLE_COUNT][3], struct posture_angles *out)
{
	memset(out, 0, sizeof(*out));
	if (!cal->valid)
		return;
	for (int r = 0; r < ROLE_COUNT; r++) {
		const double *ref = cal->up_ref[r];
		double right[3], along;

		if (!has[r] || !cal->has[r])
			continue;
		out->valid[r] = true;
		out->tilt_deg[r] = vec3_angle_deg(up[r], ref);
		if (!cal->forward_known[r]) {
			out->flexion_deg[r] = out->tilt_deg[r];
			continue;
		}
		along = vec3_dot(up[r], ref);
		vec3_cross(cal->forward[r], ref, right);
		out->flexion_deg[r] = atan2(-vec3_dot(up[r], cal->forward[r]), along) * DEG_PER_RAD;
		out->lateral_deg[r] = atan2(-vec3_dot(up[r], right), along) * DEG_PER_RAD;
	}
	if (out->valid[ROLE_TRUNK] && out->valid[ROLE_HEAD]) {
		out->neck_valid = true;
		out->neck_flexion_deg = out->flexion_deg[ROLE_HEAD] - out->flexion_deg[ROLE_TRUNK];
	}
}
