/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of what the session client decodes from the network: the
 * COMPOUND reply decoder (src/sessions/sess_codec.c, included) and the
 * backchannel handler (src/sessions/sess_cb.c, included).  Valid messages
 * decode; every truncation, a READ longer than the caller's buffer, an
 * absurd operation count, results that do not match the operations sent,
 * and random corruption are refused without crashing or leaking (run it
 * under ASan: GR_SANITIZE=ON).  And what sess_compound() makes of an
 * NFS4ERR_DELAY that comes after a change ran, of a server answering
 * RETRY_UNCACHED_REP forever, and what sess_readdir() makes of a server
 * whose READDIR cookies go round in a circle (scripted transports).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sessions/sess_codec.c"
#include "../../src/sessions/sess_cb.c"
#include "sess_ops.h"
#include "gr_check.h"

static const sessionid4 test_sid = "0123456789abcde";

/* A reply's head: NFS4_OK, no tag, @count results, SEQUENCE and PUTFH ok. */
static void encode_head(XDR *x, uint32_t count)
{
	nfsstat4 st = NFS4_OK;
	utf8str_cs tag = {0};
	nfs_resop4 res;

	CHECK(xdr_nfsstat4(x, &st) && xdr_utf8str_cs(x, &tag) &&
	      xdr_u_int32_t(x, &count));
	memset(&res, 0, sizeof(res));
	res.resop = NFS4_OP_SEQUENCE;
	memcpy(
	    res.nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4.sr_sessionid,
	    test_sid, sizeof(sessionid4));
	res.nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4.sr_sequenceid = 1;
	CHECK(xdr_nfs_resop4(x, &res));
	memset(&res, 0, sizeof(res));
	res.resop = NFS4_OP_PUTFH;
	CHECK(xdr_nfs_resop4(x, &res));
}

/* SEQUENCE ok, PUTFH ok, READ ok with @n bytes of 0x42. */
static size_t build_reply(uint8_t *buf, size_t cap, uint32_t n)
{
	uint32_t count = 3, op = NFS4_OP_READ, zero = 0, len = n;
	bool_t eof = 1;
	uint8_t data[4096];
	XDR x;

	xdrmem_ncreate(&x, (char *)buf, (u_int)cap, XDR_ENCODE);
	encode_head(&x, count);
	memset(data, 0x42, sizeof(data));
	CHECK(xdr_u_int32_t(&x, &op) && xdr_u_int32_t(&x, &zero) &&
	      xdr_bool(&x, &eof) && xdr_u_int32_t(&x, &len) &&
	      xdr_opaque(&x, (char *)data, n));
	return XDR_GETPOS(&x);
}

static int decode(const uint8_t *buf, size_t len, uint8_t *dst, size_t cap,
		  struct sess_raw *r, nfs_argop4 *args, nfs_resop4 *res)
{
	struct sess_xprt_call call = {.tc_bulk_in = dst, .tc_bulk_in_cap = cap};

	memset(args, 0, sizeof(*args) * 3);
	args[0].argop = NFS4_OP_SEQUENCE;
	args[1].argop = NFS4_OP_PUTFH;
	args[2].argop = NFS4_OP_READ;
	*r = (struct sess_raw){.r_args = args,
			       .r_nargs = 3,
			       .r_res = res,
			       .r_bulk_in = dst,
			       .r_bulk_in_cap = cap};
	return decode_compound(r, buf, len, &call);
}

static void test_compound_reply(void)
{
	uint8_t buf[8192], dst[4096], copy[8192];
	nfs_argop4 args[3];
	nfs_resop4 res[3];
	struct sess_raw r;
	size_t len, i;
	unsigned int seed = 1;
	int k;

	len = build_reply(buf, sizeof(buf), 100);
	memset(dst, 0, sizeof(dst));
	CHECK(decode(buf, len, dst, sizeof(dst), &r, args, res) == 0);
	CHECK(r.r_nres == 3 && r.r_status == NFS4_OK);
	CHECK(res[2].nfs_resop4_u.opread.READ4res_u.resok4.data.data_len ==
	      100);
	CHECK(dst[0] == 0x42 && dst[99] == 0x42 && dst[100] == 0);
	sess_raw_free(&r);

	/* READ longer than the buffer the caller gave. */
	CHECK(decode(buf, len, dst, 50, &r, args, res) == -EBADMSG);

	/* Every truncation fails cleanly. */
	for (i = 0; i < len; i++)
		CHECK(decode(buf, i, dst, sizeof(dst), &r, args, res) != 0);

	/* More results than operations sent. */
	{
		uint32_t big = htonl(1000000);

		memcpy(copy, buf, len);
		memcpy(copy + 8, &big, 4); /* status, empty tag, count */
		CHECK(decode(copy, len, dst, sizeof(dst), &r, args, res) ==
		      -EBADMSG);
	}
	/* Results for other operations than those sent. */
	{
		args[1].argop = NFS4_OP_GETFH;
		memset(args, 0, sizeof(args));
	}

	/* Random corruption: no crash, no leak (ASan). */
	for (k = 0; k < 20000; k++) {
		memcpy(copy, buf, len);
		for (i = 0; i < 4; i++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] = (uint8_t)(seed >> 16);
		}
		if (decode(copy, len, dst, sizeof(dst), &r, args, res) == 0)
			sess_raw_free(&r);
	}
}

/*
 * SEQUENCE ok, PUTFH ok, READDIR ok with @n entries named "e<i>" (no
 * attributes), or with @op's opnum in the READDIR result's place.
 */
static size_t build_readdir(uint8_t *buf, size_t cap, uint32_t n, nfs_opnum4 op)
{
	uint32_t count = 3, zero = 0, one = 1, i;
	uint64_t cookie;
	verifier4 verf = {0};
	char name[16];
	utf8string u;
	XDR x;

	xdrmem_ncreate(&x, (char *)buf, (u_int)cap, XDR_ENCODE);
	encode_head(&x, count);
	CHECK(xdr_u_int32_t(&x, &op) && xdr_u_int32_t(&x, &zero) &&
	      xdr_opaque(&x, verf, sizeof(verf)));
	for (i = 0; i < n; i++) {
		cookie = i + 3;
		u.utf8string_len =
		    (u_int)snprintf(name, sizeof(name), "e%u", i);
		u.utf8string_val = name;
		CHECK(xdr_u_int32_t(&x, &one) && xdr_uint64_t(&x, &cookie) &&
		      xdr_utf8string(&x, &u) && xdr_u_int32_t(&x, &zero) &&
		      xdr_u_int32_t(&x, &zero));
	}
	CHECK(xdr_u_int32_t(&x, &zero) && xdr_u_int32_t(&x, &one));
	return XDR_GETPOS(&x);
}

