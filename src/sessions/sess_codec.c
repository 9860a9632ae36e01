/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The COMPOUND codec: one COMPOUND encoded, sent and decoded as is.
 *
 * sess_raw_call() encodes a COMPOUND with Ganesha's nfsv41.h routines
 * (ntirpc xdrmem), sends it through the transport and decodes the results
 * one by one, checking that the server answers the operations that were
 * sent, in order, and never more of them.  Two items bypass the generic
 * routines because the transport places them: the data of a final WRITE
 * (the encoder stops after the opaque's length word) and the data of a
 * READ with a caller buffer (length checked against the buffer first).
 * It knows nothing of sessions: the SEQUENCE in front and what its result
 * means are sess_compound.c's.
 */
#include <errno.h>
#include <string.h>

#include "sess_int.h"

static int encode_write_head(XDR *xdrs, WRITE4args *w, size_t len)
{
	nfs_opnum4 op = NFS4_OP_WRITE;
	uint32_t n = (uint32_t)len;

	if (len > XDR_BYTES_MAXLEN_IO)
		return -EMSGSIZE;
	if (!xdr_nfs_opnum4(xdrs, &op) || !xdr_stateid4(xdrs, &w->stateid) ||
	    !xdr_offset4(xdrs, &w->offset) ||
	    !xdr_stable_how4(xdrs, &w->stable) || !xdr_u_int32_t(xdrs, &n))
		return -ENOSPC;
	return 0;
}

static int encode_compound(void *arg, uint8_t *buf, size_t cap)
{
	struct sess_raw *r = arg;
	utf8str_cs tag = {0};
	uint32_t minor = r->r_minor, n = r->r_nargs, i;
	XDR xdrs;
	int ret;

	if (cap == 0)
		return -ENOSPC;
	xdrmem_ncreate(&xdrs, (char *)buf, (u_int)cap, XDR_ENCODE);
	if (!xdr_utf8str_cs(&xdrs, &tag) || !xdr_u_int32_t(&xdrs, &minor) ||
	    !xdr_u_int32_t(&xdrs, &n))
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		if (i == n - 1 && r->r_bulk_out) {
			if (r->r_args[i].argop != NFS4_OP_WRITE)
				return -EINVAL;
			ret = encode_write_head(
			    &xdrs, &r->r_args[i].nfs_argop4_u.opwrite,
			    r->r_bulk_out_len);
			if (ret)
				return ret;
			continue;
		}
		if (!xdr_nfs_argop4(&xdrs, &r->r_args[i]))
			return -ENOSPC;
	}
	return (int)XDR_GETPOS(&xdrs);
}

static nfsstat4 resop_status(const nfs_resop4 *res)
{
	nfsstat4 st;

	/* Every result arm starts with its nfsstat4. */
	memcpy(&st, &res->nfs_resop4_u, sizeof(st));
	return st;
}

/* READ into the caller's buffer; the length is checked before copying. */
static int decode_read_into(XDR *xdrs, nfs_resop4 *res,
			    struct sess_xprt_call *call)
{
	READ4res *rd = &res->nfs_resop4_u.opread;
	nfs_opnum4 op;
	uint32_t len;

	if (!xdr_nfs_opnum4(xdrs, &op) || op != NFS4_OP_READ)
		return -EBADMSG;
	res->resop = op;
	if (!xdr_nfsstat4(xdrs, &rd->status))
		return -EBADMSG;
	if (rd->status != NFS4_OK)
		return 0;
	if (!xdr_bool(xdrs, &rd->READ4res_u.resok4.eof) ||
	    !xdr_u_int32_t(xdrs, &len))
		return -EBADMSG;
	if (len > call->tc_bulk_in_cap)
		return -EBADMSG; /* more than asked for */
	/*
	 * Placed data: the count must not claim more than the server really
	 * wrote, or the caller would pass on bytes of its buffer nobody wrote.
	 */
	if (call->tc_bulk_in_placed && len > call->tc_bulk_in_placed_len)
		return -EBADMSG;
	if (!call->tc_bulk_in_placed && len) {
		if (!xdr_opaque_decode(xdrs, call->tc_bulk_in, len))
			return -EBADMSG;
		call->tc_bulk_in_copied += len;
	}
	/*
	 * Only the count: the data is where the caller asked for it, and a
	 * result pointing into the caller's buffer would be freed with the
	 * result (the data member is a counted pointer in Ganesha 4.3's
	 * nfsv41.h, an io_data with an iovec in 6.x: the codec touches
	 * neither).
	 */
	rd->READ4res_u.resok4.data.data_len = len;
	return 0;
}

