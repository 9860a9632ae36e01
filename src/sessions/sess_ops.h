/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * File operations over a session: COMPOUND builders for lookup, getattr,
 * readdir, mkdir, remove, rename, open/read/write/commit/close.
 *
 * Return convention of every function here: 0 on success, a positive
 * nfsstat4 when the server answered with an NFS error (sess_nfsstat_str()
 * gives text), or a negative errno for local and transport failures
 * (-ENAMETOOLONG, -EINVAL, -EIO after failed recovery, -EBADMSG for a
 * malformed reply, ...).
 *
 * Open files survive server restarts and revoked state: a READ, WRITE or
 * COMMIT that finds its stateid stale, or the client's state generation
 * moved on, re-opens the file by handle (OPEN with CLAIM_FH) and retries.
 */
#ifndef SESS_OPS_H
#define SESS_OPS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "sess_client.h"

#define SESS_PATH_MAX_COMPONENTS 24

struct sess_fh {
	uint32_t fh_len;
	uint8_t fh_data[NFS4_FHSIZE];
};

/* Attributes the client asks for; sa_mask says which arrived. */
struct sess_attr {
	uint32_t sa_mask; /* SESS_ATTR_* */
	uint32_t sa_type; /* nfs_ftype4 */
	uint64_t sa_size;
	uint64_t sa_fileid;
	uint32_t sa_mode;
	uint32_t sa_nlink;
	uint64_t sa_space_used;
	int64_t sa_mtime_sec;
	uint32_t sa_mtime_nsec;
};

#define SESS_ATTR_TYPE 0x01
#define SESS_ATTR_SIZE 0x02
#define SESS_ATTR_FILEID 0x04
#define SESS_ATTR_MODE 0x08
#define SESS_ATTR_NLINK 0x10
#define SESS_ATTR_SPACE 0x20
#define SESS_ATTR_MTIME 0x40

/**
 * sess_decode_fattr() - decode the attributes above from an fattr4
 * (bitmap + values), stopping at the first attribute it does not know.
 * Returns 0, or -EBADMSG when a value is truncated.
 */
int sess_decode_fattr(const fattr4 *fa, struct sess_attr *attr);

/**
 * sess_compound_run() - run @c with sess_compound() and check it as a
 * whole: every operation answered and the COMPOUND's status NFS4_OK.
 * Returns 0 with c->sc_res to free with sess_compound_free(), a positive
 * nfsstat4 (the results already freed), -EBADMSG when fewer results than
 * operations came back (freed), or sess_compound()'s negative errno.
 */
int sess_compound_run(struct sess_client *cl, struct sess_compound *c);

/*
 * struct sess_cookie_watch - the cookies of one READDIR listing, watched
 * for a cycle with Brent's method in O(1) memory: a mark (the cookie at
 * the last power of two) is compared with every later cookie, and moved
 * on when the run since it reaches the next power of two.  A cookie that
 * comes back is found within two rounds of the cycle after it starts.
 * Shared by sess_readdir() and the gateway's rp_readdir().
 */
struct sess_cookie_watch {
	uint64_t cw_mark, cw_power, cw_run;
	bool cw_have_mark;
};

/** sess_cookie_watch_init() - start watching a new listing. */
void sess_cookie_watch_init(struct sess_cookie_watch *w);

/**
 * sess_cookie_watch_seen() - note @cookie, the next in the listing.
 * Returns true when it is the mark coming back: the server hands out
 * positions it gave before and the listing would never end.
 */
bool sess_cookie_watch_seen(struct sess_cookie_watch *w, uint64_t cookie);

/**
 * sess_lookup() - resolve @path ("/" or "/a/b", from the server's root)
 * to a handle and attributes.  Returns as described above; -ENAMETOOLONG
 * for more than SESS_PATH_MAX_COMPONENTS components or a component longer
 * than 255 bytes.
 */
int sess_lookup(struct sess_client *cl, const char *path, struct sess_fh *fh,
		struct sess_attr *attr);

/** sess_getattr() - attributes of @fh. */
int sess_getattr(struct sess_client *cl, const struct sess_fh *fh,
		 struct sess_attr *attr);

/*
 * Called once per directory entry; a non-zero return stops the listing
 * and is returned by sess_readdir().
 */
typedef int (*sess_readdir_fn)(void *ctx, const char *name,
			       const struct sess_attr *attr);

/**
 * sess_readdir() - list @dir, calling @fn for every entry.  -ELOOP when
 * the server hands out a cookie it gave before in this listing (it would
 * never end).
 */
int sess_readdir(struct sess_client *cl, const struct sess_fh *dir,
		 sess_readdir_fn fn, void *ctx);

/** sess_mkdir() - create directory @name in @dir (handle in @out). */
int sess_mkdir(struct sess_client *cl, const struct sess_fh *dir,
	       const char *name, uint32_t mode, struct sess_fh *out);

/** sess_remove() - remove @name (file or empty directory) from @dir. */
int sess_remove(struct sess_client *cl, const struct sess_fh *dir,
		const char *name);

/** sess_rename() - rename @from_dir/@from to @to_dir/@to. */
int sess_rename(struct sess_client *cl, const struct sess_fh *from_dir,
		const char *from, const struct sess_fh *to_dir, const char *to);

/** Open flags for sess_open(). */
#define SESS_OPEN_READ 0x1
#define SESS_OPEN_WRITE 0x2
#define SESS_OPEN_CREATE 0x4
#define SESS_OPEN_TRUNC 0x8
#define SESS_OPEN_EXCL 0x10

