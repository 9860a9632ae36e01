/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gr_malformed: send malformed RPC-over-RDMA transport headers to a
 * running NFS-over-RDMA server (Ganesha with this project's transport) and
 * check each answer.
 *
 *   gr_malformed ADDR PORT            the cases below
 *   gr_malformed ADDR PORT zero-read  one call whose Read chunk is
 *       {position 4, length 0}: it must be answered like any other call
 *       (it was neither answered nor released, and its connection was
 *       never reaped); exit 0 when answered
 *   gr_malformed ADDR PORT small-inline  a client whose inline receive
 *       is 1 KiB offers 4 Write chunks of 16 segments: the echo alone
 *       makes a reply header of ~1.1 KiB, so no reply may go inline; the
 *       answer must fit 1 KiB (RDMA_ERROR); exit 0 when it does
 *   gr_malformed ADDR PORT exports ALLOWED_ID REFUSED_ID  NFS_RDMA's
 *       Exports list for calls that name their export by file handle
 *       (the server runs NFSv4 only, so a call that gets past the
 *       transport is answered by Ganesha with PROG_MISMATCH or
 *       PROG_UNAVAIL, a refused one gets MSG_DENIED AUTH_ERROR
 *       AUTH_TOOWEAK from the transport): NFSv3 GETATTR naming REFUSED_ID
 *       is denied, naming ALLOWED_ID it is not; NLM v4 LOCK is not looked
 *       into (Ganesha does not serve NLM on the NFS dispatcher RDMA
 *       connections use); an NFSv4.0 PUTFH of a handle naming REFUSED_ID gets
 *       NFS4ERR_ACCESS (the export is checked before the handle's
 *       object), one naming ALLOWED_ID does not; exit 0 when all hold
 *   gr_malformed ADDR PORT v3 HANDLE_HEX REFUSED_ID  against a server
 *       with NFSv3 on: MOUNT over RDMA answers PROG_UNAVAIL; an NFSv3
 *       GETATTR of HANDLE (an allowed export's root, from MOUNT over TCP)
 *       answers NFS3_OK; the same handle naming REFUSED_ID is denied
 *       AUTH_TOOWEAK (AUTH_SYS as root)
 *   gr_malformed ADDR PORT overrun N  N NFS NULL calls back to back, more
 *       than the server's credits: the server must close this connection
 *       (RFC 8166 3.3.1); exit 0 when it did within 20 s
 *   gr_malformed ADDR PORT flood SECS  for SECS seconds, messages too
 *       short for a header (dropped by the server), as fast as the send
 *       queue takes them, reconnecting whenever the server closes the
 *       connection; prints "flood: sent N connections N"; exit 0 (a load
 *       generator, it checks nothing)
 *
 * How this works: a raw client on the project's fabric seam (ofi backend,
 * libfabric's tcp provider; GR_MALFORMED_FABRIC=verbs picks rdma-core)
 * connects with RFC 8797 private data, keeps a
 * few receives posted and sends one message at a time, built with the
 * codec in src/xprt_rdma/proto (xr_hdr_encode) and then damaged where the
 * case needs it.  RFC 8166 section 4.5 says what a responder does:
 *   - wrong rdma_vers                     -> RDMA_ERROR / ERR_VERS
 *   - any other header it cannot parse    -> RDMA_ERROR / ERR_CHUNK
 *   - too short to carry an xid, or an RDMA_ERROR sent to a responder
 *                                         -> dropped, no answer
 * The engine adds its own refusal (ERR_CHUNK) for a parsable call it
 * cannot take, here a Read chunk far beyond the maximum request size.
 * Well-formed transport headers carrying RPC calls that RFC 5531 says
 * must be denied get the exact denial words back, not silence: RPC
 * version 3 -> MSG_DENIED / RPC_MISMATCH (2..2); a credential over 400
 * bytes or cut off -> MSG_DENIED / AUTH_ERROR / AUTH_BADCRED; the same
 * faults in the verifier -> AUTH_BADVERF.
 * Between cases an NFS NULL call must be answered normally on the same
 * connection.  The last case offers a Read chunk with a handle nobody
 * registered: the server's RDMA Read fails, and the connection must end
 * (or be answered with RDMA_ERROR) without a normal reply.
 *
 * Output: one "ok:" or "FAIL:" line per check, then
 *   "expect err_vers_sent N err_chunk_sent N err_hdr_dropped N"
 *   "expect_denied rpc_mismatch N auth_error N"
 * which the calling script compares with the server's stats file.
 * Exit 0 when every check passed, 1 otherwise, 77 when the fabric cannot
 * be opened here (the reason is printed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xr_cm.h"
#include "xr_fabric.h"
#include "xr_hdr.h"

#define NRECV 8
#define SLOT 4096
#define SEND_SLOT (NRECV * SLOT)
#define NFS_PROGRAM 100003u
#define NWCH 4 /* Write chunks the server accepts in one call */

struct raw {
	struct xr_fabric *fab;
	struct xr_ep *ep;
	struct xr_mr *mr;
	uint8_t *buf; /* NRECV receive slots, then one send slot */
	bool down;    /* the connection ended */
};

static const char *addr;
static uint16_t port;
static int passed, failed;
static unsigned int n_vers, n_chunk, n_dropped, n_mismatch, n_auth;

static void report(bool ok, const char *what, const char *detail)
{
	printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? " - " : "",
	       detail ? detail : "");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* Drain connection events; notes when ours ended. */
static void raw_events(struct raw *r, enum xr_event_type *last)
{
	struct xr_event ev;

	while (xr_fabric_get_event(r->fab, &ev) == 0) {
		if (last)
			*last = ev.xv_type;
		if (ev.xv_type == XR_EV_DISCONNECTED ||
		    ev.xv_type == XR_EV_ERROR || ev.xv_type == XR_EV_REJECTED)
			r->down = true;
	}
}

static void raw_repost(struct raw *r, uint8_t *slot)
{
	struct xr_recv re = {
	    .rcv_ctx = slot, .rcv_sge = {{slot, SLOT, r->mr}}, .rcv_nsge = 1};
	uint32_t posted;

	xr_post_recvs(r->ep, &re, 1, &posted);
}

/*
 * Wait up to @ms for one received message; copies it to @out.  Returns
 * its length, -ETIMEDOUT, or -ENOTCONN once the connection has ended.
 */
static int raw_wait_recv(struct raw *r, uint8_t *out, int ms)
{
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(r->fab), .events = POLLIN};
	struct xr_completion wc[8];
	int i, n, k, got = -ETIMEDOUT;

	for (i = 0; i < ms / 10 && got == -ETIMEDOUT; i++) {
		raw_events(r, NULL);
		n = xr_fabric_poll(r->fab, wc, 8);
		for (k = 0; k < n; k++) {
			if (wc[k].xc_op != XR_OP_RECV)
				continue;
			if (wc[k].xc_status) {
				r->down = true;
				continue;
			}
			if (got == -ETIMEDOUT) {
				memcpy(out, wc[k].xc_ctx, wc[k].xc_len);
				got = (int)wc[k].xc_len;
			}
			raw_repost(r, wc[k].xc_ctx);
		}
		if (got == -ETIMEDOUT && r->down)
			return -ENOTCONN;
		if (n <= 0 && xr_fabric_arm(r->fab) == 0)
			poll(&pfd, 1, 10);
	}
	return got;
}

/* Inline receive size we advertise (our buffers are SLOT bytes anyway). */
static uint32_t adv_recv = SLOT;

static int raw_connect(struct raw *r, unsigned int access)
{
	const char *backend = getenv("GR_MALFORMED_FABRIC");
	struct xr_fabric_params fp = {.xfp_backend = backend ? backend : "ofi"};
	struct xr_cm_private mine = {.pd_send_size = SLOT,
				     .pd_recv_size = adv_recv};
	struct xr_recv pre[NRECV];
	struct xr_ep_attr attr;
	enum xr_event_type last = 0;
	uint8_t pdata[8];
	char err[256];
	int i, ret;

	memset(r, 0, sizeof(*r));
	ret = xr_fabric_open(&fp, &r->fab, err, sizeof(err));
	if (ret) {
		printf("SKIP: cannot open the %s fabric: %s\n", fp.xfp_backend,
		       err);
		exit(77);
	}
	r->buf = aligned_alloc(4096, (NRECV + 1) * SLOT);
	if (!r->buf)
		return -ENOMEM;
	ret = xr_reg_mr(r->fab, r->buf, (NRECV + 1) * SLOT, access, &r->mr);
	if (ret)
		return ret;
	for (i = 0; i < NRECV; i++)
		pre[i] = (struct xr_recv){
		    .rcv_ctx = r->buf + i * SLOT,
		    .rcv_sge = {{r->buf + i * SLOT, SLOT, r->mr}},
		    .rcv_nsge = 1};
	if (xr_cm_encode(&mine, pdata, sizeof(pdata)) < 0)
		return -EINVAL;
	xr_ep_attr_from_credits(NRECV, &attr);
	attr.xea_send_depth += 64; /* overrun: more sends than credits */
	ret = xr_connect(r->fab, addr, port, &attr, pre, NRECV, pdata,
			 sizeof(pdata), NULL, &r->ep);
	if (ret)
		return ret;
	for (i = 0; i < 1000 && !r->down; i++) {
		struct pollfd pfd = {.fd = xr_fabric_wait_fd(r->fab),
				     .events = POLLIN};
		struct xr_completion wc[8];

		raw_events(r, &last);
		if (last == XR_EV_ESTABLISHED)
			return 0;
		xr_fabric_poll(r->fab, wc, 8);
		if (xr_fabric_arm(r->fab) == 0)
			poll(&pfd, 1, 10);
	}
	return -ECONNREFUSED;
}

static void raw_close(struct raw *r)
{
	struct xr_completion wc[8];
	int i;

	if (r->ep) {
		if (!r->down)
			xr_disconnect(r->ep);
		for (i = 0; i < 500 && (!r->down || xr_ep_outstanding(r->ep));
		     i++) {
			raw_events(r, NULL);
			xr_fabric_poll(r->fab, wc, 8);
			poll(NULL, 0, 2);
		}
		xr_ep_destroy(r->ep);
	}
	if (r->mr)
		xr_dereg_mr(r->mr);
	xr_fabric_close(r->fab);
	free(r->buf);
}

static int raw_send(struct raw *r, const void *msg, uint32_t len)
{
	uint8_t *sbuf = r->buf + SEND_SLOT;
	struct xr_sge sge = {sbuf, len, r->mr};

	memcpy(sbuf, msg, len);
	return xr_post_send(r->ep, &sge, 1, false, 0, NULL);
}

/* An RPC Call header, NFS program version 4, AUTH_NONE: 40 bytes. */
static uint32_t rpc_call(uint8_t *p, uint32_t xid, uint32_t proc)
{
	const uint32_t w[10] = {
	    xid, 0 /* CALL */, 2, NFS_PROGRAM, 4, proc, 0, 0, 0, 0};
	int i;

	for (i = 0; i < 10; i++)
		put32(p + 4 * i, w[i]);
	return 40;
}

/*
 * A header with the given lists, encoded by the codec.  Read chunks get
 * one segment each; @wlen != 0 adds a one-segment Write chunk.
 */
struct spec {
	uint32_t xid;
	uint32_t vers;
	uint32_t proc;
	uint32_t nread;
	uint32_t rpos[2];
	uint32_t rlen[2];
	uint64_t roff;
	uint32_t rhandle;
	uint64_t wlen;
};

static uint32_t encode(const struct spec *s, uint8_t *buf, size_t size)
{
	struct xr_chunk ch[3];
	struct xr_segment sg[3];
	struct xr_hdr h;
	uint32_t i, n = 0;
	ssize_t len;

	xr_hdr_init(&h, ch, 3, sg, 3);
	h.h_xid = s->xid;
	h.h_vers = s->vers ? s->vers : XR_RPCRDMA_VERSION;
	h.h_credits = NRECV;
	h.h_proc = s->proc;
	for (i = 0; i < s->nread; i++, n++) {
		ch[n] = (struct xr_chunk){.ch_position = s->rpos[i],
					  .ch_first = n,
					  .ch_nsegs = 1,
					  .ch_length = s->rlen[i]};
		sg[n] = (struct xr_segment){.seg_handle = s->rhandle,
					    .seg_length = s->rlen[i],
					    .seg_offset = s->roff};
	}
	h.h_nread = s->nread;
	if (s->wlen) {
		ch[n] = (struct xr_chunk){
		    .ch_first = n, .ch_nsegs = 1, .ch_length = s->wlen};
		sg[n] = (struct xr_segment){.seg_handle = 0x1234,
					    .seg_length = (uint32_t)s->wlen,
					    .seg_offset = 0};
		h.h_nwrite = 1;
		n++;
	}
	h.h_nsegs = n;
	len = xr_hdr_encode(&h, buf, size);
	if (len < 0) {
		fprintf(stderr, "xr_hdr_encode: %zd\n", len);
		exit(1);
	}
	return (uint32_t)len;
}

/* Decode a reply header received by a requester. */
static bool decode_reply(const uint8_t *msg, int len, struct xr_hdr *h)
{
	static struct xr_chunk ch[4];
	static struct xr_segment sg[4];
	struct xr_hdr_limits lim = {.hl_dir = XR_DIR_REPLY,
				    .hl_max_read_segs = 4,
				    .hl_max_write_chunks = 4,
				    .hl_max_chunk_segs = 4,
				    .hl_max_chunk_bytes = 1 << 20,
				    .hl_inline_size = SLOT};
	enum xr_hdr_reason reason;

	xr_hdr_init(h, ch, 4, sg, 4);
	return len > 0 && !xr_hdr_decode(msg, (size_t)len, &lim, h, &reason);
}

/* Send @msg and expect RDMA_ERROR with @err for @xid. */
static void expect_error(struct raw *r, const char *what, const void *msg,
			 uint32_t len, uint32_t xid, uint32_t err)
{
	uint8_t rep[SLOT];
	char detail[160];
	struct xr_hdr h;
	int got;
	bool ok;

	if (r->down) {
		report(false, what, "connection already down");
		return;
	}
	if (raw_send(r, msg, len)) {
		report(false, what, "send failed");
		return;
	}
	got = raw_wait_recv(r, rep, 10000);
	ok = decode_reply(rep, got, &h) && h.h_proc == XR_RDMA_ERROR &&
	     h.h_err == err && h.h_xid == xid && h.h_credits > 0;
	if (ok && err == XR_ERR_VERS)
		ok = h.h_vers_low == 1 && h.h_vers_high == 1;
	if (got < 0)
		snprintf(detail, sizeof(detail), "no reply (%s)",
			 strerror(-got));
	else
		snprintf(detail, sizeof(detail),
			 "reply of %d bytes: xid %#x proc %u err %u credits %u",
			 got, h.h_xid, h.h_proc, h.h_err, h.h_credits);
	report(ok, what, detail);
	if (err == XR_ERR_VERS)
		n_vers++;
	else
		n_chunk++;
}

/* Send @msg and expect silence (a dropped message). */
static void expect_drop(struct raw *r, const char *what, const void *msg,
			uint32_t len)
{
	uint8_t rep[SLOT];
	int got;

	if (raw_send(r, msg, len)) {
		report(false, what, "send failed");
		return;
	}
	got = raw_wait_recv(r, rep, 1000);
	report(got == -ETIMEDOUT, what,
	       got == -ETIMEDOUT ? "no answer, as required" : "answered");
	n_dropped++;
}

/* An NFS NULL call on the same connection gets a normal reply. */
static void expect_served(struct raw *r, const char *what, uint32_t xid)
{
	uint8_t msg[128], rep[SLOT];
	struct spec s = {.xid = xid, .proc = XR_RDMA_MSG};
	struct xr_hdr h;
	uint32_t len;
	int got;
	bool ok;

	len = encode(&s, msg, sizeof(msg));
	len += rpc_call(msg + len, xid, 0);
	if (r->down || raw_send(r, msg, len)) {
		report(false, what, "connection down");
		return;
	}
	got = raw_wait_recv(r, rep, 10000);
	/* xid, REPLY, MSG_ACCEPTED, verifier AUTH_NONE (2 words), SUCCESS */
	ok = decode_reply(rep, got, &h) && h.h_proc == XR_RDMA_MSG &&
	     h.h_xid == xid && h.h_msg_len >= 24 &&
	     get32(rep + h.h_msg_offset) == xid &&
	     get32(rep + h.h_msg_offset + 4) == 1 &&
	     get32(rep + h.h_msg_offset + 8) == 0 &&
	     get32(rep + h.h_msg_offset + 20) == 0;
	report(ok, what, ok ? NULL : "no normal NULL reply");
}

/*
 * Send an RDMA_MSG carrying @nw RPC words plus @extra zero bytes and
 * expect an RPC reply of exactly the @nwant words @want (a denial).
 */
static void expect_denied(struct raw *r, const char *what, const uint32_t *w,
			  int nw, uint32_t extra, const uint32_t *want,
			  int nwant)
{
	uint8_t msg[SLOT], rep[SLOT];
	struct spec s = {.xid = w[0], .proc = XR_RDMA_MSG};
	char detail[200];
	struct xr_hdr h;
	uint32_t len;
	int got, i, at;
	bool ok;

	len = encode(&s, msg, sizeof(msg));
	for (i = 0; i < nw; i++, len += 4)
		put32(msg + len, w[i]);
	memset(msg + len, 0, extra);
	len += extra;
	if (r->down || raw_send(r, msg, len)) {
		report(false, what, "connection down");
		return;
	}
	got = raw_wait_recv(r, rep, 10000);
	ok = decode_reply(rep, got, &h) && h.h_proc == XR_RDMA_MSG &&
	     h.h_xid == w[0] && h.h_msg_len == 4u * nwant;
	at = snprintf(detail, sizeof(detail), "got %d bytes:", got);
	for (i = 0; ok && i < nwant; i++) {
		uint32_t v = get32(rep + h.h_msg_offset + 4 * i);

		at += snprintf(detail + at, sizeof(detail) - at, " %#x", v);
		ok = v == want[i];
	}
	if (got > 0 && !ok && decode_reply(rep, got, &h))
		snprintf(detail + at, sizeof(detail) - at,
			 " (proc %u, %u RPC bytes)", h.h_proc, h.h_msg_len);
	report(ok, what, got < 0 ? "no answer" : detail);
	if (nwant == 6)
		n_mismatch++;
	else
		n_auth++;
}

/* RFC 5531 denials for calls ntirpc's decoder would drop. */
static void rpc_denials(struct raw *r, uint32_t *x)
{
	const uint32_t P = NFS_PROGRAM;
	uint32_t x0;

	x0 = ++*x;
	expect_denied(r, "RPC version 3 -> MSG_DENIED RPC_MISMATCH 2..2",
		      (const uint32_t[]){x0, 0, 3, P, 4, 0, 0, 0, 0, 0}, 10, 0,
		      (const uint32_t[]){x0, 1, 1, 0, 2, 2}, 6);
	x0 = ++*x;
	expect_denied(
	    r, "AUTH_SYS credential of 401 bytes -> AUTH_ERROR AUTH_BADCRED",
	    (const uint32_t[]){x0, 0, 2, P, 4, 0, 1, 401}, 8, 404 + 8,
	    (const uint32_t[]){x0, 1, 1, 1, 2}, 5);
	x0 = ++*x;
	expect_denied(
	    r,
	    "credential of 200 bytes cut off at 100 -> AUTH_ERROR AUTH_BADCRED",
	    (const uint32_t[]){x0, 0, 2, P, 4, 0, 1, 200}, 8, 100,
	    (const uint32_t[]){x0, 1, 1, 1, 2}, 5);
	x0 = ++*x;
	expect_denied(r, "verifier of 1000 bytes -> AUTH_ERROR AUTH_BADVERF",
		      (const uint32_t[]){x0, 0, 2, P, 4, 0, 0, 0, 1, 1000}, 10,
		      40, (const uint32_t[]){x0, 1, 1, 1, 4}, 5);
	x0 = ++*x;
	expect_denied(
	    r, "verifier cut off after its flavor -> AUTH_ERROR AUTH_BADVERF",
	    (const uint32_t[]){x0, 0, 2, P, 4, 0, 0, 0, 0}, 9, 0,
	    (const uint32_t[]){x0, 1, 1, 1, 4}, 5);
}

static void cases(struct raw *r)
{
	uint8_t m[512];
	uint32_t len, x = 0x6d610000;
	struct spec s;

	expect_served(r, "NULL call answered before any bad header", ++x);

	s = (struct spec){.xid = ++x, .vers = 7, .proc = XR_RDMA_MSG};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 0);
	expect_error(r, "rdma_vers 7 -> ERR_VERS (1..1)", m, len, x,
		     XR_ERR_VERS);

	s = (struct spec){.xid = ++x, .proc = XR_RDMA_MSG};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 0);
	put32(m + 12, XR_RDMA_MSGP);
	expect_error(r, "reserved procedure RDMA_MSGP -> ERR_CHUNK", m, len, x,
		     XR_ERR_CHUNK);
	put32(m, ++x);
	put32(m + 12, XR_RDMA_DONE);
	expect_error(r, "reserved procedure RDMA_DONE -> ERR_CHUNK", m, len, x,
		     XR_ERR_CHUNK);
	put32(m, ++x);
	put32(m + 12, 17);
	expect_error(r, "undefined procedure 17 -> ERR_CHUNK", m, len, x,
		     XR_ERR_CHUNK);

	put32(m, ++x);
	expect_error(r, "header truncated after rdma_credit -> ERR_CHUNK", m,
		     12, x, XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x, .proc = XR_RDMA_MSG};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 0);
	put32(m + 16, 9); /* Read list discriminator */
	expect_error(r, "list discriminator 9 -> ERR_CHUNK", m, len, x,
		     XR_ERR_CHUNK);

	/* A Read list entry announced, then the message ends. */
	s = (struct spec){.xid = ++x, .proc = XR_RDMA_MSG};
	encode(&s, m, sizeof(m));
	put32(m + 16, 1);
	put32(m + 20, 0);
	expect_error(r, "Read list cut off mid-segment -> ERR_CHUNK", m, 28, x,
		     XR_ERR_CHUNK);

	/* A Write chunk claiming 100000 segments in a 3 KiB message. */
	s = (struct spec){.xid = ++x, .proc = XR_RDMA_MSG, .wlen = 4096};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 0);
	put32(m + 24, 100000); /* after: Read list end, Write list "1" */
	expect_error(r, "Write chunk with 100000 segments -> ERR_CHUNK", m, len,
		     x, XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x, .proc = XR_RDMA_MSG, .wlen = 0xfffffff0u};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 0);
	expect_error(r, "Write chunk of 4 GiB -> ERR_CHUNK", m, len, x,
		     XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x,
			  .proc = XR_RDMA_MSG,
			  .nread = 1,
			  .rpos = {40},
			  .rlen = {4096},
			  .rhandle = 0x99,
			  .roff = 0xffffffffffffff00ull};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 7);
	expect_error(r, "Read segment whose offset + length wraps -> ERR_CHUNK",
		     m, len, x, XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x,
			  .proc = XR_RDMA_MSG,
			  .nread = 1,
			  .rpos = {4096},
			  .rlen = {4096},
			  .rhandle = 0x99};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 7);
	expect_error(r, "Read chunk position beyond the message -> ERR_CHUNK",
		     m, len, x, XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x,
			  .proc = XR_RDMA_MSG,
			  .nread = 1,
			  .rpos = {36},
			  .rlen = {4096},
			  .rhandle = 0x99};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 7);
	put32(m + 20, 38); /* position word of the only Read segment */
	expect_error(r, "Read chunk position 38 (not XDR-aligned) -> ERR_CHUNK",
		     m, len, x, XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x,
			  .proc = XR_RDMA_MSG,
			  .nread = 2,
			  .rpos = {36, 16},
			  .rlen = {8, 8},
			  .rhandle = 0x99};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 7);
	expect_error(r, "Read chunks out of position order -> ERR_CHUNK", m,
		     len, x, XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x, .proc = XR_RDMA_MSG};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x + 1000, 0);
	expect_error(r, "RPC xid differs from rdma_xid -> ERR_CHUNK", m, len, x,
		     XR_ERR_CHUNK);

	s = (struct spec){.xid = ++x, .proc = XR_RDMA_NOMSG};
	len = encode(&s, m, sizeof(m));
	expect_error(r, "RDMA_NOMSG without a call chunk -> ERR_CHUNK", m, len,
		     x, XR_ERR_CHUNK);

	/* Parsable, but 60 MiB of WRITE data is beyond any request size. */
	s = (struct spec){.xid = ++x,
			  .proc = XR_RDMA_MSG,
			  .nread = 1,
			  .rpos = {40},
			  .rlen = {60u << 20},
			  .rhandle = 0x99};
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, x, 1);
	expect_error(
	    r, "Read chunk of 60 MiB (over Max_Request_Size) -> ERR_CHUNK", m,
	    len, x, XR_ERR_CHUNK);

	expect_served(r, "NULL call answered after the refused headers", ++x);

	put32(m, ++x);
	expect_drop(r, "2-byte message (no xid) is dropped", m, 2);
	len = (uint32_t)xr_hdr_encode_err_chunk(++x, 1, m, sizeof(m));
	expect_drop(r, "RDMA_ERROR sent to the server is dropped", m, len);

	expect_served(r, "NULL call answered after the dropped messages", ++x);

	rpc_denials(r, &x);
	expect_served(r, "NULL call answered after the RPC denials", ++x);
}

