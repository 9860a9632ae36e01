/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Fuzz target: the gateway's wire handles (src/FSAL_RDMA_PROXY/
 * rp_handle_mac.c), what every client handle goes through before anything
 * reaches the backend.
 *
 * How this works: the input is tried as a wire handle of export 1 under a
 * fixed key; one that opens must be exactly what sealing its kind and
 * backend handle gives (so nothing but a handle we issued opens), and its
 * backend handle must lie inside the input.  Then the input's head is
 * sealed as a backend handle and opened again: the round trip must give
 * back kind and bytes, under another export id or with any byte changed
 * it must not open.  Aborts on a broken rule.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rp_handle_mac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIRE_MAX (1 + 128 + RP_MAC_LEN)

static const struct rp_mac_key key = {
    .mk_key = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
	       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}};

static void check_open(const uint8_t *data, size_t size)
{
	uint8_t kind, again[WIRE_MAX];
	const uint8_t *fh;
	uint32_t fh_len;
	int n;

	if (rp_wire_open(&key, 1, data, size, &kind, &fh, &fh_len))
		return;
	if (fh_len && (fh < data || fh + fh_len > data + size))
		abort();
	n = rp_wire_seal(&key, 1, kind, fh, fh_len, again, sizeof(again));
	if (n < 0 || (size_t)n != size || memcmp(again, data, size))
		abort(); /* opened, yet not a handle we would issue */
}

static void check_roundtrip(const uint8_t *data, size_t size)
{
	uint8_t wire[WIRE_MAX], kind;
	const uint8_t *fh;
	uint32_t fh_len, len = size > 1 ? (uint32_t)(size - 1) : 0;
	int n;

	if (len > 128)
		len = 128;
	kind = size ? data[0] : 0;
	n = rp_wire_seal(&key, 1, kind, data + (size ? 1 : 0), len, wire,
			 sizeof(wire));
	if (n < 0)
		abort();
	if (rp_wire_open(&key, 1, wire, (size_t)n, &kind, &fh, &fh_len) ||
	    fh_len != len || (len && memcmp(fh, data + 1, len)) ||
	    kind != (size ? data[0] : 0))
		abort();
	if (!rp_wire_open(&key, 2, wire, (size_t)n, &kind, &fh, &fh_len))
		abort(); /* another export's handle */
	wire[(size ? data[size - 1] : 0) % n] ^= 0x01;
	if (!rp_wire_open(&key, 1, wire, (size_t)n, &kind, &fh, &fh_len))
		abort(); /* one bit changed */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_open(data, size);
	check_roundtrip(data, size);
	return 0;
}
