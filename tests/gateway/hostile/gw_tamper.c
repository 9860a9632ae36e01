/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A hostile backend for the gateway tests: a TCP relay between the
 * gateway (FSAL_RDMA_PROXY with Transport = tcp) and a real backend
 * ganesha.nfsd, which passes everything through until told to lie.
 *
 * How this works: calls go to the backend untouched; replies are read
 * record by record (RFC 5531 record marking, fragments joined) and, when
 * the mode file says so, a READDIR result is rewritten before it is sent
 * on: its entries are replaced by N minimal entries ("readdir N"), the
 * rest of the reply (RPC header, SEQUENCE, PUTFH) is the backend's own.
 * The mode file is read again for every reply, so a test switches the
 * lie on and off while the gateway runs; "pass" (or no file) relays.
 * One connection at a time (the gateway opens one).
 *
 * Two more lies keep the backend's own entries (names, attributes and
 * handles are real) but make the listing endless: "cycle" rewrites every
 * READDIR call's cookie and verifier to 0 (so the backend always answers
 * its first page) and the reply's cookies to 1001.. and 2001.. on
 * alternate replies, with eof false - the pages go round without a
 * cookie ever repeating the one asked for; "endless" does the same with
 * cookies that grow from reply to reply (1000 per reply), never repeating.
 *
 * It also reads the calls it relays (untouched): every lock owner the
 * gateway names to the backend in LOCK (with a new lock owner) or LOCKT
 * is logged on stderr as "lock-owner OP open=STATEID name=HEX ptrlike=B",
 * ptrlike 1 when the name holds what looks like a user-space address
 * (a run of hex digits, or 8 raw bytes, whose value is in the x86-64
 * heap and mmap ranges): issue 11 finding 9, owner names were heap
 * addresses, which leak them and are reused by the next owner.
 *
 * Usage: gw_tamper LISTEN_PORT BACKEND_PORT MODE_FILE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OP_LOCK 12
#define OP_LOCKT 13
#define OP_PUTFH 22
#define OP_READDIR 26
#define OP_SEQUENCE 53
#define REC_MAX (16u << 20)

static const char *mode_file;

struct rec {
	uint8_t *buf;
	size_t len, cap;
};

static int write_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void put_room(struct rec *r, size_t more)
{
	if (r->len + more <= r->cap)
		return;
	while (r->cap < r->len + more)
		r->cap = r->cap ? r->cap * 2 : 65536;
	r->buf = realloc(r->buf, r->cap);
	if (!r->buf)
		abort();
}

static void put32(struct rec *r, uint32_t v)
{
	put_room(r, 4);
	v = htonl(v);
	memcpy(r->buf + r->len, &v, 4);
	r->len += 4;
}

static bool get32(const uint8_t *b, size_t len, size_t *off, uint32_t *v)
{
	if (*off + 4 > len)
		return false;
	memcpy(v, b + *off, 4);
	*v = ntohl(*v);
	*off += 4;
	return true;
}

static bool skip_opaque(const uint8_t *b, size_t len, size_t *off)
{
	uint32_t n;

	if (!get32(b, len, off, &n) || n > len)
		return false;
	*off += (n + 3) & ~3u;
	return *off <= len;
}

enum lie { LIE_NONE, LIE_ENTRIES, LIE_CYCLE, LIE_ENDLESS };

/* The lie in force; for LIE_ENTRIES the entries to put in @n. */
static enum lie readdir_lie(uint32_t *n)
{
	char line[64] = "";
	unsigned int v = 0;
	enum lie lie = LIE_NONE;
	FILE *f = fopen(mode_file, "r");

	*n = 0;
	if (!f)
		return LIE_NONE;
	if (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "readdir %u", &v) == 1 && v)
			lie = LIE_ENTRIES;
		else if (!strncmp(line, "cycle", 5))
			lie = LIE_CYCLE;
		else if (!strncmp(line, "endless", 7))
			lie = LIE_ENDLESS;
	}
	fclose(f);
	*n = v;
	return lie;
}

/*
 * Offset just past a READDIR result's cookieverf in reply @b, or 0 when
 * the reply is not SEQUENCE, PUTFH, READDIR with all three OK.
 */
