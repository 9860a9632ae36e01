/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * soak_worker: one client of the soak harness (tests/soak/run.sh).
 *
 * It works in a directory of its own on the server (ROOT) with a mixed,
 * seeded workload - exclusive creates, whole-file writes, writes and
 * appends at offsets, truncates, chmods, renames within and across
 * directories, hard links, removes, mkdir/rmdir, listings, stats, reads,
 * appends to a journal file held open all run, and byte-range locks
 * taken against a second session - and applies every operation the
 * server acknowledged to a local mirror directory (MIRROR).  The mirror
 * is the model: every read is compared byte for byte with the mirror's
 * file, every listing with the mirror's directory, every stat with the
 * mirror's size, mode and link count; at the end the driver compares the
 * backend's own directory with the mirror.
 *
 * Faults: the driver writes the fault state into EPOCH_FILE ("epoch
 * active kind end_ms"; the epoch moves at every start and end).  An
 * error seen while a fault is active, or that straddled one, or up to the
 * resume bound after one ended, is judged against the fault kind's list
 * of expected errors (docs/soak.md); any other error fails the run.  An
 * operation that may or may not have run (its reply lost with the fault)
 * is resolved by looking at the server: a rename, create, link, mkdir,
 * remove or rmdir must have taken effect exactly once or not at all, and
 * one that answers NOENT/EXIST although the model says it could not fail
 * ran twice - which fails the run unless the fault lost the server's
 * reply cache (a backend or gateway restart, listed in docs/soak.md).
 * Idempotent operations are retried until they succeed, within the
 * resume bound.  Verification errors are never excused.
 *
 * CONTROL_FILE ("verify_gen stop"): a new verify_gen asks for a check of
 * the whole tree at the next step (the driver asks after every fault);
 * stop 1 (or SIGTERM): stop, verify the whole tree, print the summary
 * line, exit 0 - or 1 at the first broken invariant, with a line starting
 * "INVARIANT:".
 *
 * Usage: soak_worker --client sess-tcp|sess-rdma|libnfs --url URL
 *   --root NAME --mirror DIR --seed N --status FILE --epoch FILE
 *   [--control FILE] [--timeout-ms MS] [--resume-s S] [--no-locks]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "soak_worker.h"

#include "nfsv41.h"

#define SK_FILE_MAX (256u << 10)
#define SK_WRITE_MAX (64u << 10)
#define SK_MAX_FILES 40
#define SK_MIN_FILES 4
#define SK_MAX_XDIRS 6
#define SK_NDIRS 4
#define SK_JOURNAL_MAX (4u << 20)
#define SK_PATH 96
#define SK_MAX_NAMES 256

enum sk_op {
	OP_CREATE,
	OP_WRITE_WHOLE,
	OP_WRITE_AT,
	OP_READ,
	OP_RENAME_SAME,
	OP_RENAME_ACROSS,
	OP_LINK,
	OP_REMOVE,
	OP_MKDIR,
	OP_RMDIR,
	OP_LIST,
	OP_TRUNCATE,
	OP_CHMOD,
	OP_STAT,
	OP_JOURNAL,
	OP_LOCKS,
	OP_VERIFY, /* not drawn: the full-tree pass */
	OP_N
};

static const char *const op_names[OP_N] = {
    "create",	     "write_whole", "write_at", "read",	 "rename_same",
    "rename_across", "link",	    "remove",	"mkdir", "rmdir",
    "list",	     "truncate",    "chmod",	"stat",	 "journal",
    "locks",	     "verify"};

/* How often each operation is drawn (out of their sum). */
static const unsigned int op_weight[OP_N] = {
    [OP_CREATE] = 10, [OP_WRITE_WHOLE] = 8, [OP_WRITE_AT] = 14,
    [OP_READ] = 18,   [OP_RENAME_SAME] = 5, [OP_RENAME_ACROSS] = 5,
    [OP_LINK] = 4,    [OP_REMOVE] = 7,	    [OP_MKDIR] = 3,
    [OP_RMDIR] = 3,   [OP_LIST] = 7,	    [OP_TRUNCATE] = 4,
    [OP_CHMOD] = 4,   [OP_STAT] = 5,	    [OP_JOURNAL] = 6,
    [OP_LOCKS] = 2,   [OP_VERIFY] = 0};

/* Fault kinds the driver injects (tests/soak/run.sh) and "none". */
enum sk_kind {
	K_NONE,
	K_BACKEND_KILL,
	K_GATEWAY_RESTART,
	K_CONN_CUT,
	K_BACKEND_STOP,
	K_DISK_FULL,
	K_N
};

static const char *const kind_names[K_N] = {
    "none",	"backend_kill", "gateway_restart",
    "conn_cut", "backend_stop", "disk_full"};

/*
 * Errors a client may see per fault kind (docs/soak.md).  NOENT/EXIST
 * are only ever accepted for an operation whose effect the server then
 * shows exactly once; they are listed for the faults that lose the reply
 * cache the replay would have been answered from.
 */
#define C(x) (1u << (x))
static const unsigned int kind_allowed[K_N] = {
    [K_NONE] = 0,
    [K_BACKEND_KILL] = C(SK_NOENT) | C(SK_EXIST) | C(SK_STATE),
    [K_GATEWAY_RESTART] = C(SK_NOENT) | C(SK_EXIST) | C(SK_STATE),
    [K_CONN_CUT] = 0,
    [K_BACKEND_STOP] = 0,
    [K_DISK_FULL] = C(SK_NOSPC),
};

struct sk_fault {
	uint64_t f_epoch;
	int f_active;
	enum sk_kind f_kind;
	uint64_t f_end_ms;
	/* each kind's last end (ms), SK_ACTIVE while it runs, 0: never */
	uint64_t f_kind_end[K_N];
};

#define SK_ACTIVE UINT64_MAX

struct sk_worker {
	struct sk_fs *w_fs;
	const char *w_client;
	char w_mirror[512];
	const char *w_epoch_file;
	const char *w_control_file;
	unsigned long w_verify_gen;
	int w_status_fd;
	uint64_t w_rng;
	uint32_t w_resume_ms;
	bool w_locks;
	bool w_libnfs;
	/* the model's names */
	char w_files[SK_MAX_FILES][SK_PATH];
	unsigned int w_nfiles;
	char w_xdirs[SK_MAX_XDIRS][SK_PATH];
	unsigned int w_nx;
	unsigned int w_next_name;
	uint64_t w_journal_size;
	/* figures */
	uint64_t w_ops[OP_N];
	uint64_t w_bytes_written, w_bytes_verified;
	uint64_t w_full_verifies, w_resolved, w_twice_excused;
	uint64_t w_lock_steps, w_lock_interrupted, w_remounts;
	uint64_t w_expected[K_N][SK_NCLASSES];
	uint64_t w_retries;
	long w_fds0, w_rss0;
	uint8_t *w_buf, *w_buf2;
};

static volatile sig_atomic_t sk_stop, sk_verify_asked;

static void on_term(int sig)
{
	(void)sig;
	sk_stop = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	sk_verify_asked = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static uint64_t rnd(struct sk_worker *w)
{
	/* xorshift64*: reproducible from the seed */
	w->w_rng ^= w->w_rng >> 12;
	w->w_rng ^= w->w_rng << 25;
	w->w_rng ^= w->w_rng >> 27;
	return w->w_rng * 2685821657736338717ull;
}

static uint32_t rnd_below(struct sk_worker *w, uint32_t n)
{
	return n ? (uint32_t)(rnd(w) % n) : 0;
}

static void fill(struct sk_worker *w, uint8_t *p, size_t n)
{
	uint64_t v;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		v = rnd(w);
		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (uint8_t)rnd(w);
}

enum sk_class sk_class(int ret)
{
	if (ret == 0)
		return SK_OK;
	if (ret < 0) {
		switch (-ret) {
		case ENOENT:
			return SK_NOENT;
		case EEXIST:
			return SK_EXIST;
		case ENOSPC:
		case EDQUOT:
			return SK_NOSPC;
		case ENOTEMPTY:
			return SK_NOTEMPTY;
		default:
			return SK_TRANSPORT;
		}
	}
	switch (ret) {
	case NFS4ERR_NOENT:
		return SK_NOENT;
	case NFS4ERR_EXIST:
		return SK_EXIST;
	case NFS4ERR_NOSPC:
	case NFS4ERR_DQUOT:
		return SK_NOSPC;
	case NFS4ERR_NOTEMPTY:
		return SK_NOTEMPTY;
	case NFS4ERR_BAD_STATEID:
	case NFS4ERR_STALE_STATEID:
	case NFS4ERR_EXPIRED:
	case NFS4ERR_ADMIN_REVOKED:
	case NFS4ERR_OLD_STATEID:
	case NFS4ERR_LOCKS_HELD:
	case NFS4ERR_DENIED:
		return SK_STATE;
	case NFS4ERR_DELAY:
	case NFS4ERR_GRACE:
		return SK_DELAY;
	default:
		return SK_OTHER;
	}
}

const char *sk_class_name(enum sk_class c)
{
	static const char *const n[SK_NCLASSES] = {
	    "ok",    "NOENT", "EXIST",	   "NOSPC", "NOTEMPTY",
	    "STATE", "DELAY", "TRANSPORT", "OTHER"};

	return c < SK_NCLASSES ? n[c] : "?";
}

static void sk_fail(struct sk_worker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void sk_fail(struct sk_worker *w, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "INVARIANT: %s: ", w->w_client);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void read_fault(struct sk_worker *w, struct sk_fault *f)
{
	char buf[512], kind[32] = "none", ends[400] = "", *tok, *save = NULL;
	unsigned long long e = 0, end = 0;
	int active = 0, fd, n;
	enum sk_kind k;

	memset(f, 0, sizeof(*f));
	fd = open(w->w_epoch_file, O_RDONLY);
	if (fd < 0)
		return;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %d %31s %llu %399s", &e, &active, kind, &end,
		   ends) < 4)
		return;
	f->f_epoch = e;
	f->f_active = active;
	f->f_end_ms = end;
	for (k = K_NONE; k < K_N; k++)
		if (!strcmp(kind, kind_names[k]))
			f->f_kind = k;
	/* "kind:end_ms,kind:active,...": every kind's last fault */
	for (tok = strtok_r(ends, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');

		if (!colon)
			continue;
		*colon = '\0';
		for (k = K_NONE + 1; k < K_N; k++)
			if (!strcmp(tok, kind_names[k]))
				f->f_kind_end[k] =
				    !strcmp(colon + 1, "active")
					? SK_ACTIVE
					: strtoull(colon + 1, NULL, 10);
	}
}

/*
 * The kinds whose faults may explain an error now: running, or ended
 * less than the resume bound ago (faults come seconds apart, so an error
 * seen after one may be the tail of the one before).
 */
static unsigned int kinds_in_effect(struct sk_worker *w,
				    const struct sk_fault *before)
{
	struct sk_fault f;
	unsigned int mask = 0;
	uint64_t now = now_ms();
	enum sk_kind k;

	read_fault(w, &f);
	for (k = K_NONE + 1; k < K_N; k++)
		if (f.f_kind_end[k] == SK_ACTIVE ||
		    (f.f_kind_end[k] && now < f.f_kind_end[k] + w->w_resume_ms))
			mask |= 1u << k;
	if (before->f_active)
		mask |= 1u << before->f_kind;
	return mask;
}

/*
 * The fault an operation begun at @before ran under, or K_NONE: one was
 * active, began or ended meanwhile, or ended within the resume bound.
 */
static enum sk_kind under_fault(struct sk_worker *w,
				const struct sk_fault *before)
{
	struct sk_fault f;

	read_fault(w, &f);
	if (f.f_epoch != before->f_epoch || f.f_active || before->f_active)
		return f.f_kind;
	if (f.f_end_ms && now_ms() < f.f_end_ms + w->w_resume_ms)
		return f.f_kind;
	return K_NONE;
}

/*
 * The driver's requests, in CONTROL ("verify_gen stop"): a new verify_gen
 * asks for a full verification, stop 1 for the end.  A file, not signals:
 * a signal interrupts libnfs's poll(), which then fails the call in
 * flight with EIO although the server goes on with it.
 */
static void read_control(struct sk_worker *w)
{
	unsigned long gen = 0;
	int stop = 0, fd, n;
	char buf[64];

	if (!w->w_control_file)
		return;
	fd = open(w->w_control_file, O_RDONLY);
	if (fd < 0)
		return;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %d", &gen, &stop) != 2)
		return;
	if (gen != w->w_verify_gen) {
		w->w_verify_gen = gen;
		sk_verify_asked = 1;
	}
	if (stop)
		sk_stop = 1;
}

static void status(struct sk_worker *w)
{
	char line[160];
	int n;
	uint64_t ops = 0;
	unsigned int i;

	for (i = 0; i < OP_N; i++)
		ops += w->w_ops[i];
	n = snprintf(line, sizeof(line),
		     "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		     "                    \n",
		     now_ms(), ops, w->w_bytes_verified, w->w_full_verifies);
	if (pwrite(w->w_status_fd, line, (size_t)n, 0) < 0)
		perror("soak: status");
}

/* --- the mirror (the model) --- */

static void mpath(struct sk_worker *w, char *out, size_t cap, const char *rel)
{
	snprintf(out, cap, "%s/%s", w->w_mirror, rel);
}

static void mirror_must(struct sk_worker *w, int ret, const char *what,
			const char *rel)
{
	if (ret < 0)
		sk_fail(w, "mirror %s %s: %s", what, rel, strerror(errno));
}

static size_t mirror_read(struct sk_worker *w, const char *rel, uint8_t *buf)
{
	char p[1024];
	ssize_t n;
	int fd;

	mpath(w, p, sizeof(p), rel);
	fd = open(p, O_RDONLY);
	mirror_must(w, fd, "open", rel);
	n = read(fd, buf, SK_JOURNAL_MAX + 1);
	close(fd);
	mirror_must(w, (int)n, "read", rel);
	return (size_t)n;
}

static void mirror_pwrite(struct sk_worker *w, const char *rel, uint64_t off,
			  const void *buf, size_t len)
{
	char p[1024];
	int fd;

	mpath(w, p, sizeof(p), rel);
	fd = open(p, O_WRONLY);
	mirror_must(w, fd, "open", rel);
	mirror_must(w, (int)pwrite(fd, buf, len, (off_t)off), "pwrite", rel);
	close(fd);
}

static struct stat mirror_stat(struct sk_worker *w, const char *rel)
{
	char p[1024];
	struct stat st;

	mpath(w, p, sizeof(p), rel);
	mirror_must(w, lstat(p, &st), "stat", rel);
	return st;
}

/* --- names --- */

static const char *pick_file(struct sk_worker *w)
{
	return w->w_nfiles ? w->w_files[rnd_below(w, w->w_nfiles)] : NULL;
}

static void new_name(struct sk_worker *w, char *out, const char *prefix,
		     unsigned int dir)
{
	snprintf(out, SK_PATH, "d%u/%s%u", dir, prefix, w->w_next_name++);
}

static void add_file(struct sk_worker *w, const char *rel)
{
	snprintf(w->w_files[w->w_nfiles++], SK_PATH, "%s", rel);
}

static void drop_file(struct sk_worker *w, const char *rel)
{
	unsigned int i;

	for (i = 0; i < w->w_nfiles; i++)
		if (!strcmp(w->w_files[i], rel)) {
			w->w_nfiles--;
			if (i != w->w_nfiles)
				memcpy(w->w_files[i], w->w_files[w->w_nfiles],
				       SK_PATH);
			return;
		}
}

/* --- errors --- */

/*
 * Judge an error of @op that began at @before.  Returns the fault kind it
 * is excused by; fails the run when no fault excuses it.  @cls_ok: the
 * class is one a caller resolves (NOENT/EXIST of a non-idempotent step).
 */
static enum sk_kind excuse(struct sk_worker *w, const struct sk_fault *before,
			   enum sk_op op, int ret, const char *what)
{
	enum sk_kind k = under_fault(w, before);
	enum sk_class c = sk_class(ret);
	unsigned int allowed, mask, i;

	if (k == K_NONE)
		sk_fail(w, "%s %s: %s (%d) with no fault in effect",
			op_names[op], what, sk_class_name(c), ret);
	/*
	 * While the server is away the session client waits and retries;
	 * what reaches the caller is a transport failure only after its
	 * recovery timeout, which a fault shorter than it must not cause.
	 * libnfs (NFSv4.0) has no recovery: a gateway that restarts breaks
	 * its calls in flight (EIO), and its worker mounts again.
	 */
	mask = kinds_in_effect(w, before) | 1u << k;
	allowed = 0;
	for (i = K_NONE + 1; i < K_N; i++) {
		unsigned int a = kind_allowed[i];

		if (w->w_libnfs && i == K_GATEWAY_RESTART)
			a |= C(SK_TRANSPORT);
		if (!(mask & (1u << i)))
			continue;
		/* counted against the kind that explains it */
		if ((a & C(c)) && !(allowed & C(c)))
			k = (enum sk_kind)i;
		allowed |= a;
	}
	if (!(allowed & C(c)))
		sk_fail(w, "%s %s: %s (%d) is not expected under %s",
			op_names[op], what, sk_class_name(c), ret,
			kind_names[k]);
	w->w_expected[k][c]++;
	fprintf(stderr, "soak_worker %s: expected under %s: %s %s: %s (%d)\n",
		w->w_client, kind_names[k], op_names[op], what,
		sk_class_name(c), ret);
	if (c == SK_TRANSPORT && w->w_fs->ops->remount) {
		w->w_remounts++;
		while (w->w_fs->ops->remount(w->w_fs)) {
			if (under_fault(w, before) == K_NONE)
				sk_fail(w,
					"libnfs cannot connect again "
					"after %s",
					kind_names[k]);
			sleep_ms(500);
		}
	}
	return k;
}

/*
 * Run an idempotent step until it succeeds; errors are judged by
 * excuse() and retried every 200 ms until the resume bound after the
 * fault.  Returns once it succeeded.
 */
#define RETRY(w, op, what, call)                                               \
	do {                                                                   \
		struct sk_fault _b;                                            \
		int _r;                                                        \
		read_fault(w, &_b);                                            \
		while ((_r = (call)) != 0) {                                   \
			excuse(w, &_b, op, _r, what);                          \
			(w)->w_retries++;                                      \
			sleep_ms(200);                                         \
		}                                                              \
	} while (0)

/* stat that settles: 0 present, 1 absent (retries other errors). */
static int settle_stat(struct sk_worker *w, enum sk_op op, const char *rel,
		       struct sk_stat *st)
{
	struct sk_fault b;
	int r;

	read_fault(w, &b);
	for (;;) {
		r = w->w_fs->ops->stat(w->w_fs, rel, st);
		if (r == 0)
			return 0;
		if (sk_class(r) == SK_NOENT)
			return 1;
		excuse(w, &b, op, r, rel);
		w->w_retries++;
		sleep_ms(200);
	}
}

/*
 * A non-idempotent step @op answered @ret.  Returns true when it took
 * effect (0, or an error after which the server shows its effect: it ran
 * and its reply was lost), false when it did not; fails the run when the
 * answer contradicts the model with no fault to explain it.
 * @applied_fn asks the server whether the effect is there.
 */
static bool resolve(struct sk_worker *w, const struct sk_fault *before,
		    enum sk_op op, int ret, const char *what,
		    int (*applied_fn)(struct sk_worker *w, enum sk_op op,
				      const void *arg),
		    const void *arg)
{
	enum sk_class c = sk_class(ret);
	int applied;

	if (ret == 0)
		return true;
	excuse(w, before, op, ret, what);
	applied = applied_fn(w, op, arg);
	if (applied < 0)
		sk_fail(w,
			"%s %s: after %s the server shows a state that is "
			"neither before nor after it",
			op_names[op], what, sk_class_name(c));
	w->w_resolved++;
	fprintf(stderr, "soak_worker %s: %s %s %s\n", w->w_client, op_names[op],
		what, applied ? "took effect" : "did not run");
	if ((c == SK_NOENT || c == SK_EXIST) && applied)
		w->w_twice_excused++; /* ran, its replay failed: see docs */
	else if ((c == SK_NOENT || c == SK_EXIST) && !applied)
		sk_fail(w, "%s %s: %s but the server shows it did not run",
			op_names[op], what, sk_class_name(c));
	return applied;
}

/* --- verification --- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct sk_names {
	char *n[SK_MAX_NAMES];
	unsigned int cnt;
	bool overflow;
};

static int names_add(void *ctx, const char *name)
{
	struct sk_names *l = ctx;

	if (l->cnt == SK_MAX_NAMES) {
		/* a directory of the model never holds that many: stop */
		l->overflow = true;
		return -ELOOP;
	}
	l->n[l->cnt] = strdup(name);
	if (!l->n[l->cnt])
		return -ENOMEM;
	l->cnt++;
	return 0;
}

