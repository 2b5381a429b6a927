/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "postured/plot.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Layout, in pixels. */
#define WIDTH 1200
#define MARGIN 16
#define LEGEND_H 36
#define WEARER_H 34 /* the wearer's title */
#define DAY_H 200
#define LABEL_W 110  /* the date, left of the timeline */
#define HOUR_W 32    /* the timeline: 24 of these */
#define COLUMN_H 110 /* an hour's column: 60 minutes */
#define MARK_H 10    /* the alerts' triangles */
#define SLUMP_H 12   /* the slumps' track */
#define BARS_X 940   /* the day's bar chart */
#define BAR_W 34
#define BAR_GAP 13

struct rgb {
	double r, g, b;
};

/* Okabe and Ito's colours, told apart with every common colour vision deficiency. */
static const struct rgb upright_rgb = { 0.0, 0.620, 0.451 };
static const struct rgb leaning_rgb = { 0.902, 0.624, 0.0 };
static const struct rgb slumped_rgb = { 0.835, 0.369, 0.0 };
static const struct rgb lying_rgb = { 0.0, 0.447, 0.698 };
static const struct rgb moving_rgb = { 0.6, 0.6, 0.6 };
static const struct rgb alert_rgb = { 0.0, 0.0, 0.0 };
static const struct rgb unmeasured_rgb = { 0.93, 0.93, 0.93 };
static const struct rgb text_rgb = { 0.15, 0.15, 0.15 };

#define USEC_PER_HOUR 3600000000.0

static void set_rgb(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void fill_rect(cairo_t *cr, struct rgb c, double x, double y, double w, double h)
{
	if (w <= 0.0 || h <= 0.0)
		return;
	set_rgb(cr, c);
	cairo_rectangle(cr, x, y, w, h);
	cairo_fill(cr);
}

/* align: 0 left, 0.5 centred, 1 right of x; y is the baseline. */
static void text(cairo_t *cr, double x, double y, double align, double size, const char *s)
{
	cairo_text_extents_t ext;

	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &ext);
	set_rgb(cr, text_rgb);
	cairo_move_to(cr, x - align * ext.x_advance, y);
	cairo_show_text(cr, s);
}

/* A downward triangle with its tip at (x, y): an alert. */
static void alert_mark(cairo_t *cr, double x, double y)
{
	set_rgb(cr, alert_rgb);
	cairo_move_to(cr, x, y);
	cairo_line_to(cr, x - 4.0, y - MARK_H);
	cairo_line_to(cr, x + 4.0, y - MARK_H);
	cairo_close_path(cr);
	cairo_fill(cr);
}

void plot_size(const struct report *r, int *width, int *height)
{
	size_t days = 0;

	for (size_t i = 0; i < r->n_wearers; i++)
		days += r->wearers[i].n_days;
	*width = WIDTH;
	*height = 2 * MARGIN + LEGEND_H + (int)r->n_wearers * WEARER_H + (int)days * DAY_H;
	if (r->n_wearers == 0)
		*height += WEARER_H;
}

/* ---- time on a day's axis ---- */

struct day_span {
	int64_t start_usec, end_usec; /* local midnight to the next */
};

static int64_t local_midnight_usec(int year, int month, int mday)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = mday };

	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000000;
}

static struct day_span day_span(const struct report_day *d)
{
	struct day_span s = { local_midnight_usec(d->year, d->month, d->mday),
			      local_midnight_usec(d->year, d->month, d->mday + 1) };

	return s;
}

/* Hours since the day's midnight on the wall clock, 0 to 24. */
static double day_hours(const struct day_span *s, int64_t usec)
{
	time_t t;
	struct tm tm;

	if (usec <= s->start_usec)
		return 0.0;
	if (usec >= s->end_usec)
		return 24.0;
	t = (time_t)(usec / 1000000);
	if (!localtime_r(&t, &tm))
		return (double)(usec - s->start_usec) / USEC_PER_HOUR;
	return tm.tm_hour + tm.tm_min / 60.0 +
	       (tm.tm_sec + (double)(usec % 1000000) / 1e6) / 3600.0;
}

