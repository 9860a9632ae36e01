/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A fake NFS server that answers every call with a chosen kind of broken
 * reply, to check that the client fails cleanly (clear error, no crash,
 * no hang).  Usage: sess_fake_server MODE; prints its TCP port on stdout,
 * serves connections one after the other until killed.
 *
 * Modes: garbage, badstat, huge, truncated, badcount, wrongop, shortbody,
 * wrongxid, denied, minorvers, empty.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static size_t words(uint8_t *p, const uint32_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put32(p + 4 * i, w[i]);
	return 4 * n;
}

/* Build the reply body (after the record mark) for @mode. */
static size_t build(const char *mode, uint32_t xid, uint8_t *out,
		    uint32_t *mark_override)
{
	/* xid REPLY MSG_ACCEPTED verf(AUTH_NONE,0) SUCCESS */
	uint32_t hdr[] = {xid, 1, 0, 0, 0, 0};
	size_t n = words(out, hdr, 6);
	size_t i;

	*mark_override = 0;
	if (!strcmp(mode, "garbage")) {
		for (i = 8; i < 200; i++)
			out[i] = (uint8_t)(i * 37 + 11);
		out[4] = 0;
		out[5] = 0;
		out[6] = 0;
		out[7] = 1; /* REPLY, then junk */
		return 200;
	}
	if (!strcmp(mode, "badstat")) {
		put32(out + 8, 7);
		return 12;
	}
	if (!strcmp(mode, "huge")) {
		*mark_override = 0x80000000u | 0x7fffffffu;
		return n;
	}
	if (!strcmp(mode, "truncated")) {
		*mark_override = 0x80000000u | 1000;
		return n; /* far fewer than 1000 bytes, then close */
	}
	if (!strcmp(mode, "badcount")) {
		uint32_t body[] = {0, 0, 1000000};

		return n + words(out + n, body, 3);
	}
	if (!strcmp(mode, "wrongop")) {
		/* one result, for GETFH, with an error */
		uint32_t body[] = {10001, 0, 1, 10, 10001};

		return n + words(out + n, body, 5);
	}
	if (!strcmp(mode, "shortbody")) {
		/* EXCHANGE_ID4res OK, then the client id cut in half */
		uint32_t body[] = {0, 0, 1, 42, 0, 0x1234};

		return n + words(out + n, body, 6);
	}
	if (!strcmp(mode, "wrongxid")) {
		put32(out, xid + 1);
		return n + words(out + n, (uint32_t[]){0, 0, 0}, 3);
	}
	if (!strcmp(mode, "denied")) {
		uint32_t d[] = {xid, 1, 1, 1, 1}; /* AUTH_ERROR badcred */

		return words(out, d, 5);
	}
	if (!strcmp(mode, "empty"))
		return n; /* accepted header, no COMPOUND4res at all */
	if (!strcmp(mode, "minorvers")) {
		uint32_t body[] = {10021, 0, 0};

		return n + words(out + n, body, 3);
	}
	fprintf(stderr, "sess_fake_server: unknown mode %s\n", mode);
	exit(2);
}

static void serve(int fd, const char *mode)
{
	static uint8_t in[1 << 20], out[4096];
	uint32_t mark, len, xid, over;
	size_t n;

	for (;;) {
		if (read_full(fd, &mark, 4))
			return;
		len = ntohl(mark) & 0x7fffffffu;
		if (len < 4 || len > sizeof(in) || read_full(fd, in, len))
			return;
		memcpy(&xid, in, 4);
		xid = ntohl(xid);
		n = build(mode, xid, out, &over);
		put32((uint8_t *)&mark, over ? over : (0x80000000u | n));
		if (write(fd, &mark, 4) != 4 || write(fd, out, n) != (ssize_t)n)
			return;
		if (!strcmp(mode, "truncated") || !strcmp(mode, "huge"))
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int ls, fd, one = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: sess_fake_server MODE\n");
		return 2;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ls, 8) || getsockname(ls, (struct sockaddr *)&sa, &sl)) {
		perror("sess_fake_server");
		return 1;
	}
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		serve(fd, argv[1]);
		close(fd);
	}
}
