/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Fuzz target: the gateway's own walk of a backend's attributes
 * (rp_fattr_take_fh(), src/FSAL_RDMA_PROXY/rp_entry_fh.c), which cuts a
 * READDIR entry's FILEHANDLE out of the attribute values before Ganesha
 * decodes the rest.
 *
 * How this works: the first byte picks how many bitmap words follow (0 to
 * 3, then as many big-endian words), the rest is the attribute values.
 * When a handle is taken it must be 1..NFS4_FHSIZE bytes, its bit cleared
 * and the values exactly 4 + its padded length shorter; when none is,
 * the attributes must be left as they were.  Aborts on a broken rule.
 */
#include <stdlib.h>
#include <string.h>

#include "rp_entry_fh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t fh[NFS4_FHSIZE];
	uint32_t fh_len = 0, words, i, before;
	fattr4 fa, copy;
	char *vals;
	bool took;

	if (size < 1)
		return 0;
	words = data[0] % 4;
	if (size < 1 + 4 * (size_t)words)
		return 0;
	memset(&fa, 0, sizeof(fa));
	fa.attrmask.bitmap4_len = words;
	for (i = 0; i < words; i++)
		fa.attrmask.map[i] = (uint32_t)data[1 + 4 * i] << 24 |
				     (uint32_t)data[2 + 4 * i] << 16 |
				     (uint32_t)data[3 + 4 * i] << 8 |
				     data[4 + 4 * i];
	before = (uint32_t)(size - 1 - 4 * words);
	vals = malloc(before ? before : 1);
	if (!vals)
		return 0;
	memcpy(vals, data + 1 + 4 * words, before);
	fa.attr_vals.attrlist4_val = vals;
	fa.attr_vals.attrlist4_len = before;
	copy = fa;
	took = rp_fattr_take_fh(&fa, fh, &fh_len);
	if (took) {
		if (fh_len < 1 || fh_len > NFS4_FHSIZE ||
		    (fa.attrmask.map[0] & (1u << FATTR4_FILEHANDLE)) ||
		    fa.attr_vals.attrlist4_len !=
			before - 4 - ((fh_len + 3) & ~3u))
			abort();
	} else if (memcmp(&fa.attrmask, &copy.attrmask, sizeof(fa.attrmask)) ||
		   fa.attr_vals.attrlist4_len != before ||
		   memcmp(fa.attr_vals.attrlist4_val, data + 1 + 4 * words,
			  before)) {
		abort();
	}
	if (fa.attr_vals.attrlist4_val != vals)
		abort(); /* cut in place, never reallocated */
	free(vals);
	return 0;
}
