# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The Ganesha 4.3 SDK: headers from Debian's nfs-ganesha source package
# (fetched by tools/install-deps.sh) plus a config.h generated from Ganesha's
# own config-h.in.cmake with the options Debian's binary package was built
# with.  Struct layouts such as nfs_param and nfs_request_t depend on these
# options, so they must match Debian's build exactly; src/common/gr_abi.c
# checks the result against the running ganesha.nfsd at load time.
#
# Defines GANESHA_SDK_FOUND and the INTERFACE target ganesha_sdk.

set(GANESHA_SDK_DIR "/var/cache/ganesha-rdma/ganesha-4.3" CACHE PATH
    "Unpacked Ganesha 4.3 sources (tools/install-deps.sh)")
set(GANESHA_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/ganesha" CACHE PATH
    "Where Debian's ganesha.nfsd looks for libfsal*.so modules")
find_program(GANESHA_NFSD ganesha.nfsd PATHS /usr/bin /usr/sbin)

set(_gsh_in "${GANESHA_SDK_DIR}/src/include/config-h.in.cmake")
if(NOT EXISTS "${_gsh_in}")
	message(STATUS "Ganesha SDK not found in ${GANESHA_SDK_DIR}: "
		"modules for ganesha.nfsd are not built "
		"(run tools/install-deps.sh)")
	set(GANESHA_SDK_FOUND OFF)
	return()
endif()
set(GANESHA_SDK_FOUND ON)

# Debian 4.3 build options (see docs/architecture.md, "Ganesha ABI").
set(GANESHA_MAJOR_VERSION 4)
set(GANESHA_MINOR_VERSION 3)
set(GANESHA_EXTRA_VERSION "")
set(GANESHA_VERSION "4.3")
set(GANESHA_BUILD_RELEASE 1)
set(VERSION_COMMENT "GANESHA file server is 64 bits compliant and supports NFS v3,4.0,4.1 (pNFS) and 9P")
set(_GIT_HEAD_COMMIT "")
set(_GIT_DESCRIBE "")
set(BUILD_HOST_NAME "debian")
set(FSAL_DESTINATION "${GANESHA_PLUGIN_DIR}")
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

set(GANESHA_SDK_GENERATED "${CMAKE_BINARY_DIR}/ganesha-sdk/include")
configure_file("${_gsh_in}" "${GANESHA_SDK_GENERATED}/config.h")

add_library(ganesha_sdk INTERFACE)
target_include_directories(ganesha_sdk SYSTEM INTERFACE
	"${GANESHA_SDK_GENERATED}"
	"${GANESHA_SDK_DIR}/src/include"
	/usr/include/ntirpc)
target_compile_definitions(ganesha_sdk INTERFACE
	_GNU_SOURCE=1 _LARGEFILE64_SOURCE _FILE_OFFSET_BITS=64 HAS_DOFF)
target_compile_options(ganesha_sdk INTERFACE -fno-strict-aliasing)

find_library(GANESHA_NFSD_LIB NAMES ganesha_nfsd libganesha_nfsd.so.4.3
	PATHS /usr/lib/ganesha NO_DEFAULT_PATH)
find_library(NTIRPC_LIB NAMES ntirpc)
if(NOT GANESHA_NFSD_LIB OR NOT NTIRPC_LIB)
	message(STATUS "libganesha_nfsd or libntirpc missing: no Ganesha modules")
	set(GANESHA_SDK_FOUND OFF)
	return()
endif()
target_link_libraries(ganesha_sdk INTERFACE ${GANESHA_NFSD_LIB} ${NTIRPC_LIB})

# gr_add_ganesha_module(name sources...): builds lib<name>.so for Plugins_Dir.
# Linked with -z defs against the daemon's library, so a symbol Ganesha does
# not export (its version script hides most) fails the build, not the load.
function(gr_add_ganesha_module name)
	add_library(${name} MODULE ${ARGN})
	set_target_properties(${name} PROPERTIES PREFIX "lib")
	target_link_libraries(${name} PRIVATE ganesha_sdk)
	target_link_options(${name} PRIVATE -Wl,-z,defs)
endfunction()
