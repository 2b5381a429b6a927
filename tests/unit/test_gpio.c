/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The motor line and the button line, against fake_gpio.c standing in for libgpiod (1.x or 2.x,
 * whichever this build selected): chip lookup, active-low wiring, the line left off, the motor
 * stopped after a killed daemon, the wiring changed in place, the button's edges with their
 * kernel timestamps and the presses button.c makes of them, and the messages a user gets.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_gpiod.h"
#include "postured/button.h"
#include "postured/gpio.h"

static int setup(void **state)
{
	(void)state;
	fake_gpiod_reset();
	fake_gpiod_add_chip("gpiochip0", "pinctrl-bcm2711", 58);
	fake_gpiod_add_chip("gpiochip1", "raspberrypi-exp-gpio", 8);
	return 0;
}

/* Every chip handle, request and info object must be given back, on success and on failure. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_gpiod_live_objects(), 0);
	return 0;
}

static void assert_open_fails(const char *chip, unsigned int line, int expected_ret,
			      const char *message)
{
	/* Not NULL, so the test sees gpio_motor_open clear it. */
	struct gpio_motor *m = (struct gpio_motor *)&m;
	unsigned int live_before = fake_gpiod_live_objects();
	char err[256] = "";

	assert_int_equal(gpio_motor_open(chip, line, false, "postured", &m, err, sizeof(err)),
			 expected_ret);
	assert_null(m);
	assert_string_equal(err, message);
	assert_int_equal(fake_gpiod_live_objects(), live_before);
}

/* Opens the motor on chip and line, which must succeed. */
static struct gpio_motor *open_ok(const char *chip, unsigned int line, bool active_low)
{
	struct gpio_motor *m = NULL;
	char err[256] = "";

	assert_int_equal(gpio_motor_open(chip, line, active_low, "postured", &m, err, sizeof(err)),
			 0);
	assert_non_null(m);
	return m;
}

/* Opens chip, checks the motor starts off on the expected chip, buzzes once and closes. */
static void open_buzz_close(const char *chip, const char *expect_chip)
{
	struct gpio_motor *m = open_ok(chip, 4, false);

	assert_true(fake_gpiod_line_requested(expect_chip, 4));
	assert_string_equal(fake_gpiod_line_consumer(expect_chip, 4), "postured");
	assert_int_equal(fake_gpiod_line_level(expect_chip, 4), 0);

	assert_int_equal(gpio_motor_set(m, true), 0);
	assert_int_equal(fake_gpiod_line_level(expect_chip, 4), 1);
	assert_int_equal(gpio_motor_set(m, false), 0);
	assert_int_equal(fake_gpiod_line_level(expect_chip, 4), 0);
	gpio_motor_close(m);
	assert_false(fake_gpiod_line_requested(expect_chip, 4));
	assert_int_equal(fake_gpiod_line_releases(expect_chip, 4), 1);
}

static void open_by_name(void **state)
{
	(void)state;
	open_buzz_close("gpiochip1", "gpiochip1");
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 4), -1);
}

static void open_by_path(void **state)
{
	(void)state;
	open_buzz_close("/dev/gpiochip1", "gpiochip1");
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 4), -1);
}

static void open_by_number(void **state)
{
	(void)state;
	open_buzz_close("1", "gpiochip1");
	open_buzz_close("0", "gpiochip0");
}

static void open_by_label(void **state)
{
	(void)state;
	open_buzz_close("raspberrypi-exp-gpio", "gpiochip1");
	open_buzz_close("pinctrl-bcm2711", "gpiochip0");
	assert_int_equal(fake_gpiod_line_releases("gpiochip1", 4), 1);
}

/* A motor switched by a PNP transistor or a low-side driver input runs when the pin is low. */
static void active_low_inverts_the_pin(void **state)
{
	struct gpio_motor *m = open_ok("gpiochip0", 17, true);

	(void)state;
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);
	assert_int_equal(gpio_motor_set(m, true), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 0);
	gpio_motor_close(m);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);
	assert_false(fake_gpiod_line_requested("gpiochip0", 17));
}

