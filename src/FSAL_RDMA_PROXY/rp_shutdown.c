/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The gateway stops within a few seconds of SIGTERM whatever its backends
 * do (down, stopped, slow).
 *
 * How this works: Ganesha's shutdown (do_shutdown(), on its admin thread)
 * first waits for its RPC worker threads to finish the requests they are
 * running, and only then releases the exports - so a worker blocked in a
 * backend call (waiting for a reply, a slot, a reconnection) would hold
 * the whole daemon for as long as the session client is willing to wait
 * (Call_Timeout, Recovery_Timeout: minutes).  Ganesha tells no FSAL that
 * it is stopping before that point; it sets its global admin_shutdown
 * (nfs_core.h) when the stop begins.  A thread of this module polls it
 * every RP_SHUTDOWN_POLL_MS; when it is set, every export's backend is
 * shut down: first all are flagged (new calls and every wait end at once
 * with -ESHUTDOWN, no reconnection starts), then the calls already sent
 * get one common grace of RP_SHUTDOWN_GRACE_MS to be answered, after
 * which the backend connections still carrying calls are dropped.  The
 * workers' requests then fail (NFS4ERR_DELAY or an I/O error to the
 * client, which sees its connection close anyway), nothing they had
 * acknowledged is touched, and Ganesha goes on to release the exports,
 * where each session's DESTROY_SESSION and DESTROY_CLIENTID get at most
 * SESS_SHUTDOWN_POLITE_MS together (none when the connection is down) -
 * also when Ganesha got there before this thread's next poll
 * (rp_backend_fini()).
 * The bound is thus about RP_SHUTDOWN_POLL_MS + RP_SHUTDOWN_GRACE_MS +
 * SESS_SHUTDOWN_POLITE_MS per export still connected (docs/architecture.md
 * "Shutdown").
 */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "rp_int.h"
#include "nfs_core.h"

#define RP_SHUTDOWN_POLL_MS 100

/* rp_sd_stop and the poll's wait; a leaf */
static pthread_mutex_t rp_sd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rp_sd_cond = PTHREAD_COND_INITIALIZER;
static bool rp_sd_stop;
static bool rp_sd_running;
static pthread_t rp_sd_thread;

static void rp_sd_flag(struct rp_export *ex, void *arg)
{
	(void)arg;
	rp_backend_shutdown(&ex->backend, -1);
}

/* The grace is shared: each export gets what is left of it. */
static void rp_sd_grace(struct rp_export *ex, void *arg)
{
	const struct timespec *until = arg;
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (until->tv_sec - now.tv_sec) * 1000L +
	     (until->tv_nsec - now.tv_nsec) / 1000000L;
	rp_backend_shutdown(&ex->backend, ms > 0 ? (int)ms : 0);
}

static void rp_sd_all(void)
{
	struct timespec until;

	LogEvent(COMPONENT_FSAL,
		 "RDMA_PROXY: shutting down: backend calls end within %d ms",
		 RP_SHUTDOWN_GRACE_MS);
	rp_exports_each(rp_sd_flag, NULL);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += RP_SHUTDOWN_GRACE_MS / 1000;
	until.tv_nsec += (long)(RP_SHUTDOWN_GRACE_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	rp_exports_each(rp_sd_grace, &until);
}

static void *rp_sd_main(void *arg)
{
	struct timespec until;
	bool fired = false;

	(void)arg;
	pthread_mutex_lock(&rp_sd_lock);
	while (!rp_sd_stop) {
		if (!fired &&
		    __atomic_load_n(&admin_shutdown, __ATOMIC_RELAXED)) {
			fired = true;
			pthread_mutex_unlock(&rp_sd_lock);
			rp_sd_all();
			pthread_mutex_lock(&rp_sd_lock);
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += RP_SHUTDOWN_POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&rp_sd_cond, &rp_sd_lock, &until);
	}
	pthread_mutex_unlock(&rp_sd_lock);
	return NULL;
}

int rp_shutdown_start(void)
{
	if (rp_sd_running)
		return 0;
	if (pthread_create(&rp_sd_thread, NULL, rp_sd_main, NULL) != 0)
		return -EAGAIN;
	rp_sd_running = true;
	return 0;
}

void rp_shutdown_stop(void)
{
	if (!rp_sd_running)
		return;
	pthread_mutex_lock(&rp_sd_lock);
	rp_sd_stop = true;
	pthread_cond_broadcast(&rp_sd_cond);
	pthread_mutex_unlock(&rp_sd_lock);
	pthread_join(rp_sd_thread, NULL);
	rp_sd_running = false;
}
