/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Seed corpus generator for the fuzz targets.
 *
 * How this works: writes small, deterministic inputs into
 * <outdir>/xr_hdr/, <outdir>/xr_cm/ and <outdir>/xr_roundtrip/: valid
 * RPC-over-RDMA headers of every kind and a spread of malformed ones
 * (built from XDR word lists), RFC 8797 private data blobs, and recipes
 * for the round-trip target (from a fixed-seed generator, so the output
 * never changes).  The targets beyond the codec get theirs from
 * gen_engines() below: xr_seqflags, xr_clnt_reply, sess_wire, xr_xdr,
 * xr_rpccall, xr_svc_engine.
 * Usage: gen_corpus OUTDIR.  The committed corpus in
 * tests/fuzz/corpus is this program's output; a fuzz-tier test checks
 * that they still match.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define XID 0x0badcafeu
#define MSG XID, 1, 32, 0
#define NOMSG XID, 1, 32, 1
#define ERR XID, 1, 32, 4
#define SEG(h, l) h, l, 0, 0x10000
#define RPC XID, 0, 2, 100003, 4, 1

static const char *outdir;
static int failed;

static void put(const char *target, const char *name, const uint8_t *b,
		size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len) {
		fprintf(stderr, "gen_corpus: cannot write %s\n", path);
		failed = 1;
	}
	if (f)
		fclose(f);
}

static void put_words(const char *target, const char *name, const uint32_t *w,
		      size_t nw, size_t nbytes)
{
	uint8_t b[1024];
	size_t i;

	for (i = 0; i < nw; i++) {
		b[4 * i] = (uint8_t)(w[i] >> 24);
		b[4 * i + 1] = (uint8_t)(w[i] >> 16);
		b[4 * i + 2] = (uint8_t)(w[i] >> 8);
		b[4 * i + 3] = (uint8_t)w[i];
	}
	put(target, name, b, nbytes ? nbytes : 4 * nw);
}

#define HDR(name, ...)                                                         \
	put_words("xr_hdr", name, (const uint32_t[]){__VA_ARGS__},             \
		  sizeof((const uint32_t[]){__VA_ARGS__}) / 4, 0)
#define HDR_CUT(name, nbytes, ...)                                             \
	put_words("xr_hdr", name, (const uint32_t[]){__VA_ARGS__},             \
		  sizeof((const uint32_t[]){__VA_ARGS__}) / 4, nbytes)

