/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * What the gateway's client is told when a backend call fails below NFS:
 * the session client or the transport returned a negative errno instead
 * of a reply.
 *
 * How this works: the session client has already done what can be done
 * inside the gateway - reconnect and replay on a lost connection, wait
 * and resend when the transport lacked memory or queue room - until the
 * call's deadline (sess_seq.c).  What is left is answered as
 * ERR_FSAL_DELAY (NFS4ERR_DELAY, NFS3ERR_JUKEBOX): the client sends the
 * request again later, and a WRITE the backend can still take is taken
 * then.  Only errors that no retry can cure are a fault of the server
 * (NFS4ERR_SERVERFAULT): the request cannot be encoded or does not fit what
 * was negotiated, or the backend broke the protocol - a malformed reply, an
 * RDMA_ERROR, a version it does not speak (issue 11: a hostile backend's
 * client gets an answer, not a retry loop).
 * Issue #17: a WRITE whose payload siw could not register (RLIMIT_MEMLOCK)
 * failed with ENOMEM, and the client's fsync() got EREMOTEIO.
 */
#include <errno.h>

#include "rp_int.h"

fsal_status_t rp_xprt_status(int err)
{
	switch (err) {
	case -EINVAL:	       /* our own request did not encode */
	case -EMSGSIZE:	       /* larger than the transport carries */
	case -ENOSPC:	       /* larger than the encoder's room */
	case -E2BIG:	       /* more than a COMPOUND may hold */
	case -EOVERFLOW:       /* a length past its XDR limit */
	case -EPROTONOSUPPORT: /* the backend's RPC-over-RDMA version */
	case -EBADMSG:	       /* a reply that broke the protocol */
	case -EPROTO:	       /* the backend's RDMA_ERROR */
		return fsalstat(ERR_FSAL_SERVERFAULT, -err);
	default:
		/*
		 * Lost or refused connections, timeouts, memory, queue
		 * room, a client shutting down: the backend may take the
		 * request another time.
		 */
		return fsalstat(ERR_FSAL_DELAY, err < 0 ? -err : EAGAIN);
	}
}
