/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_handle_mac.c: the gateway's wire handles are accepted
 * only as sealed.  Every single bit flipped anywhere in a handle (kind,
 * backend handle, MAC), a handle cut short or grown, a handle of another
 * export or made under another key: all refused.  The key file: made on
 * first use with mode 0600, read back the same afterwards (handles
 * survive a restart), refused when others can read it or it is cut.
 * The MAC of a fixed input is pinned (computed with Python's hmac), so a
 * change of format that would invalidate every handle clients hold
 * cannot go unnoticed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp_handle_mac.h"
#include "gr_check.h"

#define FH_MAX 106 /* RP_FH_MAX: 128 - Ganesha's 5 - kind - MAC */

static void key_of(struct rp_mac_key *k, uint8_t seed)
{
	size_t i;

	for (i = 0; i < sizeof(k->mk_key); i++)
		k->mk_key[i] = (uint8_t)(seed + i);
}

/* Every bit of a sealed handle flipped in turn: each one refused. */
static void flips(const struct rp_mac_key *k, uint8_t kind, const uint8_t *fh,
		  uint32_t fh_len)
{
	uint8_t w[1 + FH_MAX + RP_MAC_LEN], kind_out;
	const uint8_t *fh_out;
	uint32_t len_out;
	unsigned int bit, refused = 0;
	int len;

	len = rp_wire_seal(k, 7, kind, fh, fh_len, w, sizeof(w));
	CHECK_EQ(len, 1 + fh_len + RP_MAC_LEN);
	if (len < 0)
		return;
	CHECK_EQ(
	    rp_wire_open(k, 7, w, (size_t)len, &kind_out, &fh_out, &len_out),
	    0);
	CHECK_EQ(kind_out, kind);
	CHECK_EQ(len_out, fh_len);
	CHECK(fh_out == w + 1);
	CHECK(fh_len == 0 || memcmp(fh_out, fh, fh_len) == 0);
	for (bit = 0; bit < (unsigned int)len * 8; bit++) {
		w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (rp_wire_open(k, 7, w, (size_t)len, &kind_out, &fh_out,
				 &len_out) == -EBADMSG)
			refused++;
		w[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	CHECK_EQ(refused, (unsigned int)len * 8);
	/* and the original still passes: the flips were undone */
	CHECK_EQ(
	    rp_wire_open(k, 7, w, (size_t)len, &kind_out, &fh_out, &len_out),
	    0);
}

static void handles(void)
{
	struct rp_mac_key k, other;
	uint8_t fh[FH_MAX], w[1 + FH_MAX + RP_MAC_LEN + 8], kind;
	const uint8_t *p;
	uint32_t n;
	int len;
	size_t i;

	key_of(&k, 1);
	key_of(&other, 2);
	for (i = 0; i < sizeof(fh); i++)
		fh[i] = (uint8_t)(i * 37 + 5);

	flips(&k, 2, NULL, 0); /* the export root: kind + MAC only */
	flips(&k, 1, fh, 1);
	flips(&k, 1, fh, 28);	  /* Ganesha FSAL_VFS size */
	flips(&k, 1, fh, FH_MAX); /* the longest that fits */

	len = rp_wire_seal(&k, 7, 1, fh, 28, w, sizeof(w));
	CHECK_EQ(len, 1 + 28 + RP_MAC_LEN);
	/* another export's, another key's */
	CHECK_EQ(rp_wire_open(&k, 8, w, (size_t)len, &kind, &p, &n), -EBADMSG);
	CHECK_EQ(rp_wire_open(&k, 7 + 256, w, (size_t)len, &kind, &p, &n),
		 -EBADMSG);
	CHECK_EQ(rp_wire_open(&other, 7, w, (size_t)len, &kind, &p, &n),
		 -EBADMSG);
	/* cut short by one byte, grown by one, reduced to nothing */
	CHECK_EQ(rp_wire_open(&k, 7, w, (size_t)len - 1, &kind, &p, &n),
		 -EBADMSG);
	w[len] = 0;
	CHECK_EQ(rp_wire_open(&k, 7, w, (size_t)len + 1, &kind, &p, &n),
		 -EBADMSG);
	CHECK_EQ(rp_wire_open(&k, 7, w, RP_MAC_LEN, &kind, &p, &n), -EINVAL);
	CHECK_EQ(rp_wire_open(&k, 7, w, 0, &kind, &p, &n), -EINVAL);
	CHECK_EQ(rp_wire_open(&k, 7, NULL, 40, &kind, &p, &n), -EINVAL);
	CHECK_EQ(
	    rp_wire_open(&k, 7, w, 1 + 128 + RP_MAC_LEN + 1, &kind, &p, &n),
	    -EINVAL);
	/* a handle of another export's kind byte with our MAC: refused */
	len = rp_wire_seal(&k, 7, 2, NULL, 0, w, sizeof(w));
	w[0] = 1;
	CHECK_EQ(rp_wire_open(&k, 7, w, (size_t)len, &kind, &p, &n), -EBADMSG);
	/* too long for the buffer given */
	CHECK_EQ(rp_wire_seal(&k, 7, 1, fh, FH_MAX, w, FH_MAX + RP_MAC_LEN),
		 -EOVERFLOW);
}

static void pinned(void)
{
	static const uint8_t want[RP_MAC_LEN] = {
	    0x5e, 0xf9, 0x7c, 0x5f, 0x5c, 0x33, 0xa7, 0x06,
	    0x02, 0xda, 0xe7, 0x02, 0x87, 0x40, 0x49, 0xab};
	const uint8_t fh[4] = {0xaa, 0xaa, 0xaa, 0xaa};
	struct rp_mac_key k, fresh;
	uint8_t mac[RP_MAC_LEN], other[RP_MAC_LEN];

	memset(&fresh, 0, sizeof(fresh));
	key_of(&k, 0);
	CHECK_EQ(rp_mac_compute(&k, 0x0102, 1, fh, 4, mac), 0);
	CHECK(memcmp(mac, want, sizeof(want)) == 0);
	CHECK(rp_mac_equal(mac, want, sizeof(want)));
	mac[0] ^= 1;
	CHECK(!rp_mac_equal(mac, want, sizeof(want)));
	mac[0] ^= 1;
	mac[RP_MAC_LEN - 1] ^= 0x80;
	CHECK(!rp_mac_equal(mac, want, sizeof(want)));
	CHECK_EQ(rp_mac_compute(&k, 1, 1, fh, 129, mac), -EINVAL);

	/* prepared (the states kept with the key): the same MAC */
	CHECK_EQ(rp_mac_key_prepare(&k), 0);
	CHECK_EQ(rp_mac_compute(&k, 0x0102, 1, fh, 4, mac), 0);
	CHECK(memcmp(mac, want, sizeof(want)) == 0);
	/* the key changed after preparing: the new key's MAC, never the old */
	key_of(&k, 9);
	key_of(&fresh, 9);
	CHECK_EQ(rp_mac_compute(&k, 0x0102, 1, fh, 4, mac), 0);
	CHECK_EQ(rp_mac_compute(&fresh, 0x0102, 1, fh, 4, other), 0);
	CHECK(memcmp(mac, other, sizeof(mac)) == 0);
	CHECK(memcmp(mac, want, sizeof(want)) != 0);
}

static void key_file(void)
{
	char dir[] = "/tmp/test_rp_handle_mac.XXXXXX", sub[256], path[300];
	struct rp_mac_key a, b;
	const char *why;
	struct stat st;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/state", dir);
	snprintf(path, sizeof(path), "%s/%s", sub, RP_MAC_KEY_FILE);
	/* first use: the directory and the key are made */
	CHECK_EQ(rp_mac_key_load(sub, &a, &why), 0);
	CHECK(stat(path, &st) == 0);
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_size, RP_MAC_KEY_LEN);
	CHECK(stat(sub, &st) == 0 && (st.st_mode & 07777) == 0700);
	/* a restart reads the same key back */
	memset(&b, 0, sizeof(b));
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), 0);
	CHECK(memcmp(a.mk_key, b.mk_key, sizeof(a.mk_key)) == 0);
	/* a key others could read is refused, not trusted */
	CHECK(chmod(path, 0644) == 0);
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), -EINVAL);
	CHECK(strstr(why, "0600") != NULL);
	CHECK(chmod(path, 0600) == 0);
	/* a cut key file is refused, not overwritten */
	CHECK(truncate(path, 16) == 0);
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), -EINVAL);
	CHECK(stat(path, &st) == 0 && st.st_size == 16);
	/* another directory: another key */
	CHECK(unlink(path) == 0);
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) != 0);
	/* a key owned by another user (planted) is refused */
	if (geteuid() == 0) {
		CHECK(chown(path, 4242, 4242) == 0);
		CHECK_EQ(rp_mac_key_load(sub, &b, &why), -EPERM);
		CHECK(strstr(why, "not owned") != NULL);
		CHECK(chown(path, 0, 0) == 0);
	} else {
		printf(
		    "test_rp_handle_mac: not root, a key of another owner not checked\n");
	}
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), 0);
	/* a State_Dir others may write in (they could plant a key): refused */
	CHECK(chmod(sub, 0777) == 0);
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), -EPERM);
	CHECK(strstr(why, "writable") != NULL);
	CHECK(chmod(sub, 0770) == 0);
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), -EPERM);
	CHECK(chmod(sub, 0755) == 0);
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), 0);
	CHECK_EQ(rp_state_dir_ensure(sub, &why), 0);
	/* a State_Dir that is a symbolic link is not followed */
	{
		char link[300];

		snprintf(link, sizeof(link), "%s/link", dir);
		CHECK(symlink(sub, link) == 0);
		CHECK_EQ(rp_mac_key_load(link, &b, &why), -ENOTDIR);
		CHECK(strstr(why, "symbolic link") != NULL);
	}
	/*
	 * A link on the way to State_Dir is not followed either, and a
	 * directory on the way that others may write in is refused: nothing
	 * is created at the place they point to.
	 */
	{
		char real[300], link[300], via[400], open_dir[300];
		struct stat st;

		snprintf(real, sizeof(real), "%s/real", dir);
		snprintf(link, sizeof(link), "%s/plink", dir);
		snprintf(via, sizeof(via), "%s/plink/state", dir);
		CHECK(mkdir(real, 0755) == 0 && symlink(real, link) == 0);
		CHECK_EQ(rp_state_dir_ensure(via, &why), -ENOTDIR);
		CHECK(strstr(why, "symbolic link") != NULL);
		snprintf(via, sizeof(via), "%s/real/state", dir);
		CHECK(stat(via, &st) != 0); /* not created through the link */
		CHECK_EQ(rp_state_dir_ensure(via, &why), 0);

		snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
		snprintf(via, sizeof(via), "%s/open/state", dir);
		CHECK(mkdir(open_dir, 0755) == 0 && chmod(open_dir, 0777) == 0);
		CHECK_EQ(rp_state_dir_ensure(via, &why), -EPERM);
		CHECK(strstr(why, "writable by nobody else") != NULL);
		CHECK(stat(via, &st) != 0);
		snprintf(via, sizeof(via), "%s/real/../real/state", dir);
		CHECK_EQ(rp_state_dir_ensure(via, &why), -EINVAL);
	}
	/* a State_Dir of another owner */
	if (geteuid() == 0) {
		CHECK(chown(sub, 4242, 4242) == 0);
		CHECK_EQ(rp_state_dir_ensure(sub, &why), -EPERM);
		CHECK(strstr(why, "another user") != NULL);
		CHECK(chown(sub, 0, 0) == 0);
	}
	/* a State_Dir whose parent is missing: an error, said why */
	snprintf(sub, sizeof(sub), "%s/no/such", dir);
	CHECK_EQ(rp_mac_key_load(sub, &b, &why), -ENOENT);
	CHECK(why[0] != '\0');
	snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
	CHECK(system(sub) == 0);
}

int main(void)
{
	handles();
	pinned();
	key_file();
	return gr_check_done("test_rp_handle_mac");
}