static void names_free(struct sk_names *l)
{
	while (l->cnt)
		free(l->n[--l->cnt]);
}

static void mirror_names(struct sk_worker *w, const char *rel,
			 struct sk_names *l)
{
	char p[1024];
	struct dirent *e;
	DIR *d;

	mpath(w, p, sizeof(p), rel);
	d = opendir(p);
	if (!d)
		sk_fail(w, "mirror opendir %s: %s", rel, strerror(errno));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names_add(l, e->d_name);
	closedir(d);
}

/* A listing that never ends is a broken invariant, not a retry. */
static int list_checked(struct sk_worker *w, const char *rel,
			struct sk_names *srv)
{
	int r = w->w_fs->ops->list(w->w_fs, rel, names_add, srv);

	if (srv->overflow) {
		unsigned int i, dup = 0;

		for (i = 1; i < srv->cnt; i++)
			if (!strcmp(srv->n[i], srv->n[0]))
				dup++;
		sk_fail(w,
			"listing of '%s' does not end: %u entries so far, "
			"'%s' %u more times",
			rel, srv->cnt, srv->n[0], dup);
	}
	return r;
}

/* The server's listing of @rel equals the mirror's.  */
static void verify_list(struct sk_worker *w, const char *rel,
			struct sk_names *mine)
{
	struct sk_names srv = {0};
	unsigned int i;

