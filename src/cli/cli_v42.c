/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * nfs41's NFSv4.2 commands: space reservation and hole punching
 * (ALLOCATE, DEALLOCATE), SEEK for data or holes, and extended
 * attributes (RFC 8276).  Each connects like every command, runs one
 * operation (LISTXATTR as many as the listing takes) and prints its
 * answer in a form scripts compare: SEEK as "OFFSET eof|-", xattr values
 * raw, names one per line.  A session on NFSv4.1 (the server refused 4.2)
 * answers NFS4ERR_NOTSUPP without a call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sess_ops.h"

/* Most LISTXATTR rounds one listing may take (a server whose cookie never
 * reaches eof must not keep us forever). */
#define CLI_LISTXATTR_ROUNDS 1024
#define CLI_XATTR_VALUE_MAX 65536

/* Connect, then open the file of the URL read-write. */
static int open_url(struct cli *c, const char *url, struct sess_file *f)
{
	char pathbuf[4096];
	const char *dir, *base;
	struct sess_fh dfh;
	int ret;

	ret = cli_connect(c, url);
	if (ret)
		return ret;
	ret =
	    sess_split_path(c->url.path, pathbuf, sizeof(pathbuf), &dir, &base);
	if (!ret)
		ret = sess_lookup(c->cl, dir, &dfh, NULL);
	if (!ret)
		ret = sess_open(c->cl, &dfh, base,
				SESS_OPEN_READ | SESS_OPEN_WRITE, 0, f);
	if (ret) {
		ret = cli_report(ret, c->url.path);
		cli_disconnect(c);
	}
	return ret;
}

static int fallocate_cmd(struct cli *c, int argc, char **argv, bool punch)
{
	uint64_t off, len;
	struct sess_file f;
	int ret;

	if (argc != 3 || cli_parse_size(argv[1], &off) ||
	    cli_parse_size(argv[2], &len)) {
		fprintf(stderr, "usage: nfs41 %s URL OFFSET LENGTH\n",
			punch ? "punch" : "falloc");
		return CLI_ERR_USAGE;
	}
	ret = open_url(c, argv[0], &f);
	if (ret)
		return ret;
	ret = sess_allocate(&f, off, len, punch);
	if (!ret)
		ret = sess_close(&f);
	else
		sess_close(&f);
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

int cmd_falloc(struct cli *c, int argc, char **argv)
{
	return fallocate_cmd(c, argc, argv, false);
}

int cmd_punch(struct cli *c, int argc, char **argv)
{
	return fallocate_cmd(c, argc, argv, true);
}

int cmd_seek(struct cli *c, int argc, char **argv)
{
	uint64_t off, found = 0;
	struct sess_file f;
	bool eof = false, hole;
	int ret;

	if (argc != 3 || cli_parse_size(argv[2], &off) ||
	    (strcmp(argv[1], "data") && strcmp(argv[1], "hole"))) {
		fprintf(stderr, "usage: nfs41 seek URL data|hole OFFSET\n");
		return CLI_ERR_USAGE;
	}
	hole = !strcmp(argv[1], "hole");
	ret = open_url(c, argv[0], &f);
	if (ret)
		return ret;
	ret = sess_seek(&f, off, hole, &found, &eof);
	sess_close(&f);
	if (!ret)
		printf("%llu %s\n", (unsigned long long)found,
		       eof ? "eof" : "-");
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

int cmd_readplus(struct cli *c, int argc, char **argv)
{
	struct sess_read_plus_sum sum;
	uint64_t off, len;
	struct sess_file f;
	int ret;

	if (argc != 3 || cli_parse_size(argv[1], &off) ||
	    cli_parse_size(argv[2], &len) || len > UINT32_MAX) {
		fprintf(stderr, "usage: nfs41 readplus URL OFFSET LENGTH\n");
		return CLI_ERR_USAGE;
	}
	ret = open_url(c, argv[0], &f);
	if (ret)
		return ret;
	ret = sess_read_plus_probe(&f, off, (uint32_t)len, &sum);
	sess_close(&f);
	if (!ret)
		printf("ok %s %u segments, first %s %llu+%llu\n",
		       sum.eof ? "eof" : "-", sum.segments,
		       !sum.segments	? "none"
		       : sum.first_hole ? "hole"
					: "data",
		       (unsigned long long)sum.first_off,
		       (unsigned long long)sum.first_len);
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}

static int print_name(void *ctx, const char *name, uint32_t len)
{
	(void)ctx;
	printf("%.*s\n", (int)len, name);
	return 0;
}

static int xattr_list(struct cli *c, const struct sess_fh *fh)
{
	nfs_cookie4 cookie = 0;
	bool eof = false;
	int ret = 0, rounds;

	for (rounds = 0; !eof && !ret; rounds++) {
		if (rounds == CLI_LISTXATTR_ROUNDS)
			return -EPROTO; /* never reached eof */
		ret = sess_listxattr(c->cl, fh, &cookie, 4096, print_name, NULL,
				     &eof);
	}
	return ret;
}

int cmd_xattr(struct cli *c, int argc, char **argv)
{
	static char value[CLI_XATTR_VALUE_MAX];
	setxattr_option4 how = SETXATTR4_EITHER;
	struct sess_fh fh;
	const char *op;
	uint32_t len = 0;
	int ret, want;

	op = argc >= 2 ? argv[0] : "";
	want = !strcmp(op, "ls") ? 2 : !strcmp(op, "set") ? 4 : 3;
	if (argc == 5 && !strcmp(op, "set")) {
		if (!strcmp(argv[4], "create"))
			how = SETXATTR4_CREATE;
		else if (!strcmp(argv[4], "replace"))
			how = SETXATTR4_REPLACE;
		else if (strcmp(argv[4], "either"))
			want = -1;
		argc = 4;
	}
	if ((strcmp(op, "get") && strcmp(op, "set") && strcmp(op, "ls") &&
	     strcmp(op, "rm")) ||
	    argc != want) {
		fprintf(
		    stderr,
		    "usage: nfs41 xattr get|rm URL NAME\n"
		    "       nfs41 xattr set URL NAME VALUE [either|create|replace]\n"
		    "       nfs41 xattr ls URL\n");
		return CLI_ERR_USAGE;
	}
	ret = cli_connect(c, argv[1]);
	if (ret)
		return ret;
	ret = sess_lookup(c->cl, c->url.path, &fh, NULL);
	if (ret)
		goto out;
	if (!strcmp(op, "get")) {
		ret = sess_getxattr(c->cl, &fh, argv[2], value, sizeof(value),
				    &len);
		if (!ret && fwrite(value, 1, len, stdout) != len)
			ret = -EIO;
	} else if (!strcmp(op, "set")) {
		ret = sess_setxattr(c->cl, &fh, argv[2], argv[3],
				    (uint32_t)strlen(argv[3]), how);
	} else if (!strcmp(op, "rm")) {
		ret = sess_removexattr(c->cl, &fh, argv[2]);
	} else {
		ret = xattr_list(c, &fh);
	}
out:
	ret = cli_report(ret, c->url.path);
	cli_disconnect(c);
	return ret;
}
