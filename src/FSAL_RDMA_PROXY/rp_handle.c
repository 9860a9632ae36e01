/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Object handles and namespace operations of FSAL_RDMA_PROXY.
 *
 * An object is the backend's file handle plus Ganesha's common part; our
 * wire handle is one kind byte, the backend's handle and a MAC keyed with
 * State_Dir's key (rp_handle_mac.c), so a handle a client holds stays
 * valid across a gateway restart for as long as the backend's does, and
 * a client cannot make one up.  Each operation is one COMPOUND that also brings
 * back what Ganesha needs next (GETFH + GETATTR after LOOKUP and CREATE,
 * FILEHANDLE with every READDIR entry), so nothing costs a second round
 * trip.  Operations that change the namespace ask the backend to cache
 * their reply: a replay after a lost connection is answered from the
 * session's reply cache and runs exactly once.
 */
#include "config.h"

#include <string.h>

#include "rp_int.h"

/* Kind + backend handle + MAC fit NFSv4's handle after Ganesha's header. */
_Static_assert(offsetof(file_handle_v4_t, fsopaque) + RP_WIRE_MAX <=
		   NFS4_FHSIZE,
	       "the gateway's wire handle must fit NFS4_FHSIZE");

#define RP_READDIR_DIRCOUNT (32 * 1024)
#define RP_READDIR_MAXCOUNT (128 * 1024)

void rp_op_putfh_raw(nfs_argop4 *op, const uint8_t *fh, uint32_t len)
{
	op->argop = NFS4_OP_PUTFH;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_len = len;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_val = (char *)fh;
}

void rp_op_putfh(nfs_argop4 *op, const struct rp_handle *h)
{
	rp_op_putfh_raw(op, h->fh, h->fh_len);
}

void rp_op_getattr(nfs_argop4 *op)
{
	op->argop = NFS4_OP_GETATTR;
	rp_attr_bitmap(&op->nfs_argop4_u.opgetattr.attr_request, false);
}

void rp_op_getfh(nfs_argop4 *op)
{
	op->argop = NFS4_OP_GETFH;
}

int rp_op_name(component4 *c, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NAME_MAX)
		return -ENAMETOOLONG;
	c->utf8string_len = (u_int)len;
	c->utf8string_val = (char *)name;
	return 0;
}

fsal_status_t rp_make_handle(struct rp_export *ex, const uint8_t *fh,
			     uint32_t fh_len, fattr4 *fa,
			     struct fsal_obj_handle **out,
			     struct fsal_attrlist *attrs_out)
{
	struct fsal_attrlist attrs;
	struct rp_handle *h;
	fsal_status_t st;

	if (fh_len == 0 || fh_len > NFS4_FHSIZE) {
		LogWarn(COMPONENT_FSAL,
			"RDMA_PROXY: backend handle of %u bytes refused",
			fh_len);
		return fsalstat(ERR_FSAL_SERVERFAULT, EINVAL);
	}
	if (fh_len > RP_FH_MAX) { /* does not fit ours with the MAC */
		rp_log_big_handle(ex, fh_len);
		return fsalstat(ERR_FSAL_SERVERFAULT, EOVERFLOW);
	}
	fsal_prepare_attrs(&attrs,
			   attrs_out ? attrs_out->request_mask : ATTRS_POSIX);
	st = rp_fattr_to_attrs(fa, &attrs);
	if (FSAL_IS_ERROR(st))
		return st;
	if (rp_is_root_obj(ex, fh, fh_len, &attrs)) {
		/* the root has a handle of its own (RP_WIRE_ROOT) */
		fsal_release_attrs(&attrs);
		return rp_make_root(ex, out, attrs_out);
	}
	if (!FSAL_TEST_MASK(attrs.valid_mask, ATTR_TYPE)) {
		fsal_release_attrs(&attrs);
		LogWarn(COMPONENT_FSAL,
			"RDMA_PROXY: backend omitted the object type");
		return fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
	}

