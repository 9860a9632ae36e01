/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_errmap.c: what the gateway's client is told when a
 * backend call fails below NFS (issue #17).
 *
 * How this works: every errno the C library names (1..4095 covers them)
 * goes through rp_xprt_status() as the session client returns it
 * (negative).  The rule: the client is asked to retry (ERR_FSAL_DELAY,
 * NFS4ERR_DELAY on the wire) for all but the few errors no retry cures,
 * and those few are SERVERFAULT.  The errors seen or possible on the RDMA
 * path are checked by name: ENOMEM (a payload siw could not register
 * under RLIMIT_MEMLOCK, the failure), ENOBUFS, the lost
 * connections, a client shutting down; a garbled reply and an RDMA_ERROR
 * stay faults (issue 11: a hostile backend gets no retry loop).
 */
#include <errno.h>
#include <string.h>

#include "rp_int.h"
#include "gr_check.h"

static bool is_delay(int err)
{
	return rp_xprt_status(err).major == ERR_FSAL_DELAY;
}

static bool is_fault(int err)
{
	return rp_xprt_status(err).major == ERR_FSAL_SERVERFAULT;
}

int main(void)
{
	static const int permanent[] = {EINVAL, EMSGSIZE,	ENOSPC,
					E2BIG,	EOVERFLOW,	EBADMSG,
					EPROTO, EPROTONOSUPPORT};
	static const int retriable[] = {
	    ENOMEM,	  ENOBUFS,	ENOTCONN, ETIMEDOUT,	ECONNRESET,
	    ECONNABORTED, ECONNREFUSED, EPIPE,	  EHOSTUNREACH, ENETUNREACH,
	    EIO,	  ESHUTDOWN,	EAGAIN};
	unsigned int faults = 0, i;
	int e;

	for (i = 0; i < sizeof(retriable) / sizeof(retriable[0]); i++) {
		CHECK(is_delay(-retriable[i]));
		/* the cause stays readable in the minor code */
		CHECK_EQ(rp_xprt_status(-retriable[i]).minor, retriable[i]);
	}
	for (i = 0; i < sizeof(permanent) / sizeof(permanent[0]); i++)
		CHECK(is_fault(-permanent[i]));
	/* nothing else is a fault, and everything is one of the two */
	for (e = 1; e < 4096; e++) {
		CHECK(is_delay(-e) || is_fault(-e));
		if (is_fault(-e))
			faults++;
	}
	CHECK_EQ(faults, sizeof(permanent) / sizeof(permanent[0]));
	return gr_check_done("test_rp_errmap");
}
