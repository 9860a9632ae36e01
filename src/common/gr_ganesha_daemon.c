/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The first step of the Ganesha ABI guard (gr_ganesha_abi.h): which Ganesha
 * is this process?  Uses libc and the dynamic linker only, no Ganesha header
 * or symbol, so it runs in any ganesha.nfsd, of any version, before anything
 * built against one Ganesha is loaded.  Linked into the preload library.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gr_abi.h"
#include "gr_ganesha_abi.h"

/* "6.5" out of ".../libganesha_nfsd.so.6.5", or the whole name. */
static const char *version_of(const char *file)
{
	static const char stem[] = "libganesha_nfsd.so.";
	const char *at = strstr(file, stem);

	return at && at[sizeof(stem) - 1] ? at + sizeof(stem) - 1 : file;
}

int gr_ganesha_daemon_check(char *why, size_t whylen)
{
	void *nfs_start;
	Dl_info info;

	/* The daemon's, not a preload's interposer: the last definition. */
	nfs_start = dlsym(RTLD_NEXT, "nfs_start");
	if (!nfs_start)
		nfs_start = dlsym(RTLD_DEFAULT, "nfs_start");
	if (!nfs_start || !dladdr(nfs_start, &info) || !info.dli_fname) {
		snprintf(
		    why, whylen,
		    "this process has no Ganesha daemon library (no nfs_start())");
		return -ENOENT;
	}
	if (gr_abi_check_soname(nfs_start, GR_GANESHA_SONAME, why, whylen) == 0)
		return 0;
	snprintf(
	    why, whylen,
	    "this ganesha-rdma was built for Ganesha %s (%s) but ganesha.nfsd runs Ganesha %s (%s): install the ganesha-rdma build for Ganesha %s",
	    GR_GANESHA_VERSION_STR, GR_GANESHA_SONAME,
	    version_of(info.dli_fname), info.dli_fname,
	    version_of(info.dli_fname));
	return -EPROTO;
}

/* DisplayLogComponentLevel()'s signature, unchanged from 4.3 to 6.5. */
typedef void (*gr_display_log_fn)(int component, const char *file, int line,
				  const char *function, int level,
				  const char *format, ...);

void gr_ganesha_log_crit(const char *line)
{
	gr_display_log_fn display =
	    (gr_display_log_fn)dlsym(RTLD_DEFAULT, "DisplayLogComponentLevel");

	if (display)
		display(GR_GANESHA_COMPONENT_INIT, __FILE__, __LINE__, __func__,
			GR_GANESHA_NIV_CRIT, "%s", line);
	fprintf(stderr, "ganesha-rdma: %s\n", line);
}
