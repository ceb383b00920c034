/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The oci room's one public header: an OCI bundle's config.json (runtime-spec config.md and
 * config-linux.md), read with json-c into plain C, every value checked on the way in. An error
 * names the file and the field by its JSON path ("process.args[0]: expected a string").
 *
 * What the spec lets a runtime ignore (a property it does not know) is ignored; what ct does not
 * implement but a bundle relies on for its confinement (an SELinux label, an AppArmor profile, a
 * seccomp action without a libseccomp equivalent, ...) is refused, naming it: never silently
 * run with less confinement than the bundle asked for. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_OCI_ERR_MAX 512

struct ct_oci_idmap {
	uint32_t container_id, host_id, size;
};

struct ct_oci_mount {
	char *destination; /* absolute */
	char *type;        /* "" when not given (a bind) */
	char *source;      /* "" when not given */
	char **options;    /* NULL-terminated, may be empty */
	size_t n_uid, n_gid; /* idmapped mount ranges (uidMappings/gidMappings of the mount) */
	struct ct_oci_idmap *uid, *gid;
};

struct ct_oci_namespace {
	unsigned long flag; /* CLONE_NEW* */
	char *path;         /* join this one; NULL: a new one */
};

struct ct_oci_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct ct_oci_hook {
	char *path;
	char **args; /* NULL-terminated; NULL: none given */
	char **env;  /* NULL-terminated; NULL: none given */
	int timeout; /* seconds; 0: none */
};

enum ct_oci_hook_kind {
	CT_OCI_HOOK_PRESTART,
	CT_OCI_HOOK_CREATE_RUNTIME,
	CT_OCI_HOOK_CREATE_CONTAINER,
	CT_OCI_HOOK_START_CONTAINER,
	CT_OCI_HOOK_POSTSTART,
	CT_OCI_HOOK_POSTSTOP,
	CT_OCI_HOOK_COUNT_,
};

struct ct_oci_device {
	char type;       /* 'c', 'b', 'u', 'p' */
	char *path;
	int64_t major, minor;
	uint32_t file_mode; bool has_file_mode;
	uint32_t uid, gid; bool has_uid, has_gid;
};

/* linux.resources.devices: the allow/deny list, in order. */
struct ct_oci_device_rule {
	bool allow;
	char type;       /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1: any */
	char access[4];  /* of "rwm" */
};

struct ct_oci_process {
	bool terminal;
	uint32_t uid, gid, umask;
	bool has_umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char **args; /* NULL-terminated, at least one */
	char **env;  /* NULL-terminated, may be empty */
	char *cwd;   /* absolute */
	bool has_caps;
	uint64_t caps_bounding, caps_effective, caps_inheritable, caps_permitted, caps_ambient;
	struct ct_oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
};

struct ct_oci_resources {
	int64_t memory_limit;      /* bytes; -1: none */
	int64_t memory_swap;       /* bytes; -1: none */
	int64_t pids_limit;        /* -1: none */
	uint64_t cpu_shares;       /* 0: none */
	int64_t cpu_quota;         /* us; -1: none */
	uint64_t cpu_period;       /* us; 0: none */
	struct ct_oci_device_rule *devices;
	size_t n_devices;
};

struct ct_oci_spec {
	char *oci_version;
	char *root_path;     /* as given: absolute, or relative to the bundle */
	bool root_readonly;
	char *hostname;      /* NULL: not given */
	struct ct_oci_process process;
	bool has_process;    /* create needs one; a spec for a hook-only use may lack it */
	struct ct_oci_mount *mounts;
	size_t n_mounts;
	struct ct_oci_hook *hooks[CT_OCI_HOOK_COUNT_];
	size_t n_hooks[CT_OCI_HOOK_COUNT_];
	char **annotations;  /* "KEY=VALUE", NULL-terminated, may be empty */
	/* linux */
	struct ct_oci_namespace *namespaces;
	size_t n_namespaces;
	struct ct_oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	char *cgroups_path;  /* NULL: not given */
	struct ct_oci_resources resources;
	struct ct_oci_device *devices;
	size_t n_devices;
	char *seccomp_json;  /* linux.seccomp as JSON text, checked (oci-seccomp.c); NULL: none */
	char **masked_paths, **readonly_paths; /* NULL-terminated, may be empty */
	char **sysctl;       /* "KEY=VALUE", NULL-terminated, may be empty */
	unsigned long rootfs_propagation; /* MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE (| MS_REC);
					   * 0: not given */
};

/* Reads BUNDLE/config.json. Returns 0, or -EINVAL with err set to "config.json: PATH: what"
 * for bad content, or another -errno (err says which file). */
int ct_oci_load(const char *bundle, struct ct_oci_spec *ret, char *err, size_t err_size);
/* The same from text (len bytes); name prefixes the errors. */
int ct_oci_parse(const char *text, size_t len, const char *name, struct ct_oci_spec *ret, char *err,
		 size_t err_size);
void ct_oci_free(struct ct_oci_spec *s);
/* A process object alone (`ctrun exec --process FILE`), checked as config.json's process is. */
int ct_oci_parse_process(const char *text, size_t len, const char *name,
			 struct ct_oci_process *ret, char *err, size_t err_size);
void ct_oci_process_free(struct ct_oci_process *p);

struct ct_seccomp;
/* linux.seccomp (the JSON text of s->seccomp_json) as a profile of ct's format (src/seccomp): see
 * oci-seccomp.c for the translation. *ret_text is the caller's to free. -EINVAL with err for
 * what cannot be translated. */
int ct_oci_seccomp_profile(const char *json, const char *name, char **ret_text, char *err,
			   size_t err_size);
/* The same, compiled: *ret is NULL when the spec has no seccomp. */
int ct_oci_seccomp_compile(const struct ct_oci_spec *s, const char *name, struct ct_seccomp **ret,
			   char *err, size_t err_size);

/* The annotation KEY's value, or NULL. */
const char *ct_oci_annotation(const struct ct_oci_spec *s, const char *key);
/* A capability name of the spec ("CAP_SYS_ADMIN") to its number, or -EINVAL. */
int ct_oci_cap_from_name(const char *name);
