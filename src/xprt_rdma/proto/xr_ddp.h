/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * RFC 8267 NFS upper-layer binding: which NFS data items are DDP-eligible.
 *
 * How this works: RPC-over-RDMA moves a data item by RDMA (a Read chunk in
 * a Call, a Write chunk in a Reply) only when the upper-layer binding says
 * the item is "DDP-eligible".  For NFS (RFC 8267) these are:
 *
 *   NFSv2/v3: READ result data, WRITE argument data, READLINK result
 *             path, SYMLINK argument path.
 *   NFSv4.0/4.1 (inside COMPOUND): READ result data, WRITE argument data,
 *             READLINK result linktext, CREATE argument linkdata when the
 *             object type is NF4LNK.
 *
 * Nothing else is eligible (no NFSv4 callback items, no NFSACL/NLM/MOUNT
 * items).  Everything that is not eligible but may not fit inline travels
 * as a whole message: a Position-Zero Read chunk for a long Call, a Reply
 * chunk for a long Reply (READDIR, GETATTR with ACLs, ...).  In an NFSv4
 * COMPOUND the Write list carries at most one chunk per eligible result,
 * in the order the results appear in the reply; a responder that does not
 * use a chunk returns it empty.
 *
 * NFSv4.2 (RFC 7862) keeps these operations unchanged and RFC 8267 gives no
 * separate list for it; the table extends the 4.1 entries to minor
 * version 2 (the Linux client does the same).  New 4.2 operations
 * (READ_PLUS, WRITE_SAME, ...) are not eligible.
 *
 * xr_ddp_lookup() answers one question for the chunk planner: is this
 * (program, version, minor version, procedure or operation, object type,
 * direction) an eligible item, and which one.
 */
#ifndef XR_DDP_H
#define XR_DDP_H

#include <stddef.h>
#include <stdint.h>

#define XR_NFS_PROGRAM 100003u
#define XR_NFS4_COMPOUND 1u
#define XR_NF4LNK 5u /* nfs_ftype4 value for a symbolic link */

/** enum xr_ddp_dir - where the item lives */
enum xr_ddp_dir {
	XR_DDP_ARGS = 0, /* in the Call: moved by a Read chunk */
	XR_DDP_RESULT,	 /* in the Reply: moved by a Write chunk */
};

/** enum xr_ddp_item - the eligible items */
enum xr_ddp_item {
	XR_DDP_READ_DATA = 1,	/* READ result file data */
	XR_DDP_WRITE_DATA,	/* WRITE argument file data */
	XR_DDP_READLINK_PATH,	/* READLINK result path / linktext */
	XR_DDP_SYMLINK_PATH,	/* NFSv2/v3 SYMLINK argument path */
	XR_DDP_CREATE_LINKDATA, /* NFSv4 CREATE(NF4LNK) linkdata */
};

/**
 * struct xr_ddp_entry - one row of the table
 * @de_vers: NFS version (2, 3 or 4)
 * @de_minor_min: lowest NFSv4 minor version (0 for v2/v3)
 * @de_minor_max: highest NFSv4 minor version (0 for v2/v3)
 * @de_proc: procedure number (v2/v3) or COMPOUND operation number (v4)
 * @de_objtype: required object type (CREATE: NF4LNK) or 0 for "any"
 * @de_dir: argument or result
 * @de_item: which item
 * @de_name: human-readable name for logs and tests
 */
struct xr_ddp_entry {
	uint32_t de_vers;
	uint32_t de_minor_min;
	uint32_t de_minor_max;
	uint32_t de_proc;
	uint32_t de_objtype;
	enum xr_ddp_dir de_dir;
	enum xr_ddp_item de_item;
	const char *de_name;
};

/**
 * xr_ddp_lookup() - find the DDP-eligible item for an NFS procedure
 * @prog: RPC program (only XR_NFS_PROGRAM has eligible items)
 * @vers: NFS version
 * @minor: NFSv4 minor version (ignored for v2/v3)
 * @proc: v2/v3 procedure, or v4 COMPOUND operation number
 * @objtype: v4 CREATE object type (nfs_ftype4); ignored elsewhere
 * @dir: argument or result
 *
 * Return: the table row, or NULL when nothing there is DDP-eligible.
 */
const struct xr_ddp_entry *xr_ddp_lookup(uint32_t prog, uint32_t vers,
					 uint32_t minor, uint32_t proc,
					 uint32_t objtype, enum xr_ddp_dir dir);

/**
 * xr_ddp_table() - the whole table, for listing and tests
 * @count: output, number of rows
 *
 * Return: the first row (never NULL).
 */
const struct xr_ddp_entry *xr_ddp_table(size_t *count);

#endif /* XR_DDP_H */
