/*
 * Inclination estimator: fuses accelerometer and gyroscope into the sensor's "up" direction
 * (unit vector opposite to gravity, in sensor axes). Pure: no clock, no I/O, no allocation.
 */
#ifndef POSTURED_ESTIMATOR_H
#define POSTURED_ESTIMATOR_H

#include <stdbool.h>

#include "postured/sample.h"

struct estimator_settings {
	double tau_s;             /* time constant of the accelerometer correction */
	double bias_tau_s;        /* time constant of gyro-bias learning at rest */
	double rest_gyro_rad_s;   /* below this angular rate (and steady accel) the sensor is at rest */
	double rest_accel_m_s2;   /* max deviation of |accel| from g at rest */
	double gyro_range_rad_s;  /* readings this close to full scale are saturated; 0: no limit */
};

struct estimator {
	struct estimator_settings settings;
	bool initialised;
	double last_t_s;
	double up[3];            /* estimated unit up vector, sensor axes */
	double gyro_bias_rad_s[3];
	double rest_s;           /* how long the sensor has been at rest */
	double recover_s;        /* fast accelerometer correction after gyro saturation */
};

void estimator_default_settings(struct estimator_settings *s);
void estimator_init(struct estimator *e, const struct estimator_settings *s);
/* Feeds one sample taken at t_s; the time step comes from successive timestamps. */
void estimator_update(struct estimator *e, double t_s, const struct imu_sample *imu);
/* True once the sensor has been at rest for at least still_s seconds. */
bool estimator_at_rest_for(const struct estimator *e, double still_s);

#endif
