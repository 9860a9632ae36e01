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
 * half of it and a planted link is never written through.  With
 * Metrics_File = PATH.prom the same thread writes the same counters in
 * Prometheus's text format for node exporter's textfile collector.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "gr_file.h"
#include "gr_prom.h"

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
	RP_LINE(f, "calls", atomic_load(&ex->stats.rst_calls));
	/* answered with an NFS error (NOENT of a lookup before a create...) */
	RP_LINE(f, "nfs_errors", atomic_load(&ex->stats.rst_errors));
	RP_LINE(f, "read_bytes", atomic_load(&ex->stats.rst_read_bytes));
	RP_LINE(f, "write_bytes", atomic_load(&ex->stats.rst_write_bytes));
	RP_LINE(f, "reopens", atomic_load(&ex->stats.rst_reopens));
	/* client handles refused: forged, altered, another export's */
	RP_LINE(f, "bad_handles", atomic_load(&ex->stats.rst_bad_handles));
	/* directory attributes brought along with a change (rp_postop.c) */
	RP_LINE(f, "postop_attrs_kept",
		atomic_load(&ex->stats.rst_postop_kept));
	RP_LINE(f, "getattrs_saved", atomic_load(&ex->stats.rst_postop_served));
	RP_LINE(f, "lookups_saved", atomic_load(&ex->stats.rst_neg_served));
	if (!up)
		return;
	RP_LINE(f, "minor_version", cs.cst_minor);
	RP_LINE(f, "slots", cs.cst_slots);
	RP_LINE(f, "max_slots_busy", cs.cst_max_slots_busy);
	RP_LINE(f, "replays", cs.cst_replays);
	RP_LINE(f, "reconnects", cs.cst_reconnects);
	RP_LINE(f, "new_sessions", cs.cst_new_sessions);
	RP_LINE(f, "new_clientids", cs.cst_new_clientids);
	RP_LINE(f, "delays", cs.cst_delays);
	RP_LINE(f, "transport_waits", cs.cst_xprt_waits);
	/* session trunking: the first connection plus the bound extras */
	RP_LINE(f, "connections", cs.cst_conns);
	RP_LINE(f, "connections_bound", cs.cst_conns_bound + 1);
	RP_LINE(f, "bind_conn", cs.cst_bind_conn);
	RP_LINE(f, "connections_lost", cs.cst_trunk_lost);
	RP_LINE(f, "calls_moved", cs.cst_trunk_moved);
	RP_LINE(f, "connections_refused", cs.cst_trunk_refused);
	for (i = 0; i < cs.cst_conns && i < SESS_MAX_CONNS; i++)
		fprintf(f, "  conn%u_calls = %llu\n", i,
			(unsigned long long)cs.cst_conn_calls[i]);
	RP_LINE(f, "rdma_read_bytes", cs.cst_xprt.xt_rdma_read_bytes);
	RP_LINE(f, "rdma_write_bytes", cs.cst_xprt.xt_rdma_write_bytes);
	/*
	 * WRITE data sent inline, READ data decoded out of a reply, and
	 * chunks copied through the bounce pool (verbs: READ and WRITE data,
	 * plus the few replies that come by Reply chunk)
	 */
	RP_LINE(f, "payload_bytes_copied",
		cs.cst_xprt.xt_payload_bytes_copied + cs.cst_read_bytes_copied +
		    cs.cst_xprt.xt_bounce_bytes_copied);
	RP_LINE(f, "registered_bytes", cs.cst_xprt.xt_registered_bytes);
	RP_LINE(f, "registered_per_connection",
		cs.cst_xprt.xt_registered_per_conn);
	RP_LINE(f, "registrations", cs.cst_xprt.xt_registrations);
	RP_LINE(f, "deregistrations", cs.cst_xprt.xt_deregistrations);
	/* the backend session's bounce pool ("Memory registration") */
	RP_LINE(f, "bounce_hits", cs.cst_xprt.xt_bounce_hits);
	RP_LINE(f, "bounce_misses", cs.cst_xprt.xt_bounce_misses);
	RP_LINE(f, "bounce_bytes_copied", cs.cst_xprt.xt_bounce_bytes_copied);
	/* hand-offs: docs/architecture.md, "Hand-offs per RPC" */
	RP_LINE(f, "caller_wakeups", cs.cst_xprt.xt_caller_wakeups);
	RP_LINE(f, "caller_drives", cs.cst_xprt.xt_caller_drives);
	RP_LINE(f, "loop_wakeups", cs.cst_xprt.xt_loop_wakeups);
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
 * The same counters for Prometheus (gr_prom.h), names prefixed
 * ganesha_rdma_proxy_, counters suffixed _total.  Labels: export (the
 * export id; at most RP_METRICS_MAX_EXPORTS of them, the rest summed
 * under export="other") and, for the calls each backend connection
 * carried, conn (0 to Connections - 1, at most SESS_MAX_CONNS).  So a
 * file holds at most (RP_METRICS_MAX_EXPORTS + 1) * (RPM_N +
 * SESS_MAX_CONNS) series, whatever clients do.  The format wants each
 * family's samples together, so the exports are copied first (under
 * rp_exports_lock, as the stats file does) and then written family by
 * family.
 */