/*
 * READDIR results.  NFSv4's entry4 list is a chain of optional pointers
 * and Ganesha's xdr_entry4 follows it by recursion, to decode and to free
 * alike: ~56 bytes of stack per entry, so some 20,000 minimal entries
 * (~480 KB, well inside a record) overflow a 1 MiB ntirpc worker stack.
 * The list is decoded and freed here in loops instead, and a result
 * longer than the maxcount the call asked for (RFC 8881 18.23: the size
 * of READDIR4resok), or with more than SESS_READDIR_MAX_ENTRIES entries,
 * names longer than SESS_NAME_MAX or attribute bitmaps of more than
 * SESS_BITMAP_MAX words, is refused as it is read: no entry is allocated
 * past the budget the caller gave.
 */
#ifndef SESS_READDIR_MAX_ENTRIES /* a fuzz target lowers it */
#define SESS_READDIR_MAX_ENTRIES 16384
#endif
#define SESS_NAME_MAX NFS4_OPAQUE_LIMIT
#define SESS_BITMAP_MAX 8

/* Free a READDIR result's entries one by one (never Ganesha's recursion). */
static void free_readdir_entries(nfs_resop4 *res)
{
	READDIR4res *rd = &res->nfs_resop4_u.opreaddir;
	entry4 *e, *next;

	if (res->resop != NFS4_OP_READDIR || rd->status != NFS4_OK)
		return;
	for (e = rd->READDIR4res_u.resok4.reply.entries; e; e = next) {
		next = e->nextentry;
		e->nextentry = NULL;
		xdr_nfree((xdrproc_t)xdr_component4, &e->name);
		xdr_nfree((xdrproc_t)xdr_fattr4, &e->attrs);
		mem_free(e, sizeof(*e));
	}
	rd->READDIR4res_u.resok4.reply.entries = NULL;
}

/* One entry's body; @budget bounds its attribute bytes. */
static bool decode_entry(XDR *xdrs, entry4 *e, u_int budget)
{
	u_int pos;
	uint32_t words;

	if (!xdr_nfs_cookie4(xdrs, &e->cookie) ||
	    !inline_xdr_utf8string(xdrs, &e->name, SESS_NAME_MAX))
		return false;
	pos = XDR_GETPOS(xdrs);
	if (!xdr_u_int32_t(xdrs, &words) || words > SESS_BITMAP_MAX ||
	    !XDR_SETPOS(xdrs, pos) || !xdr_bitmap4(xdrs, &e->attrs.attrmask))
		return false;
	return inline_xdr_bytes(xdrs,
				(char **)&e->attrs.attr_vals.attrlist4_val,
				&e->attrs.attr_vals.attrlist4_len, budget);
}

/*
 * Decode a READDIR result asked for with @args into @res; the reply is
 * @end bytes long.  Returns 0, or -EBADMSG (malformed, or beyond a cap)
 * and -EMSGSIZE (longer than maxcount); what was decoded stays linked in
 * @res for the caller to free.
 */
static int decode_readdir(XDR *xdrs, nfs_resop4 *res, const READDIR4args *args,
			  u_int end)
{
	READDIR4res *rd = &res->nfs_resop4_u.opreaddir;
	READDIR4resok *ok = &rd->READDIR4res_u.resok4;
	entry4 **tail = &ok->reply.entries;
	uint32_t n = 0;
	u_int start, used, budget;
	nfs_opnum4 op;
	bool_t more;
	entry4 *e;

	if (!xdr_nfs_opnum4(xdrs, &op) || op != NFS4_OP_READDIR)
		return -EBADMSG;
	res->resop = op;
	if (!xdr_nfsstat4(xdrs, &rd->status))
		return -EBADMSG;
	if (rd->status != NFS4_OK)
		return 0;
	start = XDR_GETPOS(xdrs);
	if (!xdr_verifier4(xdrs, ok->cookieverf))
		return -EBADMSG;
	for (;;) {
		if (!xdr_bool(xdrs, &more))
			return -EBADMSG;
		used = XDR_GETPOS(xdrs) - start;
		if (used > args->maxcount)
			return -EMSGSIZE;
		if (!more)
			break;
		if (++n > SESS_READDIR_MAX_ENTRIES)
			return -EBADMSG;
		e = mem_zalloc(sizeof(*e));
		*tail = e; /* linked first: the caller frees a partial list */
		tail = &e->nextentry;
		/*
		 * ntirpc allocates an opaque's announced length before it
		 * reads it: bound that by the bytes left too, not only by
		 * maxcount (which a caller may set high).
		 */
		budget = args->maxcount - used;
		if (budget > end - XDR_GETPOS(xdrs))
			budget = end - XDR_GETPOS(xdrs);
		if (!decode_entry(xdrs, e, budget))
			return -EBADMSG;
	}
	if (!xdr_bool(xdrs, &ok->reply.eof))
		return -EBADMSG;
	if (XDR_GETPOS(xdrs) - start > args->maxcount)
		return -EMSGSIZE;
	return 0;
}

