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

/* The lie in force: entries to put in a READDIR result, 0 to relay. */
static uint32_t readdir_lie(void)
{
	char line[64] = "";
	unsigned int n = 0;
	FILE *f = fopen(mode_file, "r");

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && sscanf(line, "readdir %u", &n) != 1)
		n = 0;
	fclose(f);
	return n;
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

/* Reply @in as sent on, into @out (a copy, or the lie). */
static void tamper(const uint8_t *in, size_t len, struct rec *out)
{
	uint32_t n = readdir_lie(), i;
	size_t at = n ? readdir_entries_at(in, len) : 0;

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

/* Relay one connection until either side closes. */
static void relay(int cfd, int bfd)
{
	struct rec in = {0}, out = {0}, frag = {0};
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
			n = read(cfd, buf, sizeof(buf));
			if (n <= 0 || write_full(bfd, buf, (size_t)n))
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
