/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * nfs41: command-line NFSv4.1 client on the session library.
 *
 *   nfs41 [options] COMMAND ARGS...
 *
 * Options may appear anywhere on the line.  Each command connects, runs
 * EXCHANGE_ID/CREATE_SESSION, does its work through the session and ends
 * with DESTROY_SESSION/DESTROY_CLIENTID.  Exit codes are in cli.h and in
 * the help text, so scripts can tell "not found" from "server down".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct cli_opts cli_defaults = {
    .transport = "tcp",
    .timeout_ms = 60000,
    .recovery_s = 120,
    .slots = 128,
    .io_size = 1 << 20,
    .streams = 4,
    .duration_s = 5,
    .file_size = 64ull << 20,
    .mode = "all",
    .connections = 1,
    .max_minor = 2,
};

struct command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
    {"ls", cmd_ls, "ls [-l] URL              list a directory"},
    {"stat", cmd_stat, "stat URL                 show attributes"},
    {"get", cmd_get, "get URL [LOCAL|-]        download a file"},
    {"put", cmd_put, "put LOCAL|- URL          upload a file"},
    {"rm", cmd_rm, "rm URL                   remove a file or empty dir"},
    {"mkdir", cmd_mkdir, "mkdir URL                create a directory"},
    {"rename", cmd_rename,
     "rename URL NEWPATH       rename (NEWPATH: /path or URL)"},
    {"bench", cmd_bench,
     "bench URL                parallel read/write/small-file benchmark"},
    {"stats", cmd_stats,
     "stats URL                session and transport counters"},
    {"falloc", cmd_falloc,
     "falloc URL OFF LEN       reserve space (NFSv4.2 ALLOCATE)"},
    {"punch", cmd_punch,
     "punch URL OFF LEN        punch a hole (NFSv4.2 DEALLOCATE)"},
    {"seek", cmd_seek,
     "seek URL data|hole OFF   next data or hole (NFSv4.2 SEEK)"},
    {"readplus", cmd_readplus,
     "readplus URL OFF LEN     probe: the status of one NFSv4.2 READ_PLUS"},
    {"xattr", cmd_xattr,
     "xattr get|set|rm|ls URL [NAME [VALUE [either|create|replace]]]\n"
     "                           extended attributes (RFC 8276)"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: nfs41 [options] COMMAND ARGS...\n"
		   "URL: nfs://host[:port]/path (port 2049 by default)\n\n"
		   "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
	fprintf(
	    f,
	    "\noptions:\n"
	    "  --transport tcp|rdma   transport (default tcp)\n"
	    "  --fabric verbs|ofi     RDMA stack for --transport rdma: verbs (rdma-core,\n"
	    "                         default) or ofi (libfabric tcp provider)\n"
	    "  --state-file PATH      keeps this host's client owner id\n"
	    "  --uid N --gid N        AUTH_SYS identity (default: yours)\n"
	    "  -l, --long             ls: long listing\n"
	    "  --exclusive            put: fail if the file exists\n"
	    "  --streams N            get/put/bench parallel streams (4)\n"
	    "  --io-size SIZE         READ/WRITE size (1M)\n"
	    "  --slots N              session slots to ask for (128)\n"
	    "  --minor 1|2            highest NFSv4 minor version to ask for (2;\n"
	    "                         a server refusing 4.2 gets 4.1)\n"
	    "  --connections N        run the session over N connections\n"
	    "                         (BIND_CONN_TO_SESSION; 1..16, default 1)\n"
	    "  --mode M               bench: read|write|meta|small|lookup|all\n"
	    "                         (all = write, read, meta)\n"
	    "  --duration SECS        bench: seconds per mode (5)\n"
	    "  --file-size SIZE       bench: file size (64M)\n"
	    "  --hold SECS            stats: stay idle first (lease test)\n"
	    "  --json                 machine-readable output\n"
	    "  --stats                print counters (JSON) on stderr at exit\n"
	    "  -q, --quiet            no progress line\n"
	    "  --timeout MS           reply timeout before reconnecting\n"
	    "  --recovery-timeout S   give up recovering after (120)\n"
	    "  -v, --verbose          more messages (repeat for more)\n"
	    "\nexit codes: 0 ok, 1 local error, 2 usage, 3 cannot reach "
	    "server or recovery failed,\n"
	    "  4 protocol error (malformed reply), 5 other NFS error, "
	    "6 not found,\n"
	    "  7 permission denied, 8 already exists, 9 transport not "
	    "available\n");
	cli_fault_usage(f);
}

enum {
	OPT_TRANSPORT = 256,
	OPT_STATE,
	OPT_UID,
	OPT_GID,
	OPT_STREAMS,
	OPT_IOSIZE,
	OPT_SLOTS,
	OPT_MODE,
	OPT_DURATION,
	OPT_FILESIZE,
	OPT_HOLD,
	OPT_JSON,
	OPT_STATS,
	OPT_TIMEOUT,
	OPT_RECOVERY,
	OPT_EXCL,
	OPT_FABRIC,
	OPT_CONNECTIONS,
	OPT_MINOR,
};