/* ---- one day ---- */

struct panel {
	double x0, y0;	      /* the timeline's left edge, the day's top */
	double bar_scale_s;   /* the time a full bar stands for */
	struct day_span span; /* the day in time */
};

static double timeline_x(const struct panel *p, int64_t usec)
{
	return p->x0 + day_hours(&p->span, usec) * HOUR_W;
}

static void draw_hour_column(cairo_t *cr, const struct panel *p, const struct report_hour *h)
{
	const struct {
		double s;
		struct rgb c;
	} stack[] = {
		{ h->sum.upright_s, upright_rgb },
		{ h->sum.leaning_s, leaning_rgb },
		{ h->sum.slumped_s, slumped_rgb },
		{ h->sum.lying_s, lying_rgb },
	};
	double x = timeline_x(p, h->start_usec) + 2.0, bottom = p->y0 + 14.0 + COLUMN_H;

	for (size_t i = 0; i < sizeof(stack) / sizeof(stack[0]); i++) {
		double height = fmin(stack[i].s / 3600.0, 1.0) * COLUMN_H;

		fill_rect(cr, stack[i].c, x, bottom - height, HOUR_W - 4.0, height);
		bottom -= height;
	}
}

static void draw_timeline(cairo_t *cr, const struct panel *p, const struct report_wearer *w,
			  const struct report_day *d)
{
	double col_top = p->y0 + 14.0, col_bottom = col_top + COLUMN_H;
	double slump_top = col_bottom + MARK_H + 6.0;

	for (int h = 0; h < 24; h++)
		fill_rect(cr, unmeasured_rgb, p->x0 + h * HOUR_W + 2.0, col_top, HOUR_W - 4.0,
			  COLUMN_H);
	fill_rect(cr, unmeasured_rgb, p->x0, slump_top, 24 * HOUR_W, SLUMP_H);
	for (size_t i = 0; i < d->n_hours; i++)
		draw_hour_column(cr, p, &d->hours[i]);
	for (size_t i = 0; i < w->n_slumps; i++) {
		const struct report_slump *s = &w->slumps[i];
		int64_t end = s->end_usec ? s->end_usec : w->last_usec;
		double xo = timeline_x(p, s->onset_usec), xs = timeline_x(p, s->start_usec);
		double xe = timeline_x(p, end);

		if (end <= p->span.start_usec || s->onset_usec >= p->span.end_usec)
			continue;
		/* At least a pixel: a slump of seconds is still seen. */
		fill_rect(cr, leaning_rgb, xo, slump_top, xs - xo, SLUMP_H);
		fill_rect(cr, slumped_rgb, xs, slump_top, fmax(xe - xs, 1.0), SLUMP_H);
	}
	for (size_t i = 0; i < w->n_alerts; i++) {
		int64_t t = w->alerts[i].usec;

		if (t >= p->span.start_usec && t < p->span.end_usec)
			alert_mark(cr, timeline_x(p, t), col_bottom + MARK_H + 3.0);
	}
	for (int h = 0; h <= 24; h += 3) {
		char label[8];

		snprintf(label, sizeof(label), "%02d", h);
		text(cr, p->x0 + h * HOUR_W, slump_top + SLUMP_H + 14.0, 0.5, 10.0, label);
	}
}

/* "5.2 h", "42 min" */
static void format_hours(char *buf, size_t len, double s)
{
	if (s >= 3600.0)
		snprintf(buf, len, "%.1f h", s / 3600.0);
	else
		snprintf(buf, len, "%.0f min", s / 60.0);
}

