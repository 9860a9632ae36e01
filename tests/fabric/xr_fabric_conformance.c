/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Conformance suite of the fabric seam: the same cases against any backend.
 * How this works:
 *
 *   xr_fabric_conformance --backend ofi|verbs [--provider tcp] --addr A
 *                         --port P --role server|client|both
 *
 * The server is a responder: for each connection it registers a 1 MiB
 * read/write region, tells the client the region's handle and wire offset
 * in its accept private data (with a checksum of the client's connect
 * data), and answers small command messages (PING echo, FILL a pattern,
 * CHECK a pattern, CHECKRO the shared read-only region).  The connect data
 * names the case, so the server can reject or misbehave on purpose.  The
 * client runs the cases one after the other and prints one PASS/FAIL/SKIP
 * line per case and a total.  --role both forks the server and the client
 * as separate processes (port 0 = the server picks one and tells the
 * client through a pipe).  The in-process backend "loop" cannot span two
 * processes: there --role both runs the server on a thread of its own
 * instead of a child.  Exit: 0 all passed, 1 a case failed, 77 the
 * backend cannot run here.  Options, opening, buffers, the port report and
 * the roles are the harness's (fabric_harness.h), shared with the fabric
 * benchmark; the pumps and the cases are this file's.
 */
#include "fabric_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MiB (1024u * 1024u)
#define RW_LEN MiB
#define RO_LEN 8192u
#define MSG_LEN 4096u
#define SRV_RECVS 300u
#define CLI_RECVS 300u
#define OUTSTANDING 256u
/*
 * many_connections: on ofi 128 at once on each side: libfabric 2.1's tcp
 * provider once refused endpoints past ~100 here (~50 inside the engine,
 * one epoll level deeper) when each endpoint's CQ wait fd was nested in
 * the fabric's epoll set; elsewhere 24 (verbs runs in the VM tier).
 */
#define MANY_CONNS 128u
#define MANY_CONNS_VERBS 24u
#define TIMEOUT_MS 10000

/* Case codes in the connect data. */
enum { C_NORMAL = 1, C_REJECT, C_OVERSIZE_ACCEPT, C_SMALL, C_QUIT };

struct msg {
	char m_cmd[8];
	uint32_t m_len;
	uint32_t m_seed;
	uint32_t m_seq;
	uint32_t m_status;
};

/* Accept data: what the client needs to address the server's memory. */
struct srv_info {
	uint32_t si_magic;
	uint32_t si_rw_handle;
	uint64_t si_rw_off;
	uint32_t si_rw_len;
	uint32_t si_ro_handle;
	uint64_t si_ro_off;
	uint32_t si_ro_len;
	uint32_t si_pdata_len;	 /* connect data length the server got */
	uint32_t si_pdata_sum;	 /* ... and its checksum */
	uint32_t si_peer_family; /* the request's xv_peer: family ... */
	uint32_t si_peer_addr;	 /* ... and IPv4 address (network order) */
};
#define SRV_MAGIC 0x58524633u
/* It travels as accept data: within the smallest backend limit (verbs). */
_Static_assert(sizeof(struct srv_info) <= 56, "srv_info over 56 bytes");

static struct fh_opts opts = FH_OPTS_INIT;
static int verbose;

static uint8_t pattern(uint32_t seed, size_t i)
{
	return (uint8_t)(seed * 131u + i * 7u + (i >> 9));
}

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(seed, i);
}

static bool check(const uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern(seed, i))
			return false;
	return true;
}

