/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Fuzz target for everything the session client decodes from the network:
 * COMPOUND replies (for several operation lists, with the READ-into-buffer
 * path and the fattr4 parser on GETATTR/READDIR results) and backchannel
 * calls.  The first input byte picks the case.
 *
 * Built with libFuzzer when GR_FUZZ=ON (clang); otherwise a main() runs
 * the built-in seeds plus random mutations of them, so every build checks
 * the same code (see CMakeLists.txt).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sessions/sess_codec.c"
#include "../../src/sessions/sess_cb.c"
#include "../../src/sessions/sess_ops.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const nfs_opnum4 case_ops[][5] = {
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_READ},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_GETATTR},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_READDIR},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTROOTFH, NFS4_OP_LOOKUP, NFS4_OP_GETFH,
     NFS4_OP_GETATTR},
    {NFS4_OP_EXCHANGE_ID},
    {NFS4_OP_CREATE_SESSION},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_OPEN, NFS4_OP_GETFH},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_WRITE},
    /* NFSv4.2 (cases 8..11; 8 and 9 have bounded decoders of their own) */
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_GETXATTR},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_LISTXATTR},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_SEEK},
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_ALLOCATE},
    /* 12: READ_PLUS, decoded by sess_codec.c itself */
    {NFS4_OP_SEQUENCE, NFS4_OP_PUTFH, NFS4_OP_READ_PLUS},
};
#define NCASES (sizeof(case_ops) / sizeof(case_ops[0]))

static struct sess_client *fuzz_client(void)
{
	static struct sess_client *cl;

	if (!cl) {
		cl = calloc(1, sizeof(*cl));
		pthread_mutex_init(&cl->cl_lock, NULL);
		pthread_cond_init(&cl->cl_cond, NULL);
		cl->cl_have_session = true;
		memset(cl->cl_sessionid, 7, sizeof(sessionid4));
		if (sess_slots_init(&cl->cl_slots, 8))
			abort();
	}
	return cl;
}

static void fuzz_reply(unsigned int which, const uint8_t *data, size_t size)
{
	nfs_argop4 args[5];
	nfs_resop4 res[5];
	uint8_t dst[4096];
	struct sess_raw r = {.r_args = args, .r_res = res};
	struct sess_xprt_call call = {.tc_bulk_in = dst,
				      .tc_bulk_in_cap = sizeof(dst)};
	struct sess_attr attr;
	entry4 *e;
	uint32_t i;

	memset(args, 0, sizeof(args));
	for (i = 0; i < 5 && (i == 0 || case_ops[which][i]); i++)
		args[i].argop = case_ops[which][i];
	r.r_nargs = i;
	if (which == 12)
		args[2].nfs_argop4_u.opread_plus.rpa_count = 1024;
	else
		args[2].nfs_argop4_u.oplistxattr.lxa_maxcount = 1024; /* 9 */
	if (which == 0) {
		r.r_bulk_in = dst;
		r.r_bulk_in_cap = sizeof(dst);
	}
	if (decode_compound(&r, data, size, &call))
		return;
	for (i = 0; i < r.r_nres; i++) {
		if (res[i].resop == NFS4_OP_GETATTR &&
		    res[i].nfs_resop4_u.opgetattr.status == NFS4_OK)
			(void)sess_decode_fattr(getattr_res(&res[i]), &attr);
		if (res[i].resop == NFS4_OP_READDIR &&
		    res[i].nfs_resop4_u.opreaddir.status == NFS4_OK)
			for (e = res[i]
				     .nfs_resop4_u.opreaddir.READDIR4res_u
				     .resok4.reply.entries;
			     e; e = e->nextentry)
				(void)sess_decode_fattr(&e->attrs, &attr);
	}
	sess_raw_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t rep[2048];
	uint8_t *msg;

	if (size < 1)
		return 0;
	/* Transports hand over 4-byte aligned records (malloc'ed). */
	msg = malloc(size);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, size - 1);
	if (data[0] % (NCASES + 1) == NCASES) /* the last case: backchannel */
		(void)sess_cb_handle(fuzz_client(), msg, size - 1,
				     (uint8_t *)rep, sizeof(rep));
	else
		fuzz_reply(data[0] % (NCASES + 1), msg, size - 1);
	free(msg);
	return 0;
}

#ifndef SESS_LIBFUZZER
/*
 * Seeds: valid replies of case 0 (READ), 8 (GETXATTR), 9 (LISTXATTR) and
 * 12 (READ_PLUS), then mutants of each.
 */
