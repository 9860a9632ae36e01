/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The gateway seals or opens a wire handle for nearly every operation
 * (a small-file cycle costs about a dozen MACs), so a MAC must not go
 * through libcrypto's algorithm fetch and context allocation each time:
 * with the key loaded (rp_mac_key_load() prepares it), computing, sealing
 * and opening allocate nothing.  How this works: this executable defines
 * malloc, calloc and realloc, which libcrypto's calls bind to (the
 * executable comes first in symbol lookup); they count while `counting`
 * is set and forward to glibc's __libc_* allocator.  The MACs themselves
 * are checked against the unprepared path (the key alone), so speed is
 * never bought with a different MAC.
 *
 * A sanitizer's runtime owns malloc: there the test exits 77.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rp_handle_mac.h"
#include "gr_check.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define RP_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RP_SANITIZED 1
#endif

#ifndef RP_SANITIZED
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);

static volatile bool counting;
static volatile unsigned long allocs;

void *malloc(size_t n)
{
	if (counting)
		allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	if (counting)
		allocs++;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	if (counting)
		allocs++;
	return __libc_realloc(p, n);
}

int main(void)
{
	char dir[] = "/tmp/test_rp_mac_alloc.XXXXXX", sub[64], cmd[64];
	struct rp_mac_key k, raw;
	uint8_t fh[28], w[1 + sizeof(fh) + RP_MAC_LEN], mac[RP_MAC_LEN];
	uint8_t want[RP_MAC_LEN], kind;
	const uint8_t *p;
	const char *why;
	uint32_t n;
	unsigned int i, bad = 0;
	int len = 0;

	for (i = 0; i < sizeof(fh); i++)
		fh[i] = (uint8_t)(i * 7 + 3);
	if (!CHECK(mkdtemp(dir) != NULL))
		return gr_check_done("test_rp_handle_mac_alloc");
	snprintf(sub, sizeof(sub), "%s/state", dir);
	CHECK_EQ(rp_mac_key_load(sub, &k, &why), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	/* The same key, unprepared: every byte but the key is garbage. */
	memset(&raw, 0xa5, sizeof(raw));
	memcpy(raw.mk_key, k.mk_key, sizeof(raw.mk_key));

	/* Warm: libcrypto's one-time initialisation may allocate. */
	CHECK_EQ(rp_mac_compute(&k, 3, 1, fh, sizeof(fh), mac), 0);
	CHECK_EQ(rp_mac_compute(&raw, 3, 1, fh, sizeof(fh), want), 0);
	CHECK(memcmp(mac, want, sizeof(mac)) == 0);

	allocs = 0;
	counting = true;
	for (i = 0; i < 1000; i++) {
		fh[0] = (uint8_t)i;
		len = rp_wire_seal(&k, 3, 1, fh, sizeof(fh), w, sizeof(w));
		if (len != (int)sizeof(w) ||
		    rp_wire_open(&k, 3, w, (size_t)len, &kind, &p, &n) != 0)
			bad++;
	}
	counting = false;
	CHECK_EQ(bad, 0);
	CHECK_EQ(allocs, 0);
	/* and the MACs are the ones the key alone gives */
	CHECK_EQ(rp_mac_compute(&raw, 3, 1, fh, sizeof(fh), want), 0);
	CHECK(len > 0 && memcmp(w + 1 + sizeof(fh), want, RP_MAC_LEN) == 0);
	return gr_check_done("test_rp_handle_mac_alloc");
}
#else
int main(void)
{
	fprintf(stderr, "SKIP: a sanitizer's runtime owns malloc\n");
	return 77;
}
#endif
