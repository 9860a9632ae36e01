/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libganesha_rdma.so: NFS over RDMA inside Debian's ganesha.nfsd.
 *
 * How this works: the preload library (xr_gsh_preload.c) calls
 * xr_ganesha_start() from ganesha.nfsd's main thread just before Ganesha
 * starts serving.  Here we check the daemon's ABI, read and validate the
 * NFS_RDMA block (a bad block stops the daemon, as a bad Ganesha block
 * does), and start one thread that waits until Ganesha is fully up
 * (nfs_init_wait()), finds its NFS dispatcher and starts the RDMA listener.
 * With Stats_File set, the same thread then rewrites that file with the
 * transport counters every Stats_Interval seconds; with Metrics_File set,
 * it rewrites that one too, in Prometheus's text format (gr_prom.h).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "gsh_config.h"
#include "nfs_init.h"

#include "gr_file.h"
#include "gr_ganesha_abi.h"
#include "xr_gsh_conf.h"
#include "xr_gsh_dispatch.h"
#include "xr_gsh_exports.h"
#include "xr_gsh_xprt.h"

static struct xr_gsh_conf module_conf;

static int fill_stats(FILE *f, void *arg)
{
	xr_gsh_server_report(arg, f);
	return ferror(f) ? -EIO : 0;
}

static int fill_metrics(FILE *f, void *arg)
{
	xr_gsh_server_metrics(arg, f);
	return ferror(f) ? -EIO : 0;
}

/*
 * The stats file is written as root: gr_file_replace() never follows a
 * planted link, creates its temporary file with O_EXCL and refuses a
 * directory others may write in.  A failure is logged when it first
 * happens and when it changes, not every interval.
 */
static void write_file(struct xr_gsh_server *srv, const char *option,
		       const char *path, int (*fill)(FILE *f, void *arg),
		       int *last_rc)
{
	char why[512];
	int rc;

	rc = gr_file_replace(path, 0644, fill, srv, why, sizeof(why));
	if (rc && rc != *last_rc)
		LogWarn(COMPONENT_INIT, "NFS_RDMA: %s %s", option, why);
	else if (!rc && *last_rc)
		LogEvent(COMPONENT_INIT, "NFS_RDMA: %s %s written again",
			 option, path);
	*last_rc = rc;
}

static void *start_thread(void *arg)
{
	struct xr_gsh_conf *conf = arg;
	struct xr_gsh_dispatch dispatch;
	struct xr_gsh_server *srv;
	int stats_rc = 0, metrics_rc = 0;

	SetNameFunction("rdma_start");
	nfs_init_wait();
	xr_gsh_exports_check_listed();
	if (xr_gsh_dispatch_find(nfs_param.core_param.port[P_NFS], &dispatch))
		return NULL;
	/* On failure the server has released the dispatcher itself. */
	if (xr_gsh_server_start(conf, &dispatch, &srv))
		return NULL;
	if (!conf->xsc_stats_file && !conf->xsc_metrics_file)
		return NULL;
	for (;;) {
		if (conf->xsc_stats_file)
			write_file(srv, "Stats_File", conf->xsc_stats_file,
				   fill_stats, &stats_rc);
		if (conf->xsc_metrics_file)
			write_file(srv, "Metrics_File", conf->xsc_metrics_file,
				   fill_metrics, &metrics_rc);
		sleep(conf->xsc_stats_interval);
	}
	return NULL;
}

/**
 * xr_ganesha_start() - the module's entry, called by the preload library
 *
 * Return: 0 when the RDMA transport is starting or disabled; -EPROTO when
 * the daemon does not match the headers we were built with; -EINVAL or
 * -ENOENT when the NFS_RDMA block is invalid or the configuration cannot
 * be read; the errno of pthread_create.  Every failure is logged.
 */
int xr_ganesha_start(void)
{
	pthread_t thread;
	int rc;

	if (!gr_ganesha_abi_ok("NFS_RDMA"))
		return -EPROTO;
	rc = xr_gsh_conf_load(&module_conf);
	if (rc)
		return rc;
	xr_gsh_exports_init(&module_conf.xsc_exports);
	if (!module_conf.xsc_enable) {
		LogEvent(COMPONENT_INIT,
			 "NFS_RDMA: Enable = false, not serving NFS over RDMA");
		return 0;
	}
	rc = pthread_create(&thread, NULL, start_thread, &module_conf);
	if (rc) {
		LogCrit(COMPONENT_INIT, "NFS_RDMA: cannot start: %s",
			strerror(rc));
		return -rc;
	}
	pthread_detach(thread);
	return 0;
}
