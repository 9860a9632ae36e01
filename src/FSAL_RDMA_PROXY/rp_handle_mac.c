/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Keyed MAC of the gateway's wire handles (see rp_handle_mac.h).
 *
 * The MAC is HMAC-SHA256 (OpenSSL's libcrypto) truncated to 16 bytes,
 * over a fixed label, the export id, the handle kind and the backend's
 * handle.  Everything before the backend handle has a fixed size, so the
 * input is unambiguous without a length field.  The label keeps these
 * MACs apart from anything else the same key might ever be used for.
 *
 * HMAC is computed here from SHA-256 (RFC 2104: H(K^opad, H(K^ipad, m)))
 * rather than with libcrypto's HMAC(): the one-shot call fetches the
 * algorithm and allocates a dozen contexts per MAC, and the gateway
 * computes one for nearly every handle it hands out or takes back.  The
 * states after the two pad blocks are kept with the key
 * (rp_mac_key_prepare()), so a MAC is a copy of them and two short
 * hashes, with no allocation (tests/gateway/test_rp_handle_mac_alloc.c).
 * The SHA-256 calls are libcrypto's low-level ones, deprecated (not
 * removed) in OpenSSL 3; a libcrypto built without them falls back to
 * HMAC().  The pinned MAC in test_rp_handle_mac.c holds either way.
 *
 * The key lives in State_Dir so that handles clients hold stay valid
 * across a gateway restart; losing the file invalidates every handle the
 * gateway gave out (clients then see NFS4ERR_STALE and look names up
 * again).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* the SHA256_* state API: see the top of this file */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

/* mk_ready's value once the states are made */
#define RP_MAC_READY 0x484d4143u

#include "gr_file.h"
#include "rp_handle_mac.h"

#ifndef OPENSSL_NO_DEPRECATED_3_0
#define RP_MAC_MIDSTATES 1
_Static_assert(sizeof(SHA256_CTX) <= RP_MAC_MID_LEN,
	       "RP_MAC_MID_LEN cannot hold a SHA-256 state");
#endif

#define RP_MAC_LABEL "RPFHMAC1"
#define RP_MAC_LABEL_LEN 8
/* The longest backend handle a MAC is computed over (NFS4_FHSIZE). */
#define RP_MAC_FH_MAX 128

