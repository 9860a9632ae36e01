/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RFC 8797 connection private data for RPC-over-RDMA Version 1.
 *
 * How this works: when a connection is set up, each side may put 8 bytes
 * of private data in its connect request or accept:
 *
 *   word 0: format identifier 0xf6ab0e18 (network byte order)
 *   byte 4: version (1)
 *   byte 5: flags; bit 0 = the sender accepts Send With Invalidate
 *           ("remote invalidation"); other bits are reserved: sent as
 *           zero, ignored on receipt
 *   byte 6: the sender's inline send size, encoded as size/1024 - 1
 *   byte 7: the sender's inline receive size, same encoding
 *
 * Sizes therefore range from 1 KiB to 256 KiB in 1 KiB steps.  Data that
 * is too short, has another format identifier or another version is
 * treated as absent (quietly, per RFC 8797): the peer then gets the RFC
 * 8166 defaults of 1024 bytes each way and no remote invalidation.
 * Bytes after the first 8 are ignored (transports may pad private data).
 *
 * Negotiation: what I may send inline = min(my send size, peer's receive
 * size); the largest inline message I must be ready to receive =
 * min(my receive size, peer's send size).
 */
#ifndef XR_CM_H
#define XR_CM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define XR_CM_MAGIC 0xf6ab0e18u
#define XR_CM_VERSION 1u
#define XR_CM_PRIVATE_BYTES 8u
#define XR_CM_FLAG_REMOTE_INV 0x01u
#define XR_CM_DEFAULT_INLINE 1024u
#define XR_CM_MIN_INLINE 1024u
#define XR_CM_MAX_INLINE (256u * 1024u)

/**
 * struct xr_cm_private - decoded (or to-be-encoded) private data
 * @pd_present: false when the peer sent none or an unrecognised one; the
 *	other fields then hold the RFC 8166 defaults
 * @pd_remote_inv: the sender accepts Send With Invalidate
 * @pd_send_size: the sender's maximum inline send, bytes
 * @pd_recv_size: the sender's maximum inline receive, bytes
 */
struct xr_cm_private {
	bool pd_present;
	bool pd_remote_inv;
	uint32_t pd_send_size;
	uint32_t pd_recv_size;
};

/**
 * struct xr_cm_inline - the outcome of negotiation, for one side
 * @ci_max_send: largest RPC-over-RDMA message this side may Send inline
 * @ci_max_recv: largest inline message this side must be able to receive
 * @ci_send_inv_ok: this side may use Send With Invalidate toward the peer
 */
struct xr_cm_inline {
	uint32_t ci_max_send;
	uint32_t ci_max_recv;
	bool ci_send_inv_ok;
};

/**
 * xr_cm_size_advertised() - the size that will be advertised for @size
 *
 * Sizes are advertised in whole KiB, rounded down (promising less than we
 * have is safe, more is not), and capped at 256 KiB.
 *
 * Return: the advertised size, or 0 when @size < 1024 (not encodable).
 */
uint32_t xr_cm_size_advertised(uint32_t size);

/**
 * xr_cm_encode() - write 8 bytes of RFC 8797 private data
 * @mine: my sizes and flags (@pd_present is ignored)
 * @buf: destination
 * @size: bytes available at @buf
 *
 * Return: 8 (bytes written); -EINVAL when an argument is NULL or a size is
 * below 1024; -EMSGSIZE when @size < 8.
 */
ssize_t xr_cm_encode(const struct xr_cm_private *mine, void *buf, size_t size);

/**
 * xr_cm_decode() - parse the peer's private data
 * @buf: the bytes received with the connect request/accept (may be NULL
 *	when @len is 0)
 * @len: their number
 * @peer: output; pd_present says whether valid RFC 8797 data was found,
 *	otherwise it holds the defaults (1024/1024, no remote invalidation)
 *
 * Return: 1 when private data was recognised, 0 when it was absent or not
 * recognised (not an error: the defaults apply), -EINVAL when @peer is
 * NULL or @buf is NULL with @len > 0.
 */
int xr_cm_decode(const void *buf, size_t len, struct xr_cm_private *peer);

/**
 * xr_cm_negotiate() - apply the RFC 8797 rule for one side
 * @mine: my configured sizes (use the advertised, rounded values)
 * @peer: what xr_cm_decode() returned for the peer
 * @out: result
 *
 * Return: 0; -EINVAL when an argument is NULL.
 */
int xr_cm_negotiate(const struct xr_cm_private *mine,
		    const struct xr_cm_private *peer, struct xr_cm_inline *out);

#endif /* XR_CM_H */
