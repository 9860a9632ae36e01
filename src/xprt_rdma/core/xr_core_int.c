/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Building blocks of the engines: counted registrations, buffer pools, the
 * Read landing-area allocator, the local-to-remote scatter walk and the
 * progress-loop plumbing.  How this works: see xr_core_int.h; everything
 * here is called with the engine's lock held, except xr_loop_wake().
 */
#include "xr_core_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int xr_core_reg(struct xr_fabric *fab, struct xr_core_stats *st, void *addr,
		uint64_t len, unsigned int access, struct xr_reg *out)
{
	int ret;

	out->rg_mr = NULL;
	out->rg_len = 0;
	if (!len)
		return -EINVAL;
	ret = xr_reg_mr(fab, addr, len, access, &out->rg_mr);
	if (ret) {
		st->cs_err_reg++;
		out->rg_mr = NULL;
		return ret;
	}
	out->rg_len = len;
	st->cs_reg_calls++;
	st->cs_mr_live++;
	st->cs_registered_bytes += len;
	return 0;
}

void xr_stats_add(struct xr_core_stats *dst, const struct xr_core_stats *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;
	size_t i;

	for (i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

void xr_core_dereg(struct xr_core_stats *st, struct xr_reg *rg)
{
	if (!rg->rg_mr)
		return;
	xr_dereg_mr(rg->rg_mr);
	st->cs_dereg_calls++;
	st->cs_mr_live--;
	st->cs_registered_bytes -= rg->rg_len;
	rg->rg_mr = NULL;
	rg->rg_len = 0;
}

/*
 * Registered buffers (and the server's per-connection contexts) get
 * mappings of their own, not malloc memory: glibc raises its mmap
 * threshold to the size of the first large block freed, so from the
 * second connection on a pool came from a malloc arena and stayed
 * in the daemon's RSS after the connection closed (2.2 MiB per connection
 * at the defaults: after 32 clients left, ganesha.nfsd kept 70 MiB more
 * than before them; test ganesha.scale256).  A mapping goes back to the system
 * at munmap. Pages come zeroed.  NULL when the system has no memory for it.
 */
void *xr_region_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void xr_region_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

int xr_pool_init(struct xr_pool *p, struct xr_fabric *fab,
		 struct xr_core_stats *st, uint32_t count, uint32_t size,
		 unsigned int access)
{
	size_t total = (size_t)count * size;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!count || !size)
		return -EINVAL;
	p->bp_base = xr_region_alloc(total);
	if (!p->bp_base)
		return -ENOMEM;
	ret = xr_core_reg(fab, st, p->bp_base, total, access, &p->bp_reg);
	if (ret) {
		xr_region_free(p->bp_base, total);
		p->bp_base = NULL;
		return ret;
	}
	p->bp_count = count;
	p->bp_size = size;
	return 0;
}

void xr_pool_fini(struct xr_pool *p, struct xr_core_stats *st)
{
	xr_core_dereg(st, &p->bp_reg);
	xr_region_free(p->bp_base, (size_t)p->bp_count * p->bp_size);
	p->bp_base = NULL;
}

int64_t xr_bitmap_find_run(const uint64_t *map, uint32_t nbits, uint32_t run)
{
	uint32_t i, start = 0, len = 0;

	if (!run || run > nbits)
		return -1;
	for (i = 0; i < nbits; i++) {
		if (map[i / 64] & (1ull << (i % 64))) {
			len = 0;
			start = i + 1;
			continue;
		}
		if (++len == run)
			return start;
	}
	return -1;
}

void xr_bitmap_set(uint64_t *map, uint32_t first, uint32_t n, bool value)
{
	uint32_t i;

	for (i = first; i < first + n; i++) {
		if (value)
			map[i / 64] |= 1ull << (i % 64);
		else
			map[i / 64] &= ~(1ull << (i % 64));
	}
}

int xr_rpool_init(struct xr_rpool *p, struct xr_fabric *fab,
		  struct xr_core_stats *st, uint64_t size, unsigned int access)
{
	uint64_t pages = (size + XR_RPOOL_PAGE - 1) / XR_RPOOL_PAGE;
	int ret;

	memset(p, 0, sizeof(*p));
	if (!pages || pages > UINT32_MAX / 2)
		return -EINVAL;
	p->pp_map = calloc((pages + 63) / 64, sizeof(uint64_t));
	if (!p->pp_map)
		return -ENOMEM;
	p->pp_base = xr_region_alloc(pages * XR_RPOOL_PAGE);
	if (!p->pp_base) {
		ret = -ENOMEM;
		goto out_map;
	}
	ret = xr_core_reg(fab, st, p->pp_base, pages * XR_RPOOL_PAGE, access,
			  &p->pp_reg);
	if (ret)
		goto out_base;
	p->pp_pages = (uint32_t)pages;
	p->pp_free_pages = (uint32_t)pages;
	return 0;

out_base:
	xr_region_free(p->pp_base, pages * XR_RPOOL_PAGE);
	p->pp_base = NULL;
out_map:
	free(p->pp_map);
	p->pp_map = NULL;
	return ret;
}

void xr_rpool_fini(struct xr_rpool *p, struct xr_core_stats *st)
{
	xr_core_dereg(st, &p->pp_reg);
	xr_region_free(p->pp_base, (size_t)p->pp_pages * XR_RPOOL_PAGE);
	free(p->pp_map);
	memset(p, 0, sizeof(*p));
}

uint8_t *xr_rpool_alloc(struct xr_rpool *p, uint64_t len)
{
	uint64_t pages = (len + XR_RPOOL_PAGE - 1) / XR_RPOOL_PAGE;
	int64_t first;

	if (!pages)
		pages = 1;
	if (pages > p->pp_free_pages)
		return NULL;
	first = xr_bitmap_find_run(p->pp_map, p->pp_pages, (uint32_t)pages);
	if (first < 0)
		return NULL;
	xr_bitmap_set(p->pp_map, (uint32_t)first, (uint32_t)pages, true);
	p->pp_free_pages -= (uint32_t)pages;
	return p->pp_base + (uint64_t)first * XR_RPOOL_PAGE;
}

void xr_rpool_free(struct xr_rpool *p, uint8_t *addr, uint64_t len)
{
	uint64_t pages = (len + XR_RPOOL_PAGE - 1) / XR_RPOOL_PAGE;
	uint64_t first = (uint64_t)(addr - p->pp_base) / XR_RPOOL_PAGE;

	if (!pages)
		pages = 1;
	xr_bitmap_set(p->pp_map, (uint32_t)first, (uint32_t)pages, false);
	p->pp_free_pages += (uint32_t)pages;
}

void xr_scatter_init(struct xr_scatter *s, const struct xr_sge *local,
		     uint32_t nlocal, const struct xr_segment *remote,
		     uint32_t nremote)
{
	memset(s, 0, sizeof(*s));
	s->sx_local = local;
	s->sx_nlocal = nlocal;
	s->sx_remote = remote;
	s->sx_nremote = nremote;
}

int64_t xr_scatter_next(struct xr_scatter *s, struct xr_sge *sge,
			uint32_t *nsge, uint32_t *seg_index,
			uint64_t *remote_offset)
{
	uint64_t room, take, total = 0;
	uint32_t n = 0;

	/* Skip exhausted local ranges and full remote segments. */
	while (s->sx_li < s->sx_nlocal &&
	       s->sx_loff >= s->sx_local[s->sx_li].ge_len) {
		s->sx_li++;
		s->sx_loff = 0;
	}
	if (s->sx_li >= s->sx_nlocal)
		return 0;
	while (s->sx_ri < s->sx_nremote &&
	       s->sx_roff >= s->sx_remote[s->sx_ri].seg_length) {
		s->sx_ri++;
		s->sx_roff = 0;
	}
	if (s->sx_ri >= s->sx_nremote)
		return -EMSGSIZE;

	room = s->sx_remote[s->sx_ri].seg_length - s->sx_roff;
	*seg_index = s->sx_ri;
	*remote_offset = s->sx_remote[s->sx_ri].seg_offset + s->sx_roff;
	while (room && n < XR_MAX_SGE && s->sx_li < s->sx_nlocal) {
		const struct xr_sge *l = &s->sx_local[s->sx_li];

		if (s->sx_loff >= l->ge_len) {
			s->sx_li++;
			s->sx_loff = 0;
			continue;
		}
		take = l->ge_len - s->sx_loff;
		if (take > room)
			take = room;
		sge[n].ge_addr = (uint8_t *)l->ge_addr + s->sx_loff;
		sge[n].ge_len = (uint32_t)take;
		sge[n].ge_mr = l->ge_mr;
		n++;
		s->sx_loff += take;
		room -= take;
		total += take;
	}
	s->sx_roff += total;
	s->sx_done += total;
	*nsge = n;
	return (int64_t)total;
}

int xr_loop_init(struct xr_loop *lp, struct xr_fabric *fab)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int ret;

	memset(lp, 0, sizeof(*lp));
	lp->ev_evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (lp->ev_evfd < 0)
		return -errno;
	lp->ev_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (lp->ev_epfd < 0) {
		ret = -errno;
		goto out_evfd;
	}
	ev.data.fd = lp->ev_evfd;
	if (epoll_ctl(lp->ev_epfd, EPOLL_CTL_ADD, lp->ev_evfd, &ev)) {
		ret = -errno;
		goto out_epfd;
	}
	ev.data.fd = xr_fabric_wait_fd(fab);
	if (epoll_ctl(lp->ev_epfd, EPOLL_CTL_ADD, ev.data.fd, &ev)) {
		ret = -errno;
		goto out_epfd;
	}
	pthread_mutex_init(&lp->ev_lock, NULL);
	return 0;

out_epfd:
	close(lp->ev_epfd);
out_evfd:
	close(lp->ev_evfd);
	return ret;
}