#define RP_METRICS_MAX_EXPORTS 64

enum rp_metric {
	RPM_UP,
	RPM_CALLS,
	RPM_NFS_ERRORS,
	RPM_READ_BYTES,
	RPM_WRITE_BYTES,
	RPM_REOPENS,
	RPM_BAD_HANDLES,
	RPM_POSTOP_KEPT,
	RPM_GETATTRS_SAVED,
	RPM_LOOKUPS_SAVED,
	RPM_FIRST_SESSION, /* from here on: only while the backend is up */
	RPM_SLOTS = RPM_FIRST_SESSION,
	RPM_MAX_SLOTS_BUSY,
	RPM_REPLAYS,
	RPM_RECONNECTS,
	RPM_NEW_SESSIONS,
	RPM_NEW_CLIENTIDS,
	RPM_DELAYS,
	RPM_CONNECTIONS,
	RPM_CONNECTIONS_BOUND,
	RPM_BIND_CONN,
	RPM_CONNECTIONS_LOST,
	RPM_CALLS_MOVED,
	RPM_CONNECTIONS_REFUSED,
	RPM_RDMA_READ_BYTES,
	RPM_RDMA_WRITE_BYTES,
	RPM_PAYLOAD_COPIED,
	RPM_REGISTERED,
	RPM_REGISTERED_PER_CONN,
	RPM_REGISTRATIONS,
	RPM_DEREGISTRATIONS,
	RPM_BOUNCE_HITS,
	RPM_BOUNCE_MISSES,
	RPM_BOUNCE_COPIED,
	RPM_N
};

