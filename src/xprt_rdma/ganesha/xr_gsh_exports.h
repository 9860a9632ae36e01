/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Which exports are served over RDMA (NFS_RDMA { Exports = 1, 3; }).
 *
 * How this works: Ganesha 4.3 checks an export's Transports only for UDP
 * and TCP, so a call on an RDMA xprt reaches every export.  The policy is
 * a bitmap of export ids, set once at start-up; without the option every
 * export is served (what Ganesha alone does).  It is enforced where each
 * protocol names its export:
 *   - NFSv4: every operation that makes an export current (PUTFH,
 *     PUTROOTFH, PUTPUBFH, LOOKUP and LOOKUPP across a junction, SECINFO,
 *     and READDIR's junction attributes) calls Ganesha's exported
 *     nfs4_export_check_access() through its PLT; the preload library
 *     interposes that symbol and asks xr_ganesha_export_check() first, which
 *     answers NFS4ERR_ACCESS for a call on an RDMA xprt whose current export
 *     is not listed.  Ganesha's pseudo file system (FSAL PSEUDO) is always
 *     allowed: it holds only the directories leading to exports.
 *   - NFSv3 and NFSACL: Ganesha takes the export from the call's first
 *     file handle; the worker reads that handle from the ranges before
 *     Ganesha runs the call (xr_gsh_rpc_call_export()) and denies calls naming
 *     an unlisted export with MSG_DENIED / AUTH_ERROR / AUTH_TOOWEAK, before
 *     anything is done.
 *   - MOUNT and NLM never reach an export over RDMA: an RDMA connection is
 *     dispatched like one on Ganesha's NFS port, whose dispatcher serves
 *     only NFS and NFSACL and answers other programs PROG_UNAVAIL (MOUNT
 *     and NLM have listeners of their own).
 */
#ifndef XR_GSH_EXPORTS_H
#define XR_GSH_EXPORTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "xr_gsh_conf.h"

struct svc_req;

/**
 * xr_gsh_exports_init() - set the policy from the NFS_RDMA block
 * @conf:	the parsed Exports option
 *
 * Call once, before Ganesha serves.  Logs the policy.
 */
void xr_gsh_exports_init(const struct xr_gsh_exports *conf);

/**
 * xr_gsh_exports_check_listed() - warn about listed ids that name no export
 *
 * Call once Ganesha's exports exist (after nfs_init_wait()).  An id may
 * name an export added later, so this only warns.
 */
void xr_gsh_exports_check_listed(void);

/** xr_gsh_exports_restricted() - true when an Exports list is in force */
bool xr_gsh_exports_restricted(void);

/**
 * xr_gsh_export_on_rdma() - may export @id be served over RDMA?
 * @id:		an export id
 *
 * Return: true when no list is in force or @id is listed.
 */
bool xr_gsh_export_on_rdma(uint16_t id);

/**
 * xr_gsh_exports_count_v3() - count an NFSv3/NFSACL call denied by export
 */
void xr_gsh_exports_count_v3(void);

/**
 * xr_gsh_exports_report() - write the refusal counters (stats file lines)
 * @f:		the stats file
 */
void xr_gsh_exports_report(FILE *f);

/**
 * xr_gsh_exports_metrics() - the same for Prometheus (gr_prom.h)
 * @f:		the metrics file; one series per NFS version (label version)
 */
void xr_gsh_exports_metrics(FILE *f);

/**
 * xr_ganesha_export_check() - NFSv4's check, called by the preload library
 * @req:	the request whose current export just changed
 *
 * Return: 0 (NFS4_OK: Ganesha's own check runs next) or NFS4ERR_ACCESS
 * when @req came over RDMA and its current export is not served over it.
 */
int xr_ganesha_export_check(struct svc_req *req);

#endif /* XR_GSH_EXPORTS_H */
