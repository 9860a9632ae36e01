/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Counters in the Prometheus text exposition format (version 0.0.4), for
 * node exporter's textfile collector.
 *
 * How this works: the daemons keep no HTTP server of their own (a new
 * listening socket inside ganesha.nfsd would be new attack surface);
 * instead, the thread that already rewrites a stats file every
 * Stats_Interval also rewrites a Metrics_File through gr_file_replace(),
 * so node exporter never reads half a file.  A writer emits each family
 * as one gr_prom_family() (HELP and TYPE) followed by all its samples
 * (gr_prom_sample()), as the format requires.  No Ganesha headers:
 * unit-tested on its own (tests/common/test_gr_prom.c).
 */
#ifndef GR_PROM_H
#define GR_PROM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum gr_prom_type {
	GR_PROM_COUNTER, /* only grows while the daemon runs; name ends _total
			  */
	GR_PROM_GAUGE,	 /* what is held right now */
};

/**
 * gr_prom_family() - write the HELP and TYPE lines of metric @name
 * @f:		the stream
 * @name:	a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)
 * @type:	counter or gauge
 * @help:	one line of text; backslashes and newlines are escaped
 */
void gr_prom_family(FILE *f, const char *name, enum gr_prom_type type,
		    const char *help);

/**
 * gr_prom_sample() - write one sample of @name
 * @f:		the stream
 * @name:	the family's name
 * @labels:	NULL, or label pairs already formatted ("export=\"1\""), the
 *		values made by the caller from numbers only (no escaping)
 * @value:	the value
 */
void gr_prom_sample(FILE *f, const char *name, const char *labels,
		    uint64_t value);

/**
 * gr_prom_path_ok() - whether @path can be read by the textfile collector
 *
 * Return: true when @path's file name ends in ".prom" and has a name before
 * it: node exporter's textfile collector reads nothing else.
 */
bool gr_prom_path_ok(const char *path);

#endif /* GR_PROM_H */
