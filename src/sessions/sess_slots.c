/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Slot table logic; see sess_slots.h for the rules.  Everything here is
 * O(table size) at worst and allocation-free after init.
 */
#include <errno.h>
#include <stdlib.h>

#include "sess_slots.h"

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a < b ? a : b;

	return m < c ? m : c;
}

int sess_slots_init(struct sess_slot_table *t, uint32_t nslots)
{
	uint32_t i;

	if (nslots == 0 || nslots > SESS_SLOTS_MAX)
		return -EINVAL;
	*t = (struct sess_slot_table){0};
	t->st_slots = calloc(nslots, sizeof(*t->st_slots));
	if (!t->st_slots)
		return -ENOMEM;
	for (i = 0; i < nslots; i++)
		t->st_slots[i].sl_seqid = 1;
	t->st_nslots = nslots;
	t->st_highest = nslots - 1;
	t->st_target = nslots - 1;
	return 0;
}

void sess_slots_fini(struct sess_slot_table *t)
{
	free(t->st_slots);
	t->st_slots = NULL;
	t->st_nslots = 0;
}

uint32_t sess_slots_limit(const struct sess_slot_table *t)
{
	return min3(t->st_highest, t->st_target, t->st_nslots - 1);
}

uint32_t sess_slots_highest_busy(const struct sess_slot_table *t)
{
	uint32_t i;

	for (i = t->st_nslots; i-- > 0;)
		if (t->st_slots[i].sl_busy)
			return i;
	return 0;
}

int sess_slots_acquire(struct sess_slot_table *t, uint32_t *slotid,
		       uint32_t *seqid, uint32_t *highest)
{
	uint32_t limit = sess_slots_limit(t), i;
	struct sess_slot *s;

	for (i = 0; i <= limit; i++) {
		s = &t->st_slots[i];
		if (s->sl_busy || s->sl_retired)
			continue;
		s->sl_busy = true;
		t->st_busy++;
		if (t->st_busy > t->st_max_busy)
			t->st_max_busy = t->st_busy;
		*slotid = i;
		*seqid = s->sl_seqid;
		*highest = sess_slots_highest_busy(t);
		return 0;
	}
	return -EAGAIN;
}

static void retire(struct sess_slot_table *t, struct sess_slot *s)
{
	if (!s->sl_retired) {
		s->sl_retired = true;
		t->st_retired++;
	}
}

int sess_slots_release(struct sess_slot_table *t, uint32_t slotid,
		       enum sess_slot_outcome outcome, uint32_t sr_highest,
		       uint32_t sr_target)
{
	struct sess_slot *s;

	if (slotid >= t->st_nslots || !t->st_slots[slotid].sl_busy)
		return -EINVAL;
	s = &t->st_slots[slotid];
	s->sl_busy = false;
	t->st_busy--;
	switch (outcome) {
	case SESS_SLOT_DONE:
		s->sl_seqid++;
		s->sl_tried_reset = false;
		/* Follow the server up and down, within our table. */
		t->st_highest =
		    sr_highest < t->st_nslots ? sr_highest : t->st_nslots - 1;
		t->st_target =
		    sr_target < t->st_nslots ? sr_target : t->st_nslots - 1;
		break;
	case SESS_SLOT_UNSENT:
		break;
	case SESS_SLOT_MISORDERED:
		t->st_misordered++;
		if (!s->sl_tried_reset && s->sl_seqid != 1) {
			s->sl_tried_reset = true;
			s->sl_seqid = 1;
			t->st_resets_tried++;
		} else {
			retire(t, s);
		}
		break;
	case SESS_SLOT_BADSLOT:
		t->st_badslot++;
		if (slotid == 0)
			retire(t, s);
		else if (t->st_highest >= slotid)
			t->st_highest = slotid - 1;
		break;
	case SESS_SLOT_LOST:
		retire(t, s);
		break;
	}
	return 0;
}

bool sess_slots_set_target(struct sess_slot_table *t, uint32_t target)
{
	t->st_target = target < t->st_nslots ? target : t->st_nslots - 1;
	return t->st_busy == 0 || sess_slots_highest_busy(t) <= t->st_target;
}

bool sess_slots_need_reset(const struct sess_slot_table *t)
{
	uint32_t limit = sess_slots_limit(t), i;

	if (t->st_retired * 2 >= t->st_nslots)
		return true;
	for (i = 0; i <= limit; i++)
		if (!t->st_slots[i].sl_retired)
			return false;
	return true; /* nothing usable left below the limit */
}
