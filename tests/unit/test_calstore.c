/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stored calibration and gyro bias: a restart gets back what was saved, a damaged file is
 * refused with the line to blame (the daemon then recalibrates, or learns the bias afresh), and
 * saving never leaves a half-written file.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "postured/calstore.h"
#include "testfs.h"

struct fixture {
	struct testfs fs;	    /* first, for testfs_teardown */
	char sub[TESTFS_PATH_MAX];  /* a state directory that does not exist yet */
	char file[TESTFS_PATH_MAX]; /* the calibration file in fs.dir */
};

static int setup(void **state)
{
	struct fixture *fx = testfs_new(sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->sub, sizeof(fx->sub), "%s/state/postured", fx->fs.dir);
	snprintf(fx->file, sizeof(fx->file), "%s/calibration", fx->fs.dir);
	*state = fx;
	return 0;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static struct calibration example(void)
{
	struct calibration cal = { .valid = true };
	double s = sin(0.3), c = cos(0.3);

	cal.has[ROLE_TRUNK] = true;
	cal.up_ref[ROLE_TRUNK][0] = 0.0;
	cal.up_ref[ROLE_TRUNK][1] = s;
	cal.up_ref[ROLE_TRUNK][2] = c;
	cal.forward_known[ROLE_TRUNK] = true;
	cal.forward[ROLE_TRUNK][0] = -1.0;
	cal.has[ROLE_HEAD] = true;
	cal.up_ref[ROLE_HEAD][0] = 1.0;
	return cal;
}

static void save_creates_the_directory_and_load_gets_it_back(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal = example(), back;
	char err[512] = "";
	struct stat st;

	if (calstore_save(fx->sub, &cal, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(stat(fx->sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* Only the file: no temporary left behind. */
	assert_int_equal(count_entries(fx->sub), 1);

	memset(&back, 0xff, sizeof(back));
	if (calstore_load(fx->sub, &back, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(back.valid);
	assert_true(back.has[ROLE_TRUNK]);
	assert_true(back.has[ROLE_HEAD]);
	assert_true(back.forward_known[ROLE_TRUNK]);
	assert_false(back.forward_known[ROLE_HEAD]);
	for (int i = 0; i < 3; i++) {
		assert_true(fabs(back.up_ref[ROLE_TRUNK][i] - cal.up_ref[ROLE_TRUNK][i]) < 1e-8);
		assert_true(fabs(back.forward[ROLE_TRUNK][i] - cal.forward[ROLE_TRUNK][i]) < 1e-8);
		assert_true(fabs(back.up_ref[ROLE_HEAD][i] - cal.up_ref[ROLE_HEAD][i]) < 1e-8);
	}

	/* Saving again replaces the file. */
	cal.has[ROLE_HEAD] = false;
	assert_int_equal(calstore_save(fx->sub, &cal, err, sizeof(err)), 0);
	assert_int_equal(calstore_load(fx->sub, &back, err, sizeof(err)), 0);
	assert_false(back.has[ROLE_HEAD]);
	assert_int_equal(count_entries(fx->sub), 1);
}

static void file_is_readable_text(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal = { .valid = true };
	char err[512] = "";
	char *text;

	cal.has[ROLE_TRUNK] = true;
	cal.up_ref[ROLE_TRUNK][2] = 1.0;
	cal.forward_known[ROLE_TRUNK] = true;
	cal.forward[ROLE_TRUNK][0] = -1.0;
	cal.walking_known[ROLE_TRUNK] = true;
	cal.walking_up[ROLE_TRUNK][0] = 0.6;
	cal.walking_up[ROLE_TRUNK][2] = 0.8;
	assert_int_equal(calstore_save(fx->fs.dir, &cal, err, sizeof(err)), 0);
	text = testfs_read(fx->file);
	assert_string_equal(text, "# postured calibration\n"
				  "# unit vectors in sensor axes: up when upright, the wearer's "
				  "forward, and up while walking\n"
				  "trunk.up = 0 0 1\n"
				  "trunk.forward = -1 0 0\n"
				  "trunk.walking = 0.6 0 0.8\n");
	free(text);
}

static void hand_written_file_is_accepted(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal;
	char err[512] = "";

	/* Short numbers, blanks, comments, forward before up, a slightly imperfect forward. */
	testfs_write(fx->file, "# postured calibration\n"
			       "\n"
			       "# edited by hand\n"
			       "  head.forward =  0 1 0.005  \n"
			       "head.up = 0.012 -0.003 0.9999\n");
	if (calstore_load(fx->fs.dir, &cal, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_false(cal.has[ROLE_TRUNK]);
	assert_true(cal.has[ROLE_HEAD]);
	assert_true(cal.forward_known[ROLE_HEAD]);
	/* Stored unit length and exactly perpendicular, as posture.c expects. */
	{
		const double *u = cal.up_ref[ROLE_HEAD], *f = cal.forward[ROLE_HEAD];

		assert_true(fabs(u[0] * u[0] + u[1] * u[1] + u[2] * u[2] - 1.0) < 1e-12);
		assert_true(fabs(f[0] * f[0] + f[1] * f[1] + f[2] * f[2] - 1.0) < 1e-12);
		assert_true(fabs(u[0] * f[0] + u[1] * f[1] + u[2] * f[2]) < 1e-12);
		assert_true(f[1] > 0.999);
	}
}

static void nothing_stored(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal;
	char err[512] = "", expected[512];

	assert_int_equal(calstore_load(fx->sub, &cal, err, sizeof(err)), -ENOENT);
	assert_int_equal(calstore_load(fx->fs.dir, &cal, err, sizeof(err)), -ENOENT);
	snprintf(expected, sizeof(expected), "%s: no stored calibration", fx->file);
	assert_string_equal(err, expected);
}

static void assert_load_error(struct fixture *fx, const char *text, const char *message)
{
	struct calibration cal, before;
	char err[512] = "", expected[512];

	testfs_write(fx->file, text);
	memset(&cal, 0x5a, sizeof(cal));
	memcpy(&before, &cal, sizeof(cal));
	assert_int_equal(calstore_load(fx->fs.dir, &cal, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected), "%s%s", fx->file, message);
	assert_string_equal(err, expected);
	assert_memory_equal(&cal, &before, sizeof(cal));
}

static void damaged_files_are_refused(void **state)
{
	struct fixture *fx = *state;

	assert_load_error(fx, "",
			  ": is empty (expected '# postured calibration' and a line like "
			  "'trunk.up = 0 0 1')");
	assert_load_error(fx, "trunk.up = 0 0 1\n",
			  ":1: not a postured calibration file (the "
			  "first line should be '# postured calibration')");
	assert_load_error(fx, "# postured calibration\n",
			  ": holds no sensor (expected a line like "
			  "'trunk.up = 0 0 1')");
	assert_load_error(fx, "# postured calibration\ntrunk.up 0 0 1\n",
			  ":2: expected 'trunk.up = x y z', found 'trunk.up 0 0 1'");
	assert_load_error(fx, "# postured calibration\ntrunk.upp = 0 0 1\n",
			  ":2: unknown key 'trunk.upp' (expected trunk.up, trunk.forward, "
			  "trunk.walking, or the same for head)");
	assert_load_error(fx, "# postured calibration\ntrunk.up = 0 0\n",
			  ":2: trunk.up needs three numbers, like 0 0 1");
	assert_load_error(fx, "# postured calibration\ntrunk.up = 0 0 1 0\n",
			  ":2: trunk.up needs three numbers, like 0 0 1");
	assert_load_error(fx, "# postured calibration\ntrunk.up = 0 nan 1\n",
			  ":2: trunk.up needs three numbers, like 0 0 1");
	assert_load_error(fx, "# postured calibration\ntrunk.up = 0 0.6 0.6\n",
			  ":2: trunk.up has length 0.849, not 1: not a direction postured wrote");
	assert_load_error(fx, "# postured calibration\ntrunk.up = 0 0 1\n\ntrunk.up = 0 0 1\n",
			  ":4: trunk.up is set twice (first on line 2)");
	assert_load_error(fx, "# postured calibration\nhead.forward = 1 0 0\n",
			  ":2: head.forward without head.up");
	assert_load_error(fx,
			  "# postured calibration\ntrunk.forward = 0.2 0 0.9798\n"
			  "trunk.up = 0 0 1\n",
			  ":3: trunk.forward is 78.5 deg off perpendicular to trunk.up");
}

/* The walking evidence comes back, so a request after a restart is still checked against it. */
static void walking_evidence_is_kept(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal = example(), back;
	char err[512] = "";

	cal.walking_known[ROLE_TRUNK] = true;
	cal.walking_up[ROLE_TRUNK][1] = 0.6;
	cal.walking_up[ROLE_TRUNK][2] = 0.8;
	assert_int_equal(calstore_save(fx->fs.dir, &cal, err, sizeof(err)), 0);
	assert_int_equal(calstore_load(fx->fs.dir, &back, err, sizeof(err)), 0);
	assert_true(back.walking_known[ROLE_TRUNK]);
	assert_false(back.walking_known[ROLE_HEAD]);
	assert_true(fabs(back.walking_up[ROLE_TRUNK][1] - 0.6) < 1e-8);
	assert_true(fabs(back.walking_up[ROLE_TRUNK][2] - 0.8) < 1e-8);
	/* Kept for a role that has no reference now (the head, say, unplugged at recalibration). */
	cal.has[ROLE_HEAD] = false;
	cal.walking_known[ROLE_HEAD] = true;
	cal.walking_up[ROLE_HEAD][2] = 1.0;
	assert_int_equal(calstore_save(fx->fs.dir, &cal, err, sizeof(err)), 0);
	assert_int_equal(calstore_load(fx->fs.dir, &back, err, sizeof(err)), 0);
	assert_false(back.has[ROLE_HEAD]);
	assert_true(back.walking_known[ROLE_HEAD]);
	/* A walking line of the wrong length is damage, like any other vector. */
	assert_load_error(
	    fx, "# postured calibration\ntrunk.up = 0 0 1\ntrunk.walking = 0 0 2\n",
	    ":3: trunk.walking has length 2.000, not 1: not a direction postured wrote");
}

static void save_errors_name_the_directory(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal = example(), invalid = { .valid = false };
	char err[512] = "", blocked[192], expected[512];

	/* A file where a directory should be. */
	snprintf(blocked, sizeof(blocked), "%s/state", fx->fs.dir);
	testfs_write(blocked, "not a directory");
	assert_int_equal(calstore_save(fx->sub, &cal, err, sizeof(err)), -ENOTDIR);
	snprintf(expected, sizeof(expected),
		 "%s: cannot create directory: Not a directory (check "
		 "[calibration] state_dir)",
		 fx->sub);
	assert_string_equal(err, expected);

	assert_int_equal(calstore_save(fx->fs.dir, &invalid, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected), "%s: nothing to save: no sensor is calibrated",
		 fx->fs.dir);
	assert_string_equal(err, expected);
	assert_int_equal(access(fx->file, F_OK), -1);
}

/*
 * The gyro bias: saved beside the calibration in a file of its own, so saving one never
 * touches the other, and read back to the last digit written.
 */
static void bias_is_saved_beside_the_calibration_and_read_back(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal = example(), cal_back;
	struct gyro_bias gb = { .has[ROLE_TRUNK] = true }, back;
	char err[512] = "", path[TESTFS_PATH_MAX + 16];
	char *text;

	gb.bias_rad_s[ROLE_TRUNK][0] = 0.0523598776;
	gb.bias_rad_s[ROLE_TRUNK][1] = -0.0012345678;
	gb.bias_rad_s[ROLE_TRUNK][2] = 3e-5;
	if (calstore_save(fx->sub, &cal, err, sizeof(err)) != 0 ||
	    calstore_save_bias(fx->sub, &gb, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	/* the calibration and the bias, no temporary left behind */
	assert_int_equal(count_entries(fx->sub), 2);
	snprintf(path, sizeof(path), "%s/gyro-bias", fx->sub);
	text = testfs_read(path);
	assert_string_equal(
	    text, "# postured gyro bias\n"
		  "# rad/s in sensor axes, learned at rest; restored with a margin for the "
		  "temperature\n"
		  "trunk.gyro_bias_rad_s = 0.0523598776 -0.0012345678 3e-05\n");
	free(text);

	memset(&back, 0xff, sizeof(back));
	if (calstore_load_bias(fx->sub, &back, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(back.has[ROLE_TRUNK]);
	assert_false(back.has[ROLE_HEAD]);
	for (int i = 0; i < 3; i++)
		assert_true(back.bias_rad_s[ROLE_TRUNK][i] == gb.bias_rad_s[ROLE_TRUNK][i]);
	if (calstore_load(fx->sub, &cal_back, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(cal_back.has[ROLE_HEAD]);

	/* Saving again replaces it. */
	gb.has[ROLE_HEAD] = true;
	gb.bias_rad_s[ROLE_HEAD][2] = -0.01;
	assert_int_equal(calstore_save_bias(fx->sub, &gb, err, sizeof(err)), 0);
	assert_int_equal(calstore_load_bias(fx->sub, &back, err, sizeof(err)), 0);
	assert_true(back.has[ROLE_HEAD]);
	assert_true(back.bias_rad_s[ROLE_HEAD][2] == -0.01);
	assert_int_equal(count_entries(fx->sub), 2);
}

static void assert_bias_error(struct fixture *fx, const char *text, const char *message)
{
	struct gyro_bias gb, before;
	char err[512] = "", expected[512], path[TESTFS_PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/gyro-bias", fx->fs.dir);
	testfs_write(path, text);
	memset(&gb, 0x5a, sizeof(gb));
	memcpy(&before, &gb, sizeof(gb));
	assert_int_equal(calstore_load_bias(fx->fs.dir, &gb, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected), "%s%s", path, message);
	assert_string_equal(err, expected);
	assert_memory_equal(&gb, &before, sizeof(gb));
}

/* A damaged bias file is refused with its line, and the caller starts from no bias. */
static void damaged_bias_files_are_refused(void **state)
{
	struct fixture *fx = *state;
	struct gyro_bias gb;
	char err[512] = "";

	assert_int_equal(calstore_load_bias(fx->fs.dir, &gb, err, sizeof(err)), -ENOENT);
	assert_bias_error(fx, "",
			  ": is empty (expected '# postured gyro bias' and a line like "
			  "'trunk.gyro_bias_rad_s = 0.01 -0.02 0')");
	assert_bias_error(fx, "# postured calibration\ntrunk.up = 0 0 1\n",
			  ":1: not a postured "
			  "gyro bias file (the first line should be '# postured gyro bias')");
	assert_bias_error(fx, "# postured gyro bias\n# nothing\n",
			  ": holds no sensor (expected "
			  "a line like 'trunk.gyro_bias_rad_s = 0.01 -0.02 0')");
	assert_bias_error(fx, "# postured gyro bias\n\ntrunk.gyro_bias_rad_s = 0.01 -0.02\n",
			  ":3: trunk.gyro_bias_rad_s needs three numbers in rad/s, like 0.01 -0.02 "
			  "0");
	assert_bias_error(fx, "# postured gyro bias\ntrunk.gyro_bias = 0 0 0\n",
			  ":2: unknown key 'trunk.gyro_bias' (expected trunk.gyro_bias_rad_s or "
			  "head.gyro_bias_rad_s)");
	assert_bias_error(fx,
			  "# postured gyro bias\nhead.gyro_bias_rad_s = 0 0 0\n"
			  "head.gyro_bias_rad_s = 0 0 0\n",
			  ":3: head.gyro_bias_rad_s is set twice (first on line 2)");
	/* 3 deg/s written as degrees, not radians */
	assert_bias_error(fx, "# postured gyro bias\ntrunk.gyro_bias_rad_s = 3 0 0\n",
			  ":2: trunk.gyro_bias_rad_s: 3 rad/s is beyond any gyro's bias (0.35 "
			  "rad/s): not a value postured wrote");
}

/* A mode chosen at run time is read back with the ini's mode of that moment; damage is named. */
static void run_time_mode_is_kept(void **state)
{
	struct fixture *fx = *state;
	struct stored_mode m = { ALERT_MODE_TRAINING, ALERT_MODE_ISO }, back;
	char err[512] = "", path[TESTFS_PATH_MAX + 16];

	assert_int_equal(calstore_load_mode(fx->sub, &back, err, sizeof(err)), -ENOENT);
	if (calstore_save_mode(fx->sub, &m, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	memset(&back, 0x5a, sizeof(back));
	assert_int_equal(calstore_load_mode(fx->sub, &back, err, sizeof(err)), 0);
	assert_int_equal(back.mode, ALERT_MODE_TRAINING);
	assert_int_equal(back.ini_mode, ALERT_MODE_ISO);

	snprintf(path, sizeof(path), "%s/mode", fx->fs.dir);
	testfs_write(path, "# postured mode\nmode = sleepy\nini_mode = iso\n");
	assert_int_equal(calstore_load_mode(fx->fs.dir, &back, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/mode:2: expected 'mode = iso|training|tracking'"));
	testfs_write(path, "# postured mode\nmode = tracking\n");
	assert_int_equal(calstore_load_mode(fx->fs.dir, &back, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "needs both"));
	assert_int_equal(back.mode, ALERT_MODE_TRAINING);
}

/* The file's time is when the calibration was taken, kept across a save that only adds evidence. */
static void taken_time_is_kept(void **state)
{
	struct fixture *fx = *state;
	struct calibration cal = example();
	char err[512] = "";
	const uint64_t taken_usec = 1764500000123456ULL;

	assert_int_equal(calstore_saved_usec(fx->sub), 0);
	assert_int_equal(calstore_set_taken_usec(fx->sub, taken_usec), -ENOENT);
	if (calstore_save(fx->sub, &cal, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_true(calstore_saved_usec(fx->sub) > taken_usec);
	assert_int_equal(calstore_set_taken_usec(fx->sub, taken_usec), 0);
	assert_true(calstore_saved_usec(fx->sub) == taken_usec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(save_creates_the_directory_and_load_gets_it_back,
						setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(file_is_readable_text, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(hand_written_file_is_accepted, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(nothing_stored, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(walking_evidence_is_kept, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(damaged_files_are_refused, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(save_errors_name_the_directory, setup,
						testfs_teardown),
		cmocka_unit_test_setup_teardown(bias_is_saved_beside_the_calibration_and_read_back,
						setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(run_time_mode_is_kept, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(taken_time_is_kept, setup, testfs_teardown),
		cmocka_unit_test_setup_teardown(damaged_bias_files_are_refused, setup,
						testfs_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
