/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of the fault-injecting test transport (src/sessions/
 * sess_xprt_fault.c) over a stub inner transport that records what was
 * encoded and runs the decoder on a canned reply: calls pass through
 * untouched; a lost reply is never decoded, fails -ENOTCONN and drops the
 * connection; a connection loss (at a call count or a time) fails the call
 * it starts with; a skewed seqid and a cleared back-channel flag change
 * exactly one word of one COMPOUND; each fault fires once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gr_check.h"
#include "sess_xprt_fault.h"

struct stub {
	struct sess_xprt st_base;
	bool st_connected;
	bool st_destroyed;
	unsigned int st_disconnects;
	unsigned int st_calls;
	uint8_t st_sent[512];
	int st_sent_len;
};

static struct stub *to_stub(struct sess_xprt *x)
{
	return (struct stub *)x;
}

static int stub_call(struct sess_xprt *x, struct sess_xprt_call *c)
{
	static const uint8_t reply[8] = {1, 2, 3, 4};
	struct stub *s = to_stub(x);

	if (!s->st_connected)
		return -ENOTCONN;
	s->st_calls++;
	s->st_sent_len =
	    c->tc_encode(c->tc_encode_arg, s->st_sent, sizeof(s->st_sent));
	if (s->st_sent_len < 0)
		return s->st_sent_len;
	return c->tc_decode(c->tc_decode_arg, reply, sizeof(reply), c);
}

static int stub_connect(struct sess_xprt *x)
{
	to_stub(x)->st_connected = true;
	return 0;
}

static void stub_disconnect(struct sess_xprt *x)
{
	to_stub(x)->st_connected = false;
	to_stub(x)->st_disconnects++;
}

static void stub_set_cb(struct sess_xprt *x, sess_cb_handler_fn fn, void *ctx)
{
	(void)x;
	(void)fn;
	(void)ctx;
}

static void stub_stats(struct sess_xprt *x, struct sess_xprt_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->xt_calls = to_stub(x)->st_calls;
}

static void stub_destroy(struct sess_xprt *x)
{
	to_stub(x)->st_destroyed = true;
}

static const struct sess_xprt_ops stub_ops = {
    .name = "stub",
    .call = stub_call,
    .connect = stub_connect,
    .disconnect = stub_disconnect,
    .set_cb_handler = stub_set_cb,
    .get_stats = stub_stats,
    .destroy = stub_destroy,
};

/* What the caller encodes: raw words, and whether its decoder ran. */
struct msg {
	uint32_t m_words[32];
	int m_nwords;
	unsigned int m_decoded;
};

static int msg_encode(void *arg, uint8_t *buf, size_t cap)
{
	struct msg *m = arg;
	int i;

	if (cap < (size_t)m->m_nwords * 4)
		return -ENOSPC;
	for (i = 0; i < m->m_nwords; i++) {
		uint32_t be = htonl(m->m_words[i]);

		memcpy(buf + 4 * i, &be, 4);
	}
	return m->m_nwords * 4;
}

static int msg_decode(void *arg, const uint8_t *buf, size_t len,
		      struct sess_xprt_call *call)
{
	struct msg *m = arg;

	(void)buf;
	(void)len;
	(void)call;
	m->m_decoded++;
	return 0;
}

static uint32_t word(const struct stub *s, int i)
{
	uint32_t be;

	memcpy(&be, s->st_sent + 4 * i, 4);
	return ntohl(be);
}

/* COMPOUND: empty tag, minor 1, 2 ops: SEQUENCE(slot, seqid), PUTROOTFH. */
static void sequence_msg(struct msg *m, uint32_t slot, uint32_t seqid)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->m_words[0] = 0;  /* tag */
	m->m_words[1] = 1;  /* minor version */
	m->m_words[2] = 2;  /* ops */
	m->m_words[3] = 53; /* OP_SEQUENCE */
	for (i = 4; i < 8; i++)
		m->m_words[i] = 0xa0a0a0a0u; /* session id */
	m->m_words[8] = seqid;
	m->m_words[9] = slot;
	m->m_words[10] = 7;  /* highest slot */
	m->m_words[11] = 0;  /* cachethis */
	m->m_words[12] = 24; /* OP_PUTROOTFH */
	m->m_nwords = 13;
}

