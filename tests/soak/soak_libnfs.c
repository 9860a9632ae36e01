/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The soak worker's libnfs kind: Debian's libnfs 4.0 speaking NFSv4.0
 * (its sync API, one context).  What libnfs 4.0 cannot do shapes it:
 * NFSv4 WRITEs of more than about 4000 bytes fail, so data goes out in
 * 3000-byte WRITEs; it has no state recovery (a gateway that restarted
 * has forgotten its client id), so after an error under a fault the
 * worker mounts again (remount) - docs/soak.md lists this.  Byte-range
 * locks are left to the session client kinds (and to gateway.basic's
 * gw_libnfs, which covers libnfs locks through the gateway).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nfsc/libnfs.h>

#include "soak_worker.h"

#define SK_LIBNFS_WRITE 3000

struct sk_libnfs {
	struct sk_fs ln_fs;
	struct nfs_context *ln_nfs;
	char ln_url[512];
	char ln_root[64];
};

static struct sk_libnfs *ln_of(struct sk_fs *fs)
{
	return (struct sk_libnfs *)fs;
}

static void ln_path(struct sk_libnfs *l, char *out, size_t cap, const char *rel)
{
	snprintf(out, cap, "/%s%s%s", l->ln_root, *rel ? "/" : "", rel);
}

/* libnfs answers a negative errno or -1 with a message: keep the errno. */
static int ln_ret(struct sk_libnfs *l, int r)
{
	const char *msg;

	if (r >= 0)
		return 0;
	msg = nfs_get_error(l->ln_nfs);
	if (r != -1) {
		fprintf(stderr, "soak_worker libnfs: %d: %s\n", r,
			msg ? msg : "(no message)");
		return r;
	}
	if (msg && strstr(msg, "NFS4ERR_NOENT"))
		return -ENOENT;
	if (msg && strstr(msg, "NFS4ERR_EXIST"))
		return -EEXIST;
	if (msg && strstr(msg, "NFS4ERR_NOSPC"))
		return -ENOSPC;
	fprintf(stderr, "soak_worker libnfs: %s\n", msg ? msg : "(no message)");
	return -EIO;
}

static int ln_create(struct sk_fs *fs, const char *rel, uint32_t mode)
{
	struct sk_libnfs *l = ln_of(fs);
	struct nfsfh *fh;
	char p[PATH_MAX];
	int r;

	ln_path(l, p, sizeof(p), rel);
	r = nfs_create(l->ln_nfs, p, O_CREAT | O_EXCL | O_WRONLY, (int)mode,
		       &fh);
	if (r < 0)
		return ln_ret(l, r);
	nfs_close(l->ln_nfs, fh);
	/* the create's mode passes the server's umask: set it exactly */
	return ln_ret(l, nfs_chmod(l->ln_nfs, p, (int)mode));
}

static int ln_pwrite(struct sk_fs *fs, const char *rel, uint64_t off,
		     const void *buf, uint32_t len)
{
	struct sk_libnfs *l = ln_of(fs);
	struct nfsfh *fh;
	char p[PATH_MAX];
	uint32_t done = 0, n;
	int r;

	ln_path(l, p, sizeof(p), rel);
	r = nfs_open(l->ln_nfs, p, O_WRONLY, &fh);
	if (r < 0)
		return ln_ret(l, r);
	while (done < len) {
		n = len - done < SK_LIBNFS_WRITE ? len - done : SK_LIBNFS_WRITE;
		r = nfs_pwrite(l->ln_nfs, fh, off + done, n,
			       (const char *)buf + done);
		if (r <= 0) {
			r = r == 0 ? -EIO : ln_ret(l, r);
			nfs_close(l->ln_nfs, fh);
			return r;
		}
		done += (uint32_t)r;
	}
	r = nfs_fsync(l->ln_nfs, fh);
	nfs_close(l->ln_nfs, fh);
	return ln_ret(l, r);
}

static int ln_readall(struct sk_fs *fs, const char *rel, void *buf,
		      uint32_t cap, uint32_t *got)
{
	struct sk_libnfs *l = ln_of(fs);
	struct nfsfh *fh;
	char p[PATH_MAX];
	uint32_t want;
	int r;

	ln_path(l, p, sizeof(p), rel);
	r = nfs_open(l->ln_nfs, p, O_RDONLY, &fh);
	if (r < 0)
		return ln_ret(l, r);
	*got = 0;
	for (;;) {
		want = cap - *got < 65536 ? cap - *got : 65536;
		if (want == 0) {
			r = -EFBIG;
			break;
		}
		r = nfs_pread(l->ln_nfs, fh, *got, want, (char *)buf + *got);
		if (r <= 0) {
			r = r == 0 ? 0 : ln_ret(l, r);
			break;
		}
		*got += (uint32_t)r;
	}
	nfs_close(l->ln_nfs, fh);
	return r;
}

static int ln_rename(struct sk_fs *fs, const char *from, const char *to)
{
	struct sk_libnfs *l = ln_of(fs);
	char a[PATH_MAX], b[PATH_MAX];

	ln_path(l, a, sizeof(a), from);
	ln_path(l, b, sizeof(b), to);
	return ln_ret(l, nfs_rename(l->ln_nfs, a, b));
}

static int ln_link(struct sk_fs *fs, const char *from, const char *to)
{
	struct sk_libnfs *l = ln_of(fs);
	char a[PATH_MAX], b[PATH_MAX];

	ln_path(l, a, sizeof(a), from);
	ln_path(l, b, sizeof(b), to);
	return ln_ret(l, nfs_link(l->ln_nfs, a, b));
}

