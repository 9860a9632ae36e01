/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Client id and session life cycle: owner id, EXCHANGE_ID,
 * CREATE_SESSION, RECLAIM_COMPLETE, BIND_CONN_TO_SESSION, DESTROY_SESSION,
 * DESTROY_CLIENTID, and the lease renewer thread (which also keeps the
 * extra connections of a trunked session bound, sess_trunk.c).
 *
 * The client owner id is persistent per host: it is kept in a state file
 * the caller names (created with a random id the first time), so the
 * server recognises the same client across restarts of the program, while
 * the verifier is fresh for every incarnation (RFC 8881 2.4).  The renewer
 * wakes every second: it sends a SEQUENCE when nothing renewed the lease
 * for a third of the lease time and acts on SEQ4_STATUS flags that replies
 * raised (sess_recovery.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "sess_int.h"

void sess_log(struct sess_client *cl, enum sess_log_level level,
	      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!cl->cl_opts.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cl->cl_opts.log(cl->cl_opts.log_ctx, level, msg);
}

static void random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	struct timespec ts;
	size_t i;

	if (getrandom(buf, len, 0) == (ssize_t)len)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((ts.tv_nsec >> (i % 4 * 8)) ^ getpid() ^ i);
}

static void hex(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * The owner file may sit where others can write (an nfs41 user's choice;
 * the gateway checks its State_Dir first), so it is opened without
 * following a link and trusted only when it is a regular file of ours that
 * no one else may write: a planted file would choose the client owner,
 * a planted link would send a line of another file to the server.
 */
static int read_owner(const char *path, char *id, size_t cap)
{
	struct stat st;
	FILE *f;
	size_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	if (!fgets(id, (int)cap, f)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	n = strcspn(id, "\r\n");
	id[n] = '\0';
	return n ? 0 : -EINVAL;
}

int sess_load_owner(const char *path, char *id, size_t cap)
{
	char tmp[4096], host[64] = "host";
	uint8_t rnd[16];
	char rhex[33];
	size_t n;
	int fd, ret;

	ret = read_owner(path, id, cap);
	if (ret != -ENOENT)
		return ret;
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	random_bytes(rnd, sizeof(rnd));
	hex(rhex, rnd, sizeof(rnd));
	snprintf(id, cap, "nfs41-%.40s-%s", host, rhex);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/*
	 * A fresh file, never an existing one or a link's target: what sits
	 * under the name (left by a crash, or planted) is removed - unlink
	 * removes a link, not what it points to - and O_EXCL refuses
	 * anything that appears in between.
	 */
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	n = strlen(id);
	if (write(fd, id, n) != (ssize_t)n || write(fd, "\n", 1) != 1 ||
	    fsync(fd)) {
		close(fd);
		unlink(tmp);
		return -EIO;
	}
	close(fd);
	/* rename replaces a link at @path rather than writing through it */
	if (rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	return 0;
}

static void default_owner(char *id, size_t cap)
{
	char mid[64] = "", host[64] = "host";
	FILE *f = fopen("/etc/machine-id", "r");

	if (f) {
		if (!fgets(mid, sizeof(mid), f))
			mid[0] = '\0';
		fclose(f);
		mid[strcspn(mid, "\r\n")] = '\0';
	}
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	snprintf(id, cap, "nfs41-%.40s-%.40s", host, mid);
}

struct sess_client *sess_client_create(struct sess_xprt *xprt,
				       const struct sess_client_opts *opts,
				       int *err)
{
	struct sess_client *cl;
	char id[SESS_OWNER_MAX + 1];
	int ret;

	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		ret = -ENOMEM;
		goto out_xprt;
	}
	cl->cl_opts = *opts;
	if (!cl->cl_opts.fore_max_requests)
		cl->cl_opts.fore_max_requests = 128;
	if (cl->cl_opts.fore_max_requests > SESS_SLOTS_MAX)
		cl->cl_opts.fore_max_requests = SESS_SLOTS_MAX;
	if (!cl->cl_opts.max_io_size)
		cl->cl_opts.max_io_size = 1 << 20;
	if (cl->cl_opts.max_io_size < 4096 ||
	    cl->cl_opts.max_io_size > (4u << 20)) {
		ret = -EINVAL;
		goto out_free;
	}
	if (!cl->cl_opts.recovery_timeout_s)
		cl->cl_opts.recovery_timeout_s = 120;
	if (!cl->cl_opts.max_minor)
		cl->cl_opts.max_minor = 2;
	if (cl->cl_opts.max_minor > 2) {
		ret = -EINVAL;
		goto out_free;
	}
	atomic_store(&cl->cl_minor, cl->cl_opts.max_minor);
	if (opts->state_file) {
		ret = sess_load_owner(opts->state_file, id, sizeof(id) - 32);
		if (ret)
			goto out_free;
	} else {
		default_owner(id, sizeof(id) - 32);
	}
	if (opts->owner_suffix &&
	    strlen(id) + 1 + strlen(opts->owner_suffix) > SESS_OWNER_MAX) {
		ret = -ENAMETOOLONG;
		goto out_free;
	}
	strcpy(cl->cl_owner, id);
	if (opts->owner_suffix) {
		strcat(cl->cl_owner, "/");
		strcat(cl->cl_owner, opts->owner_suffix);
	}
	random_bytes(cl->cl_verifier, sizeof(cl->cl_verifier));

	cl->cl_cred.as_stamp = (uint32_t)time(NULL);
	gethostname(cl->cl_cred.as_machinename, SESS_MACHINENAME_MAX);
	cl->cl_cred.as_uid = opts->uid;
	cl->cl_cred.as_gid = opts->gid;
	cl->cl_xprt = xprt;
	cl->cl_conns[0].sn_xprt = xprt;
	cl->cl_nconns = 1;
	pthread_mutex_init(&cl->cl_lock, NULL);
	pthread_cond_init(&cl->cl_cond, NULL);
	pthread_cond_init(&cl->cl_renew_cond, NULL);
	xprt->x_ops->set_cb_handler(xprt, sess_cb_handle, cl);
	return cl;
out_free:
	free(cl);
out_xprt:
	xprt->x_ops->destroy(xprt);
	*err = ret;
	return NULL;
}

static int one_op(struct sess_client *cl, nfs_argop4 *arg, nfs_resop4 *res)
{
	struct sess_raw raw = {.r_args = arg, .r_nargs = 1, .r_res = res};
	int ret;

	/* after a shutdown: what is left of the stop's budget (see below) */
	if (cl->cl_polite_ms) {
		if (cl->cl_polite_ms < 0)
			return -ESHUTDOWN;
		raw.r_timeout_ms = cl->cl_polite_ms;
	}
	ret = sess_raw_call(cl, &raw);
	if (ret)
		return ret;
	if (raw.r_nres != 1) {
		sess_raw_free(&raw);
		return raw.r_status ? (int)raw.r_status : -EBADMSG;
	}
	return 0; /* caller frees res */
}

/*
 * EXCHANGE_ID at the highest minor version allowed, then at 1 when the
 * server refuses that one: a server answers a COMPOUND of a minor version
 * it does not serve with NFS4ERR_MINOR_VERS_MISMATCH and no results
 * (RFC 8881 15.1.5.5, 16.2.3), before it looks at the operations.  Every
 * EXCHANGE_ID starts at the top again, so that a backend restarted with
 * 4.2 enabled (or disabled) is met at what it serves now.
 */
static int exchange_id_at(struct sess_client *cl, uint32_t minor,
			  nfs_argop4 *arg, nfs_resop4 *res)
{
	atomic_store(&cl->cl_minor, minor);
	return one_op(cl, arg, res);
}

int sess_do_exchange_id(struct sess_client *cl)
{
	nfs_argop4 arg = {.argop = NFS4_OP_EXCHANGE_ID};
	nfs_resop4 res;
	EXCHANGE_ID4args *ea = &arg.nfs_argop4_u.opexchange_id;
	EXCHANGE_ID4resok *ok;
	uint32_t top = cl->cl_opts.max_minor;
	nfsstat4 st;
	int ret;

	memcpy(ea->eia_clientowner.co_verifier, cl->cl_verifier,
	       sizeof(verifier4));
	ea->eia_clientowner.co_ownerid.co_ownerid_len = strlen(cl->cl_owner);
	ea->eia_clientowner.co_ownerid.co_ownerid_val = cl->cl_owner;
	ea->eia_flags = 0;
	ea->eia_state_protect.spa_how = SP4_NONE;
	ret = exchange_id_at(cl, top, &arg, &res);
	if (ret == NFS4ERR_MINOR_VERS_MISMATCH && top > 1) {
		sess_log(
		    cl, SESS_LOG_INFO,
		    "EXCHANGE_ID: the server refuses NFSv4.%u, using NFSv4.1",
		    top);
		pthread_mutex_lock(&cl->cl_lock);
		cl->cl_stats.cst_minor_fallbacks++;
		pthread_mutex_unlock(&cl->cl_lock);
		ret = exchange_id_at(cl, 1, &arg, &res);
	}
	if (ret)
		return ret;
	st = res.nfs_resop4_u.opexchange_id.eir_status;
	ok = &res.nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u.eir_resok4;
	if (st == NFS4_OK) {
		pthread_mutex_lock(&cl->cl_lock);
		if (cl->cl_have_clientid && cl->cl_clientid != ok->eir_clientid)
			cl->cl_state_gen++; /* new client id: state is gone */
		cl->cl_clientid = ok->eir_clientid;
		cl->cl_create_seq = ok->eir_sequenceid;
		cl->cl_have_clientid = true;
		cl->cl_stats.cst_new_clientids++;
		pthread_mutex_unlock(&cl->cl_lock);
		sess_log(cl, SESS_LOG_INFO,
			 "EXCHANGE_ID: client id %#llx, NFSv4.%u%s",
			 (unsigned long long)ok->eir_clientid,
			 atomic_load(&cl->cl_minor),
			 ok->eir_flags & EXCHGID4_FLAG_CONFIRMED_R
			     ? " (confirmed before)"
			     : "");
	}
	xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res);
	return (int)st;
}

static void fore_attrs(struct sess_client *cl, channel_attrs4 *ca,
		       uint32_t *ird)
{
	memset(ca, 0, sizeof(*ca));
	ca->ca_headerpadsize = 0;
	ca->ca_maxrequestsize = cl->cl_opts.max_io_size + 16384;
	ca->ca_maxresponsesize = cl->cl_opts.max_io_size + 16384;
	ca->ca_maxresponsesize_cached = 65536;
	ca->ca_maxoperations = SESS_MAX_OPS + 1;
	ca->ca_maxrequests = cl->cl_opts.fore_max_requests;
	if (cl->cl_xprt->x_is_rdma) {
		*ird = cl->cl_xprt->x_rdma_ird;
		ca->ca_rdma_ird.ca_rdma_ird_len = 1;
		ca->ca_rdma_ird.ca_rdma_ird_val = ird;
	}
}

static void back_attrs(channel_attrs4 *ca)
{
	memset(ca, 0, sizeof(*ca));
	ca->ca_maxrequestsize = 8192;
	ca->ca_maxresponsesize = 8192;
	ca->ca_maxresponsesize_cached = 0;
	ca->ca_maxoperations = 8;
	ca->ca_maxrequests = 1;
}

int sess_do_create_session(struct sess_client *cl)
{
	nfs_argop4 arg = {.argop = NFS4_OP_CREATE_SESSION};
	nfs_resop4 res;
	CREATE_SESSION4args *ca = &arg.nfs_argop4_u.opcreate_session;
	CREATE_SESSION4resok *ok;
	callback_sec_parms4 sec;
	uint32_t ird = 0, nslots, io;
	struct sess_slot_table slots;
	nfsstat4 st;
	int ret;

	pthread_mutex_lock(&cl->cl_lock);
	ca->csa_clientid = cl->cl_clientid;
	ca->csa_sequence = cl->cl_create_seq;
	pthread_mutex_unlock(&cl->cl_lock);
	ca->csa_flags = cl->cl_xprt->x_has_backchannel
			    ? CREATE_SESSION4_FLAG_CONN_BACK_CHAN
			    : 0;
	if (cl->cl_xprt->x_is_rdma)
		ca->csa_flags |= CREATE_SESSION4_FLAG_CONN_RDMA;
	fore_attrs(cl, &ca->csa_fore_chan_attrs, &ird);
	back_attrs(&ca->csa_back_chan_attrs);
	ca->csa_cb_program = SESS_CB_PROGRAM;
	memset(&sec, 0, sizeof(sec));
	sec.cb_secflavor = SESS_AUTH_SYS;
	sec.callback_sec_parms4_u.cbsp_sys_cred.aup_machname =
	    cl->cl_cred.as_machinename;
	sec.callback_sec_parms4_u.cbsp_sys_cred.aup_uid = cl->cl_cred.as_uid;
	sec.callback_sec_parms4_u.cbsp_sys_cred.aup_gid = cl->cl_cred.as_gid;
	sec.callback_sec_parms4_u.cbsp_sys_cred.aup_time =
	    (int32_t)cl->cl_cred.as_stamp;
	ca->csa_sec_parms.csa_sec_parms_len = 1;
	ca->csa_sec_parms.csa_sec_parms_val = &sec;

	ret = one_op(cl, &arg, &res);
	if (ret)
		return ret;
	st = res.nfs_resop4_u.opcreate_session.csr_status;
	ok = &res.nfs_resop4_u.opcreate_session.CREATE_SESSION4res_u.csr_resok4;
	if (st != NFS4_OK)
		goto out_free;
	nslots = ok->csr_fore_chan_attrs.ca_maxrequests;
	if (nslots == 0 || ok->csr_fore_chan_attrs.ca_maxoperations < 2 ||
	    ok->csr_fore_chan_attrs.ca_maxrequestsize < 1024 ||
	    ok->csr_fore_chan_attrs.ca_maxresponsesize < 1024) {
		st = NFS4ERR_SERVERFAULT; /* unusable channel attributes */
		goto out_free;
	}
	if (nslots > SESS_SLOTS_MAX)
		nslots = SESS_SLOTS_MAX;
	if (sess_slots_init(&slots, nslots)) {
		st = NFS4ERR_RESOURCE;
		goto out_free;
	}
	io = cl->cl_opts.max_io_size;
	if (ok->csr_fore_chan_attrs.ca_maxrequestsize - 1024 < io)
		io = ok->csr_fore_chan_attrs.ca_maxrequestsize - 1024;
	if (ok->csr_fore_chan_attrs.ca_maxresponsesize - 1024 < io)
		io = ok->csr_fore_chan_attrs.ca_maxresponsesize - 1024;
	io &= ~4095u;
	if (!io)
		io = 512;

	pthread_mutex_lock(&cl->cl_lock);
	sess_slots_fini(&cl->cl_slots);
	cl->cl_slots = slots;
	memcpy(cl->cl_sessionid, ok->csr_sessionid, sizeof(sessionid4));
	cl->cl_fore = ok->csr_fore_chan_attrs;
	cl->cl_fore.ca_rdma_ird.ca_rdma_ird_len = 0;
	cl->cl_fore.ca_rdma_ird.ca_rdma_ird_val = NULL;
	cl->cl_back = ok->csr_back_chan_attrs;
	cl->cl_back.ca_rdma_ird.ca_rdma_ird_len = 0;
	cl->cl_back.ca_rdma_ird.ca_rdma_ird_val = NULL;
	cl->cl_create_seq++;
	cl->cl_have_session = true;
	cl->cl_session_gen++;
	cl->cl_cb_seqid = 0;
	cl->cl_max_io = io;
	cl->cl_stats.cst_new_sessions++;
	pthread_cond_broadcast(&cl->cl_cond);
	pthread_mutex_unlock(&cl->cl_lock);
	sess_log(cl, SESS_LOG_INFO,
		 "CREATE_SESSION: %u slots, max request %u, max response %u",
		 nslots, ok->csr_fore_chan_attrs.ca_maxrequestsize,
		 ok->csr_fore_chan_attrs.ca_maxresponsesize);
out_free:
	xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res);
	return (int)st;
}

