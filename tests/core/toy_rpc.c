/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The toy RPC program: encoding helpers and the server (see toy_rpc.h).
 * How this works: sv_on_call queues the call; two workers take calls off
 * the queue, read the argument words through a small cursor over the
 * call's ranges (no reassembly: SUM checksums the chunk payload where the
 * engine put it, ECHO replies with sub-ranges of the call itself) and
 * reply.  FILL replies point into a read-only pattern table, so every
 * reply payload is zero-copy.
 */
#include "toy_rpc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint32_t toy_fnv(uint32_t h, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

uint8_t toy_pattern(uint32_t seed, uint64_t i)
{
	uint64_t k = (seed & 0xffu) + i;

	return (uint8_t)(k * 131u + (k >> 9));
}

void toy_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t toy_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void toy_call_hdr(uint8_t *p, uint32_t xid, uint32_t proc)
{
	const uint32_t w[10] = {xid,  0, 2, TOY_PROG, TOY_VERS,
				proc, 0, 0, 0,	      0};
	int i;

	for (i = 0; i < 10; i++)
		toy_put32(p + 4 * i, w[i]);
}

int toy_reply_ok(const uint8_t *rep, size_t len, uint32_t xid)
{
	if (len < TOY_REPLY_HDR || toy_get32(rep) != xid ||
	    toy_get32(rep + 4) != 1 || toy_get32(rep + 8) != 0 ||
	    toy_get32(rep + 20) != 0)
		return -1;
	return TOY_REPLY_HDR;
}

/* ---- server ------------------------------------------------------------ */

struct toy_work {
	struct xr_svc_call *w_call;
	struct toy_work *w_next;
};

struct toy_server {
	struct xr_svc *ts_svc;
	pthread_mutex_t ts_lock;
	pthread_cond_t ts_cv;
	struct xr_svc_call **ts_queue;
	uint32_t ts_qcap, ts_qhead, ts_qlen;
	bool ts_stop;
	pthread_t ts_workers[2];
	uint64_t ts_connects, ts_disconnects;
	struct xr_svc_call *ts_barrier[1024];
	uint32_t ts_nbarrier;
	uint8_t *ts_pattern;
	const uint8_t *ts_source; /* FILL's data when set (atomic) */
	/*
	 * With ts_source: the last len % 4 bytes of a FILL come from here
	 * instead, a separate range (Ganesha 6.5's unaligned READ tail).
	 */
	const uint8_t *ts_tail;
	/*
	 * FILL replies carry this many bytes of ts_pattern after the head,
	 * as the message's tail (inline beside a Write chunk; atomic).
	 */
	uint32_t ts_pad;
};

/* Per-call reply storage, kept in ac_upper until sv_on_release. */
struct toy_reply {
	uint8_t r_head[TOY_REPLY_HDR + 8 + 8 * TOY_ST_COUNT];
	struct iovec r_hiov[1];
	struct iovec r_piov[XR_MSG_MAX_RANGES];
	struct iovec r_tiov[1];
	struct xr_msg r_msg;
};

/* Copy len bytes at offset off of the call message (small reads only). */
static int toy_peek(const struct xr_svc_call *c, uint64_t off, void *dst,
		    size_t len)
{
	uint8_t *d = dst;
	uint32_t i;

	for (i = 0; i < c->ac_nmsg && len; i++) {
		const struct iovec *r = &c->ac_msg[i];

		if (off >= r->iov_len) {
			off -= r->iov_len;
			continue;
		}
		size_t n = r->iov_len - off < len ? r->iov_len - off : len;

		memcpy(d, (uint8_t *)r->iov_base + off, n);
		d += n;
		len -= n;
		off = 0;
	}
	return len ? -1 : 0;
}

/* The ranges covering [off, off+len) of the call message. */
static int toy_sub(const struct xr_svc_call *c, uint64_t off, uint64_t len,
		   struct iovec *out, uint32_t max)
{
	uint32_t i, n = 0;

