/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * SDK probe: a test fixture FSAL that proves a module built from this tree is
 * loaded and run by Debian's unmodified ganesha.nfsd.
 *
 * It registers as FSAL "SDK_PROBE" (so Ganesha dlopens libfsalsdk_probe.so),
 * runs the project's ABI guard, and writes what it reads from Ganesha's own
 * state into the file named by `SDK_PROBE { Report_File = ...; }`.  The test
 * compares those values with the configuration it wrote, so a header/config.h
 * that does not match the daemon's layout fails the test.  A thread then waits
 * for nfs_init_wait() - the moment the RDMA transport will attach to the
 * dispatcher - and reports "ready".  Exports are delegated to FSAL_MEM, which
 * the test configuration loads first.
 */
#include "config.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsal.h"
#include "FSAL/fsal_init.h"
#include "fsal_api.h"
#include "config_parsing.h"
#include "nfs_init.h"
#include "gsh_config.h"

#include "gr_ganesha_abi.h"

struct probe_module {
	struct fsal_module fsal;
	char *report_file;
	bool abi_ok;
};

static struct probe_module probe;

static struct config_item probe_items[] = {
    CONF_ITEM_PATH("Report_File", 1, 4096, NULL, probe_module, report_file),
    CONFIG_EOL};

static struct config_block probe_block = {
    .dbus_interface_name = "org.ganesha.nfsd.config.fsal.sdk_probe",
    .blk_desc.name = "SDK_PROBE",
    .blk_desc.type = CONFIG_BLOCK,
    .blk_desc.u.blk.init = noop_conf_init,
    .blk_desc.u.blk.params = probe_items,
    .blk_desc.u.blk.commit = noop_conf_commit};

static void probe_report(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void probe_report(const char *fmt, ...)
{
	va_list ap;
	FILE *f;

	if (!probe.report_file)
		return;
	f = fopen(probe.report_file, "a");
	if (!f) {
		LogCrit(COMPONENT_FSAL, "SDK_PROBE: cannot open %s",
			probe.report_file);
		return;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void *probe_wait_ready(void *arg)
{
	nfs_init_wait();
	probe_report("ready=1\n");
	LogEvent(COMPONENT_FSAL, "SDK_PROBE: Ganesha is up");
	return NULL;
}

static void probe_report_core_params(void)
{
	const sockaddr_t *bind = &nfs_param.core_param.bind_addr;
	char addr[INET6_ADDRSTRLEN] = "?";

	/* Ganesha may keep an IPv4 Bind_Addr as such or v4-mapped. */
	if (bind->ss_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)bind)->sin_addr, addr,
			  sizeof(addr));
	else if (bind->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)bind)->sin6_addr, addr,
			  sizeof(addr));
	probe_report("abi=%s\nfsal_api=%d.%d\nnfs_port=%u\nbind_addr=%s\n"
		     "nfsv4_only=%d\n",
		     probe.abi_ok ? "ok" : "mismatch", FSAL_MAJOR_VERSION,
		     FSAL_MINOR_VERSION, nfs_param.core_param.port[P_NFS], addr,
		     nfs_param.core_param.core_options == CORE_OPTION_NFSV4);
}

static fsal_status_t probe_init_config(struct fsal_module *fsal_hdl,
				       config_file_t config_struct,
				       struct config_error_type *err_type)
{
	pthread_t thread;

	(void)load_config_from_parse(config_struct, &probe_block, &probe, true,
				     err_type);
	if (!config_error_is_harmless(err_type))
		return fsalstat(ERR_FSAL_INVAL, 0);

	probe.abi_ok = gr_ganesha_abi_ok("SDK_PROBE");
	if (!probe.abi_ok) {
		probe_report("abi=mismatch\n");
		return fsalstat(ERR_FSAL_INVAL, 0);
	}
	probe_report_core_params();

	if (pthread_create(&thread, NULL, probe_wait_ready, NULL) != 0)
		return fsalstat(ERR_FSAL_SERVERFAULT, 0);
	pthread_detach(thread);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

static fsal_status_t probe_create_export(struct fsal_module *fsal_hdl,
					 void *parse_node,
					 struct config_error_type *err_type,
					 const struct fsal_up_vector *up_ops)
{
	struct fsal_module *mem = lookup_fsal("MEM");
	fsal_status_t status;

	if (mem == NULL) {
		LogCrit(
		    COMPONENT_FSAL,
		    "SDK_PROBE: FSAL_MEM must be loaded by an earlier export");
		return fsalstat(ERR_FSAL_NOENT, 0);
	}
	status = mem->m_ops.create_export(mem, parse_node, err_type, up_ops);
	fsal_put(mem); /* the export holds its own reference */
	if (!FSAL_IS_ERROR(status))
		probe_report("export_delegated=MEM\n");
	return status;
}

MODULE_INIT void probe_init(void)
{
	if (register_fsal(&probe.fsal, "SDK_PROBE", FSAL_MAJOR_VERSION,
			  FSAL_MINOR_VERSION, FSAL_ID_NO_PNFS) != 0)
		return;
	probe.fsal.m_ops.init_config = probe_init_config;
	probe.fsal.m_ops.create_export = probe_create_export;
}

MODULE_FINI void probe_fini(void)
{
	(void)unregister_fsal(&probe.fsal);
	free(probe.report_file);
}
