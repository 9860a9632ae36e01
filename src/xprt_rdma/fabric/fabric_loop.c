/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The loop backend: the fabric seam inside one process, for tests.  How
 * this works:
 *
 * - Every fabric opened with backend "loop" joins one process-wide world
 *   (listeners by address and port, memory keys); one mutex guards the
 *   world and every loop object, so a server engine's progress thread and
 *   a test thread driving the client side may run at once.  It is never
 *   picked unless named (the NFS_RDMA block offers only verbs and ofi).
 * - Connections: connect() queues a CONNECT_REQUEST event on the
 *   listener's fabric; accept() pairs the two endpoints and queues
 *   ESTABLISHED on both fabrics (the client's with the accept data).
 * - Operations run under the lock when posted: RDMA Write/Read copy at
 *   once after the peer's region was found by key and the range and
 *   access checked (a bad one completes -EACCES and breaks the
 *   connection, as ofi closes the endpoint); a send waits on the sender's
 *   queue until the peer has a receive posted (RC semantics: the send
 *   completes when delivered), so order is kept.  A message longer than
 *   the receive breaks the connection with -EIO on both operations.
 * - Completions wait per endpoint in a FIFO of work-request slot indexes
 *   (slots from xr_fabric.c, plus a parallel array of what each op needs),
 *   so nothing is allocated per operation.  The fabric's eventfd is
 *   written whenever an event or completion is queued; arm() drains it and
 *   says -EAGAIN while anything is pending.
 * - When a connection ends, each side owes one event and every operation
 *   not completed yet is flushed with -ECANCELED.
 * - Faults (xr_fabric_loop.h) come from a per-fabric xorshift sequence
 *   seeded by the test: completions withheld until disconnect, held past
 *   the disconnect event, connections broken at a post, short receive
 *   batches, -ENOSPC posts, and a peer that stops taking messages.
 * - Threads: the thread that last polled or armed a fabric is its driver;
 *   a post, connect, disconnect, accept or reject from any other thread is
 *   counted (lc_foreign_posts), so a test can prove that engines on a
 *   fabric without XR_CAP_POST_ANY_THREAD (xr_loop_set_open_caps()) leave
 *   all of it to their progress thread.
 * - Wire offsets are virtual addresses; keys are a bijective scramble of
 *   a world-wide counter, so they are unique, non-zero and the same in
 *   every run.
 */
#include "xr_fabric_int.h"
#include "xr_fabric_loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LP_MR_BUCKETS 256u
#define LP_NONE UINT32_MAX
#define LP_FIRST_PORT 30000u

/* Where an operation is while its slot is busy. */
enum lp_where {
	LP_IDLE,   /* not posted */
	LP_RQ,	   /* receive posted, waiting for a message */
	LP_SENDQ,  /* send posted, waiting for the peer's receive */
	LP_READY,  /* completion queued for poll */
	LP_HELD,   /* completion withheld (drop fault) */
	LP_LATE,   /* completion held until the disconnect event is taken */
	LP_FAILED, /* completed with an error; queued before the flush */
};

enum lp_state { LP_CONNECTING, LP_CONNECTED, LP_CLOSED };

struct lp_op {
	uint8_t lop_where;
	int lop_status;
	uint32_t lop_len;
	uint32_t lop_next; /* FIFO link: ready, receive or send queue */
	uint32_t lop_nsge;
	struct xr_sge lop_sge[XR_MAX_SGE];
	uint32_t lop_key[XR_MAX_SGE]; /* sge regions, looked up again later */
};

struct lp_fifo {
	uint32_t lq_head, lq_tail;
};

struct lp_fabric;
struct lp_req;

struct lp_ep {
	struct xr_ep pe_base;
	struct lp_fabric *pe_fab;
	enum lp_state pe_state;
	struct lp_ep *pe_peer;
	struct lp_req *pe_req; /* client: its request not yet answered */
	struct lp_op *pe_ops;  /* parallel to pe_base.xe_wrs.xp_slots */
	struct lp_fifo le_ready, le_rq, pe_sendq;
	bool pe_stopped;	     /* stop-reading fault */
	bool pe_was_conn;	     /* has addresses */
	uint32_t le_laddr, pe_paddr; /* network order */
	uint16_t le_lport, pe_pport;
	struct lp_ep *le_prev, *pe_next;
};

struct lp_mr {
	struct xr_mr lm_base;
	struct lp_fabric *lm_fab;
	uintptr_t lm_start;
	size_t lm_len;
	unsigned int lm_access;
	uint32_t lm_key;
	struct lp_mr *lm_hnext;
};

struct lp_listener {
	struct xr_listener ll_base;
	struct lp_fabric *ll_fab;
	uint32_t ll_addr; /* network order; INADDR_ANY listens on all */
	uint16_t ll_port;
	int ll_backlog;
	int ll_pending;
	struct lp_listener *ll_next; /* world list */
};

struct lp_req {
	struct xr_conn_req lr_base;
	struct lp_listener *lr_lis; /* NULL once the listener closed */
	struct lp_ep *lr_client;    /* NULL once the client gave up */
	uint32_t lr_addr;	    /* address dialled */
	uint32_t lr_pdata_len;
	uint8_t lr_pdata[XR_PDATA_MAX];
	struct lp_req *lr_prev, *lr_next; /* fabric's live requests */
};

struct lp_event {
	struct xr_event lv_ev;
	struct lp_event *lv_next;
};

struct lp_fabric {
	struct xr_fabric pf_base;
	int pf_efd;
	struct lp_event *lf_ev_head, *pf_ev_tail;
	struct lp_ep *pf_eps;
	struct lp_req *pf_reqs;
	struct lp_mr *pf_mrs[LP_MR_BUCKETS];
	struct xr_loop_faults pf_faults;
	uint64_t pf_rng;
	struct xr_loop_counts pf_counts;
	/* xr_loop_set_source(): the address our requests claim to come from */
	struct sockaddr_storage pf_src;
	bool pf_src_set;
	pthread_t pf_driver; /* last thread that polled or armed */
	bool pf_has_driver;
};

static struct {
	pthread_mutex_t w_lock; /* every loop fabric; under xr_loop.ev_lock */
	struct lp_listener *w_listeners;
	uint32_t w_next_port;
	uint32_t w_next_key;
	uint32_t w_next_eport;
	unsigned int w_caps_off;  /* xr_loop_set_open_caps() */
	uint64_t w_foreign_posts; /* lc_foreign_posts of every fabric */
} lp_world = {.w_lock = PTHREAD_MUTEX_INITIALIZER};

static void lp_lock(void)
{
	pthread_mutex_lock(&lp_world.w_lock);
}

static void lp_unlock(void)
{
	pthread_mutex_unlock(&lp_world.w_lock);
}

/* Count an operation that only the driver should make (lock held). */
static void lp_check_thread(struct lp_fabric *lf)
{
	if (lf->pf_has_driver &&
	    !pthread_equal(lf->pf_driver, pthread_self())) {
		lf->pf_counts.lc_foreign_posts++;
		lp_world.w_foreign_posts++;
	}
}

/* The calling thread drives the fabric from now on (lock held). */
static void lp_set_driver(struct lp_fabric *lf)
{
	lf->pf_driver = pthread_self();
	lf->pf_has_driver = true;
}

static struct lp_fabric *lfab(struct xr_fabric *fab)
{
	return XR_CONTAINER_OF(fab, struct lp_fabric, pf_base);
}

static struct lp_ep *lep(struct xr_ep *ep)
{
	return XR_CONTAINER_OF(ep, struct lp_ep, pe_base);
}

static struct lp_mr *lmr(struct xr_mr *mr)
{
	return XR_CONTAINER_OF(mr, struct lp_mr, lm_base);
}

static const struct lp_mr *clmr(const struct xr_mr *mr)
{
	return XR_CONTAINER_OF(mr, const struct lp_mr, lm_base);
}

/* ---- faults ------------------------------------------------------------ */

static uint64_t lp_rand(struct lp_fabric *lf)
{
	uint64_t x = lf->pf_rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	lf->pf_rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* True with probability rate/65536. */
static bool lp_roll(struct lp_fabric *lf, uint32_t rate)
{
	if (!rate)
		return false;
	return (uint32_t)(lp_rand(lf) >> 48) < rate;
}

static bool lp_fault_op(struct lp_fabric *lf, enum xr_op op)
{
	return !lf->pf_faults.lf_ops || (lf->pf_faults.lf_ops & (1u << op));
}

/* ---- queues ------------------------------------------------------------ */

static void lp_fifo_init(struct lp_fifo *q)
{
	q->lq_head = q->lq_tail = LP_NONE;
}

static void lp_fifo_push(struct lp_ep *e, struct lp_fifo *q, uint32_t i)
{
	e->pe_ops[i].lop_next = LP_NONE;
	if (q->lq_tail == LP_NONE)
		q->lq_head = i;
	else
		e->pe_ops[q->lq_tail].lop_next = i;
	q->lq_tail = i;
}

static uint32_t lp_fifo_pop(struct lp_ep *e, struct lp_fifo *q)
{
	uint32_t i = q->lq_head;

	if (i == LP_NONE)
		return LP_NONE;
	q->lq_head = e->pe_ops[i].lop_next;
	if (q->lq_head == LP_NONE)
		q->lq_tail = LP_NONE;
	return i;
}

static void lp_signal(struct lp_fabric *lf)
{
	uint64_t one = 1;

	if (write(lf->pf_efd, &one, sizeof(one)) < 0) {
		/* Counter full: it is readable anyway. */
	}
}

static void lp_queue_event(struct lp_fabric *lf, const struct xr_event *ev)
{
	struct lp_event *n = calloc(1, sizeof(*n));

	/*
	 * Out of memory: the event is lost, as a fabric whose event queue
	 * overflowed loses one.  Tests do not run out of memory.
	 */
	if (!n)
		return;
	n->lv_ev = *ev;
	if (lf->pf_ev_tail)
		lf->pf_ev_tail->lv_next = n;
	else
		lf->lf_ev_head = n;
	lf->pf_ev_tail = n;
	lp_signal(lf);
}

static void lp_queue_ep_event(struct lp_ep *e, enum xr_event_type type,
			      int status, const void *pdata, uint32_t pdata_len)
{
	struct xr_event ev = {.xv_type = type,
			      .xv_ep = &e->pe_base,
			      .xv_status = status,
			      .xv_pdata_len = pdata_len};

	if (pdata_len)
		memcpy(ev.xv_pdata, pdata, pdata_len);
	lp_queue_event(e->pe_fab, &ev);
}

static uint32_t lp_index(struct lp_ep *e, struct xr_wr *wr)
{
	return (uint32_t)(wr - e->pe_base.xe_wrs.xp_slots);
}

/* Queue a completion for poll, unchanged by faults. */
static void lp_ready(struct lp_ep *e, uint32_t i, int status, uint32_t len)
{
	e->pe_ops[i].lop_where = LP_READY;
	e->pe_ops[i].lop_status = status;
	e->pe_ops[i].lop_len = len;
	lp_fifo_push(e, &e->le_ready, i);
	lp_signal(e->pe_fab);
}

/* An operation finished: a success may be withheld or held back. */
static void lp_complete(struct lp_ep *e, uint32_t i, int status, uint32_t len)
{
	struct lp_fabric *lf = e->pe_fab;
	enum xr_op op = e->pe_base.xe_wrs.xp_slots[i].xw_op;

	if (status == 0 && lp_fault_op(lf, op)) {
		if (lp_roll(lf, lf->pf_faults.lf_drop)) {
			lf->pf_counts.lc_dropped++;
			e->pe_ops[i].lop_where = LP_HELD;
			return;
		}
		if (lp_roll(lf, lf->pf_faults.lf_late)) {
			lf->pf_counts.lc_late++;
			e->pe_ops[i].lop_where = LP_LATE;
			e->pe_ops[i].lop_status = 0;
			e->pe_ops[i].lop_len = len;
			return;
		}
	}
	lp_ready(e, i, status, len);
}

/* ---- connection end ---------------------------------------------------- */

/*
 * Flush what e still owes: every busy slot that is neither queued for
 * poll nor held past the disconnect event completes with -ECANCELED.
 */
static void lp_flush(struct lp_ep *e)
{
	struct xr_wr_pool *pool = &e->pe_base.xe_wrs;
	uint32_t i, total = pool->xp_nrecv + pool->xp_nsend;

	lp_fifo_init(&e->le_rq);
	lp_fifo_init(&e->pe_sendq);
	for (i = 0; i < total; i++) {
		uint8_t w = e->pe_ops[i].lop_where;

		if (!pool->xp_slots[i].xw_busy || w == LP_READY || w == LP_LATE)
			continue;
		lp_ready(e, i, -ECANCELED, 0);
	}
}

/* Late completions become visible once the closing event was taken. */
static void lp_release_late(struct lp_ep *e)
{
	struct xr_wr_pool *pool = &e->pe_base.xe_wrs;
	uint32_t i, total = pool->xp_nrecv + pool->xp_nsend;

	for (i = 0; i < total; i++)
		if (pool->xp_slots[i].xw_busy &&
		    e->pe_ops[i].lop_where == LP_LATE)
			lp_ready(e, i, e->pe_ops[i].lop_status,
				 e->pe_ops[i].lop_len);
}

/* One side is over: flush it and owe its one closing event. */
static void lp_shut(struct lp_ep *e, enum xr_event_type type, int status)
{
	if (e->pe_state == LP_CLOSED)
		return;
	if (e->pe_req) {
		e->pe_req->lr_client = NULL;
		e->pe_req = NULL;
	}
	e->pe_state = LP_CLOSED;
	e->pe_peer = NULL;
	lp_flush(e);
	lp_queue_ep_event(e, type, status, NULL, 0);
}

/* End e's connection: e sees (mine, mst), its peer (theirs, pst). */
static void lp_break(struct lp_ep *e, enum xr_event_type mine, int mst,
		     enum xr_event_type theirs, int pst)
{
	struct lp_ep *p = e->pe_peer;

	lp_shut(e, mine, mst);
	if (p)
		lp_shut(p, theirs, pst);
}

/* ---- memory ------------------------------------------------------------ */

static struct lp_mr *lp_mr_find(struct lp_fabric *lf, uint32_t key)
{
	struct lp_mr *m;

	for (m = lf->pf_mrs[key % LP_MR_BUCKETS]; m; m = m->lm_hnext)
		if (m->lm_key == key)
			return m;
	return NULL;
}

/* [p, p+len) inside m? */
static bool lp_inside(const struct lp_mr *m, uintptr_t p, uint64_t len)
{
	return p >= m->lm_start && p - m->lm_start <= m->lm_len &&
	       len <= m->lm_len - (p - m->lm_start);
}

/*
 * Check local sges at post time and remember their keys.  A sink (receive,
 * RDMA Read target) needs local write access, as verbs wants.  Returns the
 * total length or -EINVAL.
 */
static int64_t lp_sges(struct lp_fabric *lf, const struct xr_sge *sge,
		       uint32_t nsge, bool sink, struct lp_op *op)
{
	int64_t total = 0;
	uint32_t i;

	if (!nsge || nsge > XR_MAX_SGE)
		return -EINVAL;
	for (i = 0; i < nsge; i++) {
		struct lp_mr *m;

		if (!sge[i].ge_mr || !sge[i].ge_addr)
			return -EINVAL;
		m = lmr(sge[i].ge_mr);
		if (m->lm_fab != lf ||
		    !lp_inside(m, (uintptr_t)sge[i].ge_addr, sge[i].ge_len))
			return -EINVAL;
		if (sink && !(m->lm_access &
			      (XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_WRITE)))
			return -EINVAL;
		op->lop_sge[i] = sge[i];
		op->lop_key[i] = m->lm_key;
		total += sge[i].ge_len;
	}
	op->lop_nsge = nsge;
	return total;
}

/* Are op's sges still registered as they were when posted? */
static bool lp_sges_alive(struct lp_fabric *lf, const struct lp_op *op)
{
	uint32_t i;

	for (i = 0; i < op->lop_nsge; i++) {
		struct lp_mr *m = lp_mr_find(lf, op->lop_key[i]);

		if (!m || &m->lm_base != op->lop_sge[i].ge_mr)
			return false;
	}
	return true;
}

/* Copy between op's sges and the contiguous remote bytes at r. */
static void lp_copy_sges(const struct lp_op *op, uint8_t *r, bool to_remote)
{
	uint32_t i;

	for (i = 0; i < op->lop_nsge; i++) {
		if (to_remote)
			memcpy(r, op->lop_sge[i].ge_addr,
			       op->lop_sge[i].ge_len);
		else
			memcpy(op->lop_sge[i].ge_addr, r,
			       op->lop_sge[i].ge_len);
		r += op->lop_sge[i].ge_len;
	}
}

/* ---- message delivery --------------------------------------------------- */

static uint64_t lp_op_len(const struct lp_op *op)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < op->lop_nsge; i++)
		n += op->lop_sge[i].ge_len;
	return n;
}

