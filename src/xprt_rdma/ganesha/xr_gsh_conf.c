/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * NFS_RDMA configuration block: item table with bounds and defaults for
 * Ganesha's config parser, and a commit check for what one item alone
 * cannot express.  Runs once, at start-up, before the listener exists.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "config_parsing.h"
#include "gsh_config.h"
#include "nfs_core.h"
#include "log.h"

#include "gr_prom.h"
#include "xr_gsh_compat.h"
#include "xr_gsh_conf.h"

/* Port registered for NFS over RDMA (RFC 8267). */
#define XR_GSH_DEFAULT_PORT 20049
#define XR_GSH_INLINE_UNIT 1024u
/*
 * A quarter of the default Max_Connections: room for a Linux client with
 * nconnect=16 or a gateway with Connections = 16, not for one address to
 * take every slot.
 */
#define XR_GSH_DEFAULT_PER_ADDR 16
/* A genuine client sends its first call at once; 30 s covers a loaded one. */
#define XR_GSH_DEFAULT_HANDSHAKE 30
/*
 * Six minutes, the period at which the Linux NFS server ages out idle
 * connections.  A mounted NFSv4 client renews its lease well within it
 * (every 2/3 of the lease, 60 s by default in Ganesha), so only clients
 * that are really gone or unmounted lose their connection, and Linux
 * clients reconnect transparently when they have a call to make.
 */
#define XR_GSH_DEFAULT_IDLE 360
/*
 * A call waits on the client only for what its RDMA hardware or provider
 * does at once: serve our Reads, take our reply into a receive it posted
 * beforehand.  Milliseconds when the client is alive; a minute is far
 * beyond any loaded host and the Linux client's default timeo (60 s)
 * before it would retransmit anyway.  Not derived from Idle_Timeout: that one
 * measures silence between calls (minutes, lease renewals), this one a
 * transfer that has stopped, and a stalled peer should not hold its slot
 * for six minutes.  No 0: the guard is what keeps a peer that stops
 * reading from holding its slot for good.
 */
#define XR_GSH_DEFAULT_PEER 60

static struct config_item_list fabric_tokens[] = {
    CONFIG_LIST_TOK("verbs", XR_GSH_FABRIC_VERBS),
    CONFIG_LIST_TOK("ofi", XR_GSH_FABRIC_OFI), CONFIG_LIST_EOL};

/*
 * Numeric options are read with the widest bounds and checked in
 * conf_commit() against this table: Ganesha's own range message names
 * neither the option nor the range, ours names both.
 */
struct conf_range {
	const char *rn_name;
	size_t rn_offset;
	uint32_t cr_min, rn_max;
};

#define RANGE(name, member, min, max)                                          \
	{                                                                      \
		name, offsetof(struct xr_gsh_conf, member), min, max           \
	}

static const struct conf_range conf_ranges[] = {
    RANGE("Port", xsc_port32, 1, UINT16_MAX),
    RANGE("Credits", xsc_credits, 8, 1024),
    RANGE("Inline_Size", xsc_inline_size, 1024, 262144),
    RANGE("Max_Connections", xsc_max_connections, 1, 4096),
    RANGE("Max_Connections_Per_Address", xsc_max_conns_per_addr, 1, 4096),
    RANGE("Handshake_Timeout", xsc_handshake_timeout, 1, 3600),
    RANGE("Idle_Timeout", xsc_idle_timeout, 0, 86400),
    RANGE("Peer_Timeout", xsc_peer_timeout, 1, 3600),
    RANGE("Max_Request_Size", xsc_max_request_size, 4096, 16777216),
    RANGE("Max_Response_Size", xsc_max_response_size, 4096, 16777216),
    RANGE("Worker_Threads", xsc_worker_threads, 1, 256),
    RANGE("Stats_Interval", xsc_stats_interval, 1, 3600),
};

static void *exports_init(void *link_mem, void *self_struct)
{
	struct xr_gsh_exports *ex = self_struct;

	if (ex)
		memset(ex, 0, sizeof(*ex));
	return self_struct;
}

/*
 * One term of "Exports = 1, 3;": an export id, 0 to 65535, at most
 * XR_GSH_MAX_EXPORT_IDS of them.  Errors name the option and the term.
 * Returns 0 always (see out_bad).
 */
static int exports_add(const char *token, enum term_type type_hint,
		       struct config_item *item, void *param_addr, void *cnode,
		       struct config_error_type *err_type)
{
	struct xr_gsh_exports *ex = param_addr;
	unsigned long id;
	char *end;
	uint32_t i;

