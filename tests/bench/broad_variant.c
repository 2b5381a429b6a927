/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broad_variant: a BROAD trial resampled or disturbed, for `make bench` (never for the repo).
 *
 *   broad_variant decimate IN.csv[.gz] OUT.csv
 *   broad_variant upsample IN.csv[.gz] OUT.csv
 *   broad_variant gyro-bias DEG_S IN.csv[.gz] OUT.csv
 *   broad_variant moving-start DEG_S IN.csv[.gz] OUT.csv
 *
 * IN is a trial in the recording format with truth.qw..qz and truth.movement (SPEC.md, "Data");
 * OUT is the same format, plain CSV, truth included, so `postured --replay OUT --trace` and
 * broad_rmse score it like the original. The shared trials are block averages over 6 samples
 * of the 285.7 Hz original, each row standing for the period that ends at its t, with the truth
 * of that instant; the variants keep that meaning:
 * - decimate: block averages of row pairs (23.81 Hz); t and truth of the pair's second row,
 *   which counts when both rows count.
 * - upsample: a row half-way between each pair of rows (95.24 Hz), with the second row's
 *   readings (the only thing known of that half period) and the truth interpolated. A check
 *   that the estimator takes its time step from the timestamps, not 95 Hz data: real 95 Hz data
 *   cannot be made from 47.62 Hz averages.
 * - gyro-bias: DEG_S added to every gyro reading, as an uncalibrated MEMS gyro would read.
 * - moving-start: the trial from its first row with truth.movement = 1, DEG_S added to every
 *   gyro reading: a sensor put on while moving, with its bias unknown (issue 7). The estimator
 *   starts from that row, with no rest in which to learn the bias first.
 * Exit status: 0, 1 when a file cannot be read or written, 2 for bad usage.
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

struct row {
	double t_s;
	struct imu_sample imu;
	double q[4];	 /* truth.qw..qz, NaN where the optical system lost the markers */
	double movement; /* truth.movement */
};

enum mode {
	MODE_DECIMATE,
	MODE_UPSAMPLE,
	MODE_GYRO_BIAS,
	MODE_MOVING_START,
};

static const char *const truth_names[4] = { "truth.qw", "truth.qx", "truth.qy", "truth.qz" };

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s decimate IN.csv[.gz] OUT.csv\n"
		"       %s upsample IN.csv[.gz] OUT.csv\n"
		"       %s gyro-bias DEG_S IN.csv[.gz] OUT.csv\n"
		"       %s moving-start DEG_S IN.csv[.gz] OUT.csv\n",
		argv0, argv0, argv0, argv0);
}

static int write_row(FILE *out, const struct row *r)
{
	const double *a = r->imu.accel_m_s2, *g = r->imu.gyro_rad_s;

	return fprintf(out, "%.6f,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", r->t_s,
		       a[0], a[1], a[2], g[0], g[1], g[2], r->q[0], r->q[1], r->q[2], r->q[3],
		       r->movement) < 0
		   ? -EIO
		   : 0;
}

/* Half-way between two orientations: the normalised sum, the second turned to the first's
 * hemisphere (q and -q are one orientation). NaN when either is. */
static void halfway(const double q0[4], const double q1[4], double out[4])
{
	double dot = 0.0, norm = 0.0, sign;

	for (int i = 0; i < 4; i++)
		dot += q0[i] * q1[i];
	sign = dot < 0.0 ? -1.0 : 1.0;
	for (int i = 0; i < 4; i++) {
		out[i] = q0[i] + sign * q1[i];
		norm += out[i] * out[i];
	}
	for (int i = 0; i < 4; i++)
		out[i] /= sqrt(norm);
}

static double both_count(const struct row *a, const struct row *b)
{
	return a->movement == 1.0 && b->movement == 1.0 ? 1.0 : 0.0;
}

/*
 * Writes what mode makes of row cur, given the row before it (NULL for the first); pending is
 * the mode's one bit of memory: a pair's first row waits, or the first moving row is awaited.
 */
static int emit(FILE *out, enum mode mode, double bias_rad_s, const struct row *prev,
		struct row *cur, bool *pending)
{
	struct row r;

	switch (mode) {
	case MODE_MOVING_START:
		if (*pending && cur->movement != 1.0)
			return 0;
		*pending = false;
		/* fall through */
	case MODE_GYRO_BIAS:
		r = *cur;
		for (int i = 0; i < 3; i++)
			r.imu.gyro_rad_s[i] += bias_rad_s;
		return write_row(out, &r);
	case MODE_DECIMATE:
		/* rows 1+2, 3+4, ...: the first row of a pair waits for the second */
		if (!*pending) {
			*pending = true;
			return 0;
		}
		*pending = false;
		r = *cur;
		for (int i = 0; i < 3; i++) {
			r.imu.accel_m_s2[i] =
			    0.5 * (prev->imu.accel_m_s2[i] + cur->imu.accel_m_s2[i]);
			r.imu.gyro_rad_s[i] =
			    0.5 * (prev->imu.gyro_rad_s[i] + cur->imu.gyro_rad_s[i]);
		}
		r.movement = both_count(prev, cur);
		return write_row(out, &r);
	case MODE_UPSAMPLE:
		if (prev) {
			r = *cur;
			r.t_s = 0.5 * (prev->t_s + cur->t_s);
			halfway(prev->q, cur->q, r.q);
			r.movement = both_count(prev, cur);
			if (write_row(out, &r) < 0)
				return -EIO;
		}
		return write_row(out, cur);
	}
	return -EINVAL;
}

