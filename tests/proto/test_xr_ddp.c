/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit tests for the RFC 8267 DDP-eligibility table (xr_ddp).
 *
 * How this works: looks up every eligible item and a set of neighbours
 * that must not be eligible (wrong direction, wrong version, wrong object
 * type, other programs), and checks the table has no duplicate rows.
 */
#include "xr_ddp.h"
#include "gr_check.h"

#define P XR_NFS_PROGRAM

static enum xr_ddp_item item(uint32_t vers, uint32_t minor, uint32_t proc,
			     uint32_t objtype, enum xr_ddp_dir dir)
{
	const struct xr_ddp_entry *e =
	    xr_ddp_lookup(P, vers, minor, proc, objtype, dir);

	return e ? e->de_item : (enum xr_ddp_item)0;
}

static void test_nfs3(void)
{
	CHECK_EQ(item(3, 0, 6, 0, XR_DDP_RESULT), XR_DDP_READ_DATA);
	CHECK_EQ(item(3, 0, 7, 0, XR_DDP_ARGS), XR_DDP_WRITE_DATA);
	CHECK_EQ(item(3, 0, 5, 0, XR_DDP_RESULT), XR_DDP_READLINK_PATH);
	CHECK_EQ(item(3, 0, 10, 0, XR_DDP_ARGS), XR_DDP_SYMLINK_PATH);
	/* Wrong direction. */
	CHECK_EQ(item(3, 0, 6, 0, XR_DDP_ARGS), 0);
	CHECK_EQ(item(3, 0, 7, 0, XR_DDP_RESULT), 0);
	/* GETATTR, READDIR, READDIRPLUS, NULL: not eligible. */
	CHECK_EQ(item(3, 0, 1, 0, XR_DDP_RESULT), 0);
	CHECK_EQ(item(3, 0, 16, 0, XR_DDP_RESULT), 0);
	CHECK_EQ(item(3, 0, 17, 0, XR_DDP_RESULT), 0);
	CHECK_EQ(item(3, 0, 0, 0, XR_DDP_ARGS), 0);
	/* The minor version is meaningless for v3 and ignored. */
	CHECK_EQ(item(3, 7, 6, 0, XR_DDP_RESULT), XR_DDP_READ_DATA);
}

static void test_nfs2(void)
{
	CHECK_EQ(item(2, 0, 6, 0, XR_DDP_RESULT), XR_DDP_READ_DATA);
	CHECK_EQ(item(2, 0, 8, 0, XR_DDP_ARGS), XR_DDP_WRITE_DATA);
	CHECK_EQ(item(2, 0, 5, 0, XR_DDP_RESULT), XR_DDP_READLINK_PATH);
	CHECK_EQ(item(2, 0, 13, 0, XR_DDP_ARGS), XR_DDP_SYMLINK_PATH);
	/* v2 proc 7 is WRITECACHE, not WRITE. */
	CHECK_EQ(item(2, 0, 7, 0, XR_DDP_ARGS), 0);
}

static void test_nfs4(void)
{
	uint32_t minor, op;

	for (minor = 0; minor <= 2; minor++) {
		CHECK_EQ(item(4, minor, 25, 0, XR_DDP_RESULT),
			 XR_DDP_READ_DATA);
		CHECK_EQ(item(4, minor, 38, 0, XR_DDP_ARGS), XR_DDP_WRITE_DATA);
		CHECK_EQ(item(4, minor, 27, 0, XR_DDP_RESULT),
			 XR_DDP_READLINK_PATH);
		CHECK_EQ(item(4, minor, 6, XR_NF4LNK, XR_DDP_ARGS),
			 XR_DDP_CREATE_LINKDATA);
		/* CREATE of a directory (NF4DIR = 2) has no linkdata. */
		CHECK_EQ(item(4, minor, 6, 2, XR_DDP_ARGS), 0);
		/* GETATTR, READDIR, OPEN: not eligible. */
		CHECK_EQ(item(4, minor, 9, 0, XR_DDP_RESULT), 0);
		CHECK_EQ(item(4, minor, 26, 0, XR_DDP_RESULT), 0);
		CHECK_EQ(item(4, minor, 18, 0, XR_DDP_ARGS), 0);
	}
	/* NFSv4.2 READ_PLUS (68) and WRITE_SAME (70) are not eligible. */
	CHECK_EQ(item(4, 2, 68, 0, XR_DDP_RESULT), 0);
	CHECK_EQ(item(4, 2, 70, 0, XR_DDP_ARGS), 0);
	/* Nor are xattr values and names (RFC 8276 ops 72..75), either way,
	 * nor ALLOCATE/DEALLOCATE/SEEK (59, 62, 69). */
	for (op = 72; op <= 75; op++) {
		CHECK_EQ(item(4, 2, op, 0, XR_DDP_RESULT), 0);
		CHECK_EQ(item(4, 2, op, 0, XR_DDP_ARGS), 0);
	}
	CHECK_EQ(item(4, 2, 59, 0, XR_DDP_ARGS), 0);
	CHECK_EQ(item(4, 2, 62, 0, XR_DDP_ARGS), 0);
	CHECK_EQ(item(4, 2, 69, 0, XR_DDP_RESULT), 0);
	/* Unknown future minor version: nothing assumed. */
	CHECK_EQ(item(4, 3, 25, 0, XR_DDP_RESULT), 0);
	/* NFS version 5 does not exist. */
	CHECK_EQ(item(5, 0, 25, 0, XR_DDP_RESULT), 0);
}

static void test_other_programs(void)
{
	/* NFSACL (100227), NLM (100021), MOUNT (100005). */
	CHECK(xr_ddp_lookup(100227, 3, 0, 1, 0, XR_DDP_RESULT) == NULL);
	CHECK(xr_ddp_lookup(100021, 4, 0, 6, 0, XR_DDP_RESULT) == NULL);
	CHECK(xr_ddp_lookup(100005, 3, 0, 6, 0, XR_DDP_RESULT) == NULL);
}

static void test_table(void)
{
	const struct xr_ddp_entry *t;
	size_t n, i, j;

	t = xr_ddp_table(&n);
	CHECK(t != NULL);
	CHECK_EQ(n, 12);
	for (i = 0; i < n; i++) {
		CHECK(t[i].de_name != NULL);
		CHECK(xr_ddp_lookup(P, t[i].de_vers, t[i].de_minor_min,
				    t[i].de_proc, t[i].de_objtype,
				    t[i].de_dir) == &t[i]);
		for (j = i + 1; j < n; j++)
			CHECK(!(t[i].de_vers == t[j].de_vers &&
				t[i].de_proc == t[j].de_proc &&
				t[i].de_dir == t[j].de_dir));
	}
	xr_ddp_table(NULL);
}

int main(void)
{
	test_nfs3();
	test_nfs2();
	test_nfs4();
	test_other_programs();
	test_table();
	return gr_check_done("test_xr_ddp");
}