	RETRY(w, OP_LIST, rel,
	      (names_free(&srv), srv.overflow = false,
	       list_checked(w, rel, &srv)));
	mirror_names(w, rel, mine);
	qsort(srv.n, srv.cnt, sizeof(char *), cmp_names);
	qsort(mine->n, mine->cnt, sizeof(char *), cmp_names);
	if (srv.overflow)
		sk_fail(w, "listing of '%s': more than %u entries", rel,
			SK_MAX_NAMES);
	for (i = 0; i < srv.cnt || i < mine->cnt; i++)
		if (i == srv.cnt || i == mine->cnt ||
		    strcmp(srv.n[i], mine->n[i]))
			sk_fail(w,
				"listing of '%s' (%u entries, the model %u): "
				"'%s' where the model has '%s'",
				rel, srv.cnt, mine->cnt,
				i < srv.cnt ? srv.n[i] : "(end)",
				i < mine->cnt ? mine->n[i] : "(end)");
	names_free(&srv);
}

static void verify_stat(struct sk_worker *w, const char *rel)
{
	struct stat m = mirror_stat(w, rel);
	struct sk_stat s;

	RETRY(w, OP_STAT, rel, w->w_fs->ops->stat(w->w_fs, rel, &s));
	if (s.st_dir != S_ISDIR(m.st_mode))
		sk_fail(w, "%s: type differs from the model", rel);
	if (s.st_dir)
		return;
	if (s.st_size != (uint64_t)m.st_size)
		sk_fail(w, "%s: size %" PRIu64 ", the model has %lld", rel,
			s.st_size, (long long)m.st_size);
	if (s.st_mode != (m.st_mode & 07777))
		sk_fail(w, "%s: mode %o, the model has %o", rel, s.st_mode,
			m.st_mode & 07777);
	if (s.st_nlink != m.st_nlink)
		sk_fail(w, "%s: %u links, the model has %u", rel, s.st_nlink,
			(unsigned int)m.st_nlink);
}

