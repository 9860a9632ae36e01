/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The harness that the fabric conformance suite and the fabric benchmark
 * (bench/xr_fabric_bench.c) share: everything around a fabric connection
 * that is not the test itself.  How this works:
 *
 * - options: FH_LONG_OPTIONS and fh_option() take the common ones
 *   (--backend, --provider, --addr, --local, --port, --role) in the
 *   program's own getopt_long loop;
 * - fh_open() opens the fabric they name and exits 77 when the backend
 *   cannot run on this host (ctest's skip), 1 on any other failure;
 * - fh_buf_*() allocate and register one buffer and cut receives and
 *   scatter entries out of it;
 * - fh_listen() listens and tells the client the port through the pipe
 *   fh_run() gave the server;
 * - fh_wait() sleeps on the fabric until something may be pending, and
 *   fh_now_ms()/fh_now_s() measure the deadlines every pump loop keeps;
 * - fh_run() runs the role: the server alone, the client alone, or both -
 *   two processes joined by a pipe that carries the server's ports (the
 *   in-process "loop" backend cannot span processes: there the server runs
 *   on a thread).  A server that cannot run makes the whole run 77.
 *
 * Each program keeps its own pump (event and completion handling): that is
 * what it tests or measures.
 */
#ifndef FABRIC_HARNESS_H
#define FABRIC_HARNESS_H

#include "xr_fabric.h"

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The common options; fo_local defaults to fo_addr after parsing. */
struct fh_opts {
	const char *fo_backend;	 /* "ofi" unless given */
	const char *fo_provider; /* NULL: the backend's default */
	const char *fo_addr;	 /* the server's address; "127.0.0.1" */
	const char *fo_local;	 /* the address the fabric is opened on */
	unsigned int fo_port;	 /* 0: the server picks one */
	const char *fo_role;	 /* "server", "client" or "both" */
	/* --role client: the server's second port; 0 means fo_port + 1 */
	unsigned int fo_extra_port;
};

/* Defaults of every common option. */
#define FH_OPTS_INIT                                                           \
	{                                                                      \
		.fo_backend = "ofi", .fo_addr = "127.0.0.1", .fo_role = "both" \
	}

/* Entries of struct option for the common options, and their letters. */
#define FH_LONG_OPTIONS                                                        \
	{"backend", required_argument, NULL, 'b'},                             \
	    {"provider", required_argument, NULL, 'P'},                        \
	    {"addr", required_argument, NULL, 'a'},                            \
	    {"local", required_argument, NULL, 'l'},                           \
	    {"port", required_argument, NULL, 'p'},                            \
	{                                                                      \
		"role", required_argument, NULL, 'r'                           \
	}
#define FH_SHORT_OPTIONS "b:P:a:l:p:r:"

/*
 * Takes getopt's @opt and @arg when they are a common option.  Returns 1
 * when taken, 0 when @opt is not common, -EINVAL when the value is not
 * valid (a port above 65535).
 */
int fh_option(struct fh_opts *o, int opt, const char *arg);

/* After parsing: fills defaults that depend on other options. */
void fh_opts_done(struct fh_opts *o);

/*
 * Opens the fabric @o names on fo_local.  Does not return on failure: it
 * prints why and exits 77 when the backend cannot run here (no device, no
 * such address), 1 otherwise.
 */
struct xr_fabric *fh_open(const struct fh_opts *o);

/* Sleeps until the fabric may have work, or @ms pass. */
void fh_wait(struct xr_fabric *fab, int ms);

/* CLOCK_MONOTONIC in milliseconds and in seconds. */
long fh_now_ms(void);
double fh_now_s(void);

/* Registered memory is pinned: lifts RLIMIT_MEMLOCK as far as allowed. */
void fh_raise_memlock(void);

/* One registered buffer. */
struct fh_buf {
	uint8_t *fb_mem;
	size_t fb_len;
	struct xr_mr *fb_mr;
};

/*
 * Allocates @len zeroed bytes and registers them with @access.  Returns 0,
 * -ENOMEM, or the registration's negative errno (the fabric's error string
 * says why); @b is then empty and fh_buf_free() is harmless.
 */
int fh_buf_alloc(struct xr_fabric *fab, size_t len, unsigned int access,
		 struct fh_buf *b);

/* Deregisters and frees @b; @b may be empty. */
void fh_buf_free(struct fh_buf *b);

/* Address of slot @i of @slot_len bytes. */
static inline uint8_t *fh_buf_slot(const struct fh_buf *b, uint32_t i,
				   uint32_t slot_len)
{
	return b->fb_mem + (size_t)i * slot_len;
}

/* Scatter entry of @len bytes at @at inside @b. */
static inline struct xr_sge fh_buf_sge(const struct fh_buf *b, void *at,
				       uint32_t len)
{
	return (struct xr_sge){.ge_addr = at, .ge_len = len, .ge_mr = b->fb_mr};
}

/* Slot index of @at, an address inside @b's slot array. */
static inline uint32_t fh_buf_index(const struct fh_buf *b, const void *at,
				    uint32_t slot_len)
{
	return (uint32_t)(((const uint8_t *)at - b->fb_mem) / slot_len);
}

/*
 * A receive into slot @i of @slot_len bytes; its context is the slot's
 * address, which is what a receive completion hands back.
 */
struct xr_recv fh_buf_recv(const struct fh_buf *b, uint32_t i,
			   uint32_t slot_len);

/* Receives for slots @first .. @first + @n - 1, into @pre. */
void fh_buf_recvs(const struct fh_buf *b, uint32_t first, uint32_t n,
		  uint32_t slot_len, struct xr_recv *pre);

/*
 * Listens on fo_addr:fo_port with @backlog, and writes the port bound
 * (then @extra_port, when not 0) to @port_pipe unless it is negative, and
 * closes it.  Returns 0 or a negative errno (printed).
 */
int fh_listen(struct xr_fabric *fab, const struct fh_opts *o, int backlog,
	      int port_pipe, uint16_t extra_port, struct xr_listener **lis);

/*
 * Runs fo_role.  @server gets the pipe to write its ports to (-1 for
 * --role server) and returns an exit status; @client gets the server's
 * port and the extra port it reported (for --role client: fo_port and
 * fo_extra_port).  @nports is 1 or 2: how many ports the
 * server writes.  Returns the exit status of the run: the client's, 77
 * when the server could not run here, 1 when the server failed or a
 * process died, 2 for an unknown role.
 */
int fh_run(const struct fh_opts *o, int (*server)(int port_pipe),
	   int (*client)(uint16_t port, uint16_t extra_port), int nports);

#endif /* FABRIC_HARNESS_H */
