/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The export root's state, and the wire handles sealed: what both
 * rp_export.c and rp_handle.c need of an export's handles, below both.
 *
 * Which backend object is the export root.
 * Backend_Path confinement rests on it: the directory at Backend_Path must
 * always come back as the export root (RP_WIRE_ROOT, whose ".." stays
 * put), never as an ordinary handle whose LOOKUPP climbs above it.  The
 * root is resolved once (rp_compound.c, before any other backend call
 * goes out) and remembered by its handle bytes and by its fsid and
 * fileid: a backend may give one directory several handles (a server that
 * encodes the path or the export in them), while fsid and fileid name the
 * object itself.  Set once, read under root_lock.  Unit-tested alone
 * (tests/gateway/test_rp_root.c).
 *
 * A wire handle is a kind byte, the backend's handle and the MAC of this
 * export's key over both (rp_handle_mac.c): rp_seal_wire() makes it, for
 * ordinary objects and the root alike.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "rp_int.h"

void rp_root_set(struct rp_export *ex, const uint8_t *fh, uint32_t len,
		 const struct fsal_attrlist *a)
{
	if (len == 0 || len > sizeof(ex->root_fh))
		return;
	pthread_mutex_lock(&ex->root_lock);
	if (!ex->root_fh_len) {
		memcpy(ex->root_fh, fh, len);
		ex->root_fh_len = len;
		ex->root_ids = a && FSAL_TEST_MASK(a->valid_mask, ATTR_FSID) &&
			       FSAL_TEST_MASK(a->valid_mask, ATTR_FILEID);
		if (ex->root_ids) {
			ex->root_fsid = a->fsid;
			ex->root_fileid = a->fileid;
		}
	}
	pthread_mutex_unlock(&ex->root_lock);
}

bool rp_root_known(struct rp_export *ex)
{
	bool known;

	pthread_mutex_lock(&ex->root_lock);
	known = ex->root_fh_len != 0;
	pthread_mutex_unlock(&ex->root_lock);
	return known;
}

bool rp_is_root_fh(struct rp_export *ex, const uint8_t *fh, uint32_t len)
{
	bool same;

	pthread_mutex_lock(&ex->root_lock);
	same = ex->root_fh_len && ex->root_fh_len == len &&
	       memcmp(ex->root_fh, fh, len) == 0;
	pthread_mutex_unlock(&ex->root_lock);
	return same;
}

bool rp_is_root_obj(struct rp_export *ex, const uint8_t *fh, uint32_t len,
		    const struct fsal_attrlist *a)
{
	bool same;

	pthread_mutex_lock(&ex->root_lock);
	same = (ex->root_fh_len && ex->root_fh_len == len &&
		memcmp(ex->root_fh, fh, len) == 0) ||
	       (ex->root_ids && FSAL_TEST_MASK(a->valid_mask, ATTR_FSID) &&
		FSAL_TEST_MASK(a->valid_mask, ATTR_FILEID) &&
		a->fsid.major == ex->root_fsid.major &&
		a->fsid.minor == ex->root_fsid.minor &&
		a->fileid == ex->root_fileid);
	pthread_mutex_unlock(&ex->root_lock);
	return same;
}

bool rp_root_fh(struct rp_export *ex, const uint8_t **fh, uint32_t *len)
{
	bool known;

	pthread_mutex_lock(&ex->root_lock);
	known = ex->root_fh_len != 0;
	/* Set once, never changed after: the bytes stay where they are. */
	*fh = ex->root_fh;
	*len = ex->root_fh_len;
	pthread_mutex_unlock(&ex->root_lock);
	return known;
}

void rp_log_big_handle(struct rp_export *ex, uint32_t fh_len)
{
	if (!atomic_exchange(&ex->big_handle_logged, true))
		LogCrit(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: the backend gave a file handle of %u bytes; the gateway carries at most %u (NFSv4's %u bytes less Ganesha's %zu-byte header, a kind byte and a %u-byte MAC): objects with such handles cannot be served, this backend does not fit behind the gateway",
		    ex->backend.rb_label, fh_len, (unsigned int)RP_FH_MAX,
		    NFS4_FHSIZE, offsetof(file_handle_v4_t, fsopaque),
		    RP_MAC_LEN);
	else
		LogDebug(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: backend handle of %u bytes refused (at most %u)",
		    ex->backend.rb_label, fh_len, (unsigned int)RP_FH_MAX);
}

bool rp_seal_wire(struct rp_export *ex, struct rp_handle *h, uint8_t kind)
{
	int len = rp_wire_seal(&ex->mac_key, ex->export_id, kind, h->fh,
			       h->fh_len, h->wire, sizeof(h->wire));

	if (len < 0) {
		LogCrit(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: cannot authenticate a handle of %u bytes: %s",
		    ex->backend.rb_label, h->fh_len, strerror(-len));
		return false;
	}
	h->wire_len = (uint32_t)len;
	return true;
}
