/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Files the daemon writes as root (stats reports), written so that a local
 * user cannot turn the write against another file.
 *
 * How this works: the directory is opened once per write, one path
 * component at a time from "/" with O_NOFOLLOW, each component checked on
 * its descriptor before the next is looked up in it (owned by root or by
 * us, writable by nobody else; on the way, a root-owned sticky directory
 * like /tmp is allowed, the final directory never is), the
 * new content goes to a fresh temporary name in it created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a planted file or symlink under that name
 * makes the open fail, it is never followed), and renameat() puts it in
 * place: rename replaces a symlink at the final name instead of writing
 * through it, and readers never see a half-written file.  No Ganesha
 * headers: unit-tested on its own (tests/common/test_gr_file.c).
 */
#ifndef GR_FILE_H
#define GR_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/**
 * gr_dir_open_safe() - open directory @dir for writing into it as root
 * @dir:	absolute, or relative to the working directory; ".." refused
 * @why:	on failure, a one-line reason naming the path (may be NULL)
 * @whylen:	its size
 *
 * Walks @dir from "/" (or ".") one component at a time with
 * openat(O_NOFOLLOW|O_DIRECTORY): a symbolic link anywhere in the path is
 * refused, and every directory on the way must be owned by root or this
 * process's user and writable by nobody else, except that a root-owned
 * sticky directory (/tmp) may be passed through; @dir itself may not be
 * writable by others even if sticky.
 *
 * Return: the directory's descriptor (O_CLOEXEC; the caller closes it);
 * -EPERM for a directory that fails those checks; -ENOTDIR for a symbolic
 * link or a non-directory in the path; -EINVAL for a ".." component;
 * -ENAMETOOLONG; the errno of open/fstat (negative).
 */
int gr_dir_open_safe(const char *dir, char *why, size_t whylen);

/**
 * gr_file_replace() - replace @path with what @fill writes, safely
 * @path:	the file; its directory must exist
 * @mode:	the file's mode (applied with fchmod, whatever the umask)
 * @fill:	writes the content to the stream; returns 0 or a negative
 *		errno (the old file then stays as it was)
 * @arg:	passed to @fill
 * @why:	on failure, a one-line reason naming the path (may be NULL)
 * @whylen:	its size
 *
 * Return: 0 when @path now holds the new content; -EINVAL for a path
 * without a file name; what gr_dir_open_safe() refuses for its directory
 * (-EPERM, -ENOTDIR, -EINVAL); the errno of
 * the failing open, write or rename (negative); @fill's error.
 */
int gr_file_replace(const char *path, mode_t mode,
		    int (*fill)(FILE *f, void *arg), void *arg, char *why,
		    size_t whylen);

#endif /* GR_FILE_H */
