/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFSv4.2 operations forwarded to the backend (RFC 7862, RFC 8276).
 *
 * Ganesha 4.3's FSAL API offers an FSAL these NFSv4.2 hooks: fallocate
 * (ALLOCATE and DEALLOCATE), seek2 (SEEK), getxattrs, setxattrs,
 * listxattrs and removexattrs.  Each is one COMPOUND to the backend:
 * PUTFH + the operation, stateful ones with the stateid I/O uses
 * (rp_io_stateid(), re-opened and re-sent once when the backend lost it).
 * What the API does not let an FSAL do is not here: see
 * docs/architecture.md "NFSv4.2 through the gateway".
 *
 * Every COMPOUND goes through the builder (rp_compound.h).
 *
 * A backend session on NFSv4.1 (the backend refused 4.2) cannot carry
 * these operations: each answers ERR_FSAL_NOTSUPP without a call, which
 * Ganesha sends as NFS4ERR_NOTSUPP - what a client of such a server gets
 * for an operation it lacks.  Errors the backend answers (NOTSUPP from a
 * backend FSAL without the hook, NOXATTR, OPENMODE...) are handed on.
 *
 * Extended attributes are offered to the gateway's clients (fs_supports
 * xattr_support, supported attribute ATTR4_XATTR) only when the backend
 * session runs 4.2 and the backend says xattr_support for the export's
 * root; otherwise Ganesha itself answers the xattr operations NOTSUPP,
 * as the backend would.  That answer is learnt once per backend state
 * generation (a new client id may come with another minor version).
 */
#include "config.h"

#include <string.h>

#include "rp_int.h"

/*
 * Bounds on what the backend hands back, beyond the session codec's own
 * (sess_codec.c caps GETXATTR values and LISTXATTR names as it decodes).
 */
#define RP_XATTR_NAME_MAX 255 /* Linux XATTR_NAME_MAX, without "user." */

enum { RP_XATTR_UNKNOWN, RP_XATTR_NO, RP_XATTR_YES };

static bool rp_v42_session(struct rp_export *ex)
{
	return rp_backend_minor(&ex->backend) >= 2;
}

/*
 * PUTFH(@h) + operation @op built by @fill (given its arguments and the
 * stateid to use, the I/O stateid of @state); re-sent once when the
 * backend lost that state.  On success the caller reads the result at
 * *@idx of @b and frees @b; on failure @b holds nothing.
 */
static fsal_status_t
rp_v42_stateful(struct rp_export *ex, struct rp_handle *h,
		struct state_t *state, nfs_opnum4 op,
		void (*fill)(nfs_argop4 *arg, const stateid4 *sid, void *ctx),
		void *ctx, bool cachethis, struct rp_compound *b, uint32_t *idx)
{
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	nfs_argop4 *arg;
	stateid4 sid;
	int tries;

	for (tries = 0; tries < RP_REOPEN_TRIES; tries++) {
		if (!rp_io_stateid(ex, h, state, false, &sid, &st))
			return st;
		rp_cpd_init(b, ex, cachethis);
		rp_cpd_putfh(b, h);
		*idx = rp_cpd_add(b, op, &arg);
		fill(arg, &sid, ctx);
		st = rp_cpd_run(b);
		if (rp_stale_state(b->cpd_ret, &b->cpd_c) && state) {
			rp_cpd_free(b);
			rp_mark_stale(state);
			continue;
		}
		if (FSAL_IS_ERROR(st))
			rp_cpd_free(b);
		return st;
	}
	return fsalstat(ERR_FSAL_DELAY, EAGAIN);
}

struct rp_range {
	uint64_t off, len;
};

static void rp_fill_allocate(nfs_argop4 *arg, const stateid4 *sid, void *ctx)
{
	const struct rp_range *r = ctx;

	arg->nfs_argop4_u.opallocate.aa_stateid = *sid;
	arg->nfs_argop4_u.opallocate.aa_offset = r->off;
	arg->nfs_argop4_u.opallocate.aa_length = r->len;
}

static void rp_fill_deallocate(nfs_argop4 *arg, const stateid4 *sid, void *ctx)
{
	const struct rp_range *r = ctx;

	arg->nfs_argop4_u.opdeallocate.da_stateid = *sid;
	arg->nfs_argop4_u.opdeallocate.da_offset = r->off;
	arg->nfs_argop4_u.opdeallocate.da_length = r->len;
}