/* COMPOUND with a 5-byte tag and CREATE_SESSION(flags). */
static void create_session_msg(struct msg *m, uint32_t flags)
{
	memset(m, 0, sizeof(*m));
	m->m_words[0] = 5;	     /* tag length */
	m->m_words[1] = 0x74616731u; /* "tag1" */
	m->m_words[2] = 0x21000000u; /* "!" + pad */
	m->m_words[3] = 1;
	m->m_words[4] = 1;
	m->m_words[5] = 43;	     /* OP_CREATE_SESSION */
	m->m_words[6] = 0x11111111u; /* client id */
	m->m_words[7] = 0x22222222u;
	m->m_words[8] = 9; /* csa_sequence */
	m->m_words[9] = flags;
	m->m_words[10] = 0x33333333u; /* the rest of the arguments */
	m->m_nwords = 11;
}

static int do_call(struct sess_xprt *x, struct msg *m, uint32_t prog,
		   uint32_t proc)
{
	struct sess_xprt_call c = {
	    .tc_prog = prog,
	    .tc_vers = 4,
	    .tc_proc = proc,
	    .tc_encode = msg_encode,
	    .tc_encode_arg = m,
	    .tc_decode = msg_decode,
	    .tc_decode_arg = m,
	};
	int ret = x->x_ops->call(x, &c);

	/* The caller's codec is back in place whatever happened. */
	CHECK(c.tc_encode == msg_encode && c.tc_encode_arg == m);
	CHECK(c.tc_decode == msg_decode && c.tc_decode_arg == m);
	return ret;
}

static int compound(struct sess_xprt *x, struct msg *m)
{
	return do_call(x, m, 100003, 1);
}

static struct sess_xprt *wrap(struct stub *s,
			      const struct sess_xprt_fault_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->st_base.x_ops = &stub_ops;
	s->st_base.x_max_record = 12345;
	s->st_base.x_is_rdma = true;
	s->st_base.x_has_backchannel = true;
	s->st_base.x_rdma_ird = 3;
	s->st_connected = true;
	return sess_xprt_fault_wrap(&s->st_base, o);
}

static void test_pass_through(void)
{
	struct sess_xprt_stats xs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, NULL);
	struct msg m, orig;
	int i;

	CHECK(x != NULL);
	CHECK(x->x_max_record == 12345 && x->x_is_rdma &&
	      x->x_has_backchannel && x->x_rdma_ird == 3);
	sequence_msg(&m, 0, 5);
	orig = m;
	for (i = 0; i < 3; i++)
		CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(m.m_decoded, 3);
	CHECK_EQ(s.st_sent_len, orig.m_nwords * 4);
	for (i = 0; i < orig.m_nwords; i++)
		CHECK_EQ(word(&s, i), orig.m_words[i]);
	x->x_ops->get_stats(x, &xs);
	CHECK_EQ(xs.xt_calls, 3);
	x->x_ops->disconnect(x);
	CHECK(!s.st_connected);
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN);
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	CHECK(s.st_connected);
	x->x_ops->destroy(x);
	CHECK(s.st_destroyed);
}

static void test_drop_reply(void)
{
	struct sess_xprt_fault_opts o = {.drop_reply_after = 3};
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, &o);
	struct msg m;

	sequence_msg(&m, 1, 1);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(m.m_decoded, 2);
	/* Call 3 reaches the server, its reply never reaches the caller. */
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN);
	CHECK_EQ(s.st_calls, 3);
	CHECK_EQ(m.m_decoded, 2);
	CHECK(!s.st_connected);
	CHECK_EQ(s.st_disconnects, 1);
	/* Reconnected, the replay goes through: the fault fired once. */
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(m.m_decoded, 3);
	/* Armed at run time: the next call, whatever it is. */
	sess_xprt_fault_drop_next(x);
	CHECK_EQ_INT(do_call(x, &m, 100003, 0), -ENOTCONN);
	CHECK_EQ(m.m_decoded, 3);
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	/* A call that got no reply has nothing to lose: its error stays. */
	sess_xprt_fault_drop_next(x);
	x->x_ops->disconnect(x);
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN);
	CHECK_EQ(s.st_disconnects, 3);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_calls, 7);
	CHECK_EQ(fs.fs_replies_dropped, 2);
	CHECK_EQ(fs.fs_seqids_skewed, 0);
	x->x_ops->destroy(x);
}

