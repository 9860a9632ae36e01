/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A tiny assertion helper for the unit tests (no external framework).
 *
 * How this works: CHECK*() count every assertion and print file:line and
 * the failing expression (and values) to stderr without stopping, so one
 * run shows every failure.  xr_check_done() prints a one-line summary of
 * what was checked and returns the process exit status: 0 only when at
 * least one check ran and none failed.
 */
#ifndef XR_CHECK_H
#define XR_CHECK_H

#include <inttypes.h>
#include <stdio.h>

static unsigned int xr_checks_run;
static unsigned int xr_checks_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		xr_checks_run++;                                               \
		if (!(cond)) {                                                 \
			xr_checks_failed++;                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		uint64_t xr_a_ = (uint64_t)(a), xr_b_ = (uint64_t)(b);         \
		xr_checks_run++;                                               \
		if (xr_a_ != xr_b_) {                                          \
			xr_checks_failed++;                                    \
			fprintf(stderr,                                        \
				"%s:%d: CHECK_EQ failed: %s == %s "            \
				"(0x%" PRIx64 " != 0x%" PRIx64 ")\n",          \
				__FILE__, __LINE__, #a, #b, xr_a_, xr_b_);     \
		}                                                              \
	} while (0)

/* Signed variant, for negative errno results. */
#define CHECK_EQ_INT(a, b)                                                     \
	do {                                                                   \
		long long xr_a_ = (long long)(a), xr_b_ = (long long)(b);      \
		xr_checks_run++;                                               \
		if (xr_a_ != xr_b_) {                                          \
			xr_checks_failed++;                                    \
			fprintf(stderr,                                        \
				"%s:%d: CHECK_EQ_INT failed: %s == %s "        \
				"(%lld != %lld)\n",                            \
				__FILE__, __LINE__, #a, #b, xr_a_, xr_b_);     \
		}                                                              \
	} while (0)

static inline int xr_check_done(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, xr_checks_run,
	       xr_checks_failed);
	if (xr_checks_run == 0) {
		fprintf(stderr, "%s: no checks ran\n", name);
		return 1;
	}
	return xr_checks_failed ? 1 : 0;
}

#endif /* XR_CHECK_H */
