/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Reading an RPC call header across the engine's byte ranges (see
 * xr_gsh_rpccall.h).  A cursor walks the ranges; every length read from the
 * peer is checked against what is left before it is skipped, and no loop
 * runs more often than there are ranges or table entries.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>

#include "xr_gsh_rpccall.h"

#define RPC_CALL 0u
#define RPC_REPLY 1u
#define RPC_VERSION 2u
#define MSG_DENIED 1u
#define RPC_MISMATCH 0u
#define AUTH_ERROR 1u
#define AUTH_BADCRED 2u
#define AUTH_BADVERF 4u
#define AUTH_TOOWEAK 5u
#define RPCSEC_GSS 6u
#define GSS_SVC_INTEGRITY 2u
#define GSS_SVC_PRIVACY 3u

#define NFS3_FHSIZE 64u

struct cursor {
	const struct iovec *cu_iov;
	uint32_t cu_n;
	uint32_t cu_i; /* current range */
	size_t cu_off; /* offset in it */
};

static void cur_init(struct cursor *c, const struct iovec *iov, uint32_t n)
{
	*c = (struct cursor){.cu_iov = iov, .cu_n = n};
}

/* Copy @len bytes to @out (NULL: skip them); false if the call ends first. */
static bool cur_take(struct cursor *c, void *out, uint64_t len)
{
	uint8_t *dst = out;

	while (len) {
		size_t avail, k;

		if (c->cu_i >= c->cu_n)
			return false;
		avail = c->cu_iov[c->cu_i].iov_len - c->cu_off;
		if (!avail) {
			c->cu_i++;
			c->cu_off = 0;
			continue;
		}
		k = avail < len ? avail : (size_t)len;
		if (dst) {
			memcpy(dst,
			       (const uint8_t *)c->cu_iov[c->cu_i].iov_base +
				   c->cu_off,
			       k);
			dst += k;
		}
		c->cu_off += k;
		len -= k;
	}
	return true;
}

static bool cur_u32(struct cursor *c, uint32_t *v)
{
	uint32_t be;

	if (!cur_take(c, &be, 4))
		return false;
	*v = ntohl(be);
	return true;
}

static uint64_t cur_pos(const struct cursor *c)
{
	uint64_t pos = c->cu_off;
	uint32_t i;

	for (i = 0; i < c->cu_i && i < c->cu_n; i++)
		pos += c->cu_iov[i].iov_len;
	return pos;
}

/*
 * An opaque_auth: flavor, length, body.  Returns false when it is cut off
 * or its body is over 400 bytes; @body gets its first 16 bytes.
 */
static bool read_auth(struct cursor *c, uint32_t *flavor, uint32_t *len,
		      uint8_t body[16])
{
	uint32_t pad;

	if (!cur_u32(c, flavor) || !cur_u32(c, len) ||
	    *len > XR_GSH_RPC_MAX_AUTH_BYTES)
		return false;
	pad = (*len + 3) & ~3u;
	if (body && *len >= 16) {
		if (!cur_take(c, body, 16))
			return false;
		pad -= 16;
	}
	return cur_take(c, NULL, pad);
}

enum xr_gsh_rpc_verdict xr_gsh_rpc_call_check(const struct iovec *iov,
					      uint32_t n,
					      struct xr_gsh_rpc_call *call)
{
	uint32_t mtype, rpcvers, flavor, len;
	uint8_t body[16];
	struct cursor c;

