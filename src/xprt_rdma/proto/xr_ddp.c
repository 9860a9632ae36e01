/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RFC 8267 DDP-eligibility table and lookup.
 *
 * How this works: a small const table, one row per eligible item, scanned
 * linearly (it has 12 rows; the planner calls it once per operation).
 * Procedure and operation numbers are those of RFC 1094 (v2), RFC 1813
 * (v3) and RFC 7530/8881 (v4 operations).
 */
#include "xr_ddp.h"

#define NFS2_READLINK 5u
#define NFS2_READ 6u
#define NFS2_WRITE 8u
#define NFS2_SYMLINK 13u

#define NFS3_READLINK 5u
#define NFS3_READ 6u
#define NFS3_WRITE 7u
#define NFS3_SYMLINK 10u

#define NFS4_OP_CREATE 6u
#define NFS4_OP_READ 25u
#define NFS4_OP_READLINK 27u
#define NFS4_OP_WRITE 38u

/* Highest NFSv4 minor version the table speaks for (see xr_ddp.h). */
#define XR_DDP_V4_MINOR_MAX 2u

static const struct xr_ddp_entry xr_ddp_rows[] = {
    {2, 0, 0, NFS2_READ, 0, XR_DDP_RESULT, XR_DDP_READ_DATA, "NFSv2 READ data"},
    {2, 0, 0, NFS2_WRITE, 0, XR_DDP_ARGS, XR_DDP_WRITE_DATA,
     "NFSv2 WRITE data"},
    {2, 0, 0, NFS2_READLINK, 0, XR_DDP_RESULT, XR_DDP_READLINK_PATH,
     "NFSv2 READLINK path"},
    {2, 0, 0, NFS2_SYMLINK, 0, XR_DDP_ARGS, XR_DDP_SYMLINK_PATH,
     "NFSv2 SYMLINK path"},
    {3, 0, 0, NFS3_READ, 0, XR_DDP_RESULT, XR_DDP_READ_DATA, "NFSv3 READ data"},
    {3, 0, 0, NFS3_WRITE, 0, XR_DDP_ARGS, XR_DDP_WRITE_DATA,
     "NFSv3 WRITE data"},
    {3, 0, 0, NFS3_READLINK, 0, XR_DDP_RESULT, XR_DDP_READLINK_PATH,
     "NFSv3 READLINK path"},
    {3, 0, 0, NFS3_SYMLINK, 0, XR_DDP_ARGS, XR_DDP_SYMLINK_PATH,
     "NFSv3 SYMLINK path"},
    {4, 0, XR_DDP_V4_MINOR_MAX, NFS4_OP_READ, 0, XR_DDP_RESULT,
     XR_DDP_READ_DATA, "NFSv4 READ data"},
    {4, 0, XR_DDP_V4_MINOR_MAX, NFS4_OP_WRITE, 0, XR_DDP_ARGS,
     XR_DDP_WRITE_DATA, "NFSv4 WRITE data"},
    {4, 0, XR_DDP_V4_MINOR_MAX, NFS4_OP_READLINK, 0, XR_DDP_RESULT,
     XR_DDP_READLINK_PATH, "NFSv4 READLINK linktext"},
    {4, 0, XR_DDP_V4_MINOR_MAX, NFS4_OP_CREATE, XR_NF4LNK, XR_DDP_ARGS,
     XR_DDP_CREATE_LINKDATA, "NFSv4 CREATE(NF4LNK) linkdata"},
};

const struct xr_ddp_entry *xr_ddp_lookup(uint32_t prog, uint32_t vers,
					 uint32_t minor, uint32_t proc,
					 uint32_t objtype, enum xr_ddp_dir dir)
{
	size_t i;

	if (prog != XR_NFS_PROGRAM)
		return NULL;
	if (vers != 4)
		minor = 0;
	for (i = 0; i < sizeof(xr_ddp_rows) / sizeof(xr_ddp_rows[0]); i++) {
		const struct xr_ddp_entry *e = &xr_ddp_rows[i];

		if (e->de_vers != vers || e->de_proc != proc ||
		    e->de_dir != dir)
			continue;
		if (minor < e->de_minor_min || minor > e->de_minor_max)
			continue;
		if (e->de_objtype && e->de_objtype != objtype)
			continue;
		return e;
	}
	return NULL;
}

const struct xr_ddp_entry *xr_ddp_table(size_t *count)
{
	if (count)
		*count = sizeof(xr_ddp_rows) / sizeof(xr_ddp_rows[0]);
	return xr_ddp_rows;
}
