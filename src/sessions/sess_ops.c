/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * COMPOUND builders for file operations (see sess_ops.h).  Each builds
 * its operations on the stack, runs them with sess_compound() and copies
 * what it needs out of the decoded results before freeing them.
 * Non-idempotent operations (CREATE, REMOVE, RENAME, OPEN, CLOSE, WRITE)
 * ask the server to cache the reply, so a replay after a lost connection
 * is answered from the cache and the operation runs exactly once.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "sess_ops.h"

#define REQ_ATTRS_0                                                            \
	((1u << FATTR4_TYPE) | (1u << FATTR4_SIZE) | (1u << FATTR4_FILEID))
#define REQ_ATTRS_1                                                            \
	((1u << (FATTR4_MODE - 32)) | (1u << (FATTR4_NUMLINKS - 32)) |         \
	 (1u << (FATTR4_SPACE_USED - 32)) | (1u << (FATTR4_TIME_MODIFY - 32)))
#define NAME_MAX_BYTES 255
#define REOPEN_TRIES 3

static atomic_uint_fast64_t open_owner_seq;

static void want_attrs(bitmap4 *bm)
{
	memset(bm, 0, sizeof(*bm));
	bm->bitmap4_len = 2;
	bm->map[0] = REQ_ATTRS_0;
	bm->map[1] = REQ_ATTRS_1;
}

int sess_decode_fattr(const fattr4 *fa, struct sess_attr *attr)
{
	uint32_t bit, word, u32;
	uint64_t u64;
	XDR xdrs;

	memset(attr, 0, sizeof(*attr));
	if ((uintptr_t)fa->attr_vals.attrlist4_val & 3)
		return -EBADMSG; /* xdrmem_ncreate() aborts on those */
	if (fa->attr_vals.attrlist4_len == 0) {
		/* No values. */
		for (bit = 0; bit < fa->attrmask.bitmap4_len && bit < 3; bit++)
			if (fa->attrmask.map[bit])
				return -EBADMSG;
		return 0;
	}
	xdrmem_ncreate(&xdrs, fa->attr_vals.attrlist4_val,
		       fa->attr_vals.attrlist4_len, XDR_DECODE);
	for (bit = 0; bit < 32 * fa->attrmask.bitmap4_len && bit < 96; bit++) {
		word = fa->attrmask.map[bit / 32];
		if (!(word & (1u << (bit % 32))))
			continue;
		switch (bit) {
		case FATTR4_TYPE:
			if (!xdr_u_int32_t(&xdrs, &attr->sa_type))
				return -EBADMSG;
			attr->sa_mask |= SESS_ATTR_TYPE;
			break;
		case FATTR4_SIZE:
			if (!xdr_uint64_t(&xdrs, &attr->sa_size))
				return -EBADMSG;
			attr->sa_mask |= SESS_ATTR_SIZE;
			break;
		case FATTR4_FILEID:
			if (!xdr_uint64_t(&xdrs, &attr->sa_fileid))
				return -EBADMSG;
			attr->sa_mask |= SESS_ATTR_FILEID;
			break;
		case FATTR4_MODE:
			if (!xdr_u_int32_t(&xdrs, &attr->sa_mode))
				return -EBADMSG;
			attr->sa_mask |= SESS_ATTR_MODE;
			break;
		case FATTR4_NUMLINKS:
			if (!xdr_u_int32_t(&xdrs, &attr->sa_nlink))
				return -EBADMSG;
			attr->sa_mask |= SESS_ATTR_NLINK;
			break;
		case FATTR4_SPACE_USED:
			if (!xdr_uint64_t(&xdrs, &attr->sa_space_used))
				return -EBADMSG;
			attr->sa_mask |= SESS_ATTR_SPACE;
			break;
		case FATTR4_TIME_MODIFY:
			if (!xdr_uint64_t(&xdrs, &u64) ||
			    !xdr_u_int32_t(&xdrs, &u32))
				return -EBADMSG;
			attr->sa_mtime_sec = (int64_t)u64;
			attr->sa_mtime_nsec = u32;
			attr->sa_mask |= SESS_ATTR_MTIME;
			break;
		default:
			return 0; /* size unknown: stop here */
		}
	}
	return 0;
}

