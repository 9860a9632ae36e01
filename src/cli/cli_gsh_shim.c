/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The few libganesha_nfsd symbols that Ganesha's nfsv41.h XDR routines
 * reference, for the standalone CLI only.
 *
 * Why a shim and not libganesha_nfsd.so: linking the daemon's library
 * into a command-line tool drags in its whole dependency tree (dbus,
 * krb5, rados, ...) and its global state for a handful of logging hooks.
 * Inside ganesha.nfsd (the RDMA_PROXY FSAL) the session library binds to
 * the daemon's real symbols instead; this file (the cli_gsh_shim object
 * library) is linked ONLY into standalone programs - the nfs41 executable
 * and the tests on the session library - and never into a module.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "nfsv41.h"

/* Every component at NIV_NULL: the XDR routines' debug logging is off. */
static log_levels_t shim_levels[COMPONENT_COUNT];
log_levels_t *component_log_level = shim_levels;

void DisplayLogComponentLevel(log_components_t component, const char *file,
			      int line, const char *function,
			      log_levels_t level, const char *format, ...)
{
	va_list ap;

	fprintf(stderr, "nfs41: %s:%d %s: ", file, line, function);
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void LogMallocFailure(const char *file, int line, const char *function,
		      const char *allocator)
{
	fprintf(stderr, "nfs41: out of memory in %s (%s:%d, %s)\n", function,
		file, line, allocator);
}

/*
 * Only the server's encode path of READ4resok calls this (placing READ
 * payload into a reply); a client never encodes READ results.
 */
struct xdr_uio *xdr_READ4res_uio_setup(struct READ4resok *objp)
{
	fprintf(stderr, "nfs41: xdr_READ4res_uio_setup called in a client\n");
	abort();
}
