/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit tests for the RFC 8166 transport header codec (xr_hdr).
 *
 * How this works: wire vectors are written as arrays of 32-bit XDR words
 * (one field per word, commented) and converted to big-endian bytes.  Each
 * valid vector is decoded and its fields checked, then re-encoded and
 * compared byte for byte with the input (the encoding is canonical).  A
 * table of malformed headers gives, per row, the expected errno, reason
 * and receiver action.  Sweeps truncate and bit-flip every valid vector:
 * decoding must never crash, a truncated header must never be accepted,
 * and whatever is accepted must re-encode to the same bytes.
 */
#include "xr_hdr.h"
#include "gr_check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XID 0x12345678u
#define NFS_PROG 100003u

/* Limits used by most tests: small so the "too many" rows are short. */
static const struct xr_hdr_limits call_lim = {
    .hl_dir = XR_DIR_CALL,
    .hl_max_read_segs = 8,
    .hl_max_write_chunks = 4,
    .hl_max_chunk_segs = 4,
    .hl_max_chunk_bytes = 1u << 20,
    .hl_inline_size = 1024,
};

static struct xr_hdr_limits reply_lim(void)
{
	struct xr_hdr_limits l = call_lim;

	l.hl_dir = XR_DIR_REPLY;
	return l;
}

static struct xr_chunk g_chunks[64];
static struct xr_segment g_segs[64];

static size_t to_wire(const uint32_t *w, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[4 * i] = (uint8_t)(w[i] >> 24);
		out[4 * i + 1] = (uint8_t)(w[i] >> 16);
		out[4 * i + 2] = (uint8_t)(w[i] >> 8);
		out[4 * i + 3] = (uint8_t)w[i];
	}
	return 4 * n;
}

static int decode(const uint8_t *b, size_t len, const struct xr_hdr_limits *l,
		  struct xr_hdr *h, enum xr_hdr_reason *r)
{
	xr_hdr_init(h, g_chunks, 64, g_segs, 64);
	return xr_hdr_decode(b, len, l, h, r);
}

/* Decode-accepted headers re-encode to exactly the received header. */
static void check_reencode(const uint8_t *b, const struct xr_hdr *h)
{
	uint8_t out[2048];
	ssize_t n;

	if (h->h_proc == XR_RDMA_ERROR)
		return;
	n = xr_hdr_encode(h, out, sizeof(out));
	CHECK_EQ_INT(n, h->h_hdr_len);
	CHECK_EQ_INT(xr_hdr_encoded_size(h), h->h_hdr_len);
	if (n > 0)
		CHECK(memcmp(out, b, (size_t)n) == 0);
}

/*
 * Vector 1: an NFS NULL call sent inline as RDMA_MSG, no chunks.
 */
static void test_vector_msg_inline(void)
{
	static const uint32_t w[] = {
	    XID,	 /* rdma_xid */
	    1,		 /* rdma_vers */
	    32,		 /* rdma_credit */
	    0,		 /* rdma_proc = RDMA_MSG */
	    0,		 /* Read list: empty */
	    0,		 /* Write list: empty */
	    0,		 /* Reply chunk: absent */
	    XID,	 /* RPC: xid */
	    0,		 /* RPC: msg_type CALL */
	    2,		 /* RPC: rpcvers */
	    NFS_PROG,	 /* RPC: prog */
	    4,		 /* RPC: vers */
	    0,		 /* RPC: proc NULL */
	    0,	      0, /* RPC: cred AUTH_NONE, length 0 */
	    0,	      0, /* RPC: verf AUTH_NONE, length 0 */
	};
	uint8_t b[256];
	size_t len = to_wire(w, sizeof(w) / 4, b);
	enum xr_hdr_reason r;
	struct xr_hdr h;

	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), 0);
	CHECK_EQ(r, XR_REASON_OK);
	CHECK_EQ(h.h_xid, XID);
	CHECK_EQ(h.h_vers, 1);
	CHECK_EQ(h.h_credits, 32);
	CHECK_EQ(h.h_proc, XR_RDMA_MSG);
	CHECK_EQ(h.h_nread, 0);
	CHECK_EQ(h.h_nwrite, 0);
	CHECK(!h.h_has_reply);
	CHECK_EQ(h.h_hdr_len, 28);
	CHECK_EQ(h.h_msg_offset, 28);
	CHECK_EQ(h.h_msg_len, 40);
	CHECK_EQ(xr_hdr_action(r, XR_DIR_CALL), XR_ACT_ACCEPT);
	check_reencode(b, &h);
}

/*
 * Vector 2: an NFSv3 WRITE call whose data (8000 bytes) is offered as one
 * Read chunk of two segments at XDR position 100 of a 112-byte inline
 * message, plus a Reply chunk.
 */
