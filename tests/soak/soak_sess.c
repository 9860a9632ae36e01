/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The soak worker's session-client kind: this project's NFSv4.1 session
 * library (src/sessions) over TCP (to the gateway) or over RPC-over-RDMA
 * (the plugin libnfs41_rdma.so, to ganesha.nfsd with NFS_RDMA).
 *
 * The worker's directory handle is looked up once, at the start, and
 * used for the whole run: every path is walked from it (PUTFH + LOOKUPs),
 * so a gateway restart must keep serving handles it gave out.  A journal
 * file is opened once and appended to through the same open file all run
 * long (the library re-opens it by handle when the server lost its state).
 * Byte-range locks are taken by this client and by a second session
 * (another owner) on the same file, with raw LOCK/LOCKU COMPOUNDs: the
 * library has no lock operation of its own.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sess_client.h"
#include "sess_ops.h"
#include "sess_xprt.h"
#include "sess_xprt_rdma.h"

#include "soak_worker.h"

#define SK_MAX_COMPONENTS 8
#define SK_IO_MAX (1u << 20)

struct sk_sess {
	struct sk_fs ss_fs;
	char ss_host[64];
	uint16_t ss_port;
	char ss_transport[8];
	uint32_t ss_timeout_ms;
	char ss_owner[64];
	struct sess_client *ss_cl;
	struct sess_client *ss_peer; /* the lock partner, made on first use */
	struct sess_fh ss_root;
	struct sess_file ss_journal;
	bool ss_journal_open;
	unsigned int ss_lock_seq;
};

static struct sk_sess *ss_of(struct sk_fs *fs)
{
	return (struct sk_sess *)fs;
}

/* The RDMA transport plugin next to this executable's build: NFS41_RDMA_PLUGIN.
 */
static struct sess_xprt *sk_rdma_xprt(const struct sess_xprt_rdma_opts *o)
{
	static sess_xprt_rdma_create_fn create;
	const char *path = getenv("NFS41_RDMA_PLUGIN");
	void *h;

	if (!create) {
		if (!path) {
			errno = ENOENT;
			return NULL;
		}
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		create =
		    h ? (sess_xprt_rdma_create_fn)dlsym(h, SESS_XPRT_RDMA_ENTRY)
		      : NULL;
		if (!create) {
			fprintf(stderr, "soak: RDMA plugin %s: %s\n", path,
				dlerror());
			errno = ENOENT;
			return NULL;
		}
	}
	return create(o);
}

static struct sess_xprt *sk_xprt(struct sk_sess *s)
{
	if (!strcmp(s->ss_transport, "rdma")) {
		struct sess_xprt_rdma_opts ro = {0};

		ro.host = s->ss_host;
		ro.port = s->ss_port;
		ro.fabric = "ofi";
		ro.timeout_ms = (int)s->ss_timeout_ms;
		ro.max_record = SK_IO_MAX + (64u << 10);
		return sk_rdma_xprt(&ro);
	} else {
		struct sess_xprt_tcp_opts to = {0};

		to.host = s->ss_host;
		to.port = s->ss_port;
		to.timeout_ms = (int)s->ss_timeout_ms;
		to.max_record = SK_IO_MAX + (64u << 10);
		return sess_xprt_tcp_create(&to);
	}
}

static void sk_log(void *ctx, enum sess_log_level level, const char *msg)
{
	(void)ctx;
	if (level <= SESS_LOG_WARN)
		fprintf(stderr, "soak: session: %s\n", msg);
}

/* A started session client with its own owner; NULL with *err. */
static struct sess_client *sk_client(struct sk_sess *s, const char *suffix,
				     int *err)
{
	struct sess_client_opts so = {0};
	struct sess_client *cl;
	struct sess_xprt *x = sk_xprt(s);
	char owner[96];

	if (!x) {
		*err = -errno;
		return NULL;
	}
	snprintf(owner, sizeof(owner), "%s%s", s->ss_owner, suffix);
	so.owner_suffix = owner;
	so.state_file = NULL;
	so.recovery_timeout_s = 120;
	so.log = sk_log;
	cl = sess_client_create(x, &so, err);
	if (!cl)
		return NULL;
	*err = sess_client_start(cl);
	if (*err) {
		sess_client_destroy(cl);
		return NULL;
	}
	return cl;
}

