/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_compound.c, the gateway's COMPOUND builder, together
 * with the real rp_postop.c and rp_root.c.
 *
 * What it proves: every appender returns the index its operation has in
 * the results (the COMPOUNDs the FSAL builds: create, remove, rename in
 * two directories and in one, link, an open upgrade); the export root's
 * backend handle goes into its PUTFH when it is appended, resolved once;
 * every directory-change ticket is begun before the COMPOUND is sent and
 * kept or ended once it is back, on every path - success, a failure in
 * the change, a failure in the post-op part, a transport error, and an
 * append error (then nothing is sent and no ticket is taken).
 *
 * The backend is a stub of rp_call() that answers the root's resolution
 * (PUTROOTFH...) with a handle of its own, records what else was sent, checks
 * the tickets in flight, and answers every operation NFS4_OK up to an
 * operation told to fail; each GETATTR's attribute bytes carry its index,
 * which the stubbed decoder hands back as the file id.
 */
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "nfs4_acls.h"
#include "nfs4_fs_locations.h"
#include "gr_check.h"

/* ---- the backend and what rp_compound.c calls outside itself ---- */

static struct {
	int ret;	  /* rp_call()'s return */
	uint32_t fail_at; /* the operation answered fail_st, or NONE */
	nfsstat4 fail_st;
	uint32_t calls;
	nfs_opnum4 sent[SESS_MAX_OPS];
	uint32_t nsent;
	const uint8_t *putfh0; /* first PUTFH's handle bytes */
	uint32_t putfh0_len;
	struct rp_handle *watch[2]; /* handles whose po_busy is noted */
	uint32_t busy[2];	    /* their po_busy while in flight */
	uint32_t frees;		    /* sess_compound_free() calls */
	int resolve;		    /* rp_resolve_root(): 0, -errno, nfsstat4 */
	uint32_t resolves;
} be;

static char attr_bytes[SESS_MAX_OPS][4];
static const uint8_t root_fh[] = {0x52, 0x00, 0x00, 0x07};

/* rp_root.c seals wire handles; the MAC itself is test_rp_handle_mac's */
int rp_wire_seal(const struct rp_mac_key *key, uint16_t export_id, uint8_t kind,
		 const uint8_t *fh, uint32_t fh_len, uint8_t *wire, size_t cap)
{
	abort();
}

const char *sess_nfsstat_str(nfsstat4 st)
{
	return "an NFS error";
}

/* fsal_release_attrs() (inline) names them; no attributes hold any */
void nfs4_acl_release_entry(fsal_acl_t *pacl)
{
	abort();
}

void nfs4_fs_locations_release(fsal_fs_locations_t *fs_locations)
{
	abort();
}

/* PUTROOTFH, LOOKUP..., GETFH, GETATTR: rp_compound.c resolving the root */
static int resolve_root(struct sess_compound *c)
{
	GETFH4resok *fh;
	uint32_t i;

	be.resolves++;
	if (be.resolve < 0)
		return be.resolve;
	for (i = 0; i < c->sc_nargs; i++) {
		memset(&c->sc_res[i], 0, sizeof(c->sc_res[i]));
		c->sc_res[i].resop = c->sc_args[i].argop;
	}
	if (be.resolve > 0) { /* the first LOOKUP refused */
		c->sc_res[1].nfs_resop4_u.oplookup.status = be.resolve;
		c->sc_status = be.resolve;
		c->sc_nres = 2;
		return 0;
	}
	CHECK_EQ(c->sc_nargs, 5); /* Backend_Path "/export/a" */
	CHECK_EQ(c->sc_args[1].argop, NFS4_OP_LOOKUP);
	CHECK_EQ(c->sc_args[3].argop, NFS4_OP_GETFH);
	fh = &c->sc_res[3].nfs_resop4_u.opgetfh.GETFH4res_u.resok4;
	fh->object.nfs_fh4_len = sizeof(root_fh);
	fh->object.nfs_fh4_val = (char *)root_fh;
	attr_bytes[4][0] = 0x40;
	c->sc_res[4]
	    .nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes
	    .attr_vals.attrlist4_len = 4;
	c->sc_res[4]
	    .nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes
	    .attr_vals.attrlist4_val = attr_bytes[4];
	c->sc_status = NFS4_OK;
	c->sc_nres = c->sc_nargs;
	return 0;
}

