/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Open state, I/O and locks of FSAL_RDMA_PROXY.
 *
 * Every Ganesha open state (one per client open-owner and file) is an
 * NFSv4.1 OPEN on the backend under an open-owner of its own, so share
 * modes reach the backend unchanged; lock states become the backend's
 * lock stateids (open_to_lock_owner on the first LOCK).  Each state
 * remembers the session client's state generation it was made in: when
 * the backend restarted or revoked state, the stateid is re-established
 * (OPEN by handle, CLAIM_FH) before it is used, and an I/O answered with
 * a stale-stateid error is retried once after re-opening.
 *
 * READ and WRITE move data straight between Ganesha's buffers and the
 * wire: the buffer is handed to the session client as the READ
 * destination (an RDMA Write chunk lands in it) or as the WRITE payload
 * (offered to the backend as an RDMA Read chunk).  No bounce copy.
 *
 * The write verifier Ganesha gives its clients is the backend's, so a
 * client learns that uncommitted data was lost when the backend restarts.
 */
#include "config.h"

#include <string.h>

#include "rp_int.h"

static atomic_uint_fast64_t rp_owner_seq;

/* Ganesha's state_t sits first in struct rp_state. */
static inline struct rp_state *rp_st(struct state_t *s)
{
	return s ? container_of(s, struct rp_state, state) : NULL;
}

struct state_t *rp_alloc_state(struct fsal_export *exp_hdl,
			       enum state_type state_type,
			       struct state_t *related_state)
{
	struct rp_state *s = gsh_calloc(1, sizeof(*s));

	pthread_mutex_init(&s->rs_lock, NULL);
	s->rs_owner_id = atomic_fetch_add(&rp_owner_seq, 1) + 1;
	atomic_init(&s->rs_refs, 1);
	glist_init(&s->rs_locks);
	glist_init(&s->rs_lock_link);
	if (state_type == STATE_TYPE_LOCK && related_state) {
		s->rs_open = rp_st(related_state);
		atomic_fetch_add(&s->rs_open->rs_refs, 1);
		pthread_mutex_lock(&s->rs_open->rs_lock);
		glist_add_tail(&s->rs_open->rs_locks, &s->rs_lock_link);
		pthread_mutex_unlock(&s->rs_open->rs_lock);
	}
	return rp_compat_state_init(&s->state, exp_hdl, state_type,
				    related_state, rp_state_free);
}

static void rp_state_put(struct rp_state *s)
{
	struct rp_state *open;

	if (atomic_fetch_sub(&s->rs_refs, 1) != 1)
		return;
	open = s->rs_open;
	if (open) { /* the open is alive: this state holds a reference */
		pthread_mutex_lock(&open->rs_lock);
		glist_del(&s->rs_lock_link);
		pthread_mutex_unlock(&open->rs_lock);
	}
	if (s->rs_lock_owner)
		rp_lock_owner_forget(&rp_module.lock_owners, s->rs_lock_owner,
				     s->rs_lock_file, s->rs_lock_owner_id);
	pthread_mutex_destroy(&s->rs_lock);
	gsh_free(s);
	if (open)
		rp_state_put(open);
}

void rp_state_free(struct state_t *state)
{
	rp_state_put(rp_st(state));
}

static void rp_owner_bytes(struct rp_state *s, const char *kind, char *buf,
			   size_t cap, u_int *len)
{
	*len = (u_int)snprintf(buf, cap, "rp-%s-%llx", kind,
			       (unsigned long long)s->rs_owner_id);
}

static uint32_t rp_share_access(fsal_openflags_t f)
{
	uint32_t a = 0;

	if (f & FSAL_O_READ)
		a |= OPEN4_SHARE_ACCESS_READ;
	if (f & FSAL_O_WRITE)
		a |= OPEN4_SHARE_ACCESS_WRITE;
	if (!a)
		a = OPEN4_SHARE_ACCESS_READ;
	/* Recalls would reach the session, not the gateway's clients. */
	return a | OPEN4_SHARE_ACCESS_WANT_NO_DELEG;
}

static uint32_t rp_share_deny(fsal_openflags_t f)
{
	uint32_t d = 0;

	if (f & FSAL_O_DENY_READ)
		d |= OPEN4_SHARE_DENY_READ;
	if (f & (FSAL_O_DENY_WRITE | FSAL_O_DENY_WRITE_MAND))
		d |= OPEN4_SHARE_DENY_WRITE;
	return d;
}

static void rp_fill_open(OPEN4args *oa, struct rp_export *ex,
			 fsal_openflags_t flags, char *owner, u_int owner_len)
{
	oa->seqid = 0; /* NFSv4.1: sequencing is the session's */
	oa->share_access = rp_share_access(flags);
	oa->share_deny = rp_share_deny(flags);
	oa->owner.clientid = rp_backend_clientid(&ex->backend);
	oa->owner.owner.owner_val = owner;
	oa->owner.owner.owner_len = owner_len;
	oa->openhow.opentype = OPEN4_NOCREATE;
}

static void rp_save_stateid(struct rp_state *s, struct rp_export *ex,
			    const stateid4 *sid, fsal_openflags_t flags)
{
	pthread_mutex_lock(&s->rs_lock);
	s->rs_sid = *sid;
	s->rs_valid = true;
	s->rs_gen = rp_backend_state_gen(&ex->backend);
	s->rs_openflags = flags;
	pthread_mutex_unlock(&s->rs_lock);
}

/* OPEN by handle under @s's owner; used to open, upgrade and re-open. */
static fsal_status_t rp_open_by_handle(struct rp_export *ex,
				       struct rp_handle *h, struct rp_state *s,
				       fsal_openflags_t flags)
{
	struct rp_compound b;
	OPEN4args *oa;
	uint32_t i_open;
	char owner[48];
	u_int owner_len;
	fsal_status_t st;

	rp_owner_bytes(s, "open", owner, sizeof(owner), &owner_len);
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, h);
	i_open = rp_cpd_open(&b, NULL, &oa);
	rp_fill_open(oa, ex, flags, owner, owner_len);
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st))
		rp_save_stateid(
		    s, ex,
		    &b.cpd_c.sc_res[i_open]
			 .nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid,
		    flags);
	rp_cpd_free(&b);
	return st;
}

