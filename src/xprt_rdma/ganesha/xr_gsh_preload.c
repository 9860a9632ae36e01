/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The one line that enables NFS over RDMA in Debian's ganesha.nfsd:
 *
 *   Environment=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/ganesha-rdma/libganesha_rdma_preload.so
 *
 * How this works: Ganesha 4.3 has no transport plugin API, so the transport
 * must be brought into the process by other means.  This small library
 * interposes nfs_start(), which ganesha.nfsd's main() calls once its
 * configuration, logging and subsystems are initialised and just before it
 * starts serving.  Our nfs_start() loads the transport module that sits next
 * to this file (libganesha_rdma.so, linked against Ganesha), asks it to read
 * the NFS_RDMA block and start, and then chains to Ganesha's nfs_start().
 *
 * On Ganesha 6 it also interposes find_unused_blocks(), so that Ganesha
 * does not report the NFS_RDMA block as unknown (see below).
 *
 * It also interposes nfs4_export_check_access(), which Ganesha's NFSv4
 * operations call through the PLT whenever an export becomes current
 * (PUTFH, PUTROOTFH, LOOKUP across a junction, ...): the module's
 * xr_ganesha_export_check() is asked first, so exports left out of
 * NFS_RDMA's Exports list are refused to RDMA clients (xr_gsh_exports.h);
 * then Ganesha's own check runs as before.
 *
 * Before it loads the module, nfs_start() checks which Ganesha this daemon
 * is (gr_ganesha_daemon_check()): the module links the library of the
 * Ganesha it was built for (libganesha_nfsd.so.4.3 or .so.6.5), and in a
 * daemon of another version the dynamic linker would either fail with its
 * own words or load a second Ganesha into the process.  A mismatch is one
 * LogCrit line in Ganesha's log (and stderr), and the daemon exits, as it
 * does for any other reason the transport cannot start.
 *
 * This file deliberately depends on nothing but libc and libdl (and the
 * libc-only version check): LD_PRELOAD is inherited by any process the
 * service starts, and in a process that is not ganesha.nfsd nobody calls
 * nfs_start(), find_unused_blocks() or nfs4_export_check_access(), so the
 * library stays inert.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gr_ganesha_abi.h"

#define XR_MODULE_NAME "libganesha_rdma.so"
#define XR_MODULE_ENTRY "xr_ganesha_start"
#define XR_MODULE_EXPORT_CHECK "xr_ganesha_export_check"
#define XR_MODULE_CONFIG_SEEN "xr_ganesha_config_seen"

typedef void (*nfs_start_fn)(void *start_info);
typedef int (*module_entry_fn)(void);
/* void find_unused_blocks(config_file_t, struct config_error_type *) */
typedef void (*find_unused_fn)(void *config, void *err_type);
typedef void (*config_seen_fn)(void *config);
/* nfsstat4 nfs4_export_check_access(struct svc_req *) */
typedef int (*export_check_fn)(void *req);

/* Set once, before Ganesha serves; read-only after. */
static export_check_fn module_export_check;

/* The directory this library was loaded from, for the module's path. */
static int preload_dir(char *dir, size_t len)
{
	Dl_info info;
	char copy[PATH_MAX];

	if (!dladdr((void *)preload_dir, &info) || !info.dli_fname)
		return -1;
	snprintf(copy, sizeof(copy), "%s", info.dli_fname);
	snprintf(dir, len, "%s", dirname(copy));
	return 0;
}

/* The module, loaded once (by whichever hook runs first); NULL before. */
static void *module;
static module_entry_fn module_entry;
static config_seen_fn module_config_seen;
static int module_state; /* 0 not tried, 1 loaded, -1 refused or failed */

/*
 * Load the module next to this file, after checking that this daemon is
 * the Ganesha it was built for.  Returns 0, or -1 when it is refused or
 * cannot be loaded (logged).  Runs on Ganesha's main thread only.
 */