	h = gsh_calloc(1, sizeof(*h));
	h->fh_len = fh_len;
	memcpy(h->fh, fh, fh_len);
	if (!rp_seal_wire(ex, h, RP_WIRE_FH)) {
		gsh_free(h);
		fsal_release_attrs(&attrs);
		return fsalstat(ERR_FSAL_SERVERFAULT, EIO);
	}
	rp_postop_init(h);
	fsal_obj_handle_init(&h->obj, &ex->exp, attrs.type);
	h->obj.fsid = attrs.fsid;
	h->obj.fileid = attrs.fileid;
	h->obj.obj_ops = &rp_module.handle_ops;
	if (attrs_out)
		fsal_copy_attrs(attrs_out, &attrs, true);
	else
		fsal_release_attrs(&attrs);
	*out = &h->obj;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/* The GETFH + GETATTR pair at @res into a new object. */
static fsal_status_t rp_object_from(struct rp_export *ex, nfs_resop4 *res,
				    struct fsal_obj_handle **out,
				    struct fsal_attrlist *attrs_out)
{
	GETFH4resok *fh = &res[0].nfs_resop4_u.opgetfh.GETFH4res_u.resok4;
	GETATTR4resok *ga = &res[1].nfs_resop4_u.opgetattr.GETATTR4res_u.resok4;

	return rp_make_handle(ex, (uint8_t *)fh->object.nfs_fh4_val,
			      fh->object.nfs_fh4_len, &ga->obj_attributes, out,
			      attrs_out);
}

static fsal_status_t rp_lookup(struct fsal_obj_handle *parent, const char *path,
			       struct fsal_obj_handle **handle,
			       struct fsal_attrlist *attrs_out)
{
	struct rp_export *ex = rp_cur_exp();
	nfs_argop4 ops[4];
	struct sess_compound c = {.sc_args = ops, .sc_nargs = 4};
	uint64_t neg_ticket = 0;
	fsal_status_t st;

	if (parent->type != DIRECTORY)
		return fsalstat(ERR_FSAL_NOTDIR, ENOTDIR);
	/* Nothing above Backend_Path is reachable through the gateway. */
	if (rp_hdl(parent)->is_root && strcmp(path, "..") == 0)
		return rp_make_root(ex, handle, attrs_out);
	rp_op_putfh(&ops[0], rp_hdl(parent));
	if (strcmp(path, "..") == 0) {
		ops[1].argop = NFS4_OP_LOOKUPP;
	} else {
		ops[1].argop = NFS4_OP_LOOKUP;
		if (rp_op_name(&ops[1].nfs_argop4_u.oplookup.objname, path))
			return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
		/* asked again right after the backend said it is not there */
		if (rp_neg_take(ex, rp_hdl(parent), path))
			return fsalstat(ERR_FSAL_NOENT, ENOENT);
		neg_ticket = rp_neg_ticket(rp_hdl(parent));
	}
	rp_op_getfh(&ops[2]);
	rp_op_getattr(&ops[3]);
	st = rp_run(ex, &c);
	if (!FSAL_IS_ERROR(st))
		st = rp_object_from(ex, &c.sc_res[2], handle, attrs_out);
	else if (st.major == ERR_FSAL_NOENT && ops[1].argop == NFS4_OP_LOOKUP &&
		 c.sc_nres == 2)
		/* the LOOKUP itself missed, not the directory */
		rp_neg_note(rp_hdl(parent), path, neg_ticket);
	sess_compound_free(&c);
	return st;
}

static fsal_status_t rp_readdir_entry(struct rp_export *ex,
				      struct rp_handle *dir, entry4 *e,
				      fsal_readdir_cb cb, void *dir_state,
				      attrmask_t attrmask,
				      enum fsal_dir_result *cb_rc)
{
	char name[NAME_MAX + 1];
	uint8_t fh[NFS4_FHSIZE];
	uint32_t fh_len = 0;
	struct fsal_attrlist attrs;
	struct fsal_obj_handle *obj;
	fsal_status_t st;

	if (e->name.utf8string_len == 0 || e->name.utf8string_len > NAME_MAX ||
	    memchr(e->name.utf8string_val, '\0', e->name.utf8string_len) ||
	    memchr(e->name.utf8string_val, '/', e->name.utf8string_len)) {
		LogWarn(
		    COMPONENT_FSAL,
		    "RDMA_PROXY: backend sent a directory entry with an invalid name");
		return fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
	}
	memcpy(name, e->name.utf8string_val, e->name.utf8string_len);
	name[e->name.utf8string_len] = '\0';

