/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit tests of the fabric seam's pure logic.  How this works: the seam's
 * sources are #included so static helpers (access translation, status
 * mapping) are reachable; nothing here needs an RDMA device or a peer,
 * except the "address in use" check, which listens twice on loopback with
 * the ofi backend and skips that one check if libfabric's tcp provider is
 * unusable.  Each check prints on failure; the exit status counts them.
 */
#include "xr_fabric.c"
#include "fabric_ofi.c"
#include "fabric_verbs.c"

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,          \
				__LINE__, #cond);                              \
			failures++;                                            \
		}                                                              \
	} while (0)

static void test_backend_by_name(void)
{
	struct xr_fabric_params p = {.xfp_backend = "rdma-magic"};
	struct xr_fabric *fab = (void *)1;
	char err[XR_ERRBUF_LEN];

	CHECK(xr_fabric_find_backend("verbs") == &xr_fabric_ops_verbs);
	CHECK(xr_fabric_find_backend("ofi") == &xr_fabric_ops_ofi);
	CHECK(xr_fabric_find_backend("OFI") == NULL);
	CHECK(xr_fabric_find_backend("") == NULL);
	CHECK(xr_fabric_find_backend(NULL) == NULL);
	CHECK(xr_fabric_open(&p, &fab, err, sizeof(err)) == -ENOENT);
	CHECK(fab == NULL);
	CHECK(strstr(err, "rdma-magic") != NULL);
	CHECK(strncmp(err, "fabric: ", 8) == 0);
}

static void test_open_errors_name_backend(void)
{
	struct xr_fabric_params p = {.xfp_backend = "ofi",
				     .xfp_provider = "no-such-provider",
				     .xfp_local_addr = "127.0.0.1"};
	struct xr_fabric *fab = NULL;
	char err[XR_ERRBUF_LEN];
	int n = 0, ret;

	ret = xr_fabric_open(&p, &fab, err, sizeof(err));
	CHECK(ret == -ENODEV);
	CHECK(strncmp(err, "ofi: ", 5) == 0);
	CHECK(strstr(err, "no-such-provider") != NULL);

	/* verbs: only meaningful where the host has no RDMA device. */
	struct ibv_device **l = ibv_get_device_list(&n);

	if (l)
		ibv_free_device_list(l);
	if (n == 0) {
		p = (struct xr_fabric_params){.xfp_backend = "verbs"};
		ret = xr_fabric_open(&p, &fab, err, sizeof(err));
		CHECK(ret == -ENODEV);
		CHECK(strcmp(err, "verbs: no RDMA device on this host") == 0);
	}
	/* A tiny buffer is truncated, never overrun. */
	CHECK(xr_buf_err(err, 4, "ofi", -EIO, "long message") == -EIO);
	CHECK(strlen(err) < 4);
}

static void test_address_in_use(void)
{
	struct xr_fabric_params p = {.xfp_backend = "ofi",
				     .xfp_local_addr = "127.0.0.1"};
	struct xr_listener *a = NULL, *b = NULL;
	struct xr_fabric *fab;
	char err[XR_ERRBUF_LEN];

	if (xr_fabric_open(&p, &fab, err, sizeof(err))) {
		fprintf(stderr,
			"note: ofi tcp unusable (%s), skipping the "
			"address-in-use check\n",
			err);
		return;
	}
	CHECK(xr_listen(fab, "127.0.0.1", 0, 4, &a) == 0);
	if (a) {
		CHECK(xr_listener_port(a) != 0);
		CHECK(xr_listen(fab, "127.0.0.1", xr_listener_port(a), 4, &b) ==
		      -EADDRINUSE);
		CHECK(strncmp(xr_fabric_strerror(fab), "ofi: ", 5) == 0);
	}
	xr_fabric_close(fab); /* also closes the listener */
}

static void test_credits(void)
{
	struct xr_ep_attr a;

	CHECK(xr_ep_attr_from_credits(0, &a) == -EINVAL);
	CHECK(xr_ep_attr_from_credits(1025, &a) == -EINVAL);
	CHECK(xr_ep_attr_from_credits(128, &a) == 0);
	CHECK(a.xea_recv_depth == 128);
	CHECK(a.xea_send_depth == 128 * 4);
	CHECK(a.xea_max_sge >= 1 && a.xea_max_sge <= XR_MAX_SGE);
	CHECK(xr_ep_attr_from_credits(1024, &a) == 0);
	CHECK(a.xea_recv_depth == 1024);
}

