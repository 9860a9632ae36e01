/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_fattr_take_fh(): READDIR entry attributes as a backend
 * sends them, well-formed and not.  A handle is taken only when every
 * length fits the buffer; otherwise the attributes are left untouched so
 * the gateway falls back to a LOOKUP.
 */
#include <arpa/inet.h>
#include <string.h>

#include "rp_entry_fh.h"
#include "gr_check.h"

struct blob {
	char buf[512];
	uint32_t len;
};

static void put32(struct blob *b, uint32_t v)
{
	uint32_t be = htonl(v);

	memcpy(b->buf + b->len, &be, 4);
	b->len += 4;
}

static void put_bytes(struct blob *b, const void *p, uint32_t n)
{
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	while (b->len % 4)
		b->buf[b->len++] = 0;
}

static void set_fa(fattr4 *fa, struct blob *b, uint32_t map0, uint32_t map1)
{
	memset(fa, 0, sizeof(*fa));
	fa->attrmask.bitmap4_len = 2;
	fa->attrmask.map[0] = map0;
	fa->attrmask.map[1] = map1;
	fa->attr_vals.attrlist4_val = b->buf;
	fa->attr_vals.attrlist4_len = b->len;
}

#define B(x) (1u << (x))
#define B1(x) (1u << ((x)-32))

/* TYPE, CHANGE, SIZE, FSID, FILEHANDLE(len, bytes), FILEID, MODE */
static void typical(struct blob *b, uint32_t fh_len_field, uint32_t fh_bytes)
{
	uint8_t fh[200];

	memset(b, 0, sizeof(*b));
	memset(fh, 0xab, sizeof(fh));
	put32(b, 1); /* type NF4REG */
	put32(b, 0);
	put32(b, 7); /* change */
	put32(b, 0);
	put32(b, 4096); /* size */
	put32(b, 0);
	put32(b, 1);
	put32(b, 0);
	put32(b, 2); /* fsid */
	put32(b, fh_len_field);
	put_bytes(b, fh, fh_bytes);
	put32(b, 0);
	put32(b, 42);	/* fileid */
	put32(b, 0644); /* mode */
}

int main(void)
{
	const uint32_t map0 = B(FATTR4_TYPE) | B(FATTR4_CHANGE) |
			      B(FATTR4_SIZE) | B(FATTR4_FSID) |
			      B(FATTR4_FILEHANDLE) | B(FATTR4_FILEID);
	uint8_t fh[NFS4_FHSIZE];
	uint32_t fh_len = 0, before;
	struct blob b;
	fattr4 fa;
	uint32_t be;

	/* Well formed: handle taken, the rest closed up behind it. */
	typical(&b, 10, 10);
	before = b.len;
	set_fa(&fa, &b, map0, B1(FATTR4_MODE));
	CHECK(rp_fattr_take_fh(&fa, fh, &fh_len));
	CHECK_EQ(fh_len, 10);
	CHECK_EQ(fh[0], 0xab);
	CHECK_EQ(fa.attr_vals.attrlist4_len, before - 4 - 12);
	CHECK(!(fa.attrmask.map[0] & B(FATTR4_FILEHANDLE)));
	memcpy(&be, fa.attr_vals.attrlist4_val + 36, 4);
	CHECK_EQ(ntohl(be), 0); /* fileid's high word follows FSID now */
	memcpy(&be, fa.attr_vals.attrlist4_val + 40, 4);
	CHECK_EQ(ntohl(be), 42);

	/* The largest handle NFSv4 allows. */
	typical(&b, NFS4_FHSIZE, NFS4_FHSIZE);
	set_fa(&fa, &b, map0, B1(FATTR4_MODE));
	CHECK(rp_fattr_take_fh(&fa, fh, &fh_len));
	CHECK_EQ(fh_len, NFS4_FHSIZE);

	/* No FILEHANDLE asked or sent. */
	typical(&b, 10, 10);
	set_fa(&fa, &b, map0 & ~B(FATTR4_FILEHANDLE), 0);
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));

	/* Over-long handle, zero length, length past the buffer. */
	typical(&b, NFS4_FHSIZE + 4, NFS4_FHSIZE + 4);
	set_fa(&fa, &b, map0, B1(FATTR4_MODE));
	before = fa.attr_vals.attrlist4_len;
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));
	CHECK_EQ(fa.attr_vals.attrlist4_len, before);
	CHECK(fa.attrmask.map[0] & B(FATTR4_FILEHANDLE));

	typical(&b, 0, 0);
	set_fa(&fa, &b, map0, B1(FATTR4_MODE));
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));

	typical(&b, 64, 8); /* says 64, the buffer ends sooner */
	b.len = 36 + 4 + 8;
	set_fa(&fa, &b, map0, 0);
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));

	typical(&b, 0xfffffffc, 4); /* padding arithmetic must not wrap */
	set_fa(&fa, &b, map0, 0);
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));

	/* Values shorter than the fixed attributes before the handle. */
	typical(&b, 10, 10);
	set_fa(&fa, &b, map0, 0);
	fa.attr_vals.attrlist4_len = 20;
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));

	/* An attribute of unknown size before the handle: don't guess. */
	typical(&b, 10, 10);
	set_fa(&fa, &b, map0 | B(FATTR4_SUPPORTED_ATTRS), 0);
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));

	/* Bitmap of length 0 with values. */
	typical(&b, 10, 10);
	set_fa(&fa, &b, map0, 0);
	fa.attrmask.bitmap4_len = 0;
	CHECK(!rp_fattr_take_fh(&fa, fh, &fh_len));

	return gr_check_done("test_rp_entry_fh");
}
