/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of xr_gsh_seq_hide_cb_path_down(): encoded RPC replies as ganesha
 * sends them.  The two callback-path-down flags are cleared only in an
 * accepted AUTH_NONE/AUTH_SYS reply whose COMPOUND starts with a
 * successful SEQUENCE; anything else, truncated or malformed, is left
 * exactly as it was.
 */
#include <arpa/inet.h>
#include <string.h>

#include "gr_check.h"
#include "xr_gsh_seqflags.h"

struct msg {
	uint8_t b[256];
	size_t n;
	size_t flags_at;
};

static void put(struct msg *m, uint32_t v)
{
	uint32_t be = htonl(v);

	memcpy(m->b + m->n, &be, 4);
	m->n += 4;
}

/* xid, REPLY, ACCEPTED, verifier, SUCCESS, COMPOUND4res with SEQUENCE. */
static void reply(struct msg *m, uint32_t verf_flavor, uint32_t tag_len,
		  uint32_t first_op, uint32_t op_status, uint32_t flags)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	put(m, 0x1234);
	put(m, 1);
	put(m, 0);
	put(m, verf_flavor);
	put(m, 0); /* verifier body length */
	put(m, 0); /* SUCCESS */
	put(m, 0); /* COMPOUND status */
	put(m, tag_len);
	for (i = 0; i < (tag_len + 3) / 4; i++)
		put(m, 0x41414141);
	put(m, 3); /* results */
	put(m, first_op);
	put(m, op_status);
	for (i = 0; i < 4; i++)
		put(m, 0xabcd0000 + i); /* sessionid */
	put(m, 7);			/* sequenceid */
	put(m, 0);			/* slotid */
	put(m, 63);			/* highest */
	put(m, 63);			/* target highest */
	m->flags_at = m->n;
	put(m, flags);
}

static uint32_t flags_of(const struct msg *m)
{
	uint32_t be;

	memcpy(&be, m->b + m->flags_at, 4);
	return ntohl(be);
}

int main(void)
{
	struct msg m, orig;

	/* CB_PATH_DOWN (0x1) and CB_PATH_DOWN_SESSION (0x200) cleared, the
	 * others (RECALLABLE_STATE_REVOKED 0x40) kept. */
	reply(&m, 0, 0, 53, 0, 0x1 | 0x200 | 0x40);
	CHECK(xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	CHECK_EQ(flags_of(&m), 0x40);

	/* With a tag (padding followed) and AUTH_SYS verifier. */
	reply(&m, 1, 5, 53, 0, 0x1);
	CHECK(xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	CHECK_EQ(flags_of(&m), 0);

	/* Nothing to clear: untouched, false. */
	reply(&m, 0, 0, 53, 0, 0x40);
	orig = m;
	CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	CHECK(memcmp(m.b, orig.b, m.n) == 0);

	/* RPCSEC_GSS verifier (6): the bytes are covered, leave them. */
	reply(&m, 6, 0, 53, 0, 0x1);
	CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	CHECK_EQ(flags_of(&m), 0x1);

	/* First op not SEQUENCE (NFSv4.0 style PUTFH), or SEQUENCE failed. */
	reply(&m, 0, 0, 22, 0, 0x1);
	CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	reply(&m, 0, 0, 53, 10052, 0x1);
	CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, m.n));

	/* Truncated anywhere before the flags end: untouched. */
	reply(&m, 0, 0, 53, 0, 0x1);
	orig = m;
	for (size_t cut = 0; cut < m.n; cut++) {
		CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, cut));
		CHECK(memcmp(m.b, orig.b, m.n) == 0);
	}

	/* A tag length past the buffer, or absurd. */
	reply(&m, 0, 0, 53, 0, 0x1);
	m.b[28] = 0x7f; /* tag length word -> 0x7f000000 */
	CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	/* Not a reply / not accepted. */
	reply(&m, 0, 0, 53, 0, 0x1);
	m.b[7] = 0; /* msg type CALL */
	CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	reply(&m, 0, 0, 53, 0, 0x1);
	m.b[11] = 1; /* MSG_DENIED */
	CHECK(!xr_gsh_seq_hide_cb_path_down(m.b, m.n));
	CHECK(!xr_gsh_seq_hide_cb_path_down(NULL, 100));

	return gr_check_done("test_xr_gsh_seqflags");
}
