/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ONC RPC framing for the session client.  Encoders write big-endian words
 * with a bounds check per word; decoders walk a cursor that refuses to move
 * past the end of the record, so a truncated or lying header yields
 * -EBADMSG and never a read out of bounds.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "sess_rpc.h"

#define RPC_MAX_AUTH_BYTES 400

struct cursor {
	uint8_t *wbuf;
	const uint8_t *rbuf;
	size_t len;
	size_t pos;
	int err;
};

static void put32(struct cursor *c, uint32_t v)
{
	uint32_t be = htonl(v);

	if (c->err || c->len - c->pos < 4) {
		c->err = -ENOSPC;
		return;
	}
	memcpy(c->wbuf + c->pos, &be, 4);
	c->pos += 4;
}

static void put_opaque(struct cursor *c, const void *p, uint32_t n)
{
	uint32_t padded = (n + 3) & ~3u;

	put32(c, n);
	if (c->err || c->len - c->pos < padded) {
		c->err = -ENOSPC;
		return;
	}
	memcpy(c->wbuf + c->pos, p, n);
	memset(c->wbuf + c->pos + n, 0, padded - n);
	c->pos += padded;
}

static uint32_t get32(struct cursor *c)
{
	uint32_t be;

	if (c->err || c->len - c->pos < 4) {
		c->err = -EBADMSG;
		return 0;
	}
	memcpy(&be, c->rbuf + c->pos, 4);
	c->pos += 4;
	return ntohl(be);
}

/* Skip an opaque_auth (flavor + body of at most 400 bytes). */
static void skip_auth(struct cursor *c)
{
	uint32_t n;

	(void)get32(c);
	n = get32(c);
	if (c->err)
		return;
	if (n > RPC_MAX_AUTH_BYTES || c->len - c->pos < ((n + 3) & ~3u)) {
		c->err = -EBADMSG;
		return;
	}
	c->pos += (n + 3) & ~3u;
}

int sess_rpc_encode_call(uint8_t *buf, size_t cap, uint32_t xid, uint32_t prog,
			 uint32_t vers, uint32_t proc,
			 const struct sess_auth_sys *cred)
{
	struct cursor c = {.wbuf = buf, .len = cap};
	size_t name_len = strnlen(cred->as_machinename, SESS_MACHINENAME_MAX);
	uint32_t body_len, i;

	if (cred->as_ngids > SESS_AUTH_SYS_MAX_GIDS)
		return -EINVAL;
	put32(&c, xid);
	put32(&c, SESS_RPC_CALL);
	put32(&c, SESS_RPC_VERS);
	put32(&c, prog);
	put32(&c, vers);
	put32(&c, proc);
	put32(&c, SESS_AUTH_SYS);
	body_len =
	    4 + 4 + ((name_len + 3) & ~3u) + 4 + 4 + 4 + 4 * cred->as_ngids;
	put32(&c, body_len);
	put32(&c, cred->as_stamp);
	put_opaque(&c, cred->as_machinename, name_len);
	put32(&c, cred->as_uid);
	put32(&c, cred->as_gid);
	put32(&c, cred->as_ngids);
	for (i = 0; i < cred->as_ngids; i++)
		put32(&c, cred->as_gids[i]);
	put32(&c, SESS_AUTH_NONE);
	put32(&c, 0);
	return c.err ? c.err : (int)c.pos;
}

int sess_rpc_peek(const uint8_t *buf, size_t len, uint32_t *xid,
		  uint32_t *msg_type)
{
	struct cursor c = {.rbuf = buf, .len = len};

	*xid = get32(&c);
	*msg_type = get32(&c);
	if (c.err)
		return c.err;
	if (*msg_type != SESS_RPC_CALL && *msg_type != SESS_RPC_REPLY)
		return -EBADMSG;
	return 0;
}

int sess_rpc_decode_reply(const uint8_t *buf, size_t len, uint32_t xid,
			  size_t *body_off)
{
	struct cursor c = {.rbuf = buf, .len = len};
	uint32_t stat;

	/*
	 * The transport found the call by its own tag (RPC-over-RDMA's
	 * header xid, a record on TCP): the body must answer the same call,
	 * or a stale or misplaced reply would decode as this call's.
	 */
	if (get32(&c) != xid)
		return -EBADMSG;
	if (get32(&c) != SESS_RPC_REPLY)
		return -EBADMSG;
	stat = get32(&c);
	if (c.err)
		return c.err;
	if (stat == 1) { /* MSG_DENIED */
		stat = get32(&c);
		if (c.err)
			return c.err;
		return stat == 1 ? -EACCES : -EPROTONOSUPPORT;
	}
	if (stat != 0)
		return -EBADMSG;
	skip_auth(&c);
	stat = get32(&c);
	if (c.err)
		return c.err;
	switch (stat) {
	case 0:
		*body_off = c.pos;
		return 0;
	case 1: /* PROG_UNAVAIL */
	case 2: /* PROG_MISMATCH */
		return -EPROTONOSUPPORT;
	case 3:
		return -EOPNOTSUPP;
	case 4: /* GARBAGE_ARGS */
	case 5: /* SYSTEM_ERR */
		return -EPROTO;
	default:
		return -EBADMSG;
	}
}

int sess_rpc_decode_call(const uint8_t *buf, size_t len,
			 struct sess_rpc_call_hdr *hdr)
{
	struct cursor c = {.rbuf = buf, .len = len};

	hdr->rh_xid = get32(&c);
	if (get32(&c) != SESS_RPC_CALL)
		return -EBADMSG;
	if (get32(&c) != SESS_RPC_VERS)
		return -EBADMSG;
	hdr->rh_prog = get32(&c);
	hdr->rh_vers = get32(&c);
	hdr->rh_proc = get32(&c);
	skip_auth(&c); /* credential */
	skip_auth(&c); /* verifier */
	if (c.err)
		return c.err;
	hdr->rh_body_off = c.pos;
	return 0;
}

int sess_rpc_encode_accepted(uint8_t *buf, size_t cap, uint32_t xid,
			     uint32_t accept_stat)
{
	struct cursor c = {.wbuf = buf, .len = cap};

	put32(&c, xid);
	put32(&c, SESS_RPC_REPLY);
	put32(&c, 0); /* MSG_ACCEPTED */
	put32(&c, SESS_AUTH_NONE);
	put32(&c, 0);
	put32(&c, accept_stat);
	return c.err ? c.err : (int)c.pos;
}

const char *sess_rpc_strerror(int err)
{
	switch (err) {
	case -EBADMSG:
		return "malformed or truncated RPC message from the server";
	case -EACCES:
		return "server rejected the RPC credentials";
	case -EPROTONOSUPPORT:
		return "server does not offer NFSv4 (program/version mismatch)";
	case -EOPNOTSUPP:
		return "server does not support the procedure";
	case -EPROTO:
		return "server could not decode the request "
		       "(GARBAGE_ARGS/SYSTEM_ERR)";
	case -ENOTCONN:
		return "connection to the server lost";
	case -ETIMEDOUT:
		return "timed out waiting for the server";
	case -EMSGSIZE:
		return "record larger than the negotiated maximum";
	default:
		return strerror(-err);
	}
}
