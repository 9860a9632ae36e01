// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * gw_openmodes URL_DIR PREFIX: NFSv4.0 open upgrade and downgrade, in raw
 * COMPOUNDs (libnfs offers no OPEN_DOWNGRADE).
 *
 * For every first OPEN (access READ/WRITE/BOTH x deny NONE/READ/WRITE/
 * BOTH) and every second OPEN of the same open owner (the upgrade), with
 * and without a byte-range lock taken after the upgrade, it downgrades to
 * the first and, in another round, to the second OPEN's modes.  Then a
 * second open owner probes the resulting share reservation with four
 * OPENs (each conflicts with a different access or deny bit), and
 * everything is unlocked and closed.  Round N works on file PREFIX<N>
 * (GW_OPENMODES_ONLY=N runs that round alone).  One line per round gives every
 * status and the open stateid's seqid after each step, so the output of
 * a run against the backend and one through a gateway can be compared
 * line by line: the gateway must answer as the backend does.
 *
 * Exit: 0 when every round ran (whatever the statuses), 1 on a transport
 * failure or when setup (SETCLIENTID, LOOKUP) fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nfs4.h>

struct reply {
	bool done;
	int rpc_status;
	nfsstat4 status; /* of the COMPOUND: its last op's */
	stateid4 sid;	 /* from OPEN/OPEN_CONFIRM/DOWNGRADE/LOCK */
	uint32_t rflags;
	clientid4 clientid;
	verifier4 confirm;
};

struct owner {
	char name[40];
	uint32_t seq;
};

static struct nfs_context *nfs;
static clientid4 clientid;
static char *dirpath;
static char fname[64];

static void cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct reply *r = priv;
	COMPOUND4res *res = data;
	unsigned int i;

	(void)rpc;
	r->done = true;
	r->rpc_status = status;
	if (status != RPC_STATUS_SUCCESS || !res)
		return;
	r->status = res->status;
	for (i = 0; i < res->resarray.resarray_len; i++) {
		nfs_resop4 *o = &res->resarray.resarray_val[i];

		switch (o->resop) {
		case OP_OPEN:
			if (o->nfs_resop4_u.opopen.status == NFS4_OK) {
				OPEN4resok *ok =
				    &o->nfs_resop4_u.opopen.OPEN4res_u.resok4;

				r->sid = ok->stateid;
				r->rflags = ok->rflags;
			}
			break;
		case OP_OPEN_CONFIRM:
			if (o->nfs_resop4_u.opopen_confirm.status == NFS4_OK)
				r->sid =
				    o->nfs_resop4_u.opopen_confirm
					.OPEN_CONFIRM4res_u.resok4.open_stateid;
			break;
		case OP_OPEN_DOWNGRADE:
			if (o->nfs_resop4_u.opopen_downgrade.status == NFS4_OK)
				r->sid = o->nfs_resop4_u.opopen_downgrade
					     .OPEN_DOWNGRADE4res_u.resok4
					     .open_stateid;
			break;
		case OP_LOCK:
			if (o->nfs_resop4_u.oplock.status == NFS4_OK)
				r->sid = o->nfs_resop4_u.oplock.LOCK4res_u
					     .resok4.lock_stateid;
			break;
		case OP_SETCLIENTID:
			if (o->nfs_resop4_u.opsetclientid.status == NFS4_OK) {
				SETCLIENTID4resok *ok =
				    &o->nfs_resop4_u.opsetclientid
					 .SETCLIENTID4res_u.resok4;

				r->clientid = ok->clientid;
				memcpy(r->confirm, ok->setclientid_confirm,
				       sizeof(verifier4));
			}
			break;
		default:
			break;
		}
	}
}

