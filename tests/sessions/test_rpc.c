/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of the RPC framing (src/sessions/sess_rpc.c, included): call
 * header round trip, reply header decoding with every truncation and
 * every rejection kind, call header validation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sessions/sess_rpc.c"
#include "gr_check.h"

static size_t words(uint8_t *buf, const uint32_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t be = htonl(w[i]);

		memcpy(buf + 4 * i, &be, 4);
	}
	return 4 * n;
}

static void test_call_roundtrip(void)
{
	struct sess_auth_sys cred = {.as_stamp = 7,
				     .as_uid = 1000,
				     .as_gid = 100,
				     .as_ngids = 2,
				     .as_gids = {4, 5}};
	struct sess_rpc_call_hdr hdr;
	uint8_t buf[1024];
	int len, i;

	strcpy(cred.as_machinename, "client-host");
	len =
	    sess_rpc_encode_call(buf, sizeof(buf), 0x1234, 100003, 4, 1, &cred);
	CHECK(len > 0 && len % 4 == 0);
	CHECK(sess_rpc_decode_call(buf, (size_t)len, &hdr) == 0);
	CHECK(hdr.rh_xid == 0x1234 && hdr.rh_prog == 100003 &&
	      hdr.rh_vers == 4 && hdr.rh_proc == 1 &&
	      hdr.rh_body_off == (size_t)len);
	for (i = 0; i < len; i++)
		CHECK(sess_rpc_decode_call(buf, (size_t)i, &hdr) == -EBADMSG);
	for (i = 0; i < len; i++)
		CHECK(sess_rpc_encode_call(buf, (size_t)i, 1, 1, 1, 1, &cred) ==
		      -ENOSPC);
	cred.as_ngids = SESS_AUTH_SYS_MAX_GIDS + 1;
	CHECK(sess_rpc_encode_call(buf, sizeof(buf), 1, 1, 1, 1, &cred) ==
	      -EINVAL);
	/* A credential claiming 10000 bytes is refused. */
	{
		uint32_t w[] = {9, 0, 2, 1, 1, 1, 1, 10000};
		size_t n = words(buf, w, 8);

		CHECK(sess_rpc_decode_call(buf, n, &hdr) == -EBADMSG);
	}
}

static void test_reply(void)
{
	uint8_t buf[256];
	size_t off, n, i;
	uint32_t xid, type;

	{
		uint32_t ok[] = {5, 1, 0, 0, 0, 0, 0xabcd};

		n = words(buf, ok, 7);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == 0 && off == 24);
		CHECK(sess_rpc_peek(buf, n, &xid, &type) == 0 && xid == 5 &&
		      type == SESS_RPC_REPLY);
		for (i = 0; i < 24; i++)
			CHECK(sess_rpc_decode_reply(buf, i, 5, &off) ==
			      -EBADMSG);
		/* A well-formed reply to another call is refused. */
		CHECK(sess_rpc_decode_reply(buf, n, 6, &off) == -EBADMSG);
		CHECK(sess_rpc_decode_reply(buf, n, 0x05000000, &off) ==
		      -EBADMSG);
		CHECK(sess_rpc_decode_reply(buf, n, 0, &off) == -EBADMSG);
	}
	{
		/* verifier with a body of 8 bytes, then SUCCESS */
		uint32_t ok[] = {5, 1, 0, 1, 8, 0, 0, 0};

		n = words(buf, ok, 8);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == 0 && off == 32);
	}
	{
		uint32_t big[] = {5, 1, 0, 1, 401, 0};

		n = words(buf, big, 6);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == -EBADMSG);
	}
	{
		uint32_t denied_auth[] = {5, 1, 1, 1, 2};
		uint32_t denied_vers[] = {5, 1, 1, 0, 2, 2};
		uint32_t bad_stat[] = {5, 1, 7};
		uint32_t not_reply[] = {5, 0, 0};
		uint32_t garbage[] = {5, 1, 0, 0, 0, 4};
		uint32_t noproc[] = {5, 1, 0, 0, 0, 3};
		uint32_t prog[] = {5, 1, 0, 0, 0, 1};
		uint32_t weird[] = {5, 1, 0, 0, 0, 99};

		n = words(buf, denied_auth, 5);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == -EACCES);
		n = words(buf, denied_vers, 6);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) ==
		      -EPROTONOSUPPORT);
		n = words(buf, bad_stat, 3);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == -EBADMSG);
		n = words(buf, not_reply, 3);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == -EBADMSG);
		n = words(buf, garbage, 6);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == -EPROTO);
		n = words(buf, noproc, 6);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == -EOPNOTSUPP);
		n = words(buf, prog, 6);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) ==
		      -EPROTONOSUPPORT);
		n = words(buf, weird, 6);
		CHECK(sess_rpc_decode_reply(buf, n, 5, &off) == -EBADMSG);
	}
	{
		uint32_t bad_type[] = {5, 2};

		n = words(buf, bad_type, 2);
		CHECK(sess_rpc_peek(buf, n, &xid, &type) == -EBADMSG);
		CHECK(sess_rpc_peek(buf, 7, &xid, &type) == -EBADMSG);
	}
}

static void test_accepted(void)
{
	uint8_t buf[64];
	size_t off;
	int n;

	n = sess_rpc_encode_accepted(buf, sizeof(buf), 77, 0);
	CHECK(n == 24);
	CHECK(sess_rpc_decode_reply(buf, (size_t)n, 77, &off) == 0 &&
	      off == 24);
	CHECK(sess_rpc_encode_accepted(buf, 23, 77, 0) == -ENOSPC);
}

int main(void)
{
	test_call_roundtrip();
	test_reply();
	test_accepted();
	return gr_check_done("test_rpc");
}