static void verify_file(struct sk_worker *w, const char *rel)
{
	size_t want = mirror_read(w, rel, w->w_buf2), i;
	uint32_t got = 0;

	RETRY(w, OP_READ, rel,
	      w->w_fs->ops->readall(w->w_fs, rel, w->w_buf,
				    SK_JOURNAL_MAX + 4096, &got));
	if (got != want)
		sk_fail(w, "%s: read %u bytes, the model has %zu", rel, got,
			want);
	if (memcmp(w->w_buf, w->w_buf2, want)) {
		for (i = 0; i < want && w->w_buf[i] == w->w_buf2[i]; i++)
			;
		sk_fail(w, "%s: data differs from the model at byte %zu", rel,
			i);
	}
	w->w_bytes_verified += want;
}

/* Every directory, file, size, mode and link count of the tree. */
static void verify_tree(struct sk_worker *w, const char *rel)
{
	struct sk_names mine = {0};
	char child[SK_PATH * 2];
	unsigned int i;
	struct stat st;

	verify_list(w, rel, &mine);
	for (i = 0; i < mine.cnt; i++) {
		snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
			 mine.n[i]);
		st = mirror_stat(w, child);
		verify_stat(w, child);
		if (S_ISDIR(st.st_mode))
			verify_tree(w, child);
		else
			verify_file(w, child);
	}
	names_free(&mine);
}

