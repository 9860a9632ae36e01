/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ABI guard for code loaded into Debian's ganesha.nfsd.
 *
 * This project compiles against Ganesha 4.3 headers plus a config.h that is
 * regenerated to match Debian's build options (cmake/GaneshaSDK.cmake).  If
 * either drifts from the binary that actually runs, shared structures such as
 * nfs_param have another layout and every field we read is garbage.  Before a
 * module touches Ganesha state it asks the dynamic linker for the size of the
 * data symbols it shares with the daemon (ELF st_size) and for the file that
 * defines them, and compares both with what it was compiled for.
 */
#ifndef GR_ABI_H
#define GR_ABI_H

#include <stddef.h>

/**
 * gr_abi_symbol_size() - size and defining file of a data symbol in this
 * process
 * @addr:	address of the symbol (e.g. &nfs_param)
 * @size:	set to the symbol's ELF st_size
 * @file:	if not NULL, set to the path of the object that defines it
 *
 * Return: 0 on success, -ENOENT when the address belongs to no loaded object
 * or has no symbol table entry (stripped of its dynamic symbol).
 */
int gr_abi_symbol_size(const void *addr, size_t *size, const char **file);

/**
 * gr_abi_check_symbol() - compare a shared symbol with the compiled layout
 * @addr:	address of the symbol
 * @name:	its name, for the message
 * @expected:	sizeof() the type this module was compiled with
 * @why:	buffer for a one-line reason on failure
 * @whylen:	size of @why
 *
 * Return: 0 when the running definition has exactly @expected bytes;
 * -ENOENT when the symbol cannot be inspected; -EPROTO when the sizes differ.
 * On failure @why says which and by how much.
 */
int gr_abi_check_symbol(const void *addr, const char *name, size_t expected,
			char *why, size_t whylen);

/**
 * gr_abi_check_soname() - check the library that defines @addr is @soname
 * @addr:	address of a symbol the daemon's library defines
 * @soname:	expected basename, e.g. "libganesha_nfsd.so.4.3"
 * @why:	buffer for a one-line reason on failure
 * @whylen:	size of @why
 *
 * Return: 0 on match; -ENOENT when @addr is in no loaded object; -EPROTO when
 * the defining file has another name (another Ganesha version).
 */
int gr_abi_check_soname(const void *addr, const char *soname, char *why,
			size_t whylen);

#endif /* GR_ABI_H */