/* Stopping the daemon mid-buzz must not leave the motor running. */
static void close_turns_the_motor_off_then_releases(void **state)
{
	struct gpio_motor *m = open_ok("gpiochip0", 17, false);

	(void)state;
	assert_int_equal(gpio_motor_set(m, true), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);
	gpio_motor_close(m);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 0);
	assert_false(fake_gpiod_line_requested("gpiochip0", 17));
	assert_int_equal(fake_gpiod_line_releases("gpiochip0", 17), 1);
	assert_null(fake_gpiod_line_consumer("gpiochip0", 17));
}

/*
 * A child process opens the motor through gpio.c and switches it on, then says so on a pipe and
 * waits; it never reaches gpio_motor_close. Returns its pid once the motor is on.
 */
static pid_t buzzing_child(const char *chip, unsigned int line, bool active_low)
{
	int fds[2];
	char ready;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct gpio_motor *m;
		char err[256];

		close(fds[0]);
		if (gpio_motor_open(chip, line, active_low, "postured", &m, err, sizeof(err)) < 0 ||
		    gpio_motor_set(m, true) < 0 || write(fds[1], "1", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ready, 1), 1);
	close(fds[0]);
	return pid;
}

static void kill_mid_buzz(pid_t pid)
{
	int status;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* The kernel closes the dead daemon's line request: the fake is told, it cannot see it. */
	fake_gpiod_process_died(pid);
}

/*
 * SIGKILL (or systemd's watchdog SIGABRT) mid-buzz runs no cleanup: the released line keeps its
 * level and the motor runs on, until the unit's ExecStopPost=postured --motor-off stops it.
 */
static void motor_off_after_a_kill_mid_buzz(void **state)
{
	char err[256] = "";
	pid_t pid = buzzing_child("gpiochip0", 17, false);

	(void)state;
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);
	assert_true(fake_gpiod_line_requested("gpiochip0", 17));
	kill_mid_buzz(pid);
	assert_false(fake_gpiod_line_requested("gpiochip0", 17));
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);

	assert_int_equal(gpio_motor_off("gpiochip0", 17, false, "postured", err, sizeof(err)), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 0);
	assert_false(fake_gpiod_line_requested("gpiochip0", 17));
	/* Released once by the kernel at the kill, once by the stop command. */
	assert_int_equal(fake_gpiod_line_releases("gpiochip0", 17), 2);
}

/* Active-low wiring runs the motor with the pin low: off is high. */
static void motor_off_after_a_kill_active_low(void **state)
{
	char err[256] = "";
	pid_t pid = buzzing_child("pinctrl-bcm2711", 4, true);

	(void)state;
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 4), 0);
	kill_mid_buzz(pid);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 4), 0);
	assert_int_equal(gpio_motor_off("pinctrl-bcm2711", 4, true, "postured", err, sizeof(err)),
			 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 4), 1);
	assert_false(fake_gpiod_line_requested("gpiochip0", 4));
}

/* At start-up, before anything else: a line never driven is driven off and left free. */
static void motor_off_on_an_idle_line(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(gpio_motor_off("gpiochip1", 3, false, "postured", err, sizeof(err)), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip1", 3), 0);
	assert_false(fake_gpiod_line_requested("gpiochip1", 3));
	assert_int_equal(fake_gpiod_line_releases("gpiochip1", 3), 1);
}

static void motor_off_reports_why_it_cannot(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(gpio_motor_off("gpiochip9", 17, false, "postured", err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "gpio chip 'gpiochip9' not found: list chips with gpiodetect and "
				 "set [haptic] chip");
	fake_gpiod_hold_line("gpiochip0", 17, "other-consumer");
	assert_int_equal(gpio_motor_off("gpiochip0", 17, false, "postured", err, sizeof(err)),
			 -EBUSY);
	assert_string_equal(err, "gpio chip 'gpiochip0' line 17 is busy, held by 'other-consumer': "
				 "stop that program or set [haptic] line to a free line");
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), -1);
}

