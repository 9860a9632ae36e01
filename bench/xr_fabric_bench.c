/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Fabric benchmark: message rate, RDMA bandwidth and round-trip latency of
 * one connection over the fabric seam, beside a plain TCP socket doing the
 * same work in the same run.  How this works:
 *
 *   xr_fabric_bench --backend ofi|verbs|loop [--provider tcp] [--local L]
 *                   --addr A --port P
 *                   --role server|client|both [--small] [--no-tcp]
 *                   [--seconds S]
 *
 * The server process accepts one fabric connection (1 MiB read/write
 * region, 512 receives of 4 KiB), answers DONE with ACK and echoes PING;
 * then it accepts one TCP connection on port P+1 (or a free port) and
 * serves stream and ping-pong requests.  The client measures:
 *   - send/recv rate: 4 KiB sends, 128 in flight, timed up to the ACK of a
 *     DONE sent after them (so everything was received, not just queued);
 *   - RDMA Write and Read bandwidth at 4 KiB, 64 KiB and 1 MiB with a
 *     window of operations in flight, timed the same way;
 *   - round trip: a 64-byte and a 4 KiB message and the echo back.
 * Each test runs until its byte/iteration budget or --seconds, whichever
 * comes first.  The TCP column does the same over a socket (stream of the
 * same chunk size for rate and bandwidth; echo for latency); ratio is
 * fabric/TCP (for latency, above 1 means the fabric is slower).
 * --role both forks server and client (loop, in-process: the server runs on
 * a thread).  Exit 77 if the backend cannot run.
 * Options, opening, buffers, the port report and the roles are the fabric
 * harness's (tests/fabric/fabric_harness.h), shared with the conformance
 * suite; the pump and the measurements are this file's.
 */
#include "fabric_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MiB (1024u * 1024u)
#define REGION (2 * MiB)
#define MSG 4096u
#define NRECV 512u
#define SEND_WINDOW 128u
#define TIMEOUT_MS 30000
#define CREDIT_EVERY 64

struct bmsg {
	char b_cmd[8];
	uint32_t b_seq;
};

struct binfo {
	uint32_t bi_handle;
	uint64_t bi_off;
};

static struct fh_opts opts = FH_OPTS_INIT;
static int opt_small, opt_no_tcp;
static double opt_seconds = 2.0;

/* Buffers of one side: a region for RDMA and the message buffers. */
struct side {
	struct xr_fabric *fab;
	struct xr_ep *ep;
	struct fh_buf region; /* REGION bytes the peer reads and writes */
	struct fh_buf msgs;   /* NRECV receive slots, then the send slots */
	int state;	      /* 0 connecting, 1 up, 2 gone */
	struct binfo peer;
	uint32_t nin;
	struct bmsg last_in;
	uint32_t done_ops, failed_ops;
	uint64_t data_in;  /* server: DATA messages received */
	uint64_t credited; /* client: DATA the server said it consumed */
};

static int side_alloc(struct side *s)
{
	int ret;

	ret = fh_buf_alloc(s->fab, REGION,
			   XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ |
			       XR_ACCESS_REMOTE_WRITE,
			   &s->region);
	if (!ret)
		ret = fh_buf_alloc(s->fab,
				   (size_t)(NRECV + SEND_WINDOW + 1) * MSG,
				   XR_ACCESS_LOCAL, &s->msgs);
	if (ret)
		fprintf(stderr, "%s\n",
			ret == -ENOMEM ? "out of memory"
				       : xr_fabric_strerror(s->fab));
	return ret;
}

static void side_free(struct side *s)
{
	xr_ep_destroy(s->ep);
	fh_buf_free(&s->region);
	fh_buf_free(&s->msgs);
	xr_fabric_close(s->fab);
}

static void repost(struct side *s, void *buf)
{
	struct xr_recv r =
	    fh_buf_recv(&s->msgs, fh_buf_index(&s->msgs, buf, MSG), MSG);
	uint32_t posted;

	if (s->state == 1)
		xr_post_recvs(s->ep, &r, 1, &posted);
}

static int send_msg(struct side *s, uint32_t slot, const char *cmd,
		    uint32_t len, void *ctx)
{
	uint8_t *b = fh_buf_slot(&s->msgs, NRECV + slot, MSG);
	struct xr_sge sge = fh_buf_sge(&s->msgs, b, len);
	struct bmsg m = {.b_seq = 0};

	snprintf(m.b_cmd, sizeof(m.b_cmd), "%s", cmd);
	memcpy(b, &m, sizeof(m));
	return xr_post_send(s->ep, &sge, 1, false, 0, ctx);
}

