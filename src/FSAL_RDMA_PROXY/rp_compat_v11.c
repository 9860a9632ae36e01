/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The FSAL API 11.0 of Ganesha 4.3 (Debian 12): what the rest of the
 * module needs from Ganesha where the API versions differ, behind the
 * version-neutral calls of rp_int.h's "rp_compat" section.  Exactly one
 * rp_compat_v<FSAL_MAJOR_VERSION>.c is built (CMakeLists.txt picks it by
 * fsal_api.h's FSAL_MAJOR_VERSION); rp_compat_v13.c is Ganesha 6.5's.
 *
 * API 11.0's signatures are the neutral ones, so the namespace ops are
 * installed as they are; a state is freed through the export's
 * free_state op, which this file points at the module's state free.
 */
#include "config.h"

#include "rp_int.h"

#if FSAL_MAJOR_VERSION != 11
#error "rp_compat_v11.c is for the FSAL API 11.0 (Ganesha 4.3)"
#endif

/* rp_compat_export_ops() sets it once, at module load, before any export */
static void (*rp_v11_state_free)(struct state_t *state);

static void rp_v11_free_state(struct fsal_export *exp_hdl,
			      struct state_t *state)
{
	rp_v11_state_free(state);
}

void rp_compat_export_ops(struct export_ops *ops,
			  void (*state_free)(struct state_t *state))
{
	rp_v11_state_free = state_free;
	ops->free_state = rp_v11_free_state;
}

struct state_t *rp_compat_state_init(struct state_t *state,
				     struct fsal_export *exp_hdl,
				     enum state_type state_type,
				     struct state_t *related_state,
				     void (*state_free)(struct state_t *state))
{
	return init_state(state, exp_hdl, state_type, related_state);
}

void rp_compat_obj_init(struct fsal_obj_handle *obj, struct fsal_export *exp,
			object_file_type_t type)
{
	fsal_obj_handle_init(obj, exp, type);
}

void rp_compat_obj_fini(struct fsal_obj_handle *obj)
{
	fsal_obj_handle_fini(obj);
}

void rp_compat_obj_ops(struct fsal_obj_ops *ops, const struct rp_ns_ops *ns)
{
	ops->mkdir = ns->mkdir;
	ops->mknode = ns->mknode;
	ops->symlink = ns->symlink;
	ops->link = ns->link;
	ops->rename = ns->rename;
	ops->unlink = ns->unlink;
	ops->open2 = ns->open2;
}
