/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The Ganesha-specific half of the ABI guard: which Ganesha this build
 * targets, which of the daemon's symbols it shares and what it expects of
 * them.  Two steps: gr_ganesha_daemon_check() (libc only, gr_ganesha_daemon.c)
 * runs before a module linked against one Ganesha library is loaded - a
 * module built for 6.5 links libganesha_nfsd.so.6.5, which a 4.3 daemon
 * does not have, so the dynamic linker would fail first with its own words;
 * then every module calls gr_ganesha_abi_ok() before it reads Ganesha state.
 */
#ifndef GR_GANESHA_ABI_H
#define GR_GANESHA_ABI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The Ganesha version this build targets, as integers (compile definitions
 * from cmake/GaneshaSDK.cmake: 4.3 on Debian 12, 6.5 on Debian 13), and the
 * daemon library Debian's nfs-ganesha package of that version ships.
 */
#if !defined(GR_GANESHA_VERSION_MAJOR) || !defined(GR_GANESHA_VERSION_MINOR)
#error "GR_GANESHA_VERSION_MAJOR/_MINOR come from cmake/GaneshaSDK.cmake"
#endif
#define GR_GANESHA_STR_(x) #x
#define GR_GANESHA_STR(x) GR_GANESHA_STR_(x)
#define GR_GANESHA_VERSION_STR                                                 \
	GR_GANESHA_STR(GR_GANESHA_VERSION_MAJOR)                               \
	"." GR_GANESHA_STR(GR_GANESHA_VERSION_MINOR)
#define GR_GANESHA_SONAME "libganesha_nfsd.so." GR_GANESHA_VERSION_STR

/*
 * Ganesha's COMPONENT_INIT and NIV_CRIT, for code that must log into
 * Ganesha's log without its headers (the preload's version check, which
 * runs before anything built against one Ganesha is loaded).  Equal in
 * 4.3 and 6.5; gr_ganesha_abi.c checks them against the headers.
 */
#define GR_GANESHA_COMPONENT_INIT 15
#define GR_GANESHA_NIV_CRIT 3

/**
 * gr_ganesha_daemon_check() - is this process running the Ganesha we target?
 * @why:	buffer for the one-line refusal
 * @whylen:	its size
 *
 * Needs no Ganesha symbol and no Ganesha header: it asks the dynamic
 * linker which file defines the daemon's nfs_start() (a function every
 * Ganesha exports) and compares its name with GR_GANESHA_SONAME.  Safe to
 * call before anything linked against a Ganesha library is loaded.
 *
 * Return: 0 when the daemon library is GR_GANESHA_SONAME; -EPROTO when it
 * is another (@why names both versions and what to do); -ENOENT when this
 * process has no Ganesha daemon library at all.
 */
int gr_ganesha_daemon_check(char *why, size_t whylen);

/**
 * gr_ganesha_log_crit() - one LogCrit(COMPONENT_INIT) line, without headers
 * @line:	the message
 *
 * Logs through the daemon's DisplayLogComponentLevel() when this process
 * has one (any Ganesha version), and to stderr.
 */
void gr_ganesha_log_crit(const char *line);

/**
 * gr_ganesha_abi_ok() - does the running ganesha.nfsd match our headers?
 * @module:	name of the calling module, for the log line
 *
 * Logs one LogCrit line naming the mismatch when it fails, one LogEvent line
 * when it passes.
 *
 * Return: true when the daemon library is the targeted Ganesha
 * (GR_GANESHA_SONAME) and nfs_param has the compiled size; false otherwise
 * (the module must then refuse to start).
 */
bool gr_ganesha_abi_ok(const char *module);

#endif /* GR_GANESHA_ABI_H */
