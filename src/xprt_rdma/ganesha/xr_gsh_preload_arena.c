/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Part of libganesha_rdma_preload.so: Ganesha's NFSv4 READ buffers served
 * from the READ arena (src/common/gr_arena.h), registered once, so that
 * a READ reply on verbs needs no ibv_reg_mr (docs/architecture.md,
 * "Memory registration").
 *
 * How this works: Ganesha 4.3's nfs4_op_read() (and READ_PLUS and the
 * pNFS DS read) takes its buffer with gsh_malloc_aligned(4096, n), that
 * is posix_memalign(), and gives it back with gsh_free(), that is free(),
 * after the reply's release.  This library interposes posix_memalign()
 * and the functions that take a pointer back (free, realloc, reallocarray,
 * malloc_usable_size):
 * - posix_memalign() serves from the arena only on a thread the module
 *   armed (gr_read_arena_arm(): an NFS_RDMA worker while Ganesha runs one
 *   of its calls) and only for 4096-byte alignment, which in Ganesha 4.3
 *   only READ buffers ask for; a full arena falls back to the next
 *   allocator (and the engine registers that reply as before);
 * - free() and friends route an arena pointer back to the arena, anything
 *   else to the next allocator: an arena block is never seen by glibc.
 * The arena exists only once the module made it (gr_read_arena_setup(),
 * on a fabric that needs local registrations); before, and in any other
 * process this library is preloaded into, every call goes straight to the
 * next definition (dlsym(RTLD_NEXT)), so the library stays inert.
 *
 * Why a freed block is safe to hand out again: Ganesha frees a READ
 * buffer only when the reply's xdr_uio is released, which the module does
 * in the engine's sv_on_release - after the last RDMA Write from it
 * completed or its connection's queue pair was flushed.  The arena is
 * never unmapped, so its registration always covers the pages it names.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gr_arena.h"

/* glibc's own, for calls made while the next definitions are looked up. */
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);

typedef int (*pm_fn)(void **, size_t, size_t);
typedef void (*free_fn)(void *);
typedef void *(*realloc_fn)(void *, size_t);
typedef size_t (*usable_fn)(void *);

static pm_fn next_pm;
static free_fn next_free;
static realloc_fn next_realloc;
static usable_fn next_usable;

/* Set once by gr_read_arena_setup(), before any thread is armed. */
static struct gr_arena *arena;

static struct gr_arena *cur(void)
{
	return __atomic_load_n(&arena, __ATOMIC_ACQUIRE);
}

static __thread int armed __attribute__((tls_model("initial-exec")));
static __thread int resolving __attribute__((tls_model("initial-exec")));

/* dlsym(RTLD_NEXT) once; NULL while a lookup on this thread is running. */
static void *next_sym(void **slot, const char *name)
{
	void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (f || resolving)
		return f;
	resolving = 1;
	f = dlsym(RTLD_NEXT, name);
	resolving = 0;
	if (f)
		__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	return f;
}

int posix_memalign(void **out, size_t align, size_t n)
{
	pm_fn f;

	if (armed && align == GR_ARENA_PAGE && cur()) {
		void *p = gr_arena_alloc(cur(), n);

		if (p) {
			*out = p;
			return 0;
		}
	}
	f = (pm_fn)next_sym((void **)&next_pm, "posix_memalign");
	if (!f) {
		void *p;

		/* Only during our own lookup: glibc's, as posix_memalign. */
		if (align < sizeof(void *) || (align & (align - 1)))
			return EINVAL;
		p = __libc_memalign(align, n);
		if (!p)
			return ENOMEM;
		*out = p;
		return 0;
	}
	return f(out, align, n);
}

void free(void *p)
{
	struct gr_arena *a = cur();
	free_fn f;

	if (gr_arena_owns(a, p)) {
		gr_arena_free(a, p);
		return;
	}
	f = (free_fn)next_sym((void **)&next_free, "free");
	if (f)
		f(p);
	else
		__libc_free(p);
}

void *realloc(void *p, size_t n)
{
	realloc_fn f = (realloc_fn)next_sym((void **)&next_realloc, "realloc");
	struct gr_arena *a = cur();

	if (gr_arena_owns(a, p)) {
		size_t have = gr_arena_usable(a, p);
		void *q;

		if (!n) {
			gr_arena_free(a, p);
			return NULL;
		}
		if (n <= have)
			return p;
		q = f ? f(NULL, n) : __libc_realloc(NULL, n);
		if (!q)
			return NULL;
		memcpy(q, p, have);
		gr_arena_free(a, p);
		return q;
	}
	return f ? f(p, n) : __libc_realloc(p, n);
}

/* glibc's reallocarray calls its own realloc, which must not see ours. */
void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}

size_t malloc_usable_size(void *p)
{
	struct gr_arena *a = cur();
	usable_fn f;

	if (gr_arena_owns(a, p))
		return gr_arena_usable(a, p);
	f = (usable_fn)next_sym((void **)&next_usable, "malloc_usable_size");
	return f ? f(p) : 0;
}

/*
 * The module's side (found with dlsym(RTLD_DEFAULT)): make the arena
 * once; arm or disarm the calling thread; read the counters.
 * gr_read_arena_setup() returns 0 and the arena's range, or a negative
 * errno (-EEXIST is not an error: the range of the arena made before).
 */
int gr_read_arena_setup(size_t size, size_t max_block, void **base, size_t *len)
{
	struct gr_arena *a = __atomic_load_n(&arena, __ATOMIC_ACQUIRE);

	if (!a) {
		a = gr_arena_create(size, max_block);
		if (!a)
			return -errno;
		__atomic_store_n(&arena, a, __ATOMIC_RELEASE);
	}
	gr_arena_range(a, base, len);
	return 0;
}

void gr_read_arena_arm(int on)
{
	armed = on;
}

int gr_read_arena_stats(struct gr_arena_stats *out)
{
	struct gr_arena *a = __atomic_load_n(&arena, __ATOMIC_ACQUIRE);

	if (!a)
		return -ENOENT;
	gr_arena_get_stats(a, out);
	return 0;
}