/*
 * A Read chunk naming a handle we never registered: the server's RDMA
 * Read is refused by our side, which ends the connection.  Acceptable
 * answers: the connection ends, or RDMA_ERROR; never a normal reply.
 */
static void bad_handle(void)
{
	uint8_t m[256], rep[SLOT];
	struct spec s = {.xid = 0x6d62ffff,
			 .proc = XR_RDMA_MSG,
			 .nread = 1,
			 .rpos = {40},
			 .rlen = {8192},
			 .rhandle = 0x5eed5eed};
	struct xr_hdr h;
	struct raw r;
	uint32_t len;
	int got, ret;

	ret = raw_connect(&r, XR_ACCESS_LOCAL);
	report(!ret, "second raw connection", ret ? strerror(-ret) : NULL);
	if (ret) {
		raw_close(&r);
		return;
	}
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, s.xid, 1);
	if (raw_send(&r, m, len)) {
		report(false, "Read chunk with an unknown handle", "send");
		raw_close(&r);
		return;
	}
	got = raw_wait_recv(&r, rep, 15000);
	if (got == -ENOTCONN)
		report(true, "Read chunk with an unknown handle",
		       "the connection ended");
	else if (got > 0 && decode_reply(rep, got, &h) &&
		 h.h_proc == XR_RDMA_ERROR)
		report(true, "Read chunk with an unknown handle",
		       "answered RDMA_ERROR");
	else
		report(false, "Read chunk with an unknown handle",
		       got > 0 ? "answered normally" : "no outcome in 15 s");
	raw_close(&r);
}

