/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The motor line. The only module that includes <gpiod.h>; builds against libgpiod 1.6 and 2.x. */
#ifndef POSTURED_GPIO_H
#define POSTURED_GPIO_H

#include <stdbool.h>
#include <stddef.h>

struct gpio_motor; /* opaque: hides the libgpiod types */

/*
 * chip: a name ("gpiochip0"), a path ("/dev/gpiochip0"), a number ("0") or a label
 * ("pinctrl-bcm2711"). Requests line as an output driven inactive. On failure returns a negative
 * errno and writes a message naming the chip and line and what to do into err.
 */
int gpio_motor_open(const char *chip, unsigned int line, bool active_low, const char *consumer,
		    struct gpio_motor **out, char *err, size_t err_len);
/*
 * Changes the polarity of the open line in place, without releasing it, and leaves the motor off
 * (the caller stops any pattern first). Returns 0 or a negative errno.
 */
int gpio_motor_reconfigure(struct gpio_motor *m, bool active_low);
/* on=true drives the motor (logical level; active_low is handled by libgpiod). */
int gpio_motor_set(struct gpio_motor *m, bool on);
/* Drives the motor off and releases the line; NULL is fine. */
void gpio_motor_close(struct gpio_motor *m);
/*
 * Drives a motor line off that this process does not hold (after a postured that was killed
 * mid-buzz): requests it as an output driven inactive, then releases it. On a Raspberry Pi without
 * dtparam=strict_gpiod a released output keeps that level. Returns 0, or the negative errno and
 * message of gpio_motor_open (-ENOENT: no such chip, so no motor on it to stop).
 */
int gpio_motor_off(const char *chip, unsigned int line, bool active_low, const char *consumer,
		   char *err, size_t err_len);

#endif
