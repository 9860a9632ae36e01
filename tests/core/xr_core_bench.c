/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * xr_core_bench: figures for the RPC-over-RDMA engines over the ofi fabric
 * on loopback (not a test).  How this works: the toy server
 * (toy_rpc.c) runs in a forked process; this process keeps `depth` calls
 * in flight per workload for a fixed time, resubmitting each call as soon
 * as it completes, and prints calls/s and MB/s:
 *
 *   inline 4 KiB   DISCARD with 3.5 KiB inline args (whole call ~3.7 KiB)
 *   write 1 MiB    FILL: 1 MiB lands by RDMA Write in the caller's buffer
 *   read 1 MiB     DISCARD with a 1 MiB DDP payload pulled by RDMA Read
 *
 * and the registered memory per connection of both engines.
 *
 *   xr_core_bench [--seconds S] [--depth N] [--backend ofi|verbs]
 *                 [--addr IPv4]
 */
#include "toy_rpc.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024u * 1024u)

enum workload { W_INLINE, W_WRITE, W_READ };

struct bench_call {
	struct xr_clnt_req b_req;
	uint8_t b_hdr[TOY_CALL_HDR + 8];
	struct iovec b_head, b_payload;
	uint8_t b_reply[512];
	uint8_t *b_data;
	bool b_done;
};

struct bench {
	pthread_mutex_t bn_lock;
	pthread_cond_t bn_cv;
	uint64_t bn_done;
	uint64_t bn_errors;
	int bn_first_error;
};

static struct bench bn = {.bn_lock = PTHREAD_MUTEX_INITIALIZER,
			  .bn_cv = PTHREAD_COND_INITIALIZER};
static uint32_t xid = 1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_done(struct xr_clnt_req *req, void *arg)
{
	struct bench_call *bc = arg;

	pthread_mutex_lock(&bn.bn_lock);
	if (req->cr_status && !bn.bn_errors++)
		bn.bn_first_error = req->cr_status;
	bc->b_done = true;
	bn.bn_done++;
	pthread_cond_signal(&bn.bn_cv);
	pthread_mutex_unlock(&bn.bn_lock);
}

static void bench_prepare(struct bench_call *bc, enum workload w)
{
	struct xr_clnt_req *r = &bc->b_req;
	uint32_t len = w == W_INLINE ? 3584 : MiB;

	memset(r, 0, sizeof(*r));
	toy_call_hdr(bc->b_hdr, xid++, w == W_WRITE ? TOY_FILL : TOY_DISCARD);
	bc->b_head = (struct iovec){bc->b_hdr, TOY_CALL_HDR + 4};
	toy_put32(bc->b_hdr + TOY_CALL_HDR, len);
	r->cr_msg.xm_head = &bc->b_head;
	r->cr_msg.xm_nhead = 1;
	if (w == W_WRITE) {
		toy_put32(bc->b_hdr + TOY_CALL_HDR + 4, 0);
		bc->b_head.iov_len += 4;
		r->cr_result_buf = bc->b_data;
		r->cr_result_cap = MiB;
	} else {
		bc->b_payload = (struct iovec){bc->b_data, len};
		r->cr_msg.xm_payload = &bc->b_payload;
		r->cr_msg.xm_npayload = 1;
		r->cr_payload_ddp = w == W_READ;
	}
	r->cr_reply_buf = bc->b_reply;
	r->cr_reply_cap = sizeof(bc->b_reply);
	r->cr_done = bench_done;
	r->cr_arg = bc;
	bc->b_done = false;
}

static int run(struct xr_clnt *cl, enum workload w, const char *name, int depth,
	       double seconds)
{
	struct bench_call *bcs = calloc((size_t)depth, sizeof(*bcs));
	uint64_t bytes = w == W_INLINE ? 3584 : MiB, started = 0, done0;
	double t0, t;
	int i, ret = 0;

	for (i = 0; i < depth; i++)
		bcs[i].b_data = calloc(1, bytes);
	pthread_mutex_lock(&bn.bn_lock);
	done0 = bn.bn_done;
	bn.bn_errors = 0;
	bn.bn_first_error = 0;
	pthread_mutex_unlock(&bn.bn_lock);
	t0 = now();
	for (i = 0; i < depth; i++) {
		bench_prepare(&bcs[i], w);
		if (xr_clnt_submit(cl, &bcs[i].b_req) == 0)
			started++;
	}
	while ((t = now()) - t0 < seconds) {
		pthread_mutex_lock(&bn.bn_lock);
		for (i = 0; i < depth && !bcs[i].b_done; i++)
			;
		if (i == depth) {
			pthread_cond_wait(&bn.bn_cv, &bn.bn_lock);
			pthread_mutex_unlock(&bn.bn_lock);
			continue;
		}
		pthread_mutex_unlock(&bn.bn_lock);
		bench_prepare(&bcs[i], w);
		ret = xr_clnt_submit(cl, &bcs[i].b_req);
		if (ret) {
			fprintf(stderr, "%s: submit failed: %s\n", name,
				strerror(-ret));
			break;
		}
		started++;
	}
	pthread_mutex_lock(&bn.bn_lock);
	while (bn.bn_done - done0 < started)
		pthread_cond_wait(&bn.bn_cv, &bn.bn_lock);
	pthread_mutex_unlock(&bn.bn_lock);
	t = now() - t0;
	printf("%-14s depth %3d: %9.0f calls/s %9.1f MB/s  (%llu calls, "
	       "%llu errors%s%s)\n",
	       name, depth, started / t, started * (double)bytes / t / 1e6,
	       (unsigned long long)started, (unsigned long long)bn.bn_errors,
	       bn.bn_errors ? ", first: " : "",
	       bn.bn_errors ? strerror(-bn.bn_first_error) : "");
	fflush(stdout);
	for (i = 0; i < depth; i++)
		free(bcs[i].b_data);
	free(bcs);
	return ret;
}

