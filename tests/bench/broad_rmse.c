/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broad_rmse: the BROAD benchmark's inclination metric (SPEC.md "Data") for postured's estimator.
 *
 *   broad_rmse REC.csv[.gz] TRACE.csv [REC TRACE ...]
 *
 * REC is a BROAD trial in the recording format, with truth.qw..qz (sensor-to-earth quaternion,
 * earth z up) and truth.movement; TRACE is what `postured --replay REC --trace TRACE` wrote, one
 * row per row of REC, in order, so rows are joined by index (and their times must agree). Per
 * trial: the angle between the trace's trunk.up_x/y/z and the true up vector in sensor axes,
 * R(q)^T (0, 0, 1), whose RMSE over the rows with truth.movement = 1 and a finite quaternion, and
 * whose largest value, are printed in degrees; then the mean RMSE over trials and the largest.
 * Exit status: 0, 1 when a file cannot be read or does not match, 2 for bad usage.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postured/recording.h"
#include "postured/sample.h"
#include "postured/vec3.h"

/* The trace prints t with 6 decimals. */
#define TRACE_T_TOLERANCE_S 2e-6

struct trace {
	FILE *f;
	const char *path;
	char *line;
	size_t line_cap;
	unsigned long line_no;
	int col_t;
	int col_up[3];
};

struct trial_result {
	double rmse_deg;
	double worst_deg;
};

/* Index of the comma-separated field named name in the header line, or -1. */
static int header_index(const char *header, const char *name)
{
	size_t len = strlen(name);
	int index = 0;

	for (const char *p = header;; index++) {
		const char *end = p + strcspn(p, ",\r\n");

		if ((size_t)(end - p) == len && strncmp(p, name, len) == 0)
			return index;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
}

static int trace_open(struct trace *tr, const char *path)
{
	static const char *const axis[3] = { "x", "y", "z" };
	const char *role = role_name(ROLE_TRUNK);
	char name[64];

	*tr = (struct trace){ .path = path };
	tr->f = fopen(path, "re");
	if (!tr->f) {
		int ret = -errno;

		fprintf(stderr, "broad_rmse: cannot read the trace %s: %s\n", path, strerror(-ret));
		return ret;
	}
	if (getline(&tr->line, &tr->line_cap, tr->f) < 0) {
		fprintf(stderr, "broad_rmse: %s: empty: not a postured --trace output\n", path);
		return -EINVAL;
	}
	tr->line_no = 1;
	tr->col_t = header_index(tr->line, "t");
	for (int a = 0; a < 3; a++) {
		snprintf(name, sizeof(name), "%s.up_%s", role, axis[a]);
		tr->col_up[a] = header_index(tr->line, name);
		if (tr->col_up[a] < 0) {
			fprintf(stderr,
				"broad_rmse: %s:1: no %s column: not the trace of a %s "
				"recording\n",
				path, name, role);
			return -EINVAL;
		}
	}
	if (tr->col_t < 0) {
		fprintf(stderr, "broad_rmse: %s:1: no t column: not a postured --trace output\n",
			path);
		return -EINVAL;
	}
	return 0;
}

static void trace_close(struct trace *tr)
{
	if (tr->f)
		fclose(tr->f);
	free(tr->line);
}

/* Reads the next row's t and up vector. Returns 1, 0 at end of file, or -EINVAL. */
static int trace_next(struct trace *tr, double *t_s, double up[3])
{
	int found = 0, index = 0;
	char *p;

	if (getline(&tr->line, &tr->line_cap, tr->f) < 0)
		return 0;
	tr->line_no++;
	for (p = tr->line;; index++) {
		char *end;
		double v = strtod(p, &end);
		bool wanted = index == tr->col_t || index == tr->col_up[0] ||
			      index == tr->col_up[1] || index == tr->col_up[2];

		if (wanted) {
			if (end == p) {
				fprintf(stderr, "broad_rmse: %s:%lu: field %d is not a number\n",
					tr->path, tr->line_no, index + 1);
				return -EINVAL;
			}
			if (index == tr->col_t)
				*t_s = v;
			for (int a = 0; a < 3; a++)
				if (index == tr->col_up[a])
					up[a] = v;
			found++;
		}
		p += strcspn(p, ",\n");
		if (*p != ',')
			break;
		p++;
	}
	if (found != 4) {
		fprintf(stderr, "broad_rmse: %s:%lu: %d fields, fewer than the header names\n",
			tr->path, tr->line_no, index + 1);
		return -EINVAL;
	}
	return 1;
}

/* The earth's up (0, 0, 1) in sensor axes: the third row of R(q), for any non-zero q. */
static void true_up(double qw, double qx, double qy, double qz, double up[3])
{
	up[0] = 2.0 * (qx * qz - qw * qy);
	up[1] = 2.0 * (qy * qz + qw * qx);
	up[2] = qw * qw - qx * qx - qy * qy + qz * qz;
	vec3_normalize(up);
}

/* atan2 of |a x b| and a . b stays accurate at small angles, where acos does not. */
static double angle_deg(double a[3], double b[3])
{
	double c[3];

	vec3_normalize(a);
	vec3_normalize(b);
	vec3_cross(a, b, c);
	return atan2(vec3_norm(c), vec3_dot(a, b)) * DEG_PER_RAD;
}

static int score_trial(const char *rec_path, const char *trace_path, struct trial_result *res)
{
	struct recording_reader *rec = NULL;
	struct trace tr;
	struct frame f;
	char err[1024];
	double sum_sq = 0.0, worst = 0.0;
	unsigned long rows = 0, counted = 0;
	int ret, tret;

	ret = trace_open(&tr, trace_path);
	if (ret < 0)
		goto out;
	ret = recording_open(rec_path, &rec, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "broad_rmse: %s\n", err);
		goto out;
	}
	while ((ret = recording_next(rec, &f, err, sizeof(err))) > 0) {
		double t_s = NAN, est[3], truth[3];
		double q[4] = {
			recording_column(rec, "truth.qw"),
			recording_column(rec, "truth.qx"),
			recording_column(rec, "truth.qy"),
			recording_column(rec, "truth.qz"),
		};

		rows++;
		tret = trace_next(&tr, &t_s, est);
		if (tret <= 0) {
			if (tret == 0)
				fprintf(stderr,
					"broad_rmse: %s ends before row %lu of %s: not its "
					"trace, or the replay failed\n",
					trace_path, rows, rec_path);
			ret = -EINVAL;
			goto out;
		}
		if (fabs(t_s - f.t_s) > TRACE_T_TOLERANCE_S) {
			fprintf(stderr,
				"broad_rmse: %s:%lu: t %.6f, but row %lu of %s has t %.6f: "
				"not the trace of this recording\n",
				trace_path, tr.line_no, t_s, rows, rec_path, f.t_s);
			ret = -EINVAL;
			goto out;
		}
		if (recording_column(rec, "truth.movement") != 1.0 || !isfinite(q[0]) ||
		    !isfinite(q[1]) || !isfinite(q[2]) || !isfinite(q[3]))
			continue;
		if (!isfinite(est[0]) || !isfinite(est[1]) || !isfinite(est[2])) {
			fprintf(stderr,
				"broad_rmse: %s:%lu: the estimated up vector is not finite\n",
				trace_path, tr.line_no);
			ret = -EINVAL;
			goto out;
		}
		true_up(q[0], q[1], q[2], q[3], truth);
		double e = angle_deg(est, truth);

		sum_sq += e * e;
		if (e > worst)
			worst = e;
		counted++;
	}
	if (ret < 0) {
		fprintf(stderr, "broad_rmse: %s\n", err);
		goto out;
	}
	tret = trace_next(&tr, &(double){ 0 }, (double[3]){ 0 });
	if (tret != 0) {
		if (tret > 0)
			fprintf(stderr,
				"broad_rmse: %s has more rows than the %lu of %s: not its "
				"trace\n",
				trace_path, rows, rec_path);
		ret = -EINVAL;
		goto out;
	}
	if (counted == 0) {
		fprintf(stderr,
			"broad_rmse: %s: no row with truth.movement = 1 and a finite "
			"truth.q*: not a BROAD trial\n",
			rec_path);
		ret = -EINVAL;
		goto out;
	}
	res->rmse_deg = sqrt(sum_sq / (double)counted);
	res->worst_deg = worst;
	ret = 0;
out:
	recording_close(rec);
	trace_close(&tr);
	return ret;
}

