/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * FSAL_RDMA_PROXY internals: the structures every file of the module
 * shares and the functions they call across files.
 *
 * Layering: each file calls only the ones listed below it (top first;
 * tools/check-fsal-layers.sh checks it, gateway.layers runs it):
 *   rp_guard.c      libfsalrdma_proxy.so: the version guard, which loads
 *                   the rest (libganesha_rdma_proxy.so); calls none of it
 *   rp_main.c       module registration, module block RDMA_PROXY { }
 *   rp_export.c     export creation and export ops (lookup_path, handles)
 *   rp_v42.c        NFSv4.2: fallocate, seek, extended attributes
 *   rp_file.c       open state, read/write/commit, locks, setattr
 *   rp_handle.c     objects (rp_make_handle, the root's rp_make_root) and
 *                   namespace ops (lookup, readdir, create, rename, ...)
 *   rp_compound.c   the COMPOUND builder: appenders, the root resolved,
 *                   directory-change tickets begun and finished
 *   rp_postop.c     directory answers reused: post-op attributes, a miss
 *   rp_attr.c       fattr4 <-> fsal_attrlist, READDIR entry handles
 *   rp_root.c       the root's state, wire handles sealed (MAC'd)
 *   rp_shutdown.c   the shutdown watch: backend calls bounded at SIGTERM
 *   rp_stats.c      the stats file
 *   rp_backend.c    one NFSv4.1 session to the backend per export
 *   rp_errmap.c     a call failed below NFS: the client's status
 *   rp_config.c     per-export FSAL { } options and their checks
 *   rp_lock_owner.c backend lock-owner names
 *   rp_handle_mac.c the wire handles' MAC and its key in State_Dir
 *   rp_entry_fh.c   the FILEHANDLE cut out of a READDIR entry
 *   rp_readdir_names.c  the names one READDIR call gave (repeats)
 *   rp_compat_v11.c rp_compat_v13.c  the FSAL API where Ganesha 4.3
 *                   (11.0) and 6.5 (13.0) differ: one of them is built
 * and below them the session client (src/sessions) and the RPC-over-RDMA
 * client engine (src/xprt_rdma).
 */
#ifndef RP_INT_H
#define RP_INT_H

#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fsal.h"
#include "fsal_api.h"
#include "FSAL/fsal_commonlib.h"
#include "sal_data.h"
#include "nfs_proto_tools.h"
#include "FSAL/fsal_config.h"

#include "sess_client.h"
#include "sess_rpc.h"
#include "rp_compound.h"
#include "rp_entry_fh.h"
#include "rp_handle_mac.h"
#include "rp_lock_owner.h"
#include "nfs_fh.h"

#define RP_NAME "RDMA_PROXY"
/*
 * Our wire handle: one kind byte, then for RP_WIRE_FH the backend's
 * handle, then a 16-byte MAC over export id, kind and backend handle
 * (rp_handle_mac.h): a client cannot forge a handle naming a backend
 * object outside Backend_Path.  The export root is a handle of its own
 * kind, resolved on the backend (PUTROOTFH + LOOKUP of Backend_Path) when
 * first used, so that the export comes up while the backend is still
 * unreachable.
 */
#define RP_WIRE_FH 1
#define RP_WIRE_ROOT 2
/*
 * All of it inside the NFSv4 handle after Ganesha's own header: the
 * longest backend handle the gateway can carry (106 bytes; Linux's knfsd
 * and Ganesha's FSAL_VFS use well under 64).
 */
#define RP_FH_MAX                                                              \
	(NFS4_FHSIZE - offsetof(file_handle_v4_t, fsopaque) - 1 - RP_MAC_LEN)
#define RP_WIRE_MAX (1 + RP_FH_MAX + RP_MAC_LEN)

/** Per-export options (FSAL { } block of an EXPORT). */
struct rp_export_conf {
	char *backend_addr;
	uint16_t backend_port; /* 0: 20049 for rdma, 2049 for tcp */
	char *backend_path;
	uint32_t transport; /* RP_TRANSPORT_* */
	uint32_t fabric;    /* RP_FABRIC_* */
	char *provider;
	uint32_t slots;
	uint32_t credits;
	uint32_t max_read;
	uint32_t max_write;
	uint32_t call_timeout_s;
	uint32_t recovery_timeout_s;
	uint32_t retry_interval_s;
	uint32_t connections;
};