static const struct {
	const char *name;
	enum gr_prom_type type;
	const char *help;
} rp_metric_desc[RPM_N] = {
#define RPM(id, n, t, h) [id] = {"ganesha_rdma_proxy_" n, t, h}
    RPM(RPM_UP, "backend_up", GR_PROM_GAUGE,
	"1 when the backend session is up (export=\"other\": how many are)"),
    RPM(RPM_CALLS, "calls_total", GR_PROM_COUNTER, "calls the gateway served"),
    RPM(RPM_NFS_ERRORS, "nfs_errors_total", GR_PROM_COUNTER,
	"calls answered with an NFS error"),
    RPM(RPM_READ_BYTES, "read_bytes_total", GR_PROM_COUNTER, "bytes read"),
    RPM(RPM_WRITE_BYTES, "write_bytes_total", GR_PROM_COUNTER, "bytes written"),
    RPM(RPM_REOPENS, "reopens_total", GR_PROM_COUNTER,
	"backend opens redone after a lost session"),
    RPM(RPM_BAD_HANDLES, "bad_handles_total", GR_PROM_COUNTER,
	"client handles refused (forged, altered, another export's)"),
    RPM(RPM_POSTOP_KEPT, "postop_attrs_kept_total", GR_PROM_COUNTER,
	"directory attributes brought along with a change"),
    RPM(RPM_GETATTRS_SAVED, "getattrs_saved_total", GR_PROM_COUNTER,
	"GETATTRs answered from kept attributes"),
    RPM(RPM_LOOKUPS_SAVED, "lookups_saved_total", GR_PROM_COUNTER,
	"LOOKUPs answered from a kept negative entry"),
    RPM(RPM_SLOTS, "slots", GR_PROM_GAUGE, "backend session slots"),
    RPM(RPM_MAX_SLOTS_BUSY, "max_slots_busy", GR_PROM_GAUGE,
	"most backend slots in use at once"),
    RPM(RPM_REPLAYS, "replays_total", GR_PROM_COUNTER,
	"backend calls resent on the same slot and seqid"),
    RPM(RPM_RECONNECTS, "reconnects_total", GR_PROM_COUNTER,
	"backend reconnections"),
    RPM(RPM_NEW_SESSIONS, "new_sessions_total", GR_PROM_COUNTER,
	"backend CREATE_SESSIONs"),
    RPM(RPM_NEW_CLIENTIDS, "new_clientids_total", GR_PROM_COUNTER,
	"backend EXCHANGE_IDs"),
    RPM(RPM_DELAYS, "delays_total", GR_PROM_COUNTER,
	"NFS4ERR_DELAY or GRACE waits on the backend"),
    RPM(RPM_CONNECTIONS, "connections", GR_PROM_GAUGE,
	"backend connections configured"),
    RPM(RPM_CONNECTIONS_BOUND, "connections_bound", GR_PROM_GAUGE,
	"backend connections bound to the session now"),
    RPM(RPM_BIND_CONN, "bind_conn_total", GR_PROM_COUNTER,
	"BIND_CONN_TO_SESSIONs done"),
    RPM(RPM_CONNECTIONS_LOST, "connections_lost_total", GR_PROM_COUNTER,
	"extra backend connections found lost"),
    RPM(RPM_CALLS_MOVED, "calls_moved_total", GR_PROM_COUNTER,
	"calls replayed on another backend connection"),
    RPM(RPM_CONNECTIONS_REFUSED, "connections_refused_total", GR_PROM_COUNTER,
	"extra connections the backend refused to bind"),
    RPM(RPM_RDMA_READ_BYTES, "rdma_read_bytes_total", GR_PROM_COUNTER,
	"bytes the backend pulled by RDMA Read"),
    RPM(RPM_RDMA_WRITE_BYTES, "rdma_write_bytes_total", GR_PROM_COUNTER,
	"bytes the backend pushed by RDMA Write"),
    RPM(RPM_PAYLOAD_COPIED, "payload_bytes_copied_total", GR_PROM_COUNTER,
	"READ and WRITE data bytes copied in userspace"),
    RPM(RPM_REGISTERED, "registered_bytes", GR_PROM_GAUGE,
	"bytes of memory registered"),
    RPM(RPM_REGISTERED_PER_CONN, "registered_per_connection_bytes",
	GR_PROM_GAUGE, "registered pool bytes of one backend connection"),
    RPM(RPM_REGISTRATIONS, "registrations_total", GR_PROM_COUNTER,
	"memory registrations made for the backend session"),
    RPM(RPM_DEREGISTRATIONS, "deregistrations_total", GR_PROM_COUNTER,
	"memory deregistrations made for the backend session"),
    RPM(RPM_BOUNCE_HITS, "bounce_hits_total", GR_PROM_COUNTER,
	"backend chunks placed in the bounce pool, no registration"),
    RPM(RPM_BOUNCE_MISSES, "bounce_misses_total", GR_PROM_COUNTER,
	"backend chunks registered per call: no room in the bounce pool"),
    RPM(RPM_BOUNCE_COPIED, "bounce_bytes_copied_total", GR_PROM_COUNTER,
	"bytes copied through the bounce pool"),
#undef RPM
};

struct rp_metric_snap {
	uint16_t export_id;
	bool other; /* the exports past RP_METRICS_MAX_EXPORTS, summed */
	bool up;    /* any of them up: the session values are there */
	uint32_t nconns;
	uint64_t v[RPM_N];
	uint64_t conn_calls[SESS_MAX_CONNS];
};

