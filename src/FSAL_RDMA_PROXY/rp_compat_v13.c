/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The FSAL API 13.0 of Ganesha 6.5 (Debian 13): what the rest of the
 * module needs from Ganesha where the API versions differ, behind the
 * version-neutral calls of rp_int.h's "rp_compat" section (see
 * rp_compat_v11.c, Ganesha 4.3's; exactly one of them is built).
 *
 * What 13.0 changed for this module:
 * - the ops that change a directory (mkdir, mknode, symlink, link,
 *   rename, unlink, open2) take the directories' attributes before and
 *   after, for an atomic change_info.  They are optional: the adapters
 *   here leave them unset, as 4.3 had none, and Ganesha answers
 *   change_info non-atomic as it did (docs/architecture.md, "Ganesha
 *   4.3 and 6.5: what differs").
 * - the export op free_state is gone: a state carries its own free
 *   function (init_state()'s second argument).
 * - fsal_obj_handle_init()/_fini() say whether the handle joins the
 *   module's handle list; it does, as in 4.3.
 * - read2's fsal_io_arg carries an io_info, set only for READ_PLUS: that
 *   is how the module knows a READ_PLUS here (rp_compat_read_plus()).
 */
#include "config.h"

#include "rp_int.h"

#if FSAL_MAJOR_VERSION != 13
#error "rp_compat_v13.c is for the FSAL API 13.0 (Ganesha 6.5)"
#endif

/* the module's own ops, set once at module load (rp_compat_obj_ops()) */
static const struct rp_ns_ops *rp_ns;

void rp_compat_export_ops(struct export_ops *ops,
			  void (*state_free)(struct state_t *state))
{
	/* each state carries state_free (rp_compat_state_init()) */
}

struct state_t *rp_compat_state_init(struct state_t *state,
				     struct fsal_export *exp_hdl,
				     enum state_type state_type,
				     struct state_t *related_state,
				     void (*state_free)(struct state_t *state))
{
	return init_state(state, state_free, state_type, related_state);
}

void rp_compat_obj_init(struct fsal_obj_handle *obj, struct fsal_export *exp,
			object_file_type_t type)
{
	fsal_obj_handle_init(obj, exp, type, true);
}

void rp_compat_obj_fini(struct fsal_obj_handle *obj)
{
	fsal_obj_handle_fini(obj, true);
}

static fsal_status_t rp_v13_mkdir(struct fsal_obj_handle *dir_hdl,
				  const char *name,
				  struct fsal_attrlist *attrs_in,
				  struct fsal_obj_handle **new_obj,
				  struct fsal_attrlist *attrs_out,
				  struct fsal_attrlist *parent_pre_attrs_out,
				  struct fsal_attrlist *parent_post_attrs_out)
{
	return rp_ns->mkdir(dir_hdl, name, attrs_in, new_obj, attrs_out);
}

static fsal_status_t
rp_v13_mknode(struct fsal_obj_handle *dir_hdl, const char *name,
	      object_file_type_t nodetype, struct fsal_attrlist *attrs_in,
	      struct fsal_obj_handle **new_obj, struct fsal_attrlist *attrs_out,
	      struct fsal_attrlist *parent_pre_attrs_out,
	      struct fsal_attrlist *parent_post_attrs_out)
{
	return rp_ns->mknode(dir_hdl, name, nodetype, attrs_in, new_obj,
			     attrs_out);
}

static fsal_status_t rp_v13_symlink(struct fsal_obj_handle *dir_hdl,
				    const char *name, const char *link_path,
				    struct fsal_attrlist *attrs_in,
				    struct fsal_obj_handle **new_obj,
				    struct fsal_attrlist *attrs_out,
				    struct fsal_attrlist *parent_pre_attrs_out,
				    struct fsal_attrlist *parent_post_attrs_out)
{
	return rp_ns->symlink(dir_hdl, name, link_path, attrs_in, new_obj,
			      attrs_out);
}

static fsal_status_t rp_v13_link(struct fsal_obj_handle *obj_hdl,
				 struct fsal_obj_handle *destdir_hdl,
				 const char *name,
				 struct fsal_attrlist *destdir_pre_attrs_out,
				 struct fsal_attrlist *destdir_post_attrs_out)
{
	return rp_ns->link(obj_hdl, destdir_hdl, name);
}

static fsal_status_t rp_v13_rename(struct fsal_obj_handle *obj_hdl,
				   struct fsal_obj_handle *olddir_hdl,
				   const char *old_name,
				   struct fsal_obj_handle *newdir_hdl,
				   const char *new_name,
				   struct fsal_attrlist *olddir_pre_attrs_out,
				   struct fsal_attrlist *olddir_post_attrs_out,
				   struct fsal_attrlist *newdir_pre_attrs_out,
				   struct fsal_attrlist *newdir_post_attrs_out)
{
	return rp_ns->rename(obj_hdl, olddir_hdl, old_name, newdir_hdl,
			     new_name);
}

static fsal_status_t rp_v13_unlink(struct fsal_obj_handle *dir_hdl,
				   struct fsal_obj_handle *obj_hdl,
				   const char *name,
				   struct fsal_attrlist *parent_pre_attrs_out,
				   struct fsal_attrlist *parent_post_attrs_out)
{
	return rp_ns->unlink(dir_hdl, obj_hdl, name);
}

static fsal_status_t
rp_v13_open2(struct fsal_obj_handle *obj_hdl, struct state_t *state,
	     fsal_openflags_t openflags, enum fsal_create_mode createmode,
	     const char *name, struct fsal_attrlist *attrs_in,
	     fsal_verifier_t verifier, struct fsal_obj_handle **new_obj,
	     struct fsal_attrlist *attrs_out, bool *caller_perm_check,
	     struct fsal_attrlist *parent_pre_attrs_out,
	     struct fsal_attrlist *parent_post_attrs_out)
{
	return rp_ns->open2(obj_hdl, state, openflags, createmode, name,
			    attrs_in, verifier, new_obj, attrs_out,
			    caller_perm_check);
}

void rp_compat_obj_ops(struct fsal_obj_ops *ops, const struct rp_ns_ops *ns)
{
	rp_ns = ns;
	ops->mkdir = rp_v13_mkdir;
	ops->mknode = rp_v13_mknode;
	ops->symlink = rp_v13_symlink;
	ops->link = rp_v13_link;
	ops->rename = rp_v13_rename;
	ops->unlink = rp_v13_unlink;
	ops->open2 = rp_v13_open2;
}

int rp_compat_read_plus(const struct fsal_io_arg *ra)
{
	/* nfs4_read() passes its io_info for READ_PLUS, NULL for READ */
	return ra->info != NULL;
}