static int set_name(component4 *c, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > NAME_MAX_BYTES || strchr(name, '/'))
		return n > NAME_MAX_BYTES ? -ENAMETOOLONG : -EINVAL;
	c->utf8string_len = (u_int)n;
	c->utf8string_val = (char *)name;
	return 0;
}

static void putfh(nfs_argop4 *op, const struct sess_fh *fh)
{
	op->argop = NFS4_OP_PUTFH;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_len = fh->fh_len;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_val = (char *)fh->fh_data;
}

static int copy_fh(const nfs_resop4 *res, struct sess_fh *fh)
{
	const nfs_fh4 *o = &res->nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;

	if (o->nfs_fh4_len == 0 || o->nfs_fh4_len > NFS4_FHSIZE)
		return -EBADMSG;
	fh->fh_len = o->nfs_fh4_len;
	memcpy(fh->fh_data, o->nfs_fh4_val, o->nfs_fh4_len);
	return 0;
}

static const fattr4 *getattr_res(const nfs_resop4 *res)
{
	return &res->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes;
}

int sess_compound_run(struct sess_client *cl, struct sess_compound *c)
{
	int ret = sess_compound(cl, c);

	if (ret)
		return ret;
	if (c->sc_status != NFS4_OK) {
		sess_compound_free(c);
		return (int)c->sc_status;
	}
	if (c->sc_nres != c->sc_nargs) {
		sess_compound_free(c);
		return -EBADMSG;
	}
	return 0;
}

void sess_cookie_watch_init(struct sess_cookie_watch *w)
{
	*w = (struct sess_cookie_watch){.cw_power = 1};
}

bool sess_cookie_watch_seen(struct sess_cookie_watch *w, uint64_t cookie)
{
	if (w->cw_have_mark && cookie == w->cw_mark)
		return true;
	if (!w->cw_have_mark || ++w->cw_run == w->cw_power) {
		if (w->cw_have_mark)
			w->cw_power <<= 1;
		w->cw_mark = cookie;
		w->cw_have_mark = true;
		w->cw_run = 0;
	}
	return false;
}

int sess_lookup(struct sess_client *cl, const char *path, struct sess_fh *fh,
		struct sess_attr *attr)
{
	nfs_argop4 ops[SESS_PATH_MAX_COMPONENTS + 3];
	char buf[4096], *comp, *save = NULL;
	struct sess_compound c = {.sc_args = ops};
	uint32_t n = 0;
	int ret;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	memset(ops, 0, sizeof(ops));
	ops[n++].argop = NFS4_OP_PUTROOTFH;
	for (comp = strtok_r(buf, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (n > SESS_PATH_MAX_COMPONENTS)
			return -ENAMETOOLONG;
		ops[n].argop = NFS4_OP_LOOKUP;
		ret = set_name(&ops[n].nfs_argop4_u.oplookup.objname, comp);
		if (ret)
			return ret;
		n++;
	}
	ops[n++].argop = NFS4_OP_GETFH;
	ops[n].argop = NFS4_OP_GETATTR;
	want_attrs(&ops[n++].nfs_argop4_u.opgetattr.attr_request);
	c.sc_nargs = n;
	ret = sess_compound_run(cl, &c);
	if (ret)
		return ret;
	ret = copy_fh(&c.sc_res[n - 2], fh);
	if (!ret && attr)
		ret = sess_decode_fattr(getattr_res(&c.sc_res[n - 1]), attr);
	sess_compound_free(&c);
	return ret;
}

int sess_getattr(struct sess_client *cl, const struct sess_fh *fh,
		 struct sess_attr *attr)
{
	nfs_argop4 ops[2];
	struct sess_compound c = {.sc_args = ops, .sc_nargs = 2};
	int ret;

	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], fh);
	ops[1].argop = NFS4_OP_GETATTR;
	want_attrs(&ops[1].nfs_argop4_u.opgetattr.attr_request);
	ret = sess_compound_run(cl, &c);
	if (ret)
		return ret;
	ret = sess_decode_fattr(getattr_res(&c.sc_res[1]), attr);
	sess_compound_free(&c);
	return ret;
}