/* A reload that flips active_low keeps the line (a second request would be busy), motor off. */
static void reconfigure_flips_the_wiring_in_place(void **state)
{
	struct gpio_motor *m = open_ok("gpiochip0", 17, false);

	(void)state;
	assert_int_equal(gpio_motor_set(m, true), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);

	assert_int_equal(gpio_motor_reconfigure(m, true), 0);
	assert_int_equal(fake_gpiod_line_reconfigures("gpiochip0", 17), 1);
	assert_int_equal(fake_gpiod_line_releases("gpiochip0", 17), 0);
	assert_true(fake_gpiod_line_requested("gpiochip0", 17));
	assert_string_equal(fake_gpiod_line_consumer("gpiochip0", 17), "postured");
	/* Off under the new wiring is high; on is now low. */
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);
	assert_int_equal(gpio_motor_set(m, true), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 0);

	assert_int_equal(gpio_motor_reconfigure(m, false), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 0);
	assert_int_equal(gpio_motor_set(m, true), 0);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 1);
	gpio_motor_close(m);
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), 0);
	assert_int_equal(fake_gpiod_line_releases("gpiochip0", 17), 1);
}

static void reconfigure_after_unplug_fails(void **state)
{
	struct gpio_motor *m = open_ok("gpiochip1", 2, false);

	(void)state;
	fake_gpiod_unplug_chip("gpiochip1");
	assert_int_equal(gpio_motor_reconfigure(m, true), -ENODEV);
	gpio_motor_close(m);
}

static void close_null_is_harmless(void **state)
{
	(void)state;
	gpio_motor_close(NULL);
}

static void missing_chip(void **state)
{
	(void)state;
	assert_open_fails("gpiochip9", 17, -ENOENT,
			  "gpio chip 'gpiochip9' not found: list chips with gpiodetect and set "
			  "[haptic] chip");
	assert_open_fails("9", 17, -ENOENT,
			  "gpio chip '9' not found: list chips with gpiodetect and set [haptic] "
			  "chip");
	assert_open_fails("/dev/gpiochip9", 17, -ENOENT,
			  "gpio chip '/dev/gpiochip9' not found: list chips with gpiodetect and "
			  "set [haptic] chip");
	assert_open_fails("pinctrl-rp1", 17, -ENOENT,
			  "gpio chip 'pinctrl-rp1' not found: list chips with gpiodetect and set "
			  "[haptic] chip");
	assert_open_fails("", 17, -ENOENT,
			  "gpio chip '' not found: list chips with gpiodetect and set [haptic] "
			  "chip");
}

static void line_beyond_the_chip(void **state)
{
	(void)state;
	assert_open_fails("gpiochip1", 8, -EINVAL,
			  "gpio chip 'gpiochip1' has 8 lines (0..7), no line 8: set [haptic] line "
			  "to the motor's line (gpioinfo lists them)");
	assert_open_fails("pinctrl-bcm2711", 4000000000u, -EINVAL,
			  "gpio chip 'pinctrl-bcm2711' has 58 lines (0..57), no line 4000000000: "
			  "set [haptic] line to the motor's line (gpioinfo lists them)");
}

static void line_held_by_another_program(void **state)
{
	(void)state;
	fake_gpiod_hold_line("gpiochip0", 17, "other-consumer");
	assert_open_fails("gpiochip0", 17, -EBUSY,
			  "gpio chip 'gpiochip0' line 17 is busy, held by 'other-consumer': stop "
			  "that program or set [haptic] line to a free line");
	assert_int_equal(fake_gpiod_line_level("gpiochip0", 17), -1);
	assert_string_equal(fake_gpiod_line_consumer("gpiochip0", 17), "other-consumer");
}

