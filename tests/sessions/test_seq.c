/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of the SEQUENCE engine's decision (src/sessions/sess_seq.c,
 * included): one table row per RFC 8881 case - transport loss on the first
 * and on an extra connection, SEQUENCE errors, an operation's DELAY before
 * and after a change ran (the "executed twice" case of commit 4d70651),
 * RETRY_UNCACHED_REP with and without cachethis, recovery and deadline -
 * then a seeded random run in which a small server model (one slot, a
 * reply cache, faults) answers and the decision's actions are applied,
 * checking that a change runs at most once while the server keeps its
 * reply cache.  The seed is printed; set SESS_SEQ_SEED to repeat one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sessions/sess_seq.c"
#include "gr_check.h"

/* Row flags: inputs. */
#define EXTRA (1u << 0)	   /* sent on an extra connection */
#define ECHO_BAD (1u << 1) /* SEQUENCE4resok names another slot/seqid */
#define CHANGED (1u << 2)  /* a change ran before the last result */
#define RECOV (1u << 3)	   /* in recovery */
#define CACHE (1u << 4)	   /* cachethis */
#define EXPIRED (1u << 5)  /* past the deadline */
#define NORES (1u << 6)	   /* no results decoded */
/* Row flags: expected outputs. */
#define NOTE (1u << 8)	   /* note_ok */
#define LOGU (1u << 9)	   /* log_uncached */
#define UNBIND (1u << 10)  /* unbind_extra */
#define CREPLAY (1u << 11) /* count_replay */

struct row {
	const char *rfc;
	int xprt_err;
	nfsstat4 seq;
	nfsstat4 status;
	unsigned int flags;
	enum sess_seq_action action;
	enum sess_seq_slot slot;
	enum sess_seq_recover recover;
	enum sess_seq_slot fail_slot;
	int err;	 /* FAIL */
	nfsstat4 answer; /* ANSWER */
	int sleep_ms;
	enum sess_seq_count count;
};

#define OK NFS4_OK
#define A(x) SESS_SEQ_##x
#define S(x) SESS_SEQ_SLOT_##x
#define R(x) SESS_SEQ_RECOVER_##x
#define C(x) SESS_SEQ_COUNT_##x
#define D SESS_DELAY_MIN_MS

