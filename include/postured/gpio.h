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
/* on=true drives the motor (logical level; active_low is handled by libgpiod). */
int gpio_motor_set(struct gpio_motor *m, bool on);
/* Drives the motor off and releases the line; NULL is fine. */
void gpio_motor_close(struct gpio_motor *m);

#endif