/*
 * A NULL call carrying a Read chunk of length 0 at position 4 (nothing to
 * pull): it must be answered normally, and the connection released once
 * we leave.
 */
static void zero_read(void)
{
	uint8_t m[256], rep[SLOT];
	struct spec s = {.xid = 0x7a000001,
			 .proc = XR_RDMA_MSG,
			 .nread = 1,
			 .rpos = {4},
			 .rlen = {0},
			 .rhandle = 0x99};
	struct xr_hdr h;
	struct raw r;
	uint32_t len;
	int got, ret;

	ret = raw_connect(&r, XR_ACCESS_LOCAL);
	report(!ret, "raw connection to the server",
	       ret ? strerror(-ret) : NULL);
	if (ret) {
		raw_close(&r);
		return;
	}
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, s.xid, 0);
	if (raw_send(&r, m, len)) {
		report(false, "NULL call with a zero-length Read chunk",
		       "send");
		raw_close(&r);
		return;
	}
	got = raw_wait_recv(&r, rep, 10000);
	report(got > 0 && decode_reply(rep, got, &h) && h.h_xid == s.xid &&
		   (h.h_proc == XR_RDMA_MSG || h.h_proc == XR_RDMA_ERROR),
	       "NULL call with a zero-length Read chunk at position 4 answered",
	       got < 0 ? strerror(-got) : NULL);
	raw_close(&r);
}

