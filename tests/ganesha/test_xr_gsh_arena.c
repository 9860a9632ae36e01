/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The READ arena and the preload's allocator hooks (src/common/gr_arena.c,
 * src/xprt_rdma/ganesha/xr_gsh_preload_arena.c).  How this works: run
 * with LD_PRELOAD=libganesha_rdma_preload.so (argv[1] names it; the test
 * re-executes itself with it), so posix_memalign() and free() are the
 * preload's, as in ganesha.nfsd; the module's entry points are found with
 * dlsym(RTLD_DEFAULT) as the module finds them.  Checks:
 * - before the arena exists and on a thread not armed, every call goes to
 *   glibc; armed, only 4096-byte alignment comes from the arena;
 * - free(), realloc(), reallocarray() and malloc_usable_size() route an
 *   arena block back to the arena (glibc would abort on it);
 * - the buddy allocator: every block inside the arena, 4 KiB aligned, no
 *   two live blocks overlap (random sizes, random frees), freed space
 *   merges back (the whole arena is one block again), a full arena is a
 *   miss that falls back to glibc, a double free aborts.
 * Exit 0, 1 on a failed check, 77 without the preload.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gr_arena.h"

static int nfail;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("FAIL %s:%d: ", __func__, __LINE__);            \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
			nfail++;                                               \
		}                                                              \
	} while (0)

typedef int (*setup_fn)(size_t, size_t, void **, size_t *);
typedef void (*arm_fn)(int);
typedef int (*stats_fn)(struct gr_arena_stats *);

static arm_fn arm;
static char *base;
static size_t len;

static int in_arena(const void *p)
{
	return (const char *)p >= base && (const char *)p < base + len;
}

/* Random blocks in a private arena: no overlap, all merged at the end. */
static void buddy(void)
{
	enum { N = 64 };
	struct gr_arena *a = gr_arena_create(8u << 20, 1u << 20);
	struct gr_arena_stats st;
	char *blk[N] = {0};
	size_t sz[N] = {0};
	void *ab, *big[8];
	size_t al;
	unsigned int seed = 14, i, j, r;

	CHECK(a, "create: %s", strerror(errno));
	if (!a)
		return;
	gr_arena_range(a, &ab, &al);
	CHECK(al == 8u << 20, "arena of %zu bytes", al);
	for (r = 0; r < 20000; r++) {
		i = (unsigned int)rand_r(&seed) % N;
		if (blk[i]) {
			CHECK(gr_arena_usable(a, blk[i]) >= sz[i],
			      "usable below size");
			gr_arena_free(a, blk[i]);
			blk[i] = NULL;
			continue;
		}
		sz[i] = 1 + (size_t)rand_r(&seed) % (1u << 20);
		blk[i] = gr_arena_alloc(a, sz[i]);
		if (!blk[i])
			continue; /* full: a miss */
		CHECK(((uintptr_t)blk[i] & 4095) == 0, "not 4 KiB aligned");
		CHECK(blk[i] >= (char *)ab && blk[i] + sz[i] <= (char *)ab + al,
		      "block outside the arena");
		for (j = 0; j < N; j++)
			CHECK(j == i || !blk[j] || blk[j] + sz[j] <= blk[i] ||
				  blk[i] + sz[i] <= blk[j],
			      "blocks %u and %u overlap", i, j);
		memset(blk[i], (int)i, sz[i]);
	}
	for (i = 0; i < N; i++)
		if (blk[i])
			gr_arena_free(a, blk[i]);
	gr_arena_get_stats(a, &st);
	CHECK(st.as_in_use == 0 && st.as_allocs == st.as_frees,
	      "in use %llu after all frees", (unsigned long long)st.as_in_use);
	/* Merged back: eight 1 MiB blocks fit again, a ninth does not. */
	for (i = 0; i < 8; i++) {
		big[i] = gr_arena_alloc(a, 1u << 20);
		CHECK(big[i], "1 MiB block %u after merging", i);
	}
	CHECK(!gr_arena_alloc(a, 4096), "a full arena served a block");
	CHECK(!gr_arena_alloc(a, (1u << 20) + 1), "served past max_block");
	for (i = 0; i < 8; i++)
		if (big[i])
			gr_arena_free(a, big[i]);
	/* A double free aborts (in a child). */
	if (fork() == 0) {
		void *p = gr_arena_alloc(a, 100);

		gr_arena_free(a, p);
		gr_arena_free(a, p);
		_exit(0);
	} else {
		int status = 0;

		wait(&status);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
		      "double free did not abort (status %d)", status);
	}
}

/*
 * A child of fork() has no arena pages (MADV_DONTFORK), but its free()
 * still routes the arena's range to the arena: the range must stay
 * reserved there, or the next mapping put in it (glibc's own, for a
 * large malloc) is taken for an arena block and free() aborts.  The
 * child frees a block it inherited, mallocs until glibc maps where the
 * arena was (or gives up), frees that, and tries to map the range itself.
 */