static void gen_hdr(void)
{
	/* valid */
	HDR("ok-msg-inline", MSG, 0, 0, 0, RPC, 0, 0, 0, 0);
	HDR("ok-msg-read-chunk", MSG, 1, 24, SEG(1, 8192), 1, 24, SEG(2, 100),
	    0, 0, 0, RPC, 0, 0);
	HDR("ok-msg-two-read-chunks", MSG, 1, 8, SEG(1, 5), 1, 16, SEG(2, 4), 0,
	    0, 0, RPC, 0, 0);
	HDR("ok-msg-write-list", MSG, 0, 1, 2, SEG(1, 65536), SEG(2, 65536), 1,
	    1, SEG(3, 4096), 0, 0, RPC);
	HDR("ok-msg-reply-chunk", MSG, 0, 0, 1, 2, SEG(1, 4096), SEG(2, 4096),
	    RPC);
	HDR("ok-msg-all-lists", MSG, 1, 20, SEG(1, 300), 0, 1, 1, SEG(2, 64), 0,
	    1, 1, SEG(3, 512), RPC, 0, 0);
	HDR("ok-nomsg-long-call", NOMSG, 1, 0, SEG(1, 2000), 1, 0, SEG(2, 1000),
	    0, 0, 1, 1, SEG(3, 4096));
	HDR("ok-nomsg-call-plus-data", NOMSG, 1, 0, SEG(1, 200), 1, 100,
	    SEG(2, 9), 0, 0, 0);
	HDR("ok-nomsg-long-reply", NOMSG, 0, 0, 1, 1, SEG(1, 1800));
	HDR("ok-err-vers", ERR, 1, 1, 1);
	HDR("ok-err-chunk", ERR, 2);
	/* malformed */
	HDR_CUT("bad-empty", 0, 0);
	HDR_CUT("bad-3-bytes", 3, XID);
	HDR("bad-xid-only", XID);
	HDR("bad-version-2", XID, 2, 32, 0, 0, 0, 0, RPC);
	HDR("bad-short-fixed", XID, 1, 32);
	HDR("bad-proc-5", XID, 1, 32, 5, 0, 0, 0);
	HDR("bad-msgp", XID, 1, 32, 2, 4, 1024, 0, 0, 0);
	HDR("bad-done", XID, 1, 32, 3);
	HDR("bad-no-read-list", MSG);
	HDR("bad-discrim-2", MSG, 2, 0, 0, RPC);
	HDR("bad-zero-segs", MSG, 0, 1, 0, 0, 0, RPC);
	HDR("bad-segcount-huge", MSG, 0, 1, 0xffffffff, SEG(1, 8));
	HDR("bad-segcount-past-end", MSG, 0, 1, 3, SEG(1, 8), 0, 0);
	HDR("bad-unaligned-pos", MSG, 1, 6, SEG(1, 8), 0, 0, 0, RPC);
	HDR("bad-pos-past-msg", MSG, 1, 400, SEG(1, 8), 0, 0, 0, RPC);
	HDR("bad-pos-zero-in-msg", MSG, 1, 0, SEG(1, 8), 0, 0, 0, RPC);
	HDR("bad-pos-order", MSG, 1, 16, SEG(1, 4), 1, 8, SEG(2, 4), 0, 0, 0,
	    RPC);
	HDR("bad-overlap", MSG, 1, 8, SEG(1, 16), 1, 12, SEG(2, 4), 0, 0, 0,
	    RPC);
	HDR("bad-seg-wrap", MSG, 0, 1, 1, 1, 0x20, 0xffffffff, 0xfffffff0, 0, 0,
	    RPC);
	HDR("bad-huge-lengths", MSG, 1, 8, SEG(1, 0xffffffff), 1, 8,
	    SEG(2, 0xffffffff), 0, 0, 0, RPC);
	HDR("bad-no-rpc-msg", MSG, 0, 0, 0);
	HDR_CUT("bad-rpc-unaligned", 34, MSG, 0, 0, 0, RPC);
	HDR("bad-xid-mismatch", MSG, 0, 0, 0, XID + 1, 0, 2, 100003);
	HDR("bad-nomsg-no-chunks", NOMSG, 0, 0, 0);
	HDR("bad-nomsg-trailing", NOMSG, 1, 0, SEG(1, 64), 0, 0, 0, 7);
	HDR("bad-nomsg-empty-call", NOMSG, 1, 0, SEG(1, 0), 0, 0, 0);
	HDR("bad-err-code-3", ERR, 3);
	HDR("bad-errvers-range", ERR, 1, 2, 1);
	HDR("lim-five-write-chunks", MSG, 0, 1, 1, SEG(1, 8), 1, 1, SEG(2, 8),
	    1, 1, SEG(3, 8), 1, 1, SEG(4, 8), 1, 1, SEG(5, 8), 0, 0, RPC);
}

static void gen_cm(void)
{
	static const uint8_t v[][8] = {
	    {0xf6, 0xab, 0x0e, 0x18, 1, 1, 7, 3},
	    {0xf6, 0xab, 0x0e, 0x18, 1, 0, 0, 0},
	    {0xf6, 0xab, 0x0e, 0x18, 1, 0xff, 0xff, 0xff},
	    {0xf6, 0xab, 0x0e, 0x18, 2, 1, 7, 3},
	    {0xf6, 0xab, 0x0e, 0x19, 1, 1, 7, 3},
	    {0x18, 0x0e, 0xab, 0xf6, 1, 1, 7, 3},
	};
	uint8_t padded[56] = {0xf6, 0xab, 0x0e, 0x18, 1, 1, 31, 31};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(name, sizeof(name), "cm-%02zu", i);
		put("xr_cm", name, v[i], 8);
	}
	put("xr_cm", "cm-empty", padded, 0);
	put("xr_cm", "cm-short", v[0], 7);
	put("xr_cm", "cm-ib-padded", padded, sizeof(padded));
}