struct rp_metric_set {
	struct rp_metric_snap ex[RP_METRICS_MAX_EXPORTS + 1];
	uint32_t n;
};

static void rp_metrics_take(struct rp_export *ex, void *arg)
{
	struct rp_metric_set *set = arg;
	struct rp_metric_snap *m;
	struct sess_client_stats cs;
	bool up = rp_backend_get_stats(&ex->backend, &cs);
	uint32_t i;

	if (set->n < RP_METRICS_MAX_EXPORTS) {
		m = &set->ex[set->n++];
		m->export_id = ex->export_id;
	} else {
		m = &set->ex[RP_METRICS_MAX_EXPORTS];
		m->other = true;
	}
	m->v[RPM_UP] += up;
	m->v[RPM_CALLS] += atomic_load(&ex->stats.rst_calls);
	m->v[RPM_NFS_ERRORS] += atomic_load(&ex->stats.rst_errors);
	m->v[RPM_READ_BYTES] += atomic_load(&ex->stats.rst_read_bytes);
	m->v[RPM_WRITE_BYTES] += atomic_load(&ex->stats.rst_write_bytes);
	m->v[RPM_REOPENS] += atomic_load(&ex->stats.rst_reopens);
	m->v[RPM_BAD_HANDLES] += atomic_load(&ex->stats.rst_bad_handles);
	m->v[RPM_POSTOP_KEPT] += atomic_load(&ex->stats.rst_postop_kept);
	m->v[RPM_GETATTRS_SAVED] += atomic_load(&ex->stats.rst_postop_served);
	m->v[RPM_LOOKUPS_SAVED] += atomic_load(&ex->stats.rst_neg_served);
	if (!up)
		return;
	m->up = true;
	m->v[RPM_SLOTS] += cs.cst_slots;
	m->v[RPM_MAX_SLOTS_BUSY] += cs.cst_max_slots_busy;
	m->v[RPM_REPLAYS] += cs.cst_replays;
	m->v[RPM_RECONNECTS] += cs.cst_reconnects;
	m->v[RPM_NEW_SESSIONS] += cs.cst_new_sessions;
	m->v[RPM_NEW_CLIENTIDS] += cs.cst_new_clientids;
	m->v[RPM_DELAYS] += cs.cst_delays;
	m->v[RPM_CONNECTIONS] += cs.cst_conns;
	m->v[RPM_CONNECTIONS_BOUND] += cs.cst_conns_bound + 1;
	m->v[RPM_BIND_CONN] += cs.cst_bind_conn;
	m->v[RPM_CONNECTIONS_LOST] += cs.cst_trunk_lost;
	m->v[RPM_CALLS_MOVED] += cs.cst_trunk_moved;
	m->v[RPM_CONNECTIONS_REFUSED] += cs.cst_trunk_refused;
	m->v[RPM_RDMA_READ_BYTES] += cs.cst_xprt.xt_rdma_read_bytes;
	m->v[RPM_RDMA_WRITE_BYTES] += cs.cst_xprt.xt_rdma_write_bytes;
	m->v[RPM_PAYLOAD_COPIED] += cs.cst_xprt.xt_payload_bytes_copied +
				    cs.cst_read_bytes_copied +
				    cs.cst_xprt.xt_bounce_bytes_copied;
	m->v[RPM_REGISTERED] += cs.cst_xprt.xt_registered_bytes;
	m->v[RPM_REGISTERED_PER_CONN] += cs.cst_xprt.xt_registered_per_conn;
	m->v[RPM_REGISTRATIONS] += cs.cst_xprt.xt_registrations;
	m->v[RPM_DEREGISTRATIONS] += cs.cst_xprt.xt_deregistrations;
	m->v[RPM_BOUNCE_HITS] += cs.cst_xprt.xt_bounce_hits;
	m->v[RPM_BOUNCE_MISSES] += cs.cst_xprt.xt_bounce_misses;
	m->v[RPM_BOUNCE_COPIED] += cs.cst_xprt.xt_bounce_bytes_copied;
	for (i = 0; i < cs.cst_conns && i < SESS_MAX_CONNS; i++)
		m->conn_calls[i] += cs.cst_conn_calls[i];
	if (m->nconns < i)
		m->nconns = i;
}