static void test_drop_conn(void)
{
	struct sess_xprt_fault_opts o = {.drop_conn_after = 2};
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, &o);
	struct msg m;

	sequence_msg(&m, 0, 1);
	CHECK_EQ_INT(compound(x, &m), 0);
	/* The connection goes as call 2 starts: it is not sent. */
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN);
	CHECK_EQ(s.st_calls, 1);
	CHECK_EQ(s.st_disconnects, 1);
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(s.st_disconnects, 1);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_conns_dropped, 1);
	CHECK_EQ(fs.fs_replies_dropped, 0);
	x->x_ops->destroy(x);
}

static void test_skew(void)
{
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, NULL);
	struct msg m;
	int i;

	CHECK_EQ_INT(sess_xprt_fault_skew_seqid(x, 0, 0), -EINVAL);
	CHECK_EQ_INT(sess_xprt_fault_skew_seqid(x, 0, 1000), 0);
	/* Another slot, another procedure, another program: untouched. */
	sequence_msg(&m, 1, 4);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(word(&s, 8), 4);
	sequence_msg(&m, 0, 4);
	CHECK_EQ_INT(do_call(x, &m, 100003, 0), 0);
	CHECK_EQ(word(&s, 8), 4);
	CHECK_EQ_INT(do_call(x, &m, 100005, 1), 0);
	CHECK_EQ(word(&s, 8), 4);
	/* The next SEQUENCE on slot 0: its seqid only. */
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(word(&s, 8), 1004);
	for (i = 0; i < m.m_nwords; i++)
		if (i != 8)
			CHECK_EQ(word(&s, i), m.m_words[i]);
	/* Once: the client's retry goes out as it made it. */
	sequence_msg(&m, 0, 1);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(word(&s, 8), 1);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_seqids_skewed, 1);
	x->x_ops->destroy(x);
}

static void test_no_back_chan(void)
{
	struct sess_xprt_fault_opts o = {.no_back_chan = true};
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, &o);
	struct msg m;
	int i;

	/* A SEQUENCE first: nothing to clear there. */
	sequence_msg(&m, 0, 1);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(word(&s, 8), 1);
	/* PERSIST | CONN_BACK_CHAN | CONN_RDMA -> PERSIST | CONN_RDMA */
	create_session_msg(&m, 0x7);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(word(&s, 9), 0x5);
	for (i = 0; i < m.m_nwords; i++)
		if (i != 9)
			CHECK_EQ(word(&s, i), m.m_words[i]);
	/* The next session is made as the client asks. */
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(word(&s, 9), 0x7);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_back_chans_cleared, 1);
	x->x_ops->destroy(x);
}

/* What does not parse as a COMPOUND with an operation is left alone. */
/* After its drop the connection stays unreachable for refuse_connect_ms. */
static void test_refuse_connect(void)
{
	struct sess_xprt_fault_opts o = {.drop_conn_after = 2,
					 .refuse_connect_ms = 300};
	struct timespec nap = {0, 350 * 1000 * 1000};
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, &o);
	struct msg m;

	/* no drop yet: connects go through */
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	sequence_msg(&m, 0, 1);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN);
	CHECK_EQ_INT(x->x_ops->connect(x), -ECONNREFUSED);
	CHECK(!s.st_connected);
	nanosleep(&nap, NULL);
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_connects_refused, 1);
	x->x_ops->destroy(x);
}

/*
 * drop_conn_at_ms: calls before that time pass; the first one after it
 * goes with the connection (refused to reconnect for refuse_connect_ms, as
 * any drop); only once.
 */