static void sk_putfh(nfs_argop4 *op, const struct sess_fh *fh)
{
	op->argop = NFS4_OP_PUTFH;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_len = fh->fh_len;
	op->nfs_argop4_u.opputfh.object.nfs_fh4_val = (char *)fh->fh_data;
}

static void sk_name(component4 *c, const char *name)
{
	c->utf8string_len = (u_int)strlen(name);
	c->utf8string_val = (char *)name;
}

/*
 * @path (relative, "" for the directory itself) from the worker's
 * directory handle: its handle and attributes.
 */
static int sk_walk(struct sk_sess *s, const char *path, struct sess_fh *fh,
		   struct sess_attr *attr)
{
	nfs_argop4 ops[SK_MAX_COMPONENTS + 3];
	struct sess_compound c = {.sc_args = ops};
	char buf[PATH_MAX], *comp, *save = NULL;
	const nfs_fh4 *o;
	uint32_t n = 0;
	int ret;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	memset(ops, 0, sizeof(ops));
	sk_putfh(&ops[n++], &s->ss_root);
	for (comp = strtok_r(buf, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (n > SK_MAX_COMPONENTS)
			return -ENAMETOOLONG;
		ops[n].argop = NFS4_OP_LOOKUP;
		sk_name(&ops[n].nfs_argop4_u.oplookup.objname, comp);
		n++;
	}
	ops[n++].argop = NFS4_OP_GETFH;
	ops[n].argop = NFS4_OP_GETATTR;
	{
		bitmap4 *bm = &ops[n].nfs_argop4_u.opgetattr.attr_request;

		bm->bitmap4_len = 2;
		bm->map[0] = (1u << FATTR4_TYPE) | (1u << FATTR4_SIZE) |
			     (1u << FATTR4_FILEID);
		bm->map[1] =
		    (1u << (FATTR4_MODE - 32)) | (1u << (FATTR4_NUMLINKS - 32));
	}
	n++;
	c.sc_nargs = n;
	ret = sess_compound_run(s->ss_cl, &c);
	if (ret)
		return ret;
	o = &c.sc_res[n - 2].nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
	if (o->nfs_fh4_len == 0 || o->nfs_fh4_len > NFS4_FHSIZE) {
		sess_compound_free(&c);
		return -EBADMSG;
	}
	fh->fh_len = o->nfs_fh4_len;
	memcpy(fh->fh_data, o->nfs_fh4_val, o->nfs_fh4_len);
	ret = attr
		  ? sess_decode_fattr(&c.sc_res[n - 1]
					   .nfs_resop4_u.opgetattr.GETATTR4res_u
					   .resok4.obj_attributes,
				      attr)
		  : 0;
	sess_compound_free(&c);
	return ret;
}

/* The parent's handle of @path and the last component (in @buf). */
static int sk_parent(struct sk_sess *s, const char *path, char *buf, size_t cap,
		     struct sess_fh *dir, const char **base)
{
	char *slash;

