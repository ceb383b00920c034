/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the oci room's files share. */
#pragma once

#include "oci.h"
#include "oci-json.h"

/* The linux object (oci-linux.c), and its part of ct_oci_free(). */
int ct_oci_parse_linux(struct ct_jctx *j, json_object *top, struct ct_oci_spec *s);
void ct_oci_linux_free(struct ct_oci_spec *s);
/* An array of {containerID, hostID, size} (linux.uidMappings, a mount's uidMappings). */
int ct_oci_parse_idmaps(struct ct_jctx *j, json_object *o, const char *parent, const char *key,
			struct ct_oci_idmap **ret, size_t *n);
