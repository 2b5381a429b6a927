/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test side of fake_gpio.c, a link-time stand-in for the libgpiod calls daemon/gpio.c makes (1.x or
 * 2.x, as POSTURED_GPIOD_MAJOR says). Chips live at /dev/<name>; a name "gpiochipN" also makes the
 * chip number N. Levels are physical (after active-low), as a scope on the pin would see them.
 */
#ifndef POSTURED_FAKE_GPIOD_H
#define POSTURED_FAKE_GPIOD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define FAKE_GPIOD_MAX_CHIPS 4
#define FAKE_GPIOD_MAX_LINES 64

/* Forgets every chip. Call fake_gpiod_live_objects() first to check nothing leaked. */
void fake_gpiod_reset(void);
/* Adds a chip with num_lines lines (at most FAKE_GPIOD_MAX_LINES), all free and never driven. */
void fake_gpiod_add_chip(const char *name, const char *label, unsigned int num_lines);
/* Opening the chip fails with EACCES, as for a user outside the gpio group. */
void fake_gpiod_deny_chip(const char *name);
/* Another program holds the line (consumer NULL: an unnamed holder); requests fail with EBUSY. */
void fake_gpiod_hold_line(const char *name, unsigned int line, const char *consumer);
/* The chip goes away (a USB expander unplugged): value changes fail with ENODEV. */
void fake_gpiod_unplug_chip(const char *name);

/*
 * The process pid died (a forked child killed by the test): its lines are released as the kernel
 * releases them when the process's file descriptors close, and keep their level, as a Raspberry
 * Pi's outputs do without dtparam=strict_gpiod. The fake cannot notice a death by itself.
 */
void fake_gpiod_process_died(pid_t pid);

/* The chip's driver cannot set a pull resistor (a kernel before 5.5): bias requests fail EINVAL. */
void fake_gpiod_refuse_bias(const char *name);

/*
 * The pin of an input line goes to level (physical: 1 high, 0 low) at time_ns, the kernel's
 * CLOCK_MONOTONIC stamp. When the code under test has the line requested for edge events, its
 * descriptor becomes readable with one edge event, rising or falling after active-low, as the
 * kernel reports it: a level repeated (bounce faster than the interrupt) is a second edge of the
 * same kind. Edges are queued in order until read; at most FAKE_GPIOD_MAX_EDGES wait at a time.
 */
void fake_gpiod_input_edge(const char *name, unsigned int line, int level, uint64_t time_ns);
#define FAKE_GPIOD_MAX_EDGES 64

/* 1 high, 0 low, -1 never driven by anyone. */
int fake_gpiod_line_level(const char *name, unsigned int line);
/* Requested by the code under test and not released yet. */
bool fake_gpiod_line_requested(const char *name, unsigned int line);
/* Times the code under test released the line. */
unsigned int fake_gpiod_line_releases(const char *name, unsigned int line);
/* Times the code under test changed the line's flags in place (without releasing it). */
unsigned int fake_gpiod_line_reconfigures(const char *name, unsigned int line);
/* The consumer the kernel would report for the line, or NULL when it is free. */
const char *fake_gpiod_line_consumer(const char *name, unsigned int line);
/* Requested by the code under test as an input reporting both edges. */
bool fake_gpiod_line_edges_requested(const char *name, unsigned int line);
/* The pull resistor of the latest request: "as-is", "pull-up" or "pull-down". */
const char *fake_gpiod_line_bias(const char *name, unsigned int line);
/* Requested active-low (by the latest request). */
bool fake_gpiod_line_active_low(const char *name, unsigned int line);
/* Chips, requests, info/config objects and event buffers handed out and not yet freed. */
unsigned int fake_gpiod_live_objects(void);

#endif
