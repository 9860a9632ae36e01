/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Helpers of the nfs41 CLI: URL and size parsing, connecting, turning
 * errors into messages and exit codes, the progress line and statistics.
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sess_xprt_rdma.h"
#include "sess_rpc.h"

int cli_parse_url(const char *s, struct cli_url *u)
{
	const char *p, *host_end, *path;
	size_t hlen;
	unsigned long port = 2049;
	char *end;

	u->explicit_port = false;
	if (strncmp(s, "nfs://", 6))
		return -EINVAL;
	p = s + 6;
	path = strchr(p, '/');
	if (!path)
		path = p + strlen(p);
	if (*p == '[') {
		host_end = memchr(p, ']', (size_t)(path - p));
		if (!host_end)
			return -EINVAL;
		hlen = (size_t)(host_end - p - 1);
		memcpy(u->host, p + 1, hlen < 255 ? hlen : 255);
		p = host_end + 1;
	} else {
		host_end = memchr(p, ':', (size_t)(path - p));
		if (!host_end)
			host_end = path;
		hlen = (size_t)(host_end - p);
		if (hlen > 255)
			return -EINVAL;
		memcpy(u->host, p, hlen);
		p = host_end;
	}
	u->host[hlen < 255 ? hlen : 255] = '\0';
	if (!u->host[0])
		return -EINVAL;
	if (*p == ':') {
		port = strtoul(p + 1, &end, 10);
		if (end != path || port == 0 || port > 65535)
			return -EINVAL;
		u->explicit_port = true;
	} else if (p != path) {
		return -EINVAL;
	}
	u->port = (uint16_t)port;
	if (strlen(path) >= sizeof(u->path))
		return -EINVAL;
	strcpy(u->path, *path ? path : "/");
	return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	uint64_t mul = 1;

	if (end == s || v < 0)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		mul = 1ull << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1ull << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1ull << 30;
		end++;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "b"))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	*out = (uint64_t)(v * (double)mul);
	return 0;
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lib_log(void *ctx, enum sess_log_level level, const char *msg)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	int verbose = *(int *)ctx;

	if ((int)level <= SESS_LOG_WARN + verbose)
		fprintf(stderr, "nfs41: %s: %s\n", names[level], msg);
}

int cli_report(int ret, const char *what)
{
	if (ret == 0)
		return CLI_OK;
	if (ret > 0) {
		fprintf(stderr, "nfs41: %s: %s\n", what,
			sess_nfsstat_str((nfsstat4)ret));
		switch (ret) {
		case NFS4ERR_NOENT:
			return CLI_ERR_NOENT;
		case NFS4ERR_ACCESS:
		case NFS4ERR_PERM:
			return CLI_ERR_ACCESS;
		case NFS4ERR_EXIST:
			return CLI_ERR_EXIST;
		default:
			return CLI_ERR_NFS;
		}
	}
	if (ret == -ENODEV) {
		fprintf(stderr,
			"nfs41: %s: no RDMA device here (try --fabric ofi, or "
			"--transport tcp)\n",
			what);
		return CLI_ERR_TRANSPORT;
	}
	fprintf(stderr, "nfs41: %s: %s\n", what, sess_rpc_strerror(ret));
	switch (ret) {
	case -EBADMSG:
	case -EPROTO:
	case -EPROTONOSUPPORT:
	case -EOPNOTSUPP:
	case -EACCES:
	case -EMSGSIZE:
		return CLI_ERR_PROTOCOL;
	case -ENOTCONN:
	case -ETIMEDOUT:
	case -ECONNREFUSED:
	case -EHOSTUNREACH:
	case -ENETUNREACH:
	case -EIO:
	case -ESHUTDOWN:
		return CLI_ERR_CONNECT;
	case -EINVAL:
	case -ENAMETOOLONG:
		return CLI_ERR_USAGE;
	default:
		return CLI_ERR_LOCAL;
	}
}

