/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The motor line and the button line. The only module that includes <gpiod.h>; builds against
 * libgpiod 1.6 and 2.x.
 */
#ifndef POSTURED_GPIO_H
#define POSTURED_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct gpio_button; /* opaque: hides the libgpiod types */

/* The pull resistor the GPIO controller puts on the button's line. */
enum gpio_bias {
	GPIO_BIAS_AS_IS,     /* leave it as the firmware or device tree set it */
	GPIO_BIAS_PULL_UP,   /* a button to ground (then active_low) */
	GPIO_BIAS_PULL_DOWN, /* a button to 3.3 V */
};

/* "as-is", "pull-up", "pull-down": the [button] bias values. */
const char *gpio_bias_name(enum gpio_bias bias);
/* Parses one of those names; returns 0 or -EINVAL. */
int gpio_bias_parse(const char *name, enum gpio_bias *out);

/* An edge on the button's line, as the kernel stamped it. */
struct gpio_edge {
	uint64_t time_ns; /* CLOCK_MONOTONIC, as the daemon's timers */
	bool active;	  /* the line became active (its logical level, active_low applied) */
};

/* Edges one gpio_button_read returns at most (libgpiod 1.6 reads no more at once). */
#define GPIO_BUTTON_READ_MAX 16

/*
 * Requests line on chip (named as for gpio_motor_open) as an input that reports both edges, with
 * the pull resistor bias. active_low: the button pulls the line low when pressed (a button to
 * ground), so a press reads as active. On failure returns a negative errno and writes a message
 * naming the chip and line and what to do into err.
 */
int gpio_button_open(const char *chip, unsigned int line, bool active_low, enum gpio_bias bias,
		     const char *consumer, struct gpio_button **out, char *err, size_t err_len);
/* The descriptor that becomes readable when edges wait (for the event loop); never fails. */
int gpio_button_fd(struct gpio_button *b);
/*
 * Reads the edges waiting, oldest first: at most max (and GPIO_BUTTON_READ_MAX). Returns their
 * count, -EAGAIN when none waits (it never blocks) or another negative errno.
 */
int gpio_button_read(struct gpio_button *b, struct gpio_edge *edges, size_t max);
/* Releases the line; NULL is fine. */
void gpio_button_close(struct gpio_button *b);

#endif