/* fallocate: ALLOCATE (reserve) or DEALLOCATE (punch a hole). */
static fsal_status_t rp_fallocate(struct fsal_obj_handle *obj_hdl,
				  struct state_t *state, uint64_t offset,
				  uint64_t length, bool allocate)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_range r = {.off = offset, .len = length};
	struct rp_compound b;
	fsal_status_t st;
	uint32_t idx;

	if (!rp_v42_session(ex))
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	st = rp_v42_stateful(ex, rp_hdl(obj_hdl), state,
			     allocate ? NFS4_OP_ALLOCATE : NFS4_OP_DEALLOCATE,
			     allocate ? rp_fill_allocate : rp_fill_deallocate,
			     &r, true, &b, &idx);
	if (!FSAL_IS_ERROR(st))
		rp_cpd_free(&b);
	return st;
}

static void rp_fill_seek(nfs_argop4 *arg, const stateid4 *sid, void *ctx)
{
	const SEEK4args *want = ctx;

	arg->nfs_argop4_u.opseek = *want;
	arg->nfs_argop4_u.opseek.sa_stateid = *sid;
}

/*
 * seek2: SEEK for the next data or hole at or after the offset Ganesha put
 * in info->io_content.hole.di_offset (nfs4_op_seek); the answer goes back
 * in the same place, with io_eof.  An offset before the one asked for is
 * no answer to SEEK (RFC 7862 15.11.3): refused as an I/O error.
 */
static fsal_status_t rp_seek2(struct fsal_obj_handle *obj_hdl,
			      struct state_t *state, struct io_info *info)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_compound b;
	SEEK4args want;
	seek_res4 *res;
	fsal_status_t st;
	uint32_t idx;

	if (!rp_v42_session(ex))
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	if (info->io_content.what != NFS4_CONTENT_DATA &&
	    info->io_content.what != NFS4_CONTENT_HOLE)
		return fsalstat(ERR_FSAL_UNION_NOTSUPP, EINVAL);
	memset(&want, 0, sizeof(want));
	want.sa_offset = info->io_content.hole.di_offset;
	want.sa_what = info->io_content.what;
	st = rp_v42_stateful(ex, rp_hdl(obj_hdl), state, NFS4_OP_SEEK,
			     rp_fill_seek, &want, false, &b, &idx);
	if (FSAL_IS_ERROR(st))
		return st;
	res = &b.cpd_c.sc_res[idx].nfs_resop4_u.opseek.sr_resok4;
	if (!res->sr_eof && res->sr_offset < want.sa_offset) {
		LogInfo(COMPONENT_FSAL,
			"RDMA_PROXY %s: SEEK from %" PRIu64 " answered %" PRIu64
			": refused",
			ex->backend.rb_label, want.sa_offset, res->sr_offset);
		st = fsalstat(ERR_FSAL_IO, EIO);
	} else {
		info->io_eof = res->sr_eof;
		info->io_content.hole.di_offset = res->sr_offset;
	}
	rp_cpd_free(&b);
	return st;
}

/*
 * getxattrs: Ganesha's GETXATTR gives a buffer of xa_value->utf8string_len
 * bytes (1 KiB), asks again with none (utf8string_val NULL) to learn the
 * size when told ERR_FSAL_XATTR2BIG, then once more with a buffer that
 * big.  The value comes from the backend each time (a value longer than
 * 1 KiB costs three round trips); the session codec has already bounded
 * it (SESS_XATTR_VALUE_MAX).
 */
static fsal_status_t rp_getxattrs(struct fsal_obj_handle *obj_hdl,
				  xattrkey4 *name, xattrvalue4 *value)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_compound b;
	nfs_argop4 *arg;
	utf8string *got;
	fsal_status_t st;
	uint32_t idx;

	if (!rp_v42_session(ex))
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	idx = rp_cpd_add(&b, NFS4_OP_GETXATTR, &arg);
	arg->nfs_argop4_u.opgetxattr.gxa_name = *name;
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st)) {
		got = &b.cpd_c.sc_res[idx]
			   .nfs_resop4_u.opgetxattr.GETXATTR4res_u.resok4
			   .gxr_value;
		if (!value->utf8string_val) {
			value->utf8string_len = got->utf8string_len;
		} else if (got->utf8string_len > value->utf8string_len) {
			st = fsalstat(ERR_FSAL_XATTR2BIG, E2BIG);
		} else {
			if (got->utf8string_len)
				memcpy(value->utf8string_val,
				       got->utf8string_val,
				       got->utf8string_len);
			value->utf8string_len = got->utf8string_len;
		}
	}
	rp_cpd_free(&b);
	return st;
}

