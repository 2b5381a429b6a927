/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plot, read back: a PNG's size and the colours where the layout puts an hour's states, a
 * slump, an alert and the day's bars; an SVG's size and its alert marks; the errors a user may
 * meet (a name without .svg or .png, a directory that does not exist, a full disk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cairo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "postured/plot.h"

#define A_ID "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SEC 1000000LL

struct fixture {
	char dir[64];
	char path[128];
	struct report r;
};

static int64_t at(int hour, int min)
{
	struct tm tm = { .tm_year = 126,
			 .tm_mon = 10,
			 .tm_mday = 30,
			 .tm_hour = hour,
			 .tm_min = min,
			 .tm_isdst = -1 };

	return (int64_t)mktime(&tm) * SEC;
}

static void add(struct report *r, int64_t usec, const char *event, const char *const *fields)
{
	struct report_event ev;

	report_event_init(&ev);
	ev.realtime_usec = usec;
	strcpy(ev.machine_id, A_ID);
	strcpy(ev.hostname, "alice");
	assert_int_equal(report_event_set_field(&ev, "POSTURE_EVENT", event, strlen(event)), 0);
	for (size_t i = 0; fields && fields[i]; i += 2)
		assert_int_equal(
		    report_event_set_field(&ev, fields[i], fields[i + 1], strlen(fields[i + 1])),
		    0);
	assert_int_equal(report_add_event(r, &ev), 0);
}

/*
 * alice on Monday 2026-11-30 from 08:20: 30 min upright, 5 leaning, 4 slumped by 09:00; a slump
 * from 08:37 (onset) and 08:40 (its alert) to 08:44.
 */
static int setup(void **state)
{
	static const char *const slump_started[] = { "POSTURE_DURATION_S", "180.0", NULL };
	static const char *const slump_ended[] = { "POSTURE_DURATION_S", "420.0", NULL };
	static const char *const summary[] = {
		"POSTURE_PERIOD_S",
		"2400.0",
		"POSTURE_UPRIGHT_S",
		"1800.0",
		"POSTURE_LEANING_S",
		"300.0",
		"POSTURE_SLUMPED_S",
		"240.0",
		"POSTURE_ALERTS",
		"1",
		NULL,
	};
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	setenv("TZ", "XST-1", 1);
	tzset();
	strcpy(fx->dir, "/tmp/test_plot.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	report_init(&fx->r, REPORT_TIME_MIN, REPORT_TIME_MAX, NULL);
	add(&fx->r, at(8, 20), "started", NULL);
	add(&fx->r, at(8, 40), "slump_started", slump_started);
	add(&fx->r, at(8, 40), "alert", NULL);
	add(&fx->r, at(8, 44), "slump_ended", slump_ended);
	add(&fx->r, at(9, 0), "summary", summary);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	report_free(&fx->r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

static const char *in_dir(struct fixture *fx, const char *name)
{
	snprintf(fx->path, sizeof(fx->path), "%s/%s", fx->dir, name);
	return fx->path;
}

/* The pixel's colour as 0xRRGGBB. */
static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
	const unsigned char *row =
	    cairo_image_surface_get_data(s) + (size_t)y * (size_t)cairo_image_surface_get_stride(s);
	uint32_t argb;

	memcpy(&argb, row + 4 * x, sizeof(argb));
	return argb & 0xffffff;
}

static void expect_pixel(cairo_surface_t *s, int x, int y, uint32_t want, const char *what)
{
	uint32_t got = pixel(s, x, y);

	if (got != want)
		fail_msg("%s at (%d, %d): #%06x, expected #%06x", what, x, y, got, want);
}

#define UPRIGHT 0x009e73
#define LEANING 0xe69f00
#define SLUMPED 0xd55e00
#define UNMEASURED 0xeeeeee
#define ALERT 0x000000
#define WHITE 0xffffff

/*
 * The layout: the day's top at 16 + 36 (legend) + 34 (wearer) = 86; the hour columns from
 * y = 100 to 210, hour h at x = 126 + 32 h + 2 (28 wide); the alerts' triangles from y = 213
 * to their tip at 223; the slump strip from y = 226 to 238; the bars from x = 940, 47 apart.
 */
static void png_shows_the_day(void **state)
{
	struct fixture *fx = *state;
	char err[256] = "";
	cairo_surface_t *s;
	int w, h;

	plot_size(&fx->r, &w, &h);
	assert_int_equal(w, 1200);
	assert_int_equal(h, 2 * 16 + 36 + 34 + 200);
	assert_int_equal(plot_write(&fx->r, in_dir(fx, "day.png"), err, sizeof(err)), 0);
	s = cairo_image_surface_create_from_png(fx->path);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(s), 1200);
	assert_int_equal(cairo_image_surface_get_height(s), 302);

	/* 08:00: 30 min upright (55 px), 5 leaning (9.2), 4 slumped (7.3), the rest unmeasured */
	expect_pixel(s, 398, 200, UPRIGHT, "08:00 upright");
	expect_pixel(s, 398, 157, UPRIGHT, "08:00 upright");
	expect_pixel(s, 398, 150, LEANING, "08:00 leaning");
	expect_pixel(s, 398, 142, SLUMPED, "08:00 slumped");
	expect_pixel(s, 398, 120, UNMEASURED, "08:00 unmeasured");
	expect_pixel(s, 238, 150, UNMEASURED, "03:00");
	expect_pixel(s, 383, 150, WHITE, "the gap between 07:00 and 08:00");
	/* the slump: leaning from 08:37 (x 401.7), slumped from 08:40 (403.3) to 08:44 (405.5) */
	expect_pixel(s, 402, 232, LEANING, "the slump's onset");
	expect_pixel(s, 404, 232, SLUMPED, "the slump");
	expect_pixel(s, 408, 232, UNMEASURED, "after the slump");
	/* the alert at 08:40 */
	expect_pixel(s, 403, 215, ALERT, "the alert");
	expect_pixel(s, 420, 215, WHITE, "no alert at 09:00");
	/* bars (a full bar is 1 h): upright 30 min, slumped 4 min */
	expect_pixel(s, 957, 200, UPRIGHT, "the upright bar");
	expect_pixel(s, 957, 150, WHITE, "above the upright bar");
	expect_pixel(s, 1051, 207, SLUMPED, "the slumped bar");
	cairo_surface_destroy(s);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void svg_has_the_marks(void **state)
{
	struct fixture *fx = *state;
	char err[256] = "";
	char *svg;

	assert_int_equal(plot_write(&fx->r, in_dir(fx, "day.SVG"), err, sizeof(err)), 0);
	svg = read_file(fx->path);
	assert_non_null(strstr(svg, "<svg "));
	assert_non_null(strstr(svg, " width=\"1200px\" height=\"302px\""));
	assert_non_null(strstr(svg, "</svg>\n"));
	/* the alert's triangle and the legend's: filled black, three points */
	assert_int_equal(count(svg, "fill:rgb(0%,0%,0%);fill-opacity:1;\" d=\"M 403.33"), 1);
	assert_int_equal(count(svg, "fill:rgb(0%,0%,0%);fill-opacity:1;\" d=\"M "), 2);
	/* slumped in the column, the strip and the bar; and in the legend */
	assert_int_equal(count(svg, "fill:rgb(83.5"), 4);
	free(svg);
}

static void an_empty_report_says_so(void **state)
{
	struct fixture *fx = *state;
	struct report empty;
	char err[256] = "";
	cairo_surface_t *s;

	report_init(&empty, REPORT_TIME_MIN, REPORT_TIME_MAX, "nobody");
	assert_int_equal(plot_write(&empty, in_dir(fx, "empty.png"), err, sizeof(err)), 0);
	s = cairo_image_surface_create_from_png(fx->path);
	assert_int_equal(cairo_image_surface_get_height(s), 2 * 16 + 36 + 34);
	cairo_surface_destroy(s);
	report_free(&empty);
}

static void errors_name_the_file_and_the_cure(void **state)
{
	struct fixture *fx = *state;
	char err[256] = "", target[256];

	assert_int_equal(plot_write(&fx->r, in_dir(fx, "day.gif"), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "day.gif: name it .svg or .png"));
	assert_int_equal(access(fx->path, F_OK), -1);

	assert_int_equal(plot_write(&fx->r, in_dir(fx, "no/day.png"), err, sizeof(err)), -ENOENT);
	snprintf(target, sizeof(target), "cannot write the plot %s: No such file or directory",
		 fx->path);
	assert_string_equal(err, target);

	assert_int_equal(symlink("/dev/full", in_dir(fx, "full.png")), 0);
	assert_int_equal(plot_write(&fx->r, fx->path, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "No space left on device; check free space"));
	assert_int_equal(plot_write(&fx->r, in_dir(fx, "full.svg"), err, sizeof(err)), 0);
	unlink(fx->path);
	assert_int_equal(symlink("/dev/full", fx->path), 0);
	assert_int_equal(plot_write(&fx->r, fx->path, err, sizeof(err)), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(png_shows_the_day, setup, teardown),
		cmocka_unit_test_setup_teardown(svg_has_the_marks, setup, teardown),
		cmocka_unit_test_setup_teardown(an_empty_report_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_name_the_file_and_the_cure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