void xr_loop_fini(struct xr_loop *lp)
{
	close(lp->ev_epfd);
	close(lp->ev_evfd);
	pthread_mutex_destroy(&lp->ev_lock);
}

void xr_loop_wake(struct xr_loop *lp)
{
	uint64_t one = 1;
	ssize_t n;

	__atomic_add_fetch(&lp->ev_kicks, 1, __ATOMIC_RELAXED);
	n = write(lp->ev_evfd, &one, sizeof(one));
	(void)n; /* EAGAIN: a wake-up is already pending */
}

/* Busy rounds in a row answered by a yield before backing off. */
#define XR_LOOP_YIELDS 8u
/* Longest back-off of a round that found nothing it could take (us). */
#define XR_LOOP_MAX_BACKOFF_US 1000u

void xr_loop_park(struct xr_loop *lp, int timeout_ms)
{
	struct pollfd pfd = {.fd = lp->ev_evfd, .events = POLLIN};
	uint64_t val;
	ssize_t n;
	int ret;

	pthread_mutex_unlock(&lp->ev_lock);
	ret = poll(&pfd, 1, timeout_ms);
	if (ret > 0) {
		n = read(lp->ev_evfd, &val, sizeof(val));
		(void)n;
	}
	pthread_mutex_lock(&lp->ev_lock);
	if (ret > 0)
		lp->ev_wakeups++;
}

