/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Replay driver for the fuzz targets when libFuzzer is not available
 * (gcc builds, GR_FUZZ=OFF).
 *
 * How this works: every argument is a file or a directory of files; each
 * file is read whole and passed to LLVMFuzzerTestOneInput(), followed by
 * a fixed set of edge inputs (empty, single bytes, all-zero and all-ones
 * buffers of several sizes).  A target aborts on a broken invariant, so a
 * clean exit means every seed passed.  It fails when no seed was found,
 * so a missing corpus cannot pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static int replay_file(const char *path)
{
	uint8_t *buf;
	FILE *f;
	long len;

	f = fopen(path, "rb");
	if (!f)
		goto out_open;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out_read;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf)
		goto out_read;
	if (len && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		goto out_read;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	replayed++;
	return 0;

out_read:
	fclose(f);
out_open:
	fprintf(stderr, "replay: cannot read %s\n", path);
	return -1;
}

static int replay_path(const char *path)
{
	struct dirent *de;
	struct stat st;
	char sub[4096];
	DIR *d;
	int rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: no such path %s\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (replay_file(sub))
			rc = -1;
	}
	closedir(d);
	return rc;
}

static void replay_edges(void)
{
	static const size_t sizes[] = {1,  3,  4,  7,  8,    15,
				       16, 27, 28, 64, 1024, 4096};
	static uint8_t buf[4096];
	size_t i;
	int v;

	LLVMFuzzerTestOneInput(buf, 0);
	for (v = 0; v <= 0xff; v += 0xff) {
		memset(buf, v, sizeof(buf));
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
			LLVMFuzzerTestOneInput(buf, sizes[i]);
	}
	/* A version-1 RDMA_MSG prefix followed by all-ones. */
	memset(buf, 0xff, sizeof(buf));
	memset(buf + 4, 0, 12);
	buf[7] = 1;
	for (i = 16; i <= 64; i += 4)
		LLVMFuzzerTestOneInput(buf, i);
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	for (i = 1; i < argc; i++)
		if (replay_path(argv[i]))
			rc = 1;
	replay_edges();
	printf("replayed %lu seed files and the built-in edge inputs\n",
	       replayed);
	if (!replayed) {
		fprintf(stderr, "replay: no seed files found\n");
		return 1;
	}
	return rc;
}
