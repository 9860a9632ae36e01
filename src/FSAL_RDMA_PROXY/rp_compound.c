/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The gateway's COMPOUND builder (see rp_compound.h for the contract).
 *
 * Appenders fill the session client's own nfs_argop4 (sess_codec.c encodes
 * them); the builder adds what the FSAL needs around that: result indices
 * bound where an operation is appended, the export root's backend handle
 * put in when its PUTFH is appended, errors kept until rp_cpd_run(), and
 * the post-op tickets of rp_postop.c begun and finished in one place.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rp_int.h"

void rp_cpd_init(struct rp_compound *b, struct rp_export *ex, bool cachethis)
{
	/* Only the header: the operations are zeroed as they are added. */
	memset(&b->cpd_c, 0, offsetof(struct sess_compound, sc_res));
	b->cpd_c.sc_nres = 0;
	b->cpd_c.sc_status = NFS4_OK;
	b->cpd_c.sc_args = b->cpd_ops;
	b->cpd_c.sc_cachethis = cachethis;
	b->cpd_ex = ex;
	b->cpd_nmain = RP_CPD_NONE;
	b->cpd_ntickets = 0;
	b->cpd_err = 0;
	b->cpd_ret = 0;
	b->cpd_ran = false;
}

/* Keep the first error only: it is the one the caller caused. */
static void rp_cpd_fail(struct rp_compound *b, int err)
{
	if (!b->cpd_err)
		b->cpd_err = err;
}

uint32_t rp_cpd_add(struct rp_compound *b, nfs_opnum4 op, nfs_argop4 **arg)
{
	nfs_argop4 *a = &b->cpd_scratch;
	uint32_t idx = RP_CPD_NONE;

	if (!b->cpd_err && b->cpd_c.sc_nargs >= SESS_MAX_OPS)
		rp_cpd_fail(b, -E2BIG);
	if (!b->cpd_err) {
		idx = b->cpd_c.sc_nargs++;
		a = &b->cpd_ops[idx];
	}
	memset(a, 0, sizeof(*a));
	a->argop = op;
	if (arg)
		*arg = a;
	return idx;
}

/* A name argument: referenced, 1..NAME_MAX bytes. */
static void rp_cpd_name(struct rp_compound *b, component4 *c, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NAME_MAX) {
		rp_cpd_fail(b, -ENAMETOOLONG);
		return;
	}
	c->utf8string_len = (u_int)len;
	c->utf8string_val = (char *)name;
}

uint32_t rp_cpd_putfh_raw(struct rp_compound *b, const uint8_t *fh,
			  uint32_t len)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_PUTFH, &a);

	a->nfs_argop4_u.opputfh.object.nfs_fh4_len = len;
	a->nfs_argop4_u.opputfh.object.nfs_fh4_val = (char *)fh;
	return idx;
}

#define RP_MAX_PATH_OPS (SESS_MAX_OPS - 3)

/*
 * The export root's backend handle (Backend_Path), looked up once:
 * PUTROOTFH, LOOKUP of each component, GETFH, GETATTR (its fsid and
 * fileid: rp_root.c recognises the root by them too).  Returns 0,
 * rp_call()'s negative errno, or a positive nfsstat4 when the backend
 * refused the lookup or the path cannot be looked up.
 */