/*
 * Our inline receive is 1 KiB; the call offers 4 Write chunks of 16
 * segments each, which the reply must echo (1,084 header bytes).  Any
 * answer longer than 1 KiB breaks the negotiated size.
 */
static void small_inline(void)
{
	struct xr_chunk ch[NWCH];
	struct xr_segment sg[NWCH * 16];
	uint8_t m[SLOT], rep[SLOT];
	uint32_t xid = 0x7b000001, i, k;
	char detail[160];
	struct xr_hdr h;
	struct raw r;
	ssize_t len;
	int got, ret;

	adv_recv = 1024;
	ret = raw_connect(&r, XR_ACCESS_LOCAL);
	report(!ret, "raw connection advertising a 1 KiB inline receive",
	       ret ? strerror(-ret) : NULL);
	if (ret) {
		raw_close(&r);
		return;
	}
	xr_hdr_init(&h, ch, NWCH, sg, NWCH * 16);
	h.h_xid = xid;
	h.h_vers = XR_RPCRDMA_VERSION;
	h.h_credits = NRECV;
	h.h_proc = XR_RDMA_MSG;
	for (i = 0; i < NWCH; i++) {
		ch[i] = (struct xr_chunk){
		    .ch_first = i * 16, .ch_nsegs = 16, .ch_length = 16 * 64};
		for (k = 0; k < 16; k++)
			sg[i * 16 + k] = (struct xr_segment){
			    .seg_handle = 0x1234,
			    .seg_length = 64,
			    .seg_offset = 64 * (i * 16 + k)};
	}
	h.h_nwrite = NWCH;
	h.h_nsegs = NWCH * 16;
	len = xr_hdr_encode(&h, m, sizeof(m));
	if (len < 0) {
		report(false, "encode", strerror((int)-len));
		raw_close(&r);
		return;
	}
	len += rpc_call(m + len, xid, 0);
	if (raw_send(&r, m, (uint32_t)len)) {
		report(false, "NULL call with 64 Write segments", "send");
		raw_close(&r);
		return;
	}
	got = raw_wait_recv(&r, rep, 10000);
	snprintf(detail, sizeof(detail), "answer of %d bytes, proc %u", got,
		 got > 0 && decode_reply(rep, got, &h) ? h.h_proc : 99);
	report(got > 0 && got <= 1024 && decode_reply(rep, got, &h) &&
		   h.h_xid == xid,
	       "the answer fits the client's 1 KiB inline receive", detail);
	raw_close(&r);
}

