/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Internals shared by the session client's files: the client structure,
 * the raw COMPOUND round trip (sess_codec.c), recovery (sess_recovery.c)
 * and the backchannel (sess_cb.c).  Not installed, not for users.
 *
 * Locking: cl_lock protects everything below it in struct sess_client;
 * cl_cond is broadcast on every slot release, recovery end and stop.
 */
#ifndef SESS_INT_H
#define SESS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "sess_client.h"
#include "sess_rpc.h"
#include "sess_slots.h"

#define SESS_NFS_PROGRAM 100003
#define SESS_NFS_V4 4
#define SESS_NFSPROC4_COMPOUND 1
#define SESS_CB_PROGRAM 0x40000000u
#define SESS_OWNER_MAX 128

/** Why recovery runs; each escalates to the next when it must. */
enum sess_recover_why {
	SESS_RECOVER_CONN,     /* connection lost: reconnect + rebind */
	SESS_RECOVER_REBIND,   /* backchannel down: BIND_CONN_TO_SESSION */
	SESS_RECOVER_SESSION,  /* session gone: CREATE_SESSION */
	SESS_RECOVER_RESET,    /* slots unusable/backchannel fault: replace */
	SESS_RECOVER_CLIENTID, /* client id gone: EXCHANGE_ID and all */
};

/*
 * One connection of the session (sess_trunk.c).  cl_conns[0] is the first
 * connection (cl_xprt): it carries the back channel and every recovery step
 * and is repaired by sess_recover(); the others are extras the renewer
 * (re)connects and binds.
 */
struct sess_conn {
	struct sess_xprt *sn_xprt;
	/* cl_session_gen it is bound for; calls go only where it matches */
	uint64_t sn_bound_gen;
	bool sn_lost;	 /* a call saw it fail: reconnect before binding */
	bool sn_refused; /* the server refused to bind it: retired */
	uint32_t sn_in_flight;
	uint32_t sn_fails; /* failed attempts in a row (back-off) */
	struct timespec sn_next_try;
};

struct sess_client {
	struct sess_client_opts cl_opts;
	struct sess_xprt *cl_xprt; /* == cl_conns[0].sn_xprt */
	struct sess_auth_sys cl_cred;
	char cl_owner[SESS_OWNER_MAX + 1];
	verifier4 cl_verifier;
	uint32_t cl_max_io;
	/*
	 * Minor version every COMPOUND carries (1 or 2); written only by
	 * sess_do_exchange_id(), which runs alone (start or recovery), read by
	 * any sender: atomic.
	 */
	_Atomic uint32_t cl_minor;

	/* state, slots, conns; never held across a transport call */
	pthread_mutex_t cl_lock;
	pthread_cond_t cl_cond; /* slot released, recovery over, stop */
	/*
	 * The renewer's own: cl_cond is broadcast on every slot release, and
	 * the renewer, which only needs its second's tick and the stop, would
	 * be woken (a context switch) by every COMPOUND.
	 */
	pthread_cond_t cl_renew_cond;
	clientid4 cl_clientid;
	sequenceid4 cl_create_seq;
	sessionid4 cl_sessionid;
	bool cl_have_clientid;
	bool cl_have_session;
	uint64_t cl_session_gen;
	uint64_t cl_conn_gen;
	uint64_t cl_state_gen;
	struct sess_slot_table cl_slots;
	channel_attrs4 cl_fore;
	channel_attrs4 cl_back;
	uint32_t cl_lease_s;
	bool cl_recovering;
	bool cl_stopping;
	/*
	 * sess_client_shutdown() was called: every wait of a call (slot,
	 * recovery, reconnection back-off) ends at once with -ESHUTDOWN
	 * and no recovery starts; cl_stopping is set too.
	 */
	bool cl_shutdown;
	/* transport calls sent and not back (sess_raw_call(); atomic) */
	uint32_t cl_calls_out;
	/* sess_client_stop()'s DESTROY_* after a shutdown: their budget */
	int cl_polite_ms;
	bool cl_started;
	uint32_t cl_pending_flags;
	uint32_t cl_cb_rebinds; /* rebinds since CB_PATH_DOWN last cleared */
	struct timespec cl_last_renew;
	struct timespec cl_flag_acted;
	pthread_t cl_renewer;
	bool cl_renewer_running;
	/* backchannel slot 0 */
	uint32_t cl_cb_seqid;
	struct sess_client_stats cl_stats;
	/* session trunking: connections [0, cl_nconns) */
	struct sess_conn cl_conns[SESS_MAX_CONNS];
	uint32_t cl_nconns;
	uint32_t cl_next_conn; /* round-robin start among equals */
};

