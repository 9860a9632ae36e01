/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * nfs41 bench: parallel streams against a directory on the server.
 *
 *   read   every stream reads a shared file (created and filled first)
 *          sequentially from its own starting offset, io_size per READ;
 *   write  every stream writes its own file sequentially (UNSTABLE,
 *          wrapping at --file-size, COMMIT at the end);
 *   meta   every stream creates (OPEN exclusive + CLOSE), stats and
 *          removes small files: one "op" is that whole cycle.
 *   small  every stream creates a file, writes 4 KiB to it (FILE_SYNC)
 *          and closes it: one "op" is that cycle.  The files are removed
 *          after the clock stops, so removal is not in the figure.
 *   lookup every stream resolves the path of one existing file from the
 *          root (one COMPOUND: PUTROOTFH, LOOKUP per component, GETFH,
 *          GETATTR): one "op" is one round trip, the small-call rate.
 *
 * Latencies go into log2 buckets (microseconds) for the average and the
 * 99th percentile.  Output: a table, or one JSON object per mode.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LAT_BUCKETS 40
#define SMALL_IO 4096

struct bench {
	struct cli *c;
	const char *mode;
	struct sess_fh dir;
	struct sess_file shared; /* read mode */
	char lookup_path[4200];	 /* lookup mode */
	uint32_t io;
	uint64_t file_size;
	double deadline;
	pthread_cond_t go_cond; /* all streams begin together */
	bool go;
	atomic_int err;
	pthread_mutex_t lock; /* go, and the sums below; a leaf */
	uint64_t ops;
	uint64_t bytes;
	double lat_sum_us;
	uint64_t lat_hist[LAT_BUCKETS];
};

struct stream {
	struct bench *b;
	uint32_t idx;
	uint64_t ops, bytes;
	double lat_sum_us;
	uint64_t lat_hist[LAT_BUCKETS];
};

static void note_lat(struct stream *s, double t0)
{
	double us = (cli_now() - t0) * 1e6;
	int b = us < 1 ? 0 : (int)log2(us) + 1;

	if (b >= LAT_BUCKETS)
		b = LAT_BUCKETS - 1;
	s->lat_hist[b]++;
	s->lat_sum_us += us;
	s->ops++;
}

static void fail(struct bench *b, int err)
{
	int zero = 0;

	atomic_compare_exchange_strong(&b->err, &zero, err);
}

static void bench_read(struct stream *s, uint8_t *buf)
{
	struct bench *b = s->b;
	uint64_t off = (b->file_size / b->c->o.streams) * s->idx;
	uint32_t got;
	bool eof;
	double t0;
	int ret;

	off -= off % b->io;
	while (cli_now() < b->deadline && !atomic_load(&b->err)) {
		if (off + b->io > b->file_size)
			off = 0;
		t0 = cli_now();
		ret = sess_read(&b->shared, off, buf, b->io, &got, &eof);
		if (ret) {
			fail(b, ret);
			return;
		}
		note_lat(s, t0);
		s->bytes += got;
		off += b->io;
	}
}

static void bench_write(struct stream *s, uint8_t *buf)
{
	struct bench *b = s->b;
	struct sess_file f;
	struct iovec iov = {buf, b->io};
	char name[64];
	uint64_t off = 0;
	uint32_t written;
	stable_how4 committed;
	verifier4 verf;
	double t0;
	int ret;

	snprintf(name, sizeof(name), "nfs41-bench-%d-w%u", getpid(), s->idx);
	ret = sess_open(b->c->cl, &b->dir, name,
			SESS_OPEN_WRITE | SESS_OPEN_CREATE | SESS_OPEN_TRUNC,
			0644, &f);
	if (ret) {
		fail(b, ret);
		return;
	}
	while (cli_now() < b->deadline && !atomic_load(&b->err)) {
		if (off + b->io > b->file_size)
			off = 0;
		t0 = cli_now();
		ret = sess_write(&f, off, &iov, 1, b->io, UNSTABLE4, &written,
				 &committed, verf);
		if (ret) {
			fail(b, ret);
			break;
		}
		note_lat(s, t0);
		s->bytes += written;
		off += b->io;
	}
	if (!ret)
		ret = sess_commit(&f, verf);
	sess_close(&f);
	if (!ret)
		ret = sess_remove(b->c->cl, &b->dir, name);
	if (ret)
		fail(b, ret);
}

