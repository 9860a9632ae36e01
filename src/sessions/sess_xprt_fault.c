/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The fault-injecting test transport (see sess_xprt_fault.h for the
 * faults).  How it works: call() counts the call and decides under fx_lock
 * which faults it carries, then lends the caller's struct sess_xprt_call
 * to the inner transport with the encoder and decoder swapped for its own
 * (restored before it returns):
 * - the encoder runs the caller's and then patches the encoded COMPOUND in
 *   place: the first operation's arguments sit at a fixed offset after the
 *   tag, the minor version and the operation count (RFC 8881 section
 *   16.2), so a SEQUENCE's sa_sequenceid or a CREATE_SESSION's csa_flags
 *   are one word to rewrite.  Anything that does not parse as expected is
 *   left alone;
 * - for a call whose reply is to be lost the decoder does nothing, so
 *   nothing of the reply reaches the caller; once the inner call is back
 *   the connection is dropped and the call reported as -ENOTCONN.
 * The inner transport does all I/O; this file has no thread of its own and
 * one lock (fx_lock, a leaf: never held across a call into @inner).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sess_xprt_fault.h"

/* Protocol numbers (RFC 5531, RFC 8881 sections 16.2 and 18). */
#define FX_NFS_PROGRAM 100003u
#define FX_NFSPROC4_COMPOUND 1u
#define FX_OP_CREATE_SESSION 43u
#define FX_OP_SEQUENCE 53u
#define FX_CONN_BACK_CHAN 0x2u /* CREATE_SESSION4_FLAG_CONN_BACK_CHAN */
/* Offsets into the first operation's arguments. */
#define FX_SEQ_SEQID_OFF 16u /* after sa_sessionid */
#define FX_SEQ_SLOTID_OFF 20u
#define FX_CS_FLAGS_OFF 12u /* after csa_clientid, csa_sequence */

struct fault_xprt {
	struct sess_xprt fx_base;
	struct sess_xprt *fx_inner;
	pthread_mutex_t fx_lock; /* everything below; a leaf */
	struct sess_xprt_fault_opts fx_opts;
	bool fx_drop_next;
	bool fx_skew_armed;
	uint32_t fx_skew_slot;
	uint32_t fx_skew_delta;
	struct timespec fx_refuse_until; /* CLOCK_MONOTONIC; 0: none */
	struct timespec fx_drop_at;	 /* drop_conn_at_ms from the wrap */
	struct sess_xprt_fault_stats fx_stats;
};