static void test_vector_msg_read_chunk(void)
{
	uint32_t w[64] = {
	    XID,	1,	16, 0, /* xid, vers, credits, RDMA_MSG */
	    1,			       /* Read list: entry follows */
	    100,		       /*   position */
	    0xaabbccdd,		       /*   handle */
	    4096,		       /*   length */
	    0x00000001,		       /*   offset (high word) */
	    0x00002000,		       /*   offset (low word) */
	    1,			       /* Read list: entry follows */
	    100,		       /*   same position: same chunk */
	    0xaabbccde,		       /*   handle */
	    3904,		       /*   length */
	    0,		0x9000,	       /*   offset */
	    0,			       /* Read list: end */
	    0,			       /* Write list: empty */
	    1,			       /* Reply chunk: present */
	    1,			       /*   segment count */
	    0x11111111,		       /*   handle */
	    512,		       /*   length */
	    0,		0x4000,	       /*   offset */
	};
	size_t hw = 24, len;
	uint8_t b[512];
	enum xr_hdr_reason r;
	struct xr_hdr h;
	struct xr_chunk *c;

	w[hw] = XID; /* RPC message: xid then 27 words of body */
	len = to_wire(w, hw + 28, b);
	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), 0);
	CHECK_EQ(h.h_hdr_len, 96);
	CHECK_EQ(h.h_msg_len, 112);
	CHECK_EQ(h.h_nread, 1);
	CHECK(!h.h_has_call_chunk);
	c = xr_hdr_read_chunk(&h, 0);
	CHECK_EQ(c->ch_position, 100);
	CHECK_EQ(c->ch_inline_offset, 100);
	CHECK_EQ(c->ch_nsegs, 2);
	CHECK_EQ(c->ch_length, 8000);
	CHECK_EQ(xr_chunk_seg(&h, c, 0)->seg_handle, 0xaabbccdd);
	CHECK_EQ(xr_chunk_seg(&h, c, 0)->seg_offset, 0x100002000ull);
	CHECK_EQ(xr_chunk_seg(&h, c, 1)->seg_length, 3904);
	CHECK(xr_hdr_reply_chunk(&h) != NULL);
	CHECK_EQ(xr_hdr_reply_chunk(&h)->ch_length, 512);
	check_reencode(b, &h);
}

/*
 * Vector 3: an NFSv4 READ call: one Write chunk of two segments for the
 * READ data, a second Write chunk, and a Reply chunk.
 */
static void test_vector_msg_write_list(void)
{
	uint32_t w[64] = {
	    XID,   1,	  128,	      0, /* xid, vers, credits, RDMA_MSG */
	    0,				 /* Read list: empty */
	    1,				 /* Write list: chunk follows */
	    2,				 /*   segment count */
	    0x100, 65536, 0,	      0x10000, /* seg: handle, length, offset */
	    0x101, 65536, 0,	      0x20000, /* seg */
	    1,				       /* Write list: chunk follows */
	    1,				       /*   segment count */
	    0x200, 1024,  0xffffffff, 0xfffffc00, /* offset ends at 2^64 */
	    0,					  /* Write list: end */
	    1,	   1, /* Reply chunk: present, 1 segment */
	    0x300, 2048,  0,	      0,
	};
	size_t hw = 28, len;
	uint8_t b[512];
	enum xr_hdr_reason r;
	struct xr_hdr h;

	w[hw] = XID;
	len = to_wire(w, hw + 10, b);
	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), 0);
	CHECK_EQ(h.h_nwrite, 2);
	CHECK_EQ(xr_hdr_write_chunk(&h, 0)->ch_nsegs, 2);
	CHECK_EQ(xr_hdr_write_chunk(&h, 0)->ch_length, 131072);
	CHECK_EQ(xr_hdr_write_chunk(&h, 1)->ch_nsegs, 1);
	CHECK_EQ(xr_chunk_seg(&h, xr_hdr_write_chunk(&h, 1), 0)->seg_offset,
		 0xfffffffffffffc00ull);
	CHECK_EQ(xr_hdr_reply_chunk(&h)->ch_length, 2048);
	CHECK_EQ(h.h_nsegs, 4);
	check_reencode(b, &h);
}

/*
 * Vector 4: a long call: RDMA_NOMSG with a Position-Zero Read chunk (the
 * whole RPC Call, 3000 bytes) and a data Read chunk at position 200 of the
 * reconstructed Call, plus a Reply chunk.
 */
static void test_vector_nomsg_long_call(void)
{
	static const uint32_t w[] = {
	    XID, 1,   8,    1,		/* xid, vers, credits, RDMA_NOMSG */
	    1,	 0,   0x50, 2000, 0, 0, /* Read: pos 0, seg 2000 bytes */
	    1,	 0,   0x51, 1000, 0, 0, /* Read: pos 0, seg 1000 bytes */
	    1,	 200, 0x52, 9,	  0, 0, /* Read: pos 200: a 9-byte item */
	    0,				/* Read list: end */
	    0,				/* Write list: empty */
	    1,	 1,   0x53, 4096, 0, 0, /* Reply chunk: 1 segment */
	};
	uint8_t b[256];
	size_t len = to_wire(w, sizeof(w) / 4, b);
	enum xr_hdr_reason r;
	struct xr_hdr h;

	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), 0);
	CHECK(h.h_has_call_chunk);
	CHECK_EQ(h.h_nread, 2);
	CHECK_EQ(xr_hdr_read_chunk(&h, 0)->ch_length, 3000);
	CHECK_EQ(xr_hdr_read_chunk(&h, 1)->ch_position, 200);
	CHECK_EQ(xr_hdr_read_chunk(&h, 1)->ch_inline_offset, 200);
	CHECK_EQ(h.h_msg_len, 0);
	CHECK_EQ(h.h_hdr_len, len);
	check_reencode(b, &h);
}

/*
 * Vector 5: two data Read chunks in one RDMA_MSG.  Chunk A holds 5 bytes
 * at position 16 (XDR roundup 3 bytes not sent), so it occupies stream
 * bytes 16..23; chunk B at position 32 is spliced at inline offset
 * 32 - 8 = 24.
 */