/*
 * NFSv4.2 extended attributes (RFC 8276).  Ganesha's generic decoders
 * bound a GETXATTR value only by XDR_STRING_MAXLEN and a LISTXATTR name
 * array by XDR_ARRAY_MAXLEN - and ntirpc allocates what a length word
 * announces before it reads the bytes - so these results are decoded
 * here: a value of at most SESS_XATTR_VALUE_MAX bytes (Linux's
 * XATTR_SIZE_MAX), at most SESS_LISTXATTR_MAX_NAMES names of at most
 * SESS_XATTR_NAME_MAX bytes each, no more names than the bytes left could
 * hold, and the whole result within the maxcount the call asked for
 * (RFC 8276 8.4.3.2).
 */
#define SESS_XATTR_VALUE_MAX 65536
#ifndef SESS_LISTXATTR_MAX_NAMES /* a fuzz target may lower it */
#define SESS_LISTXATTR_MAX_NAMES 4096
#endif
#define SESS_XATTR_NAME_MAX 255

/*
 * An opaque of at most @max bytes, and no longer than the @end - pos bytes
 * left: nfsv41.h's decoder mallocs the announced length (and aborts when
 * that fails) before it reads, and refuses lengths >= its bound.
 */
static bool decode_bounded(XDR *xdrs, utf8string *s, u_int max, u_int end)
{
	u_int pos = XDR_GETPOS(xdrs);
	uint32_t len;

	if (!xdr_u_int32_t(xdrs, &len) || len > max ||
	    len > end - XDR_GETPOS(xdrs) || !XDR_SETPOS(xdrs, pos))
		return false;
	return inline_xdr_utf8string(xdrs, s, max + 1);
}

static int decode_getxattr(XDR *xdrs, nfs_resop4 *res, u_int end)
{
	GETXATTR4res *gx = &res->nfs_resop4_u.opgetxattr;
	nfs_opnum4 op;

	if (!xdr_nfs_opnum4(xdrs, &op) || op != NFS4_OP_GETXATTR)
		return -EBADMSG;
	res->resop = op;
	if (!xdr_nfsstat4(xdrs, &gx->status))
		return -EBADMSG;
	if (gx->status != NFS4_OK)
		return 0;
	if (!decode_bounded(xdrs, &gx->GETXATTR4res_u.resok4.gxr_value,
			    SESS_XATTR_VALUE_MAX, end))
		return -EBADMSG;
	return 0;
}

/*
 * A READ_PLUS result (RFC 7862) for a call that asked @count bytes; the
 * reply is @end bytes long.  Ganesha's XDR decodes only the one-segment
 * reply it builds itself (it wants the segment count set before it
 * reads it), so the result is walked here and only a summary kept: the
 * eof flag, the number of segments in rpr_contents_count, and the first
 * segment in rpr_contents (a data segment's offset and length, its bytes
 * skipped and data_val left NULL; a hole's offset and length).  Returns
 * 0, or -EBADMSG for a malformed result, a segment of neither kind, or
 * more data than @count in all.
 */
