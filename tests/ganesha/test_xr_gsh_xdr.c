/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of the RDMA server's XDR streams
 * (src/xprt_rdma/ganesha/xr_gsh_xdr.c) with ntirpc's own XDR routines: a
 * message encoded with a plain memory stream is decoded through xr_gsh_xdr_in
 * after being cut into ranges at every possible place (as the engine delivers
 * head / chunk payload / pad / rest), positions are checked, bytes copied out
 * of a range marked as chunk data are counted, and the encode stream sets a
 * marked uio aside while copying any other one (or, for an NFSv3 READ reply,
 * any single-vector uio, trimmed to its opaque length), also when the uio
 * has several buffers (Ganesha 6).  Ganesha 6's WRITE decoder takes the
 * data as buffers pointing into the ranges (x_iovcount, x_fillbufs): they
 * must cover exactly the data, in order, without a copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/xdr_inline.h>

#include "xr_gsh_xdr.h"
#include "gr_check.h"

struct sample {
	uint32_t a;
	uint64_t b;
	char name[40];
	char blob[37];
	uint32_t blob_len;
	uint32_t z;
};

static bool xdr_sample(XDR *xdrs, struct sample *s)
{
	char *name = s->name, *blob = s->blob;
	u_int blob_len = s->blob_len;

	return xdr_u_int32_t(xdrs, &s->a) && xdr_u_int64_t(xdrs, &s->b) &&
	       xdr_string(xdrs, &name, sizeof(s->name)) &&
	       xdr_bytes(xdrs, &blob, &blob_len, sizeof(s->blob)) &&
	       xdr_u_int32_t(xdrs, &s->z) && (s->blob_len = blob_len, true);
}

/* Decode @buf cut at @cut1 and @cut2 into three ranges. */
static void decode_cut(const char *buf, u_int len, u_int cut1, u_int cut2,
		       const struct sample *want)
{
	struct iovec iov[3] = {
	    {(void *)buf, cut1},
	    {(void *)(buf + cut1), cut2 - cut1},
	    {(void *)(buf + cut2), len - cut2},
	};
	struct sample got;
	struct xr_gsh_xdr_in in;

	memset(&got, 0, sizeof(got));
	CHECK(xr_gsh_xdr_in_init(&in, iov, 3) == 0);
	CHECK(xdr_sample(&in.xi_xdrs, &got));
	CHECK(got.a == want->a && got.b == want->b && got.z == want->z);
	CHECK(strcmp(got.name, want->name) == 0);
	CHECK(got.blob_len == want->blob_len &&
	      memcmp(got.blob, want->blob, want->blob_len) == 0);
	CHECK(XDR_GETPOS(&in.xi_xdrs) == len);
	/* Past the end: nothing more to read. */
	{
		uint32_t extra;

		CHECK(!xdr_u_int32_t(&in.xi_xdrs, &extra));
	}
	/* Reposition to every word boundary and read the first word. */
	CHECK(XDR_SETPOS(&in.xi_xdrs, 0));
	CHECK(XDR_GETPOS(&in.xi_xdrs) == 0);
	{
		uint32_t a = 0;

		CHECK(xdr_u_int32_t(&in.xi_xdrs, &a) && a == want->a);
	}
	CHECK(!XDR_SETPOS(&in.xi_xdrs, len + 1));
}

/*
 * The blob's bytes as their own range, marked as RDMA-read chunk data (as
 * a WRITE's payload is): the decoder's one copy of them is counted, and
 * nothing from the unmarked ranges is.
 */
static void test_chunk_copied(const char *buf, u_int len,
			      const struct sample *want)
{
	/* a, b, name length, name + pad, blob length */
	u_int at = 4 + 8 + 4 + ((u_int)strlen(want->name) + 3) / 4 * 4 + 4;
	struct iovec iov[3] = {
	    {(void *)buf, at},
	    {(void *)(buf + at), want->blob_len},
	    {(void *)(buf + at + want->blob_len), len - at - want->blob_len},
	};
	struct sample got;
	struct xr_gsh_xdr_in in;

	memset(&got, 0, sizeof(got));
	CHECK(xr_gsh_xdr_in_init(&in, iov, 3) == 0);
	xr_gsh_xdr_in_mark_chunk(&in, 1);
	xr_gsh_xdr_in_mark_chunk(&in, 40); /* beyond what is tracked: ignored */
	CHECK(xdr_sample(&in.xi_xdrs, &got));
	CHECK(memcmp(got.blob, want->blob, want->blob_len) == 0);
	CHECK(in.xi_chunk_copied == want->blob_len);
	/* Unmarked: nothing counted. */
	CHECK(xr_gsh_xdr_in_init(&in, iov, 3) == 0);
	CHECK(xdr_sample(&in.xi_xdrs, &got) && in.xi_chunk_copied == 0);
}