enum { RP_TRANSPORT_RDMA, RP_TRANSPORT_TCP };
enum { RP_FABRIC_VERBS, RP_FABRIC_OFI };

/** Counters of one export (dumped to the log at export release). */
struct rp_stats {
	atomic_uint_fast64_t rst_calls;
	atomic_uint_fast64_t rst_read_bytes;
	atomic_uint_fast64_t rst_write_bytes;
	atomic_uint_fast64_t rst_errors;
	atomic_uint_fast64_t rst_reopens;
	/* wire handles refused: MAC wrong (forged, altered) or malformed */
	atomic_uint_fast64_t rst_bad_handles;
	/* post-op directory attributes kept, and served in place of a GETATTR
	 */
	atomic_uint_fast64_t rst_postop_kept;
	atomic_uint_fast64_t rst_postop_served;
	/* lookups answered by the miss noted just before (rp_neg_take()) */
	atomic_uint_fast64_t rst_neg_served;
};

/** The backend connection of one export: a session client. */
struct rp_backend {
	struct rp_export_conf *rb_conf;
	pthread_mutex_t rb_lock; /* rb_client, rb_up, rb_stopping; a leaf */
	pthread_cond_t rb_cond;	 /* the retry wait; broadcast on up, stop */
	struct sess_client *rb_client; /* NULL until the backend answered */
	/* the client rp_try_connect() is starting (shut down with the rest) */
	struct sess_client *rb_connecting;
	bool rb_up;
	bool rb_stopping;
	bool rb_retry_running;
	pthread_t rb_retry;
	char rb_machine[SESS_MACHINENAME_MAX + 1];
	char rb_label[96]; /* "export 2 -> 127.0.0.1:20049 (rdma/ofi)" */
};

struct rp_export {
	struct fsal_export exp;
	struct rp_export_conf conf;
	struct rp_backend backend;
	struct rp_stats stats;
	struct glist_head stats_link; /* rp_stats.c's list of exports */
	uint16_t export_id;
	atomic_bool placeholder_logged;
	atomic_bool bad_handle_logged; /* first refused handle: LogInfo */
	atomic_bool big_handle_logged; /* first too long backend handle */
	/* Key of this export's handle MACs (State_Dir/handle-mac.key). */
	struct rp_mac_key mac_key;
	/* The root's backend handle, once resolved (rp_compound.c). */
	pthread_mutex_t root_lock; /* the root_* fields; a leaf */
	uint32_t root_fh_len;
	uint8_t root_fh[NFS4_FHSIZE];
	bool root_ids; /* root_fsid/root_fileid known */
	fsal_fsid_t root_fsid;
	uint64_t root_fileid;
	/* The backend's last write verifier: what our clients see. */
	pthread_mutex_t verf_lock; /* write_verf; a leaf */
	verifier4 write_verf;
	/*
	 * Whether the backend offers extended attributes (rp_v42.c): learnt
	 * once per backend state generation (xattr_gen: a new client id may
	 * land on another minor version), 0 unknown, 1 no, 2 yes.
	 */
	atomic_uint xattr_state;
	_Atomic uint64_t xattr_gen;
};

struct rp_handle {
	struct fsal_obj_handle obj;
	bool is_root; /* fh_len 0: the export's root, see rp_cpd_putfh() */
	/*
	 * Ganesha counts opens without a state (NFSv3, its own) and expects
	 * close() to say whether there was one.
	 */
	atomic_bool global_open;
	uint32_t fh_len;
	uint8_t fh[NFS4_FHSIZE];
	/* READDIR cookie verifier the backend gave last (as a uint64_t) */
	_Atomic uint64_t cookieverf;
	/* wire form (version byte + fh), also the hash key */
	uint8_t wire[RP_WIRE_MAX];
	uint32_t wire_len;
	/* post-op attributes of this directory (rp_postop.c) */
	pthread_mutex_t po_lock; /* the po_* fields; a leaf */
	uint64_t po_seq;	 /* changes begun through the gateway */
	uint32_t po_busy;	 /* changes begun and not yet over */
	bool po_overlap; /* the last one began while another was in flight */
	bool po_have;
	struct timespec po_when; /* CLOCK_MONOTONIC, when they arrived */
	fattr4 po_attrs;
	/* the last lookup miss in this directory (rp_neg_note()) */
	uint64_t po_neg_hash;
	uint64_t po_neg_seq; /* po_seq + 1 when noted; 0: none */
	uint32_t po_neg_len;
	struct timespec po_neg_when;
};