/* Fixed-seed xorshift: the corpus must be the same on every run. */
static uint32_t rng_state = 0x2545f491u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void gen_roundtrip(void)
{
	uint8_t b[96];
	char name[64];
	size_t i, j;

	for (i = 0; i < 32; i++) {
		for (j = 0; j < sizeof(b); j++)
			b[j] = (uint8_t)rng();
		/* Keep lengths small in most seeds so many are valid. */
		for (j = 8; j < sizeof(b); j += 7)
			b[j] &= 0x7f;
		snprintf(name, sizeof(name), "rt-%02zu", i);
		put("xr_roundtrip", name, b, 16 + i * 2 + (i % 3) * 8);
	}
}

/* ---- seeds of the targets beyond the codec ------------------------------ */

/* A growing big-endian byte string. */
struct bytes {
	uint8_t b[8192];
	size_t n;
};

static void w8(struct bytes *o, uint8_t v)
{
	if (o->n < sizeof(o->b))
		o->b[o->n++] = v;
}

static void w32(struct bytes *o, uint32_t v)
{
	w8(o, (uint8_t)(v >> 24));
	w8(o, (uint8_t)(v >> 16));
	w8(o, (uint8_t)(v >> 8));
	w8(o, (uint8_t)v);
}

static void wfill(struct bytes *o, size_t n, uint8_t v)
{
	while (n--)
		w8(o, v);
}

/* An NFSv4.1 reply whose first result is SEQUENCE with these flags. */
static void seq_reply(struct bytes *o, uint32_t verf, uint32_t verf_len,
		      uint32_t tag_len, uint32_t op, uint32_t flags)
{
	w32(o, 0x1234); /* xid */
	w32(o, 1);	/* REPLY */
	w32(o, 0);	/* MSG_ACCEPTED */
	w32(o, verf);
	w32(o, verf_len);
	wfill(o, (verf_len + 3) & ~3u, 0x11);
	w32(o, 0); /* SUCCESS */
	w32(o, 0); /* NFS4_OK */
	w32(o, tag_len);
	wfill(o, (tag_len + 3) & ~3u, 'T');
	w32(o, 2); /* two results */
	w32(o, op);
	w32(o, 0);	 /* NFS4_OK */
	wfill(o, 16, 7); /* sessionid */
	w32(o, 1);	 /* sequenceid */
	w32(o, 0);	 /* slotid */
	w32(o, 63);	 /* highest */
	w32(o, 63);	 /* target highest */
	w32(o, flags);
	w32(o, 22); /* OP_PUTFH */
	w32(o, 0);
}

static void gen_seqflags(void)
{
	struct bytes o = {{0}, 0};

	seq_reply(&o, 0, 0, 0, 53, 0x201);
	put("xr_seqflags", "cb-down-both", o.b, o.n);
	put("xr_seqflags", "cut-before-flags", o.b, o.n - 12);
	o.n = 0;
	seq_reply(&o, 1, 8, 12, 53, 0x1);
	put("xr_seqflags", "authsys-verf-tag", o.b, o.n);
	o.n = 0;
	seq_reply(&o, 0, 0, 0, 53, 0x240);
	put("xr_seqflags", "other-flags-only", o.b, o.n);
	o.n = 0;
	seq_reply(&o, 6, 24, 0, 53, 0x201);
	put("xr_seqflags", "gss-verifier-untouched", o.b, o.n);
	o.n = 0;
	seq_reply(&o, 0, 0, 3, 10, 0x201);
	put("xr_seqflags", "first-op-not-sequence", o.b, o.n);
	o.n = 0;
	seq_reply(&o, 0, 400, 1024, 53, 0xffffffffu);
	put("xr_seqflags", "longest-verf-and-tag", o.b, o.n);
	o.n = 0;
	seq_reply(&o, 0, 401, 0, 53, 0x201);
	put("xr_seqflags", "verf-too-long", o.b, o.n);
}

#define FZ_XID 0x0badcafeu
#define FZ_WHANDLE 0x5eed0001u
#define FZ_WOFFSET 0x100000u
#define FZ_RHANDLE 0x5eed0002u
#define FZ_ROFFSET 0x200000u