/*
 * The RDMA transport plugin: where NFS41_RDMA_PLUGIN points, else next to
 * this executable (a build tree), else in NFS41_PLUGIN_DIR (the installed
 * layout: nfs41 in /usr/bin, the plugin in <libdir>/ganesha-rdma, as a
 * shared object has no place in /usr/bin).  Returns the transport, or NULL
 * with errno ENOENT (plugin missing, message printed) or the plugin's errno.
 */
static struct sess_xprt *cli_rdma_create(const struct sess_xprt_rdma_opts *o)
{
	static sess_xprt_rdma_create_fn create;
	char path[PATH_MAX], self[PATH_MAX];
	const char *env = getenv("NFS41_RDMA_PLUGIN");
	ssize_t n;
	void *h;

	if (!create) {
		if (env) {
			snprintf(path, sizeof(path), "%s", env);
		} else {
			n = readlink("/proc/self/exe", self, sizeof(self) - 1);
			self[n > 0 ? n : 0] = '\0';
			snprintf(path, sizeof(path), "%s/%s", dirname(self),
				 SESS_XPRT_RDMA_PLUGIN);
#ifdef NFS41_PLUGIN_DIR
			if (access(path, F_OK))
				snprintf(path, sizeof(path), "%s/%s",
					 NFS41_PLUGIN_DIR,
					 SESS_XPRT_RDMA_PLUGIN);
#endif
		}
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		create =
		    h ? (sess_xprt_rdma_create_fn)dlsym(h, SESS_XPRT_RDMA_ENTRY)
		      : NULL;
		if (!create) {
			fprintf(
			    stderr,
			    "nfs41: the RDMA transport is not available: %s\n",
			    dlerror());
			errno = ENOENT;
			return NULL;
		}
	}
	return create(o);
}

/*
 * One transport of the session: connection @idx of --connections (0 is
 * the first).  Returns the transport, or NULL with errno set.
 */
static struct sess_xprt *cli_new_xprt(struct cli *c)
{
	if (!strcmp(c->o.transport, "rdma")) {
		struct sess_xprt_rdma_opts ro = {0};

		ro.host = c->url.host;
		ro.port = c->url.explicit_port ? c->url.port : 20049;
		ro.fabric = c->o.fabric ? c->o.fabric : "verbs";
		ro.timeout_ms = c->o.timeout_ms;
		ro.max_record = c->o.io_size + (64u << 10);
		return cli_rdma_create(&ro);
	} else {
		struct sess_xprt_tcp_opts to = {0};

		to.host = c->url.host;
		to.port = c->url.port;
		to.timeout_ms = c->o.timeout_ms;
		to.max_record = c->o.io_size + (64u << 10);
		return sess_xprt_tcp_create(&to);
	}
}

/* ... which the test build (nfs41_fault) may wrap in a fault transport. */
static struct sess_xprt *cli_make_xprt(struct cli *c, uint32_t idx)
{
	return cli_fault_wrap(c, idx, cli_new_xprt(c));
}