/*
 * One round of events and completions.  Receives count into nin and are
 * handed to on_recv (server) or kept (client); other completions count.
 */
static void pump(struct side *s, int ms,
		 void (*on_recv)(struct side *, void *, uint32_t))
{
	struct xr_completion wc[64];
	struct xr_event ev;
	int n, i;

	while (xr_fabric_get_event(s->fab, &ev) == 0) {
		if (ev.xv_type == XR_EV_ESTABLISHED) {
			s->state = 1;
			if (ev.xv_pdata_len >= sizeof(s->peer))
				memcpy(&s->peer, ev.xv_pdata, sizeof(s->peer));
		} else if (ev.xv_type != XR_EV_CONNECT_REQUEST) {
			if (s->state == 1 && ev.xv_type == XR_EV_ERROR)
				fprintf(stderr,
					"connection ended: event %d, status "
					"%d (%s)\n",
					ev.xv_type, ev.xv_status,
					xr_fabric_strerror(s->fab));
			s->state = 2;
		}
	}
	n = xr_fabric_poll(s->fab, wc, 64);
	for (i = 0; i < n; i++) {
		if (wc[i].xc_status) {
			if (wc[i].xc_status != -ECANCELED)
				s->failed_ops++;
			continue;
		}
		if (wc[i].xc_op == XR_OP_RECV) {
			memcpy(&s->last_in, wc[i].xc_ctx, sizeof(s->last_in));
			if (!strcmp(s->last_in.b_cmd, "CRED")) {
				s->credited = s->last_in.b_seq;
				repost(s, wc[i].xc_ctx);
				continue;
			}
			s->nin++;
			if (on_recv)
				on_recv(s, wc[i].xc_ctx, wc[i].xc_len);
			else
				repost(s, wc[i].xc_ctx);
		} else {
			s->done_ops++;
			/* A server echo was sent from a receive buffer. */
			if (wc[i].xc_ctx)
				repost(s, wc[i].xc_ctx);
		}
	}
	if (n == 0 && ms)
		fh_wait(s->fab, ms);
}

/* ------------------------------------------------------------ server */

static void srv_recv(struct side *s, void *buf, uint32_t len)
{
	struct bmsg m;
	struct xr_sge sge = fh_buf_sge(&s->msgs, buf, len);

	memcpy(&m, buf, sizeof(m));
	/*
	 * Credits: iWARP has no receiver-not-ready retry, so a send that
	 * finds no receive kills the connection.  Every CREDIT_EVERY DATA
	 * messages the server says how many it consumed; the client keeps
	 * fewer than NRECV / 2 beyond that (RPC-over-RDMA does the same).
	 */
	if (!strcmp(m.b_cmd, "DATA") && ++s->data_in % CREDIT_EVERY == 0) {
		m = (struct bmsg){.b_cmd = "CRED",
				  .b_seq = (uint32_t)s->data_in};
		memcpy(buf, &m, sizeof(m));
		sge.ge_len = sizeof(m);
		if (xr_post_send(s->ep, &sge, 1, false, 0, buf) == 0)
			return;
	}
	if (!strcmp(m.b_cmd, "PING") || !strcmp(m.b_cmd, "DONE")) {
		if (!strcmp(m.b_cmd, "DONE"))
			memcpy(buf, "ACK", 4);
		/* Echo from the buffer itself; reposted when sent. */
		if (xr_post_send(s->ep, &sge, 1, false, 0, buf) == 0)
			return;
	}
	repost(s, buf);
}

static int tcp_listen(uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(port)};
	socklen_t len = sizeof(sin);
	int fd, one = 1;

	inet_pton(AF_INET, opts.fo_addr, &sin.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		close(fd);
		return -1;
	}
	*bound = ntohs(sin.sin_port);
	return fd;
}

static int full_io(int fd, void *buf, size_t len, bool wr)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = wr ? write(fd, (char *)buf + done, len - done)
		       : read(fd, (char *)buf + done, len - done);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* TCP request: mode 1 stream (read count*size, answer 1 byte), 2 echo. */
struct treq {
	uint32_t t_mode, t_size;
	uint64_t t_count;
};

