/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A raw RPC-over-RDMA server's accept step, shared by the C tests that
 * play a hostile or spying server on the fabric directly (no engine):
 * tests/core/test_xr_reg_stale.c and tests/sessions/test_xprt_rdma_hostile.c.
 *
 * How this works: gr_raw_accept() takes every connection request pending
 * on the fabric and accepts it with RFC 8797 private data offering
 * @slot-byte sends and receives, credits for @nslots, and @nslots
 * receives pre-posted: slot i of @buf (registered as @mr) at
 * buf + i * slot, its own address as the completion context.  The last
 * accepted endpoint is left in *@ep (these servers serve one client).
 */
#ifndef GR_RAW_SERVER_H
#define GR_RAW_SERVER_H

#include <stdint.h>

#include "xr_cm.h"
#include "xr_fabric.h"

#define GR_RAW_MAX_SLOTS 64

static inline void gr_raw_accept(struct xr_fabric *fab, uint8_t *buf,
				 uint32_t slot, uint32_t nslots,
				 struct xr_mr *mr, struct xr_ep **ep)
{
	struct xr_cm_private mine = {.pd_send_size = slot,
				     .pd_recv_size = slot};
	struct xr_recv pre[GR_RAW_MAX_SLOTS];
	struct xr_ep_attr attr;
	struct xr_event ev;
	uint8_t pdata[8];
	uint32_t i;

	if (nslots > GR_RAW_MAX_SLOTS)
		nslots = GR_RAW_MAX_SLOTS;
	xr_cm_encode(&mine, pdata, sizeof(pdata));
	xr_ep_attr_from_credits(nslots, &attr);
	while (xr_fabric_get_event(fab, &ev) == 0) {
		if (ev.xv_type != XR_EV_CONNECT_REQUEST)
			continue;
		for (i = 0; i < nslots; i++)
			pre[i] = (struct xr_recv){
			    .rcv_ctx = buf + i * slot,
			    .rcv_sge = {{buf + i * slot, slot, mr}},
			    .rcv_nsge = 1};
		(void)xr_accept(ev.xv_req, &attr, pre, nslots, pdata, 8, NULL,
				ep);
	}
}

#endif