static void bench_meta(struct stream *s)
{
	struct bench *b = s->b;
	struct sess_file f;
	struct sess_attr a;
	char name[64];
	uint64_t k = 0;
	double t0;
	int ret;

	while (cli_now() < b->deadline && !atomic_load(&b->err)) {
		snprintf(name, sizeof(name), "nfs41-bench-%d-m%u-%" PRIu64,
			 getpid(), s->idx, k++);
		t0 = cli_now();
		ret = sess_open(b->c->cl, &b->dir, name,
				SESS_OPEN_WRITE | SESS_OPEN_CREATE |
				    SESS_OPEN_EXCL,
				0644, &f);
		if (!ret)
			ret = sess_close(&f);
		if (!ret)
			ret = sess_getattr(b->c->cl, &f.f_fh, &a);
		if (!ret)
			ret = sess_remove(b->c->cl, &b->dir, name);
		if (ret) {
			fail(b, ret);
			return;
		}
		note_lat(s, t0);
	}
}

static void small_name(char *name, size_t len, uint32_t idx, uint64_t k)
{
	snprintf(name, len, "nfs41-bench-%d-s%u-%" PRIu64, getpid(), idx, k);
}

static void bench_small(struct stream *s, uint8_t *buf)
{
	struct bench *b = s->b;
	struct iovec iov = {buf, SMALL_IO};
	struct sess_file f;
	char name[64];
	uint64_t k = 0;
	uint32_t written;
	stable_how4 committed;
	verifier4 verf;
	double t0;
	int ret = 0;

	while (cli_now() < b->deadline && !atomic_load(&b->err)) {
		small_name(name, sizeof(name), s->idx, k++);
		t0 = cli_now();
		ret = sess_open(b->c->cl, &b->dir, name,
				SESS_OPEN_WRITE | SESS_OPEN_CREATE |
				    SESS_OPEN_EXCL,
				0644, &f);
		if (ret)
			break;
		ret = sess_write(&f, 0, &iov, 1, SMALL_IO, FILE_SYNC4, &written,
				 &committed, verf);
		if (!ret && written != SMALL_IO)
			ret = -EIO;
		if (!ret)
			ret = sess_close(&f);
		else
			sess_close(&f);
		if (ret)
			break;
		note_lat(s, t0);
		s->bytes += SMALL_IO;
	}
	/* Untimed: leave the directory as it was. */
	while (k > 0) {
		small_name(name, sizeof(name), s->idx, --k);
		if (sess_remove(b->c->cl, &b->dir, name) && !ret)
			ret = -EIO;
	}
	if (ret)
		fail(b, ret);
}

static void bench_lookup(struct stream *s)
{
	struct bench *b = s->b;
	struct sess_fh fh;
	struct sess_attr a;
	double t0;
	int ret;

	while (cli_now() < b->deadline && !atomic_load(&b->err)) {
		t0 = cli_now();
		ret = sess_lookup(b->c->cl, b->lookup_path, &fh, &a);
		if (ret) {
			fail(b, ret);
			return;
		}
		note_lat(s, t0);
	}
}

