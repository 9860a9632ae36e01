/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The session client's TCP transport: ONC RPC with record marking
 * (RFC 5531 section 11) on one socket.
 *
 * Callers send under a send lock (one writev per call: record mark, RPC
 * header and encoded arguments, then the caller's WRITE payload iovec and
 * its XDR padding, so the payload is never copied in userspace) and then
 * sleep on their own condition variable.  One receive thread reads whole
 * records, peeks at xid and msg_type, hands replies to the waiting caller
 * (who decodes in its own thread) and serves backchannel calls from the
 * server inline.  A record mark announcing more than x_max_record bytes is
 * a protocol violation: the connection is dropped and waiters get -EMSGSIZE.
 * When the connection ends every waiter of that connection gets -ENOTCONN;
 * the session layer reconnects and replays on the same slot.
 *
 * Sends are bounded: a server that stops reading must not keep a sender
 * blocked in sendmsg() holding the send lock, with every other sender, the
 * lease renewer and the receive thread queued behind it.  At connect the
 * socket gets SO_SNDTIMEO and TCP_USER_TIMEOUT of the transport's call
 * timeout, and one record's send as a whole is held to that bound; a send
 * that runs out of it (or fails) drops the connection, since a partially
 * sent record would desynchronise record marking on a reused socket.
 * Waiters then get -ENOTCONN and the session layer reconnects and replays.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sess_rpc.h"
#include "sess_xprt.h"

#define TCP_BUCKETS 256
#define TCP_SEND_HDR_MAX (64 * 1024)
#define TCP_DEFAULT_MAX_RECORD ((4u << 20) + (64u << 10))
#define TCP_LAST_FRAG 0x80000000u

struct tcp_pending {
	struct tcp_pending *tp_next;
	struct tcp_pending **tp_pprev;
	uint32_t tp_xid;
	uint64_t tp_conn_gen;
	bool tp_done;
	int tp_status;
	uint8_t *tp_buf;
	size_t tp_len;
	pthread_cond_t tp_cond; /* with tx_lock: the reply is in */
};

struct tcp_xprt {
	struct sess_xprt tx_base;
	struct sess_xprt_tcp_opts tx_opts;
	char tx_host[256];
	pthread_mutex_t tx_lock; /* pending table, state, stats */
	/* one writer on the socket; held across sendmsg; before tx_lock */
	pthread_mutex_t tx_send_lock;
	int tx_fd;
	bool tx_connected;
	bool tx_rx_joinable;
	pthread_t tx_rx_thread;
	uint64_t tx_conn_gen;
	uint32_t tx_next_xid;
	int tx_last_error;
	struct tcp_pending *tx_buckets[TCP_BUCKETS];
	sess_cb_handler_fn tx_cb_fn;
	void *tx_cb_ctx;
	struct sess_xprt_stats tx_stats;
};

static struct tcp_xprt *to_tcp(struct sess_xprt *x)
{
	return (struct tcp_xprt *)x;
}

static void pending_link(struct tcp_xprt *tx, struct tcp_pending *p)
{
	struct tcp_pending **head = &tx->tx_buckets[p->tp_xid % TCP_BUCKETS];

	p->tp_next = *head;
	p->tp_pprev = head;
	if (*head)
		(*head)->tp_pprev = &p->tp_next;
	*head = p;
}

static void pending_unlink(struct tcp_pending *p)
{
	if (!p->tp_pprev)
		return;
	*p->tp_pprev = p->tp_next;
	if (p->tp_next)
		p->tp_next->tp_pprev = p->tp_pprev;
	p->tp_pprev = NULL;
	p->tp_next = NULL;
}

static struct tcp_pending *pending_find(struct tcp_xprt *tx, uint32_t xid)
{
	struct tcp_pending *p = tx->tx_buckets[xid % TCP_BUCKETS];

	while (p && p->tp_xid != xid)
		p = p->tp_next;
	return p;
}

/* Fail every waiter; caller holds tx_lock. */
static void fail_all_locked(struct tcp_xprt *tx, int status)
{
	struct tcp_pending *p;
	int i;

	for (i = 0; i < TCP_BUCKETS; i++) {
		while ((p = tx->tx_buckets[i]) != NULL) {
			pending_unlink(p);
			p->tp_done = true;
			p->tp_status = status;
			pthread_cond_signal(&p->tp_cond);
		}
	}
}