int rp_call(struct rp_export *ex, struct sess_compound *c)
{
	uint32_t i;

	if (c->sc_nargs && c->sc_args[0].argop == NFS4_OP_PUTROOTFH)
		return resolve_root(c);
	be.calls++;
	be.nsent = c->sc_nargs;
	be.putfh0 = NULL;
	for (i = 0; i < c->sc_nargs; i++) {
		be.sent[i] = c->sc_args[i].argop;
		if (c->sc_args[i].argop == NFS4_OP_PUTFH && !be.putfh0) {
			be.putfh0 =
			    (const uint8_t *)c->sc_args[i]
				.nfs_argop4_u.opputfh.object.nfs_fh4_val;
			be.putfh0_len =
			    c->sc_args[i]
				.nfs_argop4_u.opputfh.object.nfs_fh4_len;
		}
	}
	for (i = 0; i < 2; i++)
		if (be.watch[i])
			be.busy[i] = be.watch[i]->po_busy;
	if (be.ret)
		return be.ret;
	c->sc_status = NFS4_OK;
	for (i = 0; i < c->sc_nargs; i++) {
		nfs_resop4 *r = &c->sc_res[i];
		GETATTR4res *g = &r->nfs_resop4_u.opgetattr;

		memset(r, 0, sizeof(*r));
		r->resop = c->sc_args[i].argop;
		/* every result starts with its status */
		g->status = i == be.fail_at ? be.fail_st : NFS4_OK;
		if (r->resop == NFS4_OP_GETATTR && g->status == NFS4_OK) {
			fattr4 *fa = &g->GETATTR4res_u.resok4.obj_attributes;

			attr_bytes[i][0] = (char)(0x40 + i);
			fa->attrmask.bitmap4_len = 1;
			fa->attr_vals.attrlist4_len = 4;
			fa->attr_vals.attrlist4_val = attr_bytes[i];
		}
		if (i == be.fail_at) {
			c->sc_status = be.fail_st;
			c->sc_nres = i + 1;
			return 0;
		}
	}
	c->sc_nres = c->sc_nargs;
	return 0;
}

void sess_compound_free(struct sess_compound *c)
{
	be.frees++;
	c->sc_nres = 0;
}

fsal_status_t rp_nfs4_to_fsal(nfsstat4 st)
{
	switch (st) {
	case NFS4_OK:
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	case NFS4ERR_NOENT:
		return fsalstat(ERR_FSAL_NOENT, ENOENT);
	case NFS4ERR_EXIST:
		return fsalstat(ERR_FSAL_EXIST, EEXIST);
	default:
		return fsalstat(ERR_FSAL_SERVERFAULT, EIO);
	}
}

fsal_status_t rp_status(int ret, const struct sess_compound *c)
{
	if (ret == -EAGAIN || ret == -EIO)
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	if (ret < 0)
		return fsalstat(ERR_FSAL_SERVERFAULT, -ret);
	return rp_nfs4_to_fsal(c->sc_status);
}

void rp_attr_bitmap(bitmap4 *bm, bool with_fh)
{
	memset(bm, 0, sizeof(*bm));
	bm->bitmap4_len = 1;
}

