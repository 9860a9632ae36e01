/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The one assertion helper of the C tests (no external framework).
 *
 * How this works: every CHECK*() counts itself and, when it fails, counts
 * the failure and prints "file:line: FAIL: " with the failing expression
 * (and both values for the _EQ forms) to stderr without stopping, so one run
 * shows every failure; CHECK() and CHECK_SAY() evaluate to whether the check
 * held, for a test that cannot go on after one.  CHECK_SAY() also prints a PASS
 * line, for slow tests whose progress is worth reading.  gr_check_done() prints
 * one summary line
 * ("name: P passed, F failed") and returns the process exit status: 0 only
 * when at least one check ran and none failed, else 1.  A test that needs
 * something absent returns 77 itself (ctest's SKIP_RETURN_CODE).
 *
 * Tests may read gr_checks_failed, e.g. to stop a random test after a few
 * failures or to print the inputs of a table row that failed.  Every line
 * says "FAIL" so that tools/test.sh's console filter shows it.
 */
#ifndef GR_CHECK_H
#define GR_CHECK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* unused in a file that includes a test without running it (a fuzz target) */
static unsigned int gr_checks_run __attribute__((unused));
static unsigned int gr_checks_failed __attribute__((unused));

/* Counts one check; returns @ok.  On failure prints file:line and @fmt. */
static inline bool __attribute__((format(printf, 4, 5)))
gr_check_one(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	gr_checks_run++;
	if (ok)
		return true;
	gr_checks_failed++;
	/* stdout first, so that a merged log keeps the order of events */
	fflush(stdout);
	fprintf(stderr, "%s:%d: FAIL: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* Evaluates to whether @cond held, so a test can stop where going on is moot.
 */
#define CHECK(cond)                                                            \
	gr_check_one(!!(cond), __FILE__, __LINE__, "CHECK(%s)", #cond)

/* Unsigned equality; the values are printed in hex. */
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		uint64_t gr_a_ = (uint64_t)(a), gr_b_ = (uint64_t)(b);         \
		gr_check_one(gr_a_ == gr_b_, __FILE__, __LINE__,               \
			     "CHECK_EQ(%s, %s): 0x%" PRIx64 " != 0x%" PRIx64,  \
			     #a, #b, gr_a_, gr_b_);                            \
	} while (0)

/* Signed equality, for negative errno results; printed in decimal. */
#define CHECK_EQ_INT(a, b)                                                     \
	do {                                                                   \
		long long gr_a_ = (long long)(a), gr_b_ = (long long)(b);      \
		gr_check_one(gr_a_ == gr_b_, __FILE__, __LINE__,               \
			     "CHECK_EQ_INT(%s, %s): %lld != %lld", #a, #b,     \
			     gr_a_, gr_b_);                                    \
	} while (0)

/*
 * Counts one check and prints "PASS <what>" or "file:line: FAIL: <what>";
 * returns @ok.
 */
static inline bool __attribute__((format(printf, 4, 5)))
gr_check_say(bool ok, const char *file, int line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!gr_check_one(ok, file, line, "%s", what))
		return false;
	printf("PASS %s\n", what);
	fflush(stdout);
	return true;
}

#define CHECK_SAY(cond, ...)                                                   \
	gr_check_say(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/*
 * Prints the summary line of test @name.  Returns the exit status: 0 when
 * checks ran and none failed, 1 otherwise (no check run is a failure: a
 * test that silently checks nothing proves nothing).
 */
static inline int gr_check_done(const char *name)
{
	fflush(stderr);
	printf("%s: %u passed, %u failed\n", name,
	       gr_checks_run - gr_checks_failed, gr_checks_failed);
	if (gr_checks_run == 0) {
		fprintf(stderr, "%s: FAIL: no checks ran\n", name);
		return 1;
	}
	return gr_checks_failed ? 1 : 0;
}

#endif /* GR_CHECK_H */