/* Read the key file at @path; -ENOENT when there is none yet. */
static int rp_key_read(const char *path, struct rp_mac_key *key,
		       const char **why)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*why = "cannot open the handle key file";
		return -errno;
	}
	if (fstat(fd, &st) != 0) {
		*why = "cannot stat the handle key file";
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "the handle key file is not a regular file";
		ret = -EINVAL;
		goto out;
	}
	/*
	 * A key planted by another user (who can then forge handles) is not
	 * ours: it must belong to the daemon's own user.
	 */
	if (st.st_uid != geteuid()) {
		*why = "the handle key file is not owned by the daemon's user";
		ret = -EPERM;
		goto out;
	}
	/* A key others can read lets them forge handles: not trusted. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*why =
		    "the handle key file is accessible to group or others (it must be mode 0600)";
		ret = -EINVAL;
		goto out;
	}
	if (st.st_size != RP_MAC_KEY_LEN) {
		*why = "the handle key file is not 32 bytes long";
		ret = -EINVAL;
		goto out;
	}
	while (got < sizeof(key->mk_key)) {
		n = read(fd, key->mk_key + got, sizeof(key->mk_key) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = "cannot read the handle key file";
			ret = n < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)n;
	}
out:
	close(fd);
	return ret;
}

static int rp_random(uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		got += (size_t)n;
	}
	return 0;
}

static int rp_write_all(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

/* A new key into @path: written aside, then linked into place. */
static int rp_key_create(const char *dir, const char *path,
			 struct rp_mac_key *key, const char **why)
{
	char tmp[PATH_MAX];
	int fd, ret, dfd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.%ld", dir,
			     RP_MAC_KEY_FILE, (long)getpid()) >= sizeof(tmp)) {
		*why = "State_Dir path too long";
		return -ENAMETOOLONG;
	}
	(void)unlink(tmp); /* left over by a crash of a process of our pid */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		*why = "cannot create the handle key file";
		return -errno;
	}
	ret = rp_random(key->mk_key, sizeof(key->mk_key));
	if (ret) {
		*why = "getrandom() failed";
		goto fail;
	}
	ret = rp_write_all(fd, key->mk_key, sizeof(key->mk_key));
	if (!ret && fsync(fd) != 0)
		ret = -errno;
	if (ret) {
		*why = "cannot write the handle key file";
		goto fail;
	}
	close(fd);
	fd = -1;
	/* link() fails when another process got there first: use theirs */
	if (link(tmp, path) != 0) {
		ret = -errno;
		(void)unlink(tmp);
		if (ret == -EEXIST)
			return rp_key_read(path, key, why);
		*why = "cannot put the handle key file in place";
		return ret;
	}
	(void)unlink(tmp);
	/* The key must outlive a crash as much as the handles made with it. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	memset(key, 0, sizeof(*key));
	return ret;
}

int rp_state_dir_ensure(const char *dir, const char **why)
{
	static __thread char parent_why[512];
	char parent[PATH_MAX];
	const char *base;
	struct stat st;
	int pfd, fd, ret = 0;
	size_t n = strlen(dir);

	/*
	 * The path up to State_Dir is walked without following links and
	 * must be trusted all along (gr_dir_open_safe()), or a local user
	 * who can write in a directory on the way could plant a link that
	 * points State_Dir - and the key - somewhere of theirs.  Once it is,
	 * nobody else can change it, so later opens by path are safe.
	 */
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof(parent)) {
		*why = "State_Dir is empty or too long";
		return -EINVAL;
	}
	memcpy(parent, dir, n);
	parent[n] = '\0';
	base = strrchr(parent, '/');
	if (!base) {
		base = parent;
		pfd = gr_dir_open_safe(".", parent_why, sizeof(parent_why));
	} else {
		*(char *)base++ = '\0';
		pfd = gr_dir_open_safe(parent[0] ? parent : "/", parent_why,
				       sizeof(parent_why));
	}
	if (pfd < 0) {
		*why = parent_why;
		return pfd;
	}
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		close(pfd);
		*why = "State_Dir must name a directory (no \".\" or \"..\")";
		return -EINVAL;
	}
	if (mkdirat(pfd, base, 0700) != 0 && errno != EEXIST) {
		ret = -errno;
		close(pfd);
		*why = "cannot create State_Dir";
		return ret;
	}
	/* Checked on the directory itself, not on a link to one. */
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	if (fd < 0) {
		*why =
		    errno == ELOOP || errno == ENOTDIR
			? "State_Dir is not a directory (or is a symbolic link)"
			: "cannot open State_Dir";
		return errno == ELOOP ? -ENOTDIR : -errno;
	}
	if (fstat(fd, &st) != 0) {
		*why = "cannot stat State_Dir";
		ret = -errno;
	} else if (st.st_uid != geteuid() && st.st_uid != 0) {
		*why = "State_Dir is owned by another user";
		ret = -EPERM;
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		/* whoever can write there can plant a key or an owner file */
		*why =
		    "State_Dir is writable by group or others (make it 0700)";
		ret = -EPERM;
	}
	close(fd);
	return ret;
}

int rp_mac_key_load(const char *dir, struct rp_mac_key *key, const char **why)
{
	char path[PATH_MAX];
	int ret;

	*why = "";
	if (!dir || !dir[0]) {
		*why = "no State_Dir";
		return -EINVAL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     RP_MAC_KEY_FILE) >= sizeof(path)) {
		*why = "State_Dir path too long";
		return -ENAMETOOLONG;
	}
	ret = rp_state_dir_ensure(dir, why);
	if (ret)
		return ret;
	ret = rp_key_read(path, key, why);
	if (ret == -ENOENT)
		ret = rp_key_create(dir, path, key, why);
	if (!ret)
		(void)rp_mac_key_prepare(key); /* failed: MACs the slow way */
	return ret;
}

#ifdef RP_MAC_MIDSTATES
/* SHA-256 states after HMAC's inner and outer pad blocks of @k. */
static int rp_mac_mid(const uint8_t k[RP_MAC_KEY_LEN], SHA256_CTX *inner,
		      SHA256_CTX *outer)
{
	uint8_t pad[SHA256_CBLOCK];
	size_t i;
	int ok;

	/* the key is shorter than a block: zero-padded, then xored */
	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < RP_MAC_KEY_LEN; i++)
		pad[i] ^= k[i];
	ok = SHA256_Init(inner) && SHA256_Update(inner, pad, sizeof(pad));
	memset(pad, 0x5c, sizeof(pad));
	for (i = 0; i < RP_MAC_KEY_LEN; i++)
		pad[i] ^= k[i];
	ok = ok && SHA256_Init(outer) && SHA256_Update(outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok ? 0 : -EIO;
}

static bool rp_mac_ready(const struct rp_mac_key *key)
{
	return key->mk_ready == RP_MAC_READY &&
	       CRYPTO_memcmp(key->mk_for, key->mk_key, RP_MAC_KEY_LEN) == 0;
}
#endif