static void line_held_by_unnamed_user(void **state)
{
	(void)state;
	fake_gpiod_hold_line("gpiochip0", 17, NULL);
	assert_open_fails("gpiochip0", 17, -EBUSY,
			  "gpio chip 'gpiochip0' line 17 is busy (used by another program or the "
			  "kernel): free it or set [haptic] line to a free line");
}

/* A second postured (say a leftover test run) must say who holds the line. */
static void line_held_by_ourselves(void **state)
{
	struct gpio_motor *m = open_ok("gpiochip0", 17, false);

	(void)state;
	assert_open_fails("gpiochip0", 17, -EBUSY,
			  "gpio chip 'gpiochip0' line 17 is busy, held by 'postured': stop that "
			  "program or set [haptic] line to a free line");
	gpio_motor_close(m);
}

static void permission_denied(void **state)
{
	(void)state;
	fake_gpiod_deny_chip("gpiochip0");
	assert_open_fails("gpiochip0", 17, -EACCES,
			  "gpio chip 'gpiochip0': permission denied: add the user running postured "
			  "to the gpio group (or run it as root)");
	assert_open_fails("/dev/gpiochip0", 17, -EACCES,
			  "gpio chip '/dev/gpiochip0': permission denied: add the user running "
			  "postured to the gpio group (or run it as root)");
	assert_open_fails("0", 17, -EACCES,
			  "gpio chip '0': permission denied: add the user running postured to the "
			  "gpio group (or run it as root)");
}

/* A USB GPIO expander pulled out while running: the caller gets the errno to report. */
static void set_after_unplug_fails(void **state)
{
	struct gpio_motor *m = open_ok("gpiochip1", 2, false);

	(void)state;
	fake_gpiod_unplug_chip("gpiochip1");
	assert_int_equal(gpio_motor_set(m, true), -ENODEV);
	gpio_motor_close(m);
}

/* ---- the button ---- */

#define NS_PER_MS 1000000ull
/* A day of uptime: the 1.x API's struct timespec must carry the seconds and nanoseconds. */
#define UPTIME_NS (86400ull * 1000000000ull)

static struct gpio_button *button_ok(const char *chip, unsigned int line, bool active_low,
				     enum gpio_bias bias)
{
	struct gpio_button *b = NULL;
	char err[256] = "";

	assert_int_equal(
	    gpio_button_open(chip, line, active_low, bias, "postured", &b, err, sizeof(err)), 0);
	assert_non_null(b);
	assert_true(gpio_button_fd(b) >= 0);
	return b;
}

static void assert_button_fails(const char *chip, unsigned int line, enum gpio_bias bias,
				int expected_ret, const char *message)
{
	struct gpio_button *b = (struct gpio_button *)&b;
	unsigned int live_before = fake_gpiod_live_objects();
	char err[512] = "";

	assert_int_equal(gpio_button_open(chip, line, true, bias, "postured", &b, err, sizeof(err)),
			 expected_ret);
	assert_null(b);
	assert_string_equal(err, message);
	assert_int_equal(fake_gpiod_live_objects(), live_before);
}

/* What the event loop asks of the descriptor: is there something to read now? */
static bool readable(struct gpio_button *b)
{
	struct pollfd p = { .fd = gpio_button_fd(b), .events = POLLIN };

	assert_true(poll(&p, 1, 0) >= 0);
	return (p.revents & POLLIN) != 0;
}

