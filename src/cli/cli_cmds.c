/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * nfs41 subcommands other than bench: ls, stat, get, put, rm, mkdir,
 * rename, stats.  get and put move the file with several streams (threads,
 * each READ/WRITE on its own slot) straight between the local file and
 * the session's buffers; put writes UNSTABLE and COMMITs at the end, and
 * starts over with FILE_SYNC if the server's write verifier changed (the
 * server restarted and may have lost uncommitted data).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"

static const char *type_name(uint32_t t)
{
	switch (t) {
	case NF4REG:
		return "file";
	case NF4DIR:
		return "directory";
	case NF4LNK:
		return "symlink";
	case NF4BLK:
		return "block device";
	case NF4CHR:
		return "char device";
	case NF4SOCK:
		return "socket";
	case NF4FIFO:
		return "fifo";
	default:
		return "unknown";
	}
}

static char type_char(uint32_t t)
{
	switch (t) {
	case NF4DIR:
		return 'd';
	case NF4LNK:
		return 'l';
	case NF4BLK:
		return 'b';
	case NF4CHR:
		return 'c';
	case NF4SOCK:
		return 's';
	case NF4FIFO:
		return 'p';
	default:
		return '-';
	}
}

static void mode_string(uint32_t type, uint32_t mode, char *out)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = type_char(type);
	for (i = 0; i < 9; i++)
		out[i + 1] = mode & (1u << (8 - i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static void print_long(const char *name, const struct sess_attr *a)
{
	char mode[11], when[32] = "?";
	time_t t = (time_t)a->sa_mtime_sec;
	struct tm tm;

	mode_string(a->sa_type, a->sa_mode, mode);
	if ((a->sa_mask & SESS_ATTR_MTIME) && localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%s %3u %12" PRIu64 " %s %s\n", mode, a->sa_nlink, a->sa_size,
	       when, name);
}

static int ls_entry(void *ctx, const char *name, const struct sess_attr *a)
{
	struct cli *c = ctx;

	if (c->o.long_list)
		print_long(name, a);
	else
		printf("%s%s\n", name, a->sa_type == NF4DIR ? "/" : "");
	return 0;
}

static int need_args(int argc, int n, const char *usage)
{
	if (argc != n) {
		fprintf(stderr, "usage: nfs41 %s\n", usage);
		return CLI_ERR_USAGE;
	}
	return 0;
}

int cmd_ls(struct cli *c, int argc, char **argv)
{
	struct sess_fh fh;
	struct sess_attr a;
	int ret = need_args(argc, 1, "ls [-l] nfs://host[:port]/path");

	if (ret || (ret = cli_connect(c, argv[0])))
		return ret;
	ret = sess_lookup(c->cl, c->url.path, &fh, &a);
	if (!ret && a.sa_type == NF4DIR)
		ret = sess_readdir(c->cl, &fh, ls_entry, c);
	else if (!ret)
		ls_entry(c, c->url.path, &a);
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

int cmd_stat(struct cli *c, int argc, char **argv)
{
	struct sess_fh fh;
	struct sess_attr a;
	char mode[11];
	int ret = need_args(argc, 1, "stat nfs://host[:port]/path");

	if (ret || (ret = cli_connect(c, argv[0])))
		return ret;
	ret = sess_lookup(c->cl, c->url.path, &fh, &a);
	if (!ret) {
		mode_string(a.sa_type, a.sa_mode, mode);
		if (c->o.json) {
			printf("{\"path\":\"%s\",\"type\":\"%s\",\"mode\":%u,"
			       "\"size\":%" PRIu64 ",\"nlink\":%u,"
			       "\"fileid\":%" PRIu64 ",\"space_used\":%" PRIu64
			       ",\"mtime\":%" PRId64 "}\n",
			       c->url.path, type_name(a.sa_type),
			       a.sa_mode & 07777, a.sa_size, a.sa_nlink,
			       a.sa_fileid, a.sa_space_used, a.sa_mtime_sec);
		} else {
			printf(
			    "  path: %s\n  type: %s\n  mode: %04o (%s)\n"
			    "  size: %" PRIu64 "\n links: %u\nfileid: %" PRIu64
			    "\n  used: %" PRIu64 "\n mtime: %" PRId64 ".%09u\n",
			    c->url.path, type_name(a.sa_type),
			    a.sa_mode & 07777, mode, a.sa_size, a.sa_nlink,
			    a.sa_fileid, a.sa_space_used, a.sa_mtime_sec,
			    a.sa_mtime_nsec);
		}
	}
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

/* ---- get / put ---- */

struct xfer {
	struct cli *c;
	struct sess_file *f;
	int fd;
	bool put;
	bool seq_stdio; /* stdin/stdout: one stream, in order */
	uint64_t size;
	uint32_t io;
	stable_how4 stable;
	atomic_uint_fast64_t next;
	atomic_uint_fast64_t done;
	atomic_int err;
	int running;		 /* workers still going, under lock */
	pthread_cond_t finished; /* signalled when a worker ends */
	pthread_mutex_t lock;	 /* running, verf fields; a leaf */
	bool have_verf;
	bool verf_mismatch;
	verifier4 verf;
};

static void xfer_fail(struct xfer *x, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&x->err, &zero, err);
}

static void note_verf(struct xfer *x, const verifier4 v)
{
	pthread_mutex_lock(&x->lock);
	if (!x->have_verf) {
		memcpy(x->verf, v, sizeof(verifier4));
		x->have_verf = true;
	} else if (memcmp(x->verf, v, sizeof(verifier4))) {
		x->verf_mismatch = true;
	}
	pthread_mutex_unlock(&x->lock);
}

/* One chunk of a get: READ until the chunk is full or EOF. */
static int get_chunk(struct xfer *x, uint8_t *buf, uint64_t off, uint32_t len,
		     uint32_t *total, bool *eof)
{
	uint32_t got;
	int ret;

	*total = 0;
	*eof = false;
	while (*total < len && !*eof) {
		ret = sess_read(x->f, off + *total, buf + *total, len - *total,
				&got, eof);
		if (ret)
			return ret;
		if (got == 0 && !*eof)
			return -EIO;
		*total += got;
	}
	return 0;
}

static int put_chunk(struct xfer *x, uint8_t *buf, uint64_t off, uint32_t len)
{
	struct iovec iov;
	uint32_t written;
	stable_how4 committed;
	verifier4 verf;
	int ret;

	while (len) {
		iov.iov_base = buf;
		iov.iov_len = len;
		ret = sess_write(x->f, off, &iov, 1, len, x->stable, &written,
				 &committed, verf);
		if (ret)
			return ret;
		if (written == 0)
			return -EIO;
		if (committed == UNSTABLE4)
			note_verf(x, verf);
		buf += written;
		off += written;
		len -= written;
	}
	return 0;
}

static void *xfer_worker(void *arg)
{
	struct xfer *x = arg;
	uint8_t *buf = malloc(x->io);
	uint64_t off;
	uint32_t len, got;
	ssize_t n;
	bool eof;
	int ret;

	if (!buf) {
		xfer_fail(x, -ENOMEM);
		return NULL;
	}
	while (!atomic_load(&x->err)) {
		/* stdin/stdout: one stream whose reads may come up short */
		off = x->seq_stdio ? atomic_load(&x->done)
				   : atomic_fetch_add(&x->next, x->io);
		if (!x->seq_stdio && off >= x->size)
			break;
		len = x->io;
		if (!x->seq_stdio && x->size - off < len)
			len = (uint32_t)(x->size - off);
		if (x->put) {
			n = x->seq_stdio ? read(x->fd, buf, len)
					 : pread(x->fd, buf, len, (off_t)off);
			if (n < 0) {
				xfer_fail(x, -errno);
				break;
			}
			if (n == 0)
				break;
			ret = put_chunk(x, buf, off, (uint32_t)n);
			got = (uint32_t)n;
			eof = false;
		} else {
			ret = get_chunk(x, buf, off, len, &got, &eof);
			if (!ret && got) {
				n = x->seq_stdio
					? write(x->fd, buf, got)
					: pwrite(x->fd, buf, got, (off_t)off);
				if (n != (ssize_t)got)
					ret = -EIO;
			}
		}
		if (ret) {
			xfer_fail(x, ret);
			break;
		}
		atomic_fetch_add(&x->done, got);
		if (x->seq_stdio && !x->put && eof)
			break;
	}
	free(buf);
	pthread_mutex_lock(&x->lock);
	x->running--;
	pthread_cond_signal(&x->finished);
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

static int run_xfer(struct xfer *x, const char *label)
{
	pthread_t tids[64];
	uint32_t n = x->seq_stdio ? 1 : x->c->o.streams, i;
	pthread_condattr_t ca;
	struct timespec until;
	double start = cli_now();

	if (n > 64)
		n = 64;
	if (n == 0)
		n = 1;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&x->finished, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&x->lock);
	for (i = 0; i < n; i++) {
		if (pthread_create(&tids[i], NULL, xfer_worker, x)) {
			xfer_fail(x, -EAGAIN);
			break;
		}
		x->running++;
	}
	n = i;
	/* Wake at every worker's end, or every 100 ms for the progress. */
	while (x->running > 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 100000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&x->finished, &x->lock, &until);
		if (!x->c->o.quiet && x->running > 0)
			cli_progress(label, atomic_load(&x->done), x->size,
				     start, false);
	}
	pthread_mutex_unlock(&x->lock);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	pthread_cond_destroy(&x->finished);
	if (!x->c->o.quiet && !atomic_load(&x->err))
		cli_progress(label, atomic_load(&x->done),
			     x->size ? x->size : atomic_load(&x->done), start,
			     true);
	return atomic_load(&x->err);
}

int cmd_get(struct cli *c, int argc, char **argv)
{
	char pathbuf[4096];
	const char *dir, *base, *local;
	struct sess_fh dfh, fh;
	struct sess_attr a;
	struct sess_file f;
	struct xfer x;
	int ret, fd;

	if (argc < 1 || argc > 2) {
		fprintf(stderr,
			"usage: nfs41 get nfs://host[:port]/path [LOCAL|-]\n");
		return CLI_ERR_USAGE;
	}
	ret = cli_connect(c, argv[0]);
	if (ret)
		return ret;
	ret =
	    sess_split_path(c->url.path, pathbuf, sizeof(pathbuf), &dir, &base);
	if (!ret)
		ret = sess_lookup(c->cl, dir, &dfh, NULL);
	if (!ret)
		ret = sess_lookup(c->cl, c->url.path, &fh, &a);
	if (!ret && a.sa_type != NF4REG)
		ret = NFS4ERR_ISDIR;
	if (!ret)
		ret = sess_open(c->cl, &dfh, base, SESS_OPEN_READ, 0, &f);
	if (ret) {
		ret = cli_report(ret, c->url.path);
		cli_disconnect(c);
		return ret;
	}
	local = argc == 2 ? argv[1] : base;
	if (!strcmp(local, "-"))
		fd = 1;
	else
		fd =
		    open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "nfs41: %s: %s\n", local, strerror(errno));
		sess_close(&f);
		cli_disconnect(c);
		return CLI_ERR_LOCAL;
	}
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.f = &f;
	x.fd = fd;
	x.size = a.sa_size;
	x.io = sess_client_max_io(c->cl);
	x.seq_stdio = fd == 1;
	pthread_mutex_init(&x.lock, NULL);
	ret = run_xfer(&x, base);
	if (fd != 1 && close(fd) && !ret)
		ret = -errno;
	if (!ret)
		ret = sess_close(&f);
	else
		sess_close(&f);
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

int cmd_put(struct cli *c, int argc, char **argv)
{
	char pathbuf[4096];
	const char *dir, *base;
	struct sess_fh dfh;
	struct sess_file f;
	struct stat st;
	struct xfer x;
	verifier4 cverf;
	unsigned int flags;
	int ret, fd, attempt;
	bool is_stdin;

	ret = need_args(argc, 2,
			"put [--exclusive] LOCAL|- nfs://host[:port]/path");
	if (ret)
		return ret;
	is_stdin = !strcmp(argv[0], "-");
	fd = is_stdin ? 0 : open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "nfs41: %s: %s\n", argv[0], strerror(errno));
		return CLI_ERR_LOCAL;
	}
	is_stdin = is_stdin || !S_ISREG(st.st_mode);
	ret = cli_connect(c, argv[1]);
	if (ret)
		goto out_close;
	ret =
	    sess_split_path(c->url.path, pathbuf, sizeof(pathbuf), &dir, &base);
	if (!ret)
		ret = sess_lookup(c->cl, dir, &dfh, NULL);
	flags = SESS_OPEN_WRITE | SESS_OPEN_CREATE | SESS_OPEN_TRUNC;
	if (c->o.exclusive)
		flags |= SESS_OPEN_EXCL;
	if (!ret)
		ret = sess_open(c->cl, &dfh, base, flags, 0644, &f);
	if (ret) {
		ret = cli_report(ret, c->url.path);
		goto out_disc;
	}
	for (attempt = 0; attempt < 3; attempt++) {
		memset(&x, 0, sizeof(x));
		x.c = c;
		x.f = &f;
		x.fd = fd;
		x.put = true;
		x.size = is_stdin ? 0 : (uint64_t)st.st_size;
		x.seq_stdio = is_stdin;
		x.io = sess_client_max_io(c->cl);
		/* stdin cannot be re-sent: make every WRITE durable. */
		x.stable = is_stdin || attempt ? FILE_SYNC4 : UNSTABLE4;
		pthread_mutex_init(&x.lock, NULL);
		ret = run_xfer(&x, base);
		if (ret || !x.have_verf)
			break;
		ret = sess_commit(&f, cverf);
		if (ret)
			break;
		if (!x.verf_mismatch &&
		    !memcmp(cverf, x.verf, sizeof(verifier4)))
			break;
		fprintf(stderr, "nfs41: server restarted during the upload "
				"(write verifier changed): sending again\n");
	}
	if (!ret)
		ret = sess_close(&f);
	else
		sess_close(&f);
	ret = cli_report(ret, c->url.path);
