// SPDX-License-Identifier: LGPL-3.0-or-later
/*
 * gw_openmodes41 HOST PORT DIR PREFIX: gw_openmodes.c's rounds over
 * NFSv4.1, on this project's session client (src/sessions).
 *
 * The same 576 rounds (first OPEN, upgrading OPEN of the same owner, an
 * optional lock, OPEN_DOWNGRADE to either OPEN's modes, four probe OPENs
 * of another owner, unlock and close), one line each in the same format,
 * so that a run against the backend and one through the gateway can be
 * compared line by line.  NFSv4.1 has no owner seqids and no
 * OPEN_CONFIRM: the session orders the calls.  Round N works on file
 * DIR/PREFIX<N>.  Exit: 0 when every round ran, 1 when the session could
 * not be set up or a call got no answer.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nfsv41.h"
#include "sess_client.h"
#include "sess_xprt.h"

static struct sess_client *cl;
static clientid4 clientid;
static char dirpath[1024];
static char fname[64];

/* PUTROOTFH, LOOKUP the directory (and the file unless @op is an OPEN),
 * then @op; *st the COMPOUND's status, *sid the op's stateid on success */
static int call(nfs_argop4 *op, nfsstat4 *st, stateid4 *sid)
{
	nfs_argop4 ops[SESS_MAX_OPS];
	struct sess_compound c = {.sc_args = ops, .sc_cachethis = true};
	char copy[1024], *p, *save = NULL;
	uint32_t n = 0;
	nfs_resop4 *r;
	int ret;

	memset(ops, 0, sizeof(ops));
	snprintf(copy, sizeof(copy), "%s", dirpath);
	ops[n++].argop = NFS4_OP_PUTROOTFH;
	for (p = strtok_r(copy, "/", &save); p && n < SESS_MAX_OPS - 2;
	     p = strtok_r(NULL, "/", &save)) {
		ops[n].argop = NFS4_OP_LOOKUP;
		ops[n].nfs_argop4_u.oplookup.objname.utf8string_val = p;
		ops[n].nfs_argop4_u.oplookup.objname.utf8string_len = strlen(p);
		n++;
	}
	if (op->argop != NFS4_OP_OPEN) {
		ops[n].argop = NFS4_OP_LOOKUP;
		ops[n].nfs_argop4_u.oplookup.objname.utf8string_val = fname;
		ops[n].nfs_argop4_u.oplookup.objname.utf8string_len =
		    strlen(fname);
		n++;
	}
	ops[n++] = *op;
	c.sc_nargs = n;
	ret = sess_compound(cl, &c);
	if (ret) {
		fprintf(stderr, "compound: %s\n", strerror(-ret));
		return -1;
	}
	*st = c.sc_status;
	r = c.sc_nres == n ? &c.sc_res[n - 1] : NULL;
	if (r && c.sc_status == NFS4_OK && sid) {
		switch (r->resop) {
		case NFS4_OP_OPEN:
			*sid = r->nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
			break;
		case NFS4_OP_OPEN_DOWNGRADE:
			*sid = r->nfs_resop4_u.opopen_downgrade
				   .OPEN_DOWNGRADE4res_u.resok4.open_stateid;
			break;
		case NFS4_OP_LOCK:
			*sid = r->nfs_resop4_u.oplock.LOCK4res_u.resok4
				   .lock_stateid;
			break;
		default:
			break;
		}
	}
	sess_compound_free(&c);
	return 0;
}

static int do_open(const char *owner, uint32_t acc, uint32_t deny,
		   stateid4 *sid, nfsstat4 *st)
{
	nfs_argop4 op;
	OPEN4args *a = &op.nfs_argop4_u.opopen;

	memset(&op, 0, sizeof(op));
	op.argop = NFS4_OP_OPEN;
	a->share_access = acc | OPEN4_SHARE_ACCESS_WANT_NO_DELEG;
	a->share_deny = deny;
	a->owner.clientid = clientid;
	a->owner.owner.owner_val = (char *)owner;
	a->owner.owner.owner_len = strlen(owner);
	a->openhow.opentype = OPEN4_NOCREATE;
	a->claim.claim = CLAIM_NULL;
	a->claim.open_claim4_u.file.utf8string_val = fname;
	a->claim.open_claim4_u.file.utf8string_len = strlen(fname);
	return call(&op, st, sid);
}

static const char *prefix;
static const char *const accn[] = {"-", "R", "W", "B"};

