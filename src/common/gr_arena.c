/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The READ arena's buddy allocator (gr_arena.h says what it is for).
 *
 * How this works: the arena is N top-level blocks of max_block bytes.
 * A free block of order k (4 KiB << k) sits on free list k; allocation
 * takes the smallest free block of the order it needs or above, halving
 * it and putting each upper half on its list; free merges a block with
 * its buddy (the other half of the block it was split from: its page
 * index with bit k flipped) as long as the buddy is free and whole.  Per
 * page, outside the arena: the order and state of the block starting
 * there and the links of the free lists (page indexes).  One mutex: an
 * allocation is per READ, a few hundred instructions beside the I/O.
 *
 * fork(): the child gets no arena pages (MADV_DONTFORK), but its free()
 * still takes the arena's range for arena blocks.  So an atfork handler
 * holds every arena's lock across fork() (a child must not inherit it
 * held) and, in the child, maps the range again PROT_NONE - reserved, so
 * no mapping of glibc's or anyone's can land there and be taken for an
 * arena block - and marks the arena dead: it hands out nothing more, and
 * inherited blocks can still be freed (bookkeeping only).
 */
#define _GNU_SOURCE
#include "gr_arena.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#define GR_ARENA_ORDERS 20 /* up to 4 KiB << 19 = 2 GiB blocks */

enum { GA_INNER = 0, GA_FREE = 1, GA_USED = 2 };

struct gr_arena {
	struct gr_arena_head a_head; /* first: gr_arena_owns() */
	pthread_mutex_t a_lock;	     /* everything below; a leaf */
	uint32_t a_pages;
	unsigned int a_max_order;
	int32_t a_free[GR_ARENA_ORDERS];
	int32_t *a_next, *a_prev;
	uint8_t *a_order, *a_state;
	size_t a_meta_len;
	bool a_dontfork;	  /* MADV_DONTFORK took: the child has a hole */
	bool a_dead;		  /* in a child of fork(): no more blocks */
	struct gr_arena *a_forks; /* every arena, for the atfork handlers */
	struct gr_arena_stats a_st;
};

/* Every arena made, newest first; arenas are never destroyed. */
static struct gr_arena *ga_all;
static pthread_mutex_t ga_all_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t ga_atfork_once = PTHREAD_ONCE_INIT;

static void ga_fork_prepare(void)
{
	struct gr_arena *a;

	pthread_mutex_lock(&ga_all_lock);
	for (a = ga_all; a; a = a->a_forks)
		pthread_mutex_lock(&a->a_lock);
}

static void ga_fork_parent(void)
{
	struct gr_arena *a;

	for (a = ga_all; a; a = a->a_forks)
		pthread_mutex_unlock(&a->a_lock);
	pthread_mutex_unlock(&ga_all_lock);
}

static void ga_fork_child(void)
{
	struct gr_arena *a;

	for (a = ga_all; a; a = a->a_forks) {
		/* Failing, the hole stays: nothing better to do in a child. */
		if (a->a_dontfork)
			(void)mmap((void *)a->a_head.ah_base, a->a_head.ah_len,
				   PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
				       MAP_NORESERVE,
				   -1, 0);
		a->a_dead = true;
		pthread_mutex_unlock(&a->a_lock);
	}
	pthread_mutex_unlock(&ga_all_lock);
}

static void ga_atfork_init(void)
{
	(void)pthread_atfork(ga_fork_prepare, ga_fork_parent, ga_fork_child);
}

static void ga_push(struct gr_arena *a, int32_t i, unsigned int k)
{
	a->a_state[i] = GA_FREE;
	a->a_order[i] = (uint8_t)k;
	a->a_prev[i] = -1;
	a->a_next[i] = a->a_free[k];
	if (a->a_free[k] >= 0)
		a->a_prev[a->a_free[k]] = i;
	a->a_free[k] = i;
}

static void ga_unlink(struct gr_arena *a, int32_t i, unsigned int k)
{
	if (a->a_prev[i] >= 0)
		a->a_next[a->a_prev[i]] = a->a_next[i];
	else
		a->a_free[k] = a->a_next[i];
	if (a->a_next[i] >= 0)
		a->a_prev[a->a_next[i]] = a->a_prev[i];
	a->a_state[i] = GA_INNER;
}

struct gr_arena *gr_arena_create(size_t size, size_t max_block)
{
	unsigned int order = 0;
	size_t pages, blocks, meta, i;
	struct gr_arena *a;
	void *base, *m;