int cli_connect(struct cli *c, const char *url)
{
	struct sess_client_opts so = {0};
	struct sess_xprt *extra;
	char what[300];
	uint32_t i;
	int ret;

	if (cli_parse_url(url, &c->url)) {
		fprintf(
		    stderr,
		    "nfs41: bad URL '%s' (expected nfs://host[:port]/path)\n",
		    url);
		return CLI_ERR_USAGE;
	}
	if (strcmp(c->o.transport, "rdma") && strcmp(c->o.transport, "tcp")) {
		fprintf(stderr, "nfs41: unknown transport '%s' (tcp, rdma)\n",
			c->o.transport);
		return CLI_ERR_USAGE;
	}
	if (cli_fault_check(c))
		return CLI_ERR_USAGE;
	c->xprt = cli_make_xprt(c, 0);
	if (!c->xprt && errno == ENOENT)
		return CLI_ERR_TRANSPORT;
	if (!c->xprt)
		return cli_report(-errno, "transport");
	so.state_file = c->o.state_file;
	so.uid = c->o.uid;
	so.gid = c->o.gid;
	so.fore_max_requests = c->o.slots;
	so.max_io_size = c->o.io_size;
	so.recovery_timeout_s = c->o.recovery_s;
	so.max_minor = c->o.max_minor;
	so.log = lib_log;
	so.log_ctx = &c->o.verbose;
	c->cl = sess_client_create(c->xprt, &so, &ret);
	if (!c->cl)
		return cli_report(ret, "client");
	for (i = 1; i < c->o.connections; i++) {
		extra = cli_make_xprt(c, i);
		ret = extra ? sess_client_add_conn(c->cl, extra) : -errno;
		if (ret) {
			ret = cli_report(ret, "extra connection");
			sess_client_destroy(c->cl);
			c->cl = NULL;
			return ret;
		}
	}
	ret = sess_client_start(c->cl);
	if (ret) {
		snprintf(what, sizeof(what), "session with %s:%u", c->url.host,
			 c->url.port);
		ret = cli_report(ret, what);
		sess_client_destroy(c->cl);
		c->cl = NULL;
		return ret;
	}
	cli_fault_started(c);
	return CLI_OK;
}

void cli_disconnect(struct cli *c)
{
	int ret;

	if (!c->cl)
		return;
	if (c->o.print_stats)
		cli_print_stats(c, true);
	ret = sess_client_stop(c->cl);
	if (ret)
		fprintf(stderr, "nfs41: warning: session teardown: %s\n",
			ret > 0 ? sess_nfsstat_str((nfsstat4)ret)
				: sess_rpc_strerror(ret));
	sess_client_destroy(c->cl);
	c->cl = NULL;
}

void cli_progress(const char *label, uint64_t done, uint64_t total,
		  double started, bool final)
{
	static double last;
	double now = cli_now(), el = now - started, rate;
	int width = 30, fill, i;
	char bar[64];

	if (!isatty(2))
		return;
	if (!final && now - last < 0.1)
		return;
	last = now;
	rate = el > 0 ? (double)done / el / (1 << 20) : 0;
	fill = total ? (int)((double)done * width / (double)total) : width;
	if (fill > width)
		fill = width;
	for (i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r%-20.20s [%s] %6.1f%% %9.1f MiB %8.1f MiB/s", label,
		bar, total ? 100.0 * (double)done / (double)total : 100.0,
		(double)done / (1 << 20), rate);
	if (final)
		fputc('\n', stderr);
}

static void hexid(char *out, const uint8_t *id, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
}

/* "n0 n1 ..": COMPOUNDs sent on each connection. */
static void conn_calls(char *out, size_t cap, const struct sess_client_stats *s)
{
	size_t len = 0;
	uint32_t i;

	out[0] = '\0';
	for (i = 0; i < s->cst_conns && i < SESS_MAX_CONNS && len < cap; i++)
		len += (size_t)snprintf(
		    out + len, cap - len, "%s%llu", i ? " " : "",
		    (unsigned long long)s->cst_conn_calls[i]);
}