static uint32_t checksum(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* ------------------------------------------------------------ server */

struct srv_conn {
	struct xr_ep *sc_ep;
	struct fh_buf sc_rw;   /* the region the client reads and writes */
	struct fh_buf sc_msgs; /* sc_nrecv receive slots of MSG_LEN */
	uint32_t sc_nrecv;
	bool sc_closing;
	/* xr_ep_addrs' peer right after the accept, before ESTABLISHED */
	int sc_peer_ret;
	struct sockaddr_storage sc_peer;
	struct srv_conn *sc_next;
};

struct srv {
	struct xr_fabric *s_fab;
	struct xr_listener *s_lis;
	struct fh_buf s_ro; /* read-only for the client, same for all */
	struct srv_conn *s_conns;
	bool s_quit;
};

static void srv_conn_free(struct srv *s, struct srv_conn *c)
{
	struct srv_conn **pp;

	for (pp = &s->s_conns; *pp; pp = &(*pp)->sc_next)
		if (*pp == c) {
			*pp = c->sc_next;
			break;
		}
	xr_ep_destroy(c->sc_ep);
	fh_buf_free(&c->sc_rw);
	fh_buf_free(&c->sc_msgs);
	free(c);
}

static void srv_connect_request(struct srv *s, struct xr_event *ev)
{
	uint8_t code = ev->xv_pdata_len >= 2 ? ev->xv_pdata[1] : 0;
	struct xr_recv *pre = NULL;
	struct xr_ep_attr attr;
	struct srv_info si;
	struct srv_conn *c;
	uint32_t rw_len;
	int ret;

	if (ev->xv_pdata_len < 2 || ev->xv_pdata[0] != 'X' ||
	    code == C_REJECT || code == C_QUIT) {
		xr_reject(ev->xv_req, "NO", 2);
		if (code == C_QUIT)
			s->s_quit = true;
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out_reject;
	c->sc_nrecv = code == C_SMALL ? 8 : SRV_RECVS;
	rw_len = code == C_SMALL ? 65536 : RW_LEN;
	pre = calloc(c->sc_nrecv, sizeof(*pre));
	if (!pre ||
	    fh_buf_alloc(s->s_fab, rw_len,
			 XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ |
			     XR_ACCESS_REMOTE_WRITE,
			 &c->sc_rw) ||
	    fh_buf_alloc(s->s_fab, (size_t)c->sc_nrecv * MSG_LEN,
			 XR_ACCESS_LOCAL, &c->sc_msgs))
		goto out_free;
	fh_buf_recvs(&c->sc_msgs, 0, c->sc_nrecv, MSG_LEN, pre);
	xr_ep_attr_from_credits(c->sc_nrecv, &attr);
	attr.xea_send_depth = c->sc_nrecv;
	memset(&si, 0, sizeof(si));
	si.si_magic = SRV_MAGIC;
	si.si_rw_handle = xr_mr_handle(c->sc_rw.fb_mr);
	si.si_rw_off = xr_mr_wire_offset(c->sc_rw.fb_mr, c->sc_rw.fb_mem);
	si.si_rw_len = rw_len;
	si.si_ro_handle = xr_mr_handle(s->s_ro.fb_mr);
	si.si_ro_off = xr_mr_wire_offset(s->s_ro.fb_mr, s->s_ro.fb_mem);
	si.si_ro_len = RO_LEN;
	si.si_pdata_len = ev->xv_pdata_len;
	si.si_pdata_sum = checksum(ev->xv_pdata, ev->xv_pdata_len);
	si.si_peer_family = ev->xv_peer.ss_family;
	if (ev->xv_peer.ss_family == AF_INET)
		si.si_peer_addr =
		    ((const struct sockaddr_in *)&ev->xv_peer)->sin_addr.s_addr;
	if (code == C_OVERSIZE_ACCEPT) {
		static uint8_t big[XR_PDATA_MAX + 64];

		/* Must be refused locally; the request is then rejected. */
		ret =
		    xr_accept(ev->xv_req, &attr, pre, c->sc_nrecv, big,
			      xr_fabric_pdata_max(s->s_fab) + 64, c, &c->sc_ep);
		if (ret != -EMSGSIZE)
			fprintf(stderr, "server: oversize accept gave %d\n",
				ret);
		goto out_free_only;
	}
	ret = xr_accept(ev->xv_req, &attr, pre, c->sc_nrecv, &si, sizeof(si), c,
			&c->sc_ep);
	free(pre);
	if (ret) {
		fprintf(stderr, "server: accept: %s\n",
			xr_fabric_strerror(s->s_fab));
		c->sc_ep = NULL;
		srv_conn_free(s, c);
		return;
	}
	/*
	 * Ganesha's glue asks for the peer as soon as the engine sees the
	 * connection, which may be before the fabric reports it established.
	 */
	c->sc_peer_ret = xr_ep_addrs(c->sc_ep, NULL, &c->sc_peer);
	c->sc_next = s->s_conns;
	s->s_conns = c;
	return;

out_free:
	xr_reject(ev->xv_req, NULL, 0);
out_free_only:
	free(pre);
	fh_buf_free(&c->sc_rw);
	fh_buf_free(&c->sc_msgs);
	free(c);
	return;
out_reject:
	xr_reject(ev->xv_req, NULL, 0);
}

static void srv_reply(struct srv_conn *c, uint8_t *buf, struct msg *m)
{
	struct xr_sge sge = fh_buf_sge(&c->sc_msgs, buf, sizeof(*m));

	/*
	 * Reply from the receive buffer itself; it is reposted when the send
	 * completes (the send's context is the buffer).
	 */
	memcpy(buf, m, sizeof(*m));
	if (xr_post_send(c->sc_ep, &sge, 1, false, 0, buf))
		fprintf(stderr, "server: send failed\n");
}

static void srv_message(struct srv *s, struct srv_conn *c, uint8_t *buf,
			uint32_t len)
{
	struct msg m;

	if (len < sizeof(m))
		return;
	memcpy(&m, buf, sizeof(m));
	if (!strcmp(m.m_cmd, "FILL") && m.m_len <= RW_LEN) {
		fill(c->sc_rw.fb_mem, m.m_len, m.m_seed);
		m.m_status = 0;
	} else if (!strcmp(m.m_cmd, "CHECK") && m.m_len <= RW_LEN) {
		m.m_status = check(c->sc_rw.fb_mem, m.m_len, m.m_seed) ? 0 : 1;
	} else if (!strcmp(m.m_cmd, "CHECKRO")) {
		m.m_status = check(s->s_ro.fb_mem, RO_LEN, 77) ? 0 : 1;
	} else if (!strcmp(m.m_cmd, "PING")) {
		m.m_status = 0;
	} else if (!strcmp(m.m_cmd, "PEER")) {
		struct sockaddr_storage now;
		const struct sockaddr_in *p4 =
		    (struct sockaddr_in *)&c->sc_peer;

		/* The peer named right after the accept, and still now. */
		if (c->sc_peer_ret || xr_ep_addrs(c->sc_ep, NULL, &now))
			m.m_status = 3;
		else if (c->sc_peer.ss_family != AF_INET ||
			 memcmp(&now, &c->sc_peer, sizeof(struct sockaddr_in)))
			m.m_status = 4;
		else {
			m.m_status = 0;
			m.m_seed = p4->sin_addr.s_addr;
			m.m_len = ntohs(p4->sin_port);
		}
	} else {
		m.m_status = 2;
	}
	srv_reply(c, buf, &m);
}

static void srv_completion(struct srv *s, struct xr_completion *wc)
{
	struct srv_conn *c = xr_ep_context(wc->xc_ep);
	struct xr_recv r;
	uint32_t posted;

	if (wc->xc_status) {
		if (wc->xc_status != -ECANCELED && verbose)
			fprintf(stderr, "server: op %d failed %d\n", wc->xc_op,
				wc->xc_status);
		return;
	}
	if (wc->xc_op == XR_OP_RECV) {
		srv_message(s, c, wc->xc_ctx, wc->xc_len);
	} else if (wc->xc_op == XR_OP_SEND && !c->sc_closing) {
		r = fh_buf_recv(&c->sc_msgs,
				fh_buf_index(&c->sc_msgs, wc->xc_ctx, MSG_LEN),
				MSG_LEN);
		xr_post_recvs(c->sc_ep, &r, 1, &posted);
	}
}

static int run_server(int port_pipe)
{
	struct xr_completion wc[64];
	struct srv s = {0};
	struct srv_conn *c, *next;
	struct xr_event ev;
	long idle_since = fh_now_ms();
	int n, i;

	s.s_fab = fh_open(&opts);
	if (fh_buf_alloc(s.s_fab, RO_LEN,
			 XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ, &s.s_ro)) {
		fprintf(stderr, "server: %s\n", xr_fabric_strerror(s.s_fab));
		return 1;
	}
	fill(s.s_ro.fb_mem, RO_LEN, 77);
	if (fh_listen(s.s_fab, &opts, 64, port_pipe, 0, &s.s_lis))
		return 1;
	if (verbose)
		fprintf(stderr, "server: listening on %s:%u\n", opts.fo_addr,
			xr_listener_port(s.s_lis));
	while (!s.s_quit || s.s_conns) {
		while (xr_fabric_get_event(s.s_fab, &ev) == 0) {
			idle_since = fh_now_ms();
			if (ev.xv_type == XR_EV_CONNECT_REQUEST) {
				srv_connect_request(&s, &ev);
				continue;
			}
			if (!ev.xv_ep)
				continue;
			c = xr_ep_context(ev.xv_ep);
			if (ev.xv_type == XR_EV_DISCONNECTED ||
			    ev.xv_type == XR_EV_ERROR ||
			    ev.xv_type == XR_EV_DEVICE_REMOVAL)
				c->sc_closing = true;
		}
		n = xr_fabric_poll(s.s_fab, wc, 64);
		for (i = 0; i < n; i++)
			srv_completion(&s, &wc[i]);
		for (c = s.s_conns; c; c = next) {
			next = c->sc_next;
			if (c->sc_closing && !xr_ep_outstanding(c->sc_ep))
				srv_conn_free(&s, c);
		}
		if (n > 0)
			idle_since = fh_now_ms();
		else if (fh_now_ms() - idle_since > 120000) {
			fprintf(stderr, "server: idle for 120 s, stopping\n");
			break;
		} else
			fh_wait(s.s_fab, 100);
	}
	while (s.s_conns)
		srv_conn_free(&s, s.s_conns);
	xr_listener_close(s.s_lis);
	fh_buf_free(&s.s_ro);
	xr_fabric_close(s.s_fab);
	return 0;
}

/* ------------------------------------------------------------ client */

struct op {
	int o_done;
	int o_status;
	enum xr_op o_op;
};

struct cli_conn {
	struct xr_ep *cc_ep;
	struct fh_buf cc_data; /* 2 MiB: data */
	struct fh_buf cc_msgs; /* receive slots, then send slots */
	uint8_t *cc_sendbuf;   /* after the receive slots */
	struct srv_info cc_si;
	int cc_state; /* 0 connecting, 1 up, 2 rejected, 3 gone */
	int cc_status;
	uint32_t cc_accept_len;
	uint8_t cc_accept[XR_PDATA_MAX];
	struct msg cc_inbox[OUTSTANDING * 2];
	uint32_t cc_nin;
	uint32_t cc_bad_ctx;
};

struct cli {
	struct xr_fabric *k_fab;
	uint16_t k_port;
	int k_pass, k_fail, k_skip;
};

static void result(struct cli *k, const char *name, int verdict,
		   const char *fmt, ...)
{
	static const char *const words[] = {"PASS", "FAIL", "SKIP"};
	char why[256] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("%s %s%s%s\n", words[verdict], name, why[0] ? ": " : "", why);
	fflush(stdout);
	if (verdict == 0)
		k->k_pass++;
	else if (verdict == 1)
		k->k_fail++;
	else
		k->k_skip++;
}

static void cli_repost(struct cli_conn *c, uint8_t *buf)
{
	struct xr_recv r = fh_buf_recv(
	    &c->cc_msgs, fh_buf_index(&c->cc_msgs, buf, MSG_LEN), MSG_LEN);
	uint32_t posted;

	if (c->cc_state <= 1)
		xr_post_recvs(c->cc_ep, &r, 1, &posted);
}

/* Handle everything pending on the fabric; one round, waits up to ms. */
static void pump(struct cli *k, int ms)
{
	struct xr_completion wc[64];
	struct cli_conn *c;
	struct xr_event ev;
	struct op *o;
	int n, i;

	while (xr_fabric_get_event(k->k_fab, &ev) == 0) {
		if (!ev.xv_ep)
			continue;
		c = xr_ep_context(ev.xv_ep);
		switch (ev.xv_type) {
		case XR_EV_ESTABLISHED:
			c->cc_state = 1;
			c->cc_accept_len = ev.xv_pdata_len;
			memcpy(c->cc_accept, ev.xv_pdata, ev.xv_pdata_len);
			if (ev.xv_pdata_len >= sizeof(c->cc_si))
				memcpy(&c->cc_si, ev.xv_pdata,
				       sizeof(c->cc_si));
			break;
		case XR_EV_REJECTED:
			c->cc_state = 2;
			c->cc_status = ev.xv_status;
			break;
		default:
			c->cc_state = 3;
			c->cc_status = ev.xv_status ? ev.xv_status : -EPIPE;
			break;
		}
	}
	n = xr_fabric_poll(k->k_fab, wc, 64);
	for (i = 0; i < n; i++) {
		c = xr_ep_context(wc[i].xc_ep);
		if (wc[i].xc_op == XR_OP_RECV) {
			if (wc[i].xc_status)
				continue;
			if (c->cc_nin < OUTSTANDING * 2 &&
			    wc[i].xc_len >= sizeof(struct msg))
				memcpy(&c->cc_inbox[c->cc_nin++], wc[i].xc_ctx,
				       sizeof(struct msg));
			cli_repost(c, wc[i].xc_ctx);
			continue;
		}
		o = wc[i].xc_ctx;
		if (!o || o->o_done || o->o_op != wc[i].xc_op) {
			c->cc_bad_ctx++;
			continue;
		}
		o->o_done = 1;
		o->o_status = wc[i].xc_status;
	}
	if (n == 0 && ms > 0)
		fh_wait(k->k_fab, ms);
}

static void cli_free(struct cli_conn *c)
{
	if (!c)
		return;
	xr_ep_destroy(c->cc_ep);
	fh_buf_free(&c->cc_data);
	fh_buf_free(&c->cc_msgs);
	free(c);
}

/* Disconnect, wait for every outstanding completion, free. */
static bool cli_close(struct cli *k, struct cli_conn *c)
{
	long end = fh_now_ms() + TIMEOUT_MS;
	bool clean;

	if (c->cc_state == 1)
		xr_disconnect(c->cc_ep);
	while ((c->cc_state < 2 || xr_ep_outstanding(c->cc_ep)) &&
	       fh_now_ms() < end)
		pump(k, 20);
	clean = xr_ep_outstanding(c->cc_ep) == 0;
	cli_free(c);
	return clean;
}

/*
 * Connect with case code and pdata_len bytes of connect data; wait until
 * established, rejected or failed.  Returns the connection (check
 * cc_state) or NULL when the call itself failed (*err set).
 */
static struct cli_conn *cli_connect(struct cli *k, uint8_t code,
				    uint32_t pdata_len, int *err)
{
	struct xr_recv pre[CLI_RECVS];
	uint8_t pdata[XR_PDATA_MAX + 64];
	struct xr_ep_attr attr;
	struct cli_conn *c;
	long end;
	uint32_t i, nrecv = code == C_SMALL ? 8 : CLI_RECVS;
	size_t buf_len;
	uint32_t nsend;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	buf_len = code == C_SMALL ? 65536 : 2 * MiB;
	nsend = code == C_SMALL ? 8 : OUTSTANDING;
	*err = fh_buf_alloc(k->k_fab, buf_len, XR_ACCESS_LOCAL, &c->cc_data);
	if (!*err)
		*err = fh_buf_alloc(k->k_fab, (size_t)(nrecv + nsend) * MSG_LEN,
				    XR_ACCESS_LOCAL, &c->cc_msgs);
	if (*err)
		goto out_free;
	c->cc_sendbuf = fh_buf_slot(&c->cc_msgs, nrecv, MSG_LEN);
	fh_buf_recvs(&c->cc_msgs, 0, nrecv, MSG_LEN, pre);
	xr_ep_attr_from_credits(nrecv, &attr);
	attr.xea_send_depth = OUTSTANDING * 2 + 16;
	pdata[0] = 'X';
	pdata[1] = code;
	for (i = 2; i < sizeof(pdata); i++)
		pdata[i] = (uint8_t)(i * 13 + code);
	*err = xr_connect(k->k_fab, opts.fo_addr, k->k_port, &attr, pre, nrecv,
			  pdata, pdata_len, c, &c->cc_ep);
	if (*err)
		goto out_free;
	end = fh_now_ms() + TIMEOUT_MS;
	while (c->cc_state == 0 && fh_now_ms() < end)
		pump(k, 50);
	return c;

out_free:
	cli_free(c);
	return NULL;
}

static bool cli_up(struct cli_conn *c)
{
	return c && c->cc_state == 1 && c->cc_si.si_magic == SRV_MAGIC;
}

/* Send a command and wait for its reply; returns the reply status or -1. */
static int cli_cmd(struct cli *k, struct cli_conn *c, const char *cmd,
		   uint32_t len, uint32_t seed)
{
	uint8_t *buf = c->cc_sendbuf;
	struct xr_sge sge = {.ge_addr = buf,
			     .ge_len = sizeof(struct msg),
			     .ge_mr = c->cc_msgs.fb_mr};
	struct op o = {.o_op = XR_OP_SEND};
	struct msg m = {.m_len = len, .m_seed = seed};
	uint32_t before = c->cc_nin;
	long end = fh_now_ms() + TIMEOUT_MS;

	snprintf(m.m_cmd, sizeof(m.m_cmd), "%s", cmd);
	memcpy(buf, &m, sizeof(m));
	if (xr_post_send(c->cc_ep, &sge, 1, false, 0, &o)) {
		fprintf(stderr, "client: send: %s\n",
			xr_fabric_strerror(k->k_fab));
		return -1;
	}
	while ((!o.o_done || c->cc_nin == before) && fh_now_ms() < end &&
	       c->cc_state == 1)
		pump(k, 50);
	while (!o.o_done && fh_now_ms() < end)
		pump(k, 20);
	if (!o.o_done || o.o_status || c->cc_nin == before)
		return -1;
	return (int)c->cc_inbox[c->cc_nin - 1].m_status;
}

/*
 * Post one RDMA op with local memory in region mr (NULL: a plain address)
 * and wait for it; returns its status, the post's error or -ETIMEDOUT.
 */
static int cli_rdma_mr(struct cli *k, struct cli_conn *c, enum xr_op op,
		       uint8_t *local, struct xr_mr *mr, uint32_t len,
		       uint64_t roff, uint32_t rkey)
{
	struct xr_sge sge = {.ge_addr = local, .ge_len = len, .ge_mr = mr};
	struct op o = {.o_op = op};
	long end = fh_now_ms() + TIMEOUT_MS;
	int ret;

	ret = op == XR_OP_WRITE
		  ? xr_post_write(c->cc_ep, &sge, 1, roff, rkey, &o)
		  : xr_post_read(c->cc_ep, &sge, 1, roff, rkey, &o);
	if (ret) {
		fprintf(stderr, "client: rdma %d: %s\n", ret,
			xr_fabric_strerror(k->k_fab));
		return ret;
	}
	while (!o.o_done && fh_now_ms() < end)
		pump(k, 50);
	return o.o_done ? o.o_status : -ETIMEDOUT;
}

/* Post one RDMA op on the connection's data region and wait for it. */
static int cli_rdma(struct cli *k, struct cli_conn *c, enum xr_op op,
		    uint8_t *local, uint32_t len, uint64_t roff, uint32_t rkey)
{
	return cli_rdma_mr(k, c, op, local, c->cc_data.fb_mr, len, roff, rkey);
}

/* The connection's addresses: the peer is the server we dialled. */
static void case_addrs(struct cli *k, struct cli_conn *c)
{
	struct sockaddr_storage local, peer;
	struct sockaddr_in *l4 = (struct sockaddr_in *)&local;
	struct sockaddr_in *p4 = (struct sockaddr_in *)&peer;
	struct in_addr want;
	int ret;

	ret = xr_ep_addrs(c->cc_ep, &local, &peer);
	if (ret) {
		result(k, "endpoint_addresses", 1, "xr_ep_addrs: %d", ret);
		return;
	}
	if (inet_pton(AF_INET, opts.fo_addr, &want) != 1 ||
	    peer.ss_family != AF_INET || p4->sin_addr.s_addr != want.s_addr ||
	    ntohs(p4->sin_port) != k->k_port || local.ss_family != AF_INET ||
	    l4->sin_port == 0)
		result(k, "endpoint_addresses", 1,
		       "peer family %d port %u (want %s:%u), local port %u",
		       peer.ss_family, ntohs(p4->sin_port), opts.fo_addr,
		       k->k_port, ntohs(l4->sin_port));
	else
		result(k, "endpoint_addresses", 0, "peer %s:%u, local port %u",
		       opts.fo_addr, k->k_port, ntohs(l4->sin_port));
	/* The server learnt our address with the request (xv_peer). */
	if (local.ss_family != AF_INET || c->cc_si.si_peer_family != AF_INET ||
	    c->cc_si.si_peer_addr != l4->sin_addr.s_addr)
		result(k, "request_names_peer", 1,
		       "server saw family %u address %08x, we are %08x",
		       c->cc_si.si_peer_family, ntohl(c->cc_si.si_peer_addr),
		       ntohl(l4->sin_addr.s_addr));
	else
		result(k, "request_names_peer", 0,
		       "the connect request carried our address");
	/*
	 * The accepted endpoint names us too: Ganesha's xp_remote (DRC,
	 * sessions, the per-address limit) comes from it.
	 */
	ret = cli_cmd(k, c, "PEER", 0, 0);
	if (ret != 0 || c->cc_nin == 0)
		result(k, "accepted_names_peer", 1,
		       "server's xr_ep_addrs on the accepted endpoint: %d",
		       ret);
	else if (c->cc_inbox[c->cc_nin - 1].m_seed != l4->sin_addr.s_addr ||
		 c->cc_inbox[c->cc_nin - 1].m_len != ntohs(l4->sin_port))
		result(k, "accepted_names_peer", 1,
		       "server sees %08x:%u, we are %08x:%u",
		       ntohl(c->cc_inbox[c->cc_nin - 1].m_seed),
		       c->cc_inbox[c->cc_nin - 1].m_len,
		       ntohl(l4->sin_addr.s_addr), ntohs(l4->sin_port));
	else
		result(k, "accepted_names_peer", 0,
		       "the accepted endpoint's peer is our address and port");
}

static void case_pdata(struct cli *k)
{
	uint32_t max = xr_fabric_pdata_max(k->k_fab);
	uint8_t expect[XR_PDATA_MAX];
	struct cli_conn *c;
	uint32_t i;
	int err = 0;

	c = cli_connect(k, C_NORMAL, max, &err);
	if (!cli_up(c)) {
		result(k, "private_data_round_trip", 1,
		       "connect failed (%d, state %d)", err,
		       c ? c->cc_state : -1);
		goto out;
	}
	/* What we sent, zero-padded to what the server received. */
	memset(expect, 0, sizeof(expect));
	expect[0] = 'X';
	expect[1] = C_NORMAL;
	for (i = 2; i < max; i++)
		expect[i] = (uint8_t)(i * 13 + C_NORMAL);
	if (c->cc_si.si_pdata_len < max ||
	    c->cc_si.si_pdata_len > XR_PDATA_MAX ||
	    c->cc_si.si_pdata_sum != checksum(expect, c->cc_si.si_pdata_len))
		result(k, "private_data_round_trip", 1,
		       "server got %u bytes, checksum mismatch or short",
		       c->cc_si.si_pdata_len);
	else
		result(k, "private_data_round_trip", 0,
		       "%u bytes each way (limit %u)", max, max);
	case_addrs(k, c);
out:
	if (c)
		cli_close(k, c);
}

static void case_oversize(struct cli *k)
{
	uint32_t max = xr_fabric_pdata_max(k->k_fab);
	struct cli_conn *c;
	int err = 0;

	c = cli_connect(k, C_NORMAL, max + 1, &err);
	if (c || err != -EMSGSIZE)
		result(k, "oversize_connect_data_refused", 1,
		       "connect with %u bytes gave %d", max + 1, err);
	else
		result(k, "oversize_connect_data_refused", 0,
		       "-EMSGSIZE locally");
	if (c)
		cli_close(k, c);
	c = cli_connect(k, C_OVERSIZE_ACCEPT, 8, &err);
	if (c && c->cc_state == 2)
		result(k, "oversize_accept_data_refused", 0,
		       "server refused it locally, peer saw a reject");
	else
		result(k, "oversize_accept_data_refused", 1,
		       "client state %d (want rejected)", c ? c->cc_state : -1);
	if (c)
		cli_close(k, c);
}

static void case_reject(struct cli *k)
{
	struct cli_conn *c;
	int err = 0;

	c = cli_connect(k, C_REJECT, 8, &err);
	if (c && c->cc_state == 2 && c->cc_status == -ECONNREFUSED)
		result(k, "reject", 0, "XR_EV_REJECTED, -ECONNREFUSED");
	else
		result(k, "reject", 1, "state %d status %d",
		       c ? c->cc_state : -1, c ? c->cc_status : err);
	if (c)
		cli_close(k, c);
}

static void case_pingpong(struct cli *k, struct cli_conn *c)
{
	uint8_t *buf = c->cc_sendbuf;
	struct xr_sge sge = {.ge_addr = buf,
			     .ge_len = sizeof(struct msg),
			     .ge_mr = c->cc_msgs.fb_mr};
	const int rounds = 1000;
	struct msg m = {.m_cmd = "PING"};
	struct op o;
	long end = fh_now_ms() + TIMEOUT_MS * 3;
	int i;

	for (i = 0; i < rounds && fh_now_ms() < end; i++) {
		uint32_t before = c->cc_nin;

		m.m_seq = (uint32_t)i;
		m.m_seed = (uint32_t)i * 2654435761u;
		memcpy(buf, &m, sizeof(m));
		o = (struct op){.o_op = XR_OP_SEND};
		if (xr_post_send(c->cc_ep, &sge, 1, false, 0, &o))
			break;
		while ((c->cc_nin == before || !o.o_done) &&
		       fh_now_ms() < end && c->cc_state == 1)
			pump(k, 50);
		if (c->cc_nin == before || o.o_status)
			break;
		if (c->cc_inbox[c->cc_nin - 1].m_seq != m.m_seq ||
		    c->cc_inbox[c->cc_nin - 1].m_seed != m.m_seed)
			break;
		c->cc_nin = 0;
	}
	if (i == rounds)
		result(k, "send_recv_ping_pong", 0, "%d round trips verified",
		       rounds);
	else
		result(k, "send_recv_ping_pong", 1, "stopped at round %d", i);
}

static void case_rdma_sizes(struct cli *k, struct cli_conn *c)
{
	static const uint32_t sizes[] = {4096, 16384, 65536, 262144, MiB};
	char name[64];
	uint32_t i, len, seed;
	int ret, st;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		len = sizes[i];
		seed = 1000 + i;
		snprintf(name, sizeof(name), "rdma_write_%uk", len / 1024);
		fill(c->cc_data.fb_mem, len, seed);
		ret = cli_rdma(k, c, XR_OP_WRITE, c->cc_data.fb_mem, len,
			       c->cc_si.si_rw_off, c->cc_si.si_rw_handle);
		st = ret ? -1 : cli_cmd(k, c, "CHECK", len, seed);
		if (ret || st)
			result(k, name, 1, "write status %d, check %d", ret,
			       st);
		else
			result(k, name, 0, "%u bytes verified by the peer",
			       len);

		snprintf(name, sizeof(name), "rdma_read_%uk", len / 1024);
		seed = 2000 + i;
		st = cli_cmd(k, c, "FILL", len, seed);
		memset(c->cc_data.fb_mem, 0, len);
		ret = st ? -1
			 : cli_rdma(k, c, XR_OP_READ, c->cc_data.fb_mem, len,
				    c->cc_si.si_rw_off, c->cc_si.si_rw_handle);
		if (ret || st || !check(c->cc_data.fb_mem, len, seed))
			result(k, name, 1, "fill %d, read status %d%s", st, ret,
			       ret || st ? "" : ", data differs");
		else
			result(k, name, 0, "%u bytes verified", len);
	}
	/* A write into the middle: wire offset arithmetic inside a region. */
	fill(c->cc_data.fb_mem, 8192, 3);
	st = cli_cmd(k, c, "FILL", 65536, 9);
	ret = cli_rdma(k, c, XR_OP_WRITE, c->cc_data.fb_mem, 100,
		       c->cc_si.si_rw_off + 12345, c->cc_si.si_rw_handle);
	if (!ret && !st) {
		uint8_t *b = c->cc_data.fb_mem + 4096;
		bool ok;

		memset(b, 0, 65536);
		ret = cli_rdma(k, c, XR_OP_READ, b, 65536, c->cc_si.si_rw_off,
			       c->cc_si.si_rw_handle);
		ok = !ret && memcmp(b + 12345, c->cc_data.fb_mem, 100) == 0 &&
		     b[12344] == pattern(9, 12344) &&
		     b[12445] == pattern(9, 12445);
		result(k, "rdma_offset_inside_region", ok ? 0 : 1,
		       ok ? "100 bytes at offset 12345, neighbours intact"
			  : "read status %d or data wrong",
		       ret);
	} else {
		result(k, "rdma_offset_inside_region", 1, "status %d/%d", ret,
		       st);
	}
}

/*
 * xr_fabric_local_needs_reg(): where it is true an sge without a region
 * is refused; where it is false, plain unregistered memory works as the
 * local side of RDMA Write and Read, and what moves is what the address
 * maps at post time - the buffer is unmapped and mapped again at the same
 * address with other bytes between two writes, and the peer must see the
 * new ones (no registration can go stale when there is none).
 */
static void case_plain_local(struct cli *k, struct cli_conn *c)
{
	const uint32_t len = 65536;
	uint8_t *p, *q;
	int ret, st = -1, st2 = -1, rd = -1;

	if (xr_fabric_local_needs_reg(k->k_fab)) {
		ret =
		    cli_rdma_mr(k, c, XR_OP_WRITE, c->cc_data.fb_mem, NULL, 64,
				c->cc_si.si_rw_off, c->cc_si.si_rw_handle);
		result(k, "plain_local_refused", ret == -EINVAL ? 0 : 1,
		       "local needs registration: no region -> %d (want %d)",
		       ret, -EINVAL);
		return;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED) {
		result(k, "plain_local_rdma", 1, "mmap: %s", strerror(errno));
		return;
	}
	fill(p, len, 71);
	ret = cli_rdma_mr(k, c, XR_OP_WRITE, p, NULL, len, c->cc_si.si_rw_off,
			  c->cc_si.si_rw_handle);
	if (!ret)
		st = cli_cmd(k, c, "CHECK", len, 71);
	/* Same address, new pages, new bytes. */
	munmap(p, len);
	q = mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q == p) {
		fill(q, len, 72);
		ret |= cli_rdma_mr(k, c, XR_OP_WRITE, q, NULL, len,
				   c->cc_si.si_rw_off, c->cc_si.si_rw_handle);
		st2 = ret ? -1 : cli_cmd(k, c, "CHECK", len, 72);
		/* And back: Read into plain memory after MADV_DONTNEED. */
		if (!cli_cmd(k, c, "FILL", len, 73)) {
			madvise(q, len, MADV_DONTNEED);
			rd = cli_rdma_mr(k, c, XR_OP_READ, q, NULL, len,
					 c->cc_si.si_rw_off,
					 c->cc_si.si_rw_handle);
			if (!rd && !check(q, len, 73))
				rd = -EBADMSG;
		}
		munmap(q, len);
	}
	result(k, "plain_local_rdma",
	       !ret && !st && !st2 && !rd && q == p ? 0 : 1,
	       "unregistered write %d, check %d, after remap check %d, "
	       "read after DONTNEED %d",
	       ret, st, st2, rd);
}