static u_int released;

static void count_release(xdr_uio *uio, u_int flags)
{
	if (--uio->uio_references == 0)
		released++;
}

static void other_release(xdr_uio *uio, u_int flags)
{
	if (--uio->uio_references == 0)
		released++;
}

static void test_encode(void)
{
	static char payload[] = "READ DATA 0123456789abcdef!"; /* 27 bytes */
	char buf[512];
	struct {
		xdr_uio u;
		xdr_vio v;
	} ddp = {0}, other = {0};
	struct iovec head, pl[XR_GSH_XDR_MAX_PAYLOAD], tail;
	struct xr_gsh_xdr_out out;
	uint32_t w = 0x11223344;

	ddp.u.uio_release = count_release;
	ddp.u.uio_count = 1;
	ddp.v.vio_head = (uint8_t *)payload;
	ddp.v.vio_tail = (uint8_t *)payload + 28; /* padded like Ganesha */
	ddp.v.vio_length = 27;
	other.u.uio_release = other_release;
	other.u.uio_count = 1;
	other.v.vio_head = (uint8_t *)payload;
	other.v.vio_tail = (uint8_t *)payload + 8;

	released = 0;
	xr_gsh_xdr_out_init(&out, buf, sizeof(buf), count_release, true);
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &w));
	CHECK(XDR_PUTBUFS(&out.xo_xdrs, &ddp.u, 0));   /* set aside */
	CHECK(XDR_PUTBUFS(&out.xo_xdrs, &other.u, 0)); /* copied */
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &w));
	CHECK(released == 1); /* the copied one, at once */
	CHECK(out.xo_copied == 0 && out.xo_copied_other == 8);
	CHECK(xr_gsh_xdr_out_split(&out, &head, pl, &tail) ==
	      (pl[0].iov_len ? 1 : 0));
	CHECK(head.iov_base == buf && head.iov_len == 4);
	CHECK(pl[0].iov_base == payload && pl[0].iov_len == 27);
	CHECK(tail.iov_base == buf + 4 && tail.iov_len == 12);
	CHECK(memcmp(buf + 4, payload, 8) == 0);
	xr_gsh_xdr_out_release(&out);
	CHECK(released == 2);

	/* No DDP marker: everything is copied inline, nothing set aside. */
	released = 0;
	ddp.u.uio_references = 0;
	xr_gsh_xdr_out_init(&out, buf, sizeof(buf), count_release, false);
	CHECK(XDR_PUTBUFS(&out.xo_xdrs, &ddp.u, 0));
	CHECK(xr_gsh_xdr_out_split(&out, &head, pl, &tail) ==
	      (pl[0].iov_len ? 1 : 0));
	CHECK(pl[0].iov_len == 0 && head.iov_len == 28 && released == 1);
	CHECK(out.xo_copied == 28 && out.xo_copied_other == 0);

	/* A buffer too small fails the put (Ganesha then releases). */
	ddp.u.uio_references = 0;
	xr_gsh_xdr_out_init(&out, buf, 16, count_release, false);
	CHECK(!XDR_PUTBUFS(&out.xo_xdrs, &ddp.u, 0));
}

/*
 * NFSv3 READ: Ganesha's READ3 uio is released by a function it does not
 * export and counts the XDR padding in vio_length; with xo_ddp_any it is
 * set aside all the same, trimmed to the opaque's length word.
 */
