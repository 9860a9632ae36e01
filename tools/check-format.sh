#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Checks that every C source and header tracked by git is formatted as
# .clang-format says.  The formatter is pinned to clang-format 14 (Debian 12's):
# other versions break lines differently, so a check with them would fail on
# code that is correctly formatted.
#
#   tools/check-format.sh          list the files that drift; exit 1 if any
#   tools/check-format.sh --fix    reformat them in place
#
# Exit 77 (a ctest skip) when clang-format-14 or git is absent.
cd "$(dirname "$0")/.." || exit 1
CF=${GR_CLANG_FORMAT:-clang-format-14}
if ! command -v "$CF" >/dev/null 2>&1; then
	echo "SKIP: $CF not installed (tools/install-deps.sh installs it on Debian 12; Debian 13 has no clang-format-14, so the format is checked on Debian 12)"
	exit 77
fi
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "SKIP: not a git checkout, no file list to check"
	exit 77
fi
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ "${1:-}" = --fix ]; then
	"$CF" -i "${files[@]}"
	exit $?
fi
drift=0
for f in "${files[@]}"; do
	if ! "$CF" --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "check-format: $f is not formatted (tools/check-format.sh --fix)"
		drift=$((drift + 1))
	fi
done
echo "check-format: ${#files[@]} files checked, $drift not formatted"
[ "$drift" = 0 ]
