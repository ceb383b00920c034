#!/usr/bin/env bats
# The runtime-tools command-line semantics (opencontainers/runtime-tools
# docs/command-line-interface.md, runtime-spec runtime.md), run against one runtime:
#   RUNTIME=/path/to/ctrun|runc|crun  ROOTFS=busybox rootfs  RECVTTY=recvtty  bats runtime.bats
# t-oci-bats.sh runs it against ctrun, runc and crun side by side: they must agree.

CAPS='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_NET_BIND_SERVICE","CAP_AUDIT_WRITE"'

setup() {
	D=$(mktemp -d /tmp/ocib.XXXXXX)
	STATE=$D/state
	ID=bats-$$-$BATS_TEST_NUMBER
	mkdir -p "$D/bundle" "$D/out"
	chmod 777 "$D/out"
}

teardown() {
	rt delete --force "$ID" >/dev/null 2>&1 || true
	rm -rf "$D"
}

rt() {
	"$RUNTIME" --root "$STATE" "$@"
}

# config ARGS_JSON [key=value...]: keys terminal, hooks, cwd, user, env, readonly, hostname
config() {
	local args=$1 terminal=false hooks='{}' cwd=/ user='"uid": 0, "gid": 0' env='"PATH=/bin"'
	local readonly=false hostname=bats
	shift
	for kv in "$@"; do
		case $kv in
		terminal=*) terminal=${kv#*=} ;; hooks=*) hooks=${kv#*=} ;; cwd=*) cwd=${kv#*=} ;;
		user=*) user=${kv#*=} ;; env=*) env=${kv#*=} ;; readonly=*) readonly=${kv#*=} ;;
		hostname=*) hostname=${kv#*=} ;;
		esac
	done
	cat >"$D/bundle/config.json" <<JSON
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": $terminal,
		"user": { $user },
		"args": $args,
		"env": [ $env ],
		"cwd": "$cwd",
		"capabilities": { "bounding": [ $CAPS ], "effective": [ $CAPS ], "permitted": [ $CAPS ] },
		"noNewPrivileges": true
	},
	"root": { "path": "$ROOTFS", "readonly": $readonly },
	"hostname": "$hostname",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": [ "nosuid", "noexec", "nodev", "ro" ] },
		{ "destination": "/out", "type": "bind", "source": "$D/out", "options": [ "rbind", "rw" ] }
	],
	"hooks": $hooks,
	"linux": {
		"resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
		"namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
				{ "type": "uts" }, { "type": "mount" } ],
		"maskedPaths": [ "/proc/kcore", "/sys/firmware" ],
		"readonlyPaths": [ "/proc/sys" ]
	}
}
JSON
}

status_of() {
	rt state "$ID" | tr -d ' \n\t' | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
}

pid_of() {
	rt state "$ID" | tr -d ' \n\t' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'
}

# wait_for FILE: up to 10 s
wait_for() {
	for _ in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "# $1 never appeared" >&3
	return 1
}

wait_status() {
	for _ in $(seq 100); do
		[ "$(status_of)" = "$1" ] && return 0
		sleep 0.1
	done
	echo "# status stayed $(status_of), not $1" >&3
	return 1
}

@test "create leaves the process waiting: state created, pid file = state pid, nothing run yet" {
	config '["sh", "-c", "echo ran > /out/ran"]'
	rt create --bundle "$D/bundle" --pid-file "$D/pid" "$ID"
	[ "$(status_of)" = created ]
	[ "$(cat "$D/pid")" = "$(pid_of)" ]
	kill -0 "$(cat "$D/pid")"
	sleep 0.3
	[ ! -e "$D/out/ran" ]
}

@test "start runs it: running, then stopped when it exits; a second start fails" {
	config '["sh", "-c", "echo ran > /out/ran; while [ ! -e /out/go ]; do sleep 0.1; done"]'
	rt create --bundle "$D/bundle" "$ID"
	rt start "$ID"
	wait_for "$D/out/ran"
	[ "$(status_of)" = running ]
	run rt start "$ID"
	[ "$status" -ne 0 ]
	touch "$D/out/go"
	wait_status stopped
}