static int decode_readdir_reply(const uint8_t *buf, size_t len,
				uint32_t maxcount, nfs_opnum4 op,
				struct sess_raw *r, nfs_argop4 *args,
				nfs_resop4 *res)
{
	struct sess_xprt_call call = {0};

	memset(args, 0, sizeof(*args) * 3);
	args[0].argop = NFS4_OP_SEQUENCE;
	args[1].argop = NFS4_OP_PUTFH;
	args[2].argop = op;
	args[2].nfs_argop4_u.opreaddir.maxcount = maxcount;
	*r = (struct sess_raw){.r_args = args, .r_nargs = 3, .r_res = res};
	return decode_compound(r, buf, len, &call);
}

static size_t biggest_alloc;

/* ntirpc's allocator, noting the largest request (never serving it). */
static void *watch_malloc(size_t n, const char *file, int line,
			  const char *func)
{
	(void)file;
	(void)line;
	(void)func;
	if (n > biggest_alloc)
		biggest_alloc = n;
	return n > (1u << 20) ? NULL : malloc(n);
}

struct readdir_case {
	uint32_t n, maxcount;
	nfs_opnum4 sent, answered;
	int ret;
	uint32_t nres, entries;
};

/*
 * Decoded on a thread with the 1 MiB stack of an ntirpc worker (the
 * gateway decodes backend replies there): a decoder that recursed once
 * per entry overflowed it with some 20,000 entries.
 */
static void *readdir_thread(void *arg)
{
	struct readdir_case *k = arg;
	size_t cap = (size_t)k->n * 32 + 4096, len;
	uint8_t *buf = malloc(cap);
	nfs_argop4 args[3];
	nfs_resop4 res[3];
	struct sess_raw r;
	entry4 *e;

	len = build_readdir(buf, cap, k->n, k->answered);
	k->ret =
	    decode_readdir_reply(buf, len, k->maxcount, k->sent, &r, args, res);
	k->nres = r.r_nres;
	k->entries = 0;
	if (k->ret == 0 && k->sent == NFS4_OP_READDIR) {
		for (e = res[2]
			     .nfs_resop4_u.opreaddir.READDIR4res_u.resok4.reply
			     .entries;
		     e; e = e->nextentry)
			k->entries++;
	}
	if (k->ret == 0)
		sess_raw_free(&r);
	free(buf);
	return NULL;
}

static void run_readdir_case(struct readdir_case *k)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1024 * 1024);
	CHECK(pthread_create(&t, &attr, readdir_thread, k) == 0);
	pthread_join(t, NULL);
	pthread_attr_destroy(&attr);
}

static void test_readdir_reply(void)
{
	struct readdir_case ok = {.n = 100, .maxcount = 128 * 1024},
			    big = {.n = 20000, .maxcount = 4u << 20},
			    over = {.n = 6000, .maxcount = 128 * 1024},
			    most = {.n = SESS_READDIR_MAX_ENTRIES,
				    .maxcount = 1u << 20},
			    wrong = {.n = 20000,
				     .maxcount = 4u << 20,
				     .sent = NFS4_OP_GETATTR};
	struct readdir_case *all[] = {&ok, &big, &over, &most, &wrong};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!all[i]->sent)
			all[i]->sent = NFS4_OP_READDIR;
		all[i]->answered = NFS4_OP_READDIR;
	}
	run_readdir_case(&ok);
	CHECK(ok.ret == 0 && ok.nres == 3 && ok.entries == 100);
	/* 20,000 entries within maxcount: more than the decoder takes */
	run_readdir_case(&big);
	CHECK(big.ret == -EBADMSG);
	/* ~170 KB of entries for a maxcount of 128 KiB */
	run_readdir_case(&over);
	CHECK(over.ret == -EMSGSIZE);
	/* the cap itself is taken, iteratively, on the small stack */
	run_readdir_case(&most);
	CHECK(most.ret == 0 && most.entries == SESS_READDIR_MAX_ENTRIES);
	/*
	 * maxcount of 4 GiB and an entry announcing ~4 GB of attribute
	 * bytes: refused without asking for them (ntirpc allocates an
	 * opaque's announced length before reading it; found by fuzzing).
	 * ntirpc's allocator is watched for the largest request.
	 */
	{
		uint8_t buf[512];
		size_t len =
		    build_readdir(buf, sizeof(buf), 1, NFS4_OP_READDIR);
		nfs_argop4 args[3];
		nfs_resop4 res[3];
		struct sess_raw r;
		uint32_t huge = htonl(0xf0f0f0f0);
		mem_1_size_t real = __ntirpc_pkg_params.malloc_;

		/* the entry's attrlist length: 12 bytes from the end */
		memcpy(buf + len - 12, &huge, 4);
		biggest_alloc = 0;
		__ntirpc_pkg_params.malloc_ = watch_malloc;
		CHECK(decode_readdir_reply(buf, len, UINT32_MAX,
					   NFS4_OP_READDIR, &r, args,
					   res) == -EBADMSG);
		__ntirpc_pkg_params.malloc_ = real;
		CHECK(biggest_alloc <= len);
	}
	/* a READDIR result where a GETATTR was sent is never decoded */
	run_readdir_case(&wrong);
	CHECK(wrong.ret == -EBADMSG);
}

static struct sess_client *fake_client(void)
{
	struct sess_client *cl = calloc(1, sizeof(*cl));

	pthread_mutex_init(&cl->cl_lock, NULL);
	pthread_cond_init(&cl->cl_cond, NULL);
	cl->cl_have_session = true;
	memcpy(cl->cl_sessionid, test_sid, sizeof(sessionid4));
	CHECK(sess_slots_init(&cl->cl_slots, 8) == 0);
	return cl;
}

/* the minorversion build_cb() puts in its CB_COMPOUNDs */
static uint32_t cb_minor = 1;