	fsal_prepare_attrs(&attrs, attrmask);
	if (rp_fattr_take_fh(&e->attrs, fh, &fh_len))
		st = rp_make_handle(ex, fh, fh_len, &e->attrs, &obj, &attrs);
	else /* backend does not give handles in READDIR: look it up */
		st = rp_lookup(&dir->obj, name, &obj, &attrs);
	if (FSAL_IS_ERROR(st))
		return st;
	*cb_rc = cb(name, obj, &attrs, dir_state, e->cookie);
	fsal_release_attrs(&attrs);
	return st;
}

static fsal_status_t rp_readdir(struct fsal_obj_handle *dir_hdl,
				fsal_cookie_t *whence, void *dir_state,
				fsal_readdir_cb cb, attrmask_t attrmask,
				bool *eof)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *dir = rp_hdl(dir_hdl);
	nfs_cookie4 cookie = whence ? *whence : 0;
	verifier4 verf;
	bool more = true;
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);

	/* A listing that resumes presents the verifier of its cookies. */
	memset(verf, 0, sizeof(verf));
	if (cookie) {
		uint64_t v = atomic_load(&dir->cookieverf);

		memcpy(verf, &v, sizeof(verf));
	}
	*eof = false;
	while (more && !*eof) {
		nfs_argop4 ops[2];
		struct sess_compound c = {.sc_args = ops, .sc_nargs = 2};
		READDIR4args *ra = &ops[1].nfs_argop4_u.opreaddir;
		READDIR4resok *ok;
		entry4 *e;
		bool empty;

		nfs_cookie4 asked = cookie;

		rp_op_putfh(&ops[0], dir);
		ops[1].argop = NFS4_OP_READDIR;
		ra->cookie = cookie;
		/* Ganesha's own backend checks no verifier for cookie 0 */
		memcpy(ra->cookieverf, verf, sizeof(verf));
		ra->dircount = RP_READDIR_DIRCOUNT;
		ra->maxcount = RP_READDIR_MAXCOUNT;
		rp_attr_bitmap(&ra->attr_request, true);
		st = rp_run(ex, &c);
		if (FSAL_IS_ERROR(st)) {
			sess_compound_free(&c);
			return st;
		}
		ok = &c.sc_res[1].nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
		memcpy(verf, ok->cookieverf, sizeof(verf));
		{
			uint64_t v;

			memcpy(&v, verf, sizeof(v));
			atomic_store(&dir->cookieverf, v);
		}
		empty = ok->reply.entries == NULL;
		for (e = ok->reply.entries; e; e = e->nextentry) {
			enum fsal_dir_result rc = DIR_CONTINUE;

			st = rp_readdir_entry(ex, dir, e, cb, dir_state,
					      attrmask, &rc);
			if (FSAL_IS_ERROR(st))
				break;
			cookie = e->cookie;
			if (rc >= DIR_READAHEAD) {
				/* Ganesha has enough (or wants no more) */
				more = false;
				break;
			}
		}
		if (!FSAL_IS_ERROR(st) && more)
			*eof = ok->reply.eof;
		sess_compound_free(&c);
		if (FSAL_IS_ERROR(st))
			return st;
		/*
		 * A backend that neither ends the listing nor moves the
		 * cookie would keep this loop going for ever.
		 */
		if (!*eof && more && (empty || cookie == asked)) {
			LogWarn(
			    COMPONENT_FSAL,
			    "RDMA_PROXY: backend READDIR made no progress (no entry, or cookie %llu again) and no end",
			    (unsigned long long)asked);
			return fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
		}
	}
	return st;
}