static int decode_read_plus(XDR *xdrs, nfs_resop4 *res, count4 count, u_int end)
{
	READ_PLUS4res *rp = &res->nfs_resop4_u.opread_plus;
	read_plus_res4 *ok = &rp->rpr_resok4;
	uint64_t total = 0, off, hlen, next;
	uint32_t n, i, what, len;
	nfs_opnum4 op;

	if (!xdr_nfs_opnum4(xdrs, &op) || op != NFS4_OP_READ_PLUS)
		return -EBADMSG;
	res->resop = op;
	if (!xdr_nfsstat4(xdrs, &rp->rpr_status))
		return -EBADMSG;
	if (rp->rpr_status != NFS4_OK)
		return 0;
	if (!xdr_bool(xdrs, &ok->rpr_eof) || !xdr_u_int32_t(xdrs, &n) ||
	    XDR_GETPOS(xdrs) > end)
		return -EBADMSG;
	/* every segment takes at least 16 bytes of what is left */
	if (n > (end - XDR_GETPOS(xdrs)) / 16)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		if (!xdr_u_int32_t(xdrs, &what) || !xdr_u_int64_t(xdrs, &off))
			return -EBADMSG;
		if (what == NFS4_CONTENT_DATA) {
			if (!xdr_u_int32_t(xdrs, &len) || len > count - total)
				return -EBADMSG;
			next =
			    (uint64_t)XDR_GETPOS(xdrs) + ((len + 3ULL) & ~3ULL);
			if (next > end || !XDR_SETPOS(xdrs, (u_int)next))
				return -EBADMSG;
			total += len;
			hlen = len;
		} else if (what == NFS4_CONTENT_HOLE) {
			if (!xdr_u_int64_t(xdrs, &hlen))
				return -EBADMSG;
		} else {
			return -EBADMSG;
		}
		if (i)
			continue;
		ok->rpr_contents.what = what;
		if (what == NFS4_CONTENT_DATA) {
			ok->rpr_contents.data.d_offset = off;
			ok->rpr_contents.data.d_data.data_len = (u_int)hlen;
		} else {
			ok->rpr_contents.hole.di_offset = off;
			ok->rpr_contents.hole.di_length = hlen;
		}
	}
	ok->rpr_contents_count = n;
	return 0;
}

/*
 * A LISTXATTR result asked for with @args; the reply is @end bytes long.
 * Returns 0, -EBADMSG (malformed, beyond a cap) or -EMSGSIZE (longer than
 * maxcount); what was decoded stays in @res for the caller to free.
 */
static int decode_listxattr(XDR *xdrs, nfs_resop4 *res,
			    const LISTXATTR4args *args, u_int end)
{
	LISTXATTR4res *lx = &res->nfs_resop4_u.oplistxattr;
	LISTXATTR4resok *ok = &lx->LISTXATTR4res_u.resok4;
	u_int start;
	nfs_opnum4 op;
	uint32_t n, i;

	if (!xdr_nfs_opnum4(xdrs, &op) || op != NFS4_OP_LISTXATTR)
		return -EBADMSG;
	res->resop = op;
	if (!xdr_nfsstat4(xdrs, &lx->status))
		return -EBADMSG;
	if (lx->status != NFS4_OK)
		return 0;
	start = XDR_GETPOS(xdrs);
	if (!xdr_nfs_cookie4(xdrs, &ok->lxr_cookie) || !xdr_u_int32_t(xdrs, &n))
		return -EBADMSG;
	/* each name takes a length word at least; the eof word follows */
	if (n > SESS_LISTXATTR_MAX_NAMES ||
	    (uint64_t)n * 4 + 4 > end - XDR_GETPOS(xdrs))
		return -EBADMSG;
	if (n) {
		ok->lxr_names.xl4_entries = mem_calloc(n, sizeof(xattrkey4));
		ok->lxr_names.xl4_count = n; /* freed whole, also if partial */
	}
	for (i = 0; i < n; i++)
		if (!decode_bounded(xdrs, &ok->lxr_names.xl4_entries[i],
				    SESS_XATTR_NAME_MAX, end))
			return -EBADMSG;
	if (!xdr_bool(xdrs, &ok->lxr_eof))
		return -EBADMSG;
	if (XDR_GETPOS(xdrs) - start > args->lxa_maxcount)
		return -EMSGSIZE;
	return 0;
}

static void free_results(struct sess_raw *r, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		nfs_resop4 *res = &r->r_res[i];

		free_readdir_entries(res);
		xdr_nfree((xdrproc_t)xdr_nfs_resop4, res);
	}
}

/*
 * Whether the next result answers @want; the stream is left where it
 * was.  Checked before any decoding, so an unexpected result is never
 * decoded (a READDIR result in place of another would reach Ganesha's
 * recursive entry decoder).
 */
static bool next_result_is(XDR *xdrs, nfs_opnum4 want)
{
	u_int pos = XDR_GETPOS(xdrs);
	nfs_opnum4 op;

	return xdr_nfs_opnum4(xdrs, &op) && op == want && XDR_SETPOS(xdrs, pos);
}

