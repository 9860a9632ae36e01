/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Prometheus text exposition writer (see gr_prom.h): HELP/TYPE lines with
 * the escaping the format asks for, samples as unsigned integers.
 */
#include <inttypes.h>
#include <string.h>

#include "gr_prom.h"

void gr_prom_family(FILE *f, const char *name, enum gr_prom_type type,
		    const char *help)
{
	const char *p;

	fprintf(f, "# HELP %s ", name);
	/* The format escapes only these two in HELP text. */
	for (p = help; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", name,
		type == GR_PROM_COUNTER ? "counter" : "gauge");
}

void gr_prom_sample(FILE *f, const char *name, const char *labels,
		    uint64_t value)
{
	if (labels && *labels)
		fprintf(f, "%s{%s} %" PRIu64 "\n", name, labels, value);
	else
		fprintf(f, "%s %" PRIu64 "\n", name, value);
}

bool gr_prom_path_ok(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	return n > 5 && strcmp(base + n - 5, ".prom") == 0;
}