static void forked(void)
{
	void *blk = NULL;
	pid_t pid;
	int status = 0;

	arm(1);
	CHECK(!posix_memalign(&blk, 4096, 4096) && in_arena(blk),
	      "block before fork");
	arm(0);
	pid = fork();
	if (pid == 0) {
		void *m, *q = NULL;
		int i, hits = 0;

		free(blk); /* inherited: bookkeeping only */
		/* Holes above it (buddy()'s arena) fill first: keep them. */
		for (i = 0; i < 16; i++) {
			q = malloc(len / 2);
			if (!q || in_arena(q)) {
				hits += !!q;
				break;
			}
		}
		free(q); /* aborts when glibc's block is in the range */
		m = mmap(base, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			 0);
		if (m == base) {
			dprintf(STDOUT_FILENO,
				"FAIL forked: the arena's "
				"range is free for any mapping in a child\n");
			munmap(m, 4096);
		}
		/* Nor does it hand out pages the child has not got. */
		arm(1);
		q = NULL;
		i = posix_memalign(&q, 4096, 4096);
		arm(0);
		if (!i && in_arena(q))
			dprintf(STDOUT_FILENO, "FAIL forked: an arena block "
					       "handed out in a child\n");
		_exit(m == base ? 1 : hits ? 2 : !i && in_arena(q) ? 3 : 0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child after fork: status %#x", status);
	free(blk);
}

static void hooks(void)
{
	setup_fn setup = (setup_fn)dlsym(RTLD_DEFAULT, "gr_read_arena_setup");
	stats_fn stats = (stats_fn)dlsym(RTLD_DEFAULT, "gr_read_arena_stats");
	struct gr_arena_stats st;
	void *p = NULL, *q = NULL, *v;
	int rc;

	arm = (arm_fn)dlsym(RTLD_DEFAULT, "gr_read_arena_arm");

	/* No arena yet: armed or not, glibc's. */
	arm(1);
	rc = posix_memalign(&p, 4096, 65536);
	arm(0);
	CHECK(!rc && p, "posix_memalign before the arena: %d", rc);
	CHECK(stats(&st) == -ENOENT, "stats before the arena");
	rc = setup(4u << 20, 1u << 20, &v, &len);
	base = v;
	CHECK(!rc && base && len == 4u << 20, "setup %d, %zu bytes", rc, len);
	CHECK(!in_arena(p), "a block from before the arena is in it");
	free(p);
	/* Not armed: glibc's. */
	rc = posix_memalign(&p, 4096, 65536);
	CHECK(!rc && !in_arena(p), "unarmed posix_memalign from the arena");
	free(p);
	/* Armed: 4096 alignment from the arena, other alignments not. */
	arm(1);
	rc = posix_memalign(&p, 4096, 65536);
	CHECK(!rc && in_arena(p), "armed 4096 posix_memalign not in arena");
	rc = posix_memalign(&q, 64, 65536);
	CHECK(!rc && !in_arena(q), "armed 64-byte alignment from the arena");
	free(q);
	q = malloc(100000);
	CHECK(q && !in_arena(q), "malloc from the arena");
	free(q);
	arm(0);
	/* Pointers back: free, usable size, realloc, reallocarray. */
	CHECK(malloc_usable_size(p) == 65536, "usable %zu",
	      malloc_usable_size(p));
	memset(p, 0x5a, 65536);
	v = p;
	p = realloc(p, 1000); /* fits: the same block */
	CHECK(p == v, "realloc to less moved the block");
	q = realloc(p, 200000); /* grows: out to glibc, contents kept */
	CHECK(q && !in_arena(q) && ((unsigned char *)q)[65535] == 0x5a,
	      "realloc growing an arena block");
	free(q);
	arm(1);
	rc = posix_memalign(&p, 4096, 4096);
	arm(0);
	CHECK(!rc && in_arena(p), "second arena block");
	q = reallocarray(p, 2, 8192);
	CHECK(q && !in_arena(q), "reallocarray of an arena block");
	free(q);
	arm(1);
	rc = posix_memalign(&p, 4096, 4096);
	arm(0);
	free(p); /* glibc would abort on this pointer */
	stats(&st);
	CHECK(st.as_in_use == 0 && st.as_allocs == 3 && st.as_frees == 3,
	      "arena: %llu allocs, %llu frees, %llu bytes in use",
	      (unsigned long long)st.as_allocs, (unsigned long long)st.as_frees,
	      (unsigned long long)st.as_in_use);
	/* Full: falls back to glibc, counted as a miss. */
	arm(1);
	{
		void *blk[4];
		int i;

		for (i = 0; i < 4; i++)
			CHECK(!posix_memalign(&blk[i], 4096, 1u << 20) &&
				  in_arena(blk[i]),
			      "1 MiB block %d", i);
		rc = posix_memalign(&q, 4096, 4096);
		CHECK(!rc && q && !in_arena(q),
		      "a full arena did not fall back");
		free(q);
		for (i = 0; i < 4; i++)
			free(blk[i]);
	}
	arm(0);
	stats(&st);
	CHECK(st.as_misses == 1 && st.as_in_use == 0, "misses %llu",
	      (unsigned long long)st.as_misses);
	forked();
}

int main(int argc, char **argv)
{
	/*
	 * Under ASan its runtime must come first and its allocator then
	 * wins over the preload's: only the allocator can be checked.
	 */
	if (dlsym(RTLD_DEFAULT, "__asan_init")) {
		buddy();
		printf("%s (%d failed); SKIP: the preload's hooks, ASan's "
		       "allocator comes first\n",
		       nfail ? "FAIL" : "PASS", nfail);
		return nfail ? 1 : 77;
	}
	if (!dlsym(RTLD_DEFAULT, "gr_read_arena_setup")) {
		if (argc > 1 && !getenv("XR_ARENA_TEST_CHILD")) {
			setenv("LD_PRELOAD", argv[1], 1);
			setenv("XR_ARENA_TEST_CHILD", "1", 1);
			execv("/proc/self/exe", argv);
		}
		printf("SKIP: run with the preload library as argument\n");
		return 77;
	}
	buddy();
	hooks();
	printf("%s (%d failed)\n", nfail ? "FAIL" : "PASS", nfail);
	return nfail ? 1 : 0;
}
