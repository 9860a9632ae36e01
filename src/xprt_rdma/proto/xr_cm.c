/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RFC 8797 connection private data: encode, decode, negotiate.
 *
 * How this works: see xr_cm.h for the 8-byte layout.  Encoding rounds the
 * configured sizes down to whole KiB and caps them at 256 KiB; decoding
 * never fails on peer input - anything unrecognised means "no private
 * data", which selects the RFC 8166 default of 1024 bytes each way.
 */
#include "xr_cm.h"

#include <errno.h>

static uint8_t xr_cm_size_code(uint32_t size)
{
	return (uint8_t)(xr_cm_size_advertised(size) / 1024u - 1u);
}

static uint32_t xr_cm_code_size(uint8_t code)
{
	return ((uint32_t)code + 1u) * 1024u;
}

static void xr_cm_defaults(struct xr_cm_private *p)
{
	p->pd_present = false;
	p->pd_remote_inv = false;
	p->pd_send_size = XR_CM_DEFAULT_INLINE;
	p->pd_recv_size = XR_CM_DEFAULT_INLINE;
}

uint32_t xr_cm_size_advertised(uint32_t size)
{
	if (size < XR_CM_MIN_INLINE)
		return 0;
	if (size > XR_CM_MAX_INLINE)
		size = XR_CM_MAX_INLINE;
	return size & ~(1024u - 1u);
}

ssize_t xr_cm_encode(const struct xr_cm_private *mine, void *buf, size_t size)
{
	uint8_t *p = buf;

	if (!mine || !buf)
		return -EINVAL;
	if (mine->pd_send_size < XR_CM_MIN_INLINE ||
	    mine->pd_recv_size < XR_CM_MIN_INLINE)
		return -EINVAL;
	if (size < XR_CM_PRIVATE_BYTES)
		return -EMSGSIZE;
	p[0] = (uint8_t)(XR_CM_MAGIC >> 24);
	p[1] = (uint8_t)(XR_CM_MAGIC >> 16);
	p[2] = (uint8_t)(XR_CM_MAGIC >> 8);
	p[3] = (uint8_t)XR_CM_MAGIC;
	p[4] = XR_CM_VERSION;
	p[5] = mine->pd_remote_inv ? XR_CM_FLAG_REMOTE_INV : 0;
	p[6] = xr_cm_size_code(mine->pd_send_size);
	p[7] = xr_cm_size_code(mine->pd_recv_size);
	return XR_CM_PRIVATE_BYTES;
}

int xr_cm_decode(const void *buf, size_t len, struct xr_cm_private *peer)
{
	const uint8_t *p = buf;
	uint32_t magic;

	if (!peer || (!buf && len))
		return -EINVAL;
	xr_cm_defaults(peer);
	if (len < XR_CM_PRIVATE_BYTES)
		return 0;
	magic = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | (uint32_t)p[3];
	if (magic != XR_CM_MAGIC || p[4] != XR_CM_VERSION)
		return 0;
	peer->pd_present = true;
	peer->pd_remote_inv = (p[5] & XR_CM_FLAG_REMOTE_INV) != 0;
	peer->pd_send_size = xr_cm_code_size(p[6]);
	peer->pd_recv_size = xr_cm_code_size(p[7]);
	return 1;
}

static uint32_t xr_min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

int xr_cm_negotiate(const struct xr_cm_private *mine,
		    const struct xr_cm_private *peer, struct xr_cm_inline *out)
{
	if (!mine || !peer || !out)
		return -EINVAL;
	out->ci_max_send = xr_min_u32(mine->pd_send_size, peer->pd_recv_size);
	out->ci_max_recv = xr_min_u32(mine->pd_recv_size, peer->pd_send_size);
	out->ci_send_inv_ok = peer->pd_present && peer->pd_remote_inv;
	return 0;
}