static size_t readdir_entries_at(const uint8_t *b, size_t len)
{
	size_t off = 4;
	uint32_t v, i, nres, op, st;

	/* xid, REPLY, MSG_ACCEPTED, verifier, SUCCESS */
	if (!get32(b, len, &off, &v) || v != 1 || !get32(b, len, &off, &v) ||
	    v != 0 || !get32(b, len, &off, &v) || !skip_opaque(b, len, &off) ||
	    !get32(b, len, &off, &v) || v != 0)
		return 0;
	/* COMPOUND status, tag, result count */
	if (!get32(b, len, &off, &st) || !skip_opaque(b, len, &off) ||
	    !get32(b, len, &off, &nres) || nres != 3)
		return 0;
	for (i = 0; i < nres; i++) {
		if (!get32(b, len, &off, &op) || !get32(b, len, &off, &st) ||
		    st != 0)
			return 0;
		if (i == 0 && op == OP_SEQUENCE)
			off += 16 + 5 * 4; /* sessionid, 5 words */
		else if (i == 1 && op == OP_PUTFH)
			continue;
		else if (i == 2 && op == OP_READDIR)
			return off + 8 <= len ? off + 8 : 0;
		else
			return 0;
	}
	return 0;
}

/*
 * The backend's own entries after @at in @out, their cookies renumbered
 * from @base and eof cleared.  False when the entries do not parse.
 */
static bool renumber(struct rec *out, size_t at, uint64_t base)
{
	uint8_t *b = out->buf;
	size_t off = at, len = out->len;
	uint32_t follows, words, hi, lo, i = 0;

	for (;;) {
		if (!get32(b, len, &off, &follows))
			return false;
		if (!follows)
			break;
		if (off + 8 > len)
			return false;
		hi = htonl((uint32_t)((base + i + 1) >> 32));
		lo = htonl((uint32_t)(base + i + 1));
		memcpy(b + off, &hi, 4);
		memcpy(b + off + 4, &lo, 4);
		off += 8;
		i++;
		/* name, attribute bitmap, attribute values */
		if (!skip_opaque(b, len, &off) ||
		    !get32(b, len, &off, &words) || words > 8)
			return false;
		off += 4 * (size_t)words;
		if (off > len || !skip_opaque(b, len, &off))
			return false;
	}
	if (off + 4 > len)
		return false;
	memset(b + off, 0, 4); /* eof: false */
	fprintf(
	    stderr,
	    "gw_tamper: READDIR reply renumbered: %u entries from %llu, no eof\n",
	    i, (unsigned long long)base + 1);
	return true;
}

/* Reply @in as sent on, into @out (a copy, or the lie). */
static void tamper(const uint8_t *in, size_t len, struct rec *out)
{
	static uint64_t replies;
	uint32_t n, i;
	enum lie lie = readdir_lie(&n);
	size_t at = lie != LIE_NONE ? readdir_entries_at(in, len) : 0;

	if (lie == LIE_CYCLE || lie == LIE_ENDLESS) {
		out->len = 0;
		put_room(out, len);
		memcpy(out->buf, in, len);
		out->len = len;
		if (at) {
			replies++;
			(void)renumber(out, at,
				       lie == LIE_CYCLE
					   ? 1000 * (1 + replies % 2)
					   : 1000 * replies);
		}
		return;
	}
	out->len = 0;
	put_room(out, at ? at : len);
	memcpy(out->buf, in, at ? at : len);
	out->len = at ? at : len;
	if (!at)
		return;
	for (i = 0; i < n; i++) {
		put32(out, 1);	   /* value_follows */
		put32(out, 0);	   /* cookie, high */
		put32(out, i + 3); /* cookie, low */
		put32(out, 1);	   /* name "x" */
		put32(out, 0x78000000);
		put32(out, 0); /* empty bitmap */
		put32(out, 0); /* no attribute bytes */
	}
	put32(out, 0); /* no more entries */
	put32(out, 1); /* eof */
	fprintf(
	    stderr,
	    "gw_tamper: READDIR reply rewritten with %u entries (%zu bytes)\n",
	    n, out->len);
}

/*
 * Move the next whole record (fragments joined) from @in to @rec.
 * Returns 1 when @rec holds one, 0 when more bytes are needed, -1 for a
 * record over REC_MAX (then nothing more is inspected).
 */
