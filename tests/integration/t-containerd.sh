#!/usr/bin/env bash
# ctrun under containerd 1.6 (`ctr run --runc-binary ctrun`, through containerd-shim-runc-v2, as
# Kubernetes' CRI plugin would run it): an image imported from a tarball made here (an OCI
# image layout: one layer, a busybox rootfs; then a Debian 12 sysvinit guest), ctr run with and
# without --rm, ctr task exec, pause/resume, kill, delete; and the sysvinit guest stopped by
# `ctr task kill` (SIGTERM, which sysvinit ignores) gracefully through
# org.ct.shutdown-method=sysvinit. containerd runs with this test's own root, state and socket.
. "$(dirname "$0")/lib.sh"
[ "${CT_SKIP_SLOW:-0}" != 1 ] || skip "CT_SKIP_SLOW=1 (boots a real Debian guest under containerd)"
command -v containerd >/dev/null || skip "needs containerd (apt-get install containerd)"
command -v containerd-shim-runc-v2 >/dev/null || skip "needs containerd's runc shim"
CTRUN=$CT_BINDIR/ctrun
SOCK=$T/containerd.sock
C=(ctr -a "$SOCK" -n ct-test)
containerd --root "$T/cd-root" --state "$T/cd-state" --address "$SOCK" \
	--config /dev/null >"$T/containerd.log" 2>&1 &
CD=$!
cd_cleanup() {
	set +e
	local t
	for t in $("${C[@]}" task ls -q 2>/dev/null); do
		"${C[@]}" task kill -s KILL "$t"
		"${C[@]}" task delete -f "$t"
	done >/dev/null 2>&1
	for t in $("${C[@]}" containers ls -q 2>/dev/null); do "${C[@]}" containers rm "$t"; done
	kill "$CD" 2>/dev/null
	wait "$CD" 2>/dev/null
	grep " $T" /proc/self/mountinfo | cut -d" " -f5 | sort -r | xargs -r -n1 umount -l 2>/dev/null
	set -e
}
EXTRA_CLEANUP=cd_cleanup
wait_for 30 test -S "$SOCK" || fail "containerd did not start: $(tail -n 5 "$T/containerd.log")"

# image DIR NAME: an OCI image layout tarball of the rootfs DIR, imported as NAME.
image() {
	local dir=$1 name=$2 img=$T/img-$RANDOM layer config manifest
	mkdir -p "$img/blobs/sha256"
	tar -C "$dir" -cf "$img/layer.tar" .
	layer=$(sha256sum "$img/layer.tar" | cut -d' ' -f1)
	mv "$img/layer.tar" "$img/blobs/sha256/$layer"
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$layer" >"$img/config"
	config=$(sha256sum "$img/config" | cut -d' ' -f1)
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}' \
		"$config" "$(stat -c %s "$img/config")" "$layer" "$(stat -c %s "$img/blobs/sha256/$layer")" \
		>"$img/manifest"
	manifest=$(sha256sum "$img/manifest" | cut -d' ' -f1)
	mv "$img/config" "$img/blobs/sha256/$config"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"1"}}]}' \
		"$manifest" "$(stat -c %s "$img/manifest")" "$name" >"$img/index.json"
	mv "$img/manifest" "$img/blobs/sha256/$manifest"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$img/oci-layout"
	tar -C "$img" -cf "$img.tar" oci-layout index.json blobs
	rm -rf "$img"
	"${C[@]}" images import "$img.tar" >/dev/null || fail "ctr images import of $name"
	rm -f "$img.tar"
}
image "$ROOTFS" docker.io/library/ct-busybox:1
expect_match "ctr images import: the image made here" 'ct-busybox:1' "$("${C[@]}" images ls -q)"
run_ctr() { "${C[@]}" run --runc-binary "$CTRUN" "$@"; }

out=$(run_ctr --rm docker.io/library/ct-busybox:1 c1 sh -c 'echo hello; hostname')
expect_match "ctr run --rm: the command ran under ctrun" '^hello' "$out"

run_ctr -d docker.io/library/ct-busybox:1 c2 sleep 1000 >/dev/null
expect_match "ctr task ls: running" '^c2 +[0-9]+ +RUNNING' "$("${C[@]}" task ls)"
[ -f /run/containerd/runc/ct-test/c2/state ] || fail "no ctrun state in /run/containerd/runc/ct-test/c2"
expect_eq "ctr task exec: its output" inside "$("${C[@]}" task exec --exec-id e1 c2 sh -c 'echo inside')"
"${C[@]}" task pause c2
expect_match "ctr task pause: paused" '^c2 +[0-9]+ +PAUSED' "$("${C[@]}" task ls)"
"${C[@]}" task resume c2
expect_match "ctr task resume: running" '^c2 +[0-9]+ +RUNNING' "$("${C[@]}" task ls)"
"${C[@]}" task kill -s KILL c2
wait_for 10 sh -c "${C[*]} task ls | grep -Eq '^c2 +[0-9]+ +STOPPED'" || fail "c2 did not stop on SIGKILL"
ok "ctr task kill -s KILL: stopped"
"${C[@]}" task delete c2 >/dev/null
"${C[@]}" containers rm c2
# The shim keeps ctrun's state under its --root, /run/containerd/runc/NAMESPACE
[ ! -e /run/containerd/runc/ct-test/c2 ] || fail "ctrun's state of c2 is left"
ok "ctr task delete, containers rm: gone, with ctrun's state"

sysvinit_guest "$T/deb" /run/ct-marker-dir/marker
image "$T/deb" docker.io/library/ct-sysvinit:1
mkdir -p "$T/marker"
run_ctr -d --cap-add CAP_SYS_BOOT --annotation org.ct.shutdown-method=sysvinit \
	--mount "type=bind,src=$T/marker,dst=/run/ct-marker-dir,options=rbind:rw" \
	docker.io/library/ct-sysvinit:1 sv /sbin/init >/dev/null
booted() { "${C[@]}" task exec --exec-id "rl$RANDOM" sv /sbin/runlevel 2>/dev/null | grep -q ' 2$'; }
wait_for 60 booted || fail "the guest did not reach runlevel 2"
ok "the Debian sysvinit guest booted under containerd"
t0=$(date +%s%N)
"${C[@]}" task kill sv
wait_for 90 sh -c "${C[*]} task ls | grep -Eq '^sv +[0-9]+ +STOPPED'" ||
	fail "the guest did not stop within 90 s of ctr task kill"
t1=$(date +%s%N)
expect_eq "ctr task kill (SIGTERM): the guest ran its own shutdown scripts" \
	"shut down by its own scripts" "$(cat "$T/marker/marker" 2>/dev/null || echo none)"
ok "ctr task kill: the sysvinit guest stopped gracefully in $(((t1 - t0) / 1000000)) ms"
"${C[@]}" task delete sv >/dev/null
"${C[@]}" containers rm sv
[ -z "$(ls -A /run/containerd/runc/ct-test 2>/dev/null)" ] ||
	fail "ctrun state left: $(ls -A /run/containerd/runc/ct-test)"
assert_clean
