/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ONC RPC message headers (RFC 5531) for the session client: the call header
 * with AUTH_SYS credentials that precedes every COMPOUND, the reply header
 * that precedes every COMPOUND4res, and the call/reply pair of the NFSv4.1
 * backchannel.  Only the fixed framing lives here; the NFSv4.1 bodies are
 * encoded and decoded with Ganesha's nfsv41.h XDR routines.  Every decoder
 * checks each length against the bytes that are really there.
 */
#ifndef SESS_RPC_H
#define SESS_RPC_H

#include <stddef.h>
#include <stdint.h>

#define SESS_RPC_CALL 0
#define SESS_RPC_REPLY 1
#define SESS_RPC_VERS 2
#define SESS_AUTH_NONE 0
#define SESS_AUTH_SYS 1
#define SESS_AUTH_SYS_MAX_GIDS 16
#define SESS_MACHINENAME_MAX 255

/** AUTH_SYS credential (RFC 5531 appendix A). */
struct sess_auth_sys {
	uint32_t as_stamp;
	char as_machinename[SESS_MACHINENAME_MAX + 1];
	uint32_t as_uid;
	uint32_t as_gid;
	uint32_t as_ngids;
	uint32_t as_gids[SESS_AUTH_SYS_MAX_GIDS];
};

/** A decoded call header (backchannel calls from the server). */
struct sess_rpc_call_hdr {
	uint32_t rh_xid;
	uint32_t rh_prog;
	uint32_t rh_vers;
	uint32_t rh_proc;
	size_t rh_body_off; /* arguments start here */
};

/**
 * sess_rpc_encode_call() - write an RPC call header with AUTH_SYS.
 * @buf, @cap: destination.
 * Returns the header length, or -ENOSPC when @cap is too small,
 * -EINVAL when the credential is malformed (too many gids).
 */
int sess_rpc_encode_call(uint8_t *buf, size_t cap, uint32_t xid, uint32_t prog,
			 uint32_t vers, uint32_t proc,
			 const struct sess_auth_sys *cred);

/**
 * sess_rpc_peek() - read xid and msg_type of a record.
 * Returns 0, or -EBADMSG when the record is shorter than 8 bytes or the
 * message type is neither CALL nor REPLY.
 */
int sess_rpc_peek(const uint8_t *buf, size_t len, uint32_t *xid,
		  uint32_t *msg_type);

/**
 * sess_rpc_decode_reply() - validate a reply header and find the results.
 * @xid: the xid of the call this reply must answer.
 * @body_off: set to the offset of the procedure results.
 * Returns 0 when the call was accepted and succeeded; -EBADMSG when the
 * header is truncated or malformed or answers another xid; -EACCES when the
 * call was denied for authentication; -EPROTONOSUPPORT for RPC/program/version
 * mismatch or unavailable program; -EOPNOTSUPP for PROC_UNAVAIL; -EPROTO for
 * GARBAGE_ARGS and SYSTEM_ERR.
 */
int sess_rpc_decode_reply(const uint8_t *buf, size_t len, uint32_t xid,
			  size_t *body_off);

/**
 * sess_rpc_decode_call() - validate a call header (any credential flavor,
 * body skipped).  Returns 0, or -EBADMSG when truncated or malformed
 * (wrong RPC version, credential longer than 400 bytes or than the record).
 */
int sess_rpc_decode_call(const uint8_t *buf, size_t len,
			 struct sess_rpc_call_hdr *hdr);

/**
 * sess_rpc_encode_accepted() - write an accepted reply header (AUTH_NONE
 * verifier) with @accept_stat.  Returns the header length or -ENOSPC.
 */
int sess_rpc_encode_accepted(uint8_t *buf, size_t cap, uint32_t xid,
			     uint32_t accept_stat);

/** Human-readable text for a negative errno returned by this file. */
const char *sess_rpc_strerror(int err);

#endif /* SESS_RPC_H */