/* XDR opaque<> of a Ganesha v3 handle naming export @id. */
static int v3_handle(uint32_t *w, uint16_t id)
{
	w[0] = 8;
	w[1] = 0x43000000u | id; /* fhversion 0x43, flags, export id */
	w[2] = 0;
	return 3;
}

/*
 * Send a call of @nw words and check the reply: @want_denied (the exact
 * AUTH_TOOWEAK denial) or an accepted reply of any kind.
 */
static void expect_export(struct raw *r, const char *what, const uint32_t *w,
			  int nw, bool want_denied)
{
	uint8_t msg[SLOT], rep[SLOT];
	struct spec s = {.xid = w[0], .proc = XR_RDMA_MSG};
	char detail[160];
	struct xr_hdr h;
	uint32_t len, stat = 0, why = 0;
	int got, i;
	bool ok;

	len = encode(&s, msg, sizeof(msg));
	for (i = 0; i < nw; i++, len += 4)
		put32(msg + len, w[i]);
	if (r->down || raw_send(r, msg, len)) {
		report(false, what, "connection down");
		return;
	}
	got = raw_wait_recv(r, rep, 10000);
	ok = decode_reply(rep, got, &h) && h.h_xid == w[0] &&
	     h.h_msg_len >= 20 && get32(rep + h.h_msg_offset + 4) == 1;
	if (ok) {
		stat = get32(rep + h.h_msg_offset + 8);
		why = get32(rep + h.h_msg_offset + 16);
		if (want_denied)
			ok = h.h_msg_len == 20 && stat == 1 &&
			     get32(rep + h.h_msg_offset + 12) == 1 && why == 5;
		else
			ok = stat == 0;
	}
	snprintf(detail, sizeof(detail),
		 "%s (reply %d bytes, reply_stat %u, word 4 %u)",
		 want_denied ? "want MSG_DENIED AUTH_ERROR AUTH_TOOWEAK"
			     : "want MSG_ACCEPTED",
		 got, stat, why);
	report(ok, what, detail);
}

