/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * estimator_cost: what one estimator_update() costs, for `make bench`.
 *
 *   estimator_cost REC.csv[.gz] PASSES
 *
 * Reads the trunk samples of a recording into memory, then feeds them PASSES times through a
 * fresh estimator with the default settings, exactly as the pipeline calls it. Prints the number
 * of updates and the wall-clock time per update of the fastest pass. Under
 * `valgrind --tool=callgrind --toggle-collect=estimator_update` the instructions collected,
 * divided by the updates, are the instructions per sample.
 * Exit status: 0, 1 when the recording cannot be read, 2 for bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "postured/estimator.h"
#include "postured/recording.h"

struct samples {
	size_t n, cap;
	double *t_s;
	struct imu_sample *imu;
};

static int grow(struct samples *s)
{
	size_t cap = s->cap ? 2 * s->cap : 4096;
	double *t = realloc(s->t_s, cap * sizeof(*t));
	struct imu_sample *imu;

	if (!t)
		return -ENOMEM;
	s->t_s = t;
	imu = realloc(s->imu, cap * sizeof(*imu));
	if (!imu)
		return -ENOMEM;
	s->imu = imu;
	s->cap = cap;
	return 0;
}

static int load(const char *path, struct samples *s)
{
	struct recording_reader *rec = NULL;
	char err[1024];
	struct frame f;
	int ret;

	ret = recording_open(path, &rec, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "estimator_cost: %s\n", err);
		return ret;
	}
	while ((ret = recording_next(rec, &f, err, sizeof(err))) > 0) {
		if (!f.has[ROLE_TRUNK])
			continue;
		if (s->n == s->cap && grow(s) < 0) {
			fprintf(stderr, "estimator_cost: %s: out of memory\n", path);
			ret = -ENOMEM;
			break;
		}
		s->t_s[s->n] = f.t_s;
		s->imu[s->n] = f.imu[ROLE_TRUNK];
		s->n++;
	}
	if (ret < 0 && ret != -ENOMEM)
		fprintf(stderr, "estimator_cost: %s\n", err);
	if (ret == 0 && s->n == 0) {
		fprintf(stderr, "estimator_cost: %s has no trunk samples\n", path);
		ret = -EINVAL;
	}
	recording_close(rec);
	return ret;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct samples s = { 0 };
	struct estimator_settings settings;
	struct estimator e;
	double best_ns = 0.0;
	long passes;
	char *end;
	int ret;

	if (argc != 3 || (passes = strtol(argv[2], &end, 10)) < 1 || *end != '\0') {
		fprintf(stderr, "usage: %s REC.csv[.gz] PASSES\n", argv[0]);
		return 2;
	}
	ret = load(argv[1], &s);
	if (ret < 0) {
		free(s.t_s);
		free(s.imu);
		return 1;
	}
	estimator_default_settings(&settings);
	for (long p = 0; p < passes; p++) {
		double t0, ns;

		estimator_init(&e, &settings);
		t0 = now_ns();
		for (size_t i = 0; i < s.n; i++)
			estimator_update(&e, s.t_s[i], &s.imu[i]);
		ns = now_ns() - t0;
		if (p == 0 || ns < best_ns)
			best_ns = ns;
	}
	printf("updates %zu\n", s.n * (size_t)passes);
	printf("wall clock: %.1f ns per update (the fastest of %ld passes over %zu samples)\n",
	       best_ns / (double)s.n, passes, s.n);
	free(s.t_s);
	free(s.imu);
	return 0;
}
