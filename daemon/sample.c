#include "postured/sample.h"

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_TRUNK] = "trunk",
	[ROLE_HEAD] = "head",
};

const char *role_name(enum sensor_role role)
{
	return (unsigned int)role < ROLE_COUNT ? role_names[role] : "unknown";
}