/* Scatter send op s into receive op r (r is big enough). */
static void lp_scatter(const struct lp_op *s, const struct lp_op *r)
{
	uint32_t si = 0, ri = 0;
	size_t so = 0, ro = 0;

	while (si < s->lop_nsge && ri < r->lop_nsge) {
		size_t sl = s->lop_sge[si].ge_len - so;
		size_t rl = r->lop_sge[ri].ge_len - ro;
		size_t n = sl < rl ? sl : rl;

		memcpy((uint8_t *)r->lop_sge[ri].ge_addr + ro,
		       (uint8_t *)s->lop_sge[si].ge_addr + so, n);
		so += n;
		ro += n;
		if (so == s->lop_sge[si].ge_len) {
			si++;
			so = 0;
		}
		if (ro == r->lop_sge[ri].ge_len) {
			ri++;
			ro = 0;
		}
	}
}

/* Deliver what s has queued while its peer takes messages. */
static void lp_deliver(struct lp_ep *s)
{
	struct lp_ep *r;
	uint32_t si, ri;
	uint64_t len;

	while (s && s->pe_state == LP_CONNECTED && (r = s->pe_peer) &&
	       !r->pe_stopped && s->pe_sendq.lq_head != LP_NONE &&
	       r->le_rq.lq_head != LP_NONE) {
		si = lp_fifo_pop(s, &s->pe_sendq);
		ri = lp_fifo_pop(r, &r->le_rq);
		len = lp_op_len(&s->pe_ops[si]);
		if (!lp_sges_alive(s->pe_fab, &s->pe_ops[si]) ||
		    !lp_sges_alive(r->pe_fab, &r->pe_ops[ri]) ||
		    len > lp_op_len(&r->pe_ops[ri])) {
			/* Both operations fail; the connection is over. */
			lp_ready(s, si, -EIO, 0);
			lp_ready(r, ri, -EIO, 0);
			lp_break(s, XR_EV_ERROR, -EIO, XR_EV_ERROR, -EIO);
			return;
		}
		lp_scatter(&s->pe_ops[si], &r->pe_ops[ri]);
		r->pe_fab->pf_counts.lc_delivered++;
		lp_complete(r, ri, 0, (uint32_t)len);
		lp_complete(s, si, 0, 0);
	}
}