static fsal_status_t rp_setxattrs(struct fsal_obj_handle *obj_hdl,
				  setxattr_option4 option, xattrkey4 *name,
				  xattrvalue4 *value)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_compound b;
	nfs_argop4 *arg;
	fsal_status_t st;

	if (!rp_v42_session(ex))
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	rp_cpd_add(&b, NFS4_OP_SETXATTR, &arg);
	arg->nfs_argop4_u.opsetxattr.sxa_option = option;
	arg->nfs_argop4_u.opsetxattr.sxa_key = *name;
	arg->nfs_argop4_u.opsetxattr.sxa_value = *value;
	st = rp_cpd_run(&b);
	rp_cpd_free(&b);
	return st;
}

static fsal_status_t rp_removexattrs(struct fsal_obj_handle *obj_hdl,
				     xattrkey4 *name)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_compound b;
	nfs_argop4 *arg;
	fsal_status_t st;

	if (!rp_v42_session(ex))
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	rp_cpd_add(&b, NFS4_OP_REMOVEXATTR, &arg);
	arg->nfs_argop4_u.opremovexattr.rxa_name = *name;
	st = rp_cpd_run(&b);
	rp_cpd_free(&b);
	return st;
}

/* The XDR size of a LISTXATTR4resok's fixed part: cookie and eof. */
#define RP_LISTXATTR_OVERHEAD (sizeof(nfs_cookie4) + 4)

/*
 * Copy the backend's names into a list Ganesha frees with gsh_free()
 * (nfs4_op_listxattr_Free).  Every name must be 1..RP_XATTR_NAME_MAX bytes
 * and the names must fit in @maxcount as XDR (length word + padded bytes),
 * the budget the client gave; else nothing is handed on.
 */
static fsal_status_t rp_copy_names(struct rp_export *ex, const xattrlist4 *in,
				   count4 maxcount, xattrlist4 *out)
{
	uint64_t used = 0;
	uint32_t i;

	for (i = 0; i < in->xl4_count; i++) {
		uint32_t len = in->xl4_entries[i].utf8string_len;

		used += 4 + ((len + 3ull) & ~3ull);
		if (len == 0 || len > RP_XATTR_NAME_MAX || used > maxcount) {
			LogInfo(
			    COMPONENT_FSAL,
			    "RDMA_PROXY %s: LISTXATTR name %u of %u (%u bytes, %" PRIu64
			    " of %u in all) refused",
			    ex->backend.rb_label, i, in->xl4_count, len, used,
			    maxcount);
			return fsalstat(ERR_FSAL_IO, EIO);
		}
	}
	out->xl4_count = in->xl4_count;
	out->xl4_entries =
	    in->xl4_count ? gsh_calloc(in->xl4_count, sizeof(xattrkey4)) : NULL;
	for (i = 0; i < in->xl4_count; i++) {
		uint32_t len = in->xl4_entries[i].utf8string_len;

		out->xl4_entries[i].utf8string_len = len;
		out->xl4_entries[i].utf8string_val = gsh_malloc(len + 1);
		memcpy(out->xl4_entries[i].utf8string_val,
		       in->xl4_entries[i].utf8string_val, len);
		out->xl4_entries[i].utf8string_val[len] = '\0';
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/*
 * listxattrs: Ganesha hands the client's maxcount less the result's fixed
 * part (cookie, eof); the backend gets the client's own maxcount back, so
 * it answers what it would answer the client directly.
 */
static fsal_status_t rp_listxattrs(struct fsal_obj_handle *obj_hdl,
				   count4 maxcount, nfs_cookie4 *cookie,
				   bool_t *eof, xattrlist4 *names)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_compound b;
	LISTXATTR4resok *ok;
	nfs_argop4 *arg;
	fsal_status_t st;
	uint32_t idx;

	memset(names, 0, sizeof(*names));
	if (!rp_v42_session(ex))
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	if (maxcount > UINT32_MAX - RP_LISTXATTR_OVERHEAD)
		maxcount = UINT32_MAX - RP_LISTXATTR_OVERHEAD;
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	idx = rp_cpd_add(&b, NFS4_OP_LISTXATTR, &arg);
	arg->nfs_argop4_u.oplistxattr.lxa_cookie = *cookie;
	arg->nfs_argop4_u.oplistxattr.lxa_maxcount =
	    maxcount + RP_LISTXATTR_OVERHEAD;
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st)) {
		ok = &b.cpd_c.sc_res[idx]
			  .nfs_resop4_u.oplistxattr.LISTXATTR4res_u.resok4;
		st = rp_copy_names(ex, &ok->lxr_names, maxcount, names);
		if (!FSAL_IS_ERROR(st)) {
			*cookie = ok->lxr_cookie;
			*eof = ok->lxr_eof;
		}
	}
	rp_cpd_free(&b);
	return st;
}