/* [flags][Write seg len][Reply seg len][reply capacity, 3 bytes] */
static void clnt_prefix(struct bytes *o, uint8_t flags, uint32_t wlen,
			uint32_t rlen, uint32_t cap)
{
	o->n = 0;
	w8(o, flags);
	w32(o, wlen);
	w32(o, rlen);
	w8(o, (uint8_t)(cap >> 16));
	w8(o, (uint8_t)(cap >> 8));
	w8(o, (uint8_t)cap);
}

static void rpc_reply_body(struct bytes *o, uint32_t words)
{
	w32(o, FZ_XID);
	w32(o, 1);
	w32(o, 0);
	w32(o, 0);
	w32(o, 0);
	w32(o, 0);
	while (words--)
		w32(o, words);
}

static void gen_clnt_reply(void)
{
	struct bytes o;

	/* RDMA_MSG, no chunks, inline reply. */
	clnt_prefix(&o, 0x10, 0, 0, 4096);
	w32(&o, FZ_XID), w32(&o, 1), w32(&o, 16), w32(&o, 0);
	w32(&o, 0), w32(&o, 0), w32(&o, 0);
	rpc_reply_body(&o, 4);
	put("xr_clnt_reply", "msg-inline", o.b, o.n);
	/* ... bigger than the reply buffer. */
	o.b[11] = 8;
	put("xr_clnt_reply", "msg-over-cap", o.b, o.n);
	/* Write chunk echoed with 100 bytes placed. */
	clnt_prefix(&o, 0x11, 65536, 0, 4096);
	w32(&o, FZ_XID), w32(&o, 1), w32(&o, 16), w32(&o, 0);
	w32(&o, 0);
	w32(&o, 1), w32(&o, 1);
	w32(&o, FZ_WHANDLE), w32(&o, 100), w32(&o, 0), w32(&o, FZ_WOFFSET);
	w32(&o, 0);
	w32(&o, 0);
	rpc_reply_body(&o, 1);
	put("xr_clnt_reply", "msg-write-chunk", o.b, o.n);
	/* ... claiming more than was offered. */
	clnt_prefix(&o, 0x11, 64, 0, 4096);
	w32(&o, FZ_XID), w32(&o, 1), w32(&o, 16), w32(&o, 0);
	w32(&o, 0);
	w32(&o, 1), w32(&o, 1);
	w32(&o, FZ_WHANDLE), w32(&o, 100), w32(&o, 0), w32(&o, FZ_WOFFSET);
	w32(&o, 0);
	w32(&o, 0);
	rpc_reply_body(&o, 1);
	put("xr_clnt_reply", "msg-write-chunk-over", o.b, o.n);
	/* RDMA_NOMSG through the Reply chunk. */
	clnt_prefix(&o, 0x16, 0, 8192, 8192);
	w32(&o, 0), w32(&o, 1), w32(&o, 16), w32(&o, 1);
	w32(&o, 0), w32(&o, 0);
	w32(&o, 1), w32(&o, 1);
	w32(&o, FZ_RHANDLE), w32(&o, 5000), w32(&o, 0), w32(&o, FZ_ROFFSET);
	put("xr_clnt_reply", "nomsg-reply-chunk", o.b, o.n);
	/* RDMA_ERROR, both kinds; a reply for no call; the send pending. */
	clnt_prefix(&o, 0x1c, 0, 0, 64);
	w32(&o, 0), w32(&o, 1), w32(&o, 8), w32(&o, 4), w32(&o, 2);
	put("xr_clnt_reply", "err-chunk", o.b, o.n);
	clnt_prefix(&o, 0x04, 0, 0, 64);
	w32(&o, 0), w32(&o, 1), w32(&o, 8), w32(&o, 4), w32(&o, 1);
	w32(&o, 1), w32(&o, 1);
	put("xr_clnt_reply", "err-vers", o.b, o.n);
	clnt_prefix(&o, 0x30, 0, 0, 64);
	w32(&o, FZ_XID + 1), w32(&o, 1), w32(&o, 16), w32(&o, 0);
	w32(&o, 0), w32(&o, 0), w32(&o, 0);
	rpc_reply_body(&o, 0);
	put("xr_clnt_reply", "unmatched-xid", o.b, o.n);
	clnt_prefix(&o, 0x24, 0, 0, 64);
	w32(&o, 0), w32(&o, 2), w32(&o, 16), w32(&o, 0);
	put("xr_clnt_reply", "bad-version", o.b, o.n);
}