/* A CB_COMPOUND call: CB_SEQUENCE(seq) + CB_RECALL_SLOT(2) + CB_RECALL */
static size_t build_cb(uint8_t *buf, size_t cap, uint32_t seq, uint32_t prog)
{
	struct sess_auth_sys cred = {0};
	CB_COMPOUND4args ca;
	nfs_cb_argop4 ops[3];
	char fh[8] = "handle!";
	int hlen;
	XDR x;

	hlen = sess_rpc_encode_call(buf, cap, 99, prog, 1, 1, &cred);
	CHECK(hlen > 0);
	memset(&ca, 0, sizeof(ca));
	memset(ops, 0, sizeof(ops));
	ca.minorversion = cb_minor;
	ops[0].argop = NFS4_OP_CB_SEQUENCE;
	memcpy(ops[0].nfs_cb_argop4_u.opcbsequence.csa_sessionid, test_sid,
	       sizeof(sessionid4));
	ops[0].nfs_cb_argop4_u.opcbsequence.csa_sequenceid = seq;
	ops[1].argop = NFS4_OP_CB_RECALL_SLOT;
	ops[1].nfs_cb_argop4_u.opcbrecall_slot.rsa_target_highest_slotid = 2;
	ops[2].argop = NFS4_OP_CB_RECALL;
	ops[2].nfs_cb_argop4_u.opcbrecall.fh.nfs_fh4_len = 8;
	ops[2].nfs_cb_argop4_u.opcbrecall.fh.nfs_fh4_val = fh;
	ca.argarray.argarray_len = 3;
	ca.argarray.argarray_val = ops;
	xdrmem_ncreate(&x, (char *)buf + hlen, (u_int)(cap - hlen), XDR_ENCODE);
	CHECK(xdr_CB_COMPOUND4args(&x, &ca));
	return (size_t)hlen + XDR_GETPOS(&x);
}

static void test_backchannel(void)
{
	struct sess_client *cl = fake_client();
	uint8_t req[4096], rep[8192], copy[4096];
	CB_COMPOUND4res cres;
	size_t len, off, i;
	unsigned int seed = 7;
	int n, k;
	XDR x;

	len = build_cb(req, sizeof(req), 1, SESS_CB_PROGRAM);
	n = sess_cb_handle(cl, req, len, rep, sizeof(rep));
	CHECK(n > 0);
	CHECK(sess_rpc_decode_reply(rep, (size_t)n, 99, &off) == 0);
	memset(&cres, 0, sizeof(cres));
	xdrmem_ncreate(&x, (char *)rep + off, (u_int)((size_t)n - off),
		       XDR_DECODE);
	CHECK(xdr_CB_COMPOUND4res(&x, &cres));
	/* CB_SEQUENCE ok, RECALL_SLOT ok, CB_RECALL: no such delegation */
	CHECK(cres.status == NFS4ERR_BADHANDLE);
	CHECK(cres.resarray.resarray_len == 3);
	CHECK(cl->cl_slots.st_target == 2);
	CHECK(cl->cl_cb_seqid == 1);
	xdr_nfree((xdrproc_t)xdr_CB_COMPOUND4res, &cres);

	/* Same seqid again: a retry we did not cache. */
	n = sess_cb_handle(cl, req, len, rep, sizeof(rep));
	memset(&cres, 0, sizeof(cres));
	CHECK(sess_rpc_decode_reply(rep, (size_t)n, 99, &off) == 0);
	xdrmem_ncreate(&x, (char *)rep + off, (u_int)((size_t)n - off),
		       XDR_DECODE);
	CHECK(xdr_CB_COMPOUND4res(&x, &cres));
	CHECK(cres.status == NFS4ERR_RETRY_UNCACHED_REP);
	xdr_nfree((xdrproc_t)xdr_CB_COMPOUND4res, &cres);

	/* Out of order seqid. */
	len = build_cb(req, sizeof(req), 5, SESS_CB_PROGRAM);
	n = sess_cb_handle(cl, req, len, rep, sizeof(rep));
	memset(&cres, 0, sizeof(cres));
	CHECK(sess_rpc_decode_reply(rep, (size_t)n, 99, &off) == 0);
	xdrmem_ncreate(&x, (char *)rep + off, (u_int)((size_t)n - off),
		       XDR_DECODE);
	CHECK(xdr_CB_COMPOUND4res(&x, &cres));
	CHECK(cres.status == NFS4ERR_SEQ_MISORDERED);
	xdr_nfree((xdrproc_t)xdr_CB_COMPOUND4res, &cres);

	/* Wrong program: PROG_UNAVAIL. */
	len = build_cb(req, sizeof(req), 2, 12345);
	n = sess_cb_handle(cl, req, len, rep, sizeof(rep));
	CHECK(n > 0 && sess_rpc_decode_reply(rep, (size_t)n, 99, &off) ==
			   -EPROTONOSUPPORT);

	/* Truncations and corruption: never a crash or leak. */
	len = build_cb(req, sizeof(req), 2, SESS_CB_PROGRAM);
	for (i = 0; i < len; i++)
		(void)sess_cb_handle(cl, req, i, rep, sizeof(rep));
	for (k = 0; k < 20000; k++) {
		memcpy(copy, req, len);
		for (i = 0; i < 3; i++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % len] = (uint8_t)(seed >> 16);
		}
		(void)sess_cb_handle(cl, copy, len, rep, sizeof(rep));
	}
	sess_slots_fini(&cl->cl_slots);
	free(cl);
}

/*
 * NFS4ERR_DELAY from an operation after a change (a trailing GETATTR
 * after a REMOVE): the change ran, so the COMPOUND must not be sent again
 * on a new seqid - it would run twice.  A DELAY after operations that
 * only looked is retried as before.  A scripted transport answers each
 * call: the first with the last operation DELAYed, the others all OK.
 */
struct script_xprt {
	struct sess_xprt x;
	int calls;
};