/* The backend no longer knows the stateid: whatever it named is gone. */
static bool rp_state_gone(nfsstat4 st)
{
	return st == NFS4ERR_BAD_STATEID || st == NFS4ERR_EXPIRED ||
	       st == NFS4ERR_STALE_STATEID || st == NFS4ERR_ADMIN_REVOKED;
}

/*
 * CLOSE of an open stateid or FREE_STATEID of a lock stateid, appended to
 * @b, whose operations so far set the current handle (PUTFH, maybe
 * LOOKUP, maybe LOCKU), and run.  *@held (may be NULL) tells
 * NFS4ERR_LOCKS_HELD apart: the backend still holds byte-range locks
 * under the stateid (CLOSE, RFC 8881 18.2.3) or under it (FREE_STATEID,
 * 18.38.3), and nothing was released.
 */
static fsal_status_t rp_close_ops(struct rp_compound *b, const stateid4 *sid,
				  bool lock, bool *held)
{
	fsal_status_t st;

	if (held)
		*held = false;
	if (lock)
		rp_cpd_free_stateid(b, sid);
	else
		rp_cpd_close(b, sid);
	st = rp_cpd_run(b);
	if (b->cpd_ret == 0) {
		/* State the backend already forgot is closed as well. */
		if (rp_state_gone(b->cpd_c.sc_status))
			st = fsalstat(ERR_FSAL_NO_ERROR, 0);
		if (b->cpd_c.sc_status == NFS4ERR_LOCKS_HELD && held)
			*held = true;
	}
	rp_cpd_free(b);
	return st;
}

static fsal_status_t rp_close_stateid(struct rp_export *ex, struct rp_handle *h,
				      const stateid4 *sid, bool lock,
				      bool *held)
{
	struct rp_compound b;

	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, h);
	return rp_close_ops(&b, sid, lock, held);
}

/*
 * Release every byte-range lock held under lock stateid @lsid and free
 * the stateid: LOCKU of the whole file, then FREE_STATEID (RFC 8881
 * 18.38.3: a lock stateid is freed only once it holds no locks).  seqid 0
 * names the current stateid (8.2.2), whatever LOCKU made of it.
 */
static fsal_status_t rp_unlock_free(struct rp_export *ex, struct rp_handle *h,
				    const stateid4 *lsid)
{
	struct rp_compound b;
	nfs_argop4 *op;
	LOCKU4args *u;
	stateid4 sid = *lsid;

	sid.seqid = 0;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, h);
	rp_cpd_add(&b, NFS4_OP_LOCKU, &op);
	u = &op->nfs_argop4_u.oplocku;
	u->locktype = WRITE_LT; /* an unlock unlocks either kind */
	u->seqid = 0;
	u->lock_stateid = sid;
	u->offset = 0;
	u->length = NFS4_UINT64_MAX;
	return rp_close_ops(&b, &sid, true, NULL);
}

/*
 * A CLOSE of @open was refused with NFS4ERR_LOCKS_HELD: free the backend
 * locks of every lock state of this open (its lock states are taken out
 * of use: the next LOCK makes a new backend lock stateid).  Returns how
 * many lock stateids were released.
 */
static unsigned int rp_release_lock_states(struct rp_export *ex,
					   struct rp_handle *h,
					   struct rp_state *open)
{
	uint64_t gen = rp_backend_state_gen(&ex->backend);
	struct glist_head *node;
	stateid4 *sids = NULL;
	size_t n = 0, cap = 0, i;
	fsal_status_t st;

	pthread_mutex_lock(&open->rs_lock);
	glist_for_each(node, &open->rs_locks) cap++;
	if (cap)
		sids = gsh_calloc(cap, sizeof(*sids));
	glist_for_each(node, &open->rs_locks)
	{
		struct rp_state *l =
		    glist_entry(node, struct rp_state, rs_lock_link);

		pthread_mutex_lock(&l->rs_lock);
		/* one from before the backend lost its state is gone already */
		if (l->rs_valid && l->rs_gen == gen) {
			sids[n++] = l->rs_sid;
			l->rs_valid = false;
		}
		pthread_mutex_unlock(&l->rs_lock);
	}
	pthread_mutex_unlock(&open->rs_lock);
	for (i = 0; i < n; i++) {
		st = rp_unlock_free(ex, h, &sids[i]);
		if (FSAL_IS_ERROR(st))
			LogWarn(
			    COMPONENT_FSAL,
			    "RDMA_PROXY %s: releasing a lock stateid before CLOSE failed: %s",
			    ex->backend.rb_label, msg_fsal_err(st.major));
	}
	gsh_free(sids);
	return (unsigned int)n;
}

static void rp_fill_createhow(OPEN4args *oa, enum fsal_create_mode mode,
			      fattr4 *attrs, fsal_verifier_t verifier)
{
	createhow4 *how = &oa->openhow.openflag4_u.how;

	oa->openhow.opentype = OPEN4_CREATE;
	switch (mode) {
	case FSAL_UNCHECKED:
		how->mode = UNCHECKED4;
		how->createhow4_u.createattrs = *attrs;
		break;
	case FSAL_EXCLUSIVE:
	case FSAL_EXCLUSIVE_41:
		how->mode = EXCLUSIVE4_1;
		memcpy(how->createhow4_u.ch_createboth.cva_verf, verifier,
		       sizeof(verifier4));
		how->createhow4_u.ch_createboth.cva_attrs = *attrs;
		break;
	default: /* GUARDED and 9P's exclusive */
		how->mode = GUARDED4;
		how->createhow4_u.createattrs = *attrs;
		break;
	}
}

/*
 * An OPEN by name (@c; its GETFH at @i_fh) succeeded but gave nothing the
 * gateway can make an object of (GETFH or GETATTR failed, a handle too
 * long, attributes it cannot decode): close it on the backend, best
 * effort, or the open state would stay there until the gateway's client
 * ID ends.  CLOSE needs the file as current handle: GETFH's when there is
 * one, else the name looked up again (if it names another file by now,
 * the backend refuses the stateid and nothing else is closed).
 */
