/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The libnfs kind when libnfs-dev is missing at build time: the worker
 * says so and exits 77 (run.sh then runs without libnfs workers).
 */
#include <errno.h>
#include <stddef.h>

#include "soak_worker.h"

struct sk_fs *sk_libnfs_open(const char *url, const char *root, int *err)
{
	(void)url;
	(void)root;
	*err = -ENOSYS;
	return NULL;
}
