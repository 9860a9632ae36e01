/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Internals shared by the server and client engines (not for upper
 * layers).  How this works:
 *
 * - struct xr_pool: n equal buffers carved from one allocation with one
 *   registration (send and receive buffers: LOCAL access only).
 * - struct xr_rpool: a page-granular range allocator over one registered
 *   area (the server's RDMA Read landing area), first fit over a bitmap.
 * - struct xr_scatter: walks local ranges against remote segments and
 *   yields one RDMA operation at a time (at most XR_MAX_SGE local pieces,
 *   exactly one remote segment), for Read and Write alike.
 * - struct xr_loop: the lock around the fabric, the eventfd that wakes
 *   the progress thread when another thread posted work, and the wait.
 * - xr_core_reg()/xr_core_dereg(): registration with counting, so the
 *   gauges in struct xr_core_stats say what is registered right now.
 */
#ifndef XR_CORE_INT_H
#define XR_CORE_INT_H

#include "xr_core.h"
#include "xr_fabric.h"
#include "xr_hdr.h"

#include <pthread.h>

#define XR_CONTAINER(ptr, type, member)                                        \
	((type *)((char *)(ptr)-offsetof(type, member)))

/* A registration and its length (for the gauges). */
struct xr_reg {
	struct xr_mr *rg_mr;
	uint64_t rg_len;
};

/*
 * Register [addr, addr+len) with access, counting it in st.  Returns 0,
 * -EINVAL (len 0) or the fabric's error (-ENOMEM, -EIO).
 */
int xr_core_reg(struct xr_fabric *fab, struct xr_core_stats *st, void *addr,
		uint64_t len, unsigned int access, struct xr_reg *out);

/* Add every counter of src to dst (the struct is all uint64_t). */
void xr_stats_add(struct xr_core_stats *dst, const struct xr_core_stats *src);

/* Deregister (no-op when rg_mr is NULL) and uncount. */
void xr_core_dereg(struct xr_core_stats *st, struct xr_reg *rg);

struct xr_pool {
	uint8_t *bp_base;
	uint32_t bp_count;
	uint32_t bp_size;
	struct xr_reg bp_reg;
};

/*
 * Zeroed memory in a mapping of its own, given back to the system by
 * xr_region_free() (per-connection memory must leave the daemon's RSS when
 * the connection goes).  NULL when there is no memory.
 */
void *xr_region_alloc(size_t len);
void xr_region_free(void *p, size_t len);

/* Allocate and register count buffers of size bytes.  -ENOMEM, -EIO. */
int xr_pool_init(struct xr_pool *p, struct xr_fabric *fab,
		 struct xr_core_stats *st, uint32_t count, uint32_t size,
		 unsigned int access);
void xr_pool_fini(struct xr_pool *p, struct xr_core_stats *st);

static inline uint8_t *xr_pool_buf(const struct xr_pool *p, uint32_t i)
{
	return p->bp_base + (size_t)i * p->bp_size;
}

#define XR_RPOOL_PAGE 4096u

struct xr_rpool {
	uint8_t *pp_base;
	uint32_t pp_pages;
	uint32_t pp_free_pages;
	uint64_t *pp_map; /* bit set = page in use */
	struct xr_reg pp_reg;
};

/* Area of size bytes (rounded up to pages).  -EINVAL, -ENOMEM, -EIO. */
int xr_rpool_init(struct xr_rpool *p, struct xr_fabric *fab,
		  struct xr_core_stats *st, uint64_t size, unsigned int access);
void xr_rpool_fini(struct xr_rpool *p, struct xr_core_stats *st);
/*
 * Reserve len bytes (contiguous).  Returns the first byte, or NULL when
 * no run of free pages is long enough right now.
 */
uint8_t *xr_rpool_alloc(struct xr_rpool *p, uint64_t len);
/* Give back a range from xr_rpool_alloc() of the same len. */
void xr_rpool_free(struct xr_rpool *p, uint8_t *addr, uint64_t len);

/* Pure bitmap half of the range pool, used by the above and unit tests. */
int64_t xr_bitmap_find_run(const uint64_t *map, uint32_t nbits, uint32_t run);
void xr_bitmap_set(uint64_t *map, uint32_t first, uint32_t n, bool value);

struct xr_scatter {
	const struct xr_sge *sx_local;
	uint32_t sx_nlocal;
	uint32_t sx_li;	  /* current local range */
	uint64_t sx_loff; /* bytes of it already consumed */
	const struct xr_segment *sx_remote;
	uint32_t sx_nremote;
	uint32_t sx_ri;	  /* current remote segment */
	uint64_t sx_roff; /* bytes of it already used */
	uint64_t sx_done; /* total bytes yielded */
};

void xr_scatter_init(struct xr_scatter *s, const struct xr_sge *local,
		     uint32_t nlocal, const struct xr_segment *remote,
		     uint32_t nremote);
/*
 * Next operation: fills sge[0..*nsge) and the remote segment index and
 * offset.  Returns its byte count (> 0), 0 when every local byte has been
 * yielded, or -EMSGSIZE when the remote segments are full first.
 */
int64_t xr_scatter_next(struct xr_scatter *s, struct xr_sge *sge,
			uint32_t *nsge, uint32_t *seg_index,
			uint64_t *remote_offset);

/* The progress loop plumbing. */
struct xr_loop {
	/* the engine and its fabric; dropped to sleep and for callbacks */
	pthread_mutex_t ev_lock;
	int ev_evfd;
	int ev_epfd;
	pthread_t ev_thread;
	bool ev_running;
	bool ev_stop;
	uint32_t ev_idle_spins; /* arm() said "pending", rounds found none */
	uint64_t ev_kicks;	/* xr_loop_wake() calls (atomic) */
	uint64_t ev_wakeups;	/* sleeps in epoll_wait ended by an event */
};

/* Eventfd + epoll over the fabric's wait fd.  -errno of the syscalls. */
int xr_loop_init(struct xr_loop *lp, struct xr_fabric *fab);
void xr_loop_fini(struct xr_loop *lp);
/* Make the progress thread look at the fabric (any thread). */
void xr_loop_wake(struct xr_loop *lp);
/*
 * Called by the progress thread with ev_lock held when a round drained the
 * queues (@worked: it found completions or events).  Arms the fabric and
 * drops the lock while sleeping (at most timeout_ms), takes it back.  When
 * arm() answers "pending" the lock is still dropped: a yield, and after
 * XR_LOOP_YIELDS rounds in a row that found nothing, a back-off of up to
 * 1 ms, so that no peer can make this thread spin holding the lock.
 */
void xr_loop_sleep(struct xr_loop *lp, struct xr_fabric *fab, int timeout_ms,
		   bool worked);
/*
 * Called by the progress thread with ev_lock held while another thread
 * drives the fabric: sleeps (lock dropped) on the eventfd alone, at most
 * timeout_ms, so that the fabric's completions wake only that thread.
 */
void xr_loop_park(struct xr_loop *lp, int timeout_ms);
/*
 * Drop ev_lock for a yield and take it back (progress thread, between
 * full rounds: threads waiting to reply get their turn).
 */
void xr_loop_yield(struct xr_loop *lp);

/* Fill hard limits for the header decoder. */
void xr_core_limits(struct xr_hdr_limits *lim, enum xr_hdr_dir dir,
		    uint64_t max_chunk_bytes, uint32_t inline_recv);

#endif /* XR_CORE_INT_H */