static int script_call(struct sess_xprt *xprt, struct sess_xprt_call *call)
{
	struct script_xprt *sx = (struct script_xprt *)xprt;
	const struct sess_raw *r = call->tc_encode_arg;
	const SEQUENCE4args *sa = &r->r_args[0].nfs_argop4_u.opsequence;
	bool delay = sx->calls++ == 0;
	nfsstat4 st = delay ? NFS4ERR_DELAY : NFS4_OK;
	uint32_t count = r->r_nargs, i;
	utf8str_cs tag = {0};
	uint8_t buf[4096];
	nfs_resop4 res;
	XDR x;

	xdrmem_ncreate(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	CHECK(xdr_nfsstat4(&x, &st) && xdr_utf8str_cs(&x, &tag) &&
	      xdr_u_int32_t(&x, &count));
	for (i = 0; i < r->r_nargs; i++) {
		SEQUENCE4resok *ok =
		    &res.nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4;

		memset(&res, 0, sizeof(res));
		res.resop = r->r_args[i].argop;
		if (i == 0) {
			memcpy(ok->sr_sessionid, sa->sa_sessionid,
			       sizeof(sessionid4));
			ok->sr_sequenceid = sa->sa_sequenceid;
			ok->sr_slotid = sa->sa_slotid;
			ok->sr_highest_slotid = sa->sa_highest_slotid;
			ok->sr_target_highest_slotid = sa->sa_highest_slotid;
		} else if (delay && i + 1 == r->r_nargs) {
			/* every result starts with its status */
			res.nfs_resop4_u.opgetattr.status = NFS4ERR_DELAY;
		}
		CHECK(xdr_nfs_resop4(&x, &res));
	}
	return call->tc_decode(call->tc_decode_arg, buf, XDR_GETPOS(&x), call);
}

static const struct sess_xprt_ops script_ops = {.call = script_call};

static int delay_calls(uint32_t change_op)
{
	struct script_xprt sx = {
	    .x = {.x_ops = &script_ops, .x_max_record = 1 << 20}};
	struct sess_client *cl = calloc(1, sizeof(*cl));
	nfs_argop4 args[3];
	struct sess_compound c = {
	    .sc_args = args, .sc_nargs = 3, .sc_cachethis = true};
	int ret;

	memset(args, 0, sizeof(args));
	args[0].argop = NFS4_OP_PUTFH;
	args[1].argop = change_op;
	args[2].argop = NFS4_OP_GETATTR;
	pthread_mutex_init(&cl->cl_lock, NULL);
	pthread_cond_init(&cl->cl_cond, NULL);
	CHECK(sess_slots_init(&cl->cl_slots, 4) == 0);
	cl->cl_opts.recovery_timeout_s = 2;
	cl->cl_have_session = true;
	cl->cl_session_gen = 1;
	memcpy(cl->cl_sessionid, test_sid, sizeof(sessionid4));
	cl->cl_xprt = &sx.x;
	cl->cl_conns[0].sn_xprt = &sx.x;
	cl->cl_nconns = 1;
	ret = sess_compound(cl, &c);
	CHECK(ret == 0);
	if (change_op == NFS4_OP_REMOVE)
		/* handed over as it came: the REMOVE ran, GETATTR said DELAY */
		CHECK(c.sc_status == NFS4ERR_DELAY && c.sc_nres == 3);
	else
		CHECK(c.sc_status == NFS4_OK && c.sc_nres == 3);
	if (ret == 0)
		sess_compound_free(&c);
	sess_slots_fini(&cl->cl_slots);
	pthread_mutex_destroy(&cl->cl_lock);
	pthread_cond_destroy(&cl->cl_cond);
	free(cl);
	return sx.calls;
}

/*
 * A server that answers every SEQUENCE with NFS4ERR_RETRY_UNCACHED_REP:
 * an idempotent call (cachethis false) is sent again at once, but only
 * until its deadline (recovery_timeout_s): then the call ends with that
 * status.  The transport gives up after 20 s so a loop without a bound
 * fails the test instead of hanging it.
 */
struct uncached_xprt {
	struct sess_xprt x;
	long calls;
	struct timespec start;
};

/* Answer @call with a COMPOUND whose SEQUENCE failed with @st. */
static int answer_sequence_status(struct sess_xprt_call *call, nfsstat4 st)
{
	uint32_t count = 1;
	utf8str_cs tag = {0};
	uint8_t buf[256];
	nfs_resop4 res;
	XDR x;

	xdrmem_ncreate(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	memset(&res, 0, sizeof(res));
	res.resop = NFS4_OP_SEQUENCE;
	res.nfs_resop4_u.opsequence.sr_status = st;
	CHECK(xdr_nfsstat4(&x, &st) && xdr_utf8str_cs(&x, &tag) &&
	      xdr_u_int32_t(&x, &count) && xdr_nfs_resop4(&x, &res));
	return call->tc_decode(call->tc_decode_arg, buf, XDR_GETPOS(&x), call);
}

static int uncached_call(struct sess_xprt *xprt, struct sess_xprt_call *call)
{
	struct uncached_xprt *ux = (struct uncached_xprt *)xprt;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - ux->start.tv_sec > 20)
		return -EPROTO;
	ux->calls++;
	return answer_sequence_status(call, NFS4ERR_RETRY_UNCACHED_REP);
}

static const struct sess_xprt_ops uncached_ops = {.call = uncached_call};

/* Every call answered NFS4ERR_BADSESSION (SEQUENCE only). */
static int badsession_call(struct sess_xprt *xprt, struct sess_xprt_call *call)
{
	((struct uncached_xprt *)xprt)->calls++;
	return answer_sequence_status(call, NFS4ERR_BADSESSION);
}

static const struct sess_xprt_ops badsession_ops = {.call = badsession_call};

/*
 * A call that meets BADSESSION past its deadline ends without recovery;
 * its slot must go back to the table (it stayed busy for good, and with
 * every slot so lost each later caller waited without end).
 */
static void test_badsession_past_deadline(void)
{
	struct uncached_xprt ux = {
	    .x = {.x_ops = &badsession_ops, .x_max_record = 1 << 20}};
	struct sess_client *cl = calloc(1, sizeof(*cl));
	nfs_argop4 args[2];
	struct sess_compound c = {.sc_args = args, .sc_nargs = 2};
	uint32_t slotid, seqid, highest;
	int ret;

	memset(args, 0, sizeof(args));
	args[0].argop = NFS4_OP_PUTFH;
	args[1].argop = NFS4_OP_GETATTR;
	pthread_mutex_init(&cl->cl_lock, NULL);
	pthread_cond_init(&cl->cl_cond, NULL);
	CHECK(sess_slots_init(&cl->cl_slots, 1) == 0);
	cl->cl_opts.recovery_timeout_s = 0; /* every attempt is past it */
	cl->cl_have_session = true;
	cl->cl_session_gen = 1;
	memcpy(cl->cl_sessionid, test_sid, sizeof(sessionid4));
	cl->cl_xprt = &ux.x;
	cl->cl_conns[0].sn_xprt = &ux.x;
	cl->cl_nconns = 1;
	ret = sess_compound(cl, &c);
	CHECK(ret == -EIO);
	CHECK(ux.calls == 1);
	/* The one slot is free again. */
	CHECK(sess_slots_acquire(&cl->cl_slots, &slotid, &seqid, &highest) ==
	      0);
	sess_slots_fini(&cl->cl_slots);
	pthread_mutex_destroy(&cl->cl_lock);
	pthread_cond_destroy(&cl->cl_cond);
	free(cl);
}

static void test_uncached_forever(void)
{
	struct uncached_xprt ux = {
	    .x = {.x_ops = &uncached_ops, .x_max_record = 1 << 20}};
	struct sess_client *cl = calloc(1, sizeof(*cl));
	nfs_argop4 args[2];
	struct sess_compound c = {.sc_args = args, .sc_nargs = 2};
	int ret;

	memset(args, 0, sizeof(args));
	args[0].argop = NFS4_OP_PUTFH;
	args[1].argop = NFS4_OP_GETATTR;
	pthread_mutex_init(&cl->cl_lock, NULL);
	pthread_cond_init(&cl->cl_cond, NULL);
	CHECK(sess_slots_init(&cl->cl_slots, 4) == 0);
	cl->cl_opts.recovery_timeout_s = 1;
	cl->cl_have_session = true;
	cl->cl_session_gen = 1;
	memcpy(cl->cl_sessionid, test_sid, sizeof(sessionid4));
	cl->cl_xprt = &ux.x;
	cl->cl_conns[0].sn_xprt = &ux.x;
	cl->cl_nconns = 1;
	clock_gettime(CLOCK_MONOTONIC, &ux.start);
	ret = sess_compound(cl, &c);
	CHECK(ret == 0);
	CHECK(c.sc_status == NFS4ERR_RETRY_UNCACHED_REP && c.sc_nres == 0);
	CHECK(ux.calls > 1); /* re-sent while there was time */
	sess_slots_fini(&cl->cl_slots);
	pthread_mutex_destroy(&cl->cl_lock);
	pthread_cond_destroy(&cl->cl_cond);
	free(cl);
}

/*
 * A server whose READDIR hands out positions it gave before - Ganesha
 * 4.3's dirent cache was seen by the soak harness answering one
 * directory's entries round and round.  sess_readdir() must stop with
 * -ELOOP instead of listing for ever.  @inner: the cycle is inside each
 * reply (5, 6, 7, 5, 6, 7 ...); otherwise every reply is the same page
 * whatever the cookie asked for.  After 200 calls the script ends the
 * listing, so a client without the check ends too, with ret 0.
 */
struct cycle_xprt {
	struct sess_xprt x;
	int calls;
	bool inner;
};

static int cycle_call(struct sess_xprt *xprt, struct sess_xprt_call *call)
{
	struct cycle_xprt *cx = (struct cycle_xprt *)xprt;
	const struct sess_raw *r = call->tc_encode_arg;
	const SEQUENCE4args *sa = &r->r_args[0].nfs_argop4_u.opsequence;
	SEQUENCE4resok *sok;
	READDIR4resok *rok;
	nfsstat4 st = NFS4_OK;
	uint32_t count = 3;
	utf8str_cs tag = {0};
	static char names[12][4];
	entry4 ents[12];
	uint8_t buf[8192];
	nfs_resop4 res;
	bool done = ++cx->calls > 200;
	int i, n = cx->inner ? 12 : 3;
	XDR x;

	xdrmem_ncreate(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	CHECK(xdr_nfsstat4(&x, &st) && xdr_utf8str_cs(&x, &tag) &&
	      xdr_u_int32_t(&x, &count));
	memset(&res, 0, sizeof(res));
	res.resop = NFS4_OP_SEQUENCE;
	sok = &res.nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4;
	memcpy(sok->sr_sessionid, sa->sa_sessionid, sizeof(sessionid4));
	sok->sr_sequenceid = sa->sa_sequenceid;
	sok->sr_slotid = sa->sa_slotid;
	sok->sr_highest_slotid = sa->sa_highest_slotid;
	sok->sr_target_highest_slotid = sa->sa_highest_slotid;
	CHECK(xdr_nfs_resop4(&x, &res));
	memset(&res, 0, sizeof(res));
	res.resop = NFS4_OP_PUTFH;
	CHECK(xdr_nfs_resop4(&x, &res));
	memset(&res, 0, sizeof(res));
	memset(ents, 0, sizeof(ents));
	res.resop = NFS4_OP_READDIR;
	rok = &res.nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
	for (i = 0; i < n && !done; i++) {
		snprintf(names[i], sizeof(names[i]), "e%d", i % 3);
		ents[i].cookie = 5 + i % 3;
		ents[i].name.utf8string_val = names[i];
		ents[i].name.utf8string_len = (u_int)strlen(names[i]);
		ents[i].nextentry = i + 1 < n ? &ents[i + 1] : NULL;
	}
	rok->reply.entries = done ? NULL : &ents[0];
	rok->reply.eof = done;
	CHECK(xdr_nfs_resop4(&x, &res));
	return call->tc_decode(call->tc_decode_arg, buf, XDR_GETPOS(&x), call);
}

static const struct sess_xprt_ops cycle_ops = {.call = cycle_call};

static int count_entry(void *ctx, const char *name, const struct sess_attr *a)
{
	(void)name;
	(void)a;
	(*(int *)ctx)++;
	return 0;
}

static void readdir_cycle(bool inner)
{
	struct cycle_xprt cx = {
	    .x = {.x_ops = &cycle_ops, .x_max_record = 1 << 20},
	    .inner = inner};
	struct sess_client *cl = calloc(1, sizeof(*cl));
	struct sess_fh dir = {.fh_len = 4, .fh_data = "dir"};
	int ret, entries = 0;

	pthread_mutex_init(&cl->cl_lock, NULL);
	pthread_cond_init(&cl->cl_cond, NULL);
	CHECK(sess_slots_init(&cl->cl_slots, 4) == 0);
	cl->cl_opts.recovery_timeout_s = 2;
	cl->cl_have_session = true;
	cl->cl_session_gen = 1;
	memcpy(cl->cl_sessionid, test_sid, sizeof(sessionid4));
	cl->cl_xprt = &cx.x;
	cl->cl_conns[0].sn_xprt = &cx.x;
	cl->cl_nconns = 1;
	ret = sess_readdir(cl, &dir, count_entry, &entries);
	CHECK_EQ_INT(ret, -ELOOP);
	CHECK(cx.calls <= 3);
	CHECK(entries < 12);
	sess_slots_fini(&cl->cl_slots);
	pthread_mutex_destroy(&cl->cl_lock);
	pthread_cond_destroy(&cl->cl_cond);
	free(cl);
}

static void test_readdir_cycle(void)
{
	readdir_cycle(false);
	readdir_cycle(true);
}

static void test_delay_after_change(void)
{
	CHECK(delay_calls(NFS4_OP_REMOVE) == 1);
	/* PUTFH, LOOKUP, GETATTR: nothing changed, sent again */
	CHECK(delay_calls(NFS4_OP_LOOKUP) == 2);
}

/*
 * Minor version negotiation (sess_do_exchange_id()): a server that serves
 * only @served answers a COMPOUND of any other minor version with
 * NFS4ERR_MINOR_VERS_MISMATCH and no results, as Ganesha and RFC 8881
 * 15.1.5.5 do; at @served it grants a client id.  The transport reads the
 * minor version from the encoded call itself.
 */
struct minor_xprt {
	struct sess_xprt x;
	uint32_t served;
	uint32_t seen[4];
	int calls;
};

static int minor_call(struct sess_xprt *xprt, struct sess_xprt_call *call)
{
	struct minor_xprt *mx = (struct minor_xprt *)xprt;
	uint32_t words[64], minor, count;
	utf8str_cs tag = {0};
	uint8_t buf[512];
	nfs_resop4 res;
	nfsstat4 st;
	XDR x;
	int n;

	n = call->tc_encode(call->tc_encode_arg, (uint8_t *)words,
			    sizeof(words));
	CHECK(n >= 12);
	minor = ntohl(words[1]); /* after the empty tag's length */
	if (mx->calls < 4)
		mx->seen[mx->calls] = minor;
	mx->calls++;
	st = minor == mx->served ? NFS4_OK : NFS4ERR_MINOR_VERS_MISMATCH;
	count = st == NFS4_OK ? 1 : 0;
	xdrmem_ncreate(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	CHECK(xdr_nfsstat4(&x, &st) && xdr_utf8str_cs(&x, &tag) &&
	      xdr_u_int32_t(&x, &count));
	if (count) {
		memset(&res, 0, sizeof(res));
		res.resop = NFS4_OP_EXCHANGE_ID;
		res.nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u.eir_resok4
		    .eir_clientid = 0x42;
		CHECK(xdr_nfs_resop4(&x, &res));
	}
	return call->tc_decode(call->tc_decode_arg, buf, XDR_GETPOS(&x), call);
}

static const struct sess_xprt_ops minor_ops = {.call = minor_call};

static void negotiate(uint32_t served, uint32_t max_minor, int want_ret,
		      uint32_t want_minor, int want_calls)
{
	struct minor_xprt mx = {
	    .x = {.x_ops = &minor_ops, .x_max_record = 1 << 20},
	    .served = served};
	struct sess_client *cl = calloc(1, sizeof(*cl));
	int ret;

	pthread_mutex_init(&cl->cl_lock, NULL);
	cl->cl_opts.max_minor = max_minor;
	cl->cl_xprt = &mx.x;
	ret = sess_do_exchange_id(cl);
	CHECK(ret == want_ret);
	CHECK(mx.calls == want_calls);
	CHECK(mx.seen[0] == max_minor);
	if (want_calls > 1)
		CHECK(mx.seen[1] == 1);
	CHECK(sess_client_minor(cl) == want_minor);
	CHECK(cl->cl_stats.cst_minor_fallbacks ==
	      (uint64_t)(want_calls > 1 ? 1 : 0));
	if (ret == 0)
		CHECK(cl->cl_clientid == 0x42 && cl->cl_have_clientid);
	pthread_mutex_destroy(&cl->cl_lock);
	free(cl);
}

static void test_minor_negotiation(void)
{
	negotiate(2, 2, 0, 2, 1); /* 4.2 server: 4.2 at once */
	negotiate(1, 2, 0, 1, 2); /* 4.1 only: refused, then 4.1 */
	negotiate(1, 1, 0, 1, 1); /* asked for 4.1 only */
	negotiate(2, 1, NFS4ERR_MINOR_VERS_MISMATCH, 1, 1); /* never 4.2 */
	/* a server that serves neither: the mismatch is the answer */
	negotiate(0, 2, NFS4ERR_MINOR_VERS_MISMATCH, 1, 2);
}

/*
 * A SEQUENCE, PUTFH, @op reply whose last result has status @st, then the
 * words @w, then @bytes as XDR opaque (when @nb).  Returns its length.
 */
static size_t op_reply(uint8_t *buf, size_t cap, nfs_opnum4 op, nfsstat4 st,
		       const uint32_t *w, size_t nw, const void *bytes,
		       size_t nb)
{
	uint32_t opw = op, stw = st;
	XDR x;
	size_t i;

	xdrmem_ncreate(&x, (char *)buf, (u_int)cap, XDR_ENCODE);
	encode_head(&x, 3);
	CHECK(xdr_u_int32_t(&x, &opw) && xdr_u_int32_t(&x, &stw));
	for (i = 0; i < nw; i++) {
		uint32_t v = w[i];

		CHECK(xdr_u_int32_t(&x, &v));
	}
	if (nb)
		CHECK(xdr_opaque(&x, (char *)bytes, (u_int)nb));
	return XDR_GETPOS(&x);
}

/*
 * NFSv4.2 extended attribute results (sess_codec.c decode_getxattr,
 * decode_listxattr): valid ones decode; a value over 64 KiB, more names
 * than the cap or than the bytes left, a name over 255 bytes and a result
 * over the maxcount asked for are refused before anything that large is
 * allocated.
 */
static size_t xattr_reply(uint8_t *buf, size_t cap, nfs_opnum4 op,
			  const uint32_t *w, size_t nw, const void *bytes,
			  size_t nb)
{
	return op_reply(buf, cap, op, NFS4_OK, w, nw, bytes, nb);
}

static int xattr_decode(const uint8_t *buf, size_t len, nfs_opnum4 op,
			uint32_t maxcount, nfs_resop4 *res)
{
	struct sess_xprt_call call = {0};
	nfs_argop4 args[3];
	struct sess_raw r;
	int ret;

	memset(args, 0, sizeof(args));
	args[0].argop = NFS4_OP_SEQUENCE;
	args[1].argop = NFS4_OP_PUTFH;
	args[2].argop = op;
	args[2].nfs_argop4_u.oplistxattr.lxa_maxcount = maxcount;
	r = (struct sess_raw){.r_args = args, .r_nargs = 3, .r_res = res};
	ret = decode_compound(&r, buf, len, &call);
	if (ret == 0)
		CHECK(r.r_nres == 3);
	return ret;
}

static void *watch_calloc(size_t c, size_t n, const char *file, int line,
			  const char *func)
{
	(void)file;
	(void)line;
	(void)func;
	if (c * n > biggest_alloc)
		biggest_alloc = c * n;
	return c * n > (1u << 20) ? NULL : calloc(c, n);
}

/* xattr_decode() with ntirpc's allocators watched: the largest asked */
static int xattr_decode_watched(const uint8_t *buf, size_t len, nfs_opnum4 op,
				uint32_t maxcount, nfs_resop4 *res)
{
	mem_1_size_t real_malloc = __ntirpc_pkg_params.malloc_;
	mem_2_size_t real_calloc = __ntirpc_pkg_params.calloc_;
	int ret;

	biggest_alloc = 0;
	__ntirpc_pkg_params.malloc_ = watch_malloc;
	__ntirpc_pkg_params.calloc_ = watch_calloc;
	ret = xattr_decode(buf, len, op, maxcount, res);
	__ntirpc_pkg_params.malloc_ = real_malloc;
	__ntirpc_pkg_params.calloc_ = real_calloc;
	return ret;
}

static void test_xattr_replies(void)
{
	static uint8_t buf[1 << 18], big[70000];
	nfs_resop4 res[3];
	LISTXATTR4resok *lx;
	uint32_t w[8];
	size_t n, i;
	int ret;

	/* GETXATTR: a 5-byte value */
	w[0] = 5;
	n = xattr_reply(buf, sizeof(buf), NFS4_OP_GETXATTR, w, 1, "hello", 5);
	CHECK(xattr_decode(buf, n, NFS4_OP_GETXATTR, 0, res) == 0);
	CHECK(res[2]
		  .nfs_resop4_u.opgetxattr.GETXATTR4res_u.resok4.gxr_value
		  .utf8string_len == 5);
	for (i = 0; i < 3; i++)
		xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res[i]);
	/* 64 KiB is the most; one byte more is refused */
	w[0] = 65536;
	n = xattr_reply(buf, sizeof(buf), NFS4_OP_GETXATTR, w, 1, big, 65536);
	CHECK(xattr_decode(buf, n, NFS4_OP_GETXATTR, 0, res) == 0);
	for (i = 0; i < 3; i++)
		xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res[i]);
	w[0] = 65537;
	n = xattr_reply(buf, sizeof(buf), NFS4_OP_GETXATTR, w, 1, big, 65537);
	CHECK(xattr_decode(buf, n, NFS4_OP_GETXATTR, 0, res) == -EBADMSG);
	/* a length word promising 4 GiB: refused, nothing allocated */
	w[0] = 0xffffffffu;
	n = xattr_reply(buf, sizeof(buf), NFS4_OP_GETXATTR, w, 1, NULL, 0);
	CHECK(xattr_decode_watched(buf, n, NFS4_OP_GETXATTR, 0, res) ==
	      -EBADMSG);
	CHECK(biggest_alloc < 4096);

	/* LISTXATTR: cookie 9, names "a" and "bcde", eof */
	{
		uint8_t names[] = {0, 0, 0, 1, 'a', 0,	 0,   0,
				   0, 0, 0, 4, 'b', 'c', 'd', 'e'};
		uint32_t eof = htonl(1);
		uint8_t body[20];

		memcpy(body, names, 16);
		memcpy(body + 16, &eof, 4);
		w[0] = 0;
		w[1] = 9;
		w[2] = 2;
		n = xattr_reply(buf, sizeof(buf), NFS4_OP_LISTXATTR, w, 3, body,
				20);
		CHECK(xattr_decode(buf, n, NFS4_OP_LISTXATTR, 1024, res) == 0);
		lx = &res[2].nfs_resop4_u.oplistxattr.LISTXATTR4res_u.resok4;
		CHECK(lx->lxr_cookie == 9 && lx->lxr_eof &&
		      lx->lxr_names.xl4_count == 2 &&
		      lx->lxr_names.xl4_entries[1].utf8string_len == 4 &&
		      memcmp(lx->lxr_names.xl4_entries[1].utf8string_val,
			     "bcde", 4) == 0);
		for (i = 0; i < 3; i++)
			xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res[i]);
		/* 8 (cookie) + 4 + 16 + 4 = 32 bytes: maxcount 31 refuses */
		CHECK(xattr_decode(buf, n, NFS4_OP_LISTXATTR, 31, res) ==
		      -EMSGSIZE);
		for (i = 0; i < 3; i++)
			xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res[i]);
		CHECK(xattr_decode(buf, n, NFS4_OP_LISTXATTR, 32, res) == 0);
		for (i = 0; i < 3; i++)
			xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res[i]);
		/* every truncation is refused */
		for (i = 0; i < n; i += 4) {
			ret =
			    xattr_decode(buf, i, NFS4_OP_LISTXATTR, 1024, res);
			CHECK(ret != 0);
		}
	}
	/* a count of 2^28 names (4 GiB of entries): refused unallocated */
	w[0] = 0;
	w[1] = 1;
	w[2] = 1u << 28;
	n = xattr_reply(buf, sizeof(buf), NFS4_OP_LISTXATTR, w, 3, NULL, 0);
	CHECK(xattr_decode_watched(buf, n, NFS4_OP_LISTXATTR, 1u << 30, res) ==
	      -EBADMSG);
	CHECK(biggest_alloc < 4096);
	/* more names than the cap, with the bytes there: refused */
	memset(big, 0, sizeof(big));
	w[2] = 4097;
	n = xattr_reply(buf, sizeof(buf), NFS4_OP_LISTXATTR, w, 3, big,
			4097 * 4 + 4);
	CHECK(xattr_decode(buf, n, NFS4_OP_LISTXATTR, 1u << 30, res) ==
	      -EBADMSG);
	/* 10 names announced, room for 2 */
	w[2] = 10;
	n = xattr_reply(buf, sizeof(buf), NFS4_OP_LISTXATTR, w, 3, big, 12);
	CHECK(xattr_decode(buf, n, NFS4_OP_LISTXATTR, 1u << 30, res) ==
	      -EBADMSG);
	/* a name of 256 bytes */
	{
		uint32_t len256 = htonl(256);

		memset(big, 'x', 300);
		memcpy(big, &len256, 4);
		memset(big + 260, 0, 4); /* eof */
		w[2] = 1;
		n = xattr_reply(buf, sizeof(buf), NFS4_OP_LISTXATTR, w, 3, big,
				264);
		CHECK(xattr_decode(buf, n, NFS4_OP_LISTXATTR, 1u << 30, res) ==
		      -EBADMSG);
	}
}