static void test_vector_two_read_chunks(void)
{
	uint32_t w[64] = {
	    XID, 1,  1, 0,	 /* xid, vers, credits, RDMA_MSG */
	    1,	 16, 7, 5, 0, 0, /* Read: pos 16, 5 bytes */
	    1,	 32, 8, 4, 0, 0, /* Read: pos 32, 4 bytes */
	    0,	 0,  0,		 /* end Read list, no Write, no Reply */
	};
	size_t hw = 19, len;
	uint8_t b[256];
	enum xr_hdr_reason r;
	struct xr_hdr h;

	w[hw] = XID;
	len = to_wire(w, hw + 8, b); /* 32-byte inline message */
	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), 0);
	CHECK_EQ(h.h_nread, 2);
	CHECK_EQ(xr_hdr_read_chunk(&h, 0)->ch_inline_offset, 16);
	CHECK_EQ(xr_hdr_read_chunk(&h, 1)->ch_inline_offset, 24);
	check_reencode(b, &h);

	/* Chunk B at 20 would start inside chunk A's padded extent. */
	w[11] = 20;
	to_wire(w, hw + 8, b);
	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), -EBADMSG);
	CHECK_EQ(r, XR_REASON_POS_ORDER);
	/* At 24 it starts right after A's roundup: fine, offset 16. */
	w[11] = 24;
	to_wire(w, hw + 8, b);
	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), 0);
	CHECK_EQ(xr_hdr_read_chunk(&h, 1)->ch_inline_offset, 16);
	/* At 40 the splice point (32) is the end of the inline data: ok. */
	w[11] = 40;
	to_wire(w, hw + 8, b);
	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), 0);
	/* At 44 it would be past the end. */
	w[11] = 44;
	to_wire(w, hw + 8, b);
	CHECK_EQ_INT(decode(b, len, &call_lim, &h, &r), -EBADMSG);
	CHECK_EQ(r, XR_REASON_POS_PAST_MSG);
}

/* Vector 6: replies seen by a requester: long reply, ERR_VERS, ERR_CHUNK. */
static void test_vector_replies(void)
{
	static const uint32_t nomsg[] = {
	    XID, 1, 64,	  1,		 /* xid, vers, credits, RDMA_NOMSG */
	    0,	 0,			 /* no Read list, no Write list */
	    1,	 1, 0x77, 1800, 0, 0x80, /* Reply chunk: 1800 bytes used */
	};
	static const uint32_t errvers[] = {
	    XID, 1, 0, 4, /* xid, vers, credits, RDMA_ERROR */
	    1,		  /* rdma_err = ERR_VERS */
	    1,	 1,	  /* rdma_vers_low, rdma_vers_high */
	};
	static const uint32_t errchunk[] = {
	    XID, 1, 0, 4, /* xid, vers, credits, RDMA_ERROR */
	    2,		  /* rdma_err = ERR_CHUNK */
	};
	struct xr_hdr_limits rl = reply_lim();
	uint8_t b[256], out[64];
	enum xr_hdr_reason r;
	struct xr_hdr h;
	size_t len;

	len = to_wire(nomsg, sizeof(nomsg) / 4, b);
	CHECK_EQ_INT(decode(b, len, &rl, &h, &r), 0);
	CHECK_EQ(xr_hdr_reply_chunk(&h)->ch_length, 1800);
	check_reencode(b, &h);

	len = to_wire(errvers, sizeof(errvers) / 4, b);
	CHECK_EQ_INT(decode(b, len, &rl, &h, &r), 0);
	CHECK_EQ(h.h_proc, XR_RDMA_ERROR);
	CHECK_EQ(h.h_err, XR_ERR_VERS);
	CHECK_EQ(h.h_vers_low, 1);
	CHECK_EQ(h.h_vers_high, 1);
	CHECK_EQ_INT(xr_hdr_encode_err_vers(XID, 0, 1, 1, out, sizeof(out)),
		     28);
	CHECK(memcmp(out, b, 28) == 0);

	len = to_wire(errchunk, sizeof(errchunk) / 4, b);
	CHECK_EQ_INT(decode(b, len, &rl, &h, &r), 0);
	CHECK_EQ(h.h_err, XR_ERR_CHUNK);
	CHECK_EQ_INT(xr_hdr_encode_err_chunk(XID, 0, out, sizeof(out)), 20);
	CHECK(memcmp(out, b, 20) == 0);
	CHECK_EQ_INT(xr_hdr_encode_err_chunk(XID, 0, out, 19), -EMSGSIZE);
	CHECK_EQ_INT(xr_hdr_encode_err_vers(XID, 0, 1, 1, out, 27), -EMSGSIZE);
	CHECK_EQ_INT(xr_hdr_encode_err_vers(XID, 0, 2, 1, out, 64), -EINVAL);
	CHECK_EQ_INT(xr_hdr_encode_err_chunk(XID, 0, NULL, 64), -EINVAL);
}

