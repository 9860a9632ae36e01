/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * READDIR entry handles.  READDIR asks for each entry's FILEHANDLE along
 * with its attributes, so a directory listing costs one round trip per
 * READDIR instead of one LOOKUP per entry.  Ganesha's attribute decoder has
 * no place to put a handle, so rp_fattr_take_fh() cuts the handle out of
 * the entry's attribute values before the rest is decoded.  The values
 * come from the backend: every length and offset is checked against the
 * buffer before it is used.  Pure: no Ganesha calls (unit-tested alone).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "rp_entry_fh.h"

#define BIT0(b) (1u << (b))

/* XDR sizes of the fixed-size attributes that precede FILEHANDLE. */
static int rp_fixed_size(int bit)
{
	switch (bit) {
	case FATTR4_TYPE:
		return 4;
	case FATTR4_CHANGE:
	case FATTR4_SIZE:
		return 8;
	case FATTR4_FSID:
		return 16;
	default:
		return -1;
	}
}

bool rp_fattr_take_fh(fattr4 *fa, uint8_t *fh, uint32_t *fh_len)
{
	char *vals = fa->attr_vals.attrlist4_val;
	uint32_t total = fa->attr_vals.attrlist4_len;
	uint32_t off = 0, len_be, len, padded;
	int bit;

	if (fa->attrmask.bitmap4_len < 1 ||
	    !(fa->attrmask.map[0] & BIT0(FATTR4_FILEHANDLE)))
		return false;
	for (bit = 0; bit < FATTR4_FILEHANDLE; bit++) {
		int size;

		if (!(fa->attrmask.map[0] & BIT0(bit)))
			continue;
		size = rp_fixed_size(bit);
		if (size < 0)
			return false; /* not one we asked for: don't guess */
		off += (uint32_t)size;
	}
	if (off + 4 > total)
		return false;
	memcpy(&len_be, vals + off, 4);
	len = ntohl(len_be);
	padded = (len + 3) & ~3u;
	if (len == 0 || len > NFS4_FHSIZE || padded > total - off - 4)
		return false;
	memcpy(fh, vals + off + 4, len);
	*fh_len = len;
	/* Close the gap: the rest decodes as if FILEHANDLE was not asked. */
	memmove(vals + off, vals + off + 4 + padded, total - off - 4 - padded);
	fa->attr_vals.attrlist4_len = total - 4 - padded;
	fa->attrmask.map[0] &= ~BIT0(FATTR4_FILEHANDLE);
	return true;
}
