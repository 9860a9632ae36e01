/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Memory that changes under a registration (issue 14): no stale byte is
 * read or written, and a key dies with its RPC.  How this works, in one
 * process over the ofi fabric on 127.0.0.1 (--backend verbs --addr A for
 * a verbs device):
 *
 *   stale   the toy server (toy_rpc.c) and an engine client.  At 4 KiB,
 *           64 KiB and 1 MiB, three buffers are changed between I/Os in
 *           four ways - new bytes in place, munmap + mmap at the same
 *           address, MADV_DONTNEED then new bytes, free + malloc - and
 *           each I/O must move the bytes the address holds now: the
 *           server's RDMA Write source (FILL answered from a buffer the
 *           test owns), the client's Read chunk source (SUM checksums
 *           what it pulled) and the client's Write chunk sink (FILL into
 *           a buffer just remapped).  A registration cached across the
 *           change would pin the old pages and move the old bytes.  The
 *           registrations each engine made per RPC are printed, and where
 *           the fabric takes plain local addresses the server must have
 *           made none.
 *   arena   the server's RDMA Write source from the READ arena
 *           (src/common/gr_arena.h), registered once with
 *           xr_svc_add_area() as ganesha.nfsd does: at 512 bytes, 4 KiB,
 *           64 KiB and 1 MiB a block is filled and sent, freed, handed
 *           out again (the same pages) with other bytes and sent, freed
 *           and its pages reused by two blocks of half the size with
 *           other bytes again, sent from the upper one; every reply must
 *           carry the bytes of the request it answers, and where the
 *           fabric needs registrations no reply range from the arena may
 *           be registered on its own.  A range that only partly lies in
 *           an area, and a buffer outside it remapped between I/Os, must
 *           still be registered per reply and move the current bytes.
 *           Ganesha 6.5's unaligned READ, the block plus a separate
 *           malloc'd tail of len % 4 bytes, must move the right bytes
 *           and register nothing (the engine copies the tail) - unless
 *           the reply's Send leaves less than 8 bytes of its buffer free
 *           (an inline tail up to the client's receive): then the tail
 *           is registered, and every reply still carries its bytes.
 *   oldkey  a raw server on the fabric answers two calls that offer a
 *           Read chunk and a Write chunk.  During the first it RDMA
 *           Writes and Reads through the offered keys (they must work:
 *           the probe can fail); during the second it tries the first
 *           call's keys again, which must fail - the client deregistered
 *           them when the first call ended.  A registration cache with
 *           live keys fails here.
 *
 * Exit 0 when every check passed, 1 when one failed, 77 when the fabric
 * cannot run here.  The last line is "N passed, N failed".
 */
#include "toy_rpc.h"

#include "gr_arena.h"

#include "xr_cm.h"
#include "xr_fabric.h"
#include "xr_hdr.h"
#include "gr_raw_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024u * 1024u)
#define AREA (2 * MiB)
#define PROBE 16u

static const char *addr = "127.0.0.1";
static const char *backend = "ofi";
static uint32_t next_xid = 0x5000;
static int npass, nfail;

static void verdict(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void verdict(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %-30s ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		npass++;
	else
		nfail++;
}

/* ---- engine calls ------------------------------------------------------ */

struct call {
	struct xr_clnt_req c_req;
	uint8_t c_hdr[TOY_CALL_HDR + 8];
	struct iovec c_head;
	struct iovec c_payload;
	uint8_t c_reply[512];
	uint32_t c_xid;
};

static void call_init(struct call *c, uint32_t proc)
{
	memset(c, 0, sizeof(*c));
	c->c_xid = next_xid++;
	toy_call_hdr(c->c_hdr, c->c_xid, proc);
	c->c_head = (struct iovec){c->c_hdr, TOY_CALL_HDR};
	c->c_req.cr_msg.xm_head = &c->c_head;
	c->c_req.cr_msg.xm_nhead = 1;
	c->c_req.cr_reply_buf = c->c_reply;
	c->c_req.cr_reply_cap = sizeof(c->c_reply);
	c->c_req.cr_reply_inline = true;
}

/* FILL len bytes into res; the server's bytes come from its source. */
static int do_fill(struct xr_clnt *cl, uint8_t *res, uint32_t len,
		   uint32_t seed)
{
	struct call c;
	int ret;

	call_init(&c, TOY_FILL);
	toy_put32(c.c_hdr + TOY_CALL_HDR, len);
	toy_put32(c.c_hdr + TOY_CALL_HDR + 4, seed);
	c.c_head.iov_len += 8;
	c.c_req.cr_result_buf = res;
	c.c_req.cr_result_cap = len;
	ret = xr_clnt_call(cl, &c.c_req, 10000);
	if (ret)
		return ret;
	if (toy_reply_ok(c.c_reply, c.c_req.cr_reply_len, c.c_xid) < 0 ||
	    c.c_req.cr_result_len != len)
		return -EBADMSG;
	return 0;
}

/* SUM over data by a Read chunk: the server's FNV of what it pulled. */
static int do_sum(struct xr_clnt *cl, const uint8_t *data, uint32_t len,
		  uint32_t *fnv)
{
	struct call c;
	int ret, off;

	call_init(&c, TOY_SUM);
	toy_put32(c.c_hdr + TOY_CALL_HDR, len);
	c.c_head.iov_len += 4;
	c.c_payload = (struct iovec){(void *)data, len};
	c.c_req.cr_msg.xm_payload = &c.c_payload;
	c.c_req.cr_msg.xm_npayload = 1;
	c.c_req.cr_payload_ddp = true;
	ret = xr_clnt_call(cl, &c.c_req, 10000);
	if (ret)
		return ret;
	off = toy_reply_ok(c.c_reply, c.c_req.cr_reply_len, c.c_xid);
	if (off < 0 || c.c_req.cr_reply_len < (size_t)off + 8 ||
	    toy_get32(c.c_reply + off) != len)
		return -EBADMSG;
	*fnv = toy_get32(c.c_reply + off + 4);
	return 0;
}

/*
 * ECHO of len bytes, longer than an inline message both ways: the call
 * goes as a Position-Zero Read chunk into the server's landing area and
 * the reply, which points into it, by the Reply chunk.
 */
static int do_echo(struct xr_clnt *cl, const uint8_t *data, uint32_t len)
{
	size_t cap = len + 256;
	uint8_t *rep = malloc(cap);
	struct call c;
	int ret, off;

	if (!rep)
		return -ENOMEM;
	call_init(&c, TOY_ECHO);
	toy_put32(c.c_hdr + TOY_CALL_HDR, len);
	c.c_head.iov_len += 4;
	c.c_payload = (struct iovec){(void *)data, len};
	c.c_req.cr_msg.xm_payload = &c.c_payload;
	c.c_req.cr_msg.xm_npayload = 1;
	c.c_req.cr_reply_buf = rep;
	c.c_req.cr_reply_cap = cap;
	c.c_req.cr_reply_inline = false;
	ret = xr_clnt_call(cl, &c.c_req, 10000);
	off = ret ? -1 : toy_reply_ok(rep, c.c_req.cr_reply_len, c.c_xid);
	if (!ret &&
	    (off < 0 || c.c_req.cr_reply_len < (size_t)off + 4 + len ||
	     toy_get32(rep + off) != len || memcmp(rep + off + 4, data, len)))
		ret = -EBADMSG;
	free(rep);
	return ret;
}

static void fill_seed(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = toy_pattern(seed, i);
}

static bool is_seed(const uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != toy_pattern(seed, i))
			return false;
	return true;
}

/* ---- the four changes -------------------------------------------------- */

enum change { CH_INPLACE, CH_REMAP, CH_DONTNEED, CH_REALLOC, CH_N };
static const char *const ch_name[CH_N] = {"in place", "munmap+mmap",
					  "MADV_DONTNEED", "free+malloc"};

/*
 * Change the buffer *p of len bytes as `how` says and fill it with seed
 * (zero for a sink: the bytes must then come from the server).  Returns
 * false when the address could not be kept (the case then is skipped
 * for realloc, failed for the others).  *p may move for CH_REALLOC.
 */
static bool change(uint8_t **p, size_t len, enum change how, uint32_t seed,
		   bool sink)
{
	uint8_t *q;

	switch (how) {
	case CH_INPLACE:
		break;
	case CH_REMAP:
		if (munmap(*p, AREA))
			return false;
		q = mmap(*p, AREA, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (q != *p)
			return false;
		break;
	case CH_DONTNEED:
		if (madvise(*p, AREA, MADV_DONTNEED))
			return false;
		break;
	case CH_REALLOC:
		free(*p);
		*p = malloc(len);
		if (!*p)
			return false;
		break;
	default:
		return false;
	}
	if (sink)
		memset(*p, 0, len);
	else
		fill_seed(*p, len, seed);
	return true;
}

static uint8_t *area(void)
{
	uint8_t *p = mmap(NULL, AREA, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---- stale: the engines over changing memory --------------------------- */

static void stale_size(struct toy_server *ts, struct xr_clnt *cl, uint32_t len,
		       bool plain)
{
	struct xr_core_stats s0, s1, c0, c1;
	uint8_t *src = area(), *snk = area(), *res = malloc(len);
	uint8_t *hsrc = malloc(len), *hsnk = malloc(len);
	uint32_t seed = len / 1024, fnv, calls = 0;
	char name[48];
	int how, bad_src = 0, bad_pull = 0, bad_sink = 0, ret;

	if (!src || !snk || !res || !hsrc || !hsnk) {
		verdict(false, "stale setup", "no memory");
		return;
	}
	toy_server_stats(ts, &s0);
	xr_clnt_get_stats(cl, &c0);
	for (how = 0; how < CH_N; how++) {
		uint8_t **ps = how == CH_REALLOC ? &hsrc : &src;
		uint8_t **pk = how == CH_REALLOC ? &hsnk : &snk;
		uint8_t *before_s = *ps, *before_k = *pk;

		/* 1. the server's RDMA Write source */
		seed++;
		if (!change(ps, len, how, seed, false)) {
			bad_src++;
			continue;
		}
		toy_server_set_source(ts, *ps);
		memset(res, 0, len);
		ret = do_fill(cl, res, len, seed);
		calls++;
		if (ret || !is_seed(res, len, seed)) {
			fprintf(stderr, "  source %s: call %d, data %s\n",
				ch_name[how], ret,
				ret ? "-" : "stale or wrong");
			bad_src++;
		}
		toy_server_set_source(ts, NULL);
		/* 2. the client's Read chunk source */
		seed++;
		if (!change(ps, len, how, seed, false)) {
			bad_pull++;
			continue;
		}
		ret = do_sum(cl, *ps, len, &fnv);
		calls++;
		if (ret || fnv != toy_fnv(TOY_FNV_INIT, *ps, len)) {
			fprintf(stderr, "  pull %s: call %d, checksum %s\n",
				ch_name[how], ret,
				ret ? "-" : "of stale bytes");
			bad_pull++;
		}
		/* 3. the client's Write chunk sink */
		seed++;
		if (!change(pk, len, how, seed, true)) {
			bad_sink++;
			continue;
		}
		ret = do_fill(cl, *pk, len, seed);
		calls++;
		if (ret || !is_seed(*pk, len, seed)) {
			fprintf(stderr, "  sink %s: call %d, data %s\n",
				ch_name[how], ret,
				ret ? "-" : "missing at the new mapping");
			bad_sink++;
		}
		if (how == CH_REALLOC && (*ps != before_s || *pk != before_k))
			printf("  (free+malloc at %u gave another address)\n",
			       len);
	}
	toy_server_stats(ts, &s1);
	xr_clnt_get_stats(cl, &c1);
	snprintf(name, sizeof(name), "stale_%uk", len / 1024);
	verdict(!bad_src && !bad_pull && !bad_sink, name,
		"%u calls, wrong: server source %d, client source %d, "
		"client sink %d",
		calls, bad_src, bad_pull, bad_sink);
	printf("  registrations per RPC at %u bytes: server %.2f "
	       "(%llu unneeded, %llu pool), client %.2f\n",
	       len, (double)(s1.cs_reg_calls - s0.cs_reg_calls) / calls,
	       (unsigned long long)(s1.cs_reg_unneeded - s0.cs_reg_unneeded),
	       (unsigned long long)(s1.cs_reg_pool_hits - s0.cs_reg_pool_hits),
	       (double)(c1.cs_reg_calls - c0.cs_reg_calls) / calls);
	if (!plain) {
		/* Verbs, loop: the bounce pool takes every chunk. */
		snprintf(name, sizeof(name), "client_no_reg_%uk", len / 1024);
		verdict(
		    c1.cs_reg_calls == c0.cs_reg_calls &&
			c1.cs_bounce_hits - c0.cs_bounce_hits >= 3 * CH_N &&
			c1.cs_bounce_misses == c0.cs_bounce_misses,
		    name,
		    "%llu registrations, %llu bounce blocks, %llu misses "
		    "in %u calls (want 0, >= %u, 0)",
		    (unsigned long long)(c1.cs_reg_calls - c0.cs_reg_calls),
		    (unsigned long long)(c1.cs_bounce_hits - c0.cs_bounce_hits),
		    (unsigned long long)(c1.cs_bounce_misses -
					 c0.cs_bounce_misses),
		    calls, 3 * CH_N);
	}
	if (plain) {
		snprintf(name, sizeof(name), "server_no_reg_%uk", len / 1024);
		verdict(s1.cs_reg_calls == s0.cs_reg_calls &&
			    s1.cs_reg_unneeded - s0.cs_reg_unneeded >= 2 * CH_N,
			name, "%llu registrations in %u calls (want 0)",
			(unsigned long long)(s1.cs_reg_calls - s0.cs_reg_calls),
			calls);
	}
	munmap(src, AREA);
	munmap(snk, AREA);
	free(res);
	free(hsrc);
	free(hsnk);
}

static void stale(bool plain)
{
	static const uint32_t sizes[] = {4096, 65536, MiB};
	struct xr_svc_params sp = {.sp_backend = backend, .sp_addr = addr};
	struct xr_clnt_params cp = {.cp_backend = backend, .cp_addr = addr};
	struct toy_server *ts;
	struct xr_clnt *cl = NULL;
	uint8_t warm[8192];
	uint32_t fnv, i;
	char err[256];
	int ret;

	ret = toy_server_start(&sp, &ts, err, sizeof(err));
	if (ret) {
		verdict(false, "stale server", "%s (%d)", err, ret);
		return;
	}
	cp.cp_port = toy_server_port(ts);
	ret = xr_clnt_create(&cp, NULL, NULL, &cl, err, sizeof(err));
	if (ret) {
		verdict(false, "stale client", "%s (%d)", err, ret);
		toy_server_stop(ts);
		return;
	}
	/* Warm up: the landing area is registered at the first Read chunk. */
	memset(warm, 7, sizeof(warm));
	ret = do_sum(cl, warm, sizeof(warm), &fnv);
	if (!ret)
		ret = do_fill(cl, warm, sizeof(warm), 1);
	verdict(!ret, "stale warm-up", "SUM and FILL: %d", ret);
	if (!ret) {
		/* A reply pointing into the landing area uses its registration.
		 */
		struct xr_core_stats e0, e1;
		uint8_t *big = malloc(6000);

		toy_server_stats(ts, &e0);
		if (big)
			fill_seed(big, 6000, 5);
		ret = big ? do_echo(cl, big, 6000) : -ENOMEM;
		toy_server_stats(ts, &e1);
		/*
		 * Only the reply's head (the toy's heap, a few bytes) is not
		 * in a pool: sent unregistered (ofi) or copied into the
		 * reply's send buffer (a fabric that needs registrations).
		 */
		verdict(!ret && e1.cs_reg_pool_hits > e0.cs_reg_pool_hits &&
			    e1.cs_reg_calls == e0.cs_reg_calls &&
			    e1.cs_reg_unneeded - e0.cs_reg_unneeded +
				    e1.cs_reg_small_copies -
				    e0.cs_reg_small_copies ==
				1,
			"reply_from_landing_pool",
			"echo %d, data ranges from the pool %llu (want > 0), "
			"head registered %llu (want 0), unneeded %llu or "
			"copied %llu (want 1 in all)",
			ret,
			(unsigned long long)(e1.cs_reg_pool_hits -
					     e0.cs_reg_pool_hits),
			(unsigned long long)(e1.cs_reg_calls - e0.cs_reg_calls),
			(unsigned long long)(e1.cs_reg_unneeded -
					     e0.cs_reg_unneeded),
			(unsigned long long)(e1.cs_reg_small_copies -
					     e0.cs_reg_small_copies));
		free(big);
	}
	for (i = 0; !ret && i < sizeof(sizes) / sizeof(sizes[0]); i++)
		stale_size(ts, cl, sizes[i], plain);
	xr_clnt_destroy(cl);
	toy_server_stop(ts);
}

/* ---- arena: READ buffers from an area registered once ------------------ */

/* FILL from src (len bytes); true when the client got exactly seed's. */
static bool fill_from(struct toy_server *ts, struct xr_clnt *cl,
		      const uint8_t *src, uint8_t *res, uint32_t len,
		      uint32_t seed)
{
	int ret;

	toy_server_set_source(ts, src);
	memset(res, 0, len);
	ret = do_fill(cl, res, len, seed);
	toy_server_set_source(ts, NULL);
	return !ret && is_seed(res, len, seed);
}

static void arena_size(struct toy_server *ts, struct xr_clnt *cl,
		       struct gr_arena *ga, uint32_t len, bool plain)
{
	struct xr_core_stats s0, s1;
	uint8_t *res = malloc(len), *a, *b, *lo, *hi;
	uint32_t seed = 0x700 + len, calls = 0, wrong = 0;
	char name[48];

	toy_server_stats(ts, &s0);
	a = gr_arena_alloc(ga, len);
	if (!a || !res) {
		verdict(false, "arena setup", "no block of %u bytes", len);
		free(res);
		return;
	}
	/* 1. a fresh block */
	fill_seed(a, len, ++seed);
	wrong += !fill_from(ts, cl, a, res, len, seed);
	calls++;
	/* 2. freed and handed out again: the same pages, other bytes */
	gr_arena_free(ga, a);
	b = gr_arena_alloc(ga, len);
	if (b != a)
		printf("  (arena gave another block at %u bytes)\n", len);
	fill_seed(b, len, ++seed);
	wrong += !fill_from(ts, cl, b, res, len, seed);
	calls++;
	/* 3. its pages split between two smaller blocks, sent from each */
	gr_arena_free(ga, b);
	lo = gr_arena_alloc(ga, len / 2 ? len / 2 : 1);
	hi = gr_arena_alloc(ga, len / 2 ? len / 2 : 1);
	if (lo && hi) {
		fill_seed(hi, len / 2, ++seed);
		fill_seed(lo, len / 2, seed + 1);
		wrong += !fill_from(ts, cl, hi, res, len / 2, seed);
		wrong += !fill_from(ts, cl, lo, res, len / 2, seed + 1);
		seed++;
		calls += 2;
	}
	if (lo)
		gr_arena_free(ga, lo);
	if (hi)
		gr_arena_free(ga, hi);
	toy_server_stats(ts, &s1);
	snprintf(name, sizeof(name), "arena_reuse_%u", len);
	verdict(!wrong, name, "%u calls, %u with stale or wrong bytes", calls,
		wrong);
	/* On ofi too: the engine counts what lies in an area. */
	{
		snprintf(name, sizeof(name), "arena_no_reg_%u", len);
		verdict(s1.cs_reg_calls == s0.cs_reg_calls &&
			    s1.cs_reg_area_hits - s0.cs_reg_area_hits == calls,
			name,
			"%llu registrations, %llu area hits in %u calls "
			"(want 0 and %u)",
			(unsigned long long)(s1.cs_reg_calls - s0.cs_reg_calls),
			(unsigned long long)(s1.cs_reg_area_hits -
					     s0.cs_reg_area_hits),
			calls, calls);
	}
	free(res);
}

/*
 * Ranges an area does not hold whole: half in a test-owned area, half
 * out; and a buffer outside every area remapped between two I/Os.  Both
 * must be registered for their reply (where the fabric needs it) and
 * move the bytes the address holds now.
 */
static void arena_edges(struct toy_server *ts, struct xr_clnt *cl, bool plain)
{
	const uint32_t len = 65536;
	struct xr_core_stats s0, s1;
	uint8_t *r = area(), *res = malloc(len), *p;
	uint32_t wrong = 0;
	int ret;

	if (!r || !res) {
		verdict(false, "arena edges setup", "no memory");
		free(res);
		return;
	}
	/* The area is r's first half; the range straddles its end. */
	ret = toy_server_add_area(ts, r, AREA / 2);
	toy_server_stats(ts, &s0);
	p = r + AREA / 2 - len / 2;
	fill_seed(p, len, 0x801);
	wrong += !fill_from(ts, cl, p, res, len, 0x801);
	/* Outside every area, remapped at the same address, then sent. */
	p = r + AREA / 2;
	fill_seed(p, len, 0x802);
	wrong += !fill_from(ts, cl, p, res, len, 0x802);
	if (!change(&r, len, CH_REMAP, 0, false)) {
		wrong++;
	} else {
		fill_seed(p, len, 0x803);
		wrong += !fill_from(ts, cl, p, res, len, 0x803);
	}
	toy_server_stats(ts, &s1);
	verdict(!ret && !wrong, "arena_edges",
		"area %d; 3 calls, %u with stale or wrong bytes", ret, wrong);
	if (!plain)
		verdict(s1.cs_reg_calls - s0.cs_reg_calls == 3 &&
			    s1.cs_reg_area_hits == s0.cs_reg_area_hits,
			"arena_edges_registered",
			"%llu registrations, %llu area hits in 3 calls "
			"(want 3 and 0)",
			(unsigned long long)(s1.cs_reg_calls - s0.cs_reg_calls),
			(unsigned long long)(s1.cs_reg_area_hits -
					     s0.cs_reg_area_hits));
	munmap(r, AREA);
	free(res);
}

/*
 * Lay out Ganesha 6.5's unaligned READ: the last len % 4 bytes of a go
 * into tail (4 bytes, the rest 0xee) and are spoiled in a, so that only a
 * reply that sends the tail buffer carries the right bytes.
 */
static void split_tail(uint8_t *a, uint32_t len, uint8_t *tail)
{
	uint32_t t;

	memset(tail, 0xee, 4);
	for (t = 0; t < len % 4; t++) {
		tail[t] = a[len - len % 4 + t];
		a[len - len % 4 + t] ^= 0xff;
	}
}

/*
 * Ganesha 6.5's unaligned READ: the data in an arena block, its last
 * len % 4 bytes in a separate 4-byte malloc'd buffer (xdr_io_data()).  At
 * lengths N+1..N+7 around several sizes the client must get the right
 * bytes (the block's copy of the tail is spoiled, so only the tail buffer
 * gives them), and where the fabric needs registrations the server makes
 * none: the engine copies the few tail bytes into the reply's registered
 * send buffer (cs_reg_small_copies, one per unaligned reply).
 */
static void arena_tails(struct toy_server *ts, struct xr_clnt *cl,
			struct gr_arena *ga, bool plain)
{
	static const uint32_t sizes[] = {512, 4096, 65536, MiB - 8};
	struct xr_core_stats s0, s1;
	uint32_t calls = 0, odd = 0, wrong = 0, seed = 0x900, i, k;
	uint8_t *res = malloc(MiB), *a, *tail;

	if (!res) {
		verdict(false, "arena tails setup", "no memory");
		return;
	}
	toy_server_stats(ts, &s0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (k = 1; k <= 7; k++) {
			uint32_t len = sizes[i] + k;

			a = gr_arena_alloc(ga, len);
			tail = malloc(4);
			if (!a || !tail) {
				wrong++;
				free(tail);
				if (a)
					gr_arena_free(ga, a);
				continue;
			}
			fill_seed(a, len, ++seed);
			split_tail(a, len, tail);
			toy_server_set_tail(ts, tail);
			wrong += !fill_from(ts, cl, a, res, len, seed);
			toy_server_set_tail(ts, NULL);
			calls++;
			odd += len % 4 != 0;
			free(tail);
			gr_arena_free(ga, a);
		}
	}
	toy_server_stats(ts, &s1);
	verdict(!wrong, "arena_tail_bytes", "%u calls, %u with wrong bytes",
		calls, wrong);
	verdict(s1.cs_reg_calls == s0.cs_reg_calls &&
		    s1.cs_reg_small_copies - s0.cs_reg_small_copies ==
			(plain ? 0 : odd) &&
		    s1.cs_write_chunk_replies - s0.cs_write_chunk_replies ==
			calls,
		"arena_tail_no_reg",
		"%llu registrations, %llu tails copied, %llu Write chunk "
		"replies in %u calls, %u unaligned (want 0, %u, %u)",
		(unsigned long long)(s1.cs_reg_calls - s0.cs_reg_calls),
		(unsigned long long)(s1.cs_reg_small_copies -
				     s0.cs_reg_small_copies),
		(unsigned long long)(s1.cs_write_chunk_replies -
				     s0.cs_write_chunk_replies),
		calls, odd, plain ? 0 : odd, calls);
	free(res);
}

/*
 * The room above a reply's Send for small copies (xr_svc_small_copy())
 * runs out: FILL replies of an unaligned length (the block in the arena,
 * its last 3 bytes in a tail buffer of their own) with an inline tail of
 * pad bytes (a multiple of 4, as XDR wants) that grows until the Send
 * fills the client's 4 KiB receive.
 * Where fewer than 8 bytes are left above the Send the tail range must be
 * registered instead - a copy there would overlap the Send's own bytes
 * (and fail the reply, or spoil it).  Every reply that fits the receive
 * must come back with the right data and the right inline bytes, up to
 * the last one that fits: its header is 52 bytes (RFC 8166: xid, vers,
 * credits, proc, empty Read list, a Write list of one single-segment
 * chunk, no Reply chunk), then the reply head and the length word.
 */
static void arena_full_send(struct toy_server *ts, struct xr_clnt *cl,
			    struct gr_arena *ga, bool plain)
{
	const uint32_t len = 4096 + 3, fixed = 52 + TOY_REPLY_HDR + 4;
	const uint32_t last = XR_DEFAULT_INLINE - fixed;
	uint32_t pad, ok = 0, wrong = 0, refused_early = 0, top = 0;
	uint8_t *res = malloc(len), *rep = malloc(XR_DEFAULT_INLINE);
	uint8_t *a = gr_arena_alloc(ga, len), *tail = malloc(4);
	struct xr_core_stats s0, s1;

	if (!res || !rep || !a || !tail) {
		verdict(false, "full_send setup", "no memory");
		goto out;
	}
	fill_seed(a, len, 0x950);
	split_tail(a, len, tail);
	toy_server_set_source(ts, a);
	toy_server_set_tail(ts, tail);
	toy_server_stats(ts, &s0);
	for (pad = last - 64; pad <= last + 8; pad += 4) {
		struct call c;
		uint32_t i;
		bool good;
		int ret, off;

		toy_server_set_pad(ts, pad);
		call_init(&c, TOY_FILL);
		toy_put32(c.c_hdr + TOY_CALL_HDR, len);
		toy_put32(c.c_hdr + TOY_CALL_HDR + 4, 0x950);
		c.c_head.iov_len += 8;
		c.c_req.cr_reply_buf = rep;
		c.c_req.cr_reply_cap = XR_DEFAULT_INLINE;
		c.c_req.cr_result_buf = res;
		c.c_req.cr_result_cap = len;
		memset(res, 0, len);
		ret = xr_clnt_call(cl, &c.c_req, 10000);
		if (ret) {
			/* past the receive: refused (RDMA_ERROR), not sent */
			refused_early += pad <= last;
			continue;
		}
		off = toy_reply_ok(rep, c.c_req.cr_reply_len, c.c_xid);
		good = off >= 0 && c.c_req.cr_result_len == len &&
		       is_seed(res, len, 0x950) &&
		       c.c_req.cr_reply_len == (size_t)off + 4 + pad &&
		       toy_get32(rep + off) == len;
		for (i = 0; good && i < pad; i++)
			good = rep[off + 4 + i] == toy_pattern(0, i);
		ok += good;
		wrong += !good;
		if (good && pad > top)
			top = pad;
	}
	toy_server_stats(ts, &s1);
	toy_server_set_pad(ts, 0);
	toy_server_set_tail(ts, NULL);
	toy_server_set_source(ts, NULL);
	verdict(!wrong && !refused_early && top == last, "full_send_bytes",
		"%u replies right, %u wrong, %u refused that fit, the "
		"longest inline tail %u (want %u)",
		ok, wrong, refused_early, top, last);
	/* the room ran out: some tails copied, the last ones registered */
	verdict(plain ? s1.cs_reg_calls == s0.cs_reg_calls
		      : s1.cs_reg_calls > s0.cs_reg_calls &&
			    s1.cs_reg_small_copies > s0.cs_reg_small_copies,
		"full_send_falls_back", "%llu registrations, %llu tails copied",
		(unsigned long long)(s1.cs_reg_calls - s0.cs_reg_calls),
		(unsigned long long)(s1.cs_reg_small_copies -
				     s0.cs_reg_small_copies));
out:
	if (a)
		gr_arena_free(ga, a);
	free(tail);
	free(rep);
	free(res);
}

static void arena(bool plain)
{
	static const uint32_t sizes[] = {512, 4096, 65536, MiB};
	struct xr_svc_params sp = {.sp_backend = backend, .sp_addr = addr};
	struct xr_clnt_params cp = {.cp_backend = backend, .cp_addr = addr};
	struct gr_arena *ga = gr_arena_create(4 * MiB, MiB);
	struct xr_core_stats s0, s1;
	struct toy_server *ts;
	struct xr_clnt *cl = NULL;
	size_t alen;
	void *abase;
	char err[256];
	uint32_t i;
	int ret;

	if (!ga) {
		verdict(false, "arena create", "%s", strerror(errno));
		return;
	}
	ret = toy_server_start(&sp, &ts, err, sizeof(err));
	if (ret) {
		verdict(false, "arena server", "%s (%d)", err, ret);
		return;
	}
	toy_server_stats(ts, &s0);
	gr_arena_range(ga, &abase, &alen);
	ret = toy_server_add_area(ts, abase, alen);
	toy_server_stats(ts, &s1);
	verdict(!ret && s1.cs_reg_calls - s0.cs_reg_calls == (plain ? 0 : 1),
		"arena_registered_once",
		"add_area %d, %llu registrations (want %d)", ret,
		(unsigned long long)(s1.cs_reg_calls - s0.cs_reg_calls),
		plain ? 0 : 1);
	cp.cp_port = toy_server_port(ts);
	ret =
	    ret ? ret : xr_clnt_create(&cp, NULL, NULL, &cl, err, sizeof(err));
	if (ret) {
		verdict(false, "arena client", "%s (%d)", err, ret);
		toy_server_stop(ts);
		return;
	}
	/* Warm up: the connection's pools are registered at its start. */
	{
		uint8_t warm[8192];

		ret = do_fill(cl, warm, sizeof(warm), 3);
		verdict(!ret, "arena warm-up", "FILL: %d", ret);
	}
	for (i = 0; !ret && i < sizeof(sizes) / sizeof(sizes[0]); i++)
		arena_size(ts, cl, ga, sizes[i], plain);
	arena_tails(ts, cl, ga, plain);
	arena_full_send(ts, cl, ga, plain);
	arena_edges(ts, cl, plain);
	xr_clnt_destroy(cl);
	toy_server_stop(ts);
	/* The arena stays mapped: in ganesha.nfsd it lives as long as the
	 * process; here the process ends. */
}

/* ---- oldkey: a raw server tries keys after their RPC -------------------- */

#define SLOT 8192
#define NSLOTS 4

/* Probes, by when the raw server makes them and with which key. */
enum {
	T_LIVE_W,  /* call 1, its Write chunk: must work */
	T_LIVE_R,  /* call 1, its Read chunk: must work */
	T_OLD_W,   /* call 2, call 1's Write chunk key */
	T_OLD_R,   /* call 2, call 1's Read chunk key */
	T_LIVE2_W, /* call 2, its own Write chunk: the data it returns */
	T_LATE_W,  /* after call 2's reply, call 2's Write chunk key */
	T_NEW_R,   /* call 3, on a new connection: Read at call 2's Read key */
	T_NEW_WR,  /* and at call 2's Write key (bounce: the pool's) */
	T_N
};

struct spy {
	struct xr_fabric *fab;
	struct xr_listener *lst;
	struct xr_ep *ep;
	struct xr_mr *mr;
	uint8_t *buf; /* NSLOTS receive slots, a send slot, probe bytes */
	pthread_t thr;
	volatile bool stop;
	uint16_t port;
	uint32_t ncalls;
	struct xr_segment w[3], r[3]; /* each call's first segments */
	volatile int st[T_N];	      /* probe status; 1: not run yet */
	volatile bool late_now;	      /* the test says: call 2 returned */
	bool late_done;
	uint8_t got[T_N][PROBE]; /* what a Read probe brought */
	/* the call waiting for its probes */
	int pending;
	uint32_t p_xid, p_credits, p_wlen;
	bool p_has_w;
	struct xr_segment p_w;
};

static int probe_tag[T_N]; /* contexts: which probe completed */

static size_t put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
	return 4;
}

static uint8_t *spy_send_buf(struct spy *s)
{
	return s->buf + NSLOTS * SLOT;
}

static uint8_t *spy_probe_buf(struct spy *s, int i)
{
	return s->buf + (NSLOTS + 1) * SLOT + i * PROBE;
}

/* RDMA_MSG: the Write chunk (if offered) with p_wlen, RPC SUCCESS. */
static void spy_reply(struct spy *s)
{
	uint8_t *o = spy_send_buf(s);
	struct xr_sge sge;
	size_t n = 0;

	n += put32(o + n, s->p_xid);
	n += put32(o + n, 1);
	n += put32(o + n, s->p_credits ? s->p_credits : 1);
	n += put32(o + n, 0); /* RDMA_MSG */
	n += put32(o + n, 0); /* no Read list */
	if (s->p_has_w) {
		n += put32(o + n, 1);
		n += put32(o + n, 1);
		n += put32(o + n, s->p_w.seg_handle);
		n += put32(o + n, s->p_wlen);
		n += put32(o + n, (uint32_t)(s->p_w.seg_offset >> 32));
		n += put32(o + n, (uint32_t)s->p_w.seg_offset);
	}
	n += put32(o + n, 0); /* end of Write list */
	n += put32(o + n, 0); /* no Reply chunk */
	n += put32(o + n, s->p_xid);
	n += put32(o + n, 1); /* REPLY */
	n += put32(o + n, 0); /* MSG_ACCEPTED */
	n += put32(o + n, 0); /* AUTH_NONE */
	n += put32(o + n, 0);
	n += put32(o + n, 0); /* SUCCESS */
	sge = (struct xr_sge){o, (uint32_t)n, s->mr};
	(void)xr_post_send(s->ep, &sge, 1, false, 0, NULL);
}

/*
 * Post a probe (a Write of @fill bytes, or a Read); a post that fails
 * counts as the probe's status.  Probes before the reply hold it back.
 */
static void spy_probe(struct spy *s, int tag, enum xr_op op,
		      const struct xr_segment *seg, uint8_t fill)
{
	struct xr_sge sge = {spy_probe_buf(s, tag), PROBE, s->mr};
	int ret;

	if (seg->seg_length < PROBE)
		return;
	if (op == XR_OP_WRITE) {
		memset(sge.ge_addr, fill, PROBE);
		ret = xr_post_write(s->ep, &sge, 1, seg->seg_offset,
				    seg->seg_handle, &probe_tag[tag]);
	} else {
		memset(sge.ge_addr, 0, PROBE);
		ret = xr_post_read(s->ep, &sge, 1, seg->seg_offset,
				   seg->seg_handle, &probe_tag[tag]);
	}
	if (ret)
		s->st[tag] = ret;
	else if (tag != T_LATE_W)
		s->pending++;
}

static void spy_answer(struct spy *s)
{
	spy_reply(s);
}

static void spy_call(struct spy *s, const uint8_t *msg, size_t len)
{
	struct xr_chunk ch[4];
	struct xr_segment sg[8];
	struct xr_hdr_limits lim = {.hl_dir = XR_DIR_CALL,
				    .hl_max_read_segs = 8,
				    .hl_max_write_chunks = 2,
				    .hl_max_chunk_segs = 8,
				    .hl_max_chunk_bytes = 1u << 24,
				    .hl_inline_size = SLOT};
	enum xr_hdr_reason why;
	struct xr_hdr h;
	uint32_t k;

	xr_hdr_init(&h, ch, 4, sg, 8);
	if (xr_hdr_decode(msg, len, &lim, &h, &why) || s->ncalls >= 3)
		return;
	k = s->ncalls++;
	memset(&s->w[k], 0, sizeof(s->w[k]));
	memset(&s->r[k], 0, sizeof(s->r[k]));
	s->p_has_w = h.h_nwrite > 0;
	if (s->p_has_w)
		s->w[k] = *xr_chunk_seg(&h, xr_hdr_write_chunk(&h, 0), 0);
	if (h.h_nread)
		s->r[k] = *xr_chunk_seg(&h, xr_hdr_read_chunk(&h, 0), 0);
	s->p_xid = h.h_xid;
	s->p_credits = h.h_credits;
	s->p_w = s->w[k];
	s->p_wlen = s->w[k].seg_length >= PROBE ? PROBE : 0;
	s->pending = 0;
	if (k == 0) {
		/* Positive control: the keys of the call in flight work. */
		spy_probe(s, T_LIVE_W, XR_OP_WRITE, &s->w[0], 0xEE);
		spy_probe(s, T_LIVE_R, XR_OP_READ, &s->r[0], 0);
	} else if (k == 1) {
		/* The first call is over: what do its keys reach now? */
		spy_probe(s, T_OLD_W, XR_OP_WRITE, &s->w[0], 0xDD);
		spy_probe(s, T_OLD_R, XR_OP_READ, &s->r[0], 0);
		spy_probe(s, T_LIVE2_W, XR_OP_WRITE, &s->w[1], 0xEE);
	} else {
		/* A new connection: the last one's bytes must be gone. */
		s->p_wlen = 0;
		spy_probe(s, T_NEW_R, XR_OP_READ, &s->r[1], 0);
		spy_probe(s, T_NEW_WR, XR_OP_READ, &s->w[1], 0);
	}
	if (!s->pending)
		spy_answer(s);
}

static void spy_done(struct spy *s, const struct xr_completion *wc)
{
	int tag = (int)((int *)wc->xc_ctx - probe_tag);

	if (!wc->xc_status && (tag == T_LIVE_R || tag == T_OLD_R ||
			       tag == T_NEW_R || tag == T_NEW_WR))
		memcpy(s->got[tag], spy_probe_buf(s, tag), PROBE);
	s->st[tag] = wc->xc_status;
	if (tag != T_LATE_W && --s->pending == 0)
		spy_answer(s);
}

static void *spy_loop(void *arg)
{
	struct spy *s = arg;
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(s->fab), .events = POLLIN};
	struct xr_completion wc[8];
	struct xr_recv pre[1];
	uint32_t posted;
	int i, n;

	while (!s->stop) {
		gr_raw_accept(s->fab, s->buf, SLOT, NSLOTS, s->mr, &s->ep);
		n = xr_fabric_poll(s->fab, wc, 8);
		for (i = 0; i < n; i++) {
			if (wc[i].xc_ctx >= (void *)probe_tag &&
			    wc[i].xc_ctx < (void *)(probe_tag + T_N)) {
				spy_done(s, &wc[i]);
				continue;
			}
			if (wc[i].xc_op != XR_OP_RECV || wc[i].xc_status)
				continue;
			spy_call(s, wc[i].xc_ctx, wc[i].xc_len);
			pre[0] = (struct xr_recv){
			    .rcv_ctx = wc[i].xc_ctx,
			    .rcv_sge = {{wc[i].xc_ctx, SLOT, s->mr}},
			    .rcv_nsge = 1};
			(void)xr_post_recvs(s->ep, pre, 1, &posted);
		}
		/*
		 * Once the second call returned to the test (its block given
		 * back), Write through that call's key: the bytes land in the
		 * pool, never in the caller's buffer.
		 */
		if (s->late_now && !s->late_done) {
			s->late_done = true;
			spy_probe(s, T_LATE_W, XR_OP_WRITE, &s->w[1], 0xDD);
		}
		if (n <= 0 && xr_fabric_arm(s->fab) == 0)
			poll(&pfd, 1, 10);
	}
	return NULL;
}

static int spy_start(struct spy *s)
{
	struct xr_fabric_params fp = {.xfp_backend = backend,
				      .xfp_local_addr = addr};
	size_t sz = (NSLOTS + 1) * SLOT + T_N * PROBE;
	char err[256];
	int ret, i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < T_N; i++)
		s->st[i] = 1; /* not run */
	ret = xr_fabric_open(&fp, &s->fab, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "spy: %s\n", err);
		return ret;
	}
	s->buf = aligned_alloc(4096, (sz + 4095) / 4096 * 4096);
	if (!s->buf)
		return -ENOMEM;
	ret = xr_reg_mr(s->fab, s->buf, sz, XR_ACCESS_LOCAL, &s->mr);
	if (!ret)
		ret = xr_listen(s->fab, addr, 0, 4, &s->lst);
	if (ret)
		return ret;
	s->port = xr_listener_port(s->lst);
	return pthread_create(&s->thr, NULL, spy_loop, s) ? -EAGAIN : 0;
}

