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
 *
 * The export root is an object of its own (rp_make_root()): no backend
 * handle, sealed as RP_WIRE_ROOT, and what rp_make_handle() makes of any
 * backend object rp_root.c recognises as the root.  Every COMPOUND is
 * built with rp_compound.h's appenders, which also take the directory
 * tickets of a change (rp_cpd_postop()).
 */
#include "config.h"

#include <string.h>

#include "rp_int.h"
#include "sess_ops.h"

/* Kind + backend handle + MAC fit NFSv4's handle after Ganesha's header. */
_Static_assert(offsetof(file_handle_v4_t, fsopaque) + RP_WIRE_MAX <=
		   NFS4_FHSIZE,
	       "the gateway's wire handle must fit NFS4_FHSIZE");

#define RP_READDIR_DIRCOUNT (32 * 1024)
#define RP_READDIR_MAXCOUNT (128 * 1024)
/*
 * Entries one rp_readdir() call takes from the backend at the most.
 * Ganesha asks for one dirent chunk (Dir_Chunk, 128 by default) or, with
 * the cache bypassed, for one client READDIR reply; either is a small
 * fraction of this, so only a backend whose pages never end gets here.
 */
#define RP_READDIR_MAX_ENTRIES (1u << 16)

/* Backend listings stopped as endless: the first is logged at WARN. */
static atomic_uint_fast64_t rp_readdir_endless;

/* Attributes of the root while the backend cannot be asked. */
static void rp_placeholder_root_attrs(struct rp_export *ex,
				      struct fsal_attrlist *a)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	a->valid_mask = ATTRS_POSIX;
	a->supported = rp_module.fsal.fs_info.supported_attrs;
	a->type = DIRECTORY;
	a->mode = 0755;
	a->numlinks = 2;
	a->fsid.major = ex->export_id;
	a->fsid.minor = 0;
	a->fileid = 1;
	a->atime = a->mtime = a->ctime = now;
	a->change = 1;
}

fsal_status_t rp_make_root(struct rp_export *ex, struct fsal_obj_handle **out,
			   struct fsal_attrlist *attrs_out)
{
	struct rp_handle *h = gsh_calloc(1, sizeof(*h));
	struct fsal_attrlist attrs;
	fsal_status_t st;

	h->is_root = true;
	if (!rp_seal_wire(ex, h, RP_WIRE_ROOT)) {
		gsh_free(h);
		return fsalstat(ERR_FSAL_SERVERFAULT, EIO);
	}
	rp_postop_init(h);
	rp_compat_obj_init(&h->obj, &ex->exp, DIRECTORY);
	h->obj.obj_ops = &rp_module.handle_ops;

	fsal_prepare_attrs(&attrs, ATTRS_POSIX);
	st = h->obj.obj_ops->getattrs(&h->obj, &attrs);
	if (st.major == ERR_FSAL_DELAY) {
		if (!atomic_exchange(&ex->placeholder_logged, true))
			LogEvent(
			    COMPONENT_FSAL,
			    "RDMA_PROXY %s: backend not reachable yet, the export root is a placeholder until it is",
			    ex->backend.rb_label);
		rp_placeholder_root_attrs(ex, &attrs);
	} else if (FSAL_IS_ERROR(st)) {
		fsal_release_attrs(&attrs);
		rp_postop_fini(h);
		rp_compat_obj_fini(&h->obj);
		gsh_free(h);
		return st;
	}
	h->obj.fsid = attrs.fsid;
	h->obj.fileid = attrs.fileid;
	if (attrs_out)
		fsal_copy_attrs(attrs_out, &attrs, true);
	else
		fsal_release_attrs(&attrs);
	*out = &h->obj;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
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
	rp_compat_obj_init(&h->obj, &ex->exp, attrs.type);
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

/* The GETFH at @i_fh and the GETATTR at @i_attr of @b into a new object. */
static fsal_status_t rp_object_from(struct rp_export *ex, struct rp_compound *b,
				    uint32_t i_fh, uint32_t i_attr,
				    struct fsal_obj_handle **out,
				    struct fsal_attrlist *attrs_out)
{
	nfs_resop4 *rf = rp_cpd_res(b, i_fh), *ra = rp_cpd_res(b, i_attr);
	GETFH4resok *fh;
	GETATTR4resok *ga;