/** An open file; one per sess_open(), usable from several threads. */
struct sess_file {
	struct sess_client *f_cl;
	struct sess_fh f_fh;
	pthread_mutex_t f_lock; /* the stateid fields; a leaf */
	/* one re-open at a time; held across it, taken before f_lock */
	pthread_mutex_t f_reopen_lock;
	stateid4 f_stateid;
	uint64_t f_state_gen;
	uint32_t f_access;
	bool f_open;
	char f_owner[48];
	uint64_t f_reopens;
};

/**
 * sess_open() - open (and with SESS_OPEN_CREATE create) @name in @dir.
 * EXCL fails with NFS4ERR_EXIST when the file exists; TRUNC sets its
 * size to 0.  Returns as described above.
 */
int sess_open(struct sess_client *cl, const struct sess_fh *dir,
	      const char *name, unsigned int flags, uint32_t mode,
	      struct sess_file *f);

/**
 * sess_read() - read up to @len bytes at @off straight into @buf.
 * @got: bytes read; @eof: end of file reached.
 */
int sess_read(struct sess_file *f, uint64_t off, void *buf, uint32_t len,
	      uint32_t *got, bool *eof);

/**
 * sess_write() - write @len bytes from @iov at @off (sent from the
 * caller's memory, no copy).  @stable: UNSTABLE4, DATA_SYNC4 or
 * FILE_SYNC4.  @written, @committed, @verf: the server's answer.
 */
int sess_write(struct sess_file *f, uint64_t off, const struct iovec *iov,
	       int iovcnt, uint32_t len, stable_how4 stable, uint32_t *written,
	       stable_how4 *committed, verifier4 verf);

/** sess_commit() - COMMIT the whole file; @verf: the write verifier. */
int sess_commit(struct sess_file *f, verifier4 verf);

/** sess_close() - CLOSE the file (also when the server forgot it). */
int sess_close(struct sess_file *f);

/*
 * NFSv4.2 (RFC 7862, RFC 8276).  Each returns as described above, and
 * NFS4ERR_NOTSUPP without a call when the session runs NFSv4.1 (the
 * server refused 4.2: it has none of these operations).
 */

/**
 * sess_allocate() - ALLOCATE (reserve space) or, with @deallocate,
 * DEALLOCATE (punch a hole) @len bytes at @off of the open file @f.
 */
int sess_allocate(struct sess_file *f, uint64_t off, uint64_t len,
		  bool deallocate);

/**
 * sess_seek() - SEEK the next data (or with @hole the next hole) at or
 * after @off: *@found, *@eof.  -EBADMSG when the server answers an offset
 * before @off without eof.
 */
int sess_seek(struct sess_file *f, uint64_t off, bool hole, uint64_t *found,
	      bool *eof);

/** What a READ_PLUS answered NFS4_OK: a summary, not the bytes. */
struct sess_read_plus_sum {
	bool eof;
	uint32_t segments;  /* how many, data and holes */
	bool first_hole;    /* the first segment is a hole (else data) */
	uint64_t first_off; /* its offset */
	uint64_t first_len; /* its length (data bytes or hole length) */
};

/**
 * sess_read_plus_probe() - send one NFSv4.2 READ_PLUS of @len bytes at
 * @off and report what came back: 0 when the server answered NFS4_OK,
 * with *@sum its summary (the data bytes are not kept); the server's
 * NFS4ERR_* otherwise; a negative errno when the reply did not decode
 * (-EBADMSG: also a segment of neither kind, or more data than asked).
 * A diagnostic for servers' READ_PLUS.
 */
int sess_read_plus_probe(struct sess_file *f, uint64_t off, uint32_t len,
			 struct sess_read_plus_sum *sum);

/**
 * sess_getxattr() - the value of extended attribute @name of @fh into
 * @buf (@cap bytes); *@len its length.  -ENOSPC (with *@len set) when it
 * is longer than @cap; NFS4ERR_NOXATTR when there is none.
 */
int sess_getxattr(struct sess_client *cl, const struct sess_fh *fh,
		  const char *name, void *buf, uint32_t cap, uint32_t *len);

/**
 * sess_setxattr() - SETXATTR @name = @val (@len bytes), @how.  -EMSGSIZE
 * for a value of XDR_STRING_MAXLEN (8 KiB) or more, which Ganesha 4.3's
 * XDR codes neither way.
 */
int sess_setxattr(struct sess_client *cl, const struct sess_fh *fh,
		  const char *name, const void *val, uint32_t len,
		  setxattr_option4 how);

/** sess_removexattr() - REMOVEXATTR @name. */
int sess_removexattr(struct sess_client *cl, const struct sess_fh *fh,
		     const char *name);

/**
 * sess_listxattr() - one LISTXATTR from *@cookie asking for at most
 * @maxcount bytes: @fn is called for each name (not NUL-terminated, @len
 * bytes; a non-zero return stops and is returned); *@cookie and *@eof are
 * where to go on.
 */
int sess_listxattr(struct sess_client *cl, const struct sess_fh *fh,
		   nfs_cookie4 *cookie, uint32_t maxcount,
		   int (*fn)(void *ctx, const char *name, uint32_t len),
		   void *ctx, bool *eof);

/** sess_split_path() - split "/a/b/c" into "/a/b" and "c" in @buf. */
int sess_split_path(const char *path, char *buf, size_t cap, const char **dir,
		    const char **base);

#endif /* SESS_OPS_H */
