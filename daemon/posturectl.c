/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posturectl: the wearer's command line over postured's D-Bus interface (README "posturectl"),
 * as timedatectl is over timedated's. Its words are posturectl_text.c's; this file talks to the
 * bus and exits.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "postured/bus.h"
#include "postured/policy.h"
#include "postured/posturectl_report.h"
#include "postured/posturectl_text.h"
#include "postured/version.h"

/* Exit status, as systemctl's: 0 done, 1 failed (the daemon said no, or is not there), and as
 * postured's own: 2 bad usage. */
#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fputs("Usage: posturectl [OPTIONS] COMMAND\n"
	      "\n"
	      "Show and control postured, the posture monitor.\n"
	      "\n"
	      "Commands:\n"
	      "  status                 show the posture, the mode, a snooze, the alerts today\n"
	      "                         and the calibration (the default)\n"
	      "  calibrate              take the present pose as upright, once still\n"
	      "  snooze DURATION        no buzz for DURATION (90s, 30min, 1h30min; events are\n"
	      "                         still written)\n"
	      "  resume                 end a snooze now\n"
	      "  mode iso|training|tracking\n"
	      "                         alert by the ISO 11226 holding times, with short holds\n"
	      "                         while learning, or never (events only)\n"
	      "  watch                  print a line for every change, until interrupted\n"
	      "  report [OPTIONS]       the days and hours from the journal, per wearer\n"
	      "                         (posturectl report --help)\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help             this help\n"
	      "      --version          print the version\n"
	      "\n"
	      "Calibrate, snooze, resume and mode are for root and the group " BUS_DEFAULT_GROUP
	      ".\n"
	      "Exit status: 0 done, 1 failed, 2 bad usage. See posturectl(1).\n",
	      out);
}

static uint64_t realtime_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static int connect_bus(sd_bus **bus)
{
	int ret = sd_bus_open_system(bus);

	if (ret < 0)
		fprintf(stderr, "Failed to connect to the system bus: %s\n", strerror(-ret));
	return ret;
}

/* Prints "Failed to WHAT: why" as systemctl does, in the words a wearer can act on. */
static void print_failure(const char *what, const sd_bus_error *error, int ret)
{
	if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN,
				   SD_BUS_ERROR_NAME_HAS_NO_OWNER))
		fprintf(stderr,
			"Failed to connect to postured: it is not running (nothing owns %s on "
			"the system bus; systemctl start postured)\n",
			BUS_NAME);
	else if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED) && error->message &&
		 strncmp(error->message, "Access denied", 13) == 0)
		fprintf(stderr, "Failed to %s: %s\n", what, error->message);
	else if (sd_bus_error_has_name(error, SD_BUS_ERROR_ACCESS_DENIED))
		/* The bus policy said no, in dbus-daemon's words: say it in ours. */
		fprintf(stderr,
			"Failed to %s: Access denied (only root and members of group '%s' may "
			"control postured)\n",
			what, BUS_DEFAULT_GROUP);
	else if (sd_bus_error_is_set(error) && error->message)
		fprintf(stderr, "Failed to %s: %s\n", what, error->message);
	else
		fprintf(stderr, "Failed to %s: %s\n", what, strerror(-ret));
}

/* Calls a method of postured's interface with one argument or none (sig ""). */
static int call(const char *what, const char *method, const char *sig, const void *arg)
{
	sd_bus *bus = NULL;
	sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int ret = connect_bus(&bus);

	if (ret < 0)
		return EXIT_FAILURE;
	ret = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_INTERFACE, method);
	if (ret >= 0 && sig[0])
		ret = sd_bus_message_append_basic(m, sig[0], arg);
	if (ret >= 0)
		ret = sd_bus_call(bus, m, 0, &error, NULL);
	if (ret < 0)
		print_failure(what, &error, ret);
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	sd_bus_flush_close_unref(bus);
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Reads one property's variant from m into st; skips one posturectl does not know. */
static int read_property(sd_bus_message *m, const char *name, struct ctl_status *st,
			 bool changed[CTL_PROP_COUNT])
{
	enum ctl_prop p;
	const char *s;
	int b, ret;

	if (ctl_prop_find(name, &p) < 0)
		return sd_bus_message_skip(m, "v");
	ret = sd_bus_message_enter_container(m, 'v', ctl_prop_signature(p));
	if (ret < 0)
		return ret;
	switch (p) {
	case CTL_READY:
		ret = sd_bus_message_read_basic(m, 'b', &b);
		st->ready = b;
		break;
	case CTL_STATE:
	case CTL_ACTIVITY:
	case CTL_MODE:
	case CTL_VERSION:
		ret = sd_bus_message_read_basic(m, 's', &s);
		if (ret >= 0)
			snprintf(p == CTL_STATE	     ? st->state
				 : p == CTL_ACTIVITY ? st->activity
				 : p == CTL_MODE     ? st->mode
						     : st->version,
				 CTL_NAME_MAX, "%s", s);
		break;
	case CTL_TRUNK:
		ret = sd_bus_message_read_basic(m, 'd', &st->trunk_deg);
		break;
	case CTL_NECK:
		ret = sd_bus_message_read_basic(m, 'd', &st->neck_deg);
		break;
	case CTL_LATERAL:
		ret = sd_bus_message_read_basic(m, 'd', &st->lateral_deg);
		break;
	case CTL_HEAD:
		ret = sd_bus_message_read_basic(m, 'd', &st->head_deg);
		break;
	case CTL_ALERTS_TODAY:
		ret = sd_bus_message_read_basic(m, 'u', &st->alerts_today);
		break;
	case CTL_SNOOZED_UNTIL:
		ret = sd_bus_message_read_basic(m, 't', &st->snoozed_until_usec);
		break;
	case CTL_CALIBRATED:
	default:
		ret = sd_bus_message_read_basic(m, 't', &st->calibrated_usec);
		break;
	}
	if (ret < 0)
		return ret;
	st->have[p] = true;
	if (changed)
		changed[p] = true;
	return sd_bus_message_exit_container(m);
}