	for (i = 0; i < c->ac_nmsg && len; i++) {
		const struct iovec *r = &c->ac_msg[i];

		if (off >= r->iov_len) {
			off -= r->iov_len;
			continue;
		}
		uint64_t take = r->iov_len - off < len ? r->iov_len - off : len;

		if (n == max)
			return -1;
		out[n].iov_base = (uint8_t *)r->iov_base + off;
		out[n++].iov_len = take;
		len -= take;
		off = 0;
	}
	return len ? -1 : (int)n;
}

static void toy_reply_hdr(uint8_t *p, uint32_t xid, uint32_t accept)
{
	toy_put32(p, xid);
	toy_put32(p + 4, 1);
	toy_put32(p + 8, 0);
	toy_put32(p + 12, 0);
	toy_put32(p + 16, 0);
	toy_put32(p + 20, accept);
}

static void toy_put64(uint8_t *p, uint64_t v)
{
	toy_put32(p, (uint32_t)(v >> 32));
	toy_put32(p + 4, (uint32_t)v);
}

static void toy_handle(struct toy_server *ts, struct xr_svc_call *c)
{
	struct toy_reply *r = calloc(1, sizeof(*r));
	uint8_t hdr[TOY_CALL_HDR + 8];
	uint32_t proc, len, seed, fnv, pad;
	const uint8_t *src, *tail;
	uint64_t have;
	int n, i;

	if (!r) {
		xr_svc_drop(c);
		return;
	}
	c->ac_upper = r;
	r->r_msg.xm_head = r->r_hiov;
	r->r_msg.xm_nhead = 1;
	r->r_hiov[0].iov_base = r->r_head;
	r->r_hiov[0].iov_len = TOY_REPLY_HDR;
	have = c->ac_msg_len;
	if (have < TOY_CALL_HDR || toy_peek(c, 0, hdr, TOY_CALL_HDR) ||
	    toy_get32(hdr + 4) != 0 || toy_get32(hdr + 12) != TOY_PROG) {
		toy_reply_hdr(r->r_head, c->ac_xid, 1 /* PROG_UNAVAIL */);
		goto out_reply;
	}
	proc = toy_get32(hdr + 20);
	toy_reply_hdr(r->r_head, c->ac_xid, 0);
	switch (proc) {
	case TOY_NULL:
		break;
	case TOY_ECHO:
	case TOY_SUM:
	case TOY_DISCARD:
		if (toy_peek(c, TOY_CALL_HDR, hdr, 4))
			goto out_garbage;
		len = toy_get32(hdr);
		if (len > have - TOY_CALL_HDR - 4)
			goto out_garbage;
		n = toy_sub(c, TOY_CALL_HDR + 4, len, r->r_piov,
			    XR_MSG_MAX_RANGES);
		if (n < 0)
			goto out_garbage;
		if (proc == TOY_ECHO) {
			/* Zero-copy echo: the reply points into the call. */
			toy_put32(r->r_head + TOY_REPLY_HDR, len);
			r->r_hiov[0].iov_len += 4;
			r->r_msg.xm_payload = r->r_piov;
			r->r_msg.xm_npayload = (uint32_t)n;
			break;
		}
		toy_put32(r->r_head + TOY_REPLY_HDR, len);
		r->r_hiov[0].iov_len += 4;
		if (proc == TOY_DISCARD)
			break;
		fnv = TOY_FNV_INIT;
		for (i = 0; i < n; i++)
			fnv = toy_fnv(fnv, r->r_piov[i].iov_base,
				      r->r_piov[i].iov_len);
		toy_put32(r->r_head + TOY_REPLY_HDR + 4, fnv);
		r->r_hiov[0].iov_len += 4;
		break;
	case TOY_FILL:
		if (toy_peek(c, TOY_CALL_HDR, hdr, 8))
			goto out_garbage;
		len = toy_get32(hdr);
		seed = toy_get32(hdr + 4);
		if (len > TOY_PATTERN_MAX)
			goto out_garbage;
		toy_put32(r->r_head + TOY_REPLY_HDR, len);
		r->r_hiov[0].iov_len += 4;
		src = __atomic_load_n(&ts->ts_source, __ATOMIC_ACQUIRE);
		tail = src ? __atomic_load_n(&ts->ts_tail, __ATOMIC_ACQUIRE)
			   : NULL;
		r->r_piov[0].iov_base =
		    src ? (void *)src : ts->ts_pattern + (seed & 0xffu);
		r->r_piov[0].iov_len = len;
		r->r_msg.xm_payload = r->r_piov;
		r->r_msg.xm_npayload = 1;
		if (tail && len % 4) {
			r->r_piov[0].iov_len = len - len % 4;
			r->r_piov[1].iov_base = (void *)tail;
			r->r_piov[1].iov_len = len % 4;
			r->r_msg.xm_npayload = 2;
		}
		pad = __atomic_load_n(&ts->ts_pad, __ATOMIC_ACQUIRE);
		if (pad) {
			r->r_tiov[0].iov_base = ts->ts_pattern;
			r->r_tiov[0].iov_len = pad;
			r->r_msg.xm_tail = r->r_tiov;
			r->r_msg.xm_ntail = 1;
		}
		break;
	case TOY_NOREPLY:
		xr_svc_drop(c);
		return;
	case TOY_BARRIER: {
		struct xr_svc_call *held[1024];
		uint32_t nheld = 0, k;

		if (toy_peek(c, TOY_CALL_HDR, hdr, 4))
			goto out_garbage;
		len = toy_get32(hdr);
		pthread_mutex_lock(&ts->ts_lock);
		if (ts->ts_nbarrier < 1024)
			ts->ts_barrier[ts->ts_nbarrier++] = c;
		if (ts->ts_nbarrier >= len || ts->ts_nbarrier == 1024) {
			nheld = ts->ts_nbarrier;
			memcpy(held, ts->ts_barrier, nheld * sizeof(held[0]));
			ts->ts_nbarrier = 0;
		}
		pthread_mutex_unlock(&ts->ts_lock);
		for (k = 0; k < nheld; k++) {
			struct toy_reply *hr = held[k]->ac_upper;

			xr_svc_reply(held[k], &hr->r_msg);
		}
		return;
	}
	case TOY_STATS: {
		struct xr_core_stats st;
		uint64_t v[TOY_ST_COUNT];
		uint8_t *p = r->r_head + TOY_REPLY_HDR;

		xr_svc_get_stats(ts->ts_svc, &st);
		v[TOY_ST_CONNECTIONS] = st.cs_connections;
		v[TOY_ST_MR_LIVE] = st.cs_mr_live;
		v[TOY_ST_REG_BYTES] = st.cs_registered_bytes;
		v[TOY_ST_CALLS_LIVE] = st.cs_calls_live;
		v[TOY_ST_RECVS_POSTED] = st.cs_recvs_posted;
		v[TOY_ST_ERR_VERS] = st.cs_err_vers_sent;
		v[TOY_ST_ERR_CHUNK] = st.cs_err_chunk_sent;
		v[TOY_ST_DROPPED] = st.cs_err_hdr_dropped;
		v[TOY_ST_PER_CONN] = st.cs_registered_per_conn;
		v[TOY_ST_CONN_LOST] = st.cs_conn_lost;
		v[TOY_ST_READ_BYTES] = st.cs_rdma_read_bytes;
		v[TOY_ST_WRITE_BYTES] = st.cs_rdma_write_bytes;
		v[TOY_ST_CALLS] = st.cs_calls;
		v[TOY_ST_CONNS_TOTAL] = st.cs_connections_total;
		v[TOY_ST_UPPER_CONNECTS] =
		    __atomic_load_n(&ts->ts_connects, __ATOMIC_SEQ_CST);
		v[TOY_ST_UPPER_DISCONNECTS] =
		    __atomic_load_n(&ts->ts_disconnects, __ATOMIC_SEQ_CST);
		v[TOY_ST_REG_CALLS] = st.cs_reg_calls;
		v[TOY_ST_REG_UNNEEDED] = st.cs_reg_unneeded;
		v[TOY_ST_REG_POOL_HITS] = st.cs_reg_pool_hits;
		toy_put32(p, TOY_ST_COUNT);
		for (i = 0; i < TOY_ST_COUNT; i++)
			toy_put64(p + 4 + 8 * i, v[i]);
		r->r_hiov[0].iov_len += 4 + 8 * TOY_ST_COUNT;
		break;
	}
	default:
		toy_reply_hdr(r->r_head, c->ac_xid, 3 /* PROC_UNAVAIL */);
		break;
	}
	goto out_reply;

out_garbage:
	toy_reply_hdr(r->r_head, c->ac_xid, 4 /* GARBAGE_ARGS */);
	r->r_hiov[0].iov_len = TOY_REPLY_HDR;
	r->r_msg.xm_npayload = 0;
out_reply:
	/* Errors come back through sv_on_release, which frees r. */
	xr_svc_reply(c, &r->r_msg);
}