/*
 * Open state on the backend behind one Ganesha state_t (open or lock
 * state).  rs_gen is the session client's state generation the stateid
 * belongs to: when it moves on (backend restarted, state revoked) the
 * stateid is re-established before use.
 */
struct rp_state {
	struct state_t state; /* first: Ganesha frees what alloc gave */
	/* rs_*; an open's before its lock states', before lo_lock */
	pthread_mutex_t rs_lock;
	stateid4 rs_sid;
	bool rs_valid;
	uint64_t rs_gen;
	fsal_openflags_t rs_openflags;
	uint64_t rs_owner_id;	  /* names this state's backend owner */
	struct rp_state *rs_open; /* lock state: its open state (a ref) */
	/*
	 * Lock state: the id naming its backend lock owner (0 until the
	 * first LOCK), noted in rp_module.lock_owners under its Ganesha
	 * owner and file (rs_lock_owner NULL when not noted).
	 */
	uint64_t rs_lock_owner_id;
	const void *rs_lock_owner;
	const void *rs_lock_file;
	/*
	 * Open state: its lock states (rs_lock_link), under its rs_lock, so
	 * that a CLOSE the backend refuses with NFS4ERR_LOCKS_HELD can free
	 * their backend locks first (rp_file.c).
	 */
	struct glist_head rs_locks;
	struct glist_head rs_lock_link;
	/*
	 * Ganesha's reference plus one per lock state pointing here: an open
	 * state Ganesha frees while a lock state still points at it stays
	 * allocated until that lock state goes too.
	 */
	atomic_uint rs_refs;
};

/*
 * The object ops whose signatures differ between FSAL APIs, in the form
 * rp_handle.c and rp_file.c implement them (API 11.0's, without the
 * directories' attributes before and after); rp_compat_obj_ops() puts
 * them, or adapters calling them, into the ops table.
 */
struct rp_ns_ops {
	fsal_status_t (*mkdir)(struct fsal_obj_handle *dir_hdl,
			       const char *name, struct fsal_attrlist *attrs_in,
			       struct fsal_obj_handle **new_obj,
			       struct fsal_attrlist *attrs_out);
	fsal_status_t (*mknode)(struct fsal_obj_handle *dir_hdl,
				const char *name, object_file_type_t nodetype,
				struct fsal_attrlist *attrs_in,
				struct fsal_obj_handle **new_obj,
				struct fsal_attrlist *attrs_out);
	fsal_status_t (*symlink)(struct fsal_obj_handle *dir_hdl,
				 const char *name, const char *link_path,
				 struct fsal_attrlist *attrs_in,
				 struct fsal_obj_handle **new_obj,
				 struct fsal_attrlist *attrs_out);
	fsal_status_t (*link)(struct fsal_obj_handle *obj_hdl,
			      struct fsal_obj_handle *destdir_hdl,
			      const char *name);
	fsal_status_t (*rename)(struct fsal_obj_handle *obj_hdl,
				struct fsal_obj_handle *olddir_hdl,
				const char *old_name,
				struct fsal_obj_handle *newdir_hdl,
				const char *new_name);
	fsal_status_t (*unlink)(struct fsal_obj_handle *dir_hdl,
				struct fsal_obj_handle *obj_hdl,
				const char *name);
	fsal_status_t (*open2)(
	    struct fsal_obj_handle *obj_hdl, struct state_t *state,
	    fsal_openflags_t openflags, enum fsal_create_mode createmode,
	    const char *name, struct fsal_attrlist *attrs_in,
	    fsal_verifier_t verifier, struct fsal_obj_handle **new_obj,
	    struct fsal_attrlist *attrs_out, bool *caller_perm_check);
};