@test "state: the spec's fields, with the bundle as an absolute path" {
	config '["sleep", "10"]'
	rt create --bundle "$D/bundle" "$ID"
	run rt state "$ID"
	[ "$status" -eq 0 ]
	s=$(tr -d ' \n\t' <<<"$output")
	[[ $s == *'"ociVersion":"'* ]]
	[[ $s == *"\"id\":\"$ID\""* ]]
	[[ $s == *'"status":"created"'* ]]
	[[ $s == *"\"bundle\":\"$D/bundle\""* ]]
}

@test "create with an ID in use fails, and leaves the first one alone" {
	config '["sleep", "10"]'
	rt create --bundle "$D/bundle" "$ID"
	run rt create --bundle "$D/bundle" "$ID"
	[ "$status" -ne 0 ]
	[ "$(status_of)" = created ]
}

@test "state, kill, start and delete of an unknown ID fail" {
	run rt state nosuch-$$
	[ "$status" -ne 0 ]
	run rt kill nosuch-$$ KILL
	[ "$status" -ne 0 ]
	run rt start nosuch-$$
	[ "$status" -ne 0 ]
	run rt delete nosuch-$$
	[ "$status" -ne 0 ]
}

@test "kill without a signal sends SIGTERM" {
	config '["sh", "-c", "trap \"echo TERM > /out/sig; exit 0\" TERM; echo up > /out/up; while :; do sleep 0.1; done"]'
	rt create --bundle "$D/bundle" "$ID"
	rt start "$ID"
	wait_for "$D/out/up"
	rt kill "$ID"
	wait_for "$D/out/sig"
	[ "$(cat "$D/out/sig")" = TERM ]
	wait_status stopped
}

@test "kill delivers exactly the named signal, by name or number" {
	config '["sh", "-c", "trap \"echo USR1 >> /out/sig\" USR1; trap \"echo HUP >> /out/sig\" HUP; echo up > /out/up; while :; do sleep 0.1; done"]'
	rt create --bundle "$D/bundle" "$ID"
	rt start "$ID"
	wait_for "$D/out/up"
	rt kill "$ID" USR1
	wait_for "$D/out/sig"
	rt kill "$ID" SIGHUP
	for _ in $(seq 50); do [ "$(wc -l <"$D/out/sig")" -ge 2 ] && break; sleep 0.1; done
	[ "$(tr '\n' ' ' <"$D/out/sig")" = "USR1 HUP " ]
	[ "$(status_of)" = running ]
	rt kill "$ID" 9
	wait_status stopped
}

