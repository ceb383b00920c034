# nested-lib.sh: what the nested tests share (sourced after lib.sh): a Debian guest with ct
# installed in it, and busybox inner containers that log their start and graceful stop.
# shellcheck shell=bash

# build_host FLAVOUR: G, a Debian 12 guest of that flavour (debian-rootfs.sh) with ct installed
# in it (the staged `make install`, and the libraries it links that minbase lacks); bindir and
# unitdir, where ct's tools and units are inside it. Skips the test when no guest can be built.
build_host() {
	local rc=0 lib
	G=$T/guest
	"$CT_SRCDIR/tests/integration/debian-rootfs.sh" "$1" "$G" >"$T/build.log" 2>&1 || rc=$?
	[ "$rc" != 77 ] || skip "no Debian guest can be built here: $(tail -n 1 "$T/build.log")"
	[ "$rc" = 0 ] || fail "building the $1 guest failed: $(tail -n 5 "$T/build.log")"
	ok "a Debian 12 $1 guest is built"
	tar -C "$CT_STAGE" -c . | tar -C "$G" -x --keep-directory-symlink
	for lib in $(ldd "$CT_BINDIR/ctstart" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
		[ -e "$G$lib" ] || cp -L "$lib" "$G$lib"
	done
	# shellcheck disable=SC2034 # for the tests that source this
	bindir=${CT_BINDIR#"$CT_STAGE"} unitdir=${CT_UNITDIR#"$CT_STAGE"}
	[ -x "$G$bindir/ctstart" ] || fail "ct is not installed in the guest"
	ok "ct is installed in the guest ($bindir)"
}

# inner NAME BASE ORDER DELAY STOP: an inner container: busybox, init a shell that notes its start
# and its graceful stop (kernel uptime: one clock for all of them) in its own log,
# /var/log/lifecycle; its stop takes STOP seconds. Its rootfs is owned by BASE, where its id range
# (20000 ids) starts: the outer sees on-disk ids as they are (its rootfs is idmapped
# 0:HOST:65536, so on-disk 10000 is its 10000). Autostart, group db, start.order ORDER,
# start.delay DELAY.
inner() {
	local name=$1 base=$2 order=$3 delay=$4 stop=$5 r=$G/srv/$1
	mkdir -p "$r"/{bin,sbin,proc,sys,dev,tmp,etc,run,var/log}
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in sh sleep cut cat echo chmod stat; do ln -sf busybox "$r/bin/$a"; done
	cat >"$r/sbin/init" <<'EOF'
#!/bin/sh
up() { read -r u _ </proc/uptime; } # into $u, without a fork
trap 'up; echo "$u graceful-stop"; sleep $STOP; up; echo "$u stopped" >>/var/log/lifecycle; exit 0' TERM
up; echo "$u start" >>/var/log/lifecycle
while :; do sleep 1 & wait $!; done
EOF
	chmod 755 "$r/sbin/init"
	chown -R -h "$base:$base" "$r"
	mkdir -p "$G/etc/ct"
	cat >"$G/etc/ct/$name.conf" <<EOF
rootfs = /srv/$name
init = /sbin/init
shutdown_method = application
shutdown_timeout = 20
idmap = u 0 $base 20000
idmap = g 0 $base 20000
env = STOP=$stop
autostart = yes
group = db
start.order = $order
start.delay = $delay
EOF
}

# lifecycle NAME: the inner container's own log, one line.
lifecycle() { tr '\n' ' ' <"$G/srv/$1/var/log/lifecycle" 2>/dev/null | sed 's/ $//'; }
# nth_time NAME WORD N: the uptime of the Nth WORD line in its log.
nth_time() { awk -v w="$2" -v n="$3" '$2 == w && ++c == n { print $1 }' "$G/srv/$1/var/log/lifecycle"; }
# inside CMD...: run in the outer guest.
inside() { ct ctexec -n outer -- "$@"; }
# started_in_order N: the Nth start of db1 and db2, db2 at least db1's 1 s start.delay later
# (less 0.2 s: the delay runs from db1's exec, its line comes once its shell runs; without the
# delay the two would be a few ms apart).
has_starts() { [ -n "$(nth_time db1 start "$1")" ] && [ -n "$(nth_time db2 start "$1")" ]; }
started_in_order() {
	local n=$1 t1 t2
	wait_for 20 has_starts "$n" || true # RUNNING comes at init's exec, the line a moment later
	t1=$(nth_time db1 start "$n") t2=$(nth_time db2 start "$n")
	if [ -z "$t1" ] || [ -z "$t2" ]; then
		fail "boot $n: no start line: db1 '$(lifecycle db1)' db2 '$(lifecycle db2)'"
	fi
	awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b - a >= 0.8) }' ||
		fail "boot $n: db2 started at $t2, not 1 s (db1's start.delay) after db1 ($t1)"
	ok "boot $n: autostarted in order: db1 at $t1, db2 at $t2 (after db1's start.delay)"
}
# stopped_in_reverse: db2 (started after db1) stopped first, both gracefully, at the first stop.
stopped_in_reverse() {
	local n s1 s2
	for n in db1 db2; do
		expect_match "$n stopped gracefully at the power-off (its log: $(lifecycle $n))" \
			"start [0-9.]+ stopped" "$(lifecycle $n)"
	done
	s1=$(nth_time db1 stopped 1) s2=$(nth_time db2 stopped 1)
	awk -v a="$s1" -v b="$s2" 'BEGIN { exit !(b <= a) }' ||
		fail "db2 (started after db1) stopped at $s2, after db1 ($s1)"
	ok "stopped in the reverse order: db2 at $s2, then db1 at $s1"
}