/* --- resolvers: is the effect of a step there? 1 yes, 0 no, -1 neither */

struct two {
	const char *a, *b;
};

static int present(struct sk_worker *w, enum sk_op op, const char *rel)
{
	struct sk_stat st;

	return settle_stat(w, op, rel, &st) == 0;
}

static int applied_create(struct sk_worker *w, enum sk_op op, const void *arg)
{
	return present(w, op, arg);
}

static int applied_remove(struct sk_worker *w, enum sk_op op, const void *arg)
{
	return !present(w, op, arg);
}

static int applied_rename(struct sk_worker *w, enum sk_op op, const void *arg)
{
	const struct two *t = arg;
	int from = present(w, op, t->a), to = present(w, op, t->b);

	if (!from && to)
		return 1;
	if (from && !to)
		return 0;
	return -1;
}

static int applied_link(struct sk_worker *w, enum sk_op op, const void *arg)
{
	const struct two *t = arg;

	return present(w, op, t->b);
}

/* --- the steps --- */

static void step_create(struct sk_worker *w)
{
	char rel[SK_PATH], p[1024];
	uint32_t mode = 0640;
	struct sk_fault b;
	int r, fd;

	if (w->w_nfiles >= SK_MAX_FILES)
		return;
	new_name(w, rel, "f", rnd_below(w, SK_NDIRS));
	read_fault(w, &b);
	r = w->w_fs->ops->create(w->w_fs, rel, mode);
	if (!resolve(w, &b, OP_CREATE, r, rel, applied_create, rel))
		return;
	mpath(w, p, sizeof(p), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, mode);
	mirror_must(w, fd, "create", rel);
	fchmod(fd, mode);
	close(fd);
	add_file(w, rel);
}

static void do_write(struct sk_worker *w, enum sk_op op, const char *rel,
		     uint64_t off, uint32_t len)
{
	fill(w, w->w_buf, len);
	RETRY(w, op, rel,
	      w->w_fs->ops->pwrite(w->w_fs, rel, off, w->w_buf, len));
	mirror_pwrite(w, rel, off, w->w_buf, len);
	w->w_bytes_written += len;
}

static void do_truncate(struct sk_worker *w, enum sk_op op, const char *rel,
			uint64_t size)
{
	char p[1024];

	RETRY(w, op, rel, w->w_fs->ops->truncate(w->w_fs, rel, size));
	mpath(w, p, sizeof(p), rel);
	mirror_must(w, truncate(p, (off_t)size), "truncate", rel);
}

static void step_write_whole(struct sk_worker *w)
{
	const char *rel = pick_file(w);
	uint32_t len = rnd_below(w, SK_FILE_MAX) + 1;

	if (!rel)
		return;
	do_truncate(w, OP_WRITE_WHOLE, rel, 0);
	do_write(w, OP_WRITE_WHOLE, rel, 0, len);
}