static void rp_close_unusable_open(struct rp_export *ex, struct rp_compound *c,
				   uint32_t i_fh, struct rp_handle *dir,
				   const char *name, const stateid4 *sid)
{
	nfs_resop4 *r = rp_cpd_res(c, i_fh);
	GETFH4res *gf = r ? &r->nfs_resop4_u.opgetfh : NULL;
	struct rp_compound b;
	fsal_status_t st;

	rp_cpd_init(&b, ex, true);
	if (gf && r->resop == NFS4_OP_GETFH && gf->status == NFS4_OK &&
	    gf->GETFH4res_u.resok4.object.nfs_fh4_len &&
	    gf->GETFH4res_u.resok4.object.nfs_fh4_len <= NFS4_FHSIZE) {
		rp_cpd_putfh_raw(
		    &b, (uint8_t *)gf->GETFH4res_u.resok4.object.nfs_fh4_val,
		    gf->GETFH4res_u.resok4.object.nfs_fh4_len);
	} else {
		rp_cpd_putfh(&b, dir);
		rp_cpd_lookup(&b, name);
	}
	st = rp_close_ops(&b, sid, false, NULL);
	if (FSAL_IS_ERROR(st))
		LogWarn(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: OPEN of %s gave no usable object, and its CLOSE failed (%s): the open stays on the backend until the gateway's client ID ends",
		    ex->backend.rb_label, name, msg_fsal_err(st.major));
	else
		LogInfo(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: OPEN of %s gave no usable object: closed it again on the backend",
		    ex->backend.rb_label, name);
}

/* OPEN (maybe CREATE) @name in directory @dir; GETFH + GETATTR after. */
static fsal_status_t
rp_open_by_name(struct rp_export *ex, struct rp_handle *dir, struct rp_state *s,
		fsal_openflags_t flags, enum fsal_create_mode mode,
		const char *name, struct fsal_attrlist *attrs_in,
		fsal_verifier_t verifier, struct fsal_obj_handle **new_obj,
		struct fsal_attrlist *attrs_out)
{
	struct rp_compound b;
	OPEN4args *oa;
	uint32_t i_open, i_fh, i_attr;
	nfs_resop4 *r;
	struct rp_state anon = {0};
	struct fsal_attrlist in;
	fattr4 fa = {0};
	char owner[48];
	u_int owner_len;
	stateid4 sid;
	bool opened;
	fsal_status_t st;

	if (!s) { /* no state to keep: open, then close right away */
		anon.rs_owner_id = atomic_fetch_add(&rp_owner_seq, 1) + 1;
		s = &anon;
	}
	rp_owner_bytes(s, "open", owner, sizeof(owner), &owner_len);
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, dir);
	i_open = rp_cpd_open(&b, name, &oa);
	if (rp_cpd_failed(&b, &st))
		return st;
	rp_fill_open(oa, ex, flags, owner, owner_len);
	if (mode != FSAL_NO_CREATE) {
		in = *attrs_in;
		if (flags & FSAL_O_TRUNC) {
			FSAL_SET_MASK(in.valid_mask, ATTR_SIZE);
			in.filesize = 0;
		}
		st = rp_attrs_to_fattr(&in, &fa);
		if (FSAL_IS_ERROR(st))
			return st;
		rp_fill_createhow(oa, mode, &fa, verifier);
	}
	i_fh = rp_cpd_getfh(&b);
	i_attr = rp_cpd_getattr(&b);
	/* a create changes dir: Ganesha asks for its attributes next */
	if (mode != FSAL_NO_CREATE)
		rp_cpd_postop(&b, dir);
	st = rp_cpd_run(&b);
	if (mode != FSAL_NO_CREATE)
		nfs4_Fattr_Free(&fa);
	/* The OPEN went through even when GETFH or GETATTR did not. */
	r = rp_cpd_res(&b, i_open);
	opened = r && r->resop == NFS4_OP_OPEN &&
		 r->nfs_resop4_u.opopen.status == NFS4_OK;
	if (opened)
		sid = r->nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
	if (!FSAL_IS_ERROR(st))
		st = rp_make_handle(ex,
				    (uint8_t *)b.cpd_c.sc_res[i_fh]
					.nfs_resop4_u.opgetfh.GETFH4res_u.resok4
					.object.nfs_fh4_val,
				    b.cpd_c.sc_res[i_fh]
					.nfs_resop4_u.opgetfh.GETFH4res_u.resok4
					.object.nfs_fh4_len,
				    &b.cpd_c.sc_res[i_attr]
					 .nfs_resop4_u.opgetattr.GETATTR4res_u
					 .resok4.obj_attributes,
				    new_obj, attrs_out);
	if (FSAL_IS_ERROR(st)) {
		/* No object to hang the open on: it must not stay open. */
		if (opened)
			rp_close_unusable_open(ex, &b, i_fh, dir, name, &sid);
	} else if (s == &anon) {
		(void)rp_close_stateid(ex, rp_hdl(*new_obj), &sid, false, NULL);
	} else {
		rp_save_stateid(s, ex, &sid, flags);
	}
	rp_cpd_free(&b);
	return st;
}

/*
 * SETATTR of @set on @h under @sid; @change: a change Ganesha's cache
 * knows nothing of (setattr2), which no post-op answer overlapping it may
 * hide (rp_cpd_change()).
 */
static fsal_status_t rp_setattr_sid(struct rp_export *ex, struct rp_handle *h,
				    const stateid4 *sid,
				    struct fsal_attrlist *set, bool change)
{
	struct rp_compound b;
	nfs_argop4 *op;
	SETATTR4args *sa;
	fsal_status_t st;

	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, h);
	rp_cpd_add(&b, NFS4_OP_SETATTR, &op);
	sa = &op->nfs_argop4_u.opsetattr;
	sa->stateid = *sid;
	if (change)
		rp_cpd_change(&b, h);
	st = rp_attrs_to_fattr(set, &sa->obj_attributes);
	if (FSAL_IS_ERROR(st))
		return st;
	st = rp_cpd_run(&b);
	nfs4_Fattr_Free(&sa->obj_attributes);
	rp_cpd_free(&b);
	return st;
}

