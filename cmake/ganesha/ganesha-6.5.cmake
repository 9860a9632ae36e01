# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Ganesha 6.5 (Debian 13, nfs-ganesha 6.5-5): the options Debian's binary
# package was built with, as config-h.in.cmake's variables.  Included by
# cmake/GaneshaSDK.cmake, which generates config.h from them.
#
# Sources, checked option by option on 2026-12-06:
#  R = debian/rules of nfs-ganesha_6.5-5.debian.tar.xz (sha256 2068401558...,
#      from the .dsc in the trixie pool): -DBUILD_CONFIG=debian
#      -DUSE_SYSTEM_NTIRPC=YES -DUSE_9P=ON -DUSE_9P_RDMA=NO -DUSE_LTTNG=NO
#      -DENABLE_VFS_POSIX_ACL=ON -D_MSPAC_SUPPORT=YES -DSANITIZE_ADDRESS=NO
#      -DUSE_DBUS=ON, on amd64 -DUSE_RADOS_RECOV=YES -DRADOS_URLS=YES
#  D = defaults and probes of nfs-ganesha-6.5/src/CMakeLists.txt, with the
#      Build-Depends of debian/control (no libunwind, librdmacm, libibverbs,
#      libbtrfsutil, prometheus-cpp or sqlite among them)
#  B = the binary package: NEEDED entries of libganesha_nfsd.so.6.5 are
#      libntirpc, libwbclient, libnfsidmap, libdbus-1, libacl, libcap,
#      libblkid, libuuid, libkrb5, libgssapi_krb5, liburcu-bp - and no
#      libunwind, libibverbs/librdmacm, liblttng or libbtrfsutil; strings
#      hold "/var/run/ganesha/ganesha.pid" and "/var/lib/nfs/ganesha"
set(GANESHA_SDK_SHA256
	ece6cf138dd8602f33294eee75233051229867ea7fd1b3f7d6545e989303bfd9)
set(GANESHA_MAJOR_VERSION 6)
# D: 6.5's CMakeLists.txt has "set(GANESHA_MINOR_VERSION .5)", dot included,
# so Ganesha's own GANESHA_VERSION_MINOR expands to ".5": use
# GR_GANESHA_VERSION_MINOR (an integer) in #if, never Ganesha's macro.
set(GANESHA_MINOR_VERSION .5)
set(GANESHA_EXTRA_VERSION "")
set(GANESHA_VERSION "6.5")
set(GANESHA_BUILD_RELEASE 1)	# D: RelWithDebInfo (R)
set(VERSION_COMMENT "GANESHA file server is 64 bits compliant and supports NFS v3,4.0,4.1 (pNFS) and 9P")
set(_GIT_HEAD_COMMIT "")	# R: DISTNAME_HAS_GIT_DATA=OFF, a tarball build
set(_GIT_DESCRIBE "")
set(BUILD_HOST_NAME "debian")
set(SYSCONFDIR "/etc")		# D: prefix /usr
set(RUNTIMEDIR "/var/run/ganesha")	# D: ${SYSSTATEDIR}/run/ganesha; B
set(SYSSTATEDIR "/var")		# D; B
foreach(_on
	_MSPAC_SUPPORT		# R; B (libwbclient)
	USE_NFSIDMAP		# D; B (libnfsidmap)
	USE_DBUS		# R; B (libdbus-1)
	USE_CAPS USE_BLKID	# D; B (libcap, libblkid)
	_USE_9P			# R
	_USE_NFS3 _USE_NLM _USE_RQUOTA USE_NFSACL3	# D: default ON
	HAVE_KRB5 _HAVE_GSSAPI	# D: USE_GSS default ON; B (libgssapi_krb5)
	LINUX HAVE_STRING_H HAVE_STRNLEN LITTLEEND HAVE_DAEMON	# D: probes
	GSH_CAN_HOST_LOCAL_FS	# D: default ON
	USE_RADOS_RECOV RADOS_URLS	# R (amd64)
	ENABLE_VFS_POSIX_ACL	# R; B (libacl)
	HAVE_URCU_REF_GET_UNLESS_ZERO	# D: probe; liburcu 0.15 has it
	RPCBIND)		# D: option(RPCBIND ... ON)
	set(${_on} ON)
endforeach()
foreach(_off
	USE_UNWIND		# D: no libunwind-dev; B
	_USE_CB_SIMULATOR	# D
	PROXYV4_HANDLE_MAPPING	# D: default OFF (no sqlite)
	_USE_9P_RDMA		# R
	_USE_NFS_RDMA		# D: no librdmacm/libibverbs-dev, so the probe
				# turns USE_NFS_RDMA off; B; libntirpc 6.3
				# has no RDMA symbols either
	DEBUG_SAL _VALGRIND_MEMCHECK _NO_TCP_REGISTER	# D: default OFF
	HAVE_HEIMDAL FREEBSD BSDBASED DARWIN	# D: Linux, MIT krb5
	USE_LTTNG		# R
	HAVE_ACL_GET_FD_NP HAVE_ACL_SET_FD_NP	# D: FreeBSD only
	ENABLE_VFS_DEBUG_ACL ENABLE_RFC_ACL ENABLE_VFS_ACL	# D
	SANITIZE_ADDRESS	# R
	DEBUG_MDCACHE ENABLE_LOCKTRACE	# D
	USE_GSS_KRB5_CCACHE_NAME	# D: no CMake file of 6.5 sets it
	USE_BTRFSUTIL		# D: no libbtrfsutil; B
	USE_MONITORING		# D: default OFF, R leaves it
	USE_LLAPI)		# R: USE_FSAL_LUSTRE=NO
	set(${_off} OFF)
endforeach()
# The FSAL-private probes (USE_FSAL_CEPH_*, USE_GLUSTER_*, USE_FSAL_RGW_*,
# CEPHFS_POSIX_ACL) are left undefined: no header under src/include uses them.