static int load_transport_module(void)
{
	char dir[PATH_MAX], path[PATH_MAX + sizeof(XR_MODULE_NAME) + 1];
	char why[PATH_MAX + 256], line[PATH_MAX + 320];

	if (module_state)
		return module_state > 0 ? 0 : -1;
	module_state = -1;
	if (gr_ganesha_daemon_check(why, sizeof(why)) != 0) {
		snprintf(line, sizeof(line), "NFS_RDMA: refusing to start: %s",
			 why);
		gr_ganesha_log_crit(line);
		return -1;
	}
	if (getenv("GANESHA_RDMA_MODULE"))
		snprintf(path, sizeof(path), "%s",
			 getenv("GANESHA_RDMA_MODULE"));
	else if (preload_dir(dir, sizeof(dir)) == 0)
		snprintf(path, sizeof(path), "%s/%s", dir, XR_MODULE_NAME);
	else
		snprintf(path, sizeof(path), "%s", XR_MODULE_NAME);

	module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!module) {
		fprintf(stderr, "ganesha-rdma: cannot load %s: %s\n", path,
			dlerror());
		return -1;
	}
	module_entry = (module_entry_fn)dlsym(module, XR_MODULE_ENTRY);
	module_export_check =
	    (export_check_fn)dlsym(module, XR_MODULE_EXPORT_CHECK);
	module_config_seen =
	    (config_seen_fn)dlsym(module, XR_MODULE_CONFIG_SEEN);
	if (!module_entry || !module_export_check || !module_config_seen) {
		fprintf(stderr, "ganesha-rdma: %s has no %s, %s or %s\n", path,
			XR_MODULE_ENTRY, XR_MODULE_EXPORT_CHECK,
			XR_MODULE_CONFIG_SEEN);
		module_export_check = NULL;
		return -1;
	}
	module_state = 1;
	return 0;
}

/*
 * Returns 0 when the transport started or is disabled, -1 when the module
 * was refused or could not be loaded, or the module's negative errno
 * (invalid NFS_RDMA block: the module has logged which option and why).
 */
static int start_transport_module(void)
{
	if (load_transport_module() != 0)
		return -1;
	/* The module logs its own errors through Ganesha's log. */
	return module_entry();
}

/*
 * Interposes Ganesha's find_unused_blocks(), which Ganesha 6's main()
 * calls after loading its configuration, just before nfs_start(): every
 * top-level block no subsystem read is reported as "Unknown block" (and
 * with -x the daemon exits).  Our block is read later, by the module, so
 * the module marks it as seen first.  Ganesha 4.3 never calls it.
 */
void find_unused_blocks(void *config, void *err_type)
{
	find_unused_fn real =
	    (find_unused_fn)dlsym(RTLD_NEXT, "find_unused_blocks");

	if (!real) {
		fprintf(stderr,
			"ganesha-rdma: no find_unused_blocks() to chain to\n");
		abort();
	}
	/* Refused or unloadable: nfs_start() says so and exits. */
	if (load_transport_module() == 0)
		module_config_seen(config);
	real(config, err_type);
}

/* Interposes Ganesha's nfs_start(); see the comment at the top. */
void nfs_start(void *start_info)
{
	nfs_start_fn real = (nfs_start_fn)dlsym(RTLD_NEXT, "nfs_start");

	if (!real) {
		fprintf(stderr, "ganesha-rdma: no nfs_start() to chain to\n");
		abort();
	}
	/*
	 * Like Ganesha with a bad configuration, refuse to run rather than
	 * serve without the transport the operator asked for.
	 */
	if (start_transport_module() != 0) {
		fprintf(
		    stderr,
		    "ganesha-rdma: NFS over RDMA did not start, exiting (see the Ganesha log)\n");
		exit(1);
	}
	real(start_info);
}

/*
 * Interposes Ganesha's nfs4_export_check_access(); see the comment at the
 * top.  Returns the module's refusal (NFS4ERR_ACCESS) or Ganesha's answer.
 */
int nfs4_export_check_access(void *req)
{
	static export_check_fn real;
	export_check_fn next = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
	int status;

	if (module_export_check) {
		status = module_export_check(req);
		if (status)
			return status;
	}
	if (!next) {
		next = (export_check_fn)dlsym(RTLD_NEXT,
					      "nfs4_export_check_access");
		if (!next) {
			fprintf(
			    stderr,
			    "ganesha-rdma: no nfs4_export_check_access() to chain to\n");
			abort();
		}
		__atomic_store_n(&real, next, __ATOMIC_RELEASE);
	}
	return next(req);
}