/** A sessionless or raw COMPOUND: all ops given, SEQUENCE included. */
struct sess_raw {
	nfs_argop4 *r_args;
	uint32_t r_nargs;
	const struct iovec *r_bulk_out;
	int r_bulk_out_cnt;
	size_t r_bulk_out_len;
	void *r_bulk_in;
	size_t r_bulk_in_cap;
	nfs_resop4 *r_res; /* room for r_nargs results */
	uint32_t r_nres;
	nfsstat4 r_status;
	int r_timeout_ms;
	const struct sess_auth_sys *r_cred; /* NULL: cl_cred */
	struct sess_xprt *r_xprt;	    /* NULL: the first connection */
	uint32_t r_minor; /* minor version sent; sess_raw_call() sets it */
};

/*
 * The client owner id kept in @path (first line), or a new one written
 * there (mode 0600, a fresh temporary file renamed into place).  Returns
 * 0; -EPERM when @path is a symbolic link, not a regular file, not owned
 * by this process's user or writable by group or others; -EINVAL for an
 * empty first line; or the errno of open/write/rename (negative).
 */
int sess_load_owner(const char *path, char *id, size_t cap);

/**
 * sess_raw_call() - encode, send and decode one COMPOUND as is.
 * Returns 0 (r_status/r_res valid; free with sess_raw_free()) or the
 * transport's negative errno, -EBADMSG for a malformed reply (also when
 * the results do not match the operations sent).
 */
int sess_raw_call(struct sess_client *cl, struct sess_raw *r);

/** sess_raw_free() - free decoded results. */
void sess_raw_free(struct sess_raw *r);

/**
 * sess_recover() - bring connection/session/client id back.
 * @seen_session_gen, @seen_conn_gen: the generations the caller saw fail;
 * when they already moved on somebody else recovered and this returns 0.
 * Returns 0, -EIO when recovery did not succeed within the recovery
 * timeout, -ESHUTDOWN when the client is stopping.
 */
int sess_recover(struct sess_client *cl, enum sess_recover_why why,
		 uint64_t seen_session_gen, uint64_t seen_conn_gen);

/*
 * Steps used by start and recovery (sess_client.c).  Each returns 0, a
 * negative errno from the transport, or a positive nfsstat4.
 */
int sess_do_exchange_id(struct sess_client *cl);
int sess_do_create_session(struct sess_client *cl);
int sess_do_reclaim_complete(struct sess_client *cl);
int sess_do_bind_conn(struct sess_client *cl);
/*
 * BIND_CONN_TO_SESSION sent on @xprt for direction @dir; *@bound_gen gets
 * the session generation it bound for.  Also returns NFS4ERR_SERVERFAULT
 * when the server's answer names another session or leaves the fore
 * channel out.
 */
int sess_do_bind_conn_on(struct sess_client *cl, struct sess_xprt *xprt,
			 channel_dir_from_client4 dir, uint64_t *bound_gen);
int sess_do_destroy_session(struct sess_client *cl);
int sess_do_destroy_clientid(struct sess_client *cl);