static void button_open_errors(void **state)
{
	(void)state;
	assert_button_fails("gpiochip9", 27, GPIO_BIAS_PULL_UP, -ENOENT,
			    "gpio chip 'gpiochip9' not found: list chips with gpiodetect and set "
			    "[button] chip");
	assert_button_fails("", 27, GPIO_BIAS_PULL_UP, -ENOENT,
			    "gpio chip '' not found: list chips with gpiodetect and set [button] "
			    "chip");
	assert_button_fails("gpiochip1", 8, GPIO_BIAS_PULL_UP, -EINVAL,
			    "gpio chip 'gpiochip1' has 8 lines (0..7), no line 8: set [button] "
			    "line to the button's line (gpioinfo lists them)");
	fake_gpiod_hold_line("gpiochip0", 27, "other-consumer");
	assert_button_fails("gpiochip0", 27, GPIO_BIAS_PULL_UP, -EBUSY,
			    "gpio chip 'gpiochip0' line 27 is busy, held by 'other-consumer': stop "
			    "that program or set [button] line to a free line");
	fake_gpiod_hold_line("gpiochip0", 26, NULL);
	assert_button_fails("gpiochip0", 26, GPIO_BIAS_PULL_UP, -EBUSY,
			    "gpio chip 'gpiochip0' line 26 is busy (used by another program or the "
			    "kernel): free it or set [button] line to a free line");
	fake_gpiod_deny_chip("gpiochip1");
	assert_button_fails("gpiochip1", 3, GPIO_BIAS_PULL_UP, -EACCES,
			    "gpio chip 'gpiochip1': permission denied: add the user running "
			    "postured to the gpio group (or run it as root)");
}

/* The same line as the motor in the ini: the second request names who holds it. */
static void button_on_the_motor_line(void **state)
{
	struct gpio_motor *m = open_ok("gpiochip0", 17, false);

	(void)state;
	assert_button_fails("gpiochip0", 17, GPIO_BIAS_PULL_UP, -EBUSY,
			    "gpio chip 'gpiochip0' line 17 is busy, held by 'postured': stop that "
			    "program or set [button] line to a free line");
	gpio_motor_close(m);
}

/* A kernel before 5.5 cannot set a pull resistor: say what to do instead. */
static void button_bias_refused(void **state)
{
	struct gpio_button *b;

	(void)state;
	fake_gpiod_refuse_bias("gpiochip0");
	assert_button_fails("gpiochip0", 27, GPIO_BIAS_PULL_UP, -EINVAL,
			    "gpio chip 'gpiochip0' line 27 cannot be requested with bias = "
			    "pull-up: the kernel or the GPIO driver cannot set a pull resistor "
			    "(Linux 5.5 or later can): set [button] bias = as-is and fit a "
			    "resistor");
	b = button_ok("gpiochip0", 27, true, GPIO_BIAS_AS_IS);
	assert_string_equal(fake_gpiod_line_bias("gpiochip0", 27), "as-is");
	gpio_button_close(b);
}

static void button_edges_with_their_timestamps(void **state)
{
	struct gpio_button *b = button_ok("pinctrl-bcm2711", 27, false, GPIO_BIAS_PULL_DOWN);
	struct gpio_edge edges[GPIO_BUTTON_READ_MAX];

	(void)state;
	assert_true(fake_gpiod_line_edges_requested("gpiochip0", 27));
	assert_string_equal(fake_gpiod_line_consumer("gpiochip0", 27), "postured");
	assert_string_equal(fake_gpiod_line_bias("gpiochip0", 27), "pull-down");
	assert_false(fake_gpiod_line_active_low("gpiochip0", 27));
	/* Nothing waits: the read says so instead of blocking the event loop. */
	assert_false(readable(b));
	assert_int_equal(gpio_button_read(b, edges, GPIO_BUTTON_READ_MAX), -EAGAIN);

	fake_gpiod_input_edge("gpiochip0", 27, 1, UPTIME_NS + 123456789);
	fake_gpiod_input_edge("gpiochip0", 27, 0, UPTIME_NS + 1000000001);
	assert_true(readable(b));
	assert_int_equal(gpio_button_read(b, edges, GPIO_BUTTON_READ_MAX), 2);
	assert_true(edges[0].active);
	assert_true(edges[0].time_ns == UPTIME_NS + 123456789);
	assert_false(edges[1].active);
	assert_true(edges[1].time_ns == UPTIME_NS + 1000000001);
	assert_false(readable(b));
	assert_int_equal(gpio_button_read(b, edges, GPIO_BUTTON_READ_MAX), -EAGAIN);
	gpio_button_close(b);
	assert_false(fake_gpiod_line_requested("gpiochip0", 27));
	assert_int_equal(fake_gpiod_line_releases("gpiochip0", 27), 1);
}

