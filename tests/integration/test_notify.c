/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's conversation with systemd, seen from a NOTIFY_SOCKET this test owns: READY=1 once
 * the emulated sensor answers, STATUS=, WATCHDOG=1 while samples arrive, the RELOADING=1 /
 * READY=1 sequence on SIGHUP for a good and for an invalid config, STOPPING=1 on SIGTERM. Then a
 * sensor missing at start-up: the head of two (ready after the grace period, monitoring the trunk,
 * the head picked up when plugged in), and the only one (ready, watchdog kept, picked up).
 *
 *   test_notify BUILD_DIR      (run from the repository root, as root or with umockdev usable)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define TIMEOUT_S 20.0
/* The daemon's grace period for a sensor missing at start-up (READY_GRACE_USEC, README). */
#define READY_GRACE_S 5.0

static const char *build_dir;

struct harness {
	char dir[48];
	char config[128];
	char events[128];
	char script[128];
	double start_s;
	char socket_path[100]; /* fits sockaddr_un.sun_path */
	int sock;
	pid_t child;	  /* umockdev-wrapper -> simwearer -> postured */
	pid_t daemon_pid; /* learned from the notification's credentials */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char one_sensor[] = "[trunk]\nforward_axis = -X\n\n";
static const char two_sensors[] =
    "[trunk]\naddress = 0x68\nforward_axis = -X\n\n"
    "[head]\nenabled = true\ndevice = mpu6050\naddress = 0x69\nforward_axis = -X\n\n";

static void write_config_for(const struct harness *h, const char *sensors, const char *extra)
{
	FILE *f = fopen(h->config, "w");

	assert_non_null(f);
	fprintf(f,
		"[input]\nrate_hz = 50\n\n%s"
		"[calibration]\nstill_s = 1\nstate_dir = %s\n\n"
		"[haptic]\nbackend = none\n\n%s",
		sensors, h->dir, extra);
	assert_int_equal(fclose(f), 0);
}

static void write_config(const struct harness *h, const char *extra)
{
	write_config_for(h, one_sensor, extra);
}

/* Reads what has come on the socket without waiting: a sender blocks once too much is unread. */
static void drain(const struct harness *h)
{
	char buf[4096];

	while (recv(h->sock, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/* Waits for a notification containing want; returns the message (static buffer) or NULL. */
static const char *wait_message(struct harness *h, const char *want)
{
	static char msg[4096];
	double deadline = now_s() + TIMEOUT_S;

	while (now_s() < deadline) {
		struct pollfd pfd = { .fd = h->sock, .events = POLLIN };
		char control[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) - 1 };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control,
				     .msg_controllen = sizeof(control) };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvmsg(h->sock, &mh, 0);
		if (n < 0)
			continue;
		msg[n] = '\0';
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred cred;

				memcpy(&cred, CMSG_DATA(c), sizeof(cred));
				h->daemon_pid = cred.pid;
			}
		}
		if (strstr(msg, want))
			return msg;
	}
	fprintf(stderr, "no notification containing '%s' within %.0f s\n", want, TIMEOUT_S);
	return NULL;
}

/* Waits until the events file has a line containing needle; returns that line. */
static char *wait_event_line(const struct harness *h, const char *needle)
{
	static char line[4096];
	double deadline = now_s() + TIMEOUT_S;

	while (now_s() < deadline) {
		FILE *f = fopen(h->events, "r");

		while (f && fgets(line, sizeof(line), f)) {
			if (strstr(line, needle)) {
				fclose(f);
				return line;
			}
		}
		if (f)
			fclose(f);
		drain(h);
		usleep(50000);
	}
	fprintf(stderr, "no event with '%s' in %s within %.0f s\n", needle, h->events, TIMEOUT_S);
	return NULL;
}

/* Waits until the events file has a line with "POSTURE_EVENT":"name"; returns that line. */
static char *wait_event(const struct harness *h, const char *name)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "\"POSTURE_EVENT\":\"%s\"", name);
	return wait_event_line(h, needle);
}