int sess_do_reclaim_complete(struct sess_client *cl)
{
	nfs_argop4 arg = {.argop = NFS4_OP_RECLAIM_COMPLETE};
	struct sess_compound c = {.sc_args = &arg, .sc_nargs = 1};
	int ret;

	arg.nfs_argop4_u.opreclaim_complete.rca_one_fs = false;
	ret = sess_compound_flags(cl, &c, true);
	if (ret)
		return ret;
	sess_compound_free(&c);
	if (c.sc_status == NFS4ERR_COMPLETE_ALREADY)
		return 0;
	return (int)c.sc_status;
}

/* How long BIND_CONN_TO_SESSION on an extra connection may take. */
#define SESS_EXTRA_BIND_TIMEOUT_MS 5000

int sess_do_bind_conn_on(struct sess_client *cl, struct sess_xprt *xprt,
			 channel_dir_from_client4 dir, uint64_t *bound_gen)
{
	nfs_argop4 arg = {.argop = NFS4_OP_BIND_CONN_TO_SESSION};
	BIND_CONN_TO_SESSION4args *ba =
	    &arg.nfs_argop4_u.opbind_conn_to_session;
	BIND_CONN_TO_SESSION4resok *ok;
	/*
	 * An extra connection that connects but does not answer must not
	 * hold the renewer (sess_trunk_maintain) for a whole call timeout.
	 */
	struct sess_raw raw = {.r_args = &arg,
			       .r_nargs = 1,
			       .r_xprt = xprt,
			       .r_timeout_ms = xprt != cl->cl_xprt
						   ? SESS_EXTRA_BIND_TIMEOUT_MS
						   : 0};
	nfs_resop4 res;
	uint64_t gen;
	nfsstat4 st;
	int ret;

	raw.r_res = &res;
	pthread_mutex_lock(&cl->cl_lock);
	memcpy(ba->bctsa_sessid, cl->cl_sessionid, sizeof(sessionid4));
	gen = cl->cl_session_gen;
	pthread_mutex_unlock(&cl->cl_lock);
	ba->bctsa_dir = dir;
	ba->bctsa_use_conn_in_rdma_mode = xprt->x_is_rdma;
	ret = sess_raw_call(cl, &raw);
	if (ret)
		return ret;
	if (raw.r_nres != 1) {
		sess_raw_free(&raw);
		return raw.r_status ? (int)raw.r_status : -EBADMSG;
	}
	st = res.nfs_resop4_u.opbind_conn_to_session.bctsr_status;
	ok = &res.nfs_resop4_u.opbind_conn_to_session.BIND_CONN_TO_SESSION4res_u
		  .bctsr_resok4;
	/* The peer must bind this session, and at least for the fore
	 * channel (the only direction an extra connection is used for). */
	if (st == NFS4_OK &&
	    (memcmp(ok->bctsr_sessid, ba->bctsa_sessid, sizeof(sessionid4)) ||
	     !(ok->bctsr_dir & CDFS4_FORE))) {
		sess_log(cl, SESS_LOG_WARN,
			 "BIND_CONN_TO_SESSION answer names another session "
			 "or direction %u",
			 (unsigned int)ok->bctsr_dir);
		st = NFS4ERR_SERVERFAULT;
	}
	xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res);
	if (st == NFS4_OK) {
		pthread_mutex_lock(&cl->cl_lock);
		cl->cl_stats.cst_bind_conn++;
		pthread_mutex_unlock(&cl->cl_lock);
		if (bound_gen)
			*bound_gen = gen;
	}
	return (int)st;
}

