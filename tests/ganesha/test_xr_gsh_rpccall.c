/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of xr_gsh_rpccall.c: call headers read across byte ranges
 * split at every offset; the RFC 5531 verdicts (RPC version, credential
 * and verifier cut off or over 400 bytes) and their reply words; the
 * export id found in NFSv3 and NFSACL calls' first handle (none for NLM),
 * behind RPCSEC_GSS integrity, hidden by privacy, and arguments cut off;
 * the count of an NFSv3 READ (the READ arena's hint), split at every
 * offset, behind integrity, and none for anything else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "gr_check.h"
#include "xr_gsh_rpccall.h"

struct msg {
	uint8_t b[2048];
	size_t n;
};

static void put(struct msg *m, uint32_t v)
{
	uint32_t be = htonl(v);

	memcpy(m->b + m->n, &be, 4);
	m->n += 4;
}

static void zeros(struct msg *m, size_t n)
{
	memset(m->b + m->n, 0, n);
	m->n += n;
}

/* xid 7, CALL, rpcvers, prog, vers, proc, cred, AUTH_NONE verifier */
static void call(struct msg *m, uint32_t rpcvers, uint32_t prog, uint32_t vers,
		 uint32_t proc, uint32_t flavor, uint32_t clen)
{
	m->n = 0;
	put(m, 7);
	put(m, 0);
	put(m, rpcvers);
	put(m, prog);
	put(m, vers);
	put(m, proc);
	put(m, flavor);
	put(m, clen);
	zeros(m, (clen + 3) & ~3u);
	put(m, 0);
	put(m, 0);
}

/* A Ganesha v3 handle of export @id as an opaque<>. */
static void fh(struct msg *m, uint16_t id)
{
	put(m, 12);
	m->b[m->n++] = 2; /* fhversion */
	m->b[m->n++] = 0; /* flags */
	m->b[m->n++] = id >> 8;
	m->b[m->n++] = id & 0xff;
	zeros(m, 8);
}

/* Check and find the export with the message split in two at every offset. */
static int verdict_split(const struct msg *m, struct xr_gsh_rpc_call *c,
			 int *export_rc, uint16_t *id)
{
	int v = -1, first = -1;
	size_t cut;

	for (cut = 0; cut <= m->n; cut++) {
		struct iovec iov[3] = {
		    {(void *)m->b, cut},
		    {NULL, 0}, /* an empty range in between */
		    {(void *)(m->b + cut), m->n - cut},
		};
		uint16_t eid = 0;
		int erc;

		v = xr_gsh_rpc_call_check(iov, 3, c);
		erc = v == XR_GSH_RPC_PASS
			  ? xr_gsh_rpc_call_export(iov, 3, c, &eid)
			  : -1000;
		if (first == -1) {
			first = v;
			*export_rc = erc;
			*id = eid;
		}
		if (v != first || erc != *export_rc || (erc == 1 && eid != *id))
			return -2; /* the split changed the answer */
	}
	return first;
}

int main(void)
{
	struct xr_gsh_rpc_call c;
	struct msg m;
	uint8_t out[24];
	uint16_t id;
	int erc;

	/* A plain NFSv4 NULL call passes; its arguments follow the verifier. */
	call(&m, 2, 100003, 4, 0, 0, 0);
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_PASS);
	CHECK_EQ(c.rc_args, 40);
	CHECK_EQ(erc, 0);

	/* RPC version 3: RPC_MISMATCH 2..2. */
	call(&m, 3, 100003, 4, 0, 0, 0);
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_DENY_MISMATCH);
	CHECK_EQ(xr_gsh_rpc_denial_encode(c.rc_xid, XR_GSH_RPC_DENY_MISMATCH,
					  out, sizeof(out)),
		 24);
	CHECK(!memcmp(out, "\0\0\0\7\0\0\0\1\0\0\0\1\0\0\0\0\0\0\0\2\0\0\0\2",
		      24));

	/* Credential of 400 bytes passes, 401 does not. */
	call(&m, 2, 100003, 4, 0, 1, 400);
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_PASS);
	call(&m, 2, 100003, 4, 0, 1, 401);
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_DENY_BADCRED);
	CHECK_EQ(xr_gsh_rpc_denial_encode(7, XR_GSH_RPC_DENY_BADCRED, out, 20),
		 20);
	CHECK(!memcmp(out, "\0\0\0\7\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\2", 20));
	CHECK_EQ(xr_gsh_rpc_denial_encode(7, XR_GSH_RPC_DENY_BADCRED, out, 19),
		 0);
	CHECK_EQ(xr_gsh_rpc_denial_encode(7, XR_GSH_RPC_PASS, out, 24), 0);

	/* Cut off: in the credential, before it, in the verifier. */
	call(&m, 2, 100003, 4, 0, 1, 200);
	m.n = 32 + 100;
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_DENY_BADCRED);
	m.n = 20;
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_DENY_BADCRED);
	call(&m, 2, 100003, 4, 0, 0, 0);
	m.n -= 4;
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_DENY_BADVERF);
	CHECK_EQ(xr_gsh_rpc_denial_encode(7, XR_GSH_RPC_DENY_BADVERF, out, 20),
		 20);
	CHECK_EQ(out[19], 4);
	call(&m, 2, 100003, 4, 0, 0, 0);
	m.n -= 4;
	put(&m, 401);
	zeros(&m, 404);
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_DENY_BADVERF);

	/* Too short for an RPC version, or not a call: ntirpc's business. */
	call(&m, 2, 100003, 4, 0, 0, 0);
	m.n = 10;
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_PASS);
	call(&m, 2, 100003, 4, 0, 0, 0);
	m.b[7] = 1; /* REPLY */
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_PASS);

	/* NFSv3 GETATTR of export 0x1234; every procedure 1..21 has one. */
	call(&m, 2, 100003, 3, 1, 1, 20);
	fh(&m, 0x1234);
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_PASS);
	CHECK_EQ(erc, 1);
	CHECK_EQ(id, 0x1234);
	call(&m, 2, 100003, 3, 22, 1, 20);
	fh(&m, 0x1234);
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, 0);		  /* no such procedure */
	call(&m, 2, 100003, 4, 1, 1, 20); /* NFSv4 COMPOUND: not this way */
	fh(&m, 0x1234);
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, 0);
	/* Handle too short for an export id; handle over 64 bytes; cut off. */
	call(&m, 2, 100003, 3, 1, 0, 0);
	put(&m, 2);
	put(&m, 0);
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, 0);
	call(&m, 2, 100003, 3, 1, 0, 0);
	put(&m, 65);
	zeros(&m, 68);
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, -EBADMSG);
	call(&m, 2, 100003, 3, 1, 0, 0);
	put(&m, 12);
	m.b[m.n++] = 2;
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, -EBADMSG);

	/* NFSACL v3 SETACL. */
	call(&m, 2, 100227, 3, 2, 0, 0);
	fh(&m, 9);
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, 1);
	CHECK_EQ(id, 9);

	/* NLM v4 LOCK: not served on the NFS dispatcher, not looked into. */
	call(&m, 2, 100021, 4, 2, 1, 20);
	fh(&m, 77);
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, 0);

	/* RPCSEC_GSS: integrity skips length and seq_num; privacy hides. */
	call(&m, 2, 100003, 3, 6, 6, 24);
	m.b[32 + 15] = 2; /* service: integrity */
	put(&m, 24);
	put(&m, 1); /* databody length, seq_num */
	fh(&m, 3);
	CHECK_EQ(verdict_split(&m, &c, &erc, &id), XR_GSH_RPC_PASS);
	CHECK_EQ(c.rc_gss_service, 2);
	CHECK_EQ(erc, 1);
	CHECK_EQ(id, 3);
	m.b[32 + 15] = 3; /* privacy */
	verdict_split(&m, &c, &erc, &id);
	CHECK_EQ(erc, -EACCES);

	/* NFSv3 READ: the count, wherever the ranges split the call. */
	{
		uint32_t cnt, want_ok;
		size_t cut;

		call(&m, 2, 100003, 3, 6, 1, 20);
		fh(&m, 3);
		put(&m, 0);
		put(&m, 8192); /* offset */
		put(&m, 65536);
		for (cut = 0; cut <= m.n; cut++) {
			struct iovec iov[2] = {{m.b, cut},
					       {m.b + cut, m.n - cut}};

			cnt = 0;
			CHECK_EQ(xr_gsh_rpc_call_check(iov, 2, &c),
				 XR_GSH_RPC_PASS);
			CHECK_EQ(xr_gsh_rpc_call_read3_count(iov, 2, &c, &cnt),
				 1);
			CHECK_EQ(cnt, 65536);
		}
		/* Cut off before the count's last byte: no hint. */
		{
			struct iovec iov = {m.b, m.n - 1};

			CHECK_EQ(xr_gsh_rpc_call_read3_count(&iov, 1, &c, &cnt),
				 0);
		}
		/* WRITE (7), NFSv4, NFSACL: none. */
		want_ok = 0;
		call(&m, 2, 100003, 3, 7, 1, 20);
		fh(&m, 3);
		put(&m, 0);
		put(&m, 0);
		put(&m, 4096);
		verdict_split(&m, &c, &erc, &id);
		CHECK_EQ((uint32_t)xr_gsh_rpc_call_read3_count(
			     &(struct iovec){m.b, m.n}, 1, &c, &cnt),
			 want_ok);
		c.rc_vers = 4;
		c.rc_proc = 6;
		CHECK_EQ(xr_gsh_rpc_call_read3_count(&(struct iovec){m.b, m.n},
						     1, &c, &cnt),
			 0);
		/* A handle over 64 bytes: none. */
		call(&m, 2, 100003, 3, 6, 0, 0);
		put(&m, 68);
		zeros(&m, 68 + 12);
		verdict_split(&m, &c, &erc, &id);
		CHECK_EQ(xr_gsh_rpc_call_read3_count(&(struct iovec){m.b, m.n},
						     1, &c, &cnt),
			 0);
		/* RPCSEC_GSS integrity: after length and seq_num; privacy:
		 * none. */
		call(&m, 2, 100003, 3, 6, 6, 24);
		m.b[32 + 15] = 2;
		put(&m, 24);
		put(&m, 1);
		fh(&m, 3);
		put(&m, 0);
		put(&m, 0);
		put(&m, 4000);
		verdict_split(&m, &c, &erc, &id);
		CHECK_EQ(xr_gsh_rpc_call_read3_count(&(struct iovec){m.b, m.n},
						     1, &c, &cnt),
			 1);
		CHECK_EQ(cnt, 4000);
		m.b[32 + 15] = 3;
		verdict_split(&m, &c, &erc, &id);
		CHECK_EQ(xr_gsh_rpc_call_read3_count(&(struct iovec){m.b, m.n},
						     1, &c, &cnt),
			 0);
	}

	return gr_check_done("test_xr_gsh_rpccall");
}