/* A button to ground with the pull-up: pressed pulls the pin low, which reads as active. */
static void button_active_low_with_pull_up(void **state)
{
	struct gpio_button *b = button_ok("gpiochip0", 27, true, GPIO_BIAS_PULL_UP);
	struct gpio_edge edges[GPIO_BUTTON_READ_MAX];

	(void)state;
	assert_string_equal(fake_gpiod_line_bias("gpiochip0", 27), "pull-up");
	assert_true(fake_gpiod_line_active_low("gpiochip0", 27));
	fake_gpiod_input_edge("gpiochip0", 27, 0, UPTIME_NS);
	fake_gpiod_input_edge("gpiochip0", 27, 1, UPTIME_NS + 200 * NS_PER_MS);
	assert_int_equal(gpio_button_read(b, edges, GPIO_BUTTON_READ_MAX), 2);
	assert_true(edges[0].active);
	assert_false(edges[1].active);
	gpio_button_close(b);
}

/* A long burst of bounce: read in turns of at most GPIO_BUTTON_READ_MAX, none lost. */
static void button_reads_a_burst_in_turns(void **state)
{
	struct gpio_button *b = button_ok("gpiochip1", 5, false, GPIO_BIAS_AS_IS);
	struct gpio_edge edges[GPIO_BUTTON_READ_MAX];
	int n;

	(void)state;
	for (unsigned int i = 0; i < 20; i++)
		fake_gpiod_input_edge("gpiochip1", 5, (int)(i % 2 == 0), UPTIME_NS + i * 1000);
	assert_int_equal(gpio_button_read(b, edges, GPIO_BUTTON_READ_MAX), GPIO_BUTTON_READ_MAX);
	assert_true(edges[15].time_ns == UPTIME_NS + 15000 && !edges[15].active);
	n = gpio_button_read(b, edges, GPIO_BUTTON_READ_MAX);
	assert_int_equal(n, 4);
	assert_true(edges[0].time_ns == UPTIME_NS + 16000 && edges[0].active);
	assert_true(edges[3].time_ns == UPTIME_NS + 19000 && !edges[3].active);
	assert_int_equal(gpio_button_read(b, edges, 0), 0);
	gpio_button_close(b);
}

static void button_close_null_is_harmless(void **state)
{
	(void)state;
	gpio_button_close(NULL);
}

/* Adds "short@MS" or "long@MS" (ms since UPTIME_NS) to got for a decision at t_ns. */
static void record(char *got, size_t len, enum button_action action, uint64_t t_ns)
{
	size_t used = strlen(got);

	if (action != BUTTON_NONE)
		snprintf(got + used, len - used, "%s%s@%llu", used ? " " : "",
			 action == BUTTON_LONG_PRESS ? "long" : "short",
			 (unsigned long long)((t_ns - UPTIME_NS) / NS_PER_MS));
}

/*
 * The pin's levels (physical, a button to ground with the pull-up: "L100" low at 100 ms, "H300"
 * high at 300 ms) are put on the line, read back through gpio.c and given to button.c by a
 * prompt caller, as the daemon does; what it decided must be expected.
 */
