/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_lock_owner.c: the names the gateway gives its backend
 * lock owners (issue 11, finding 9).  They used to be "rp-lock-<address
 * of Ganesha's owner>": the address leaked, and an owner allocated where
 * a freed one lay got the freed one's name.  Checked here: no name holds
 * the owner's address; a lock state made after another's end - at the
 * same address, for the same file - gets a name never given before; a
 * LOCKT finds the name of its owner's live lock state on the file and
 * otherwise gets a fresh one; two processes draw different prefixes; the
 * table is empty once the states are gone.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rp_lock_owner.h"
#include "gr_check.h"

static void name_of(struct rp_lock_owners *lo, uint64_t id, char *buf)
{
	CHECK(rp_lock_owner_name(lo, id, buf, RP_LOCK_OWNER_NAME_MAX) > 0);
}

/* Whether @name shows @p's address, in the forms printf would use. */
static bool shows_address(const char *name, const void *p)
{
	char a[40], b[40];

	snprintf(a, sizeof(a), "%lx", (unsigned long)(uintptr_t)p);
	snprintf(b, sizeof(b), "%p", p);
	return strstr(name, a) || strstr(name, b + 2);
}

int main(void)
{
	struct rp_lock_owners lo, lo2;
	char n1[RP_LOCK_OWNER_NAME_MAX], n2[RP_LOCK_OWNER_NAME_MAX],
	    n3[RP_LOCK_OWNER_NAME_MAX];
	void *owner = malloc(64), *file = malloc(64), *file2 = malloc(64);
	uint64_t id1, id2, id3, t1, t2;
	char tiny[8];

	CHECK(rp_lock_owners_init(&lo) == 0);
	CHECK(rp_lock_owners_init(&lo2) == 0);
	CHECK(lo.lo_prefix != lo2.lo_prefix);

	/* A lock state of @owner on @file. */
	id1 = rp_lock_owner_new_id(&lo);
	CHECK(rp_lock_owner_note(&lo, owner, file, id1) == 0);
	name_of(&lo, id1, n1);
	CHECK(!shows_address(n1, owner));
	CHECK(!shows_address(n1, file));
	CHECK(strncmp(n1, "rp-lock-", 8) == 0);

	/* LOCKT by the same owner on the same file: the same name. */
	CHECK_EQ(rp_lock_owner_lookup(&lo, owner, file), id1);
	/* on another file, where it holds nothing: a name of its own */
	t1 = rp_lock_owner_lookup(&lo, owner, file2);
	t2 = rp_lock_owner_lookup(&lo, owner, file2);
	CHECK(t1 != id1 && t2 != id1 && t1 != t2);

	/*
	 * The state ends; an unrelated owner at the very same address locks
	 * the same file: a new name, not the old one.
	 */
	rp_lock_owner_forget(&lo, owner, file, id1);
	CHECK_EQ(lo.lo_count, 0);
	id2 = rp_lock_owner_new_id(&lo);
	CHECK(rp_lock_owner_note(&lo, owner, file, id2) == 0);
	name_of(&lo, id2, n2);
	CHECK(id2 != id1 && id2 != t1 && id2 != t2);
	CHECK(strcmp(n1, n2) != 0);

	/*
	 * A new state noted while an old one of the same key is still being
	 * freed: LOCKT finds the new one, before and after the old goes.
	 */
	id3 = rp_lock_owner_new_id(&lo);
	CHECK(rp_lock_owner_note(&lo, owner, file, id3) == 0);
	CHECK_EQ(rp_lock_owner_lookup(&lo, owner, file), id3);
	rp_lock_owner_forget(&lo, owner, file, id2);
	CHECK_EQ(rp_lock_owner_lookup(&lo, owner, file), id3);
	rp_lock_owner_forget(&lo, owner, file, id3);
	CHECK_EQ(lo.lo_count, 0);

	/* Same id, other process: other name. */
	name_of(&lo2, id3, n3);
	name_of(&lo, id3, n2);
	CHECK(strcmp(n2, n3) != 0);
	CHECK_EQ(rp_lock_owner_name(&lo, id3, tiny, sizeof(tiny)), -ENOSPC);

	/* Many states: all noted, all forgotten, the table empties. */
	{
		uint64_t ids[1000];
		int i;

		for (i = 0; i < 1000; i++) {
			ids[i] = rp_lock_owner_new_id(&lo);
			CHECK(rp_lock_owner_note(&lo, (char *)owner + (i % 7),
						 (char *)file + i,
						 ids[i]) == 0);
		}
		CHECK_EQ(lo.lo_count, 1000);
		for (i = 0; i < 1000; i++)
			CHECK_EQ(rp_lock_owner_lookup(&lo,
						      (char *)owner + (i % 7),
						      (char *)file + i),
				 ids[i]);
		for (i = 0; i < 1000; i++)
			rp_lock_owner_forget(&lo, (char *)owner + (i % 7),
					     (char *)file + i, ids[i]);
		CHECK_EQ(lo.lo_count, 0);
	}
	rp_lock_owners_destroy(&lo);
	rp_lock_owners_destroy(&lo2);
	free(owner);
	free(file);
	free(file2);
	return gr_check_done("test_rp_lock_owner");
}