static void spy_stop(struct spy *s)
{
	s->stop = true;
	pthread_join(s->thr, NULL);
	xr_fabric_close(s->fab);
	free(s->buf);
}

/* A call with a 64 KiB Read chunk from src and a Write chunk into dst. */
static int spy_call_once(struct xr_clnt *cl, uint8_t *src, uint8_t *dst,
			 int timeout_ms, size_t *result_len)
{
	struct call c;
	int ret;

	call_init(&c, TOY_SUM);
	toy_put32(c.c_hdr + TOY_CALL_HDR, 65536);
	c.c_head.iov_len += 4;
	c.c_payload = (struct iovec){src, 65536};
	c.c_req.cr_msg.xm_payload = &c.c_payload;
	c.c_req.cr_msg.xm_npayload = 1;
	c.c_req.cr_payload_ddp = true;
	c.c_req.cr_result_buf = dst;
	c.c_req.cr_result_cap = 65536;
	ret = xr_clnt_call(cl, &c.c_req, timeout_ms);
	*result_len = c.c_req.cr_result_len;
	if (!ret && toy_reply_ok(c.c_reply, c.c_req.cr_reply_len, c.c_xid) < 0)
		ret = -EBADMSG;
	return ret;
}

static bool all_byte(const uint8_t *p, size_t n, uint8_t v)
{
	while (n--)
		if (*p++ != v)
			return false;
	return true;
}

