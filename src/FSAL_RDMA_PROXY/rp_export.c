/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Exports of FSAL_RDMA_PROXY: creation from the EXPORT's FSAL { } block,
 * lookup_path, handles from the wire, and what Ganesha asks of an export
 * as a whole (sizes, space, write verifier, state allocation).
 *
 * Each export owns one backend session (rp_backend.c).  The export root
 * is a handle of its own kind (RP_WIRE_ROOT, made by rp_handle.c's
 * rp_make_root()): it exists before the backend answers, so the export
 * comes up with the gateway and starts serving once the backend is
 * reachable; its backend handle is looked up (PUTROOTFH, LOOKUP of each
 * Backend_Path component) by the COMPOUND builder on first use.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "rp_int.h"
#include "export_mgr.h"

static fsal_status_t rp_lookup_path(struct fsal_export *exp_hdl,
				    const char *path,
				    struct fsal_obj_handle **handle,
				    struct fsal_attrlist *attrs_out)
{
	struct rp_export *ex = rp_exp(exp_hdl);
	const char *fullpath = CTX_FULLPATH(op_ctx);
	struct fsal_obj_handle *dir, *next;
	char rest[1025], *comp, *save = NULL;
	fsal_status_t st;
	size_t flen = strlen(fullpath);

	/* Ganesha asks for the export's path or a path below it. */
	if (strncmp(path, fullpath, flen) != 0 ||
	    (path[flen] != '\0' && path[flen] != '/' && flen > 1)) {
		LogWarn(COMPONENT_FSAL,
			"RDMA_PROXY: path %s is not under export path %s", path,
			fullpath);
		return fsalstat(ERR_FSAL_NOENT, ENOENT);
	}
	st = rp_make_root(ex, &dir, attrs_out);
	if (FSAL_IS_ERROR(st))
		return st;
	if (strlen(path + flen) >= sizeof(rest)) {
		dir->obj_ops->release(dir);
		return fsalstat(ERR_FSAL_NAMETOOLONG, ENAMETOOLONG);
	}
	strcpy(rest, path + flen);
	for (comp = strtok_r(rest, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, "..") == 0) {
			dir->obj_ops->release(dir);
			return fsalstat(ERR_FSAL_ACCESS, EACCES);
		}
		st = dir->obj_ops->lookup(dir, comp, &next, attrs_out);
		dir->obj_ops->release(dir);
		if (FSAL_IS_ERROR(st))
			return st;
		dir = next;
	}
	*handle = dir;
	return fsalstat(ERR_FSAL_NO_ERROR, 0);
}

/*
 * A wire handle from a client: well formed, and sealed by this export
 * under its key (rp_handle_mac.c; the MAC is compared in constant time).
 * Every way a handle comes in (wire_to_host, host_to_key, create_handle)
 * checks it, so none can reach the backend unchecked; the MAC costs about
 * a microsecond, nothing beside a round trip to the backend.
 *
 * A refused handle is ERR_FSAL_STALE (NFS4ERR_STALE / NFS3ERR_STALE), not
 * BADHANDLE: a genuine client meets this when the key changed (State_Dir
 * lost or replaced, handles from before handles were authenticated), and
 * STALE is what clients recover from - the Linux client drops the inode
 * and walks the path again by name, getting new handles - while
 * BADHANDLE means "your bug" and surfaces as an I/O error with no retry.
 * A forger learns nothing more from one than from the other.
 */
static fsal_status_t rp_wire_check(struct rp_export *ex,
				   const struct gsh_buffdesc *d, uint8_t *kind,
				   const uint8_t **fh, uint32_t *fh_len)
{
	int ret;

	ret = rp_wire_open(&ex->mac_key, ex->export_id, d->addr, d->len, kind,
			   fh, fh_len);
	if (ret == 0 &&
	    ((*kind == RP_WIRE_ROOT && *fh_len == 0) ||
	     (*kind == RP_WIRE_FH && *fh_len >= 1 && *fh_len <= RP_FH_MAX)))
		return fsalstat(ERR_FSAL_NO_ERROR, 0);
	atomic_fetch_add(&ex->stats.rst_bad_handles, 1);
	if (!atomic_exchange(&ex->bad_handle_logged, true))
		LogInfo(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: refused a client's file handle of %zu bytes (%s); further ones are counted (bad_handles in the stats file) and logged at debug level",
		    ex->backend.rb_label, d->len,
		    ret == -EBADMSG
			? "wrong MAC: forged, altered, another export's or made under another key"
			: "malformed");
	else
		LogDebug(
		    COMPONENT_FSAL,
		    "RDMA_PROXY %s: refused a file handle of %zu bytes (%s)",
		    ex->backend.rb_label, d->len,
		    ret == -EBADMSG ? "wrong MAC" : "malformed");
	return fsalstat(ERR_FSAL_STALE, ESTALE);
}

/* Our host handle is the wire handle: checked, left as it is. */
static fsal_status_t rp_wire_to_host(struct fsal_export *exp_hdl,
				     fsal_digesttype_t in_type,
				     struct gsh_buffdesc *fh_desc, int flags)
{
	const uint8_t *fh;
	uint32_t fh_len;
	uint8_t kind;