/* One RFC 5531 fragment. */
static void frag(struct bytes *o, bool last, const uint8_t *p, uint32_t n)
{
	w32(o, (last ? 0x80000000u : 0) | n);
	while (n--)
		w8(o, *p++);
}

static void gen_sess_wire(void)
{
	struct bytes o, r;

	/* An accepted reply with an AUTH_SYS verifier, then a call. */
	r.n = 0;
	w32(&r, 7), w32(&r, 1), w32(&r, 0), w32(&r, 1), w32(&r, 8);
	w32(&r, 1), w32(&r, 2), w32(&r, 0), w32(&r, 0xabcd);
	o.n = 0;
	w8(&o, 250);
	frag(&o, true, r.b, (uint32_t)r.n);
	r.n = 0;
	w32(&r, 9), w32(&r, 0), w32(&r, 2), w32(&r, 100003), w32(&r, 4);
	w32(&r, 1), w32(&r, 0), w32(&r, 0), w32(&r, 0), w32(&r, 0);
	frag(&o, true, r.b, (uint32_t)r.n);
	put("sess_wire", "reply-then-call", o.b, o.n);
	/* The same reply in three fragments, the last empty. */
	r.n = 0;
	w32(&r, 7), w32(&r, 1), w32(&r, 0), w32(&r, 0), w32(&r, 0);
	w32(&r, 0), w32(&r, 0x55);
	o.n = 0;
	w8(&o, 100);
	frag(&o, false, r.b, 10);
	frag(&o, false, r.b + 10, (uint32_t)r.n - 10);
	frag(&o, true, r.b, 0);
	put("sess_wire", "fragments", o.b, o.n);
	/* Denied (AUTH_ERROR), then garbage accept_stat. */
	r.n = 0;
	w32(&r, 8), w32(&r, 1), w32(&r, 1), w32(&r, 1), w32(&r, 2);
	o.n = 0;
	w8(&o, 250);
	frag(&o, true, r.b, (uint32_t)r.n);
	r.n = 0;
	w32(&r, 8), w32(&r, 1), w32(&r, 0), w32(&r, 0), w32(&r, 0), w32(&r, 9);
	frag(&o, true, r.b, (uint32_t)r.n);
	put("sess_wire", "denied-then-bad-stat", o.b, o.n);
	/* A mark above the limit; an empty record; a record cut short. */
	o.n = 0;
	w8(&o, 1);
	w32(&o, 0x80000000u | 65);
	wfill(&o, 65, 0);
	put("sess_wire", "over-max-record", o.b, o.n);
	o.n = 0;
	w8(&o, 10);
	w32(&o, 0x80000000u);
	put("sess_wire", "empty-record", o.b, o.n);
	o.n = 0;
	w8(&o, 250);
	w32(&o, 0x80000000u | 4000);
	wfill(&o, 100, 1);
	put("sess_wire", "cut-short", o.b, o.n);
}