static const struct row rows[] = {
    /* rfc, xprt, seq, status, flags, action, slot, recover, fail slot,
       err, answer, sleep, count */
    {"18.46.3 all ran", 0, OK, OK, NOTE, A(DONE), S(DONE), R(NONE), S(KEEP), 0,
     OK, 0, C(NONE)},
    {"18.46.3 an op failed: the caller's", 0, OK, NFS4ERR_NOENT, NOTE | CHANGED,
     A(DONE), S(DONE), R(NONE), S(KEEP), 0, OK, 0, C(NONE)},
    {"2.10.13 conn lost: reconnect, replay slot+seqid", -ENOTCONN, OK, OK,
     CREPLAY, A(REPLAY), S(KEEP), R(CONN), S(LOST), 0, OK, 0, C(NONE)},
    {"2.10.13 timeout: as a loss", -ETIMEDOUT, OK, OK, CREPLAY, A(REPLAY),
     S(KEEP), R(CONN), S(LOST), 0, OK, 0, C(NONE)},
    {"2.10.13 conn lost past deadline", -ENOTCONN, OK, OK, EXPIRED, A(FAIL),
     S(LOST), R(NONE), S(KEEP), -EIO, OK, 0, C(NONE)},
    {"2.10.13 conn lost in recovery: recovery's", -ENOTCONN, OK, OK, RECOV,
     A(FAIL), S(LOST), R(NONE), S(KEEP), -ENOTCONN, OK, 0, C(NONE)},
    {"2.10.5 extra lost: replay elsewhere", -ENOTCONN, OK, OK, EXTRA, A(REPLAY),
     S(KEEP), R(NONE), S(KEEP), 0, OK, 0, C(NONE)},
    {"2.10.5 extra timed out: replay elsewhere", -ETIMEDOUT, OK, OK, EXTRA,
     A(REPLAY), S(KEEP), R(NONE), S(KEEP), 0, OK, 0, C(NONE)},
    {"2.10.5 extra lost past deadline", -ENOTCONN, OK, OK, EXTRA | EXPIRED,
     A(FAIL), S(LOST), R(NONE), S(KEEP), -EIO, OK, 0, C(NONE)},
    {"malformed reply: fate unknown", -EBADMSG, OK, OK, 0, A(FAIL), S(LOST),
     R(NONE), S(KEEP), -EBADMSG, OK, 0, C(NONE)},
    {"18.46.3 OK without a SEQUENCE result", 0, OK, OK, NORES, A(FAIL), S(LOST),
     R(NONE), S(KEEP), -EBADMSG, OK, 0, C(NONE)},
    {"18.46.3 result names another slot/seqid", 0, OK, OK, ECHO_BAD, A(FAIL),
     S(LOST), R(NONE), S(KEEP), -EBADMSG, OK, 0, C(NONE)},
    {"2.10.6.2 SEQUENCE DELAY: replay slot+seqid later", 0, NFS4ERR_DELAY,
     NFS4ERR_DELAY, 0, A(REPLAY), S(KEEP), R(NONE), S(KEEP), 0, OK, D,
     C(DELAY)},
    {"2.10.6.2 SEQUENCE DELAY past deadline", 0, NFS4ERR_DELAY, NFS4ERR_DELAY,
     EXPIRED, A(FAIL), S(LOST), R(NONE), S(KEEP), -EIO, OK, 0, C(DELAY)},
    {"15.1.1.3 op DELAY, nothing changed: new seqid later", 0, OK,
     NFS4ERR_DELAY, NOTE, A(RETRY), S(DONE), R(NONE), S(KEEP), 0, OK, D,
     C(DELAY)},
    {"15.1.9.2 op GRACE, nothing changed: new seqid later", 0, OK,
     NFS4ERR_GRACE, NOTE, A(RETRY), S(DONE), R(NONE), S(KEEP), 0, OK, D,
     C(DELAY)},
    /* 4d70651: REMOVE ran, the trailing GETATTR said DELAY */
    {"15.1.1.3 op DELAY after a change: not executed twice", 0, OK,
     NFS4ERR_DELAY, NOTE | CHANGED | CACHE, A(DONE), S(DONE), R(NONE), S(KEEP),
     0, OK, 0, C(NONE)},
    {"15.1.9.2 op GRACE after a change: not executed twice", 0, OK,
     NFS4ERR_GRACE, NOTE | CHANGED, A(DONE), S(DONE), R(NONE), S(KEEP), 0, OK,
     0, C(NONE)},
    {"15.1.1.3 op DELAY past deadline: the caller's", 0, OK, NFS4ERR_DELAY,
     NOTE | EXPIRED, A(DONE), S(DONE), R(NONE), S(KEEP), 0, OK, 0, C(NONE)},
    {"2.10.6.1.3 op UNCACHED_REP, idempotent: new seqid", 0, OK,
     NFS4ERR_RETRY_UNCACHED_REP, NOTE, A(RETRY), S(DONE), R(NONE), S(KEEP), 0,
     OK, 0, C(NONE)},
    {"2.10.6.1.3 op UNCACHED_REP, cachethis: the caller's", 0, OK,
     NFS4ERR_RETRY_UNCACHED_REP, NOTE | CACHE, A(DONE), S(DONE), R(NONE),
     S(KEEP), 0, OK, 0, C(NONE)},
    {"2.10.6.1.3 SEQUENCE UNCACHED_REP, idempotent: new seqid", 0,
     NFS4ERR_RETRY_UNCACHED_REP, NFS4ERR_RETRY_UNCACHED_REP, LOGU, A(RETRY),
     S(DONE_SAME), R(NONE), S(KEEP), 0, OK, 0, C(NONE)},
    {"2.10.6.1.3 SEQUENCE UNCACHED_REP, cachethis: the caller's", 0,
     NFS4ERR_RETRY_UNCACHED_REP, NFS4ERR_RETRY_UNCACHED_REP, LOGU | CACHE,
     A(ANSWER), S(DONE_SAME), R(NONE), S(KEEP), 0, NFS4ERR_RETRY_UNCACHED_REP,
     0, C(NONE)},
    {"2.10.13 BADSESSION: new session, new slot", 0, NFS4ERR_BADSESSION,
     NFS4ERR_BADSESSION, 0, A(RETRY), S(DROP), R(SESSION), S(KEEP), 0, OK, 0,
     C(NONE)},
    {"2.10.13 DEADSESSION: new session, new slot", 0, NFS4ERR_DEADSESSION,
     NFS4ERR_DEADSESSION, 0, A(RETRY), S(DROP), R(SESSION), S(KEEP), 0, OK, 0,
     C(NONE)},
    {"2.10.13 BADSESSION without results", 0, NFS4ERR_BADSESSION,
     NFS4ERR_BADSESSION, NORES, A(RETRY), S(DROP), R(SESSION), S(KEEP), 0, OK,
     0, C(NONE)},
    {"8.4 STALE_CLIENTID: new client id", 0, NFS4ERR_STALE_CLIENTID,
     NFS4ERR_STALE_CLIENTID, 0, A(RETRY), S(DROP), R(CLIENTID), S(KEEP), 0, OK,
     0, C(NONE)},
    {"2.10.13 BADSESSION in recovery: recovery's", 0, NFS4ERR_BADSESSION,
     NFS4ERR_BADSESSION, RECOV, A(ANSWER), S(DROP), R(NONE), S(KEEP), 0,
     NFS4ERR_BADSESSION, 0, C(NONE)},
    {"18.34 not bound, extra: elsewhere, slot+seqid", 0,
     NFS4ERR_CONN_NOT_BOUND_TO_SESSION, NFS4ERR_CONN_NOT_BOUND_TO_SESSION,
     EXTRA | UNBIND, A(REPLAY), S(KEEP), R(NONE), S(KEEP), 0, OK, 0, C(NONE)},
    {"18.34 not bound, first: rebind, slot+seqid", 0,
     NFS4ERR_CONN_NOT_BOUND_TO_SESSION, NFS4ERR_CONN_NOT_BOUND_TO_SESSION, 0,
     A(REPLAY), S(KEEP), R(REBIND), S(UNSENT), 0, OK, 0, C(NONE)},
    {"18.34 not bound in recovery: recovery's", 0,
     NFS4ERR_CONN_NOT_BOUND_TO_SESSION, NFS4ERR_CONN_NOT_BOUND_TO_SESSION,
     RECOV, A(ANSWER), S(UNSENT), R(NONE), S(KEEP), 0,
     NFS4ERR_CONN_NOT_BOUND_TO_SESSION, 0, C(NONE)},
    {"2.10.6.1.2 SEQ_MISORDERED: slot table, maybe reset", 0,
     NFS4ERR_SEQ_MISORDERED, NFS4ERR_SEQ_MISORDERED, 0, A(RETRY), S(MISORDERED),
     R(RESET_IF_RETIRED), S(KEEP), 0, OK, 0, C(MISORDERED)},
    {"2.10.6.1.2 BADSLOT: lower the limit", 0, NFS4ERR_BADSLOT, NFS4ERR_BADSLOT,
     0, A(RETRY), S(BADSLOT), R(RESET_IF_RETIRED), S(KEEP), 0, OK, 0,
     C(BADSLOT)},
    {"2.10.6.2 SEQ_FALSE_RETRY: retire the slot", 0, NFS4ERR_SEQ_FALSE_RETRY,
     NFS4ERR_SEQ_FALSE_RETRY, 0, A(RETRY), S(LOST), R(RESET_IF_RETIRED),
     S(KEEP), 0, OK, 0, C(FALSE_RETRY)},
    {"2.10.6.1.2 SEQ_MISORDERED in recovery: no reset", 0,
     NFS4ERR_SEQ_MISORDERED, NFS4ERR_SEQ_MISORDERED, RECOV, A(RETRY),
     S(MISORDERED), R(NONE), S(KEEP), 0, OK, 0, C(MISORDERED)},
    {"2.10.6.1.2 SEQ_MISORDERED past deadline", 0, NFS4ERR_SEQ_MISORDERED,
     NFS4ERR_SEQ_MISORDERED, EXPIRED, A(FAIL), S(MISORDERED), R(NONE), S(KEEP),
     -EIO, OK, 0, C(MISORDERED)},
    /* past the deadline nothing is sent again, whatever the server says */
    {"2.10.6.1.3 op UNCACHED_REP past deadline: the caller's", 0, OK,
     NFS4ERR_RETRY_UNCACHED_REP, NOTE | EXPIRED, A(DONE), S(DONE), R(NONE),
     S(KEEP), 0, OK, 0, C(NONE)},
    {"2.10.6.1.3 SEQUENCE UNCACHED_REP past deadline: the caller's", 0,
     NFS4ERR_RETRY_UNCACHED_REP, NFS4ERR_RETRY_UNCACHED_REP, LOGU | EXPIRED,
     A(ANSWER), S(DONE_SAME), R(NONE), S(KEEP), 0, NFS4ERR_RETRY_UNCACHED_REP,
     0, C(NONE)},
    {"2.10.13 BADSESSION past deadline: slot back unsent", 0,
     NFS4ERR_BADSESSION, NFS4ERR_BADSESSION, EXPIRED, A(FAIL), S(UNSENT),
     R(NONE), S(KEEP), -EIO, OK, 0, C(NONE)},
    {"8.4 STALE_CLIENTID past deadline: slot back unsent", 0,
     NFS4ERR_STALE_CLIENTID, NFS4ERR_STALE_CLIENTID, EXPIRED, A(FAIL),
     S(UNSENT), R(NONE), S(KEEP), -EIO, OK, 0, C(NONE)},
    {"18.34 not bound, extra, past deadline", 0,
     NFS4ERR_CONN_NOT_BOUND_TO_SESSION, NFS4ERR_CONN_NOT_BOUND_TO_SESSION,
     EXTRA | UNBIND | EXPIRED, A(FAIL), S(UNSENT), R(NONE), S(KEEP), -EIO, OK,
     0, C(NONE)},
    {"18.34 not bound, first, past deadline", 0,
     NFS4ERR_CONN_NOT_BOUND_TO_SESSION, NFS4ERR_CONN_NOT_BOUND_TO_SESSION,
     EXPIRED, A(FAIL), S(UNSENT), R(NONE), S(KEEP), -EIO, OK, 0, C(NONE)},
    {"18.46.3 other SEQUENCE error: the caller's", 0, NFS4ERR_REP_TOO_BIG,
     NFS4ERR_REP_TOO_BIG, 0, A(ANSWER), S(UNSENT), R(NONE), S(KEEP), 0,
     NFS4ERR_REP_TOO_BIG, 0, C(NONE)},
    /* issue #17: siw could not register a WRITE's payload (memlock) */
    {"transport out of memory: wait, resend slot+seqid", -ENOMEM, OK, OK, 0,
     A(REPLAY), S(KEEP), R(NONE), S(KEEP), 0, OK, D, C(XPRT_WAIT)},
    {"send queue full: wait, resend slot+seqid", -ENOBUFS, OK, OK, 0, A(REPLAY),
     S(KEEP), R(NONE), S(KEEP), 0, OK, D, C(XPRT_WAIT)},
    {"transport out of memory past deadline", -ENOMEM, OK, OK, EXPIRED, A(FAIL),
     S(LOST), R(NONE), S(KEEP), -ENOMEM, OK, 0, C(NONE)},
    {"transport out of memory in recovery: recovery's", -ENOMEM, OK, OK, RECOV,
     A(FAIL), S(LOST), R(NONE), S(KEEP), -ENOMEM, OK, 0, C(NONE)},
    {"call too large for the encoder: no wait cures it", -ENOSPC, OK, OK, 0,
     A(FAIL), S(LOST), R(NONE), S(KEEP), -ENOSPC, OK, 0, C(NONE)},
    {"2.10.13 conn reset: as a loss", -ECONNRESET, OK, OK, CREPLAY, A(REPLAY),
     S(KEEP), R(CONN), S(LOST), 0, OK, 0, C(NONE)},
    {"2.10.13 conn aborted: as a loss", -ECONNABORTED, OK, OK, CREPLAY,
     A(REPLAY), S(KEEP), R(CONN), S(LOST), 0, OK, 0, C(NONE)},
};

