/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Configuration of FSAL_RDMA_PROXY: the module block RDMA_PROXY { } and the
 * per-export FSAL { Name = RDMA_PROXY; ... } block.  Numbers are read with
 * their type's widest bounds and checked by the commit validators against
 * rp_module_ranges[] / rp_export_ranges[]: Ganesha 4.3's own range message
 * ("(0) is out of range") names neither the option nor the range, and an
 * item error makes it skip the commit and its other checks.  The
 * validators also check what a range cannot express (an address that must
 * be IPv4, a path that must be absolute, a metrics file name) and name the
 * block and the option.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "rp_int.h"
#include "config_parsing.h"
#include "gr_prom.h"

#define RP_DEFAULT_RDMA_PORT 20049
#define RP_DEFAULT_TCP_PORT 2049
#define RP_MAX_IO (1024 * 1024)

static struct config_item_list rp_transports[] = {
    CONFIG_LIST_TOK("rdma", RP_TRANSPORT_RDMA),
    CONFIG_LIST_TOK("tcp", RP_TRANSPORT_TCP), CONFIG_LIST_EOL};

static struct config_item_list rp_fabrics[] = {
    CONFIG_LIST_TOK("verbs", RP_FABRIC_VERBS),
    CONFIG_LIST_TOK("ofi", RP_FABRIC_OFI), CONFIG_LIST_EOL};

/* A number option's allowed range, checked at commit (see the top). */
struct rp_conf_range {
	const char *cr_name;
	size_t cr_offset; /* of a uint32_t */
	uint32_t cr_min, cr_max;
};

#define RP_RANGE(type, name, member, min, max)                                 \
	{                                                                      \
		name, offsetof(type, member), min, max                         \
	}

static const struct rp_conf_range rp_export_ranges[] = {
    RP_RANGE(struct rp_export_conf, "Slots", slots, 1, 1024),
    RP_RANGE(struct rp_export_conf, "Credits", credits, 8, 1024),
    RP_RANGE(struct rp_export_conf, "Max_Read_Size", max_read, 4096, RP_MAX_IO),
    RP_RANGE(struct rp_export_conf, "Max_Write_Size", max_write, 4096,
	     RP_MAX_IO),
    RP_RANGE(struct rp_export_conf, "Call_Timeout", call_timeout_s, 1, 3600),
    RP_RANGE(struct rp_export_conf, "Recovery_Timeout", recovery_timeout_s, 1,
	     86400),
    RP_RANGE(struct rp_export_conf, "Retry_Interval", retry_interval_s, 1,
	     3600),
    RP_RANGE(struct rp_export_conf, "Connections", connections, 1,
	     SESS_MAX_CONNS),
};

#define RP_MMAP_THRESHOLD_MAX (64u << 20)

static const struct rp_conf_range rp_module_ranges[] = {
    RP_RANGE(struct rp_module, "Stats_Interval", stats_interval_s, 1, 3600),
    RP_RANGE(struct rp_module, "Malloc_Mmap_Threshold", malloc_mmap_threshold,
	     0, RP_MMAP_THRESHOLD_MAX),
};

/* Returns the number of options out of range, each logged. */
static int rp_check_ranges(const struct rp_conf_range *r, size_t n,
			   const void *obj)
{
	int errors = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t v =
		    *(const uint32_t *)((const char *)obj + r[i].cr_offset);

		if (v < r[i].cr_min || v > r[i].cr_max) {
			LogCrit(
			    COMPONENT_CONFIG,
			    "RDMA_PROXY: %s = %u is out of range: allowed %u to %u",
			    r[i].cr_name, v, r[i].cr_min, r[i].cr_max);
			errors++;
		}
	}
	return errors;
}

static struct config_item rp_export_items[] = {
    CONF_ITEM_NOOP("name"),
    CONF_MAND_STR("Backend_Addr", 1, 63, NULL, rp_export_conf, backend_addr),
    CONF_ITEM_UI16("Backend_Port", 0, UINT16_MAX, 0, rp_export_conf,
		   backend_port),
    CONF_ITEM_STR("Backend_Path", 1, 1024, "/", rp_export_conf, backend_path),
    CONF_ITEM_TOKEN("Transport", RP_TRANSPORT_RDMA, rp_transports,
		    rp_export_conf, transport),
    CONF_ITEM_TOKEN("Fabric", RP_FABRIC_VERBS, rp_fabrics, rp_export_conf,
		    fabric),
    CONF_ITEM_STR("Provider", 1, 63, "tcp", rp_export_conf, provider),
    CONF_ITEM_UI32("Slots", 0, UINT32_MAX, 64, rp_export_conf, slots),
    CONF_ITEM_UI32("Credits", 0, UINT32_MAX, 128, rp_export_conf, credits),
    CONF_ITEM_UI32("Max_Read_Size", 0, UINT32_MAX, RP_MAX_IO, rp_export_conf,
		   max_read),
    CONF_ITEM_UI32("Max_Write_Size", 0, UINT32_MAX, RP_MAX_IO, rp_export_conf,
		   max_write),
    CONF_ITEM_UI32("Call_Timeout", 0, UINT32_MAX, 60, rp_export_conf,
		   call_timeout_s),
    CONF_ITEM_UI32("Recovery_Timeout", 0, UINT32_MAX, 120, rp_export_conf,
		   recovery_timeout_s),
    CONF_ITEM_UI32("Retry_Interval", 0, UINT32_MAX, 5, rp_export_conf,
		   retry_interval_s),
    /*
     * Connections of the backend session (session trunking): the
     * extras are bound with BIND_CONN_TO_SESSION and calls spread over
     * all; SESS_MAX_CONNS is the session client's limit.
     */
    CONF_ITEM_UI32("Connections", 0, UINT32_MAX, 1, rp_export_conf,
		   connections),
    CONFIG_EOL};

