/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Unit test of the client owner file (sess_load_owner(), sess_client.c;
 * issue 11, finding 10).  The gateway keeps one per export in State_Dir
 * and runs as root, nfs41 keeps one where --state-file says.  Checked: a
 * new file is 0600 and read back; a symbolic link at the file's name is
 * refused, never read through (it would send a line of another file to
 * the server as the owner); a file others may write, or another user's,
 * is refused; a link planted at the temporary name is not written
 * through (the file it points to stays as it was).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sess_int.h"
#include "gr_check.h"

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool holds(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strcmp(buf, text) == 0;
}

int main(void)
{
	char dir[] = "/tmp/test_owner_file.XXXXXX", path[300], victim[300],
	     tmp[320], id[256], id2[256], cmd[340];
	struct stat st;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return gr_check_done("test_owner_file");
	}
	snprintf(path, sizeof(path), "%s/owner", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put(victim, "secret-line\n");

	/* first use: made, 0600, read back */
	CHECK_EQ(sess_load_owner(path, id, sizeof(id)), 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK_EQ(sess_load_owner(path, id2, sizeof(id2)), 0);
	CHECK(strcmp(id, id2) == 0 && strncmp(id, "nfs41-", 6) == 0);

	/* others may write it: refused */
	CHECK(chmod(path, 0666) == 0);
	CHECK_EQ(sess_load_owner(path, id2, sizeof(id2)), -EPERM);
	CHECK(chmod(path, 0600) == 0);
	/* another user's: refused */
	if (geteuid() == 0) {
		CHECK(chown(path, 4242, 4242) == 0);
		CHECK_EQ(sess_load_owner(path, id2, sizeof(id2)), -EPERM);
		CHECK(chown(path, 0, 0) == 0);
	}

	/* a link at the name: refused, the linked file is not read */
	CHECK(unlink(path) == 0);
	CHECK(symlink(victim, path) == 0);
	memset(id2, 0, sizeof(id2));
	CHECK_EQ(sess_load_owner(path, id2, sizeof(id2)), -EPERM);
	CHECK(strstr(id2, "secret") == NULL);
	CHECK(holds(victim, "secret-line\n"));
	CHECK(unlink(path) == 0);

	/* a link planted at the temporary name: not written through */
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, getpid());
	CHECK(symlink(victim, tmp) == 0);
	CHECK_EQ(sess_load_owner(path, id2, sizeof(id2)), 0);
	CHECK(holds(victim, "secret-line\n"));
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK_EQ(sess_load_owner(path, id, sizeof(id)), 0);
	CHECK(strcmp(id, id2) == 0);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return gr_check_done("test_owner_file");
}