int sess_readdir(struct sess_client *cl, const struct sess_fh *dir,
		 sess_readdir_fn fn, void *ctx)
{
	nfs_argop4 ops[2];
	struct sess_compound c;
	READDIR4args *ra = &ops[1].nfs_argop4_u.opreaddir;
	READDIR4resok *ok;
	struct sess_attr attr;
	char name[NAME_MAX_BYTES + 1];
	entry4 *e;
	struct sess_cookie_watch watch;
	bool eof = false;
	int ret = 0, guard = 0;

	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], dir);
	ops[1].argop = NFS4_OP_READDIR;
	ra->dircount = 16384;
	ra->maxcount = 65536;
	want_attrs(&ra->attr_request);
	sess_cookie_watch_init(&watch);
	while (!eof && !ret) {
		c = (struct sess_compound){.sc_args = ops, .sc_nargs = 2};
		ret = sess_compound_run(cl, &c);
		if (ret)
			return ret;
		ok = &c.sc_res[1].nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
		memcpy(ra->cookieverf, ok->cookieverf, sizeof(verifier4));
		eof = ok->reply.eof;
		if (!ok->reply.entries && !eof && ++guard > 3)
			ret = -EBADMSG; /* no progress */
		for (e = ok->reply.entries; e && !ret; e = e->nextentry) {
			/*
			 * A cookie seen again means the server hands out the
			 * same positions again: the listing would never end
			 * (Ganesha 4.3's dirent cache was seen looping).
			 */
			if (sess_cookie_watch_seen(&watch, e->cookie)) {
				ret = -ELOOP;
				break;
			}
			ra->cookie = e->cookie;
			if (e->name.utf8string_len > NAME_MAX_BYTES ||
			    memchr(e->name.utf8string_val, '\0',
				   e->name.utf8string_len)) {
				ret = -EBADMSG;
				break;
			}
			memcpy(name, e->name.utf8string_val,
			       e->name.utf8string_len);
			name[e->name.utf8string_len] = '\0';
			ret = sess_decode_fattr(&e->attrs, &attr);
			if (!ret)
				ret = fn(ctx, name, &attr);
		}
		sess_compound_free(&c);
	}
	return ret;
}

static void mode_attr(fattr4 *fa, char *vals, uint32_t mode, bool trunc)
{
	uint32_t be_mode = htonl(mode);
	size_t len = 0;

	memset(fa, 0, sizeof(*fa));
	fa->attrmask.bitmap4_len = 2;
	if (trunc) {
		fa->attrmask.map[0] = 1u << FATTR4_SIZE;
		memset(vals, 0, 8); /* size 0 */
		len = 8;
	}
	fa->attrmask.map[1] = 1u << (FATTR4_MODE - 32);
	memcpy(vals + len, &be_mode, 4);
	fa->attr_vals.attrlist4_len = (u_int)(len + 4);
	fa->attr_vals.attrlist4_val = vals;
}

int sess_mkdir(struct sess_client *cl, const struct sess_fh *dir,
	       const char *name, uint32_t mode, struct sess_fh *out)
{
	nfs_argop4 ops[3];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 3, .sc_cachethis = true};
	CREATE4args *ca = &ops[1].nfs_argop4_u.opcreate;
	char vals[12];
	int ret;

	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], dir);
	ops[1].argop = NFS4_OP_CREATE;
	ca->objtype.type = NF4DIR;
	ret = set_name(&ca->objname, name);
	if (ret)
		return ret;
	mode_attr(&ca->createattrs, vals, mode, false);
	ops[2].argop = NFS4_OP_GETFH;
	ret = sess_compound_run(cl, &c);
	if (ret)
		return ret;
	ret = out ? copy_fh(&c.sc_res[2], out) : 0;
	sess_compound_free(&c);
	return ret;
}

int sess_remove(struct sess_client *cl, const struct sess_fh *dir,
		const char *name)
{
	nfs_argop4 ops[2];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 2, .sc_cachethis = true};
	int ret;

	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], dir);
	ops[1].argop = NFS4_OP_REMOVE;
	ret = set_name(&ops[1].nfs_argop4_u.opremove.target, name);
	if (ret)
		return ret;
	ret = sess_compound_run(cl, &c);
	if (!ret)
		sess_compound_free(&c);
	return ret;
}