static void rp_metrics_label(const struct rp_metric_snap *m, char *buf,
			     size_t len)
{
	if (m->other)
		snprintf(buf, len, "export=\"other\"");
	else
		snprintf(buf, len, "export=\"%u\"", m->export_id);
}

static int rp_metrics_fill(FILE *f, void *arg)
{
	struct rp_metric_set *set;
	char label[64];
	uint32_t i, k, c, n;

	(void)arg;
	set = calloc(1, sizeof(*set)); /* ~20 KiB: not on the thread's stack */
	if (!set)
		return -ENOMEM;
	rp_exports_each(rp_metrics_take, set);
	n = set->n + (set->ex[RP_METRICS_MAX_EXPORTS].other ? 1 : 0);
	if (set->ex[RP_METRICS_MAX_EXPORTS].other)
		set->ex[set->n] = set->ex[RP_METRICS_MAX_EXPORTS];
	for (k = 0; k < RPM_N; k++) {
		gr_prom_family(f, rp_metric_desc[k].name,
			       rp_metric_desc[k].type, rp_metric_desc[k].help);
		for (i = 0; i < n; i++) {
			if (k >= RPM_FIRST_SESSION && !set->ex[i].up)
				continue;
			rp_metrics_label(&set->ex[i], label, sizeof(label));
			gr_prom_sample(f, rp_metric_desc[k].name, label,
				       set->ex[i].v[k]);
		}
	}
	gr_prom_family(f, "ganesha_rdma_proxy_connection_calls_total",
		       GR_PROM_COUNTER,
		       "calls each backend connection carried");
	for (i = 0; i < n; i++) {
		for (c = 0; c < set->ex[i].nconns; c++) {
			char both[96];

			rp_metrics_label(&set->ex[i], label, sizeof(label));
			snprintf(both, sizeof(both), "%s,conn=\"%u\"", label,
				 c);
			gr_prom_sample(
			    f, "ganesha_rdma_proxy_connection_calls_total",
			    both, set->ex[i].conn_calls[c]);
		}
	}
	free(set);
	return ferror(f) ? -EIO : 0;
}

/*
 * Written as root: gr_file_replace() never follows a planted link, makes
 * its temporary file with O_EXCL and refuses a directory others may write
 * in.  A failure is logged when it first happens and when it changes.
 */
static void rp_stats_write_one(const char *option, const char *path,
			       int (*fill)(FILE *f, void *arg), int *last_rc)
{
	char why[512];
	int rc;

	rc = gr_file_replace(path, 0644, fill, NULL, why, sizeof(why));
	if (rc && rc != *last_rc)
		LogWarn(COMPONENT_FSAL, "RDMA_PROXY: %s %s", option, why);
	else if (!rc && *last_rc)
		LogEvent(COMPONENT_FSAL, "RDMA_PROXY: %s %s written again",
			 option, path);
	*last_rc = rc;
}

static void rp_stats_write(void)
{
	static int stats_rc, metrics_rc;

	if (rp_module.stats_file)
		rp_stats_write_one("Stats_File", rp_module.stats_file,
				   rp_stats_fill, &stats_rc);
	if (rp_module.metrics_file)
		rp_stats_write_one("Metrics_File", rp_module.metrics_file,
				   rp_metrics_fill, &metrics_rc);
}

static void *rp_stats_main(void *arg)
{
	struct timespec until;

	pthread_mutex_lock(&rp_stats_lock);
	while (!rp_stats_stop) {
		pthread_mutex_unlock(&rp_stats_lock);
		rp_stats_write();
		pthread_mutex_lock(&rp_stats_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += rp_module.stats_interval_s;
		while (!rp_stats_stop &&
		       pthread_cond_timedwait(&rp_stats_cond, &rp_stats_lock,
					      &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&rp_stats_lock);
	rp_stats_write(); /* the final figures */
	return NULL;
}

int rp_stats_start(void)
{
	if ((!rp_module.stats_file && !rp_module.metrics_file) ||
	    rp_stats_running)
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
