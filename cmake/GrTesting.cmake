# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Test helpers shared by every tier.  A test that cannot run in this
# environment exits 77 after printing why; ctest reports it as skipped.

# gr_add_test(NAME name LABEL tier COMMAND cmd... [TIMEOUT s])
function(gr_add_test)
	cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "COMMAND" ${ARGN})
	if(NOT T_TIMEOUT)
		set(T_TIMEOUT 120)
	endif()
	add_test(NAME ${T_NAME} COMMAND ${T_COMMAND})
	set_tests_properties(${T_NAME} PROPERTIES
		LABELS ${T_LABEL}
		SKIP_RETURN_CODE 77
		TIMEOUT ${T_TIMEOUT})
endfunction()
