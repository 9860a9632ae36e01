# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Ganesha 4.3 (Debian 12, nfs-ganesha 4.3-2): the options Debian's binary
# package was built with, as config-h.in.cmake's variables.  Included by
# cmake/GaneshaSDK.cmake, which generates config.h from them; see
# docs/architecture.md, "Ganesha ABI".
set(GANESHA_SDK_SHA256
	d4efd020edf4dfe65abfd0f0f66eb4390613360f99dce4354467ab297e0e1c0f)
set(GANESHA_MAJOR_VERSION 4)
set(GANESHA_MINOR_VERSION 3)
set(GANESHA_EXTRA_VERSION "")
set(GANESHA_VERSION "4.3")
set(GANESHA_BUILD_RELEASE 1)
set(VERSION_COMMENT "GANESHA file server is 64 bits compliant and supports NFS v3,4.0,4.1 (pNFS) and 9P")
set(_GIT_HEAD_COMMIT "")
set(_GIT_DESCRIBE "")
set(BUILD_HOST_NAME "debian")
set(SYSCONFDIR "/etc")
set(RUNTIMEDIR "/run/ganesha")
set(SYSSTATEDIR "/var")
foreach(_on _MSPAC_SUPPORT USE_NFSIDMAP USE_DBUS USE_CAPS USE_BLKID _USE_9P
	_USE_NFS3 _USE_NLM _USE_RQUOTA USE_NFSACL3 HAVE_KRB5 LINUX
	_HAVE_GSSAPI HAVE_STRING_H HAVE_STRNLEN LITTLEEND HAVE_DAEMON
	GSH_CAN_HOST_LOCAL_FS USE_RADOS_RECOV RADOS_URLS
	USE_GSS_KRB5_CCACHE_NAME)
	set(${_on} ON)
endforeach()
foreach(_off _USE_CB_SIMULATOR PROXYV4_HANDLE_MAPPING _USE_9P_RDMA
	_USE_NFS_RDMA DEBUG_SAL _VALGRIND_MEMCHECK _NO_TCP_REGISTER RPCBIND
	HAVE_HEIMDAL FREEBSD BSDBASED DARWIN USE_LTTNG SANITIZE_ADDRESS
	DEBUG_MDCACHE ENABLE_LOCKTRACE)
	set(${_off} OFF)
endforeach()