static void *stream_main(void *arg)
{
	struct stream *s = arg;
	struct bench *b = s->b;
	uint8_t *buf = NULL;
	int i;

	pthread_mutex_lock(&b->lock);
	while (!b->go)
		pthread_cond_wait(&b->go_cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
	if (!strcmp(b->mode, "read") || !strcmp(b->mode, "write") ||
	    !strcmp(b->mode, "small")) {
		size_t len = b->io > SMALL_IO ? b->io : SMALL_IO;

		buf = malloc(len);
		if (!buf) {
			fail(b, -ENOMEM);
			return NULL;
		}
		memset(buf, 0x5a ^ (int)s->idx, len);
	}
	if (!strcmp(b->mode, "read"))
		bench_read(s, buf);
	else if (!strcmp(b->mode, "write"))
		bench_write(s, buf);
	else if (!strcmp(b->mode, "small"))
		bench_small(s, buf);
	else if (!strcmp(b->mode, "lookup"))
		bench_lookup(s);
	else
		bench_meta(s);
	free(buf);
	pthread_mutex_lock(&b->lock);
	b->ops += s->ops;
	b->bytes += s->bytes;
	b->lat_sum_us += s->lat_sum_us;
	for (i = 0; i < LAT_BUCKETS; i++)
		b->lat_hist[i] += s->lat_hist[i];
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* Create the shared read file and fill it. */
static int prepare_read(struct bench *b)
{
	uint8_t *buf = malloc(b->io);
	struct iovec iov = {buf, b->io};
	char name[64];
	uint64_t off;
	uint32_t written;
	stable_how4 committed;
	verifier4 verf;
	int ret;

	if (!buf)
		return -ENOMEM;
	memset(buf, 0xa5, b->io);
	snprintf(name, sizeof(name), "nfs41-bench-%d-r", getpid());
	ret = sess_open(b->c->cl, &b->dir, name,
			SESS_OPEN_READ | SESS_OPEN_WRITE | SESS_OPEN_CREATE |
			    SESS_OPEN_TRUNC,
			0644, &b->shared);
	for (off = 0; !ret && off < b->file_size; off += b->io)
		ret = sess_write(&b->shared, off, &iov, 1, b->io, UNSTABLE4,
				 &written, &committed, verf);
	if (!ret)
		ret = sess_commit(&b->shared, verf);
	free(buf);
	return ret;
}

/* The file every lookup stream resolves: exists for the whole run. */
static int prepare_lookup(struct bench *b, const char *dir_path)
{
	struct sess_file f;
	char name[64];
	int ret;

	snprintf(name, sizeof(name), "nfs41-bench-%d-l", getpid());
	snprintf(b->lookup_path, sizeof(b->lookup_path), "%s/%s",
		 strcmp(dir_path, "/") ? dir_path : "", name);
	ret = sess_open(b->c->cl, &b->dir, name,
			SESS_OPEN_WRITE | SESS_OPEN_CREATE | SESS_OPEN_TRUNC,
			0644, &f);
	if (!ret)
		ret = sess_close(&f);
	return ret;
}

static int finish_lookup(struct bench *b)
{
	char name[64];

	snprintf(name, sizeof(name), "nfs41-bench-%d-l", getpid());
	return sess_remove(b->c->cl, &b->dir, name);
}

static int finish_read(struct bench *b)
{
	char name[64];
	int ret = sess_close(&b->shared);

	snprintf(name, sizeof(name), "nfs41-bench-%d-r", getpid());
	if (!ret)
		ret = sess_remove(b->c->cl, &b->dir, name);
	return ret;
}

static double p99_us(const struct bench *b)
{
	uint64_t want = (uint64_t)ceil((double)b->ops * 0.99), seen = 0;
	int i;

	for (i = 0; i < LAT_BUCKETS; i++) {
		seen += b->lat_hist[i];
		if (seen >= want && b->lat_hist[i])
			return i ? ldexp(1.0, i) : 1.0; /* bucket's top */
	}
	return 0;
}

static int run_mode(struct cli *c, const struct sess_fh *dir, const char *mode,
		    bool first)
{
	struct bench b;
	struct stream *ss;
	pthread_t *tids;
	uint32_t n = c->o.streams ? c->o.streams : 1, i, io_col = 0;
	double start, secs;
	int ret = 0;

	memset(&b, 0, sizeof(b));
	b.c = c;
	b.mode = mode;
	b.dir = *dir;
	b.io = c->o.io_size < sess_client_max_io(c->cl)
		   ? c->o.io_size
		   : sess_client_max_io(c->cl);
	b.file_size = c->o.file_size;
	if (b.file_size < (uint64_t)b.io * n)
		b.file_size = (uint64_t)b.io * n;
	pthread_mutex_init(&b.lock, NULL);
	if (!strcmp(mode, "read"))
		ret = prepare_read(&b);
	else if (!strcmp(mode, "lookup"))
		ret = prepare_lookup(&b, c->url.path);
	if (ret)
		return cli_report(ret, "bench: preparing the read file");
	ss = calloc(n, sizeof(*ss));
	tids = calloc(n, sizeof(*tids));
	if (!ss || !tids) {
		free(ss);
		free(tids);
		return cli_report(-ENOMEM, "bench");
	}
	pthread_cond_init(&b.go_cond, NULL);
	for (i = 0; i < n; i++) {
		ss[i].b = &b;
		ss[i].idx = i;
		if (pthread_create(&tids[i], NULL, stream_main, &ss[i]))
			break;
	}
	n = i;
	/* Release all streams at once, so they really run side by side. */
	start = cli_now();
	pthread_mutex_lock(&b.lock);
	b.deadline = start + c->o.duration_s;
	b.go = true;
	pthread_cond_broadcast(&b.go_cond);
	pthread_mutex_unlock(&b.lock);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	secs = cli_now() - start;
	pthread_cond_destroy(&b.go_cond);
	if (!strcmp(mode, "read") && finish_read(&b) && !b.err)
		b.err = -EIO;
	if (!strcmp(mode, "lookup") && finish_lookup(&b) && !b.err)
		b.err = -EIO;
	free(ss);
	free(tids);
	if (b.err)
		return cli_report(b.err, "bench");
	if (!strcmp(mode, "small"))
		io_col = SMALL_IO;
	else if (!strcmp(mode, "read") || !strcmp(mode, "write"))
		io_col = b.io;
	if (c->o.json) {
		printf("{\"mode\":\"%s\",\"streams\":%u,\"io_size\":%u,"
		       "\"seconds\":%.3f,\"ops\":%" PRIu64
		       ",\"ops_per_s\":%.1f,"
		       "\"mib_per_s\":%.2f,\"avg_us\":%.1f,\"p99_us\":%.0f}\n",
		       mode, n, io_col, secs, b.ops, (double)b.ops / secs,
		       (double)b.bytes / secs / (1 << 20),
		       b.ops ? b.lat_sum_us / (double)b.ops : 0, p99_us(&b));
	} else {
		if (first)
			printf("%-6s %7s %8s %8s %10s %10s %10s %9s %9s\n",
			       "mode", "streams", "io_size", "seconds", "ops",
			       "ops/s", "MiB/s", "avg_us", "p99_us");
		printf("%-6s %7u %8u %8.2f %10" PRIu64
		       " %10.1f %10.2f %9.1f %9.0f\n",
		       mode, n, io_col, secs, b.ops, (double)b.ops / secs,
		       (double)b.bytes / secs / (1 << 20),
		       b.ops ? b.lat_sum_us / (double)b.ops : 0, p99_us(&b));
	}
	fflush(stdout);
	return CLI_OK;
}

int cmd_bench(struct cli *c, int argc, char **argv)
{
	/* "all" runs the first three; small and lookup only when named. */
	static const char *modes[] = {"write", "read", "meta", "small",
				      "lookup"};
	bool all = !strcmp(c->o.mode, "all");
	struct sess_fh dir;
	struct sess_attr a;
	int ret, i;
	bool first = true;

	if (argc != 1) {
		fprintf(
		    stderr,
		    "usage: nfs41 bench [--mode read|write|meta|small|lookup|all] "
		    "[--streams N] [--io-size SIZE] [--duration SECS] "
		    "[--file-size SIZE] [--json] nfs://host[:port]/dir\n");
		return CLI_ERR_USAGE;
	}
	if (strcmp(c->o.mode, "all") && strcmp(c->o.mode, "read") &&
	    strcmp(c->o.mode, "write") && strcmp(c->o.mode, "meta") &&
	    strcmp(c->o.mode, "small") && strcmp(c->o.mode, "lookup")) {
		fprintf(stderr, "nfs41: bench: unknown mode '%s'\n", c->o.mode);
		return CLI_ERR_USAGE;
	}
	if ((ret = cli_connect(c, argv[0])))
		return ret;
	ret = sess_lookup(c->cl, c->url.path, &dir, &a);
	if (!ret && a.sa_type != NF4DIR)
		ret = NFS4ERR_NOTDIR;
	if (ret) {
		ret = cli_report(ret, c->url.path);
		cli_disconnect(c);
		return ret;
	}
	for (i = 0; i < 5 && !ret; i++) {
		if (all ? i >= 3 : strcmp(c->o.mode, modes[i]) != 0)
			continue;
		ret = run_mode(c, &dir, modes[i], first);
		first = false;
	}
	cli_disconnect(c);
	return ret;
}
