/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * libFuzzer target: the server engine after a header is accepted, on the
 * loop fabric (issue 11).  How this works: the property test
 * (tests/core/test_xr_svc_prop.c) is included without its main(); one
 * engine and one raw client are set up once, and each input runs one of
 * its rounds with the input's bytes as the random source, four per draw:
 * whether faults are on and which, how many calls, each header's shape
 * (RDMA_MSG/NOMSG, Read chunks and positions, zero-length segments, Write
 * and Reply chunks), what the upper layer does with each call, when the
 * client stops reading.  When the bytes run out the draws go on from a
 * generator seeded by them, so every input is a whole round.  The round's
 * checks (every call delivered or answered, receives reposted, every
 * call, registration and connection back after disconnect) abort on
 * failure, with the headers involved printed.
 */
#define XR_PROP_NO_MAIN
#include "../core/test_xr_svc_prop.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct env env;
	static bool ready;
	static uint32_t round;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	if (!ready) {
		if (env_setup(&env))
			abort();
		ready = true;
	}
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211ull;
	rng_state = h | 1;
	rnd_bytes = data;
	rnd_left = size;
	if (run_round(&env, round, 1000000u + (round % 4096) * MAX_CALLS))
		abort();
	round++;
	fflush(stdout);
	return 0;
}