static fsal_status_t rp_create_obj(struct fsal_obj_handle *dir_hdl,
				   const char *name, createtype4 *type,
				   struct fsal_attrlist *attrs_in,
				   struct fsal_obj_handle **new_obj,
				   struct fsal_attrlist *attrs_out)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *dir = rp_hdl(dir_hdl);
	nfs_argop4 ops[6];
	struct sess_compound c = {.sc_args = ops, .sc_cachethis = true};
	CREATE4args *ca = &ops[1].nfs_argop4_u.opcreate;
	struct fsal_attrlist in;
	fsal_status_t st;
	uint64_t ticket;
	int ret;

	rp_op_putfh(&ops[0], dir);
	ops[1].argop = NFS4_OP_CREATE;
	ca->objtype = *type;
	if (rp_op_name(&ca->objname, name))
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	/* Creation takes mode, owner, group and times; never a size. */
	in = *attrs_in;
	FSAL_UNSET_MASK(in.valid_mask, ATTR_SIZE);
	st = rp_attrs_to_fattr(&in, &ca->createattrs);
	if (FSAL_IS_ERROR(st))
		return st;
	rp_op_getfh(&ops[2]);
	rp_op_getattr(&ops[3]);
	/* and the directory's attributes, which Ganesha asks for next */
	c.sc_nargs = rp_postop_add(ops, 4, dir);
	ticket = rp_postop_begin(dir);
	ret = rp_call(ex, &c);
	nfs4_Fattr_Free(&ca->createattrs);
	st = rp_status_main(ret, &c, 4);
	if (!FSAL_IS_ERROR(st)) {
		rp_postop_keep(ex, dir, ticket, &c, 5);
		st = rp_object_from(ex, &c.sc_res[2], new_obj, attrs_out);
	} else {
		rp_postop_end(dir);
	}
	if (ret == 0)
		sess_compound_free(&c);
	return st;
}

static fsal_status_t rp_mkdir(struct fsal_obj_handle *dir_hdl, const char *name,
			      struct fsal_attrlist *attrs_in,
			      struct fsal_obj_handle **new_obj,
			      struct fsal_attrlist *attrs_out)
{
	createtype4 t = {.type = NF4DIR};

	return rp_create_obj(dir_hdl, name, &t, attrs_in, new_obj, attrs_out);
}

static fsal_status_t rp_mknode(struct fsal_obj_handle *dir_hdl,
			       const char *name, object_file_type_t nodetype,
			       struct fsal_attrlist *attrs_in,
			       struct fsal_obj_handle **new_obj,
			       struct fsal_attrlist *attrs_out)
{
	createtype4 t;

	memset(&t, 0, sizeof(t));
	switch (nodetype) {
	case CHARACTER_FILE:
		t.type = NF4CHR;
		break;
	case BLOCK_FILE:
		t.type = NF4BLK;
		break;
	case SOCKET_FILE:
		t.type = NF4SOCK;
		break;
	case FIFO_FILE:
		t.type = NF4FIFO;
		break;
	default:
		return fsalstat(ERR_FSAL_BADTYPE, EINVAL);
	}
	if (t.type == NF4CHR || t.type == NF4BLK) {
		t.createtype4_u.devdata.specdata1 = attrs_in->rawdev.major;
		t.createtype4_u.devdata.specdata2 = attrs_in->rawdev.minor;
	}
	return rp_create_obj(dir_hdl, name, &t, attrs_in, new_obj, attrs_out);
}

static fsal_status_t rp_symlink(struct fsal_obj_handle *dir_hdl,
				const char *name, const char *link_path,
				struct fsal_attrlist *attrs_in,
				struct fsal_obj_handle **new_obj,
				struct fsal_attrlist *attrs_out)
{
	createtype4 t = {.type = NF4LNK};
	size_t len = strlen(link_path);

	if (len == 0 || len > PATH_MAX)
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	t.createtype4_u.linkdata.utf8string_len = (u_int)len;
	t.createtype4_u.linkdata.utf8string_val = (char *)link_path;
	return rp_create_obj(dir_hdl, name, &t, attrs_in, new_obj, attrs_out);
}

