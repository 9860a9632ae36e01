/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The FSAL API 11.0 of Ganesha 4.3 (Debian 12): what the rest of the
 * module needs from Ganesha where the API versions differ, behind the
 * version-neutral calls of rp_int.h's "rp_compat" section.  Exactly one
 * rp_compat_v<FSAL_MAJOR_VERSION>.c is built (CMakeLists.txt picks it by
 * fsal_api.h's FSAL_MAJOR_VERSION); rp_compat_v13.c is Ganesha 6.5's.
 *
 * API 11.0's signatures are the neutral ones, so the namespace ops are
 * installed as they are; a state is freed through the export's
 * free_state op, which this file points at the module's state free.
 *
 * READ_PLUS: 4.3 hands read2 no io_info, so a READ_PLUS looks like a
 * READ to the FSAL.  rp_compat_read_plus() finds the operation being run
 * instead: on the worker, op_ctx is the op_context inside the request's
 * nfs_request_t (nfs_rpc_process_request() initialises it there), whose
 * proc_data is the COMPOUND's compound_data_t (nfs4_Compound()); that
 * holds the current opcode and argument (nfs_proto_data.h, nfsv41.h of
 * the SDK this file is built against).  Only a COMPOUND of minor version
 * 2 can carry READ_PLUS, and only nfs4_Compound() gives an op_context
 * minor version 2 (every other init_op_context() in 4.3 passes 0), so
 * nothing else is followed.  The walk is checked against itself before
 * its answer is believed: the compound data must point back at that
 * request, and the current argument must be the READ or READ_PLUS whose
 * offset read2 got; otherwise the answer is "cannot tell".
 */
#include "config.h"

#include <errno.h>

#include "rp_int.h"
#include "nfs_proto_data.h"

#if FSAL_MAJOR_VERSION != 11
#error "rp_compat_v11.c is for the FSAL API 11.0 (Ganesha 4.3)"
#endif

/* rp_compat_export_ops() sets it once, at module load, before any export */
static void (*rp_v11_state_free)(struct state_t *state);

static void rp_v11_free_state(struct fsal_export *exp_hdl,
			      struct state_t *state)
{
	rp_v11_state_free(state);
}

void rp_compat_export_ops(struct export_ops *ops,
			  void (*state_free)(struct state_t *state))
{
	rp_v11_state_free = state_free;
	ops->free_state = rp_v11_free_state;
}

struct state_t *rp_compat_state_init(struct state_t *state,
				     struct fsal_export *exp_hdl,
				     enum state_type state_type,
				     struct state_t *related_state,
				     void (*state_free)(struct state_t *state))
{
	return init_state(state, exp_hdl, state_type, related_state);
}

void rp_compat_obj_init(struct fsal_obj_handle *obj, struct fsal_export *exp,
			object_file_type_t type)
{
	fsal_obj_handle_init(obj, exp, type);
}

void rp_compat_obj_fini(struct fsal_obj_handle *obj)
{
	fsal_obj_handle_fini(obj);
}

void rp_compat_obj_ops(struct fsal_obj_ops *ops, const struct rp_ns_ops *ns)
{
	ops->mkdir = ns->mkdir;
	ops->mknode = ns->mknode;
	ops->symlink = ns->symlink;
	ops->link = ns->link;
	ops->rename = ns->rename;
	ops->unlink = ns->unlink;
	ops->open2 = ns->open2;
}

int rp_compat_read_plus(const struct fsal_io_arg *ra)
{
	const struct req_op_context *ctx = op_ctx;
	const nfs_request_t *req;
	const compound_data_t *cd;
	const nfs_argop4 *arg;

	if (ctx == NULL || ctx->req_type != NFS_REQUEST ||
	    ctx->nfs_vers != NFS_V4 || ctx->nfs_minorvers < 2)
		return 0; /* READ_PLUS is NFSv4.2's only */
	req = container_of(ctx, nfs_request_t, op_context);
	cd = req->proc_data;
	if (cd == NULL || cd->req != &req->svc || cd->argarray == NULL ||
	    cd->oppos >= cd->argarray_len)
		return -EPROTO;
	arg = &cd->argarray[cd->oppos];
	if (arg->argop != cd->opcode || ra->iov_count < 1)
		return -EPROTO;
	/* nfs4_read() reads at the argument's offset, at most its count */
	if (cd->opcode == NFS4_OP_READ_PLUS &&
	    arg->nfs_argop4_u.opread_plus.rpa_offset == ra->offset &&
	    ra->iov[0].iov_len <= arg->nfs_argop4_u.opread_plus.rpa_count)
		return 1;
	if (cd->opcode == NFS4_OP_READ &&
	    arg->nfs_argop4_u.opread.offset == ra->offset &&
	    ra->iov[0].iov_len <= arg->nfs_argop4_u.opread.count)
		return 0;
	return -EPROTO;
}
