/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The Ganesha-specific half of the ABI guard: which of the daemon's symbols
 * this project shares and what it expects of them.  Every module built by this
 * project calls gr_ganesha_abi_ok() before it reads Ganesha state.
 */
#ifndef GR_GANESHA_ABI_H
#define GR_GANESHA_ABI_H

#include <stdbool.h>

/* The daemon library Debian's nfs-ganesha 4.3 package ships. */
#define GR_GANESHA_SONAME "libganesha_nfsd.so.4.3"

/**
 * gr_ganesha_abi_ok() - does the running ganesha.nfsd match our headers?
 * @module:	name of the calling module, for the log line
 *
 * Logs one LogCrit line naming the mismatch when it fails, one LogEvent line
 * when it passes.
 *
 * Return: true when the daemon library is Ganesha 4.3 and nfs_param has the
 * compiled size; false otherwise (the module must then refuse to start).
 */
bool gr_ganesha_abi_ok(const char *module);

#endif /* GR_GANESHA_ABI_H */