/* Build a header from scratch, encode, decode, compare. */
static void test_round_trip(void)
{
	struct xr_chunk ch[8];
	struct xr_segment sg[16];
	struct xr_hdr in, out;
	uint8_t b[1024];
	enum xr_hdr_reason r;
	ssize_t n;
	uint32_t i;

	xr_hdr_init(&in, ch, 8, sg, 16);
	in.h_xid = 0xdeadbeef;
	in.h_vers = 1;
	in.h_credits = 1024;
	in.h_proc = XR_RDMA_MSG;
	for (i = 0; i < 9; i++) {
		sg[i].seg_handle = 0x1000 + i;
		sg[i].seg_length = 100 * (i + 1);
		sg[i].seg_offset = 0x7f0000000000ull + 0x1000 * i;
	}
	/* Read chunk at 64 (2 segs), at 1024 (1 seg). */
	ch[0] =
	    (struct xr_chunk){.ch_position = 64, .ch_first = 0, .ch_nsegs = 2};
	ch[1] = (struct xr_chunk){
	    .ch_position = 1024, .ch_first = 2, .ch_nsegs = 1};
	in.h_nread = 2;
	/* Write chunks: 3 segs, 2 segs. */
	ch[2] = (struct xr_chunk){.ch_first = 3, .ch_nsegs = 3};
	ch[3] = (struct xr_chunk){.ch_first = 6, .ch_nsegs = 2};
	in.h_nwrite = 2;
	ch[4] = (struct xr_chunk){.ch_first = 8, .ch_nsegs = 1};
	in.h_has_reply = true;
	in.h_nsegs = 9;

	n = xr_hdr_encode(&in, b, sizeof(b));
	CHECK_EQ_INT(n, xr_hdr_encoded_size(&in));
	/* 16 fixed + 3*24+4 read + (8+48)+(8+32)+4 write + 8+16 reply */
	CHECK_EQ_INT(n, 16 + 76 + 100 + 24);
	/* The RPC message: xid + enough body for position 1024. */
	memset(b + n, 0, 1024 - 300 + 4);
	b[n] = 0xde, b[n + 1] = 0xad, b[n + 2] = 0xbe, b[n + 3] = 0xef;
	{
		struct xr_hdr_limits l = call_lim;
		size_t total = (size_t)n + 1024 - 300 + 4;

		l.hl_inline_size = 4096;
		xr_hdr_init(&out, g_chunks, 64, g_segs, 64);
		CHECK_EQ_INT(xr_hdr_decode(b, total, &l, &out, &r), 0);
		CHECK_EQ(r, XR_REASON_OK);
	}
	CHECK_EQ(out.h_xid, in.h_xid);
	CHECK_EQ(out.h_credits, in.h_credits);
	CHECK_EQ(out.h_nread, 2);
	CHECK_EQ(out.h_nwrite, 2);
	CHECK(out.h_has_reply);
	CHECK_EQ(out.h_nsegs, 9);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(out.h_chunks[i].ch_position, ch[i].ch_position);
		CHECK_EQ(out.h_chunks[i].ch_nsegs, ch[i].ch_nsegs);
		CHECK_EQ(out.h_chunks[i].ch_first, ch[i].ch_first);
	}
	for (i = 0; i < 9; i++) {
		CHECK_EQ(out.h_segs[i].seg_handle, sg[i].seg_handle);
		CHECK_EQ(out.h_segs[i].seg_length, sg[i].seg_length);
		CHECK_EQ(out.h_segs[i].seg_offset, sg[i].seg_offset);
	}
	/* ch_length of read chunk 0: 100 + 200; inline offset of chunk 1. */
	CHECK_EQ(out.h_chunks[0].ch_length, 300);
	CHECK_EQ(out.h_chunks[1].ch_inline_offset, 1024 - 300);

	/* Every buffer size below the need gives -EMSGSIZE. */
	for (i = 0; i < (uint32_t)n; i++)
		CHECK_EQ_INT(xr_hdr_encode(&in, b, i), -EMSGSIZE);

	/* Unencodable structures. */
	ch[1].ch_position = 1022;
	CHECK_EQ_INT(xr_hdr_encode(&in, b, sizeof(b)), -EINVAL);
	ch[1].ch_position = 1024;
	ch[3].ch_nsegs = 0;
	CHECK_EQ_INT(xr_hdr_encode(&in, b, sizeof(b)), -EINVAL);
	ch[3].ch_nsegs = 2;
	ch[4].ch_first = 9;
	CHECK_EQ_INT(xr_hdr_encode(&in, b, sizeof(b)), -EINVAL);
	ch[4].ch_first = 8;
	in.h_proc = XR_RDMA_ERROR;
	CHECK_EQ_INT(xr_hdr_encode(&in, b, sizeof(b)), -EINVAL);
	in.h_proc = XR_RDMA_DONE;
	CHECK_EQ_INT(xr_hdr_encode(&in, b, sizeof(b)), -EINVAL);
	in.h_proc = XR_RDMA_NOMSG;
	in.h_chunk_cap = 4;
	CHECK_EQ_INT(xr_hdr_encode(&in, b, sizeof(b)), -EINVAL);
	CHECK_EQ_INT(xr_hdr_encode(NULL, b, sizeof(b)), -EINVAL);
}

/* ---- the table of malformed headers ---- */

struct bad_row {
	const char *name;
	const uint32_t *w;
	size_t nw;
	size_t nbytes; /* 0: all words; else exact byte length */
	enum xr_hdr_dir dir;
	int err;
	enum xr_hdr_reason reason;
	enum xr_hdr_action action;
};

#define W(...)                                                                 \
	(const uint32_t[]){__VA_ARGS__},                                       \
	    sizeof((const uint32_t[]){__VA_ARGS__}) / 4
