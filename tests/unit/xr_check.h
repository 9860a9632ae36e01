/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Transitional name of tests/lib/gr_check.h, for tests written before it
 * (the only file left in tests/unit: its tests moved to tests/proto and
 * tests/common): include "gr_check.h" instead.  To be removed once nothing
 * includes it.
 */
#ifndef XR_CHECK_H
#define XR_CHECK_H
#include "../lib/gr_check.h"
#define xr_check_done gr_check_done
#endif /* XR_CHECK_H */
