#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
exit 77