static void *toy_worker(void *arg)
{
	struct toy_server *ts = arg;
	struct xr_svc_call *c;

	pthread_mutex_lock(&ts->ts_lock);
	for (;;) {
		while (!ts->ts_qlen && !ts->ts_stop)
			pthread_cond_wait(&ts->ts_cv, &ts->ts_lock);
		if (!ts->ts_qlen)
			break;
		c = ts->ts_queue[ts->ts_qhead];
		ts->ts_qhead = (ts->ts_qhead + 1) % ts->ts_qcap;
		ts->ts_qlen--;
		pthread_mutex_unlock(&ts->ts_lock);
		toy_handle(ts, c);
		pthread_mutex_lock(&ts->ts_lock);
	}
	pthread_mutex_unlock(&ts->ts_lock);
	return NULL;
}

static void toy_on_call(struct xr_svc_call *c, void *ctx)
{
	struct toy_server *ts = ctx;

	pthread_mutex_lock(&ts->ts_lock);
	if (ts->ts_qlen == ts->ts_qcap) {
		pthread_mutex_unlock(&ts->ts_lock);
		xr_svc_drop(c);
		return;
	}
	ts->ts_queue[(ts->ts_qhead + ts->ts_qlen) % ts->ts_qcap] = c;
	ts->ts_qlen++;
	pthread_cond_signal(&ts->ts_cv);
	pthread_mutex_unlock(&ts->ts_lock);
}