int sess_do_bind_conn(struct sess_client *cl)
{
	return sess_do_bind_conn_on(cl, cl->cl_xprt, CDFC4_FORE_OR_BOTH, NULL);
}

int sess_do_destroy_session(struct sess_client *cl)
{
	nfs_argop4 arg = {.argop = NFS4_OP_DESTROY_SESSION};
	nfs_resop4 res;
	nfsstat4 st;
	int ret;

	pthread_mutex_lock(&cl->cl_lock);
	if (!cl->cl_have_session) {
		pthread_mutex_unlock(&cl->cl_lock);
		return 0;
	}
	memcpy(arg.nfs_argop4_u.opdestroy_session.dsa_sessionid,
	       cl->cl_sessionid, sizeof(sessionid4));
	pthread_mutex_unlock(&cl->cl_lock);
	ret = one_op(cl, &arg, &res);
	if (ret)
		return ret;
	st = res.nfs_resop4_u.opdestroy_session.dsr_status;
	xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res);
	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_have_session = false;
	cl->cl_session_gen++;
	pthread_cond_broadcast(&cl->cl_cond);
	pthread_mutex_unlock(&cl->cl_lock);
	return (int)st;
}

int sess_do_destroy_clientid(struct sess_client *cl)
{
	nfs_argop4 arg = {.argop = NFS4_OP_DESTROY_CLIENTID};
	nfs_resop4 res;
	nfsstat4 st;
	int ret;

	arg.nfs_argop4_u.opdestroy_clientid.dca_clientid = cl->cl_clientid;
	ret = one_op(cl, &arg, &res);
	if (ret)
		return ret;
	st = res.nfs_resop4_u.opdestroy_clientid.dcr_status;
	xdr_nfree((xdrproc_t)xdr_nfs_resop4, &res);
	if (st == NFS4_OK)
		cl->cl_have_clientid = false;
	return (int)st;
}

