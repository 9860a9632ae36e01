/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The fabric harness (see fabric_harness.h): options, opening, buffers,
 * the listener's port report and the server/client roles, shared by the
 * fabric conformance suite and the fabric benchmark.
 *
 * How --role both runs: the server starts first and writes the port(s) it
 * bound to a pipe; the client starts only when they arrived, so a run
 * never races a listener.  No fabric is opened before fork(): verbs
 * contexts opened by a parent refuse its children's commands (uverbs
 * checks the opener's credentials), so each process opens its own.  When
 * the client fails, the server is stopped (it may wait for a client that
 * will not come); otherwise its exit status counts too.
 */
#include "fabric_harness.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int fh_option(struct fh_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 'b':
		o->fo_backend = arg;
		return 1;
	case 'P':
		o->fo_provider = arg;
		return 1;
	case 'a':
		o->fo_addr = arg;
		return 1;
	case 'l':
		o->fo_local = arg;
		return 1;
	case 'p':
		o->fo_port = (unsigned int)atoi(arg);
		return o->fo_port > 65535 ? -EINVAL : 1;
	case 'r':
		o->fo_role = arg;
		return 1;
	}
	return 0;
}

void fh_opts_done(struct fh_opts *o)
{
	if (!o->fo_local)
		o->fo_local = o->fo_addr;
	if (!o->fo_extra_port)
		o->fo_extra_port = o->fo_port + 1;
}

struct xr_fabric *fh_open(const struct fh_opts *o)
{
	struct xr_fabric_params p = {.xfp_backend = o->fo_backend,
				     .xfp_provider = o->fo_provider,
				     .xfp_local_addr = o->fo_local};
	char err[XR_ERRBUF_LEN];
	struct xr_fabric *fab;
	int ret;

	ret = xr_fabric_open(&p, &fab, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "cannot open fabric: %s (%s)\n", err,
			strerror(-ret));
		exit(ret == -ENODEV || ret == -EADDRNOTAVAIL ? 77 : 1);
	}
	return fab;
}

void fh_wait(struct xr_fabric *fab, int ms)
{
	struct pollfd pfd = {.fd = xr_fabric_wait_fd(fab), .events = POLLIN};

	/* -EAGAIN: completions arrived while arming; do not sleep */
	if (xr_fabric_arm(fab) == -EAGAIN)
		return;
	poll(&pfd, 1, ms);
}

long fh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

double fh_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fh_raise_memlock(void)
{
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};

	/* siw counts registrations against it even for root (8 MiB) */
	if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0 ||
	    getrlimit(RLIMIT_MEMLOCK, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_MEMLOCK, &rl);
}

int fh_buf_alloc(struct xr_fabric *fab, size_t len, unsigned int access,
		 struct fh_buf *b)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->fb_mem = calloc(1, len);
	if (!b->fb_mem)
		return -ENOMEM;
	ret = xr_reg_mr(fab, b->fb_mem, len, access, &b->fb_mr);
	if (ret) {
		free(b->fb_mem);
		memset(b, 0, sizeof(*b));
		return ret;
	}
	b->fb_len = len;
	return 0;
}

void fh_buf_free(struct fh_buf *b)
{
	xr_dereg_mr(b->fb_mr);
	free(b->fb_mem);
	memset(b, 0, sizeof(*b));
}

struct xr_recv fh_buf_recv(const struct fh_buf *b, uint32_t i,
			   uint32_t slot_len)
{
	struct xr_recv r = {.rcv_ctx = fh_buf_slot(b, i, slot_len),
			    .rcv_nsge = 1};

	r.rcv_sge[0] = fh_buf_sge(b, r.rcv_ctx, slot_len);
	return r;
}

void fh_buf_recvs(const struct fh_buf *b, uint32_t first, uint32_t n,
		  uint32_t slot_len, struct xr_recv *pre)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		pre[i] = fh_buf_recv(b, first + i, slot_len);
}

int fh_listen(struct xr_fabric *fab, const struct fh_opts *o, int backlog,
	      int port_pipe, uint16_t extra_port, struct xr_listener **lis)
{
	uint16_t ports[2];
	size_t len;
	int ret;

	ret = xr_listen(fab, o->fo_addr, (uint16_t)o->fo_port, backlog, lis);
	if (ret) {
		fprintf(stderr, "server: listen: %s\n",
			xr_fabric_strerror(fab));
		return ret;
	}
	if (port_pipe < 0)
		return 0;
	ports[0] = xr_listener_port(*lis);
	ports[1] = extra_port;
	len = extra_port ? sizeof(ports) : sizeof(ports[0]);
	if (write(port_pipe, ports, len) != (ssize_t)len) {
		ret = -errno;
		perror("server: port pipe");
		xr_listener_close(*lis);
		*lis = NULL;
		close(port_pipe);
		return ret;
	}
	close(port_pipe);
	return 0;
}

