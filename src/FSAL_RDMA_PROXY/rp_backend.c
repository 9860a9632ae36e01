/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The backend of one export: one NFSv4.1 session client (src/sessions)
 * over RPC-over-RDMA (or TCP when configured), started when the export is
 * created.
 *
 * A backend that does not answer at start-up does not stop the gateway:
 * the export is created, one line says why the backend is unreachable, and
 * a thread retries every Retry_Interval seconds until it answers; until
 * then operations fail with NFS4ERR_DELAY so clients retry.  Once up, the
 * session client itself recovers from lost connections (replay on the
 * same slot: exactly once), lost sessions and a restarted backend.
 *
 * Every COMPOUND goes out with the credentials of the gateway's own
 * caller (op_ctx), so the backend enforces permissions as it would for
 * that user.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp_int.h"
#include "sess_xprt_rdma.h"

static void rp_sess_log(void *ctx, enum sess_log_level level, const char *msg)
{
	struct rp_backend *be = ctx;

	switch (level) {
	case SESS_LOG_ERR:
		LogCrit(COMPONENT_FSAL, "RDMA_PROXY %s: %s", be->rb_label, msg);
		break;
	case SESS_LOG_WARN:
		LogWarn(COMPONENT_FSAL, "RDMA_PROXY %s: %s", be->rb_label, msg);
		break;
	case SESS_LOG_INFO:
		LogEvent(COMPONENT_FSAL, "RDMA_PROXY %s: %s", be->rb_label,
			 msg);
		break;
	default:
		LogDebug(COMPONENT_FSAL, "RDMA_PROXY %s: %s", be->rb_label,
			 msg);
		break;
	}
}

static struct sess_xprt *rp_make_xprt(struct rp_backend *be)
{
	const struct rp_export_conf *c = be->rb_conf;
	/* the largest record: a full READ/WRITE plus its COMPOUND */
	size_t max_io = c->max_read > c->max_write ? c->max_read : c->max_write;

	if (c->transport == RP_TRANSPORT_TCP) {
		struct sess_xprt_tcp_opts o = {
		    .host = c->backend_addr,
		    .port = c->backend_port,
		    .timeout_ms = (int)c->call_timeout_s * 1000,
		};
		return sess_xprt_tcp_create(&o);
	} else {
		struct sess_xprt_rdma_opts o = {
		    .host = c->backend_addr,
		    .port = c->backend_port,
		    .fabric = c->fabric == RP_FABRIC_OFI ? "ofi" : "verbs",
		    .provider = c->provider,
		    .credits = c->credits,
		    .max_record = max_io + 64 * 1024,
		    .timeout_ms = (int)c->call_timeout_s * 1000,
		};
		return sess_xprt_rdma_create(&o);
	}
}

static const char *rp_owner_file(struct rp_backend *be, char *buf, size_t cap,
				 uint16_t export_id)
{
	const char *dir = rp_module.state_dir, *why = "";
	int ret;

	if (!dir)
		return NULL;
	ret = rp_state_dir_ensure(dir, &why);
	if (ret) {
		LogWarn(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: State_Dir %s: %s (%s); the client owner is derived from the host id",
		    be->rb_label, dir, why, strerror(-ret));
		return NULL;
	}
	if ((size_t)snprintf(buf, cap, "%s/export-%u.owner", dir, export_id) >=
	    cap)
		return NULL;
	return buf;
}

/*
 * One attempt: fresh transports (Connections of them: one session trunked
 * over all) and a client, EXCHANGE_ID..RECLAIM_COMPLETE.
 */