/* PUTROOTFH, LOOKUP the directory's components, then @op (n of them). */
static int call(nfs_argop4 *tail, int ntail, bool putfh, struct reply *r)
{
	struct rpc_context *rpc = nfs_get_rpc_context(nfs);
	nfs_argop4 ops[40];
	char copy[1024], *p, *save = NULL;
	COMPOUND4args args;
	struct pollfd pfd;
	int n = 0, i;

	memset(ops, 0, sizeof(ops));
	memset(r, 0, sizeof(*r));
	if (putfh) {
		snprintf(copy, sizeof(copy), "%s", dirpath);
		ops[n++].argop = OP_PUTROOTFH;
		for (p = strtok_r(copy, "/", &save); p && n < 30;
		     p = strtok_r(NULL, "/", &save)) {
			ops[n].argop = OP_LOOKUP;
			ops[n].nfs_argop4_u.oplookup.objname.utf8string_val = p;
			ops[n].nfs_argop4_u.oplookup.objname.utf8string_len =
			    strlen(p);
			n++;
		}
		/* the file itself, unless the op names it (OPEN) */
		if (tail[0].argop != OP_OPEN) {
			ops[n].argop = OP_LOOKUP;
			ops[n].nfs_argop4_u.oplookup.objname.utf8string_val =
			    fname;
			ops[n].nfs_argop4_u.oplookup.objname.utf8string_len =
			    strlen(fname);
			n++;
		}
	}
	for (i = 0; i < ntail && n < 40; i++)
		ops[n++] = tail[i];
	memset(&args, 0, sizeof(args));
	args.argarray.argarray_len = n;
	args.argarray.argarray_val = ops;
	if (rpc_nfs4_compound_async(rpc, cb, &args, r)) {
		fprintf(stderr, "compound: %s\n", rpc_get_error(rpc));
		return -1;
	}
	while (!r->done) {
		pfd.fd = rpc_get_fd(rpc);
		pfd.events = rpc_which_events(rpc);
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			return -1;
		if (rpc_service(rpc, pfd.revents) < 0) {
			fprintf(stderr, "compound: %s\n", rpc_get_error(rpc));
			return -1;
		}
	}
	if (r->rpc_status != RPC_STATUS_SUCCESS) {
		fprintf(stderr, "compound: RPC status %d\n", r->rpc_status);
		return -1;
	}
	return 0;
}

/* RFC 7530 9.1.7: the seqid advances except on these errors. */
static void bump(uint32_t *seq, nfsstat4 st)
{
	switch (st) {
	case NFS4ERR_STALE_CLIENTID:
	case NFS4ERR_STALE_STATEID:
	case NFS4ERR_BAD_STATEID:
	case NFS4ERR_BAD_SEQID:
	case NFS4ERR_BADZDR:
	case NFS4ERR_RESOURCE:
	case NFS4ERR_NOFILEHANDLE:
	case NFS4ERR_MOVED:
		return;
	default:
		(*seq)++;
	}
}

static int setclientid(void)
{
	nfs_argop4 op[1];
	struct reply r;
	char id[64];

	snprintf(id, sizeof(id), "gw-openmodes-%d", (int)getpid());
	memset(op, 0, sizeof(op));
	op[0].argop = OP_SETCLIENTID;
	memcpy(op[0].nfs_argop4_u.opsetclientid.client.verifier, "gwopenmd", 8);
	op[0].nfs_argop4_u.opsetclientid.client.id.id_val = id;
	op[0].nfs_argop4_u.opsetclientid.client.id.id_len = strlen(id);
	op[0].nfs_argop4_u.opsetclientid.callback.cb_location.r_netid = "tcp";
	op[0].nfs_argop4_u.opsetclientid.callback.cb_location.r_addr =
	    "127.0.0.1.0.0";
	if (call(op, 1, false, &r) || r.status != NFS4_OK)
		return -1;
	clientid = r.clientid;
	memset(op, 0, sizeof(op));
	op[0].argop = OP_SETCLIENTID_CONFIRM;
	op[0].nfs_argop4_u.opsetclientid_confirm.clientid = clientid;
	memcpy(op[0].nfs_argop4_u.opsetclientid_confirm.setclientid_confirm,
	       r.confirm, sizeof(verifier4));
	if (call(op, 1, false, &r) || r.status != NFS4_OK)
		return -1;
	return 0;
}