/* GETATTR lease_time on the root; keeps 60 s when it fails. */
static void learn_lease(struct sess_client *cl)
{
	nfs_argop4 args[2];
	struct sess_compound c = {.sc_args = args, .sc_nargs = 2};
	fattr4 *fa;
	uint32_t lease = 60;
	XDR xdrs;

	memset(args, 0, sizeof(args));
	args[0].argop = NFS4_OP_PUTROOTFH;
	args[1].argop = NFS4_OP_GETATTR;
	args[1].nfs_argop4_u.opgetattr.attr_request.bitmap4_len = 1;
	args[1].nfs_argop4_u.opgetattr.attr_request.map[0] =
	    1u << FATTR4_LEASE_TIME;
	if (sess_compound_flags(cl, &c, true))
		goto out;
	if (c.sc_status == NFS4_OK && c.sc_nres == 2) {
		fa = &c.sc_res[1]
			  .nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
			  .obj_attributes;
		if (fa->attrmask.bitmap4_len >= 1 &&
		    (fa->attrmask.map[0] & (1u << FATTR4_LEASE_TIME)) &&
		    fa->attr_vals.attrlist4_len >= 4) {
			xdrmem_ncreate(&xdrs, fa->attr_vals.attrlist4_val,
				       fa->attr_vals.attrlist4_len, XDR_DECODE);
			if (!xdr_u_int32_t(&xdrs, &lease) || lease < 2)
				lease = 60;
		}
	}
	sess_compound_free(&c);
out:
	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_lease_s = lease;
	pthread_mutex_unlock(&cl->cl_lock);
}