static void case_outstanding(struct cli *k, struct cli_conn *c)
{
	static struct op ops[OUTSTANDING];
	uint8_t *sbuf = c->cc_sendbuf;
	long end;
	uint32_t i, done, bad = 0;
	int ret = 0, st;

	/* 256 RDMA Reads of 4 KiB in flight at once. */
	st = cli_cmd(k, c, "FILL", RW_LEN, 42);
	memset(c->cc_data.fb_mem, 0, RW_LEN);
	memset(ops, 0, sizeof(ops));
	c->cc_bad_ctx = 0;
	for (i = 0; i < OUTSTANDING && !ret; i++) {
		struct xr_sge sge = {.ge_addr = c->cc_data.fb_mem + i * 4096,
				     .ge_len = 4096,
				     .ge_mr = c->cc_data.fb_mr};

		ops[i].o_op = XR_OP_READ;
		ret = xr_post_read(c->cc_ep, &sge, 1,
				   c->cc_si.si_rw_off + i * 4096,
				   c->cc_si.si_rw_handle, &ops[i]);
	}
	end = fh_now_ms() + TIMEOUT_MS * 3;
	do {
		pump(k, 20);
		for (done = 0, i = 0; i < OUTSTANDING; i++)
			done += ops[i].o_done;
	} while (done < OUTSTANDING && fh_now_ms() < end);
	for (i = 0; i < OUTSTANDING; i++)
		bad += ops[i].o_status != 0;
	if (st || ret || done < OUTSTANDING || bad || c->cc_bad_ctx ||
	    !check(c->cc_data.fb_mem, OUTSTANDING * 4096, 42))
		result(k, "outstanding_256_rdma_reads", 1,
		       "post %d, %u/%u done, %u failed, %u stray", ret, done,
		       OUTSTANDING, bad, c->cc_bad_ctx);
	else
		result(k, "outstanding_256_rdma_reads", 0,
		       "each context completed once, data verified");

	/* 256 sends in flight; the server has 300 receives posted. */
	memset(ops, 0, sizeof(ops));
	c->cc_nin = 0;
	for (i = 0; i < OUTSTANDING && !ret; i++) {
		uint8_t *b = sbuf + i * MSG_LEN;
		struct msg m = {.m_cmd = "PING", .m_seq = i};
		struct xr_sge sge = {.ge_addr = b,
				     .ge_len = sizeof(m),
				     .ge_mr = c->cc_msgs.fb_mr};

		memcpy(b, &m, sizeof(m));
		ops[i].o_op = XR_OP_SEND;
		ret = xr_post_send(c->cc_ep, &sge, 1, false, 0, &ops[i]);
	}
	end = fh_now_ms() + TIMEOUT_MS * 3;
	do {
		pump(k, 20);
		for (done = 0, i = 0; i < OUTSTANDING; i++)
			done += ops[i].o_done;
	} while ((done < OUTSTANDING || c->cc_nin < OUTSTANDING) &&
		 fh_now_ms() < end);
	for (bad = 0, i = 0; i < c->cc_nin; i++)
		bad += c->cc_inbox[i].m_seq != i; /* in order */
	if (ret || done < OUTSTANDING || c->cc_nin != OUTSTANDING || bad ||
	    c->cc_bad_ctx)
		result(k, "outstanding_256_sends", 1,
		       "post %d, %u sent, %u replies, %u out of order", ret,
		       done, c->cc_nin, bad);
	else
		result(k, "outstanding_256_sends", 0, "256 replies, in order");
	c->cc_nin = 0;
}

