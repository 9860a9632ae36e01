/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The client's default bounce pools stay within a quarter of a finite
 * RLIMIT_MEMLOCK for the whole process, not per engine.  How this works:
 * the process holds itself to 8 MiB (soft and hard), starts the toy
 * server on the loop fabric (whose local memory needs registrations, so
 * the default pool applies) and connects four engines with the default
 * pool, as a trunked session or a gateway with several backends does.
 * Each engine's pool is what it registers per connection beyond an engine
 * without a pool; their sum must be at most 2 MiB, so that siw's 8 MiB
 * keeps room for the engines' receive and send pools and per-call
 * chunks.  Destroying the engines gives their share back: a new engine
 * then gets a pool again.
 *
 * Exit 0 when the checks pass, 1 when one fails, 77 when the loop fabric
 * or the limit cannot be had here.
 */
#include "toy_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define MiB (1024ll * 1024)
#define NCL 4

static int64_t per_conn(struct xr_clnt *cl)
{
	struct xr_core_stats st;

	xr_clnt_get_stats(cl, &st);
	return (int64_t)st.cs_registered_per_conn;
}

static struct xr_clnt *connect_one(uint16_t port, int64_t bounce)
{
	struct xr_clnt_params cp = {.cp_backend = "loop",
				    .cp_addr = "127.0.0.1",
				    .cp_port = port,
				    .cp_bounce_bytes = bounce};
	struct xr_clnt *cl = NULL;
	char err[256];
	int ret;

	ret = xr_clnt_create(&cp, NULL, NULL, &cl, err, sizeof(err));
	if (ret)
		fprintf(stderr, "client: %s (%d)\n", err, ret);
	return ret ? NULL : cl;
}

int main(void)
{
	struct xr_svc_params sp = {.sp_backend = "loop",
				   .sp_addr = "127.0.0.1"};
	struct rlimit rl = {8 * MiB, 8 * MiB};
	struct xr_clnt *cl[NCL] = {0}, *none, *again;
	int64_t base, sum = 0, pool, pool_again;
	struct toy_server *ts;
	char err[256];
	int i, fails = 0;

	unsetenv("XR_CLNT_BOUNCE");
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		printf("SKIP: cannot set RLIMIT_MEMLOCK: %s\n",
		       strerror(errno));
		return 77;
	}
	if (toy_server_start(&sp, &ts, err, sizeof(err))) {
		printf("SKIP: loop toy server: %s\n", err);
		return 77;
	}
	none = connect_one(toy_server_port(ts), -1);
	if (!none) {
		toy_server_stop(ts);
		return 1;
	}
	base = per_conn(none);
	for (i = 0; i < NCL; i++) {
		cl[i] = connect_one(toy_server_port(ts), 0);
		if (!cl[i]) {
			fails++;
			continue;
		}
		pool = per_conn(cl[i]) - base;
		printf("engine %d: bounce pool %lld KiB\n", i,
		       (long long)(pool >> 10));
		sum += pool;
	}
	printf("%s: %d engines, bounce pools %lld KiB in all, limit %lld "
	       "KiB (a quarter of RLIMIT_MEMLOCK)\n",
	       sum <= 2 * MiB && sum > 0 ? "PASS" : "FAIL", NCL,
	       (long long)(sum >> 10), (long long)(2 * MiB >> 10));
	if (sum > 2 * MiB || sum <= 0)
		fails++;
	for (i = 0; i < NCL; i++)
		if (cl[i])
			xr_clnt_destroy(cl[i]);
	again = connect_one(toy_server_port(ts), 0);
	pool_again = again ? per_conn(again) - base : 0;
	printf("%s: after the engines went, a new one has a pool of %lld "
	       "KiB\n",
	       pool_again > 0 ? "PASS" : "FAIL", (long long)(pool_again >> 10));
	if (pool_again <= 0)
		fails++;
	if (again)
		xr_clnt_destroy(again);
	xr_clnt_destroy(none);
	toy_server_stop(ts);
	return fails ? 1 : 0;
}