static void test_drop_conn_at(void)
{
	/* margins of 0.5 s: the calls before, the connect refused after */
	struct sess_xprt_fault_opts o = {.drop_conn_at_ms = 500,
					 .refuse_connect_ms = 500};
	struct timespec nap = {0, 600 * 1000 * 1000};
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, &o);
	struct msg m;

	sequence_msg(&m, 0, 1);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	nanosleep(&nap, NULL);
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN);
	CHECK_EQ(s.st_calls, 2);
	CHECK_EQ(s.st_disconnects, 1);
	CHECK_EQ_INT(x->x_ops->connect(x), -ECONNREFUSED);
	nanosleep(&nap, NULL);
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(s.st_disconnects, 1);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_conns_dropped, 1);
	CHECK_EQ(fs.fs_connects_refused, 1);
	x->x_ops->destroy(x);
}

/* Armed at run time: counted from the arming, replacing the wrap's. */
static void test_armed_later(void)
{
	struct sess_xprt_fault_opts o = {.drop_conn_after = 2,
					 .drop_reply_after = 2};
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, &o);
	struct msg m;

	sess_xprt_fault_drop_conn_in(x, 0);
	sess_xprt_fault_drop_reply_in(x, 0);
	sequence_msg(&m, 0, 1);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ_INT(compound(x, &m), 0); /* disarmed: call 2 passes */
	sess_xprt_fault_drop_reply_in(x, 2);
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN); /* 2nd from the arming */
	CHECK_EQ(s.st_calls, 4);		  /* sent, reply lost */
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	sess_xprt_fault_drop_conn_in(x, 1);
	CHECK_EQ_INT(compound(x, &m), -ENOTCONN); /* the next one, unsent */
	CHECK_EQ(s.st_calls, 4);
	CHECK_EQ_INT(x->x_ops->connect(x), 0);
	CHECK_EQ_INT(compound(x, &m), 0);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_replies_dropped, 1);
	CHECK_EQ(fs.fs_conns_dropped, 2);
	x->x_ops->destroy(x);
}

static void test_garbage(void)
{
	struct sess_xprt_fault_opts o = {.no_back_chan = true};
	struct sess_xprt_fault_stats fs;
	struct stub s;
	struct sess_xprt *x = wrap(&s, &o);
	struct msg m;

	CHECK_EQ_INT(sess_xprt_fault_skew_seqid(x, 0, 5), 0);
	/* tag length past the end */
	sequence_msg(&m, 0, 1);
	m.m_words[0] = 0xfffffff0u;
	CHECK_EQ_INT(compound(x, &m), 0);
	/* no operations */
	sequence_msg(&m, 0, 1);
	m.m_words[2] = 0;
	CHECK_EQ_INT(compound(x, &m), 0);
	/* cut short inside SEQUENCE's arguments */
	sequence_msg(&m, 0, 1);
	m.m_nwords = 9;
	CHECK_EQ_INT(compound(x, &m), 0);
	CHECK_EQ(word(&s, 8), 1);
	/* cut short inside CREATE_SESSION's arguments, and too short at all */
	create_session_msg(&m, 0x2);
	m.m_nwords = 9;
	CHECK_EQ_INT(compound(x, &m), 0);
	m.m_nwords = 0;
	CHECK_EQ_INT(compound(x, &m), 0);
	sess_xprt_fault_get(x, &fs);
	CHECK_EQ(fs.fs_seqids_skewed, 0);
	CHECK_EQ(fs.fs_back_chans_cleared, 0);
	CHECK_EQ(fs.fs_calls, 5);
	x->x_ops->destroy(x);
	errno = 0;
	CHECK(sess_xprt_fault_wrap(NULL, NULL) == NULL && errno == EINVAL);
}

int main(void)
{
	test_pass_through();
	test_drop_reply();
	test_drop_conn();
	test_refuse_connect();
	test_drop_conn_at();
	test_armed_later();
	test_skew();
	test_no_back_chan();
	test_garbage();
	return gr_check_done("sessions.xprt_fault");
}