static void case_many(struct cli *k)
{
	struct cli_conn *c[MANY_CONNS];
	uint32_t i, up = 0, pinged = 0, clean = 0, many = MANY_CONNS;
	int err;

	if (strcmp(opts.fo_backend, "ofi"))
		many = MANY_CONNS_VERBS;
	for (i = 0; i < many; i++) {
		err = 0;
		c[i] = cli_connect(k, C_SMALL, 8, &err);
		if (cli_up(c[i]))
			up++;
		else if (up == i) /* say why, once */
			fprintf(stderr,
				"client: connection %u: err %d state %d "
				"status %d: %s\n",
				i, err, c[i] ? c[i]->cc_state : -1,
				c[i] ? c[i]->cc_status : 0,
				xr_fabric_strerror(k->k_fab));
	}
	for (i = 0; i < many; i++)
		if (cli_up(c[i]) && cli_cmd(k, c[i], "PING", 0, i) == 0)
			pinged++;
	for (i = 0; i < many; i++)
		if (c[i])
			clean += cli_close(k, c[i]);
	if (up == many && pinged == many && clean == many)
		result(k, "many_connections", 0,
		       "%u connections to one listener, all pinged", up);
	else
		result(k, "many_connections", 1,
		       "%u up, %u pinged, %u closed clean of %u", up, pinged,
		       clean, many);
}

