/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A server that stops reading must not stall the TCP transport (issue 11).
 *
 * How this works: an in-process server thread listens on loopback with a
 * tiny receive buffer, answers the first call (a minimal accepted reply),
 * then never reads again.  The client, with a call timeout T, sends a
 * 4 MiB call that cannot fit in the socket buffers, so its sender blocks
 * in sendmsg() holding the send lock; 200 ms later a second thread sends a
 * small call, which queues behind it.  Both must end (with an error) in
 * less than 2 T, and the connection must be dropped, not left with a
 * half-sent record.  Before send timeouts existed both calls hung until
 * TCP gave up: the watchdog fails the test then.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sess_rpc.h"
#include "sess_xprt.h"
#include "gr_check.h"

#define CALL_TIMEOUT_MS 2000
#define BIG_LEN (4u << 20)
#define WATCHDOG_S 30

static int listen_fd;
static volatile int stop_server;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int read_n(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Answer one call, then hold the connection open without reading. */
static void *server(void *arg)
{
	uint32_t mark, rep[7];
	uint8_t *rec;
	size_t len;
	int fd;

	(void)arg;
	fd = accept(listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (read_n(fd, &mark, 4))
		goto out;
	len = ntohl(mark) & 0x7fffffffu;
	if (len < 4 || len > 65536)
		goto out;
	rec = malloc(len);
	if (!rec || read_n(fd, rec, len)) {
		free(rec);
		goto out;
	}
	/* xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS */
	rep[0] = htonl(0x80000000u | 24);
	memcpy(&rep[1], rec, 4);
	rep[2] = htonl(1);
	rep[3] = 0;
	rep[4] = 0;
	rep[5] = 0;
	rep[6] = 0;
	free(rec);
	if (send(fd, rep, sizeof(rep), MSG_NOSIGNAL) != sizeof(rep))
		goto out;
	while (!stop_server)
		usleep(50 * 1000);
out:
	close(fd);
	return NULL;
}

static int enc_none(void *arg, uint8_t *buf, size_t cap)
{
	(void)arg;
	(void)buf;
	(void)cap;
	return 0;
}

static int dec_none(void *arg, const uint8_t *buf, size_t len,
		    struct sess_xprt_call *c)
{
	(void)arg;
	(void)buf;
	(void)len;
	(void)c;
	return 0;
}

static struct sess_xprt *xp;
static struct sess_auth_sys cred = {.as_machinename = "stall"};
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int finished;

struct job {
	struct iovec iov;
	int cnt;
	int ret;
	int64_t elapsed_ms;
};

static void *caller(void *arg)
{
	struct job *j = arg;
	struct sess_xprt_call c = {
	    .tc_prog = 100003,
	    .tc_vers = 4,
	    .tc_proc = 1,
	    .tc_cred = &cred,
	    .tc_encode = enc_none,
	    .tc_decode = dec_none,
	    .tc_bulk_out = &j->iov,
	    .tc_bulk_out_cnt = j->cnt,
	    .tc_bulk_out_len = j->cnt ? j->iov.iov_len : 0,
	};
	int64_t t0 = now_ms();

	j->ret = xp->x_ops->call(xp, &c);
	j->elapsed_ms = now_ms() - t0;
	pthread_mutex_lock(&mu);
	finished++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	struct sess_xprt_tcp_opts o = {.host = "127.0.0.1",
				       .timeout_ms = CALL_TIMEOUT_MS};
	struct job first = {0}, big = {0}, small = {0};
	struct sess_xprt_stats st;
	pthread_t srv, tb, ts;
	struct timespec dl;
	int rcv = 4096, ret;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	/* set before listen so the accepted socket inherits it */
	setsockopt(listen_fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (listen_fd < 0 || bind(listen_fd, (void *)&sa, sizeof(sa)) ||
	    listen(listen_fd, 1) || getsockname(listen_fd, (void *)&sa, &sl)) {
		printf("SKIP: no loopback TCP socket\n");
		return 77;
	}
	o.port = ntohs(sa.sin_port);
	pthread_create(&srv, NULL, server, NULL);

	xp = sess_xprt_tcp_create(&o);
	if (!CHECK_SAY(xp && !xp->x_ops->connect(xp), "connect"))
		return gr_check_done("test_xprt_tcp_stall");
	caller(&first);
	if (!CHECK_SAY(!first.ret, "first call (%d)", first.ret))
		return gr_check_done("test_xprt_tcp_stall");
	finished = 0;

	big.iov.iov_len = BIG_LEN;
	big.iov.iov_base = calloc(1, BIG_LEN);
	big.cnt = 1;
	pthread_create(&tb, NULL, caller, &big);
	usleep(200 * 1000);
	pthread_create(&ts, NULL, caller, &small);

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += WATCHDOG_S;
	pthread_mutex_lock(&mu);
	ret = 0;
	while (finished < 2 && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&cv, &mu, &dl);
	pthread_mutex_unlock(&mu);
	if (!CHECK_SAY(finished == 2,
		       "both calls end within %d s (call timeout %d ms; %d "
		       "still blocked): a stalled sender holds no send lock",
		       WATCHDOG_S, CALL_TIMEOUT_MS, 2 - finished))
		_exit(gr_check_done("test_xprt_tcp_stall"));
	pthread_join(tb, NULL);
	pthread_join(ts, NULL);
	printf("big call: %d after %lld ms; small call: %d after %lld ms\n",
	       big.ret, (long long)big.elapsed_ms, small.ret,
	       (long long)small.elapsed_ms);
	CHECK_SAY(big.ret != 0 && small.ret != 0,
		  "no call succeeds against a server that reads nothing");
	CHECK_SAY(big.elapsed_ms < 2 * CALL_TIMEOUT_MS &&
		      small.elapsed_ms < 2 * CALL_TIMEOUT_MS,
		  "every call ends within 2x the call timeout");
	xp->x_ops->get_stats(xp, &st);
	CHECK_SAY(st.xt_disconnects >= 1, "the connection is dropped");
	stop_server = 1;
	xp->x_ops->destroy(xp);
	pthread_join(srv, NULL);
	close(listen_fd);
	free(big.iov.iov_base);
	return gr_check_done("test_xprt_tcp_stall");
}