/* Reads an a{sv} of properties (GetAll's reply, PropertiesChanged's second argument). */
static int read_properties(sd_bus_message *m, struct ctl_status *st, bool changed[CTL_PROP_COUNT])
{
	const char *name;
	int ret = sd_bus_message_enter_container(m, 'a', "{sv}");

	while (ret >= 0 && (ret = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		ret = sd_bus_message_read_basic(m, 's', &name);
		if (ret >= 0)
			ret = read_property(m, name, st, changed);
		if (ret >= 0)
			ret = sd_bus_message_exit_container(m);
	}
	if (ret >= 0)
		ret = sd_bus_message_exit_container(m);
	return ret;
}

static int get_all(sd_bus *bus, struct ctl_status *st)
{
	sd_bus_message *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int ret = sd_bus_call_method(bus, BUS_NAME, BUS_PATH, "org.freedesktop.DBus.Properties",
				     "GetAll", &error, &reply, "s", BUS_INTERFACE);

	if (ret < 0)
		print_failure("query postured", &error, ret);
	else if ((ret = read_properties(reply, st, NULL)) < 0)
		fprintf(stderr, "Failed to read postured's properties: %s\n", strerror(-ret));
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return ret;
}

static int cmd_status(void)
{
	struct ctl_status st = { 0 };
	sd_bus *bus = NULL;
	char out[2048];
	int ret = connect_bus(&bus);

	if (ret >= 0)
		ret = get_all(bus, &st);
	sd_bus_flush_close_unref(bus);
	if (ret < 0)
		return EXIT_FAILURE;
	ctl_format_status(&st, realtime_usec(), out, sizeof(out));
	fputs(out, stdout);
	return EXIT_SUCCESS;
}

/* ---- watch ---- */

static void print_line(const char *line)
{
	puts(line);
	fflush(stdout); /* a line as it happens, also into a pipe */
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct ctl_status *st = userdata;
	bool changed[CTL_PROP_COUNT] = { false };
	const char *interface;
	char line[1024];
	int ret;

	(void)error;
	ret = sd_bus_message_read_basic(m, 's', &interface);
	if (ret < 0 || strcmp(interface, BUS_INTERFACE) != 0)
		return 0;
	ret = read_properties(m, st, changed);
	if (ret < 0) {
		fprintf(stderr, "Failed to read a change of postured's properties: %s\n",
			strerror(-ret));
		return 0;
	}
	ctl_format_changes(st, changed, realtime_usec(), line, sizeof(line));
	print_line(line);
	return 0;
}

/* postured stopped or started (a restart): say so, and keep watching. */
static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const struct ctl_status *st = userdata;
	const char *name, *old_owner, *new_owner;
	char line[256];
	size_t used;
	bool none[CTL_PROP_COUNT] = { false };

	(void)error;
	if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
		return 0;
	used = ctl_format_changes(st, none, realtime_usec(), line, sizeof(line));
	snprintf(line + used, sizeof(line) - used, " postured %s",
		 new_owner[0] ? "started" : "stopped");
	print_line(line);
	return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	(void)si;
	(void)userdata;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int watch_loop(sd_bus *bus, sd_event *event, struct ctl_status *st)
{
	bool all[CTL_PROP_COUNT];
	char line[1024];
	int ret;

	ret = sd_bus_match_signal(bus, NULL, BUS_NAME, BUS_PATH, "org.freedesktop.DBus.Properties",
				  "PropertiesChanged", on_properties_changed, st);
	if (ret >= 0)
		ret = sd_bus_add_match(bus, NULL,
				       "type='signal',sender='org.freedesktop.DBus',"
				       "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
				       "arg0='" BUS_NAME "'",
				       on_owner_changed, st);
	if (ret < 0) {
		fprintf(stderr, "Failed to watch postured: %s\n", strerror(-ret));
		return ret;
	}
	/* After the matches, so no change falls between this first line and the next. */
	ret = get_all(bus, st);
	if (ret < 0)
		return ret;
	for (int p = 0; p < CTL_PROP_COUNT; p++)
		all[p] = st->have[p] && p != CTL_VERSION;
	ctl_format_changes(st, all, realtime_usec(), line, sizeof(line));
	print_line(line);
	ret = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
	if (ret >= 0)
		ret = sd_event_loop(event);
	if (ret < 0)
		fprintf(stderr, "Failed to watch postured: %s\n", strerror(-ret));
	return ret;
}

static int cmd_watch(void)
{
	static const int signals[] = { SIGINT, SIGTERM };
	struct ctl_status st = { 0 };
	sd_event *event = NULL;
	sd_bus *bus = NULL;
	sigset_t mask;
	int ret;

	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaddset(&mask, signals[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	ret = sd_event_default(&event);
	for (size_t i = 0; ret >= 0 && i < sizeof(signals) / sizeof(signals[0]); i++)
		ret = sd_event_add_signal(event, NULL, signals[i], on_signal, NULL);
	if (ret < 0) {
		fprintf(stderr, "Failed to set up the event loop: %s\n", strerror(-ret));
		sd_event_unref(event);
		return EXIT_FAILURE;
	}
	ret = connect_bus(&bus);
	if (ret >= 0)
		ret = watch_loop(bus, event, &st);
	sd_bus_flush_close_unref(bus);
	sd_event_unref(event);
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- command line ---- */

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static int cmd_snooze(const char *text)
{
	uint64_t usec;
	char err[256];

	if (ctl_parse_duration(text, &usec, err, sizeof(err)) < 0)
		return usage_error("Invalid duration %s", err);
	if (usec == 0)
		return usage_error("Invalid duration '%s': a snooze needs more than 0 "
				   "(posturectl resume ends one)",
				   text);
	return call("snooze", "Snooze", "t", &usec);
}

static int cmd_mode(const char *name)
{
	enum alert_mode mode;

	if (alert_mode_parse(name, &mode) < 0)
		return usage_error("Unknown mode '%s' (modes: iso, training, tracking)", name);
	return call("set the mode", "SetMode", "s", name);
}

/* The verb and how many arguments it takes. */
static int run(const char *verb, int argc, char **argv)
{
	static const struct {
		const char *verb;
		int args;
	} verbs[] = { { "status", 0 }, { "calibrate", 0 }, { "snooze", 1 },
		      { "resume", 0 }, { "mode", 1 },	   { "watch", 0 } };
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verb, verbs[i].verb) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return usage_error("Unknown command '%s' (posturectl --help lists them)", verb);
	if (argc != verbs[i].args)
		return usage_error("posturectl %s takes %s (posturectl --help)", verb,
				   verbs[i].args ? "one argument" : "no argument");
	if (strcmp(verb, "status") == 0)
		return cmd_status();
	if (strcmp(verb, "calibrate") == 0)
		return call("calibrate", "Calibrate", "", NULL);
	if (strcmp(verb, "snooze") == 0)
		return cmd_snooze(argv[0]);
	if (strcmp(verb, "resume") == 0)
		return call("resume", "Resume", "", NULL);
	if (strcmp(verb, "mode") == 0)
		return cmd_mode(argv[0]);
	return cmd_watch();
}

int main(int argc, char **argv)
{
	enum { OPT_VERSION = 256 };
	static const struct option long_opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	int c;

	/* "+": options only before the command, so "snooze -5m" is the command's to refuse. */
	while ((c = getopt_long(argc, argv, "+h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case OPT_VERSION:
			printf("posturectl %s\n", postured_version);
			return EXIT_SUCCESS;
		default:
			fputs("posturectl --help lists the commands and options\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc)
		return cmd_status();
	/* The report reads the journal, not the bus, and has options of its own. */
	if (strcmp(argv[optind], "report") == 0)
		return posturectl_report(argc - optind, argv + optind);
	return run(argv[optind], argc - optind - 1, argv + optind + 1);
}