static int rp_resolve_root(struct rp_export *ex)
{
	struct rp_compound b;
	struct sess_compound *c = &b.cpd_c;
	char path[1025], *comp, *save = NULL;
	struct fsal_attrlist attrs;
	uint32_t i_fh, i_attr;
	GETFH4resok *fh;
	fsal_status_t st;
	int ret;

	if (strlen(ex->conf.backend_path) >= sizeof(path))
		return NFS4ERR_NAMETOOLONG;
	strcpy(path, ex->conf.backend_path);
	rp_cpd_init(&b, ex, false);
	rp_cpd_putrootfh(&b);
	for (comp = strtok_r(path, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (c->sc_nargs >= RP_MAX_PATH_OPS || strcmp(comp, "..") == 0)
			return NFS4ERR_INVAL;
		rp_cpd_lookup(&b, comp);
		if (b.cpd_err)
			return NFS4ERR_NAMETOOLONG;
	}
	i_fh = rp_cpd_getfh(&b);
	i_attr = rp_cpd_getattr(&b);
	/* not rp_cpd_run(): that would resolve the root first */
	ret = rp_call(ex, c);
	if (ret)
		return ret;
	if (c->sc_status != NFS4_OK) {
		LogWarn(COMPONENT_FSAL, "RDMA_PROXY %s: Backend_Path %s: %s",
			ex->backend.rb_label, ex->conf.backend_path,
			sess_nfsstat_str(c->sc_status));
		ret = c->sc_status;
		sess_compound_free(c);
		return ret;
	}
	fh = &c->sc_res[i_fh].nfs_resop4_u.opgetfh.GETFH4res_u.resok4;
	if (fh->object.nfs_fh4_len == 0 ||
	    fh->object.nfs_fh4_len > NFS4_FHSIZE) {
		sess_compound_free(c);
		return NFS4ERR_BADHANDLE;
	}
	/*
	 * A backend whose handles do not fit ours cannot be served: say so
	 * loudly once, and answer every use of the export with an error.
	 */
	if (fh->object.nfs_fh4_len > RP_FH_MAX) {
		rp_log_big_handle(ex, fh->object.nfs_fh4_len);
		sess_compound_free(c);
		return NFS4ERR_SERVERFAULT;
	}
	/* its fsid and fileid too: roots are recognised by them as well */
	fsal_prepare_attrs(&attrs, ATTR_FSID | ATTR_FILEID);
	st = rp_fattr_to_attrs(
	    &c->sc_res[i_attr]
		 .nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes,
	    &attrs);
	rp_root_set(ex, (const uint8_t *)fh->object.nfs_fh4_val,
		    fh->object.nfs_fh4_len, FSAL_IS_ERROR(st) ? NULL : &attrs);
	fsal_release_attrs(&attrs);
	sess_compound_free(c);
	return 0;
}

uint32_t rp_cpd_putfh(struct rp_compound *b, const struct rp_handle *h)
{
	const uint8_t *fh;
	uint32_t len;
	int ret;

	if (!h->is_root)
		return rp_cpd_putfh_raw(b, h->fh, h->fh_len);
	if (b->cpd_err)
		return RP_CPD_NONE;
	/* The root is resolved once per export, then never changes. */
	ret = rp_root_known(b->cpd_ex) ? 0 : rp_resolve_root(b->cpd_ex);
	if (ret == 0 && !rp_root_fh(b->cpd_ex, &fh, &len))
		ret = -EAGAIN; /* another thread's resolution failed */
	if (ret) {
		rp_cpd_fail(b, ret == -ENOENT ? -EAGAIN : ret);
		return RP_CPD_NONE;
	}
	return rp_cpd_putfh_raw(b, fh, len);
}

uint32_t rp_cpd_putrootfh(struct rp_compound *b)
{
	return rp_cpd_add(b, NFS4_OP_PUTROOTFH, NULL);
}

uint32_t rp_cpd_getfh(struct rp_compound *b)
{
	return rp_cpd_add(b, NFS4_OP_GETFH, NULL);
}

uint32_t rp_cpd_getattr(struct rp_compound *b)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_GETATTR, &a);

	rp_attr_bitmap(&a->nfs_argop4_u.opgetattr.attr_request, false);
	return idx;
}

uint32_t rp_cpd_savefh(struct rp_compound *b)
{
	return rp_cpd_add(b, NFS4_OP_SAVEFH, NULL);
}

uint32_t rp_cpd_restorefh(struct rp_compound *b)
{
	return rp_cpd_add(b, NFS4_OP_RESTOREFH, NULL);
}

uint32_t rp_cpd_lookup(struct rp_compound *b, const char *name)
{
	nfs_argop4 *a;
	uint32_t idx;

	if (strcmp(name, "..") == 0)
		return rp_cpd_add(b, NFS4_OP_LOOKUPP, NULL);
	idx = rp_cpd_add(b, NFS4_OP_LOOKUP, &a);
	rp_cpd_name(b, &a->nfs_argop4_u.oplookup.objname, name);
	return b->cpd_err ? RP_CPD_NONE : idx;
}

uint32_t rp_cpd_create(struct rp_compound *b, const createtype4 *type,
		       const char *name, CREATE4args **arg)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_CREATE, &a);

	a->nfs_argop4_u.opcreate.objtype = *type;
	rp_cpd_name(b, &a->nfs_argop4_u.opcreate.objname, name);
	if (arg)
		*arg = &a->nfs_argop4_u.opcreate;
	return b->cpd_err ? RP_CPD_NONE : idx;
}

uint32_t rp_cpd_remove(struct rp_compound *b, const char *name)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_REMOVE, &a);

	rp_cpd_name(b, &a->nfs_argop4_u.opremove.target, name);
	return b->cpd_err ? RP_CPD_NONE : idx;
}

