/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Seed corpus generator for the fuzz targets.
 *
 * How this works: writes small, deterministic inputs into
 * <outdir>/xr_hdr/, <outdir>/xr_cm/ and <outdir>/xr_roundtrip/: valid
 * RPC-over-RDMA headers of every kind and a spread of malformed ones
 * (built from XDR word lists), RFC 8797 private data blobs, and recipes
 * for the round-trip target (from a fixed-seed generator, so the output
 * never changes).  Usage: gen_corpus OUTDIR.  The committed corpus in
 * tests/fuzz/corpus is this program's output; a fuzz-tier test checks
 * that they still match.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
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

static void put_words(const char *target, const char *name,
		      const uint32_t *w, size_t nw, size_t nbytes)
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

#define HDR(name, ...)                                                     \
	put_words("xr_hdr", name, (const uint32_t[]){ __VA_ARGS__ },       \
		  sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4, 0)
#define HDR_CUT(name, nbytes, ...)                                         \
	put_words("xr_hdr", name, (const uint32_t[]){ __VA_ARGS__ },       \
		  sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4, nbytes)

static void gen_hdr(void)
{
	/* valid */
	HDR("ok-msg-inline", MSG, 0, 0, 0, RPC, 0, 0, 0, 0);
	HDR("ok-msg-read-chunk", MSG, 1, 24, SEG(1, 8192), 1, 24,
	    SEG(2, 100), 0, 0, 0, RPC, 0, 0);
	HDR("ok-msg-two-read-chunks", MSG, 1, 8, SEG(1, 5), 1, 16, SEG(2, 4),
	    0, 0, 0, RPC, 0, 0);
	HDR("ok-msg-write-list", MSG, 0, 1, 2, SEG(1, 65536), SEG(2, 65536),
	    1, 1, SEG(3, 4096), 0, 0, RPC);
	HDR("ok-msg-reply-chunk", MSG, 0, 0, 1, 2, SEG(1, 4096), SEG(2, 4096),
	    RPC);
	HDR("ok-msg-all-lists", MSG, 1, 20, SEG(1, 300), 0, 1, 1, SEG(2, 64),
	    0, 1, 1, SEG(3, 512), RPC, 0, 0);
	HDR("ok-nomsg-long-call", NOMSG, 1, 0, SEG(1, 2000), 1, 0,
	    SEG(2, 1000), 0, 0, 1, 1, SEG(3, 4096));
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
	HDR("bad-seg-wrap", MSG, 0, 1, 1, 1, 0x20, 0xffffffff, 0xfffffff0, 0,
	    0, RPC);
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
		{ 0xf6, 0xab, 0x0e, 0x18, 1, 1, 7, 3 },
		{ 0xf6, 0xab, 0x0e, 0x18, 1, 0, 0, 0 },
		{ 0xf6, 0xab, 0x0e, 0x18, 1, 0xff, 0xff, 0xff },
		{ 0xf6, 0xab, 0x0e, 0x18, 2, 1, 7, 3 },
		{ 0xf6, 0xab, 0x0e, 0x19, 1, 1, 7, 3 },
		{ 0x18, 0x0e, 0xab, 0xf6, 1, 1, 7, 3 },
	};
	uint8_t padded[56] = { 0xf6, 0xab, 0x0e, 0x18, 1, 1, 31, 31 };
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
	gen_hdr();
	gen_cm();
	gen_roundtrip();
	return failed;
}
