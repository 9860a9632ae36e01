/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The gateway's COMPOUND builder: every backend COMPOUND of the FSAL is
 * put together here, one operation per appender, and run by rp_cpd_run().
 *
 * How this works:
 * - Each appender puts one operation (the session client's nfs_argop4,
 *   encoded by src/sessions/sess_codec.c) at the end and returns its index
 *   in the results: callers keep the index instead of counting by hand.
 * - Appenders that can fail (a name too long, more than SESS_MAX_OPS
 *   operations, the export root not resolvable) do not return an error:
 *   the first one is kept in cpd_err, every later appender does nothing
 *   and returns RP_CPD_NONE, and rp_cpd_run() answers that error without
 *   sending.  rp_cpd_failed() lets a caller stop early.  Arguments of a
 *   failed append are written to a scratch operation, so filling them is
 *   always safe.
 * - Directory-change tickets (rp_postop.c) are the builder's: a caller
 *   names the handles a COMPOUND changes (rp_cpd_change()) and the
 *   GETATTRs that bring their post-op attributes (rp_cpd_postop(),
 *   rp_cpd_postop_here()); rp_cpd_run() begins every ticket right before
 *   sending and keeps or ends every one of them right after, whatever
 *   happened - a COMPOUND that fails midway, is never sent, or fails
 *   locally ends them all.  Nothing is begun before rp_cpd_run(), so a
 *   caller that gives up before running leaves no ticket behind.
 * - The operations up to the first post-op one make the change; the
 *   post-op part only fetches attributes, and its failure does not fail
 *   the change (rp_cpd_run()'s status).
 *
 * A builder lives on the caller's stack for one COMPOUND: rp_cpd_init(),
 * appenders, rp_cpd_run(), results through cpd_c.sc_res[index] (or
 * rp_cpd_res()), rp_cpd_free().  Not shared between threads.
 */
#ifndef RP_COMPOUND_H
#define RP_COMPOUND_H

#include <stdbool.h>
#include <stdint.h>

#include "fsal_types.h"
#include "sess_client.h"

struct rp_export;
struct rp_handle;

/* The index an appender returns when it added nothing. */
#define RP_CPD_NONE UINT32_MAX
/* Handles one COMPOUND may change: LINK and RENAME change two. */
#define RP_CPD_TICKETS 2

/* One handle a COMPOUND changes, and where its post-op answer is. */
struct rp_cpd_ticket {
	struct rp_handle *ct_h;
	uint32_t ct_getattr; /* its post-op GETATTR, or RP_CPD_NONE */
	uint64_t ct_seq;     /* rp_postop_begin()'s ticket while in flight */
};

struct rp_compound {
	struct rp_export *cpd_ex;
	/* sc_args points at cpd_ops; results in cpd_c.sc_res after run */
	struct sess_compound cpd_c;
	nfs_argop4 cpd_ops[SESS_MAX_OPS];
	nfs_argop4 cpd_scratch; /* where a failed append's args go */
	/* first post-op operation: the change is cpd_ops[0..cpd_nmain) */
	uint32_t cpd_nmain;
	struct rp_cpd_ticket cpd_tickets[RP_CPD_TICKETS];
	uint32_t cpd_ntickets;
	/*
	 * The first append error: a negative errno (-ENAMETOOLONG, -E2BIG,
	 * -EAGAIN while the root cannot be resolved), or a positive
	 * nfsstat4 the backend answered resolving the export root.
	 */
	int cpd_err;
	/* rp_call()'s result once run: 0 (then cpd_c.sc_status) or -errno */
	int cpd_ret;
	bool cpd_ran;
};

/**
 * rp_cpd_init() - an empty COMPOUND for export @ex; @cachethis asks the
 * backend to cache the reply (operations that change something, so that
 * a replay after a lost connection runs them once).
 */
void rp_cpd_init(struct rp_compound *b, struct rp_export *ex, bool cachethis);

/**
 * rp_cpd_add() - append operation @op with zeroed arguments; *@arg (may
 * be NULL) points at them, to be filled by the caller.  Returns the
 * operation's index, or RP_CPD_NONE (*@arg then a scratch operation) when
 * an earlier append failed or the COMPOUND is full (cpd_err -E2BIG).
 */
uint32_t rp_cpd_add(struct rp_compound *b, nfs_opnum4 op, nfs_argop4 **arg);

/**
 * rp_cpd_putfh() - PUTFH of @h.  The export root (a handle without a
 * backend handle of its own) is resolved now, once per export: while the
 * backend cannot be asked cpd_err is -EAGAIN, when it refuses Backend_Path
 * its nfsstat4.  Returns the index or RP_CPD_NONE.
 */
uint32_t rp_cpd_putfh(struct rp_compound *b, const struct rp_handle *h);
/** rp_cpd_putfh_raw() - PUTFH of backend handle @fh (@len bytes, 1..). */
uint32_t rp_cpd_putfh_raw(struct rp_compound *b, const uint8_t *fh,
			  uint32_t len);
/** rp_cpd_putrootfh() - PUTROOTFH: the backend's root, not the export's. */
uint32_t rp_cpd_putrootfh(struct rp_compound *b);
/** rp_cpd_getfh() - GETFH. */
uint32_t rp_cpd_getfh(struct rp_compound *b);
/** rp_cpd_getattr() - GETATTR of everything the FSAL decodes. */
uint32_t rp_cpd_getattr(struct rp_compound *b);
/** rp_cpd_savefh(), rp_cpd_restorefh() - SAVEFH, RESTOREFH. */
uint32_t rp_cpd_savefh(struct rp_compound *b);
uint32_t rp_cpd_restorefh(struct rp_compound *b);
/**
 * rp_cpd_lookup() - LOOKUP of @name (1..NAME_MAX bytes, else cpd_err is
 * -ENAMETOOLONG); ".." is LOOKUPP.  Names are referenced, not copied: they
 * must outlive rp_cpd_run().
 */
uint32_t rp_cpd_lookup(struct rp_compound *b, const char *name);
/** rp_cpd_create() - CREATE of @name, type @type; *@arg: its arguments. */
uint32_t rp_cpd_create(struct rp_compound *b, const createtype4 *type,
		       const char *name, CREATE4args **arg);
/** rp_cpd_remove() - REMOVE of @name from the current handle. */
uint32_t rp_cpd_remove(struct rp_compound *b, const char *name);
/** rp_cpd_rename() - RENAME saved/@from to current/@to. */
uint32_t rp_cpd_rename(struct rp_compound *b, const char *from, const char *to);
/** rp_cpd_link() - LINK of the saved handle as current/@name. */
uint32_t rp_cpd_link(struct rp_compound *b, const char *name);
/**
 * rp_cpd_open() - OPEN of @name in the current directory (CLAIM_NULL),
 * or with @name NULL of the current file (CLAIM_FH); *@arg: the rest of
 * its arguments to fill (rp_file.c knows owners and share modes).
 */
uint32_t rp_cpd_open(struct rp_compound *b, const char *name, OPEN4args **arg);
/** rp_cpd_close() - CLOSE of open stateid @sid. */
uint32_t rp_cpd_close(struct rp_compound *b, const stateid4 *sid);
/** rp_cpd_free_stateid() - FREE_STATEID of @sid. */
uint32_t rp_cpd_free_stateid(struct rp_compound *b, const stateid4 *sid);
/**
 * rp_cpd_read() - READ of @count bytes at @off under @sid, the data
 * landing straight in @buf (@count bytes; it must outlive rp_cpd_run()).
 */
uint32_t rp_cpd_read(struct rp_compound *b, const stateid4 *sid, uint64_t off,
		     uint32_t count, void *buf);
/**
 * rp_cpd_write() - WRITE of @len bytes at @off under @sid from @iov (sent
 * from the caller's memory: it must outlive rp_cpd_run()); it must be the
 * last operation (the session client sends it as the bulk payload).
 */
uint32_t rp_cpd_write(struct rp_compound *b, const stateid4 *sid, uint64_t off,
		      stable_how4 stable, const struct iovec *iov);
/** rp_cpd_commit() - COMMIT of @count bytes at @off. */
uint32_t rp_cpd_commit(struct rp_compound *b, uint64_t off, uint32_t count);

/**
 * rp_cpd_main_done() - the operations appended so far make the change;
 * those after only add to it (post-op attributes, further OPENs of an
 * upgrade), and their failure does not fail rp_cpd_run().  The first call
 * counts; rp_cpd_postop() makes it.
 */
void rp_cpd_main_done(struct rp_compound *b);

/**
 * rp_cpd_change() - this COMPOUND changes @h (a directory's entries, an
 * object's link count or attributes): what @h kept is stale, and other
 * changes to @h in flight at the same time must not keep theirs.  One
 * ticket per handle, however often named.  Returns 0, or -E2BIG (cpd_err)
 * for more handles than RP_CPD_TICKETS.
 */
int rp_cpd_change(struct rp_compound *b, struct rp_handle *h);
/**
 * rp_cpd_postop() - PUTFH(@dir) + GETATTR, whose answer rp_cpd_run()
 * keeps on @dir (rp_postop_keep()) when the change succeeded; implies
 * rp_cpd_change(@dir) and starts the post-op part.  Returns the GETATTR's
 * index or RP_CPD_NONE.
 */
uint32_t rp_cpd_postop(struct rp_compound *b, struct rp_handle *dir);
/**
 * rp_cpd_postop_here() - rp_cpd_postop() for @dir already the current
 * handle: GETATTR only.
 */
uint32_t rp_cpd_postop_here(struct rp_compound *b, struct rp_handle *dir);

/**
 * rp_cpd_failed() - true (with *@st the status rp_cpd_run() would give)
 * when an append failed: nothing will be sent.
 */
bool rp_cpd_failed(const struct rp_compound *b, fsal_status_t *st);

/**
 * rp_cpd_run() - send the COMPOUND (rp_call()) and finish its tickets:
 * when the change succeeded each ticket with a post-op GETATTR keeps that
 * answer if the handle is a directory, every other ticket ends.  Returns
 * the change's FSAL status: success when every operation before the
 * post-op part passed; an append error's status without sending (and
 * without any ticket); rp_status() of a failed call.  cpd_ret and
 * cpd_c.sc_status say more; rp_cpd_free() is right afterwards whatever
 * happened.
 */
fsal_status_t rp_cpd_run(struct rp_compound *b);

/**
 * rp_cpd_res() - the result at @idx (an appender's index), or NULL when
 * the backend did not get that far (or @idx is RP_CPD_NONE).
 */
nfs_resop4 *rp_cpd_res(struct rp_compound *b, uint32_t idx);

/** rp_cpd_free() - free the decoded results (a no-op before run). */
void rp_cpd_free(struct rp_compound *b);

#endif /* RP_COMPOUND_H */