/*
 * A bad RDMA op must fail on the initiator (error completion or the
 * connection reporting an error), never hang or crash either side.
 */
static void case_bad(struct cli *k, const char *name, enum xr_op op, int which)
{
	struct cli_conn *c;
	uint64_t off;
	uint32_t key, len = 4096;
	long end;
	int err = 0, ret;

	c = cli_connect(k, C_NORMAL, 8, &err);
	if (!cli_up(c)) {
		result(k, name, 1, "connect failed");
		goto out;
	}
	off = c->cc_si.si_rw_off;
	key = c->cc_si.si_rw_handle;
	if (which == 0) { /* a key the peer was not given */
		key ^= 0x5a5a5a5au;
		if (key == c->cc_si.si_ro_handle)
			key ^= 1;
	} else if (which == 1) { /* past the end of the region */
		off += c->cc_si.si_rw_len - 100;
	} else { /* the read-only region, written */
		off = c->cc_si.si_ro_off;
		key = c->cc_si.si_ro_handle;
	}
	fill(c->cc_data.fb_mem, len, 5);
	ret = cli_rdma(k, c, op, c->cc_data.fb_mem, len, off, key);
	/* A write may be reported done before the peer refuses it. */
	end = fh_now_ms() + TIMEOUT_MS;
	while (ret == 0 && c->cc_state == 1 && fh_now_ms() < end)
		pump(k, 50);
	if (ret == -ETIMEDOUT)
		result(k, name, 1, "no completion within %d ms", TIMEOUT_MS);
	else if (ret == 0 && c->cc_state == 1)
		result(k, name, 1, "accepted: the peer did not refuse it");
	else
		result(k, name, 0, "refused (completion %d, connection %s)",
		       ret, c->cc_state == 1 ? "up" : "reported gone");
out:
	if (c && !cli_close(k, c))
		result(k, name, 1, "operations left outstanding at close");
}

