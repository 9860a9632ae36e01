/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit tests for RFC 8797 connection private data (xr_cm).
 *
 * How this works: hand-written 8-byte vectors (magic, version, flags,
 * send code, receive code) are decoded and compared field by field, the
 * encoder must reproduce them, unrecognised data must quietly fall back to
 * the 1024-byte defaults, and the negotiation rule is checked on both
 * sides of a connection.
 */
#include "xr_cm.h"
#include "gr_check.h"

#include <errno.h>
#include <string.h>

static void test_vectors(void)
{
	/* magic f6ab0e18, version 1, flags: remote invalidation,
	 * send code 7 = 8 KiB, receive code 3 = 4 KiB */
	static const uint8_t v1[8] = {0xf6, 0xab, 0x0e, 0x18,
				      0x01, 0x01, 0x07, 0x03};
	/* version 1, no flags, both codes 0 = 1 KiB */
	static const uint8_t v2[8] = {0xf6, 0xab, 0x0e, 0x18,
				      0x01, 0x00, 0x00, 0x00};
	/* codes 255 = 256 KiB; reserved flag bits set, I bit clear */
	static const uint8_t v3[8] = {0xf6, 0xab, 0x0e, 0x18,
				      0x01, 0xfe, 0xff, 0xff};
	struct xr_cm_private p, mine;
	uint8_t out[16];

	CHECK_EQ_INT(xr_cm_decode(v1, 8, &p), 1);
	CHECK(p.pd_present);
	CHECK(p.pd_remote_inv);
	CHECK_EQ(p.pd_send_size, 8192);
	CHECK_EQ(p.pd_recv_size, 4096);

	mine = (struct xr_cm_private){
	    .pd_remote_inv = true, .pd_send_size = 8192, .pd_recv_size = 4096};
	CHECK_EQ_INT(xr_cm_encode(&mine, out, sizeof(out)), 8);
	CHECK(memcmp(out, v1, 8) == 0);

	CHECK_EQ_INT(xr_cm_decode(v2, 8, &p), 1);
	CHECK(!p.pd_remote_inv);
	CHECK_EQ(p.pd_send_size, 1024);
	mine =
	    (struct xr_cm_private){.pd_send_size = 1024, .pd_recv_size = 1024};
	CHECK_EQ_INT(xr_cm_encode(&mine, out, 8), 8);
	CHECK(memcmp(out, v2, 8) == 0);

	CHECK_EQ_INT(xr_cm_decode(v3, 8, &p), 1);
	CHECK(!p.pd_remote_inv);
	CHECK_EQ(p.pd_send_size, 262144);
	CHECK_EQ(p.pd_recv_size, 262144);
}

static void check_absent(const void *buf, size_t len)
{
	struct xr_cm_private p = {.pd_present = true, .pd_remote_inv = true};

	CHECK_EQ_INT(xr_cm_decode(buf, len, &p), 0);
	CHECK(!p.pd_present);
	CHECK(!p.pd_remote_inv);
	CHECK_EQ(p.pd_send_size, 1024);
	CHECK_EQ(p.pd_recv_size, 1024);
}

static void test_not_present(void)
{
	static const uint8_t bad_magic[8] = {0xf6, 0xab, 0x0e, 0x19,
					     0x01, 0x01, 0x07, 0x03};
	static const uint8_t bad_vers[8] = {0xf6, 0xab, 0x0e, 0x18,
					    0x02, 0x01, 0x07, 0x03};
	static const uint8_t vers0[8] = {0xf6, 0xab, 0x0e, 0x18,
					 0x00, 0x01, 0x07, 0x03};
	static const uint8_t le_magic[8] = {0x18, 0x0e, 0xab, 0xf6,
					    0x01, 0x01, 0x07, 0x03};
	uint8_t padded[56];
	struct xr_cm_private p;

	check_absent(NULL, 0);
	check_absent(bad_magic, 8);
	check_absent(bad_vers, 8);
	check_absent(vers0, 8);
	check_absent(le_magic, 8);
	check_absent(bad_vers, 7); /* too short */
	check_absent(padded, 0);

	/* IB CM pads private data with zeros: the first 8 bytes count. */
	memset(padded, 0, sizeof(padded));
	memcpy(padded, (const uint8_t[]){0xf6, 0xab, 0x0e, 0x18, 1, 1, 15, 31},
	       8);
	CHECK_EQ_INT(xr_cm_decode(padded, sizeof(padded), &p), 1);
	CHECK_EQ(p.pd_send_size, 16384);
	CHECK_EQ(p.pd_recv_size, 32768);
	CHECK_EQ_INT(xr_cm_decode(padded, 7, &p), 0);

	CHECK_EQ_INT(xr_cm_decode(NULL, 8, &p), -EINVAL);
	CHECK_EQ_INT(xr_cm_decode(padded, 8, NULL), -EINVAL);
}

