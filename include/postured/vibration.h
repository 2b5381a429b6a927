/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the IMU feels of the vibration motor: a model for `postured --replay --simulate-buzz` and
 * the tests, which adds it to recorded samples while the replay's motor runs. Pure and
 * deterministic: switch times and sample times in, the same samples out for the same seed.
 *
 * A coin or ERM motor turns an eccentric mass at 150-250 Hz (9,000-15,000 rpm: the motor, its
 * supply and the temperature decide, so each buzz draws its own speed and starting angle). Its
 * force turns in the plane of the coin, which lies in the housing against the back: the sensor's
 * y-z plane in postured's recordings (x out of the back). The housing rocks on the soft tissue
 * under it, which shows on x and, through the gyroscope's own low-pass, as a small rate of turn
 * about x and y. At the IMU beside it: 1.5 g (the motor makes 1-3 g at full speed). The speed
 * rises and falls with a mechanical time constant of 30 ms (datasheet rise and stop times of
 * 30-100 ms), the force with its square.
 *
 * The worst case for the estimator: no anti-aliasing filter, so the sensor reads the vibration at
 * the recording's times, each reading taken up to 1 ms before its timestamp (the latest of an
 * MPU-6050's 1 kHz internal samples). At 50 Hz a buzz aliases anywhere from 25 Hz down to a
 * drifting offset (150, 200 and 250 Hz are multiples of the rate), partly incoherent. The sum is
 * clipped at +-2 g, the MPU-6050's power-on range and the inv_mpu6050 driver's default, which
 * turns a buzz on an axis near gravity into a steady offset.
 */
#ifndef POSTURED_VIBRATION_H
#define POSTURED_VIBRATION_H

#include <stdbool.h>
#include <stdint.h>

#include "postured/sample.h"

#define VIBRATION_ACCEL_G 1.5
#define VIBRATION_ROCK_DEG_S 0.5
#define VIBRATION_MIN_HZ 150.0
#define VIBRATION_MAX_HZ 250.0
#define VIBRATION_TIME_CONSTANT_S 0.03
#define VIBRATION_RANGE_G 2.0

/* Caller-owned; all members are private. */
struct vibration {
	uint64_t rng;
	bool on;
	double switch_t_s; /* the latest switch, on or off */
	double speed0;	   /* the speed then, a fraction of full speed */
	double angle0_rad; /* the eccentric mass's angle then */
	double full_hz;	   /* this buzz's full speed */
};

/* Motor off and still; seed picks the speeds, angles and timing errors (the same seed, the same
 * vibration). */
void vibration_init(struct vibration *v, uint64_t seed);
/* The motor was switched on or off at t_s (the times the replay's motor changes). */
void vibration_motor(struct vibration *v, bool on, double t_s);
/*
 * Adds what the sensor reads of the motor to a sample stamped t_s (after every switch up to
 * t_s). A sample taken when the motor is still and has been for a while is left exactly as it
 * was; a vibrating one is clipped to +-VIBRATION_RANGE_G, or to its recorded value where that is
 * beyond (a recording from a wider range).
 */
void vibration_add(struct vibration *v, double t_s, struct imu_sample *imu);

#endif
