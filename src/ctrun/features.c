/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ctrun features` (runtime-spec features.md): what this runtime implements, as JSON. */
#include "ctrun-internal.h"

#include "common/macro.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>

static json_object *strings(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *linux_features(void)
{
	static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "user",
						  "uts" };
	json_object *l = json_object_new_object(), *cg = json_object_new_object(),
		    *sc = json_object_new_object(), *anno = json_object_new_object();

	json_object_object_add(l, "namespaces", strings(namespaces, ARRAY_SIZE(namespaces)));
	json_object_object_add(cg, "v1", json_object_new_boolean(true));
	json_object_object_add(cg, "v2", json_object_new_boolean(true));
	json_object_object_add(cg, "systemd", json_object_new_boolean(false));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
	json_object_object_add(l, "cgroup", cg);
	json_object_object_add(sc, "enabled", json_object_new_boolean(true));
	json_object_object_add(l, "seccomp", sc);
	json_object_object_add(anno, "enabled", json_object_new_boolean(false));
	json_object_object_add(l, "apparmor", anno);
	json_object_object_add(l, "selinux", json_object_get(anno));
	return l;
}

int ctrun_features(void)
{
	static const char *const hooks[] = { "prestart", "createRuntime", "poststart", "poststop" };
	static const char *const options[] = {
		"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap",
		"lazytime", "mand", "noatime", "nodev", "nodiratime", "noexec", "nolazytime",
		"nomand", "norelatime", "nostrictatime", "nosuid", "private", "rbind", "relatime",
		"remount", "ridmap", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw",
		"shared", "slave", "strictatime", "suid", "sync", "tmpcopyup", "unbindable",
	};
	json_object *o = json_object_new_object(), *anno = json_object_new_object();

	json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(o, "ociVersionMax", json_object_new_string("1.1.0"));
	json_object_object_add(o, "hooks", strings(hooks, ARRAY_SIZE(hooks)));
	json_object_object_add(o, "mountOptions", strings(options, ARRAY_SIZE(options)));
	json_object_object_add(o, "linux", linux_features());
	json_object_object_add(anno, CTRUN_ANNOTATION_METHOD,
			       json_object_new_string("application|sysvinit|systemd|exec"));
	json_object_object_add(anno, CTRUN_ANNOTATION_COMMAND,
			       json_object_new_string("the exec method's command line"));
	json_object_object_add(o, "annotations", anno);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return fflush(stdout) == 0 ? 0 : -errno;
}
