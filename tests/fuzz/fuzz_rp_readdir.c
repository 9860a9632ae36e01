/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Fuzz target: a backend's READDIR reply as the gateway takes it - the
 * session client's COMPOUND decoder (src/sessions/sess_codec.c,
 * included, with its loop over entry4) and the gateway's cut of each
 * entry's FILEHANDLE (rp_entry_fh.c).
 *
 * How this works: the first four input bytes are the maxcount asked for
 * (big-endian), the rest is the COMPOUND reply to SEQUENCE + PUTFH +
 * READDIR.  A reply that decodes must hold no more entries than
 * SESS_READDIR_MAX_ENTRIES nor than its maxcount allows (24 bytes at
 * least each), with names within SESS_NAME_MAX; every entry's attributes
 * then go through rp_fattr_take_fh() like the gateway's READDIR, and the
 * whole is freed (ASan: no leak, no double free).
 */
#include <stdlib.h>
#include <string.h>

/*
 * The entry cap scaled down, so that inputs of a few KiB reach it (the
 * real one, 16384 entries, needs ~400 KB, which libFuzzer mutates at a
 * few hundred runs a second).
 */
#define SESS_READDIR_MAX_ENTRIES 64
#include "../../src/sessions/sess_codec.c"
#include "rp_entry_fh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sess_xprt_call call = {0};
	nfs_argop4 args[3];
	nfs_resop4 res[3];
	struct sess_raw r;
	uint8_t fh[NFS4_FHSIZE];
	uint32_t maxcount, fh_len, n = 0;
	uint8_t *buf;
	entry4 *e;
	int ret;

	if (size < 8)
		return 0;
	maxcount = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
		   (uint32_t)data[2] << 8 | data[3];
	/* the decoder wants 4-byte alignment, as the transports give it */
	buf = malloc(size - 4);
	if (!buf)
		return 0;
	memcpy(buf, data + 4, size - 4);
	memset(args, 0, sizeof(args));
	args[0].argop = NFS4_OP_SEQUENCE;
	args[1].argop = NFS4_OP_PUTFH;
	args[2].argop = NFS4_OP_READDIR;
	args[2].nfs_argop4_u.opreaddir.maxcount = maxcount;
	r = (struct sess_raw){.r_args = args, .r_nargs = 3, .r_res = res};
	ret = decode_compound(&r, buf, size - 4, &call);
	if (ret == 0 && r.r_nres == 3 &&
	    res[2].nfs_resop4_u.opreaddir.status == NFS4_OK) {
		for (e = res[2]
			     .nfs_resop4_u.opreaddir.READDIR4res_u.resok4.reply
			     .entries;
		     e; e = e->nextentry) {
			n++;
			if (e->name.utf8string_len > SESS_NAME_MAX)
				abort();
			if (rp_fattr_take_fh(&e->attrs, fh, &fh_len) &&
			    (fh_len < 1 || fh_len > NFS4_FHSIZE))
				abort();
		}
		if (n > SESS_READDIR_MAX_ENTRIES ||
		    (uint64_t)n * 24 > (uint64_t)maxcount)
			abort();
	}
	if (ret == 0)
		sess_raw_free(&r);
	free(buf);
	return 0;
}