static void fill_in(const struct row *r, struct sess_seq_in *in)
{
	memset(in, 0, sizeof(*in));
	in->xprt_err = r->xprt_err;
	in->on_extra = r->flags & EXTRA;
	in->nres = (r->flags & NORES) || r->xprt_err ? 0 : 3;
	in->seq_status = r->seq;
	in->echo_ok = r->seq == NFS4_OK && !(r->flags & ECHO_BAD);
	in->status = r->status;
	in->change_ran = r->flags & CHANGED;
	in->in_recovery = r->flags & RECOV;
	in->cachethis = r->flags & CACHE;
	in->deadline.tv_sec = 100;
	in->now.tv_sec = r->flags & EXPIRED ? 100 : 99;
	in->delay_ms = SESS_DELAY_MIN_MS;
}

static void test_table(void)
{
	struct sess_seq_in in;
	struct sess_seq_out out;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		unsigned int before = gr_checks_failed;

		fill_in(r, &in);
		sess_seq_decide(&in, &out);
		CHECK(out.action == r->action);
		CHECK(out.slot == r->slot);
		CHECK(out.recover == r->recover);
		CHECK(out.recover_fail_slot == r->fail_slot);
		CHECK(out.action != SESS_SEQ_FAIL || out.err == r->err);
		CHECK(out.action != SESS_SEQ_ANSWER || out.status == r->answer);
		CHECK(out.sleep_ms == r->sleep_ms);
		CHECK(out.next_delay_ms ==
		      (r->sleep_ms ? 2 * r->sleep_ms : in.delay_ms));
		CHECK(out.count == r->count);
		CHECK(out.note_ok == !!(r->flags & NOTE));
		CHECK(out.log_uncached == !!(r->flags & LOGU));
		CHECK(out.unbind_extra == !!(r->flags & UNBIND));
		CHECK(out.count_replay == !!(r->flags & CREPLAY));
		if (gr_checks_failed != before)
			fprintf(stderr, "  row %zu (RFC 8881 %s): got %s\n", i,
				r->rfc, sess_seq_action_name(out.action));
	}
}

