# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The Ganesha SDK: headers from Debian's nfs-ganesha source package (fetched
# by tools/install-deps.sh) plus a config.h generated from Ganesha's own
# config-h.in.cmake with the options Debian's binary package was built with.
# Struct layouts such as nfs_param and nfs_request_t depend on these options,
# so they must match Debian's build exactly; src/common/gr_abi.c checks the
# result against the running ganesha.nfsd at load time.
#
# One tree, two targets: the Ganesha version is the one installed on the
# platform the build runs on - Debian 12's 4.3 or Debian 13's 6.5 - read from
# dpkg (package nfs-ganesha), else from the libganesha_nfsd.so.X.Y file name;
# -DGR_GANESHA_VERSION=X.Y overrides it.  Each supported version has its build
# options in cmake/ganesha/ganesha-X.Y.cmake: supporting the next version is
# one more file there (plus the C files that differ, see docs/architecture.md).
#
# Defines GANESHA_SDK_FOUND, the INTERFACE target ganesha_sdk with the compile
# definitions GR_GANESHA_VERSION_MAJOR and GR_GANESHA_VERSION_MINOR (integers;
# select version-specific code with them), and the CMake variables
# GR_GANESHA_VERSION ("6.5"), GR_GANESHA_VERSION_MAJOR/_MINOR for choosing
# version-specific source files.

set(GR_GANESHA_VERSION "" CACHE STRING
    "Ganesha version to build for, X.Y (empty: the one installed)")
set(GANESHA_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/ganesha" CACHE PATH
    "Where Debian's ganesha.nfsd looks for libfsal*.so modules")
find_program(GANESHA_NFSD ganesha.nfsd PATHS /usr/bin /usr/sbin)
set(GANESHA_SDK_FOUND OFF)

# The installed version, X.Y, or "" when no Ganesha is installed.
function(_gr_ganesha_installed out)
	set(_v "")
	find_program(_gr_dpkg_query dpkg-query)
	if(_gr_dpkg_query)
		execute_process(COMMAND ${_gr_dpkg_query} -W -f=\${Version}
				nfs-ganesha
			OUTPUT_VARIABLE _dv ERROR_QUIET RESULT_VARIABLE _rc)
		if(_rc EQUAL 0 AND _dv MATCHES "^([0-9]+)\\.([0-9]+)")
			set(_v "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
		endif()
	endif()
	if(_v STREQUAL "")
		file(GLOB _libs /usr/lib/ganesha/libganesha_nfsd.so.*.*)
		foreach(_l ${_libs})
			if(_l MATCHES "libganesha_nfsd\\.so\\.([0-9]+)\\.([0-9]+)$")
				set(_v "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
			endif()
		endforeach()
	endif()
	set(${out} "${_v}" PARENT_SCOPE)
endfunction()

if(GR_GANESHA_VERSION STREQUAL "")
	_gr_ganesha_installed(_gr_gv)
else()
	set(_gr_gv "${GR_GANESHA_VERSION}")
endif()
if(_gr_gv STREQUAL "")
	message(STATUS "No Ganesha installed (dpkg nfs-ganesha, "
		"/usr/lib/ganesha/libganesha_nfsd.so.X.Y): modules for "
		"ganesha.nfsd are not built (run tools/install-deps.sh)")
	return()
endif()
set(_gr_opts "${CMAKE_CURRENT_LIST_DIR}/ganesha/ganesha-${_gr_gv}.cmake")
if(NOT _gr_gv MATCHES "^([0-9]+)\\.([0-9]+)$" OR NOT EXISTS "${_gr_opts}")
	file(GLOB _gr_known RELATIVE "${CMAKE_CURRENT_LIST_DIR}/ganesha"
		"${CMAKE_CURRENT_LIST_DIR}/ganesha/ganesha-*.cmake")
	string(REGEX REPLACE "ganesha-([0-9.]+)\\.cmake" "\\1" _gr_known
		"${_gr_known}")
	message(WARNING "Ganesha ${_gr_gv} is not a supported target "
		"(supported: ${_gr_known}): modules for ganesha.nfsd are not "
		"built")
	return()
endif()
set(GR_GANESHA_VERSION_MAJOR ${CMAKE_MATCH_1})
set(GR_GANESHA_VERSION_MINOR ${CMAKE_MATCH_2})
set(GR_GANESHA_VERSION_USED "${_gr_gv}")

set(GANESHA_SDK_DIR "/var/cache/ganesha-rdma/ganesha-${_gr_gv}" CACHE PATH
    "Unpacked Ganesha sources of the target version (tools/install-deps.sh)")
set(_gsh_in "${GANESHA_SDK_DIR}/src/include/config-h.in.cmake")
if(NOT EXISTS "${_gsh_in}")
	message(STATUS "Ganesha ${_gr_gv} SDK not found in ${GANESHA_SDK_DIR}: "
		"modules for ganesha.nfsd are not built "
		"(run tools/install-deps.sh)")
	return()
endif()
message(STATUS "Ganesha target: ${_gr_gv} (SDK ${GANESHA_SDK_DIR})")

# Debian's build options for this version (sets the config.h variables).
include("${_gr_opts}")
set(FSAL_DESTINATION "${GANESHA_PLUGIN_DIR}")

set(GANESHA_SDK_GENERATED "${CMAKE_BINARY_DIR}/ganesha-sdk/include")
configure_file("${_gsh_in}" "${GANESHA_SDK_GENERATED}/config.h")

find_library(GANESHA_NFSD_LIB NAMES libganesha_nfsd.so.${_gr_gv} ganesha_nfsd
	PATHS /usr/lib/ganesha NO_DEFAULT_PATH)
find_library(NTIRPC_LIB NAMES ntirpc)
if(NOT GANESHA_NFSD_LIB OR NOT NTIRPC_LIB)
	message(STATUS "libganesha_nfsd or libntirpc missing: no Ganesha modules")
	return()
endif()
set(GANESHA_SDK_FOUND ON)

add_library(ganesha_sdk INTERFACE)
target_include_directories(ganesha_sdk SYSTEM INTERFACE
	"${GANESHA_SDK_GENERATED}"
	"${GANESHA_SDK_DIR}/src/include"
	/usr/include/ntirpc)
target_compile_definitions(ganesha_sdk INTERFACE
	_GNU_SOURCE=1 _LARGEFILE64_SOURCE _FILE_OFFSET_BITS=64 HAS_DOFF
	GR_GANESHA_VERSION_MAJOR=${GR_GANESHA_VERSION_MAJOR}
	GR_GANESHA_VERSION_MINOR=${GR_GANESHA_VERSION_MINOR})
target_compile_options(ganesha_sdk INTERFACE -fno-strict-aliasing)
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