static void draw_bars(cairo_t *cr, const struct panel *p, const struct report_day *d)
{
	struct posture_summary t;
	double bottom = p->y0 + 14.0 + COLUMN_H;

	report_day_total(d, &t);
	const struct {
		const char *name;
		double s;
		struct rgb c;
	} bars[] = {
		{ "upright", t.upright_s, upright_rgb }, { "leaning", t.leaning_s, leaning_rgb },
		{ "slumped", t.slumped_s, slumped_rgb }, { "lying", t.lying_s, lying_rgb },
		{ "moving", t.moving_s, moving_rgb },
	};

	for (size_t i = 0; i < sizeof(bars) / sizeof(bars[0]); i++) {
		double x = BARS_X + (double)i * (BAR_W + BAR_GAP);
		double height = fmin(bars[i].s / p->bar_scale_s, 1.0) * COLUMN_H;
		char value[32];

		fill_rect(cr, bars[i].c, x, bottom - height, BAR_W, height);
		format_hours(value, sizeof(value), bars[i].s);
		text(cr, x + BAR_W / 2.0, bottom - height - 4.0, 0.5, 10.0, value);
		text(cr, x + BAR_W / 2.0, bottom + 14.0, 0.5, 10.0, bars[i].name);
	}
	set_rgb(cr, text_rgb);
	cairo_set_line_width(cr, 1.0);
	cairo_move_to(cr, BARS_X - 6.0, bottom + 0.5);
	cairo_line_to(cr, BARS_X + 5 * (BAR_W + BAR_GAP), bottom + 0.5);
	cairo_stroke(cr);
}

static void draw_day(cairo_t *cr, const struct panel *p, const struct report_wearer *w,
		     const struct report_day *d)
{
	static const char *const weekdays[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	struct posture_summary t;
	char label[64];
	double ex;

	snprintf(label, sizeof(label), "%04d-%02d-%02d", d->year, d->month, d->mday);
	text(cr, MARGIN, p->y0 + 30.0, 0.0, 13.0, label);
	text(cr, MARGIN, p->y0 + 48.0, 0.0, 11.0, weekdays[d->wday % 7]);
	report_day_total(d, &t);
	snprintf(label, sizeof(label), "%u alert%s", t.alerts, t.alerts == 1 ? "" : "s");
	text(cr, MARGIN, p->y0 + 72.0, 0.0, 11.0, label);
	ex = report_exposure_pct(&t);
	if (!isnan(ex)) {
		snprintf(label, sizeof(label), "ISO 11226: %.1f%%", ex);
		text(cr, MARGIN, p->y0 + 90.0, 0.0, 11.0, label);
	}
	draw_timeline(cr, p, w, d);
	draw_bars(cr, p, d);
}

/* ---- the picture ---- */

static void draw_legend(cairo_t *cr)
{
	const struct {
		const char *name;
		const struct rgb *c;
	} keys[] = {
		{ "upright", &upright_rgb }, { "leaning", &leaning_rgb },
		{ "slumped", &slumped_rgb }, { "lying", &lying_rgb },
		{ "moving", &moving_rgb },   { "not measured", &unmeasured_rgb },
	};
	double x = MARGIN, y = MARGIN + 4.0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cairo_text_extents_t ext;

		fill_rect(cr, *keys[i].c, x, y, 14.0, 14.0);
		text(cr, x + 20.0, y + 12.0, 0.0, 12.0, keys[i].name);
		cairo_set_font_size(cr, 12.0);
		cairo_text_extents(cr, keys[i].name, &ext);
		x += 20.0 + ext.x_advance + 18.0;
	}
	alert_mark(cr, x + 4.0, y + 14.0);
	text(cr, x + 14.0, y + 12.0, 0.0, 12.0, "alert");
	text(cr, WIDTH - MARGIN, y + 12.0, 1.0, 11.0,
	     "columns: each hour's time per state; strip: slumps; bars: the day");
}

