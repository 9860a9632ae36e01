/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Shared pieces of the nfs41 command-line client: options, the connected
 * client, exit codes and helpers.  See nfs41.c for the command table.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "cli_fault.h"
#include "sess_client.h"
#include "sess_ops.h"

/* Exit codes (documented in nfs41 --help and docs/cli.md). */
enum cli_exit {
	CLI_OK = 0,
	CLI_ERR_LOCAL = 1,     /* local file/memory error */
	CLI_ERR_USAGE = 2,     /* bad arguments or URL */
	CLI_ERR_CONNECT = 3,   /* cannot reach server / recovery failed */
	CLI_ERR_PROTOCOL = 4,  /* malformed reply, RPC-level rejection */
	CLI_ERR_NFS = 5,       /* any other NFS error from the server */
	CLI_ERR_NOENT = 6,     /* no such file or directory */
	CLI_ERR_ACCESS = 7,    /* permission denied */
	CLI_ERR_EXIST = 8,     /* already exists */
	CLI_ERR_TRANSPORT = 9, /* transport not available (no RDMA device) */
	CLI_ERR_DATA = 10,     /* data verification failed */
};

struct cli_opts {
	const char *transport;
	const char *fabric; /* rdma: "verbs" or "ofi" */
	const char *state_file;
	uint32_t uid, gid;
	int verbose;
	bool json;
	bool quiet;
	bool print_stats;
	int timeout_ms;
	uint32_t recovery_s;
	uint32_t slots;
	uint32_t io_size;
	uint32_t streams;
	double duration_s;
	uint64_t file_size;
	const char *mode;
	uint32_t connections; /* session trunking: 1..SESS_MAX_CONNS */
	uint32_t max_minor;   /* highest NFSv4 minor version: 1 or 2 */
	int hold_s;
	bool long_list;
	bool exclusive;
};

struct cli_url {
	char host[256];
	uint16_t port;
	bool explicit_port; /* else the transport's default port */
	char path[4096];
};

struct cli {
	struct cli_opts o;
	struct cli_url url;
	struct sess_client *cl;
	struct sess_xprt *xprt;
};

extern struct cli_opts cli_defaults;

/** Parse nfs://host[:port]/path.  Returns 0 or -EINVAL. */
int cli_parse_url(const char *s, struct cli_url *u);

/** Connect and start a session.  Returns a CLI exit code. */
int cli_connect(struct cli *c, const char *url);

/** Stop the session (DESTROY_SESSION/CLIENTID) and free. */
void cli_disconnect(struct cli *c);

/**
 * cli_report() - print a message for @ret (0, positive nfsstat4 or
 * negative errno) about @what and return the matching exit code.
 */
int cli_report(int ret, const char *what);

/** Parse "4k", "1M", "64MiB", "1G".  Returns 0 or -EINVAL. */
int cli_parse_size(const char *s, uint64_t *out);

/** Monotonic time in seconds. */
double cli_now(void);

/** Progress line on stderr (terminal only), throttled to 10/s. */
void cli_progress(const char *label, uint64_t done, uint64_t total,
		  double started, bool final);

/** Print session and transport counters (text or JSON) to stdout. */
void cli_print_stats(struct cli *c, bool json);

/*
 * Subcommands: argv holds the arguments after the command name.  Each
 * connects, works, disconnects, prints what went wrong, and returns a
 * CLI exit code (enum cli_exit).
 */
int cmd_ls(struct cli *c, int argc, char **argv);
int cmd_stat(struct cli *c, int argc, char **argv);
int cmd_get(struct cli *c, int argc, char **argv);
int cmd_put(struct cli *c, int argc, char **argv);
int cmd_rm(struct cli *c, int argc, char **argv);
int cmd_mkdir(struct cli *c, int argc, char **argv);
int cmd_rename(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
/* NFSv4.2 (cli_v42.c) */
int cmd_falloc(struct cli *c, int argc, char **argv);
int cmd_punch(struct cli *c, int argc, char **argv);
int cmd_seek(struct cli *c, int argc, char **argv);
int cmd_readplus(struct cli *c, int argc, char **argv);
int cmd_xattr(struct cli *c, int argc, char **argv);
int cmd_bench(struct cli *c, int argc, char **argv);

#endif /* CLI_H */