static void case_disconnect_midflight(struct cli *k)
{
	static struct op ops[OUTSTANDING];
	struct cli_conn *c;
	uint32_t i, done = 0, stray;
	long end;
	int err = 0, ret = 0;

	c = cli_connect(k, C_NORMAL, 8, &err);
	if (!cli_up(c)) {
		result(k, "disconnect_mid_transfer", 1, "connect failed");
		if (c)
			cli_close(k, c);
		return;
	}
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < OUTSTANDING && !ret; i++) {
		struct xr_sge sge = {.ge_addr =
					 c->cc_data.fb_mem + (i % 16) * 65536,
				     .ge_len = 65536,
				     .ge_mr = c->cc_data.fb_mr};

		ops[i].o_op = i % 2 ? XR_OP_READ : XR_OP_WRITE;
		ret = i % 2
			  ? xr_post_read(c->cc_ep, &sge, 1,
					 c->cc_si.si_rw_off + (i % 16) * 65536,
					 c->cc_si.si_rw_handle, &ops[i])
			  : xr_post_write(c->cc_ep, &sge, 1,
					  c->cc_si.si_rw_off + (i % 16) * 65536,
					  c->cc_si.si_rw_handle, &ops[i]);
	}
	xr_disconnect(c->cc_ep);
	end = fh_now_ms() + TIMEOUT_MS * 2;
	while ((c->cc_state < 2 || xr_ep_outstanding(c->cc_ep)) &&
	       fh_now_ms() < end)
		pump(k, 20);
	for (i = 0; i < OUTSTANDING; i++)
		done += ops[i].o_done;
	stray = c->cc_bad_ctx;
	if (ret || c->cc_state < 2 || xr_ep_outstanding(c->cc_ep) ||
	    done != OUTSTANDING || stray)
		result(k, "disconnect_mid_transfer", 1,
		       "post %d, state %d, %u outstanding, %u/%u completed, "
		       "%u stray",
		       ret, c->cc_state, xr_ep_outstanding(c->cc_ep), done,
		       OUTSTANDING, stray);
	else
		result(k, "disconnect_mid_transfer", 0,
		       "disconnect event, all %u operations completed once",
		       OUTSTANDING);
	cli_free(c);
}