/* Mark the connection down; caller holds tx_lock. */
static void drop_locked(struct tcp_xprt *tx, int status)
{
	if (tx->tx_connected) {
		tx->tx_connected = false;
		tx->tx_stats.xt_disconnects++;
		tx->tx_last_error = status;
		/* Wakes the receive thread; it closes the descriptor. */
		shutdown(tx->tx_fd, SHUT_RDWR);
	}
	fail_all_locked(tx, status);
}

static void drop_gen(struct tcp_xprt *tx, uint64_t gen);

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n == 0)
			return -ENOTCONN;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -ENOTCONN;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Send the whole iovec.  sendmsg with MSG_NOSIGNAL, not writev: a peer
 * that died must give EPIPE, not a SIGPIPE that kills the host process.
 * Each sendmsg() is bounded by the socket's SO_SNDTIMEO (set at connect);
 * a peer that drains a few bytes per timeout could still stretch a record
 * over many of them, so the record as a whole gets @bound_ms too, checked
 * after each partial send (a blocked send returns its partial count when
 * SO_SNDTIMEO expires, so a record ends within about @bound_ms; the clock
 * read is vDSO, no system call).  Returns 0, -ETIMEDOUT past the bound,
 * -ENOTCONN on any other failure; on failure part of the record may have
 * been sent: the caller drops the connection.
 */