/*
 * An NFSv4.0 COMPOUND of one PUTFH whose Ganesha handle names export @id
 * (its object part is made up): NFS4ERR_ACCESS (13) wanted or not.
 */
static void expect_putfh(struct raw *r, const char *what, uint32_t xid,
			 uint16_t id, bool want_access)
{
	const uint32_t w[] = {xid,	 0,  2,		  NFS_PROGRAM,
			      4,	 1,  0,		  0,
			      0,	 0,  0 /* tag */, 0 /* minor version */,
			      1,	 22, 8,		  0x43000000u | id,
			      0x03616263};
	uint8_t msg[SLOT], rep[SLOT];
	struct spec s = {.xid = xid, .proc = XR_RDMA_MSG};
	char detail[120];
	struct xr_hdr h;
	uint32_t len, status = 0;
	size_t i;
	int got;
	bool ok;

	len = encode(&s, msg, sizeof(msg));
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++, len += 4)
		put32(msg + len, w[i]);
	if (r->down || raw_send(r, msg, len)) {
		report(false, what, "connection down");
		return;
	}
	got = raw_wait_recv(r, rep, 10000);
	/* xid, REPLY, ACCEPTED, verifier (2), SUCCESS, COMPOUND status */
	ok = decode_reply(rep, got, &h) && h.h_xid == xid &&
	     h.h_msg_len >= 28 && get32(rep + h.h_msg_offset + 8) == 0 &&
	     get32(rep + h.h_msg_offset + 20) == 0;
	if (ok) {
		status = get32(rep + h.h_msg_offset + 24);
		ok = want_access ? status == 13 : status != 13;
	}
	snprintf(detail, sizeof(detail), "COMPOUND status %u, %s", status,
		 want_access ? "want NFS4ERR_ACCESS" : "want not ACCESS");
	report(ok, what, got < 0 ? "no answer" : detail);
}