out_disc:
	cli_disconnect(c);
out_close:
	if (fd > 0)
		close(fd);
	return ret;
}

/* Resolve the parent directory of the URL's path. */
static int parent_of(struct cli *c, char *buf, size_t cap, struct sess_fh *dfh,
		     const char **base)
{
	const char *dir;
	int ret;

	ret = sess_split_path(c->url.path, buf, cap, &dir, base);
	if (ret)
		return ret;
	return sess_lookup(c->cl, dir, dfh, NULL);
}

int cmd_rm(struct cli *c, int argc, char **argv)
{
	char buf[4096];
	const char *base;
	struct sess_fh dfh;
	int ret = need_args(argc, 1, "rm nfs://host[:port]/path");

	if (ret || (ret = cli_connect(c, argv[0])))
		return ret;
	ret = parent_of(c, buf, sizeof(buf), &dfh, &base);
	if (!ret) {
		cli_fault_before_change(c);
		ret = sess_remove(c->cl, &dfh, base);
	}
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

int cmd_mkdir(struct cli *c, int argc, char **argv)
{
	char buf[4096];
	const char *base;
	struct sess_fh dfh;
	int ret = need_args(argc, 1, "mkdir nfs://host[:port]/path");

	if (ret || (ret = cli_connect(c, argv[0])))
		return ret;
	ret = parent_of(c, buf, sizeof(buf), &dfh, &base);
	if (!ret) {
		cli_fault_before_change(c);
		ret = sess_mkdir(c->cl, &dfh, base, 0755, NULL);
	}
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

int cmd_rename(struct cli *c, int argc, char **argv)
{
	char buf[4096], buf2[4096];
	const char *base, *dir2, *base2, *to;
	struct sess_fh dfh, dfh2;
	struct cli_url u2;
	int ret = need_args(argc, 2,
			    "rename nfs://host[:port]/old NEWPATH|nfs://...");

	if (ret)
		return ret;
	to = argv[1];
	if (!strncmp(to, "nfs://", 6)) {
		if (cli_parse_url(to, &u2)) {
			fprintf(stderr, "nfs41: bad URL '%s'\n", to);
			return CLI_ERR_USAGE;
		}
		to = argv[1] + (strstr(argv[1] + 6, u2.path) - argv[1]);
	}
	if ((ret = cli_connect(c, argv[0])))
		return ret;
	ret = parent_of(c, buf, sizeof(buf), &dfh, &base);
	if (!ret)
		ret = sess_split_path(to, buf2, sizeof(buf2), &dir2, &base2);
	if (!ret)
		ret = sess_lookup(c->cl, dir2, &dfh2, NULL);
	if (!ret) {
		cli_fault_before_change(c);
		ret = sess_rename(c->cl, &dfh, base, &dfh2, base2);
	}
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
	struct sess_fh fh;
	struct sess_attr a;
	int ret = need_args(argc, 1, "stats [--hold SECS] nfs://host/path");

	if (ret || (ret = cli_connect(c, argv[0])))
		return ret;
	if (c->o.hold_s > 0)
		sleep((unsigned int)c->o.hold_s);
	ret = sess_lookup(c->cl, c->url.path, &fh, &a);
	if (!ret)
		cli_print_stats(c, c->o.json);
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}
