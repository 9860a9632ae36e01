/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Fault injection in the test build of the CLI.  nfs41_fault is nfs41
 * compiled with CLI_FAULTS plus cli_fault.c and the fault transport
 * (sessions/sess_xprt_fault.h): its --inject-* options wrap a connection's
 * transport in the fault transport and arm it.  The shipped nfs41 has none
 * of it: without CLI_FAULTS the calls below are empty and the options
 * unknown.
 */
#ifndef CLI_FAULT_H
#define CLI_FAULT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

struct cli;
struct sess_xprt;

#ifdef CLI_FAULTS

/* getopt_long values, above those of nfs41.c */
enum {
	CLI_OPT_INJECT_DROP = 512,
	CLI_OPT_INJECT_DROP_AFTER,
	CLI_OPT_INJECT_MISORDER,
	CLI_OPT_INJECT_NO_BACK,
	CLI_OPT_INJECT_DROP_EXTRA,
	CLI_OPT_INJECT_CONN_LOSS,
	CLI_OPT_INJECT_FIRST_LOSS,
	CLI_OPT_INJECT_OUTAGE,
};

/* --inject-first-loss: how long the first connection stays unreachable */
#define CLI_FAULT_FIRST_DOWN_MS 20000

/*
 * --inject-outage: the extras drop at START and cannot reconnect until
 * END; the first connection drops at FIRST and reconnects at once (all
 * from when the connections were made).  By END each extra has failed 3
 * connects and backed off to 8 s (its tries 1-2, 3-4 and 7-8 s apart:
 * the back-off clock has whole seconds), so before ~11.5 s only the
 * recovery of the first connection gets the extras bound again.
 */
#define CLI_FAULT_OUTAGE_START_MS 500
#define CLI_FAULT_OUTAGE_END_MS 7500
#define CLI_FAULT_OUTAGE_FIRST_MS 8000

/* Entries of nfs41.c's long option table. */
#define CLI_FAULT_LONG_OPTS                                                    \
	{"inject-drop", no_argument, NULL, CLI_OPT_INJECT_DROP},               \
	    {"inject-drop-after", required_argument, NULL,                     \
	     CLI_OPT_INJECT_DROP_AFTER},                                       \
	    {"inject-misorder", no_argument, NULL, CLI_OPT_INJECT_MISORDER},   \
	    {"inject-no-backchannel", no_argument, NULL,                       \
	     CLI_OPT_INJECT_NO_BACK},                                          \
	    {"inject-drop-extra", required_argument, NULL,                     \
	     CLI_OPT_INJECT_DROP_EXTRA},                                       \
	    {"inject-conn-loss", required_argument, NULL,                      \
	     CLI_OPT_INJECT_CONN_LOSS},                                        \
	    {"inject-first-loss", required_argument, NULL,                     \
	     CLI_OPT_INJECT_FIRST_LOSS},                                       \
	    {"inject-outage", no_argument, NULL, CLI_OPT_INJECT_OUTAGE},

/**
 * cli_fault_parse() - take option @opt with argument @arg.  Returns 0,
 * -EINVAL for a bad value, -ENOENT when @opt is not a fault option.
 */
int cli_fault_parse(int opt, const char *arg);

/** cli_fault_usage() - the fault options' lines of --help. */
void cli_fault_usage(FILE *f);

/**
 * cli_fault_check() - the fault options against the others (message
 * printed).  Returns 0 or -EINVAL.
 */
int cli_fault_check(const struct cli *c);

/**
 * cli_fault_wrap() - @x, the transport of connection @idx (0: the first),
 * wrapped in the fault transport when a fault targets it.  Returns the
 * transport to use, or NULL with errno ENOMEM (@x destroyed).
 */
struct sess_xprt *cli_fault_wrap(const struct cli *c, uint32_t idx,
				 struct sess_xprt *x);

/** cli_fault_started() - the session is up: arm --inject-misorder. */
void cli_fault_started(struct cli *c);

/** cli_fault_before_change() - rm/mkdir/rename next: arm --inject-drop. */
void cli_fault_before_change(struct cli *c);

#else /* !CLI_FAULTS: the shipped nfs41 */

#define CLI_FAULT_LONG_OPTS

static inline int cli_fault_parse(int opt, const char *arg)
{
	(void)opt;
	(void)arg;
	return -ENOENT;
}

static inline void cli_fault_usage(FILE *f)
{
	(void)f;
}

static inline int cli_fault_check(const struct cli *c)
{
	(void)c;
	return 0;
}

static inline struct sess_xprt *
cli_fault_wrap(const struct cli *c, uint32_t idx, struct sess_xprt *x)
{
	(void)c;
	(void)idx;
	return x;
}

static inline void cli_fault_started(struct cli *c)
{
	(void)c;
}

static inline void cli_fault_before_change(struct cli *c)
{
	(void)c;
}

#endif /* CLI_FAULTS */
#endif /* CLI_FAULT_H */
