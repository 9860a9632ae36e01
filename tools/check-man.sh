#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The manual pages (docs/man/) against what they document, so they cannot
# drift from the code:
#   - each page renders without a warning (groff -man -ww, and man -l when
#     man-db is installed);
#   - every option of the NFS_RDMA table (src/xprt_rdma/ganesha/
#     xr_gsh_conf.c) is an entry (.TP tag) of nfs_rdma.5, every option of
#     the RDMA_PROXY tables (src/FSAL_RDMA_PROXY/rp_config.c) one of
#     rdma_proxy.5, and every bold entry there is an option of the code;
#   - with NFS41 given, every command and option of `nfs41 --help` is an
#     entry of nfs41.1.
# Prints one line per problem and "check-man: N pages, N problems".
#
# Usage: check-man.sh SRC_DIR [NFS41_BINARY]
set -u
src=${1:?usage: check-man.sh SRC_DIR [NFS41_BINARY]}
nfs41=${2:-}
man=$src/docs/man
problems=0
bad() { echo "check-man: $*"; problems=$((problems + 1)); }

command -v groff >/dev/null || { echo "SKIP: groff not installed"; exit 77; }

pages=0
for page in "$man"/*.[1-8]; do
	pages=$((pages + 1))
	out=$(groff -man -ww -z "$page" 2>&1)
	[ -z "$out" ] || bad "$(basename "$page"): groff: $out"
	if command -v man >/dev/null; then
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$out" ] || bad "$(basename "$page"): man -l: $out"
	fi
done

# Words of the entries' tags (the line after each .TP), hyphens unescaped.
tags() { # PAGE
	awk 'prev == ".TP" { print } { prev = $0 }' "$1" |
		sed 's/\\-/-/g; s/\\f[BIRP]//g; s/"//g; s/,//g' |
		tr ' ' '\n' | grep -v '^\.' | grep -v '^$' | sort -u
}
# The option names of Ganesha config tables in a C file.
options() { # FILE
	grep -oE 'CONF_(ITEM|MAND)_[A-Z0-9_]+\("[A-Za-z_0-9]+"' "$1" |
		sed 's/.*("//; s/"$//' | grep -vx name | sort -u
}
# First word of each bold tag: what the page claims is an option.
bold_tags() { # PAGE
	awk 'prev == ".TP" && /^\.BR? / { print $2 } { prev = $0 }' "$1" | sort -u
}

check_block() { # PAGE CODE_FILE
	local page=$man/$1 code=$src/$2 o t
	[ -f "$page" ] || { bad "$1 missing"; return; }
	for o in $(options "$code"); do
		tags "$page" | grep -qxF "$o" ||
			bad "$1: option $o of $2 is not documented"
	done
	for t in $(bold_tags "$page"); do
		options "$code" | grep -qxF "$t" ||
			bad "$1: entry $t is no option of $2"
	done
}
check_block nfs_rdma.5 src/xprt_rdma/ganesha/xr_gsh_conf.c
check_block rdma_proxy.5 src/FSAL_RDMA_PROXY/rp_config.c

if [ -n "$nfs41" ]; then
	help=$("$nfs41" --help 2>&1)
	page=$man/nfs41.1
	# commands: the first word of each line between "commands:" and a
	# blank line
	for c in $(printf '%s\n' "$help" |
		awk '/^commands:/ { on = 1; next } on && /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }'); do
		tags "$page" | grep -qxF "$c" ||
			bad "nfs41.1: command $c of nfs41 --help is not documented"
	done
	for o in $(printf '%s\n' "$help" |
		awk '/^options:/ { on = 1; next } on && /^$/ { on = 0 } on' |
		grep -oE '(^|[ ,])--?[a-z][a-z-]*' | tr -d ' ,' | sort -u); do
		tags "$page" | grep -qxF -- "$o" ||
			bad "nfs41.1: option $o of nfs41 --help is not documented"
	done
fi
echo "check-man: $pages pages, $problems problems"
[ "$problems" = 0 ]