/* OPEN (and OPEN_CONFIRM for a new owner); *sid gets the open stateid. */
static int do_open(struct owner *o, uint32_t acc, uint32_t deny, stateid4 *sid,
		   nfsstat4 *st)
{
	nfs_argop4 op[1];
	struct reply r;
	OPEN4args *a = &op[0].nfs_argop4_u.opopen;

	memset(op, 0, sizeof(op));
	op[0].argop = OP_OPEN;
	a->seqid = o->seq;
	a->share_access = acc;
	a->share_deny = deny;
	a->owner.clientid = clientid;
	a->owner.owner.owner_val = o->name;
	a->owner.owner.owner_len = strlen(o->name);
	a->openhow.opentype = OPEN4_NOCREATE;
	a->claim.claim = CLAIM_NULL;
	a->claim.open_claim4_u.file.utf8string_val = fname;
	a->claim.open_claim4_u.file.utf8string_len = strlen(fname);
	if (call(op, 1, true, &r))
		return -1;
	bump(&o->seq, r.status);
	*st = r.status;
	if (r.status != NFS4_OK)
		return 0;
	*sid = r.sid;
	if (r.rflags & OPEN4_RESULT_CONFIRM) {
		memset(op, 0, sizeof(op));
		op[0].argop = OP_OPEN_CONFIRM;
		op[0].nfs_argop4_u.opopen_confirm.open_stateid = *sid;
		op[0].nfs_argop4_u.opopen_confirm.seqid = o->seq;
		if (call(op, 1, true, &r))
			return -1;
		bump(&o->seq, r.status);
		*st = r.status;
		if (r.status == NFS4_OK)
			*sid = r.sid;
	}
	return 0;
}

static int do_simple(struct owner *o, nfs_argop4 *op, stateid4 *sid,
		     nfsstat4 *st)
{
	struct reply r;

	if (call(op, 1, true, &r))
		return -1;
	bump(&o->seq, r.status);
	*st = r.status;
	if (r.status == NFS4_OK && sid)
		*sid = r.sid;
	return 0;
}

static const char *prefix;
static const char *const accn[] = {"-", "R", "W", "B"};

/* One round; prints its line.  Returns -1 on a transport failure. */
static int round_(unsigned int idx, uint32_t a1, uint32_t d1, uint32_t a2,
		  uint32_t d2, bool lock, int target)
{
	struct owner o, lo, p;
	stateid4 sid = {0}, lsid = {0}, psid;
	nfsstat4 s1 = 0, s2 = 0, sl = 0, sd = 0, su = 0, sc = 0, ps[4];
	uint32_t q1 = 0, q2 = 0, qd = 0, ta, td;
	static const uint32_t probe[4][2] = {
	    {OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_NONE},
	    {OPEN4_SHARE_ACCESS_WRITE, OPEN4_SHARE_DENY_NONE},
	    {OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_READ},
	    {OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_WRITE}};
	nfs_argop4 op[1];
	int i;

	/* A file per round: what one round leaves open cannot skew the next. */
	snprintf(fname, sizeof(fname), "%s%u", prefix, idx);
	snprintf(o.name, sizeof(o.name), "oo-%u", idx);
	snprintf(lo.name, sizeof(lo.name), "lo-%u", idx);
	o.seq = lo.seq = 0;
	ta = target == 1 ? a1 : a2;
	td = target == 1 ? d1 : d2;
	if (do_open(&o, a1, d1, &sid, &s1))
		return -1;
	q1 = sid.seqid;
	if (s1 != NFS4_OK)
		goto print;
	if (do_open(&o, a2, d2, &sid, &s2))
		return -1;
	q2 = sid.seqid;
	if (lock && s2 == NFS4_OK) {
		LOCK4args *l = &op[0].nfs_argop4_u.oplock;

		memset(op, 0, sizeof(op));
		op[0].argop = OP_LOCK;
		/* a lock the downgraded open still allows */
		l->locktype =
		    ta & OPEN4_SHARE_ACCESS_WRITE ? WRITE_LT : READ_LT;
		l->offset = 0;
		l->length = 100;
		l->locker.new_lock_owner = 1;
		l->locker.locker4_u.open_owner.open_seqid = o.seq;
		l->locker.locker4_u.open_owner.open_stateid = sid;
		l->locker.locker4_u.open_owner.lock_seqid = lo.seq;
		l->locker.locker4_u.open_owner.lock_owner.clientid = clientid;
		l->locker.locker4_u.open_owner.lock_owner.owner.owner_val =
		    lo.name;
		l->locker.locker4_u.open_owner.lock_owner.owner.owner_len =
		    strlen(lo.name);
		if (do_simple(&o, op, &lsid, &sl))
			return -1;
		if (sl == NFS4_OK)
			lo.seq++;
	}
	memset(op, 0, sizeof(op));
	op[0].argop = OP_OPEN_DOWNGRADE;
	op[0].nfs_argop4_u.opopen_downgrade.open_stateid = sid;
	op[0].nfs_argop4_u.opopen_downgrade.seqid = o.seq;
	op[0].nfs_argop4_u.opopen_downgrade.share_access = ta;
	op[0].nfs_argop4_u.opopen_downgrade.share_deny = td;
	if (do_simple(&o, op, &sid, &sd))
		return -1;
	/* Ganesha keeps the owner's seqid when OPEN_DOWNGRADE fails. */
	if (sd != NFS4_OK && sd != NFS4ERR_BAD_SEQID)
		o.seq--;
	qd = sid.seqid;
	for (i = 0; i < 4; i++) {
		snprintf(p.name, sizeof(p.name), "probe-%u-%d", idx, i);
		p.seq = 0;
		if (do_open(&p, probe[i][0], probe[i][1], &psid, &ps[i]))
			return -1;
		if (ps[i] != NFS4_OK)
			continue;
		memset(op, 0, sizeof(op));
		op[0].argop = OP_CLOSE;
		op[0].nfs_argop4_u.opclose.seqid = p.seq;
		op[0].nfs_argop4_u.opclose.open_stateid = psid;
		if (do_simple(&p, op, NULL, &sc))
			return -1;
	}
	if (lock && sl == NFS4_OK) {
		memset(op, 0, sizeof(op));
		op[0].argop = OP_LOCKU;
		op[0].nfs_argop4_u.oplocku.locktype =
		    ta & OPEN4_SHARE_ACCESS_WRITE ? WRITE_LT : READ_LT;
		op[0].nfs_argop4_u.oplocku.seqid = lo.seq;
		op[0].nfs_argop4_u.oplocku.lock_stateid = lsid;
		op[0].nfs_argop4_u.oplocku.length = 100;
		if (do_simple(&lo, op, NULL, &su))
			return -1;
	}
	memset(op, 0, sizeof(op));
	op[0].argop = OP_CLOSE;
	op[0].nfs_argop4_u.opclose.seqid = o.seq;
	op[0].nfs_argop4_u.opclose.open_stateid = sid;
	if (do_simple(&o, op, NULL, &sc))
		return -1;
print:
	printf(
	    "open %s/%s + %s/%s%s -> down %s/%s: open1 %d seq %u, open2 %d seq %u",
	    accn[a1], accn[d1], accn[a2], accn[d2], lock ? " +lock" : "",
	    accn[ta], accn[td], s1, q1, s2, q2);
	if (lock)
		printf(", lock %d", sl);
	printf(", downgrade %d seq %u", sd, qd);
	if (s1 == NFS4_OK)
		printf(", probes %d %d %d %d", ps[0], ps[1], ps[2], ps[3]);
	if (lock)
		printf(", unlock %d", su);
	printf(", close %d\n", sc);
	return 0;
}