/* The trial's name: the file name without directory and recording extensions. */
static void trial_name(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(out, len, "%s", base ? base + 1 : path);
	dot = strstr(out, ".csv");
	if (dot)
		*dot = '\0';
}

int main(int argc, char **argv)
{
	double sum_rmse_deg = 0.0, max_rmse_deg = 0.0;
	int trials = (argc - 1) / 2;

	if (argc < 3 || (argc - 1) % 2 != 0) {
		fprintf(stderr, "usage: %s REC.csv[.gz] TRACE.csv [REC TRACE ...]\n", argv[0]);
		return 2;
	}
	printf("%-46s %9s %10s\n", "trial", "RMSE deg", "worst deg");
	for (int i = 0; i < trials; i++) {
		struct trial_result res = { 0 };
		char name[256];

		if (score_trial(argv[1 + 2 * i], argv[2 + 2 * i], &res) < 0)
			return 1;
		trial_name(argv[1 + 2 * i], name, sizeof(name));
		printf("%-46s %9.2f %10.2f\n", name, res.rmse_deg, res.worst_deg);
		sum_rmse_deg += res.rmse_deg;
		if (res.rmse_deg > max_rmse_deg)
			max_rmse_deg = res.rmse_deg;
	}
	printf("%-46s %9.2f\n", "mean over trials", sum_rmse_deg / trials);
	printf("%-46s %9.2f\n", "largest trial RMSE", max_rmse_deg);
	return 0;
}