fsal_status_t rp_fattr_to_attrs(fattr4 *fa, struct fsal_attrlist *attrs)
{
	if (fa->attr_vals.attrlist4_len < 1)
		return fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
	attrs->fileid = (uint8_t)fa->attr_vals.attrlist4_val[0];
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/* ---- helpers ---- */

static struct rp_export *ex;

static void reset(void)
{
	memset(&be, 0, sizeof(be));
	be.fail_at = RP_CPD_NONE;
}

/* The index of the GETATTR whose answer @h would serve, or -1 for none. */
static int served(struct rp_handle *h)
{
	struct fsal_attrlist attrs;
	fsal_status_t st;

	memset(&attrs, 0, sizeof(attrs));
	if (!rp_postop_take(ex, h, &attrs, &st))
		return -1;
	return FSAL_IS_ERROR(st) ? -2 : (int)attrs.fileid - 0x40;
}

static struct rp_handle *handle(object_file_type_t type, uint8_t id)
{
	struct rp_handle *h = calloc(1, sizeof(*h));

	if (!h)
		abort();
	h->obj.type = type;
	h->fh_len = 4;
	memset(h->fh, id, 4);
	rp_postop_init(h);
	return h;
}

static void drop(struct rp_handle *h)
{
	rp_postop_fini(h);
	free(h);
}

static const createtype4 dir_type = {.type = NF4DIR};

/* PUTFH d, CREATE, GETFH, GETATTR, PUTFH d, GETATTR: rp_create_obj(). */
static void test_create(struct rp_handle *d)
{
	struct rp_compound b;
	CREATE4args *ca;
	fsal_status_t st;
	uint32_t i_fh, i_attr, i_post;

	reset();
	be.watch[0] = d;
	rp_cpd_init(&b, ex, true);
	CHECK_EQ(rp_cpd_putfh(&b, d), 0);
	CHECK_EQ(rp_cpd_create(&b, &dir_type, "newdir", &ca), 1);
	CHECK(ca == &b.cpd_ops[1].nfs_argop4_u.opcreate);
	i_fh = rp_cpd_getfh(&b);
	i_attr = rp_cpd_getattr(&b);
	i_post = rp_cpd_postop(&b, d);
	CHECK_EQ(i_fh, 2);
	CHECK_EQ(i_attr, 3);
	CHECK_EQ(i_post, 5);
	CHECK(b.cpd_c.sc_cachethis);
	/* nothing begun before the run */
	CHECK_EQ(d->po_busy, 0);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	CHECK_EQ(be.calls, 1);
	CHECK_EQ(be.nsent, 6);
	CHECK_EQ(be.sent[1], NFS4_OP_CREATE);
	CHECK_EQ(be.sent[4], NFS4_OP_PUTFH);
	CHECK_EQ(be.sent[5], NFS4_OP_GETATTR);
	CHECK_EQ(be.busy[0], 1); /* in flight while sent */
	CHECK_EQ(d->po_busy, 0); /* and over after */
	CHECK(rp_cpd_res(&b, i_fh) == &b.cpd_c.sc_res[2]);
	CHECK(rp_cpd_res(&b, 6) == NULL);
	CHECK(rp_cpd_res(&b, RP_CPD_NONE) == NULL);
	rp_cpd_free(&b);
	CHECK_EQ(be.frees, 1);
	CHECK_EQ(served(d), 5);

	/* the change failed (EXIST at CREATE): ended, nothing kept */
	reset();
	be.fail_at = 1;
	be.fail_st = NFS4ERR_EXIST;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, d);
	rp_cpd_create(&b, &dir_type, "newdir", NULL);
	rp_cpd_getfh(&b);
	rp_cpd_getattr(&b);
	rp_cpd_postop(&b, d);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_EXIST);
	CHECK_EQ(d->po_busy, 0);
	rp_cpd_free(&b);
	CHECK_EQ(served(d), -1);

	/* the post-op part failed: the change stands, nothing kept */
	reset();
	be.fail_at = 4; /* the PUTFH of the post-op part */
	be.fail_st = NFS4ERR_DELAY;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, d);
	rp_cpd_create(&b, &dir_type, "newdir", NULL);
	rp_cpd_getfh(&b);
	rp_cpd_getattr(&b);
	rp_cpd_postop(&b, d);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	CHECK_EQ(d->po_busy, 0);
	rp_cpd_free(&b);
	CHECK_EQ(served(d), -1);

	/* the transport failed: nothing decoded, ended, nothing to free */
	reset();
	be.ret = -EIO;
	be.watch[0] = d;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, d);
	rp_cpd_remove(&b, "x");
	CHECK_EQ(rp_cpd_postop_here(&b, d), 2);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_DELAY);
	CHECK_EQ(b.cpd_ret, -EIO);
	CHECK_EQ(be.busy[0], 1);
	CHECK_EQ(d->po_busy, 0);
	rp_cpd_free(&b);
	CHECK_EQ(be.frees, 0);
	CHECK_EQ(served(d), -1);
}

/* PUTFH a, SAVEFH, PUTFH b, RENAME/LINK, GETATTR, RESTOREFH, GETATTR. */
static void two(struct rp_compound *b, struct rp_handle *a, struct rp_handle *d,
		bool rename, uint32_t idx[7])
{
	rp_cpd_init(b, ex, true);
	CHECK_EQ(rp_cpd_change(b, a), 0);
	CHECK_EQ(rp_cpd_change(b, d), 0);
	idx[0] = rp_cpd_putfh(b, a);
	idx[1] = rp_cpd_savefh(b);
	idx[2] = rp_cpd_putfh(b, d);
	idx[3] = rename ? rp_cpd_rename(b, "from", "to") : rp_cpd_link(b, "l");
	idx[4] = rp_cpd_postop_here(b, d);
	idx[5] = rp_cpd_restorefh(b);
	idx[6] = rp_cpd_postop_here(b, a);
}

