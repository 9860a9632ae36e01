/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of the session slot table (src/sessions/sess_slots.c, included
 * here): lowest free slot first, seqid advance rules, following the
 * server's highest/target slot ids up and down, SEQ_MISORDERED (reset to 1
 * once, then retire), BADSLOT, lost requests, CB_RECALL_SLOT, the reset
 * trigger, and a randomized run checking invariants against a model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sessions/sess_slots.c"
#include "gr_check.h"

static void test_init_limits(void)
{
	struct sess_slot_table t;

	CHECK(sess_slots_init(&t, 0) == -EINVAL);
	CHECK(sess_slots_init(&t, SESS_SLOTS_MAX + 1) == -EINVAL);
	CHECK(sess_slots_init(&t, 8) == 0);
	CHECK(sess_slots_limit(&t) == 7);
	sess_slots_fini(&t);
}

static void test_lowest_first(void)
{
	struct sess_slot_table t;
	uint32_t id, seq, hi, i;

	CHECK(sess_slots_init(&t, 4) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0);
		CHECK(id == i);
		CHECK(seq == 1);
		CHECK(hi == i);
	}
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == -EAGAIN);
	CHECK(t.st_max_busy == 4);
	/* Free 2 then 1: the next acquire takes 1 (lowest free). */
	CHECK(sess_slots_release(&t, 2, SESS_SLOT_DONE, 3, 3) == 0);
	CHECK(sess_slots_release(&t, 1, SESS_SLOT_DONE, 3, 3) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0);
	CHECK(id == 1 && seq == 2 && hi == 3);
	/* Releasing a free slot is a caller bug. */
	CHECK(sess_slots_release(&t, 2, SESS_SLOT_DONE, 3, 3) == -EINVAL);
	CHECK(sess_slots_release(&t, 99, SESS_SLOT_DONE, 3, 3) == -EINVAL);
	sess_slots_fini(&t);
}

static void test_seqid_rules(void)
{
	struct sess_slot_table t;
	uint32_t id, seq, hi;

	CHECK(sess_slots_init(&t, 2) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && seq == 1);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_UNSENT, 0, 0) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && seq == 1);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_DONE, 1, 1) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && seq == 2);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_DONE, 1, 1) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0);
	CHECK(id == 0 && seq == 3);
	/* Wrap-around of the 32-bit seqid is plain unsigned arithmetic. */
	t.st_slots[0].sl_seqid = UINT32_MAX;
	CHECK(sess_slots_release(&t, id, SESS_SLOT_UNSENT, 0, 0) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && seq == UINT32_MAX);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_DONE, 1, 1) == 0);
	CHECK(t.st_slots[0].sl_seqid == 0);
	sess_slots_fini(&t);
}

static void test_follow_server(void)
{
	struct sess_slot_table t;
	uint32_t id, seq, hi, i;

	CHECK(sess_slots_init(&t, 16) == 0);
	/* Server target 3: only slots 0..3 are handed out. */
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_DONE, 15, 3) == 0);
	CHECK(sess_slots_limit(&t) == 3);
	for (i = 0; i < 4; i++)
		CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && id == i);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == -EAGAIN);
	/* Target goes up again (beyond our table: clamped). */
	CHECK(sess_slots_release(&t, 0, SESS_SLOT_DONE, 100, 100) == 0);
	CHECK(sess_slots_limit(&t) == 15);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && id == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && id == 4);
	/* Highest below target: highest wins. */
	CHECK(sess_slots_release(&t, 4, SESS_SLOT_DONE, 2, 10) == 0);
	CHECK(sess_slots_limit(&t) == 2);
	sess_slots_fini(&t);
}

