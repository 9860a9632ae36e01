/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NFSv4.1 backchannel service (RFC 8881 section 20) on the session's
 * connection: CB_NULL and CB_COMPOUND with CB_SEQUENCE (one back channel
 * slot, as CREATE_SESSION asked), CB_RECALL_SLOT (lower the fore channel
 * target: new requests stay below it) and CB_RECALL (this client opens
 * with OPEN4_SHARE_ACCESS_WANT_NO_DELEG and so holds no delegation: the
 * answer for any handle is NFS4ERR_BADHANDLE, RFC 8881 20.2.3).  Other
 * callback operations are answered NFS4ERR_NOTSUPP.
 *
 * The transport's receive thread calls sess_cb_handle() with the whole
 * call message; the operation count is checked before anything is
 * allocated, and anything that does not decode is GARBAGE_ARGS.  Only the
 * arguments of the operations served here are decoded: the decoding stops
 * at the first other operation, which is answered NFS4ERR_NOTSUPP and ends
 * the COMPOUND.  (Ganesha 4.3's nfsv41.h cannot decode some callback
 * arguments at all: xdr_notify_dev writes through a NULL pointer when
 * decoding CB_NOTIFY_DEVICEID, so the generic xdr_nfs_cb_argop4 must not
 * see bytes from the network.)
 */
#include <errno.h>
#include <string.h>

#include "sess_int.h"

#define CB_MAX_OPS 16
#define CB_VERSION 1
#define CB_PROC_NULL 0
#define CB_PROC_COMPOUND 1

static nfsstat4 cb_sequence(struct sess_client *cl, CB_SEQUENCE4args *a,
			    CB_SEQUENCE4res *r)
{
	CB_SEQUENCE4resok *ok = &r->CB_SEQUENCE4res_u.csr_resok4;
	nfsstat4 st = NFS4_OK;

	pthread_mutex_lock(&cl->cl_lock);
	if (!cl->cl_have_session ||
	    memcmp(a->csa_sessionid, cl->cl_sessionid, sizeof(sessionid4)))
		st = NFS4ERR_BADSESSION;
	else if (a->csa_slotid != 0)
		st = NFS4ERR_BADSLOT;
	else if (a->csa_sequenceid == cl->cl_cb_seqid)
		st = NFS4ERR_RETRY_UNCACHED_REP; /* nothing is cached */
	else if (a->csa_sequenceid != cl->cl_cb_seqid + 1)
		st = NFS4ERR_SEQ_MISORDERED;
	else
		cl->cl_cb_seqid = a->csa_sequenceid;
	pthread_mutex_unlock(&cl->cl_lock);
	r->csr_status = st;
	if (st == NFS4_OK) {
		memcpy(ok->csr_sessionid, a->csa_sessionid, sizeof(sessionid4));
		ok->csr_sequenceid = a->csa_sequenceid;
		ok->csr_slotid = 0;
		ok->csr_highest_slotid = 0;
		ok->csr_target_highest_slotid = 0;
	}
	return st;
}

static nfsstat4 cb_op(struct sess_client *cl, nfs_cb_argop4 *a,
		      nfs_cb_resop4 *r)
{
	nfsstat4 st;

	r->resop = a->argop;
	switch (a->argop) {
	case NFS4_OP_CB_SEQUENCE:
		return cb_sequence(cl, &a->nfs_cb_argop4_u.opcbsequence,
				   &r->nfs_cb_resop4_u.opcbsequence);
	case NFS4_OP_CB_RECALL_SLOT:
		pthread_mutex_lock(&cl->cl_lock);
		(void)sess_slots_set_target(&cl->cl_slots,
					    a->nfs_cb_argop4_u.opcbrecall_slot
						.rsa_target_highest_slotid);
		cl->cl_stats.cst_cb_recall_slot++;
		pthread_mutex_unlock(&cl->cl_lock);
		sess_log(cl, SESS_LOG_INFO, "CB_RECALL_SLOT: target %u",
			 a->nfs_cb_argop4_u.opcbrecall_slot
			     .rsa_target_highest_slotid);
		st = NFS4_OK;
		r->nfs_cb_resop4_u.opcbrecall_slot.rsr_status = st;
		return st;
	case NFS4_OP_CB_RECALL:
		pthread_mutex_lock(&cl->cl_lock);
		cl->cl_stats.cst_cb_recall++;
		pthread_mutex_unlock(&cl->cl_lock);
		st = NFS4ERR_BADHANDLE; /* we hold no delegations */
		r->nfs_cb_resop4_u.opcbrecall.status = st;
		return st;
	default:
		st = NFS4ERR_NOTSUPP;
		r->nfs_cb_resop4_u.opcbillegal.status = st;
		return st;
	}
}

static bool cb_op_served(uint32_t op)
{
	return op == NFS4_OP_CB_SEQUENCE || op == NFS4_OP_CB_RECALL_SLOT ||
	       op == NFS4_OP_CB_RECALL;
}

/* Decode one operation; other operations keep only their number. */
static bool decode_cb_op(XDR *xdrs, nfs_cb_argop4 *op)
{
	if (!xdr_u_int32_t(xdrs, &op->argop))
		return false;
	switch (op->argop) {
	case NFS4_OP_CB_SEQUENCE:
		return xdr_CB_SEQUENCE4args(xdrs,
					    &op->nfs_cb_argop4_u.opcbsequence);
	case NFS4_OP_CB_RECALL_SLOT:
		return xdr_CB_RECALL_SLOT4args(
		    xdrs, &op->nfs_cb_argop4_u.opcbrecall_slot);
	case NFS4_OP_CB_RECALL:
		return xdr_CB_RECALL4args(xdrs,
					  &op->nfs_cb_argop4_u.opcbrecall);
	default:
		return true;
	}
}

