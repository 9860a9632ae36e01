/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * The Prometheus text writer (src/common/gr_prom.c): HELP escaping, TYPE
 * words, samples with and without labels, and which Metrics_File names the
 * textfile collector would read.  The integration test ganesha.metrics
 * runs the real parser over what the daemons write.
 */
#include <stdlib.h>
#include <string.h>

#include "gr_check.h"
#include "gr_prom.h"

static void test_lines(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!CHECK(f != NULL))
		return;
	gr_prom_family(f, "x_total", GR_PROM_COUNTER, "a\\b\nc");
	gr_prom_sample(f, "x_total", NULL, 18446744073709551615ull);
	gr_prom_family(f, "y", GR_PROM_GAUGE, "g");
	gr_prom_sample(f, "y", "export=\"7\"", 3);
	gr_prom_sample(f, "y", "", 4);
	fclose(f);
	CHECK(strcmp(buf, "# HELP x_total a\\\\b\\nc\n"
			  "# TYPE x_total counter\n"
			  "x_total 18446744073709551615\n"
			  "# HELP y g\n"
			  "# TYPE y gauge\n"
			  "y{export=\"7\"} 3\n"
			  "y 4\n") == 0);
	free(buf);
}

static void test_paths(void)
{
	CHECK(gr_prom_path_ok("/var/lib/prometheus/node-exporter/a.prom"));
	CHECK(gr_prom_path_ok("a.prom"));
	CHECK(!gr_prom_path_ok("/x/.prom"));
	CHECK(!gr_prom_path_ok("/x/a.prom/"));
	CHECK(!gr_prom_path_ok("/x/a.txt"));
	CHECK(!gr_prom_path_ok("/x.prom/a"));
}

int main(void)
{
	test_lines();
	test_paths();
	return gr_check_done("common.prom");
}
