/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_root.c: which backend object the gateway takes for the
 * export root (issue 11, finding 4).  Roots were recognised by handle
 * bytes only: a backend that gives the Backend_Path directory a second
 * handle (servers that encode a path or an export in their handles do)
 * would have it served as an ordinary directory, whose LOOKUPP leaves
 * Backend_Path.  Checked: before the root is known nothing is the root;
 * the same bytes are; other bytes with the root's fsid and fileid are;
 * another fileid, another fsid, or attributes without them are not; a
 * root resolved without fsid/fileid falls back to bytes; the first root
 * set stays.
 */
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "gr_check.h"

/* rp_root.c seals wire handles; the MAC itself is test_rp_handle_mac's */
int rp_wire_seal(const struct rp_mac_key *key, uint16_t export_id, uint8_t kind,
		 const uint8_t *fh, uint32_t fh_len, uint8_t *wire, size_t cap)
{
	abort();
}

static void attrs_of(struct fsal_attrlist *a, uint64_t major, uint64_t minor,
		     uint64_t fileid)
{
	memset(a, 0, sizeof(*a));
	a->valid_mask = ATTR_FSID | ATTR_FILEID | ATTR_TYPE;
	a->fsid.major = major;
	a->fsid.minor = minor;
	a->fileid = fileid;
}

int main(void)
{
	static struct rp_export ex, ex2;
	const uint8_t fh[] = {1, 2, 3, 4, 5, 6, 7, 8};
	const uint8_t other[] = {9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8};
	struct fsal_attrlist a, b;

	pthread_mutex_init(&ex.root_lock, NULL);
	pthread_mutex_init(&ex2.root_lock, NULL);
	attrs_of(&a, 7, 0, 1234);

	/* unknown root: nothing is it */
	CHECK(!rp_root_known(&ex));
	CHECK(!rp_is_root_obj(&ex, fh, sizeof(fh), &a));
	CHECK(!rp_is_root_fh(&ex, fh, sizeof(fh)));

	rp_root_set(&ex, fh, sizeof(fh), &a);
	CHECK(rp_root_known(&ex));
	CHECK(rp_is_root_fh(&ex, fh, sizeof(fh)));
	CHECK(rp_is_root_obj(&ex, fh, sizeof(fh), &a));
	/* another handle of the same directory */
	CHECK(!rp_is_root_fh(&ex, other, sizeof(other)));
	CHECK(rp_is_root_obj(&ex, other, sizeof(other), &a));
	/* another object */
	attrs_of(&b, 7, 0, 1235);
	CHECK(!rp_is_root_obj(&ex, other, sizeof(other), &b));
	attrs_of(&b, 8, 0, 1234);
	CHECK(!rp_is_root_obj(&ex, other, sizeof(other), &b));
	attrs_of(&b, 7, 1, 1234);
	CHECK(!rp_is_root_obj(&ex, other, sizeof(other), &b));
	/* attributes that do not say */
	attrs_of(&b, 7, 0, 1234);
	b.valid_mask = ATTR_FSID;
	CHECK(!rp_is_root_obj(&ex, other, sizeof(other), &b));
	/* the first root stays */
	attrs_of(&b, 9, 9, 99);
	rp_root_set(&ex, other, sizeof(other), &b);
	CHECK(!rp_is_root_fh(&ex, other, sizeof(other)));
	CHECK(!rp_is_root_obj(&ex, other, sizeof(other), &b));
	CHECK(rp_is_root_obj(&ex, other, sizeof(other), &a));

	/* resolved without fsid/fileid: bytes only */
	b.valid_mask = 0;
	rp_root_set(&ex2, fh, sizeof(fh), &b);
	CHECK(rp_is_root_obj(&ex2, fh, sizeof(fh), &a));
	CHECK(!rp_is_root_obj(&ex2, other, sizeof(other), &a));
	rp_root_set(&ex2, fh, 0, NULL); /* ignored */
	CHECK(rp_root_known(&ex2));
	return gr_check_done("test_rp_root");
}