static fsal_status_t rp_readlink(struct fsal_obj_handle *obj_hdl,
				 struct gsh_buffdesc *link_content,
				 bool refresh)
{
	struct rp_export *ex = rp_cur_exp();
	nfs_argop4 ops[2];
	struct sess_compound c = {.sc_args = ops, .sc_nargs = 2};
	READLINK4resok *ok;
	fsal_status_t st;

	if (obj_hdl->type != SYMBOLIC_LINK)
		return fsalstat(ERR_FSAL_BADTYPE, EINVAL);
	rp_op_putfh(&ops[0], rp_hdl(obj_hdl));
	ops[1].argop = NFS4_OP_READLINK;
	st = rp_run(ex, &c);
	if (!FSAL_IS_ERROR(st)) {
		ok = &c.sc_res[1].nfs_resop4_u.opreadlink.READLINK4res_u.resok4;
		if (ok->link.utf8string_len > PATH_MAX) {
			st = fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
		} else {
			link_content->len = ok->link.utf8string_len + 1;
			link_content->addr = gsh_malloc(link_content->len);
			memcpy(link_content->addr, ok->link.utf8string_val,
			       ok->link.utf8string_len);
			((char *)link_content->addr)[link_content->len - 1] =
			    '\0';
		}
	}
	sess_compound_free(&c);
	return st;
}

static fsal_status_t rp_getattrs(struct fsal_obj_handle *obj_hdl,
				 struct fsal_attrlist *attrs)
{
	struct rp_export *ex = rp_cur_exp();
	nfs_argop4 ops[2];
	struct sess_compound c = {.sc_args = ops, .sc_nargs = 2};
	fsal_status_t st;

	/* right after a change through us: its post-op attributes */
	if (rp_postop_take(ex, rp_hdl(obj_hdl), attrs, &st))
		return st;
	rp_op_putfh(&ops[0], rp_hdl(obj_hdl));
	rp_op_getattr(&ops[1]);
	st = rp_run(ex, &c);
	if (!FSAL_IS_ERROR(st))
		st =
		    rp_fattr_to_attrs(&c.sc_res[1]
					   .nfs_resop4_u.opgetattr.GETATTR4res_u
					   .resok4.obj_attributes,
				      attrs);
	sess_compound_free(&c);
	if (FSAL_IS_ERROR(st) && (attrs->request_mask & ATTR_RDATTR_ERR))
		attrs->valid_mask = ATTR_RDATTR_ERR;
	return st;
}

/*
 * PUTFH a, SAVEFH, PUTFH b, then @op (LINK or RENAME), then the post-op
 * attributes of b (GETATTR) and of a (RESTOREFH, GETATTR): LINK changes
 * the object a (its link count) and the directory b, RENAME both
 * directories.
 */
static fsal_status_t rp_two_handles(struct rp_handle *a, struct rp_handle *b,
				    nfs_argop4 *op)
{
	struct rp_export *ex = rp_cur_exp();
	nfs_argop4 ops[7];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 7, .sc_cachethis = true};
	uint64_t ticket_a, ticket_b;
	fsal_status_t st;
	int ret;

	rp_op_putfh(&ops[0], a);
	ops[1].argop = NFS4_OP_SAVEFH;
	rp_op_putfh(&ops[2], b);
	ops[3] = *op;
	rp_op_getattr(&ops[4]);
	ops[5].argop = NFS4_OP_RESTOREFH;
	rp_op_getattr(&ops[6]);
	ticket_a = rp_postop_begin(a);
	/*
	 * One directory, one change: a second ticket on it would make the
	 * first (the one kept below) look overtaken by another change.
	 */
	ticket_b = a == b ? ticket_a : rp_postop_begin(b);
	ret = rp_call(ex, &c);
	st = rp_status_main(ret, &c, 4);
	if (FSAL_IS_ERROR(st)) {
		rp_postop_end(a);
		if (a != b)
			rp_postop_end(b);
	} else if (a == b) { /* a rename inside one directory */
		rp_postop_keep(ex, a, ticket_a, &c, 6);
	} else {
		rp_postop_keep(ex, b, ticket_b, &c, 4);
		/*
		 * Only directories keep post-op attributes: a file's would
		 * also have to be forgotten by every WRITE.
		 */
		if (a->obj.type == DIRECTORY)
			rp_postop_keep(ex, a, ticket_a, &c, 6);
		else
			rp_postop_end(a);
	}
	if (ret == 0)
		sess_compound_free(&c);
	return st;
}

static fsal_status_t rp_link(struct fsal_obj_handle *obj_hdl,
			     struct fsal_obj_handle *destdir_hdl,
			     const char *name)
{
	nfs_argop4 op = {.argop = NFS4_OP_LINK};

	if (rp_op_name(&op.nfs_argop4_u.oplink.newname, name))
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	return rp_two_handles(rp_hdl(obj_hdl), rp_hdl(destdir_hdl), &op);
}