	if (strlen(path) >= cap)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	slash = strrchr(buf, '/');
	if (!slash) {
		*base = buf;
		*dir = s->ss_root;
		return 0;
	}
	*slash = '\0';
	*base = slash + 1;
	return sk_walk(s, buf, dir, NULL);
}

static int ss_create(struct sk_fs *fs, const char *path, uint32_t mode)
{
	struct sk_sess *s = ss_of(fs);
	char buf[PATH_MAX];
	const char *base;
	struct sess_fh dir;
	struct sess_file f;
	int ret = sk_parent(s, path, buf, sizeof(buf), &dir, &base);

	if (ret)
		return ret;
	ret = sess_open(s->ss_cl, &dir, base,
			SESS_OPEN_WRITE | SESS_OPEN_CREATE | SESS_OPEN_EXCL,
			mode, &f);
	if (ret)
		return ret;
	(void)sess_close(&f);
	return 0;
}

/* Write all of @buf at @off through @f, stable on return. */
static int sk_write_file(struct sess_file *f, uint64_t off, const void *buf,
			 uint32_t len)
{
	uint32_t done = 0, n, written;
	stable_how4 committed;
	verifier4 verf;
	struct iovec iov;
	int ret;

	while (done < len) {
		n = len - done;
		if (n > SK_IO_MAX)
			n = SK_IO_MAX;
		iov.iov_base = (char *)buf + done;
		iov.iov_len = n;
		ret = sess_write(f, off + done, &iov, 1, n, FILE_SYNC4,
				 &written, &committed, verf);
		if (ret)
			return ret;
		if (written == 0 || written > n)
			return -EIO;
		if (committed != FILE_SYNC4) {
			ret = sess_commit(f, verf);
			if (ret)
				return ret;
		}
		done += written;
	}
	return 0;
}

static int ss_pwrite(struct sk_fs *fs, const char *path, uint64_t off,
		     const void *buf, uint32_t len)
{
	struct sk_sess *s = ss_of(fs);
	char pbuf[PATH_MAX];
	const char *base;
	struct sess_fh dir;
	struct sess_file f;
	int ret = sk_parent(s, path, pbuf, sizeof(pbuf), &dir, &base), cret;

	if (ret)
		return ret;
	ret = sess_open(s->ss_cl, &dir, base, SESS_OPEN_WRITE, 0, &f);
	if (ret)
		return ret;
	ret = sk_write_file(&f, off, buf, len);
	cret = sess_close(&f);
	return ret ? ret : cret;
}

static int ss_readall(struct sk_fs *fs, const char *path, void *buf,
		      uint32_t cap, uint32_t *got)
{
	struct sk_sess *s = ss_of(fs);
	char pbuf[PATH_MAX];
	const char *base;
	struct sess_fh dir;
	struct sess_file f;
	uint32_t n, want;
	bool eof = false;
	int ret = sk_parent(s, path, pbuf, sizeof(pbuf), &dir, &base), cret;

	if (ret)
		return ret;
	ret = sess_open(s->ss_cl, &dir, base, SESS_OPEN_READ, 0, &f);
	if (ret)
		return ret;
	*got = 0;
	while (!eof && !ret) {
		want = cap - *got;
		if (want > SK_IO_MAX)
			want = SK_IO_MAX;
		if (want == 0) {
			ret = -EFBIG; /* larger than the model allows */
			break;
		}
		ret = sess_read(&f, *got, (char *)buf + *got, want, &n, &eof);
		if (!ret) {
			*got += n;
			if (n == 0)
				eof = true;
		}
	}
	cret = sess_close(&f);
	return ret ? ret : cret;
}

static int ss_rename(struct sk_fs *fs, const char *from, const char *to)
{
	struct sk_sess *s = ss_of(fs);
	char b1[PATH_MAX], b2[PATH_MAX];
	const char *n1, *n2;
	struct sess_fh d1, d2;
	int ret = sk_parent(s, from, b1, sizeof(b1), &d1, &n1);

	if (!ret)
		ret = sk_parent(s, to, b2, sizeof(b2), &d2, &n2);
	if (ret)
		return ret;
	return sess_rename(s->ss_cl, &d1, n1, &d2, n2);
}

static int ss_link(struct sk_fs *fs, const char *from, const char *to)
{
	struct sk_sess *s = ss_of(fs);
	char b2[PATH_MAX];
	const char *n2;
	struct sess_fh file, d2;
	nfs_argop4 ops[4];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 4, .sc_cachethis = true};
	int ret = sk_walk(s, from, &file, NULL);

	if (!ret)
		ret = sk_parent(s, to, b2, sizeof(b2), &d2, &n2);
	if (ret)
		return ret;
	memset(ops, 0, sizeof(ops));
	sk_putfh(&ops[0], &file);
	ops[1].argop = NFS4_OP_SAVEFH;
	sk_putfh(&ops[2], &d2);
	ops[3].argop = NFS4_OP_LINK;
	sk_name(&ops[3].nfs_argop4_u.oplink.newname, n2);
	ret = sess_compound_run(s->ss_cl, &c);
	if (!ret)
		sess_compound_free(&c);
	return ret;
}

static int ss_remove(struct sk_fs *fs, const char *path)
{
	struct sk_sess *s = ss_of(fs);
	char buf[PATH_MAX];
	const char *base;
	struct sess_fh dir;
	int ret = sk_parent(s, path, buf, sizeof(buf), &dir, &base);

	return ret ? ret : sess_remove(s->ss_cl, &dir, base);
}

static int ss_mkdir(struct sk_fs *fs, const char *path, uint32_t mode)
{
	struct sk_sess *s = ss_of(fs);
	char buf[PATH_MAX];
	const char *base;
	struct sess_fh dir;
	int ret = sk_parent(s, path, buf, sizeof(buf), &dir, &base);

	return ret ? ret : sess_mkdir(s->ss_cl, &dir, base, mode, NULL);
}