/* A result no longer than its arguments asked for; 0 or -EMSGSIZE. */
static int result_within_ask(const nfs_argop4 *a, const nfs_resop4 *res)
{
	const READ4res *rd = &res->nfs_resop4_u.opread;

	if (a->argop == NFS4_OP_READ && rd->status == NFS4_OK &&
	    rd->READ4res_u.resok4.data.data_len > a->nfs_argop4_u.opread.count)
		return -EMSGSIZE;
	return 0;
}

static int decode_compound(void *arg, const uint8_t *buf, size_t len,
			   struct sess_xprt_call *call)
{
	struct sess_raw *r = arg;
	utf8str_cs tag = {0};
	uint32_t n, i;
	XDR xdrs;
	int ret = 0;

	/* ntirpc's xdrmem_ncreate() aborts on a misaligned buffer. */
	if (len == 0 || ((uintptr_t)buf & 3))
		return -EBADMSG;
	xdrmem_ncreate(&xdrs, (char *)buf, (u_int)len, XDR_DECODE);
	if (!xdr_nfsstat4(&xdrs, &r->r_status) || !xdr_utf8str_cs(&xdrs, &tag))
		return -EBADMSG;
	xdr_nfree((xdrproc_t)xdr_utf8str_cs, &tag);
	if (!xdr_u_int32_t(&xdrs, &n) || n > r->r_nargs)
		return -EBADMSG;
	memset(r->r_res, 0, sizeof(*r->r_res) * r->r_nargs);
	for (i = 0; i < n; i++) {
		const nfs_argop4 *a = &r->r_args[i];

		if (!next_result_is(&xdrs, a->argop))
			ret = -EBADMSG;
		else if (a->argop == NFS4_OP_READ && r->r_bulk_in)
			ret = decode_read_into(&xdrs, &r->r_res[i], call);
		else if (a->argop == NFS4_OP_READDIR)
			ret = decode_readdir(&xdrs, &r->r_res[i],
					     &a->nfs_argop4_u.opreaddir,
					     (u_int)len);
		else if (a->argop == NFS4_OP_GETXATTR)
			ret = decode_getxattr(&xdrs, &r->r_res[i], (u_int)len);
		else if (a->argop == NFS4_OP_READ_PLUS)
			ret = decode_read_plus(
			    &xdrs, &r->r_res[i],
			    a->nfs_argop4_u.opread_plus.rpa_count, (u_int)len);
		else if (a->argop == NFS4_OP_LISTXATTR)
			ret = decode_listxattr(&xdrs, &r->r_res[i],
					       &a->nfs_argop4_u.oplistxattr,
					       (u_int)len);
		else if (!xdr_nfs_resop4(&xdrs, &r->r_res[i]))
			ret = -EBADMSG;
		else
			ret = result_within_ask(a, &r->r_res[i]);
		if (ret) {
			free_results(r, i + 1);
			return ret;
		}
		/* Only the last result may carry an error. */
		if (resop_status(&r->r_res[i]) != NFS4_OK && i + 1 != n) {
			free_results(r, i + 1);
			return -EBADMSG;
		}
	}
	if (r->r_status == NFS4_OK && n != r->r_nargs) {
		free_results(r, n);
		return -EBADMSG;
	}
	r->r_nres = n;
	return 0;
}

/*
 * Whether the reply to @r surely fits one inline receive (RFC 8797 never
 * negotiates below 1 KiB; 4 KiB is usual): a few operations whose
 * results are small and bounded.  An RDMA transport then offers no Reply
 * chunk - no registration, no buffer exposed.  Anything else (READDIR,
 * READLINK, inline READ data, attributes that may be long) gets one.
 */
/*
 * Eight: SEQUENCE, two PUTFH, a change (OPEN, CREATE, RENAME...), GETFH,
 * RESTOREFH and two GETATTRs of the small attributes - the longest
 * COMPOUND a gateway sends to bring post-op attributes along - answer in
 * about 1.3 KiB with 32-byte owner names, well within
 * SESS_XPRT_SMALL_REPLY_MAX (the transport offers a Reply chunk anyway
 * when the peer's inline receive is smaller).
 */
#define SESS_SMALL_REPLY_OPS 8
#define SESS_SMALL_ATTRS_0                                                     \
	(~((1u << FATTR4_ACL) | (1u << FATTR4_FS_LOCATIONS) |                  \
	   (1u << FATTR4_SUPPORTED_ATTRS)))

