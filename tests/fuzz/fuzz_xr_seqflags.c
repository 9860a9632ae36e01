/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: the SEQUENCE-flag rewriter (xr_gsh_seq_hide_cb_path_down,
 * src/xprt_rdma/ganesha/xr_gsh_seqflags.c) on any reply bytes.
 *
 * How this works: the input is the reply buffer.  The rewriter runs on a
 * copy of exactly the input's size (so ASan sees any read past it), and a
 * second, deliberately plain walk of the same RFC 5531 / RFC 8881 layout
 * (oracle_flags_at) says where the sr_status_flags word must be, if
 * anywhere.  The target aborts when the rewriter changes anything but the
 * two callback-path-down bits of that one word, reports a change it did
 * not make, or misses one it should have made.
 */
#include "xr_gsh_seqflags.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CB_BITS 0x00000201u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * Offset of the flags word of a successful first SEQUENCE result in an
 * accepted, successful RPC reply with an AUTH_NONE/AUTH_SYS verifier of
 * at most 400 bytes and a tag of at most 1024; -1 when there is none.
 */
static long oracle_flags_at(const uint8_t *b, size_t len)
{
	size_t off = 0, n;
	uint32_t flavor;

	/* xid, REPLY, MSG_ACCEPTED */
	if (len < 12 || be32(b + 4) != 1 || be32(b + 8) != 0)
		return -1;
	off = 12;
	if (len - off < 8)
		return -1;
	flavor = be32(b + off);
	n = be32(b + off + 4);
	if ((flavor != 0 && flavor != 1) || n > 400)
		return -1;
	off += 8;
	n = (n + 3) / 4 * 4;
	if (len - off < n)
		return -1;
	off += n;
	/* accept_stat SUCCESS, COMPOUND status, tag */
	if (len - off < 12 || be32(b + off) != 0)
		return -1;
	n = be32(b + off + 8);
	if (n > 1024)
		return -1;
	off += 12;
	n = (n + 3) / 4 * 4;
	if (len - off < n)
		return -1;
	off += n;
	/* resarray count > 0, OP_SEQUENCE, NFS4_OK */
	if (len - off < 12 || be32(b + off) == 0 || be32(b + off + 4) != 53 ||
	    be32(b + off + 8) != 0)
		return -1;
	off += 12;
	/* sessionid, sequenceid, slotid, highest, target highest */
	if (len - off < 16 + 16 + 4)
		return -1;
	off += 32;
	return (long)off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	long at = oracle_flags_at(data, size);
	bool want = at >= 0 && (be32(data + at) & CB_BITS);
	bool changed;
	size_t i;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	changed = xr_gsh_seq_hide_cb_path_down(size ? buf : NULL, size);
	if (changed != want)
		abort();
	for (i = 0; i < size; i++) {
		if (want && i >= (size_t)at && i < (size_t)at + 4)
			continue;
		if (buf[i] != data[i])
			abort();
	}
	if (want && be32(buf + at) != (be32(data + at) & ~CB_BITS))
		abort();
	/* A second pass finds nothing left to clear. */
	if (xr_gsh_seq_hide_cb_path_down(buf, size))
		abort();
	free(buf);
	return 0;
}