static void toy_on_release(struct xr_svc_call *c, int status, void *ctx)
{
	static int reported;

	(void)ctx;
	/* A few failures on stderr help when a backend misbehaves. */
	if (status && status != -ENOTCONN && status != -ECANCELED &&
	    reported++ < 5)
		fprintf(stderr, "server: reply of xid %08x failed: %s\n",
			c->ac_xid, strerror(-status));
	free(c->ac_upper);
	c->ac_upper = NULL;
}

static void toy_on_connect(struct xr_svc_conn *conn, void *ctx)
{
	struct toy_server *ts = ctx;

	(void)conn;
	__atomic_fetch_add(&ts->ts_connects, 1, __ATOMIC_SEQ_CST);
}

static void toy_on_disconnect(struct xr_svc_conn *conn, void *ctx)
{
	struct toy_server *ts = ctx;

	(void)conn;
	__atomic_fetch_add(&ts->ts_disconnects, 1, __ATOMIC_SEQ_CST);
}

int toy_server_start(const struct xr_svc_params *params,
		     struct toy_server **out, char *err, size_t errlen)
{
	struct xr_svc_params p = *params;
	struct xr_svc_ops ops = {.sv_on_call = toy_on_call,
				 .sv_on_release = toy_on_release,
				 .sv_on_connect = toy_on_connect,
				 .sv_on_disconnect = toy_on_disconnect};
	struct toy_server *ts;
	uint64_t i;
	int ret;

