/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Counters of FSAL_RDMA_PROXY for operators: with
 * RDMA_PROXY { Stats_File = PATH; Stats_Interval = SECONDS; } a thread
 * rewrites PATH every interval with one block per export: the gateway's
 * own counters (calls, errors, bytes read and written, re-opens), the
 * backend session's (slots, replays, reconnects, new sessions, its
 * connections and the calls each carried) and its
 * transport's (bytes the backend moved by RDMA Read and Write, payload
 * bytes copied in userspace, registered memory).  The file is written to
 * a fresh temporary file and renamed (gr_file.c), so a reader never sees
 * half of it and a planted link is never written through.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rp_int.h"
#include "gr_file.h"

/* the list below; held while the stats file is written (outermost) */
static pthread_mutex_t rp_exports_lock = PTHREAD_MUTEX_INITIALIZER;
static struct glist_head rp_exports = {&rp_exports, &rp_exports};
/* rp_stats_stop; the thread's interval wait (rp_stats_cond); a leaf */
static pthread_mutex_t rp_stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rp_stats_cond = PTHREAD_COND_INITIALIZER;
static bool rp_stats_stop;
static bool rp_stats_running;
static pthread_t rp_stats_thread;

void rp_stats_add_export(struct rp_export *ex)
{
	pthread_mutex_lock(&rp_exports_lock);
	glist_add_tail(&rp_exports, &ex->stats_link);
	pthread_mutex_unlock(&rp_exports_lock);
}

void rp_stats_del_export(struct rp_export *ex)
{
	pthread_mutex_lock(&rp_exports_lock);
	glist_del(&ex->stats_link);
	pthread_mutex_unlock(&rp_exports_lock);
}

void rp_exports_each(void (*fn)(struct rp_export *ex, void *arg), void *arg)
{
	struct glist_head *node;

	pthread_mutex_lock(&rp_exports_lock);
	glist_for_each(node, &rp_exports)
	    fn(glist_entry(node, struct rp_export, stats_link), arg);
	pthread_mutex_unlock(&rp_exports_lock);
}

#define RP_LINE(f, name, v)                                                    \
	fprintf(f, "  %s = %llu\n", name, (unsigned long long)(v))

static void rp_stats_one(FILE *f, struct rp_export *ex)
{
	struct sess_client_stats cs;
	bool up = rp_backend_get_stats(&ex->backend, &cs);
	uint32_t i;

	fprintf(f, "export %u: %s\n", ex->export_id, ex->backend.rb_label);
	fprintf(f, "  backend = %s\n", up ? "up" : "unreachable");
	RP_LINE(f, "calls", atomic_load(&ex->stats.rs_calls));
	/* answered with an NFS error (NOENT of a lookup before a create...) */
	RP_LINE(f, "nfs_errors", atomic_load(&ex->stats.rs_errors));
	RP_LINE(f, "read_bytes", atomic_load(&ex->stats.rs_read_bytes));
	RP_LINE(f, "write_bytes", atomic_load(&ex->stats.rs_write_bytes));
	RP_LINE(f, "reopens", atomic_load(&ex->stats.rs_reopens));
	/* client handles refused: forged, altered, another export's */
	RP_LINE(f, "bad_handles", atomic_load(&ex->stats.rs_bad_handles));
	/* directory attributes brought along with a change (rp_postop.c) */
	RP_LINE(f, "postop_attrs_kept", atomic_load(&ex->stats.rs_postop_kept));
	RP_LINE(f, "getattrs_saved", atomic_load(&ex->stats.rs_postop_served));
	RP_LINE(f, "lookups_saved", atomic_load(&ex->stats.rs_neg_served));
	if (!up)
		return;
	RP_LINE(f, "minor_version", cs.cs_minor);
	RP_LINE(f, "slots", cs.cs_slots);
	RP_LINE(f, "max_slots_busy", cs.cs_max_slots_busy);
	RP_LINE(f, "replays", cs.cs_replays);
	RP_LINE(f, "reconnects", cs.cs_reconnects);
	RP_LINE(f, "new_sessions", cs.cs_new_sessions);
	RP_LINE(f, "new_clientids", cs.cs_new_clientids);
	RP_LINE(f, "delays", cs.cs_delays);
	RP_LINE(f, "transport_waits", cs.cs_xprt_waits);
	/* session trunking: the first connection plus the bound extras */
	RP_LINE(f, "connections", cs.cs_conns);
	RP_LINE(f, "connections_bound", cs.cs_conns_bound + 1);
	RP_LINE(f, "bind_conn", cs.cs_bind_conn);
	RP_LINE(f, "connections_lost", cs.cs_trunk_lost);
	RP_LINE(f, "calls_moved", cs.cs_trunk_moved);
	RP_LINE(f, "connections_refused", cs.cs_trunk_refused);
	for (i = 0; i < cs.cs_conns && i < SESS_MAX_CONNS; i++)
		fprintf(f, "  conn%u_calls = %llu\n", i,
			(unsigned long long)cs.cs_conn_calls[i]);
	RP_LINE(f, "rdma_read_bytes", cs.cs_xprt.xs_rdma_read_bytes);
	RP_LINE(f, "rdma_write_bytes", cs.cs_xprt.xs_rdma_write_bytes);
	/* WRITE data sent inline plus READ data decoded out of a reply */
	RP_LINE(f, "payload_bytes_copied",
		cs.cs_xprt.xs_payload_bytes_copied + cs.cs_read_bytes_copied);
	RP_LINE(f, "registered_bytes", cs.cs_xprt.xs_registered_bytes);
	RP_LINE(f, "registered_per_connection",
		cs.cs_xprt.xs_registered_per_conn);
}