/*
 * Bounce pool: after a reconnect (the peer at the address may be another
 * one), the pool's key reaches none of the last connection's bytes - the
 * engine zeroed the pool before the new connection came up.  Call 3 pulls
 * seed 45 from src, so a block reused for it may hold that.
 */
static void newconn(struct spy *s, struct xr_clnt *cl, uint8_t *src,
		    uint8_t *dst)
{
	uint8_t b42[PROBE], s45[PROBE], zero[PROBE] = {0};
	size_t rlen = 0;
	int ret = 0, i;
	bool ok;

	fill_seed(b42, PROBE, 42);
	xr_clnt_disconnect(cl);
	for (i = 0; i < 300 && xr_clnt_connected(cl); i++)
		usleep(10000);
	for (i = 0; i < 30; i++) {
		ret = xr_clnt_connect(cl);
		if (!ret)
			break;
		usleep(100000);
	}
	fill_seed(src, 65536, 45);
	memcpy(s45, src, PROBE);
	if (!ret)
		ret = spy_call_once(cl, src, dst, 5000, &rlen);
	ok = !ret && !s->st[T_NEW_R] && !s->st[T_NEW_WR] &&
	     (!memcmp(s->got[T_NEW_R], zero, PROBE) ||
	      !memcmp(s->got[T_NEW_R], s45, PROBE)) &&
	     !memcmp(s->got[T_NEW_WR], zero, PROBE);
	verdict(ok, "oldkey_new_connection_bounce",
		"reconnect and call %d; Read at the last connection's blocks: "
		"%d %s, %d %s",
		ret, s->st[T_NEW_R],
		!memcmp(s->got[T_NEW_R], b42, PROBE)	? "OLD PAYLOAD"
		: !memcmp(s->got[T_NEW_R], zero, PROBE) ? "zero"
		: !memcmp(s->got[T_NEW_R], s45, PROBE)	? "this call's payload"
							: "FOREIGN",
		s->st[T_NEW_WR],
		!memcmp(s->got[T_NEW_WR], zero, PROBE) ? "zero" : "OLD RESULT");
}

