/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of rp_postop.c: which post-op directory attributes and which
 * noted lookup misses the gateway may serve in place of a backend call.
 *
 * The rule under test: an answer is kept only when no other change to the
 * directory overlapped the change that brought it.  Two COMPOUNDs in
 * flight at once may run on the backend in either order, so the answer of
 * the one that began last can predate the other one's change; serving it
 * would show the directory as it was before a change the gateway already
 * reported done.  The same holds for a miss: a LOOKUP in flight beside a
 * create of that very name may have run first.
 *
 * The backend is played by hand-made COMPOUND results: a GETATTR whose
 * attribute bytes carry a marker, which the stubbed decoder below hands
 * back as the file id.
 */
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "gr_check.h"

/* ---- stubs for what rp_postop.c calls outside itself ---- */

void LogMallocFailure(const char *file, int line, const char *function,
		      const char *allocator)
{
	abort();
}

fsal_status_t rp_fattr_to_attrs(fattr4 *fa, struct fsal_attrlist *attrs)
{
	if (fa->attr_vals.attrlist4_len < 1)
		return fsalstat(ERR_FSAL_SERVERFAULT, EBADMSG);
	attrs->fileid = (uint8_t)fa->attr_vals.attrlist4_val[0];
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/* ---- a backend answer: PUTFH, REMOVE, GETATTR with @marker ---- */

struct answer {
	char attr[4];
	struct sess_compound c;
};

static struct sess_compound *answer(struct answer *a, char marker)
{
	nfs_resop4 *res = a->c.sc_res;
	GETATTR4res *g = &res[2].nfs_resop4_u.opgetattr;

	memset(a, 0, sizeof(*a));
	res[0].resop = NFS4_OP_PUTFH;
	res[1].resop = NFS4_OP_REMOVE;
	res[2].resop = NFS4_OP_GETATTR;
	g->status = NFS4_OK;
	a->attr[0] = marker;
	g->GETATTR4res_u.resok4.obj_attributes.attrmask.bitmap4_len = 1;
	g->GETATTR4res_u.resok4.obj_attributes.attr_vals.attrlist4_len = 4;
	g->GETATTR4res_u.resok4.obj_attributes.attr_vals.attrlist4_val =
	    a->attr;
	a->c.sc_nres = 3;
	return &a->c;
}

static struct rp_export *ex;

/* What getattrs would be served from @h: the marker, or 0 for none. */
static int served(struct rp_handle *h)
{
	struct fsal_attrlist attrs;
	fsal_status_t st;

	memset(&attrs, 0, sizeof(attrs));
	if (!rp_postop_take(ex, h, &attrs, &st))
		return 0;
	return FSAL_IS_ERROR(st) ? -1 : (int)attrs.fileid;
}

static void test_alone(struct rp_handle *h)
{
	struct answer a;
	uint64_t t;

	t = rp_postop_begin(h);
	rp_postop_keep(ex, h, t, answer(&a, 'A'), 2);
	CHECK_EQ(served(h), 'A');
	CHECK_EQ(served(h), 0); /* once */

	/* a failed change ends without an answer; the next one keeps */
	t = rp_postop_begin(h);
	rp_postop_end(h);
	t = rp_postop_begin(h);
	rp_postop_keep(ex, h, t, answer(&a, 'B'), 2);
	CHECK_EQ(served(h), 'B');

	/* a GETATTR that is not there or failed keeps nothing */
	t = rp_postop_begin(h);
	rp_postop_keep(ex, h, t, answer(&a, 'C'), 3);
	CHECK_EQ(served(h), 0);
}

static void test_overlap(struct rp_handle *h)
{
	struct answer a, b;
	uint64_t ta, tb;

	/*
	 * A begins, B begins, the backend runs B (and its GETATTR) before
	 * A: B's answer misses A's change whichever reply comes first.
	 */
	ta = rp_postop_begin(h);
	tb = rp_postop_begin(h);
	rp_postop_keep(ex, h, tb, answer(&b, 'B'), 2);
	CHECK_EQ(served(h), 0);
	rp_postop_keep(ex, h, ta, answer(&a, 'A'), 2);
	CHECK_EQ(served(h), 0);

	ta = rp_postop_begin(h);
	tb = rp_postop_begin(h);
	rp_postop_keep(ex, h, ta, answer(&a, 'A'), 2);
	rp_postop_keep(ex, h, tb, answer(&b, 'B'), 2);
	CHECK_EQ(served(h), 0);

	/* a setattr (no answer) in flight beside a create */
	(void)rp_postop_begin(h);
	tb = rp_postop_begin(h);
	rp_postop_keep(ex, h, tb, answer(&b, 'B'), 2);
	rp_postop_end(h);
	CHECK_EQ(served(h), 0);

	/* all over: a change alone keeps its answer again */
	ta = rp_postop_begin(h);
	rp_postop_keep(ex, h, ta, answer(&a, 'D'), 2);
	CHECK_EQ(served(h), 'D');
}

static void test_miss(struct rp_handle *dir)
{
	struct answer a;
	uint64_t nt, t;

	/* a LOOKUP alone: its miss answers the next lookup, once */
	nt = rp_neg_ticket(dir);
	rp_neg_note(dir, "f", nt);
	CHECK(!rp_neg_take(ex, dir, "g"));
	CHECK(rp_neg_take(ex, dir, "f"));
	CHECK(!rp_neg_take(ex, dir, "f"));

	/*
	 * A create of f in flight while the LOOKUP of f is: the backend may
	 * have run the LOOKUP first, its miss is no answer after the create.
	 */
	t = rp_postop_begin(dir);
	nt = rp_neg_ticket(dir);
	rp_neg_note(dir, "f", nt);
	rp_postop_keep(ex, dir, t, answer(&a, 'A'), 2);
	CHECK(!rp_neg_take(ex, dir, "f"));

	/* a change begun (and over) while the LOOKUP was in flight */
	nt = rp_neg_ticket(dir);
	t = rp_postop_begin(dir);
	rp_postop_keep(ex, dir, t, answer(&a, 'A'), 2);
	rp_neg_note(dir, "f", nt);
	CHECK(!rp_neg_take(ex, dir, "f"));

	/* a change after the miss was noted */
	nt = rp_neg_ticket(dir);
	rp_neg_note(dir, "f", nt);
	t = rp_postop_begin(dir);
	rp_postop_end(dir);
	CHECK(!rp_neg_take(ex, dir, "f"));
}

int main(void)
{
	struct rp_handle *h = calloc(1, sizeof(*h));

	ex = calloc(1, sizeof(*ex));
	if (!h || !ex)
		return 1;
	rp_postop_init(h);
	test_alone(h);
	test_overlap(h);
	test_miss(h);
	rp_postop_fini(h);
	free(h);
	free(ex);
	return gr_check_done("test_rp_postop");
}