static int rp_stats_fill(FILE *f, void *arg)
{
	struct glist_head *node;

	(void)arg;
	pthread_mutex_lock(&rp_exports_lock);
	glist_for_each(node, &rp_exports)
	    rp_stats_one(f, glist_entry(node, struct rp_export, stats_link));
	pthread_mutex_unlock(&rp_exports_lock);
	return 0;
}

/*
 * Written as root: gr_file_replace() never follows a planted link, makes
 * its temporary file with O_EXCL and refuses a directory others may write
 * in.  A failure is logged when it first happens and when it changes.
 */
static void rp_stats_write(const char *path)
{
	static int last_rc;
	char why[512];
	int rc;

	rc = gr_file_replace(path, 0644, rp_stats_fill, NULL, why, sizeof(why));
	if (rc && rc != last_rc)
		LogWarn(COMPONENT_FSAL, "RDMA_PROXY: Stats_File %s", why);
	else if (!rc && last_rc)
		LogEvent(COMPONENT_FSAL,
			 "RDMA_PROXY: Stats_File %s written again", path);
	last_rc = rc;
}

static void *rp_stats_main(void *arg)
{
	struct timespec until;

	pthread_mutex_lock(&rp_stats_lock);
	while (!rp_stats_stop) {
		pthread_mutex_unlock(&rp_stats_lock);
		rp_stats_write(rp_module.stats_file);
		pthread_mutex_lock(&rp_stats_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += rp_module.stats_interval_s;
		while (!rp_stats_stop &&
		       pthread_cond_timedwait(&rp_stats_cond, &rp_stats_lock,
					      &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&rp_stats_lock);
	rp_stats_write(rp_module.stats_file); /* the final figures */
	return NULL;
}

int rp_stats_start(void)
{
	if (!rp_module.stats_file || rp_stats_running)
		return 0;
	if (pthread_create(&rp_stats_thread, NULL, rp_stats_main, NULL) != 0)
		return -EAGAIN;
	rp_stats_running = true;
	return 0;
}

void rp_stats_stop_thread(void)
{
	if (!rp_stats_running)
		return;
	pthread_mutex_lock(&rp_stats_lock);
	rp_stats_stop = true;
	pthread_cond_broadcast(&rp_stats_cond);
	pthread_mutex_unlock(&rp_stats_lock);
	pthread_join(rp_stats_thread, NULL);
	rp_stats_running = false;
}