@test "delete of a running container is refused without --force; --force removes it" {
	config '["sleep", "100"]'
	rt create --bundle "$D/bundle" "$ID"
	rt start "$ID"
	pid=$(pid_of)
	run rt delete "$ID"
	[ "$status" -ne 0 ]
	[ "$(status_of)" = running ]
	rt delete --force "$ID"
	run rt state "$ID"
	[ "$status" -ne 0 ]
	for _ in $(seq 50); do [ -e /proc/$pid ] && [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" != Z ] || break; sleep 0.1; done
	! { [ -e /proc/$pid ] && [ "$(awk '{print $3}' /proc/$pid/stat)" != Z ]; }
}

@test "delete of a stopped container removes it; delete of a created one kills it" {
	config '["true"]'
	rt create --bundle "$D/bundle" "$ID"
	rt start "$ID"
	wait_status stopped
	rt delete "$ID"
	run rt state "$ID"
	[ "$status" -ne 0 ]
	rt create --bundle "$D/bundle" "$ID"
	pid=$(pid_of)
	rt delete "$ID"
	run rt state "$ID"
	[ "$status" -ne 0 ]
}

@test "run ends with the process's exit status" {
	config '["sh", "-c", "exit 7"]'
	run rt run --bundle "$D/bundle" "$ID"
	[ "$status" -eq 7 ]
}

@test "the process gets its cwd, user, env, hostname, no_new_privs, capabilities, masked and read-only paths" {
	config '["sh", "-c", "{ pwd; id -u; id -g; echo $FOO; hostname; grep -E \"^(NoNewPrivs|CapBnd|CapEff)\" /proc/self/status; head -c 16 /proc/kcore | wc -c; touch /new 2>/dev/null || echo root-ro; echo 1 > /proc/sys/kernel/domainname 2>/dev/null || echo sys-ro; } > /out/info"]' \
		cwd=/tmp 'user="uid": 1000, "gid": 1000' 'env="PATH=/bin", "FOO=bar"' readonly=true hostname=h1
	rt run --bundle "$D/bundle" "$ID"
	expected=$(printf '%s\n' /tmp 1000 1000 bar h1 $'NoNewPrivs:\t1' $'CapEff:\t0000000000000000' $'CapBnd:\t00000000200004eb' 0 root-ro sys-ro)
	sorted_out=$(sort "$D/out/info")
	sorted_exp=$(sort <<<"$expected")
	if [ "$sorted_out" != "$sorted_exp" ]; then
		echo "# got: $(tr '\n' '|' <"$D/out/info")" >&3
		false
	fi
}

@test "hooks run in order with the state on stdin: prestart, createRuntime at create; poststart at start; poststop at delete" {
	cat >"$D/hook" <<HOOK
#!/bin/sh
echo "\$1 \$(tr -d ' \n\t' | grep -o '"id":"[^"]*"')" >> $D/hooks.log
HOOK
	chmod +x "$D/hook"
	h=$D/hook
	config '["sleep", "100"]' "hooks={\"prestart\": [{\"path\": \"$h\", \"args\": [\"hook\", \"prestart\"]}], \"createRuntime\": [{\"path\": \"$h\", \"args\": [\"hook\", \"createRuntime\"]}], \"poststart\": [{\"path\": \"$h\", \"args\": [\"hook\", \"poststart\"]}], \"poststop\": [{\"path\": \"$h\", \"args\": [\"hook\", \"poststop\"]}]}"
	rt create --bundle "$D/bundle" "$ID"
	[ "$(cut -d' ' -f1 "$D/hooks.log" | tr '\n' ' ')" = "prestart createRuntime " ]
	rt start "$ID"
	[ "$(cut -d' ' -f1 "$D/hooks.log" | tr '\n' ' ')" = "prestart createRuntime poststart " ]
	rt kill "$ID" KILL
	wait_status stopped
	rt delete "$ID"
	[ "$(cut -d' ' -f1 "$D/hooks.log" | tr '\n' ' ')" = "prestart createRuntime poststart poststop " ]
	[ "$(cut -d' ' -f2 "$D/hooks.log" | sort -u)" = "\"id\":\"$ID\"" ]
}

@test "a failing createRuntime hook fails create and leaves nothing behind" {
	config '["sleep", "100"]' 'hooks={"createRuntime": [{"path": "/bin/false"}]}'
	run rt create --bundle "$D/bundle" "$ID"
	[ "$status" -ne 0 ]
	run rt state "$ID"
	[ "$status" -ne 0 ]
}

@test "a terminal: the pty master goes to the console socket, the process has it as its stdio" {
	"$RECVTTY" "$D/tty.sock" "$D/tty.out" >"$D/recv.ready" &
	recv=$!
	wait_for "$D/recv.ready"
	config '["sh", "-c", "tty; test -t 0 && test -t 1 && echo ISATTY"]' terminal=true
	rt create --bundle "$D/bundle" --console-socket "$D/tty.sock" "$ID"
	rt start "$ID"
	wait "$recv"
	wait_status stopped
	grep -q '^/dev/pts/[0-9]' "$D/tty.out"
	grep -q ISATTY "$D/tty.out"
}

@test "exec runs a command in the running container and ends as it ended" {
	config '["sh", "-c", "echo inside > /out/marker; sleep 100"]'
	rt create --bundle "$D/bundle" "$ID"
	rt start "$ID"
	wait_for "$D/out/marker"
	run rt exec "$ID" cat /out/marker
	[ "$status" -eq 0 ]
	[ "$output" = inside ]
	run rt exec "$ID" sh -c 'exit 5'
	[ "$status" -eq 5 ]
}

@test "pause and resume: paused, then running again" {
	config '["sleep", "100"]'
	rt create --bundle "$D/bundle" "$ID"
	rt start "$ID"
	rt pause "$ID"
	[ "$(status_of)" = paused ]
	rt resume "$ID"
	[ "$(status_of)" = running ]
}

@test "list shows the container" {
	config '["sleep", "100"]'
	rt create --bundle "$D/bundle" "$ID"
	run rt list
	[ "$status" -eq 0 ]
	[[ $output == *"$ID"* ]]
}