static fsal_status_t
rp_open2(struct fsal_obj_handle *obj_hdl, struct state_t *state,
	 fsal_openflags_t openflags, enum fsal_create_mode createmode,
	 const char *name, struct fsal_attrlist *attrs_in,
	 fsal_verifier_t verifier, struct fsal_obj_handle **new_obj,
	 struct fsal_attrlist *attrs_out, bool *caller_perm_check)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *h = rp_hdl(obj_hdl);
	struct rp_state *s = rp_st(state);
	fsal_status_t st;

	if (name) {
		/* The backend checks permissions in OPEN itself. */
		*caller_perm_check = false;
		st = rp_open_by_name(ex, h, s, openflags, createmode, name,
				     attrs_in, verifier, new_obj, attrs_out);
		if (!FSAL_IS_ERROR(st) && !s)
			atomic_store(&rp_hdl(*new_obj)->global_open, true);
		return st;
	}
	*caller_perm_check = s == NULL;
	if (s) {
		st = rp_open_by_handle(ex, h, s, openflags);
		if (FSAL_IS_ERROR(st))
			return st;
	}
	if (openflags & FSAL_O_TRUNC) {
		struct fsal_attrlist trunc;
		stateid4 sid = {0};

		memset(&trunc, 0, sizeof(trunc));
		FSAL_SET_MASK(trunc.valid_mask, ATTR_SIZE);
		if (s) {
			pthread_mutex_lock(&s->rs_lock);
			sid = s->rs_sid;
			pthread_mutex_unlock(&s->rs_lock);
		}
		st = rp_setattr_sid(ex, h, &sid, &trunc, false);
		if (FSAL_IS_ERROR(st))
			return st;
	}
	if (!s)
		atomic_store(&h->global_open, true);
	if (new_obj)
		*new_obj = obj_hdl;
	if (attrs_out)
		return obj_hdl->obj_ops->getattrs(obj_hdl, attrs_out);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/*
 * Opens without a state hold nothing on the backend (I/O uses the
 * anonymous stateid), so closing one only settles Ganesha's count.
 */
static fsal_status_t rp_close(struct fsal_obj_handle *obj_hdl)
{
	if (!atomic_exchange(&rp_hdl(obj_hdl)->global_open, false))
		return fsalstat(ERR_FSAL_NOT_OPENED, 0);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_openflags_t rp_status2(struct fsal_obj_handle *obj_hdl,
				   struct state_t *state)
{
	struct rp_state *s = rp_st(state);

	return s ? s->rs_openflags : FSAL_O_CLOSED;
}

/*
 * The upgrade's OPENs: every (access, deny) pair a client's OPEN could
 * have asked for to turn @old into @now (a | old access == now access,
 * likewise for deny), fewest bits first, paired up.  Ganesha's reopen2()
 * hands over only the union, but the backend lets OPEN_DOWNGRADE go only
 * to an access and a deny some OPEN of the state asked for (RFC 8881
 * 18.18.3): sending the union alone would leave, after READ then WRITE,
 * only READ and BOTH there, and a downgrade to WRITE would fail.  Each
 * OPEN's union with @old is @now, so the first one meets exactly the
 * share check the client's own OPEN would meet on the backend.  Returns
 * the number of pairs (1..4).
 */
static unsigned int rp_upgrade_pairs(fsal_openflags_t old, fsal_openflags_t now,
				     uint32_t acc[4], uint32_t deny[4])
{
	uint32_t ao = rp_share_access(old) & OPEN4_SHARE_ACCESS_BOTH;
	uint32_t an = rp_share_access(now) & OPEN4_SHARE_ACCESS_BOTH;
	uint32_t d_o = rp_share_deny(old), dn = rp_share_deny(now);
	uint32_t ca[3], cd[4], v;
	unsigned int na = 0, nd = 0, i, n;

	for (v = OPEN4_SHARE_ACCESS_READ; v <= OPEN4_SHARE_ACCESS_BOTH; v++)
		if ((v | ao) == an)
			ca[na++] = v;
	for (v = OPEN4_SHARE_DENY_NONE; v <= OPEN4_SHARE_DENY_BOTH; v++)
		if ((v | d_o) == dn)
			cd[nd++] = v;
	if (!na) /* not an upgrade: one OPEN of what is now wanted */
		ca[na++] = an;
	if (!nd)
		cd[nd++] = dn;
	n = na > nd ? na : nd;
	for (i = 0; i < n; i++) {
		acc[i] = ca[i < na ? i : na - 1];
		deny[i] = cd[i < nd ? i : nd - 1];
	}
	return n;
}

/*
 * Open upgrade (or an OPEN of modes the state holds already) on the
 * backend: PUTFH and rp_upgrade_pairs()'s OPENs in one COMPOUND.  The
 * first OPEN decides: its error is the answer.  A later one the backend
 * refuses (Ganesha counts the state's own deny against its next OPEN)
 * only leaves that pair out of what later downgrades may reach.
 */
static fsal_status_t rp_open_upgrade(struct rp_export *ex, struct rp_handle *h,
				     struct rp_state *s, fsal_openflags_t old,
				     fsal_openflags_t now)
{
	struct rp_compound b;
	uint32_t acc[4], deny[4], i_open[4];
	unsigned int n, i;
	char owner[48];
	u_int owner_len;
	const stateid4 *sid = NULL;
	fsal_status_t st;

	n = rp_upgrade_pairs(old, now, acc, deny);
	rp_owner_bytes(s, "open", owner, sizeof(owner), &owner_len);
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, h);
	for (i = 0; i < n; i++) {
		OPEN4args *oa;

		i_open[i] = rp_cpd_open(&b, NULL, &oa);
		rp_fill_open(oa, ex, now, owner, owner_len);
		oa->share_access = acc[i] | OPEN4_SHARE_ACCESS_WANT_NO_DELEG;
		oa->share_deny = deny[i];
		/* the first OPEN decides; the others only add pairs */
		rp_cpd_main_done(&b);
	}
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st)) {
		/* the last OPEN that went through has the newest stateid */
		for (i = 0; i < n; i++) {
			nfs_resop4 *r = rp_cpd_res(&b, i_open[i]);

			if (r && r->resop == NFS4_OP_OPEN &&
			    r->nfs_resop4_u.opopen.status == NFS4_OK)
				sid = &r->nfs_resop4_u.opopen.OPEN4res_u.resok4
					   .stateid;
		}
		if (sid)
			rp_save_stateid(s, ex, sid, now);
		else
			st = fsalstat(ERR_FSAL_SERVERFAULT, 0);
	}
	rp_cpd_free(&b);
	return st;
}