/* Fixed words: a valid version-1 RDMA_MSG / RDMA_NOMSG / RDMA_ERROR. */
#define MSG XID, 1, 8, 0
#define NOMSG XID, 1, 8, 1
#define ERR XID, 1, 8, 4
#define SEG(h, l) h, l, 0, 0x1000
#define RPC XID, 0, 2, NFS_PROG /* start of an inline RPC Call */
#define C XR_DIR_CALL
#define R XR_DIR_REPLY

static void test_malformed_table(void)
{
	const struct bad_row rows[] = {
	    {"empty", W(0), 0, C, -EBADMSG, XR_REASON_NO_XID, XR_ACT_DROP},
	    {"3 bytes", W(XID), 3, C, -EBADMSG, XR_REASON_NO_XID, XR_ACT_DROP},
	    {"xid only", W(XID), 4, C, -EBADMSG, XR_REASON_NO_XID, XR_ACT_DROP},
	    {"xid + 3 bytes", W(XID, 1), 7, C, -EBADMSG, XR_REASON_NO_XID,
	     XR_ACT_DROP},
	    {"version 2", W(XID, 2, 8, 0, 0, 0, 0, RPC), 0, C, -EPROTONOSUPPORT,
	     XR_REASON_BAD_VERSION, XR_ACT_ERR_VERS},
	    {"version 0, 8 bytes", W(XID, 0), 0, C, -EPROTONOSUPPORT,
	     XR_REASON_BAD_VERSION, XR_ACT_ERR_VERS},
	    {"version 2 at requester", W(XID, 2, 8, 0), 0, R, -EPROTONOSUPPORT,
	     XR_REASON_BAD_VERSION, XR_ACT_DROP},
	    {"truncated after vers", W(XID, 1), 0, C, -EBADMSG,
	     XR_REASON_SHORT_FIXED, XR_ACT_ERR_CHUNK},
	    {"truncated after credit", W(XID, 1, 8), 0, C, -EBADMSG,
	     XR_REASON_SHORT_FIXED, XR_ACT_ERR_CHUNK},
	    {"truncated in proc", W(XID, 1, 8, 0), 14, C, -EBADMSG,
	     XR_REASON_SHORT_FIXED, XR_ACT_ERR_CHUNK},
	    {"proc 5", W(XID, 1, 8, 5, 0, 0, 0), 0, C, -EBADMSG,
	     XR_REASON_BAD_PROC, XR_ACT_ERR_CHUNK},
	    {"proc 0xffffffff", W(XID, 1, 8, 0xffffffff), 0, C, -EBADMSG,
	     XR_REASON_BAD_PROC, XR_ACT_ERR_CHUNK},
	    {"reserved RDMA_MSGP", W(XID, 1, 8, 2, 4, 1024, 0, 0, 0, RPC), 0, C,
	     -EBADMSG, XR_REASON_RESERVED_PROC, XR_ACT_ERR_CHUNK},
	    {"reserved RDMA_DONE", W(XID, 1, 8, 3), 0, C, -EBADMSG,
	     XR_REASON_RESERVED_PROC, XR_ACT_ERR_CHUNK},
	    {"RDMA_ERROR at responder", W(ERR, 2), 0, C, -EPROTO,
	     XR_REASON_ERROR_AT_SERVER, XR_ACT_DROP},
	    {"no Read list word", W(MSG), 0, C, -EBADMSG, XR_REASON_TRUNCATED,
	     XR_ACT_ERR_CHUNK},
	    {"no Write list word", W(MSG, 0), 0, C, -EBADMSG,
	     XR_REASON_TRUNCATED, XR_ACT_ERR_CHUNK},
	    {"no Reply chunk word", W(MSG, 0, 0), 0, C, -EBADMSG,
	     XR_REASON_TRUNCATED, XR_ACT_ERR_CHUNK},
	    {"Read entry truncated", W(MSG, 1, 8, SEG(1, 8)), 30, C, -EBADMSG,
	     XR_REASON_TRUNCATED, XR_ACT_ERR_CHUNK},
	    {"Read entry cut in offset", W(MSG, 1, 8, 1, 8, 0), 0, C, -EBADMSG,
	     XR_REASON_TRUNCATED, XR_ACT_ERR_CHUNK},
	    {"Read list discriminator 2", W(MSG, 2, 0, 0, RPC), 0, C, -EBADMSG,
	     XR_REASON_BAD_DISCRIM, XR_ACT_ERR_CHUNK},
	    {"Write list discriminator 0x80000000",
	     W(MSG, 0, 0x80000000, 0, RPC), 0, C, -EBADMSG,
	     XR_REASON_BAD_DISCRIM, XR_ACT_ERR_CHUNK},
	    {"Reply discriminator 7", W(MSG, 0, 0, 7, RPC), 0, C, -EBADMSG,
	     XR_REASON_BAD_DISCRIM, XR_ACT_ERR_CHUNK},
	    {"Read list end discriminator 3",
	     W(MSG, 1, 8, SEG(1, 8), 3, 0, 0, RPC), 0, C, -EBADMSG,
	     XR_REASON_BAD_DISCRIM, XR_ACT_ERR_CHUNK},
	    {"Write chunk with 0 segments", W(MSG, 0, 1, 0, 0, 0, RPC), 0, C,
	     -EBADMSG, XR_REASON_ZERO_SEGS, XR_ACT_ERR_CHUNK},
	    {"Reply chunk with 0 segments", W(MSG, 0, 0, 1, 0, RPC), 0, C,
	     -EBADMSG, XR_REASON_ZERO_SEGS, XR_ACT_ERR_CHUNK},
	    {"segment count 0xffffffff", W(MSG, 0, 1, 0xffffffff, SEG(1, 8)), 0,
	     C, -E2BIG, XR_REASON_TOO_MANY_SEGS, XR_ACT_ERR_CHUNK},
	    {"segment count 0x10000001 (x16 wraps u32)",
	     W(MSG, 0, 1, 0x10000001, SEG(1, 8)), 0, C, -E2BIG,
	     XR_REASON_TOO_MANY_SEGS, XR_ACT_ERR_CHUNK},
	    {"segment count past buffer", W(MSG, 0, 1, 3, SEG(1, 8), 0, 0), 0,
	     C, -EBADMSG, XR_REASON_TRUNCATED, XR_ACT_ERR_CHUNK},
	    {"Write chunk cut mid-segment", W(MSG, 0, 1, 1, SEG(1, 8)), 40, C,
	     -EBADMSG, XR_REASON_TRUNCATED, XR_ACT_ERR_CHUNK},
	    {"5 Write chunks (limit 4)",
	     W(MSG, 0, 1, 1, SEG(1, 8), 1, 1, SEG(2, 8), 1, 1, SEG(3, 8), 1, 1,
	       SEG(4, 8), 1, 1, SEG(5, 8), 0, 0, RPC),
	     0, C, -E2BIG, XR_REASON_TOO_MANY_WRITE_CHUNKS, XR_ACT_ERR_CHUNK},
	    {"9 Read segments (limit 8)",
	     W(MSG, 1, 8, SEG(1, 1), 1, 12, SEG(1, 1), 1, 16, SEG(1, 1), 1, 20,
	       SEG(1, 1), 1, 24, SEG(1, 1), 1, 28, SEG(1, 1), 1, 32, SEG(1, 1),
	       1, 36, SEG(1, 1), 1, 40, SEG(1, 1), 0, 0, 0, RPC),
	     0, C, -E2BIG, XR_REASON_TOO_MANY_READ_SEGS, XR_ACT_ERR_CHUNK},
	    {"5 segments in one Read chunk (limit 4)",
	     W(MSG, 1, 8, SEG(1, 1), 1, 8, SEG(1, 1), 1, 8, SEG(1, 1), 1, 8,
	       SEG(1, 1), 1, 8, SEG(1, 1), 0, 0, 0, RPC),
	     0, C, -E2BIG, XR_REASON_TOO_MANY_SEGS, XR_ACT_ERR_CHUNK},
	    {"unaligned position 6", W(MSG, 1, 6, SEG(1, 8), 0, 0, 0, RPC), 0,
	     C, -EBADMSG, XR_REASON_UNALIGNED_POS, XR_ACT_ERR_CHUNK},
	    {"position past message", W(MSG, 1, 20, SEG(1, 8), 0, 0, 0, RPC), 0,
	     C, -EBADMSG, XR_REASON_POS_PAST_MSG, XR_ACT_ERR_CHUNK},
	    {"position 0 in RDMA_MSG", W(MSG, 1, 0, SEG(1, 8), 0, 0, 0, RPC), 0,
	     C, -EBADMSG, XR_REASON_POS_ZERO_IN_MSG, XR_ACT_ERR_CHUNK},
	    {"positions decreasing",
	     W(MSG, 1, 12, SEG(1, 4), 1, 8, SEG(2, 4), 0, 0, 0, RPC, 0, 0), 0,
	     C, -EBADMSG, XR_REASON_POS_ORDER, XR_ACT_ERR_CHUNK},
	    {"chunk segments not adjacent",
	     W(MSG, 1, 8, SEG(1, 4), 1, 16, SEG(2, 4), 1, 8, SEG(3, 4), 0, 0, 0,
	       RPC, 0, 0),
	     0, C, -EBADMSG, XR_REASON_POS_ORDER, XR_ACT_ERR_CHUNK},
	    {"overlapping Read chunks",
	     W(MSG, 1, 8, SEG(1, 16), 1, 16, SEG(2, 4), 0, 0, 0, RPC, 0, 0), 0,
	     C, -EBADMSG, XR_REASON_POS_ORDER, XR_ACT_ERR_CHUNK},
	    {"segment wraps 2^64",
	     W(MSG, 0, 1, 1, 1, 0x20, 0xffffffff, 0xfffffff0, 0, 0, RPC), 0, C,
	     -EBADMSG, XR_REASON_SEG_WRAP, XR_ACT_ERR_CHUNK},
	    {"Write list total > max",
	     W(MSG, 0, 1, 2, SEG(1, 0x80000), SEG(2, 0x80001), 0, 0, RPC), 0, C,
	     -E2BIG, XR_REASON_CHUNK_TOO_BIG, XR_ACT_ERR_CHUNK},
	    {"Read lengths 0xffffffff",
	     W(MSG, 1, 8, SEG(1, 0xffffffff), 1, 8, SEG(2, 0xffffffff), 0, 0, 0,
	       RPC),
	     0, C, -E2BIG, XR_REASON_CHUNK_TOO_BIG, XR_ACT_ERR_CHUNK},
	    {"Reply chunk > max", W(MSG, 0, 0, 1, 1, SEG(1, 0x100001), RPC), 0,
	     C, -E2BIG, XR_REASON_CHUNK_TOO_BIG, XR_ACT_ERR_CHUNK},
	    {"RDMA_MSG without RPC message", W(MSG, 0, 0, 0), 0, C, -EBADMSG,
	     XR_REASON_MSG_SHORT, XR_ACT_ERR_CHUNK},
	    {"RPC message not XDR-aligned", W(MSG, 0, 0, 0, RPC), 34, C,
	     -EBADMSG, XR_REASON_MSG_UNALIGNED, XR_ACT_ERR_CHUNK},
	    {"RPC xid differs", W(MSG, 0, 0, 0, XID + 1, 0, 2, NFS_PROG), 0, C,
	     -EBADMSG, XR_REASON_XID_MISMATCH, XR_ACT_ERR_CHUNK},
	    {"RDMA_NOMSG without chunks", W(NOMSG, 0, 0, 0), 0, C, -EBADMSG,
	     XR_REASON_NOMSG_NO_CHUNK, XR_ACT_ERR_CHUNK},
	    {"RDMA_NOMSG call with only a Reply chunk",
	     W(NOMSG, 0, 0, 1, 1, SEG(1, 64)), 0, C, -EBADMSG,
	     XR_REASON_NOMSG_NO_CHUNK, XR_ACT_ERR_CHUNK},
	    {"RDMA_NOMSG trailing garbage",
	     W(NOMSG, 1, 0, SEG(1, 64), 0, 0, 0, 0xdeadbeef), 0, C, -EBADMSG,
	     XR_REASON_TRAILING, XR_ACT_ERR_CHUNK},
	    {"RDMA_NOMSG empty call chunk", W(NOMSG, 1, 0, SEG(1, 0), 0, 0, 0),
	     0, C, -EBADMSG, XR_REASON_EMPTY_CALL_CHUNK, XR_ACT_ERR_CHUNK},
	    {"data chunk past call chunk",
	     W(NOMSG, 1, 0, SEG(1, 64), 1, 68, SEG(2, 8), 0, 0, 0), 0, C,
	     -EBADMSG, XR_REASON_POS_PAST_MSG, XR_ACT_ERR_CHUNK},
	    {"Read list in a reply",
	     W(MSG, 1, 8, SEG(1, 4), 0, 0, 0, XID, 1, 0, 0), 0, R, -EPROTO,
	     XR_REASON_READ_IN_REPLY, XR_ACT_DROP},
	    {"reply RDMA_NOMSG without Reply chunk", W(NOMSG, 0, 0, 0), 0, R,
	     -EBADMSG, XR_REASON_NOMSG_NO_CHUNK, XR_ACT_DROP},
	    {"RDMA_ERROR code 3", W(ERR, 3), 0, R, -EBADMSG,
	     XR_REASON_BAD_ERRCODE, XR_ACT_DROP},
	    {"ERR_VERS low > high", W(ERR, 1, 2, 1), 0, R, -EBADMSG,
	     XR_REASON_BAD_ERRVERS, XR_ACT_DROP},
	    {"ERR_VERS truncated", W(ERR, 1, 1), 0, R, -EBADMSG,
	     XR_REASON_TRUNCATED, XR_ACT_DROP},
	    {"RDMA_ERROR without code", W(ERR), 0, R, -EBADMSG,
	     XR_REASON_TRUNCATED, XR_ACT_DROP},
	    {"reply with reserved proc", W(XID, 1, 8, 3), 0, R, -EBADMSG,
	     XR_REASON_RESERVED_PROC, XR_ACT_DROP},
	};
	size_t i, nrows = sizeof(rows) / sizeof(rows[0]);
	uint8_t b[1024];

	for (i = 0; i < nrows; i++) {
		const struct bad_row *row = &rows[i];
		struct xr_hdr_limits l = call_lim;
		enum xr_hdr_reason r = XR_REASON_COUNT;
		struct xr_hdr h;
		size_t len = to_wire(row->w, row->nw, b);
		int rc;

		if (row->nbytes || !strcmp(row->name, "empty"))
			len = row->nbytes;
		l.hl_dir = row->dir;
		rc = decode(b, len, &l, &h, &r);
		CHECK_EQ_INT(rc, row->err);
		CHECK_EQ(r, row->reason);
		CHECK_EQ(xr_hdr_action(r, row->dir), row->action);
		if (rc != row->err || r != row->reason)
			fprintf(stderr, "  row %zu \"%s\": got %d %s\n", i,
				row->name, rc, xr_hdr_reason_str(r));
		/* The xid is known for any error reply that needs it. */
		if (len >= 4)
			CHECK_EQ(h.h_xid, row->w[0]);
	}
	printf("malformed table: %zu rows\n", nrows);
	CHECK(nrows >= 25);
}