struct sk_list_ctx {
	sk_list_fn fn;
	void *ctx;
};

static int sk_list_one(void *ctx, const char *name,
		       const struct sess_attr *attr)
{
	struct sk_list_ctx *l = ctx;

	(void)attr;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	return l->fn(l->ctx, name);
}

static int ss_list(struct sk_fs *fs, const char *path, sk_list_fn fn, void *ctx)
{
	struct sk_sess *s = ss_of(fs);
	struct sk_list_ctx l = {fn, ctx};
	struct sess_fh dir;
	int ret = sk_walk(s, path, &dir, NULL);

	return ret ? ret : sess_readdir(s->ss_cl, &dir, sk_list_one, &l);
}

/* SETATTR of size and/or mode with the anonymous stateid. */
static int sk_setattr(struct sk_sess *s, const char *path, bool set_size,
		      uint64_t size, bool set_mode, uint32_t mode)
{
	nfs_argop4 ops[2];
	struct sess_compound c = {.sc_args = ops, .sc_nargs = 2};
	SETATTR4args *sa = &ops[1].nfs_argop4_u.opsetattr;
	char vals[12];
	uint32_t len = 0, hi, lo, m;
	struct sess_fh fh;
	int ret = sk_walk(s, path, &fh, NULL);

	if (ret)
		return ret;
	memset(ops, 0, sizeof(ops));
	sk_putfh(&ops[0], &fh);
	ops[1].argop = NFS4_OP_SETATTR;
	sa->obj_attributes.attrmask.bitmap4_len = 2;
	if (set_size) {
		sa->obj_attributes.attrmask.map[0] = 1u << FATTR4_SIZE;
		hi = htonl((uint32_t)(size >> 32));
		lo = htonl((uint32_t)size);
		memcpy(vals, &hi, 4);
		memcpy(vals + 4, &lo, 4);
		len = 8;
	}
	if (set_mode) {
		sa->obj_attributes.attrmask.map[1] = 1u << (FATTR4_MODE - 32);
		m = htonl(mode);
		memcpy(vals + len, &m, 4);
		len += 4;
	}
	sa->obj_attributes.attr_vals.attrlist4_len = len;
	sa->obj_attributes.attr_vals.attrlist4_val = vals;
	ret = sess_compound_run(s->ss_cl, &c);
	if (!ret)
		sess_compound_free(&c);
	return ret;
}

static int ss_truncate(struct sk_fs *fs, const char *path, uint64_t size)
{
	return sk_setattr(ss_of(fs), path, true, size, false, 0);
}

static int ss_chmod(struct sk_fs *fs, const char *path, uint32_t mode)
{
	return sk_setattr(ss_of(fs), path, false, 0, true, mode);
}

static int ss_stat(struct sk_fs *fs, const char *path, struct sk_stat *st)
{
	struct sess_attr a;
	struct sess_fh fh;
	int ret = sk_walk(ss_of(fs), path, &fh, &a);

	if (ret)
		return ret;
	if ((a.sa_mask & (SESS_ATTR_TYPE | SESS_ATTR_SIZE | SESS_ATTR_MODE |
			  SESS_ATTR_NLINK)) !=
	    (SESS_ATTR_TYPE | SESS_ATTR_SIZE | SESS_ATTR_MODE |
	     SESS_ATTR_NLINK))
		return -EBADMSG;
	st->st_size = a.sa_size;
	st->st_fileid = a.sa_fileid;
	st->st_mode = a.sa_mode & 07777;
	st->st_nlink = a.sa_nlink;
	st->st_dir = a.sa_type == NF4DIR;
	return 0;
}

static int ss_journal_append(struct sk_fs *fs, uint64_t off, const void *buf,
			     uint32_t len)
{
	struct sk_sess *s = ss_of(fs);

	if (!s->ss_journal_open)
		return -EBADF;
	return sk_write_file(&s->ss_journal, off, buf, len);
}

/*
 * LOCK (new lock owner from @f's open) or LOCKU of a write lock on
 * [@off, @off + @len) of @f; *@sid: the lock stateid (out of LOCK, into
 * LOCKU).  Returns 0, NFS4ERR_DENIED when another owner holds it, or
 * an error.
 */
