/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_compat_read_plus(), how the gateway's read2 tells an
 * NFSv4.2 READ_PLUS (which it must refuse: Ganesha's core would send it
 * out empty) from a READ, in the rp_compat file of the Ganesha this tree
 * is built for (included here, as the module builds exactly one).
 *
 * How this works: the test lays out a request as Ganesha's worker does,
 * from the same SDK headers - an nfs_request_t whose op_context is
 * op_ctx and whose proc_data is the COMPOUND's compound_data_t with its
 * current operation - and asks about the read2 arguments Ganesha would
 * pass.  On FSAL API 11.0 (Ganesha 4.3) it proves: READ_PLUS is 1, READ
 * 0; anything that is not an NFSv4.2 COMPOUND (no op_ctx, NFSv3, NFSv4.1,
 * 9P) is 0 without looking further; and every way the walk can fail to
 * check out (no compound data, compound data of another request, the
 * position past the arguments, opcode and argument disagreeing, an offset
 * or length other than the argument's, another operation) is -EPROTO,
 * never 0 - so the gateway never answers a READ_PLUS it did not see with
 * data.  On 13.0 (Ganesha 6.5): read_arg->info set is 1, NULL is 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "gr_check.h"

#if FSAL_MAJOR_VERSION == 11
#include "rp_compat_v11.c"
#elif FSAL_MAJOR_VERSION == 13
#include "rp_compat_v13.c"
#else
#error "no rp_compat file for this FSAL API"
#endif

__thread struct req_op_context *op_ctx;

/* what the included rp_compat file calls in Ganesha; never reached here */
void fsal_obj_handle_init(struct fsal_obj_handle *obj, struct fsal_export *exp,
			  object_file_type_t type
#if FSAL_MAJOR_VERSION >= 13
			  ,
			  bool add_to_fsal_handle
#endif
)
{
	abort();
}

void fsal_obj_handle_fini(struct fsal_obj_handle *obj
#if FSAL_MAJOR_VERSION >= 13
			  ,
			  bool added
#endif
)
{
	abort();
}

/* read2's argument with one iovec, as nfs4_read() builds it (allocated:
 * before 13.0 the iovecs are an array at its end) */
struct one_read {
	struct fsal_io_arg *ra;
	struct iovec iov1;
};

static void set_read(struct one_read *r, uint64_t off, size_t len)
{
	if (r->ra == NULL)
		r->ra = calloc(1, sizeof(*r->ra) + sizeof(struct iovec));
	if (r->ra == NULL)
		abort();
	memset(r->ra, 0, sizeof(*r->ra) + sizeof(struct iovec));
#if FSAL_MAJOR_VERSION >= 13
	r->ra->iov = &r->iov1; /* a pointer from 13.0 on */
#endif
	r->ra->offset = off;
	r->ra->iov_count = 1;
	r->ra->iov[0].iov_len = len;
}

#if FSAL_MAJOR_VERSION == 11
static nfs_request_t req;
static compound_data_t cd;
static nfs_argop4 args[3];

/* A v4.2 COMPOUND SEQUENCE, PUTFH, @op (offset 8192, count 4096) at 2. */
static void set_request(nfs_opnum4 op, uint32_t minor)
{
	memset(&req, 0, sizeof(req));
	memset(&cd, 0, sizeof(cd));
	memset(args, 0, sizeof(args));
	args[0].argop = NFS4_OP_SEQUENCE;
	args[1].argop = NFS4_OP_PUTFH;
	args[2].argop = op;
	if (op == NFS4_OP_READ_PLUS) {
		args[2].nfs_argop4_u.opread_plus.rpa_offset = 8192;
		args[2].nfs_argop4_u.opread_plus.rpa_count = 4096;
	} else {
		args[2].nfs_argop4_u.opread.offset = 8192;
		args[2].nfs_argop4_u.opread.count = 4096;
	}
	req.op_context.req_type = NFS_REQUEST;
	req.op_context.nfs_vers = NFS_V4;
	req.op_context.nfs_minorvers = minor;
	req.proc_data = &cd;
	cd.req = &req.svc;
	cd.minorversion = minor;
	cd.argarray = args;
	cd.argarray_len = 3;
	cd.oppos = 2;
	cd.opcode = op;
	op_ctx = &req.op_context;
}

static void test_v11(void)
{
	struct one_read r = {0};
	compound_data_t other;

	set_read(&r, 8192, 4096);
	op_ctx = NULL;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 0);

	set_request(NFS4_OP_READ_PLUS, 2);
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 1);
	set_read(&r, 8192, 1024); /* a count cut to MaxRead */
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 1);
	set_request(NFS4_OP_READ, 2);
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 0);

	/* not NFSv4.2: no READ_PLUS, the compound is not even looked at */
	set_request(NFS4_OP_READ_PLUS, 1);
	req.proc_data = NULL;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 0);
	set_request(NFS4_OP_READ_PLUS, 2);
	req.op_context.nfs_vers = NFS_V3;
	req.proc_data = NULL;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 0);
	set_request(NFS4_OP_READ_PLUS, 2);
	req.op_context.req_type = _9P_REQUEST;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 0);

	/* the walk does not check out: cannot tell, never "READ" */
	set_request(NFS4_OP_READ_PLUS, 2);
	req.proc_data = NULL;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ_PLUS, 2);
	other = cd;
	other.req = NULL; /* another request's compound */
	req.proc_data = &other;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ_PLUS, 2);
	cd.oppos = 3;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ_PLUS, 2);
	cd.argarray = NULL;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ_PLUS, 2);
	cd.opcode = NFS4_OP_READ; /* opcode and argument disagree */
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ, 2);
	cd.opcode = NFS4_OP_READ_PLUS;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ_PLUS, 2);
	set_read(&r, 0, 4096); /* not the argument's offset */
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ, 2);
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_read(&r, 8192, 8192); /* more than the argument's count */
	set_request(NFS4_OP_READ_PLUS, 2);
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ, 2);
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_read(&r, 8192, 4096);
	set_request(NFS4_OP_SEEK, 2); /* no read at all */
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	set_request(NFS4_OP_READ_PLUS, 2);
	r.ra->iov_count = 0;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), -EPROTO);
	free(r.ra);
}
#else
static void test_v13(void)
{
	struct one_read r = {0};
	struct io_info info;

	set_read(&r, 8192, 4096);
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 0);
	r.ra->info = &info;
	CHECK_EQ_INT(rp_compat_read_plus(r.ra), 1);
	free(r.ra);
}
#endif

int main(void)
{
#if FSAL_MAJOR_VERSION == 11
	test_v11();
#else
	test_v13();
#endif
	return gr_check_done("gateway.read_plus");
}
