/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * A toy ONC RPC program for exercising the RPC-over-RDMA engines.  How this
 * works: the XDR of the few messages is written by hand.  The server side
 * (toy_server_*) runs an xr_svc engine whose sv_on_call hands each call to
 * two worker threads, which decode it straight from the call's byte ranges
 * and answer with xr_svc_reply() - so replies come from threads other than
 * the engine's.  The client side builds calls as struct xr_msg.
 *
 * Procedures (program TOY_PROG, version 1):
 *   NULL    ()                   -> ()
 *   ECHO    (opaque data)        -> (opaque data)      not DDP-eligible
 *   SUM     (opaque data, DDP)   -> (u32 len, u32 fnv) Read chunk payload
 *   FILL    (u32 len, u32 seed)  -> (opaque data, DDP) Write chunk result
 *   STATS   ()                   -> (u32 n, u64 x n)   server counters
 *   DISCARD (opaque data, DDP)   -> (u32 len)          for benchmarks
 *   BARRIER (u32 n)              -> ()   held until n BARRIER calls wait
 *   NOREPLY ()                   -> never answered (xr_svc_drop)
 */
#ifndef TOY_RPC_H
#define TOY_RPC_H

#include "xr_clnt.h"
#include "xr_svc.h"

#define TOY_PROG 0x2f00c0deu
#define TOY_VERS 1u
enum {
	TOY_NULL = 0,
	TOY_ECHO = 1,
	TOY_SUM = 2,
	TOY_FILL = 3,
	TOY_STATS = 4,
	TOY_DISCARD = 5,
	TOY_BARRIER = 6,
	TOY_NOREPLY = 7,
};
#define TOY_CALL_HDR 40u  /* RPC call header with AUTH_NONE */
#define TOY_REPLY_HDR 24u /* accepted reply header, SUCCESS */
#define TOY_PATTERN_MAX (4u * 1024u * 1024u)

/* Order of the counters STATS returns. */
enum {
	TOY_ST_CONNECTIONS,
	TOY_ST_MR_LIVE,
	TOY_ST_REG_BYTES,
	TOY_ST_CALLS_LIVE,
	TOY_ST_RECVS_POSTED,
	TOY_ST_ERR_VERS,
	TOY_ST_ERR_CHUNK,
	TOY_ST_DROPPED,
	TOY_ST_PER_CONN,
	TOY_ST_CONN_LOST,
	TOY_ST_READ_BYTES,
	TOY_ST_WRITE_BYTES,
	TOY_ST_CALLS,
	TOY_ST_CONNS_TOTAL,
	TOY_ST_UPPER_CONNECTS,	  /* sv_on_connect callbacks */
	TOY_ST_UPPER_DISCONNECTS, /* sv_on_disconnect callbacks */
	TOY_ST_REG_CALLS,	  /* cs_reg_calls */
	TOY_ST_REG_UNNEEDED,	  /* cs_reg_unneeded */
	TOY_ST_REG_POOL_HITS,	  /* cs_reg_pool_hits */
	TOY_ST_COUNT
};

/* FNV-1a over bytes, continued from h (start with TOY_FNV_INIT). */
#define TOY_FNV_INIT 2166136261u
uint32_t toy_fnv(uint32_t h, const void *buf, size_t len);

/* The FILL pattern: byte i of seed s. */
uint8_t toy_pattern(uint32_t seed, uint64_t i);

/* Big-endian helpers. */
void toy_put32(uint8_t *p, uint32_t v);
uint32_t toy_get32(const uint8_t *p);

/* Write an RPC call header (40 bytes) for proc with xid. */
void toy_call_hdr(uint8_t *p, uint32_t xid, uint32_t proc);

/*
 * Check an RPC reply header for xid: returns the offset of the results
 * (24) or -1 when it is not an accepted SUCCESS reply to xid.
 */
int toy_reply_ok(const uint8_t *rep, size_t len, uint32_t xid);

struct toy_server;

/*
 * Start a server with engine parameters p (sp_port 0 here means any
 * port).  Returns 0 or the engine's error (-ENODEV when the fabric cannot
 * run here), reason in err.
 */
int toy_server_start(const struct xr_svc_params *p, struct toy_server **out,
		     char *err, size_t errlen);
uint16_t toy_server_port(struct toy_server *ts);
void toy_server_stats(struct toy_server *ts, struct xr_core_stats *st);
/*
 * FILL answers with len bytes at src (the caller keeps them mapped while
 * calls run) instead of the pattern; NULL: the pattern again.
 */
void toy_server_set_source(struct toy_server *ts, const uint8_t *src);
/*
 * With a source set, a FILL of len bytes sends its last len % 4 bytes
 * from tail (at least 3 bytes, kept mapped) as a range of their own, the
 * way Ganesha 6.5 lays out an unaligned READ; NULL: one range again.
 */
void toy_server_set_tail(struct toy_server *ts, const uint8_t *tail);
/*
 * FILL replies end with pad bytes of the pattern (toy_pattern(0, i)) as
 * their tail, after the length word: inline beside a Write chunk, so a
 * test can fill the reply's Send to the brim; 0: no tail again.
 */
void toy_server_set_pad(struct toy_server *ts, uint32_t pad);
void toy_server_stop(struct toy_server *ts);
/* xr_svc_add_area() on the toy's engine. */
int toy_server_add_area(struct toy_server *ts, void *base, size_t len);

/*
 * Run a server on backend/addr (max_conns 0: default) until SIGTERM;
 * first writes two u32 to port_fd: the port (0 on failure) and the
 * positive errno.
 */
int toy_server_main(const char *backend, const char *addr, uint32_t max_conns,
		    int port_fd);

#endif /* TOY_RPC_H */
