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
#include "fabric_loop.c"
#include "gr_check.h"

static void test_backend_by_name(void)
{
	struct xr_fabric_params p = {.xfp_backend = "rdma-magic"};
	struct xr_fabric *fab = (void *)1;
	char err[XR_ERRBUF_LEN];

	CHECK(xr_fabric_find_backend("verbs") == &xr_fabric_ops_verbs);
	CHECK(xr_fabric_find_backend("ofi") == &xr_fabric_ops_ofi);
	CHECK(xr_fabric_find_backend("loop") == &xr_fabric_ops_loop);
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

/* ---- loop backend faults (single thread, two fabrics) ------------------ */

struct lpair {
	struct xr_fabric *srv, *cli;
	struct xr_listener *lis;
	struct xr_ep *sep, *cep;
	uint8_t sbuf[4][64], cbuf[4][64];
	struct xr_mr *smr, *cmr;
};

static void lpair_recvs(struct xr_recv *r, uint8_t (*buf)[64], struct xr_mr *mr,
			uint32_t n, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].rcv_ctx = buf[i];
		r[i].rcv_nsge = 1;
		r[i].rcv_sge[0] = (struct xr_sge){
		    .ge_addr = buf[i], .ge_len = len, .ge_mr = mr};
	}
}

/* Connected pair with 4 receives of rlen bytes posted on the server. */
static int lpair_open(struct lpair *p, uint32_t rlen)
{
	struct xr_fabric_params fp = {.xfp_backend = "loop"};
	struct xr_ep_attr attr = {4, 8, 1, 4};
	struct xr_recv r[4];
	struct xr_event ev;
	char err[XR_ERRBUF_LEN];

	memset(p, 0, sizeof(*p));
	if (xr_fabric_open(&fp, &p->srv, err, sizeof(err)) ||
	    xr_fabric_open(&fp, &p->cli, err, sizeof(err)))
		return -1;
	if (xr_reg_mr(p->srv, p->sbuf, sizeof(p->sbuf),
		      XR_ACCESS_LOCAL | XR_ACCESS_REMOTE_WRITE, &p->smr) ||
	    xr_reg_mr(p->cli, p->cbuf, sizeof(p->cbuf), XR_ACCESS_LOCAL,
		      &p->cmr) ||
	    xr_listen(p->srv, "127.0.0.1", 0, 4, &p->lis))
		return -1;
	if (xr_connect(p->cli, "127.0.0.1", xr_listener_port(p->lis), &attr,
		       NULL, 0, "hi", 2, NULL, &p->cep) ||
	    xr_fabric_get_event(p->srv, &ev) ||
	    ev.xv_type != XR_EV_CONNECT_REQUEST || ev.xv_pdata_len != 2)
		return -1;
	lpair_recvs(r, p->sbuf, p->smr, 4, rlen);
	if (xr_accept(ev.xv_req, &attr, r, 4, NULL, 0, NULL, &p->sep) ||
	    xr_fabric_get_event(p->cli, &ev) ||
	    ev.xv_type != XR_EV_ESTABLISHED ||
	    xr_fabric_get_event(p->srv, &ev) || ev.xv_type != XR_EV_ESTABLISHED)
		return -1;
	return 0;
}

static void lpair_close(struct xr_fabric *f)
{
	xr_fabric_close(f);
}

static int lpair_send(struct lpair *p, uint32_t len, void *ctx)
{
	struct xr_sge sge = {
	    .ge_addr = p->cbuf[0], .ge_len = len, .ge_mr = p->cmr};

	return xr_post_send(p->cep, &sge, 1, false, 0, ctx);
}