static int ln_remove(struct sk_fs *fs, const char *rel)
{
	struct sk_libnfs *l = ln_of(fs);
	char p[PATH_MAX];

	ln_path(l, p, sizeof(p), rel);
	return ln_ret(l, nfs_unlink(l->ln_nfs, p));
}

static int ln_mkdir(struct sk_fs *fs, const char *rel, uint32_t mode)
{
	struct sk_libnfs *l = ln_of(fs);
	char p[PATH_MAX];

	ln_path(l, p, sizeof(p), rel);
	return ln_ret(l, nfs_mkdir2(l->ln_nfs, p, (int)mode));
}

static int ln_rmdir(struct sk_fs *fs, const char *rel)
{
	struct sk_libnfs *l = ln_of(fs);
	char p[PATH_MAX];

	ln_path(l, p, sizeof(p), rel);
	return ln_ret(l, nfs_rmdir(l->ln_nfs, p));
}

static int ln_list(struct sk_fs *fs, const char *rel, sk_list_fn fn, void *ctx)
{
	struct sk_libnfs *l = ln_of(fs);
	struct nfsdirent *e;
	struct nfsdir *d;
	char p[PATH_MAX];
	int r;

	ln_path(l, p, sizeof(p), rel);
	r = nfs_opendir(l->ln_nfs, p, &d);
	if (r < 0)
		return ln_ret(l, r);
	r = 0;
	while (!r && (e = nfs_readdir(l->ln_nfs, d)))
		if (strcmp(e->name, ".") && strcmp(e->name, ".."))
			r = fn(ctx, e->name);
	nfs_closedir(l->ln_nfs, d);
	return r;
}

static int ln_truncate(struct sk_fs *fs, const char *rel, uint64_t size)
{
	struct sk_libnfs *l = ln_of(fs);
	char p[PATH_MAX];

	ln_path(l, p, sizeof(p), rel);
	return ln_ret(l, nfs_truncate(l->ln_nfs, p, size));
}

static int ln_chmod(struct sk_fs *fs, const char *rel, uint32_t mode)
{
	struct sk_libnfs *l = ln_of(fs);
	char p[PATH_MAX];

	ln_path(l, p, sizeof(p), rel);
	return ln_ret(l, nfs_chmod(l->ln_nfs, p, (int)mode));
}

static int ln_stat(struct sk_fs *fs, const char *rel, struct sk_stat *st)
{
	struct sk_libnfs *l = ln_of(fs);
	struct nfs_stat_64 s;
	char p[PATH_MAX];
	int r;

	ln_path(l, p, sizeof(p), rel);
	r = nfs_stat64(l->ln_nfs, p, &s);
	if (r < 0)
		return ln_ret(l, r);
	st->st_size = s.nfs_size;
	st->st_fileid = s.nfs_ino;
	st->st_mode = (uint32_t)(s.nfs_mode & 07777);
	st->st_nlink = (uint32_t)s.nfs_nlink;
	st->st_dir = (s.nfs_mode & 0170000) == 0040000;
	return 0;
}

static int ln_mount(struct sk_libnfs *l)
{
	struct nfs_url *u;
	int r;

	if (l->ln_nfs)
		nfs_destroy_context(l->ln_nfs);
	l->ln_nfs = nfs_init_context();
	if (!l->ln_nfs)
		return -ENOMEM;
	u = nfs_parse_url_dir(l->ln_nfs, l->ln_url);
	if (!u)
		return -EINVAL;
	nfs_set_timeout(l->ln_nfs, 30000);
	r = nfs_mount(l->ln_nfs, u->server, u->path);
	nfs_destroy_url(u);
	return r < 0 ? ln_ret(l, r) : 0;
}

static int ln_remount(struct sk_fs *fs)
{
	return ln_mount(ln_of(fs));
}

static void ln_destroy(struct sk_fs *fs)
{
	struct sk_libnfs *l = ln_of(fs);

	if (l->ln_nfs)
		nfs_destroy_context(l->ln_nfs);
	free(l);
}

static const struct sk_fs_ops sk_libnfs_ops = {
    .name = "libnfs",
    .create = ln_create,
    .pwrite = ln_pwrite,
    .readall = ln_readall,
    .rename = ln_rename,
    .link = ln_link,
    .remove = ln_remove,
    .mkdir = ln_mkdir,
    .rmdir = ln_rmdir,
    .list = ln_list,
    .truncate = ln_truncate,
    .chmod = ln_chmod,
    .stat = ln_stat,
    .journal_append = NULL,
    .lockstep = NULL,
    .remount = ln_remount,
    .destroy = ln_destroy,
};

struct sk_fs *sk_libnfs_open(const char *url, const char *root, int *err)
{
	struct sk_libnfs *l = calloc(1, sizeof(*l));
	char host[64], path[256];
	unsigned int port;
	int r;

	if (!l) {
		*err = -ENOMEM;
		return NULL;
	}
	l->ln_fs.ops = &sk_libnfs_ops;
	if (sscanf(url, "nfs://%63[^:]:%u%255s", host, &port, path) != 3) {
		free(l);
		*err = -EINVAL;
		return NULL;
	}
	snprintf(l->ln_url, sizeof(l->ln_url),
		 "nfs://%s%s?version=4&nfsport=%u", host, path, port);
	snprintf(l->ln_root, sizeof(l->ln_root), "%s", root);
	r = ln_mount(l);
	if (!r) {
		char p[PATH_MAX];

		ln_path(l, p, sizeof(p), "");
		r = ln_ret(l, nfs_mkdir2(l->ln_nfs, p, 0755));
		if (r == -EEXIST)
			r = 0;
	}
	if (r) {
		*err = r;
		ln_destroy(&l->ln_fs);
		return NULL;
	}
	return &l->ln_fs;
}