static size_t seed_head(uint8_t *buf, uint8_t which)
{
	uint32_t w[] = {0, 0, 3, NFS4_OP_SEQUENCE, 0};
	size_t n = 0, i;

	buf[n++] = which;
	for (i = 0; i < 5; i++) {
		uint32_t be = htonl(w[i]);

		memcpy(buf + n, &be, 4);
		n += 4;
	}
	memset(buf + n, 7, 16); /* session id */
	n += 16;
	memset(buf + n, 0, 20); /* seqid slot highest target flags */
	n += 20;
	return n;
}

static size_t seed_words(uint8_t *buf, size_t n, const uint32_t *w, size_t nw)
{
	size_t i;

	for (i = 0; i < nw; i++) {
		uint32_t be = htonl(w[i]);

		memcpy(buf + n, &be, 4);
		n += 4;
	}
	return n;
}

static size_t seed_read(uint8_t *buf, size_t cap)
{
	uint32_t tail[] = {NFS4_OP_PUTFH, 0, NFS4_OP_READ, 0, 1, 5};
	size_t n = seed_words(buf, seed_head(buf, 0), tail, 6);

	memcpy(buf + n, "hello\0\0\0", 8);
	n += 8;
	return n < cap ? n : cap;
}

static size_t seed_getxattr(uint8_t *buf, size_t cap)
{
	uint32_t tail[] = {NFS4_OP_PUTFH, 0, NFS4_OP_GETXATTR, 0, 5};
	size_t n = seed_words(buf, seed_head(buf, 8), tail, 5);

	memcpy(buf + n, "value\0\0\0", 8);
	n += 8;
	return n < cap ? n : cap;
}

static size_t seed_listxattr(uint8_t *buf, size_t cap)
{
	/* cookie 7, two names ("a", "bcde"), eof */
	uint32_t tail[] = {NFS4_OP_PUTFH, 0, NFS4_OP_LISTXATTR, 0, 0, 7, 2, 1};
	size_t n = seed_words(buf, seed_head(buf, 9), tail, 8);
	uint32_t eof = htonl(1), four = htonl(4);

	memcpy(buf + n, "a\0\0\0", 4);
	memcpy(buf + n + 4, &four, 4);
	memcpy(buf + n + 8, "bcde", 4);
	memcpy(buf + n + 12, &eof, 4);
	n += 16;
	return n < cap ? n : cap;
}

static size_t seed_read_plus(uint8_t *buf, size_t cap)
{
	/* not eof, a hole at 0 of 4096, then 5 bytes of data at 4096 */
	uint32_t tail[] = {NFS4_OP_PUTFH,
			   0,
			   NFS4_OP_READ_PLUS,
			   0,
			   0,
			   2,
			   NFS4_CONTENT_HOLE,
			   0,
			   0,
			   0,
			   4096,
			   NFS4_CONTENT_DATA,
			   0,
			   4096,
			   5};
	size_t n = seed_words(buf, seed_head(buf, 12), tail, 15);

	memcpy(buf + n, "hello\0\0\0", 8);
	n += 8;
	return n < cap ? n : cap;
}

int main(int argc, char **argv)
{
	uint8_t seeds[4][512], m[512];
	size_t lens[4], n, k, j;
	unsigned int r = 99;
	long iters = argc > 1 ? atol(argv[1]) : 200000;

	lens[0] = seed_read(seeds[0], sizeof(seeds[0]));
	lens[1] = seed_getxattr(seeds[1], sizeof(seeds[1]));
	lens[2] = seed_listxattr(seeds[2], sizeof(seeds[2]));
	lens[3] = seed_read_plus(seeds[3], sizeof(seeds[3]));
	/* the seeds as they are decode */
	for (k = 0; k < 4; k++)
		(void)LLVMFuzzerTestOneInput(seeds[k], lens[k]);
	for (k = 0; k < (size_t)iters; k++) {
		n = lens[k % 4];
		memcpy(m, seeds[k % 4], n);
		/* the seed's own case half the time, any case otherwise */
		if (k & 1)
			m[0] = (uint8_t)((k / 2) % (NCASES + 1));
		for (j = 0; j < 1 + k % 6; j++) {
			r = r * 1103515245u + 12345u;
			m[1 + (r >> 8) % (n - 1)] = (uint8_t)(r >> 16);
		}
		r = r * 1103515245u + 12345u;
		(void)LLVMFuzzerTestOneInput(m, 1 + (r >> 8) % n);
		(void)LLVMFuzzerTestOneInput(m, n);
	}
	printf("fuzz_sess: %ld mutated inputs decoded without a fault\n",
	       iters);
	return 0;
}
#endif