static void *renewer(void *arg)
{
	struct sess_client *cl = arg;
	struct timespec now, wake;
	struct sess_compound c;
	bool renew, flags;
	uint32_t third;

	pthread_mutex_lock(&cl->cl_lock);
	while (!cl->cl_stopping) {
		clock_gettime(CLOCK_REALTIME, &wake);
		if (cl->cl_nconns > 1 && sess_trunk_repair_pending_locked(cl)) {
			wake.tv_nsec += 100 * 1000 * 1000;
			if (wake.tv_nsec >= 1000 * 1000 * 1000) {
				wake.tv_sec++;
				wake.tv_nsec -= 1000 * 1000 * 1000;
			}
		} else {
			wake.tv_sec += 1;
		}
		pthread_cond_timedwait(&cl->cl_renew_cond, &cl->cl_lock, &wake);
		if (cl->cl_stopping)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		third = cl->cl_lease_s / 3 ? cl->cl_lease_s / 3 : 1;
		renew = !cl->cl_recovering &&
			now.tv_sec - cl->cl_last_renew.tv_sec >= third;
		flags = cl->cl_pending_flags != 0;
		pthread_mutex_unlock(&cl->cl_lock);
		if (flags)
			sess_handle_pending_flags(cl);
		if (renew) {
			memset(&c, 0, sizeof(c));
			if (sess_compound(cl, &c) == 0)
				sess_compound_free(&c);
			else
				sess_log(cl, SESS_LOG_WARN,
					 "lease renewal failed");
		}
		/*
		 * After the renewal: reconnecting a lost extra may block for
		 * its connect and bind timeouts, and the lease must not wait
		 * for that.
		 */
		if (cl->cl_nconns > 1)
			sess_trunk_maintain(cl, false);
		pthread_mutex_lock(&cl->cl_lock);
	}
	pthread_mutex_unlock(&cl->cl_lock);
	return NULL;
}

