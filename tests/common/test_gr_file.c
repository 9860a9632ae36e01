/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of gr_file_replace() (src/common/gr_file.c): the content and
 * mode land in place; a symlink planted at the final name is replaced,
 * never written through; a symlink planted under the old fixed temporary
 * name (PATH.tmp) is not followed either; a directory others may write in
 * is refused and nothing is written there.  The whole path is checked, not
 * only its last directory: a symbolic link to a directory anywhere in it,
 * a directory on the way that others may write in (unless root-owned and
 * sticky, like /tmp) or that another user owns, and ".." are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_file.h"
#include "gr_check.h"

static int fill_text(FILE *f, void *arg)
{
	fputs(arg, f);
	return 0;
}

static int fill_error(FILE *f, void *arg)
{
	fputs("half", f);
	return -EIO;
}

static int slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (int)n;
}

static int entries(const char *dir)
{
	char cmd[600], out[64];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	if (!p || !fgets(out, sizeof(out), p))
		return -1;
	pclose(p);
	return atoi(out);
}

int main(void)
{
	char top[] = "/tmp/gr-file-test.XXXXXX", path[400], victim[300],
	     tmp[410], buf[256], why[512], open_dir[200];
	struct stat st;
	FILE *v;

	if (!mkdtemp(top))
		return 1;
	snprintf(path, sizeof(path), "%s/stats", top);
	snprintf(victim, sizeof(victim), "%s/victim", top);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	/* Plain write: content, mode 0644 whatever the umask. */
	umask(077);
	CHECK_EQ(
	    gr_file_replace(path, 0644, fill_text, "one\n", why, sizeof(why)),
	    0);
	CHECK(slurp(path, buf, sizeof(buf)) == 4 && !strcmp(buf, "one\n"));
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	      (st.st_mode & 07777) == 0644);
	CHECK_EQ(entries(top), 1); /* no temporary file left behind */

	/* A symlink at the final name is replaced, its target untouched. */
	v = fopen(victim, "w");
	CHECK(v != NULL);
	if (v) {
		fputs("precious\n", v);
		fclose(v);
	}
	unlink(path);
	CHECK(symlink(victim, path) == 0);
	CHECK_EQ(
	    gr_file_replace(path, 0644, fill_text, "two\n", why, sizeof(why)),
	    0);
	CHECK(slurp(victim, buf, sizeof(buf)) > 0 &&
	      !strcmp(buf, "precious\n"));
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(slurp(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "two\n"));

	/* A symlink at the name a previous version used as its temporary. */
	CHECK(symlink(victim, tmp) == 0);
	CHECK_EQ(
	    gr_file_replace(path, 0644, fill_text, "three\n", why, sizeof(why)),
	    0);
	CHECK(slurp(victim, buf, sizeof(buf)) > 0 &&
	      !strcmp(buf, "precious\n"));
	CHECK(slurp(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "three\n"));
	unlink(tmp);

	/* A failing writer leaves the old file and no temporary. */
	CHECK_EQ(
	    gr_file_replace(path, 0644, fill_error, NULL, why, sizeof(why)),
	    -EIO);
	CHECK(slurp(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "three\n"));
	CHECK_EQ(entries(top), 2); /* stats and victim */

	/* A directory others may write in is refused, nothing created. */
	snprintf(open_dir, sizeof(open_dir), "%s/open", top);
	CHECK(mkdir(open_dir, 0777) == 0 && chmod(open_dir, 01777) == 0);
	snprintf(path, sizeof(path), "%s/stats", open_dir);
	why[0] = '\0';
	CHECK_EQ(gr_file_replace(path, 0644, fill_text, "x", why, sizeof(why)),
		 -EPERM);
	CHECK(strstr(why, "refusing to write in") != NULL);
	CHECK_EQ(entries(open_dir), 0);
	CHECK(chmod(open_dir, 0770) == 0);
	CHECK_EQ(gr_file_replace(path, 0644, fill_text, "x", why, sizeof(why)),
		 -EPERM);
	CHECK(chmod(open_dir, 0755) == 0);
	CHECK_EQ(gr_file_replace(path, 0644, fill_text, "x", why, sizeof(why)),
		 0);

	/* A symbolic link on the way to the directory is not followed. */
	{
		char real[300], link[300], via[400], deep[300];

		snprintf(real, sizeof(real), "%s/real", top);
		snprintf(deep, sizeof(deep), "%s/real/sub", top);
		snprintf(link, sizeof(link), "%s/link", top);
		snprintf(via, sizeof(via), "%s/link/sub/stats", top);
		CHECK(mkdir(real, 0755) == 0 && mkdir(deep, 0755) == 0);
		CHECK(symlink(real, link) == 0);
		CHECK_EQ(gr_file_replace(via, 0644, fill_text, "x", why,
					 sizeof(why)),
			 -ENOTDIR);
		CHECK_EQ(entries(deep), 0);
		/* ... nor as the last directory */
		snprintf(via, sizeof(via), "%s/link/stats", top);
		CHECK_EQ(gr_file_replace(via, 0644, fill_text, "x", why,
					 sizeof(why)),
			 -ENOTDIR);
		CHECK_EQ(entries(real), 1);
		/* the real path is fine */
		snprintf(via, sizeof(via), "%s/real/sub/stats", top);
		CHECK_EQ(gr_file_replace(via, 0644, fill_text, "x", why,
					 sizeof(why)),
			 0);
		/* ".." could leave a checked directory for another */
		snprintf(via, sizeof(via), "%s/real/../real/sub/stats", top);
		CHECK_EQ(gr_file_replace(via, 0644, fill_text, "x", why,
					 sizeof(why)),
			 -EINVAL);
	}

	/*
	 * A directory on the way that others may write in: whoever can swap
	 * its entries can point the path elsewhere.  Sticky and root-owned
	 * (as /tmp, which this test's directory is under) is fine.
	 */
	{
		char mid[300], leaf[300], file[400];

		snprintf(mid, sizeof(mid), "%s/mid", top);
		snprintf(leaf, sizeof(leaf), "%s/mid/leaf", top);
		snprintf(file, sizeof(file), "%s/mid/leaf/stats", top);
		CHECK(mkdir(mid, 0755) == 0 && mkdir(leaf, 0755) == 0);
		CHECK(chmod(mid, 0777) == 0);
		why[0] = '\0';
		CHECK_EQ(gr_file_replace(file, 0644, fill_text, "x", why,
					 sizeof(why)),
			 -EPERM);
		CHECK(strstr(why, "refusing the path") != NULL);
		CHECK_EQ(entries(leaf), 0);
		CHECK(chmod(mid, 0775) == 0);
		CHECK_EQ(gr_file_replace(file, 0644, fill_text, "x", why,
					 sizeof(why)),
			 -EPERM);
		if (geteuid() == 0) {
			CHECK(chmod(mid, 01777) == 0);
			CHECK_EQ(gr_file_replace(file, 0644, fill_text, "x",
						 why, sizeof(why)),
				 0);
			unlink(file);
			/* owned by another user, even if 0755 */
			CHECK(chmod(mid, 0755) == 0 &&
			      chown(mid, 65534, 65534) == 0);
			CHECK_EQ(gr_file_replace(file, 0644, fill_text, "x",
						 why, sizeof(why)),
				 -EPERM);
			CHECK_EQ(entries(leaf), 0);
			/* a sticky one must be root's */
			CHECK(chmod(mid, 01777) == 0);
			CHECK_EQ(gr_file_replace(file, 0644, fill_text, "x",
						 why, sizeof(why)),
				 -EPERM);
		} else {
			printf(
			    "not root: sticky and foreign-owner cases skipped\n");
		}
	}

	/* No file name, or no directory. */
	CHECK_EQ(
	    gr_file_replace("/tmp/", 0644, fill_text, "x", why, sizeof(why)),
	    -EINVAL);
	CHECK_EQ(gr_file_replace("/nonexistent-gr-dir/x", 0644, fill_text, "x",
				 why, sizeof(why)),
		 -ENOENT);

	snprintf(buf, sizeof(buf), "rm -rf '%s'", top);
	if (system(buf) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	return gr_check_done("test_gr_file");
}