uint32_t rp_cpd_rename(struct rp_compound *b, const char *from, const char *to)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_RENAME, &a);

	rp_cpd_name(b, &a->nfs_argop4_u.oprename.oldname, from);
	rp_cpd_name(b, &a->nfs_argop4_u.oprename.newname, to);
	return b->cpd_err ? RP_CPD_NONE : idx;
}

uint32_t rp_cpd_link(struct rp_compound *b, const char *name)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_LINK, &a);

	rp_cpd_name(b, &a->nfs_argop4_u.oplink.newname, name);
	return b->cpd_err ? RP_CPD_NONE : idx;
}

uint32_t rp_cpd_open(struct rp_compound *b, const char *name, OPEN4args **arg)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_OPEN, &a);
	OPEN4args *oa = &a->nfs_argop4_u.opopen;

	if (name) {
		oa->claim.claim = CLAIM_NULL;
		rp_cpd_name(b, &oa->claim.open_claim4_u.file, name);
	} else {
		oa->claim.claim = CLAIM_FH;
	}
	*arg = oa;
	return b->cpd_err ? RP_CPD_NONE : idx;
}

uint32_t rp_cpd_close(struct rp_compound *b, const stateid4 *sid)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_CLOSE, &a);

	a->nfs_argop4_u.opclose.seqid = 0; /* NFSv4.1: the session's */
	a->nfs_argop4_u.opclose.open_stateid = *sid;
	return idx;
}

uint32_t rp_cpd_free_stateid(struct rp_compound *b, const stateid4 *sid)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_FREE_STATEID, &a);

	a->nfs_argop4_u.opfree_stateid.fsa_stateid = *sid;
	return idx;
}

uint32_t rp_cpd_read(struct rp_compound *b, const stateid4 *sid, uint64_t off,
		     uint32_t count, void *buf)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_READ, &a);

	a->nfs_argop4_u.opread.stateid = *sid;
	a->nfs_argop4_u.opread.offset = off;
	a->nfs_argop4_u.opread.count = count;
	/* the data lands in @buf: an RDMA Write chunk, no bounce copy */
	b->cpd_c.sc_bulk_in = buf;
	b->cpd_c.sc_bulk_in_cap = count;
	return idx;
}

uint32_t rp_cpd_write(struct rp_compound *b, const stateid4 *sid, uint64_t off,
		      stable_how4 stable, const struct iovec *iov)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_WRITE, &a);
	WRITE4args *w = &a->nfs_argop4_u.opwrite;

	w->stateid = *sid;
	w->offset = off;
	w->stable = stable;
	/*
	 * The data itself goes as sc_bulk_out, offered to the backend from
	 * the caller's memory; opwrite.data only counts it (its pointer is
	 * a char * in Ganesha 4.3, an iovec in 6.x, and unused either way).
	 */
	w->data.data_len = (u_int)iov->iov_len;
	b->cpd_c.sc_bulk_out = iov;
	b->cpd_c.sc_bulk_out_cnt = 1;
	b->cpd_c.sc_bulk_out_len = iov->iov_len;
	return idx;
}

uint32_t rp_cpd_commit(struct rp_compound *b, uint64_t off, uint32_t count)
{
	nfs_argop4 *a;
	uint32_t idx = rp_cpd_add(b, NFS4_OP_COMMIT, &a);

	a->nfs_argop4_u.opcommit.offset = off;
	a->nfs_argop4_u.opcommit.count = count;
	return idx;
}

/* @h's ticket slot (added when new), or NULL when there is no room. */
static struct rp_cpd_ticket *rp_cpd_ticket(struct rp_compound *b,
					   struct rp_handle *h)
{
	struct rp_cpd_ticket *t;
	uint32_t i;

	/*
	 * One handle, one ticket: a second one on the same directory (a
	 * rename inside it) would make the first look overtaken.
	 */
	for (i = 0; i < b->cpd_ntickets; i++)
		if (b->cpd_tickets[i].ct_h == h)
			return &b->cpd_tickets[i];
	if (b->cpd_ntickets >= RP_CPD_TICKETS) {
		rp_cpd_fail(b, -E2BIG);
		return NULL;
	}
	t = &b->cpd_tickets[b->cpd_ntickets++];
	t->ct_h = h;
	t->ct_getattr = RP_CPD_NONE;
	t->ct_seq = 0;
	return t;
}

int rp_cpd_change(struct rp_compound *b, struct rp_handle *h)
{
	return rp_cpd_ticket(b, h) ? 0 : -E2BIG;
}

