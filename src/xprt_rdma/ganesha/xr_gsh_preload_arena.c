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
 * Ganesha 6.5 takes NFSv4 and NFSv3 READ buffers with gsh_malloc(n), that
 * is malloc(), inside fsal_read2() - an exported function Ganesha's
 * protocol code calls through the PLT.  So malloc() and fsal_read2() are
 * interposed too: on an armed worker, fsal_read2() asks the module
 * (gr_read_arena_set_read_len(): the module knows Ganesha's struct) whether
 * the FSAL call will allocate the buffer and of what length, and the next
 * malloc() of exactly that length on this thread, before fsal_read2()
 * returns, comes from the arena.  Ganesha 4.3 has no fsal_read2(); its
 * NFSv3 READ buffer is a plain malloc(RNDUP(count)) in the unexported
 * nfs3_read(), on the worker that runs the call.  There the module reads
 * the count from the call before Ganesha runs it and says the length
 * (gr_read_arena_expect()): the next malloc() of exactly that length on
 * this thread, until the module clears it after Ganesha's dispatch
 * returns, comes from the arena.  Another allocation of the same length
 * that comes first (or a count Ganesha clamps to its MaxRead) only spends
 * an arena block on a buffer the peer can never address (the arena is
 * registered for local access only) and leaves the READ buffer to malloc
 * (its reply is registered on its own, as before): a waste, never a
 * safety or correctness issue.
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
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gr_arena.h"

/* glibc's own, for calls made while the next definitions are looked up. */
extern void *__libc_malloc(size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t n);

typedef int (*pm_fn)(void **, size_t, size_t);
typedef void (*free_fn)(void *);
typedef void *(*realloc_fn)(void *, size_t);
typedef size_t (*usable_fn)(void *);
typedef void *(*malloc_fn)(size_t);
/* void fsal_read2(obj, bool bypass, done_cb, struct fsal_io_arg *, void *) */
typedef void (*read2_fn)(void *, bool, void *, void *, void *);
typedef int (*read_len_fn)(void *read_arg, size_t *len);

static pm_fn next_pm;
static free_fn next_free;
static realloc_fn next_realloc;
static usable_fn next_usable;
static malloc_fn next_malloc;
static read2_fn next_read2;
/* Set once by the module (Ganesha 6), before any thread is armed. */
static read_len_fn read_len;

/* Set once by gr_read_arena_setup(), before any thread is armed. */
static struct gr_arena *arena;

static struct gr_arena *cur(void)
{
	return __atomic_load_n(&arena, __ATOMIC_ACQUIRE);
}

static __thread int armed __attribute__((tls_model("initial-exec")));
/* Inside an armed fsal_read2(): the length of the buffer it will malloc. */
static __thread size_t want_len __attribute__((tls_model("initial-exec")));

/*
 * The next definitions are looked up once, by the constructor below, and
 * never from inside an allocation: dlsym() itself may allocate (a failed
 * lookup allocates its error message), and a lookup nested in one
 * crashes.  Until then (other libraries' constructors) the allocation
 * functions use glibc's own entry points.
 */
static void *next_sym(void **slot, const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f)
		__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	return f;
}

__attribute__((constructor)) static void resolve_next(void)
{
	/* malloc first: the later lookups may allocate. */
	next_sym((void **)&next_malloc, "malloc");
	next_sym((void **)&next_free, "free");
	next_sym((void **)&next_realloc, "realloc");
	next_sym((void **)&next_pm, "posix_memalign");
	next_sym((void **)&next_usable, "malloc_usable_size");
}

#define NEXT(slot) __atomic_load_n(&(slot), __ATOMIC_ACQUIRE)

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
	f = NEXT(next_pm);
	if (!f) {
		void *p;

		/* Before the constructor: glibc's, as posix_memalign. */
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

void *malloc(size_t n)
{
	malloc_fn f;

	if (want_len && n == want_len) {
		struct gr_arena *a = cur();

		want_len = 0;
		if (a) {
			void *p = gr_arena_alloc(a, n);

			if (p)
				return p;
		}
	}
	f = NEXT(next_malloc);
	return f ? f(n) : __libc_malloc(n);
}

void fsal_read2(void *obj, bool bypass, void *done_cb, void *read_arg,
		void *caller_arg)
{
	read2_fn f = NEXT(next_read2);
	read_len_fn want = __atomic_load_n(&read_len, __ATOMIC_ACQUIRE);
	size_t len = 0;

	/* Not an allocator: looked up at its first call, in Ganesha 6. */
	if (!f)
		f = (read2_fn)next_sym((void **)&next_read2, "fsal_read2");
	if (!f)
		abort(); /* only a Ganesha that has fsal_read2() calls it */
	if (armed && want && cur() && want(read_arg, &len))
		want_len = len;
	f(obj, bypass, done_cb, read_arg, caller_arg);
	want_len = 0;
}

void free(void *p)
{
	struct gr_arena *a = cur();
	free_fn f;

	if (gr_arena_owns(a, p)) {
		gr_arena_free(a, p);
		return;
	}
	f = NEXT(next_free);
	if (f)
		f(p);
	else
		__libc_free(p);
}

void *realloc(void *p, size_t n)
{
	realloc_fn f = NEXT(next_realloc);
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
	f = NEXT(next_usable);
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

/* Ganesha 4.3's NFSv3 READ: the next malloc() of @len (0 clears). */
void gr_read_arena_expect(size_t len)
{
	want_len = cur() ? len : 0;
}

void gr_read_arena_set_read_len(read_len_fn fn)
{
	__atomic_store_n(&read_len, fn, __ATOMIC_RELEASE);
}

int gr_read_arena_stats(struct gr_arena_stats *out)
{
	struct gr_arena *a = __atomic_load_n(&arena, __ATOMIC_ACQUIRE);

	if (!a)
		return -ENOENT;
	gr_arena_get_stats(a, out);
	return 0;
}
