/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The READ arena: one mapping, registered once with the RDMA fabric, from
 * which Ganesha's READ buffers are served, so that a READ reply's RDMA
 * Write needs no registration of its own (docs/architecture.md, "Memory
 * registration").  A buddy allocator over 4 KiB pages: blocks of 4 KiB
 * << order, split on allocation, merged on free; its bookkeeping lives
 * outside the arena (its own mapping), so it never touches the pages it
 * hands out and never calls malloc - it runs inside the preload's
 * posix_memalign() and free().  The arena is never unmapped, madvised or
 * given to malloc while the process lives: a block freed by Ganesha stays
 * mapped at the same pages with the same registration and is only handed
 * out again by this allocator.  libc only.
 */
#ifndef GR_ARENA_H
#define GR_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GR_ARENA_PAGE 4096u

struct gr_arena;

struct gr_arena_stats {
	uint64_t as_allocs;    /* blocks handed out */
	uint64_t as_frees;     /* blocks given back */
	uint64_t as_misses;    /* requests it could not serve (full, too big) */
	uint64_t as_in_use;    /* bytes in blocks handed out now */
	uint64_t as_size;      /* bytes in the arena */
	uint64_t as_max_block; /* the largest block it can hand out */
};

/**
 * gr_arena_create() - map an arena
 * @size: bytes, rounded up to a multiple of @max_block
 * @max_block: the largest block, rounded up to a power of two >= 4 KiB
 *
 * The arena is mapped private and anonymous with MADV_DONTFORK (a child
 * of fork() gets no mapping there, so no copy-on-write can ever move the
 * parent's pinned pages).  In a child the range is kept reserved
 * (PROT_NONE) and the arena hands out no more blocks; blocks the child
 * inherited can still be freed.
 *
 * Return: the arena, or NULL (errno set: EINVAL for a zero or
 * overflowing size, or mmap's).
 */
struct gr_arena *gr_arena_create(size_t size, size_t max_block);

/**
 * gr_arena_alloc() - a block of at least @len bytes, 4 KiB aligned
 *
 * Any thread.  Return: the block, or NULL when @len is 0, larger than
 * the largest block, or no free block is large enough (counted as a miss).
 */
void *gr_arena_alloc(struct gr_arena *a, size_t len);

/**
 * gr_arena_owns() - whether @p lies inside the arena's mapping
 */
static inline bool gr_arena_owns(const struct gr_arena *a, const void *p);

/**
 * gr_arena_free() - give a block back
 *
 * @p must be a block gr_arena_alloc() returned and not yet freed; anything
 * else is a memory error in the caller and aborts, as glibc does.
 */
void gr_arena_free(struct gr_arena *a, void *p);

/**
 * gr_arena_usable() - the size of the block at @p (as malloc_usable_size)
 */
size_t gr_arena_usable(struct gr_arena *a, const void *p);

/**
 * gr_arena_range() - the arena's mapping
 */
void gr_arena_range(const struct gr_arena *a, void **base, size_t *len);

/**
 * gr_arena_get_stats() - a copy of the counters (any thread)
 */
void gr_arena_get_stats(struct gr_arena *a, struct gr_arena_stats *out);

/* Only the two fields gr_arena_owns() reads are public. */
struct gr_arena_head {
	uintptr_t ah_base;
	size_t ah_len;
};

static inline bool gr_arena_owns(const struct gr_arena *a, const void *p)
{
	const struct gr_arena_head *h = (const struct gr_arena_head *)a;

	return a && (uintptr_t)p - h->ah_base < h->ah_len;
}

#endif /* GR_ARENA_H */