static void test_change_ran(void)
{
	nfs_argop4 a[4];

	memset(a, 0, sizeof(a));
	a[0].argop = NFS4_OP_SEQUENCE;
	a[1].argop = NFS4_OP_PUTFH;
	a[2].argop = NFS4_OP_REMOVE;
	a[3].argop = NFS4_OP_GETATTR;
	/* GETATTR answered last: REMOVE ran */
	CHECK(sess_seq_change_ran(a, 4));
	/* REMOVE answered last (its own error): nothing before it changed */
	CHECK(!sess_seq_change_ran(a, 3));
	CHECK(!sess_seq_change_ran(a, 1));
	CHECK(!sess_seq_change_ran(a, 0));
	a[2].argop = NFS4_OP_LOOKUP;
	CHECK(!sess_seq_change_ran(a, 4));
	a[2].argop = NFS4_OP_WRITE;
	CHECK(sess_seq_change_ran(a, 4));
}

/*
 * NFS4ERR_DELAY back-off: doubles from SESS_DELAY_MIN_MS and never waits
 * longer than SESS_DELAY_MAX_MS.
 */
static void test_backoff(void)
{
	struct sess_seq_in in;
	struct sess_seq_out out;
	int i, expect = SESS_DELAY_MIN_MS;

	fill_in(&rows[12], &in); /* SEQUENCE DELAY: replay later */
	CHECK(in.seq_status == NFS4ERR_DELAY);
	for (i = 0; i < 12; i++) {
		sess_seq_decide(&in, &out);
		CHECK(out.action == SESS_SEQ_REPLAY);
		CHECK(out.sleep_ms == expect);
		CHECK(out.sleep_ms <= SESS_DELAY_MAX_MS);
		CHECK(out.next_delay_ms <= SESS_DELAY_MAX_MS);
		expect = 2 * expect < SESS_DELAY_MAX_MS ? 2 * expect
							: SESS_DELAY_MAX_MS;
		in.delay_ms = out.next_delay_ms;
	}
	CHECK(in.delay_ms == SESS_DELAY_MAX_MS);
}

