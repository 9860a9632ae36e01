/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ABI guard helpers: ask the dynamic linker (dladdr1 with RTLD_DL_SYMENT)
 * for the ELF symbol entry of an address, and compare its size and defining
 * object with what this module was compiled against.  Pure inspection: no
 * Ganesha headers here, so the unit tests can exercise it on their own symbols.
 */
#define _GNU_SOURCE /* dladdr1(), Dl_info */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "gr_abi.h"

int gr_abi_symbol_size(const void *addr, size_t *size, const char **file)
{
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	if (!dladdr1(addr, &info, (void **)&sym, RTLD_DL_SYMENT))
		return -ENOENT;
	if (!sym || info.dli_saddr != addr)
		return -ENOENT;
	*size = sym->st_size;
	if (file)
		*file = info.dli_fname;
	return 0;
}

int gr_abi_check_symbol(const void *addr, const char *name, size_t expected,
			char *why, size_t whylen)
{
	size_t actual;
	int rc;

	rc = gr_abi_symbol_size(addr, &actual, NULL);
	if (rc) {
		snprintf(why, whylen, "symbol %s has no dynamic symbol entry",
			 name);
		return rc;
	}
	if (actual != expected) {
		snprintf(
		    why, whylen,
		    "%s is %zu bytes in the running daemon but %zu bytes in the headers this module was built with",
		    name, actual, expected);
		return -EPROTO;
	}
	return 0;
}

int gr_abi_check_soname(const void *addr, const char *soname, char *why,
			size_t whylen)
{
	const char *file, *base;
	Dl_info info;

	if (!dladdr(addr, &info) || !info.dli_fname) {
		snprintf(why, whylen, "address %p is in no loaded object",
			 addr);
		return -ENOENT;
	}
	file = info.dli_fname;
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (strcmp(base, soname) != 0) {
		snprintf(why, whylen, "daemon library is %s, built for %s",
			 file, soname);
		return -EPROTO;
	}
	return 0;
}
