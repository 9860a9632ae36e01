/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NFSv4.1 session client (RFC 8881), public interface.
 *
 * A client owns one transport (struct sess_xprt) and one session on it,
 * and optionally up to SESS_MAX_CONNS - 1 more transports bound to the same
 * session with BIND_CONN_TO_SESSION (session trunking, sess_trunk.c): calls
 * are then spread over every bound connection.
 * sess_client_start() runs EXCHANGE_ID, CREATE_SESSION (fore and back
 * channel, CONN_BACK_CHAN) and RECLAIM_COMPLETE and starts the lease
 * renewer; sess_compound() runs one COMPOUND behind a SEQUENCE on a slot,
 * recovering transparently from connection loss (reconnect, rebind, replay
 * on the same slot and seqid), lost sessions and lost client ids;
 * sess_client_stop() destroys session and client id.  Any number of
 * threads may call sess_compound() at once: each holds one slot.
 *
 * File operations built on top of it are in sess_ops.h.
 */
#ifndef SESS_CLIENT_H
#define SESS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "config.h"
#include "nfsv41.h"

#include "sess_xprt.h"

struct sess_client;

/** Log levels of the library's messages. */
enum sess_log_level {
	SESS_LOG_ERR,
	SESS_LOG_WARN,
	SESS_LOG_INFO,
	SESS_LOG_DEBUG
};

/** Options of sess_client_create(); zero means the default. */
struct sess_client_opts {
	/*
	 * File holding the persistent per-host client owner id; created
	 * (random id) when missing.  NULL: derive it from /etc/machine-id
	 * or the host name.
	 */
	const char *state_file;
	/* Extra text mixed into the owner id (e.g. several clients/host). */
	const char *owner_suffix;
	uint32_t uid, gid;
	uint32_t fore_max_requests;  /* slots asked for; default 128 */
	uint32_t max_io_size;	     /* READ/WRITE size; default 1 MiB */
	uint32_t recovery_timeout_s; /* give up recovering after; def. 120 */
	/*
	 * sess_client_start(): a first connect that timed out or was refused
	 * is tried again, with growing jittered pauses (0.1 s doubling to
	 * 2 s), until this many seconds have passed since the first try; 0:
	 * one try.  A server that many clients reach at once accepts them in
	 * turn, and one still reaping its last clients' connections refuses
	 * new ones over its cap for a moment (docs/scale.md).
	 */
	uint32_t connect_retry_s;
	/*
	 * Highest NFSv4 minor version to ask for: 1 or 2 (0: 2).  The client
	 * starts every EXCHANGE_ID at it and steps down to 1 when the server
	 * answers NFS4ERR_MINOR_VERS_MISMATCH (RFC 8881 15.1.5.5).
	 */
	uint32_t max_minor;
	/* Library messages; NULL discards them. */
	void (*log)(void *ctx, enum sess_log_level level, const char *msg);
	void *log_ctx;
};

/** Most connections one session runs over (the first + extras). */
#define SESS_MAX_CONNS 16