int rp_mac_key_prepare(struct rp_mac_key *key)
{
#ifdef RP_MAC_MIDSTATES
	SHA256_CTX st[2];
	int ret;

	key->mk_ready = 0;
	ret = rp_mac_mid(key->mk_key, &st[0], &st[1]);
	if (!ret) {
		memcpy(key->mk_mid[0], &st[0], sizeof(st[0]));
		memcpy(key->mk_mid[1], &st[1], sizeof(st[1]));
		memcpy(key->mk_for, key->mk_key, RP_MAC_KEY_LEN);
		key->mk_ready = RP_MAC_READY;
	}
	OPENSSL_cleanse(st, sizeof(st));
	return ret;
#else
	key->mk_ready = 0;
	return 0;
#endif
}

/* HMAC-SHA256 of @in (@n bytes) under @key into @full (32 bytes). */
static int rp_hmac(const struct rp_mac_key *key, const uint8_t *in, size_t n,
		   uint8_t full[SHA256_DIGEST_LENGTH])
{
#ifdef RP_MAC_MIDSTATES
	uint8_t ih[SHA256_DIGEST_LENGTH];
	SHA256_CTX st[2];
	int ok, ret = 0;

	if (rp_mac_ready(key)) {
		memcpy(&st[0], key->mk_mid[0], sizeof(st[0]));
		memcpy(&st[1], key->mk_mid[1], sizeof(st[1]));
	} else {
		ret = rp_mac_mid(key->mk_key, &st[0], &st[1]);
	}
	ok = !ret && SHA256_Update(&st[0], in, n) && SHA256_Final(ih, &st[0]) &&
	     SHA256_Update(&st[1], ih, sizeof(ih)) &&
	     SHA256_Final(full, &st[1]);
	OPENSSL_cleanse(st, sizeof(st));
	OPENSSL_cleanse(ih, sizeof(ih));
	return ok ? 0 : -EIO;
#else
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), key->mk_key, sizeof(key->mk_key), in, n, full,
		  &len) ||
	    len != SHA256_DIGEST_LENGTH)
		return -EIO;
	return 0;
#endif
}

int rp_mac_compute(const struct rp_mac_key *key, uint16_t export_id,
		   uint8_t kind, const uint8_t *fh, uint32_t fh_len,
		   uint8_t mac[RP_MAC_LEN])
{
	uint8_t in[RP_MAC_LABEL_LEN + 3 + RP_MAC_FH_MAX];
	uint8_t full[SHA256_DIGEST_LENGTH];
	size_t n = 0;
	int ret;

	memset(mac, 0, RP_MAC_LEN);
	if (fh_len > RP_MAC_FH_MAX || (fh_len && !fh))
		return -EINVAL;
	memcpy(in, RP_MAC_LABEL, RP_MAC_LABEL_LEN);
	n = RP_MAC_LABEL_LEN;
	in[n++] = (uint8_t)(export_id >> 8); /* big-endian: host-independent */
	in[n++] = (uint8_t)export_id;
	in[n++] = kind;
	if (fh_len)
		memcpy(in + n, fh, fh_len);
	n += fh_len;
	ret = rp_hmac(key, in, n, full);
	if (!ret)
		memcpy(mac, full, RP_MAC_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return ret;
}

bool rp_mac_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

int rp_wire_seal(const struct rp_mac_key *key, uint16_t export_id, uint8_t kind,
		 const uint8_t *fh, uint32_t fh_len, uint8_t *wire, size_t cap)
{
	size_t len = 1 + (size_t)fh_len + RP_MAC_LEN;
	int ret;

	if (len > cap || fh_len > RP_MAC_FH_MAX)
		return -EOVERFLOW;
	wire[0] = kind;
	if (fh_len)
		memcpy(wire + 1, fh, fh_len);
	ret =
	    rp_mac_compute(key, export_id, kind, fh, fh_len, wire + 1 + fh_len);
	if (ret)
		return ret;
	return (int)len;
}

int rp_wire_open(const struct rp_mac_key *key, uint16_t export_id,
		 const uint8_t *wire, size_t len, uint8_t *kind,
		 const uint8_t **fh, uint32_t *fh_len)
{
	uint8_t mac[RP_MAC_LEN];
	uint32_t n;
	bool ok;

	if (!wire || len < 1 + RP_MAC_LEN ||
	    len > 1 + RP_MAC_FH_MAX + RP_MAC_LEN)
		return -EINVAL;
	n = (uint32_t)(len - 1 - RP_MAC_LEN);
	if (rp_mac_compute(key, export_id, wire[0], wire + 1, n, mac))
		return -EBADMSG; /* cannot check it: not accepted */
	ok = rp_mac_equal(mac, wire + 1 + n, RP_MAC_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (!ok)
		return -EBADMSG;
	*kind = wire[0];
	*fh = wire + 1;
	*fh_len = n;
	return 0;
}
