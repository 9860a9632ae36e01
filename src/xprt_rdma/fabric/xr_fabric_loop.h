/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Test controls of the "loop" fabric backend (fabric_loop.c).  How this
 * works: "loop" is an in-process fabric: every fabric opened with
 * xfp_backend = "loop" in one process shares one loopback world, so a
 * server engine and a client (or a raw test peer) in the same process
 * talk to each other through ordinary xr_*() calls, with RMA bounds, keys
 * and access checked like on a real fabric.  Nothing selects it unless a
 * caller names it: the NFS_RDMA block only knows verbs and ofi.
 *
 * Faults are drawn from a per-fabric pseudo-random sequence seeded by the
 * test, so a run is reproducible from its seed (as far as the threads
 * driving the fabrics let it be).  Rates are in parts per 65536.
 */
#ifndef XR_FABRIC_LOOP_H
#define XR_FABRIC_LOOP_H

#include "xr_fabric.h"

/**
 * struct xr_loop_faults - what goes wrong on one fabric, and how often
 * @lf_seed: seed of the fabric's fault sequence (0 is taken as 1)
 * @lf_ops: which operations the completion faults hit, bits 1 << enum
 *	xr_op (0: all)
 * @lf_drop: a successful completion is withheld; it surfaces only when the
 *	connection ends, then as -ECANCELED (the operation itself happened)
 * @lf_late: a successful completion is held back and delivered, with
 *	status 0, only after the endpoint's disconnect event was taken
 * @lf_flush: a posted send/RDMA op breaks the connection instead of
 *	running: it and everything outstanding on both sides flush
 * @lf_partial: post_recvs posts only part of a batch and says -ENOSPC
 * @lf_nospc: post_send/post_write/post_read refuse with -ENOSPC
 */
struct xr_loop_faults {
	uint32_t lf_seed;
	uint32_t lf_ops;
	uint32_t lf_drop;
	uint32_t lf_late;
	uint32_t lf_flush;
	uint32_t lf_partial;
	uint32_t lf_nospc;
};

/**
 * struct xr_loop_counts - what a loop fabric holds and what it injected
 */
struct xr_loop_counts {
	uint32_t lc_eps;	 /* endpoints not destroyed */
	uint32_t lc_connected;	 /* ... of them connected now */
	uint32_t lc_mrs;	 /* registrations alive */
	uint32_t lc_listeners;	 /* listeners open */
	uint64_t lc_dropped;	 /* completions withheld (lf_drop) */
	uint64_t lc_late;	 /* completions held past disconnect */
	uint64_t lc_flushes;	 /* connections broken by lf_flush */
	uint64_t lc_partial;	 /* post_recvs cut short */
	uint64_t lc_nospc;	 /* posts refused by lf_nospc */
	uint64_t lc_rma_refused; /* RMA refused: key, bounds or access */
	uint64_t lc_delivered;	 /* messages delivered to a receive */
	/*
	 * posts, connects, disconnects, accepts and rejects made by a thread
	 * other than the one that last polled or armed the fabric
	 */
	uint64_t lc_foreign_posts;
};

/**
 * xr_loop_set_faults() - set the fault rates of a loop fabric
 * @fab: a fabric opened with backend "loop"
 * @f: rates and seed (NULL: no faults)
 *
 * Return: 0; -EINVAL when @fab is not a loop fabric.
 */
int xr_loop_set_faults(struct xr_fabric *fab, const struct xr_loop_faults *f);

/**
 * xr_loop_set_source() - make the connection requests of a loop fabric
 * claim to come from @src (any family, AF_UNSPEC included), as the peer
 * address the listener sees (xv_peer); NULL: the address dialled again
 *
 * Return: 0; -EINVAL when @fab is not a loop fabric.
 */
int xr_loop_set_source(struct xr_fabric *fab,
		       const struct sockaddr_storage *src);

/**
 * xr_loop_stop_reading() - make an endpoint stop (or resume) taking
 * messages: sends from its peer stay outstanding, as towards a peer that
 * no longer posts receives
 *
 * Return: 0; -EINVAL when @ep is not a loop endpoint.
 */
int xr_loop_stop_reading(struct xr_ep *ep, bool stop);

/**
 * xr_loop_break() - break an endpoint's connection now, as a fatal error
 * would: this side gets XR_EV_ERROR(-EIO), the peer XR_EV_DISCONNECTED,
 * everything outstanding flushes
 *
 * Return: 0; -ENOTCONN when it is not connected; -EINVAL for a non-loop
 * endpoint.
 */
int xr_loop_break(struct xr_ep *ep);

/**
 * xr_loop_listener_fabric() - the loop fabric listening on @port (how a
 * test reaches the fabric an engine opened for itself)
 *
 * Return: the fabric, or NULL when no loop listener has that port.
 */
struct xr_fabric *xr_loop_listener_fabric(uint16_t port);

/**
 * xr_loop_set_open_caps() - loop fabrics opened from now on in this
 * process declare only the enum xr_fabric_cap bits in @caps (default: all
 * the backend has), so a test can run an engine as on verbs
 */
void xr_loop_set_open_caps(unsigned int caps);

/**
 * xr_loop_foreign_posts() - lc_foreign_posts summed over every loop
 * fabric this process opened, closed ones included
 *
 * Return: the count.
 */
uint64_t xr_loop_foreign_posts(void);

/**
 * xr_loop_get_counts() - copy a loop fabric's gauges and fault counters
 *
 * Return: 0; -EINVAL when @fab is not a loop fabric.
 */
int xr_loop_get_counts(struct xr_fabric *fab, struct xr_loop_counts *out);

#endif /* XR_FABRIC_LOOP_H */
