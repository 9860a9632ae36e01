/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * What the backends share but callers of the seam never see.  How this
 * works: each backend's objects start with the common part defined here
 * (fabric pointer, caller context), so xr_fabric.c can dispatch through the
 * ops table and keep the bookkeeping every backend needs in one place:
 *
 * - the work-request pool: one slot per operation a queue can hold,
 *   preallocated from the endpoint's attributes.  A slot remembers the
 *   caller's context and the kind of operation, because an error
 *   completion does not reliably say which kind it was.  It also caps
 *   what is posted at the queue depth (no completion-queue overflow) and
 *   lets a backend complete, with -ECANCELED, operations its library will
 *   never report once a connection is torn down;
 * - the error buffer, filled with "<backend>: <reason>";
 * - random 32-bit memory keys for backends where the application picks
 *   them (libfabric with mr_mode 0).
 */
#ifndef XR_FABRIC_INT_H
#define XR_FABRIC_INT_H

#include "xr_fabric.h"

#include <stdarg.h>

#define XR_CONTAINER_OF(ptr, type, member)                                     \
	((type *)((char *)(ptr)-offsetof(type, member)))

struct xr_fabric {
	const struct xr_fabric_ops *xf_ops;
	uint32_t xf_pdata_max;
	unsigned int xf_caps_off; /* caps a test took away (loop backend) */
	/* local sges may carry ge_mr NULL (see xr_fabric_local_needs_reg) */
	bool xf_local_noreg;
	char xf_errbuf[XR_ERRBUF_LEN];
};

struct xr_listener {
	struct xr_fabric *xl_fabric;
	void *xl_ctx;
};

struct xr_conn_req {
	struct xr_fabric *xq_fabric;
};

struct xr_mr {
	struct xr_fabric *mrg_fabric;
};

/* One outstanding operation. */
struct xr_wr {
	void *xw_ctx;
	struct xr_wr *xw_next; /* free list link */
	uint8_t xw_op;	       /* enum xr_op */
	bool xw_busy;
};

/* Preallocated slots of one endpoint: receives and sends apart. */
struct xr_wr_pool {
	struct xr_wr *xp_slots; /* nrecv receive slots, then nsend */
	uint32_t xp_nrecv;
	uint32_t xp_nsend;
	struct xr_wr *xp_free_recv;
	struct xr_wr *xp_free_send;
	uint32_t xp_busy; /* slots handed out, not yet completed */
};

struct xr_ep {
	struct xr_fabric *xe_fabric;
	void *xe_ctx;
	struct xr_wr_pool xe_wrs;
};

/*
 * Most completions one endpoint may give in one poll() of @max when @neps
 * endpoints share it: an equal share, but at least 8 (the backends start
 * each poll() with another endpoint, so everyone's turn comes).
 */
static inline int xr_fab_poll_share(int max, uint32_t neps)
{
	int share = neps ? max / (int)neps : max;

	if (share < 8)
		share = 8;
	return share < max ? share : max;
}

/*
 * Record "<backend>: <printf message>" as the fabric's last error and
 * return err (a negative errno) so callers can `return xr_fab_err(...)`.
 */
int xr_fab_err(struct xr_fabric *fab, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, into a caller's buffer (for open, before a fabric exists). */
int xr_buf_err(char *buf, size_t len, const char *backend, int err,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Allocate the slots for nrecv receives and nsend other operations.
 * Returns 0, -EINVAL (a depth of 0) or -ENOMEM.
 */
int xr_wr_pool_init(struct xr_wr_pool *pool, uint32_t nrecv, uint32_t nsend);

/* Free the slots (outstanding contexts are forgotten). */
void xr_wr_pool_fini(struct xr_wr_pool *pool);

/* A free slot for op carrying ctx, or NULL when that queue is full. */
struct xr_wr *xr_wr_get(struct xr_wr_pool *pool, enum xr_op op, void *ctx);

/* Give back a slot taken by xr_wr_get() whose post failed. */
void xr_wr_put(struct xr_wr_pool *pool, struct xr_wr *wr);

/* Fill out from a completed slot and free the slot. */
void xr_wr_complete(struct xr_ep *ep, struct xr_wr *wr, int status,
		    uint32_t len, struct xr_completion *out);

/*
 * Complete up to max busy slots of ep with -ECANCELED (for operations the
 * library will never report).  Returns the number stored.
 */
int xr_wr_flush(struct xr_ep *ep, struct xr_completion *out, int max);

/*
 * Pick a random non-zero 32-bit key and hand it to try_key until it does
 * not answer -EEXIST (key taken).  Returns try_key's last result (0 when
 * registered) or -EEXIST after 64 collisions in a row, or -EIO when no
 * randomness is available.
 */
int xr_pick_random_key(int (*try_key)(uint32_t key, void *arg), void *arg,
		       uint32_t *key_out);

/* The backends. */
extern const struct xr_fabric_ops xr_fabric_ops_verbs;
extern const struct xr_fabric_ops xr_fabric_ops_ofi;
/* Test seam, in-process (xr_fabric_loop.h); chosen only by its name. */
extern const struct xr_fabric_ops xr_fabric_ops_loop;

#endif /* XR_FABRIC_INT_H */