/* A message longer than the receive buffer, and argument errors. */
static void test_limits_and_args(void)
{
	static uint8_t b[1100];
	static const uint32_t w[] = {MSG, 0, 0, 0, RPC};
	struct xr_hdr_limits l = call_lim;
	enum xr_hdr_reason r;
	struct xr_hdr h;

	to_wire(w, sizeof(w) / 4, b);
	CHECK_EQ_INT(decode(b, 1028, &call_lim, &h, &r), -EBADMSG);
	CHECK_EQ(r, XR_REASON_TOO_LONG);
	CHECK_EQ(xr_hdr_action(r, XR_DIR_CALL), XR_ACT_DROP);
	CHECK_EQ_INT(decode(b, 1024, &call_lim, &h, &r), 0);

	CHECK_EQ_INT(xr_hdr_decode(NULL, 4, &l, &h, &r), -EINVAL);
	CHECK_EQ_INT(xr_hdr_decode(b, 44, NULL, &h, &r), -EINVAL);
	CHECK_EQ_INT(xr_hdr_decode(b, 44, &l, NULL, &r), -EINVAL);
	CHECK_EQ_INT(xr_hdr_decode(b, 44, &l, &h, NULL), -EINVAL);

	/* Storage smaller than the limits: refused, never overrun. */
	{
		static const uint32_t w2[] = {MSG,	 0, 1, 2,  SEG(1, 8),
					      SEG(2, 8), 0, 0, RPC};
		struct xr_chunk ch[1];
		struct xr_segment sg[1];
		size_t len = to_wire(w2, sizeof(w2) / 4, b);

		xr_hdr_init(&h, ch, 1, sg, 1);
		CHECK_EQ_INT(xr_hdr_decode(b, len, &l, &h, &r), -E2BIG);
		CHECK_EQ(r, XR_REASON_TOO_MANY_SEGS);
		xr_hdr_init(&h, NULL, 0, NULL, 0);
		CHECK_EQ_INT(xr_hdr_decode(b, len, &l, &h, &r), -E2BIG);
		xr_hdr_init(&h, g_chunks, 64, g_segs, 64);
		CHECK_EQ_INT(xr_hdr_decode(b, len, &l, &h, &r), 0);
	}
	CHECK_EQ(xr_hdr_chunks_needed(&call_lim), 8 + 4 + 1);
	CHECK_EQ(xr_hdr_segs_needed(&call_lim), 8 + 5 * 4);
	l.hl_max_read_segs = UINT32_MAX;
	l.hl_max_chunk_segs = UINT32_MAX;
	CHECK_EQ(xr_hdr_segs_needed(&l), UINT32_MAX);
	CHECK(strcmp(xr_hdr_reason_str(XR_REASON_POS_ORDER),
		     "position-order") == 0);
	CHECK(strcmp(xr_hdr_reason_str((enum xr_hdr_reason)999), "?") == 0);
	/* Every reason has a name, for logs and counters. */
	for (r = XR_REASON_OK; r < XR_REASON_COUNT; r++)
		CHECK(strcmp(xr_hdr_reason_str(r), "?") != 0);
}