/** sess_log() - printf-style message through opts.log. */
void sess_log(struct sess_client *cl, enum sess_log_level level,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** sess_cb_handle() - the backchannel handler (sess_xprt's signature). */
int sess_cb_handle(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rep,
		   size_t rep_cap);

/** sess_act_on_flags() - queue SEQ4_STATUS flags for the renewer. */
void sess_act_on_flags(struct sess_client *cl, uint32_t flags);

/**
 * sess_handle_pending_flags() - act on queued SEQ4_STATUS flags (the
 * renewer thread calls it): re-open after revoked state, RECLAIM_COMPLETE
 * after a restart, rebind or replace the session when the callback path is
 * down.  At most once a second.
 */
void sess_handle_pending_flags(struct sess_client *cl);

/**
 * sess_compound_flags() - sess_compound() for recovery steps when
 * @in_recovery: no waiting for recovery and no recursive recovery (a lost
 * connection or session is returned to the caller).  Returns as
 * sess_compound().
 */
int sess_compound_flags(struct sess_client *cl, struct sess_compound *c,
			bool in_recovery);

/* ---- session trunking (sess_trunk.c) ---- */

/**
 * sess_trunk_get() - choose the connection for one call: the live, bound
 * connection with the fewest calls in flight (the first connection only
 * when @first_only, e.g. in recovery).  Counts the call as in flight there
 * and sets *@xprt to its transport.  Returns the connection's index (0:
 * the first).
 */
uint32_t sess_trunk_get(struct sess_client *cl, bool first_only,
			struct sess_xprt **xprt);

/**
 * sess_trunk_put() - the call on transport @xprt ended with @ret; *@idx is
 * set to that connection's index now.  When an extra connection failed
 * (-ENOTCONN, -ETIMEDOUT) it is marked lost; when the first one failed and
 * an extra is bound and live (and no recovery runs), the two trade places:
 * the extra becomes the first (the session's main connection, cl_xprt)
 * and the failed one an extra marked lost, which the renewer reconnects
 * and binds again.  Either way this returns true: the caller replays the
 * call (same slot and seqid) on another connection at once.  Returns
 * false otherwise (the first failed with no extra to take over:
 * sess_recover() reconnects it).
 */
bool sess_trunk_put(struct sess_client *cl, struct sess_xprt *xprt, int ret,
		    uint32_t *idx);

/**
 * sess_trunk_unbound() - the server answered CONN_NOT_BOUND_TO_SESSION on
 * extra connection @idx: it is rebound before it carries calls again.
 */
void sess_trunk_unbound(struct sess_client *cl, uint32_t idx);

/**
 * sess_trunk_maintain() - connect and bind the extras that are down or
 * bound to an older session; @force ignores the back-off (start-up).
 * Runs in the renewer thread (or in start before the renewer exists).
 */
void sess_trunk_maintain(struct sess_client *cl, bool force);

/**
 * sess_trunk_repair_pending_locked() - an extra connection is lost or not
 * bound to the current session (cl_lock held): the renewer then ticks
 * faster, so that it retries when the backoff allows, not up to a second
 * later.
 */
bool sess_trunk_repair_pending_locked(const struct sess_client *cl);

/**
 * sess_trunk_retry_now_locked() - recovery just succeeded, so the server
 * answers again: every extra still to repair is tried at its next round
 * rather than after the back-off its failures earned while the server was
 * down.  cl_lock held.
 */
void sess_trunk_retry_now_locked(struct sess_client *cl);

/** sess_trunk_disconnect() - disconnect every extra connection. */
void sess_trunk_disconnect(struct sess_client *cl);

/** sess_trunk_destroy() - free every extra transport. */
void sess_trunk_destroy(struct sess_client *cl);

/**
 * sess_trunk_stats() - fill the trunking counters of @st and sum every
 * extra's transport counters into st->cst_xprt; caller holds cl_lock for
 * the first part only (see sess_client_get_stats()).
 */
void sess_trunk_stats_locked(struct sess_client *cl,
			     struct sess_client_stats *st);
void sess_trunk_xprt_stats(struct sess_client *cl, struct sess_xprt_stats *sum);

#endif /* SESS_INT_H */
