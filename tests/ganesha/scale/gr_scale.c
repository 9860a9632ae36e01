/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gr_scale: many NFSv4.1 session clients over RPC-over-RDMA against one
 * server, for the scale tests (tests/ganesha/scale/run.sh).
 *
 *   gr_scale PLUGIN HOST PORT io N SIZE HOLD
 *	N clients, each with its own session (its own client owner) over
 *	its own RDMA connection, all connected before any I/O starts.  Each
 *	writes SIZE bytes of a pattern of its own to /export/scale.<i>,
 *	reads it back and compares, closes and removes it.  Then all N stay
 *	connected for HOLD seconds (the caller reads the server's gauges)
 *	before they end their sessions.  Prints "connected N", "verified V
 *	of N", the bytes and the operations per second of the I/O phase.
 *   gr_scale PLUGIN HOST PORT cycles N PAR
 *	N connect/disconnect cycles, PAR at a time: connect, start a
 *	session, look the export up, end the session, disconnect.  Prints
 *	"cycles C of N" and the cycles per second.
 *   gr_scale PLUGIN HOST PORT abandon N SEED
 *	N times: a child process connects, opens a file and writes to it
 *	(1 MiB calls, each one carried by RDMA Reads the server pulls); the
 *	parent kills it with SIGKILL 0 to 20 ms (drawn from SEED) after its
 *	first call went out, so the server loses the client mid-call.
 *	Prints "abandoned A of N" (A: children killed while connected).
 *
 * Environment: GR_SCALE_TRANSPORT=tcp makes the clients use NFSv4.1 over
 * TCP instead (a gateway's clients); GR_SCALE_PATHS="/a,/b,..." (at most
 * 8) gives the exports, client i using path i modulo their number
 * (default /export).
 *
 * How this works: the session client library (src/sessions) with the
 * RDMA transport loaded from PLUGIN (libnfs41_rdma.so, fabric ofi), one
 * thread per client: a client costs the server one connection and one
 * NFSv4.1 client record, the client one progress thread and one renewer.
 * Exit 0 when every client did what it was asked, 1 otherwise (each
 * failure printed), 77 when the plugin cannot be loaded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sess_client.h"
#include "sess_ops.h"
#include "sess_xprt_rdma.h"

#define EXPORT_PATH "/export"
#define ABANDON_IO (1u << 20)
#define MAX_PATHS 8

static sess_xprt_rdma_create_fn rdma_create;
static const char *host;
static uint16_t port;
static bool use_tcp;
static char path_buf[1024];
static const char *paths[MAX_PATHS] = {EXPORT_PATH};
static uint32_t npaths = 1;

/* The export client @i works in. */
static const char *path_of(uint32_t i)
{
	return paths[i % npaths];
}

/* GR_SCALE_TRANSPORT and GR_SCALE_PATHS.  -EINVAL when malformed. */
static int read_env(void)
{
	const char *t = getenv("GR_SCALE_TRANSPORT");
	const char *p = getenv("GR_SCALE_PATHS");
	char *save = NULL, *tok;

	use_tcp = t && !strcmp(t, "tcp");
	if (!p || !*p)
		return 0;
	if (strlen(p) >= sizeof(path_buf))
		return -EINVAL;
	strcpy(path_buf, p);
	npaths = 0;
	for (tok = strtok_r(path_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (npaths == MAX_PATHS || tok[0] != '/')
			return -EINVAL;
		paths[npaths++] = tok;
	}
	return npaths ? 0 : -EINVAL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* First connects the library tried again (sess_client_start). */
static atomic_uint connect_retries;

/* Library messages: only errors, prefixed with the client's name. */
static void lib_log(void *ctx, enum sess_log_level level, const char *msg)
{
	if (strstr(msg, "trying again"))
		atomic_fetch_add(&connect_retries, 1);
	if (level == SESS_LOG_ERR)
		fprintf(stderr, "%s: %s\n", (const char *)ctx, msg);
}

/* A started client named @name, or NULL (reason printed). */
static struct sess_client *client_up(const char *name)
{
	struct sess_xprt_rdma_opts ro = {
	    .host = host, .port = port, .fabric = "ofi", .timeout_ms = 60000};
	struct sess_client_opts so = {
	    .owner_suffix = name,
	    .recovery_timeout_s = 60,
	    /* all connect at once: in turn, not refused */
	    .connect_retry_s = 60,
	    .log = lib_log,
	    .log_ctx = (void *)name};
	struct sess_client *cl;
	struct sess_xprt *x;
	int ret;

	if (use_tcp) {
		struct sess_xprt_tcp_opts to = {
		    .host = host, .port = port, .timeout_ms = 60000};

		x = sess_xprt_tcp_create(&to);
	} else {
		x = rdma_create(&ro);
	}
	if (!x) {
		fprintf(stderr, "%s: transport: %s\n", name, strerror(errno));
		return NULL;
	}
	cl = sess_client_create(x, &so, &ret);
	if (!cl) {
		fprintf(stderr, "%s: client: %d\n", name, ret);
		return NULL;
	}
	ret = sess_client_start(cl);
	if (ret) {
		fprintf(stderr, "%s: session: %d\n", name, ret);
		sess_client_destroy(cl);
		return NULL;
	}
	return cl;
}

static void client_down(struct sess_client *cl, const char *name)
{
	int ret = sess_client_stop(cl);

	if (ret)
		fprintf(stderr, "%s: session teardown: %d\n", name, ret);
	sess_client_destroy(cl);
}

/* ---- io ---------------------------------------------------------------- */

struct io_run {
	uint32_t n;
	uint32_t size;
	pthread_barrier_t connected; /* everyone up before any I/O */
	pthread_barrier_t done;	     /* everyone verified before the hold */
	double hold_s;
	atomic_uint up, verified;
	atomic_ulong ops, bytes;
	double io_start, io_end;
	pthread_mutex_t lock; /* io_start, io_end */
};

struct io_client {
	struct io_run *r;
	uint32_t idx;
	pthread_t thread;
};

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

/* Write, read back, compare, close, remove.  Returns 0 or why not. */
static int io_verify(struct io_run *r, struct sess_client *cl, uint32_t idx,
		     const char *name)
{
	uint8_t *src = malloc(r->size), *back = calloc(1, r->size);
	uint32_t io = sess_client_max_io(cl), off, len, got = 0, done;
	struct sess_file f;
	struct sess_fh dir;
	stable_how4 how;
	verifier4 verf;
	struct iovec iov;
	char file[64];
	bool eof;
	int ret;

	if (!src || !back) {
		ret = -ENOMEM;
		goto out;
	}
	fill(src, r->size, idx);
	snprintf(file, sizeof(file), "scale.%d.%u", (int)getpid(), idx);
	ret = sess_lookup(cl, path_of(idx), &dir, NULL);
	if (ret)
		goto out;
	ret = sess_open(cl, &dir, file,
			SESS_OPEN_READ | SESS_OPEN_WRITE | SESS_OPEN_CREATE |
			    SESS_OPEN_TRUNC,
			0644, &f);
	if (ret)
		goto out;
	atomic_fetch_add(&r->ops, 2);
	for (off = 0; off < r->size && !ret; off += done) {
		len = r->size - off < io ? r->size - off : io;
		iov = (struct iovec){src + off, len};
		ret = sess_write(&f, off, &iov, 1, len, FILE_SYNC4, &done, &how,
				 verf);
		if (!ret && !done)
			ret = -EIO;
		atomic_fetch_add(&r->ops, 1);
	}
	for (off = 0; off < r->size && !ret; off += got) {
		len = r->size - off < io ? r->size - off : io;
		ret = sess_read(&f, off, back + off, len, &got, &eof);
		if (!ret && !got)
			ret = -ENODATA;
		atomic_fetch_add(&r->ops, 1);
	}
	if (!ret && memcmp(src, back, r->size)) {
		fprintf(stderr, "%s: data read back differs\n", name);
		ret = -EILSEQ;
	}
	if (!ret)
		atomic_fetch_add(&r->bytes, 2ul * r->size);
	if (sess_close(&f) && !ret)
		ret = -EIO;
	if (sess_remove(cl, &dir, file) && !ret)
		ret = -EIO;
	atomic_fetch_add(&r->ops, 2);
out:
	free(src);
	free(back);
	return ret;
}

static void *io_thread(void *arg)
{
	struct io_client *c = arg;
	struct io_run *r = c->r;
	struct sess_client *cl;
	char name[48];
	double t;
	int ret;

	snprintf(name, sizeof(name), "scale-%d-%u", (int)getpid(), c->idx);
	cl = client_up(name);
	if (cl)
		atomic_fetch_add(&r->up, 1);
	pthread_barrier_wait(&r->connected);
	t = now_s();
	pthread_mutex_lock(&r->lock);
	if (!r->io_start || t < r->io_start)
		r->io_start = t;
	pthread_mutex_unlock(&r->lock);
	if (cl) {
		ret = io_verify(r, cl, c->idx, name);
		if (ret)
			fprintf(stderr, "%s: I/O failed: %d\n", name, ret);
		else
			atomic_fetch_add(&r->verified, 1);
	}
	t = now_s();
	pthread_mutex_lock(&r->lock);
	if (t > r->io_end)
		r->io_end = t;
	pthread_mutex_unlock(&r->lock);
	pthread_barrier_wait(&r->done);
	if (c->idx == 0) {
		printf("holding %u connections for %.0f s\n",
		       atomic_load(&r->up), r->hold_s);
		fflush(stdout);
	}
	usleep((useconds_t)(r->hold_s * 1e6));
	if (cl)
		client_down(cl, name);
	return NULL;
}

static int run_io(uint32_t n, uint32_t size, double hold)
{
	struct io_run r = {.n = n, .size = size, .hold_s = hold};
	struct io_client *cs = calloc(n, sizeof(*cs));
	pthread_attr_t attr;
	uint32_t i, started = 0;
	double secs;

	if (!cs)
		return 1;
	pthread_mutex_init(&r.lock, NULL);
	pthread_barrier_init(&r.connected, NULL, n);
	pthread_barrier_init(&r.done, NULL, n);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256u << 10);
	for (i = 0; i < n; i++) {
		cs[i] = (struct io_client){.r = &r, .idx = i};
		if (pthread_create(&cs[i].thread, &attr, io_thread, &cs[i])) {
			/* the barriers wait for n: cannot go on */
			fprintf(stderr, "gr_scale: thread %u: cannot start\n",
				i);
			_exit(1);
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(cs[i].thread, NULL);
	secs = r.io_end - r.io_start;
	printf("connected %u (connects tried again: %u)\n", atomic_load(&r.up),
	       atomic_load(&connect_retries));
	printf("verified %u of %u\n", atomic_load(&r.verified), n);
	printf("io: %lu ops %lu bytes in %.2f s: %.0f ops/s %.1f MiB/s\n",
	       atomic_load(&r.ops), atomic_load(&r.bytes), secs,
	       secs > 0 ? (double)atomic_load(&r.ops) / secs : 0,
	       secs > 0 ? (double)atomic_load(&r.bytes) / secs / 1048576 : 0);
	pthread_attr_destroy(&attr);
	pthread_barrier_destroy(&r.connected);
	pthread_barrier_destroy(&r.done);
	free(cs);
	return atomic_load(&r.verified) == n ? 0 : 1;
}

/* ---- cycles ------------------------------------------------------------ */

struct cycle_run {
	atomic_uint next, ok;
	uint32_t n;
};

static void *cycle_thread(void *arg)
{
	struct cycle_run *r = arg;
	struct sess_client *cl;
	struct sess_fh fh;
	char name[48];
	uint32_t i;
	int ret;

	while ((i = atomic_fetch_add(&r->next, 1)) < r->n) {
		snprintf(name, sizeof(name), "cycle-%d-%u", (int)getpid(), i);
		cl = client_up(name);
		if (!cl)
			continue;
		ret = sess_lookup(cl, path_of(i), &fh, NULL);
		if (ret)
			fprintf(stderr, "%s: lookup: %d\n", name, ret);
		ret = sess_client_stop(cl) || ret;
		sess_client_destroy(cl);
		if (!ret)
			atomic_fetch_add(&r->ok, 1);
	}
	return NULL;
}

static int run_cycles(uint32_t n, uint32_t par)
{
	struct cycle_run r = {.n = n};
	pthread_t *t = calloc(par, sizeof(*t));
	uint32_t i, started = 0;
	double t0 = now_s(), secs;

	if (!t)
		return 1;
	for (i = 0; i < par; i++)
		if (!pthread_create(&t[i], NULL, cycle_thread, &r))
			started++;
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	secs = now_s() - t0;
	printf("cycles %u of %u in %.2f s: %.0f cycles/s\n", atomic_load(&r.ok),
	       n, secs, secs > 0 ? atomic_load(&r.ok) / secs : 0);
	free(t);
	return atomic_load(&r.ok) == n ? 0 : 1;
}

/* ---- abandon ----------------------------------------------------------- */

/* The child: connect, open, tell the parent, write until killed. */
static void abandon_child(uint32_t i, int tell)
{
	uint8_t *buf = malloc(ABANDON_IO);
	struct sess_client *cl;
	struct sess_file f;
	struct sess_fh dir;
	stable_how4 how;
	verifier4 verf;
	struct iovec iov;
	uint32_t done;
	char name[48], file[48];
	uint64_t off = 0;

	snprintf(name, sizeof(name), "abandon-%d-%u", (int)getppid(), i);
	snprintf(file, sizeof(file), "abandon.%u", i);
	cl = buf ? client_up(name) : NULL;
	if (!cl || sess_lookup(cl, path_of(i), &dir, NULL) ||
	    sess_open(cl, &dir, file,
		      SESS_OPEN_WRITE | SESS_OPEN_CREATE | SESS_OPEN_TRUNC,
		      0644, &f))
		_exit(1);
	fill(buf, ABANDON_IO, i);
	iov = (struct iovec){buf, ABANDON_IO};
	if (write(tell, "r", 1) != 1)
		_exit(1);
	for (;;) {
		if (sess_write(&f, off, &iov, 1, ABANDON_IO, UNSTABLE4, &done,
			       &how, verf))
			_exit(1);
		off = (off + ABANDON_IO) % (8u * ABANDON_IO);
	}
}

static int run_abandon(uint32_t n, uint32_t seed)
{
	uint32_t i, killed = 0, x = seed ? seed : 1;
	double t0, up_s = 0, up_max = 0, reap_s = 0, reap_max = 0, d;
	int fds[2], st;
	pid_t pid;
	char c;

	printf("abandon seed %u\n", seed);
	/*
	 * One session in the parent first: libfabric loads and initialises
	 * its providers once per process (~0.4 s here), the children inherit
	 * that instead of paying it each.
	 */
	{
		struct sess_client *cl = client_up("abandon-warm");

		if (!cl)
			return 1;
		client_down(cl, "abandon-warm");
	}
	for (i = 0; i < n; i++) {
		if (pipe(fds))
			return 1;
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			close(fds[0]);
			abandon_child(i, fds[1]);
		}
		close(fds[1]);
		t0 = now_s();
		if (read(fds[0], &c, 1) == 1) {
			d = now_s() - t0;
			up_s += d;
			up_max = d > up_max ? d : up_max;
			/* xorshift: the delay of each kill, from the seed */
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			usleep(x % 20000);
			if (!kill(pid, SIGKILL))
				killed++;
			t0 = now_s();
		} else {
			fprintf(stderr,
				"abandon %u: the child did not "
				"connect\n",
				i);
		}
		close(fds[0]);
		waitpid(pid, &st, 0);
		d = now_s() - t0;
		reap_s += d;
		reap_max = d > reap_max ? d : reap_max;
	}
	printf("abandoned %u of %u\n", killed, n);
	printf("abandon: connect+open %.1f ms mean %.1f max, "
	       "kill to reaped %.1f ms mean %.1f max\n",
	       n ? up_s * 1e3 / n : 0, up_max * 1e3, n ? reap_s * 1e3 / n : 0,
	       reap_max * 1e3);
	return killed == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *mode;
	void *h;

	if (argc < 6) {
		fprintf(stderr,
			"usage: gr_scale PLUGIN HOST PORT io N SIZE HOLD\n"
			"       gr_scale PLUGIN HOST PORT cycles N PAR\n"
			"       gr_scale PLUGIN HOST PORT abandon N SEED\n");
		return 1;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	rdma_create =
	    h ? (sess_xprt_rdma_create_fn)dlsym(h, SESS_XPRT_RDMA_ENTRY) : NULL;
	if (!rdma_create) {
		printf("SKIP: cannot load the RDMA transport: %s\n", dlerror());
		return 77;
	}
	if (read_env()) {
		fprintf(stderr, "gr_scale: bad GR_SCALE_PATHS\n");
		return 1;
	}
	host = argv[2];
	port = (uint16_t)atoi(argv[3]);
	mode = argv[4];
	if (!strcmp(mode, "io") && argc == 8)
		return run_io((uint32_t)atoi(argv[5]),
			      (uint32_t)strtoul(argv[6], NULL, 0),
			      atof(argv[7]));
	if (!strcmp(mode, "cycles") && argc == 7)
		return run_cycles((uint32_t)atoi(argv[5]),
				  (uint32_t)atoi(argv[6]));
	if (!strcmp(mode, "abandon") && argc == 7)
		return run_abandon((uint32_t)atoi(argv[5]),
				   (uint32_t)atoi(argv[6]));
	fprintf(stderr, "gr_scale: bad arguments\n");
	return 1;
}