void xr_loop_yield(struct xr_loop *lp)
{
	pthread_mutex_unlock(&lp->ev_lock);
	sched_yield();
	pthread_mutex_lock(&lp->ev_lock);
}

void xr_loop_sleep(struct xr_loop *lp, struct xr_fabric *fab, int timeout_ms,
		   bool worked)
{
	struct epoll_event evs[2];
	struct timespec ts;
	uint64_t val, us;
	int nev, i;
	ssize_t n;

	if (worked)
		lp->ev_idle_spins = 0;
	if (xr_fabric_arm(fab) == -EAGAIN) {
		/*
		 * Something is pending: look again, but never with the lock
		 * held all along (repliers wait for it).  When rounds keep
		 * finding nothing (a peer's message the provider cannot
		 * deliver: its data sits unread and the descriptor stays
		 * ready), back off up to 1 ms a round instead of burning a
		 * core.
		 */
		if (++lp->ev_idle_spins <= XR_LOOP_YIELDS) {
			xr_loop_yield(lp);
			return;
		}
		us = (uint64_t)(lp->ev_idle_spins - XR_LOOP_YIELDS) * 50;
		if (us > XR_LOOP_MAX_BACKOFF_US)
			us = XR_LOOP_MAX_BACKOFF_US;
		ts = (struct timespec){0, (long)(us * 1000)};
		pthread_mutex_unlock(&lp->ev_lock);
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&lp->ev_lock);
		return;
	}
	lp->ev_idle_spins = 0;
	pthread_mutex_unlock(&lp->ev_lock);
	nev = epoll_wait(lp->ev_epfd, evs, 2, timeout_ms);
	for (i = 0; i < nev; i++) {
		/* Drain the eventfd only when it fired: one read saved. */
		if (evs[i].data.fd == lp->ev_evfd) {
			n = read(lp->ev_evfd, &val, sizeof(val));
			(void)n;
		}
	}
	pthread_mutex_lock(&lp->ev_lock);
	if (nev > 0)
		lp->ev_wakeups++;
}

void xr_core_limits(struct xr_hdr_limits *lim, enum xr_hdr_dir dir,
		    uint64_t max_chunk_bytes, uint32_t inline_recv)
{
	lim->hl_dir = dir;
	lim->hl_max_read_segs = XR_MAX_CHUNK_SEGS;
	lim->hl_max_write_chunks = XR_MAX_WRITE_CHUNKS;
	lim->hl_max_chunk_segs = XR_MAX_CHUNK_SEGS;
	lim->hl_max_chunk_bytes = max_chunk_bytes;
	lim->hl_inline_size = inline_recv;
}
