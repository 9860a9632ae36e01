/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * nfsstat4 -> text, for messages people read.  The names follow the
 * nfsstat4 enumeration of Ganesha's nfsv41.h (RFC 8881 15.1); the
 * descriptions are this project's.
 */
#include <stdio.h>

#include "sess_client.h"

struct stat_text {
	nfsstat4 st;
	const char *name;
	const char *text;
};

static const struct stat_text stat_texts[] = {
    {NFS4_OK, "NFS4_OK", "success"},
    {NFS4ERR_PERM, "NFS4ERR_PERM", "operation not permitted"},
    {NFS4ERR_NOENT, "NFS4ERR_NOENT", "no such file or directory"},
    {NFS4ERR_IO, "NFS4ERR_IO", "I/O error on the server"},
    {NFS4ERR_NXIO, "NFS4ERR_NXIO", "no such device or address"},
    {NFS4ERR_ACCESS, "NFS4ERR_ACCESS", "permission denied"},
    {NFS4ERR_EXIST, "NFS4ERR_EXIST", "file exists"},
    {NFS4ERR_XDEV, "NFS4ERR_XDEV", "cross-filesystem link or rename"},
    {NFS4ERR_NOTDIR, "NFS4ERR_NOTDIR", "not a directory"},
    {NFS4ERR_ISDIR, "NFS4ERR_ISDIR", "is a directory"},
    {NFS4ERR_INVAL, "NFS4ERR_INVAL", "invalid argument"},
    {NFS4ERR_FBIG, "NFS4ERR_FBIG", "file too large"},
    {NFS4ERR_NOSPC, "NFS4ERR_NOSPC", "no space left on the server"},
    {NFS4ERR_ROFS, "NFS4ERR_ROFS", "read-only file system"},
    {NFS4ERR_MLINK, "NFS4ERR_MLINK", "too many links"},
    {NFS4ERR_NAMETOOLONG, "NFS4ERR_NAMETOOLONG", "name too long"},
    {NFS4ERR_NOTEMPTY, "NFS4ERR_NOTEMPTY", "directory not empty"},
    {NFS4ERR_DQUOT, "NFS4ERR_DQUOT", "quota exceeded"},
    {NFS4ERR_STALE, "NFS4ERR_STALE", "stale file handle"},
    {NFS4ERR_BADHANDLE, "NFS4ERR_BADHANDLE", "illegal file handle"},
    {NFS4ERR_BAD_COOKIE, "NFS4ERR_BAD_COOKIE", "stale READDIR cookie"},
    {NFS4ERR_NOTSUPP, "NFS4ERR_NOTSUPP", "operation not supported"},
    {NFS4ERR_TOOSMALL, "NFS4ERR_TOOSMALL", "buffer too small"},
    {NFS4ERR_SERVERFAULT, "NFS4ERR_SERVERFAULT", "server internal error"},
    {NFS4ERR_BADTYPE, "NFS4ERR_BADTYPE", "object type not supported"},
    {NFS4ERR_DELAY, "NFS4ERR_DELAY", "server busy, try again"},
    {NFS4ERR_SAME, "NFS4ERR_SAME", "nverify: attributes same"},
    {NFS4ERR_DENIED, "NFS4ERR_DENIED", "lock denied"},
    {NFS4ERR_EXPIRED, "NFS4ERR_EXPIRED", "lease expired"},
    {NFS4ERR_LOCKED, "NFS4ERR_LOCKED", "file locked"},
    {NFS4ERR_GRACE, "NFS4ERR_GRACE", "server in grace period"},
    {NFS4ERR_FHEXPIRED, "NFS4ERR_FHEXPIRED", "file handle expired"},
    {NFS4ERR_SHARE_DENIED, "NFS4ERR_SHARE_DENIED", "share reservation denied"},
    {NFS4ERR_WRONGSEC, "NFS4ERR_WRONGSEC", "wrong security flavor"},
    {NFS4ERR_CLID_INUSE, "NFS4ERR_CLID_INUSE",
     "client id in use by another principal"},
    {NFS4ERR_RESOURCE, "NFS4ERR_RESOURCE", "server out of resources"},
    {NFS4ERR_MOVED, "NFS4ERR_MOVED", "file system moved"},
    {NFS4ERR_NOFILEHANDLE, "NFS4ERR_NOFILEHANDLE", "no current file handle"},
    {NFS4ERR_MINOR_VERS_MISMATCH, "NFS4ERR_MINOR_VERS_MISMATCH",
     "NFSv4.1 not supported by the server"},
    {NFS4ERR_STALE_CLIENTID, "NFS4ERR_STALE_CLIENTID",
     "client id unknown to the server"},
    {NFS4ERR_STALE_STATEID, "NFS4ERR_STALE_STATEID",
     "stateid from before a server restart"},
    {NFS4ERR_OLD_STATEID, "NFS4ERR_OLD_STATEID", "old stateid"},
    {NFS4ERR_BAD_STATEID, "NFS4ERR_BAD_STATEID", "invalid stateid"},
    {NFS4ERR_BAD_SEQID, "NFS4ERR_BAD_SEQID", "bad sequence id"},
    {NFS4ERR_NOT_SAME, "NFS4ERR_NOT_SAME", "verify: attributes differ"},
    {NFS4ERR_LOCK_RANGE, "NFS4ERR_LOCK_RANGE", "lock range not supported"},
    {NFS4ERR_SYMLINK, "NFS4ERR_SYMLINK", "is a symbolic link"},
    {NFS4ERR_RESTOREFH, "NFS4ERR_RESTOREFH", "no saved file handle"},
    {NFS4ERR_LEASE_MOVED, "NFS4ERR_LEASE_MOVED", "lease moved"},
    {NFS4ERR_ATTRNOTSUPP, "NFS4ERR_ATTRNOTSUPP", "attribute not supported"},
    {NFS4ERR_NO_GRACE, "NFS4ERR_NO_GRACE", "reclaim outside grace period"},
    {NFS4ERR_RECLAIM_BAD, "NFS4ERR_RECLAIM_BAD", "reclaim not valid"},
    {NFS4ERR_RECLAIM_CONFLICT, "NFS4ERR_RECLAIM_CONFLICT", "reclaim conflicts"},
    {NFS4ERR_BADXDR, "NFS4ERR_BADXDR", "server could not decode the request"},
    {NFS4ERR_LOCKS_HELD, "NFS4ERR_LOCKS_HELD", "locks still held"},
    {NFS4ERR_OPENMODE, "NFS4ERR_OPENMODE", "file not opened for this access"},
    {NFS4ERR_BADOWNER, "NFS4ERR_BADOWNER", "owner not recognised"},
    {NFS4ERR_BADCHAR, "NFS4ERR_BADCHAR", "invalid character in name"},
    {NFS4ERR_BADNAME, "NFS4ERR_BADNAME", "invalid name"},
    {NFS4ERR_BAD_RANGE, "NFS4ERR_BAD_RANGE", "invalid byte range"},
    {NFS4ERR_LOCK_NOTSUPP, "NFS4ERR_LOCK_NOTSUPP", "lock type not supported"},
    {NFS4ERR_OP_ILLEGAL, "NFS4ERR_OP_ILLEGAL", "illegal operation"},
    {NFS4ERR_DEADLOCK, "NFS4ERR_DEADLOCK", "deadlock"},
    {NFS4ERR_FILE_OPEN, "NFS4ERR_FILE_OPEN", "file is open"},
    {NFS4ERR_ADMIN_REVOKED, "NFS4ERR_ADMIN_REVOKED",
     "state revoked by the administrator"},
    {NFS4ERR_CB_PATH_DOWN, "NFS4ERR_CB_PATH_DOWN", "callback path down"},
    {NFS4ERR_BADIOMODE, "NFS4ERR_BADIOMODE", "bad layout I/O mode"},
    {NFS4ERR_BADLAYOUT, "NFS4ERR_BADLAYOUT", "bad layout"},
    {NFS4ERR_BAD_SESSION_DIGEST, "NFS4ERR_BAD_SESSION_DIGEST",
     "bad session digest"},
    {NFS4ERR_BADSESSION, "NFS4ERR_BADSESSION", "session unknown to the server"},
    {NFS4ERR_BADSLOT, "NFS4ERR_BADSLOT", "slot id beyond the server table"},
    {NFS4ERR_COMPLETE_ALREADY, "NFS4ERR_COMPLETE_ALREADY",
     "reclaim already complete"},
    {NFS4ERR_CONN_NOT_BOUND_TO_SESSION, "NFS4ERR_CONN_NOT_BOUND_TO_SESSION",
     "connection not bound to the session"},
    {NFS4ERR_DELEG_ALREADY_WANTED, "NFS4ERR_DELEG_ALREADY_WANTED",
     "delegation already wanted"},
    {NFS4ERR_BACK_CHAN_BUSY, "NFS4ERR_BACK_CHAN_BUSY", "backchannel busy"},
    {NFS4ERR_LAYOUTTRYLATER, "NFS4ERR_LAYOUTTRYLATER", "layout: try later"},
    {NFS4ERR_LAYOUTUNAVAILABLE, "NFS4ERR_LAYOUTUNAVAILABLE",
     "layout unavailable"},
    {NFS4ERR_NOMATCHING_LAYOUT, "NFS4ERR_NOMATCHING_LAYOUT",
     "no matching layout"},
    {NFS4ERR_RECALLCONFLICT, "NFS4ERR_RECALLCONFLICT", "recall conflict"},
    {NFS4ERR_UNKNOWN_LAYOUTTYPE, "NFS4ERR_UNKNOWN_LAYOUTTYPE",
     "unknown layout type"},
    {NFS4ERR_SEQ_MISORDERED, "NFS4ERR_SEQ_MISORDERED",
     "slot sequence id out of order"},
    {NFS4ERR_SEQUENCE_POS, "NFS4ERR_SEQUENCE_POS", "SEQUENCE not first"},
    {NFS4ERR_REQ_TOO_BIG, "NFS4ERR_REQ_TOO_BIG",
     "request larger than the session allows"},
    {NFS4ERR_REP_TOO_BIG, "NFS4ERR_REP_TOO_BIG",
     "reply larger than the session allows"},
    {NFS4ERR_REP_TOO_BIG_TO_CACHE, "NFS4ERR_REP_TOO_BIG_TO_CACHE",
     "reply too big to cache"},
    {NFS4ERR_RETRY_UNCACHED_REP, "NFS4ERR_RETRY_UNCACHED_REP",
     "retried request whose reply was not cached"},
    {NFS4ERR_UNSAFE_COMPOUND, "NFS4ERR_UNSAFE_COMPOUND", "unsafe compound"},
    {NFS4ERR_TOO_MANY_OPS, "NFS4ERR_TOO_MANY_OPS",
     "too many operations in the compound"},
    {NFS4ERR_OP_NOT_IN_SESSION, "NFS4ERR_OP_NOT_IN_SESSION",
     "operation needs a session"},
    {NFS4ERR_HASH_ALG_UNSUPP, "NFS4ERR_HASH_ALG_UNSUPP",
     "hash algorithm unsupported"},
    {NFS4ERR_CLIENTID_BUSY, "NFS4ERR_CLIENTID_BUSY", "client id has state"},
    {NFS4ERR_PNFS_IO_HOLE, "NFS4ERR_PNFS_IO_HOLE", "pNFS I/O hole"},
    {NFS4ERR_SEQ_FALSE_RETRY, "NFS4ERR_SEQ_FALSE_RETRY",
     "false retry on a slot"},
    {NFS4ERR_BAD_HIGH_SLOT, "NFS4ERR_BAD_HIGH_SLOT", "bad highest slot"},
    {NFS4ERR_DEADSESSION, "NFS4ERR_DEADSESSION", "session being destroyed"},
    {NFS4ERR_ENCR_ALG_UNSUPP, "NFS4ERR_ENCR_ALG_UNSUPP",
     "encryption algorithm unsupported"},
    {NFS4ERR_PNFS_NO_LAYOUT, "NFS4ERR_PNFS_NO_LAYOUT", "no layout"},
    {NFS4ERR_NOT_ONLY_OP, "NFS4ERR_NOT_ONLY_OP", "must be the only operation"},
    {NFS4ERR_WRONG_CRED, "NFS4ERR_WRONG_CRED", "wrong credential"},
    {NFS4ERR_WRONG_TYPE, "NFS4ERR_WRONG_TYPE", "wrong object type"},
    {NFS4ERR_DIRDELEG_UNAVAIL, "NFS4ERR_DIRDELEG_UNAVAIL",
     "directory delegation unavailable"},
    {NFS4ERR_REJECT_DELEG, "NFS4ERR_REJECT_DELEG", "delegation rejected"},
    {NFS4ERR_RETURNCONFLICT, "NFS4ERR_RETURNCONFLICT",
     "layout return conflict"},
    {NFS4ERR_DELEG_REVOKED, "NFS4ERR_DELEG_REVOKED", "delegation revoked"},
    {NFS4ERR_PARTNER_NOTSUPP, "NFS4ERR_PARTNER_NOTSUPP", "partner notsupp"},
    {NFS4ERR_PARTNER_NO_AUTH, "NFS4ERR_PARTNER_NO_AUTH", "partner no auth"},
    {NFS4ERR_UNION_NOTSUPP, "NFS4ERR_UNION_NOTSUPP", "union notsupp"},
    {NFS4ERR_OFFLOAD_DENIED, "NFS4ERR_OFFLOAD_DENIED", "offload denied"},
    {NFS4ERR_WRONG_LFS, "NFS4ERR_WRONG_LFS", "wrong lfs"},
    {NFS4ERR_BADLABEL, "NFS4ERR_BADLABEL", "badlabel"},
    {NFS4ERR_OFFLOAD_NO_REQS, "NFS4ERR_OFFLOAD_NO_REQS", "offload no reqs"},
    {NFS4ERR_NOXATTR, "NFS4ERR_NOXATTR", "noxattr"},
    {NFS4ERR_XATTR2BIG, "NFS4ERR_XATTR2BIG", "xattr2big"},
    {NFS4ERR_REPLAY, "NFS4ERR_REPLAY", "replay"},
};

static const struct stat_text *lookup(nfsstat4 st)
{
	size_t i;

	for (i = 0; i < sizeof(stat_texts) / sizeof(stat_texts[0]); i++)
		if (stat_texts[i].st == st)
			return &stat_texts[i];
	return NULL;
}

const char *sess_nfsstat_name(nfsstat4 st)
{
	const struct stat_text *t = lookup(st);

	return t ? t->name : "NFS4ERR_UNKNOWN";
}

const char *sess_nfsstat_str(nfsstat4 st)
{
	static __thread char buf[128];
	const struct stat_text *t = lookup(st);

	if (!t) {
		snprintf(buf, sizeof(buf), "unknown NFS error %u",
			 (unsigned)st);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%s (%s)", t->text, t->name);
	return buf;
}
