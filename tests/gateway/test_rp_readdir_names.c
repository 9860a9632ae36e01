/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_readdir_names.c, the set of names one gateway READDIR
 * call has passed up: every name of a large listing is new once and a
 * repeat is seen wherever it comes (inline slots and after growing), names
 * that differ only in length or one byte stay apart, and the set frees
 * what it grew (the ASan build's LSan checks that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "gr_check.h"

void LogMallocFailure(const char *file, int line, const char *function,
		      const char *allocator)
{
	(void)file;
	(void)line;
	(void)function;
	(void)allocator;
	abort();
}

static void name_of(char *buf, size_t len, unsigned int i)
{
	snprintf(buf, len, "file-%u", i);
}

int main(void)
{
	struct rp_readdir_names ns;
	char name[32];
	unsigned int i, repeats = 0;

	rp_names_init(&ns);
	CHECK(!rp_names_seen(&ns, "a", 1));
	CHECK(rp_names_seen(&ns, "a", 1));
	CHECK(!rp_names_seen(&ns, "a\0", 2)); /* one byte longer */
	CHECK(!rp_names_seen(&ns, "b", 1));
	rp_names_fini(&ns);

	/* A listing the size of the gateway's cap: the set grows. */
	rp_names_init(&ns);
	for (i = 0; i < 65536; i++) {
		name_of(name, sizeof(name), i);
		if (rp_names_seen(&ns, name, strlen(name)))
			repeats++;
	}
	CHECK_EQ_INT(repeats, 0); /* 65,536 different names, none a repeat */
	CHECK(ns.rn_cap > 64);	  /* grown past its inline slots */
	for (i = 0; i < 65536; i += 4099) {
		name_of(name, sizeof(name), i);
		CHECK(rp_names_seen(&ns, name, strlen(name)));
	}
	rp_names_fini(&ns);
	return gr_check_done("test_rp_readdir_names");
}
