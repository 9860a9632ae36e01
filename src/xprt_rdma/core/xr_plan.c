/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Chunk planning and credit accounting: the pure decisions of the
 * connection engines.  How this works: nothing here touches a fabric or
 * allocates.  The planners compare message sizes with the negotiated
 * inline sizes (minus XR_HDR_RESERVE for the transport header, whose chunk
 * lists grow with the segments they carry) and say which parts move by
 * RDMA.  The credit helpers keep the requester inside the responder's
 * grant.  Which items are DDP-eligible comes from the RFC 8267 table
 * (xr_ddp.h) through xr_plan_ddp().  See xr_core.h for the rules.
 */
#include "xr_core.h"

#include "xr_ddp.h"
#include "xr_hdr.h"

#include <errno.h>

uint64_t xr_iov_len(const struct iovec *iov, uint32_t n)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	return total;
}

static int xr_run_check(const struct iovec *iov, uint32_t n)
{
	uint32_t i;

	if (n > XR_MSG_MAX_RANGES || (n && !iov))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (iov[i].iov_len && !iov[i].iov_base)
			return -EINVAL;
	return 0;
}

int xr_msg_check(const struct xr_msg *m)
{
	if (!m || xr_run_check(m->xm_head, m->xm_nhead) ||
	    xr_run_check(m->xm_payload, m->xm_npayload) ||
	    xr_run_check(m->xm_tail, m->xm_ntail))
		return -EINVAL;
	if (!xr_iov_len(m->xm_head, m->xm_nhead) &&
	    !xr_iov_len(m->xm_payload, m->xm_npayload) &&
	    !xr_iov_len(m->xm_tail, m->xm_ntail))
		return -EINVAL;
	return 0;
}

bool xr_plan_ddp(uint32_t prog, uint32_t vers, uint32_t minor, uint32_t op,
		 uint32_t objtype, bool result)
{
	return xr_ddp_lookup(prog, vers, minor, op, objtype,
			     result ? XR_DDP_RESULT : XR_DDP_ARGS) != NULL;
}

int xr_plan_call(const struct xr_plan_in *in, struct xr_plan *out)
{
	uint64_t room, inline_len;

	if (!in || !out || in->pi_inline_send < XR_HDR_RESERVE + 4 ||
	    in->pi_inline_recv < XR_HDR_RESERVE + 4)
		return -EINVAL;
	*out = (struct xr_plan){0};
	room = in->pi_inline_send - XR_HDR_RESERVE;

	out->pl_position = in->pi_head_len;
	out->pl_read_chunk =
	    in->pi_payload_ddp && in->pi_payload_len >= XR_DDP_MIN_BYTES;
	inline_len = in->pi_head_len + in->pi_tail_len;
	if (!out->pl_read_chunk)
		inline_len += xr_xdr_roundup(in->pi_payload_len);
	if (inline_len > room) {
		/* Too long for a Send: the whole message goes by RDMA Read. */
		out->pl_pos_zero = true;
		out->pl_inline_len = 0;
	} else {
		out->pl_inline_len = inline_len;
	}
	out->pl_write_chunk = in->pi_result_cap > 0;
	out->pl_reply_chunk =
	    in->pi_reply_max > in->pi_inline_recv - XR_HDR_RESERVE;
	return 0;
}

int xr_plan_reply(const struct xr_reply_plan_in *in, struct xr_reply_plan *out)
{
	uint64_t msg_len, hdr, nomsg_hdr;

	if (!in || !out || in->ri_inline_send < XR_HDR_RESERVE + 4)
		return -EINVAL;
	*out = (struct xr_reply_plan){0};
	hdr = in->ri_hdr_len ? in->ri_hdr_len : XR_HDR_RESERVE;
	nomsg_hdr =
	    in->ri_nomsg_hdr_len ? in->ri_nomsg_hdr_len : XR_HDR_RESERVE;
	out->rpl_write_chunk =
	    in->ri_payload_len && in->ri_write_chunk_len >= in->ri_payload_len;
	msg_len = in->ri_head_len + in->ri_tail_len;
	if (!out->rpl_write_chunk)
		msg_len += xr_xdr_roundup(in->ri_payload_len);
	out->rpl_msg_len = msg_len;
	/* The echoed chunk lists can make the header alone too long. */
	if (hdr <= in->ri_inline_send && msg_len <= in->ri_inline_send - hdr)
		return 0;
	if (in->ri_reply_chunk_len >= msg_len &&
	    nomsg_hdr <= in->ri_inline_send) {
		out->rpl_reply_chunk = true;
		return 0;
	}
	return -EMSGSIZE;
}

void xr_credits_init(struct xr_credits *c, uint32_t max)
{
	c->cd_max = max ? max : 1;
	c->cd_granted = 1;
	c->cd_inflight = 0;
}

bool xr_credits_take(struct xr_credits *c)
{
	if (c->cd_inflight >= c->cd_granted)
		return false;
	c->cd_inflight++;
	return true;
}

void xr_credits_put(struct xr_credits *c)
{
	if (c->cd_inflight)
		c->cd_inflight--;
}

void xr_credits_update(struct xr_credits *c, uint32_t grant)
{
	if (grant < 1)
		grant = 1;
	if (grant > c->cd_max)
		grant = c->cd_max;
	c->cd_granted = grant;
}

uint32_t xr_credits_to_grant(uint32_t posted, uint32_t configured)
{
	return posted < configured ? posted : configured;
}

uint64_t xr_conn_registered_bytes(uint32_t credits, uint32_t inline_send,
				  uint32_t inline_recv, uint32_t extra_sends,
				  uint64_t read_pool)
{
	return (uint64_t)credits * inline_recv +
	       ((uint64_t)credits + extra_sends) * inline_send + read_pool;
}