static void test_xdr_pad(void)
{
	CHECK_EQ(xr_xdr_pad(0), 0);
	CHECK_EQ(xr_xdr_pad(1), 3);
	CHECK_EQ(xr_xdr_pad(2), 2);
	CHECK_EQ(xr_xdr_pad(3), 1);
	CHECK_EQ(xr_xdr_pad(4), 0);
	CHECK_EQ(xr_xdr_pad(0xffffffffu), 1);
	CHECK_EQ(xr_xdr_roundup(0xffffffffu), 0x100000000ull);
	CHECK_EQ(xr_xdr_roundup(8001), 8004);
}

/*
 * Sweeps over the valid vectors: every truncation inside the header is
 * refused; every single-bit flip decodes without crashing and, when
 * accepted, re-encodes to the same bytes.
 */
static void sweep_one(const uint8_t *orig, size_t len,
		      const struct xr_hdr_limits *l)
{
	uint8_t b[512];
	enum xr_hdr_reason r;
	struct xr_hdr h;
	size_t cut, bit;
	uint32_t hdr_len;

	CHECK_EQ_INT(decode(orig, len, l, &h, &r), 0);
	hdr_len = h.h_hdr_len;
	for (cut = 0; cut < hdr_len; cut++) {
		uint8_t *t = malloc(cut ? cut : 1);

		memcpy(t, orig, cut);
		CHECK(decode(t, cut, l, &h, &r) < 0);
		free(t);
	}
	for (bit = 0; bit < len * 8; bit++) {
		memcpy(b, orig, len);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (decode(b, len, l, &h, &r) == 0)
			check_reencode(b, &h);
		else
			CHECK(r != XR_REASON_OK);
	}
}