/*
 * Ganesha calls reopen2() for an OPEN of a state that is open already
 * (with the union of old and new modes) and for OPEN_DOWNGRADE (with a
 * subset).  Modes that take nothing away go out as OPENs, so that the
 * backend makes the share checks, and answers, it would make for the
 * client's own OPEN; a downgrade as OPEN_DOWNGRADE on the backend's
 * stateid, which keeps the state's byte-range locks.
 */
static fsal_status_t rp_reopen2(struct fsal_obj_handle *obj_hdl,
				struct state_t *state,
				fsal_openflags_t openflags)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_state *s = rp_st(state);
	fsal_openflags_t old = s->rs_openflags & FSAL_O_OPENFLAGS;
	fsal_openflags_t want = openflags & FSAL_O_OPENFLAGS;
	uint32_t ao = rp_share_access(old) & OPEN4_SHARE_ACCESS_BOTH;
	uint32_t aw = rp_share_access(want) & OPEN4_SHARE_ACCESS_BOTH;
	uint32_t d_o = rp_share_deny(old), dw = rp_share_deny(want);
	struct rp_compound b;
	nfs_argop4 *op;
	OPEN_DOWNGRADE4args *od;
	uint32_t i_od;
	fsal_status_t st;

	bool stale;

	pthread_mutex_lock(&s->rs_lock);
	stale = !s->rs_valid || s->rs_gen != rp_backend_state_gen(&ex->backend);
	pthread_mutex_unlock(&s->rs_lock);
	/* Gone with the backend's state: open afresh as now wanted. */
	if (stale)
		return rp_open_by_handle(ex, rp_hdl(obj_hdl), s, openflags);
	/* An upgrade is another OPEN of the same owner (RFC 8881 18.16). */
	if ((aw & ao) == ao && (dw & d_o) == d_o)
		return rp_open_upgrade(ex, rp_hdl(obj_hdl), s, old, openflags);
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	i_od = rp_cpd_add(&b, NFS4_OP_OPEN_DOWNGRADE, &op);
	od = &op->nfs_argop4_u.opopen_downgrade;
	pthread_mutex_lock(&s->rs_lock);
	od->open_stateid = s->rs_sid;
	pthread_mutex_unlock(&s->rs_lock);
	od->seqid = 0;
	od->share_access = aw;
	od->share_deny = dw;
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st))
		rp_save_stateid(s, ex,
				&b.cpd_c.sc_res[i_od]
				     .nfs_resop4_u.opopen_downgrade
				     .OPEN_DOWNGRADE4res_u.resok4.open_stateid,
				openflags);
	rp_cpd_free(&b);
	return st;
}

/*
 * A lock state's backend lock stateid is usable: made in this state
 * generation.  One from before a backend restart or revocation is dropped:
 * the locks it named are gone, the next LOCK makes a new lock owner.
 */
static bool rp_lock_live(struct rp_export *ex, struct rp_state *s)
{
	uint64_t gen = rp_backend_state_gen(&ex->backend);
	bool live;

	pthread_mutex_lock(&s->rs_lock);
	if (s->rs_valid && s->rs_gen != gen)
		s->rs_valid = false;
	live = s->rs_valid;
	pthread_mutex_unlock(&s->rs_lock);
	return live;
}

/*
 * The stateid an I/O goes out with.  An open state made before the
 * backend lost its state is re-opened first.  Returns false when the
 * state could not be re-established (@st says why).
 */
bool rp_io_stateid(struct rp_export *ex, struct rp_handle *h,
		   struct state_t *state, bool bypass, stateid4 *sid,
		   fsal_status_t *st)
{
	struct rp_state *s = rp_st(state);

	memset(sid, 0, sizeof(*sid));
	if (bypass) { /* all-ones: READ bypasses share reservations */
		sid->seqid = NFS4_UINT32_MAX;
		memset(sid->other, 0xff, sizeof(sid->other));
		return true;
	}
	if (s && s->state.state_type == STATE_TYPE_LOCK && !rp_lock_live(ex, s))
		s = s->rs_open; /* no (live) backend lock: its open's stateid */
	if (!s || !s->rs_valid)
		return true; /* anonymous stateid */
	if (s->rs_gen != rp_backend_state_gen(&ex->backend) &&
	    s->state.state_type != STATE_TYPE_LOCK) {
		atomic_fetch_add(&ex->stats.rst_reopens, 1);
		*st = rp_open_by_handle(ex, h, s, s->rs_openflags);
		if (FSAL_IS_ERROR(*st))
			return false;
	}
	pthread_mutex_lock(&s->rs_lock);
	*sid = s->rs_sid;
	pthread_mutex_unlock(&s->rs_lock);
	/*
	 * seqid 0: "the current stateid" (RFC 8881 8.2.2), so an I/O that
	 * raced an upgrade or a re-open of the same state is not refused
	 * with NFS4ERR_OLD_STATEID.
	 */
	sid->seqid = 0;
	return true;
}

bool rp_stale_state(int ret, const struct sess_compound *c)
{
	if (ret)
		return false;
	switch (c->sc_status) {
	case NFS4ERR_BAD_STATEID:
	case NFS4ERR_OLD_STATEID:
	case NFS4ERR_STALE_STATEID:
	case NFS4ERR_EXPIRED:
	case NFS4ERR_ADMIN_REVOKED:
	case NFS4ERR_DELEG_REVOKED:
		return true;
	default:
		return false;
	}
}

/* Forget a state the backend refused so the next use re-opens it. */
void rp_mark_stale(struct state_t *state)
{
	struct rp_state *s = rp_st(state);

	if (!s)
		return;
	pthread_mutex_lock(&s->rs_lock);
	if (s->state.state_type == STATE_TYPE_LOCK)
		s->rs_valid = false; /* I/O falls back to the open's stateid */
	else
		s->rs_gen = UINT64_MAX; /* re-opened before its next use */
	pthread_mutex_unlock(&s->rs_lock);
}

static void rp_remember_verifier(struct rp_export *ex, const verifier4 v)
{
	pthread_mutex_lock(&ex->verf_lock);
	memcpy(ex->write_verf, v, sizeof(verifier4));
	pthread_mutex_unlock(&ex->verf_lock);
}