static void case_invalidate(struct cli *k, struct cli_conn *c)
{
	uint8_t *buf = c->cc_sendbuf;
	struct xr_sge sge = {.ge_addr = buf,
			     .ge_len = sizeof(struct msg),
			     .ge_mr = c->cc_msgs.fb_mr};
	int ret;

	if (strcmp(opts.fo_backend, "ofi") && strcmp(opts.fo_backend, "loop")) {
		result(k, "send_with_invalidate", 2,
		       "needs FRWR/MW registrations, not offered by the seam "
		       "yet");
		return;
	}
	ret = xr_post_send(c->cc_ep, &sge, 1, true, 1, NULL);
	result(k, "send_with_invalidate", ret == -EOPNOTSUPP ? 0 : 1,
	       "%s reports %d (want -EOPNOTSUPP)", opts.fo_backend, ret);
}

static void case_registration(struct cli *k)
{
	enum { N = 512 };
	static uint8_t area[N * 64];
	struct xr_mr *mr[N];
	uint32_t handles[N], i, j, dup = 0;
	struct xr_mr *bad = NULL;
	int ret, ret2, fails = 0;

	ret = xr_reg_mr(k->k_fab, area, sizeof(area), 0, &bad);
	ret2 = xr_reg_mr(k->k_fab, area, sizeof(area), 1u << 5, &bad);
	result(k, "register_refuses_bad_access",
	       ret == -EINVAL && ret2 == -EINVAL ? 0 : 1,
	       "no access -> %d, unknown bit -> %d", ret, ret2);
	for (i = 0; i < N; i++) {
		ret =
		    xr_reg_mr(k->k_fab, area + i * 64, 64,
			      XR_ACCESS_REMOTE_READ | XR_ACCESS_LOCAL, &mr[i]);
		if (ret) {
			mr[i] = NULL;
			fails++;
			continue;
		}
		handles[i] = xr_mr_handle(mr[i]);
	}
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++)
			dup += mr[i] && mr[j] && handles[i] == handles[j];
	for (i = 0; i < N; i++)
		xr_dereg_mr(mr[i]);
	result(k, "handles_unique_per_domain", fails || dup ? 1 : 0,
	       "%d regions, %d failed, %u duplicate handles", N, fails, dup);
}

