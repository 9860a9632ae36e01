/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Safe replacement of a file written as root (see gr_file.h).  Every step
 * works relative to one directory descriptor, so the directory that was
 * checked is the one written to, even if its path is swapped meanwhile.
 * That descriptor is reached one component at a time from "/" (or the
 * working directory), each opened with O_NOFOLLOW and checked before the
 * next is looked up in it, so no symbolic link and no directory a local
 * user controls can redirect the path (gr_dir_open_safe()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gr_file.h"

/* Temporary names tried before giving up (each one O_EXCL). */
#define GR_FILE_TMP_TRIES 16

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Split @path into its directory (in @dir) and its last component. */
static const char *split(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash) {
		snprintf(dir, dirlen, ".");
		return path;
	}
	n = (size_t)(slash - path);
	if (n == 0)
		n = 1; /* "/name": the root directory */
	if (n >= dirlen)
		return NULL;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return slash + 1;
}

/*
 * May the directory behind @st be on the way to a file written as root?
 * Owned by root or by us, and writable by nobody else - except, on the
 * way only (@final false), a root-owned sticky directory such as /tmp:
 * there others may add names but not rename or remove ours, and each
 * name found there is checked in turn, so one they planted is refused.
 */
static bool dir_trusted(const struct stat *st, bool final)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return false;
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return true;
	return !final && st->st_uid == 0 && (st->st_mode & S_ISVTX);
}

int gr_dir_open_safe(const char *dir, char *why, size_t whylen)
{
	char comp[NAME_MAX + 1];
	const char *p = dir, *end;
	struct stat st;
	int dfd, next;
	size_t n;

	dfd = open(*dir == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail(why, whylen, -errno, "%s: cannot open %s: %s", dir,
			    *dir == '/' ? "/" : ".", strerror(errno));
	for (;;) {
		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (fstat(dfd, &st) < 0) {
			next = fail(why, whylen, -errno,
				    "%s: cannot stat a component: %s", dir,
				    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (!dir_trusted(&st, false)) {
			next = fail(
			    why, whylen, -EPERM,
			    "%s: refusing the path: %.*s (owner uid %u, mode %04o) must be owned by root and writable by nobody else",
			    dir, (int)(p - dir), dir, (unsigned int)st.st_uid,
			    (unsigned int)(st.st_mode & 07777));
			goto out;
		}
		if (n > NAME_MAX) {
			next = fail(why, whylen, -ENAMETOOLONG,
				    "%s: a component is too long", dir);
			goto out;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!strcmp(comp, "..")) {
			/* would leave a directory checked for one unchecked */
			next =
			    fail(why, whylen, -EINVAL,
				 "%s: \"..\" is not allowed in the path", dir);
			goto out;
		}
		next = openat(dfd, comp,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			bool link = errno == ELOOP || errno == ENOTDIR;

			next = fail(
			    why, whylen, link ? -ENOTDIR : -errno,
			    "%s: cannot open %.*s%s: %s", dir, (int)(end - dir),
			    dir,
			    link
				? " (not a directory, or a symbolic link: not followed)"
				: "",
			    strerror(errno));
			goto out;
		}
		close(dfd);
		dfd = next;
		p = end;
	}
	if (!dir_trusted(&st, true)) {
		next = fail(
		    why, whylen, -EPERM,
		    "%s: refusing to write in %s (owner uid %u, mode %04o): it must be owned by root and writable by nobody else",
		    dir, dir, (unsigned int)st.st_uid,
		    (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	return dfd;
out:
	close(dfd);
	return next;
}

static int open_tmp(int dfd, const char *base, mode_t mode, char *tmp,
		    size_t tmplen)
{
	static unsigned int seq;
	int i, fd;

	for (i = 0; i < GR_FILE_TMP_TRIES; i++) {
		unsigned int n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);

		if ((size_t)snprintf(tmp, tmplen, ".%s.%ld.%u.%lx", base,
				     (long)getpid(), n,
				     (unsigned long)random()) >= tmplen)
			return -ENAMETOOLONG;
		fd =
		    openat(dfd, tmp,
			   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			   mode & 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int gr_file_replace(const char *path, mode_t mode,
		    int (*fill)(FILE *f, void *arg), void *arg, char *why,
		    size_t whylen)
{
	char dir[4096], tmp[512];
	const char *base;
	int dfd, fd, rc;
	FILE *f;

	base = split(path, dir, sizeof(dir));
	if (!base || !*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fail(why, whylen, -EINVAL, "%s: not a file name", path);
	/*
	 * Anyone else who may write into the directory, or into one on the
	 * way to it, could swap the file between our writes, fill it with
	 * names of their choosing or point the path elsewhere: refuse rather
	 * than write there as root.
	 */
	dfd = gr_dir_open_safe(dir, why, whylen);
	if (dfd < 0)
		return dfd;
	fd = open_tmp(dfd, base, mode, tmp, sizeof(tmp));
	if (fd < 0) {
		rc = fail(why, whylen, fd, "%s: cannot create a file in %s: %s",
			  path, dir, strerror(-fd));
		goto out_dir;
	}
	if (fchmod(fd, mode) < 0) {
		rc = fail(why, whylen, -errno, "%s: chmod: %s", path,
			  strerror(errno));
		close(fd);
		goto out_unlink;
	}
	f = fdopen(fd, "w");
	if (!f) {
		rc = fail(why, whylen, -errno, "%s: %s", path, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	rc = fill(f, arg);
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	if (rc) {
		rc = fail(why, whylen, rc, "%s: cannot write: %s", path,
			  strerror(-rc));
		goto out_unlink;
	}
	if (renameat(dfd, tmp, dfd, base) < 0) {
		rc = fail(why, whylen, -errno,
			  "%s: cannot rename into place: %s", path,
			  strerror(errno));
		goto out_unlink;
	}
	close(dfd);
	return 0;

out_unlink:
	(void)unlinkat(dfd, tmp, 0);
out_dir:
	close(dfd);
	return rc;
}