static void step_write_at(struct sk_worker *w)
{
	const char *rel = pick_file(w);
	struct stat st;
	uint64_t off;
	uint32_t len;

	if (!rel)
		return;
	st = mirror_stat(w, rel);
	/* a third are appends; the rest overwrite or leave a small hole */
	off = rnd_below(w, 3) == 0 ? (uint64_t)st.st_size
				   : rnd_below(w, (uint32_t)st.st_size + 4097);
	if (off >= SK_FILE_MAX)
		off = rnd_below(w, SK_FILE_MAX);
	len = rnd_below(w, SK_WRITE_MAX) + 1;
	if (off + len > SK_FILE_MAX)
		len = (uint32_t)(SK_FILE_MAX - off);
	do_write(w, OP_WRITE_AT, rel, off, len);
}

static void step_read(struct sk_worker *w)
{
	const char *rel = pick_file(w);

	if (rel)
		verify_file(w, rel);
}

static void step_rename(struct sk_worker *w, bool across)
{
	const char *from = pick_file(w);
	char to[SK_PATH], fcopy[SK_PATH], mf[1024], mt[1024];
	unsigned int dir;
	struct two t;
	struct sk_fault b;
	int r;

	if (!from)
		return;
	snprintf(fcopy, sizeof(fcopy), "%s", from);
	dir = (unsigned int)(fcopy[1] - '0');
	if (across)
		dir = (dir + 1 + rnd_below(w, SK_NDIRS - 1)) % SK_NDIRS;
	new_name(w, to, "r", dir);
	t.a = fcopy;
	t.b = to;
	read_fault(w, &b);
	r = w->w_fs->ops->rename(w->w_fs, fcopy, to);
	if (!resolve(w, &b, across ? OP_RENAME_ACROSS : OP_RENAME_SAME, r,
		     fcopy, applied_rename, &t))
		return;
	mpath(w, mf, sizeof(mf), fcopy);
	mpath(w, mt, sizeof(mt), to);
	mirror_must(w, rename(mf, mt), "rename", fcopy);
	drop_file(w, fcopy);
	add_file(w, to);
}

static void step_link(struct sk_worker *w)
{
	const char *from = pick_file(w);
	char to[SK_PATH], fcopy[SK_PATH], mf[1024], mt[1024];
	struct two t;
	struct sk_fault b;
	int r;

	if (!from || w->w_nfiles >= SK_MAX_FILES)
		return;
	snprintf(fcopy, sizeof(fcopy), "%s", from);
	new_name(w, to, "l", rnd_below(w, SK_NDIRS));
	t.a = fcopy;
	t.b = to;
	read_fault(w, &b);
	r = w->w_fs->ops->link(w->w_fs, fcopy, to);
	if (!resolve(w, &b, OP_LINK, r, to, applied_link, &t))
		return;
	mpath(w, mf, sizeof(mf), fcopy);
	mpath(w, mt, sizeof(mt), to);
	mirror_must(w, link(mf, mt), "link", to);
	add_file(w, to);
}

static void step_remove(struct sk_worker *w)
{
	const char *rel = pick_file(w);
	char copy[SK_PATH], p[1024];
	struct sk_fault b;
	int r;

	if (!rel || w->w_nfiles <= SK_MIN_FILES)
		return;
	snprintf(copy, sizeof(copy), "%s", rel);
	read_fault(w, &b);
	r = w->w_fs->ops->remove(w->w_fs, copy);
	if (!resolve(w, &b, OP_REMOVE, r, copy, applied_remove, copy))
		return;
	mpath(w, p, sizeof(p), copy);
	mirror_must(w, unlink(p), "unlink", copy);
	drop_file(w, copy);
}

static void step_mkdir(struct sk_worker *w)
{
	char rel[SK_PATH], p[1024];
	struct sk_fault b;
	int r;

	if (w->w_nx >= SK_MAX_XDIRS)
		return;
	snprintf(rel, sizeof(rel), "x%u", w->w_next_name++);
	read_fault(w, &b);
	r = w->w_fs->ops->mkdir(w->w_fs, rel, 0755);
	if (!resolve(w, &b, OP_MKDIR, r, rel, applied_create, rel))
		return;
	mpath(w, p, sizeof(p), rel);
	mirror_must(w, mkdir(p, 0755), "mkdir", rel);
	snprintf(w->w_xdirs[w->w_nx++], SK_PATH, "%s", rel);
}

static void step_rmdir(struct sk_worker *w)
{
	char rel[SK_PATH], p[1024];
	unsigned int i;
	struct sk_fault b;
	int r;

	if (!w->w_nx)
		return;
	i = rnd_below(w, w->w_nx);
	snprintf(rel, sizeof(rel), "%s", w->w_xdirs[i]);
	read_fault(w, &b);
	r = w->w_fs->ops->rmdir(w->w_fs, rel);
	if (!resolve(w, &b, OP_RMDIR, r, rel, applied_remove, rel))
		return;
	mpath(w, p, sizeof(p), rel);
	mirror_must(w, rmdir(p), "rmdir", rel);
	w->w_nx--;
	if (i != w->w_nx)
		memcpy(w->w_xdirs[i], w->w_xdirs[w->w_nx], SK_PATH);
}

static void step_list(struct sk_worker *w)
{
	struct sk_names mine = {0};
	char rel[8];
	unsigned int d = rnd_below(w, SK_NDIRS + 1);

	if (d == SK_NDIRS)
		rel[0] = '\0';
	else
		snprintf(rel, sizeof(rel), "d%u", d);
	verify_list(w, rel, &mine);
	names_free(&mine);
}

