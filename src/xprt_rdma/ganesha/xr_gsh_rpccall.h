/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The RPC call header as the transport sees it, before ntirpc decodes it.
 *
 * How this works: a worker reads the call header (RFC 5531 section 9)
 * straight from the engine's byte ranges.  Calls RFC 5531 says must be
 * denied are answered here, because ntirpc's call decoder drops them
 * without a word: an RPC version other than 2 gets MSG_DENIED /
 * RPC_MISMATCH (2..2), a credential or verifier that is cut off or longer
 * than 400 bytes (MAX_AUTH_BYTES) gets MSG_DENIED / AUTH_ERROR with
 * AUTH_BADCRED or AUTH_BADVERF.  Everything else goes on to ntirpc and
 * Ganesha unchanged.  The same reader finds the file handle that an NFSv3
 * or NFSACL call names first - the one Ganesha takes the call's export
 * from - so the transport can refuse calls to exports not served over RDMA.
 * Pure: no ntirpc or Ganesha headers; unit-tested and fuzzed on its own.
 */
#ifndef XR_GSH_RPCCALL_H
#define XR_GSH_RPCCALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* RFC 5531: the largest credential or verifier body. */
#define XR_GSH_RPC_MAX_AUTH_BYTES 400u

enum xr_gsh_rpc_verdict {
	XR_GSH_RPC_PASS = 0,	  /* let ntirpc decode it (or drop it) */
	XR_GSH_RPC_DENY_MISMATCH, /* MSG_DENIED, RPC_MISMATCH 2..2 */
	XR_GSH_RPC_DENY_BADCRED,  /* MSG_DENIED, AUTH_ERROR, AUTH_BADCRED */
	XR_GSH_RPC_DENY_BADVERF,  /* MSG_DENIED, AUTH_ERROR, AUTH_BADVERF */
	XR_GSH_RPC_DENY_TOOWEAK,  /* MSG_DENIED, AUTH_ERROR, AUTH_TOOWEAK */
};

/** struct xr_gsh_rpc_call - what xr_gsh_rpc_call_check() read */
struct xr_gsh_rpc_call {
	uint32_t rc_xid;
	uint32_t rc_prog, rc_vers, rc_proc;
	uint32_t rc_cred_flavor;
	uint32_t rc_gss_service; /* RPCSEC_GSS: 1 none, 2 integ, 3 priv */
	uint64_t rc_args;	 /* offset of the arguments */
};

/**
 * xr_gsh_rpc_call_check() - read a call header and say whether to deny it
 * @iov:	the call as byte ranges in XDR order (any lengths)
 * @n:		their number
 * @call:	filled with what could be read
 *
 * Return: XR_GSH_RPC_PASS for a well-formed call header and for messages that
 * are not calls or are too short to carry an RPC version (ntirpc drops
 * those; there is no one to answer); XR_GSH_RPC_DENY_MISMATCH for an RPC
 * version other than 2; XR_GSH_RPC_DENY_BADCRED for a credential whose header
 * or body is cut off or whose body is over 400 bytes; XR_GSH_RPC_DENY_BADVERF
 * for the same faults in the verifier.  For a verdict other than PASS,
 * rc_xid is valid.
 */
enum xr_gsh_rpc_verdict xr_gsh_rpc_call_check(const struct iovec *iov,
					      uint32_t n,
					      struct xr_gsh_rpc_call *call);

/**
 * xr_gsh_rpc_denial_encode() - the RPC reply that denies a call
 * @xid:	the call's xid
 * @verdict:	one of the XR_GSH_RPC_DENY_* values
 * @buf:	at least 24 bytes
 * @len:	its size
 *
 * Return: the reply's length (24 for RPC_MISMATCH, 20 for AUTH_ERROR),
 * or 0 for XR_GSH_RPC_PASS or a buffer that is too small.
 */
size_t xr_gsh_rpc_denial_encode(uint32_t xid, enum xr_gsh_rpc_verdict verdict,
				uint8_t *buf, size_t len);

/* Program numbers whose calls name a Ganesha NFSv3 handle first. */
#define XR_GSH_RPC_PROG_NFS 100003u
#define XR_GSH_RPC_PROG_NFSACL 100227u

/**
 * xr_gsh_rpc_call_export() - the export an NFSv3 or NFSACL v3 call names
 * through its file handle (Ganesha serves no other program whose calls
 * name a handle on the NFS dispatcher that RDMA connections use)
 * @iov:	the call's ranges, as for xr_gsh_rpc_call_check()
 * @n:		their number
 * @call:	the header, from xr_gsh_rpc_call_check() (verdict PASS)
 * @export_id:	set to the export id in the handle (bytes 2-3 of a Ganesha
 *		handle, network order: what Ganesha routes the call by)
 *
 * Return: 1 with @export_id set; 0 when the call names no export this way
 * (another program or version, a procedure without a handle, a handle too
 * short to carry an export id: Ganesha answers those without reaching an
 * export); -EBADMSG when the arguments end before the handle (Ganesha
 * answers GARBAGE_ARGS); -EACCES when the arguments are hidden from the
 * transport (RPCSEC_GSS privacy), so the export cannot be known.
 */
int xr_gsh_rpc_call_export(const struct iovec *iov, uint32_t n,
			   const struct xr_gsh_rpc_call *call,
			   uint16_t *export_id);

/**
 * xr_gsh_rpc_call_read3_count() - the count of an NFSv3 READ call
 * @iov:	the call's ranges, as for xr_gsh_rpc_call_check()
 * @n:		their number
 * @call:	the header, from xr_gsh_rpc_call_check() (verdict PASS), its
 *		rc_prog already mapped to XR_GSH_RPC_PROG_NFS when it is
 *		Ganesha's NFS program
 * @count:	set to READ3args.count
 *
 * Only a hint for the READ arena (the glue arms the worker for an
 * allocation of this length): Ganesha decodes the arguments itself and
 * nothing here is trusted for more than that.
 *
 * Return: 1 with @count set for an NFSv3 READ whose arguments the
 * transport can read; 0 for anything else (another call, RPCSEC_GSS
 * privacy, arguments cut off or a handle over NFS3_FHSIZE).
 */
int xr_gsh_rpc_call_read3_count(const struct iovec *iov, uint32_t n,
				const struct xr_gsh_rpc_call *call,
				uint32_t *count);

#endif /* XR_GSH_RPCCALL_H */