/* FATTR4_XATTR_SUPPORT is attribute 82: word 2, bit 18. */
#define RP_XATTR_WORD 2
#define RP_XATTR_BIT (1u << (FATTR4_XATTR_SUPPORT - 64))

/* PUTFH of this handle is the export root's (rp_cpd_putfh()). */
static const struct rp_handle rp_v42_root = {.is_root = true};

/*
 * Ask the backend for xattr_support of the export's root.  Returns
 * RP_XATTR_YES/NO, or RP_XATTR_UNKNOWN when the backend did not answer.
 */
static unsigned int rp_v42_probe(struct rp_export *ex)
{
	uint32_t map[3] = {0, 0, RP_XATTR_BIT};
	struct rp_compound b;
	nfs_argop4 *arg;
	nfs_resop4 *res;
	fattr4 *fa;
	uint32_t word, idx;
	unsigned int v = RP_XATTR_NO;

	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, &rp_v42_root);
	idx = rp_cpd_add(&b, NFS4_OP_GETATTR, &arg);
	arg->nfs_argop4_u.opgetattr.attr_request.bitmap4_len = 3;
	memcpy(arg->nfs_argop4_u.opgetattr.attr_request.map, map, sizeof(map));
	(void)rp_cpd_run(&b);
	if (b.cpd_err || b.cpd_ret) {
		rp_cpd_free(&b);
		return RP_XATTR_UNKNOWN;
	}
	res = rp_cpd_res(&b, idx);
	if (b.cpd_c.sc_status == NFS4_OK && res) {
		fa = &res->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
			  .obj_attributes;
		/* only attribute 82 asked for: its bool is all the values */
		if (fa->attrmask.bitmap4_len > RP_XATTR_WORD &&
		    (fa->attrmask.map[RP_XATTR_WORD] & RP_XATTR_BIT) &&
		    fa->attr_vals.attrlist4_len == 4) {
			memcpy(&word, fa->attr_vals.attrlist4_val, 4);
			if (ntohl(word))
				v = RP_XATTR_YES;
		}
	}
	rp_cpd_free(&b);
	return v;
}

bool rp_v42_xattr_ok(struct rp_export *ex)
{
	uint64_t gen;
	unsigned int v;

	if (!rp_v42_session(ex))
		return false;
	gen = rp_backend_state_gen(&ex->backend);
	v = atomic_load(&ex->xattr_state);
	if (v != RP_XATTR_UNKNOWN && atomic_load(&ex->xattr_gen) == gen)
		return v == RP_XATTR_YES;
	if (!op_ctx)
		return false; /* no caller to ask the backend for */
	v = rp_v42_probe(ex);
	if (v == RP_XATTR_UNKNOWN)
		return false;
	atomic_store(&ex->xattr_gen, gen);
	atomic_store(&ex->xattr_state, v);
	LogInfo(COMPONENT_FSAL,
		"RDMA_PROXY %s: the backend %s extended attributes",
		ex->backend.rb_label, v == RP_XATTR_YES ? "offers" : "lacks");
	return v == RP_XATTR_YES;
}

void rp_v42_ops_init(struct fsal_obj_ops *ops)
{
	ops->fallocate = rp_fallocate;
	ops->seek2 = rp_seek2;
	ops->getxattrs = rp_getxattrs;
	ops->setxattrs = rp_setxattrs;
	ops->removexattrs = rp_removexattrs;
	ops->listxattrs = rp_listxattrs;
}