/*
 * A server calls back at the client id's minor version: a 4.2 session
 * takes CB_COMPOUNDs of minor version 2 (and 1); a 4.1 one refuses 2.
 */
static nfsstat4 cb_status(uint32_t session_minor, uint32_t minor)
{
	struct sess_client *cl = fake_client();
	uint8_t req[4096], rep[8192];
	CB_COMPOUND4res cres;
	nfsstat4 st;
	size_t len, off = 0;
	XDR x;
	int n;

	atomic_store(&cl->cl_minor, session_minor);
	cb_minor = minor;
	len = build_cb(req, sizeof(req), 1, SESS_CB_PROGRAM);
	cb_minor = 1;
	n = sess_cb_handle(cl, req, len, rep, sizeof(rep));
	if (!CHECK(n > 0 &&
		   sess_rpc_decode_reply(rep, (size_t)n, 99, &off) == 0)) {
		/* no reply to read: a status none of the callers expects */
		sess_slots_fini(&cl->cl_slots);
		free(cl);
		return NFS4ERR_SERVERFAULT;
	}
	memset(&cres, 0, sizeof(cres));
	xdrmem_ncreate(&x, (char *)rep + off, (u_int)((size_t)n - off),
		       XDR_DECODE);
	CHECK(xdr_CB_COMPOUND4res(&x, &cres));
	st = cres.status;
	xdr_nfree((xdrproc_t)xdr_CB_COMPOUND4res, &cres);
	sess_slots_fini(&cl->cl_slots);
	free(cl);
	return st;
}

