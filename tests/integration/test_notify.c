/*
 * The daemon's conversation with systemd, seen from a NOTIFY_SOCKET this test owns: READY=1 once
 * the emulated sensor answers, STATUS=, WATCHDOG=1 while samples arrive, the RELOADING=1 /
 * READY=1 sequence on SIGHUP for a good and for an invalid config, STOPPING=1 on SIGTERM.
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

static const char *build_dir;

struct harness {
	char dir[48];
	char config[128];
	char events[128];
	char socket_path[100]; /* fits sockaddr_un.sun_path */
	int sock;
	pid_t child;      /* umockdev-wrapper -> simwearer -> postured */
	pid_t daemon_pid; /* learned from the notification's credentials */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_config(const struct harness *h, const char *extra)
{
	FILE *f = fopen(h->config, "w");

	assert_non_null(f);
	fprintf(f, "[input]\nrate_hz = 50\n\n[trunk]\nforward_axis = -X\n\n"
		   "[calibration]\nstill_s = 1\nstate_dir = %s\n\n"
		   "[haptic]\nbackend = none\n\n%s", h->dir, extra);
	assert_int_equal(fclose(f), 0);
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
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
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

/* Waits until the events file has a line with "POSTURE_EVENT":"name"; returns that line. */
static char *wait_event(const struct harness *h, const char *name)
{
	static char line[4096];
	char needle[128];
	double deadline = now_s() + TIMEOUT_S;

	snprintf(needle, sizeof(needle), "\"POSTURE_EVENT\":\"%s\"", name);
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
		usleep(50000);
	}
	fprintf(stderr, "no %s event in %s within %.0f s\n", name, h->events, TIMEOUT_S);
	return NULL;
}

static int start_daemon(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1;
	char simwearer[256], postured[256];

	snprintf(h->dir, sizeof(h->dir), "/tmp/postured-notify-XXXXXX");
	if (!mkdtemp(h->dir))
		return -1;
	snprintf(h->config, sizeof(h->config), "%s/postured.ini", h->dir);
	snprintf(h->events, sizeof(h->events), "%s/events.jsonl", h->dir);
	snprintf(h->socket_path, sizeof(h->socket_path), "%s/notify", h->dir);
	write_config(h, "");

	h->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", h->socket_path);
	if (h->sock < 0 || bind(h->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(h->sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return -1;

	snprintf(simwearer, sizeof(simwearer), "%s/simwearer", build_dir);
	snprintf(postured, sizeof(postured), "%s/postured", build_dir);
	h->child = fork();
	if (h->child == 0) {
		setenv("NOTIFY_SOCKET", h->socket_path, 1);
		/* 1 s: the daemon pings every 250 ms while samples arrive. */
		setenv("WATCHDOG_USEC", "1000000", 1);
		execlp("umockdev-wrapper", "umockdev-wrapper", simwearer, "--devices", "mpu6050", "--",
		       postured, "--config", h->config, "--foreground", "--events", h->events,
		       (char *)NULL);
		_exit(127);
	}
	*state = h;
	return h->child > 0 ? 0 : -1;
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_after_sensors_answer_then_status),
		cmocka_unit_test(watchdog_pings_while_samples_arrive),
		cmocka_unit_test(reload_applies_a_good_config),
		cmocka_unit_test(reload_rejects_an_invalid_config),
		cmocka_unit_test(sigterm_stops_cleanly),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s BUILD_DIR\n", argv[0]);
		return 2;
	}
	build_dir = argv[1];
	return cmocka_run_group_tests_name("notify", tests, start_daemon, stop_daemon);
}