static int rp_try_connect(struct rp_backend *be, uint16_t export_id)
{
	char owner_file[4200], suffix[48];
	struct sess_client_opts o = {0};
	struct sess_client_stats st;
	struct sess_xprt *xprt;
	struct sess_client *cl;
	uint32_t i;
	int ret = 0;

	xprt = rp_make_xprt(be);
	if (!xprt)
		return -errno;
	snprintf(suffix, sizeof(suffix), "rdma_proxy/export-%u", export_id);
	o.state_file =
	    rp_owner_file(be, owner_file, sizeof(owner_file), export_id);
	o.owner_suffix = suffix;
	o.fore_max_requests = be->rb_conf->slots;
	o.max_io_size = be->rb_conf->max_read > be->rb_conf->max_write
			    ? be->rb_conf->max_read
			    : be->rb_conf->max_write;
	o.recovery_timeout_s = be->rb_conf->recovery_timeout_s;
	o.log = rp_sess_log;
	o.log_ctx = be;
	cl = sess_client_create(xprt, &o, &ret);
	if (!cl)
		return ret ? ret : -ENOMEM;
	for (i = 1; i < be->rb_conf->connections; i++) {
		xprt = rp_make_xprt(be);
		ret = xprt ? sess_client_add_conn(cl, xprt) : -errno;
		if (ret) {
			sess_client_destroy(cl);
			return ret;
		}
	}
	/* rp_backend_shutdown() reaches it while it starts */
	pthread_mutex_lock(&be->rb_lock);
	if (be->rb_stopping) {
		pthread_mutex_unlock(&be->rb_lock);
		sess_client_destroy(cl);
		return -ESHUTDOWN;
	}
	be->rb_connecting = cl;
	pthread_mutex_unlock(&be->rb_lock);
	ret = sess_client_start(cl);
	pthread_mutex_lock(&be->rb_lock);
	be->rb_connecting = NULL;
	pthread_mutex_unlock(&be->rb_lock);
	if (ret) {
		sess_client_destroy(cl);
		return ret;
	}
	pthread_mutex_lock(&be->rb_lock);
	be->rb_client = cl;
	be->rb_up = true;
	pthread_cond_broadcast(&be->rb_cond);
	pthread_mutex_unlock(&be->rb_lock);
	sess_client_get_stats(cl, &st);
	/* Extras that failed are retried (or were refused: logged). */
	LogEvent(
	    COMPONENT_FSAL,
	    "RDMA_PROXY %s: NFSv4.%u session established over %u of %u connection(s)",
	    be->rb_label, st.cst_minor, st.cst_conns_bound + 1, st.cst_conns);
	return 0;
}

static const char *rp_err_text(int ret, char *buf, size_t cap)
{
	if (ret < 0)
		snprintf(buf, cap, "%s", strerror(-ret));
	else
		snprintf(buf, cap, "%s", sess_nfsstat_str((nfsstat4)ret));
	return buf;
}

struct rp_retry_arg {
	struct rp_backend *be;
	uint16_t export_id;
};