/* [nranges-1 | chunk mask << 4] [cuts] [program words] [stream] */
static void gen_xdr(void)
{
	static const uint8_t prog[][4] = {
	    {0, 0, 0, 0},   /* u32 */
	    {1, 0, 0, 0},   /* u64 */
	    {5, 0, 0, 40},  /* string<40> */
	    {4, 0, 0, 64},  /* bytes<64> */
	    {0, 0, 0, 0},   /* u32 */
	    {6, 0, 0, 0},   /* getpos */
	    {7, 0, 0, 0},   /* setpos 0 */
	    {8, 0, 0, 8},   /* inline 8 */
	    {2, 0, 0, 0},   /* int */
	    {3, 0, 0, 12},  /* opaque[12] */
	    {7, 0, 0, 200}, /* setpos past the end */
	};
	static const uint8_t cuts[][6] = {
	    {0x00},
	    {0x12, 0, 3, 0, 17, 0},
	    {0xf3, 0, 0, 0, 0, 0},
	    {0x25, 0, 13, 0, 14, 0},
	};
	struct bytes o;
	char name[32];
	size_t i, c, nc;

	for (c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		o.n = 0;
		nc = (cuts[c][0] & 15) + 1;
		w8(&o, cuts[c][0]);
		for (i = 1; i < nc && i < 3; i++) {
			w8(&o, cuts[c][2 * i - 1]);
			w8(&o, cuts[c][2 * i]);
		}
		for (; i < nc; i++) {
			w8(&o, 0);
			w8(&o, (uint8_t)(7 * i));
		}
		w8(&o, sizeof(prog) / sizeof(prog[0]));
		for (i = 0; i < sizeof(prog) / sizeof(prog[0]); i++) {
			w8(&o, prog[i][0]);
			w8(&o, prog[i][1]);
			w8(&o, prog[i][2]);
			w8(&o, prog[i][3]);
		}
		w32(&o, 0xdeadbeef);
		w32(&o, 1), w32(&o, 2);
		w32(&o, 5), w8(&o, 'h'), w8(&o, 'e'), w8(&o, 'l'), w8(&o, 'l');
		w8(&o, 'o'), wfill(&o, 3, 0);
		w32(&o, 37), wfill(&o, 37, 0x42), wfill(&o, 3, 0);
		w32(&o, 99);
		w32(&o, 0xfffffffe);
		wfill(&o, 12, 0x77);
		snprintf(name, sizeof(name), "sample-cut-%zu", c);
		put("xr_xdr", name, o.b, o.n);
	}
	/* A 4 KiB opaque that crosses many ranges. */
	o.n = 0;
	w8(&o, 0x0f);
	for (i = 1; i < 16; i++)
		w8(&o, (uint8_t)(i >> 2)), w8(&o, (uint8_t)(i * 67));
	w8(&o, 2);
	w8(&o, 4), w8(&o, 0), w8(&o, 0x10), w8(&o, 0);
	w8(&o, 0), w8(&o, 0), w8(&o, 0), w8(&o, 0);
	w32(&o, 4096);
	wfill(&o, 4096, 0x3c);
	w32(&o, 1);
	put("xr_xdr", "opaque-4k-16-ranges", o.b, o.n);
}

/* [cut a (2 bytes)][cut b (2 bytes)] + an RPC call for xr_rpccall. */
static void rpc_call(struct bytes *o, uint16_t a, uint16_t b, uint32_t rpcvers,
		     uint32_t prog, uint32_t vers, uint32_t proc,
		     uint32_t flavor, uint32_t clen)
{
	o->n = 0;
	w8(o, (uint8_t)(a >> 8));
	w8(o, (uint8_t)a);
	w8(o, (uint8_t)(b >> 8));
	w8(o, (uint8_t)b);
	w32(o, 0x7263u);
	w32(o, 0);
	w32(o, rpcvers);
	w32(o, prog);
	w32(o, vers);
	w32(o, proc);
	w32(o, flavor);
	w32(o, clen);
	wfill(o, (clen + 3) & ~3u, 0);
	w32(o, 0);
	w32(o, 0);
}

/* A Ganesha v3 handle of export @id as an opaque<>. */
static void v3_fh(struct bytes *o, uint16_t id)
{
	w32(o, 8);
	w32(o, 0x43000000u | id);
	w32(o, 0);
}

static void gen_rpccall(void)
{
	struct bytes o = {{0}, 0};

	rpc_call(&o, 3, 17, 2, 100003, 4, 0, 0, 0);
	put("xr_rpccall", "v4-null", o.b, o.n);
	rpc_call(&o, 8, 8, 3, 100003, 4, 0, 0, 0);
	put("xr_rpccall", "rpcvers-3", o.b, o.n);
	rpc_call(&o, 30, 200, 2, 100003, 4, 0, 1, 401);
	put("xr_rpccall", "cred-401", o.b, o.n);
	rpc_call(&o, 0, 0, 2, 100003, 4, 0, 1, 400);
	put("xr_rpccall", "cred-400", o.b, o.n);
	put("xr_rpccall", "verf-cut", o.b, o.n - 4);
	rpc_call(&o, 41, 45, 2, 100003, 3, 1, 1, 20);
	v3_fh(&o, 0x1234);
	put("xr_rpccall", "v3-getattr", o.b, o.n);
	put("xr_rpccall", "v3-handle-cut", o.b, o.n - 6);
	rpc_call(&o, 5, 70, 2, 100227, 3, 2, 0, 0);
	v3_fh(&o, 9);
	put("xr_rpccall", "nfsacl-setacl", o.b, o.n);
	rpc_call(&o, 36, 52, 2, 100003, 3, 6, 6, 24);
	o.b[4 + 32 + 15] = 2; /* RPCSEC_GSS integrity */
	w32(&o, 24);
	w32(&o, 1);
	v3_fh(&o, 3);
	put("xr_rpccall", "v3-gss-integrity", o.b, o.n);
	o.b[4 + 32 + 15] = 3; /* privacy */
	put("xr_rpccall", "v3-gss-privacy", o.b, o.n);
}

