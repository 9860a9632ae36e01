/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * FSAL_RDMA_PROXY module: registration with Ganesha, the module block
 * RDMA_PROXY { }, and what the module tells Ganesha about the file
 * systems it re-exports.  Ganesha dlopen()s libfsalrdma_proxy.so from
 * Plugins_Dir when an EXPORT names FSAL RDMA_PROXY.
 */
#include "config.h"

#include <malloc.h>

#include "rp_int.h"
#include "FSAL/fsal_init.h"
#include "gr_ganesha_abi.h"

struct rp_module rp_module = {
    .fsal =
	{
	    .fs_info =
		{
		    .maxfilesize = INT64_MAX,
		    .maxlink = _POSIX_LINK_MAX,
		    .maxnamelen = NAME_MAX,
		    .maxpathlen = PATH_MAX,
		    .no_trunc = true,
		    .chown_restricted = true,
		    .case_preserving = true,
		    .link_support = true,
		    .symlink_support = true,
		    .lock_support = true,
		    .lock_support_async_block = false,
		    .named_attr = false,
		    .unique_handles = true,
		    .acl_support = FSAL_ACLSUPPORT_ALLOW,
		    .cansettime = true,
		    .homogenous = true,
		    .supported_attrs = ATTRS_POSIX,
		    .maxread = 1024 * 1024,
		    .maxwrite = 1024 * 1024,
		    .link_supports_permission_checks = true,
		    .expire_time_parent = -1,
		},
	},
};

/*
 * Ganesha allocates every READ's buffer (nfs4_op_read: 1 MiB here) and
 * frees it once the reply is sent.  glibc serves an allocation that large
 * with a fresh mmap() and gives it back with munmap() - and its dynamic
 * threshold, which should stop that after the first free, does not in
 * ganesha.nfsd (seen with strace -k: one mmap and one munmap of 1 MiB +
 * 8 KiB per READ) - so each READ took 256 page faults and the kernel
 * zeroed 256 pages before a byte was placed: about a third of the
 * gateway's CPU per READ (bench/per-rpc.md, "Gateway 1 MiB READ: where
 * it goes").  Raising the threshold above the largest buffer makes glibc
 * reuse heap memory instead; the trim threshold follows at twice it, as
 * glibc's own dynamic rule sets it, so a freed buffer at the top of an
 * arena is kept for the next READ instead of being trimmed.  The cost: up
 * to about twice the threshold of free memory kept per malloc arena.
 * Process-wide: the gateway's ganesha.nfsd is its only user.  Returns
 * false when glibc refused a value (logged).
 */
static bool rp_malloc_tune(uint32_t threshold)
{
	if (!threshold)
		return true;
	if (!mallopt(M_MMAP_THRESHOLD, (int)threshold) ||
	    !mallopt(M_TRIM_THRESHOLD, (int)(2 * threshold))) {
		LogCrit(
		    COMPONENT_FSAL,
		    "RDMA_PROXY: Malloc_Mmap_Threshold = %u refused by glibc's mallopt()",
		    threshold);
		return false;
	}
	LogEvent(
	    COMPONENT_FSAL,
	    "RDMA_PROXY: malloc mmap threshold %u bytes, trim threshold %u",
	    threshold, 2 * threshold);
	return true;
}

static fsal_status_t rp_init_config(struct fsal_module *fsal_hdl,
				    config_file_t config_struct,
				    struct config_error_type *err_type)
{
	(void)load_config_from_parse(config_struct, &rp_module_block,
				     &rp_module, true, err_type);
	if (!config_error_is_harmless(err_type))
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	if (!gr_ganesha_abi_ok(RP_NAME))
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	if (!rp_malloc_tune(rp_module.malloc_mmap_threshold))
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	if (!rp_module.lock_owners_ready) {
		int ret = rp_lock_owners_init(&rp_module.lock_owners);

		if (ret) {
			LogCrit(
			    COMPONENT_FSAL,
			    "RDMA_PROXY: no random bytes for lock-owner names: %s",
			    strerror(-ret));
			return fsalstat(ERR_FSAL_SERVERFAULT, -ret);
		}
		rp_module.lock_owners_ready = true;
	}
	if (rp_stats_start() != 0) {
		LogCrit(COMPONENT_FSAL,
			"RDMA_PROXY: cannot start the stats thread");
		return fsalstat(ERR_FSAL_SERVERFAULT, EAGAIN);
	}
	if (rp_shutdown_start() != 0) {
		LogCrit(COMPONENT_FSAL,
			"RDMA_PROXY: cannot start the shutdown watch thread");
		return fsalstat(ERR_FSAL_SERVERFAULT, EAGAIN);
	}
	display_fsinfo(&rp_module.fsal);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

MODULE_INIT void rp_module_init(void)
{
	if (register_fsal(&rp_module.fsal, RP_NAME, FSAL_MAJOR_VERSION,
			  FSAL_MINOR_VERSION, FSAL_ID_NO_PNFS) != 0)
		return;
	rp_module.fsal.m_ops.init_config = rp_init_config;
	rp_module.fsal.m_ops.create_export = rp_create_export;
	rp_handle_ops_init(&rp_module.handle_ops, &rp_module.ns_ops);
	rp_file_ops_init(&rp_module.handle_ops, &rp_module.ns_ops);
	rp_v42_ops_init(&rp_module.handle_ops);
	rp_compat_obj_ops(&rp_module.handle_ops, &rp_module.ns_ops);
}

MODULE_FINI void rp_module_fini(void)
{
	rp_shutdown_stop();
	rp_stats_stop_thread();
	(void)unregister_fsal(&rp_module.fsal);
	gsh_free(rp_module.state_dir);
	gsh_free(rp_module.stats_file);
	gsh_free(rp_module.metrics_file);
	if (rp_module.lock_owners_ready)
		rp_lock_owners_destroy(&rp_module.lock_owners);
}