struct rp_module {
	struct fsal_module fsal;
	struct fsal_obj_ops handle_ops;
	struct rp_ns_ops ns_ops; /* what rp_compat_obj_ops() installs */
	char *state_dir;
	char *stats_file;
	char *metrics_file; /* NULL: none; a *.prom file (gr_prom.h) */
	uint32_t stats_interval_s;
	/* glibc's mmap threshold for the process; 0: glibc's own (rp_main.c) */
	uint32_t malloc_mmap_threshold;
	/* backend lock-owner names (rp_lock_owner.c); init_config sets up */
	struct rp_lock_owners lock_owners;
	bool lock_owners_ready;
};

extern struct rp_module rp_module;

static inline struct rp_export *rp_exp(struct fsal_export *e)
{
	return container_of(e, struct rp_export, exp);
}

static inline struct rp_handle *rp_hdl(const struct fsal_obj_handle *o)
{
	return container_of(o, struct rp_handle, obj);
}

static inline struct rp_export *rp_cur_exp(void)
{
	return rp_exp(op_ctx->fsal_export);
}

/* rp_config.c */
extern struct config_block rp_export_block;
extern struct config_block rp_module_block;

/* rp_backend.c */
/**
 * rp_backend_init() - set up @be for @conf and start connecting: the
 * first attempt runs now; when the backend does not answer, a thread
 * retries every retry interval.  Returns 0, or -ENOMEM / -EINVAL for a
 * configuration that cannot work (the export must not be created).
 */
int rp_backend_init(struct rp_backend *be, struct rp_export_conf *conf,
		    uint16_t export_id);
/** rp_backend_fini() - stop retrying, close the session, free. */
void rp_backend_fini(struct rp_backend *be);
/**
 * rp_backend_shutdown() - the daemon is stopping: the retry thread ends and
 * the backend session (or the one being started) gets
 * sess_client_shutdown(@grace_ms): from now on no call to this backend
 * waits longer than the grace.  From any thread; blocks up to @grace_ms
 * (none when @grace_ms < 0: flags only).
 */
void rp_backend_shutdown(struct rp_backend *be, int grace_ms);
/* calls in flight at shutdown get this long to be answered (rp_shutdown.c) */
#define RP_SHUTDOWN_GRACE_MS 1000
/**
 * rp_call() - run @c behind SEQUENCE on the export's session with the
 * caller's credentials (op_ctx), as it is: the export root and its
 * confinement are rp_compound.c's (rp_cpd_run()).  Returns 0 with
 * c->sc_status set, or a negative errno (-EAGAIN while the backend is
 * still unreachable).
 */
int rp_call(struct rp_export *ex, struct sess_compound *c);
/** rp_status() - fsal status for rp_call()'s result. */
fsal_status_t rp_status(int ret, const struct sess_compound *c);
/**
 * rp_xprt_status() - fsal status for a backend call that failed with the
 * negative errno @err below NFS (rp_errmap.c): ERR_FSAL_DELAY but for the
 * few errors no retry cures, which are ERR_FSAL_SERVERFAULT.
 */
fsal_status_t rp_xprt_status(int err);
/** rp_nfs4_to_fsal() - fsal status of an NFSv4 error. */
fsal_status_t rp_nfs4_to_fsal(nfsstat4 st);
/**
 * rp_backend_io_limit() - @conf (Max_Read_Size/Max_Write_Size), lowered
 * to the READ/WRITE size the session agreed with the backend (the Linux
 * server, for one, grants ~512 KiB).
 */
uint32_t rp_backend_io_limit(struct rp_backend *be, uint32_t conf);
/** rp_backend_state_gen() - the session client's state generation. */
uint64_t rp_backend_state_gen(struct rp_backend *be);
/**
 * rp_backend_minor() - the NFSv4 minor version of the backend session
 * (1 or 2), 0 while the backend has not answered yet.
 */
uint32_t rp_backend_minor(struct rp_backend *be);
/** rp_backend_owner() - clientid for lock owners (0 when down). */
clientid4 rp_backend_clientid(struct rp_backend *be);

/**
 * rp_backend_get_stats() - the session's counters; false (and nothing
 * filled) while the backend has not answered yet.
 */
bool rp_backend_get_stats(struct rp_backend *be, struct sess_client_stats *st);