static int convert(enum mode mode, double bias_rad_s, const char *in_path, const char *out_path)
{
	static const char *const mode_names[] = {
		[MODE_DECIMATE] = "block averages of row pairs (23.81 Hz)",
		[MODE_UPSAMPLE] = "rows held over half periods (95.24 Hz): not 95 Hz data",
		[MODE_GYRO_BIAS] = "a constant gyro bias added",
		[MODE_MOVING_START] = "from the first moving row, a constant gyro bias added",
	};
	struct recording_reader *rec = NULL;
	struct row rows[2];
	bool has[ROLE_COUNT], pending = mode == MODE_MOVING_START;
	char err[1024];
	unsigned long n = 0;
	FILE *out = NULL;
	int ret;

	ret = recording_open(in_path, &rec, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "broad_variant: %s\n", err);
		return ret;
	}
	recording_roles(rec, has);
	if (!has[ROLE_TRUNK]) {
		fprintf(stderr, "broad_variant: %s has no trunk columns: not a BROAD trial\n",
			in_path);
		ret = -EINVAL;
		goto out;
	}
	out = fopen(out_path, "we");
	if (!out) {
		ret = -errno;
		fprintf(stderr, "broad_variant: cannot create %s: %s\n", out_path, strerror(-ret));
		goto out;
	}
	fprintf(out, "# postured-recording 1\n# variant of %s: %s", in_path, mode_names[mode]);
	if (mode == MODE_GYRO_BIAS || mode == MODE_MOVING_START)
		fprintf(out, " (%g deg/s on every axis)", bias_rad_s * DEG_PER_RAD);
	fprintf(out, "\nt,trunk.ax,trunk.ay,trunk.az,trunk.gx,trunk.gy,trunk.gz,"
		     "truth.qw,truth.qx,truth.qy,truth.qz,truth.movement\n");
	for (;;) {
		struct frame f;
		struct row *cur = &rows[n % 2], *prev = n > 0 ? &rows[(n + 1) % 2] : NULL;

		ret = recording_next(rec, &f, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "broad_variant: %s\n", err);
			goto out;
		}
		if (ret == 0)
			break;
		cur->t_s = f.t_s;
		cur->imu = f.imu[ROLE_TRUNK];
		for (int i = 0; i < 4; i++)
			cur->q[i] = recording_column(rec, truth_names[i]);
		cur->movement = recording_column(rec, "truth.movement");
		if (isnan(cur->movement)) {
			fprintf(stderr,
				"broad_variant: %s: no truth.movement column: not a BROAD "
				"trial\n",
				in_path);
			ret = -EINVAL;
			goto out;
		}
		ret = emit(out, mode, bias_rad_s, prev, cur, &pending);
		if (ret < 0)
			break;
		n++;
	}
	if (ret == 0 && (fflush(out) != 0 || ferror(out)))
		ret = -EIO;
	if (ret < 0)
		fprintf(stderr, "broad_variant: cannot write %s: %s\n", out_path, strerror(-ret));
out:
	if (out && fclose(out) != 0 && ret == 0) {
		ret = -errno;
		fprintf(stderr, "broad_variant: cannot write %s: %s\n", out_path, strerror(-ret));
	}
	recording_close(rec);
	return ret;
}

int main(int argc, char **argv)
{
	enum mode mode;
	double bias_deg_s = 0.0;
	char *end;
	int first = 2;

	if (argc == 4 && strcmp(argv[1], "decimate") == 0) {
		mode = MODE_DECIMATE;
	} else if (argc == 4 && strcmp(argv[1], "upsample") == 0) {
		mode = MODE_UPSAMPLE;
	} else if (argc == 5 &&
		   (strcmp(argv[1], "gyro-bias") == 0 || strcmp(argv[1], "moving-start") == 0)) {
		mode = argv[1][0] == 'g' ? MODE_GYRO_BIAS : MODE_MOVING_START;
		bias_deg_s = strtod(argv[2], &end);
		if (end == argv[2] || *end != '\0' || !isfinite(bias_deg_s)) {
			fprintf(stderr, "broad_variant: %s %s: not a number of deg/s\n", argv[1],
				argv[2]);
			return 2;
		}
		first = 3;
	} else {
		usage(argv[0]);
		return 2;
	}
	return convert(mode, bias_deg_s * RAD_PER_DEG, argv[first], argv[first + 1]) < 0 ? 1 : 0;
}