static void test_encode_any(void)
{
	static char payload[] = "READ3 DATA 0123456789abcdef"; /* 27 bytes */
	char buf[512];
	struct {
		xdr_uio u;
		xdr_vio v;
	} read3 = {0};
	struct iovec head, pl[XR_GSH_XDR_MAX_PAYLOAD], tail;
	struct xr_gsh_xdr_out out;
	uint32_t eof = 1, count = 27;

	read3.u.uio_release = other_release;
	read3.u.uio_count = 1;
	read3.v.vio_head = (uint8_t *)payload;
	read3.v.vio_tail = (uint8_t *)payload + 28;
	read3.v.vio_length = 28; /* padded, as xdr_READ3res_uio_setup does */

	released = 0;
	xr_gsh_xdr_out_init(&out, buf, sizeof(buf), count_release, true);
	out.xo_ddp_any = true;
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &eof));
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &count));
	CHECK(XDR_PUTBUFS(&out.xo_xdrs, &read3.u, 0));
	CHECK(released == 0 && out.xo_copied == 0);
	CHECK(xr_gsh_xdr_out_split(&out, &head, pl, &tail) ==
	      (pl[0].iov_len ? 1 : 0));
	CHECK(head.iov_len == 8 && tail.iov_len == 0);
	CHECK(pl[0].iov_base == payload && pl[0].iov_len == 27);
	xr_gsh_xdr_out_release(&out);
	CHECK(released == 1);

	/* Without a Write chunk it is copied, padding included, as payload. */
	released = 0;
	read3.u.uio_references = 0;
	xr_gsh_xdr_out_init(&out, buf, sizeof(buf), count_release, false);
	out.xo_ddp_any = true;
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &count));
	CHECK(XDR_PUTBUFS(&out.xo_xdrs, &read3.u, 0));
	CHECK(xr_gsh_xdr_out_split(&out, &head, pl, &tail) ==
	      (pl[0].iov_len ? 1 : 0));
	CHECK(pl[0].iov_len == 0 && head.iov_len == 32 && released == 1);
	CHECK(out.xo_copied == 28 && out.xo_copied_other == 0);
}

/*
 * The blob of @buf (cut into three ranges at @cut1, @cut2) taken as
 * buffers the way Ganesha 6's xdr_io_data() decodes WRITE data: they point
 * into the ranges (no copy) and add up to exactly the blob.
 */
static void fillbufs_cut(const char *buf, u_int len, u_int cut1, u_int cut2,
			 const struct sample *want)
{
	u_int at = 4 + 8 + 4 + ((u_int)strlen(want->name) + 3) / 4 * 4 + 4;
	struct iovec iov[3] = {
	    {(void *)buf, cut1},
	    {(void *)(buf + cut1), cut2 - cut1},
	    {(void *)(buf + cut2), len - cut2},
	};
	u_int blob = want->blob_len, expect = 0, got = 0, start;
	struct xr_gsh_xdr_in in;
	xdr_vio vio[4];
	int n, i;

	/* ranges the blob [at, at + blob) touches */
	expect += cut1 > at ? 1 : 0;
	expect += cut2 > cut1 && cut1 < at + blob && cut2 > at ? 1 : 0;
	expect += len > cut2 && cut2 < at + blob ? 1 : 0;
	CHECK(xr_gsh_xdr_in_init(&in, iov, 3) == 0);
	CHECK(XDR_SETPOS(&in.xi_xdrs, at));
	start = XDR_GETPOS(&in.xi_xdrs);
#ifdef XDR_GETSTARTDATAPOS
	start = XDR_GETSTARTDATAPOS(&in.xi_xdrs, start, blob);
	CHECK(start == at);
#endif
	n = XDR_IOVCOUNT(&in.xi_xdrs, start, blob);
	CHECK_EQ_INT(n, (int)expect);
	if (n < 1 || n > 4)
		return;
	CHECK(XDR_FILLBUFS(&in.xi_xdrs, start, vio, blob));
	for (i = 0; i < n; i++) {
		const char *p = (const char *)vio[i].vio_head;

		CHECK(p >= buf && p + vio[i].vio_length <= buf + len);
		CHECK(p == buf + at + got); /* in place: not a copy */
		CHECK(vio[i].vio_length > 0);
		got += vio[i].vio_length;
	}
	CHECK_EQ_INT(got, blob);
#ifdef XDR_GETENDDATAPOS
	CHECK(XDR_SETPOS(&in.xi_xdrs, XDR_GETENDDATAPOS(&in.xi_xdrs, start,
							(blob + 3) / 4 * 4)));
	{
		uint32_t z = 0;

		CHECK(xdr_u_int32_t(&in.xi_xdrs, &z) && z == want->z);
	}
#endif
	CHECK(in.xi_chunk_copied == 0);
	/* A span past the end: no buffers, and filling them fails. */
	CHECK_EQ_INT(XDR_IOVCOUNT(&in.xi_xdrs, len - 4, 8), 0);
	CHECK(!XDR_FILLBUFS(&in.xi_xdrs, len - 4, vio, 8));
}