static const struct option long_opts[] = {
    {"transport", required_argument, NULL, OPT_TRANSPORT},
    {"fabric", required_argument, NULL, OPT_FABRIC},
    {"state-file", required_argument, NULL, OPT_STATE},
    {"uid", required_argument, NULL, OPT_UID},
    {"gid", required_argument, NULL, OPT_GID},
    {"long", no_argument, NULL, 'l'},
    {"exclusive", no_argument, NULL, OPT_EXCL},
    {"streams", required_argument, NULL, OPT_STREAMS},
    {"io-size", required_argument, NULL, OPT_IOSIZE},
    {"slots", required_argument, NULL, OPT_SLOTS},
    {"mode", required_argument, NULL, OPT_MODE},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"file-size", required_argument, NULL, OPT_FILESIZE},
    {"hold", required_argument, NULL, OPT_HOLD},
    {"json", no_argument, NULL, OPT_JSON},
    {"stats", no_argument, NULL, OPT_STATS},
    {"quiet", no_argument, NULL, 'q'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"recovery-timeout", required_argument, NULL, OPT_RECOVERY},
    {"connections", required_argument, NULL, OPT_CONNECTIONS},
    {"minor", required_argument, NULL, OPT_MINOR},
    /* clang-format off: the test build's options (cli_fault.h) */
    CLI_FAULT_LONG_OPTS
    /* clang-format on */
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct cli_opts *o)
{
	uint64_t size;
	uint32_t v;
	char *end;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "lqvh", long_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_TRANSPORT:
			o->transport = optarg;
			break;
		case OPT_FABRIC:
			if (strcmp(optarg, "verbs") && strcmp(optarg, "ofi"))
				goto bad;
			o->fabric = optarg;
			break;
		case OPT_STATE:
			o->state_file = optarg;
			break;
		case OPT_UID:
			if (parse_u32(optarg, 0, UINT32_MAX, &o->uid))
				goto bad;
			break;
		case OPT_GID:
			if (parse_u32(optarg, 0, UINT32_MAX, &o->gid))
				goto bad;
			break;
		case 'l':
			o->long_list = true;
			break;
		case OPT_EXCL:
			o->exclusive = true;
			break;
		case OPT_STREAMS:
			if (parse_u32(optarg, 1, 1024, &o->streams))
				goto bad;
			break;
		case OPT_IOSIZE:
			if (cli_parse_size(optarg, &size) || size < 4096 ||
			    size > (4u << 20))
				goto bad;
			o->io_size = (uint32_t)size;
			break;
		case OPT_SLOTS:
			if (parse_u32(optarg, 1, 1024, &o->slots))
				goto bad;
			break;
		case OPT_MODE:
			o->mode = optarg;
			break;
		case OPT_DURATION:
			o->duration_s = strtod(optarg, &end);
			if (*end || o->duration_s <= 0)
				goto bad;
			break;
		case OPT_FILESIZE:
			if (cli_parse_size(optarg, &o->file_size))
				goto bad;
			break;
		case OPT_HOLD:
			if (parse_u32(optarg, 0, 86400, &v))
				goto bad;
			o->hold_s = (int)v;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_STATS:
			o->print_stats = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_TIMEOUT:
			if (parse_u32(optarg, 1, 3600000, &v))
				goto bad;
			o->timeout_ms = (int)v;
			break;
		case OPT_MINOR:
			if (parse_u32(optarg, 1, 2, &o->max_minor))
				goto bad;
			break;
		case OPT_RECOVERY:
			if (parse_u32(optarg, 1, 86400, &o->recovery_s))
				goto bad;
			break;
		case OPT_CONNECTIONS:
			if (parse_u32(optarg, 1, SESS_MAX_CONNS,
				      &o->connections))
				goto bad;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(CLI_OK);
		default:
			ret = cli_fault_parse(ch, optarg);
			if (ret == -EINVAL)
				goto bad;
			if (!ret)
				break;
			usage(stderr);
			return -EINVAL;
		}
	}
	return 0;
bad:
	fprintf(stderr, "nfs41: bad value '%s' for option %s\n", optarg,
		argv[optind - 1]);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct cli c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.o = cli_defaults;
	c.o.uid = (uint32_t)getuid();
	c.o.gid = (uint32_t)getgid();
	if (parse_opts(argc, argv, &c.o))
		return CLI_ERR_USAGE;
	if (optind >= argc) {
		usage(stderr);
		return CLI_ERR_USAGE;
	}
	if (!isatty(2))
		c.o.quiet = true;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].fn(&c, argc - optind - 1,
					      argv + optind + 1);
	fprintf(stderr, "nfs41: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return CLI_ERR_USAGE;
}