/* rp_stats.c */
/** Exports join the stats file's list when created, leave on release. */
void rp_stats_add_export(struct rp_export *ex);
void rp_stats_del_export(struct rp_export *ex);
/** rp_exports_each() - @fn on every export, under the list's lock. */
void rp_exports_each(void (*fn)(struct rp_export *ex, void *arg), void *arg);
/**
 * rp_shutdown_start() - start the thread that watches for the daemon's
 * shutdown (see rp_shutdown.c).  Returns 0 or -EAGAIN.
 */
int rp_shutdown_start(void);
/** rp_shutdown_stop() - stop that thread (module unload). */
void rp_shutdown_stop(void);
/**
 * rp_stats_start() - start the writer if Stats_File or Metrics_File is set;
 * 0 or -EAGAIN
 */
int rp_stats_start(void);
/** rp_stats_stop_thread() - write a last time and stop (module unload). */
void rp_stats_stop_thread(void);

/* rp_attr.c */
/** Attributes asked for with every GETATTR (and READDIR, +FILEHANDLE). */
void rp_attr_bitmap(bitmap4 *bm, bool with_fh);
/** fsinfo attributes (space/files). */
void rp_fsinfo_bitmap(bitmap4 *bm);
/**
 * rp_fattr_to_fsinfo() - the space and file counts of @fa (those of
 * rp_fsinfo_bitmap()) into @info; ERR_FSAL_SERVERFAULT when @fa holds any
 * other attribute or does not decode.
 */
fsal_status_t rp_fattr_to_fsinfo(const fattr4 *fa, fsal_dynamicfsinfo_t *info);
/** rp_fattr_to_attrs() - decode @fa into @attrs; 0 or an fsal error. */
fsal_status_t rp_fattr_to_attrs(fattr4 *fa, struct fsal_attrlist *attrs);
/**
 * rp_attrs_to_fattr() - encode the settable attributes of @attrs into
 * @fa (free with nfs4_Fattr_Free()).  Returns 0 or an fsal error.
 */
fsal_status_t rp_attrs_to_fattr(const struct fsal_attrlist *attrs, fattr4 *fa);

/* rp_export.c */
void rp_export_ops_init(struct export_ops *ops);
fsal_status_t rp_create_export(struct fsal_module *fsal_hdl, void *parse_node,
			       struct config_error_type *err_type,
			       const struct fsal_up_vector *up_ops);

/* rp_handle.c */
/**
 * rp_handle_ops_init() - the object ops of rp_handle.c (see rp_main.c):
 * into @ops, and those whose signature is the FSAL API's (rp_compat)
 * into @ns.
 */
void rp_handle_ops_init(struct fsal_obj_ops *ops, struct rp_ns_ops *ns);
/**
 * rp_make_root() - the export's root object (see RP_WIRE_ROOT), with
 * placeholder attributes while the backend cannot be asked.  Returns an
 * FSAL error when its handle cannot be sealed or the backend refused it.
 */
fsal_status_t rp_make_root(struct rp_export *ex, struct fsal_obj_handle **out,
			   struct fsal_attrlist *attrs_out);
/**
 * rp_make_handle() - a new object for backend handle @fh with attributes
 * @fa (the root's own when they name the root); @attrs_out (may be NULL)
 * receives them.  Returns an FSAL error for a handle that does not fit or
 * attributes that do not decode.
 */
fsal_status_t rp_make_handle(struct rp_export *ex, const uint8_t *fh,
			     uint32_t fh_len, fattr4 *fa,
			     struct fsal_obj_handle **out,
			     struct fsal_attrlist *attrs_out);

/* rp_root.c: the root's state, wire handles */
/**
 * rp_seal_wire() - @h's wire handle: @kind, @h's backend handle, the MAC
 * of @ex.  False (logged) when it cannot be made.
 */
bool rp_seal_wire(struct rp_export *ex, struct rp_handle *h, uint8_t kind);
/**
 * rp_log_big_handle() - say (LogCrit once per export, then at debug
 * level) that the backend gave a handle longer than RP_FH_MAX.
 */
void rp_log_big_handle(struct rp_export *ex, uint32_t fh_len);
/*
 * rp_root_set() - remember the export root's backend handle @fh (@len
 * bytes) and, when @a has them, its fsid and fileid; the first call wins,
 * later ones change nothing (rp_root.c).
 */