static void *rp_retry_thread(void *arg)
{
	struct rp_retry_arg *ra = arg;
	struct rp_backend *be = ra->be;
	uint16_t export_id = ra->export_id;
	struct timespec until;
	char why[128];
	int ret;

	gsh_free(ra);
	for (;;) {
		pthread_mutex_lock(&be->rb_lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += be->rb_conf->retry_interval_s;
		while (!be->rb_stopping &&
		       pthread_cond_timedwait(&be->rb_cond, &be->rb_lock,
					      &until) != ETIMEDOUT)
			;
		if (be->rb_stopping) {
			pthread_mutex_unlock(&be->rb_lock);
			return NULL;
		}
		pthread_mutex_unlock(&be->rb_lock);
		ret = rp_try_connect(be, export_id);
		if (ret == 0)
			return NULL;
		LogInfo(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: backend still unreachable (%s), retrying in %u s",
		    be->rb_label, rp_err_text(ret, why, sizeof(why)),
		    be->rb_conf->retry_interval_s);
	}
}

int rp_backend_init(struct rp_backend *be, struct rp_export_conf *conf,
		    uint16_t export_id)
{
	struct rp_retry_arg *ra;
	char why[128];
	int ret;

	memset(be, 0, sizeof(*be));
	be->rb_conf = conf;
	pthread_mutex_init(&be->rb_lock, NULL);
	pthread_cond_init(&be->rb_cond, NULL);
	gethostname(be->rb_machine, sizeof(be->rb_machine) - 1);
	snprintf(be->rb_label, sizeof(be->rb_label),
		 "export %u -> %s:%u (%s%s%s)", export_id, conf->backend_addr,
		 conf->backend_port,
		 conf->transport == RP_TRANSPORT_TCP ? "tcp" : "rdma",
		 conf->transport == RP_TRANSPORT_TCP ? "" : "/",
		 conf->transport == RP_TRANSPORT_TCP
		     ? ""
		     : (conf->fabric == RP_FABRIC_OFI ? "ofi" : "verbs"));

	ret = rp_try_connect(be, export_id);
	if (ret == 0)
		return 0;
	if (ret == -EINVAL || ret == -ENOMEM || ret == -ENAMETOOLONG) {
		LogCrit(COMPONENT_FSAL,
			"RDMA_PROXY %s: cannot set up the backend session: %s",
			be->rb_label, rp_err_text(ret, why, sizeof(why)));
		return ret;
	}
	LogWarn(
	    COMPONENT_FSAL,
	    "RDMA_PROXY %s: backend unreachable (%s); the export answers NFS4ERR_DELAY and retries every %u s",
	    be->rb_label, rp_err_text(ret, why, sizeof(why)),
	    conf->retry_interval_s);
	ra = gsh_calloc(1, sizeof(*ra));
	ra->be = be;
	ra->export_id = export_id;
	if (pthread_create(&be->rb_retry, NULL, rp_retry_thread, ra) != 0) {
		gsh_free(ra);
		return -EAGAIN;
	}
	be->rb_retry_running = true;
	return 0;
}

void rp_backend_shutdown(struct rp_backend *be, int grace_ms)
{
	/*
	 * Under rb_lock: rp_try_connect() destroys a client it could not
	 * start only after clearing rb_connecting under it.  Callers take
	 * rb_lock only briefly and never hold it across a backend call, so
	 * holding it over the grace blocks no call's end.
	 */
	pthread_mutex_lock(&be->rb_lock);
	be->rb_stopping = true;
	pthread_cond_broadcast(&be->rb_cond);
	if (be->rb_connecting)
		sess_client_shutdown(be->rb_connecting, grace_ms);
	if (be->rb_client)
		sess_client_shutdown(be->rb_client, grace_ms);
	pthread_mutex_unlock(&be->rb_lock);
}

void rp_backend_fini(struct rp_backend *be)
{
	/*
	 * The export goes (the daemon stops, or an admin removed it): no
	 * caller is left, and the backend may not answer - the session's
	 * goodbye (DESTROY_SESSION, DESTROY_CLIENTID) is bounded like any
	 * other call at shutdown, and a start in progress ends.  The shutdown
	 * watch may not have run: Ganesha can reach this within its poll.
	 */
	rp_backend_shutdown(be, RP_SHUTDOWN_GRACE_MS);
	if (be->rb_retry_running)
		pthread_join(be->rb_retry, NULL);
	if (be->rb_client) {
		sess_client_destroy(be->rb_client);
		be->rb_client = NULL;
	}
	pthread_cond_destroy(&be->rb_cond);
	pthread_mutex_destroy(&be->rb_lock);
}

static struct sess_client *rp_client(struct rp_backend *be)
{
	struct sess_client *cl;

	pthread_mutex_lock(&be->rb_lock);
	cl = be->rb_up ? be->rb_client : NULL;
	pthread_mutex_unlock(&be->rb_lock);
	return cl;
}

int rp_call(struct rp_export *ex, struct sess_compound *c)
{
	struct rp_backend *be = &ex->backend;
	struct sess_auth_sys cred;
	struct sess_client *cl = rp_client(be);
	uint32_t i;
	int ret;

	if (!cl)
		return -EAGAIN;
	memset(&cred, 0, sizeof(cred));
	memcpy(cred.as_machinename, be->rb_machine,
	       sizeof(cred.as_machinename));
	if (op_ctx) {
		cred.as_uid = op_ctx->creds.caller_uid;
		cred.as_gid = op_ctx->creds.caller_gid;
		for (i = 0; i < op_ctx->creds.caller_glen &&
			    i < SESS_AUTH_SYS_MAX_GIDS;
		     i++)
			cred.as_gids[i] = op_ctx->creds.caller_garray[i];
		cred.as_ngids = i;
	}
	c->sc_cred = &cred;
	ret = sess_compound(cl, c);
	c->sc_cred = NULL;
	atomic_fetch_add(&ex->stats.rst_calls, 1);
	if (ret || c->sc_status != NFS4_OK) {
		atomic_fetch_add(&ex->stats.rst_errors, 1);
		/*
		 * What the transport or the backend said, before mapping:
		 * a transport error at INFO (a cause the client only sees
		 * as NFS4ERR_DELAY), an NFS status at DEBUG.
		 */
		LogAtLevel(
		    COMPONENT_FSAL, ret ? NIV_INFO : NIV_DEBUG,
		    "RDMA_PROXY: backend COMPOUND of %u ops (op %d last) failed: %s, status %d",
		    c->sc_nargs,
		    c->sc_nargs ? (int)c->sc_args[c->sc_nargs - 1].argop : -1,
		    ret ? strerror(-ret) : "no transport error",
		    ret ? -1 : (int)c->sc_status);
	}
	return ret;
}

bool rp_backend_get_stats(struct rp_backend *be, struct sess_client_stats *st)
{
	struct sess_client *cl = rp_client(be);

	if (!cl)
		return false;
	sess_client_get_stats(cl, st);
	return true;
}

uint32_t rp_backend_io_limit(struct rp_backend *be, uint32_t conf)
{
	struct sess_client *cl = rp_client(be);
	uint32_t agreed = cl ? sess_client_max_io(cl) : 0;

	return agreed && agreed < conf ? agreed : conf;
}

uint64_t rp_backend_state_gen(struct rp_backend *be)
{
	struct sess_client *cl = rp_client(be);

	return cl ? sess_client_state_gen(cl) : 0;
}

uint32_t rp_backend_minor(struct rp_backend *be)
{
	struct sess_client *cl = rp_client(be);

	return cl ? sess_client_minor(cl) : 0;
}

clientid4 rp_backend_clientid(struct rp_backend *be)
{
	struct sess_client *cl = rp_client(be);

	return cl ? sess_client_clientid(cl) : 0;
}

fsal_status_t rp_nfs4_to_fsal(nfsstat4 st)
{
	switch (st) {
	case NFS4_OK:
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	case NFS4ERR_PERM:
		return fsalstat(ERR_FSAL_PERM, EPERM);
	case NFS4ERR_NOENT:
		return fsalstat(ERR_FSAL_NOENT, ENOENT);
	case NFS4ERR_IO:
		return fsalstat(ERR_FSAL_IO, EIO);
	case NFS4ERR_NXIO:
		return fsalstat(ERR_FSAL_NXIO, ENXIO);
	case NFS4ERR_ACCESS:
		return fsalstat(ERR_FSAL_ACCESS, EACCES);
	case NFS4ERR_EXIST:
		return fsalstat(ERR_FSAL_EXIST, EEXIST);
	case NFS4ERR_XDEV:
		return fsalstat(ERR_FSAL_XDEV, EXDEV);
	case NFS4ERR_NOTDIR:
		return fsalstat(ERR_FSAL_NOTDIR, ENOTDIR);
	case NFS4ERR_ISDIR:
		return fsalstat(ERR_FSAL_ISDIR, EISDIR);
	case NFS4ERR_INVAL:
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	case NFS4ERR_FBIG:
		return fsalstat(ERR_FSAL_FBIG, EFBIG);
	case NFS4ERR_NOSPC:
		return fsalstat(ERR_FSAL_NOSPC, ENOSPC);
	case NFS4ERR_ROFS:
		return fsalstat(ERR_FSAL_ROFS, EROFS);
	case NFS4ERR_MLINK:
		return fsalstat(ERR_FSAL_MLINK, EMLINK);
	case NFS4ERR_NAMETOOLONG:
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	case NFS4ERR_NOTEMPTY:
		return fsalstat(ERR_FSAL_NOTEMPTY, ENOTEMPTY);
	case NFS4ERR_DQUOT:
		return fsalstat(ERR_FSAL_DQUOT, EDQUOT);
	case NFS4ERR_STALE:
		return fsalstat(ERR_FSAL_STALE, ESTALE);
	case NFS4ERR_BADHANDLE:
	case NFS4ERR_NOFILEHANDLE:
		return fsalstat(ERR_FSAL_BADHANDLE, EINVAL);
	case NFS4ERR_BAD_COOKIE:
	case NFS4ERR_NOT_SAME:
		return fsalstat(ERR_FSAL_BADCOOKIE, EINVAL);
	case NFS4ERR_NOTSUPP:
	case NFS4ERR_LOCK_NOTSUPP:
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	case NFS4ERR_TOOSMALL:
		return fsalstat(ERR_FSAL_TOOSMALL, EINVAL);
	case NFS4ERR_NOXATTR:
		return fsalstat(ERR_FSAL_NOXATTR, ENODATA);
	case NFS4ERR_XATTR2BIG:
		return fsalstat(ERR_FSAL_XATTR2BIG, E2BIG);
	case NFS4ERR_BADTYPE:
		return fsalstat(ERR_FSAL_BADTYPE, EINVAL);
	case NFS4ERR_GRACE:
		return fsalstat(ERR_FSAL_IN_GRACE, EAGAIN);
	case NFS4ERR_DELAY:
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	case NFS4ERR_FHEXPIRED:
		return fsalstat(ERR_FSAL_FHEXPIRED, ESTALE);
	case NFS4ERR_WRONGSEC:
		return fsalstat(ERR_FSAL_SEC, EPERM);
	case NFS4ERR_SYMLINK:
		return fsalstat(ERR_FSAL_SYMLINK, ELOOP);
	case NFS4ERR_ATTRNOTSUPP:
		return fsalstat(ERR_FSAL_ATTRNOTSUPP, ENOTSUP);
	case NFS4ERR_BADNAME:
	case NFS4ERR_BADCHAR:
		return fsalstat(ERR_FSAL_BADNAME, EINVAL);
	case NFS4ERR_DENIED:
		return fsalstat(ERR_FSAL_ACCESS, EAGAIN); /* a lock conflict */
	case NFS4ERR_LOCKED:
		return fsalstat(ERR_FSAL_LOCKED, EAGAIN);
	case NFS4ERR_SHARE_DENIED:
		return fsalstat(ERR_FSAL_SHARE_DENIED, EACCES);
	case NFS4ERR_DEADLOCK:
		return fsalstat(ERR_FSAL_DEADLOCK, EDEADLK);
	case NFS4ERR_OPENMODE:
		return fsalstat(ERR_FSAL_BADTYPE, EBADF);
	case NFS4ERR_FILE_OPEN:
		return fsalstat(ERR_FSAL_FILE_OPEN, EBUSY);
	case NFS4ERR_NO_GRACE:
		return fsalstat(ERR_FSAL_INVAL, EINVAL);
	case NFS4ERR_BAD_STATEID:
	case NFS4ERR_OLD_STATEID:
	case NFS4ERR_STALE_STATEID:
	case NFS4ERR_EXPIRED:
	case NFS4ERR_ADMIN_REVOKED:
	case NFS4ERR_STALE_CLIENTID:
	case NFS4ERR_BADSESSION:
	case NFS4ERR_DEADSESSION:
		/*
		 * The backend lost or replaced state the gateway holds for
		 * its client; the gateway re-establishes it on the next use,
		 * so the client is asked to retry - not told of a fault.
		 */
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	default:
		return fsalstat(ERR_FSAL_SERVERFAULT, EIO);
	}
}

fsal_status_t rp_status(int ret, const struct sess_compound *c)
{
	if (ret < 0)
		return rp_xprt_status(ret); /* retriable but for a few */
	return rp_nfs4_to_fsal(c->sc_status);
}
