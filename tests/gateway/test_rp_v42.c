/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_v42.c, the gateway's NFSv4.2 operations, on the real
 * COMPOUND builder (rp_compound.c, rp_postop.c, rp_root.c) with the
 * backend stubbed at rp_call().
 *
 * What it proves: on a 4.1 backend session every operation answers
 * NOTSUPP without a call; on 4.2 each is one COMPOUND, PUTFH + the
 * operation, with the I/O stateid and the arguments Ganesha gave (the
 * client's LISTXATTRS maxcount restored); a stateid the backend lost is
 * re-established and the call sent once more; what the backend answers is
 * checked before it reaches Ganesha - a SEEK offset before the one asked
 * (without eof) and LISTXATTRS names that are empty, over 255 bytes or
 * beyond the client's maxcount are refused as I/O errors, a GETXATTR value
 * follows Ganesha's buffer protocol (size query, XATTR2BIG); and whether
 * clients are offered xattrs is asked once per backend state generation.
 */
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "nfs4_acls.h"
#include "nfs4_fs_locations.h"
#include "gr_check.h"

__thread struct req_op_context *op_ctx;

/* ---- the backend and what rp_v42.c and rp_compound.c call ---- */

static struct {
	uint32_t minor;
	uint64_t gen;
	uint32_t calls, marks, stale_first;
	nfs_argop4 sent[SESS_MAX_OPS];
	uint32_t nsent;
	bool cachethis;
	nfsstat4 status; /* the operation's answer */
	/* answers */
	seek_res4 seek;
	utf8string value;
	xattrkey4 names[8];
	uint32_t nnames;
	bool xattr_support;
} be;

static char attr_word[4];

int rp_wire_seal(const struct rp_mac_key *key, uint16_t export_id, uint8_t kind,
		 const uint8_t *fh, uint32_t fh_len, uint8_t *wire, size_t cap)
{
	abort();
}

const char *sess_nfsstat_str(nfsstat4 st)
{
	return "an NFS error";
}

void nfs4_acl_release_entry(fsal_acl_t *pacl)
{
	abort();
}

void nfs4_fs_locations_release(fsal_fs_locations_t *fs_locations)
{
	abort();
}

uint32_t rp_backend_minor(struct rp_backend *b)
{
	return be.minor;
}

uint64_t rp_backend_state_gen(struct rp_backend *b)
{
	return be.gen;
}

bool rp_io_stateid(struct rp_export *e, struct rp_handle *h,
		   struct state_t *state, bool bypass, stateid4 *sid,
		   fsal_status_t *st)
{
	memset(sid, 0, sizeof(*sid));
	sid->other[0] = (char)(0x50 + be.marks); /* a new one after a mark */
	return true;
}

bool rp_stale_state(int ret, const struct sess_compound *c)
{
	return ret == 0 && c->sc_status == NFS4ERR_BAD_STATEID;
}

void rp_mark_stale(struct state_t *state)
{
	be.marks++;
}

static void answer(nfs_resop4 *r, const nfs_argop4 *a)
{
	memset(r, 0, sizeof(*r));
	r->resop = a->argop;
	switch (a->argop) {
	case NFS4_OP_SEEK:
		r->nfs_resop4_u.opseek.sr_resok4 = be.seek;
		break;
	case NFS4_OP_GETXATTR:
		r->nfs_resop4_u.opgetxattr.GETXATTR4res_u.resok4.gxr_value =
		    be.value;
		break;
	case NFS4_OP_LISTXATTR: {
		LISTXATTR4resok *ok =
		    &r->nfs_resop4_u.oplistxattr.LISTXATTR4res_u.resok4;

		ok->lxr_cookie = 77;
		ok->lxr_eof = true;
		ok->lxr_names.xl4_count = be.nnames;
		ok->lxr_names.xl4_entries = be.names;
		break;
	}
	case NFS4_OP_GETATTR: {
		fattr4 *fa = &r->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
				  .obj_attributes;
		uint32_t v = htonl(be.xattr_support);

		fa->attrmask.bitmap4_len = 3;
		fa->attrmask.map[2] = 1u << (FATTR4_XATTR_SUPPORT - 64);
		memcpy(attr_word, &v, 4);
		fa->attr_vals.attrlist4_len = 4;
		fa->attr_vals.attrlist4_val = attr_word;
		break;
	}
	default:
		break;
	}
}

/* PUTROOTFH, LOOKUP "export", GETFH, GETATTR: the root resolved once. */
static int resolve_root(struct sess_compound *c)
{
	static uint8_t root_fh[] = {9, 9, 9, 9};
	uint32_t i;

	for (i = 0; i < c->sc_nargs; i++) {
		memset(&c->sc_res[i], 0, sizeof(c->sc_res[i]));
		c->sc_res[i].resop = c->sc_args[i].argop;
		if (c->sc_args[i].argop == NFS4_OP_GETFH) {
			nfs_fh4 *fh = &c->sc_res[i]
					   .nfs_resop4_u.opgetfh.GETFH4res_u
					   .resok4.object;

			fh->nfs_fh4_len = sizeof(root_fh);
			fh->nfs_fh4_val = (char *)root_fh;
		}
	}
	c->sc_status = NFS4_OK;
	c->sc_nres = c->sc_nargs;
	return 0;
}

int rp_call(struct rp_export *e, struct sess_compound *c)
{
	uint32_t i;

	if (c->sc_nargs && c->sc_args[0].argop == NFS4_OP_PUTROOTFH)
		return resolve_root(c);
	be.calls++;
	be.nsent = c->sc_nargs;
	be.cachethis = c->sc_cachethis;
	for (i = 0; i < c->sc_nargs; i++) {
		be.sent[i] = c->sc_args[i];
		answer(&c->sc_res[i], &c->sc_args[i]);
	}
	c->sc_nres = c->sc_nargs;
	c->sc_status = NFS4_OK;
	if (be.stale_first) {
		be.stale_first--;
		c->sc_status = NFS4ERR_BAD_STATEID;
	} else if (be.status) {
		c->sc_status = be.status;
	}
	/* every result starts with its status */
	c->sc_res[c->sc_nargs - 1].nfs_resop4_u.opgetattr.status = c->sc_status;
	return 0;
}

void sess_compound_free(struct sess_compound *c)
{
	c->sc_nres = 0;
}

fsal_status_t rp_nfs4_to_fsal(nfsstat4 st)
{
	switch (st) {
	case NFS4_OK:
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	case NFS4ERR_NOTSUPP:
		return fsalstat(ERR_FSAL_NOTSUPP, ENOTSUP);
	default:
		return fsalstat(ERR_FSAL_SERVERFAULT, EIO);
	}
}

fsal_status_t rp_status(int ret, const struct sess_compound *c)
{
	if (ret < 0)
		return fsalstat(ERR_FSAL_DELAY, EAGAIN);
	return rp_nfs4_to_fsal(c->sc_status);
}

void rp_attr_bitmap(bitmap4 *bm, bool with_fh)
{
	memset(bm, 0, sizeof(*bm));
}

fsal_status_t rp_fattr_to_attrs(fattr4 *fa, struct fsal_attrlist *attrs)
{
	return fsalstat(ERR_FSAL_NO_ERROR, 0); /* the root's: nothing used */
}

/* ---- the tests ---- */

static struct rp_export *ex;
static struct rp_handle *file;
static struct fsal_obj_ops ops;
static struct state_t *state = (struct state_t *)&be; /* only passed on */

static void reset(uint32_t minor)
{
	memset(&be, 0, sizeof(be));
	be.minor = minor;
	be.gen = 1;
}

static void test_v41(void)
{
	struct io_info info = {0};
	xattrkey4 name = {.utf8string_len = 1, .utf8string_val = "a"};
	xattrvalue4 value = {0};
	xattrlist4 names;
	nfs_cookie4 cookie = 0;
	bool_t eof;

	reset(1);
	info.io_content.what = NFS4_CONTENT_DATA;
	CHECK_EQ(ops.fallocate(&file->obj, state, 0, 10, true).major,
		 ERR_FSAL_NOTSUPP);
	CHECK_EQ(ops.fallocate(&file->obj, state, 0, 10, false).major,
		 ERR_FSAL_NOTSUPP);
	CHECK_EQ(ops.seek2(&file->obj, state, &info).major, ERR_FSAL_NOTSUPP);
	CHECK_EQ(ops.getxattrs(&file->obj, &name, &value).major,
		 ERR_FSAL_NOTSUPP);
	CHECK_EQ(
	    ops.setxattrs(&file->obj, SETXATTR4_EITHER, &name, &value).major,
	    ERR_FSAL_NOTSUPP);
	CHECK_EQ(ops.removexattrs(&file->obj, &name).major, ERR_FSAL_NOTSUPP);
	CHECK_EQ(ops.listxattrs(&file->obj, 100, &cookie, &eof, &names).major,
		 ERR_FSAL_NOTSUPP);
	CHECK(!rp_v42_xattr_ok(ex));
	CHECK_EQ(be.calls, 0); /* not one of them was sent */
}

static void test_fallocate(void)
{
	const DEALLOCATE4args *da;
	const ALLOCATE4args *aa;

	reset(2);
	CHECK(
	    !FSAL_IS_ERROR(ops.fallocate(&file->obj, state, 4096, 8192, true)));
	CHECK_EQ(be.calls, 1);
	CHECK_EQ(be.nsent, 2);
	CHECK_EQ(be.sent[0].argop, NFS4_OP_PUTFH);
	CHECK_EQ(be.sent[1].argop, NFS4_OP_ALLOCATE);
	CHECK(be.cachethis);
	aa = &be.sent[1].nfs_argop4_u.opallocate;
	CHECK_EQ(aa->aa_offset, 4096);
	CHECK_EQ(aa->aa_length, 8192);
	CHECK_EQ(aa->aa_stateid.other[0], 0x50);

	/* the backend lost the state: marked, re-sent once with the new */
	reset(2);
	be.stale_first = 1;
	CHECK(!FSAL_IS_ERROR(ops.fallocate(&file->obj, state, 1, 2, false)));
	CHECK_EQ(be.calls, 2);
	CHECK_EQ(be.marks, 1);
	da = &be.sent[1].nfs_argop4_u.opdeallocate;
	CHECK_EQ(be.sent[1].argop, NFS4_OP_DEALLOCATE);
	CHECK_EQ(da->da_offset, 1);
	CHECK_EQ(da->da_length, 2);
	CHECK_EQ(da->da_stateid.other[0], 0x51);
	/* lost again and again: DELAY after RP_REOPEN_TRIES */
	reset(2);
	be.stale_first = 100;
	CHECK_EQ(ops.fallocate(&file->obj, state, 1, 2, false).major,
		 ERR_FSAL_DELAY);
	CHECK_EQ(be.calls, RP_REOPEN_TRIES);
	/* the backend's own answer is handed on */
	reset(2);
	be.status = NFS4ERR_NOTSUPP;
	CHECK_EQ(ops.fallocate(&file->obj, state, 1, 2, true).major,
		 ERR_FSAL_NOTSUPP);
}

static void test_seek(void)
{
	struct io_info info;

	reset(2);
	memset(&info, 0, sizeof(info));
	info.io_content.what = NFS4_CONTENT_HOLE;
	info.io_content.hole.di_offset = 1000;
	be.seek.sr_offset = 4096;
	CHECK(!FSAL_IS_ERROR(ops.seek2(&file->obj, state, &info)));
	CHECK_EQ(be.sent[1].argop, NFS4_OP_SEEK);
	CHECK_EQ(be.sent[1].nfs_argop4_u.opseek.sa_offset, 1000);
	CHECK_EQ(be.sent[1].nfs_argop4_u.opseek.sa_what, NFS4_CONTENT_HOLE);
	CHECK(!be.cachethis);
	CHECK_EQ(info.io_content.hole.di_offset, 4096);
	CHECK(!info.io_eof);
	/* before the offset asked, without eof: no answer to SEEK */
	info.io_content.hole.di_offset = 1000;
	be.seek.sr_offset = 999;
	CHECK_EQ(ops.seek2(&file->obj, state, &info).major, ERR_FSAL_IO);
	CHECK_EQ(info.io_content.hole.di_offset, 1000); /* left alone */
	/* with eof it is the answer */
	be.seek.sr_eof = true;
	CHECK(!FSAL_IS_ERROR(ops.seek2(&file->obj, state, &info)));
	CHECK(info.io_eof);
	/* only DATA and HOLE: nothing sent for others */
	be.calls = 0;
	info.io_content.what = NFS4_CONTENT_ALLOCATE;
	CHECK_EQ(ops.seek2(&file->obj, state, &info).major,
		 ERR_FSAL_UNION_NOTSUPP);
	CHECK_EQ(be.calls, 0);
}

static void test_getxattr(void)
{
	xattrkey4 name = {.utf8string_len = 3, .utf8string_val = "abc"};
	char buf[16];
	xattrvalue4 v = {.utf8string_len = sizeof(buf), .utf8string_val = buf};

	reset(2);
	be.value.utf8string_len = 5;
	be.value.utf8string_val = "hello";
	CHECK(!FSAL_IS_ERROR(ops.getxattrs(&file->obj, &name, &v)));
	CHECK_EQ(be.sent[1].argop, NFS4_OP_GETXATTR);
	CHECK_EQ(be.sent[1].nfs_argop4_u.opgetxattr.gxa_name.utf8string_len, 3);
	CHECK_EQ(v.utf8string_len, 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	/* a buffer too small: XATTR2BIG, Ganesha then asks for the size */
	v.utf8string_len = 4;
	CHECK_EQ(ops.getxattrs(&file->obj, &name, &v).major,
		 ERR_FSAL_XATTR2BIG);
	v.utf8string_len = 0;
	v.utf8string_val = NULL;
	CHECK(!FSAL_IS_ERROR(ops.getxattrs(&file->obj, &name, &v)));
	CHECK_EQ(v.utf8string_len, 5);
}

static void test_listxattr(void)
{
	static char long_name[300];
	nfs_cookie4 cookie = 5;
	xattrlist4 names;
	bool_t eof = false;
	uint32_t i;

	reset(2);
	be.names[0] = (xattrkey4){.utf8string_len = 1, .utf8string_val = "a"};
	be.names[1] =
	    (xattrkey4){.utf8string_len = 4, .utf8string_val = "bcde"};
	be.nnames = 2;
	/* 4 + 4 + 4 + 4 = 16 bytes of names */
	CHECK(!FSAL_IS_ERROR(
	    ops.listxattrs(&file->obj, 16, &cookie, &eof, &names)));
	CHECK_EQ(be.sent[1].argop, NFS4_OP_LISTXATTR);
	CHECK_EQ(be.sent[1].nfs_argop4_u.oplistxattr.lxa_cookie, 5);
	/* the client's maxcount: Ganesha's plus cookie and eof */
	CHECK_EQ(be.sent[1].nfs_argop4_u.oplistxattr.lxa_maxcount, 16 + 12);
	CHECK_EQ(cookie, 77);
	CHECK(eof);
	CHECK_EQ(names.xl4_count, 2);
	CHECK(names.xl4_entries[1].utf8string_len == 4 &&
	      memcmp(names.xl4_entries[1].utf8string_val, "bcde", 4) == 0);
	/* copies of Ganesha's own, to free with gsh_free */
	CHECK(names.xl4_entries[1].utf8string_val !=
	      be.names[1].utf8string_val);
	for (i = 0; i < names.xl4_count; i++)
		gsh_free(names.xl4_entries[i].utf8string_val);
	gsh_free(names.xl4_entries);
	/* one byte less than the names take: refused */
	cookie = 5;
	CHECK_EQ(ops.listxattrs(&file->obj, 15, &cookie, &eof, &names).major,
		 ERR_FSAL_IO);
	CHECK(names.xl4_count == 0 && names.xl4_entries == NULL);
	CHECK_EQ(cookie, 5);
	/* an empty name, a name over 255 bytes: refused */
	be.names[1].utf8string_len = 0;
	CHECK_EQ(ops.listxattrs(&file->obj, 4096, &cookie, &eof, &names).major,
		 ERR_FSAL_IO);
	memset(long_name, 'x', sizeof(long_name));
	be.names[1] =
	    (xattrkey4){.utf8string_len = 256, .utf8string_val = long_name};
	CHECK_EQ(ops.listxattrs(&file->obj, 4096, &cookie, &eof, &names).major,
		 ERR_FSAL_IO);
	be.names[1].utf8string_len = 255;
	CHECK(!FSAL_IS_ERROR(
	    ops.listxattrs(&file->obj, 4096, &cookie, &eof, &names)));
	for (i = 0; i < names.xl4_count; i++)
		gsh_free(names.xl4_entries[i].utf8string_val);
	gsh_free(names.xl4_entries);
}

static void test_xattr_ok(void)
{
	reset(2);
	be.xattr_support = true;
	CHECK(rp_v42_xattr_ok(ex));
	CHECK_EQ(be.calls, 1);
	CHECK_EQ(be.sent[1].argop, NFS4_OP_GETATTR);
	CHECK_EQ(be.sent[1].nfs_argop4_u.opgetattr.attr_request.map[2],
		 1u << (FATTR4_XATTR_SUPPORT - 64));
	/* the export root's handle */
	CHECK_EQ(be.sent[0].nfs_argop4_u.opputfh.object.nfs_fh4_len, 4);
	CHECK(rp_v42_xattr_ok(ex));
	CHECK_EQ(be.calls, 1); /* kept */
	/* a new state generation (new client id): asked again */
	be.gen = 2;
	be.xattr_support = false;
	CHECK(!rp_v42_xattr_ok(ex));
	CHECK_EQ(be.calls, 2);
	CHECK(!rp_v42_xattr_ok(ex));
	CHECK_EQ(be.calls, 2);
	/* the session went to 4.1: no, without asking */
	be.minor = 1;
	be.gen = 3;
	CHECK(!rp_v42_xattr_ok(ex));
	CHECK_EQ(be.calls, 2);
}

int main(void)
{
	static struct req_op_context ctx;

	ex = calloc(1, sizeof(*ex));
	file = calloc(1, sizeof(*file));
	if (!ex || !file)
		return 1;
	pthread_mutex_init(&ex->root_lock, NULL);
	ex->conf.backend_path = "/export";
	ex->backend.rb_label[0] = '\0';
	ctx.fsal_export = &ex->exp;
	op_ctx = &ctx;
	file->obj.type = REGULAR_FILE;
	file->fh_len = 4;
	memset(file->fh, 7, 4);
	rp_postop_init(file);
	rp_v42_ops_init(&ops);
	test_v41();
	test_fallocate();
	test_seek();
	test_getxattr();
	test_listxattr();
	test_xattr_ok();
	rp_postop_fini(file);
	free(file);
	pthread_mutex_destroy(&ex->root_lock);
	free(ex);
	return gr_check_done("test_rp_v42");
}
