/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: the client engine's handling of a received reply
 * (xr_clnt_on_recv -> decode, match by xid, xr_clnt_take_reply's checks
 * against what the call offered), src/xprt_rdma/core/xr_clnt.c.
 *
 * How this works: xr_clnt.c is included, so its static functions run as
 * they do in the engine, on a client built once (xr_clnt_alloc on a
 * "loop" fabric: real registered receive buffers, no connection, no
 * progress thread).  The input is
 *   [flags] [Write segment length, 4] [Reply segment length, 4]
 *   [reply buffer capacity, 3] [the received message ...]
 * flags: bit 0 the call offered a Write chunk, bit 1 a Reply chunk, bit 2
 * put the outstanding call's xid into the message's first word, bit 3
 * the call's send is still pending, bits 4-5 the inline size (1, 4, 64 or
 * 256 KiB).  The offered segments use fixed handles and offsets (see
 * gen_corpus.c), so inputs can name them.  The message lands in receive
 * buffer 0 and its completion is handed to xr_clnt_on_recv().  Checked
 * afterwards: a call completes iff the message names its xid; a success
 * never reports more bytes than were offered or than the reply buffer
 * holds, and copies the inline message exactly; credits stay within
 * 1..credits; the receive goes back to be reposted.
 */
#include "../../src/xprt_rdma/core/xr_clnt.c"

#include "xr_fabric_loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CREDITS 4u
#define FZ_WHANDLE 0x5eed0001u
#define FZ_WOFFSET 0x100000ull
#define FZ_RHANDLE 0x5eed0002u
#define FZ_ROFFSET 0x200000ull
#define FZ_XID 0x0badcafeu

static const uint32_t fz_inline[4] = {1024, 4096, 65536, 262144};
static struct xr_clnt *fz_cl[4];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* One client per inline size, made once (registration is not cheap). */
static struct xr_clnt *fz_client(unsigned int which)
{
	struct xr_fabric_params fp = {.xfp_backend = "loop"};
	struct xr_clnt *cl = fz_cl[which];
	char err[XR_ERRBUF_LEN];

	if (cl)
		return cl;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		abort();
	pthread_cond_init(&cl->ce_cv, NULL);
	cl->ce_p.cp_credits = FZ_CREDITS;
	cl->ce_p.cp_inline = fz_inline[which];
	if (xr_fabric_open(&fp, &cl->ce_fab, err, sizeof(err)) ||
	    xr_clnt_alloc(cl))
		abort();
	xr_core_limits(&cl->ce_limits, XR_DIR_REPLY, XR_CLNT_MAX_REPLY,
		       cl->ce_p.cp_inline);
	xr_credits_init(&cl->ce_credits, FZ_CREDITS);
	fz_cl[which] = cl;
	return cl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_completion wc = {.xc_op = XR_OP_RECV};
	struct xr_clnt_req req;
	struct xr_clnt_slot *s;
	struct xr_clnt *cl;
	struct xr_hdr h;
	struct xr_chunk hc[XR_CLNT_REPLY_CHUNKS];
	struct xr_segment hs[XR_CLNT_REPLY_SEGS];
	enum xr_hdr_reason why;
	uint32_t wlen, rlen, cap, len, xid;
	uint8_t flags, *buf, *reply;
	bool decoded, names_call;

	if (size < 12)
		return 0;
	flags = data[0];
	wlen = be32(data + 1);
	rlen = be32(data + 5);
	/* Up to twice the largest inline size: room enough for every case. */
	cap = ((uint32_t)data[9] << 16 | (uint32_t)data[10] << 8 | data[11]) %
	      (2 * 262144 + 1);
	data += 12;
	size -= 12;
	cl = fz_client((flags >> 4) & 3);
	len = size < cl->ce_p.cp_inline ? (uint32_t)size : cl->ce_p.cp_inline;
	buf = xr_pool_buf(&cl->ce_recv_pool, 0);
	if (len)
		memcpy(buf, data, len);
	if ((flags & 4) && len >= 4) {
		buf[0] = FZ_XID >> 24;
		buf[1] = (FZ_XID >> 16) & 0xff;
		buf[2] = (FZ_XID >> 8) & 0xff;
		buf[3] = FZ_XID & 0xff;
	}
	reply = malloc(cap ? cap : 1); /* exact size: ASan sees overruns */
	if (!reply)
		return 0;

	/* One call in flight on slot 0, as xr_clnt_post_call leaves it. */
	memset(&req, 0, sizeof(req));
	req.cr_reply_buf = reply;
	req.cr_reply_cap = cap;
	s = &cl->ce_slots[0];
	memset(s, 0, sizeof(*s));
	s->s_req = &req;
	s->s_busy = true;
	s->s_wait_reply = true;
	s->s_send_pending = flags & 8;
	s->s_xid = FZ_XID;
	s->s_has_wseg = flags & 1;
	s->s_wseg = (struct xr_segment){FZ_WHANDLE, wlen, FZ_WOFFSET};
	s->s_has_rseg = flags & 2;
	s->s_rseg = (struct xr_segment){FZ_RHANDLE, rlen, FZ_ROFFSET};
	cl->ce_free = NULL;
	cl->ce_state = XR_CL_UP;
	cl->ce_nrepost = 0;
	cl->ce_ndone = 0;
	cl->ce_posted = 1;
	cl->ce_credits.cd_inflight = 1;
	cl->ce_stats.cs_calls_live = 1;

	/* What the message says, read independently of the engine. */
	xr_hdr_init(&h, hc, XR_CLNT_REPLY_CHUNKS, hs, XR_CLNT_REPLY_SEGS);
	decoded = xr_hdr_decode(buf, len, &cl->ce_limits, &h, &why) == 0;
	xid = len >= 4 ? be32(buf) : 0;
	names_call = len >= 4 && xid == FZ_XID;

	wc.xc_len = len;
	xr_clnt_on_recv(cl, &cl->ce_recv_idx[0], &wc);

	if (req.cr_complete != names_call)
		abort();
	if (cl->ce_nrepost != 1 || cl->ce_posted != 0)
		abort();
	if (cl->ce_credits.cd_granted < 1 ||
	    cl->ce_credits.cd_granted > FZ_CREDITS)
		abort();
	if (req.cr_complete && req.cr_status == 0) {
		if (!decoded || h.h_proc == XR_RDMA_ERROR)
			abort();
		if (req.cr_result_len > (s->s_has_wseg ? wlen : 0))
			abort();
		if (h.h_proc == XR_RDMA_NOMSG) {
			if (!s->s_has_rseg || req.cr_reply_len > rlen)
				abort();
		} else if (req.cr_reply_len > cap ||
			   req.cr_reply_len != h.h_msg_len ||
			   memcmp(reply, buf + h.h_msg_offset,
				  req.cr_reply_len)) {
			abort();
		}
	}
	if (req.cr_complete && (s->s_busy != (bool)(flags & 8)))
		abort(); /* freed iff its send was done */
	free(reply);
	return 0;
}