int sess_rename(struct sess_client *cl, const struct sess_fh *from_dir,
		const char *from, const struct sess_fh *to_dir, const char *to)
{
	nfs_argop4 ops[4];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 4, .sc_cachethis = true};
	int ret;

	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], from_dir);
	ops[1].argop = NFS4_OP_SAVEFH;
	putfh(&ops[2], to_dir);
	ops[3].argop = NFS4_OP_RENAME;
	ret = set_name(&ops[3].nfs_argop4_u.oprename.oldname, from);
	if (!ret)
		ret = set_name(&ops[3].nfs_argop4_u.oprename.newname, to);
	if (ret)
		return ret;
	ret = sess_compound_run(cl, &c);
	if (!ret)
		sess_compound_free(&c);
	return ret;
}

static uint32_t share_access(uint32_t access)
{
	uint32_t a = 0;

	if (access & SESS_OPEN_READ)
		a |= OPEN4_SHARE_ACCESS_READ;
	if (access & SESS_OPEN_WRITE)
		a |= OPEN4_SHARE_ACCESS_WRITE;
	return a | OPEN4_SHARE_ACCESS_WANT_NO_DELEG;
}

/*
 * OPEN: by name in @dir (CLAIM_NULL) or, when @dir is NULL, the file
 * itself by handle (CLAIM_FH, for re-opening).  Fills f_stateid/f_fh.
 */
static int do_open(struct sess_file *f, const struct sess_fh *dir,
		   const char *name, unsigned int flags, uint32_t mode)
{
	nfs_argop4 ops[3];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 3, .sc_cachethis = true};
	OPEN4args *oa = &ops[1].nfs_argop4_u.opopen;
	OPEN4resok *ok;
	uint64_t gen = sess_client_state_gen(f->f_cl);
	char vals[12];
	int ret;

	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], dir ? dir : &f->f_fh);
	ops[1].argop = NFS4_OP_OPEN;
	oa->share_access = share_access(flags);
	oa->share_deny = OPEN4_SHARE_DENY_NONE;
	oa->owner.clientid = sess_client_clientid(f->f_cl);
	oa->owner.owner.owner_len = (u_int)strlen(f->f_owner);
	oa->owner.owner.owner_val = f->f_owner;
	if (dir && (flags & SESS_OPEN_CREATE)) {
		oa->openhow.opentype = OPEN4_CREATE;
		oa->openhow.openflag4_u.how.mode =
		    flags & SESS_OPEN_EXCL ? GUARDED4 : UNCHECKED4;
		mode_attr(&oa->openhow.openflag4_u.how.createhow4_u.createattrs,
			  vals, mode, flags & SESS_OPEN_TRUNC);
	} else {
		oa->openhow.opentype = OPEN4_NOCREATE;
	}
	if (dir) {
		oa->claim.claim = CLAIM_NULL;
		ret = set_name(&oa->claim.open_claim4_u.file, name);
		if (ret)
			return ret;
	} else {
		oa->claim.claim = CLAIM_FH;
	}
	ops[2].argop = NFS4_OP_GETFH;
	ret = sess_compound_run(f->f_cl, &c);
	if (ret)
		return ret;
	ok = &c.sc_res[1].nfs_resop4_u.opopen.OPEN4res_u.resok4;
	ret = copy_fh(&c.sc_res[2], &f->f_fh);
	if (!ret) {
		pthread_mutex_lock(&f->f_lock);
		f->f_stateid = ok->stateid;
		f->f_state_gen = gen;
		f->f_open = true;
		pthread_mutex_unlock(&f->f_lock);
	}
	sess_compound_free(&c);
	return ret;
}

int sess_open(struct sess_client *cl, const struct sess_fh *dir,
	      const char *name, unsigned int flags, uint32_t mode,
	      struct sess_file *f)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->f_cl = cl;
	f->f_access = flags & (SESS_OPEN_READ | SESS_OPEN_WRITE);
	if (!f->f_access)
		return -EINVAL;
	snprintf(f->f_owner, sizeof(f->f_owner), "open-%llu",
		 (unsigned long long)atomic_fetch_add(&open_owner_seq, 1));
	pthread_mutex_init(&f->f_lock, NULL);
	pthread_mutex_init(&f->f_reopen_lock, NULL);
	ret = do_open(f, dir, name, flags, mode);
	if (ret) {
		pthread_mutex_destroy(&f->f_lock);
		pthread_mutex_destroy(&f->f_reopen_lock);
	}
	return ret;
}