static void test_misordered(void)
{
	struct sess_slot_table t;
	uint32_t id, seq, hi;

	CHECK(sess_slots_init(&t, 4) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_DONE, 3, 3) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && seq == 2);
	/* First MISORDERED: the slot is retried with seqid 1. */
	CHECK(sess_slots_release(&t, id, SESS_SLOT_MISORDERED, 0, 0) == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0);
	CHECK(id == 0 && seq == 1);
	/* Second MISORDERED: retired, slot 1 is used instead. */
	CHECK(sess_slots_release(&t, id, SESS_SLOT_MISORDERED, 0, 0) == 0);
	CHECK(t.st_retired == 1);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && id == 1);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_DONE, 3, 3) == 0);
	CHECK(!sess_slots_need_reset(&t));
	/* Retire a second slot: half are gone, the session must go. */
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && id == 1);
	CHECK(sess_slots_release(&t, id, SESS_SLOT_LOST, 0, 0) == 0);
	CHECK(sess_slots_need_reset(&t));
	CHECK(t.st_misordered == 2);
	sess_slots_fini(&t);
}

static void test_badslot_and_recall(void)
{
	struct sess_slot_table t;
	uint32_t id, seq, hi, i;

	CHECK(sess_slots_init(&t, 8) == 0);
	for (i = 0; i < 6; i++)
		CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0);
	/* Slot 5 beyond the server's table: limit drops to 4. */
	CHECK(sess_slots_release(&t, 5, SESS_SLOT_BADSLOT, 0, 0) == 0);
	CHECK(sess_slots_limit(&t) == 4);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == -EAGAIN);
	/* CB_RECALL_SLOT to 1 while 0..4 are busy: not met yet. */
	CHECK(!sess_slots_set_target(&t, 1));
	for (i = 0; i < 5; i++)
		CHECK(sess_slots_release(&t, i, SESS_SLOT_UNSENT, 0, 0) == 0);
	CHECK(sess_slots_set_target(&t, 1));
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && id == 0);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == 0 && id == 1);
	CHECK(sess_slots_acquire(&t, &id, &seq, &hi) == -EAGAIN);
	/* BADSLOT on slot 0 cannot lower the limit: slot 0 retires. */
	CHECK(sess_slots_release(&t, 0, SESS_SLOT_BADSLOT, 0, 0) == 0);
	CHECK(t.st_slots[0].sl_retired);
	sess_slots_fini(&t);
}

/* Random operations against a simple model of the rules. */
static void test_random(void)
{
	struct sess_slot_table t;
	uint32_t held[64], nheld = 0, id, seq, hi, i, k;
	uint32_t model_seq[64];
	unsigned int r = 12345;

	CHECK(sess_slots_init(&t, 64) == 0);
	for (i = 0; i < 64; i++)
		model_seq[i] = 1;
	for (k = 0; k < 200000; k++) {
		r = r * 1103515245u + 12345u;
		if ((r >> 8) % 2 == 0 || nheld == 0) {
			if (sess_slots_acquire(&t, &id, &seq, &hi) == 0) {
				CHECK(id <= sess_slots_limit(&t));
				CHECK(seq == model_seq[id]);
				CHECK(!t.st_slots[id].sl_retired);
				/* lowest free: nothing lower is free */
				for (i = 0; i < id; i++)
					CHECK(t.st_slots[i].sl_busy ||
					      t.st_slots[i].sl_retired);
				CHECK(hi >= id);
				held[nheld++] = id;
			}
		} else {
			i = (r >> 12) % nheld;
			id = held[i];
			held[i] = held[--nheld];
			if ((r >> 20) % 8 == 0) {
				CHECK(sess_slots_release(
					  &t, id, SESS_SLOT_UNSENT, 0, 0) == 0);
			} else {
				CHECK(sess_slots_release(
					  &t, id, SESS_SLOT_DONE, 63,
					  32 + (r >> 24) % 32) == 0);
				model_seq[id]++;
			}
		}
		CHECK(t.st_busy == nheld);
		if (gr_checks_failed > 10)
			break;
	}
	CHECK(t.st_max_busy >= 33);
	sess_slots_fini(&t);
}

int main(void)
{
	test_init_limits();
	test_lowest_first();
	test_seqid_rules();
	test_follow_server();
	test_misordered();
	test_badslot_and_recall();
	test_random();
	return gr_check_done("test_slots");
}