	if (!rf || !ra) /* a caller's slip: the run did not get there */
		return fsalstat(ERR_FSAL_SERVERFAULT, EINVAL);
	fh = &rf->nfs_resop4_u.opgetfh.GETFH4res_u.resok4;
	ga = &ra->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4;
	return rp_make_handle(ex, (uint8_t *)fh->object.nfs_fh4_val,
			      fh->object.nfs_fh4_len, &ga->obj_attributes, out,
			      attrs_out);
}

static fsal_status_t rp_lookup(struct fsal_obj_handle *parent, const char *path,
			       struct fsal_obj_handle **handle,
			       struct fsal_attrlist *attrs_out)
{
	struct rp_export *ex = rp_cur_exp();
	bool lookupp = strcmp(path, "..") == 0;
	struct rp_compound b;
	uint32_t i_look, i_fh, i_attr;
	uint64_t neg_ticket = 0;
	fsal_status_t st;

	if (parent->type != DIRECTORY)
		return fsalstat(ERR_FSAL_NOTDIR, ENOTDIR);
	/* Nothing above Backend_Path is reachable through the gateway. */
	if (rp_hdl(parent)->is_root && lookupp)
		return rp_make_root(ex, handle, attrs_out);
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, rp_hdl(parent));
	i_look = rp_cpd_lookup(&b, path);
	if (rp_cpd_failed(&b, &st))
		return st;
	if (!lookupp) {
		/* asked again right after the backend said it is not there */
		if (rp_neg_take(ex, rp_hdl(parent), path))
			return fsalstat(ERR_FSAL_NOENT, ENOENT);
		neg_ticket = rp_neg_ticket(rp_hdl(parent));
	}
	i_fh = rp_cpd_getfh(&b);
	i_attr = rp_cpd_getattr(&b);
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st))
		st = rp_object_from(ex, &b, i_fh, i_attr, handle, attrs_out);
	else if (st.major == ERR_FSAL_NOENT && !lookupp &&
		 b.cpd_c.sc_nres == i_look + 1)
		/* the LOOKUP itself missed, not the directory */
		rp_neg_note(rp_hdl(parent), path, neg_ticket);
	rp_cpd_free(&b);
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

/*
 * A backend listing that would never end, for @why: log (the first at
 * WARN, later ones at DEBUG: a backend stuck so would flood the log) and
 * fail it.
 */