/*
 * NFSv4.2 READ_PLUS results (sess_codec.c decode_read_plus), which
 * Ganesha's XDR cannot decode: Ganesha 4.3's empty answer, data, a hole
 * then data, and an error decode to their summary; more data than the
 * call asked, a segment of neither kind, more segments than bytes left
 * and data cut short are refused.
 */
static size_t rp_reply(uint8_t *buf, size_t cap, nfsstat4 st, const uint32_t *w,
		       size_t nw, const void *bytes, size_t nb)
{
	return op_reply(buf, cap, NFS4_OP_READ_PLUS, st, w, nw, bytes, nb);
}

static nfs_argop4 rp_args[3];
static nfs_resop4 rp_res[3];
static struct sess_raw rp_raw;

/* decode a reply to SEQUENCE, PUTFH, READ_PLUS of @count bytes: 0 and
 * the READ_PLUS result in rp_res[2] (rp_free() after), or the error */
static int rp_decode(const uint8_t *buf, size_t len, count4 count)
{
	struct sess_xprt_call call = {0};
	int ret;

	memset(rp_args, 0, sizeof(rp_args));
	rp_args[0].argop = NFS4_OP_SEQUENCE;
	rp_args[1].argop = NFS4_OP_PUTFH;
	rp_args[2].argop = NFS4_OP_READ_PLUS;
	rp_args[2].nfs_argop4_u.opread_plus.rpa_count = count;
	rp_raw =
	    (struct sess_raw){.r_args = rp_args, .r_nargs = 3, .r_res = rp_res};
	ret = decode_compound(&rp_raw, buf, len, &call);
	if (ret == 0)
		CHECK(rp_raw.r_nres == 3);
	return ret;
}