	if (!size || !max_block) {
		errno = EINVAL;
		return NULL;
	}
	while (((size_t)GR_ARENA_PAGE << order) < max_block) {
		if (++order >= GR_ARENA_ORDERS) {
			errno = EINVAL;
			return NULL;
		}
	}
	max_block = (size_t)GR_ARENA_PAGE << order;
	blocks = size / max_block + (size % max_block ? 1 : 0);
	pages = blocks << order;
	if (pages > INT32_MAX || blocks > SIZE_MAX / max_block) {
		errno = EINVAL;
		return NULL;
	}
	meta = sizeof(*a) + pages * (2 * sizeof(int32_t) + 2);
	m = mmap(NULL, meta, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	base = mmap(NULL, blocks * max_block, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		munmap(m, meta);
		return NULL;
	}
	pthread_once(&ga_atfork_once, ga_atfork_init);
	a = m;
	a->a_dontfork = !madvise(base, blocks * max_block, MADV_DONTFORK);
	a->a_head.ah_base = (uintptr_t)base;
	a->a_head.ah_len = blocks * max_block;
	pthread_mutex_init(&a->a_lock, NULL);
	a->a_pages = (uint32_t)pages;
	a->a_max_order = order;
	a->a_meta_len = meta;
	a->a_next = (int32_t *)(a + 1);
	a->a_prev = a->a_next + pages;
	a->a_order = (uint8_t *)(a->a_prev + pages);
	a->a_state = a->a_order + pages;
	for (i = 0; i < GR_ARENA_ORDERS; i++)
		a->a_free[i] = -1;
	/* Lowest address first out: pushed in reverse. */
	for (i = blocks; i-- > 0;)
		ga_push(a, (int32_t)(i << order), order);
	a->a_st.as_size = a->a_head.ah_len;
	a->a_st.as_max_block = max_block;
	pthread_mutex_lock(&ga_all_lock);
	a->a_forks = ga_all;
	ga_all = a;
	pthread_mutex_unlock(&ga_all_lock);
	return a;
}

void *gr_arena_alloc(struct gr_arena *a, size_t len)
{
	unsigned int want = 0, k;
	int32_t i;

	if (!a)
		return NULL;
	if (!len || len > a->a_st.as_max_block) {
		pthread_mutex_lock(&a->a_lock);
		a->a_st.as_misses++;
		pthread_mutex_unlock(&a->a_lock);
		return NULL;
	}
	while (((size_t)GR_ARENA_PAGE << want) < len)
		want++;
	pthread_mutex_lock(&a->a_lock);
	for (k = want; k <= a->a_max_order && a->a_free[k] < 0; k++)
		;
	if (k > a->a_max_order || a->a_dead) {
		a->a_st.as_misses++;
		pthread_mutex_unlock(&a->a_lock);
		return NULL;
	}
	i = a->a_free[k];
	ga_unlink(a, i, k);
	while (k > want) {
		k--;
		ga_push(a, i + (1 << k), k);
	}
	a->a_state[i] = GA_USED;
	a->a_order[i] = (uint8_t)want;
	a->a_st.as_allocs++;
	a->a_st.as_in_use += (size_t)GR_ARENA_PAGE << want;
	pthread_mutex_unlock(&a->a_lock);
	return (void *)(a->a_head.ah_base + (uintptr_t)i * GR_ARENA_PAGE);
}

/* The page index of the used block at @p; aborts on anything else. */
static int32_t ga_block(struct gr_arena *a, const void *p)
{
	uintptr_t off = (uintptr_t)p - a->a_head.ah_base;
	int32_t i;

	if (off >= a->a_head.ah_len || off % GR_ARENA_PAGE)
		abort();
	i = (int32_t)(off / GR_ARENA_PAGE);
	if (a->a_state[i] != GA_USED)
		abort(); /* double free, or not a block's start */
	return i;
}

void gr_arena_free(struct gr_arena *a, void *p)
{
	unsigned int k;
	int32_t i, b;

	pthread_mutex_lock(&a->a_lock);
	i = ga_block(a, p);
	k = a->a_order[i];
	a->a_state[i] = GA_INNER;
	a->a_st.as_frees++;
	a->a_st.as_in_use -= (size_t)GR_ARENA_PAGE << k;
	while (k < a->a_max_order) {
		b = i ^ (1 << k);
		if (a->a_state[b] != GA_FREE || a->a_order[b] != k)
			break;
		ga_unlink(a, b, k);
		if (b < i)
			i = b;
		k++;
	}
	ga_push(a, i, k);
	pthread_mutex_unlock(&a->a_lock);
}

size_t gr_arena_usable(struct gr_arena *a, const void *p)
{
	size_t len;

	pthread_mutex_lock(&a->a_lock);
	len = (size_t)GR_ARENA_PAGE << a->a_order[ga_block(a, p)];
	pthread_mutex_unlock(&a->a_lock);
	return len;
}

void gr_arena_range(const struct gr_arena *a, void **base, size_t *len)
{
	*base = (void *)a->a_head.ah_base;
	*len = a->a_head.ah_len;
}

void gr_arena_get_stats(struct gr_arena *a, struct gr_arena_stats *out)
{
	pthread_mutex_lock(&a->a_lock);
	*out = a->a_st;
	pthread_mutex_unlock(&a->a_lock);
}