/*
 * The hostile server's keys, with per-call registration (@bounce false:
 * the caller's memory is keyed and the key dies with the call) and with
 * the bounce pool (true: the pool is keyed for good, the caller's memory
 * never).  Either way, once a call is over nothing the server does may
 * reach or change the caller's memory - its first call's buffers, reused
 * for other bytes at once as a program would, nor its second call's
 * result after the call returned - and what an old key can still read
 * (bounce only) is bytes this connection carried, never what the caller
 * keeps in its memory now.
 */
static void oldkey(bool bounce)
{
	struct xr_clnt_params cp = {.cp_backend = backend,
				    .cp_addr = addr,
				    .cp_bounce_bytes =
					bounce ? (int64_t)MiB : -1};
	uint8_t *a_src = malloc(65536), *a_dst = calloc(1, 65536);
	uint8_t *b_src = malloc(65536), *b_dst = calloc(1, 65536);
	uint8_t seen[PROBE], a41[PROBE], b42[PROBE], zero[PROBE] = {0};
	const char *mode = bounce ? "bounce" : "per_call";
	struct xr_core_stats c0, c1;
	struct xr_clnt *cl = NULL;
	struct spy s;
	size_t rlen = 0;
	char err[256], name[48];
	int ret, ret2, i;
	bool ok_live, ok_read;

	if (!a_src || !a_dst || !b_src || !b_dst || spy_start(&s)) {
		verdict(false, "oldkey setup", "no memory or no spy server");
		return;
	}
	fill_seed(a_src, 65536, 41);
	fill_seed(b_src, 65536, 42);
	memcpy(a41, a_src, PROBE);
	memcpy(b42, b_src, PROBE);
	cp.cp_port = s.port;
	ret = xr_clnt_create(&cp, NULL, NULL, &cl, err, sizeof(err));
	if (ret) {
		verdict(false, "oldkey client", "%s (%d)", err, ret);
		spy_stop(&s);
		return;
	}
	xr_clnt_get_stats(cl, &c0);
	ret = spy_call_once(cl, a_src, a_dst, 10000, &rlen);
	ok_live = !ret && !s.st[T_LIVE_W] && !s.st[T_LIVE_R] && rlen == PROBE &&
		  all_byte(a_dst, PROBE, 0xEE) &&
		  all_byte(a_dst + PROBE, 65536 - PROBE, 0) &&
		  !memcmp(s.got[T_LIVE_R], a41, PROBE);
	snprintf(name, sizeof(name), "oldkey_live_keys_%s", mode);
	verdict(ok_live, name,
		"call %d; during the call: write %d, read %d, %zu bytes "
		"placed, read bytes %s",
		ret, s.st[T_LIVE_W], s.st[T_LIVE_R], rlen,
		memcmp(s.got[T_LIVE_R], a41, PROBE) ? "wrong" : "right");
	/* The caller reuses the first call's buffers for other bytes. */
	fill_seed(a_src, 65536, 43);
	fill_seed(a_dst, 65536, 44);
	/*
	 * The second call: the server tries the first call's keys, then
	 * Writes through the second call's key once the call returned.  A Write
	 * may complete at the sender once it left (libfabric tcp, siw report
	 * transmit completion), so what counts is where bytes landed.
	 */
	ret2 = spy_call_once(cl, b_src, b_dst, 5000, &rlen);
	memcpy(seen, b_dst, PROBE);
	s.late_now = true;
	for (i = 0; i < 300 && (s.st[T_OLD_W] == 1 || s.st[T_OLD_R] == 1 ||
				s.st[T_LATE_W] == 1);
	     i++)
		usleep(10000);
	usleep(100000); /* a Write completed at the sender may still land */
	xr_clnt_get_stats(cl, &c1);
	snprintf(name, sizeof(name), "oldkey_caller_memory_%s", mode);
	verdict(is_seed(a_src, 65536, 43) && is_seed(a_dst, 65536, 44), name,
		"first call's buffers, reused: %s, %s (old keys: write %d, "
		"read %d)",
		is_seed(a_src, 65536, 43) ? "source intact" : "SOURCE CHANGED",
		is_seed(a_dst, 65536, 44) ? "sink intact" : "DATA LANDED",
		s.st[T_OLD_W], s.st[T_OLD_R]);
	snprintf(name, sizeof(name), "oldkey_after_return_%s", mode);
	/*
	 * Per call, the client may drop a peer that used a dead key (the
	 * second call then fails); the pool gives the peer nothing to fail.
	 */
	verdict(
	    (ret2 ? !bounce
		  : rlen == PROBE && s.st[T_LATE_W] != 1 &&
			(all_byte(seen, PROBE, 0xEE) ||
			 all_byte(seen, PROBE, 0xDD))) &&
		!memcmp(seen, b_dst, PROBE) &&
		all_byte(b_dst + PROBE, 65536 - PROBE, 0),
	    name,
	    "second call %d, %zu bytes placed; result %s after the call "
	    "returned, nothing past the placed length %s (late write %d)",
	    ret2, rlen, memcmp(seen, b_dst, PROBE) ? "CHANGED" : "unchanged",
	    all_byte(b_dst + PROBE, 65536 - PROBE, 0) ? "written" : "WRITTEN",
	    s.st[T_LATE_W]);
	/*
	 * Per call: the old Read key must be dead.  Bounce: it reaches the
	 * pool, which may hold what this connection carried (the first or
	 * the second call's payload, or zeroes) - never the bytes the
	 * caller's buffer holds now.
	 */
	if (bounce)
		ok_read =
		    s.st[T_OLD_R] != 1 &&
		    (s.st[T_OLD_R] || !memcmp(s.got[T_OLD_R], a41, PROBE) ||
		     !memcmp(s.got[T_OLD_R], b42, PROBE) ||
		     !memcmp(s.got[T_OLD_R], zero, PROBE)) &&
		    c1.cs_reg_calls == c0.cs_reg_calls &&
		    c1.cs_bounce_hits - c0.cs_bounce_hits == 4;
	else
		ok_read = s.st[T_OLD_R] != 0 && s.st[T_OLD_R] != 1 &&
			  c1.cs_bounce_hits == c0.cs_bounce_hits;
	snprintf(name, sizeof(name), "oldkey_old_read_%s", mode);
	verdict(ok_read, name,
		"first call's Read key during the second: %d, bytes %s; "
		"%llu registrations, %llu bounce blocks in 2 calls",
		s.st[T_OLD_R],
		s.st[T_OLD_R]			       ? "none"
		: !memcmp(s.got[T_OLD_R], a41, PROBE)  ? "of call 1's payload"
		: !memcmp(s.got[T_OLD_R], b42, PROBE)  ? "of call 2's payload"
		: !memcmp(s.got[T_OLD_R], zero, PROBE) ? "zero"
						       : "FOREIGN",
		(unsigned long long)(c1.cs_reg_calls - c0.cs_reg_calls),
		(unsigned long long)(c1.cs_bounce_hits - c0.cs_bounce_hits));
	if (bounce)
		newconn(&s, cl, b_src, b_dst);
	xr_clnt_destroy(cl);
	spy_stop(&s);
	free(a_src);
	free(a_dst);
	free(b_src);
	free(b_dst);
}

int main(int argc, char **argv)
{
	struct xr_fabric_params fp = {0};
	struct xr_fabric *fab;
	char err[256];
	bool plain;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--backend"))
			backend = argv[i + 1];
		else if (!strcmp(argv[i], "--addr"))
			addr = argv[i + 1];
	}
	fp.xfp_backend = backend;
	fp.xfp_local_addr = addr;
	if (xr_fabric_open(&fp, &fab, err, sizeof(err))) {
		printf("SKIP: %s fabric cannot run here: %s\n", backend, err);
		return 77;
	}
	plain = !xr_fabric_local_needs_reg(fab);
	xr_fabric_close(fab);
	printf("backend %s on %s: local memory %s registration\n", backend,
	       addr, plain ? "needs no" : "needs a");
	stale(plain);
	arena(plain);
	oldkey(false);
	oldkey(true);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