static void rp_free(void)
{
	free_results(&rp_raw, rp_raw.r_nres);
}

static void test_read_plus_replies(void)
{
	static uint8_t buf[1 << 16];
	const READ_PLUS4res *rp = &rp_res[2].nfs_resop4_u.opread_plus;
	const read_plus_res4 *ok = &rp->rpr_resok4;
	size_t n;
	/* eof, count, DATA at 0 (two words), length 0: Ganesha 4.3's */
	const uint32_t empty[] = {0, 1, NFS4_CONTENT_DATA, 0, 0, 0};
	const uint32_t data[] = {1, 1, NFS4_CONTENT_DATA, 0, 8192, 5};
	const uint32_t two[] = {0, 2,	  NFS4_CONTENT_HOLE, 0, 0,
				0, 65536, NFS4_CONTENT_DATA, 0, 65536,
				3};
	const uint32_t toolong[] = {0, 1, NFS4_CONTENT_DATA, 0, 0, 5000};
	const uint32_t badkind[] = {0, 1, 7, 0, 0, 0};
	const uint32_t many[] = {0, 0xffffffffu, NFS4_CONTENT_DATA, 0, 0, 0};
	const uint32_t cut[] = {0, 1, NFS4_CONTENT_DATA, 0, 0, 100};

	n = rp_reply(buf, sizeof(buf), NFS4_OK, empty, 6, NULL, 0);
	if (CHECK(rp_decode(buf, n, 4096) == 0)) {
		CHECK(rp->rpr_status == NFS4_OK && !ok->rpr_eof);
		CHECK_EQ_INT(ok->rpr_contents_count, 1);
		CHECK(ok->rpr_contents.what == NFS4_CONTENT_DATA);
		CHECK_EQ_INT(ok->rpr_contents.data.d_offset, 0);
		CHECK_EQ_INT(ok->rpr_contents.data.d_data.data_len, 0);
		rp_free();
	}
	n = rp_reply(buf, sizeof(buf), NFS4_OK, data, 6, "hello", 5);
	if (CHECK(rp_decode(buf, n, 4096) == 0)) {
		CHECK(ok->rpr_eof && ok->rpr_contents_count == 1);
		CHECK_EQ_INT(ok->rpr_contents.data.d_offset, 8192);
		CHECK_EQ_INT(ok->rpr_contents.data.d_data.data_len, 5);
		CHECK(ok->rpr_contents.data.d_data.data_val == NULL);
		rp_free();
	}
	n = rp_reply(buf, sizeof(buf), NFS4_OK, two, 11, "abc", 3);
	if (CHECK(rp_decode(buf, n, 4096) == 0)) {
		CHECK_EQ_INT(ok->rpr_contents_count, 2);
		CHECK(ok->rpr_contents.what == NFS4_CONTENT_HOLE);
		CHECK_EQ_INT(ok->rpr_contents.hole.di_offset, 0);
		CHECK_EQ_INT(ok->rpr_contents.hole.di_length, 65536);
		rp_free();
	}
	n = rp_reply(buf, sizeof(buf), NFS4ERR_NOTSUPP, NULL, 0, NULL, 0);
	if (CHECK(rp_decode(buf, n, 4096) == 0)) {
		CHECK(rp->rpr_status == NFS4ERR_NOTSUPP);
		rp_free();
	}

	n = rp_reply(buf, sizeof(buf), NFS4_OK, toolong, 6, NULL, 0);
	CHECK_EQ_INT(rp_decode(buf, n, 4096), -EBADMSG);
	n = rp_reply(buf, sizeof(buf), NFS4_OK, badkind, 6, NULL, 0);
	CHECK_EQ_INT(rp_decode(buf, n, 4096), -EBADMSG);
	n = rp_reply(buf, sizeof(buf), NFS4_OK, many, 6, NULL, 0);
	CHECK_EQ_INT(rp_decode(buf, n, 4096), -EBADMSG);
	n = rp_reply(buf, sizeof(buf), NFS4_OK, cut, 6, "hello", 5);
	CHECK_EQ_INT(rp_decode(buf, n, 4096), -EBADMSG);
}

static void test_cb_minor(void)
{
	/* accepted: CB_RECALL answers BADHANDLE (no such delegation) */
	CHECK_EQ(cb_status(2, 2), NFS4ERR_BADHANDLE);
	CHECK_EQ(cb_status(2, 1), NFS4ERR_BADHANDLE);
	CHECK_EQ(cb_status(1, 1), NFS4ERR_BADHANDLE);
	CHECK_EQ(cb_status(1, 2), NFS4ERR_MINOR_VERS_MISMATCH);
	CHECK_EQ(cb_status(2, 3), NFS4ERR_MINOR_VERS_MISMATCH);
}

int main(void)
{
	test_compound_reply();
	test_readdir_reply();
	test_backchannel();
	test_delay_after_change();
	test_uncached_forever();
	test_badsession_past_deadline();
	test_minor_negotiation();
	test_xattr_replies();
	test_read_plus_replies();
	test_cb_minor();
	test_readdir_cycle();
	return gr_check_done("test_decode");
}