static int take_record(struct rec *in, struct rec *rec)
{
	for (;;) {
		uint32_t mark, flen;

		if (in->len < 4)
			return 0;
		memcpy(&mark, in->buf, 4);
		mark = ntohl(mark);
		flen = mark & 0x7fffffffu;
		if (flen > REC_MAX || rec->len + flen > REC_MAX) {
			in->len = 0;
			return -1;
		}
		if (in->len < 4 + (size_t)flen)
			return 0;
		put_room(rec, flen);
		memcpy(rec->buf + rec->len, in->buf + 4, flen);
		rec->len += flen;
		memmove(in->buf, in->buf + 4 + flen, in->len - 4 - flen);
		in->len -= 4 + (size_t)flen;
		if (mark & 0x80000000u)
			return 1;
	}
}

/* Does @v look like a user-space address (PIE heap 0x55.., mmap 0x7f..)? */
static bool addr_like(uint64_t v)
{
	return v >= 0x550000000000ull && v < 0x800000000000ull;
}

static bool name_ptrlike(const uint8_t *b, size_t n)
{
	size_t i, j;
	uint64_t v;

	for (i = 0; i + 8 <= n; i++) { /* raw, either byte order */
		memcpy(&v, b + i, 8);
		if (addr_like(v) || addr_like(__builtin_bswap64(v)))
			return true;
	}
	for (i = 0; i < n; i = j + 1) { /* a run of hex digits, 0x or not */
		v = 0;
		for (j = i; j < n; j++) {
			uint8_t c = b[j];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;

			if (d < 0)
				break;
			v = v << 4 | (uint64_t)d;
		}
		/* the whole run's value: a 64-bit random one rarely fits */
		if (j - i <= 16 && addr_like(v))
			return true;
	}
	return false;
}

static void log_owner(const char *op, const uint8_t *open, const uint8_t *b,
		      size_t n)
{
	size_t i;

	fprintf(stderr, "gw_tamper: lock-owner %s open=", op);
	for (i = 0; i < 12; i++)
		fprintf(stderr, "%02x", open ? open[i] : 0);
	fprintf(stderr, " name=");
	for (i = 0; i < n; i++)
		fprintf(stderr, "%02x", b[i]);
	fprintf(stderr, " ptrlike=%d\n", name_ptrlike(b, n));
}

/*
 * Step over a COMPOUND call's RPC header (xid, CALL, RPC 2, NFS, 4,
 * COMPOUND; credential and verifier) and its tag and minor version, to
 * its count of operations, put in @nops.  False on a short message.
 */
static bool skip_call_header(const uint8_t *b, size_t len, size_t *off,
			     uint32_t *nops)
{
	uint32_t v, i;

	for (i = 0; i < 6; i++)
		if (!get32(b, len, off, &v))
			return false;
	if (!get32(b, len, off, &v) || !skip_opaque(b, len, off) ||
	    !get32(b, len, off, &v) || !skip_opaque(b, len, off))
		return false;
	return skip_opaque(b, len, off) && get32(b, len, off, &v) &&
	       get32(b, len, off, nops);
}

/* Log the lock owners one call names (see the top of this file). */
static void inspect_call(const uint8_t *b, size_t len)
{
	size_t off = 0;
	uint32_t v, nops, op, i;
	const uint8_t *open;

	if (!skip_call_header(b, len, &off, &nops))
		return;
	for (i = 0; i < nops && get32(b, len, &off, &op); i++) {
		switch (op) {
		case OP_SEQUENCE:
			off += 32;
			break;
		case OP_PUTFH:
			if (!skip_opaque(b, len, &off))
				return;
			break;
		case OP_LOCK:
			/* type, reclaim, offset, length, new_lock_owner */
			off += 24;
			if (!get32(b, len, &off, &v) || !v)
				return; /* an existing lock stateid */
			/* open_seqid, open_stateid, lock_seqid, clientid */
			open = b + off + 8;
			off += 4 + 16 + 4 + 8;
			if (!get32(b, len, &off, &v) || v > len - off)
				return;
			log_owner("LOCK", open, b + off, v);
			return;
		case OP_LOCKT:
			/* type, offset, length, clientid */
			off += 4 + 8 + 8 + 8;
			if (!get32(b, len, &off, &v) || v > len - off)
				return;
			log_owner("LOCKT", NULL, b + off, v);
			return;
		default:
			return;
		}
		if (off > len)
			return;
	}
}