static void presses_from_the_line(const char *pin_script, const char *expected)
{
	struct gpio_button *g = button_ok("gpiochip0", 27, true, GPIO_BIAS_PULL_UP);
	struct gpio_edge edges[GPIO_BUTTON_READ_MAX];
	struct button_settings settings;
	struct button b;
	const char *s = pin_script;
	char got[256] = "";
	uint64_t at;
	int n;

	button_default_settings(&settings);
	button_init(&b, &settings);
	while (*s) {
		char *end;
		unsigned long ms = strtoul(s + 1, &end, 10);

		fake_gpiod_input_edge("gpiochip0", 27, *s == 'H', UPTIME_NS + ms * NS_PER_MS);
		for (s = end; *s == ' '; s++)
			;
	}
	while ((n = gpio_button_read(g, edges, GPIO_BUTTON_READ_MAX)) > 0) {
		for (int i = 0; i < n; i++) {
			while (button_deadline(&b, &at) && at <= edges[i].time_ns)
				record(got, sizeof(got), button_tick(&b, at), at);
			record(got, sizeof(got), button_edge(&b, edges[i].active, edges[i].time_ns),
			       edges[i].time_ns);
		}
	}
	assert_int_equal(n, -EAGAIN);
	while (button_deadline(&b, &at))
		record(got, sizeof(got), button_tick(&b, at), at);
	gpio_button_close(g);
	if (strcmp(got, expected) != 0)
		fail_msg("pin '%s' gave '%s', expected '%s'", pin_script, got, expected);
}

static void short_press_through_the_line(void **state)
{
	(void)state;
	presses_from_the_line("L100 H300", "short@330");
}

static void bounce_through_the_line_is_one_press(void **state)
{
	(void)state;
	presses_from_the_line("L100 H101 L102 H103 L104 H400 L401 H402", "short@432");
	/* A spike shorter than the debounce time is no press at all. */
	presses_from_the_line("L100 H110 L115 H120", "");
}

static void long_press_through_the_line(void **state)
{
	(void)state;
	presses_from_the_line("L100 H101 L102 H4000 L4001 H4002", "long@1602");
	presses_from_the_line("L100 H300 L1000 H3000", "short@330 long@2500");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(open_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(open_by_path, setup, teardown),
		cmocka_unit_test_setup_teardown(open_by_number, setup, teardown),
		cmocka_unit_test_setup_teardown(open_by_label, setup, teardown),
		cmocka_unit_test_setup_teardown(active_low_inverts_the_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(close_turns_the_motor_off_then_releases, setup,
						teardown),
		cmocka_unit_test_setup_teardown(motor_off_after_a_kill_mid_buzz, setup, teardown),
		cmocka_unit_test_setup_teardown(motor_off_after_a_kill_active_low, setup, teardown),
		cmocka_unit_test_setup_teardown(motor_off_on_an_idle_line, setup, teardown),
		cmocka_unit_test_setup_teardown(motor_off_reports_why_it_cannot, setup, teardown),
		cmocka_unit_test_setup_teardown(reconfigure_flips_the_wiring_in_place, setup,
						teardown),
		cmocka_unit_test_setup_teardown(reconfigure_after_unplug_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(close_null_is_harmless, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_chip, setup, teardown),
		cmocka_unit_test_setup_teardown(line_beyond_the_chip, setup, teardown),
		cmocka_unit_test_setup_teardown(line_held_by_another_program, setup, teardown),
		cmocka_unit_test_setup_teardown(line_held_by_unnamed_user, setup, teardown),
		cmocka_unit_test_setup_teardown(line_held_by_ourselves, setup, teardown),
		cmocka_unit_test_setup_teardown(permission_denied, setup, teardown),
		cmocka_unit_test_setup_teardown(set_after_unplug_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(button_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(button_on_the_motor_line, setup, teardown),
		cmocka_unit_test_setup_teardown(button_bias_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(button_edges_with_their_timestamps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(button_active_low_with_pull_up, setup, teardown),
		cmocka_unit_test_setup_teardown(button_reads_a_burst_in_turns, setup, teardown),
		cmocka_unit_test_setup_teardown(button_close_null_is_harmless, setup, teardown),
		cmocka_unit_test_setup_teardown(short_press_through_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(bounce_through_the_line_is_one_press, setup,
						teardown),
		cmocka_unit_test_setup_teardown(long_press_through_the_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