/* Starts postured on simwearer's PROFILE moved by SCRIPT, with these sensor sections. */
static int start_with(void **state, const char *profile, const char *script, const char *sensors,
		      const char *extra)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1;
	char simwearer[256], postured[256];
	FILE *f;

	snprintf(h->dir, sizeof(h->dir), "/tmp/postured-notify-XXXXXX");
	if (!mkdtemp(h->dir))
		return -1;
	snprintf(h->config, sizeof(h->config), "%s/postured.ini", h->dir);
	snprintf(h->events, sizeof(h->events), "%s/events.jsonl", h->dir);
	snprintf(h->socket_path, sizeof(h->socket_path), "%s/notify", h->dir);
	snprintf(h->script, sizeof(h->script), "%s/wearer", h->dir);
	write_config_for(h, sensors, extra);
	f = fopen(h->script, "w");
	if (!f || fputs(script, f) < 0 || fclose(f) != 0)
		return -1;

	h->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", h->socket_path);
	if (h->sock < 0 || bind(h->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(h->sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return -1;

	snprintf(simwearer, sizeof(simwearer), "%s/simwearer", build_dir);
	snprintf(postured, sizeof(postured), "%s/postured", build_dir);
	h->start_s = now_s();
	h->child = fork();
	if (h->child == 0) {
		setenv("NOTIFY_SOCKET", h->socket_path, 1);
		/* 1 s: the daemon pings every 250 ms while samples arrive. */
		setenv("WATCHDOG_USEC", "1000000", 1);
		execlp("umockdev-wrapper", "umockdev-wrapper", simwearer, "--devices", profile,
		       "--script", h->script, "--", postured, "--config", h->config, "--foreground",
		       "--events", h->events, (char *)NULL);
		_exit(127);
	}
	*state = h;
	return h->child > 0 ? 0 : -1;
}

static int start_daemon(void **state)
{
	return start_with(state, "mpu6050", "", one_sensor, "");
}

static int stop_daemon(void **state)
{
	struct harness *h = *state;
	char cmd[128];

	if (h->child > 0) {
		kill(h->child, SIGKILL);
		waitpid(h->child, NULL, 0);
	}
	close(h->sock);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", h->dir);
	free(h);
	return 0;
}

static void ready_after_sensors_answer_then_status(void **state)
{
	struct harness *h = *state;
	const char *status;

	assert_non_null(wait_message(h, "READY=1"));
	assert_true(h->daemon_pid > 0);
	status = wait_message(h, "STATUS=");
	assert_non_null(status);
	/*
	 * The live state is shown; the wearer sits breathing, so calibration follows within a few
	 * seconds. Keep reading the socket meanwhile, as systemd does: a sender blocks once
	 * net.unix.max_dgram_qlen (10 here) datagrams are unread.
	 */
	status = wait_message(h, "STATUS=upright");
	assert_non_null(status);
	assert_non_null(strstr(status, "trunk"));
	assert_non_null(wait_event(h, "calibrated"));
}

static void watchdog_pings_while_samples_arrive(void **state)
{
	struct harness *h = *state;
	double start = now_s();
	int pings = 0;

	while (pings < 4 && now_s() - start < TIMEOUT_S)
		if (wait_message(h, "WATCHDOG=1"))
			pings++;
	assert_int_equal(pings, 4);
	/* Four pings at 250 ms spacing take about a second, not the whole timeout. */
	assert_true(now_s() - start < 3.0);
}

static void reload_applies_a_good_config(void **state)
{
	struct harness *h = *state;
	const char *msg;
	char *ev;

	write_config(h, "[detector]\ntrunk_threshold_deg = 30\n");
	assert_int_equal(kill(h->daemon_pid, SIGHUP), 0);
	msg = wait_message(h, "RELOADING=1");
	assert_non_null(msg);
	assert_non_null(strstr(msg, "MONOTONIC_USEC="));
	assert_non_null(wait_message(h, "READY=1"));
	ev = wait_event(h, "config_reloaded");
	assert_non_null(ev);
	assert_non_null(strstr(ev, h->config));
}

static void reload_rejects_an_invalid_config(void **state)
{
	struct harness *h = *state;
	char *ev;
	char expected[256];

	write_config(h, "[detector]\ntrunk_threshold_deg = 300\n");
	assert_int_equal(kill(h->daemon_pid, SIGHUP), 0);
	assert_non_null(wait_message(h, "RELOADING=1"));
	assert_non_null(wait_message(h, "READY=1"));
	ev = wait_event(h, "config_rejected");
	assert_non_null(ev);
	/* The event names the file and line, so the wearer can fix it. */
	snprintf(expected, sizeof(expected), "%s:15: trunk_threshold_deg", h->config);
	if (!strstr(ev, expected))
		fail_msg("config_rejected event lacks '%s': %s", expected, ev);
	/* The daemon keeps running on the previous config. */
	assert_int_equal(kill(h->daemon_pid, 0), 0);
	assert_non_null(wait_message(h, "WATCHDOG=1"));
}

static void sigterm_stops_cleanly(void **state)
{
	struct harness *h = *state;
	int status;

	assert_int_equal(kill(h->daemon_pid, SIGTERM), 0);
	assert_non_null(wait_message(h, "STOPPING=1"));
	assert_int_equal(waitpid(h->child, &status, 0), h->child);
	h->child = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(wait_event(h, "stopped"));
}

/*
 * Two sensors, the head unplugged at start-up. The trunk sits upright, slumps from 8 s to 16 s, and
 * the head is plugged in at 18 s: retried with back-off (0.5 s doubling to 8 s), it is found at
 * about 23.5 s.
 */
static int start_head_missing(void **state)
{
	return start_with(state, "mpu6050x2",
			  "0 remove head\n8 tilt trunk +X 35 over 1\n16 tilt trunk +X 0 over 1\n"
			  "18 add head\n",
			  two_sensors, "[detector]\ntrunk_hold_s = 3\ntrunk_hold_at_max_s = 1\n");
}

/* Ready once the grace period is over (not before: the head may only be slow to probe). */
static void assert_ready_after_grace(struct harness *h)
{
	double ready_s;

	assert_non_null(wait_message(h, "READY=1"));
	ready_s = now_s() - h->start_s;
	if (ready_s < READY_GRACE_S || ready_s > READY_GRACE_S + 2.0)
		fail_msg("READY=1 after %.1f s, expected %.0f s (the grace period)", ready_s,
			 READY_GRACE_S);
}

static void head_missing_ready_after_grace_with_status(void **state)
{
	struct harness *h = *state;
	const char *status;
	char *ev;

	assert_ready_after_grace(h);
	status = wait_message(h, "STATUS=head sensor missing: no IIO device for [head]");
	assert_non_null(status);
	ev = wait_event(h, "sensor_lost");
	assert_non_null(ev);
	assert_non_null(strstr(ev, "\"POSTURE_SENSOR\":\"head\""));
}

static void head_missing_trunk_monitored(void **state)
{
	struct harness *h = *state;
	const char *status;
	char *ev;

	ev = wait_event(h, "alert");
	assert_non_null(ev);
	if (!strstr(ev, "\"POSTURE_CAUSE\":\"trunk\""))
		fail_msg("the alert is not the trunk's: %s", ev);
	status = wait_message(h, "STATUS=head sensor missing");
	assert_non_null(status);
	if (!strstr(status, "; slumped, still, trunk ") || strstr(status, "neck"))
		fail_msg("STATUS= lacks the trunk's slump (or shows a neck angle): %s", status);
}

static void head_picked_up_and_calibrated(void **state)
{
	struct harness *h = *state;
	const char *status;
	char *ev;

	ev = wait_event(h, "sensor_restored");
	assert_non_null(ev);
	assert_non_null(strstr(ev, "\"POSTURE_SENSOR\":\"head\""));
	/* The head takes its own reference once settled; the trunk keeps its own: neck angles. */
	assert_non_null(wait_event_line(h, "head upright reference taken"));
	status = wait_message(h, ", neck ");
	assert_non_null(status);
	if (strncmp(status, "STATUS=upright, still, trunk ", 29) != 0)
		fail_msg("STATUS= with the head back: %s", status);
}

/* The only sensor unplugged at start-up, plugged in at 9 s (found at about 15.5 s). */
static int start_no_sensor(void **state)
{
	return start_with(state, "mpu6050", "0 remove trunk\n9 add trunk\n", one_sensor, "");
}

/*
 * Ready with no sensor: systemd's start timeout would otherwise restart the daemon in a loop. The
 * watchdog keeps being pinged (the sensor is retried, nothing hangs): a watchdog restart would
 * loop the same way and find no more sensors.
 */
static void no_sensor_ready_watchdog_then_picked_up(void **state)
{
	struct harness *h = *state;
	double start;
	int pings = 0;

	assert_ready_after_grace(h);
	assert_non_null(wait_message(h, "STATUS=no sensor answers: trunk sensor missing: "));
	start = now_s();
	while (pings < 4 && now_s() - start < TIMEOUT_S)
		if (wait_message(h, "WATCHDOG=1"))
			pings++;
	assert_int_equal(pings, 4);
	assert_non_null(wait_event(h, "sensor_lost"));
	assert_non_null(wait_event(h, "sensor_restored"));
	assert_non_null(wait_message(h, "STATUS=upright"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_after_sensors_answer_then_status),
		cmocka_unit_test(watchdog_pings_while_samples_arrive),
		cmocka_unit_test(reload_applies_a_good_config),
		cmocka_unit_test(reload_rejects_an_invalid_config),
		cmocka_unit_test(sigterm_stops_cleanly),
	};

	const struct CMUnitTest head_missing[] = {
		cmocka_unit_test(head_missing_ready_after_grace_with_status),
		cmocka_unit_test(head_missing_trunk_monitored),
		cmocka_unit_test(head_picked_up_and_calibrated),
		cmocka_unit_test(sigterm_stops_cleanly),
	};
	const struct CMUnitTest no_sensor[] = {
		cmocka_unit_test(no_sensor_ready_watchdog_then_picked_up),
		cmocka_unit_test(sigterm_stops_cleanly),
	};
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BUILD_DIR\n", argv[0]);
		return 2;
	}
	build_dir = argv[1];
	failed = cmocka_run_group_tests_name("notify", tests, start_daemon, stop_daemon);
	failed += cmocka_run_group_tests_name("notify, head sensor missing at start-up",
					      head_missing, start_head_missing, stop_daemon);
	failed += cmocka_run_group_tests_name("notify, no sensor at start-up", no_sensor,
					      start_no_sensor, stop_daemon);
	return failed;
}