static int sk_lock(struct sk_sess *s, struct sess_file *f, bool unlock,
		   uint64_t off, uint64_t len, stateid4 *sid)
{
	nfs_argop4 ops[2];
	struct sess_compound c = {
	    .sc_args = ops, .sc_nargs = 2, .sc_cachethis = true};
	char owner[64];
	int ret;

	memset(ops, 0, sizeof(ops));
	sk_putfh(&ops[0], &f->f_fh);
	if (unlock) {
		LOCKU4args *a = &ops[1].nfs_argop4_u.oplocku;

		ops[1].argop = NFS4_OP_LOCKU;
		a->locktype = WRITE_LT;
		a->seqid = 0;
		a->lock_stateid = *sid;
		a->offset = off;
		a->length = len;
	} else {
		LOCK4args *a = &ops[1].nfs_argop4_u.oplock;
		open_to_lock_owner4 *o = &a->locker.locker4_u.open_owner;

		ops[1].argop = NFS4_OP_LOCK;
		a->locktype = WRITE_LT;
		a->reclaim = false;
		a->offset = off;
		a->length = len;
		a->locker.new_lock_owner = true;
		o->open_seqid = 0;
		pthread_mutex_lock(&f->f_lock);
		o->open_stateid = f->f_stateid;
		pthread_mutex_unlock(&f->f_lock);
		o->lock_seqid = 0;
		o->lock_owner.clientid = sess_client_clientid(f->f_cl);
		snprintf(owner, sizeof(owner), "soak-lk-%d-%u", (int)getpid(),
			 ++s->ss_lock_seq);
		o->lock_owner.owner.owner_len = (u_int)strlen(owner);
		o->lock_owner.owner.owner_val = owner;
	}
	ret = sess_compound_run(f->f_cl, &c);
	if (ret)
		return ret;
	if (unlock)
		*sid =
		    c.sc_res[1].nfs_resop4_u.oplocku.LOCKU4res_u.lock_stateid;
	else
		*sid = c.sc_res[1]
			   .nfs_resop4_u.oplock.LOCK4res_u.resok4.lock_stateid;
	sess_compound_free(&c);
	return 0;
}

/*
 * A holds [0, 4096); B is refused [1000, 1100) and granted [8192, 8292);
 * A lets go; B is granted [1000, 1100); B lets go of both.
 */
static int ss_lockstep(struct sk_fs *fs, const char *path, const char **step)
{
	struct sk_sess *s = ss_of(fs);
	char pbuf[PATH_MAX];
	const char *base;
	struct sess_fh dir;
	struct sess_file fa, fb;
	stateid4 la, lb1, lb2;
	bool a_open = false, b_open = false;
	int ret, err;

	*step = "second session";
	if (!s->ss_peer) {
		s->ss_peer = sk_client(s, "-lockpeer", &err);
		if (!s->ss_peer)
			return err ? err : -EIO;
	}
	*step = "lookup";
	ret = sk_parent(s, path, pbuf, sizeof(pbuf), &dir, &base);
	if (ret)
		return ret;
	*step = "open A";
	ret = sess_open(s->ss_cl, &dir, base, SESS_OPEN_READ | SESS_OPEN_WRITE,
			0, &fa);
	if (ret)
		return ret;
	a_open = true;
	*step = "open B";
	ret = sess_open(s->ss_peer, &dir, base,
			SESS_OPEN_READ | SESS_OPEN_WRITE, 0, &fb);
	if (ret)
		goto out;
	b_open = true;
	*step = "A locks [0, 4096)";
	ret = sk_lock(s, &fa, false, 0, 4096, &la);
	if (ret)
		goto out;
	*step = "B is refused [1000, 1100) held by A";
	ret = sk_lock(s, &fb, false, 1000, 100, &lb1);
	if (ret == 0) {
		ret = 1; /* granted a conflicting lock */
		goto out;
	}
	if (ret != NFS4ERR_DENIED)
		goto out;
	*step = "B locks [8192, 8292)";
	ret = sk_lock(s, &fb, false, 8192, 100, &lb2);
	if (ret)
		goto out;
	*step = "A unlocks";
	ret = sk_lock(s, &fa, true, 0, 4096, &la);
	if (ret)
		goto out;
	*step = "B locks [1000, 1100) once A let go";
	ret = sk_lock(s, &fb, false, 1000, 100, &lb1);
	if (ret)
		goto out;
	*step = "B unlocks";
	ret = sk_lock(s, &fb, true, 1000, 100, &lb1);
	if (!ret)
		ret = sk_lock(s, &fb, true, 8192, 100, &lb2);
out:
	/* CLOSE drops whatever lock state a failed step left behind. */
	if (b_open)
		(void)sess_close(&fb);
	if (a_open)
		(void)sess_close(&fa);
	return ret;
}