static void exports_mode(uint16_t allowed, uint16_t refused)
{
	uint32_t w[64], x = 0x6d650000;
	struct raw r;
	int n, ret;

	ret = raw_connect(&r, XR_ACCESS_LOCAL);
	report(!ret, "raw connection to the server",
	       ret ? strerror(-ret) : NULL);
	if (ret)
		goto out;
	/* NFSv3 GETATTR: xid, CALL, 2, NFS, 3, 1, AUTH_NONE x2, handle */
	n = 0;
	w[n++] = ++x;
	w[n++] = 0;
	w[n++] = 2;
	w[n++] = NFS_PROGRAM;
	w[n++] = 3;
	w[n++] = 1;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 0;
	n += v3_handle(w + n, refused);
	expect_export(&r, "NFSv3 GETATTR on the refused export is denied", w, n,
		      true);
	w[0] = ++x;
	v3_handle(w + 10, allowed);
	expect_export(&r, "NFSv3 GETATTR on the allowed export reaches Ganesha",
		      w, n, false);
	/* NLM v4 LOCK: cookie, block, exclusive, caller_name, fh, ... */
	n = 0;
	w[n++] = ++x;
	w[n++] = 0;
	w[n++] = 2;
	w[n++] = 100021;
	w[n++] = 4;
	w[n++] = 2;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 4;
	w[n++] = 0x636f6f6b; /* cookie "cook" */
	w[n++] = 0;
	w[n++] = 1; /* block, exclusive */
	w[n++] = 1;
	w[n++] = 0x68000000; /* caller_name "h" */
	n += v3_handle(w + n, refused);
	w[n++] = 0; /* oh */
	w[n++] = 1; /* svid */
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 1; /* offset, len */
	w[n++] = 0;
	w[n++] = 0; /* reclaim, state */
	expect_export(
	    &r,
	    "NLM v4 LOCK naming the refused export: Ganesha's PROG_UNAVAIL, not looked into",
	    w, n, false);
	expect_putfh(&r,
		     "NFSv4.0 PUTFH into the refused export: NFS4ERR_ACCESS",
		     ++x, refused, true);
	expect_putfh(&r, "NFSv4.0 PUTFH into the allowed export: not ACCESS",
		     ++x, allowed, false);
	expect_served(&r, "NULL call answered after the export checks", ++x);
out:
	raw_close(&r);
}

/*
 * Send @nw words as one call, wait for its accepted SUCCESS reply and
 * return the words after the accept status in @res (up to @max); the
 * number of result words, -2 for PROG_UNAVAIL, or -1 (printed).
 */
static int call_words(struct raw *r, const uint32_t *w, int nw, uint32_t *res,
		      int max)
{
	uint8_t msg[SLOT], rep[SLOT];
	struct spec s = {.xid = w[0], .proc = XR_RDMA_MSG};
	struct xr_hdr h;
	uint32_t len;
	int got, i, n;

	len = encode(&s, msg, sizeof(msg));
	for (i = 0; i < nw; i++, len += 4)
		put32(msg + len, w[i]);
	if (r->down || raw_send(r, msg, len))
		return -1;
	got = raw_wait_recv(r, rep, 10000);
	/* xid, REPLY, ACCEPTED, verifier flavor + empty body, SUCCESS */
	if (decode_reply(rep, got, &h) && h.h_xid == w[0] &&
	    h.h_msg_len == 24 && get32(rep + h.h_msg_offset + 8) == 0 &&
	    get32(rep + h.h_msg_offset + 20) == 1)
		return -2; /* PROG_UNAVAIL */
	if (!decode_reply(rep, got, &h) || h.h_xid != w[0] ||
	    h.h_msg_len < 24 || get32(rep + h.h_msg_offset + 8) != 0 ||
	    get32(rep + h.h_msg_offset + 16) != 0 ||
	    get32(rep + h.h_msg_offset + 20) != 0) {
		if (got > 0 && decode_reply(rep, got, &h))
			for (i = 0; i < (int)h.h_msg_len / 4 && i < 8; i++)
				printf("  reply word %d: %u\n", i,
				       get32(rep + h.h_msg_offset + 4 * i));
		else
			printf("  no usable reply (%d)\n", got);
		return -1;
	}
	n = (int)(h.h_msg_len - 24) / 4;
	for (i = 0; i < n && i < max; i++)
		res[i] = get32(rep + h.h_msg_offset + 24 + 4 * i);
	return n;
}

/* Call header with an AUTH_SYS credential for root; returns words. */
static int sys_call(uint32_t *w, uint32_t xid, uint32_t prog, uint32_t vers,
		    uint32_t proc)
{
	const uint32_t head[] = {xid, 0, 2, prog, vers, proc, 1,
				 20,  0, 0, 0,	  0,	0, /* AUTH_SYS */
				 0,   0}; /* AUTH_NONE verifier */
	int i;

	for (i = 0; i < 15; i++)
		w[i] = head[i];
	return 15;
}

static int xdr_string(uint32_t *w, const char *str)
{
	size_t len = strlen(str), i;

	w[0] = (uint32_t)len;
	memset(w + 1, 0, (len + 3) & ~(size_t)3);
	for (i = 0; i < len; i++)
		w[1 + i / 4] |= (uint32_t)(uint8_t)str[i] << (24 - 8 * (i % 4));
	return 1 + (int)((len + 3) / 4);
}