	return rp_wire_check(rp_exp(exp_hdl), fh_desc, &kind, &fh, &fh_len);
}

/* The cache key is the whole wire handle, MAC included (handle_to_key). */
static fsal_status_t rp_host_to_key(struct fsal_export *exp_hdl,
				    struct gsh_buffdesc *fh_desc)
{
	const uint8_t *fh;
	uint32_t fh_len;
	uint8_t kind;

	return rp_wire_check(rp_exp(exp_hdl), fh_desc, &kind, &fh, &fh_len);
}

static fsal_status_t rp_create_handle(struct fsal_export *exp_hdl,
				      struct gsh_buffdesc *fh_desc,
				      struct fsal_obj_handle **handle,
				      struct fsal_attrlist *attrs_out)
{
	struct rp_export *ex = rp_exp(exp_hdl);
	struct rp_compound b;
	const uint8_t *fh;
	uint32_t fh_len, i_attr;
	uint8_t kind;
	fsal_status_t st;

	st = rp_wire_check(ex, fh_desc, &kind, &fh, &fh_len);
	if (FSAL_IS_ERROR(st))
		return st;
	if (kind == RP_WIRE_ROOT)
		return rp_make_root(ex, handle, attrs_out);
	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh_raw(&b, fh, fh_len);
	i_attr = rp_cpd_getattr(&b);
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st))
		st = rp_make_handle(ex, fh, fh_len,
				    &b.cpd_c.sc_res[i_attr]
					 .nfs_resop4_u.opgetattr.GETATTR4res_u
					 .resok4.obj_attributes,
				    handle, attrs_out);
	rp_cpd_free(&b);
	return st;
}

static fsal_status_t rp_get_dynamic_info(struct fsal_export *exp_hdl,
					 struct fsal_obj_handle *obj_hdl,
					 fsal_dynamicfsinfo_t *info)
{
	struct rp_export *ex = rp_exp(exp_hdl);
	struct rp_compound b;
	nfs_argop4 *op;
	uint32_t i_attr;
	fsal_status_t st;

	rp_cpd_init(&b, ex, false);
	rp_cpd_putfh(&b, rp_hdl(obj_hdl));
	i_attr = rp_cpd_add(&b, NFS4_OP_GETATTR, &op);
	rp_fsinfo_bitmap(&op->nfs_argop4_u.opgetattr.attr_request);
	st = rp_cpd_run(&b);
	if (!FSAL_IS_ERROR(st)) {
		memset(info, 0, sizeof(*info));
		st = rp_fattr_to_fsinfo(
		    &b.cpd_c.sc_res[i_attr]
			 .nfs_resop4_u.opgetattr.GETATTR4res_u.resok4
			 .obj_attributes,
		    info);
		info->time_delta.tv_sec = 0;
		info->time_delta.tv_nsec = FSAL_DEFAULT_TIME_DELTA_NSEC;
	}
	rp_cpd_free(&b);
	return st;
}

static uint32_t rp_fs_maxread(struct fsal_export *exp_hdl)
{
	struct rp_export *ex = rp_exp(exp_hdl);

	return rp_backend_io_limit(&ex->backend, ex->conf.max_read);
}

static uint32_t rp_fs_maxwrite(struct fsal_export *exp_hdl)
{
	struct rp_export *ex = rp_exp(exp_hdl);

	return rp_backend_io_limit(&ex->backend, ex->conf.max_write);
}

static void rp_get_write_verifier(struct fsal_export *exp_hdl,
				  struct gsh_buffdesc *verf_desc)
{
	struct rp_export *ex = rp_exp(exp_hdl);

	pthread_mutex_lock(&ex->verf_lock);
	memcpy(verf_desc->addr, ex->write_verf, verf_desc->len);
	pthread_mutex_unlock(&ex->verf_lock);
}

/*
 * Extended attributes only where the backend offers them (rp_v42.c):
 * elsewhere Ganesha answers the xattr operations NOTSUPP itself, as the
 * backend would, and says xattr_support false.
 */
static attrmask_t rp_supported_attrs(struct fsal_export *exp_hdl)
{
	attrmask_t m = fsal_supported_attrs(&exp_hdl->fsal->fs_info);

	if (rp_v42_xattr_ok(rp_exp(exp_hdl)))
		m |= ATTR4_XATTR;
	return m;
}

/*
 * Ganesha's default fs_supports (fsal_export_init() installs it; its
 * fsal_supports() is not exported to modules) answers every other option.
 */
static bool (*rp_default_fs_supports)(struct fsal_export *exp_hdl,
				      fsal_fsinfo_options_t option);

static bool rp_fs_supports(struct fsal_export *exp_hdl,
			   fsal_fsinfo_options_t option)
{
	if (option == fso_xattr_support)
		return rp_v42_xattr_ok(rp_exp(exp_hdl));
	return rp_default_fs_supports(exp_hdl, option);
}

