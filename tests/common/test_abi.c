/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of the ABI guard's symbol inspection: sizes and defining objects
 * of symbols in this process, the mismatch verdicts, and addresses that no
 * symbol covers.  The executable is linked with -rdynamic so its own data
 * symbols are in the dynamic symbol table, as Ganesha's nfs_param is.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gr_abi.h"
#include "gr_check.h"

struct probe_layout {
	char bytes[123];
};
struct probe_layout gr_abi_test_symbol;

int main(void)
{
	const char *file = NULL;
	char why[256] = "";
	size_t size = 0;
	void *libc, *libc_sym;
	int local = 0;

	CHECK(gr_abi_symbol_size(&gr_abi_test_symbol, &size, &file) == 0);
	CHECK(size == sizeof(struct probe_layout));
	CHECK(file != NULL);

	CHECK(gr_abi_check_symbol(&gr_abi_test_symbol, "probe",
				  sizeof(struct probe_layout), why,
				  sizeof(why)) == 0);
	CHECK(gr_abi_check_symbol(&gr_abi_test_symbol, "probe", 124, why,
				  sizeof(why)) == -EPROTO);
	CHECK(strstr(why, "probe is 123 bytes") != NULL);
	CHECK(strstr(why, "124 bytes") != NULL);

	/* Inside the symbol but not at its start: not the symbol. */
	CHECK(gr_abi_symbol_size(&gr_abi_test_symbol.bytes[5], &size, NULL) ==
	      -ENOENT);
	/* A stack address belongs to no object at all. */
	CHECK(gr_abi_check_symbol(&local, "local", sizeof(local), why,
				  sizeof(why)) == -ENOENT);
	CHECK(gr_abi_check_soname(&local, "libc.so.6", why, sizeof(why)) ==
	      -ENOENT);

	/*
	 * getpid as defined by the C library itself (a data symbol such as
	 * stdout may be copy-relocated into the executable).
	 */
	libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	CHECK(libc != NULL);
	libc_sym = libc ? dlsym(libc, "getpid") : NULL;
	CHECK(libc_sym != NULL);
	CHECK(gr_abi_check_soname(libc_sym, "libc.so.6", why, sizeof(why)) ==
	      0);
	CHECK(gr_abi_check_soname(libc_sym, "libganesha_nfsd.so.4.3", why,
				  sizeof(why)) == -EPROTO);
	CHECK(strstr(why, "built for libganesha_nfsd.so.4.3") != NULL);

	if (libc)
		dlclose(libc);
	return gr_check_done("test_abi");
}
