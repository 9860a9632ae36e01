/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The --inject-* options of nfs41_fault, the test build of the CLI (see
 * cli_fault.h).  Each fault is one of the fault transport's
 * (sessions/sess_xprt_fault.h): the options only choose which connection
 * gets the wrapper and arm it.  The CLI runs one command per process, so
 * the options live in file statics.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_fault.h"
#include "sess_xprt_fault.h"

static bool f_drop;		  /* --inject-drop */
static uint64_t f_drop_after;	  /* --inject-drop-after N */
static bool f_misorder;		  /* --inject-misorder */
static bool f_no_back_chan;	  /* --inject-no-backchannel */
static uint64_t f_drop_extra;	  /* --inject-drop-extra N */
static uint64_t f_conn_loss;	  /* --inject-conn-loss N */
static uint64_t f_first_loss;	  /* --inject-first-loss N */
static bool f_outage;		  /* --inject-outage */
static struct sess_xprt *f_first; /* the first connection's wrapper */
static struct sess_xprt *f_last;  /* the last extra's, when wrapped */

static int parse_count(const char *arg, uint64_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > UINT32_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_fault_parse(int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_INJECT_DROP:
		f_drop = true;
		return 0;
	case CLI_OPT_INJECT_DROP_AFTER:
		return parse_count(arg, &f_drop_after);
	case CLI_OPT_INJECT_MISORDER:
		f_misorder = true;
		return 0;
	case CLI_OPT_INJECT_NO_BACK:
		f_no_back_chan = true;
		return 0;
	case CLI_OPT_INJECT_DROP_EXTRA:
		return parse_count(arg, &f_drop_extra);
	case CLI_OPT_INJECT_CONN_LOSS:
		return parse_count(arg, &f_conn_loss);
	case CLI_OPT_INJECT_FIRST_LOSS:
		return parse_count(arg, &f_first_loss);
	case CLI_OPT_INJECT_OUTAGE:
		f_outage = true;
		return 0;
	default:
		return -ENOENT;
	}
}

void cli_fault_usage(FILE *f)
{
	fprintf(f,
		"\nfault injection (nfs41_fault, the test build, only):\n"
		"  --inject-drop          lose the reply of the rm/mkdir/\n"
		"                         rename call with the connection\n"
		"  --inject-drop-after N  lose the reply of the Nth call\n"
		"  --inject-misorder      skew slot 0's next seqid by 1000\n"
		"  --inject-no-backchannel session without back channel\n"
		"  --inject-drop-extra N  lose the reply of the Nth call on\n"
		"                         the last extra connection\n"
		"  --inject-conn-loss N   drop the last extra connection\n"
		"                         once it has carried N calls\n"
		"  --inject-first-loss N  drop the first connection as its\n"
		"                         Nth call starts; it cannot\n"
		"                         reconnect for 20 s after\n"
		"                         (these three count calls from\n"
		"                         when the session is up)\n"
		"  --inject-outage        the extra connections drop 0.5 s\n"
		"                         in and cannot reconnect for 7 s;\n"
		"                         the first drops at 8 s and\n"
		"                         reconnects at once\n");
}

int cli_fault_check(const struct cli *c)
{
	if ((f_drop_extra || f_conn_loss || f_first_loss || f_outage) &&
	    c->o.connections < 2) {
		fprintf(stderr, "nfs41: the extra-connection hooks need "
				"--connections 2 or more\n");
		return -EINVAL;
	}
	if (f_outage && (f_drop_extra || f_conn_loss || f_first_loss)) {
		fprintf(stderr, "nfs41: --inject-outage drops every "
				"connection itself: it does not combine with "
				"the other connection-loss hooks\n");
		return -EINVAL;
	}
	return 0;
}

struct sess_xprt *cli_fault_wrap(const struct cli *c, uint32_t idx,
				 struct sess_xprt *x)
{
	struct sess_xprt_fault_opts fo = {0};
	struct sess_xprt *w;
	bool want = false;

	if (!x)
		return NULL;
	if (idx == 0) {
		fo.drop_reply_after = f_drop_after;
		fo.no_back_chan = f_no_back_chan;
		/* armed once the session is up: cli_fault_started() */
		if (f_first_loss)
			fo.refuse_connect_ms = CLI_FAULT_FIRST_DOWN_MS;
		if (f_outage)
			fo.drop_conn_at_ms = CLI_FAULT_OUTAGE_FIRST_MS;
		want = f_drop || f_drop_after || f_misorder || f_no_back_chan ||
		       f_first_loss || f_outage;
	} else if (f_outage) {
		fo.drop_conn_at_ms = CLI_FAULT_OUTAGE_START_MS;
		fo.refuse_connect_ms =
		    CLI_FAULT_OUTAGE_END_MS - CLI_FAULT_OUTAGE_START_MS;
		want = true;
	} else if (idx + 1 == c->o.connections) {
		/* armed once the session is up: cli_fault_started() */
		want = f_drop_extra || f_conn_loss;
	}
	if (!want)
		return x;
	w = sess_xprt_fault_wrap(x, &fo);
	if (!w) {
		x->x_ops->destroy(x);
		errno = ENOMEM;
		return NULL;
	}
	if (idx == 0)
		f_first = w;
	else
		f_last = w;
	return w;
}

void cli_fault_started(struct cli *c)
{
	(void)c;
	if (f_misorder && f_first)
		(void)sess_xprt_fault_skew_seqid(f_first, 0, 1000);
	/*
	 * Call counts start here, with the extras bound: counted from the
	 * wrap they included the setup calls, and a connection may carry
	 * only a few of a command's calls (they go where the fewest are in
	 * flight: the first carried 6 of 103 once), so a fault at its 21st
	 * or 11th call sometimes never fired.
	 */
	if (f_first_loss && f_first)
		sess_xprt_fault_drop_conn_in(f_first, f_first_loss);
	if (f_drop_extra && f_last)
		sess_xprt_fault_drop_reply_in(f_last, f_drop_extra);
	/* dropped as the call after the Nth starts */
	if (f_conn_loss && f_last)
		sess_xprt_fault_drop_conn_in(f_last, f_conn_loss + 1);
}

void cli_fault_before_change(struct cli *c)
{
	(void)c;
	if (f_drop && f_first)
		sess_xprt_fault_drop_next(f_first);
}
