/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* READDIR entry handles (rp_entry_fh.c). */
#ifndef RP_ENTRY_FH_H
#define RP_ENTRY_FH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "nfsv41.h"

/**
 * rp_fattr_take_fh() - split a READDIR entry's FILEHANDLE out of @fa,
 * leaving @fa without it.  Returns true when a well-formed handle was
 * found (copied into @fh, NFS4_FHSIZE bytes of room, and @fh_len), false
 * when the backend sent none, or sent it after an attribute whose size is
 * not known here, or with a bad length (then @fa is left as it was).
 */
bool rp_fattr_take_fh(fattr4 *fa, uint8_t *fh, uint32_t *fh_len);

#endif /* RP_ENTRY_FH_H */