void rp_root_set(struct rp_export *ex, const uint8_t *fh, uint32_t len,
		 const struct fsal_attrlist *a);

/* rp_root_known() - whether the root's backend handle is known yet. */
bool rp_root_known(struct rp_export *ex);

/*
 * rp_root_fh() - the root's backend handle (*@fh, *@len bytes; they stay
 * valid and unchanged for the export's life once known).  False while it
 * is not known.
 */
bool rp_root_fh(struct rp_export *ex, const uint8_t **fh, uint32_t *len);

/* rp_is_root_fh() - @fh is the export root's backend handle. */
bool rp_is_root_fh(struct rp_export *ex, const uint8_t *fh, uint32_t len);

/*
 * rp_is_root_obj() - whether the backend object (@fh, attributes @a) is
 * the export root: the same handle bytes, or the same fsid and fileid as
 * the root had when it was resolved (a backend may give one directory
 * several handles).
 */
bool rp_is_root_obj(struct rp_export *ex, const uint8_t *fh, uint32_t len,
		    const struct fsal_attrlist *a);

/* rp_file.c */
/* How often an I/O whose backend state was lost is re-opened and re-sent */
#define RP_REOPEN_TRIES 2
/**
 * rp_file_ops_init() - the open/I/O/lock ops of rp_file.c (rp_main.c):
 * into @ops, open2 into @ns (see rp_handle_ops_init()).
 */
void rp_file_ops_init(struct fsal_obj_ops *ops, struct rp_ns_ops *ns);
/**
 * rp_io_stateid() - the backend stateid an I/O on @state goes out with
 * (all-ones for @bypass, anonymous without a state, seqid 0 otherwise); an
 * open made before the backend lost its state is re-opened first.  False
 * with *@st set when that re-open failed.
 */
bool rp_io_stateid(struct rp_export *ex, struct rp_handle *h,
		   struct state_t *state, bool bypass, stateid4 *sid,
		   fsal_status_t *st);
/** rp_stale_state() - the backend refused the stateid as lost or old. */
bool rp_stale_state(int ret, const struct sess_compound *c);
/** rp_mark_stale() - re-establish @state before its next use. */
void rp_mark_stale(struct state_t *state);

/* rp_v42.c */
/** rp_v42_ops_init() - fallocate, seek2 and the xattr ops (rp_main.c). */
void rp_v42_ops_init(struct fsal_obj_ops *ops);
/**
 * rp_v42_xattr_ok() - whether the export's clients may be offered
 * extended attributes: the backend session runs NFSv4.2 and the backend
 * says xattr_support for the export's root (asked once per session).
 */
bool rp_v42_xattr_ok(struct rp_export *ex);
struct state_t *rp_alloc_state(struct fsal_export *exp_hdl,
			       enum state_type state_type,
			       struct state_t *related_state);
/** rp_state_free() - Ganesha is done with @state (rp_compat frees it). */
void rp_state_free(struct state_t *state);

/* rp_postop.c: post-op directory attributes */
/*
 * The names one rp_readdir() call has passed up (rp_readdir_names.c):
 * a set of keyed 64-bit hashes, inline for small directories.
 */
struct rp_readdir_names {
	uint64_t *rn_slots; /* rn_inline, or allocated when grown */
	uint32_t rn_cap;    /* slots, a power of two */
	uint32_t rn_count;  /* names held */
	uint64_t rn_inline[64];
};

/** rp_names_init() - an empty set (no allocation). */
void rp_names_init(struct rp_readdir_names *ns);

/** rp_names_fini() - free what the set allocated. */
void rp_names_fini(struct rp_readdir_names *ns);

/**
 * rp_names_seen() - note @name, @len bytes
 *
 * Return: true when the set held @name already (the backend gave the
 * same name twice in one listing), false when it is new.  Never fails:
 * past its largest size, or on a probe run longer than its bound, the
 * set stops growing and a repeat may go unseen.
 */
bool rp_names_seen(struct rp_readdir_names *ns, const char *name, size_t len);

/** rp_postop_init() - a new handle keeps nothing yet. */
void rp_postop_init(struct rp_handle *h);
/** rp_postop_fini() - free what @h keeps (handle release). */
void rp_postop_fini(struct rp_handle *h);
/**
 * rp_postop_begin() - a change to directory @h is about to be sent: what
 * @h kept is stale now.  Returns the ticket for rp_postop_keep().  Every
 * begin is ended by exactly one rp_postop_keep() or rp_postop_end().
 */