static fsal_status_t rp_rename(struct fsal_obj_handle *obj_hdl,
			       struct fsal_obj_handle *olddir_hdl,
			       const char *old_name,
			       struct fsal_obj_handle *newdir_hdl,
			       const char *new_name)
{
	nfs_argop4 op = {.argop = NFS4_OP_RENAME};

	if (rp_op_name(&op.nfs_argop4_u.oprename.oldname, old_name) ||
	    rp_op_name(&op.nfs_argop4_u.oprename.newname, new_name))
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	return rp_two_handles(rp_hdl(olddir_hdl), rp_hdl(newdir_hdl), &op);
}

static fsal_status_t rp_unlink(struct fsal_obj_handle *dir_hdl,
			       struct fsal_obj_handle *obj_hdl,
			       const char *name)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_handle *dir = rp_hdl(dir_hdl);
	nfs_argop4 ops[3];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 3, .sc_cachethis = true};
	fsal_status_t st;
	uint64_t ticket;
	int ret;

	rp_op_putfh(&ops[0], dir);
	ops[1].argop = NFS4_OP_REMOVE;
	if (rp_op_name(&ops[1].nfs_argop4_u.opremove.target, name))
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	/* Ganesha asks for the directory's attributes on its next use */
	rp_op_getattr(&ops[2]);
	ticket = rp_postop_begin(dir);
	ret = rp_call(ex, &c);
	st = rp_status_main(ret, &c, 2);
	if (FSAL_IS_ERROR(st))
		rp_postop_end(dir);
	else
		rp_postop_keep(ex, dir, ticket, &c, 2);
	if (ret == 0)
		sess_compound_free(&c);
	return st;
}

static fsal_status_t rp_handle_to_wire(const struct fsal_obj_handle *obj_hdl,
				       fsal_digesttype_t output_type,
				       struct gsh_buffdesc *fh_desc)
{
	const struct rp_handle *h = rp_hdl(obj_hdl);

	switch (output_type) {
	case FSAL_DIGEST_NFSV3:
	case FSAL_DIGEST_NFSV4:
		break;
	default:
		return fsalstat(ERR_FSAL_SERVERFAULT, EINVAL);
	}
	if (fh_desc->len < h->wire_len) {
		/* NFSv3: 64-byte handles leave room for 42 bytes of backend's
		 */
		LogMajor(
		    COMPONENT_FSAL,
		    "RDMA_PROXY: backend handle of %u bytes does not fit the %zu bytes Ganesha's handle leaves (with a kind byte and a %u-byte MAC)",
		    h->fh_len, fh_desc->len, RP_MAC_LEN);
		return fsalstat(ERR_FSAL_TOOSMALL, EOVERFLOW);
	}
	memcpy(fh_desc->addr, h->wire, h->wire_len);
	fh_desc->len = h->wire_len;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static void rp_handle_to_key(struct fsal_obj_handle *obj_hdl,
			     struct gsh_buffdesc *fh_desc)
{
	struct rp_handle *h = rp_hdl(obj_hdl);

	fh_desc->addr = h->wire;
	fh_desc->len = h->wire_len;
}

static void rp_release(struct fsal_obj_handle *obj_hdl)
{
	struct rp_handle *h = rp_hdl(obj_hdl);

	rp_postop_fini(h);
	fsal_obj_handle_fini(obj_hdl);
	gsh_free(h);
}

void rp_handle_ops_init(struct fsal_obj_ops *ops)
{
	fsal_default_obj_ops_init(ops);
	ops->release = rp_release;
	ops->lookup = rp_lookup;
	ops->readdir = rp_readdir;
	ops->mkdir = rp_mkdir;
	ops->mknode = rp_mknode;
	ops->symlink = rp_symlink;
	ops->readlink = rp_readlink;
	ops->getattrs = rp_getattrs;
	ops->link = rp_link;
	ops->rename = rp_rename;
	ops->unlink = rp_unlink;
	ops->handle_to_wire = rp_handle_to_wire;
	ops->handle_to_key = rp_handle_to_key;
	rp_file_ops_init(ops);
}