static void step_truncate(struct sk_worker *w)
{
	const char *rel = pick_file(w);

	if (rel)
		do_truncate(w, OP_TRUNCATE, rel, rnd_below(w, SK_FILE_MAX));
}

static void step_chmod(struct sk_worker *w)
{
	static const uint32_t modes[] = {0600, 0640, 0644, 0660,
					 0664, 0666, 0700, 0750};
	const char *rel = pick_file(w);
	uint32_t mode = modes[rnd_below(w, 8)];
	char p[1024];

	if (!rel)
		return;
	RETRY(w, OP_CHMOD, rel, w->w_fs->ops->chmod(w->w_fs, rel, mode));
	mpath(w, p, sizeof(p), rel);
	mirror_must(w, chmod(p, mode), "chmod", rel);
}

static void step_stat(struct sk_worker *w)
{
	const char *rel = pick_file(w);

	if (rel)
		verify_stat(w, rel);
}

static void step_journal(struct sk_worker *w)
{
	uint32_t len = rnd_below(w, 8192) + 1;

	if (w->w_journal_size + len > SK_JOURNAL_MAX)
		return;
	fill(w, w->w_buf, len);
	/* libnfs: no file held open across calls, the journal by name */
	if (w->w_fs->ops->journal_append)
		RETRY(w, OP_JOURNAL, "journal",
		      w->w_fs->ops->journal_append(w->w_fs, w->w_journal_size,
						   w->w_buf, len));
	else
		RETRY(w, OP_JOURNAL, "journal",
		      w->w_fs->ops->pwrite(w->w_fs, "journal",
					   w->w_journal_size, w->w_buf, len));
	mirror_pwrite(w, "journal", w->w_journal_size, w->w_buf, len);
	w->w_journal_size += len;
	w->w_bytes_written += len;
}

static void step_locks(struct sk_worker *w)
{
	const char *rel = pick_file(w), *what = "";
	struct sk_fault b, a;
	int r;

	if (!rel || !w->w_locks || !w->w_fs->ops->lockstep)
		return;
	read_fault(w, &b);
	r = w->w_fs->ops->lockstep(w->w_fs, rel, &what);
	read_fault(w, &a);
	/*
	 * A server that restarts (Graceless) forgets the first owner's
	 * lock: a step a fault overlapped is not judged, only counted.
	 */
	if (a.f_epoch != b.f_epoch || a.f_active || b.f_active) {
		if (r)
			w->w_lock_interrupted++;
		else
			w->w_lock_steps++;
		return;
	}
	if (r == 1)
		sk_fail(w,
			"locks on %s: %s: granted although another owner "
			"held the range",
			rel, what);
	if (r)
		excuse(w, &b, OP_LOCKS, r, what);
	else
		w->w_lock_steps++;
}

static void self_usage(long *fds, long *rss)
{
	char line[256];
	DIR *d = opendir("/proc/self/fd");
	FILE *f = fopen("/proc/self/status", "r");

	*fds = 0;
	*rss = 0;
	if (d) {
		while (readdir(d))
			(*fds)++;
		closedir(d);
		*fds -= 3; /* ".", ".." and the DIR itself */
	}
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "VmRSS:", 6))
				*rss = atol(line + 6);
		fclose(f);
	}
}

static void full_verify(struct sk_worker *w)
{
	verify_tree(w, "");
	w->w_full_verifies++;
	w->w_ops[OP_VERIFY]++;
}

static enum sk_op draw(struct sk_worker *w)
{
	unsigned int sum = 0, i, r;

	for (i = 0; i < OP_N; i++)
		sum += op_weight[i];
	r = rnd_below(w, sum);
	for (i = 0; i < OP_N; i++) {
		if (r < op_weight[i])
			return (enum sk_op)i;
		r -= op_weight[i];
	}
	return OP_READ;
}

static void one_step(struct sk_worker *w, enum sk_op op)
{
	switch (op) {
	case OP_CREATE:
		step_create(w);
		break;
	case OP_WRITE_WHOLE:
		step_write_whole(w);
		break;
	case OP_WRITE_AT:
		step_write_at(w);
		break;
	case OP_READ:
		step_read(w);
		break;
	case OP_RENAME_SAME:
		step_rename(w, false);
		break;
	case OP_RENAME_ACROSS:
		step_rename(w, true);
		break;
	case OP_LINK:
		step_link(w);
		break;
	case OP_REMOVE:
		step_remove(w);
		break;
	case OP_MKDIR:
		step_mkdir(w);
		break;
	case OP_RMDIR:
		step_rmdir(w);
		break;
	case OP_LIST:
		step_list(w);
		break;
	case OP_TRUNCATE:
		step_truncate(w);
		break;
	case OP_CHMOD:
		step_chmod(w);
		break;
	case OP_STAT:
		step_stat(w);
		break;
	case OP_JOURNAL:
		step_journal(w);
		break;
	case OP_LOCKS:
		step_locks(w);
		break;
	default:
		return;
	}
	w->w_ops[op]++;
}

/* The four fixed directories, on the server and in the mirror. */
static void setup(struct sk_worker *w)
{
	char rel[8], p[1024];
	unsigned int i;
	int fd;

	mirror_must(w, mkdir(w->w_mirror, 0755) && errno != EEXIST ? -1 : 0,
		    "mkdir", "");
	mpath(w, p, sizeof(p), "journal");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	mirror_must(w, fd, "create", "journal");
	fchmod(fd, 0644);
	close(fd);
	for (i = 0; i < SK_NDIRS; i++) {
		snprintf(rel, sizeof(rel), "d%u", i);
		RETRY(w, OP_MKDIR, rel,
		      w->w_fs->ops->mkdir(w->w_fs, rel, 0755));
		mpath(w, p, sizeof(p), rel);
		mirror_must(w, mkdir(p, 0755), "mkdir", rel);
	}
	if (!w->w_fs->ops->journal_append)
		RETRY(w, OP_CREATE, "journal",
		      w->w_fs->ops->create(w->w_fs, "journal", 0644));
}

