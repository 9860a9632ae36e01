/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* NFSv4.1 SEQUENCE reply flags over RDMA (xr_gsh_seqflags.c). */
#ifndef XR_GSH_SEQFLAGS_H
#define XR_GSH_SEQFLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * xr_gsh_seq_hide_cb_path_down() - clear SEQ4_STATUS_CB_PATH_DOWN and
 * SEQ4_STATUS_CB_PATH_DOWN_SESSION in the encoded RPC reply @buf (@len
 * bytes: at least up to the first result's status flags) when it is an
 * accepted AUTH_NONE/AUTH_SYS reply whose COMPOUND starts with a
 * successful SEQUENCE.  Returns true when a flag was cleared; false (and
 * @buf untouched) for anything else, including truncated or malformed
 * bytes.
 */
bool xr_gsh_seq_hide_cb_path_down(uint8_t *buf, size_t len);

#endif /* XR_GSH_SEQFLAGS_H */