static int writev_full(int fd, struct iovec *iov, int cnt, int bound_ms)
{
	struct msghdr msg = {0};
	int64_t deadline = now_ms() + bound_ms;

	while (cnt > 0) {
		ssize_t n;

		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)(cnt > IOV_MAX ? IOV_MAX : cnt);
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -ENOTCONN;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
		if (cnt > 0 && now_ms() >= deadline)
			return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Read one whole record (all fragments).  Returns 0 with a malloc'ed
 * buffer, -ENOTCONN when the connection ends, -EMSGSIZE when the record is
 * larger than allowed, -EBADMSG for an empty record.
 */
static int read_record(struct tcp_xprt *tx, int fd, uint8_t **bufp,
		       size_t *lenp)
{
	uint8_t *buf = NULL, *nbuf;
	size_t len = 0, max = tx->tx_base.x_max_record;
	uint32_t mark, frag;
	int ret;

	for (;;) {
		ret = read_full(fd, &mark, 4);
		if (ret)
			goto out_free;
		mark = ntohl(mark);
		frag = mark & ~TCP_LAST_FRAG;
		if (frag > max - len) {
			ret = -EMSGSIZE;
			goto out_free;
		}
		nbuf = realloc(buf, len + frag + 1);
		if (!nbuf) {
			ret = -ENOMEM;
			goto out_free;
		}
		buf = nbuf;
		ret = read_full(fd, buf + len, frag);
		if (ret)
			goto out_free;
		len += frag;
		if (mark & TCP_LAST_FRAG)
			break;
	}
	if (len == 0) {
		ret = -EBADMSG;
		goto out_free;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
out_free:
	free(buf);
	return ret;
}

static void serve_cb_call(struct tcp_xprt *tx, int fd, uint64_t gen,
			  const uint8_t *req, size_t len)
{
	sess_cb_handler_fn fn;
	void *ctx;
	uint8_t *rep;
	uint32_t mark;
	struct iovec iov[2];
	int n, ret;

	pthread_mutex_lock(&tx->tx_lock);
	fn = tx->tx_cb_fn;
	ctx = tx->tx_cb_ctx;
	tx->tx_stats.xt_cb_calls++;
	pthread_mutex_unlock(&tx->tx_lock);
	if (!fn)
		return;
	rep = malloc(TCP_SEND_HDR_MAX);
	if (!rep)
		return;
	n = fn(ctx, req, len, rep, TCP_SEND_HDR_MAX);
	if (n > 0) {
		mark = htonl(TCP_LAST_FRAG | (uint32_t)n);
		iov[0].iov_base = &mark;
		iov[0].iov_len = 4;
		iov[1].iov_base = rep;
		iov[1].iov_len = (size_t)n;
		pthread_mutex_lock(&tx->tx_send_lock);
		ret = writev_full(fd, iov, 2, tx->tx_opts.timeout_ms);
		/*
		 * A half-sent reply desynchronises the stream: drop it
		 * before any other sender can take the send lock.
		 */
		if (ret)
			drop_gen(tx, gen);
		pthread_mutex_unlock(&tx->tx_send_lock);
	}
	free(rep);
}

struct rx_arg {
	struct tcp_xprt *tx;
	int fd;
	uint64_t gen;
};

static void *rx_thread(void *argp)
{
	struct rx_arg arg = *(struct rx_arg *)argp;
	struct tcp_xprt *tx = arg.tx;
	struct tcp_pending *p;
	uint32_t xid, type;
	uint8_t *buf;
	size_t len;
	int ret;

	free(argp);
	for (;;) {
		ret = read_record(tx, arg.fd, &buf, &len);
		if (ret)
			break;
		if (sess_rpc_peek(buf, len, &xid, &type)) {
			free(buf);
			ret = -EBADMSG;
			break;
		}
		if (type == SESS_RPC_CALL) {
			serve_cb_call(tx, arg.fd, arg.gen, buf, len);
			free(buf);
			continue;
		}
		pthread_mutex_lock(&tx->tx_lock);
		tx->tx_stats.xt_bytes_in += len + 4;
		p = pending_find(tx, xid);
		if (p && p->tp_conn_gen == arg.gen) {
			pending_unlink(p);
			p->tp_buf = buf;
			p->tp_len = len;
			p->tp_done = true;
			p->tp_status = 0;
			tx->tx_stats.xt_replies++;
			pthread_cond_signal(&p->tp_cond);
			buf = NULL;
		} else {
			/* A reply nobody waits for (late after timeout). */
			tx->tx_stats.xt_bad_records++;
		}
		pthread_mutex_unlock(&tx->tx_lock);
		free(buf);
	}
	pthread_mutex_lock(&tx->tx_lock);
	if (ret != -ENOTCONN && ret != -ENOMEM)
		tx->tx_stats.xt_bad_records++;
	if (tx->tx_conn_gen == arg.gen)
		drop_locked(tx, ret == -ENOMEM ? -ENOTCONN : ret);
	pthread_mutex_unlock(&tx->tx_lock);
	/* Under the send lock so no sender writes to a recycled number. */
	pthread_mutex_lock(&tx->tx_send_lock);
	close(arg.fd);
	pthread_mutex_unlock(&tx->tx_send_lock);
	return NULL;
}

static int tcp_connect(struct sess_xprt *x)
{
	struct tcp_xprt *tx = to_tcp(x);
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL, *ai;
	struct timeval tv = {.tv_sec = 10};
	struct rx_arg *arg;
	char port[8];
	unsigned int user_to;
	int fd = -1, one = 1, ret;

	pthread_mutex_lock(&tx->tx_lock);
	if (tx->tx_connected) {
		pthread_mutex_unlock(&tx->tx_lock);
		return 0;
	}
	if (tx->tx_rx_joinable) {
		tx->tx_rx_joinable = false;
		pthread_mutex_unlock(&tx->tx_lock);
		pthread_join(tx->tx_rx_thread, NULL);
	} else {
		pthread_mutex_unlock(&tx->tx_lock);
	}

	snprintf(port, sizeof(port), "%u", tx->tx_opts.port);
	ret = getaddrinfo(tx->tx_host, port, &hints, &res);
	if (ret)
		return -EHOSTUNREACH;
	ret = -ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		ret = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return ret;
	/*
	 * No send blocks longer than the call timeout (see the top of the
	 * file), and data the peer does not acknowledge for that long ends
	 * the connection in the kernel too.  Set once here: no system call
	 * per call.
	 */
	tv.tv_sec = tx->tx_opts.timeout_ms / 1000;
	tv.tv_usec = (tx->tx_opts.timeout_ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	user_to = (unsigned int)tx->tx_opts.timeout_ms;
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_to,
		   sizeof(user_to));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	arg = malloc(sizeof(*arg));
	if (!arg) {
		close(fd);
		return -ENOMEM;
	}
	pthread_mutex_lock(&tx->tx_send_lock);
	pthread_mutex_lock(&tx->tx_lock);
	tx->tx_fd = fd;
	tx->tx_conn_gen++;
	tx->tx_connected = true;
	tx->tx_stats.xt_connects++;
	arg->tx = tx;
	arg->fd = fd;
	arg->gen = tx->tx_conn_gen;
	ret = pthread_create(&tx->tx_rx_thread, NULL, rx_thread, arg);
	if (ret) {
		tx->tx_connected = false;
		pthread_mutex_unlock(&tx->tx_lock);
		pthread_mutex_unlock(&tx->tx_send_lock);
		free(arg);
		close(fd);
		return -ret;
	}
	tx->tx_rx_joinable = true;
	pthread_mutex_unlock(&tx->tx_lock);
	pthread_mutex_unlock(&tx->tx_send_lock);
	return 0;
}

static void tcp_disconnect(struct sess_xprt *x)
{
	struct tcp_xprt *tx = to_tcp(x);

	pthread_mutex_lock(&tx->tx_lock);
	drop_locked(tx, -ENOTCONN);
	pthread_mutex_unlock(&tx->tx_lock);
}

/* Drop the connection a call was made on, not a newer one. */
static void drop_gen(struct tcp_xprt *tx, uint64_t gen)
{
	pthread_mutex_lock(&tx->tx_lock);
	if (tx->tx_conn_gen == gen)
		drop_locked(tx, -ENOTCONN);
	pthread_mutex_unlock(&tx->tx_lock);
}

/*
 * Encode and send one call.  Returns 0, -EMSGSIZE/-ENOSPC when the call is
 * too large, the encoder's error, or -ENOTCONN.
 */
static int send_call(struct tcp_xprt *tx, struct sess_xprt_call *c,
		     uint32_t xid, uint64_t gen, uint8_t *sbuf)
{
	static const uint8_t zero_pad[4];
	struct iovec iov[64 + 2];
	size_t total, pad;
	uint32_t mark;
	int hlen, alen, i, cnt = 0, ret;

	if (c->tc_bulk_out_cnt < 0 || c->tc_bulk_out_cnt > 64)
		return -EINVAL;
	hlen = sess_rpc_encode_call(sbuf + 4, TCP_SEND_HDR_MAX - 4, xid,
				    c->tc_prog, c->tc_vers, c->tc_proc,
				    c->tc_cred);
	if (hlen < 0)
		return hlen;
	alen = c->tc_encode(c->tc_encode_arg, sbuf + 4 + hlen,
			    TCP_SEND_HDR_MAX - 4 - (size_t)hlen);
	if (alen < 0)
		return alen;
	pad = (4 - (c->tc_bulk_out_len & 3)) & 3;
	total = (size_t)hlen + (size_t)alen + c->tc_bulk_out_len + pad;
	if (total > tx->tx_base.x_max_record)
		return -EMSGSIZE;
	mark = htonl(TCP_LAST_FRAG | (uint32_t)total);
	memcpy(sbuf, &mark, 4);
	iov[cnt].iov_base = sbuf;
	iov[cnt++].iov_len = 4 + (size_t)hlen + (size_t)alen;
	for (i = 0; i < c->tc_bulk_out_cnt; i++)
		iov[cnt++] = c->tc_bulk_out[i];
	if (pad) {
		iov[cnt].iov_base = (void *)zero_pad;
		iov[cnt++].iov_len = pad;
	}
	pthread_mutex_lock(&tx->tx_send_lock);
	pthread_mutex_lock(&tx->tx_lock);
	ret = tx->tx_connected && tx->tx_conn_gen == gen ? 0 : -ENOTCONN;
	tx->tx_stats.xt_calls++;
	tx->tx_stats.xt_bytes_out += total + 4;
	pthread_mutex_unlock(&tx->tx_lock);
	if (!ret) {
		ret = writev_full(tx->tx_fd, iov, cnt, tx->tx_opts.timeout_ms);
		/*
		 * Timed out or failed part way: the record stream is
		 * unusable; drop it before the next sender takes the lock.
		 */
		if (ret)
			drop_gen(tx, gen);
	}
	pthread_mutex_unlock(&tx->tx_send_lock);
	return ret ? -ENOTCONN : 0;
}

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int tcp_call(struct sess_xprt *x, struct sess_xprt_call *c)
{
	struct tcp_xprt *tx = to_tcp(x);
	struct tcp_pending p = {0};
	pthread_condattr_t ca;
	struct timespec deadline;
	uint8_t *sbuf;
	size_t body;
	int ret, ms;

	sbuf = malloc(TCP_SEND_HDR_MAX);
	if (!sbuf)
		return -ENOMEM;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p.tp_cond, &ca);
	pthread_condattr_destroy(&ca);

	pthread_mutex_lock(&tx->tx_lock);
	if (!tx->tx_connected) {
		pthread_mutex_unlock(&tx->tx_lock);
		ret = -ENOTCONN;
		goto out_free;
	}
	p.tp_xid = tx->tx_next_xid++;
	p.tp_conn_gen = tx->tx_conn_gen;
	pending_link(tx, &p);
	if (++tx->tx_stats.xt_in_flight > tx->tx_stats.xt_max_in_flight)
		tx->tx_stats.xt_max_in_flight = tx->tx_stats.xt_in_flight;
	pthread_mutex_unlock(&tx->tx_lock);

	c->tc_bulk_in_placed = false;
	ret = send_call(tx, c, p.tp_xid, p.tp_conn_gen, sbuf);
	if (ret == -ENOTCONN) /* includes a send past its bound */
		drop_gen(tx, p.tp_conn_gen);

	ms = c->tc_timeout_ms ? c->tc_timeout_ms : tx->tx_opts.timeout_ms;
	deadline_after(&deadline, ms);
	pthread_mutex_lock(&tx->tx_lock);
	if (ret) {
		pending_unlink(&p);
	} else {
		while (!p.tp_done && ret != ETIMEDOUT)
			ret = pthread_cond_timedwait(&p.tp_cond, &tx->tx_lock,
						     &deadline);
		if (!p.tp_done) {
			pending_unlink(&p);
			tx->tx_stats.xt_timeouts++;
			ret = -ETIMEDOUT;
		} else {
			ret = p.tp_status;
		}
	}
	tx->tx_stats.xt_in_flight--;
	pthread_mutex_unlock(&tx->tx_lock);
	if (ret == -ETIMEDOUT) /* the caller reconnects and replays */
		drop_gen(tx, p.tp_conn_gen);
	if (ret)
		goto out_free;

	ret = sess_rpc_decode_reply(p.tp_buf, p.tp_len, p.tp_xid, &body);
	if (!ret)
		ret = c->tc_decode(c->tc_decode_arg, p.tp_buf + body,
				   p.tp_len - body, c);
out_free:
	free(p.tp_buf);
	pthread_cond_destroy(&p.tp_cond);
	free(sbuf);
	return ret;
}

static void tcp_set_cb_handler(struct sess_xprt *x, sess_cb_handler_fn fn,
			       void *ctx)
{
	struct tcp_xprt *tx = to_tcp(x);

	pthread_mutex_lock(&tx->tx_lock);
	tx->tx_cb_fn = fn;
	tx->tx_cb_ctx = ctx;
	pthread_mutex_unlock(&tx->tx_lock);
}

static void tcp_get_stats(struct sess_xprt *x, struct sess_xprt_stats *st)
{
	struct tcp_xprt *tx = to_tcp(x);

	pthread_mutex_lock(&tx->tx_lock);
	*st = tx->tx_stats;
	pthread_mutex_unlock(&tx->tx_lock);
}

static void tcp_destroy(struct sess_xprt *x)
{
	struct tcp_xprt *tx = to_tcp(x);
	bool join;

	tcp_disconnect(x);
	pthread_mutex_lock(&tx->tx_lock);
	join = tx->tx_rx_joinable;
	tx->tx_rx_joinable = false;
	pthread_mutex_unlock(&tx->tx_lock);
	if (join)
		pthread_join(tx->tx_rx_thread, NULL);
	pthread_mutex_destroy(&tx->tx_lock);
	pthread_mutex_destroy(&tx->tx_send_lock);
	free(tx);
}

static const struct sess_xprt_ops tcp_ops = {
    .name = "tcp",
    .call = tcp_call,
    .connect = tcp_connect,
    .disconnect = tcp_disconnect,
    .set_cb_handler = tcp_set_cb_handler,
    .get_stats = tcp_get_stats,
    .destroy = tcp_destroy,
};

struct sess_xprt *sess_xprt_tcp_create(const struct sess_xprt_tcp_opts *opts)
{
	struct tcp_xprt *tx;
	struct timespec now;

	if (!opts->host || strlen(opts->host) >= sizeof(tx->tx_host) ||
	    !opts->port) {
		errno = EINVAL;
		return NULL;
	}
	tx = calloc(1, sizeof(*tx));
	if (!tx) {
		errno = ENOMEM;
		return NULL;
	}
	tx->tx_opts = *opts;
	strcpy(tx->tx_host, opts->host);
	tx->tx_opts.host = tx->tx_host;
	if (!tx->tx_opts.max_record)
		tx->tx_opts.max_record = TCP_DEFAULT_MAX_RECORD;
	if (tx->tx_opts.timeout_ms <= 0)
		tx->tx_opts.timeout_ms = 60000;
	tx->tx_base.x_ops = &tcp_ops;
	tx->tx_base.x_max_record = tx->tx_opts.max_record;
	tx->tx_base.x_has_backchannel = true;
	tx->tx_fd = -1;
	clock_gettime(CLOCK_REALTIME, &now);
	tx->tx_next_xid =
	    (uint32_t)(now.tv_nsec ^ (now.tv_sec << 16) ^ (uint32_t)getpid());
	pthread_mutex_init(&tx->tx_lock, NULL);
	pthread_mutex_init(&tx->tx_send_lock, NULL);
	return &tx->tx_base;
}