static void ss_destroy(struct sk_fs *fs)
{
	struct sk_sess *s = ss_of(fs);

	if (s->ss_journal_open)
		(void)sess_close(&s->ss_journal);
	if (s->ss_peer) {
		(void)sess_client_stop(s->ss_peer);
		sess_client_destroy(s->ss_peer);
	}
	if (s->ss_cl) {
		(void)sess_client_stop(s->ss_cl);
		sess_client_destroy(s->ss_cl);
	}
	free(s);
}

static const struct sk_fs_ops sk_sess_ops = {
    .name = "sess",
    .create = ss_create,
    .pwrite = ss_pwrite,
    .readall = ss_readall,
    .rename = ss_rename,
    .link = ss_link,
    .remove = ss_remove,
    .mkdir = ss_mkdir,
    .rmdir = ss_remove,
    .list = ss_list,
    .truncate = ss_truncate,
    .chmod = ss_chmod,
    .stat = ss_stat,
    .journal_append = ss_journal_append,
    .lockstep = ss_lockstep,
    .remount = NULL,
    .destroy = ss_destroy,
};

/* nfs://host:port/path into @s; the path into @path. */
static int sk_parse_url(const char *url, struct sk_sess *s, char *path,
			size_t cap)
{
	const char *p = url, *colon, *slash;
	char port[8];
	size_t n;

	if (strncmp(p, "nfs://", 6))
		return -EINVAL;
	p += 6;
	slash = strchr(p, '/');
	colon = strchr(p, ':');
	if (!slash || !colon || colon > slash)
		return -EINVAL;
	n = (size_t)(colon - p);
	if (n == 0 || n >= sizeof(s->ss_host))
		return -EINVAL;
	memcpy(s->ss_host, p, n);
	s->ss_host[n] = '\0';
	n = (size_t)(slash - colon - 1);
	if (n == 0 || n >= sizeof(port))
		return -EINVAL;
	memcpy(port, colon + 1, n);
	port[n] = '\0';
	s->ss_port = (uint16_t)strtoul(port, NULL, 10);
	if (!s->ss_port || strlen(slash) >= cap)
		return -EINVAL;
	strcpy(path, slash);
	return 0;
}

struct sk_fs *sk_sess_open(const char *url, const char *transport,
			   const char *root, uint32_t timeout_ms,
			   const char *owner, int *err)
{
	struct sk_sess *s = calloc(1, sizeof(*s));
	char base[PATH_MAX], full[PATH_MAX + 64];
	struct sess_fh bfh;
	int ret;

	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->ss_fs.ops = &sk_sess_ops;
	ret = sk_parse_url(url, s, base, sizeof(base));
	if (ret)
		goto fail;
	snprintf(s->ss_transport, sizeof(s->ss_transport), "%s", transport);
	snprintf(s->ss_owner, sizeof(s->ss_owner), "%s", owner);
	s->ss_timeout_ms = timeout_ms;
	s->ss_cl = sk_client(s, "", &ret);
	if (!s->ss_cl)
		goto fail;
	ret = sess_lookup(s->ss_cl, base, &bfh, NULL);
	if (ret)
		goto fail;
	ret = sess_mkdir(s->ss_cl, &bfh, root, 0755, NULL);
	if (ret && ret != NFS4ERR_EXIST)
		goto fail;
	snprintf(full, sizeof(full), "%s/%s", base, root);
	ret = sess_lookup(s->ss_cl, full, &s->ss_root, NULL);
	if (ret)
		goto fail;
	ret = sess_open(s->ss_cl, &s->ss_root, "journal",
			SESS_OPEN_READ | SESS_OPEN_WRITE | SESS_OPEN_CREATE |
			    SESS_OPEN_TRUNC,
			0644, &s->ss_journal);
	if (ret)
		goto fail;
	s->ss_journal_open = true;
	return &s->ss_fs;
fail:
	*err = ret;
	ss_destroy(&s->ss_fs);
	return NULL;
}
