/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * XDR streams between ntirpc and the RPC-over-RDMA server engine.
 *
 * Decoding: the engine delivers a call as byte ranges in XDR order (inline
 * head, RDMA-read chunk payload, its padding, inline rest).  xr_gsh_xdr_in is
 * an ntirpc XDR stream that reads across those ranges as if they were one
 * buffer, so Ganesha decodes a WRITE's data straight out of the RDMA Read
 * landing area: the only copy is the one Ganesha 4.3's decoder makes
 * (xdr_bytes); Ganesha 6's decoder asks the stream for its buffers
 * (x_iovcount, x_fillbufs) and writes from the landing area, no copy.
 *
 * Encoding: xr_gsh_xdr_out is an ntirpc memory stream whose x_putbufs is ours.
 * Ganesha hands READ data to the reply stream through x_putbufs as a uio
 * with its own release function (xdr_READ4res_uio_release in 4.3,
 * xdr_io_data_uio_release in 6); when the client offered a Write
 * chunk, that uio is not copied but kept aside as the reply's DDP payload
 * (RDMA-written from Ganesha's buffer).  Everything else is copied inline.
 */
#ifndef XR_GSH_XDR_H
#define XR_GSH_XDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <rpc/xdr.h>

/** struct xr_gsh_xdr_in - a decode stream over byte ranges */
struct xr_gsh_xdr_in {
	XDR xi_xdrs;
	const struct iovec *xi_iov;
	uint32_t xi_niov;
	uint32_t xi_cur;	  /* range x_data points into */
	u_int xi_base;		  /* stream position where that range starts */
	uint32_t xi_chunk_mask;	  /* bit i: range i is RDMA-read chunk data */
	uint64_t xi_chunk_copied; /* chunk data bytes copied out by decoders */
};

/**
 * xr_gsh_xdr_in_init() - start decoding @n ranges
 * @in:		the stream (caller's memory; nothing is allocated)
 * @iov:	the ranges; they must outlive the stream
 * @n:		their number
 *
 * Return: 0, or -EINVAL when the ranges add up to more than 4 GiB - 1
 * (an XDR position is 32 bits).
 */
int xr_gsh_xdr_in_init(struct xr_gsh_xdr_in *in, const struct iovec *iov,
		       uint32_t n);

/**
 * xr_gsh_xdr_in_mark_chunk() - say that range @idx is RDMA-read chunk data
 *
 * Bytes that decoders then copy out of that range (Ganesha's WRITE
 * decoder does, once) are added up in xi_chunk_copied, so the transport
 * can report the payload copies a WRITE costs.  Ranges from 32 on are not
 * tracked (a call has at most XR_CALL_MAX_RANGES of them).
 */
void xr_gsh_xdr_in_mark_chunk(struct xr_gsh_xdr_in *in, uint32_t idx);

/*
 * Buffers one DDP payload may span: Ganesha 4.3's READ uio has one, Ganesha
 * 6's has one per buffer the FSAL filled plus one for an unaligned end.  A
 * uio with more is copied inline.
 */
#define XR_GSH_XDR_MAX_PAYLOAD 4

/** struct xr_gsh_xdr_out - an encode stream that can set a DDP payload aside */
struct xr_gsh_xdr_out {
	XDR xo_xdrs;
	char *xo_buf;
	u_int xo_size;
	/* uio release function marking a DDP-eligible payload (or NULL) */
	xdr_uio_release xo_ddp_release;
	/* the client offered a Write chunk: set such a payload aside */
	bool xo_ddp_ok;
	/*
	 * Every single-vector uio is DDP-eligible, whatever releases it: set
	 * by the caller for replies whose only uio is their DDP item (NFSv3
	 * READ, whose release function Ganesha does not export).
	 */
	bool xo_ddp_any;
	/* the payload set aside (at most one per reply) */
	xdr_uio *xo_uio;
	u_int xo_payload_pos; /* stream position it belongs at */
	u_int xo_payload_len; /* its bytes without XDR padding */
	/* DDP-eligible payload bytes copied into the stream */
	uint64_t xo_copied;
	/* other uio bytes copied into the stream */
	uint64_t xo_copied_other;
};

/**
 * xr_gsh_xdr_out_init() - start encoding into @buf
 * @out:	the stream
 * @buf:	where inline bytes go
 * @size:	its size
 * @ddp_release: uio release function marking DDP-eligible payloads
 * @ddp_ok:	the client offered a Write chunk: set one such payload aside
 *		instead of copying it
 */
void xr_gsh_xdr_out_init(struct xr_gsh_xdr_out *out, char *buf, u_int size,
			 xdr_uio_release ddp_release, bool ddp_ok);

/**
 * xr_gsh_xdr_out_split() - describe the encoded reply as head/payload/tail
 * @out:	a stream after encoding
 * @head:	set to the bytes before the payload (or all of them)
 * @payload:	array of XR_GSH_XDR_MAX_PAYLOAD, set to the payload's bytes
 *		without XDR padding, one entry per buffer of Ganesha's uio
 *		(payload[0] has length 0 when there is none)
 * @tail:	set to the bytes after the payload (len 0: none)
 *
 * Return: the number of payload entries set, 0 when there is no payload.
 */
uint32_t xr_gsh_xdr_out_split(const struct xr_gsh_xdr_out *out,
			      struct iovec *head, struct iovec *payload,
			      struct iovec *tail);

/**
 * xr_gsh_xdr_out_release() - drop the payload set aside, if any
 * @out:	the stream; call once the reply no longer needs the payload
 */
void xr_gsh_xdr_out_release(struct xr_gsh_xdr_out *out);

#endif /* XR_GSH_XDR_H */