/*
 * Ganesha 6 READ data: a 25-byte read comes as a uio of two buffers - 24
 * bytes, then the last byte with three bytes of padding.  Set aside as a
 * two-entry payload of exactly the 25 bytes; copied inline, it is the 28
 * bytes the uio holds.
 */
static void test_encode_multi(void)
{
	static char data[] = "0123456789abcdefghijklmn";
	static char last[4] = {'Z', 0, 0, 0};
	char buf[512];
	struct {
		xdr_uio u;
		xdr_vio v[2];
	} rd = {0};
	struct iovec head, pl[XR_GSH_XDR_MAX_PAYLOAD], tail;
	struct xr_gsh_xdr_out out;
	uint32_t len = 25, w = 7;

	rd.u.uio_release = count_release;
	rd.u.uio_count = 2;
	rd.v[0].vio_head = (uint8_t *)data;
	rd.v[0].vio_tail = (uint8_t *)data + 24;
	rd.v[0].vio_length = 24;
	rd.v[1].vio_head = (uint8_t *)last;
	rd.v[1].vio_tail = (uint8_t *)last + 4;
	rd.v[1].vio_length = 4;

	released = 0;
	xr_gsh_xdr_out_init(&out, buf, sizeof(buf), count_release, true);
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &len));
	CHECK(XDR_PUTBUFS(&out.xo_xdrs, &rd.u, 0));
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &w));
	CHECK(released == 0 && out.xo_copied == 0);
	CHECK(xr_gsh_xdr_out_split(&out, &head, pl, &tail) == 2);
	CHECK(head.iov_len == 4 && tail.iov_len == 4);
	CHECK(pl[0].iov_base == data && pl[0].iov_len == 24);
	CHECK(pl[1].iov_base == last && pl[1].iov_len == 1);
	xr_gsh_xdr_out_release(&out);
	CHECK(released == 1);

	/* No Write chunk: both buffers inline, padding included. */
	released = 0;
	rd.u.uio_references = 0;
	xr_gsh_xdr_out_init(&out, buf, sizeof(buf), count_release, false);
	CHECK(xdr_u_int32_t(&out.xo_xdrs, &len));
	CHECK(XDR_PUTBUFS(&out.xo_xdrs, &rd.u, 0));
	CHECK(xr_gsh_xdr_out_split(&out, &head, pl, &tail) == 0);
	CHECK(head.iov_len == 32 && released == 1 && out.xo_copied == 28);
	CHECK(memcmp(buf + 4, data, 24) == 0 && buf[28] == 'Z');
}

int main(void)
{
	struct sample s = {.a = 7, .b = 0x0102030405060708ull, .z = 99};
	char buf[256];
	XDR mem;
	u_int len, c1, c2;

	strcpy(s.name, "a name of odd length");
	s.blob_len = 37;
	memset(s.blob, 0x5a, sizeof(s.blob));
	xdrmem_ncreate(&mem, buf, sizeof(buf), XDR_ENCODE);
	CHECK(xdr_sample(&mem, &s));
	len = XDR_GETPOS(&mem);

	for (c1 = 0; c1 <= len; c1++)
		for (c2 = c1; c2 <= len; c2 += 3)
			decode_cut(buf, len, c1, c2, &s);
	for (c1 = 0; c1 <= len; c1++)
		for (c2 = c1; c2 <= len; c2 += 5)
			fillbufs_cut(buf, len, c1, c2, &s);
	test_chunk_copied(buf, len, &s);
	test_encode();
	test_encode_multi();
	test_encode_any();
	return gr_check_done("test_xr_gsh_xdr");
}