	ex->xse_set = true;
	errno = 0;
	id = strtoul(token, &end, 10);
	if (type_hint != TERM_DECNUM || *end || errno || id > UINT16_MAX) {
		LogCrit(
		    COMPONENT_CONFIG,
		    "%s: Exports = %s: not an export id (a number from 0 to 65535)",
		    XR_GSH_CONF_BLOCK, token);
		goto out_bad;
	}
	for (i = 0; i < ex->xse_n; i++)
		if (ex->xse_ids[i] == id)
			return 0;
	if (ex->xse_n == XR_GSH_MAX_EXPORT_IDS) {
		LogCrit(COMPONENT_CONFIG,
			"%s: Exports: more than %u export ids",
			XR_GSH_CONF_BLOCK, XR_GSH_MAX_EXPORT_IDS);
		goto out_bad;
	}
	ex->xse_ids[ex->xse_n++] = (uint16_t)id;
	return 0;

out_bad:
	/*
	 * Counted in conf_commit(): an error returned here would make
	 * Ganesha skip the commit check and its messages for other options.
	 */
	ex->xse_bad = true;
	return 0;
}

static struct config_item conf_items[] = {
    CONF_ITEM_BOOL("Enable", true, xr_gsh_conf, xsc_enable),
    CONF_ITEM_STR("Bind_Addr", 1, INET_ADDRSTRLEN, "0.0.0.0", xr_gsh_conf,
		  xsc_bind_addr),
    CONF_ITEM_UI32("Port", 0, UINT32_MAX, XR_GSH_DEFAULT_PORT, xr_gsh_conf,
		   xsc_port32),
    CONF_ITEM_TOKEN("Fabric", XR_GSH_FABRIC_VERBS, fabric_tokens, xr_gsh_conf,
		    xsc_fabric),
    CONF_ITEM_STR("Provider", 1, 64, "tcp", xr_gsh_conf, xsc_provider),
    CONF_ITEM_UI32("Credits", 0, UINT32_MAX, 128, xr_gsh_conf, xsc_credits),
    CONF_ITEM_UI32("Inline_Size", 0, UINT32_MAX, 4096, xr_gsh_conf,
		   xsc_inline_size),
    CONF_ITEM_UI32("Max_Connections", 0, UINT32_MAX, 64, xr_gsh_conf,
		   xsc_max_connections),
    CONF_ITEM_UI32("Max_Connections_Per_Address", 0, UINT32_MAX,
		   XR_GSH_DEFAULT_PER_ADDR, xr_gsh_conf,
		   xsc_max_conns_per_addr),
    CONF_ITEM_UI32("Handshake_Timeout", 0, UINT32_MAX, XR_GSH_DEFAULT_HANDSHAKE,
		   xr_gsh_conf, xsc_handshake_timeout),
    CONF_ITEM_UI32("Idle_Timeout", 0, UINT32_MAX, XR_GSH_DEFAULT_IDLE,
		   xr_gsh_conf, xsc_idle_timeout),
    CONF_ITEM_UI32("Peer_Timeout", 0, UINT32_MAX, XR_GSH_DEFAULT_PEER,
		   xr_gsh_conf, xsc_peer_timeout),
    CONF_ITEM_UI32("Max_Request_Size", 0, UINT32_MAX, 1048576 + 4096,
		   xr_gsh_conf, xsc_max_request_size),
    CONF_ITEM_UI32("Max_Response_Size", 0, UINT32_MAX, 1048576 + 4096,
		   xr_gsh_conf, xsc_max_response_size),
    CONF_ITEM_UI32("Worker_Threads", 0, UINT32_MAX, 16, xr_gsh_conf,
		   xsc_worker_threads),
    CONF_ITEM_PATH("Stats_File", 1, 4096, NULL, xr_gsh_conf, xsc_stats_file),
    CONF_ITEM_UI32("Stats_Interval", 0, UINT32_MAX, 10, xr_gsh_conf,
		   xsc_stats_interval),
    CONF_ITEM_PATH("Metrics_File", 1, 4096, NULL, xr_gsh_conf,
		   xsc_metrics_file),
    CONF_ITEM_PROC("Exports", exports_init, exports_add, xr_gsh_conf,
		   xsc_exports),
    CONFIG_EOL};

static int conf_check_ranges(const struct xr_gsh_conf *conf)
{
	int errors = 0;
	size_t i;

	for (i = 0; i < sizeof(conf_ranges) / sizeof(conf_ranges[0]); i++) {
		const struct conf_range *r = &conf_ranges[i];
		uint32_t v =
		    *(const uint32_t *)((const char *)conf + r->rn_offset);

		if (v < r->cr_min || v > r->rn_max) {
			LogCrit(COMPONENT_CONFIG,
				"%s: %s = %u is out of range: allowed %u to %u",
				XR_GSH_CONF_BLOCK, r->rn_name, v, r->cr_min,
				r->rn_max);
			errors++;
		}
	}
	return errors;
}

static int conf_commit(void *node, void *link_mem, void *self_struct,
		       struct config_error_type *err_type)
{
	struct xr_gsh_conf *conf = self_struct;
	struct in_addr addr;
	int errors = conf_check_ranges(conf);