static void summary(struct sk_worker *w, long fds, long rss)
{
	uint64_t ops = 0;
	unsigned int i, k, c;

	for (i = 0; i < OP_N; i++)
		ops += w->w_ops[i];
	printf("soak_worker %s: ops %" PRIu64 " bytes_written %" PRIu64
	       " bytes_verified %" PRIu64 " full_verifies %" PRIu64
	       " resolved %" PRIu64 " ran_once_reply_lost %" PRIu64
	       " lock_steps %" PRIu64 " lock_steps_interrupted %" PRIu64
	       " retries %" PRIu64 " remounts %" PRIu64
	       " fds %ld->%ld rss_kib %ld->%ld\n",
	       w->w_client, ops, w->w_bytes_written, w->w_bytes_verified,
	       w->w_full_verifies, w->w_resolved, w->w_twice_excused,
	       w->w_lock_steps, w->w_lock_interrupted, w->w_retries,
	       w->w_remounts, w->w_fds0, fds, w->w_rss0, rss);
	printf("soak_worker %s: ops by kind:", w->w_client);
	for (i = 0; i < OP_N; i++)
		printf(" %s=%" PRIu64, op_names[i], w->w_ops[i]);
	printf("\nsoak_worker %s: expected errors:", w->w_client);
	for (k = 0; k < K_N; k++)
		for (c = 0; c < SK_NCLASSES; c++)
			if (w->w_expected[k][c])
				printf(" %s/%s=%" PRIu64, kind_names[k],
				       sk_class_name(c), w->w_expected[k][c]);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"client", 1, 0, 'c'},   {"url", 1, 0, 'u'},
	    {"root", 1, 0, 'r'},     {"mirror", 1, 0, 'm'},
	    {"seed", 1, 0, 's'},     {"status", 1, 0, 'S'},
	    {"epoch", 1, 0, 'e'},    {"timeout-ms", 1, 0, 't'},
	    {"resume-s", 1, 0, 'R'}, {"no-locks", 0, 0, 'L'},
	    {"control", 1, 0, 'C'},  {0, 0, 0, 0}};
	struct sk_worker w = {0};
	const char *url = NULL, *root = NULL, *status_file = NULL;
	uint32_t timeout_ms = 5000;
	uint64_t seed = 1;
	char owner[128];
	long fds, rss;
	int opt, err = 0;

	w.w_resume_ms = 60000;
	w.w_locks = true;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'c':
			w.w_client = optarg;
			break;
		case 'u':
			url = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'm':
			snprintf(w.w_mirror, sizeof(w.w_mirror), "%s", optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			status_file = optarg;
			break;
		case 'e':
			w.w_epoch_file = optarg;
			break;
		case 't':
			timeout_ms = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'R':
			w.w_resume_ms =
			    (uint32_t)strtoul(optarg, NULL, 0) * 1000;
			break;
		case 'L':
			w.w_locks = false;
			break;
		case 'C':
			w.w_control_file = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!w.w_client || !url || !root || !w.w_mirror[0] || !status_file ||
	    !w.w_epoch_file) {
		fprintf(stderr, "usage: soak_worker --client KIND --url URL "
				"--root NAME --mirror DIR --seed N --status "
				"FILE --epoch FILE [--timeout-ms MS] "
				"[--resume-s S] [--no-locks]\n");
		return 2;
	}
	w.w_rng = seed * 0x9E3779B97F4A7C15ull + 1;
	w.w_buf = malloc(SK_JOURNAL_MAX + 8192);
	w.w_buf2 = malloc(SK_JOURNAL_MAX + 8192);
	w.w_status_fd = open(status_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!w.w_buf || !w.w_buf2 || w.w_status_fd < 0) {
		perror("soak_worker");
		return 1;
	}
	snprintf(owner, sizeof(owner), "soak-%s-%d", root, (int)getpid());
	if (!strcmp(w.w_client, "sess-tcp") || !strcmp(w.w_client, "sess-rdma"))
		w.w_fs = sk_sess_open(url, w.w_client + 5, root, timeout_ms,
				      owner, &err);
	else if (!strcmp(w.w_client, "libnfs")) {
		w.w_libnfs = true;
		w.w_fs = sk_libnfs_open(url, root, &err);
	} else {
		fprintf(stderr, "soak_worker: unknown client %s\n", w.w_client);
		return 2;
	}
	if (!w.w_fs) {
		fprintf(stderr, "soak_worker %s: cannot start: %d (%s)\n",
			w.w_client, err,
			err < 0 ? strerror(-err) : "NFS error");
		return err == -ENOSYS ? 77 : 3;
	}
	/*
	 * After the client started: libfabric installs its own SIGTERM
	 * handler when a provider loads, and ours must be the one that runs.
	 */
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGUSR1, on_usr1);
	setup(&w);
	status(&w);
	read_control(&w);
	sk_verify_asked = 0;
	while (!sk_stop) {
		read_control(&w);
		if (sk_stop)
			break;
		if (sk_verify_asked) {
			sk_verify_asked = 0;
			full_verify(&w);
		} else {
			one_step(&w, draw(&w));
		}
		status(&w);
		if (!w.w_fds0 && w.w_ops[OP_READ] >= 20)
			self_usage(&w.w_fds0, &w.w_rss0);
	}
	full_verify(&w);
	status(&w);
	self_usage(&fds, &rss);
	summary(&w, fds, rss);
	w.w_fs->ops->destroy(w.w_fs);
	free(w.w_buf);
	free(w.w_buf2);
	return 0;
}