/*
 * Rounds of the engine target: the bytes are its draws, four per choice
 * (the first word even: no faults; odd: faults).  Fixed generator.
 */
static void gen_svc_engine(void)
{
	uint8_t b[1024];
	char name[32];
	size_t i, j, n;

	for (i = 0; i < 16; i++) {
		n = 64 + i * 60;
		for (j = 0; j < n; j++)
			b[j] = (uint8_t)rng();
		b[3] = (uint8_t)((b[3] & ~1u) | (i & 1));
		snprintf(name, sizeof(name), "round-%02zu", i);
		put("xr_svc_engine", name, b, n);
	}
}

/* ---- seeds of the gateway's decoders ---------------------------------- */

/* A bigger byte string for long READDIR lists. */
struct big {
	uint8_t *b;
	size_t n, cap;
};

static void b32(struct big *o, uint32_t v)
{
	if (o->n + 4 > o->cap)
		return;
	o->b[o->n++] = (uint8_t)(v >> 24);
	o->b[o->n++] = (uint8_t)(v >> 16);
	o->b[o->n++] = (uint8_t)(v >> 8);
	o->b[o->n++] = (uint8_t)v;
}

/*
 * maxcount, then the reply to SEQUENCE + PUTFH + READDIR: @n entries
 * named "e<i>"; with @fh each carries TYPE and a FILEHANDLE of 8 bytes.
 */
static void rp_readdir_seed(const char *name, uint32_t maxcount, uint32_t n,
			    bool fh, uint32_t status)
{
	struct big o = {.cap = 1 << 16};
	char nm[16];
	uint32_t i, len, k;

	o.b = malloc(o.cap);
	if (!o.b) {
		failed = 1;
		return;
	}
	b32(&o, maxcount);
	b32(&o, status ? 2 : 0); /* COMPOUND status */
	b32(&o, 0);		 /* tag */
	b32(&o, 3);
	b32(&o, 53); /* SEQUENCE */
	b32(&o, 0);
	for (k = 0; k < 4; k++)
		b32(&o, 0x30313233);
	for (k = 0; k < 5; k++)
		b32(&o, k == 1 ? 0 : 1);
	b32(&o, 22); /* PUTFH */
	b32(&o, 0);
	b32(&o, 26); /* READDIR */
	b32(&o, status);
	if (!status) {
		b32(&o, 0x11111111); /* cookieverf */
		b32(&o, 0x22222222);
		for (i = 0; i < n; i++) {
			b32(&o, 1);
			b32(&o, 0);
			b32(&o, i + 3);
			len = (uint32_t)snprintf(nm, sizeof(nm), "e%u", i);
			b32(&o, len);
			for (k = 0; k < len; k += 4)
				b32(&o,
				    (uint32_t)(uint8_t)nm[k] << 24 |
					(uint32_t)(k + 1 < len
						       ? (uint8_t)nm[k + 1]
						       : 0)
					    << 16 |
					(uint32_t)(k + 2 < len
						       ? (uint8_t)nm[k + 2]
						       : 0)
					    << 8 |
					(k + 3 < len ? (uint8_t)nm[k + 3] : 0));
			if (fh) {
				b32(&o, 1); /* bitmap: TYPE | FILEHANDLE */
				b32(&o, 1u << 1 | 1u << 19);
				b32(&o, 16); /* type + fh (4 + 4 + 8) */
				b32(&o, 1);  /* NF4REG */
				b32(&o, 8);
				b32(&o, 0xf0f0f0f0);
				b32(&o, i);
			} else {
				b32(&o, 0);
				b32(&o, 0);
			}
		}
		b32(&o, 0);
		b32(&o, 1); /* eof */
	}
	put("rp_readdir", name, o.b, o.n);
	free(o.b);
}

