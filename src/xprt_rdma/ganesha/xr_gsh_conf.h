/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The NFS_RDMA block of ganesha.conf: what the operator sets for the RDMA
 * listener.  Parsed with Ganesha's own config machinery, so range errors are
 * reported the way every other Ganesha option's are; xr_gsh_conf_commit()
 * adds the cross-field checks and says which option is wrong and what is
 * allowed.  config_samples/ganesha-rdma.conf shows every option.
 */
#ifndef XR_GSH_CONF_H
#define XR_GSH_CONF_H

#include <stdbool.h>
#include <stdint.h>

#define XR_GSH_CONF_BLOCK "NFS_RDMA"

enum xr_gsh_fabric {
	XR_GSH_FABRIC_VERBS = 0,
	XR_GSH_FABRIC_OFI = 1,
};

/* Most export ids an Exports list may name. */
#define XR_GSH_MAX_EXPORT_IDS 256

struct xr_gsh_conf {
	bool xsc_enable;
	char *xsc_bind_addr; /* IPv4 literal */
	uint32_t xsc_port32; /* as parsed; checked, then copied below */
	uint16_t xsc_port;
	uint32_t xsc_fabric; /* enum xr_gsh_fabric */
	char *xsc_provider;  /* ofi provider name */
	uint32_t xsc_credits;
	uint32_t xsc_inline_size;
	uint32_t xsc_max_connections;
	uint32_t xsc_max_conns_per_addr; /* above Max_Connections: no effect */
	uint32_t xsc_handshake_timeout;	 /* s, request -> first message */
	uint32_t xsc_idle_timeout;	 /* s, 0: never */
	uint32_t xsc_peer_timeout;	 /* s, a call waiting on the peer */
	uint32_t xsc_max_request_size;
	uint32_t xsc_max_response_size;
	uint32_t xsc_worker_threads;
	char *xsc_stats_file; /* NULL: no stats file */
	uint32_t xsc_stats_interval;
	char *xsc_metrics_file; /* NULL: none; a *.prom file (gr_prom.h) */
	/*
	 * Exports = id, id, ...: the exports served over RDMA (NFSv4 PUTFH,
	 * PUTROOTFH, LOOKUP into any other get NFS4ERR_ACCESS; NFSv3, NLM and
	 * NFSACL calls naming one are denied).  Absent: all of them.
	 */
	struct xr_gsh_exports {
		bool xse_set; /* the option was given */
		bool xse_bad; /* a term was not an export id */
		uint32_t xse_n;
		uint16_t xse_ids[XR_GSH_MAX_EXPORT_IDS];
	} xsc_exports;
};

/**
 * xr_gsh_conf_load() - read the NFS_RDMA block of Ganesha's configuration
 * @conf:	filled with the block's values or the defaults
 *
 * Parses the file ganesha.nfsd was started with (nfs_config_path).  Every
 * error is logged by Ganesha's config code or by our commit check, naming
 * the block, the option and the allowed values.
 *
 * Return: 0 when the block is valid or absent (defaults), -EINVAL when it
 * has errors, -ENOENT when the configuration file cannot be parsed.
 */
int xr_gsh_conf_load(struct xr_gsh_conf *conf);

/**
 * xr_ganesha_config_seen() - mark the NFS_RDMA block of a parse tree as read
 * @config:	Ganesha's parse tree (config_file_t)
 *
 * Called by the preload library from Ganesha 6's find_unused_blocks(),
 * which reports every top-level block nobody read as "Unknown block": the
 * block is read with a descriptor that keeps nothing and reports nothing
 * (xr_gsh_conf_load() reads it for real, and reports its errors, later).
 */
void xr_ganesha_config_seen(void *config);

/**
 * xr_gsh_conf_free() - release the strings the loader allocated
 * @conf:	a configuration filled by xr_gsh_conf_load()
 */
void xr_gsh_conf_free(struct xr_gsh_conf *conf);

/**
 * xr_gsh_conf_fabric_name() - "verbs" or "ofi"
 * @conf:	a loaded configuration
 *
 * Return: the backend name for xr_fabric_open().
 */
const char *xr_gsh_conf_fabric_name(const struct xr_gsh_conf *conf);

#endif /* XR_GSH_CONF_H */
