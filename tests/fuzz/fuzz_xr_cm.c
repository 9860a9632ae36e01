/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: the RFC 8797 private data decoder and negotiation.
 *
 * How this works: the input is decoded as a peer's private data.  The
 * decoder must never fail on peer input; recognised data must re-encode
 * to the same 8 bytes (reserved flag bits aside), sizes must stay within
 * 1 KiB..256 KiB, and negotiation against a fixed local side must never
 * allow more than either side offered.
 */
#include "xr_cm.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_cm_private mine = {.pd_present = true,
				     .pd_remote_inv = true,
				     .pd_send_size = 4096,
				     .pd_recv_size = 8192};
	struct xr_cm_private peer;
	struct xr_cm_inline neg;
	uint8_t out[8];
	int rc;

	rc = xr_cm_decode(data, size, &peer);
	if (rc < 0 || (rc == 1) != peer.pd_present)
		abort();
	if (peer.pd_send_size < XR_CM_MIN_INLINE ||
	    peer.pd_send_size > XR_CM_MAX_INLINE ||
	    peer.pd_recv_size < XR_CM_MIN_INLINE ||
	    peer.pd_recv_size > XR_CM_MAX_INLINE)
		abort();
	if (rc == 1) {
		if (xr_cm_encode(&peer, out, sizeof(out)) != 8)
			abort();
		if (memcmp(out, data, 5) || out[6] != data[6] ||
		    out[7] != data[7] || (out[5] & 1) != (data[5] & 1))
			abort();
	} else if (peer.pd_send_size != 1024 || peer.pd_recv_size != 1024 ||
		   peer.pd_remote_inv) {
		abort();
	}
	if (xr_cm_negotiate(&mine, &peer, &neg))
		abort();
	if (neg.ci_max_send > mine.pd_send_size ||
	    neg.ci_max_send > peer.pd_recv_size ||
	    neg.ci_max_recv > mine.pd_recv_size ||
	    neg.ci_max_recv > peer.pd_send_size ||
	    neg.ci_max_send < XR_CM_MIN_INLINE)
		abort();
	return 0;
}