static void test_sweeps(void)
{
	static const uint32_t v1[] = {
	    MSG,	1, 8, SEG(1, 9), 1,	     8,	  SEG(2, 3), 0, 1, 1,
	    SEG(3, 64), 0, 1, 1,	 SEG(4, 99), RPC, 0,	     0, 0, 0};
	static const uint32_t v2[] = {NOMSG, 1,		0,	  SEG(1, 64), 1,
				      4,     SEG(2, 8), 0,	  0,	      1,
				      2,     SEG(3, 8), SEG(4, 8)};
	static const uint32_t v3[] = {XID, 1,	      1, 1, 0, 1,
				      1,   SEG(3, 8), 0, 1, 1, SEG(5, 512)};
	struct xr_hdr_limits rl = reply_lim();
	uint8_t b[512];
	size_t len;

	len = to_wire(v1, sizeof(v1) / 4, b);
	sweep_one(b, len, &call_lim);
	len = to_wire(v2, sizeof(v2) / 4, b);
	sweep_one(b, len, &call_lim);
	len = to_wire(v3, sizeof(v3) / 4, b);
	sweep_one(b, len, &rl);
}

int main(void)
{
	test_vector_msg_inline();
	test_vector_msg_read_chunk();
	test_vector_msg_write_list();
	test_vector_nomsg_long_call();
	test_vector_two_read_chunks();
	test_vector_replies();
	test_round_trip();
	test_malformed_table();
	test_limits_and_args();
	test_xdr_pad();
	test_sweeps();
	return gr_check_done("test_xr_hdr");
}
