/*
 * Inclination estimator: fuses accelerometer and gyroscope into the sensor's "up" direction
 * (unit vector opposite to gravity, in sensor axes), with gyro-bias estimation at rest and in
 * motion. Pure: no clock, no I/O, no allocation; the caller owns the state.
 */
#ifndef POSTURED_ESTIMATOR_H
#define POSTURED_ESTIMATOR_H

#include <stdbool.h>

#include "postured/sample.h"

struct estimator_settings {
	double tau_s;             /* delay of the accelerometer low-pass in the gyro-integrated frame */
	double bias_tau_s;        /* time constant of gyro-bias averaging while at rest */
	/*
	 * Still (calibration): the rate without the bias below rest_gyro_rad_s and |accel| within
	 * rest_accel_m_s2 of 1 g. At rest (bias learning): gyro and accel within these of their means.
	 */
	double rest_gyro_rad_s;
	double rest_accel_m_s2;
	double gyro_range_rad_s;  /* readings this close to full scale are clipped; 0: no limit */
};

struct estimator {
	struct estimator_settings settings;
	bool initialised;
	double last_t_s;
	double up[3];                /* estimated unit up vector, sensor axes */
	double gyro_bias_rad_s[3];
	double bias_var_rad2_s2;     /* variance of each bias component */
	/*
	 * The accelerometer low-passed in the frame the gyro integration holds still, expressed in
	 * the present sensor axes: gravity plus what is left of accelerations. Its rate of change
	 * and the last sample are the rest of the filter's state.
	 */
	double gravity_m_s2[3];
	double gravity_rate_m_s3[3];
	double last_accel_m_s2[3];
	double last_gyro_rad_s[3];   /* raw, for the coning correction */
	double mean_gyro_rad_s[3];   /* short-term means: steady readings are rest */
	double mean_accel_m_s2[3];
	double steady_s;             /* how long gyro and accelerometer have been steady */
	double still_s;              /* how long the sensor has been still (calibration) */
	double trusted_s;            /* since the last reading at full scale (see .c) */
};

void estimator_default_settings(struct estimator_settings *s);
void estimator_init(struct estimator *e, const struct estimator_settings *s);
/*
 * Feeds one sample taken at t_s; the time step comes from successive timestamps, a step over
 * 1 s restarts from the accelerometer, and a sample with a non-finite value is ignored.
 */
void estimator_update(struct estimator *e, double t_s, const struct imu_sample *imu);
/* True once the sensor has been still for at least still_s seconds. */
bool estimator_at_rest_for(const struct estimator *e, double still_s);

#endif