/* ---- fabric ------------------------------------------------------------ */

static void lp_close(struct xr_fabric *fab);

static int lp_open(const struct xr_fabric_params *params,
		   struct xr_fabric **out, char *errbuf, size_t errlen)
{
	struct lp_fabric *lf = calloc(1, sizeof(*lf));

	if (!lf)
		return xr_buf_err(errbuf, errlen, "loop", -ENOMEM, "no memory");
	lf->pf_base.xf_ops = &xr_fabric_ops_loop;
	lf->pf_base.xf_pdata_max = XR_PDATA_MAX;
	lf->pf_rng = 1;
	lp_lock();
	lf->pf_base.xf_caps_off = lp_world.w_caps_off;
	lp_unlock();
	lf->pf_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (lf->pf_efd < 0) {
		int err = -errno;

		free(lf);
		return xr_buf_err(errbuf, errlen, "loop", err, "eventfd: %s",
				  strerror(-err));
	}
	*out = &lf->pf_base;
	return 0;
}

static void lp_ep_destroy_locked(struct lp_ep *e);
static void lp_listener_close_locked(struct lp_listener *l);
static void lp_dereg_locked(struct lp_mr *m);
static void lp_req_free_locked(struct lp_req *q, bool reject);

static void lp_close(struct xr_fabric *fab)
{
	struct lp_fabric *lf = lfab(fab);
	struct lp_listener **pp;
	struct lp_event *n;
	uint32_t b;

	lp_lock();
	while (lf->pf_eps)
		lp_ep_destroy_locked(lf->pf_eps);
	for (pp = &lp_world.w_listeners; *pp;) {
		if ((*pp)->ll_fab == lf)
			lp_listener_close_locked(*pp);
		else
			pp = &(*pp)->ll_next;
	}
	while (lf->pf_reqs)
		lp_req_free_locked(lf->pf_reqs, true);
	for (b = 0; b < LP_MR_BUCKETS; b++)
		while (lf->pf_mrs[b])
			lp_dereg_locked(lf->pf_mrs[b]);
	while ((n = lf->lf_ev_head)) {
		lf->lf_ev_head = n->lv_next;
		free(n);
	}
	lp_unlock();
	close(lf->pf_efd);
	free(lf);
}