static bool state_lost(int ret)
{
	return ret == NFS4ERR_BAD_STATEID || ret == NFS4ERR_STALE_STATEID ||
	       ret == NFS4ERR_EXPIRED || ret == NFS4ERR_ADMIN_REVOKED ||
	       ret == NFS4ERR_DELEG_REVOKED || ret == NFS4ERR_OLD_STATEID;
}

/*
 * The stateid to use now (@used: the one with its real seqid, to name a
 * failure later; @sid: what to send, seqid 0 = "the current one", RFC 8881
 * 8.2.2, so concurrent I/O never trips over NFS4ERR_OLD_STATEID).
 * Re-opens first when the client's state generation moved on or when
 * @failed (the stateid that just failed) is still the current one; the
 * re-open is serialised so parallel streams re-open once.
 */
static int current_stateid(struct sess_file *f, stateid4 *sid, stateid4 *used,
			   const stateid4 *failed)
{
	uint64_t gen = sess_client_state_gen(f->f_cl);
	bool stale;
	int ret = 0;

	pthread_mutex_lock(&f->f_reopen_lock);
	pthread_mutex_lock(&f->f_lock);
	stale =
	    f->f_state_gen != gen ||
	    (failed && failed->seqid == f->f_stateid.seqid &&
	     !memcmp(failed->other, f->f_stateid.other, sizeof(failed->other)));
	pthread_mutex_unlock(&f->f_lock);
	if (stale) {
		ret = do_open(f, NULL, NULL, f->f_access, 0);
		if (!ret) {
			pthread_mutex_lock(&f->f_lock);
			f->f_reopens++;
			pthread_mutex_unlock(&f->f_lock);
		}
	}
	pthread_mutex_unlock(&f->f_reopen_lock);
	if (ret)
		return ret;
	pthread_mutex_lock(&f->f_lock);
	*used = f->f_stateid;
	pthread_mutex_unlock(&f->f_lock);
	*sid = *used;
	sid->seqid = 0;
	return 0;
}

int sess_read(struct sess_file *f, uint64_t off, void *buf, uint32_t len,
	      uint32_t *got, bool *eof)
{
	nfs_argop4 ops[2];
	struct sess_compound c;
	READ4resok *ok;
	stateid4 used;
	int ret, tries;

	for (tries = 0; tries < REOPEN_TRIES; tries++) {
		memset(ops, 0, sizeof(ops));
		putfh(&ops[0], &f->f_fh);
		ops[1].argop = NFS4_OP_READ;
		ret = current_stateid(f, &ops[1].nfs_argop4_u.opread.stateid,
				      &used, tries ? &used : NULL);
		if (ret)
			return ret;
		ops[1].nfs_argop4_u.opread.offset = off;
		ops[1].nfs_argop4_u.opread.count = len;
		c = (struct sess_compound){.sc_args = ops,
					   .sc_nargs = 2,
					   .sc_bulk_in = buf,
					   .sc_bulk_in_cap = len};
		ret = sess_compound_run(f->f_cl, &c);
		if (state_lost(ret))
			continue;
		if (ret)
			return ret;
		ok = &c.sc_res[1].nfs_resop4_u.opread.READ4res_u.resok4;
		*got = ok->data.data_len;
		*eof = ok->eof;
		sess_compound_free(&c);
		return 0;
	}
	return ret;
}

