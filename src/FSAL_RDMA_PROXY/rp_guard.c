/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libfsalrdma_proxy.so, the file Ganesha dlopen()s for FSAL RDMA_PROXY:
 * the gateway's version guard.  How this works:
 *
 * The gateway itself (libganesha_rdma_proxy.so, next to this file) links
 * the library of the Ganesha it was built for, libganesha_nfsd.so.4.3 or
 * .so.6.5.  Loaded straight into a daemon of the other version, the
 * dynamic linker would refuse it with its own words (Ganesha then names a
 * package that does not exist) or, where both libraries are installed,
 * load a second Ganesha into the process.  This file depends on libc and
 * libdl only (gr_ganesha_daemon_check() is libc-only), so it loads into
 * any ganesha.nfsd.  Its constructor, which runs inside Ganesha's
 * dlopen(), checks which Ganesha this daemon is:
 *
 * - the one the gateway was built for: it dlopen()s the gateway from its
 *   own directory (symbolic links resolved, so a Plugins_Dir of links
 *   works), whose constructor registers the FSAL with Ganesha - still
 *   inside Ganesha's dlopen(), where Ganesha expects the registration;
 * - another: one CRIT line in Ganesha's log (and stderr) naming the
 *   version built for, the version running and what to install, and the
 *   daemon exits with status 1, as it does when the NFS_RDMA transport
 *   refuses (xr_gsh_preload.c);
 * - no Ganesha daemon at all (nfs_start() absent: a tool that dlopen()s
 *   the file): nothing is loaded.
 *
 * The destructor unloads the gateway, whose destructor unregisters the
 * FSAL, when Ganesha unloads this file.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gr_ganesha_abi.h"

#define RP_IMPL_NAME "libganesha_rdma_proxy.so"

static void *rp_impl;

static void rp_guard_crit(const char *what, const char *detail)
{
	char line[PATH_MAX + 512];

	snprintf(line, sizeof(line), "RDMA_PROXY: %s: %s", what, detail);
	gr_ganesha_log_crit(line);
}

__attribute__((constructor)) static void rp_guard_load(void)
{
	char why[PATH_MAX + 256], self[PATH_MAX];
	char path[PATH_MAX + sizeof(RP_IMPL_NAME) + 1];
	Dl_info info;
	int ret;

	ret = gr_ganesha_daemon_check(why, sizeof(why));
	if (ret == -ENOENT)
		return;
	if (ret) {
		rp_guard_crit("refusing to load", why);
		fflush(stderr);
		/* Inside Ganesha's dlopen(): leave without running handlers. */
		_exit(1);
	}
	if (!dladdr((void *)rp_guard_load, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, self)) {
		rp_guard_crit(
		    "cannot load the gateway",
		    "the directory of libfsalrdma_proxy.so is unknown");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dirname(self), RP_IMPL_NAME);
	/* As Ganesha loads FSALs: the module's own symbols first. */
	rp_impl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
	if (!rp_impl)
		rp_guard_crit("cannot load the gateway", dlerror());
}

__attribute__((destructor)) static void rp_guard_unload(void)
{
	if (rp_impl)
		dlclose(rp_impl);
	rp_impl = NULL;
}