static fsal_status_t rp_read_one(struct rp_export *ex, struct rp_handle *h,
				 struct fsal_io_arg *ra, bool bypass, void *buf,
				 size_t len, uint64_t off, size_t *got,
				 bool *eof)
{
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	int tries;

	for (tries = 0; tries < RP_REOPEN_TRIES; tries++) {
		struct rp_compound b;
		READ4resok *ok;
		stateid4 sid;
		uint32_t i_rd;

		if (!rp_io_stateid(ex, h, ra->state, bypass, &sid, &st))
			return st;
		rp_cpd_init(&b, ex, false);
		rp_cpd_putfh(&b, h);
		i_rd = rp_cpd_read(&b, &sid, off, (count4)len, buf);
		st = rp_cpd_run(&b);
		if (rp_stale_state(b.cpd_ret, &b.cpd_c) && ra->state) {
			rp_cpd_free(&b);
			rp_mark_stale(ra->state);
			continue;
		}
		if (!FSAL_IS_ERROR(st)) {
			ok = &b.cpd_c.sc_res[i_rd]
				  .nfs_resop4_u.opread.READ4res_u.resok4;
			if (ok->data.data_len > len) {
				st = fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
			} else {
				*got = ok->data.data_len;
				*eof = ok->eof;
			}
		}
		rp_cpd_free(&b);
		return st;
	}
	return fsalstat(ERR_FSAL_DELAY, EAGAIN);
}

/* rp_compat_read_plus() could not tell an NFSv4.2 read: logged once */
static atomic_bool rp_rplus_unsure;

static void rp_read2(struct fsal_obj_handle *obj_hdl, bool bypass,
		     fsal_async_cb done_cb, struct fsal_io_arg *read_arg,
		     void *caller_arg)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *h = rp_hdl(obj_hdl);
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	uint64_t off = read_arg->offset;
	uint32_t limit = rp_backend_io_limit(&ex->backend, ex->conf.max_read);
	bool eof = false;
	int i, rplus;

	read_arg->io_amount = 0;
	/*
	 * READ_PLUS: Ganesha (4.3 and 6.5) builds its reply from an io_info
	 * of its own that no FSAL can reach, so any data we read would go
	 * out as zero bytes at offset 0 (the 6.12 kernel client's EIO).
	 * Refuse it; clients fall back to READ.  When the operation cannot
	 * be told (Ganesha 4.3's request not as its headers lay it out),
	 * fail the read rather than risk an empty NFS4_OK.
	 */
	rplus = rp_compat_read_plus(read_arg);
	if (rplus != 0) {
		if (rplus < 0 && !atomic_exchange(&rp_rplus_unsure, true))
			LogCrit(
			    COMPONENT_FSAL,
			    "RDMA_PROXY: cannot tell READ from READ_PLUS in this Ganesha: NFSv4.2 reads fail (mount vers=4.1)");
		done_cb(obj_hdl,
			fsalstat(rplus > 0 ? ERR_FSAL_NOTSUPP
					   : ERR_FSAL_SERVERFAULT,
				 0),
			read_arg, caller_arg);
		return;
	}
	for (i = 0; i < read_arg->iov_count && !eof; i++) {
		size_t len = read_arg->iov[i].iov_len, got = 0;

		if (len > limit)
			len = limit;
		st = rp_read_one(ex, h, read_arg, bypass,
				 read_arg->iov[i].iov_base, len, off, &got,
				 &eof);
		if (FSAL_IS_ERROR(st))
			break;
		read_arg->io_amount += got;
		off += got;
		if (got < read_arg->iov[i].iov_len)
			break; /* short read: the rest is past what we got */
	}
	atomic_fetch_add(&ex->stats.rst_read_bytes, read_arg->io_amount);
	read_arg->end_of_file = eof;
	done_cb(obj_hdl, st, read_arg, caller_arg);
}

static fsal_status_t rp_write_one(struct rp_export *ex, struct rp_handle *h,
				  struct fsal_io_arg *wa,
				  const struct iovec *iov, size_t len,
				  uint64_t off, size_t *done, bool *stable)
{
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	int tries;

	for (tries = 0; tries < RP_REOPEN_TRIES; tries++) {
		struct iovec one = {.iov_base = iov->iov_base, .iov_len = len};
		struct rp_compound b;
		WRITE4resok *ok;
		stateid4 sid;
		uint32_t i_wr;

		if (!rp_io_stateid(ex, h, wa->state, false, &sid, &st))
			return st;
		rp_cpd_init(&b, ex, true);
		rp_cpd_putfh(&b, h);
		i_wr = rp_cpd_write(&b, &sid, off,
				    *stable ? FILE_SYNC4 : UNSTABLE4, &one);
		st = rp_cpd_run(&b);
		if (rp_stale_state(b.cpd_ret, &b.cpd_c) && wa->state) {
			rp_cpd_free(&b);
			rp_mark_stale(wa->state);
			continue;
		}
		if (!FSAL_IS_ERROR(st)) {
			ok = &b.cpd_c.sc_res[i_wr]
				  .nfs_resop4_u.opwrite.WRITE4res_u.resok4;
			if (ok->count > len) {
				st = fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
			} else {
				*done = ok->count;
				*stable = ok->committed != UNSTABLE4;
				rp_remember_verifier(ex, ok->writeverf);
			}
		}
		rp_cpd_free(&b);
		return st;
	}
	return fsalstat(ERR_FSAL_DELAY, EAGAIN);
}

static void rp_write2(struct fsal_obj_handle *obj_hdl, bool bypass,
		      fsal_async_cb done_cb, struct fsal_io_arg *write_arg,
		      void *caller_arg)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *h = rp_hdl(obj_hdl);
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	uint64_t off = write_arg->offset;
	uint32_t limit = rp_backend_io_limit(&ex->backend, ex->conf.max_write);
	/*
	 * Ganesha 4.3 gives NFSv3 clients its own boot verifier, not the
	 * export's: they could not see the backend lose unstable data, so
	 * their writes go to stable storage.
	 */
	bool want_stable =
	    write_arg->fsal_stable || (op_ctx && op_ctx->nfs_vers == NFS_V3);
	bool all_stable = true;
	int i;

	write_arg->io_amount = 0;
	for (i = 0; i < write_arg->iov_count; i++) {
		size_t len = write_arg->iov[i].iov_len, done = 0;
		bool stable = want_stable;

		if (len > limit)
			len = limit;
		st = rp_write_one(ex, h, write_arg, &write_arg->iov[i], len,
				  off, &done, &stable);
		if (FSAL_IS_ERROR(st))
			break;
		all_stable = all_stable && stable;
		write_arg->io_amount += done;
		off += done;
		if (done < write_arg->iov[i].iov_len)
			break;
	}
	atomic_fetch_add(&ex->stats.rst_write_bytes, write_arg->io_amount);
	write_arg->fsal_stable = all_stable;
	done_cb(obj_hdl, st, write_arg, caller_arg);
}