static void test_encode_rounding(void)
{
	struct xr_cm_private mine = {.pd_send_size = 1500,
				     .pd_recv_size = 300000};
	struct xr_cm_private back;
	uint8_t out[8];

	CHECK_EQ(xr_cm_size_advertised(1023), 0);
	CHECK_EQ(xr_cm_size_advertised(1024), 1024);
	CHECK_EQ(xr_cm_size_advertised(1500), 1024);
	CHECK_EQ(xr_cm_size_advertised(4097), 4096);
	CHECK_EQ(xr_cm_size_advertised(262144), 262144);
	CHECK_EQ(xr_cm_size_advertised(UINT32_MAX), 262144);

	CHECK_EQ_INT(xr_cm_encode(&mine, out, 8), 8);
	CHECK_EQ(out[6], 0);
	CHECK_EQ(out[7], 255);
	CHECK_EQ(out[5], 0);
	CHECK_EQ_INT(xr_cm_decode(out, 8, &back), 1);
	CHECK_EQ(back.pd_send_size, 1024);
	CHECK_EQ(back.pd_recv_size, 262144);

	CHECK_EQ_INT(xr_cm_encode(&mine, out, 7), -EMSGSIZE);
	mine.pd_send_size = 1023;
	CHECK_EQ_INT(xr_cm_encode(&mine, out, 8), -EINVAL);
	mine.pd_send_size = 4096;
	mine.pd_recv_size = 0;
	CHECK_EQ_INT(xr_cm_encode(&mine, out, 8), -EINVAL);
	CHECK_EQ_INT(xr_cm_encode(NULL, out, 8), -EINVAL);
	CHECK_EQ_INT(xr_cm_encode(&mine, NULL, 8), -EINVAL);
}

static void test_negotiate(void)
{
	/* A client with 4 KiB sends/8 KiB receives talking to a server
	 * with 16 KiB sends/2 KiB receives that accepts invalidation. */
	struct xr_cm_private client = {
	    .pd_present = true, .pd_send_size = 4096, .pd_recv_size = 8192};
	struct xr_cm_private server = {.pd_present = true,
				       .pd_remote_inv = true,
				       .pd_send_size = 16384,
				       .pd_recv_size = 2048};
	struct xr_cm_private none;
	struct xr_cm_inline ci, si;
	uint8_t wire[8];

	/* Through the wire, as each side would see the other. */
	CHECK_EQ_INT(xr_cm_encode(&server, wire, 8), 8);
	CHECK_EQ_INT(xr_cm_decode(wire, 8, &server), 1);
	CHECK_EQ_INT(xr_cm_encode(&client, wire, 8), 8);
	CHECK_EQ_INT(xr_cm_decode(wire, 8, &client), 1);

	CHECK_EQ_INT(xr_cm_negotiate(&client, &server, &ci), 0);
	CHECK_EQ(ci.ci_max_send, 2048); /* server receives only 2 KiB */
	CHECK_EQ(ci.ci_max_recv, 8192); /* min(8 KiB, server sends 16) */
	CHECK(ci.ci_send_inv_ok);	/* server accepts invalidation */

	CHECK_EQ_INT(xr_cm_negotiate(&server, &client, &si), 0);
	CHECK_EQ(si.ci_max_send, 8192); /* min(16 KiB, client recv 8) */
	CHECK_EQ(si.ci_max_recv, 2048); /* min(2 KiB, client sends 4) */
	CHECK(!si.ci_send_inv_ok);	/* client did not offer it */
	/* What one side may send is what the other must receive. */
	CHECK(ci.ci_max_send <= si.ci_max_recv);
	CHECK(si.ci_max_send <= ci.ci_max_recv);

	/* Peer without private data: RFC 8166 defaults of 1024. */
	CHECK_EQ_INT(xr_cm_decode(NULL, 0, &none), 0);
	CHECK_EQ_INT(xr_cm_negotiate(&server, &none, &si), 0);
	CHECK_EQ(si.ci_max_send, 1024);
	CHECK_EQ(si.ci_max_recv, 1024);
	CHECK(!si.ci_send_inv_ok);
	CHECK_EQ_INT(xr_cm_negotiate(NULL, &none, &si), -EINVAL);
}

int main(void)
{
	test_vectors();
	test_not_present();
	test_encode_rounding();
	test_negotiate();
	return gr_check_done("test_xr_cm");
}