static void v3_mode(const char *hex, uint16_t refused)
{
	uint32_t w[64], res[64], x = 0x6d6d0000, fh[17] = {0};
	uint8_t bytes[64];
	char detail[100];
	size_t len = strlen(hex) / 2, i;
	struct raw r;
	int n, k, ret, fhw;

	if (strlen(hex) % 2 || len < 4 || len > 64) {
		report(false, "handle", "not 4 to 64 bytes of hex");
		return;
	}
	for (i = 0; i < len; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			report(false, "handle", "not hex");
			return;
		}
		bytes[i] = (uint8_t)v;
	}
	fh[0] = (uint32_t)len;
	for (i = 0; i < len; i++)
		fh[1 + i / 4] |= (uint32_t)bytes[i] << (24 - 8 * (i % 4));
	fhw = 1 + (int)((len + 3) / 4);
	ret = raw_connect(&r, XR_ACCESS_LOCAL);
	report(!ret, "raw connection to the server",
	       ret ? strerror(-ret) : NULL);
	if (ret)
		goto out;
	/* MOUNT v3 MNT "/": not a program of the NFS dispatcher. */
	n = sys_call(w, ++x, 100005, 3, 1);
	n += xdr_string(w + n, "/");
	k = call_words(&r, w, n, res, 64);
	report(k == -2, "MOUNT over RDMA: PROG_UNAVAIL", NULL);
	n = sys_call(w, ++x, NFS_PROGRAM, 3, 1); /* GETATTR3 */
	memcpy(w + n, fh, 4 * fhw);
	k = call_words(&r, w, n + fhw, res, 64);
	snprintf(detail, sizeof(detail), "%d result words, status %u", k,
		 k > 0 ? res[0] : 0);
	report(k > 1 && res[0] == 0,
	       "NFSv3 GETATTR of the allowed export's root over RDMA: NFS3_OK",
	       detail);
	/* The same handle naming the refused export. */
	fh[1] = (fh[1] & 0xffff0000u) | refused;
	n = sys_call(w, ++x, NFS_PROGRAM, 3, 1);
	memcpy(w + n, fh, 4 * fhw);
	expect_export(
	    &r,
	    "NFSv3 GETATTR of that handle naming the refused export is denied",
	    w, n + fhw, true);
	expect_served(&r, "NULL call answered after the NFSv3 calls", ++x);
out:
	raw_close(&r);
}

/*
 * @n NULL calls without waiting for any reply.  The server grants credits
 * (Credits in the test's config, at most NRECV here) and must close the
 * connection of a client that has more calls outstanding.
 */
static void overrun(unsigned int n)
{
	uint8_t m[256], rep[SLOT];
	struct spec s = {.xid = 0x7c000001, .proc = XR_RDMA_MSG};
	unsigned int i, sent = 0, replies = 0;
	char detail[96];
	struct raw r;
	uint32_t len;
	int got, ret;

	ret = raw_connect(&r, XR_ACCESS_LOCAL);
	report(!ret, "raw connection to the server",
	       ret ? strerror(-ret) : NULL);
	if (ret) {
		raw_close(&r);
		return;
	}
	/* One message, sent n times (the send buffer is shared). */
	len = encode(&s, m, sizeof(m));
	len += rpc_call(m + len, s.xid, 0);
	for (i = 0; i < n; i++)
		if (!raw_send(&r, m, len))
			sent++;
	for (i = 0; i < 200; i++) {
		got = raw_wait_recv(&r, rep, 100);
		if (got == -ENOTCONN)
			break;
		if (got > 0)
			replies++;
	}
	snprintf(detail, sizeof(detail), "%u calls sent, %u answered", sent,
		 replies);
	report(r.down,
	       "the server closed the connection of a client over its credits",
	       detail);
	raw_close(&r);
}

/*
 * For @secs: messages too short to carry an xid (the server drops them
 * without an answer), sent as fast as the send queue takes them, with no
 * regard for credits; reconnect whenever the server closes the connection.
 */
static void flood(int secs)
{
	unsigned long long sent = 0, conns = 0;
	struct pollfd pfd = {.events = POLLIN};
	struct xr_completion wc[64];
	const uint8_t m[2] = {0x7d, 0x00};
	struct timespec t0, t;
	struct raw r;
	int n, k;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= secs)
			break;
		if (raw_connect(&r, XR_ACCESS_LOCAL)) {
			raw_close(&r);
			continue;
		}
		conns++;
		pfd.fd = xr_fabric_wait_fd(r.fab);
		while (!r.down) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec >= secs)
				break;
			while (!raw_send(&r, m, sizeof(m)))
				sent++;
			raw_events(&r, NULL);
			n = xr_fabric_poll(r.fab, wc, 64);
			for (k = 0; k < n; k++) {
				if (wc[k].xc_status)
					r.down = true;
				else if (wc[k].xc_op == XR_OP_RECV)
					raw_repost(&r, wc[k].xc_ctx);
			}
			if (n <= 0 && xr_fabric_arm(r.fab) == 0)
				poll(&pfd, 1, 1);
		}
		raw_close(&r);
	}
	printf("flood: sent %llu connections %llu\n", sent, conns);
}

int main(int argc, char **argv)
{
	struct raw r;
	int ret;

	if ((argc < 3 || argc > 6) ||
	    (argc == 6 && strcmp(argv[3], "exports") &&
	     strcmp(argv[3], "v3"))) {
		fprintf(stderr, "usage: gr_malformed ADDR PORT [zero-read|"
				"small-inline|overrun N|flood SECS|exports "
				"ALLOWED_ID REFUSED_ID|v3 HANDLE_HEX "
				"REFUSED_ID]\n");
		return 2;
	}
	addr = argv[1];
	port = (uint16_t)atoi(argv[2]);
	if (argc == 6 && !strcmp(argv[3], "v3")) {
		v3_mode(argv[4], (uint16_t)atoi(argv[5]));
		printf("%d passed, %d failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	if (argc == 6) {
		exports_mode((uint16_t)atoi(argv[4]), (uint16_t)atoi(argv[5]));
		printf("%d passed, %d failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	if (argc == 5 && !strcmp(argv[3], "overrun")) {
		overrun((unsigned int)atoi(argv[4]));
		printf("%d passed, %d failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	if (argc == 5 && !strcmp(argv[3], "flood")) {
		flood(atoi(argv[4]));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[3], "small-inline")) {
		small_inline();
		printf("%d passed, %d failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	if (argc == 4 && !strcmp(argv[3], "zero-read")) {
		zero_read();
		printf("%d passed, %d failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	ret = raw_connect(&r, XR_ACCESS_LOCAL);
	report(!ret, "raw connection to the server",
	       ret ? strerror(-ret) : NULL);
	if (!ret)
		cases(&r);
	raw_close(&r);
	bad_handle();
	printf("expect err_vers_sent %u err_chunk_sent %u err_hdr_dropped %u\n",
	       n_vers, n_chunk, n_dropped);
	printf("expect_denied rpc_mismatch %u auth_error %u\n", n_mismatch,
	       n_auth);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
