#!/bin/bash
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Keeps docs/architecture.md's file lists and the module READMEs honest.
# Four checks, each printing one line per finding:
#   1. every C source or header tracked under src/ is named in
#      docs/architecture.md (as `name.c`, `name.h`, `name.[ch]` or a path);
#   2. every path under src/, tests/, bench/, tools/, config_samples/ or
#      cmake/ named in architecture.md or a README/notes file of the tree
#      (README.md, src/*/README.md, bench/*.md, tests/*/*.md, docs/*.md)
#      exists (a program's path when its .c does: bench/xr_fabric_bench);
#      paths without src/ in architecture.md's tables ("core/xr_svc.c:fn")
#      count too;
#   3. every C file name (`xr_foo.c`, `xr_foo.[ch]`) architecture.md names
#      is a file git tracks somewhere in the tree, unless it is listed in
#      OUTSIDE below (files of Ganesha, ntirpc or Linux that it cites);
#   4. every "file.c:function" citation in architecture.md names a function
#      (any identifier) that occurs in that file;
#   5. every thread the code creates (each pthread_create() under src/) is
#      in a threads table: architecture.md cites "file.c:function" for the
#      function that creates it;
#   6. every mutex, condition variable, rwlock and spinlock declared under
#      src/ is named in architecture.md (as `name` or `struct.name`);
#   7. every fuzz target (tests/fuzz/fuzz_<name>.c) is named there as
#      `<name>`;
#   8. every snake_case identifier in a `code span` of architecture.md or a
#      module README (a function, member, counter, test name) occurs in the
#      code, build or test files, so a rename cannot leave the docs behind -
#      except names of Ganesha's (OUTSIDE_IDS) and the "(was `old`)" rows
#      of the test-name table.
#
#   tools/check-docs.sh            exit 1 if anything is stale
#
# Exit 77 (a ctest skip) when git is absent or this is not a checkout.
cd "$(dirname "$0")/.." || exit 1
if ! command -v git >/dev/null 2>&1 ||
	! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "SKIP: not a git checkout, no file list to check"
	exit 77
fi
ARCH=docs/architecture.md
# C files of other projects that architecture.md cites by name.
OUTSIDE=" config.h nfsv41.h xdr_rdma.c svc_rdma_pcl.c rpc_rdma.c verbs.c frwr_ops.c transport.c nfs4_op_read.c nfs4_op_write.c nfs_worker_thread.c nfs_rpc_dispatcher_thread.c svc_vc.c work_pool.c svc_rqst.c svc_xprt.c handle.c file.c export.c main.c "
# Ganesha functions and a placeholder that architecture.md cites.
OUTSIDE_IDS=" fsal_read2 proxyv4_read2 gsh_malloc_aligned io_advise io_advise2 mdcache_read2 mdcache_write2 nfs4_op_notsupp nfs4_op_write_same nfs4_read nfs_rpc_process_request process_one_op vfs_read2 vfs_write2 sess_client_ fuzz_xr_rpccall "
bad=0
complain() {
	echo "check-docs: $*"
	bad=$((bad + 1))
}

# The names the doc uses: `a.c`, `a.h`, `a.[ch]` expanded to both.
names=$(grep -oE '[A-Za-z0-9_./-]+\.(\[ch\]|c|h)([^A-Za-z0-9_]|$)' "$ARCH" |
	sed -E 's/[^]A-Za-z0-9_]$//; s/^(.*)\.\[ch\]$/\1.c\n\1.h/' | sort -u)
tracked=$(git ls-files)

# 1. every tracked src/ C file is named (by path or by its base name).
while read -r f; do
	b=${f##*/}
	if ! grep -qxF -- "$b" <(sed 's#.*/##' <<<"$names"); then
		complain "$f is not named in $ARCH"
	fi
done < <(git ls-files 'src/*.c' 'src/*.h')

# 2. every src/ path named in the docs exists (files or directories).
docs=$(git ls-files "$ARCH" README.md 'src/*README.md' 'bench/*.md' 'tests/*.md' 'docs/*.md')
for d in $docs; do
	grep -oE '(^|[^A-Za-z0-9_./])(src|tests|bench|tools|config_samples|cmake)/[A-Za-z0-9_./*<\[-]+\]?' "$d" |
		sed -E 's/^[^a-z]//; s/[.,;:]+$//' | sort -u |
		while read -r p; do
			# globs, placeholders (fuzz_<name>.c), Ganesha's src/include
			case "$p" in *'*'* | *'<'* | src/include) continue ;; esac
			for q in $(sed -E 's/^(.*)\.\[ch\]$/\1.c \1.h/' <<<"$p"); do
				[ -e "$q" ] || [ -e "$q.c" ] ||
					echo "check-docs: $d names $q, which does not exist"
			done
		done