int main(int argc, char **argv)
{
	struct nfs_url *url;
	unsigned int idx = 0;
	uint32_t a1, d1, a2, d2;
	int lock, target, only;

	if (argc != 3) {
		fprintf(
		    stderr,
		    "usage: gw_openmodes URL_DIR PREFIX (files PREFIX0..PREFIX575)\n");
		return 2;
	}
	prefix = argv[2];
	only = getenv("GW_OPENMODES_ONLY") ? atoi(getenv("GW_OPENMODES_ONLY"))
					   : -1;
	nfs = nfs_init_context();
	if (!nfs)
		return 1;
	url = nfs_parse_url_dir(nfs, argv[1]);
	if (!url) {
		fprintf(stderr, "bad URL %s: %s\n", argv[1],
			nfs_get_error(nfs));
		return 1;
	}
	if (nfs_mount(nfs, url->server, url->path)) {
		fprintf(stderr, "mount %s: %s\n", argv[1], nfs_get_error(nfs));
		return 1;
	}
	dirpath = url->path;
	if (setclientid()) {
		fprintf(stderr, "SETCLIENTID failed\n");
		return 1;
	}
	for (a1 = 1; a1 <= 3; a1++)
		for (d1 = 0; d1 <= 3; d1++)
			for (a2 = 1; a2 <= 3; a2++)
				for (d2 = 0; d2 <= 3; d2++)
					for (lock = 0; lock <= 1; lock++)
						for (target = 1; target <= 2;
						     target++)
							if ((only < 0 ||
							     (unsigned int)
								     only ==
								 idx) &&
							    round_(idx, a1, d1,
								   a2, d2, lock,
								   target))
								return 1;
							else
								idx++;
	nfs_destroy_url(url);
	nfs_destroy_context(nfs);
	return 0;
}