static void case_alive(struct cli *k)
{
	struct cli_conn *c;
	int err = 0, st = -1, st2 = -1;

	c = cli_connect(k, C_NORMAL, 8, &err);
	if (cli_up(c)) {
		st = cli_cmd(k, c, "PING", 0, 1);
		st2 = cli_cmd(k, c, "CHECKRO", 0, 0);
	}
	result(k, "server_alive_memory_intact", st == 0 && st2 == 0 ? 0 : 1,
	       "ping %d, read-only region %s", st,
	       st2 == 0 ? "unchanged" : "CHANGED or unknown");
	if (c)
		cli_close(k, c);
}

/* Runs every case against the server at @port; the exit status. */
static int run_client(uint16_t port, uint16_t extra_port)
{
	struct cli k = {.k_port = port};
	struct cli_conn *c;
	int err = 0;

	k.k_fab = fh_open(&opts);
	case_registration(&k);
	case_pdata(&k);
	case_oversize(&k);
	case_reject(&k);
	c = cli_connect(&k, C_NORMAL, 8, &err);
	if (cli_up(c)) {
		case_pingpong(&k, c);
		case_rdma_sizes(&k, c);
		case_plain_local(&k, c);
		case_outstanding(&k, c);
		case_invalidate(&k, c);
		if (!cli_close(&k, c))
			result(&k, "orderly_disconnect", 1,
			       "operations left outstanding");
		else
			result(&k, "orderly_disconnect", 0,
			       "disconnect event, nothing outstanding");
	} else {
		result(&k, "connect", 1, "%s (err %d, state %d)",
		       xr_fabric_strerror(k.k_fab), err, c ? c->cc_state : -1);
		if (c)
			cli_close(&k, c);
	}
	case_many(&k);
	case_bad(&k, "bad_key_refused", XR_OP_WRITE, 0);
	case_bad(&k, "bad_key_read_refused", XR_OP_READ, 0);
	case_bad(&k, "out_of_range_refused", XR_OP_READ, 1);
	case_bad(&k, "write_to_read_only_refused", XR_OP_WRITE, 2);
	case_disconnect_midflight(&k);
	case_alive(&k);

	/* Tell the server to stop (it rejects this one and exits). */
	c = cli_connect(&k, C_QUIT, 8, &err);
	if (c)
		cli_close(&k, c);
	xr_fabric_close(k.k_fab);
	printf("%d passed, %d failed, %d skipped\n", k.k_pass, k.k_fail,
	       k.k_skip);
	fflush(stdout);
	return k.k_fail ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xr_fabric_conformance --backend ofi|verbs|loop "
		"[--provider P] [--local ADDR]\n"
		"       --addr A --port P --role server|client|both [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    FH_LONG_OPTIONS, {"verbose", no_argument, NULL, 'v'}, {0}};
	int o, ret;

	while ((o = getopt_long(argc, argv, FH_SHORT_OPTIONS "v", lo, NULL)) !=
	       -1) {
		ret = fh_option(&opts, o, optarg);
		if (ret < 0)
			usage();
		if (ret)
			continue;
		if (o == 'v')
			verbose = 1;
		else
			usage();
	}
	fh_opts_done(&opts);
	signal(SIGPIPE, SIG_IGN);
	fh_raise_memlock();
	ret = fh_run(&opts, run_server, run_client, 1);
	if (ret == 2)
		usage();
	return ret;
}
