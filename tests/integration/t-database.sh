#!/usr/bin/env bash
# The proof on a real database: a Debian 12 sysvinit guest with PostgreSQL 15, on a veth in a
# bridge of a network namespace this test makes. A client on the host side writes rows over TCP
# (psql -h), each one acknowledged (committed) before the next; ctexec runs pg_dump inside;
# ctstop stops the guest while the writes go on. The console log must show the guest's own
# shutdown of PostgreSQL, the server's log a clean shutdown; the restart must find no crash to
# recover from and every acknowledged row. Skipped only when the guest cannot be built here (no
# Debian mirror) or the host lacks the PostgreSQL client.
. "$(dirname "$0")/lib.sh"
[ "${CT_SKIP_SLOW:-0}" != 1 ] || skip "CT_SKIP_SLOW=1 (boots a real Debian guest with PostgreSQL)"
command -v psql >/dev/null || skip "needs the PostgreSQL client on the host (apt-get install postgresql-client)"
command -v ip >/dev/null || skip "needs ip (iproute2)"
BUILD=$CT_SRCDIR/tests/integration/debian-rootfs.sh
NS=ctdb-$$
ip netns add "$NS" || skip "cannot make a network namespace"
EXTRA_CLEANUP='ip netns del $NS 2>/dev/null || true'
in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
NCT() { in_ns "$CT_BINDIR/$1" --rundir "$RUNDIR" "${@:2}"; }
in_ns ip link set lo up
in_ns ip link add br0 type bridge
in_ns ip addr add 10.66.0.1/24 dev br0
in_ns ip link set br0 up

rc=0
"$BUILD" postgres "$T/pg" >"$T/build.log" 2>&1 || rc=$?
[ "$rc" = 77 ] && skip "cannot build the Debian PostgreSQL guest here: $(tail -n 1 "$T/build.log")"
[ "$rc" = 0 ] || fail "building the guest: $(tail -n 5 "$T/build.log")"
PGLOG=$(echo "$T"/pg/var/log/postgresql/postgresql-*-main.log)
conf=$T/db.conf
cat >"$conf" <<CONF
rootfs = $T/pg
env = TERM=linux
mount = tmpfs /run tmpfs rw,nosuid,nodev,mode=755
net.0.type = veth
net.0.link = br0
net.0.ipv4 = 10.66.0.2/24
net.0.ipv4.gateway = 10.66.0.1
CONF
sql() { in_ns psql -h 10.66.0.2 -U postgres -XAtq -c "$1" postgres 2>/dev/null; }
ready() { [ "$(sql 'select 1')" = 1 ]; }

NCT ctstart -n db -f "$conf" -d
wait_for 120 ready || fail "PostgreSQL is not reachable over TCP: $(tail -n 5 "$PGLOG" 2>/dev/null)"
ok "PostgreSQL answers a client on the host side over TCP (10.66.0.2 on the bridge)"
expect_match "ctinfo shows the address" "network: +eth0 10\.66\.0\.2/24" "$(NCT ctinfo -n db)"
sql "create table acked (id int primary key, note text)" >/dev/null

# The writer: one committed insert after another, each id recorded once acknowledged.
: >"$T/acked"
(
	i=0
	while i=$((i + 1)); do
		in_ns psql -h 10.66.0.2 -U postgres -XAtq -c "insert into acked values ($i, 'row $i')" \
			postgres >/dev/null 2>&1 || exit 0
		echo "$i" >>"$T/acked"
	done
) &
writer=$!
EXTRA_CLEANUP="$EXTRA_CLEANUP; kill $writer 2>/dev/null || true"
wait_for 60 sh -c "[ \$(wc -l <'$T/acked') -ge 200 ]" || fail "the writes do not get through"

# A backup through ctexec, as the database's user, while the writes go on.
NCT ctexec -n db -u postgres -- pg_dump -t acked postgres >"$T/dump.sql" 2>"$T/dump.err" ||
	fail "ctexec pg_dump: $(cat "$T/dump.err")"
expect_match "ctexec ran pg_dump inside, as postgres" "CREATE TABLE public.acked" "$(cat "$T/dump.sql")"

lines=$(wc -l <"$PGLOG")
t0=$(date +%s%N)
run_rc rc NCT ctstop -n db -t 60 2>"$T/stop"
t1=$(date +%s%N)
wait "$writer" || true
acked=$(wc -l <"$T/acked")
expect_eq "ctstop under a write load: graceful" 0 "$rc"
expect_match "by the guest's own halt" "stopped gracefully in [0-9.]+ s: init halted" "$(cat "$T/stop")"
echo "# database: $acked rows acknowledged; stop took $(((t1 - t0) / 1000000)) ms; $(cat "$T/stop")"
log=$RUNDIR/db.log
expect_match "the console log shows the guest stopping PostgreSQL" \
	"Stopping PostgreSQL [0-9]+ database server: main" "$(cat "$log")"
tr -d '\r' <"$log" | grep -E "Stopping PostgreSQL|Will now halt" | head -n 4 |
	while read -r line; do echo "# console: $line"; done
expect_match "the server shut down cleanly" "database system is shut down" "$(tail -n +"$((lines + 1))" "$PGLOG")"

lines=$(wc -l <"$PGLOG")
NCT ctstart -n db -f "$conf" -d
wait_for 120 ready || fail "PostgreSQL did not come back: $(tail -n 5 "$PGLOG")"
restart=$(tail -n +"$((lines + 1))" "$PGLOG")
expect_match "the restart found a clean shutdown" "database system was shut down at" "$restart"
if printf '%s' "$restart" | grep -Eq 'interrupted|automatic recovery|redo starts'; then
	fail "the restart ran crash recovery: $restart"
fi
ok "no crash recovery at the restart"
ids=$(paste -sd, "$T/acked")
expect_eq "every acknowledged row is there ($acked)" "$acked" "$(sql "select count(*) from acked where id in ($ids)")"
run_rc rc NCT ctstop -n db -t 60 2>/dev/null
expect_eq "and it stops gracefully again" 0 "$rc"
expect_eq "no veth of it is left" "" "$(in_ns ip -o link show type veth | grep vct || true)"
assert_clean
