/* What the input stage (IIO or a recording) hands to the pipeline. */
#ifndef POSTURED_SAMPLE_H
#define POSTURED_SAMPLE_H

#include <stdbool.h>

enum sensor_role {
	ROLE_TRUNK,
	ROLE_HEAD,
	ROLE_COUNT,
};

/* "trunk" or "head": the column prefix of the recording format and the ini section name. */
const char *role_name(enum sensor_role role);

/* One IMU reading, in the sensor's own axes after the mount matrix. */
struct imu_sample {
	double accel_m_s2[3];
	double gyro_rad_s[3];
};

/* All sensors read at one instant. t_s is monotonic seconds from any origin. */
struct frame {
	double t_s;
	bool has[ROLE_COUNT];
	struct imu_sample imu[ROLE_COUNT];
};

#endif