/* Free what decode_cb_op() allocated. */
static void free_cb_op(nfs_cb_argop4 *op)
{
	if (cb_op_served(op->argop))
		xdr_nfree((xdrproc_t)xdr_nfs_cb_argop4, op);
}

/* Returns the reply length or a negative errno. */
static int cb_compound(struct sess_client *cl, const uint8_t *args,
		       size_t args_len, uint8_t *rep, size_t rep_cap,
		       uint32_t xid)
{
	nfs_cb_argop4 ops[CB_MAX_OPS];
	nfs_cb_resop4 res[CB_MAX_OPS];
	CB_COMPOUND4res cres;
	utf8str_cs tag = {0};
	uint32_t minor, ident, count, n = 0, i, done = 0;
	nfsstat4 st = NFS4_OK;
	XDR xdrs;
	int hlen, ret = -EBADMSG;

	memset(ops, 0, sizeof(ops));
	memset(res, 0, sizeof(res));
	/* ntirpc's xdrmem_ncreate() aborts on a misaligned buffer. */
	if (args_len == 0 || ((uintptr_t)args & 3) || ((uintptr_t)rep & 3))
		goto out_garbage;
	xdrmem_ncreate(&xdrs, (char *)args, (u_int)args_len, XDR_DECODE);
	if (!xdr_utf8str_cs(&xdrs, &tag) || !xdr_u_int32_t(&xdrs, &minor) ||
	    !xdr_u_int32_t(&xdrs, &ident) || !xdr_u_int32_t(&xdrs, &count) ||
	    count > CB_MAX_OPS)
		goto out_garbage;
	for (i = 0; i < count; i++) {
		n = i + 1;
		if (!decode_cb_op(&xdrs, &ops[i]))
			goto out_garbage;
		if (!cb_op_served(ops[i].argop))
			break; /* answered NOTSUPP; the rest is not run */
	}
	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_stats.cst_cb_calls++;
	pthread_mutex_unlock(&cl->cl_lock);

	/*
	 * A server calls back at the minor version of the client id
	 * (Ganesha: its cid_minorversion), so 2 on a 4.2 session.
	 */
	if (minor != 1 && minor != atomic_load(&cl->cl_minor)) {
		st = NFS4ERR_MINOR_VERS_MISMATCH;
	} else {
		for (i = 0; i < n && st == NFS4_OK; i++) {
			if (i == 0 && ops[0].argop != NFS4_OP_CB_SEQUENCE) {
				res[0].resop = ops[0].argop;
				res[0].nfs_cb_resop4_u.opcbillegal.status =
				    NFS4ERR_OP_NOT_IN_SESSION;
				st = NFS4ERR_OP_NOT_IN_SESSION;
			} else if (i > 0 &&
				   ops[i].argop == NFS4_OP_CB_SEQUENCE) {
				res[i].resop = ops[i].argop;
				res[i].nfs_cb_resop4_u.opcbsequence.csr_status =
				    NFS4ERR_SEQUENCE_POS;
				st = NFS4ERR_SEQUENCE_POS;
			} else {
				st = cb_op(cl, &ops[i], &res[i]);
			}
			done = i + 1;
		}
	}

	hlen = sess_rpc_encode_accepted(rep, rep_cap, xid, 0);
	if (hlen < 0) {
		ret = hlen;
		goto out_free;
	}
	cres.status = st;
	cres.tag = tag;
	cres.resarray.resarray_len = done;
	cres.resarray.resarray_val = res;
	if ((size_t)hlen >= rep_cap) {
		ret = -ENOSPC;
		goto out_free;
	}
	xdrmem_ncreate(&xdrs, (char *)rep + hlen, (u_int)(rep_cap - hlen),
		       XDR_ENCODE);
	ret = xdr_CB_COMPOUND4res(&xdrs, &cres) ? hlen + (int)XDR_GETPOS(&xdrs)
						: -ENOSPC;
	goto out_free;
out_garbage:
	ret = sess_rpc_encode_accepted(rep, rep_cap, xid, 4 /* GARBAGE */);
out_free:
	for (i = 0; i < n && i < CB_MAX_OPS; i++)
		free_cb_op(&ops[i]);
	xdr_nfree((xdrproc_t)xdr_utf8str_cs, &tag);
	return ret;
}

int sess_cb_handle(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rep,
		   size_t rep_cap)
{
	struct sess_client *cl = ctx;
	struct sess_rpc_call_hdr hdr;
	int len;

	if (sess_rpc_decode_call(req, req_len, &hdr))
		return -EBADMSG; /* not even a call: drop it */
	if (hdr.rh_prog != SESS_CB_PROGRAM)
		return sess_rpc_encode_accepted(rep, rep_cap, hdr.rh_xid, 1);
	if (hdr.rh_vers != CB_VERSION) {
		len = sess_rpc_encode_accepted(rep, rep_cap, hdr.rh_xid, 2);
		if (len < 0 || (size_t)len + 8 > rep_cap)
			return -ENOSPC;
		/* PROG_MISMATCH: supported low and high version */
		memcpy(rep + len, "\0\0\0\1\0\0\0\1", 8);
		return len + 8;
	}
	switch (hdr.rh_proc) {
	case CB_PROC_NULL:
		return sess_rpc_encode_accepted(rep, rep_cap, hdr.rh_xid, 0);
	case CB_PROC_COMPOUND:
		return cb_compound(cl, req + hdr.rh_body_off,
				   req_len - hdr.rh_body_off, rep, rep_cap,
				   hdr.rh_xid);
	default:
		return sess_rpc_encode_accepted(rep, rep_cap, hdr.rh_xid, 3);
	}
}