static void tcp_serve(int lfd)
{
	int fd = accept(lfd, NULL, NULL), one = 1;
	uint8_t *buf = malloc(MiB);
	struct treq q;
	uint64_t i;

	if (fd < 0 || !buf)
		goto out;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (full_io(fd, &q, sizeof(q), false) == 0 && q.t_mode) {
		if (q.t_size > MiB)
			break;
		for (i = 0; i < q.t_count; i++) {
			if (full_io(fd, buf, q.t_size, false))
				goto out;
			if (q.t_mode == 2 && full_io(fd, buf, q.t_size, true))
				goto out;
		}
		if (q.t_mode == 1 && full_io(fd, buf, 1, true))
			break;
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

static int run_server(int port_pipe)
{
	struct side s = {0};
	struct xr_recv pre[NRECV];
	struct xr_listener *lis;
	struct xr_ep_attr attr;
	struct xr_event ev;
	struct binfo bi;
	uint16_t tcp_port = 0;
	int lfd = -1;
	double idle = fh_now_s();

	s.fab = fh_open(&opts);
	if (side_alloc(&s))
		return 1;
	if (!opt_no_tcp) {
		lfd = tcp_listen(
		    opts.fo_port ? (uint16_t)(opts.fo_port + 1) : 0, &tcp_port);
		if (lfd < 0) {
			perror("server: tcp listen");
			return 1;
		}
	}
	if (fh_listen(s.fab, &opts, 4, port_pipe, tcp_port, &lis))
		return 1;
	fh_buf_recvs(&s.msgs, 0, NRECV, MSG, pre);
	xr_ep_attr_from_credits(NRECV, &attr);
	attr.xea_send_depth = NRECV;
	while (!s.ep && fh_now_s() - idle < 60) {
		if (xr_fabric_get_event(s.fab, &ev)) {
			fh_wait(s.fab, 100);
			continue;
		}
		if (ev.xv_type != XR_EV_CONNECT_REQUEST)
			continue;
		bi.bi_handle = xr_mr_handle(s.region.fb_mr);
		bi.bi_off = xr_mr_wire_offset(s.region.fb_mr, s.region.fb_mem);
		s.state = 1;
		if (xr_accept(ev.xv_req, &attr, pre, NRECV, &bi, sizeof(bi),
			      NULL, &s.ep)) {
			fprintf(stderr, "server: %s\n",
				xr_fabric_strerror(s.fab));
			return 1;
		}
	}
	while (s.ep && (s.state == 1 || xr_ep_outstanding(s.ep)))
		pump(&s, 100, srv_recv);
	xr_listener_close(lis);
	side_free(&s);
	if (lfd >= 0) {
		tcp_serve(lfd);
		close(lfd);
	}
	return 0;
}

/* ------------------------------------------------------------ client */

struct row {
	const char *name;
	uint32_t size;
	double fabric, tcp;
	const char *unit;
	uint64_t work; /* chunks or round trips the fabric test did */
};

/* Work done by the last fabric test: TCP then does the same amount. */
static uint64_t last_work;

/* Send DONE and wait for the ACK: everything before it has landed. */
static int sync_peer(struct side *s)
{
	uint32_t before = s->nin;
	double end = fh_now_s() + TIMEOUT_MS / 1000.0;

	if (send_msg(s, SEND_WINDOW, "DONE", sizeof(struct bmsg), NULL))
		return -1;
	while (s->nin == before && fh_now_s() < end && s->state == 1)
		pump(s, 10, NULL);
	return s->nin == before ? -1 : 0;
}

static double bench_msg_rate(struct side *s, uint64_t budget)
{
	uint64_t posted = 0;
	uint32_t inflight_base;
	double t0 = fh_now_s(), t1;

	s->done_ops = 0;
	inflight_base = 0;
	while (posted < budget && fh_now_s() - t0 < opt_seconds) {
		while (posted - (s->done_ops - inflight_base) < SEND_WINDOW &&
		       posted - s->credited < NRECV / 2 && posted < budget) {
			if (send_msg(s, (uint32_t)(posted % SEND_WINDOW),
				     "DATA", MSG, NULL))
				break;
			posted++;
		}
		pump(s, 1, NULL);
	}
	while (s->done_ops < posted && s->state == 1 && fh_now_s() - t0 < 60)
		pump(s, 1, NULL);
	if (sync_peer(s))
		return 0;
	t1 = fh_now_s();
	last_work = posted;
	return (double)posted / (t1 - t0);
}

static double bench_rdma(struct side *s, enum xr_op op, uint32_t size,
			 uint64_t budget_bytes)
{
	uint32_t window = size >= MiB ? 8 : size >= 65536 ? 32 : 128;
	uint32_t slots = MiB / size, base = s->done_ops;
	uint64_t posted = 0, bytes = 0;
	double t0 = fh_now_s();
	int ret;

	while (bytes < budget_bytes && fh_now_s() - t0 < opt_seconds &&
	       s->state == 1) {
		while (posted - (s->done_ops - base) < window &&
		       bytes < budget_bytes) {
			uint32_t slot = (uint32_t)(posted % slots);
			struct xr_sge sge = fh_buf_sge(
			    &s->region, fh_buf_slot(&s->region, slot, size),
			    size);
			uint64_t roff = s->peer.bi_off + (uint64_t)slot * size;

			ret = op == XR_OP_WRITE
				  ? xr_post_write(s->ep, &sge, 1, roff,
						  s->peer.bi_handle, NULL)
				  : xr_post_read(s->ep, &sge, 1, roff,
						 s->peer.bi_handle, NULL);
			if (ret)
				break;
			posted++;
			bytes += size;
		}
		pump(s, 1, NULL);
	}
	while (s->done_ops - base < posted && s->state == 1 &&
	       fh_now_s() - t0 < 60)
		pump(s, 1, NULL);
	if (s->failed_ops || sync_peer(s))
		return 0;
	last_work = posted;
	return (double)bytes / (fh_now_s() - t0) / 1e6;
}

static double bench_rtt(struct side *s, uint32_t size, uint32_t iters)
{
	double t0 = fh_now_s();
	uint32_t i, before;

	for (i = 0; i < iters && fh_now_s() - t0 < opt_seconds; i++) {
		before = s->nin;
		if (send_msg(s, 0, "PING", size, NULL))
			return 0;
		while (s->nin == before && s->state == 1 &&
		       fh_now_s() - t0 < 60)
			pump(s, 0, NULL);
		if (s->nin == before)
			return 0;
	}
	last_work = i;
	return (fh_now_s() - t0) / i * 1e6;
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	inet_pton(AF_INET, opts.fo_addr, &sin.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Stream count chunks of size; returns MB/s, or chunks/s with rate. */
static double tcp_stream(int fd, uint8_t *buf, uint32_t size, uint64_t count,
			 bool rate)
{
	struct treq q = {.t_mode = 1, .t_size = size, .t_count = count};
	double t0 = fh_now_s(), dt;
	uint64_t i;

	if (full_io(fd, &q, sizeof(q), true))
		return 0;
	for (i = 0; i < count; i++)
		if (full_io(fd, buf, size, true))
			return 0;
	if (full_io(fd, buf, 1, false))
		return 0;
	dt = fh_now_s() - t0;
	return rate ? (double)count / dt : (double)count * size / dt / 1e6;
}

static double tcp_rtt(int fd, uint8_t *buf, uint32_t size, uint32_t iters)
{
	struct treq q = {.t_mode = 2, .t_size = size, .t_count = iters};
	double t0 = fh_now_s();
	uint32_t i;

	if (full_io(fd, &q, sizeof(q), true))
		return 0;
	for (i = 0; i < iters; i++)
		if (full_io(fd, buf, size, true) ||
		    full_io(fd, buf, size, false))
			return 0;
	return (fh_now_s() - t0) / iters * 1e6;
}

static void add_row(struct row *rows, int *n, const char *name, uint32_t size,
		    const char *unit, double fabric)
{
	rows[*n] = (struct row){name, size, fabric, 0, unit, last_work};
	last_work = 0;
	(*n)++;
}

static int run_client(uint16_t port, uint16_t tcp_port)
{
	static const uint32_t sz[] = {4096, 65536, MiB};
	struct side s = {0};
	struct xr_recv pre[NRECV];
	struct xr_ep_attr attr;
	struct row rows[10];
	uint64_t fscale = opt_small ? 1 : 100;
	double end;
	int nrows = 0, i, fd, bad = 0;
	uint8_t *buf;
	uint32_t k;

	s.fab = fh_open(&opts);
	if (side_alloc(&s))
		return 1;
	fh_buf_recvs(&s.msgs, 0, NRECV, MSG, pre);
	xr_ep_attr_from_credits(NRECV, &attr);
	attr.xea_send_depth = NRECV;
	if (xr_connect(s.fab, opts.fo_addr, port, &attr, pre, NRECV, NULL, 0,
		       NULL, &s.ep)) {
		fprintf(stderr, "client: %s\n", xr_fabric_strerror(s.fab));
		return 1;
	}
	end = fh_now_s() + TIMEOUT_MS / 1000.0;
	while (s.state == 0 && fh_now_s() < end)
		pump(&s, 50, NULL);
	if (s.state != 1) {
		fprintf(stderr, "client: connection failed\n");
		return 1;
	}
	add_row(rows, &nrows, "send/recv rate", MSG, "msg/s",
		bench_msg_rate(&s, 4000 * fscale));
	for (k = 0; k < 3; k++)
		add_row(rows, &nrows, "rdma write bw", sz[k], "MB/s",
			bench_rdma(&s, XR_OP_WRITE, sz[k],
				   (sz[k] >= MiB ? 10 : 4) * MiB * fscale));
	for (k = 0; k < 3; k++)
		add_row(rows, &nrows, "rdma read bw", sz[k], "MB/s",
			bench_rdma(&s, XR_OP_READ, sz[k],
				   (sz[k] >= MiB ? 10 : 4) * MiB * fscale));
	add_row(rows, &nrows, "round trip", 64, "us",
		bench_rtt(&s, 64, 100 * (uint32_t)fscale));
	add_row(rows, &nrows, "round trip", MSG, "us",
		bench_rtt(&s, MSG, 100 * (uint32_t)fscale));
	xr_disconnect(s.ep);
	end = fh_now_s() + 5;
	while ((s.state == 1 || xr_ep_outstanding(s.ep)) && fh_now_s() < end)
		pump(&s, 10, NULL);
	side_free(&s);

	/* TCP does the same amount of work as the fabric did, row by row. */
	buf = calloc(1, MiB);
	fd = opt_no_tcp || !buf ? -1 : tcp_connect(tcp_port);
	if (fd >= 0) {
		for (i = 0; i < nrows; i++) {
			if (rows[i].work == 0)
				continue;
			if (!strcmp(rows[i].unit, "us"))
				rows[i].tcp = tcp_rtt(fd, buf, rows[i].size,
						      (uint32_t)rows[i].work);
			else
				rows[i].tcp = tcp_stream(
				    fd, buf, rows[i].size, rows[i].work,
				    !strcmp(rows[i].unit, "msg/s"));
		}
		{
			struct treq q = {0};

			full_io(fd, &q, sizeof(q), true);
		}
		close(fd);
	} else if (!opt_no_tcp) {
		fprintf(stderr, "client: tcp connect failed\n");
	}
	free(buf);

	printf("xr_fabric_bench backend=%s%s%s addr=%s (one connection; "
	       "tcp = plain socket, same run)\n",
	       opts.fo_backend, opts.fo_provider ? " provider=" : "",
	       opts.fo_provider ? opts.fo_provider : "", opts.fo_addr);
	printf("%-16s %8s %14s %14s %8s %s\n", "test", "size", "fabric", "tcp",
	       "ratio", "unit");
	for (i = 0; i < nrows; i++) {
		char tcp[32] = "-", ratio[16] = "-";

		if (rows[i].tcp > 0) {
			snprintf(tcp, sizeof(tcp), "%.1f", rows[i].tcp);
			snprintf(ratio, sizeof(ratio), "%.2f",
				 rows[i].fabric / rows[i].tcp);
		}
		printf("%-16s %8u %14.1f %14s %8s %s\n", rows[i].name,
		       rows[i].size, rows[i].fabric, tcp, ratio, rows[i].unit);
		bad += rows[i].fabric <= 0;
	}
	fflush(stdout);
	if (bad)
		fprintf(stderr, "client: %d measurement(s) failed\n", bad);
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: xr_fabric_bench --backend ofi|verbs|loop "
			"[--provider P] [--local ADDR] --addr A --port P\n"
			"       --role server|client|both [--small] [--no-tcp] "
			"[--seconds S] [--tcp-port T]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    FH_LONG_OPTIONS,
	    {"tcp-port", required_argument, NULL, 't'},
	    {"small", no_argument, NULL, 's'},
	    {"no-tcp", no_argument, NULL, 'n'},
	    {"seconds", required_argument, NULL, 'S'},
	    {0}};
	int o, ret;

	while ((o = getopt_long(argc, argv, FH_SHORT_OPTIONS "t:snS:", lo,
				NULL)) != -1) {
		ret = fh_option(&opts, o, optarg);
		if (ret < 0)
			usage();
		if (ret)
			continue;
		switch (o) {
		case 't':
			opts.fo_extra_port = (unsigned int)atoi(optarg);
			break;
		case 's':
			opt_small = 1;
			break;
		case 'n':
			opt_no_tcp = 1;
			break;
		case 'S':
			opt_seconds = atof(optarg);
			break;
		default:
			usage();
		}
	}
	/* the TCP server listens on --port + 1 when a port is given */
	if (opts.fo_port > 65534 || opts.fo_extra_port > 65535 ||
	    opt_seconds <= 0)
		usage();
	fh_opts_done(&opts);
	signal(SIGPIPE, SIG_IGN);
	fh_raise_memlock();
	ret = fh_run(&opts, run_server, run_client, opt_no_tcp ? 1 : 2);
	if (ret == 2)
		usage();
	return ret;
}
