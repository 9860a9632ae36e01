/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: the RPC call header reader (xr_gsh_rpc_call_check and
 * xr_gsh_rpc_call_export, xr_gsh_rpc_call_read3_count,
 * src/xprt_rdma/ganesha/xr_gsh_rpccall.c) over ranges.
 *
 * How this works: the first 4 input bytes choose two cut points; the rest
 * is the call.  It is read once as one range and once cut into three
 * ranges (the middle one may be empty), each copied to a buffer of exactly
 * its size so ASan sees any read past a range.  The target aborts when the
 * cut changes a verdict, the arguments' offset or the export found; when
 * the arguments are said to start beyond the call; when a denial's reply
 * is not 20 or 24 bytes; or when a found export id is not the two bytes
 * after a handle's first two.
 */
#include "xr_gsh_rpccall.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const struct iovec *iov, uint32_t n, int *verdict,
		struct xr_gsh_rpc_call *call, int *erc, uint16_t *id)
{
	uint8_t out[24];
	size_t len;

	*verdict = xr_gsh_rpc_call_check(iov, n, call);
	*erc = -1000;
	*id = 0;
	if (*verdict != XR_GSH_RPC_PASS) {
		len = xr_gsh_rpc_denial_encode(call->rc_xid, *verdict, out,
					       sizeof(out));
		if (len != (*verdict == XR_GSH_RPC_DENY_MISMATCH ? 24u : 20u))
			abort();
		return;
	}
	*erc = xr_gsh_rpc_call_export(iov, n, call, id);
	if (*erc != 1 && *erc != 0 && *erc != -EBADMSG && *erc != -EACCES)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_gsh_rpc_call c1, c3;
	struct iovec one, three[3];
	int v1, v3, e1, e3;
	uint16_t id1, id3;
	size_t len, a, b;
	uint8_t *p[3];
	int i;

	if (size < 4)
		return 0;
	len = size - 4;
	a = ((size_t)data[0] << 8 | data[1]) % (len + 1);
	b = ((size_t)data[2] << 8 | data[3]) % (len + 1);
	if (a > b) {
		size_t t = a;

		a = b;
		b = t;
	}
	data += 4;
	p[0] = malloc(a ? a : 1);
	p[1] = malloc(b - a ? b - a : 1);
	p[2] = malloc(len - b ? len - b : 1);
	if (!p[0] || !p[1] || !p[2])
		abort();
	memcpy(p[0], data, a);
	memcpy(p[1], data + a, b - a);
	memcpy(p[2], data + b, len - b);
	three[0] = (struct iovec){p[0], a};
	three[1] = (struct iovec){p[1], b - a};
	three[2] = (struct iovec){p[2], len - b};
	one = (struct iovec){(void *)data, len};

	run(&one, 1, &v1, &c1, &e1, &id1);
	run(three, 3, &v3, &c3, &e3, &id3);
	if (v1 != v3 || e1 != e3 || id1 != id3 || c1.rc_xid != c3.rc_xid)
		abort();
	if (v1 == XR_GSH_RPC_PASS && c1.rc_args != 0 &&
	    (c1.rc_args > len || c1.rc_args != c3.rc_args))
		abort();
	/* The NFSv3 READ count: the same whatever the split. */
	if (v1 == XR_GSH_RPC_PASS) {
		uint32_t n1 = 0, n3 = 0;
		int r1 = xr_gsh_rpc_call_read3_count(&one, 1, &c1, &n1);
		int r3 = xr_gsh_rpc_call_read3_count(three, 3, &c3, &n3);

		if (r1 != r3 || (r1 != 0 && r1 != 1) || (r1 == 1 && n1 != n3))
			abort();
	}
	/* An export id is bytes 2-3 of a handle somewhere after the args. */
	if (e1 == 1) {
		bool seen = false;
		size_t off;

		for (off = c1.rc_args; off + 8 <= len && !seen; off += 4)
			seen =
			    ((uint16_t)(data[off + 6] << 8 | data[off + 7])) ==
			    id1;
		if (!seen)
			abort();
	}
	for (i = 0; i < 3; i++)
		free(p[i]);
	return 0;
}