static int round_(unsigned int idx, uint32_t a1, uint32_t d1, uint32_t a2,
		  uint32_t d2, bool lock, int target)
{
	char oo[40], lo[40], po[40];
	stateid4 sid = {0}, lsid = {0}, psid;
	nfsstat4 s1 = 0, s2 = 0, sl = 0, sd = 0, su = 0, sc = 0, ps[4];
	uint32_t q1 = 0, q2 = 0, qd = 0, ta, td;
	static const uint32_t probe[4][2] = {
	    {OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_NONE},
	    {OPEN4_SHARE_ACCESS_WRITE, OPEN4_SHARE_DENY_NONE},
	    {OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_READ},
	    {OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_WRITE}};
	nfs_argop4 op;
	int i;

	snprintf(fname, sizeof(fname), "%s%u", prefix, idx);
	snprintf(oo, sizeof(oo), "oo-%u", idx);
	snprintf(lo, sizeof(lo), "lo-%u", idx);
	ta = target == 1 ? a1 : a2;
	td = target == 1 ? d1 : d2;
	if (do_open(oo, a1, d1, &sid, &s1))
		return -1;
	q1 = sid.seqid;
	if (s1 != NFS4_OK)
		goto print;
	if (do_open(oo, a2, d2, &sid, &s2))
		return -1;
	q2 = sid.seqid;
	if (lock && s2 == NFS4_OK) {
		LOCK4args *l = &op.nfs_argop4_u.oplock;

		memset(&op, 0, sizeof(op));
		op.argop = NFS4_OP_LOCK;
		l->locktype =
		    ta & OPEN4_SHARE_ACCESS_WRITE ? WRITE_LT : READ_LT;
		l->length = 100;
		l->locker.new_lock_owner = 1;
		l->locker.locker4_u.open_owner.open_stateid = sid;
		l->locker.locker4_u.open_owner.lock_owner.clientid = clientid;
		l->locker.locker4_u.open_owner.lock_owner.owner.owner_val = lo;
		l->locker.locker4_u.open_owner.lock_owner.owner.owner_len =
		    strlen(lo);
		if (call(&op, &sl, &lsid))
			return -1;
	}
	memset(&op, 0, sizeof(op));
	op.argop = NFS4_OP_OPEN_DOWNGRADE;
	op.nfs_argop4_u.opopen_downgrade.open_stateid = sid;
	op.nfs_argop4_u.opopen_downgrade.share_access = ta;
	op.nfs_argop4_u.opopen_downgrade.share_deny = td;
	if (call(&op, &sd, &sid))
		return -1;
	qd = sid.seqid;
	for (i = 0; i < 4; i++) {
		snprintf(po, sizeof(po), "probe-%u-%d", idx, i);
		if (do_open(po, probe[i][0], probe[i][1], &psid, &ps[i]))
			return -1;
		if (ps[i] != NFS4_OK)
			continue;
		memset(&op, 0, sizeof(op));
		op.argop = NFS4_OP_CLOSE;
		op.nfs_argop4_u.opclose.open_stateid = psid;
		if (call(&op, &sc, NULL))
			return -1;
	}
	if (lock && sl == NFS4_OK) {
		memset(&op, 0, sizeof(op));
		op.argop = NFS4_OP_LOCKU;
		op.nfs_argop4_u.oplocku.locktype =
		    ta & OPEN4_SHARE_ACCESS_WRITE ? WRITE_LT : READ_LT;
		op.nfs_argop4_u.oplocku.lock_stateid = lsid;
		op.nfs_argop4_u.oplocku.length = 100;
		if (call(&op, &su, NULL))
			return -1;
	}
	memset(&op, 0, sizeof(op));
	op.argop = NFS4_OP_CLOSE;
	op.nfs_argop4_u.opclose.open_stateid = sid;
	if (call(&op, &sc, NULL))
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
	struct sess_xprt_tcp_opts to = {0};
	struct sess_client_opts so = {0};
	struct sess_xprt *x;
	unsigned int idx = 0;
	uint32_t a1, d1, a2, d2;
	int lock, target, ret, rc = 0;
	char suffix[32];

	if (argc != 5) {
		fprintf(stderr, "usage: gw_openmodes41 HOST PORT DIR PREFIX\n");
		return 2;
	}
	to.host = argv[1];
	to.port = (uint16_t)atoi(argv[2]);
	snprintf(dirpath, sizeof(dirpath), "%s", argv[3]);
	prefix = argv[4];
	x = sess_xprt_tcp_create(&to);
	if (!x) {
		perror("transport");
		return 1;
	}
	snprintf(suffix, sizeof(suffix), "openmodes-%d", (int)getpid());
	so.owner_suffix = suffix;
	cl = sess_client_create(x, &so, &ret);
	if (!cl) {
		fprintf(stderr, "client: %s\n", strerror(-ret));
		return 1;
	}
	ret = sess_client_start(cl);
	if (ret) {
		fprintf(stderr, "session with %s:%s: %d\n", argv[1], argv[2],
			ret);
		sess_client_destroy(cl);
		return 1;
	}
	clientid = sess_client_clientid(cl);
	for (a1 = 1; a1 <= 3; a1++)
		for (d1 = 0; d1 <= 3; d1++)
			for (a2 = 1; a2 <= 3; a2++)
				for (d2 = 0; d2 <= 3; d2++)
					for (lock = 0; lock <= 1; lock++)
						for (target = 1; target <= 2;
						     target++)
							if (!rc &&
							    round_(idx++, a1,
								   d1, a2, d2,
								   lock,
								   target))
								rc = 1;
	sess_client_destroy(cl);
	return rc;
}