static int rp_export_commit(void *node, void *link_mem, void *self_struct,
			    struct config_error_type *err_type)
{
	struct rp_export_conf *c = self_struct;
	struct in_addr a;
	int errors = rp_check_ranges(
	    rp_export_ranges,
	    sizeof(rp_export_ranges) / sizeof(rp_export_ranges[0]), c);

	if (!c->backend_addr || inet_pton(AF_INET, c->backend_addr, &a) != 1) {
		LogCrit(
		    COMPONENT_CONFIG,
		    "RDMA_PROXY: Backend_Addr \"%s\" is not an IPv4 address",
		    c->backend_addr ? c->backend_addr : "");
		errors++;
	}
	if (c->backend_path && c->backend_path[0] != '/') {
		LogCrit(COMPONENT_CONFIG,
			"RDMA_PROXY: Backend_Path \"%s\" must start with /",
			c->backend_path);
		errors++;
	}
	if (c->backend_port == 0)
		c->backend_port = c->transport == RP_TRANSPORT_RDMA
				      ? RP_DEFAULT_RDMA_PORT
				      : RP_DEFAULT_TCP_PORT;
	if (errors) {
		err_type->invalid = true;
		return errors;
	}
	return 0;
}

struct config_block rp_export_block = {
    .dbus_interface_name = "org.ganesha.nfsd.config.fsal.rdma_proxy-export%d",
    .blk_desc.name = "FSAL",
    .blk_desc.type = CONFIG_BLOCK,
    .blk_desc.u.blk.init = noop_conf_init,
    .blk_desc.u.blk.params = rp_export_items,
    .blk_desc.u.blk.commit = rp_export_commit};

static struct config_item rp_module_items[] = {
    CONF_ITEM_PATH("State_Dir", 1, 4096, "/var/lib/nfs/ganesha/rdma_proxy",
		   rp_module, state_dir),
    CONF_ITEM_PATH("Stats_File", 1, 4096, NULL, rp_module, stats_file),
    CONF_ITEM_UI32("Stats_Interval", 0, UINT32_MAX, 5, rp_module,
		   stats_interval_s),
    /* off by default: only the administrator knows the collector's directory */
    CONF_ITEM_PATH("Metrics_File", 1, 4096, NULL, rp_module, metrics_file),
    /* 4 MiB: above the largest READ/WRITE buffer (1 MiB), see rp_main.c */
    CONF_ITEM_UI32("Malloc_Mmap_Threshold", 0, UINT32_MAX, 4u << 20, rp_module,
		   malloc_mmap_threshold),
    CONFIG_EOL};

static int rp_module_commit(void *node, void *link_mem, void *self_struct,
			    struct config_error_type *err_type)
{
	struct rp_module *m = self_struct;
	int errors = rp_check_ranges(
	    rp_module_ranges,
	    sizeof(rp_module_ranges) / sizeof(rp_module_ranges[0]), m);

	if (m->metrics_file && !gr_prom_path_ok(m->metrics_file)) {
		LogCrit(
		    COMPONENT_CONFIG,
		    "RDMA_PROXY: Metrics_File = \"%s\" must name a file ending in .prom (node exporter's textfile collector reads only those)",
		    m->metrics_file);
		errors++;
	}
	if (errors)
		err_type->invalid = true;
	return errors;
}

struct config_block rp_module_block = {
    .dbus_interface_name = "org.ganesha.nfsd.config.fsal.rdma_proxy",
    .blk_desc.name = "RDMA_PROXY",
    .blk_desc.type = CONFIG_BLOCK,
    .blk_desc.u.blk.init = noop_conf_init,
    .blk_desc.u.blk.params = rp_module_items,
    .blk_desc.u.blk.commit = rp_module_commit};
