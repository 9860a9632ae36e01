/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Checks the running ganesha.nfsd against the layout this project was built
 * for.  nfs_param is the shared structure whose layout depends most on build
 * options (_USE_NFS3, _USE_NLM, _USE_RQUOTA, USE_NFSACL3, _HAVE_GSSAPI,
 * _USE_NFS_RDMA, RPC_VSOCK ...), so its size catches a config.h that does not
 * match Debian's build; the soname catches another Ganesha release.
 */
#include "config.h"

#include <stdio.h>

#include "log.h"
#include "gsh_config.h"

#include "gr_abi.h"
#include "gr_ganesha_abi.h"

/* The preload logs with these values, without Ganesha's headers. */
_Static_assert(COMPONENT_INIT == GR_GANESHA_COMPONENT_INIT,
	       "COMPONENT_INIT moved: update gr_ganesha_abi.h");
_Static_assert(NIV_CRIT == GR_GANESHA_NIV_CRIT,
	       "NIV_CRIT moved: update gr_ganesha_abi.h");

bool gr_ganesha_abi_ok(const char *module)
{
	char why[256];

	if (gr_abi_check_soname(&nfs_param, GR_GANESHA_SONAME, why,
				sizeof(why)) ||
	    gr_abi_check_symbol(&nfs_param, "nfs_param", sizeof(nfs_param), why,
				sizeof(why))) {
		LogCrit(COMPONENT_INIT,
			"%s: refusing to start, Ganesha ABI mismatch: %s",
			module, why);
		return false;
	}
	LogEvent(COMPONENT_INIT,
		 "%s: Ganesha ABI check passed (%s, nfs_param %zu bytes)",
		 module, GR_GANESHA_SONAME, sizeof(nfs_param));
	return true;
}