int sess_write(struct sess_file *f, uint64_t off, const struct iovec *iov,
	       int iovcnt, uint32_t len, stable_how4 stable, uint32_t *written,
	       stable_how4 *committed, verifier4 verf)
{
	nfs_argop4 ops[2];
	struct sess_compound c;
	WRITE4args *wa = &ops[1].nfs_argop4_u.opwrite;
	WRITE4resok *ok;
	stateid4 used;
	int ret, tries;

	for (tries = 0; tries < REOPEN_TRIES; tries++) {
		memset(ops, 0, sizeof(ops));
		putfh(&ops[0], &f->f_fh);
		ops[1].argop = NFS4_OP_WRITE;
		ret = current_stateid(f, &wa->stateid, &used,
				      tries ? &used : NULL);
		if (ret)
			return ret;
		wa->offset = off;
		wa->stable = stable;
		wa->data.data_len = len;
		c = (struct sess_compound){.sc_args = ops,
					   .sc_nargs = 2,
					   .sc_cachethis = true,
					   .sc_bulk_out = iov,
					   .sc_bulk_out_cnt = iovcnt,
					   .sc_bulk_out_len = len};
		ret = sess_compound_run(f->f_cl, &c);
		if (state_lost(ret))
			continue;
		if (ret)
			return ret;
		ok = &c.sc_res[1].nfs_resop4_u.opwrite.WRITE4res_u.resok4;
		*written = ok->count;
		*committed = ok->committed;
		memcpy(verf, ok->writeverf, sizeof(verifier4));
		sess_compound_free(&c);
		return *written > len ? -EBADMSG : 0;
	}
	return ret;
}

int sess_commit(struct sess_file *f, verifier4 verf)
{
	nfs_argop4 ops[2];
	struct sess_compound c = {.sc_args = ops, .sc_nargs = 2};
	int ret;

	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], &f->f_fh);
	ops[1].argop = NFS4_OP_COMMIT;
	ret = sess_compound_run(f->f_cl, &c);
	if (ret)
		return ret;
	memcpy(verf,
	       c.sc_res[1].nfs_resop4_u.opcommit.COMMIT4res_u.resok4.writeverf,
	       sizeof(verifier4));
	sess_compound_free(&c);
	return 0;
}

int sess_close(struct sess_file *f)
{
	nfs_argop4 ops[2];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 2, .sc_cachethis = true};
	uint64_t gen = sess_client_state_gen(f->f_cl);
	int ret = 0;

	if (!f->f_open)
		return 0;
	memset(ops, 0, sizeof(ops));
	putfh(&ops[0], &f->f_fh);
	ops[1].argop = NFS4_OP_CLOSE;
	pthread_mutex_lock(&f->f_lock);
	ops[1].nfs_argop4_u.opclose.open_stateid = f->f_stateid;
	f->f_open = false;
	pthread_mutex_unlock(&f->f_lock);
	/* State from before a server restart is gone already. */
	if (f->f_state_gen == gen) {
		ret = sess_compound_run(f->f_cl, &c);
		if (!ret)
			sess_compound_free(&c);
		else if (state_lost(ret))
			ret = 0;
	}
	pthread_mutex_destroy(&f->f_lock);
	pthread_mutex_destroy(&f->f_reopen_lock);
	return ret;
}

int sess_split_path(const char *path, char *buf, size_t cap, const char **dir,
		    const char **base)
{
	char *slash;
	size_t n = strlen(path);

	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash || slash[1] == '\0')
		return -EINVAL;
	*slash = '\0';
	*base = slash + 1;
	*dir = slash == buf ? "/" : buf;
	return 0;
}

/* ---- NFSv4.2 (RFC 7862, RFC 8276) ---- */

/*
 * PUTFH + @op on @f with the open's stateid (at @sid_off bytes into the
 * operation's arguments), re-opened and re-sent when the server lost the
 * state.  On success (0) the caller reads c->sc_res[1] and frees @c.
 */
static int stateful42(struct sess_file *f, const nfs_argop4 *op, size_t sid_off,
		      struct sess_compound *c, bool change)
{
	nfs_argop4 *ops = c->sc_args;
	stateid4 used;
	int ret = 0, tries;

	if (sess_client_minor(f->f_cl) < 2)
		return NFS4ERR_NOTSUPP; /* the session cannot carry it */
	for (tries = 0; tries < REOPEN_TRIES; tries++) {
		memset(ops, 0, 2 * sizeof(*ops));
		putfh(&ops[0], &f->f_fh);
		ops[1] = *op;
		ret = current_stateid(
		    f, (stateid4 *)((char *)&ops[1].nfs_argop4_u + sid_off),
		    &used, tries ? &used : NULL);
		if (ret)
			return ret;
		*c = (struct sess_compound){
		    .sc_args = ops, .sc_nargs = 2, .sc_cachethis = change};
		ret = sess_compound_run(f->f_cl, c);
		if (!state_lost(ret))
			return ret;
	}
	return ret;
}

