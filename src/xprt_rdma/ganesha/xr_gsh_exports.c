/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Which exports are served over RDMA: the policy and its enforcement in
 * Ganesha's request path (see xr_gsh_exports.h).
 *
 * Why NFS4ERR_ACCESS and not NFS4ERR_WRONGSEC for NFSv4: RFC 8881 (2.6.3.1,
 * 15.1.6.3) makes WRONGSEC mean "use another security flavor" - the client
 * then asks SECINFO for the flavors that would work and retries with one.
 * The flavors do not depend on the transport, so SECINFO would offer the
 * very flavor just refused and the client would loop or give up without a
 * reason.  ACCESS ("permission denied", 15.1.6.1) is the answer for a
 * request the server refuses whatever the credential, and it is what
 * Ganesha itself answers when an export's Transports exclude TCP or UDP.
 * Ganesha's pseudo file system then hides such an export from RDMA clients
 * as it hides any export a client may not access: READDIR skips its
 * junction and LOOKUP across it answers NFS4ERR_NOENT; a PUTFH of one of
 * its handles gets NFS4ERR_ACCESS.  WRONGSEC would instead show it and
 * send clients to SECINFO.
 */
#include "config.h"

#include <string.h>

#include "log.h"
#include "gsh_rpc.h"
#include "nfs_core.h"
#include "nfs_proto_data.h"
#include "export_mgr.h"
#include "fsal_api.h"

#include "gr_prom.h"
#include "xr_gsh_exports.h"

static struct {
	bool xp_restricted;
	uint32_t xp_n;
	uint16_t xp_ids[XR_GSH_MAX_EXPORT_IDS];
	uint8_t xp_map[(UINT16_MAX + 1) / 8];
	/* refusals (atomics) */
	uint64_t xp_denied_v4;
	uint64_t xp_denied_v3;
} policy;

void xr_gsh_exports_init(const struct xr_gsh_exports *conf)
{
	char list[XR_GSH_MAX_EXPORT_IDS * 7 + 1] = "";
	size_t at = 0;
	uint32_t i;

	memset(&policy, 0, sizeof(policy));
	if (!conf->xse_set) {
		LogEvent(
		    COMPONENT_INIT,
		    "NFS_RDMA: every export is served over RDMA (no Exports list)");
		return;
	}
	policy.xp_restricted = true;
	policy.xp_n = conf->xse_n;
	for (i = 0; i < conf->xse_n; i++) {
		uint16_t id = conf->xse_ids[i];

		policy.xp_ids[i] = id;
		policy.xp_map[id / 8] |= 1u << (id % 8);
		at += snprintf(list + at, sizeof(list) - at, "%s%u",
			       i ? ", " : "", id);
	}
	LogEvent(
	    COMPONENT_INIT,
	    "NFS_RDMA: only these exports are served over RDMA: %s (and the NFSv4 pseudo file system)",
	    list);
}

void xr_gsh_exports_check_listed(void)
{
	uint32_t i;

	for (i = 0; i < policy.xp_n; i++) {
		struct gsh_export *exp = get_gsh_export(policy.xp_ids[i]);

		if (!exp) {
			LogWarn(
			    COMPONENT_INIT,
			    "NFS_RDMA: Exports names %u, but there is no export with that Export_Id",
			    policy.xp_ids[i]);
			continue;
		}
		put_gsh_export(exp);
	}
}

bool xr_gsh_exports_restricted(void)
{
	return policy.xp_restricted;
}

bool xr_gsh_export_on_rdma(uint16_t id)
{
	return !policy.xp_restricted || (policy.xp_map[id / 8] >> (id % 8)) & 1;
}

/* The bottom of an export's FSAL stack is PSEUDO: the NFSv4 pseudo fs. */
static bool is_pseudo_fs(struct gsh_export *exp)
{
	struct fsal_export *fe = exp->fsal_export;
	int depth = 0;

	while (fe && fe->sub_export && depth++ < 8)
		fe = fe->sub_export;
	return fe && fe->fsal && fe->fsal->name &&
	       strcmp(fe->fsal->name, "PSEUDO") == 0;
}

int xr_ganesha_export_check(struct svc_req *req)
{
	struct gsh_export *exp;

	if (!policy.xp_restricted || !req || !req->rq_xprt ||
	    req->rq_xprt->xp_type != XPRT_RDMA || !op_ctx)
		return NFS4_OK;
	exp = op_ctx->ctx_export;
	if (!exp || xr_gsh_export_on_rdma(exp->export_id) || is_pseudo_fs(exp))
		return NFS4_OK;
	__atomic_add_fetch(&policy.xp_denied_v4, 1, __ATOMIC_RELAXED);
	LogInfo(
	    COMPONENT_EXPORT,
	    "NFS_RDMA: Export_Id %u is not served over RDMA (NFS_RDMA Exports): NFS4ERR_ACCESS",
	    exp->export_id);
	return NFS4ERR_ACCESS;
}

void xr_gsh_exports_count_v3(void)
{
	__atomic_add_fetch(&policy.xp_denied_v3, 1, __ATOMIC_RELAXED);
}

void xr_gsh_exports_report(FILE *f)
{
	fprintf(f, "%-28s %" PRIu64 "\n", "export_denied_nfs4",
		__atomic_load_n(&policy.xp_denied_v4, __ATOMIC_RELAXED));
	fprintf(f, "%-28s %" PRIu64 "\n", "export_denied_nfs3",
		__atomic_load_n(&policy.xp_denied_v3, __ATOMIC_RELAXED));
}

void xr_gsh_exports_metrics(FILE *f)
{
	static const char name[] = "ganesha_rdma_export_denied_total";

	gr_prom_family(f, name, GR_PROM_COUNTER,
		       "calls refused for an export not listed in Exports");
	gr_prom_sample(f, name, "version=\"4\"",
		       __atomic_load_n(&policy.xp_denied_v4, __ATOMIC_RELAXED));
	gr_prom_sample(f, name, "version=\"3\"",
		       __atomic_load_n(&policy.xp_denied_v3, __ATOMIC_RELAXED));
}