/** Counters of a client (sess_client_get_stats()). */
struct sess_client_stats {
	uint64_t cst_compounds;	    /* COMPOUNDs answered */
	uint64_t cst_sequence_only; /* lease renewals */
	uint64_t cst_replays;	    /* resent on the same slot + seqid */
	uint64_t cst_reconnects;
	uint64_t cst_bind_conn;	     /* BIND_CONN_TO_SESSION done */
	uint64_t cst_new_sessions;   /* CREATE_SESSION done */
	uint64_t cst_new_clientids;  /* EXCHANGE_ID done */
	uint64_t cst_session_resets; /* session replaced (slots exhausted..) */
	uint64_t cst_delays;	     /* NFS4ERR_DELAY / GRACE waits */
	/* waits for the transport's memory or queue room (sess_seq.c) */
	uint64_t cst_xprt_waits;
	uint64_t cst_misordered;
	uint64_t cst_badslot;
	uint64_t cst_false_retry;
	uint64_t cst_status_flags;	/* SEQ4_STATUS flags seen (OR) */
	uint32_t cst_last_status_flags; /* flags of the last SEQUENCE */
	uint64_t cst_state_revoked;	/* state re-establishments asked */
	uint64_t cst_cb_calls;		/* backchannel COMPOUNDs served */
	uint64_t cst_cb_recall_slot;
	uint64_t cst_cb_recall;
	/* READ data copied out of a received reply (not placed by RDMA) */
	uint64_t cst_read_bytes_copied;
	uint32_t cst_slots;	     /* table size (server's ca_maxrequests) */
	uint32_t cst_slot_limit;     /* highest usable slot id now */
	uint32_t cst_max_slots_busy; /* most slots in use at once */
	uint32_t cst_lease_s;
	uint32_t cst_minor;	      /* NFSv4 minor version in use: 1 or 2 */
	uint64_t cst_minor_fallbacks; /* EXCHANGE_IDs refused at 4.2 */
	uint64_t cst_clientid;
	uint8_t cst_sessionid[NFS4_SESSIONID_SIZE];
	struct channel_attrs4 cst_fore;
	struct channel_attrs4 cst_back;
	/* Transport counters summed over every connection of the session. */
	struct sess_xprt_stats cst_xprt;
	/* Session trunking (sess_trunk.c). */
	uint32_t cst_conns;	  /* connections configured (first + extras) */
	uint32_t cst_conns_bound; /* extra connections bound right now */
	uint64_t cst_trunk_binds; /* BIND_CONN_TO_SESSION done on extras */
	uint64_t cst_trunk_lost;  /* extra connections found lost */
	uint64_t cst_trunk_moved; /* calls replayed on another connection */
	uint64_t cst_trunk_refused; /* extras the server refused to bind */
	/* the first connection lost, its role taken by a live extra */
	uint64_t cst_trunk_first_moved;
	/* COMPOUNDs sent on each connection ([0] is the first) */
	uint64_t cst_conn_calls[SESS_MAX_CONNS];
};

/** One COMPOUND to run behind a SEQUENCE. */
struct sess_compound {
	/* Operations after SEQUENCE; at most SESS_MAX_OPS. */
	nfs_argop4 *sc_args;
	uint32_t sc_nargs;
	/* Ask the server to cache the reply (non-idempotent ops). */
	bool sc_cachethis;
	/*
	 * AUTH_SYS credential to send the COMPOUND with (a gateway passes
	 * its own client's); NULL: the client's default (opts uid/gid).
	 */
	const struct sess_auth_sys *sc_cred;
	/*
	 * WRITE payload: when set, the last operation must be OP_WRITE;
	 * its data is taken from here, not from opwrite.data.
	 */
	const struct iovec *sc_bulk_out;
	int sc_bulk_out_cnt;
	size_t sc_bulk_out_len;
	/*
	 * READ destination: when set, READ data lands here; the READ
	 * result says how much (data_len) and carries no data pointer.
	 */
	void *sc_bulk_in;
	size_t sc_bulk_in_cap;
	/* Results of the operations after SEQUENCE (sess_compound_free). */
	nfs_resop4 sc_res[32];
	uint32_t sc_nres;
	/* COMPOUND status: NFS4_OK or the error of the last result. */
	nfsstat4 sc_status;
};

#define SESS_MAX_OPS 32

/**
 * sess_client_create() - a client over @xprt (owned from now on, also on
 * failure).  Reads or creates the owner id.  Returns the client, or NULL
 * with *err = -ENOMEM, -EINVAL, or the errno of the state file.
 */
struct sess_client *sess_client_create(struct sess_xprt *xprt,
				       const struct sess_client_opts *opts,
				       int *err);

/**
 * sess_client_add_conn() - run the session over @xprt as well (session
 * trunking).  @xprt is owned by the client from now on, also on failure.
 * Call it before sess_client_start(), which connects every extra transport
 * and binds it to the session with BIND_CONN_TO_SESSION (fore channel only;
 * the back channel stays on the first connection, whose role a live extra
 * takes when it is lost: sess_trunk.c).  An extra that cannot
 * connect is retried by the renewer; one the server refuses to bind is
 * dropped with a log line and the session goes on with fewer connections.
 * Returns 0; -EBUSY once started; -ENOSPC when the client already has
 * SESS_MAX_CONNS connections; -EINVAL for a NULL argument.
 */
int sess_client_add_conn(struct sess_client *cl, struct sess_xprt *xprt);