/*
 * The first connect, tried again while it times out or is refused, for
 * up to connect_retry_s: 256 clients that connect at once are accepted in
 * turn by a server whose loop has other work, and a server still reaping
 * the connections of clients that just left counts them against its cap
 * for a moment.  The pauses grow (0.1 s doubling to 2 s) and are jittered
 * so that the refused do not come back all at once.
 */
static int first_connect(struct sess_client *cl)
{
	struct timespec t0, now, nap;
	uint32_t pause_ms = 100, r = 0;
	long spent_ms, left_ms, ms;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (__atomic_load_n(&cl->cl_shutdown, __ATOMIC_RELAXED))
			return -ESHUTDOWN;
		ret = cl->cl_xprt->x_ops->connect(cl->cl_xprt);
		if (ret != -ETIMEDOUT && ret != -ECONNREFUSED)
			return ret;
		clock_gettime(CLOCK_MONOTONIC, &now);
		spent_ms = (now.tv_sec - t0.tv_sec) * 1000L +
			   (now.tv_nsec - t0.tv_nsec) / 1000000L;
		left_ms = (long)cl->cl_opts.connect_retry_s * 1000L - spent_ms;
		if (left_ms <= 0)
			return ret;
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (uint32_t)now.tv_nsec;
		/* Half the pause plus up to the other half, at random. */
		ms = pause_ms / 2 + r % (pause_ms / 2 + 1);
		if (ms > left_ms)
			ms = left_ms;
		sess_log(cl, SESS_LOG_INFO,
			 "connect: %s, trying again in %ld ms", strerror(-ret),
			 ms);
		nap.tv_sec = ms / 1000;
		nap.tv_nsec = (ms % 1000) * 1000000L;
		nanosleep(&nap, NULL);
		if (pause_ms < 2000)
			pause_ms *= 2;
	}
}