/* ---- listeners and requests ------------------------------------------- */

static int lp_parse_addr(const char *addr, uint32_t *out)
{
	struct in_addr a;

	if (!addr)
		addr = "0.0.0.0";
	if (inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	*out = a.s_addr;
	return 0;
}

static struct lp_listener *lp_find_listener(uint32_t addr, uint16_t port)
{
	struct lp_listener *l;

	for (l = lp_world.w_listeners; l; l = l->ll_next)
		if (l->ll_port == port &&
		    (l->ll_addr == addr || l->ll_addr == htonl(INADDR_ANY) ||
		     addr == htonl(INADDR_ANY)))
			return l;
	return NULL;
}

static int lp_listen(struct xr_fabric *fab, const char *addr, uint16_t port,
		     int backlog, struct xr_listener **out)
{
	struct lp_fabric *lf = lfab(fab);
	struct lp_listener *l;
	uint32_t a, tries;

	if (lp_parse_addr(addr, &a))
		return xr_fab_err(fab, -EINVAL, "bad address \"%s\"",
				  addr ? addr : "");
	l = calloc(1, sizeof(*l));
	if (!l)
		return xr_fab_err(fab, -ENOMEM, "listener: no memory");
	l->ll_base.xl_fabric = fab;
	l->ll_fab = lf;
	l->ll_addr = a;
	l->ll_backlog = backlog > 0 ? backlog : 128;
	lp_lock();
	if (port == 0) {
		for (tries = 0; tries < 30000; tries++) {
			port = (uint16_t)(LP_FIRST_PORT +
					  lp_world.w_next_port++ % 30000);
			if (!lp_find_listener(a, port))
				break;
		}
	}
	if (lp_find_listener(a, port)) {
		lp_unlock();
		free(l);
		return xr_fab_err(fab, -EADDRINUSE, "%s:%u in use",
				  addr ? addr : "0.0.0.0", port);
	}
	l->ll_port = port;
	l->ll_next = lp_world.w_listeners;
	lp_world.w_listeners = l;
	lf->pf_counts.lc_listeners++;
	lp_unlock();
	*out = &l->ll_base;
	return 0;
}

static uint16_t lp_listener_port(struct xr_listener *l)
{
	return XR_CONTAINER_OF(l, struct lp_listener, ll_base)->ll_port;
}

/* Free a request; with reject, its client (if still there) is refused. */
static void lp_req_free_locked(struct lp_req *q, bool reject)
{
	struct lp_fabric *lf = lfab(q->lr_base.xq_fabric);
	struct lp_ep *c = q->lr_client;

	if (c) {
		c->pe_req = NULL;
		if (reject)
			lp_shut(c, XR_EV_REJECTED, -ECONNREFUSED);
	}
	if (q->lr_lis)
		q->lr_lis->ll_pending--;
	if (q->lr_prev)
		q->lr_prev->lr_next = q->lr_next;
	else
		lf->pf_reqs = q->lr_next;
	if (q->lr_next)
		q->lr_next->lr_prev = q->lr_prev;
	free(q);
}

static void lp_listener_close_locked(struct lp_listener *l)
{
	struct lp_fabric *lf = l->ll_fab;
	struct lp_listener **pp;
	struct lp_event **np, *n;
	struct lp_req *q;

	/* Requests not yet taken are dropped: their clients are refused. */
	for (np = &lf->lf_ev_head; *np;) {
		n = *np;
		if (n->lv_ev.xv_type == XR_EV_CONNECT_REQUEST &&
		    n->lv_ev.xv_listener == &l->ll_base) {
			*np = n->lv_next;
			lp_req_free_locked(XR_CONTAINER_OF(n->lv_ev.xv_req,
							   struct lp_req,
							   lr_base),
					   true);
			free(n);
			continue;
		}
		np = &n->lv_next;
	}
	lf->pf_ev_tail = NULL;
	for (n = lf->lf_ev_head; n; n = n->lv_next)
		lf->pf_ev_tail = n;
	/* Requests the caller holds stay valid, without their listener. */
	for (q = lf->pf_reqs; q; q = q->lr_next)
		if (q->lr_lis == l)
			q->lr_lis = NULL;
	for (pp = &lp_world.w_listeners; *pp; pp = &(*pp)->ll_next)
		if (*pp == l) {
			*pp = l->ll_next;
			break;
		}
	lf->pf_counts.lc_listeners--;
	free(l);
}

static void lp_listener_close(struct xr_listener *xl)
{
	lp_lock();
	lp_listener_close_locked(
	    XR_CONTAINER_OF(xl, struct lp_listener, ll_base));
	lp_unlock();
}

/* ---- endpoints --------------------------------------------------------- */

static int lp_check_attr(struct lp_fabric *lf, const struct xr_ep_attr *attr)
{
	if (!attr || !attr->xea_recv_depth || !attr->xea_send_depth ||
	    !attr->xea_max_sge || attr->xea_max_sge > XR_MAX_SGE ||
	    attr->xea_recv_depth > 65536 || attr->xea_send_depth > 65536)
		return xr_fab_err(&lf->pf_base, -EINVAL,
				  "bad endpoint attributes");
	return 0;
}

static int lp_post_recvs_locked(struct lp_ep *e, const struct xr_recv *recvs,
				uint32_t n, uint32_t *posted);

/* A new endpoint with its receives posted (under the lock). */
static int lp_ep_create_locked(struct lp_fabric *lf,
			       const struct xr_ep_attr *attr,
			       const struct xr_recv *prepost, uint32_t nprepost,
			       void *ctx, struct lp_ep **out)
{
	struct lp_ep *e;
	uint32_t posted;
	int ret;

	ret = lp_check_attr(lf, attr);
	if (ret)
		return ret;
	e = calloc(1, sizeof(*e));
	if (!e)
		return xr_fab_err(&lf->pf_base, -ENOMEM, "endpoint: no memory");
	e->pe_base.xe_fabric = &lf->pf_base;
	e->pe_base.xe_ctx = ctx;
	e->pe_fab = lf;
	e->pe_state = LP_CONNECTING;
	lp_fifo_init(&e->le_ready);
	lp_fifo_init(&e->le_rq);
	lp_fifo_init(&e->pe_sendq);
	ret = xr_wr_pool_init(&e->pe_base.xe_wrs, attr->xea_recv_depth,
			      attr->xea_send_depth);
	if (ret) {
		free(e);
		return xr_fab_err(&lf->pf_base, ret, "endpoint slots");
	}
	e->pe_ops = calloc((size_t)attr->xea_recv_depth + attr->xea_send_depth,
			   sizeof(*e->pe_ops));
	if (!e->pe_ops) {
		xr_wr_pool_fini(&e->pe_base.xe_wrs);
		free(e);
		return xr_fab_err(&lf->pf_base, -ENOMEM, "endpoint: no memory");
	}
	e->pe_next = lf->pf_eps;
	if (lf->pf_eps)
		lf->pf_eps->le_prev = e;
	lf->pf_eps = e;
	lf->pf_counts.lc_eps++;
	if (nprepost) {
		/* Preposting is not subject to the partial-post fault. */
		uint32_t saved = lf->pf_faults.lf_partial;

		lf->pf_faults.lf_partial = 0;
		ret = lp_post_recvs_locked(e, prepost, nprepost, &posted);
		lf->pf_faults.lf_partial = saved;
		if (ret) {
			lp_ep_destroy_locked(e);
			return xr_fab_err(&lf->pf_base, ret, "prepost: %d",
					  ret);
		}
	}
	*out = e;
	return 0;
}

static int lp_accept(struct xr_conn_req *xreq, const struct xr_ep_attr *attr,
		     const struct xr_recv *prepost, uint32_t nprepost,
		     const void *pdata, uint32_t pdata_len, void *ctx,
		     struct xr_ep **out)
{
	struct lp_req *q = XR_CONTAINER_OF(xreq, struct lp_req, lr_base);
	struct lp_fabric *lf = lfab(xreq->xq_fabric);
	struct lp_ep *e, *c;
	int ret;

	lp_lock();
	lp_check_thread(lf);
	lp_unlock();

	lp_lock();
	if (pdata_len > lf->pf_base.xf_pdata_max) {
		ret = xr_fab_err(&lf->pf_base, -EMSGSIZE,
				 "accept data %u bytes, limit %u", pdata_len,
				 lf->pf_base.xf_pdata_max);
		goto out_reject;
	}
	ret = lp_ep_create_locked(lf, attr, prepost, nprepost, ctx, &e);
	if (ret)
		goto out_reject;
	c = q->lr_client;
	e->pe_was_conn = true;
	e->le_laddr = q->lr_addr;
	e->le_lport = q->lr_lis ? q->lr_lis->ll_port : 0;
	if (!c) {
		/* The client gave up meanwhile: it is gone at once. */
		e->pe_state = LP_CONNECTED;
		lp_queue_ep_event(e, XR_EV_ESTABLISHED, 0, NULL, 0);
		lp_shut(e, XR_EV_DISCONNECTED, -ECONNRESET);
	} else {
		c->pe_req = NULL;
		q->lr_client = NULL;
		e->pe_paddr = c->le_laddr;
		e->pe_pport = c->le_lport;
		c->pe_paddr = e->le_laddr;
		c->pe_pport = e->le_lport;
		c->pe_was_conn = true;
		e->pe_peer = c;
		c->pe_peer = e;
		e->pe_state = c->pe_state = LP_CONNECTED;
		lp_queue_ep_event(e, XR_EV_ESTABLISHED, 0, NULL, 0);
		lp_queue_ep_event(c, XR_EV_ESTABLISHED, 0, pdata, pdata_len);
	}
	lp_req_free_locked(q, false);
	lp_unlock();
	*out = &e->pe_base;
	return 0;

out_reject:
	lp_req_free_locked(q, true);
	lp_unlock();
	return ret;
}

static int lp_reject(struct xr_conn_req *xreq, const void *pdata,
		     uint32_t pdata_len)
{
	struct lp_req *q = XR_CONTAINER_OF(xreq, struct lp_req, lr_base);
	struct lp_fabric *lf = lfab(xreq->xq_fabric);
	struct lp_ep *c;
	int ret = 0;

	lp_lock();
	lp_check_thread(lf);
	if (pdata_len > lf->pf_base.xf_pdata_max) {
		ret = xr_fab_err(&lf->pf_base, -EMSGSIZE,
				 "reject data %u bytes, limit %u", pdata_len,
				 lf->pf_base.xf_pdata_max);
		pdata_len = 0;
	}
	c = q->lr_client;
	if (c) {
		c->pe_req = NULL;
		q->lr_client = NULL;
		c->pe_state = LP_CLOSED;
		lp_flush(c);
		lp_queue_ep_event(c, XR_EV_REJECTED, -ECONNREFUSED, pdata,
				  pdata_len);
	}
	lp_req_free_locked(q, false);
	lp_unlock();
	return ret;
}

static int lp_connect(struct xr_fabric *fab, const char *addr, uint16_t port,
		      const struct xr_ep_attr *attr,
		      const struct xr_recv *prepost, uint32_t nprepost,
		      const void *pdata, uint32_t pdata_len, void *ctx,
		      struct xr_ep **out)
{
	struct lp_fabric *lf = lfab(fab);
	struct xr_event ev = {.xv_type = XR_EV_CONNECT_REQUEST};
	struct lp_listener *l;
	struct lp_fabric *sf;
	struct lp_req *q;
	struct lp_ep *e;
	uint32_t a;
	int ret;

	if (pdata_len > fab->xf_pdata_max)
		return xr_fab_err(fab, -EMSGSIZE,
				  "connect data %u bytes, limit %u", pdata_len,
				  fab->xf_pdata_max);
	if (lp_parse_addr(addr, &a) || a == htonl(INADDR_ANY))
		return xr_fab_err(fab, -EHOSTUNREACH, "no route to %s",
				  addr ? addr : "(null)");
	lp_lock();
	lp_check_thread(lf);
	ret = lp_ep_create_locked(lf, attr, prepost, nprepost, ctx, &e);
	if (ret) {
		lp_unlock();
		return ret;
	}
	e->le_laddr = a;
	e->le_lport =
	    (uint16_t)(LP_FIRST_PORT / 2 + lp_world.w_next_eport++ % 20000);
	l = lp_find_listener(a, port);
	if (!l || l->ll_pending >= l->ll_backlog) {
		lp_shut(e, XR_EV_REJECTED, -ECONNREFUSED);
		goto out;
	}
	sf = l->ll_fab;
	q = calloc(1, sizeof(*q));
	if (!q) {
		lp_ep_destroy_locked(e);
		lp_unlock();
		return xr_fab_err(fab, -ENOMEM, "connect: no memory");
	}
	q->lr_base.xq_fabric = &sf->pf_base;
	q->lr_lis = l;
	q->lr_client = e;
	q->lr_addr = a;
	q->lr_pdata_len = pdata_len;
	if (pdata_len)
		memcpy(q->lr_pdata, pdata, pdata_len);
	q->lr_next = sf->pf_reqs;
	if (sf->pf_reqs)
		sf->pf_reqs->lr_prev = q;
	sf->pf_reqs = q;
	l->ll_pending++;
	e->pe_req = q;
	ev.xv_listener = &l->ll_base;
	ev.xv_req = &q->lr_base;
	/*
	 * The requester: loopback, so the address it dialled, unless a test
	 * made this fabric pose as another host (xr_loop_set_source).
	 */
	if (lf->pf_src_set) {
		ev.xv_peer = lf->pf_src;
	} else {
		((struct sockaddr_in *)&ev.xv_peer)->sin_family = AF_INET;
		((struct sockaddr_in *)&ev.xv_peer)->sin_addr.s_addr = a;
		((struct sockaddr_in *)&ev.xv_peer)->sin_port =
		    htons(e->le_lport);
	}
	ev.xv_pdata_len = pdata_len;
	if (pdata_len)
		memcpy(ev.xv_pdata, pdata, pdata_len);
	lp_queue_event(sf, &ev);
out:
	lp_unlock();
	*out = &e->pe_base;
	return 0;
}

static int lp_disconnect(struct xr_ep *ep)
{
	struct lp_ep *e = lep(ep);

	lp_lock();
	lp_check_thread(e->pe_fab);
	if (e->pe_state == LP_CLOSED) {
		lp_unlock();
		return -ENOTCONN;
	}
	lp_break(e, XR_EV_DISCONNECTED, 0, XR_EV_DISCONNECTED, -ECONNRESET);
	lp_unlock();
	return 0;
}

static int lp_ep_addrs(struct xr_ep *ep, struct sockaddr_storage *local,
		       struct sockaddr_storage *peer)
{
	struct lp_ep *e = lep(ep);
	struct sockaddr_in *s;
	int ret = 0;

	lp_lock();
	if (!e->pe_was_conn) {
		ret = -ENOTCONN;
		goto out;
	}
	if (local) {
		memset(local, 0, sizeof(*local));
		s = (struct sockaddr_in *)local;
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = e->le_laddr;
		s->sin_port = htons(e->le_lport);
	}
	if (peer) {
		memset(peer, 0, sizeof(*peer));
		s = (struct sockaddr_in *)peer;
		s->sin_family = AF_INET;
		s->sin_addr.s_addr = e->pe_paddr;
		s->sin_port = htons(e->pe_pport);
	}
out:
	lp_unlock();
	return ret;
}

static void lp_ep_destroy_locked(struct lp_ep *e)
{
	struct lp_fabric *lf = e->pe_fab;
	struct lp_event **np, *n;

	if (e->pe_state != LP_CLOSED && e->pe_peer)
		lp_shut(e->pe_peer, XR_EV_DISCONNECTED, -ECONNRESET);
	if (e->pe_req) {
		e->pe_req->lr_client = NULL;
		e->pe_req = NULL;
	}
	for (np = &lf->lf_ev_head; *np;) {
		n = *np;
		if (n->lv_ev.xv_type != XR_EV_CONNECT_REQUEST &&
		    n->lv_ev.xv_ep == &e->pe_base) {
			*np = n->lv_next;
			free(n);
			continue;
		}
		np = &n->lv_next;
	}
	lf->pf_ev_tail = NULL;
	for (n = lf->lf_ev_head; n; n = n->lv_next)
		lf->pf_ev_tail = n;
	if (e->le_prev)
		e->le_prev->pe_next = e->pe_next;
	else
		lf->pf_eps = e->pe_next;
	if (e->pe_next)
		e->pe_next->le_prev = e->le_prev;
	lf->pf_counts.lc_eps--;
	xr_wr_pool_fini(&e->pe_base.xe_wrs);
	free(e->pe_ops);
	free(e);
}

static void lp_ep_destroy(struct xr_ep *ep)
{
	lp_lock();
	lp_ep_destroy_locked(lep(ep));
	lp_unlock();
}

/* ---- registration ------------------------------------------------------ */

static uint32_t lp_scramble(uint32_t x)
{
	/* Each step is a bijection on 32 bits, so distinct in, distinct out. */
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static int lp_reg_mr(struct xr_fabric *fab, void *addr, size_t len,
		     unsigned int access, struct xr_mr **out)
{
	struct lp_fabric *lf = lfab(fab);
	struct lp_mr *m;
	uint32_t key;

	if (!addr || !len || !access ||
	    (access & ~(unsigned int)(XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ |
				      XR_ACCESS_REMOTE_WRITE)))
		return xr_fab_err(fab, -EINVAL,
				  "register: bad region or access 0x%x",
				  access);
	if ((uintptr_t)addr + len < (uintptr_t)addr)
		return xr_fab_err(fab, -EINVAL, "register: region wraps");
	m = calloc(1, sizeof(*m));
	if (!m)
		return xr_fab_err(fab, -ENOMEM, "register: no memory");
	lp_lock();
	do
		key = lp_scramble(++lp_world.w_next_key);
	while (key == 0);
	m->lm_base.mrg_fabric = fab;
	m->lm_fab = lf;
	m->lm_start = (uintptr_t)addr;
	m->lm_len = len;
	m->lm_access = access;
	m->lm_key = key;
	m->lm_hnext = lf->pf_mrs[key % LP_MR_BUCKETS];
	lf->pf_mrs[key % LP_MR_BUCKETS] = m;
	lf->pf_counts.lc_mrs++;
	lp_unlock();
	*out = &m->lm_base;
	return 0;
}

static void lp_dereg_locked(struct lp_mr *m)
{
	struct lp_mr **pp;

	for (pp = &m->lm_fab->pf_mrs[m->lm_key % LP_MR_BUCKETS]; *pp;
	     pp = &(*pp)->lm_hnext)
		if (*pp == m) {
			*pp = m->lm_hnext;
			break;
		}
	m->lm_fab->pf_counts.lc_mrs--;
	free(m);
}

static void lp_dereg_mr(struct xr_mr *mr)
{
	lp_lock();
	lp_dereg_locked(lmr(mr));
	lp_unlock();
}

static uint32_t lp_mr_handle(const struct xr_mr *mr)
{
	return clmr(mr)->lm_key;
}

static uint64_t lp_mr_wire_offset(const struct xr_mr *mr, const void *addr)
{
	return (uintptr_t)addr;
}

/* ---- posting ----------------------------------------------------------- */

static int lp_post_recvs_locked(struct lp_ep *e, const struct xr_recv *recvs,
				uint32_t n, uint32_t *posted)
{
	struct lp_fabric *lf = e->pe_fab;
	struct lp_op tmp;
	struct xr_wr *wr;
	uint32_t i, limit = n;
	int ret = 0;

	*posted = 0;
	if (e->pe_state == LP_CLOSED)
		return -ENOTCONN;
	if (n > 1 && lp_roll(lf, lf->pf_faults.lf_partial)) {
		lf->pf_counts.lc_partial++;
		limit = (uint32_t)(lp_rand(lf) % n);
		ret = -ENOSPC;
	}
	for (i = 0; i < limit; i++) {
		memset(&tmp, 0, sizeof(tmp));
		if (lp_sges(lf, recvs[i].rcv_sge, recvs[i].rcv_nsge, true,
			    &tmp) < 0) {
			ret = -EINVAL;
			break;
		}
		wr =
		    xr_wr_get(&e->pe_base.xe_wrs, XR_OP_RECV, recvs[i].rcv_ctx);
		if (!wr) {
			ret = -ENOSPC;
			break;
		}
		e->pe_ops[lp_index(e, wr)] = tmp;
		e->pe_ops[lp_index(e, wr)].lop_where = LP_RQ;
		lp_fifo_push(e, &e->le_rq, lp_index(e, wr));
		(*posted)++;
	}
	if (e->pe_peer)
		lp_deliver(e->pe_peer);
	return ret;
}

static int lp_post_recvs(struct xr_ep *ep, const struct xr_recv *recvs,
			 uint32_t n, uint32_t *posted)
{
	int ret;

	lp_lock();
	lp_check_thread(lep(ep)->pe_fab);
	ret = lp_post_recvs_locked(lep(ep), recvs, n, posted);
	lp_unlock();
	return ret;
}

/*
 * Common start of a send or RMA post: state, sges, -ENOSPC fault, a slot.
 * Returns the slot index in *idx with the op recorded, or a negative
 * errno; *total gets the byte count.
 */
static int lp_post_begin(struct lp_ep *e, enum xr_op op,
			 const struct xr_sge *sge, uint32_t nsge, void *ctx,
			 uint32_t *idx, int64_t *total)
{
	struct lp_fabric *lf = e->pe_fab;
	struct lp_op tmp;
	struct xr_wr *wr;

	if (e->pe_state != LP_CONNECTED)
		return -ENOTCONN;
	memset(&tmp, 0, sizeof(tmp));
	*total = lp_sges(lf, sge, nsge, op == XR_OP_READ, &tmp);
	if (*total < 0)
		return -EINVAL;
	if (lp_roll(lf, lf->pf_faults.lf_nospc)) {
		lf->pf_counts.lc_nospc++;
		return -ENOSPC;
	}
	wr = xr_wr_get(&e->pe_base.xe_wrs, op, ctx);
	if (!wr)
		return -ENOSPC;
	*idx = lp_index(e, wr);
	e->pe_ops[*idx] = tmp;
	e->pe_ops[*idx].lop_where = LP_IDLE;
	return 0;
}

/* The flush fault: this post breaks the connection instead of running. */
static bool lp_flush_fault(struct lp_ep *e)
{
	struct lp_fabric *lf = e->pe_fab;

	if (!lp_roll(lf, lf->pf_faults.lf_flush))
		return false;
	lf->pf_counts.lc_flushes++;
	lp_break(e, XR_EV_ERROR, -EIO, XR_EV_DISCONNECTED, -ECONNRESET);
	return true;
}

static int lp_post_send(struct xr_ep *ep, const struct xr_sge *sge,
			uint32_t nsge, bool invalidate, uint32_t inv_handle,
			void *ctx)
{
	struct lp_ep *e = lep(ep);
	int64_t total;
	uint32_t i;
	int ret;

	if (invalidate)
		return -EOPNOTSUPP;
	lp_lock();
	lp_check_thread(e->pe_fab);
	ret = lp_post_begin(e, XR_OP_SEND, sge, nsge, ctx, &i, &total);
	if (ret)
		goto out;
	e->pe_ops[i].lop_where = LP_SENDQ;
	lp_fifo_push(e, &e->pe_sendq, i);
	if (!lp_flush_fault(e))
		lp_deliver(e);
out:
	lp_unlock();
	return ret;
}

static int lp_post_rma(struct xr_ep *ep, enum xr_op op,
		       const struct xr_sge *sge, uint32_t nsge,
		       uint64_t remote_offset, uint32_t remote_handle,
		       void *ctx)
{
	struct lp_ep *e = lep(ep);
	unsigned int want =
	    op == XR_OP_WRITE ? XR_ACCESS_REMOTE_WRITE : XR_ACCESS_REMOTE_READ;
	struct lp_mr *m;
	int64_t total;
	uint32_t i;
	int ret;

	lp_lock();
	lp_check_thread(e->pe_fab);
	ret = lp_post_begin(e, op, sge, nsge, ctx, &i, &total);
	if (ret)
		goto out;
	if (lp_flush_fault(e))
		goto out;
	m = lp_mr_find(e->pe_peer->pe_fab, remote_handle);
	if (!m || !(m->lm_access & want) ||
	    (uint64_t)(uintptr_t)remote_offset != remote_offset ||
	    !lp_inside(m, (uintptr_t)remote_offset, (uint64_t)total)) {
		/* Refused by the peer: the op fails, the connection ends. */
		e->pe_fab->pf_counts.lc_rma_refused++;
		lp_ready(e, i, -EACCES, 0);
		lp_break(e, XR_EV_ERROR, -EACCES, XR_EV_DISCONNECTED,
			 -ECONNRESET);
		goto out;
	}
	lp_copy_sges(&e->pe_ops[i], (uint8_t *)(uintptr_t)remote_offset,
		     op == XR_OP_WRITE);
	lp_complete(e, i, 0, 0);
out:
	lp_unlock();
	return ret;
}

static int lp_post_write(struct xr_ep *ep, const struct xr_sge *sge,
			 uint32_t nsge, uint64_t remote_offset,
			 uint32_t remote_handle, void *ctx)
{
	return lp_post_rma(ep, XR_OP_WRITE, sge, nsge, remote_offset,
			   remote_handle, ctx);
}

static int lp_post_read(struct xr_ep *ep, const struct xr_sge *sge,
			uint32_t nsge, uint64_t remote_offset,
			uint32_t remote_handle, void *ctx)
{
	return lp_post_rma(ep, XR_OP_READ, sge, nsge, remote_offset,
			   remote_handle, ctx);
}

/* ---- progress ---------------------------------------------------------- */

static int lp_wait_fd(struct xr_fabric *fab)
{
	return lfab(fab)->pf_efd;
}

static bool lp_pending_locked(struct lp_fabric *lf)
{
	struct lp_ep *e;

	if (lf->lf_ev_head)
		return true;
	for (e = lf->pf_eps; e; e = e->pe_next)
		if (e->le_ready.lq_head != LP_NONE)
			return true;
	return false;
}

static int lp_arm(struct xr_fabric *fab)
{
	struct lp_fabric *lf = lfab(fab);
	uint64_t v;
	bool pending;

	lp_lock();
	lp_set_driver(lf);
	/* Drained under the lock: whoever queues later writes it again. */
	if (read(lf->pf_efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: it was not readable. */
	}
	pending = lp_pending_locked(lf);
	lp_unlock();
	return pending ? -EAGAIN : 0;
}

static int lp_poll(struct xr_fabric *fab, struct xr_completion *out, int max)
{
	struct lp_fabric *lf = lfab(fab);
	struct lp_ep *e;
	uint32_t i;
	int n = 0;

	lp_lock();
	lp_set_driver(lf);
	for (e = lf->pf_eps; e && n < max; e = e->pe_next)
		while (n < max &&
		       (i = lp_fifo_pop(e, &e->le_ready)) != LP_NONE) {
			e->pe_ops[i].lop_where = LP_IDLE;
			xr_wr_complete(&e->pe_base,
				       &e->pe_base.xe_wrs.xp_slots[i],
				       e->pe_ops[i].lop_status,
				       e->pe_ops[i].lop_len, &out[n++]);
		}
	lp_unlock();
	return n;
}

static int lp_get_event(struct xr_fabric *fab, struct xr_event *ev)
{
	struct lp_fabric *lf = lfab(fab);
	struct lp_event *n;
	struct lp_ep *e;

	lp_lock();
	n = lf->lf_ev_head;
	if (!n) {
		lp_unlock();
		return -EAGAIN;
	}
	lf->lf_ev_head = n->lv_next;
	if (!lf->lf_ev_head)
		lf->pf_ev_tail = NULL;
	*ev = n->lv_ev;
	free(n);
	if (ev->xv_type != XR_EV_CONNECT_REQUEST &&
	    ev->xv_type != XR_EV_ESTABLISHED) {
		/* The closing event: late completions may follow it now. */
		e = lep(ev->xv_ep);
		lp_release_late(e);
	}
	lp_unlock();
	return 0;
}

/* ---- test controls ----------------------------------------------------- */

static bool lp_is_loop(const struct xr_fabric *fab)
{
	return fab && fab->xf_ops == &xr_fabric_ops_loop;
}

int xr_loop_set_faults(struct xr_fabric *fab, const struct xr_loop_faults *f)
{
	struct lp_fabric *lf;

	if (!lp_is_loop(fab))
		return -EINVAL;
	lf = lfab(fab);
	lp_lock();
	memset(&lf->pf_faults, 0, sizeof(lf->pf_faults));
	if (f)
		lf->pf_faults = *f;
	lf->pf_rng = lf->pf_faults.lf_seed ? lf->pf_faults.lf_seed : 1;
	lp_unlock();
	return 0;
}

int xr_loop_set_source(struct xr_fabric *fab,
		       const struct sockaddr_storage *src)
{
	struct lp_fabric *lf;

	if (!lp_is_loop(fab))
		return -EINVAL;
	lf = lfab(fab);
	lp_lock();
	lf->pf_src_set = src != NULL;
	if (src)
		lf->pf_src = *src;
	lp_unlock();
	return 0;
}

int xr_loop_stop_reading(struct xr_ep *ep, bool stop)
{
	struct lp_ep *e;

	if (!ep || !lp_is_loop(ep->xe_fabric))
		return -EINVAL;
	e = lep(ep);
	lp_lock();
	e->pe_stopped = stop;
	if (!stop && e->pe_peer)
		lp_deliver(e->pe_peer);
	lp_unlock();
	return 0;
}

int xr_loop_break(struct xr_ep *ep)
{
	struct lp_ep *e;
	int ret = 0;

	if (!ep || !lp_is_loop(ep->xe_fabric))
		return -EINVAL;
	e = lep(ep);
	lp_lock();
	if (e->pe_state != LP_CONNECTED)
		ret = -ENOTCONN;
	else
		lp_break(e, XR_EV_ERROR, -EIO, XR_EV_DISCONNECTED, -ECONNRESET);
	lp_unlock();
	return ret;
}

struct xr_fabric *xr_loop_listener_fabric(uint16_t port)
{
	struct lp_listener *l;
	struct xr_fabric *fab = NULL;

	lp_lock();
	for (l = lp_world.w_listeners; l; l = l->ll_next)
		if (l->ll_port == port) {
			fab = &l->ll_fab->pf_base;
			break;
		}
	lp_unlock();
	return fab;
}

uint64_t xr_loop_foreign_posts(void)
{
	uint64_t n;

	lp_lock();
	n = lp_world.w_foreign_posts;
	lp_unlock();
	return n;
}

void xr_loop_set_open_caps(unsigned int caps)
{
	lp_lock();
	lp_world.w_caps_off = xr_fabric_ops_loop.caps & ~caps;
	lp_unlock();
}

int xr_loop_get_counts(struct xr_fabric *fab, struct xr_loop_counts *out)
{
	struct lp_ep *e;

	if (!lp_is_loop(fab))
		return -EINVAL;
	lp_lock();
	*out = lfab(fab)->pf_counts;
	out->lc_connected = 0;
	for (e = lfab(fab)->pf_eps; e; e = e->pe_next)
		out->lc_connected += e->pe_state == LP_CONNECTED;
	lp_unlock();
	return 0;
}

const struct xr_fabric_ops xr_fabric_ops_loop = {
    .name = "loop",
    /* xr_loop_set_open_caps() can take it away per fabric */
    .caps = XR_CAP_POST_ANY_THREAD,
    .open = lp_open,
    .close = lp_close,
    .listen = lp_listen,
    .listener_port = lp_listener_port,
    .listener_close = lp_listener_close,
    .accept = lp_accept,
    .reject = lp_reject,
    .connect = lp_connect,
    .disconnect = lp_disconnect,
    .ep_addrs = lp_ep_addrs,
    .ep_destroy = lp_ep_destroy,
    .reg_mr = lp_reg_mr,
    .dereg_mr = lp_dereg_mr,
    .mr_handle = lp_mr_handle,
    .mr_wire_offset = lp_mr_wire_offset,
    .post_recvs = lp_post_recvs,
    .post_send = lp_post_send,
    .post_write = lp_post_write,
    .post_read = lp_post_read,
    .wait_fd = lp_wait_fd,
    .arm = lp_arm,
    .poll = lp_poll,
    .get_event = lp_get_event,
};