	memset(call, 0, sizeof(*call));
	cur_init(&c, iov, n);
	if (!cur_u32(&c, &call->rc_xid) || !cur_u32(&c, &mtype) ||
	    mtype != RPC_CALL || !cur_u32(&c, &rpcvers))
		return XR_GSH_RPC_PASS; /* not a call we can answer */
	if (rpcvers != RPC_VERSION)
		return XR_GSH_RPC_DENY_MISMATCH;
	/* Program, version and procedure come before the credential. */
	if (!cur_u32(&c, &call->rc_prog) || !cur_u32(&c, &call->rc_vers) ||
	    !cur_u32(&c, &call->rc_proc))
		return XR_GSH_RPC_DENY_BADCRED;
	if (!read_auth(&c, &call->rc_cred_flavor, &len, body))
		return XR_GSH_RPC_DENY_BADCRED;
	/* rpc_gss_cred_vers_1_t: version, gss_proc, seq_num, service, ... */
	if (call->rc_cred_flavor == RPCSEC_GSS && len >= 16) {
		uint32_t be;

		memcpy(&be, body + 12, 4);
		call->rc_gss_service = ntohl(be);
	}
	if (!read_auth(&c, &flavor, &len, NULL))
		return XR_GSH_RPC_DENY_BADVERF;
	call->rc_args = cur_pos(&c);
	return XR_GSH_RPC_PASS;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

size_t xr_gsh_rpc_denial_encode(uint32_t xid, enum xr_gsh_rpc_verdict verdict,
				uint8_t *buf, size_t len)
{
	uint32_t stat;

	switch (verdict) {
	case XR_GSH_RPC_DENY_MISMATCH:
		if (len < 24)
			return 0;
		put32(buf, xid);
		put32(buf + 4, RPC_REPLY);
		put32(buf + 8, MSG_DENIED);
		put32(buf + 12, RPC_MISMATCH);
		put32(buf + 16, RPC_VERSION); /* lowest supported */
		put32(buf + 20, RPC_VERSION); /* highest supported */
		return 24;
	case XR_GSH_RPC_DENY_BADCRED:
		stat = AUTH_BADCRED;
		break;
	case XR_GSH_RPC_DENY_BADVERF:
		stat = AUTH_BADVERF;
		break;
	case XR_GSH_RPC_DENY_TOOWEAK:
		stat = AUTH_TOOWEAK;
		break;
	default:
		return 0;
	}
	if (len < 20)
		return 0;
	put32(buf, xid);
	put32(buf + 4, RPC_REPLY);
	put32(buf + 8, MSG_DENIED);
	put32(buf + 12, AUTH_ERROR);
	put32(buf + 16, stat);
	return 20;
}

int xr_gsh_rpc_call_export(const struct iovec *iov, uint32_t n,
			   const struct xr_gsh_rpc_call *call,
			   uint16_t *export_id)
{
	uint32_t fhlen;
	uint8_t head[4];
	struct cursor c;

	if (call->rc_proc == 0)
		return 0;
	cur_init(&c, iov, n);
	if (!cur_take(&c, NULL, call->rc_args))
		return -EBADMSG;
	if (call->rc_prog == XR_GSH_RPC_PROG_NFS && call->rc_vers == 3) {
		if (call->rc_proc > 21) /* COMMIT is the last */
			return 0;
	} else if (call->rc_prog == XR_GSH_RPC_PROG_NFSACL &&
		   call->rc_vers == 3) {
		if (call->rc_proc > 2) /* GETACL, SETACL */
			return 0;
	} else {
		return 0;
	}
	if (call->rc_cred_flavor == RPCSEC_GSS) {
		if (call->rc_gss_service == GSS_SVC_PRIVACY)
			return -EACCES;
		/* databody_integ: its length and seq_num precede the args */
		if (call->rc_gss_service == GSS_SVC_INTEGRITY &&
		    !cur_take(&c, NULL, 8))
			return -EBADMSG;
	}
	if (!cur_u32(&c, &fhlen) || fhlen > NFS3_FHSIZE)
		return -EBADMSG;
	/* Ganesha's handle: version, flags, export id (16 bits), ... */
	if (fhlen < 4)
		return 0;
	if (!cur_take(&c, head, 4))
		return -EBADMSG;
	*export_id = (uint16_t)(head[2] << 8 | head[3]);
	return 1;
}

int xr_gsh_rpc_call_read3_count(const struct iovec *iov, uint32_t n,
				const struct xr_gsh_rpc_call *call,
				uint32_t *count)
{
	uint32_t fhlen;
	struct cursor c;

	if (call->rc_prog != XR_GSH_RPC_PROG_NFS || call->rc_vers != 3 ||
	    call->rc_proc != 6) /* NFSPROC3_READ */
		return 0;
	if (call->rc_cred_flavor == RPCSEC_GSS &&
	    call->rc_gss_service == GSS_SVC_PRIVACY)
		return 0;
	cur_init(&c, iov, n);
	if (!cur_take(&c, NULL, call->rc_args))
		return 0;
	if (call->rc_cred_flavor == RPCSEC_GSS &&
	    call->rc_gss_service == GSS_SVC_INTEGRITY && !cur_take(&c, NULL, 8))
		return 0;
	/* READ3args: nfs_fh3 (opaque<64>), offset3, count3 */
	if (!cur_u32(&c, &fhlen) || fhlen > NFS3_FHSIZE)
		return 0;
	if (!cur_take(&c, NULL, ((uint64_t)fhlen + 3) & ~(uint64_t)3) ||
	    !cur_take(&c, NULL, 8) || !cur_u32(&c, count))
		return 0;
	return 1;
}
