/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * Files the daemon writes as root (stats reports), written so that a local
 * user cannot turn the write against another file.
 *
 * How this works: the directory is opened once per write and checked on
 * that descriptor (owned by root or by us, writable by nobody else), the
 * new content goes to a fresh temporary name in it created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (a planted file or symlink under that name
 * makes the open fail, it is never followed), and renameat() puts it in
 * place: rename replaces a symlink at the final name instead of writing
 * through it, and readers never see a half-written file.  No Ganesha
 * headers: unit-tested on its own (tests/unit/test_gr_file.c).
 */
#ifndef GR_FILE_H
#define GR_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

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
 * without a file name; -EPERM when the directory is writable by group or
 * others, or owned by neither root nor this process's user; the errno of
 * the failing open, write or rename (negative); @fill's error.
 */
int gr_file_replace(const char *path, mode_t mode,
		    int (*fill)(FILE *f, void *arg), void *arg, char *why,
		    size_t whylen);

#endif /* GR_FILE_H */