/*
 * Under "cycle" and "endless": a READDIR call (after SEQUENCE and PUTFH)
 * asks for the start of the listing, cookie and verifier 0, whatever the
 * gateway asked for.
 */
static void rewind_call(uint8_t *b, size_t len)
{
	size_t off = 0;
	uint32_t v, nops, op;

	if (readdir_lie(&v) < LIE_CYCLE)
		return;
	if (!skip_call_header(b, len, &off, &nops) || nops != 3)
		return;
	if (!get32(b, len, &off, &op) || op != OP_SEQUENCE)
		return;
	off += 32;
	if (!get32(b, len, &off, &op) || op != OP_PUTFH ||
	    !skip_opaque(b, len, &off) || !get32(b, len, &off, &op) ||
	    op != OP_READDIR || off + 16 > len)
		return;
	memset(b + off, 0, 16); /* cookie, cookieverf */
}

/* Relay one connection until either side closes. */
static void relay(int cfd, int bfd)
{
	struct rec in = {0}, out = {0}, frag = {0}, cin = {0}, cfrag = {0};
	struct pollfd p[2] = {{cfd, POLLIN, 0}, {bfd, POLLIN, 0}};
	uint8_t buf[65536];

	for (;;) {
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			int got;

			n = read(cfd, buf, sizeof(buf));
			if (n <= 0)
				break;
			put_room(&cin, (size_t)n);
			memcpy(cin.buf + cin.len, buf, (size_t)n);
			cin.len += (size_t)n;
			/* calls go on record by record, one fragment each */
			while ((got = take_record(&cin, &cfrag)) > 0) {
				uint32_t mark;

				inspect_call(cfrag.buf, cfrag.len);
				rewind_call(cfrag.buf, cfrag.len);
				mark = htonl(0x80000000u | (uint32_t)cfrag.len);
				if (write_full(bfd, &mark, 4) ||
				    write_full(bfd, cfrag.buf, cfrag.len))
					goto out;
				cfrag.len = 0;
			}
			if (got < 0)
				break;
		}
		if (!p[1].revents)
			continue;
		n = read(bfd, buf, sizeof(buf));
		if (n <= 0)
			break;
		put_room(&in, (size_t)n);
		memcpy(in.buf + in.len, buf, (size_t)n);
		in.len += (size_t)n;
		/* whole fragments: join them; a last one ends a record */
		for (;;) {
			uint32_t mark, flen;

			if (in.len < 4)
				break;
			memcpy(&mark, in.buf, 4);
			mark = ntohl(mark);
			flen = mark & 0x7fffffffu;
			if (flen > REC_MAX || frag.len + flen > REC_MAX)
				goto out;
			if (in.len < 4 + (size_t)flen)
				break;
			put_room(&frag, flen);
			memcpy(frag.buf + frag.len, in.buf + 4, flen);
			frag.len += flen;
			memmove(in.buf, in.buf + 4 + flen, in.len - 4 - flen);
			in.len -= 4 + (size_t)flen;
			if (!(mark & 0x80000000u))
				continue;
			tamper(frag.buf, frag.len, &out);
			frag.len = 0;
			mark = htonl(0x80000000u | (uint32_t)out.len);
			if (write_full(cfd, &mark, 4) ||
			    write_full(cfd, out.buf, out.len))
				goto out;
		}
	}
out:
	free(in.buf);
	free(out.buf);
	free(frag.buf);
	free(cin.buf);
	free(cfrag.buf);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int lfd, one = 1;

	if (argc != 4) {
		fprintf(
		    stderr,
		    "usage: gw_tamper LISTEN_PORT BACKEND_PORT MODE_FILE\n");
		return 2;
	}
	mode_file = argv[3];
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)atoi(argv[1]));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 4)) {
		perror("gw_tamper: listen");
		return 1;
	}
	for (;;) {
		struct sockaddr_in b = {.sin_family = AF_INET};
		int cfd = accept(lfd, NULL, NULL), bfd;

		if (cfd < 0)
			continue;
		b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		b.sin_port = htons((uint16_t)atoi(argv[2]));
		bfd = socket(AF_INET, SOCK_STREAM, 0);
		if (bfd >= 0 && !connect(bfd, (struct sockaddr *)&b, sizeof(b)))
			relay(cfd, bfd);
		if (bfd >= 0)
			close(bfd);
		close(cfd);
	}
}