/* The time the tallest bar of any day stands for, in whole hours. */
static double bar_scale_s(const struct report *r)
{
	double top_s = 3600.0;

	for (size_t i = 0; i < r->n_wearers; i++) {
		for (size_t d = 0; d < r->wearers[i].n_days; d++) {
			struct posture_summary t;

			report_day_total(&r->wearers[i].days[d], &t);
			top_s = fmax(top_s, fmax(fmax(t.upright_s, t.leaning_s),
						 fmax(fmax(t.slumped_s, t.lying_s), t.moving_s)));
		}
	}
	return ceil(top_s / 3600.0) * 3600.0;
}

static void draw(cairo_t *cr, const struct report *r)
{
	double y = MARGIN + LEGEND_H;
	double scale_s = bar_scale_s(r);

	cairo_set_source_rgb(cr, 1.0, 1.0, 1.0);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	draw_legend(cr);
	if (r->n_wearers == 0)
		text(cr, MARGIN, y + 22.0, 0.0, 14.0, "no postured summaries in this time");
	for (size_t i = 0; i < r->n_wearers; i++) {
		const struct report_wearer *w = &r->wearers[i];
		char title[160];

		snprintf(title, sizeof(title), "%s (machine %s)",
			 w->hostname[0] ? w->hostname : "no hostname",
			 w->machine_id[0] ? w->machine_id : "unknown");
		text(cr, MARGIN, y + 24.0, 0.0, 15.0, title);
		y += WEARER_H;
		for (size_t d = 0; d < w->n_days; d++) {
			struct panel p = { MARGIN + LABEL_W, y, scale_s, day_span(&w->days[d]) };

			draw_day(cr, &p, w, &w->days[d]);
			y += DAY_H;
		}
	}
}

/* ---- output ---- */

struct sink {
	FILE *f;
	int err;
};

static cairo_status_t write_sink(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink *s = closure;

	errno = 0;
	if (fwrite(data, 1, len, s->f) != len) {
		s->err = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

/* Draws and writes; returns the cairo status (a write error's errno is in out->err). */
static cairo_status_t render(const struct report *r, bool svg, struct sink *out)
{
	int width, height;
	cairo_surface_t *surface;
	cairo_status_t status;
	cairo_t *cr;

	plot_size(r, &width, &height);
	if (svg) {
		surface = cairo_svg_surface_create_for_stream(write_sink, out, width, height);
		cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX);
	} else {
		surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
	}
	cr = cairo_create(surface);
	draw(cr, r);
	status = cairo_status(cr);
	cairo_destroy(cr);
	if (status == CAIRO_STATUS_SUCCESS && !svg)
		status = cairo_surface_write_to_png_stream(surface, write_sink, out);
	/* An SVG is written as the surface finishes. */
	cairo_surface_finish(surface);
	if (status == CAIRO_STATUS_SUCCESS)
		status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	return status;
}

int plot_write(const struct report *r, const char *path, char *err, size_t err_len)
{
	bool svg = ends_with(path, ".svg");
	struct sink out = { NULL, 0 };
	cairo_status_t status;

	if (!svg && !ends_with(path, ".png")) {
		snprintf(err, err_len,
			 "cannot tell the picture's format from %s: name it .svg or .png", path);
		return -EINVAL;
	}
	out.f = fopen(path, "we");
	if (!out.f) {
		int ret = -errno;

		snprintf(err, err_len, "cannot write the plot %s: %s", path, strerror(-ret));
		return ret;
	}
	status = render(r, svg, &out);
	if (fclose(out.f) != 0 && !out.err)
		out.err = errno;
	if (out.err) {
		snprintf(err, err_len, "cannot write the plot %s: %s; check free space", path,
			 strerror(out.err));
		return -out.err;
	}
	if (status != CAIRO_STATUS_SUCCESS) {
		snprintf(err, err_len, "cannot draw the plot %s: %s", path,
			 cairo_status_to_string(status));
		return status == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
	}
	return 0;
}