static void test_two(struct rp_handle *a, struct rp_handle *d,
		     struct rp_handle *file)
{
	struct rp_compound b;
	fsal_status_t st;
	uint32_t idx[7], i;

	/* a rename between two directories: both kept, each its own */
	reset();
	be.watch[0] = a;
	be.watch[1] = d;
	two(&b, a, d, true, idx);
	for (i = 0; i < 7; i++)
		CHECK_EQ(idx[i], i);
	CHECK_EQ(b.cpd_ntickets, 2);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	CHECK_EQ(be.sent[3], NFS4_OP_RENAME);
	CHECK_EQ(be.sent[5], NFS4_OP_RESTOREFH);
	CHECK_EQ(be.busy[0], 1);
	CHECK_EQ(be.busy[1], 1);
	rp_cpd_free(&b);
	CHECK_EQ(served(d), 4);
	CHECK_EQ(served(a), 6);
	CHECK_EQ(a->po_busy + d->po_busy, 0);

	/* inside one directory: one ticket (two would overtake each
	 * other), the later GETATTR kept */
	reset();
	be.watch[0] = a;
	two(&b, a, a, true, idx);
	CHECK_EQ(b.cpd_ntickets, 1);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	CHECK_EQ(be.busy[0], 1);
	rp_cpd_free(&b);
	CHECK_EQ(served(a), 6);
	CHECK_EQ(a->po_busy, 0);

	/* LINK of a file into d: the file's ticket ends, d keeps */
	reset();
	be.watch[0] = file;
	two(&b, file, d, false, idx);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	CHECK_EQ(be.sent[3], NFS4_OP_LINK);
	CHECK_EQ(be.busy[0], 1);
	rp_cpd_free(&b);
	CHECK_EQ(served(d), 4);
	CHECK_EQ(served(file), -1);
	CHECK_EQ(file->po_busy, 0);

	/* failing midway (the RENAME): every ticket ends */
	reset();
	be.fail_at = 3;
	be.fail_st = NFS4ERR_NOENT;
	two(&b, a, d, true, idx);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_NOENT);
	CHECK_EQ(b.cpd_c.sc_nres, 4);
	rp_cpd_free(&b);
	CHECK_EQ(a->po_busy + d->po_busy, 0);
	CHECK_EQ(served(a), -1);
	CHECK_EQ(served(d), -1);

	/* the second post-op GETATTR not reached: d keeps, a ends */
	reset();
	be.fail_at = 5;
	be.fail_st = NFS4ERR_DELAY;
	two(&b, a, d, true, idx);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	rp_cpd_free(&b);
	CHECK_EQ(a->po_busy + d->po_busy, 0);
	CHECK_EQ(served(d), 4);
	CHECK_EQ(served(a), -1);
}

/* A change that brings no answer (setattr): begun, ended, drops. */
static void test_change_only(struct rp_handle *d)
{
	struct rp_compound b;
	fsal_status_t st;
	nfs_argop4 *op;

	/* something kept first */
	reset();
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, d);
	rp_cpd_remove(&b, "x");
	rp_cpd_postop_here(&b, d);
	(void)rp_cpd_run(&b);
	rp_cpd_free(&b);

	reset();
	be.watch[0] = d;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, d);
	CHECK_EQ(rp_cpd_add(&b, NFS4_OP_SETATTR, &op), 1);
	CHECK_EQ(op->argop, NFS4_OP_SETATTR);
	rp_cpd_change(&b, d);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	CHECK_EQ(be.busy[0], 1);
	rp_cpd_free(&b);
	CHECK_EQ(d->po_busy, 0);
	/* the answer kept before the setattr is stale now */
	CHECK_EQ(served(d), -1);
}