done >/tmp/check-docs.$$
# The tables cite "core/xr_svc.c:fn", a path under src/ shortened from the left.
grep -oE '`[A-Za-z0-9_/]+\.[ch]:[A-Za-z0-9_]+`' "$ARCH" |
	tr -d '`' | sort -u >/tmp/check-docs-cites.$$
while IFS=: read -r p0 fn; do
	# the one tracked file under src/ whose path ends in /$p0
	p=$(grep -E "^src/(.*/)?${p0//./\\.}\$" <<<"$tracked")
	if [ "$(wc -w <<<"$p")" != 1 ]; then
		echo "check-docs: $ARCH cites $p0:$fn, and no single file under src/ ends in $p0"
	elif ! grep -qw -- "$fn" "$p"; then
		# 4. the function is in that file.
		echo "check-docs: $ARCH cites $p:$fn, and $p has no $fn"
	fi
done </tmp/check-docs-cites.$$ >>/tmp/check-docs.$$
while read -r line; do
	[ -n "$line" ] && complain "${line#check-docs: }"
done </tmp/check-docs.$$
rm -f /tmp/check-docs.$$ /tmp/check-docs-cites.$$

# 3. every C file name in the doc is one git tracks (or a cited outsider).
base_tracked=$(sed 's#.*/##' <<<"$tracked" | sort -u)
for n in $names; do
	b=${n##*/}
	case "$OUTSIDE" in *" $b "*) continue ;; esac
	grep -qxF -- "$b" <<<"$base_tracked" ||
		complain "$ARCH names $n, which no tracked file is called"
done

# 5. every thread creation site is cited (file.c:enclosing function).
while IFS=: read -r f l _; do
	fn=$(head -n "$l" "$f" | grep -E '^[a-z].*\(' | tail -1 |
		grep -oE '[A-Za-z0-9_]+\(' | head -1)
	fn=${fn%(}
	grep -qE "[\`/]${f##*/}:$fn\`" "$ARCH" ||
		complain "$f: a thread created in $fn() is in no threads table of $ARCH (cite ${f##*/}:$fn)"
done < <(git ls-files 'src/*.c' | xargs grep -n 'pthread_create(' |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*)')

# 6. every lock and condition variable is named.
for n in $(git ls-files 'src/*.c' 'src/*.h' | xargs grep -hoE \
	'pthread_(mutex|cond|rwlock|spinlock)_t[[:space:]]+[A-Za-z_][A-Za-z0-9_]*' |
	awk '{print $2}' | sort -u); do
	grep -qE "[\`.]$n\`" "$ARCH" ||
		complain "lock or condition variable $n (src/) is named nowhere in $ARCH"
done

# 7. every fuzz target is named.
for f in $(git ls-files 'tests/fuzz/fuzz_*.c'); do
	n=${f##*/fuzz_}
	n=${n%.c}
	grep -qE "\`(fuzz_)?$n\`" "$ARCH" ||
		complain "fuzz target $n ($f) is named nowhere in $ARCH"
done

# 8. identifiers in code spans exist in the code.
git grep -ohwE '[a-z][a-z0-9]*_[a-z0-9_]+' -- ':!*.md' ':!docs' |
	sort -u >/tmp/check-docs-ids.$$
for d in "$ARCH" $(git ls-files 'src/*README.md'); do
	grep -v '(was `' "$d" | grep -oE '`[^`]+`' |
		grep -oE '\b[a-z][a-z0-9]*_[a-z0-9_]+\b' | sort -u |
		comm -23 - /tmp/check-docs-ids.$$ |
		while read -r i; do
			case "$OUTSIDE_IDS" in *" $i "*) continue ;; esac
			echo "$d: \`$i\` occurs nowhere in the code (renamed?)"
		done
done >/tmp/check-docs-idmiss.$$
while read -r line; do
	complain "$line"
done </tmp/check-docs-idmiss.$$
rm -f /tmp/check-docs-ids.$$ /tmp/check-docs-idmiss.$$

nsrc=$(git ls-files 'src/*.c' 'src/*.h' | wc -l)
echo "check-docs: $nsrc source files under src/, $bad stale entries"
[ "$bad" = 0 ]
