/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Finds Ganesha's NFS listener: scan this process's descriptors for the
 * listening TCP socket bound to the NFS port, then ask ntirpc for the xprt
 * it already made for that descriptor - svc_vc_ncreatef() on a descriptor
 * that has an xprt returns it with a new reference instead of making one.
 * From it we copy the rendezvous and free-user-data callbacks.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "log.h"

#include "xr_gsh_dispatch.h"

static int socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

static bool is_tcp_listener(int fd)
{
	int value = 0;
	socklen_t len = sizeof(value);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) < 0 ||
	    !value)
		return false;
	len = sizeof(value);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &len) == 0 &&
	       value == SOCK_STREAM;
}

static int find_listener_fd(uint16_t port)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int found = -1;

	if (!dir)
		return -1;
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || fd < 0 || fd == dirfd(dir))
			continue;
		if (is_tcp_listener(fd) && socket_port(fd) == port) {
			found = fd;
			break;
		}
	}
	closedir(dir);
	return found;
}

int xr_gsh_dispatch_find(uint16_t nfs_port, struct xr_gsh_dispatch *out)
{
	SVCXPRT *listener;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = find_listener_fd(nfs_port);
	if (fd < 0) {
		LogCrit(
		    COMPONENT_INIT,
		    "NFS_RDMA: no TCP listener on NFS port %u in this process",
		    nfs_port);
		return -ENOENT;
	}
	listener = svc_vc_ncreatef(fd, 0, 0, SVC_CREATE_FLAG_NONE);
	if (!listener)
		goto out_no_xprt;
	if (!listener->xp_dispatch.rendezvous_cb) {
		SVC_RELEASE(listener, SVC_RELEASE_FLAG_NONE);
		goto out_no_xprt;
	}
	out->xsd_parent = listener;
	out->xsd_rendezvous = listener->xp_dispatch.rendezvous_cb;
	(void)SVC_CONTROL(listener, SVCGET_XP_FREE_USER_DATA,
			  &out->xsd_free_user_data);
	return 0;

out_no_xprt:
	LogCrit(
	    COMPONENT_INIT,
	    "NFS_RDMA: descriptor %d on port %u is not Ganesha's NFS listener",
	    fd, nfs_port);
	return -EPROTO;
}

void xr_gsh_dispatch_put(struct xr_gsh_dispatch *d)
{
	if (d->xsd_parent)
		SVC_RELEASE(d->xsd_parent, SVC_RELEASE_FLAG_NONE);
	memset(d, 0, sizeof(*d));
}