uint64_t rp_postop_begin(struct rp_handle *h);
/** rp_postop_end() - a change begun on @h is over; it brought no answer. */
void rp_postop_end(struct rp_handle *h);
/**
 * rp_postop_keep() - end the change of @ticket on @h and keep the GETATTR
 * result at sc_res[@getattr_idx] of @c for @h, unless another change to
 * @h overlapped it (began after it, or was in flight when it began) or
 * the GETATTR did not succeed.
 */
void rp_postop_keep(struct rp_export *ex, struct rp_handle *h, uint64_t ticket,
		    const struct sess_compound *c, uint32_t getattr_idx);
/**
 * rp_postop_take() - serve getattrs of @h from what it kept (once, and
 * only while fresh).  Returns true with *@st the decode status when it
 * did; false when the backend must be asked.
 */
bool rp_postop_take(struct rp_export *ex, struct rp_handle *h,
		    struct fsal_attrlist *attrs, fsal_status_t *st);
/**
 * rp_neg_ticket() - draw before a LOOKUP in @dir is sent; 0 when a change
 * to @dir is in flight (its miss must not be noted).
 */
uint64_t rp_neg_ticket(struct rp_handle *dir);
/**
 * rp_neg_note() - the backend said @name is not in @dir, in answer to the
 * LOOKUP of @ticket: noted unless a change began since it was drawn.
 */
void rp_neg_note(struct rp_handle *dir, const char *name, uint64_t ticket);
/**
 * rp_neg_take() - true when a lookup of @name in @dir can be answered
 * NOENT from the miss noted just before (once, within a request's time,
 * no change to @dir begun since).
 */
bool rp_neg_take(struct rp_export *ex, struct rp_handle *dir, const char *name);

/*
 * rp_compat_v11.c / rp_compat_v13.c: where the FSAL APIs differ.  One
 * file per API version, the one CMakeLists.txt finds for the SDK's
 * FSAL_MAJOR_VERSION is built; none of these fail.
 */
/**
 * rp_compat_export_ops() - make Ganesha free states with @state_free
 * (11.0: the export op free_state; 13.0: nothing here, each state
 * carries it, see rp_compat_state_init()).
 */
void rp_compat_export_ops(struct export_ops *ops,
			  void (*state_free)(struct state_t *state));
/**
 * rp_compat_state_init() - Ganesha's init_state() for a state of
 * @exp_hdl that @state_free frees; returns @state.
 */
struct state_t *rp_compat_state_init(struct state_t *state,
				     struct fsal_export *exp_hdl,
				     enum state_type state_type,
				     struct state_t *related_state,
				     void (*state_free)(struct state_t *state));
/** rp_compat_obj_init() - a new object of @exp, on the module's list. */
void rp_compat_obj_init(struct fsal_obj_handle *obj, struct fsal_export *exp,
			object_file_type_t type);
/** rp_compat_obj_fini() - undo rp_compat_obj_init(). */
void rp_compat_obj_fini(struct fsal_obj_handle *obj);
/**
 * rp_compat_obj_ops() - put the ops of @ns into @ops in the API's form
 * (13.0: adapters that leave the directories' attributes before and
 * after unset).  @ns must live as long as the module.
 */
void rp_compat_obj_ops(struct fsal_obj_ops *ops, const struct rp_ns_ops *ns);
/**
 * rp_compat_read_plus() - whether the read2 call for @ra serves an
 * NFSv4.2 READ_PLUS, which Ganesha's core answers with no data whatever
 * the FSAL read (docs/architecture.md): 1 READ_PLUS, 0 not (READ, NFSv3,
 * NFSv4.0/4.1, 9P), -EPROTO when the call comes from an NFSv4.2 COMPOUND
 * but its operation cannot be told (the caller must then not answer it
 * with data).  13.0: @ra->info is set for READ_PLUS only; 11.0: the
 * current operation of the request's COMPOUND.
 */
int rp_compat_read_plus(const struct fsal_io_arg *ra);

#endif /* RP_INT_H */