static void test_wr_pool(void)
{
	struct xr_ep ep = {0};
	struct xr_completion c[8];
	struct xr_wr *r[3], *s[5];
	int ctx[8], i, n;

	CHECK(xr_wr_pool_init(&ep.xe_wrs, 0, 1) == -EINVAL);
	CHECK(xr_wr_pool_init(&ep.xe_wrs, 3, 5) == 0);
	for (i = 0; i < 3; i++)
		CHECK((r[i] = xr_wr_get(&ep.xe_wrs, XR_OP_RECV, &ctx[i])));
	CHECK(xr_wr_get(&ep.xe_wrs, XR_OP_RECV, NULL) == NULL);
	for (i = 0; i < 5; i++)
		CHECK((s[i] = xr_wr_get(&ep.xe_wrs,
					i % 2 ? XR_OP_READ : XR_OP_WRITE,
					&ctx[3 + i])));
	CHECK(xr_wr_get(&ep.xe_wrs, XR_OP_SEND, NULL) == NULL);
	CHECK(xr_ep_outstanding(&ep) == 8);

	xr_wr_complete(&ep, r[1], 0, 77, &c[0]);
	CHECK(c[0].xc_ctx == &ctx[1] && c[0].xc_op == XR_OP_RECV);
	CHECK(c[0].xc_len == 77 && c[0].xc_status == 0);
	CHECK(c[0].xc_ep == &ep);
	xr_wr_complete(&ep, s[1], -EACCES, 99, &c[0]);
	CHECK(c[0].xc_op == XR_OP_READ && c[0].xc_len == 0);
	CHECK(xr_ep_outstanding(&ep) == 6);
	xr_wr_put(&ep.xe_wrs, s[1]); /* double put is ignored */
	CHECK(xr_ep_outstanding(&ep) == 6);

	n = xr_wr_flush(&ep, c, 4);
	CHECK(n == 4);
	n += xr_wr_flush(&ep, c + 4, 4);
	CHECK(n == 6);
	for (i = 0; i < n; i++)
		CHECK(c[i].xc_status == -ECANCELED && c[i].xc_ctx);
	CHECK(xr_ep_outstanding(&ep) == 0);
	CHECK(xr_wr_flush(&ep, c, 8) == 0);
	xr_wr_pool_fini(&ep.xe_wrs);
}

#define NKEYS 20000
static uint32_t seen[NKEYS];
static int nseen;

static int try_unique(uint32_t key, void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < nseen; i++)
		if (seen[i] == key)
			return -EEXIST;
	seen[nseen++] = key;
	return 0;
}

static int try_always_taken(uint32_t key, void *arg)
{
	(*(int *)arg)++;
	return key ? -EEXIST : -EINVAL;
}

static int try_fails(uint32_t key, void *arg)
{
	(void)key;
	(void)arg;
	return -EIO;
}

static void test_random_keys(void)
{
	uint32_t key = 0, high = 0, low = 0;
	int i, calls = 0;

	for (i = 0; i < NKEYS; i++) {
		CHECK(xr_pick_random_key(try_unique, NULL, &key) == 0);
		CHECK(key != 0);
		high |= key;
		low |= ~key;
	}
	CHECK(nseen == NKEYS);
	/* Every bit of the 32 was used both ways: not a counter. */
	CHECK(high == UINT32_MAX && low == UINT32_MAX);
	key = 123;
	CHECK(xr_pick_random_key(try_always_taken, &calls, &key) == -EEXIST);
	CHECK(calls == XR_KEY_TRIES && key == 123);
	CHECK(xr_pick_random_key(try_fails, NULL, &key) == -EIO);
}

static void test_access_translation(void)
{
	/* ofi: exactly the rights asked for. */
	CHECK(xr_ofi_access(0) == 0);
	CHECK(xr_ofi_access(1u << 7) == 0);
	CHECK(xr_ofi_access(XR_ACCESS_REMOTE_READ) == FI_REMOTE_READ);
	CHECK(xr_ofi_access(XR_ACCESS_REMOTE_WRITE) == FI_REMOTE_WRITE);
	CHECK((xr_ofi_access(XR_ACCESS_LOCAL) &
	       (FI_REMOTE_READ | FI_REMOTE_WRITE)) == 0);
	CHECK(xr_ofi_access(XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ) ==
	      (FI_SEND | FI_RECV | FI_READ | FI_WRITE | FI_REMOTE_READ));

	/* verbs: never atomic; remote write implies local write (verbs). */
	CHECK(xr_vb_access(0) == -1);
	CHECK(xr_vb_access(1u << 7) == -1);
	CHECK(xr_vb_access(XR_ACCESS_LOCAL) == IBV_ACCESS_LOCAL_WRITE);
	CHECK(xr_vb_access(XR_ACCESS_REMOTE_READ) == IBV_ACCESS_REMOTE_READ);
	CHECK(xr_vb_access(XR_ACCESS_REMOTE_WRITE) ==
	      (IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_LOCAL_WRITE));
	CHECK((xr_vb_access(XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_READ |
			    XR_ACCESS_REMOTE_WRITE) &
	       IBV_ACCESS_REMOTE_ATOMIC) == 0);
}

static void test_status_mapping(void)
{
	CHECK(xr_ofi_status(FI_ECANCELED) == -ECANCELED);
	CHECK(xr_ofi_status(FI_EACCES) == -EACCES);
	CHECK(xr_ofi_status(FI_EKEYREJECTED) == -EACCES);
	CHECK(xr_ofi_status(FI_EIO) == -EIO);
	CHECK(xr_vb_status(IBV_WC_SUCCESS) == 0);
	CHECK(xr_vb_status(IBV_WC_WR_FLUSH_ERR) == -ECANCELED);
	CHECK(xr_vb_status(IBV_WC_REM_ACCESS_ERR) == -EACCES);
	CHECK(xr_vb_status(IBV_WC_RETRY_EXC_ERR) == -EIO);
}

int main(void)
{
	test_backend_by_name();
	test_open_errors_name_backend();
	test_address_in_use();
	test_credits();
	test_wr_pool();
	test_random_keys();
	test_access_translation();
	test_status_mapping();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("fabric unit: all checks passed\n");
	return 0;
}