/*
 * The model: one request (a change when @change, cachethis as the caller
 * set it) against a server with one slot and a reply cache.  Each attempt
 * the server model picks a fault; the decision's output is checked and
 * applied (same seqid on REPLAY, a new one otherwise; a new session and an
 * empty reply cache after session recovery).
 */
enum srv_slot {
	SRV_NEW,      /* this seqid not seen */
	SRV_RUNNING,  /* seen, still running (its reply was lost) */
	SRV_CACHED,   /* ran, reply cached */
	SRV_UNCACHED, /* ran, reply not kept (cachethis false) */
};

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

struct model {
	bool change, cachethis;
	int runs;     /* times the change ran on the server */
	bool excused; /* the server lost a reply cache holding a run */
	enum srv_slot slot;
	bool replay; /* this attempt reuses the last slot and seqid */
	bool on_extra;
};

/* RFC 8881 2.10.6.2: a replay of a seqid the server saw. */
static void answer_replay(struct model *m, struct sess_seq_in *in)
{
	if (m->slot == SRV_RUNNING) {
		in->seq_status = NFS4ERR_DELAY; /* done by the next one */
		m->slot = m->cachethis ? SRV_CACHED : SRV_UNCACHED;
	} else if (m->slot == SRV_UNCACHED) {
		in->seq_status = NFS4ERR_RETRY_UNCACHED_REP;
	}
	/* SRV_CACHED: the cached reply, nothing runs */
}