int sess_client_start(struct sess_client *cl)
{
	int ret;

	ret = first_connect(cl);
	if (ret)
		return ret;
	ret = sess_do_exchange_id(cl);
	if (ret)
		return ret;
	ret = sess_do_create_session(cl);
	if (ret)
		return ret;
	ret = sess_do_reclaim_complete(cl);
	if (ret)
		return ret;
	learn_lease(cl);
	/* Extra connections: a failure here is not the session's. */
	sess_trunk_maintain(cl, true);
	clock_gettime(CLOCK_MONOTONIC, &cl->cl_last_renew);
	ret = pthread_create(&cl->cl_renewer, NULL, renewer, cl);
	if (ret)
		return -ret;
	cl->cl_renewer_running = true;
	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_started = true;
	pthread_mutex_unlock(&cl->cl_lock);
	return 0;
}

/* Milliseconds from @t0 (CLOCK_MONOTONIC) to now. */
static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000L +
	       (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

void sess_client_shutdown(struct sess_client *cl, int grace_ms)
{
	struct timespec t0, nap = {0, 20 * 1000 * 1000};
	bool started, recovering;
	uint32_t i, left;

	pthread_mutex_lock(&cl->cl_lock);
	if (!cl->cl_shutdown) {
		__atomic_store_n(&cl->cl_shutdown, true, __ATOMIC_RELAXED);
		cl->cl_stopping = true;
		pthread_cond_broadcast(&cl->cl_cond);
		pthread_cond_broadcast(&cl->cl_renew_cond);
	}
	pthread_mutex_unlock(&cl->cl_lock);
	if (grace_ms < 0)
		return;
	/*
	 * Calls already sent to a server that answers are let finish: their
	 * results are what their callers wait for.  Every transport call
	 * (sessionless ones too: EXCHANGE_ID, DESTROY_SESSION, a bind) is
	 * counted in cl_calls_out; a call ends within the grace or is cut.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((left = __atomic_load_n(&cl->cl_calls_out, __ATOMIC_RELAXED)) &&
	       ms_since(&t0) < grace_ms)
		nanosleep(&nap, NULL);
	pthread_mutex_lock(&cl->cl_lock);
	started = cl->cl_started;
	recovering = cl->cl_recovering;
	pthread_mutex_unlock(&cl->cl_lock);
	/*
	 * A client still starting or recovering may be between calls (in a
	 * connect, or a back-off): its connection is dropped all the same,
	 * which ends a connect waiting for a server that does not answer.
	 */
	if (!left && started && !recovering)
		return;
	/*
	 * The rest wait on a server that does not answer (stopped, slow, or
	 * a connection being re-made): drop every connection, which ends
	 * their waits (and a connect in progress) with -ENOTCONN; with no
	 * recovery allowed they end with -ESHUTDOWN.
	 */
	sess_log(cl, SESS_LOG_WARN,
		 "shutting down: %u call(s) unanswered%s%s, dropping the "
		 "connection(s)",
		 left, left ? " after the grace" : "",
		 recovering ? ", recovery in progress" : "");
	for (i = 0; i < cl->cl_nconns; i++)
		cl->cl_conns[i].sn_xprt->x_ops->disconnect(
		    cl->cl_conns[i].sn_xprt);
}

/* What is left of the polite budget for one DESTROY_*: -1 when spent. */
static int polite_left(const struct timespec *t0)
{
	long left = SESS_SHUTDOWN_POLITE_MS - ms_since(t0);

	return left > 0 ? (int)left : -1;
}

int sess_client_stop(struct sess_client *cl)
{
	struct timespec t0;
	int ret = 0, r;

	pthread_mutex_lock(&cl->cl_lock);
	cl->cl_stopping = true;
	pthread_cond_broadcast(&cl->cl_cond);
	pthread_cond_broadcast(&cl->cl_renew_cond);
	pthread_mutex_unlock(&cl->cl_lock);
	if (cl->cl_renewer_running) {
		pthread_join(cl->cl_renewer, NULL);
		cl->cl_renewer_running = false;
	}
	if (cl->cl_started) {
		cl->cl_started = false;
		/*
		 * After a shutdown the server may not answer: both calls
		 * together get SESS_SHUTDOWN_POLITE_MS, and a call that finds
		 * the connection down fails at once (no reconnection).
		 */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (cl->cl_shutdown)
			cl->cl_polite_ms = polite_left(&t0);
		ret = sess_do_destroy_session(cl);
		if (cl->cl_shutdown)
			cl->cl_polite_ms = polite_left(&t0);
		/* DESTROY_CLIENTID fails with CLIENTID_BUSY while state
		 * remains (e.g. opens a crashed caller left); not fatal. */
		r = sess_do_destroy_clientid(cl);
		if (!ret)
			ret = r;
	}
	sess_trunk_disconnect(cl);
	cl->cl_xprt->x_ops->disconnect(cl->cl_xprt);
	return ret;
}

void sess_client_destroy(struct sess_client *cl)
{
	if (!cl)
		return;
	if (cl->cl_started || cl->cl_renewer_running)
		(void)sess_client_stop(cl);
	sess_trunk_destroy(cl);
	cl->cl_xprt->x_ops->destroy(cl->cl_xprt);
	sess_slots_fini(&cl->cl_slots);
	pthread_mutex_destroy(&cl->cl_lock);
	pthread_cond_destroy(&cl->cl_cond);
	pthread_cond_destroy(&cl->cl_renew_cond);
	free(cl);
}

void sess_client_get_stats(struct sess_client *cl, struct sess_client_stats *st)
{
	pthread_mutex_lock(&cl->cl_lock);
	*st = cl->cl_stats;
	st->cst_slots = cl->cl_slots.st_nslots;
	st->cst_slot_limit =
	    cl->cl_slots.st_nslots ? sess_slots_limit(&cl->cl_slots) : 0;
	st->cst_lease_s = cl->cl_lease_s;
	st->cst_minor = atomic_load(&cl->cl_minor);
	st->cst_clientid = cl->cl_clientid;
	memcpy(st->cst_sessionid, cl->cl_sessionid, sizeof(sessionid4));
	st->cst_fore = cl->cl_fore;
	st->cst_back = cl->cl_back;
	sess_trunk_stats_locked(cl, st);
	pthread_mutex_unlock(&cl->cl_lock);
	cl->cl_xprt->x_ops->get_stats(cl->cl_xprt, &st->cst_xprt);
	sess_trunk_xprt_stats(cl, &st->cst_xprt);
}

uint64_t sess_client_state_gen(struct sess_client *cl)
{
	uint64_t gen;

	pthread_mutex_lock(&cl->cl_lock);
	gen = cl->cl_state_gen;
	pthread_mutex_unlock(&cl->cl_lock);
	return gen;
}

const char *sess_client_owner(struct sess_client *cl)
{
	return cl->cl_owner;
}

clientid4 sess_client_clientid(struct sess_client *cl)
{
	clientid4 id;

	pthread_mutex_lock(&cl->cl_lock);
	id = cl->cl_clientid;
	pthread_mutex_unlock(&cl->cl_lock);
	return id;
}

uint32_t sess_client_minor(struct sess_client *cl)
{
	return atomic_load(&cl->cl_minor);
}

uint32_t sess_client_max_io(struct sess_client *cl)
{
	uint32_t io;

	pthread_mutex_lock(&cl->cl_lock);
	io = cl->cl_max_io;
	pthread_mutex_unlock(&cl->cl_lock);
	return io;
}