static fsal_status_t rp_commit2(struct fsal_obj_handle *obj_hdl, off_t offset,
				size_t len)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_compound b;
	uint32_t i_commit;
	fsal_status_t st;

	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	i_commit = rp_cpd_commit(&b, (offset4)offset, (count4)len);
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st))
		rp_remember_verifier(
		    ex,
		    b.cpd_c.sc_res[i_commit]
			.nfs_resop4_u.opcommit.COMMIT4res_u.resok4.writeverf);
	rp_cpd_free(&b);
	return st;
}

static fsal_status_t rp_close2(struct fsal_obj_handle *obj_hdl,
			       struct state_t *state)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *h = rp_hdl(obj_hdl);
	struct rp_state *s = rp_st(state);
	bool lock = state->state_type == STATE_TYPE_LOCK;
	unsigned int released;
	fsal_status_t st;
	stateid4 sid;
	bool valid, held;

	pthread_mutex_lock(&s->rs_lock);
	valid = s->rs_valid;
	sid = s->rs_sid;
	s->rs_valid = false;
	s->rs_openflags = FSAL_O_CLOSED;
	pthread_mutex_unlock(&s->rs_lock);
	if (!valid)
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	st = rp_close_stateid(ex, h, &sid, lock, &held);
	if (!held)
		return st;
	/*
	 * NFS4ERR_LOCKS_HELD: the backend still holds byte-range locks (a
	 * LOCKU that never reached it, say) and released nothing.  Ganesha
	 * does not let its own clients close with locks held, so these are
	 * the gateway's leftovers: free them and try once more.
	 */
	if (lock) {
		st = rp_unlock_free(ex, h, &sid);
		released = 1;
	} else {
		released = rp_release_lock_states(ex, h, s);
		st = rp_close_stateid(ex, h, &sid, false, &held);
	}
	if (!FSAL_IS_ERROR(st)) {
		LogDebug(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: %s went through once %u lock stateid(s) were released",
		    ex->backend.rb_label, lock ? "FREE_STATEID" : "CLOSE",
		    released);
		return st;
	}
	/*
	 * Still refused: say so, and keep the state valid so that it is not
	 * forgotten as if closed - a later close2 of it tries again, and
	 * failing that the backend frees it with the gateway's client ID.
	 */
	LogWarn(
	    COMPONENT_FSAL,
	    "RDMA_PROXY %s: backend %s state (stateid %08x:%02x%02x%02x%02x...) still refused after releasing %u lock stateid(s): %s; it stays open on the backend",
	    ex->backend.rb_label, lock ? "lock" : "open", sid.seqid,
	    (uint8_t)sid.other[0], (uint8_t)sid.other[1], (uint8_t)sid.other[2],
	    (uint8_t)sid.other[3], released, msg_fsal_err(st.major));
	pthread_mutex_lock(&s->rs_lock);
	s->rs_valid = true;
	pthread_mutex_unlock(&s->rs_lock);
	return st;
}

static fsal_status_t rp_setattr2(struct fsal_obj_handle *obj_hdl, bool bypass,
				 struct state_t *state,
				 struct fsal_attrlist *attrib_set)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *h = rp_hdl(obj_hdl);
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	stateid4 sid;

	/* time_metadata is read-only in NFSv4; the backend sets it. */
	FSAL_UNSET_MASK(attrib_set->valid_mask, ATTR_CTIME);
	if (FSAL_TEST_MASK(attrib_set->valid_mask, ATTR_MODE))
		attrib_set->mode &=
		    ~op_ctx->fsal_export->exp_ops.fs_umask(op_ctx->fsal_export);
	if (!rp_io_stateid(ex, h, state, false, &sid, &st))
		return st;
	/*
	 * A change that brings no answer - but one in flight, so that a
	 * create in this directory overlapping it keeps no attributes the
	 * backend may have taken before the setattr ran.
	 */
	return rp_setattr_sid(ex, h, &sid, attrib_set, true);
}

/* The backend's lock owner named by @id (rp_lock_owner.c), in @buf. */
static void rp_lock_owner(struct rp_export *ex, uint64_t id, lock_owner4 *lo,
			  char *buf, size_t cap)
{
	int n = rp_lock_owner_name(&rp_module.lock_owners, id, buf, cap);

	lo->clientid = rp_backend_clientid(&ex->backend);
	lo->owner.owner_len = n > 0 ? (u_int)n : 0;
	lo->owner.owner_val = buf;
}

/*
 * The id of lock state @s's backend owner: made, and noted under
 * Ganesha's @owner and file @h for LOCKT, by the first LOCK.
 */
static uint64_t rp_state_lock_owner(struct rp_state *s, const void *owner,
				    const struct rp_handle *h)
{
	uint64_t id;

	pthread_mutex_lock(&s->rs_lock);
	if (!s->rs_lock_owner_id) {
		s->rs_lock_owner_id =
		    rp_lock_owner_new_id(&rp_module.lock_owners);
		if (rp_lock_owner_note(&rp_module.lock_owners, owner, h,
				       s->rs_lock_owner_id) == 0) {
			s->rs_lock_owner = owner;
			s->rs_lock_file = h;
		}
	}
	id = s->rs_lock_owner_id;
	pthread_mutex_unlock(&s->rs_lock);
	return id;
}

static void rp_fill_conflict(const LOCK4denied *d, fsal_lock_param_t *out)
{
	if (!out)
		return;
	out->lock_type = d->locktype == READ_LT || d->locktype == READW_LT
			     ? FSAL_LOCK_R
			     : FSAL_LOCK_W;
	out->lock_start = d->offset;
	out->lock_length = d->length == NFS4_UINT64_MAX ? 0 : d->length;
}