/* The server side of one attempt: fills @in as the loop would. */
static void serve(struct model *m, unsigned int *seed, struct sess_seq_in *in)
{
	unsigned int f = rnd(seed) % 12;
	bool run_now = !m->replay || m->slot == SRV_NEW;

	in->xprt_err = 0;
	in->nres = 3;
	in->seq_status = NFS4_OK;
	in->echo_ok = true;
	in->status = NFS4_OK;
	in->change_ran = false;
	in->on_extra = m->on_extra;
	in->cachethis = m->cachethis;
	if (!m->replay)
		m->slot = SRV_NEW;
	switch (f) {
	case 0: /* lost before the server saw it */
		in->xprt_err = rnd(seed) % 2 ? -ENOTCONN : -ETIMEDOUT;
		break;
	case 1: /* ran, reply lost */
	case 2: /* still running when the connection went */
		if (run_now) {
			m->runs += m->change;
			m->slot = f == 2	 ? SRV_RUNNING
				  : m->cachethis ? SRV_CACHED
						 : SRV_UNCACHED;
		}
		in->xprt_err = -ENOTCONN;
		break;
	case 3: /* an operation after a change answers DELAY */
		if (run_now && m->change) {
			m->runs++;
			m->slot = m->cachethis ? SRV_CACHED : SRV_UNCACHED;
			in->status = NFS4ERR_DELAY;
			in->change_ran = true;
			break;
		}
		/* fall through */
	case 4: /* the first operation answers DELAY: nothing ran */
		if (run_now) {
			m->slot = m->cachethis ? SRV_CACHED : SRV_UNCACHED;
			in->status =
			    rnd(seed) % 2 ? NFS4ERR_DELAY : NFS4ERR_GRACE;
			break;
		}
		/* fall through - a replay is answered below */
	default:
		if (!run_now) {
			answer_replay(m, in);
			break;
		}
		m->runs += m->change;
		m->slot = m->cachethis ? SRV_CACHED : SRV_UNCACHED;
		break;
	case 5: /* session lost: nothing ran now, the cache is gone */
		if (m->replay && m->slot != SRV_NEW && m->change)
			m->excused = true;
		in->seq_status = rnd(seed) % 3 == 0 ? NFS4ERR_STALE_CLIENTID
						    : NFS4ERR_BADSESSION;
		break;
	case 6: /* the slot's seqid disagrees: nothing ran */
		if (!run_now) {
			answer_replay(m, in); /* a seqid it saw: never */
			break;
		}
		in->seq_status =
		    (nfsstat4[]){NFS4ERR_SEQ_MISORDERED, NFS4ERR_BADSLOT,
				 NFS4ERR_SEQ_FALSE_RETRY}[rnd(seed) % 3];
		break;
	case 7: /* not bound: nothing ran */
		in->seq_status = NFS4ERR_CONN_NOT_BOUND_TO_SESSION;
		break;
	}
	if (in->xprt_err)
		in->nres = 0;
	else if (in->seq_status != NFS4_OK)
		in->status = in->seq_status;
}