int sess_allocate(struct sess_file *f, uint64_t off, uint64_t len,
		  bool deallocate)
{
	nfs_argop4 ops[2], op;
	struct sess_compound c = {.sc_args = ops};
	size_t sid_off;
	int ret;

	memset(&op, 0, sizeof(op));
	if (deallocate) {
		op.argop = NFS4_OP_DEALLOCATE;
		op.nfs_argop4_u.opdeallocate.da_offset = off;
		op.nfs_argop4_u.opdeallocate.da_length = len;
		sid_off = offsetof(DEALLOCATE4args, da_stateid);
	} else {
		op.argop = NFS4_OP_ALLOCATE;
		op.nfs_argop4_u.opallocate.aa_offset = off;
		op.nfs_argop4_u.opallocate.aa_length = len;
		sid_off = offsetof(ALLOCATE4args, aa_stateid);
	}
	ret = stateful42(f, &op, sid_off, &c, true);
	if (!ret)
		sess_compound_free(&c);
	return ret;
}

int sess_seek(struct sess_file *f, uint64_t off, bool hole, uint64_t *found,
	      bool *eof)
{
	nfs_argop4 ops[2], op;
	struct sess_compound c = {.sc_args = ops};
	seek_res4 *res;
	int ret;

	memset(&op, 0, sizeof(op));
	op.argop = NFS4_OP_SEEK;
	op.nfs_argop4_u.opseek.sa_offset = off;
	op.nfs_argop4_u.opseek.sa_what =
	    hole ? NFS4_CONTENT_HOLE : NFS4_CONTENT_DATA;
	ret = stateful42(f, &op, offsetof(SEEK4args, sa_stateid), &c, false);
	if (ret)
		return ret;
	res = &c.sc_res[1].nfs_resop4_u.opseek.sr_resok4;
	*found = res->sr_offset;
	*eof = res->sr_eof;
	sess_compound_free(&c);
	/* RFC 7862 15.11.3: never before the offset asked for */
	return !*eof && *found < off ? -EBADMSG : 0;
}

int sess_read_plus_probe(struct sess_file *f, uint64_t off, uint32_t len,
			 struct sess_read_plus_sum *sum)
{
	nfs_argop4 ops[2], op;
	struct sess_compound c = {.sc_args = ops};
	const read_plus_res4 *ok;
	int ret;

	memset(&op, 0, sizeof(op));
	memset(sum, 0, sizeof(*sum));
	op.argop = NFS4_OP_READ_PLUS;
	op.nfs_argop4_u.opread_plus.rpa_offset = off;
	op.nfs_argop4_u.opread_plus.rpa_count = len;
	ret = stateful42(f, &op, offsetof(READ_PLUS4args, rpa_stateid), &c,
			 false);
	if (ret)
		return ret;
	/* the codec keeps a summary only (sess_codec.c, decode_read_plus) */
	ok = &c.sc_res[1].nfs_resop4_u.opread_plus.rpr_resok4;
	sum->eof = ok->rpr_eof;
	sum->segments = ok->rpr_contents_count;
	if (sum->segments && ok->rpr_contents.what == NFS4_CONTENT_HOLE) {
		sum->first_hole = true;
		sum->first_off = ok->rpr_contents.hole.di_offset;
		sum->first_len = ok->rpr_contents.hole.di_length;
	} else if (sum->segments) {
		sum->first_off = ok->rpr_contents.data.d_offset;
		sum->first_len = ok->rpr_contents.data.d_data.data_len;
	}
	sess_compound_free(&c);
	return 0;
}

/* PUTFH(@fh) + @op, an xattr operation; the caller frees @c on 0. */
static int xattr_op(struct sess_client *cl, const struct sess_fh *fh,
		    nfs_argop4 *ops, struct sess_compound *c, bool change)
{
	if (sess_client_minor(cl) < 2)
		return NFS4ERR_NOTSUPP;
	putfh(&ops[0], fh);
	*c = (struct sess_compound){
	    .sc_args = ops, .sc_nargs = 2, .sc_cachethis = change};
	return sess_compound_run(cl, c);
}