	if (!p.sp_port)
		p.sp_port = XR_SVC_PORT_ANY;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	pthread_mutex_init(&ts->ts_lock, NULL);
	pthread_cond_init(&ts->ts_cv, NULL);
	ts->ts_qcap = 64 * 1024;
	ts->ts_queue = calloc(ts->ts_qcap, sizeof(*ts->ts_queue));
	ts->ts_pattern = malloc(TOY_PATTERN_MAX + 256);
	if (!ts->ts_queue || !ts->ts_pattern) {
		ret = -ENOMEM;
		goto out_free;
	}
	for (i = 0; i < TOY_PATTERN_MAX + 256; i++)
		ts->ts_pattern[i] = toy_pattern(0, i);
	ret = xr_svc_start(&p, &ops, ts, &ts->ts_svc, err, errlen);
	if (ret)
		goto out_free;
	for (i = 0; i < 2; i++)
		pthread_create(&ts->ts_workers[i], NULL, toy_worker, ts);
	*out = ts;
	return 0;

out_free:
	free(ts->ts_queue);
	free(ts->ts_pattern);
	free(ts);
	return ret;
}

uint16_t toy_server_port(struct toy_server *ts)
{
	return xr_svc_port(ts->ts_svc);
}

void toy_server_set_source(struct toy_server *ts, const uint8_t *src)
{
	__atomic_store_n(&ts->ts_source, src, __ATOMIC_RELEASE);
}

void toy_server_set_tail(struct toy_server *ts, const uint8_t *tail)
{
	__atomic_store_n(&ts->ts_tail, tail, __ATOMIC_RELEASE);
}

void toy_server_set_pad(struct toy_server *ts, uint32_t pad)
{
	if (pad > TOY_PATTERN_MAX)
		pad = TOY_PATTERN_MAX;
	__atomic_store_n(&ts->ts_pad, pad, __ATOMIC_RELEASE);
}

int toy_server_add_area(struct toy_server *ts, void *base, size_t len)
{
	return xr_svc_add_area(ts->ts_svc, base, len);
}

void toy_server_stats(struct toy_server *ts, struct xr_core_stats *st)
{
	xr_svc_get_stats(ts->ts_svc, st);
}

void toy_server_stop(struct toy_server *ts)
{
	int i;

	pthread_mutex_lock(&ts->ts_lock);
	ts->ts_stop = true;
	pthread_cond_broadcast(&ts->ts_cv);
	pthread_mutex_unlock(&ts->ts_lock);
	for (i = 0; i < 2; i++)
		pthread_join(ts->ts_workers[i], NULL);
	xr_svc_stop(ts->ts_svc);
	free(ts->ts_queue);
	free(ts->ts_pattern);
	free(ts);
}

static volatile sig_atomic_t toy_term;

static void toy_on_term(int sig)
{
	(void)sig;
	toy_term = 1;
}

int toy_server_main(const char *backend, const char *addr, uint32_t max_conns,
		    int port_fd)
{
	struct xr_svc_params p = {
	    .sp_backend = backend, .sp_addr = addr, .sp_max_conns = max_conns};
	struct toy_server *ts;
	char err[256];
	uint32_t msg[2];
	int ret;

	signal(SIGTERM, toy_on_term);
	ret = toy_server_start(&p, &ts, err, sizeof(err));
	msg[0] = ret ? 0 : toy_server_port(ts);
	msg[1] = (uint32_t)-ret;
	if (ret)
		fprintf(stderr, "server: %s\n", err);
	if (write(port_fd, msg, sizeof(msg)) != sizeof(msg))
		ret = -EIO;
	close(port_fd);
	if (ret)
		return 1;
	while (!toy_term)
		usleep(20000);
	toy_server_stop(ts);
	return 0;
}