/* @ms from now on CLOCK_MONOTONIC. */
static void ms_from_now(struct timespec *t, uint32_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool reached(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* The wrapper dropped the connection: refuse connects for a while. */
static void refuse_from_now_locked(struct fault_xprt *fx)
{
	if (fx->fx_opts.refuse_connect_ms)
		ms_from_now(&fx->fx_refuse_until,
			    fx->fx_opts.refuse_connect_ms);
}

/* One call through the wrapper: the caller's codec, and its fate. */
struct fault_call {
	struct fault_xprt *fc_fx;
	sess_encode_fn fc_encode;
	void *fc_encode_arg;
	sess_decode_fn fc_decode;
	void *fc_decode_arg;
	bool fc_compound;
	bool fc_lose_reply;
};

static struct fault_xprt *to_fault(struct sess_xprt *x)
{
	return (struct fault_xprt *)x;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t be;

	memcpy(&be, p, 4);
	return ntohl(be);
}

static void put32(uint8_t *p, uint32_t v)
{
	uint32_t be = htonl(v);

	memcpy(p, &be, 4);
}

/*
 * Where the first operation of the COMPOUND in [buf, buf + len) starts
 * (its opnum), or -1 when the arguments are too short to hold one.
 */
static long first_op(const uint8_t *buf, size_t len)
{
	uint64_t taglen, off;

	if (len < 4)
		return -1;
	taglen = get32(buf);
	off = 4 + ((taglen + 3) & ~3ull) + 4 + 4; /* tag, minor, count */
	if (off + 4 > len || get32(buf + off - 4) == 0)
		return -1;
	return (long)off;
}

/* Rewrite what the armed faults ask for; fx_lock held. */
static void rewrite_locked(struct fault_xprt *fx, uint8_t *buf, size_t len)
{
	long op = first_op(buf, len);
	uint8_t *a;

	if (op < 0)
		return;
	a = buf + op + 4;
	switch (get32(buf + op)) {
	case FX_OP_SEQUENCE:
		if (!fx->fx_skew_armed ||
		    (size_t)op + 4 + FX_SEQ_SLOTID_OFF + 4 > len ||
		    get32(a + FX_SEQ_SLOTID_OFF) != fx->fx_skew_slot)
			return;
		put32(a + FX_SEQ_SEQID_OFF,
		      get32(a + FX_SEQ_SEQID_OFF) + fx->fx_skew_delta);
		fx->fx_skew_armed = false;
		fx->fx_stats.fs_seqids_skewed++;
		break;
	case FX_OP_CREATE_SESSION:
		if (!fx->fx_opts.no_back_chan ||
		    (size_t)op + 4 + FX_CS_FLAGS_OFF + 4 > len)
			return;
		put32(a + FX_CS_FLAGS_OFF,
		      get32(a + FX_CS_FLAGS_OFF) & ~FX_CONN_BACK_CHAN);
		fx->fx_opts.no_back_chan = false;
		fx->fx_stats.fs_back_chans_cleared++;
		break;
	}
}

static int fault_encode(void *arg, uint8_t *buf, size_t cap)
{
	struct fault_call *fc = arg;
	struct fault_xprt *fx = fc->fc_fx;
	int len = fc->fc_encode(fc->fc_encode_arg, buf, cap);

	if (len > 0 && fc->fc_compound) {
		pthread_mutex_lock(&fx->fx_lock);
		rewrite_locked(fx, buf, (size_t)len);
		pthread_mutex_unlock(&fx->fx_lock);
	}
	return len;
}

static int fault_decode(void *arg, const uint8_t *buf, size_t len,
			struct sess_xprt_call *call)
{
	struct fault_call *fc = arg;

	if (fc->fc_lose_reply)
		return 0; /* nothing of a lost reply reaches the caller */
	return fc->fc_decode(fc->fc_decode_arg, buf, len, call);
}

static int fault_call(struct sess_xprt *x, struct sess_xprt_call *c)
{
	struct fault_xprt *fx = to_fault(x);
	struct sess_xprt *in = fx->fx_inner;
	struct fault_call fc = {
	    .fc_fx = fx,
	    .fc_encode = c->tc_encode,
	    .fc_encode_arg = c->tc_encode_arg,
	    .fc_decode = c->tc_decode,
	    .fc_decode_arg = c->tc_decode_arg,
	    .fc_compound = c->tc_prog == FX_NFS_PROGRAM &&
			   c->tc_proc == FX_NFSPROC4_COMPOUND,
	};
	bool drop_conn;
	uint64_t n;
	int ret;

	pthread_mutex_lock(&fx->fx_lock);
	n = ++fx->fx_stats.fs_calls;
	fc.fc_lose_reply =
	    fx->fx_drop_next || n == fx->fx_opts.drop_reply_after;
	fx->fx_drop_next = false;
	drop_conn = n == fx->fx_opts.drop_conn_after;
	if (fx->fx_opts.drop_conn_at_ms && reached(&fx->fx_drop_at)) {
		fx->fx_opts.drop_conn_at_ms = 0; /* once */
		drop_conn = true;
	}
	if (drop_conn) {
		fx->fx_stats.fs_conns_dropped++;
		refuse_from_now_locked(fx);
	}
	pthread_mutex_unlock(&fx->fx_lock);

	if (drop_conn) /* fails this call and those in flight with it */
		in->x_ops->disconnect(in);
	c->tc_encode = fault_encode;
	c->tc_encode_arg = &fc;
	c->tc_decode = fault_decode;
	c->tc_decode_arg = &fc;
	ret = in->x_ops->call(in, c);
	c->tc_encode = fc.fc_encode;
	c->tc_encode_arg = fc.fc_encode_arg;
	c->tc_decode = fc.fc_decode;
	c->tc_decode_arg = fc.fc_decode_arg;

	/* No reply came (lost already, timed out): nothing left to lose. */
	if (!fc.fc_lose_reply || ret == -ENOTCONN || ret == -ETIMEDOUT)
		return ret;
	c->tc_bulk_in_placed = false;
	c->tc_bulk_in_placed_len = 0;
	pthread_mutex_lock(&fx->fx_lock);
	fx->fx_stats.fs_replies_dropped++;
	fx->fx_stats.fs_conns_dropped++;
	refuse_from_now_locked(fx);
	pthread_mutex_unlock(&fx->fx_lock);
	in->x_ops->disconnect(in);
	return -ENOTCONN;
}

static int fault_connect(struct sess_xprt *x)
{
	struct fault_xprt *fx = to_fault(x);
	struct sess_xprt *in = fx->fx_inner;
	bool refuse;

	pthread_mutex_lock(&fx->fx_lock);
	refuse = !reached(&fx->fx_refuse_until);
	if (refuse)
		fx->fx_stats.fs_connects_refused++;
	pthread_mutex_unlock(&fx->fx_lock);
	if (refuse)
		return -ECONNREFUSED;
	return in->x_ops->connect(in);
}

static void fault_disconnect(struct sess_xprt *x)
{
	struct sess_xprt *in = to_fault(x)->fx_inner;

	in->x_ops->disconnect(in);
}

static void fault_set_cb_handler(struct sess_xprt *x, sess_cb_handler_fn fn,
				 void *ctx)
{
	struct sess_xprt *in = to_fault(x)->fx_inner;

	in->x_ops->set_cb_handler(in, fn, ctx);
}

static void fault_get_stats(struct sess_xprt *x, struct sess_xprt_stats *st)
{
	struct sess_xprt *in = to_fault(x)->fx_inner;

	in->x_ops->get_stats(in, st);
}

static void fault_destroy(struct sess_xprt *x)
{
	struct fault_xprt *fx = to_fault(x);

	fx->fx_inner->x_ops->destroy(fx->fx_inner);
	pthread_mutex_destroy(&fx->fx_lock);
	free(fx);
}

static const struct sess_xprt_ops fault_ops = {
    .name = "fault",
    .call = fault_call,
    .connect = fault_connect,
    .disconnect = fault_disconnect,
    .set_cb_handler = fault_set_cb_handler,
    .get_stats = fault_get_stats,
    .destroy = fault_destroy,
};

struct sess_xprt *sess_xprt_fault_wrap(struct sess_xprt *inner,
				       const struct sess_xprt_fault_opts *opts)
{
	struct fault_xprt *fx;

	if (!inner) {
		errno = EINVAL;
		return NULL;
	}
	fx = calloc(1, sizeof(*fx));
	if (!fx) {
		errno = ENOMEM;
		return NULL;
	}
	/* The session layer reads these fields: they are the inner's. */
	fx->fx_base = *inner;
	fx->fx_base.x_ops = &fault_ops;
	fx->fx_inner = inner;
	if (opts)
		fx->fx_opts = *opts;
	ms_from_now(&fx->fx_drop_at, fx->fx_opts.drop_conn_at_ms);
	pthread_mutex_init(&fx->fx_lock, NULL);
	return &fx->fx_base;
}

void sess_xprt_fault_drop_next(struct sess_xprt *x)
{
	struct fault_xprt *fx = to_fault(x);

	pthread_mutex_lock(&fx->fx_lock);
	fx->fx_drop_next = true;
	pthread_mutex_unlock(&fx->fx_lock);
}

void sess_xprt_fault_drop_conn_in(struct sess_xprt *x, uint64_t n)
{
	struct fault_xprt *fx = to_fault(x);

	pthread_mutex_lock(&fx->fx_lock);
	fx->fx_opts.drop_conn_after = n ? fx->fx_stats.fs_calls + n : 0;
	pthread_mutex_unlock(&fx->fx_lock);
}

void sess_xprt_fault_drop_reply_in(struct sess_xprt *x, uint64_t n)
{
	struct fault_xprt *fx = to_fault(x);

	pthread_mutex_lock(&fx->fx_lock);
	fx->fx_opts.drop_reply_after = n ? fx->fx_stats.fs_calls + n : 0;
	pthread_mutex_unlock(&fx->fx_lock);
}

int sess_xprt_fault_skew_seqid(struct sess_xprt *x, uint32_t slotid,
			       uint32_t delta)
{
	struct fault_xprt *fx = to_fault(x);

	if (!delta)
		return -EINVAL;
	pthread_mutex_lock(&fx->fx_lock);
	fx->fx_skew_armed = true;
	fx->fx_skew_slot = slotid;
	fx->fx_skew_delta = delta;
	pthread_mutex_unlock(&fx->fx_lock);
	return 0;
}

void sess_xprt_fault_get(struct sess_xprt *x, struct sess_xprt_fault_stats *st)
{
	struct fault_xprt *fx = to_fault(x);

	pthread_mutex_lock(&fx->fx_lock);
	*st = fx->fx_stats;
	pthread_mutex_unlock(&fx->fx_lock);
}