int sess_getxattr(struct sess_client *cl, const struct sess_fh *fh,
		  const char *name, void *buf, uint32_t cap, uint32_t *len)
{
	nfs_argop4 ops[2];
	struct sess_compound c;
	utf8string *v;
	int ret;

	memset(ops, 0, sizeof(ops));
	ops[1].argop = NFS4_OP_GETXATTR;
	ret = set_name(&ops[1].nfs_argop4_u.opgetxattr.gxa_name, name);
	if (ret)
		return ret;
	ret = xattr_op(cl, fh, ops, &c, false);
	if (ret)
		return ret;
	v = &c.sc_res[1]
		 .nfs_resop4_u.opgetxattr.GETXATTR4res_u.resok4.gxr_value;
	*len = v->utf8string_len;
	if (v->utf8string_len > cap)
		ret = -ENOSPC;
	else if (v->utf8string_len)
		memcpy(buf, v->utf8string_val, v->utf8string_len);
	sess_compound_free(&c);
	return ret;
}

int sess_setxattr(struct sess_client *cl, const struct sess_fh *fh,
		  const char *name, const void *val, uint32_t len,
		  setxattr_option4 how)
{
	nfs_argop4 ops[2];
	struct sess_compound c;
	SETXATTR4args *sa = &ops[1].nfs_argop4_u.opsetxattr;
	int ret;

	/*
	 * nfsv41.h codes an xattr value as a utf8string of fewer than
	 * XDR_STRING_MAXLEN (8 KiB) bytes, both ways: neither our encoder nor
	 * a Ganesha server takes more.
	 */
	if (len >= XDR_STRING_MAXLEN)
		return -EMSGSIZE;
	memset(ops, 0, sizeof(ops));
	ops[1].argop = NFS4_OP_SETXATTR;
	ret = set_name(&sa->sxa_key, name);
	if (ret)
		return ret;
	sa->sxa_option = how;
	sa->sxa_value.utf8string_len = len;
	sa->sxa_value.utf8string_val = (char *)val;
	ret = xattr_op(cl, fh, ops, &c, true);
	if (!ret)
		sess_compound_free(&c);
	return ret;
}

int sess_removexattr(struct sess_client *cl, const struct sess_fh *fh,
		     const char *name)
{
	nfs_argop4 ops[2];
	struct sess_compound c;
	int ret;

	memset(ops, 0, sizeof(ops));
	ops[1].argop = NFS4_OP_REMOVEXATTR;
	ret = set_name(&ops[1].nfs_argop4_u.opremovexattr.rxa_name, name);
	if (ret)
		return ret;
	ret = xattr_op(cl, fh, ops, &c, true);
	if (!ret)
		sess_compound_free(&c);
	return ret;
}

int sess_listxattr(struct sess_client *cl, const struct sess_fh *fh,
		   nfs_cookie4 *cookie, uint32_t maxcount,
		   int (*fn)(void *ctx, const char *name, uint32_t len),
		   void *ctx, bool *eof)
{
	nfs_argop4 ops[2];
	struct sess_compound c;
	LISTXATTR4resok *ok;
	uint32_t i;
	int ret;

	memset(ops, 0, sizeof(ops));
	ops[1].argop = NFS4_OP_LISTXATTR;
	ops[1].nfs_argop4_u.oplistxattr.lxa_cookie = *cookie;
	ops[1].nfs_argop4_u.oplistxattr.lxa_maxcount = maxcount;
	ret = xattr_op(cl, fh, ops, &c, false);
	if (ret)
		return ret;
	ok = &c.sc_res[1].nfs_resop4_u.oplistxattr.LISTXATTR4res_u.resok4;
	for (i = 0; i < ok->lxr_names.xl4_count && !ret; i++)
		ret = fn(ctx, ok->lxr_names.xl4_entries[i].utf8string_val,
			 ok->lxr_names.xl4_entries[i].utf8string_len);
	*cookie = ok->lxr_cookie;
	*eof = ok->lxr_eof;
	sess_compound_free(&c);
	return ret;
}