static bool small_attrs(const bitmap4 *bm)
{
	uint32_t i;

	if (bm->bitmap4_len > 0 && (bm->map[0] & ~SESS_SMALL_ATTRS_0))
		return false;
	/* word 1 holds fixed-size attributes and owner/owner_group */
	for (i = 2; i < bm->bitmap4_len && i < 3; i++)
		if (bm->map[i])
			return false;
	return true;
}

static bool reply_is_small(const struct sess_raw *r)
{
	uint32_t i;

	if (r->r_nargs > SESS_SMALL_REPLY_OPS)
		return false;
	for (i = 0; i < r->r_nargs; i++) {
		const nfs_argop4 *a = &r->r_args[i];

		switch (a->argop) {
		case NFS4_OP_SEQUENCE:
		case NFS4_OP_PUTFH:
		case NFS4_OP_PUTROOTFH:
		case NFS4_OP_LOOKUP:
		case NFS4_OP_LOOKUPP:
		case NFS4_OP_SAVEFH:
		case NFS4_OP_RESTOREFH:
		case NFS4_OP_GETFH:
		case NFS4_OP_OPEN:
		case NFS4_OP_CLOSE:
		case NFS4_OP_OPEN_DOWNGRADE:
		case NFS4_OP_REMOVE:
		case NFS4_OP_RENAME:
		case NFS4_OP_LINK:
		case NFS4_OP_CREATE:
		case NFS4_OP_SETATTR:
		case NFS4_OP_COMMIT:
		case NFS4_OP_WRITE:
		case NFS4_OP_LOCKU:
		case NFS4_OP_FREE_STATEID:
		case NFS4_OP_ACCESS:
		/* NFSv4.2: fixed-size results */
		case NFS4_OP_ALLOCATE:
		case NFS4_OP_DEALLOCATE:
		case NFS4_OP_SEEK:
		case NFS4_OP_SETXATTR:
		case NFS4_OP_REMOVEXATTR:
			break;
		case NFS4_OP_READ:
			if (!r->r_bulk_in)
				return false; /* data would come inline */
			break;
		case NFS4_OP_GETATTR:
			if (!small_attrs(
				&a->nfs_argop4_u.opgetattr.attr_request))
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

int sess_raw_call(struct sess_client *cl, struct sess_raw *r)
{
	struct sess_xprt_call call = {
	    .tc_prog = SESS_NFS_PROGRAM,
	    .tc_vers = SESS_NFS_V4,
	    .tc_proc = SESS_NFSPROC4_COMPOUND,
	    .tc_cred = r->r_cred ? r->r_cred : &cl->cl_cred,
	    .tc_encode = encode_compound,
	    .tc_encode_arg = r,
	    .tc_decode = decode_compound,
	    .tc_decode_arg = r,
	    .tc_bulk_out = r->r_bulk_out,
	    .tc_bulk_out_cnt = r->r_bulk_out_cnt,
	    .tc_bulk_out_len = r->r_bulk_out_len,
	    .tc_bulk_in = r->r_bulk_in,
	    .tc_bulk_in_cap = r->r_bulk_in_cap,
	    .tc_timeout_ms = r->r_timeout_ms,
	    .tc_reply_small = reply_is_small(r),
	};

	struct sess_xprt *x = r->r_xprt ? r->r_xprt : cl->cl_xprt;
	int ret;

	r->r_nres = 0;
	if (r->r_nargs == 0)
		return -EINVAL;
	r->r_minor = atomic_load(&cl->cl_minor);
	/* sess_client_shutdown() cuts calls still out after its grace */
	__atomic_add_fetch(&cl->cl_calls_out, 1, __ATOMIC_RELAXED);
	ret = x->x_ops->call(x, &call);
	__atomic_sub_fetch(&cl->cl_calls_out, 1, __ATOMIC_RELAXED);
	if (call.tc_bulk_in_copied) {
		pthread_mutex_lock(&cl->cl_lock);
		cl->cl_stats.cst_read_bytes_copied += call.tc_bulk_in_copied;
		pthread_mutex_unlock(&cl->cl_lock);
	}
	return ret;
}

void sess_raw_free(struct sess_raw *r)
{
	free_results(r, r->r_nres);
	r->r_nres = 0;
}

void sess_compound_free(struct sess_compound *c)
{
	uint32_t i;

	for (i = 0; i < c->sc_nres; i++) {
		nfs_resop4 *res = &c->sc_res[i];

		free_readdir_entries(res);
		xdr_nfree((xdrproc_t)xdr_nfs_resop4, res);
	}
	c->sc_nres = 0;
}
