/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Authentication of the gateway's wire handles: a keyed MAC over the
 * export id, the handle kind and the backend's handle, so that a client
 * cannot make up a handle naming a backend object outside the export's
 * Backend_Path, nor carry a handle of one export over to another.
 * Pure code (OpenSSL's libcrypto and libc only), unit-tested in
 * tests/gateway/test_rp_handle_mac.c.
 */
#ifndef RP_HANDLE_MAC_H
#define RP_HANDLE_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RP_MAC_LEN 16	  /* HMAC-SHA256, truncated */
#define RP_MAC_KEY_LEN 32 /* random, in State_Dir */
#define RP_MAC_KEY_FILE "handle-mac.key"

/* Room for one SHA-256 state (rp_handle_mac.c checks it fits). */
#define RP_MAC_MID_LEN 128

/*
 * The key, and HMAC's two SHA-256 states after the key's inner and outer
 * pad blocks (RFC 2104), made once by rp_mac_key_prepare() so that a MAC
 * costs two short hashes and no allocation.  The states are used only
 * while mk_ready holds RP_MAC_READY and mk_for equals mk_key: a key
 * written by hand, or changed after preparing, is hashed from mk_key
 * alone, never with stale or uninitialised states.  The states are as
 * secret as the key (wipe the whole struct).
 */
struct rp_mac_key {
	uint8_t mk_key[RP_MAC_KEY_LEN];
	uint32_t mk_ready;
	uint8_t mk_for[RP_MAC_KEY_LEN];
	_Alignas(16) uint8_t mk_mid[2][RP_MAC_MID_LEN];
};

/**
 * rp_mac_key_prepare() - compute @key's HMAC states from its mk_key (done
 * by rp_mac_key_load(); call it after writing mk_key by hand).  Returns
 * 0, or -EIO when libcrypto failed (the key then still works, slowly).
 */
int rp_mac_key_prepare(struct rp_mac_key *key);

/**
 * rp_state_dir_ensure() - create @dir (mode 0700) when missing, then check
 * the directory itself (never through a symbolic link): owned by root or
 * the daemon's user and writable by nobody else, since whoever can write
 * there can plant the handle key or an owner file.  The path to it is
 * walked without following links, each directory on the way checked the
 * same way (a root-owned sticky one such as /tmp may be passed through:
 * gr_dir_open_safe()).  Returns 0, or a negative errno with *@why saying
 * what is wrong: -ENOTDIR (not a directory, or a symbolic link, on the
 * way or at the end), -EPERM (another owner, or writable by group or
 * others), -EINVAL (".." in the path), or the errno of mkdir/open/fstat.
 */
int rp_state_dir_ensure(const char *dir, const char **why);

/**
 * rp_mac_key_load() - the key in @dir/handle-mac.key, made (32 random
 * bytes, mode 0600) when the file does not exist yet.  @dir is created
 * (mode 0700) when missing, its parent is not.  Two processes creating
 * the key at once agree on one: the new key is written to a private
 * temporary file and linked into place, the loser reads the winner's.
 * Returns 0, or a negative errno with *@why naming what failed (a key
 * file of the wrong size or readable by others is -EINVAL, one owned by
 * another user -EPERM: refused rather than trusted or overwritten; and
 * what rp_state_dir_ensure() refuses).
 */
int rp_mac_key_load(const char *dir, struct rp_mac_key *key, const char **why);

/**
 * rp_mac_compute() - the MAC of (@export_id, @kind, @fh) under @key into
 * @mac (RP_MAC_LEN bytes).  @fh may be NULL when @fh_len is 0.  Returns
 * 0, -EINVAL for a handle longer than NFS4_FHSIZE, -EIO when libcrypto
 * failed (@mac is then all zeros: never a usable MAC).
 */
int rp_mac_compute(const struct rp_mac_key *key, uint16_t export_id,
		   uint8_t kind, const uint8_t *fh, uint32_t fh_len,
		   uint8_t mac[RP_MAC_LEN]);

/**
 * rp_mac_equal() - @a and @b (@n bytes each) are equal; the time taken
 * depends on @n only, not on where they differ.
 */
bool rp_mac_equal(const uint8_t *a, const uint8_t *b, size_t n);

/**
 * rp_wire_seal() - the wire handle [kind][fh][MAC] of (@kind, @fh) into
 * @wire (@cap bytes).  Returns its length, -EOVERFLOW when it does not
 * fit @cap, or rp_mac_compute()'s errors.
 */
int rp_wire_seal(const struct rp_mac_key *key, uint16_t export_id, uint8_t kind,
		 const uint8_t *fh, uint32_t fh_len, uint8_t *wire, size_t cap);

/**
 * rp_wire_open() - check the wire handle @wire (@len bytes) of export
 * @export_id: *@kind and the backend handle's place (*@fh, *@fh_len,
 * inside @wire) when its MAC is right.  Returns 0, -EINVAL when it is
 * too short to hold a kind and a MAC, -EBADMSG when the MAC is wrong
 * (forged, altered, another export's or made under another key).  The
 * kind is not interpreted here: the caller checks it and the length.
 */
int rp_wire_open(const struct rp_mac_key *key, uint16_t export_id,
		 const uint8_t *wire, size_t len, uint8_t *kind,
		 const uint8_t **fh, uint32_t *fh_len);

#endif /* RP_HANDLE_MAC_H */
