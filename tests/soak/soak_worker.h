/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The soak worker's client seam: one table of path-based file operations
 * per client kind (the session client over TCP or RDMA in soak_sess.c,
 * libnfs's NFSv4.0 in soak_libnfs.c), so that one workload and one model
 * (soak_worker.c) drive every client the same way.
 *
 * Paths are relative to the worker's own directory ("d1/f7").  Every
 * operation returns 0, a positive nfsstat4 when the server answered with
 * an NFS error, or a negative errno (transport, local, or libnfs's
 * errno-style results); sk_class() folds both into the classes the
 * workload reasons about.
 */
#ifndef SOAK_WORKER_H
#define SOAK_WORKER_H

#include <stdbool.h>
#include <stdint.h>

/* What a stat answers: enough to compare with the model's file. */
struct sk_stat {
	uint64_t st_size;
	uint64_t st_fileid;
	uint32_t st_mode; /* permission bits only */
	uint32_t st_nlink;
	bool st_dir;
};

/* Called once per directory entry other than "." and ".."; non-zero stops. */
typedef int (*sk_list_fn)(void *ctx, const char *name);

struct sk_fs;

struct sk_fs_ops {
	const char *name;
	/* exclusive create of an empty file: EXIST when it is there */
	int (*create)(struct sk_fs *fs, const char *path, uint32_t mode);
	/* write all of @buf at @off (stable: FILE_SYNC or COMMIT) */
	int (*pwrite)(struct sk_fs *fs, const char *path, uint64_t off,
		      const void *buf, uint32_t len);
	/* the whole file into @buf (@cap bytes), *@got its length */
	int (*readall)(struct sk_fs *fs, const char *path, void *buf,
		       uint32_t cap, uint32_t *got);
	int (*rename)(struct sk_fs *fs, const char *from, const char *to);
	int (*link)(struct sk_fs *fs, const char *from, const char *to);
	int (*remove)(struct sk_fs *fs, const char *path);
	int (*mkdir)(struct sk_fs *fs, const char *path, uint32_t mode);
	int (*rmdir)(struct sk_fs *fs, const char *path);
	int (*list)(struct sk_fs *fs, const char *path, sk_list_fn fn,
		    void *ctx);
	int (*truncate)(struct sk_fs *fs, const char *path, uint64_t size);
	int (*chmod)(struct sk_fs *fs, const char *path, uint32_t mode);
	int (*stat)(struct sk_fs *fs, const char *path, struct sk_stat *st);
	/*
	 * Append @len bytes to the file held open for the whole run (its
	 * handle and open state must survive every fault); NULL: not offered.
	 */
	int (*journal_append)(struct sk_fs *fs, uint64_t off, const void *buf,
			      uint32_t len);
	/*
	 * Byte-range locks between this client and a second one on @path:
	 * *@step says which step failed (a text); NULL: not offered.
	 * Returns 0 when every grant and refusal was as expected, 1 when
	 * the server arbitrated wrongly, or an error of a step.
	 */
	int (*lockstep)(struct sk_fs *fs, const char *path, const char **step);
	/* lost state (libnfs): connect again; NULL: the client recovers */
	int (*remount)(struct sk_fs *fs);
	void (*destroy)(struct sk_fs *fs);
};

struct sk_fs {
	const struct sk_fs_ops *ops;
};

/* Classes of a result that the workload and the fault table reason about. */
enum sk_class {
	SK_OK,
	SK_NOENT,
	SK_EXIST,
	SK_NOSPC,
	SK_NOTEMPTY,
	SK_STATE,     /* a stateid or lock the server no longer knows */
	SK_DELAY,     /* NFS4ERR_DELAY / GRACE reached the caller */
	SK_TRANSPORT, /* connection or recovery failed (negative errno) */
	SK_OTHER,
	SK_NCLASSES
};

enum sk_class sk_class(int ret);
const char *sk_class_name(enum sk_class c);

/* Client kinds: URL nfs://host:port/path. */
struct sk_fs *sk_sess_open(const char *url, const char *transport,
			   const char *root, uint32_t timeout_ms,
			   const char *owner, int *err);
struct sk_fs *sk_libnfs_open(const char *url, const char *root, int *err);

#endif /* SOAK_WORKER_H */