static uint64_t server_per_conn(struct xr_clnt *cl)
{
	uint8_t hdr[TOY_CALL_HDR], rep[512];
	struct iovec head = {hdr, sizeof(hdr)};
	struct xr_clnt_req r = {.cr_msg = {.xm_head = &head, .xm_nhead = 1},
				.cr_reply_buf = rep,
				.cr_reply_cap = sizeof(rep)};
	const uint8_t *p;

	toy_call_hdr(hdr, xid++, TOY_STATS);
	if (xr_clnt_call(cl, &r, 10000) || r.cr_reply_len < 28 + 8 * 9)
		return 0;
	p = rep + TOY_REPLY_HDR + 4 + 8 * TOY_ST_PER_CONN;
	return (uint64_t)toy_get32(p) << 32 | toy_get32(p + 4);
}

int main(int argc, char **argv)
{
	struct xr_clnt_params p = {.cp_backend = "ofi", .cp_addr = "127.0.0.1"};
	double seconds = 2;
	int depth = 16, opt, pfd[2], st;
	struct xr_core_stats cst;
	struct xr_clnt *cl;
	uint32_t msg[2];
	char err[256];
	pid_t srv;

	while ((opt = getopt_long(argc, argv, "s:d:b:a:",
				  (struct option[]){{"seconds", 1, NULL, 's'},
						    {"depth", 1, NULL, 'd'},
						    {"backend", 1, NULL, 'b'},
						    {"addr", 1, NULL, 'a'},
						    {NULL, 0, NULL, 0}},
				  NULL)) != -1) {
		if (opt == 's')
			seconds = atof(optarg);
		else if (opt == 'd')
			depth = atoi(optarg);
		else if (opt == 'b')
			p.cp_backend = optarg;
		else if (opt == 'a')
			p.cp_addr = optarg;
		else
			return 2;
	}
	if (depth < 1 || depth > 128 || seconds <= 0)
		return 2;
	/*
	 * Per-I/O registrations pin memory: verbs devices count it against
	 * RLIMIT_MEMLOCK (8 MiB by default).  Lift it where allowed.
	 */
	{
		struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};

		setrlimit(RLIMIT_MEMLOCK, &rl);
		getrlimit(RLIMIT_MEMLOCK, &rl);
		printf("RLIMIT_MEMLOCK: %s\n",
		       rl.rlim_cur == RLIM_INFINITY ? "unlimited" : "limited");
		fflush(stdout); /* before fork */
	}
	if (pipe(pfd))
		return 1;
	srv = fork();
	if (srv == 0) {
		close(pfd[0]);
		exit(toy_server_main(p.cp_backend, p.cp_addr, 0, pfd[1]));
	}
	close(pfd[1]);
	if (read(pfd[0], msg, sizeof(msg)) != sizeof(msg) || !msg[0]) {
		fprintf(stderr, "%s fabric unavailable on %s (error %u)\n",
			p.cp_backend, p.cp_addr, msg[1]);
		return 77;
	}
	p.cp_port = (uint16_t)msg[0];
	if (xr_clnt_create(&p, NULL, NULL, &cl, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		kill(srv, SIGTERM);
		return 1;
	}
	printf("xr_core_bench: %s on %s, %.1f s per line\n", p.cp_backend,
	       p.cp_addr, seconds);
	run(cl, W_INLINE, "inline 4 KiB", 1, seconds);
	run(cl, W_INLINE, "inline 4 KiB", depth > 64 ? depth : 64, seconds);
	run(cl, W_WRITE, "write 1 MiB", 1, seconds);
	run(cl, W_WRITE, "write 1 MiB", depth, seconds);
	run(cl, W_READ, "read 1 MiB", 1, seconds);
	run(cl, W_READ, "read 1 MiB", depth, seconds);
	xr_clnt_get_stats(cl, &cst);
	printf("registered per connection: server %llu bytes, client %llu "
	       "bytes; credit stalls %llu\n",
	       (unsigned long long)server_per_conn(cl),
	       (unsigned long long)cst.cs_registered_per_conn,
	       (unsigned long long)cst.cs_credit_stalls);
	printf("client errors: RDMA_ERROR %llu, bad reply %llu, failed "
	       "completions %llu, connections lost %llu\n",
	       (unsigned long long)cst.cs_rdma_error_recvd,
	       (unsigned long long)cst.cs_err_bad_reply,
	       (unsigned long long)cst.cs_err_completion,
	       (unsigned long long)cst.cs_conn_lost);
	xr_clnt_destroy(cl);
	kill(srv, SIGTERM);
	waitpid(srv, &st, 0);
	return 0;
}
