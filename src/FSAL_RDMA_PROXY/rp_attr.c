/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Attributes between the backend's fattr4 and Ganesha's fsal_attrlist.
 *
 * Decoding and encoding are Ganesha's own (nfs4_Fattr_To_FSAL_attr and
 * nfs4_FSALattr_To_Fattr, exported by libganesha_nfsd), so owners, times,
 * fsid and change map exactly as Ganesha maps them for its own clients.
 *
 * (READDIR entry handles are cut out of the attributes by rp_entry_fh.c.)
 */
#include "config.h"

#include <string.h>

#include "rp_int.h"
#include "nfs_proto_tools.h"

#define BIT0(b) (1u << (b))
#define BIT1(b) (1u << ((b)-32))

void rp_attr_bitmap(bitmap4 *bm, bool with_fh)
{
	memset(bm, 0, sizeof(*bm));
	bm->bitmap4_len = 2;
	bm->map[0] = BIT0(FATTR4_TYPE) | BIT0(FATTR4_CHANGE) |
		     BIT0(FATTR4_SIZE) | BIT0(FATTR4_FSID) |
		     BIT0(FATTR4_FILEID);
	if (with_fh)
		bm->map[0] |= BIT0(FATTR4_FILEHANDLE);
	bm->map[1] = BIT1(FATTR4_MODE) | BIT1(FATTR4_NUMLINKS) |
		     BIT1(FATTR4_OWNER) | BIT1(FATTR4_OWNER_GROUP) |
		     BIT1(FATTR4_RAWDEV) | BIT1(FATTR4_SPACE_USED) |
		     BIT1(FATTR4_TIME_ACCESS) | BIT1(FATTR4_TIME_METADATA) |
		     BIT1(FATTR4_TIME_MODIFY);
}

void rp_fsinfo_bitmap(bitmap4 *bm)
{
	memset(bm, 0, sizeof(*bm));
	bm->bitmap4_len = 2;
	bm->map[0] = BIT0(FATTR4_FILES_AVAIL) | BIT0(FATTR4_FILES_FREE) |
		     BIT0(FATTR4_FILES_TOTAL);
	bm->map[1] = BIT1(FATTR4_SPACE_AVAIL) | BIT1(FATTR4_SPACE_FREE) |
		     BIT1(FATTR4_SPACE_TOTAL);
}

/*
 * Ganesha's nfs4_Fattr_To_fsinfo() is not used: in 6.5 it decodes into a
 * copy of the caller's structure and never copies it back (4.3 wrote
 * through), so every proxy FSAL on 6.5 - Debian's PROXY_V4 too - reports
 * 0 blocks and 0 files.  The six attributes are plain uint64s, read here.
 */
fsal_status_t rp_fattr_to_fsinfo(const fattr4 *fa, fsal_dynamicfsinfo_t *info)
{
	const struct {
		int bit;
		uint64_t *to;
	} want[] = {
	    {FATTR4_FILES_AVAIL, &info->avail_files},
	    {FATTR4_FILES_FREE, &info->free_files},
	    {FATTR4_FILES_TOTAL, &info->total_files},
	    {FATTR4_SPACE_AVAIL, &info->avail_bytes},
	    {FATTR4_SPACE_FREE, &info->free_bytes},
	    {FATTR4_SPACE_TOTAL, &info->total_bytes},
	};
	const bitmap4 *bm = &fa->attrmask;
	fsal_status_t st = fsalstat(ERR_FSAL_NO_ERROR, 0);
	uint32_t w, b;
	size_t i;
	XDR xdrs;

	if (bm->bitmap4_len > BITMAP4_MAPLEN)
		return fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
	xdrmem_ncreate(&xdrs, fa->attr_vals.attrlist4_val,
		       fa->attr_vals.attrlist4_len, XDR_DECODE);
	/* attribute values come in bit order; anything else is unasked */
	for (w = 0; w < bm->bitmap4_len && !FSAL_IS_ERROR(st); w++) {
		for (b = 0; b < 32 && !FSAL_IS_ERROR(st); b++) {
			if (!(bm->map[w] & (1u << b)))
				continue;
			for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
				if (want[i].bit == (int)(w * 32 + b))
					break;
			if (i == sizeof(want) / sizeof(want[0]) ||
			    !xdr_u_int64_t(&xdrs, want[i].to))
				st = fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
		}
	}
	if (!FSAL_IS_ERROR(st) &&
	    XDR_GETPOS(&xdrs) != fa->attr_vals.attrlist4_len)
		st = fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
	xdr_destroy(&xdrs);
	return st;
}

fsal_status_t rp_fattr_to_attrs(fattr4 *fa, struct fsal_attrlist *attrs)
{
	attrmask_t asked = attrs->request_mask;
	int rc;

	/* The decoder clears the whole list, the request mask included. */
	rc = nfs4_Fattr_To_FSAL_attr(attrs, fa, NULL);
	attrs->request_mask = asked;
	/*
	 * Ganesha answers FATTR4_SUPPORTED_ATTRS from the object's own
	 * list; left empty, the Linux client asks for nothing but
	 * mounted_on_fileid afterwards and its mount fails with ENOENT.
	 */
	attrs->supported = rp_module.fsal.fs_info.supported_attrs;
	if (rc != NFS4_OK) {
		LogWarn(
		    COMPONENT_FSAL,
		    "RDMA_PROXY: backend sent attributes Ganesha cannot decode (status %d)",
		    rc);
		return fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
	}
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static const struct {
	attrmask_t mask;
	int bit;
} rp_settable[] = {
    {ATTR_SIZE, FATTR4_SIZE},
    {ATTR_MODE, FATTR4_MODE},
    {ATTR_OWNER, FATTR4_OWNER},
    {ATTR_GROUP, FATTR4_OWNER_GROUP},
    {ATTR_ATIME, FATTR4_TIME_ACCESS_SET},
    {ATTR_ATIME_SERVER, FATTR4_TIME_ACCESS_SET},
    {ATTR_MTIME, FATTR4_TIME_MODIFY_SET},
    {ATTR_MTIME_SERVER, FATTR4_TIME_MODIFY_SET},
};

fsal_status_t rp_attrs_to_fattr(const struct fsal_attrlist *attrs, fattr4 *fa)
{
	struct xdr_attrs_args args;
	bitmap4 bm;
	size_t i;

	memset(&bm, 0, sizeof(bm));
	bm.bitmap4_len = 2;
	for (i = 0; i < sizeof(rp_settable) / sizeof(rp_settable[0]); i++) {
		int b = rp_settable[i].bit;

		if (!FSAL_TEST_MASK(attrs->valid_mask, rp_settable[i].mask))
			continue;
		bm.map[b / 32] |= 1u << (b % 32);
	}
	memset(&args, 0, sizeof(args));
	args.attrs = (struct fsal_attrlist *)attrs;
	memset(fa, 0, sizeof(*fa));
	if (nfs4_FSALattr_To_Fattr(&args, &bm, fa) != 0)
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}