static fsal_status_t rp_lock_op2(struct fsal_obj_handle *obj_hdl,
				 struct state_t *state, void *owner,
				 fsal_lock_op_t lock_op, fsal_lock_param_t *req,
				 fsal_lock_param_t *conflict)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *h = rp_hdl(obj_hdl);
	struct rp_state *s = rp_st(state);
	struct rp_compound b;
	nfs_argop4 *op;
	uint32_t i_lock = RP_CPD_NONE;
	nfs_lock_type4 type =
	    req->lock_type == FSAL_LOCK_R ? READ_LT : WRITE_LT;
	length4 length = req->lock_length ? req->lock_length : NFS4_UINT64_MAX;
	char obuf[RP_LOCK_OWNER_NAME_MAX];
	fsal_status_t st;

	if (conflict)
		conflict->lock_type = FSAL_NO_LOCK;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, h);
	if (lock_op == FSAL_OP_LOCKT) {
		LOCKT4args *a;

		i_lock = rp_cpd_add(&b, NFS4_OP_LOCKT, &op);
		a = &op->nfs_argop4_u.oplockt;
		a->locktype = type;
		a->offset = req->lock_start;
		a->length = length;
		rp_lock_owner(
		    ex, rp_lock_owner_lookup(&rp_module.lock_owners, owner, h),
		    &a->owner, obuf, sizeof(obuf));
		b.cpd_c.sc_cachethis = false;
	} else if (lock_op == FSAL_OP_UNLOCK) {
		LOCKU4args *a;

		/* Locks lost with the backend's state are already gone. */
		if (!s || !rp_lock_live(ex, s))
			return fsalstat(ERR_FSAL_NO_ERROR, 0);
		i_lock = rp_cpd_add(&b, NFS4_OP_LOCKU, &op);
		a = &op->nfs_argop4_u.oplocku;
		a->locktype = type;
		a->seqid = 0;
		pthread_mutex_lock(&s->rs_lock);
		a->lock_stateid = s->rs_sid;
		pthread_mutex_unlock(&s->rs_lock);
		a->offset = req->lock_start;
		a->length = length;
	} else if (lock_op == FSAL_OP_LOCK || lock_op == FSAL_OP_LOCKB) {
		LOCK4args *a;
		stateid4 open_sid;

		if (!s || s->state.state_type != STATE_TYPE_LOCK)
			return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
		i_lock = rp_cpd_add(&b, NFS4_OP_LOCK, &op);
		a = &op->nfs_argop4_u.oplock;
		a->locktype = type;
		/* The backend is not in grace for the gateway's restart. */
		a->reclaim = false;
		a->offset = req->lock_start;
		a->length = length;
		if (rp_lock_live(ex, s)) {
			/* this owner already holds a lock stateid on the file
			 */
			a->locker.new_lock_owner = false;
			pthread_mutex_lock(&s->rs_lock);
			a->locker.locker4_u.lock_owner.lock_stateid = s->rs_sid;
			pthread_mutex_unlock(&s->rs_lock);
			a->locker.locker4_u.lock_owner.lock_seqid = 0;
		} else {
			/* first lock (or first since the backend lost state) */
			if (!rp_io_stateid(ex, h, state, false, &open_sid, &st))
				return st;
			a->locker.new_lock_owner = true;
			a->locker.locker4_u.open_owner.open_seqid = 0;
			a->locker.locker4_u.open_owner.open_stateid = open_sid;
			a->locker.locker4_u.open_owner.lock_seqid = 0;
			rp_lock_owner(
			    ex, rp_state_lock_owner(s, owner, h),
			    &a->locker.locker4_u.open_owner.lock_owner, obuf,
			    sizeof(obuf));
		}
	} else {
		/* No blocking locks: nothing is ever waiting to cancel. */
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	}

	st = rp_cpd_run(&b);
	if (b.cpd_ret == 0 && b.cpd_c.sc_status == NFS4ERR_DENIED) {
		nfs_resop4 *r = rp_cpd_res(&b, i_lock);

		/* the LOCK or LOCKT itself, not the PUTFH, was refused */
		if (r && b.cpd_c.sc_nres == i_lock + 1)
			rp_fill_conflict(
			    lock_op == FSAL_OP_LOCKT
				? &r->nfs_resop4_u.oplockt.LOCKT4res_u.denied
				: &r->nfs_resop4_u.oplock.LOCK4res_u.denied,
			    conflict);
		rp_cpd_free(&b);
		/*
		 * Ganesha turns ERR_FSAL_ACCESS into a lock conflict: the
		 * client gets NFS4ERR_DENIED with @conflict (LOCK and LOCKT
		 * alike), and a blocking request waits.
		 */
		return fsalstat(ERR_FSAL_ACCESS, EAGAIN);
	}
	if (!FSAL_IS_ERROR(st) &&
	    (lock_op == FSAL_OP_LOCK || lock_op == FSAL_OP_LOCKB))
		rp_save_stateid(
		    s, ex,
		    &b.cpd_c.sc_res[i_lock]
			 .nfs_resop4_u.oplock.LOCK4res_u.resok4.lock_stateid,
		    FSAL_O_CLOSED);
	else if (!FSAL_IS_ERROR(st) && lock_op == FSAL_OP_UNLOCK) {
		pthread_mutex_lock(&s->rs_lock);
		s->rs_sid = b.cpd_c.sc_res[i_lock]
				.nfs_resop4_u.oplocku.LOCKU4res_u.lock_stateid;
		pthread_mutex_unlock(&s->rs_lock);
	}
	rp_cpd_free(&b);
	return st;
}

void rp_file_ops_init(struct fsal_obj_ops *ops, struct rp_ns_ops *ns)
{
	ns->open2 = rp_open2;
	ops->close = rp_close;
	ops->status2 = rp_status2;
	ops->reopen2 = rp_reopen2;
	ops->read2 = rp_read2;
	ops->write2 = rp_write2;
	ops->commit2 = rp_commit2;
	ops->close2 = rp_close2;
	ops->setattr2 = rp_setattr2;
	ops->lock_op2 = rp_lock_op2;
}