/**
 * sess_client_start() - connect, EXCHANGE_ID, CREATE_SESSION,
 * RECLAIM_COMPLETE, learn the lease time, start the renewer.
 * The connect is retried on -ETIMEDOUT and -ECONNREFUSED for up to
 * opts.connect_retry_s seconds.
 * Returns 0; a negative errno from the transport (-ECONNREFUSED,
 * -ETIMEDOUT, -EBADMSG, ...; the last try's when retried); -ESHUTDOWN
 * when stopped meanwhile; or a positive nfsstat4 when the server refused.
 */
int sess_client_start(struct sess_client *cl);

/**
 * sess_compound() - run @c behind SEQUENCE, with recovery.
 * Returns 0 (then c->sc_status holds the NFS status of the COMPOUND and
 * c->sc_res the results, to free with sess_compound_free()), or a
 * negative errno: -EINVAL for a malformed request, -EIO when recovery
 * failed within the recovery timeout, -EBADMSG for a malformed reply,
 * -ESHUTDOWN when the client is stopping, or other transport errors.
 */
int sess_compound(struct sess_client *cl, struct sess_compound *c);

/** sess_compound_free() - free the decoded results of @c. */
void sess_compound_free(struct sess_compound *c);

/**
 * sess_client_stop() - stop the renewer, DESTROY_SESSION,
 * DESTROY_CLIENTID, disconnect.  Returns 0 or the first error (the client
 * is stopped anyway).
 */
int sess_client_stop(struct sess_client *cl);

/**
 * sess_client_shutdown() - the process is going away: from any thread,
 * make every call of @cl end soon whatever the server does.  New calls
 * and calls waiting for a slot or for recovery fail at once with
 * -ESHUTDOWN, no recovery (reconnection) starts and one in progress
 * ends at its next step; calls already sent get up to @grace_ms to be
 * answered, then the connections are dropped so that they fail with
 * -ESHUTDOWN too (a caller never takes such a failure for a result, so
 * nothing acknowledged is lost; a call cut short may or may not have been
 * executed by the server, as with any lost connection).  Returns within
 * about @grace_ms plus the transports' disconnect.  sess_client_stop()
 * afterwards spends at most SESS_SHUTDOWN_POLITE_MS in all on the polite
 * DESTROY_SESSION and DESTROY_CLIENTID, and none when the connection is
 * down.  With @grace_ms < 0 it only sets the above and returns at once
 * (a caller shutting down several clients flags them all first, then
 * gives them one grace).  A client not yet started (sess_client_start()
 * in progress) has its connection dropped after the grace in any case.
 * May be called again (with another grace).
 */
void sess_client_shutdown(struct sess_client *cl, int grace_ms);

/* sess_client_stop()'s budget for DESTROY_* after sess_client_shutdown() */
#define SESS_SHUTDOWN_POLITE_MS 1000

/** sess_client_destroy() - stop if needed and free everything. */
void sess_client_destroy(struct sess_client *cl);

/** sess_client_get_stats() - snapshot of the counters. */
void sess_client_get_stats(struct sess_client *cl,
			   struct sess_client_stats *st);

/**
 * sess_client_state_gen() - bumps whenever open/lock state must be
 * re-established (new client id, revoked state).  Callers holding
 * stateids compare it to the value they opened with.
 */
uint64_t sess_client_state_gen(struct sess_client *cl);

/** sess_client_owner() - the client owner string (for open owners). */
const char *sess_client_owner(struct sess_client *cl);

/** sess_client_clientid() - the current client id. */
clientid4 sess_client_clientid(struct sess_client *cl);

/**
 * sess_client_minor() - the NFSv4 minor version the client's COMPOUNDs
 * carry: 2 when the server took 4.2, 1 when it refused it (or
 * opts.max_minor is 1).  Fixed by each EXCHANGE_ID; before the first one
 * it is the version the client will try first.
 */
uint32_t sess_client_minor(struct sess_client *cl);

/** sess_client_max_io() - READ/WRITE size agreed with the server. */
uint32_t sess_client_max_io(struct sess_client *cl);

/** sess_nfsstat_str() - text for an nfsstat4 ("NFS4ERR_NOENT: ..."). */
const char *sess_nfsstat_str(nfsstat4 st);

/** sess_nfsstat_name() - the symbolic name of an nfsstat4. */
const char *sess_nfsstat_name(nfsstat4 st);

#endif /* SESS_CLIENT_H */