struct fh_thread {
	int (*ft_server)(int port_pipe);
	int ft_pipe;
	int ft_ret;
};

static void *fh_thread_main(void *arg)
{
	struct fh_thread *t = arg;

	t->ft_ret = t->ft_server(t->ft_pipe);
	return NULL;
}

/* Reads the server's ports; returns 0 or -1 when the server gave none. */
static int fh_read_ports(int fd, uint16_t *ports, int nports)
{
	ssize_t want = (ssize_t)(nports * sizeof(ports[0]));

	ports[1] = 0;
	return read(fd, ports, (size_t)want) == want ? 0 : -1;
}

/* --role both for the in-process backend: the server on a thread. */
static int fh_run_threads(int (*server)(int port_pipe),
			  int (*client)(uint16_t port, uint16_t extra_port),
			  int nports)
{
	struct fh_thread t = {.ft_server = server, .ft_ret = 1};
	uint16_t ports[2];
	pthread_t th;
	int pfd[2], ret;

	if (pipe(pfd))
		return 1;
	t.ft_pipe = pfd[1];
	if (pthread_create(&th, NULL, fh_thread_main, &t)) {
		close(pfd[0]);
		close(pfd[1]);
		return 1;
	}
	if (fh_read_ports(pfd[0], ports, nports)) {
		close(pfd[0]);
		pthread_join(th, NULL);
		fprintf(stderr, "server did not start\n");
		return t.ft_ret == 77 ? 77 : 1;
	}
	close(pfd[0]);
	ret = client(ports[0], ports[1]);
	pthread_join(th, NULL);
	if (t.ft_ret) {
		fprintf(stderr, "server thread failed (%d)\n", t.ft_ret);
		return 1;
	}
	return ret;
}

int fh_run(const struct fh_opts *o, int (*server)(int port_pipe),
	   int (*client)(uint16_t port, uint16_t extra_port), int nports)
{
	int pfd[2], st_s = 0, st_c = 0;
	uint16_t ports[2];
	pid_t srv, cli;

	if (!strcmp(o->fo_role, "server"))
		return server(-1);
	if (!strcmp(o->fo_role, "client"))
		return client((uint16_t)o->fo_port, (uint16_t)o->fo_extra_port);
	if (strcmp(o->fo_role, "both"))
		return 2;
	if (!strcmp(o->fo_backend, "loop"))
		return fh_run_threads(server, client, nports);

	fflush(stdout);
	if (pipe(pfd))
		return 1;
	srv = fork();
	if (srv < 0)
		return 1;
	if (srv == 0) {
		close(pfd[0]);
		exit(server(pfd[1])); /* exit, not _exit: LSan checks */
	}
	close(pfd[1]);
	if (fh_read_ports(pfd[0], ports, nports)) {
		close(pfd[0]);
		waitpid(srv, &st_s, 0);
		if (WIFEXITED(st_s) && WEXITSTATUS(st_s) == 77)
			return 77; /* the server printed why */
		fprintf(stderr, "server did not start\n");
		return 1;
	}
	close(pfd[0]);
	cli = fork();
	if (cli < 0) {
		kill(srv, SIGTERM);
		waitpid(srv, &st_s, 0);
		return 1;
	}
	if (cli == 0)
		exit(client(ports[0], ports[1]));
	waitpid(cli, &st_c, 0);
	if (!WIFEXITED(st_c) || WEXITSTATUS(st_c)) {
		/* the server may wait for a client that will not come */
		kill(srv, SIGTERM);
		waitpid(srv, &st_s, 0);
		if (!WIFEXITED(st_c)) {
			fprintf(stderr, "client process died (status 0x%x)\n",
				st_c);
			return 1;
		}
		return WEXITSTATUS(st_c);
	}
	waitpid(srv, &st_s, 0);
	if (!WIFEXITED(st_s) || WEXITSTATUS(st_s)) {
		fprintf(stderr, "server process failed (status 0x%x)\n", st_s);
		return 1;
	}
	return 0;
}