static fsal_status_t rp_readdir_endless_note(const char *why,
					     unsigned long long what)
{
	uint64_t n = atomic_fetch_add(&rp_readdir_endless, 1);

	if (n == 0)
		LogWarn(
		    COMPONENT_FSAL,
		    "RDMA_PROXY: backend READDIR goes round or never ends (%s %llu): listing failed with NFS4ERR_SERVERFAULT; later ones are logged at DEBUG",
		    why, what);
	else
		LogDebug(COMPONENT_FSAL,
			 "RDMA_PROXY: endless backend READDIR #%llu (%s %llu)",
			 (unsigned long long)n + 1, why, what);
	return fsalstat(ERR_FSAL_SERVERFAULT, ELOOP);
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
	struct sess_cookie_watch watch;
	struct rp_readdir_names names;
	uint32_t taken = 0;
	bool more = true;
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);

	/* A listing that resumes presents the verifier of its cookies. */
	memset(verf, 0, sizeof(verf));
	if (cookie) {
		uint64_t v = atomic_load(&dir->cookieverf);

		memcpy(verf, &v, sizeof(verf));
	}
	*eof = false;
	sess_cookie_watch_init(&watch);
	rp_names_init(&names);
	while (more && !*eof) {
		struct rp_compound b;
		nfs_argop4 *op;
		READDIR4args *ra;
		READDIR4resok *ok;
		uint32_t i_rd;
		entry4 *e;
		bool empty;

		nfs_cookie4 asked = cookie;

		rp_cpd_init(&b, ex, false);
		rp_cpd_putfh(&b, dir);
		i_rd = rp_cpd_add(&b, NFS4_OP_READDIR, &op);
		ra = &op->nfs_argop4_u.opreaddir;
		ra->cookie = cookie;
		/* Ganesha's own backend checks no verifier for cookie 0 */
		memcpy(ra->cookieverf, verf, sizeof(verf));
		ra->dircount = RP_READDIR_DIRCOUNT;
		ra->maxcount = RP_READDIR_MAXCOUNT;
		rp_attr_bitmap(&ra->attr_request, true);
		st = rp_cpd_run(&b);
		if (FSAL_IS_ERROR(st)) {
			rp_cpd_free(&b);
			break;
		}
		ok = &b.cpd_c.sc_res[i_rd]
			  .nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
		memcpy(verf, ok->cookieverf, sizeof(verf));
		{
			uint64_t v;

			memcpy(&v, verf, sizeof(v));
			atomic_store(&dir->cookieverf, v);
		}
		empty = ok->reply.entries == NULL;
		for (e = ok->reply.entries; e; e = e->nextentry) {
			enum fsal_dir_result rc = DIR_CONTINUE;

			/*
			 * A cookie the backend gave before in this listing,
			 * or more entries than any caller asks for: its
			 * pages go round (Ganesha 4.3's dirent cache was
			 * seen doing it) or never end.
			 */
			if (++taken > RP_READDIR_MAX_ENTRIES) {
				st = rp_readdir_endless_note(
				    "entries in one call:", taken);
				break;
			}
			if (sess_cookie_watch_seen(&watch, e->cookie)) {
				st = rp_readdir_endless_note(
				    "cookie given before:", e->cookie);
				break;
			}
			/*
			 * A name given before in this listing: Ganesha's
			 * dirent cache would stop the call there and answer
			 * NFS4ERR_DELAY, and the client would list again
			 * from the start for ever (rp_readdir_names.c).
			 */
			if (rp_names_seen(&names, e->name.utf8string_val,
					  e->name.utf8string_len)) {
				st = rp_readdir_endless_note(
				    "name given before, entry", taken);
				break;
			}
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
		rp_cpd_free(&b);
		if (FSAL_IS_ERROR(st))
			break;
		/*
		 * A backend that neither ends the listing nor moves the
		 * cookie would keep this loop going for ever.
		 */
		if (!*eof && more && (empty || cookie == asked)) {
			LogWarn(
			    COMPONENT_FSAL,
			    "RDMA_PROXY: backend READDIR made no progress (no entry, or cookie %llu again) and no end",
			    (unsigned long long)asked);
			st = fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
			break;
		}
	}
	rp_names_fini(&names);
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
	struct rp_compound b;
	CREATE4args *ca;
	struct fsal_attrlist in;
	uint32_t i_fh, i_attr;
	fsal_status_t st;

	rp_cpd_init(&b, ex, true);
	rp_cpd_putfh(&b, dir);
	rp_cpd_create(&b, type, name, &ca);
	if (rp_cpd_failed(&b, &st))
		return st;
	/* Creation takes mode, owner, group and times; never a size. */
	in = *attrs_in;
	FSAL_UNSET_MASK(in.valid_mask, ATTR_SIZE);
	st = rp_attrs_to_fattr(&in, &ca->createattrs);
	if (FSAL_IS_ERROR(st))
		return st;
	i_fh = rp_cpd_getfh(&b);
	i_attr = rp_cpd_getattr(&b);
	/* and the directory's attributes, which Ganesha asks for next */
	rp_cpd_postop(&b, dir);
	st = rp_cpd_run(&b);
	nfs4_Fattr_Free(&ca->createattrs);
	if (!FSAL_IS_ERROR(st))
		st = rp_object_from(ex, &b, i_fh, i_attr, new_obj, attrs_out);
	rp_cpd_free(&b);
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
	struct rp_compound b;
	READLINK4resok *ok;
	uint32_t i_rl;
	fsal_status_t st;

	if (obj_hdl->type != SYMBOLIC_LINK)
		return fsalstat(ERR_FSAL_BADTYPE, EINVAL);
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	i_rl = rp_cpd_add(&b, NFS4_OP_READLINK, NULL);
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st)) {
		ok = &b.cpd_c.sc_res[i_rl]
			  .nfs_resop4_u.opreadlink.READLINK4res_u.resok4;
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
	rp_cpd_free(&b);
	return st;
}