static void test_random(void)
{
	const char *env = getenv("SESS_SEQ_SEED");
	unsigned int seed =
	    env ? (unsigned int)strtoul(env, NULL, 0) : 20261206u;
	unsigned int start = seed, k, step;
	struct sess_seq_in in;
	struct sess_seq_out out;
	unsigned int ends[SESS_SEQ_RETRY + 1] = {0};

	printf("test_seq: random seed %u (SESS_SEQ_SEED)\n", start);
	for (k = 0; k < 20000 && gr_checks_failed < 10; k++) {
		struct model m = {.change = rnd(&seed) % 4 != 0,
				  .cachethis = rnd(&seed) % 4 != 0};
		bool done = false;
		unsigned int expire_at = 1 + rnd(&seed) % 12;

		memset(&in, 0, sizeof(in));
		in.delay_ms = SESS_DELAY_MIN_MS;
		in.deadline.tv_sec = 100;
		in.in_recovery = rnd(&seed) % 8 == 0;
		for (step = 0; step < 64 && !done; step++) {
			m.on_extra = !in.in_recovery && rnd(&seed) % 3 == 0;
			in.now.tv_sec = step < expire_at ? 99 : 100;
			serve(&m, &seed, &in);
			sess_seq_decide(&in, &out);
			in.delay_ms = out.next_delay_ms;
			/* a replay keeps its claim, a retry never does */
			CHECK(out.action != SESS_SEQ_REPLAY ||
			      out.slot == SESS_SEQ_SLOT_KEEP);
			CHECK(out.action != SESS_SEQ_RETRY ||
			      out.slot != SESS_SEQ_SLOT_KEEP);
			/* an end settles the slot unless recovery may */
			CHECK(out.action == SESS_SEQ_REPLAY ||
			      out.action == SESS_SEQ_RETRY ||
			      out.slot != SESS_SEQ_SLOT_KEEP);
			/* a kept slot given to recovery is settled if it fails
			 */
			CHECK(out.recover == SESS_SEQ_RECOVER_NONE ||
			      out.slot != SESS_SEQ_SLOT_KEEP ||
			      out.recover_fail_slot != SESS_SEQ_SLOT_KEEP);
			/* recovery steps never recover recursively */
			CHECK(!in.in_recovery ||
			      out.recover == SESS_SEQ_RECOVER_NONE);
			CHECK(out.sleep_ms >= 0 && out.next_delay_ms > 0);
			CHECK(out.sleep_ms <= SESS_DELAY_MAX_MS &&
			      out.next_delay_ms <= SESS_DELAY_MAX_MS);
			/*
			 * past the deadline every attempt is the last: a
			 * server cannot keep the caller looping
			 */
			CHECK(in.now.tv_sec < in.deadline.tv_sec ||
			      out.action == SESS_SEQ_DONE ||
			      out.action == SESS_SEQ_ANSWER ||
			      out.action == SESS_SEQ_FAIL);
			/* exactly once while the server keeps its cache */
			CHECK(m.runs <= 1 || !m.cachethis || m.excused);
			if (out.action == SESS_SEQ_DONE) {
				CHECK(out.slot == SESS_SEQ_SLOT_DONE);
				CHECK(!m.change || m.runs >= 1 ||
				      in.status != NFS4_OK);
			}
			switch (out.action) {
			case SESS_SEQ_DONE:
			case SESS_SEQ_ANSWER:
			case SESS_SEQ_FAIL:
				done = true;
				break;
			case SESS_SEQ_REPLAY:
				/*
				 * The loop replays unless recovery replaced
				 * the session (then a new slot: as a retry).
				 */
				m.replay = true;
				if (out.recover == SESS_SEQ_RECOVER_CONN &&
				    rnd(&seed) % 8 == 0) {
					if (m.slot != SRV_NEW && m.change)
						m.excused = true;
					m.replay = false;
				}
				break;
			case SESS_SEQ_RETRY:
				m.replay = false;
				break;
			}
			ends[out.action]++;
		}
		CHECK(done); /* at the latest by the deadline */
	}
	/* every action was reached */
	for (k = 0; k <= SESS_SEQ_RETRY; k++) {
		CHECK(ends[k] > 0);
		printf("test_seq: %-6s %u\n",
		       sess_seq_action_name((enum sess_seq_action)k), ends[k]);
	}
}

int main(void)
{
	test_table();
	test_change_ran();
	test_backoff();
	test_random();
	return gr_check_done("test_seq");
}