/* Append errors: nothing sent, no ticket taken, the first error told. */
static void test_append_errors(struct rp_handle *a, struct rp_handle *d,
			       struct rp_handle *e)
{
	char longname[NAME_MAX + 2];
	struct rp_compound b;
	fsal_status_t st;
	uint64_t seq = d->po_seq;
	nfs_argop4 *op;
	uint32_t i;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	reset();
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, d);
	CHECK(!rp_cpd_failed(&b, &st));
	CHECK_EQ(rp_cpd_remove(&b, longname), RP_CPD_NONE);
	CHECK(rp_cpd_failed(&b, &st));
	CHECK_EQ(st.major, ERR_FSAL_NAMETOOLONG);
	/* later appends add nothing; their arguments go to scratch */
	CHECK_EQ(rp_cpd_add(&b, NFS4_OP_GETATTR, &op), RP_CPD_NONE);
	CHECK(op == &b.cpd_scratch);
	CHECK_EQ(rp_cpd_postop_here(&b, d), RP_CPD_NONE);
	CHECK_EQ(rp_cpd_lookup(&b, ""), RP_CPD_NONE);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_NAMETOOLONG);
	CHECK_EQ(be.calls, 0);
	CHECK_EQ(d->po_seq, seq); /* no ticket begun */
	CHECK_EQ(d->po_busy, 0);
	rp_cpd_free(&b);
	CHECK_EQ(be.frees, 0);

	/* an empty name */
	rp_cpd_init(&b, ex, false);
	CHECK_EQ(rp_cpd_lookup(&b, ""), RP_CPD_NONE);
	CHECK_EQ(b.cpd_err, -ENAMETOOLONG);
	/* ".." is LOOKUPP */
	rp_cpd_init(&b, ex, false);
	CHECK_EQ(rp_cpd_lookup(&b, ".."), 0);
	CHECK_EQ(b.cpd_ops[0].argop, NFS4_OP_LOOKUPP);

	/* more operations than a COMPOUND may carry */
	rp_cpd_init(&b, ex, false);
	for (i = 0; i < SESS_MAX_OPS; i++)
		CHECK_EQ(rp_cpd_getfh(&b), i);
	CHECK_EQ(rp_cpd_getfh(&b), RP_CPD_NONE);
	CHECK_EQ(b.cpd_err, -E2BIG);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_SERVERFAULT);
	CHECK_EQ(be.calls, 0);

	/* more handles changed than tickets */
	rp_cpd_init(&b, ex, true);
	CHECK_EQ(rp_cpd_change(&b, a), 0);
	CHECK_EQ(rp_cpd_change(&b, d), 0);
	CHECK_EQ(rp_cpd_change(&b, a), 0); /* the same one again */
	CHECK_EQ(rp_cpd_change(&b, e), -E2BIG);
	seq = a->po_seq;
	st = rp_cpd_run(&b);
	CHECK(FSAL_IS_ERROR(st));
	CHECK_EQ(be.calls, 0);
	CHECK_EQ(a->po_seq, seq);
	CHECK_EQ(a->po_busy + d->po_busy, 0);
}

/* The export root: resolved when its PUTFH is appended, once. */
static void test_root(void)
{
	struct rp_handle *root = handle(DIRECTORY, 0);
	struct rp_compound b;
	fsal_status_t st;

	root->is_root = true;
	root->fh_len = 0;

	/* the backend cannot be asked: DELAY, nothing sent */
	reset();
	be.resolve = -EAGAIN;
	rp_cpd_init(&b, ex, false);
	CHECK_EQ(rp_cpd_putfh(&b, root), RP_CPD_NONE);
	CHECK_EQ(be.resolves, 1);
	CHECK_EQ(rp_cpd_getattr(&b), RP_CPD_NONE);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_DELAY);
	CHECK_EQ(b.cpd_ret, -EAGAIN);
	CHECK_EQ(be.calls, 0);

	/* -ENOENT (the root not set after all) is a DELAY too */
	reset();
	be.resolve = -ENOENT;
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, root);
	CHECK_EQ(b.cpd_err, -EAGAIN);

	/* nothing else goes out either before the root is known */
	reset();
	be.resolve = -EAGAIN;
	rp_cpd_init(&b, ex, false);
	CHECK_EQ(rp_cpd_putfh_raw(&b, root_fh, 2), 0);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_DELAY);
	CHECK_EQ(be.resolves, 1);
	CHECK_EQ(be.calls, 0);

	/* the backend refused Backend_Path: its answer, as if sent */
	reset();
	be.resolve = NFS4ERR_NOENT;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, root);
	rp_cpd_remove(&b, "x");
	rp_cpd_postop_here(&b, root);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_NOENT);
	CHECK_EQ(b.cpd_ret, 0);
	CHECK_EQ(b.cpd_c.sc_status, NFS4ERR_NOENT);
	CHECK_EQ(b.cpd_c.sc_nres, 0);
	CHECK_EQ(be.calls, 0);
	CHECK_EQ(root->po_busy, 0);
	rp_cpd_free(&b);

	/* resolved: the PUTFH carries the root's backend handle */
	reset();
	rp_cpd_init(&b, ex, false);
	CHECK_EQ(rp_cpd_putfh(&b, root), 0);
	CHECK_EQ(be.resolves, 1);
	CHECK_EQ(rp_cpd_getattr(&b), 1);
	st = rp_cpd_run(&b);
	CHECK(!FSAL_IS_ERROR(st));
	CHECK_EQ(be.putfh0_len, sizeof(root_fh));
	CHECK(be.putfh0 && memcmp(be.putfh0, root_fh, sizeof(root_fh)) == 0);
	rp_cpd_free(&b);
	/* and is not resolved again */
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, root);
	CHECK_EQ(be.resolves, 1);
	drop(root);
}