static fsal_status_t rp_getattrs(struct fsal_obj_handle *obj_hdl,
				 struct fsal_attrlist *attrs)
{
	struct rp_export *ex = rp_cur_exp();
	struct rp_compound b;
	uint32_t i_attr;
	fsal_status_t st;

	/* right after a change through us: its post-op attributes */
	if (rp_postop_take(ex, rp_hdl(obj_hdl), attrs, &st))
		return st;
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	i_attr = rp_cpd_getattr(&b);
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st))
		st =
		    rp_fattr_to_attrs(&b.cpd_c.sc_res[i_attr]
					   .nfs_resop4_u.opgetattr.GETATTR4res_u
					   .resok4.obj_attributes,
				      attrs);
	rp_cpd_free(&b);
	if (FSAL_IS_ERROR(st) && (attrs->request_mask & ATTR_RDATTR_ERR))
		attrs->valid_mask = ATTR_RDATTR_ERR;
	return st;
}

/*
 * PUTFH a, SAVEFH, PUTFH b, then LINK (@to NULL: a as b/@name) or RENAME
 * (a/@name to b/@to), then the post-op attributes of b (GETATTR) and of a
 * (RESTOREFH, GETATTR): LINK changes the object a (its link count) and
 * the directory b, RENAME both directories (or one, twice).
 */
static fsal_status_t rp_two_handles(struct rp_handle *a, struct rp_handle *bh,
				    const char *name, const char *to)
{
	struct rp_compound b;
	fsal_status_t st;

	rp_cpd_init(&b, rp_cur_exp(), true);
	rp_cpd_change(&b, a);
	rp_cpd_change(&b, bh);
	rp_cpd_putfh(&b, a);
	rp_cpd_savefh(&b);
	rp_cpd_putfh(&b, bh);
	if (to)
		rp_cpd_rename(&b, name, to);
	else
		rp_cpd_link(&b, name);
	rp_cpd_postop_here(&b, bh);
	rp_cpd_restorefh(&b);
	rp_cpd_postop_here(&b, a);
	st = rp_cpd_run(&b);
	rp_cpd_free(&b);
	return st;
}

static fsal_status_t rp_link(struct fsal_obj_handle *obj_hdl,
			     struct fsal_obj_handle *destdir_hdl,
			     const char *name)
{
	return rp_two_handles(rp_hdl(obj_hdl), rp_hdl(destdir_hdl), name, NULL);
}

static fsal_status_t rp_rename(struct fsal_obj_handle *obj_hdl,
			       struct fsal_obj_handle *olddir_hdl,
			       const char *old_name,
			       struct fsal_obj_handle *newdir_hdl,
			       const char *new_name)
{
	return rp_two_handles(rp_hdl(olddir_hdl), rp_hdl(newdir_hdl), old_name,
			      new_name);
}

static fsal_status_t rp_unlink(struct fsal_obj_handle *dir_hdl,
			       struct fsal_obj_handle *obj_hdl,
			       const char *name)
{
	struct rp_handle *dir = rp_hdl(dir_hdl);
	struct rp_compound b;
	fsal_status_t st;

	rp_cpd_init(&b, rp_cur_exp(), true);
	rp_cpd_putfh(&b, dir);
	rp_cpd_remove(&b, name);
	/* Ganesha asks for the directory's attributes on its next use */
	rp_cpd_postop_here(&b, dir);
	st = rp_cpd_run(&b);
	rp_cpd_free(&b);
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
	rp_compat_obj_fini(obj_hdl);
	gsh_free(h);
}

void rp_handle_ops_init(struct fsal_obj_ops *ops, struct rp_ns_ops *ns)
{
	fsal_default_obj_ops_init(ops);
	ops->release = rp_release;
	ops->lookup = rp_lookup;
	ops->readdir = rp_readdir;
	ns->mkdir = rp_mkdir;
	ns->mknode = rp_mknode;
	ns->symlink = rp_symlink;
	ops->readlink = rp_readlink;
	ops->getattrs = rp_getattrs;
	ns->link = rp_link;
	ns->rename = rp_rename;
	ns->unlink = rp_unlink;
	ops->handle_to_wire = rp_handle_to_wire;
	ops->handle_to_key = rp_handle_to_key;
}