static void gen_rp(void)
{
	uint8_t b[256];
	size_t i;

	rp_readdir_seed("small-fh", 128 * 1024, 3, true, 0);
	rp_readdir_seed("empty", 128 * 1024, 0, false, 0);
	rp_readdir_seed("noent", 128 * 1024, 0, false, 2);
	rp_readdir_seed("many", 64 * 1024, 60, false, 0);
	rp_readdir_seed("many-fh", 128 * 1024, 40, true, 0);
	rp_readdir_seed("over-maxcount", 1024, 60, false, 0);
	/* past the target's scaled-down entry cap (64) */
	rp_readdir_seed("over-cap", 1u << 20, 100, false, 0);
	/* attributes: word count, bitmap words, values */
	{
		struct bytes o = {.n = 0};

		w8(&o, 1);
		w32(&o, 1u << 1 | 1u << 19); /* TYPE | FILEHANDLE */
		w32(&o, 1);		     /* NF4REG */
		w32(&o, 8);
		w32(&o, 0xaaaaaaaa);
		w32(&o, 0xbbbbbbbb);
		put("rp_entry_fh", "type-fh", o.b, o.n);
		o.n = 0;
		w8(&o, 2);
		/* TYPE | CHANGE | SIZE | FSID | FILEHANDLE; MODE */
		w32(&o, 1u << 1 | 1u << 3 | 1u << 4 | 1u << 8 | 1u << 19);
		w32(&o, 1u << (33 - 32));
		w32(&o, 2);	  /* NF4DIR */
		wfill(&o, 8, 1);  /* change */
		wfill(&o, 8, 2);  /* size */
		wfill(&o, 16, 3); /* fsid */
		w32(&o, 5);	  /* a 5-byte handle */
		w32(&o, 0x01020304);
		w32(&o, 0x05000000);
		w32(&o, 0755); /* mode */
		put("rp_entry_fh", "fsid-fh-mode", o.b, o.n);
		o.n = 0;
		w8(&o, 1);
		w32(&o, 1u << 19);
		w32(&o, 129); /* longer than NFS4_FHSIZE */
		wfill(&o, 132, 9);
		put("rp_entry_fh", "fh-too-long", o.b, o.n);
		o.n = 0;
		w8(&o, 1);
		w32(&o, 1u << 0 | 1u << 19); /* SUPPORTED_ATTRS: size unknown */
		w32(&o, 1);
		w32(&o, 0);
		w32(&o, 4);
		w32(&o, 7);
		put("rp_entry_fh", "unknown-before", o.b, o.n);
	}
	/* handles: a few shapes of wire bytes */
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)rng();
	put("rp_handle", "short", b, 8);
	put("rp_handle", "typical", b, 1 + 28 + 16);
	put("rp_handle", "longest", b, 1 + 128 + 16);
	put("rp_handle", "too-long", b, 200);
}

static void gen_engines(void)
{
	gen_svc_engine();
	gen_seqflags();
	gen_clnt_reply();
	gen_sess_wire();
	gen_xdr();
	gen_rpccall();
}

static int make_dir(const char *sub)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s%s%s", outdir, sub[0] ? "/" : "", sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "gen_corpus: cannot create %s\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (make_dir("") || make_dir("xr_hdr") || make_dir("xr_cm") ||
	    make_dir("xr_roundtrip"))
		return 1;
	if (make_dir("xr_seqflags") || make_dir("xr_clnt_reply") ||
	    make_dir("sess_wire") || make_dir("xr_xdr") ||
	    make_dir("xr_rpccall") || make_dir("xr_svc_engine"))
		return 1;
	if (make_dir("rp_handle") || make_dir("rp_entry_fh") ||
	    make_dir("rp_readdir"))
		return 1;
	gen_hdr();
	gen_cm();
	gen_roundtrip();
	gen_engines();
	gen_rp();
	return failed;
}