void cli_print_stats(struct cli *c, bool json)
{
	struct sess_client_stats s;
	char sid[2 * NFS4_SESSIONID_SIZE + 1];
	char calls[SESS_MAX_CONNS * 21 + 1];

	sess_client_get_stats(c->cl, &s);
	hexid(sid, s.cst_sessionid, NFS4_SESSIONID_SIZE);
	conn_calls(calls, sizeof(calls), &s);
#define F(name, val) name, (unsigned long long)(val)
	if (json) {
		fprintf(c->o.print_stats ? stderr : stdout,
			"{\"clientid\":\"%#llx\",\"sessionid\":\"%s\","
			"\"minor_version\":%llu,"
			"\"slots\":%llu,\"slot_limit\":%llu,"
			"\"max_slots_busy\":%llu,\"lease_s\":%llu,"
			"\"compounds\":%llu,\"renewals\":%llu,"
			"\"replays\":%llu,\"reconnects\":%llu,"
			"\"bind_conn\":%llu,\"new_sessions\":%llu,"
			"\"new_clientids\":%llu,\"session_resets\":%llu,"
			"\"delays\":%llu,\"misordered\":%llu,"
			"\"badslot\":%llu,\"status_flags\":%llu,"
			"\"last_status_flags\":%llu,"
			"\"cb_calls\":%llu,\"xprt_cb_calls\":%llu,"
			"\"xprt_calls\":%llu,"
			"\"xprt_replies\":%llu,\"bytes_out\":%llu,"
			"\"bytes_in\":%llu,\"connects\":%llu,"
			"\"disconnects\":%llu,\"bad_records\":%llu,"
			"\"timeouts\":%llu,\"max_in_flight\":%llu,"
			"\"conns\":%llu,\"conns_bound\":%llu,"
			"\"trunk_binds\":%llu,\"trunk_lost\":%llu,"
			"\"trunk_moved\":%llu,\"trunk_refused\":%llu,"
			"\"first_moved\":%llu,"
			"\"registrations\":%llu,\"deregistrations\":%llu,"
			"\"bounce_hits\":%llu,\"bounce_misses\":%llu,"
			"\"bounce_bytes_copied\":%llu,"
			"\"conn_calls\":\"%s\"}\n",
			(unsigned long long)s.cst_clientid, sid,
			(unsigned long long)s.cst_minor,
			(unsigned long long)s.cst_slots,
			(unsigned long long)s.cst_slot_limit,
			(unsigned long long)s.cst_max_slots_busy,
			(unsigned long long)s.cst_lease_s,
			(unsigned long long)s.cst_compounds,
			(unsigned long long)s.cst_sequence_only,
			(unsigned long long)s.cst_replays,
			(unsigned long long)s.cst_reconnects,
			(unsigned long long)s.cst_bind_conn,
			(unsigned long long)s.cst_new_sessions,
			(unsigned long long)s.cst_new_clientids,
			(unsigned long long)s.cst_session_resets,
			(unsigned long long)s.cst_delays,
			(unsigned long long)s.cst_misordered,
			(unsigned long long)s.cst_badslot,
			(unsigned long long)s.cst_status_flags,
			(unsigned long long)s.cst_last_status_flags,
			(unsigned long long)s.cst_cb_calls,
			(unsigned long long)s.cst_xprt.xt_cb_calls,
			(unsigned long long)s.cst_xprt.xt_calls,
			(unsigned long long)s.cst_xprt.xt_replies,
			(unsigned long long)s.cst_xprt.xt_bytes_out,
			(unsigned long long)s.cst_xprt.xt_bytes_in,
			(unsigned long long)s.cst_xprt.xt_connects,
			(unsigned long long)s.cst_xprt.xt_disconnects,
			(unsigned long long)s.cst_xprt.xt_bad_records,
			(unsigned long long)s.cst_xprt.xt_timeouts,
			(unsigned long long)s.cst_xprt.xt_max_in_flight,
			(unsigned long long)s.cst_conns,
			(unsigned long long)s.cst_conns_bound,
			(unsigned long long)s.cst_trunk_binds,
			(unsigned long long)s.cst_trunk_lost,
			(unsigned long long)s.cst_trunk_moved,
			(unsigned long long)s.cst_trunk_refused,
			(unsigned long long)s.cst_trunk_first_moved,
			(unsigned long long)s.cst_xprt.xt_registrations,
			(unsigned long long)s.cst_xprt.xt_deregistrations,
			(unsigned long long)s.cst_xprt.xt_bounce_hits,
			(unsigned long long)s.cst_xprt.xt_bounce_misses,
			(unsigned long long)s.cst_xprt.xt_bounce_bytes_copied,
			calls);
		return;
	}
	printf("session\n");
	printf("  %-22s %#llx\n", F("client id", s.cst_clientid));
	printf("  %-22s %s\n", "session id", sid);
	printf("  %-22s 4.%u%s\n", "NFS version", s.cst_minor,
	       s.cst_minor_fallbacks ? " (the server refused 4.2)" : "");
	printf("  %-22s %llu (usable now: 0..%u)\n", F("slots", s.cst_slots),
	       s.cst_slot_limit);
	printf("  %-22s %llu\n", F("most slots in use", s.cst_max_slots_busy));
	printf("  %-22s %llu s\n", F("lease", s.cst_lease_s));
	printf("  %-22s %u / %u bytes\n", "max request/response",
	       s.cst_fore.ca_maxrequestsize, s.cst_fore.ca_maxresponsesize);
	printf("  %-22s %u\n", "max ops per compound",
	       s.cst_fore.ca_maxoperations);
	printf("  %-22s %llu\n", F("compounds", s.cst_compounds));
	printf("  %-22s %llu\n", F("lease renewals", s.cst_sequence_only));
	printf("  %-22s %llu\n", F("replays", s.cst_replays));
	printf("  %-22s %llu\n", F("reconnects", s.cst_reconnects));
	printf("  %-22s %llu\n", F("bind_conn_to_session", s.cst_bind_conn));
	printf("  %-22s %llu\n", F("sessions created", s.cst_new_sessions));
	printf("  %-22s %llu\n", F("client ids", s.cst_new_clientids));
	printf("  %-22s %llu\n", F("delays", s.cst_delays));
	printf("  %-22s %llu / %llu\n", F("misordered", s.cst_misordered),
	       (unsigned long long)s.cst_badslot);
	printf("  %-22s %#llx\n", F("SEQ4_STATUS seen", s.cst_status_flags));
	printf("  %-22s %llu\n", F("callbacks served", s.cst_cb_calls));
	printf("  %-22s %u (%u extra bound)\n", "connections", s.cst_conns,
	       s.cst_conns_bound);
	printf("  %-22s %s\n", "calls per connection", calls);
	printf("  %-22s %llu / %llu / %llu\n",
	       F("extra binds/lost/moved", s.cst_trunk_binds),
	       (unsigned long long)s.cst_trunk_lost,
	       (unsigned long long)s.cst_trunk_moved);
	printf("transport (%s)\n", c->o.transport);
	printf("  %-22s %llu\n", F("calls", s.cst_xprt.xt_calls));
	printf("  %-22s %llu\n", F("replies", s.cst_xprt.xt_replies));
	printf("  %-22s %llu\n", F("bytes out", s.cst_xprt.xt_bytes_out));
	printf("  %-22s %llu\n", F("bytes in", s.cst_xprt.xt_bytes_in));
	printf("  %-22s %llu\n", F("connects", s.cst_xprt.xt_connects));
	printf("  %-22s %llu\n", F("disconnects", s.cst_xprt.xt_disconnects));
	printf("  %-22s %llu\n", F("bad records", s.cst_xprt.xt_bad_records));
	printf("  %-22s %llu\n", F("timeouts", s.cst_xprt.xt_timeouts));
	printf("  %-22s %llu\n",
	       F("most calls in flight", s.cst_xprt.xt_max_in_flight));
	printf("  %-22s %llu / %llu\n",
	       F("registrations/dereg", s.cst_xprt.xt_registrations),
	       (unsigned long long)s.cst_xprt.xt_deregistrations);
	printf("  %-22s %llu / %llu\n",
	       F("bounce blocks/misses", s.cst_xprt.xt_bounce_hits),
	       (unsigned long long)s.cst_xprt.xt_bounce_misses);
#undef F
}