	conf->xsc_port = (uint16_t)conf->xsc_port32;
	if (inet_pton(AF_INET, conf->xsc_bind_addr, &addr) != 1) {
		LogCrit(
		    COMPONENT_CONFIG,
		    "%s: Bind_Addr = \"%s\" is not an IPv4 address (for example 0.0.0.0 or 192.0.2.10)",
		    XR_GSH_CONF_BLOCK, conf->xsc_bind_addr);
		errors++;
	}
	if (conf->xsc_inline_size % XR_GSH_INLINE_UNIT) {
		LogCrit(
		    COMPONENT_CONFIG,
		    "%s: Inline_Size = %u must be a multiple of 1024 (RFC 8797 encodes it in KiB)",
		    XR_GSH_CONF_BLOCK, conf->xsc_inline_size);
		errors++;
	}
	if (conf->xsc_max_request_size < conf->xsc_inline_size ||
	    conf->xsc_max_response_size < conf->xsc_inline_size) {
		LogCrit(
		    COMPONENT_CONFIG,
		    "%s: Max_Request_Size (%u) and Max_Response_Size (%u) must be at least Inline_Size (%u)",
		    XR_GSH_CONF_BLOCK, conf->xsc_max_request_size,
		    conf->xsc_max_response_size, conf->xsc_inline_size);
		errors++;
	}
	if (conf->xsc_metrics_file &&
	    !gr_prom_path_ok(conf->xsc_metrics_file)) {
		LogCrit(
		    COMPONENT_CONFIG,
		    "%s: Metrics_File = \"%s\" must name a file ending in .prom (node exporter's textfile collector reads only those)",
		    XR_GSH_CONF_BLOCK, conf->xsc_metrics_file);
		errors++;
	}
	if (conf->xsc_exports.xse_bad)
		errors++;
	if (errors)
		err_type->invalid = true;
	return errors;
}

static struct config_block conf_block = {.dbus_interface_name =
					     "org.ganesha.nfsd.config.nfs_rdma",
					 .blk_desc.name = XR_GSH_CONF_BLOCK,
					 .blk_desc.type = CONFIG_BLOCK,
					 .blk_desc.u.blk.init = noop_conf_init,
					 .blk_desc.u.blk.params = conf_items,
					 .blk_desc.u.blk.commit = conf_commit};

int xr_gsh_conf_load(struct xr_gsh_conf *conf)
{
	struct config_error_type err_type;
	config_file_t parsed;
	int rc = 0;

	memset(conf, 0, sizeof(*conf));
	init_error_type(&err_type);
	parsed = config_ParseFile(nfs_config_path, &err_type);
	if (!parsed || !config_error_is_harmless(&err_type)) {
		LogCrit(COMPONENT_CONFIG, "%s: cannot parse %s",
			XR_GSH_CONF_BLOCK, nfs_config_path);
		rc = -ENOENT;
		goto out;
	}
	(void)load_config_from_parse(parsed, &conf_block, conf, true,
				     &err_type);
	/* Ganesha collects each bad option's message; log them. */
	report_config_errors(&err_type, NULL, config_errs_to_log);
	if (!config_error_is_harmless(&err_type)) {
		LogCrit(COMPONENT_CONFIG,
			"%s: invalid block in %s (see the messages above)",
			XR_GSH_CONF_BLOCK, nfs_config_path);
		rc = -EINVAL;
	}
out:
	if (parsed)
		config_Free(parsed);
	return rc;
}

/*
 * A block that accepts anything and keeps nothing: reading it from a parse
 * tree only marks the NFS_RDMA node as seen.
 */
static struct config_item seen_items[] = {CONFIG_EOL};
static int seen_dummy;

static struct config_block seen_block = {
    .dbus_interface_name = "org.ganesha.nfsd.config.nfs_rdma.seen",
    .blk_desc.name = XR_GSH_CONF_BLOCK,
    .blk_desc.type = CONFIG_BLOCK,
    .blk_desc.flags = CONFIG_RELAX,
    .blk_desc.u.blk.init = noop_conf_init,
    .blk_desc.u.blk.params = seen_items,
    .blk_desc.u.blk.commit = noop_conf_commit};

static void drop_config_error(char *err, void *dest,
			      struct config_error_type *err_type)
{
}

void xr_ganesha_config_seen(void *config)
{
	struct config_error_type err_type;

	if (!config || !init_error_type(&err_type))
		return;
	/* Errors are ours to report, once, when the module reads the block. */
	(void)load_config_from_parse(config, &seen_block, &seen_dummy, false,
				     &err_type);
	report_config_errors(&err_type, NULL, drop_config_error);
}

void xr_gsh_conf_free(struct xr_gsh_conf *conf)
{
	free(conf->xsc_bind_addr);
	free(conf->xsc_provider);
	free(conf->xsc_stats_file);
	free(conf->xsc_metrics_file);
	memset(conf, 0, sizeof(*conf));
}

const char *xr_gsh_conf_fabric_name(const struct xr_gsh_conf *conf)
{
	return conf->xsc_fabric == XR_GSH_FABRIC_OFI ? "ofi" : "verbs";
}