static void rp_release_export(struct fsal_export *exp_hdl)
{
	struct rp_export *ex = rp_exp(exp_hdl);

	LogEvent(
	    COMPONENT_FSAL,
	    "RDMA_PROXY %s: released after %llu calls (%llu errors), %llu bytes read, %llu written, %llu re-opens",
	    ex->backend.rb_label,
	    (unsigned long long)atomic_load(&ex->stats.rst_calls),
	    (unsigned long long)atomic_load(&ex->stats.rst_errors),
	    (unsigned long long)atomic_load(&ex->stats.rst_read_bytes),
	    (unsigned long long)atomic_load(&ex->stats.rst_write_bytes),
	    (unsigned long long)atomic_load(&ex->stats.rst_reopens));
	rp_stats_del_export(ex);
	rp_backend_fini(&ex->backend);
	fsal_detach_export(exp_hdl->fsal, &exp_hdl->exports);
	free_export_ops(exp_hdl);
	pthread_mutex_destroy(&ex->root_lock);
	pthread_mutex_destroy(&ex->verf_lock);
	gsh_free(ex->conf.backend_addr);
	gsh_free(ex->conf.backend_path);
	gsh_free(ex->conf.provider);
	OPENSSL_cleanse(&ex->mac_key, sizeof(ex->mac_key));
	gsh_free(ex);
}

void rp_export_ops_init(struct export_ops *ops)
{
	ops->release = rp_release_export;
	ops->lookup_path = rp_lookup_path;
	ops->wire_to_host = rp_wire_to_host;
	ops->host_to_key = rp_host_to_key;
	ops->create_handle = rp_create_handle;
	ops->get_fs_dynamic_info = rp_get_dynamic_info;
	ops->fs_maxread = rp_fs_maxread;
	ops->fs_maxwrite = rp_fs_maxwrite;
	ops->get_write_verifier = rp_get_write_verifier;
	ops->fs_supported_attrs = rp_supported_attrs;
	if (ops->fs_supports != rp_fs_supports)
		rp_default_fs_supports = ops->fs_supports;
	ops->fs_supports = rp_fs_supports;
	ops->alloc_state = rp_alloc_state;
	rp_compat_export_ops(ops, rp_state_free);
}

fsal_status_t rp_create_export(struct fsal_module *fsal_hdl, void *parse_node,
			       struct config_error_type *err_type,
			       const struct fsal_up_vector *up_ops)
{
	struct rp_export *ex = gsh_calloc(1, sizeof(*ex));
	int ret;

	fsal_export_init(&ex->exp);
	rp_export_ops_init(&ex->exp.exp_ops);
	pthread_mutex_init(&ex->root_lock, NULL);
	pthread_mutex_init(&ex->verf_lock, NULL);
	ex->export_id = op_ctx->ctx_export->export_id;

	ret = load_config_from_node(parse_node, &rp_export_block, &ex->conf,
				    true, err_type);
	if (ret != 0) {
		LogCrit(
		    COMPONENT_FSAL,
		    "RDMA_PROXY: export %u (%s): bad FSAL block, see the lines above",
		    ex->export_id, CTX_FULLPATH(op_ctx));
		goto out_free;
	}
	/* Made on first use, read back after a restart: handles stay valid */
	{
		const char *why;

		ret = rp_mac_key_load(rp_module.state_dir, &ex->mac_key, &why);
		if (ret != 0) {
			LogCrit(
			    COMPONENT_FSAL,
			    "RDMA_PROXY: export %u (%s): handle key %s/%s: %s (%s)",
			    ex->export_id, CTX_FULLPATH(op_ctx),
			    rp_module.state_dir ? rp_module.state_dir : "",
			    RP_MAC_KEY_FILE, why, strerror(-ret));
			goto out_free;
		}
	}
	ret = fsal_attach_export(fsal_hdl, &ex->exp.exports);
	if (ret != 0) {
		LogCrit(COMPONENT_FSAL, "RDMA_PROXY: cannot attach export %u",
			ex->export_id);
		goto out_free;
	}
	ex->exp.fsal = fsal_hdl;
	ex->exp.up_ops = up_ops;
	op_ctx->fsal_export = &ex->exp;

	ret = rp_backend_init(&ex->backend, &ex->conf, ex->export_id);
	if (ret != 0) {
		fsal_detach_export(fsal_hdl, &ex->exp.exports);
		goto out_free;
	}
	rp_stats_add_export(ex);
	LogEvent(
	    COMPONENT_FSAL,
	    "RDMA_PROXY %s: export of backend path %s created (max read %u, max write %u, %u slots)",
	    ex->backend.rb_label, ex->conf.backend_path, ex->conf.max_read,
	    ex->conf.max_write, ex->conf.slots);
	return fsalstat(ERR_FSAL_NO_ERROR, 0);

out_free:
	free_export_ops(&ex->exp);
	pthread_mutex_destroy(&ex->root_lock);
	pthread_mutex_destroy(&ex->verf_lock);
	gsh_free(ex->conf.backend_addr);
	gsh_free(ex->conf.backend_path);
	gsh_free(ex->conf.provider);
	OPENSSL_cleanse(&ex->mac_key, sizeof(ex->mac_key));
	gsh_free(ex);
	return fsalstat(ERR_FSAL_INVAL, EINVAL);
}