/* An open upgrade: the first OPEN decides, later ones only add. */
static void test_main_done(struct rp_handle *f)
{
	struct rp_compound b;
	fsal_status_t st;
	OPEN4args *oa;
	uint32_t i;

	for (i = 2; i <= 3; i++) {
		reset();
		be.fail_at = i;
		be.fail_st = NFS4ERR_SHARE_DENIED;
		rp_cpd_init(&b, ex, true);
		rp_cpd_putfh(&b, f);
		CHECK_EQ(rp_cpd_open(&b, NULL, &oa), 1);
		CHECK_EQ(oa->claim.claim, CLAIM_FH);
		rp_cpd_main_done(&b);
		CHECK_EQ(rp_cpd_open(&b, NULL, &oa), 2);
		rp_cpd_main_done(&b); /* the first call counts */
		CHECK_EQ(rp_cpd_open(&b, NULL, &oa), 3);
		st = rp_cpd_run(&b);
		CHECK(!FSAL_IS_ERROR(st));
		CHECK(rp_cpd_res(&b, 1) != NULL);
		CHECK_EQ(rp_cpd_res(&b, 3) != NULL, i == 3);
		rp_cpd_free(&b);
	}
	/* the first OPEN refused: that is the answer */
	reset();
	be.fail_at = 1;
	be.fail_st = NFS4ERR_EXIST;
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, f);
	CHECK_EQ(rp_cpd_open(&b, "name", &oa), 1);
	CHECK_EQ(oa->claim.claim, CLAIM_NULL);
	CHECK_EQ(oa->claim.open_claim4_u.file.utf8string_len, 4);
	rp_cpd_main_done(&b);
	rp_cpd_open(&b, NULL, &oa);
	st = rp_cpd_run(&b);
	CHECK_EQ(st.major, ERR_FSAL_EXIST);
	rp_cpd_free(&b);
}

/* READ and WRITE hand their buffers to the session client. */
static void test_io(struct rp_handle *f)
{
	struct rp_compound b;
	stateid4 sid = {.seqid = 7};
	char buf[16];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};

	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, f);
	CHECK_EQ(rp_cpd_read(&b, &sid, 4096, sizeof(buf), buf), 1);
	CHECK(b.cpd_c.sc_bulk_in == buf);
	CHECK_EQ(b.cpd_c.sc_bulk_in_cap, sizeof(buf));
	CHECK_EQ(b.cpd_ops[1].nfs_argop4_u.opread.stateid.seqid, 7);
	CHECK_EQ(b.cpd_ops[1].nfs_argop4_u.opread.offset, 4096);

	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, f);
	CHECK_EQ(rp_cpd_write(&b, &sid, 8192, FILE_SYNC4, &iov), 1);
	CHECK(b.cpd_c.sc_bulk_out == &iov);
	CHECK_EQ(b.cpd_c.sc_bulk_out_cnt, 1);
	CHECK_EQ(b.cpd_c.sc_bulk_out_len, sizeof(buf));
	CHECK_EQ(b.cpd_ops[1].nfs_argop4_u.opwrite.data.data_len, sizeof(buf));
	CHECK_EQ(b.cpd_ops[1].nfs_argop4_u.opwrite.stable, FILE_SYNC4);
}

int main(void)
{
	struct rp_handle *a = handle(DIRECTORY, 1), *d = handle(DIRECTORY, 2);
	struct rp_handle *e = handle(DIRECTORY, 3);
	struct rp_handle *f = handle(REGULAR_FILE, 4);

	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return 1;
	pthread_mutex_init(&ex->root_lock, NULL);
	ex->conf.backend_path = "/export/a";
	test_root();
	test_create(d);
	test_two(a, d, f);
	test_change_only(d);
	test_append_errors(a, d, e);
	test_main_done(f);
	test_io(f);
	drop(a);
	drop(d);
	drop(e);
	drop(f);
	pthread_mutex_destroy(&ex->root_lock);
	free(ex);
	return gr_check_done("test_rp_compound");
}