void rp_cpd_main_done(struct rp_compound *b)
{
	if (b->cpd_nmain == RP_CPD_NONE && !b->cpd_err)
		b->cpd_nmain = b->cpd_c.sc_nargs;
}

uint32_t rp_cpd_postop_here(struct rp_compound *b, struct rp_handle *dir)
{
	struct rp_cpd_ticket *t = rp_cpd_ticket(b, dir);
	uint32_t idx;

	rp_cpd_main_done(b);
	idx = rp_cpd_getattr(b);
	/* the later GETATTR of a handle is its later state */
	if (t && idx != RP_CPD_NONE)
		t->ct_getattr = idx;
	return idx;
}

uint32_t rp_cpd_postop(struct rp_compound *b, struct rp_handle *dir)
{
	rp_cpd_main_done(b);
	rp_cpd_putfh(b, dir);
	return rp_cpd_postop_here(b, dir);
}

/* The status of an append error (nothing was sent). */
static fsal_status_t rp_cpd_err_status(int err)
{
	if (err > 0) /* the backend refused the export root: its answer */
		return rp_nfs4_to_fsal((nfsstat4)err);
	if (err == -ENAMETOOLONG)
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	return rp_status(err, NULL);
}

bool rp_cpd_failed(const struct rp_compound *b, fsal_status_t *st)
{
	if (!b->cpd_err)
		return false;
	*st = rp_cpd_err_status(b->cpd_err);
	return true;
}

fsal_status_t rp_cpd_run(struct rp_compound *b)
{
	struct sess_compound *c = &b->cpd_c;
	uint32_t nmain, i;
	fsal_status_t st;
	bool ok;

	b->cpd_ran = true;
	if (b->cpd_err) {
		/* no ticket was begun: nothing to end */
		c->sc_nres = 0;
		if (b->cpd_err > 0) { /* as if the backend had answered */
			c->sc_status = (nfsstat4)b->cpd_err;
			b->cpd_ret = 0;
		} else {
			b->cpd_ret = b->cpd_err;
		}
		return rp_cpd_err_status(b->cpd_err);
	}
	/*
	 * Backend_Path confinement rests on knowing the root: a handle the
	 * backend gives for the directory at Backend_Path must become the
	 * export root (whose ".." stays put), never an ordinary handle whose
	 * LOOKUPP climbs above it.  So no COMPOUND goes out - and no handle
	 * comes back - before the root is resolved.
	 */
	if (!rp_root_known(b->cpd_ex)) {
		int ret = rp_resolve_root(b->cpd_ex);

		if (ret) {
			rp_cpd_fail(b, ret == -ENOENT ? -EAGAIN : ret);
			return rp_cpd_run(b); /* as an append error */
		}
	}
	for (i = 0; i < b->cpd_ntickets; i++)
		b->cpd_tickets[i].ct_seq =
		    rp_postop_begin(b->cpd_tickets[i].ct_h);
	b->cpd_ret = rp_call(b->cpd_ex, c);
	if (b->cpd_ret)
		c->sc_nres = 0; /* nothing decoded: rp_cpd_free() no-op */
	/*
	 * A COMPOUND stops at its first error: when the backend got past the
	 * change, all of it passed, whatever the post-op part met.
	 */
	nmain = b->cpd_nmain == RP_CPD_NONE ? c->sc_nargs : b->cpd_nmain;
	if (b->cpd_ret == 0 && c->sc_nres > nmain)
		st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	else
		st = rp_status(b->cpd_ret, c);
	ok = !FSAL_IS_ERROR(st);
	for (i = 0; i < b->cpd_ntickets; i++) {
		struct rp_cpd_ticket *t = &b->cpd_tickets[i];

		/*
		 * Only directories keep post-op attributes: a file's would
		 * also have to be forgotten by every WRITE.
		 */
		if (ok && t->ct_getattr != RP_CPD_NONE &&
		    t->ct_h->obj.type == DIRECTORY)
			rp_postop_keep(b->cpd_ex, t->ct_h, t->ct_seq, c,
				       t->ct_getattr);
		else
			rp_postop_end(t->ct_h);
	}
	return st;
}

nfs_resop4 *rp_cpd_res(struct rp_compound *b, uint32_t idx)
{
	if (idx == RP_CPD_NONE || idx >= b->cpd_c.sc_nres)
		return NULL;
	return &b->cpd_c.sc_res[idx];
}

void rp_cpd_free(struct rp_compound *b)
{
	if (b->cpd_ran && b->cpd_c.sc_nres)
		sess_compound_free(&b->cpd_c);
	b->cpd_c.sc_nres = 0;
}
