/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: what the session client reads off a TCP connection
 * before any COMPOUND decoding - RFC 5531 record marking (read_record in
 * src/sessions/sess_xprt_tcp.c), the message-type peek, and the RPC reply
 * and call headers (src/sessions/sess_rpc.c).  COMPOUND bodies and
 * backchannel calls are fuzz_sess's (tests/sessions/fuzz_sess.c).
 *
 * How this works: the input is [max-record selector] [bytes the server
 * sends].  The bytes go into one end of a socketpair (as much as the
 * socket takes, then the write side is shut), and read_record() runs on
 * the other end until it reports an error, as the receive thread does.
 * An independent, plain parser of the same bytes (oracle_record) must
 * give the same records and the same final error.  Each record is then
 * peeked, and decoded as a reply or a call header; a second plain parser
 * checks the reply decoder's verdict and body offset.
 */
#define sess_xprt_tcp_create fz_unused_tcp_create
#include "../../src/sessions/sess_xprt_tcp.c"
#undef sess_xprt_tcp_create

#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Record marking as RFC 5531 section 11 states it. */
static int oracle_record(const uint8_t *b, size_t n, size_t *pos, size_t max,
			 size_t *start_len)
{
	size_t len = 0;
	uint32_t mark, frag;

	for (;;) {
		if (n - *pos < 4)
			return -ENOTCONN;
		mark = be32(b + *pos);
		*pos += 4;
		frag = mark & 0x7fffffffu;
		if (frag > max - len)
			return -EMSGSIZE;
		if (n - *pos < frag)
			return -ENOTCONN;
		*pos += frag;
		len += frag;
		if (mark & 0x80000000u)
			break;
	}
	*start_len = len;
	return len ? 0 : -EBADMSG;
}

/* Gather the fragments' payload of the record that ends at end. */
static void oracle_gather(const uint8_t *b, size_t at, size_t end, uint8_t *out)
{
	uint32_t frag;

	while (at < end) {
		frag = be32(b + at) & 0x7fffffffu;
		memcpy(out, b + at + 4, frag);
		out += frag;
		at += 4 + frag;
	}
}

/* The reply header rules (RFC 5531 section 9), plainly. */
static int oracle_reply(const uint8_t *b, size_t n, size_t *body)
{
	size_t off;
	uint32_t v, alen;

	if (n < 12)
		return -EBADMSG;
	if (be32(b + 4) != 1)
		return -EBADMSG;
	v = be32(b + 8);
	if (v == 1) {
		if (n < 16)
			return -EBADMSG;
		return be32(b + 12) == 1 ? -EACCES : -EPROTONOSUPPORT;
	}
	if (v != 0)
		return -EBADMSG;
	if (n < 20)
		return -EBADMSG;
	alen = be32(b + 16);
	if (alen > 400 || n - 20 < ((alen + 3) & ~3u))
		return -EBADMSG;
	off = 20 + ((alen + 3) & ~3u);
	if (n - off < 4)
		return -EBADMSG;
	v = be32(b + off);
	switch (v) {
	case 0:
		*body = off + 4;
		return 0;
	case 1:
	case 2:
		return -EPROTONOSUPPORT;
	case 3:
		return -EOPNOTSUPP;
	case 4:
	case 5:
		return -EPROTO;
	default:
		return -EBADMSG;
	}
}

static void check_headers(const uint8_t *b, size_t n)
{
	struct sess_rpc_call_hdr ch;
	uint32_t xid, type;
	size_t body = 0, want_body = 0;
	int ret, want;

	ret = sess_rpc_peek(b, n, &xid, &type);
	if (ret)
		return;
	if (type == SESS_RPC_REPLY) {
		ret = sess_rpc_decode_reply(b, n, xid, &body);
		want = oracle_reply(b, n, &want_body);
		if (ret != want || (ret == 0 && body != want_body))
			abort();
	} else if (sess_rpc_decode_call(b, n, &ch) == 0) {
		if (ch.rh_body_off > n || ch.rh_body_off % 4 ||
		    ch.rh_xid != xid)
			abort();
	}
}

static size_t max_record(uint8_t sel)
{
	if (sel < 128)
		return (size_t)sel * 64;
	if (sel < 250)
		return (size_t)(sel - 128) * 4096;
	return TCP_DEFAULT_MAX_RECORD;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_xprt tx;
	size_t fed = 0, opos = 0, olen, rstart;
	int sv[2], sz = 1 << 20, ret, want;
	uint8_t *rec, *exp;
	size_t rlen;
	ssize_t w;

	if (size < 1)
		return 0;
	memset(&tx, 0, sizeof(tx));
	tx.tx_base.x_max_record = max_record(data[0]);
	data++;
	size--;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 0;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	while (fed < size) {
		w = send(sv[0], data + fed, size - fed,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w <= 0)
			break;
		fed += (size_t)w;
	}
	shutdown(sv[0], SHUT_WR);
	/* The server's bytes are what the socket took. */
	for (;;) {
		rstart = opos;
		want = oracle_record(data, fed, &opos, tx.tx_base.x_max_record,
				     &olen);
		ret = read_record(&tx, sv[1], &rec, &rlen);
		if (ret != want)
			abort();
		if (ret)
			break;
		exp = malloc(olen);
		if (!exp)
			abort();
		oracle_gather(data, rstart, opos, exp);
		if (rlen != olen || memcmp(rec, exp, olen))
			abort();
		check_headers(rec, rlen);
		free(exp);
		free(rec);
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
}
