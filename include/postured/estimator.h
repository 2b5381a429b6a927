/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inclination estimator: fuses accelerometer and gyroscope into the sensor's "up" direction
 * (unit vector opposite to gravity, in sensor axes), with gyro-bias estimation at rest and in
 * motion. Pure: no clock, no I/O, no allocation; the caller owns the state.
 */
#ifndef POSTURED_ESTIMATOR_H
#define POSTURED_ESTIMATOR_H

#include <stdbool.h>

#include "postured/sample.h"
#include "postured/vec3.h"

struct estimator_settings {
	double tau_s;	   /* delay of the accelerometer low-pass in the gyro-integrated frame */
	double bias_tau_s; /* time constant of gyro-bias averaging while at rest */
	/* At rest (bias learning): gyro and accel within these of their short-term means. */
	double rest_gyro_rad_s;
	double rest_accel_m_s2;
	double gyro_range_rad_s; /* readings this close to full scale are clipped; 0: no limit */
};

/* Caller-owned; all members are private: read it through the functions below. */
struct estimator {
	struct estimator_settings settings;
	bool initialised;
	double last_t_s;
	double up[3]; /* estimated unit up vector, sensor axes */
	double gyro_bias_rad_s[3];
	double bias_cov_rad2_s2[6]; /* its covariance: xx yy zz xy xz yz */
	/*
	 * How a bias error shows in the accelerometer's correction now (see .c): column j is the
	 * low-passed rotation that carried an error about axis j into the present axes; and the
	 * estimated bias seen through the same low-pass. Two stages each, the second the output.
	 */
	double bias_seen[2][9];
	double bias_lp_rad_s[2][3];
	/* Gathered over one bias step: the turn, the correction, and how long each lasted. */
	double step_theta_rad[3];
	double step_correction_rad[3];
	double step_s, step_moving_s, step_rest_s;
	double bias_tau_limit_s; /* the low-pass's delay that the bias uncertainty allows */
	/*
	 * The accelerometer low-passed in the frame the gyro integration holds still, expressed in
	 * the present sensor axes: gravity plus what is left of accelerations. Its rate of change
	 * and the last sample are the rest of the filter's state.
	 */
	double gravity_m_s2[3];
	double gravity_rate_m_s3[3];
	double last_accel_m_s2[3];
	double last_gyro_rad_s[3]; /* raw, for the coning correction */
	double mean_gyro_rad_s[3]; /* short-term means: steady readings are rest */
	double mean_accel_m_s2[3];
	double steady_s;  /* how long gyro and accelerometer have been steady */
	double trusted_s; /* since the last reading at full scale (see .c) */
};

void estimator_default_settings(struct estimator_settings *s);
void estimator_init(struct estimator *e, const struct estimator_settings *s);
/*
 * Feeds one sample taken at t_s; the time step comes from successive timestamps, a step over
 * 1 s restarts from the accelerometer, and a sample no sensor gives (a non-finite time, a
 * reading imu_sample_plausible() refuses) is ignored.
 */
void estimator_update(struct estimator *e, double t_s, const struct imu_sample *imu);
/*
 * The same for a sample whose accelerometer reading is not gravity's (the vibration motor runs):
 * the gyro alone turns the estimate, the accelerometer's correction and the bias learning pause,
 * and a start or a restart after a gap waits for a sample estimator_update() may take.
 */
void estimator_update_gyro(struct estimator *e, double t_s, const struct imu_sample *imu);
/* New settings (a reload) without losing the estimate or the learned bias. */
void estimator_set_settings(struct estimator *e, const struct estimator_settings *s);
/* The estimated unit up vector, sensor axes (+Z until the first sample). */
const double *estimator_up(const struct estimator *e);
/* True once a sample has been taken. */
bool estimator_started(const struct estimator *e);
/*
 * The gyro bias learned so far (rad/s, sensor axes) and its uncertainty: one standard deviation
 * of its least certain component. Worth keeping for the next run once sigma_rad_s is small (the
 * bias was averaged at rest: 0.02 deg/s), see calstore_save_bias().
 */
void estimator_get_bias(const struct estimator *e, double bias_rad_s[3], double *sigma_rad_s);
/*
 * Starts from a bias known from elsewhere, typically a previous run (calstore_load_bias()): it is
 * used from the next sample on, and rest or motion refine it as they would a learned one.
 * sigma_rad_s is how far it may be off now, one standard deviation per axis; between runs the
 * temperature changes, so a restored bias deserves ESTIMATOR_RESTORED_BIAS_SIGMA_RAD_S rather
 * than the 0.02 deg/s it was saved with. Components beyond the +-10 deg/s the estimator ever
 * learns are clamped to it. Call after estimator_init().
 */
void estimator_set_bias(struct estimator *e, const double bias_rad_s[3], double sigma_rad_s);
/*
 * A worn MPU-6050 warms by some 10 degC and its zero-rate offset moves by up to 0.16 deg/s per
 * degC, but most of a day-to-day change is a few degC: 0.5 deg/s covers it, and still lags the
 * estimate by no more than 1.5 deg at the default tau_s until the bias is refined.
 */
#define ESTIMATOR_RESTORED_BIAS_SIGMA_RAD_S (0.5 * RAD_PER_DEG)

#endif
