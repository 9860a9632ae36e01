/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The "callback path down" flags in NFSv4.1 SEQUENCE replies sent over
 * RDMA.
 *
 * Why: Ganesha 4.3 refuses a backchannel on an RDMA connection, and then
 * sets SEQ4_STATUS_CB_PATH_DOWN in every SEQUENCE reply of the session.
 * The Linux client answers each such reply by draining its session and
 * sending BIND_CONN_TO_SESSION - which cannot help, so it does it again
 * and again (measured in the vm tier: ~1.2 binds per operation, file
 * creates at a third of the Linux server's rate).  A backchannel is only
 * needed for callbacks; with delegations off (Ganesha's default) the
 * server never makes one, so the flags carry no news and are cleared.
 *
 * How: the reply is parsed just far enough - RPC reply header with an
 * AUTH_NONE/AUTH_SYS verifier (a GSS verifier covers the bytes: left
 * alone), COMPOUND4res status, tag, result count, first result a
 * successful SEQUENCE - every length checked against the buffer, and the
 * two bits are cleared in place.  Pure: no Ganesha calls (unit-tested).
 */
#include <arpa/inet.h>
#include <string.h>

#include "xr_gsh_seqflags.h"

#define XR_GSH_RPC_REPLY 1u
#define XR_MSG_ACCEPTED 0u
#define XR_ACCEPT_SUCCESS 0u
#define XR_AUTH_NONE 0u
#define XR_AUTH_SYS 1u
#define XR_OP_SEQUENCE 53u
#define XR_NFS4_OK 0u
#define XR_SEQ4_STATUS_CB_PATH_DOWN 0x00000001u
#define XR_SEQ4_STATUS_CB_PATH_DOWN_SESSION 0x00000200u
#define XR_SESSIONID_SIZE 16u
#define XR_TAG_MAX 1024u

struct xr_cursor {
	uint8_t *sf_buf;
	size_t sf_len;
	size_t sf_off;
};

static bool take32(struct xr_cursor *c, uint32_t *v)
{
	uint32_t be;

	if (c->sf_len - c->sf_off < 4)
		return false;
	memcpy(&be, c->sf_buf + c->sf_off, 4);
	*v = ntohl(be);
	c->sf_off += 4;
	return true;
}

static bool skip(struct xr_cursor *c, size_t n)
{
	if (c->sf_len - c->sf_off < n)
		return false;
	c->sf_off += n;
	return true;
}

/* An opaque<max>: length word, bytes, padding. */
static bool skip_opaque(struct xr_cursor *c, uint32_t max)
{
	uint32_t len;

	if (!take32(c, &len) || len > max)
		return false;
	return skip(c, ((size_t)len + 3) & ~(size_t)3);
}

bool xr_gsh_seq_hide_cb_path_down(uint8_t *buf, size_t len)
{
	struct xr_cursor c = {.sf_buf = buf, .sf_len = len, .sf_off = 0};
	uint32_t xid, v, flags;
	size_t flags_off;

	if (!buf)
		return false;
	if (!take32(&c, &xid) || !take32(&c, &v) || v != XR_GSH_RPC_REPLY ||
	    !take32(&c, &v) || v != XR_MSG_ACCEPTED)
		return false;
	/* verifier: only flavors that do not cover the reply's bytes */
	if (!take32(&c, &v) || (v != XR_AUTH_NONE && v != XR_AUTH_SYS) ||
	    !skip_opaque(&c, 400))
		return false;
	if (!take32(&c, &v) || v != XR_ACCEPT_SUCCESS)
		return false;
	/* COMPOUND4res: status, tag, resarray<> */
	if (!take32(&c, &v) || !skip_opaque(&c, XR_TAG_MAX) ||
	    !take32(&c, &v) || v == 0)
		return false;
	/* first result: SEQUENCE4res, NFS4_OK */
	if (!take32(&c, &v) || v != XR_OP_SEQUENCE || !take32(&c, &v) ||
	    v != XR_NFS4_OK)
		return false;
	/* sessionid, sequenceid, slotid, highest_slotid, target_highest */
	if (!skip(&c, XR_SESSIONID_SIZE + 4 * 4))
		return false;
	flags_off = c.sf_off;
	if (!take32(&c, &flags))
		return false;
	if (!(flags & (XR_SEQ4_STATUS_CB_PATH_DOWN |
		       XR_SEQ4_STATUS_CB_PATH_DOWN_SESSION)))
		return false;
	flags &= ~(XR_SEQ4_STATUS_CB_PATH_DOWN |
		   XR_SEQ4_STATUS_CB_PATH_DOWN_SESSION);
	v = htonl(flags);
	memcpy(buf + flags_off, &v, 4);
	return true;
}