static void test_loop_faults(void)
{
	struct xr_loop_faults f;
	struct xr_completion wc[8];
	struct xr_loop_counts lc;
	struct xr_event ev;
	struct xr_recv r[4];
	struct lpair p;
	struct xr_sge sge;
	uint32_t posted, i;
	int pattern[2][64], run;

	/* drop: the write happens, its completion comes only as a flush. */
	CHECK(lpair_open(&p, 64) == 0);
	f = (struct xr_loop_faults){
	    .lf_seed = 1, .lf_ops = 1u << XR_OP_WRITE, .lf_drop = 65536};
	CHECK(xr_loop_set_faults(p.cli, &f) == 0);
	memset(p.cbuf[1], 0xab, 64);
	sge =
	    (struct xr_sge){.ge_addr = p.cbuf[1], .ge_len = 64, .ge_mr = p.cmr};
	CHECK(xr_post_write(p.cep, &sge, 1, xr_mr_wire_offset(p.smr, p.sbuf[2]),
			    xr_mr_handle(p.smr), (void *)1) == 0);
	CHECK(p.sbuf[2][63] == 0xab);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 0);
	CHECK(xr_ep_outstanding(p.cep) == 1);
	CHECK(xr_disconnect(p.cep) == 0);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 1 &&
	      wc[0].xc_status == -ECANCELED && wc[0].xc_ctx == (void *)1);
	CHECK(xr_ep_outstanding(p.cep) == 0);
	CHECK(xr_loop_get_counts(p.cli, &lc) == 0 && lc.lc_dropped == 1);
	/* The server's 4 receives flush, after its disconnect event. */
	CHECK(xr_fabric_get_event(p.srv, &ev) == 0 &&
	      ev.xv_type == XR_EV_DISCONNECTED);
	CHECK(xr_fabric_poll(p.srv, wc, 8) == 4 &&
	      wc[3].xc_status == -ECANCELED);
	lpair_close(p.cli);
	lpair_close(p.srv);

	/* late: the send's success surfaces after the disconnect event. */
	CHECK(lpair_open(&p, 64) == 0);
	f = (struct xr_loop_faults){.lf_seed = 1, .lf_late = 65536};
	CHECK(xr_loop_set_faults(p.cli, &f) == 0);
	CHECK(lpair_send(&p, 16, (void *)2) == 0);
	CHECK(xr_fabric_poll(p.srv, wc, 8) == 1 && wc[0].xc_len == 16 &&
	      wc[0].xc_op == XR_OP_RECV);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 0);
	CHECK(xr_disconnect(p.sep) == 0);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 0);
	CHECK(xr_fabric_arm(p.cli) == -EAGAIN); /* the event is pending */
	CHECK(xr_fabric_get_event(p.cli, &ev) == 0 &&
	      ev.xv_type == XR_EV_DISCONNECTED);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 1 && wc[0].xc_status == 0 &&
	      wc[0].xc_ctx == (void *)2);
	CHECK(xr_fabric_arm(p.cli) == 0);
	lpair_close(p.cli);
	lpair_close(p.srv);

	/* nospc, partial receive batches, flush at a post. */
	CHECK(lpair_open(&p, 64) == 0);
	f = (struct xr_loop_faults){.lf_seed = 1, .lf_nospc = 65536};
	CHECK(xr_loop_set_faults(p.cli, &f) == 0);
	CHECK(lpair_send(&p, 16, NULL) == -ENOSPC);
	CHECK(xr_ep_outstanding(p.cep) == 0);
	f = (struct xr_loop_faults){.lf_seed = 1, .lf_partial = 65536};
	CHECK(xr_loop_set_faults(p.cli, &f) == 0);
	lpair_recvs(r, p.cbuf, p.cmr, 4, 64);
	CHECK(xr_post_recvs(p.cep, r, 4, &posted) == -ENOSPC && posted < 4);
	CHECK(xr_ep_outstanding(p.cep) == posted);
	f = (struct xr_loop_faults){.lf_seed = 1, .lf_flush = 65536};
	CHECK(xr_loop_set_faults(p.cli, &f) == 0);
	CHECK(lpair_send(&p, 16, (void *)3) == 0);
	CHECK(xr_fabric_get_event(p.cli, &ev) == 0 &&
	      ev.xv_type == XR_EV_ERROR);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == (int)posted + 1);
	for (i = 0; i <= posted; i++)
		CHECK(wc[i].xc_status == -ECANCELED);
	CHECK(xr_ep_outstanding(p.cep) == 0);
	CHECK(xr_fabric_get_event(p.srv, &ev) == 0 &&
	      ev.xv_type == XR_EV_DISCONNECTED);
	CHECK(xr_fabric_poll(p.srv, wc, 8) == 4);
	CHECK(lpair_send(&p, 16, NULL) == -ENOTCONN);
	lpair_close(p.cli);
	lpair_close(p.srv);

	/* A peer that stops reading; then a message longer than a receive. */
	CHECK(lpair_open(&p, 32) == 0);
	CHECK(xr_loop_stop_reading(p.sep, true) == 0);
	CHECK(lpair_send(&p, 16, NULL) == 0);
	CHECK(xr_fabric_poll(p.srv, wc, 8) == 0);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 0);
	CHECK(xr_ep_outstanding(p.cep) == 1);
	CHECK(xr_loop_stop_reading(p.sep, false) == 0);
	CHECK(xr_fabric_poll(p.srv, wc, 8) == 1 && wc[0].xc_len == 16);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 1 && wc[0].xc_status == 0);
	CHECK(lpair_send(&p, 33, NULL) == 0);
	CHECK(xr_fabric_poll(p.cli, wc, 8) == 1 && wc[0].xc_status == -EIO);
	CHECK(xr_fabric_poll(p.srv, wc, 8) == 3 && wc[0].xc_status == -EIO &&
	      wc[1].xc_status == -ECANCELED);
	CHECK(xr_fabric_get_event(p.srv, &ev) == 0 &&
	      ev.xv_type == XR_EV_ERROR);
	lpair_close(p.cli);
	lpair_close(p.srv);

	/* The same seed gives the same faults. */
	for (run = 0; run < 2; run++) {
		CHECK(lpair_open(&p, 64) == 0);
		f = (struct xr_loop_faults){.lf_seed = 99, .lf_nospc = 32768};
		CHECK(xr_loop_set_faults(p.cli, &f) == 0);
		for (i = 0; i < 64; i++) {
			pattern[run][i] = lpair_send(&p, 8, NULL);
			xr_fabric_poll(p.cli, wc, 8);
			xr_fabric_poll(p.srv, wc, 8);
			lpair_recvs(r, p.sbuf, p.smr, 1, 64);
			xr_post_recvs(p.sep, r, 1, &posted);
		}
		lpair_close(p.cli);
		lpair_close(p.srv);
	}
	CHECK(memcmp(pattern[0], pattern[1], sizeof(pattern[0])) == 0);
	for (run = 0, i = 0; i < 64; i++)
		run += pattern[0][i] == -ENOSPC;
	CHECK(run > 8 && run < 56);
	CHECK(xr_loop_set_faults(NULL, &f) == -EINVAL);
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
	test_loop_faults();
	return gr_check_done("test_fabric_unit");
}
