#!/usr/bin/env bash
# bench/report.sh -- turns the raw outputs of a bench/run.sh run (DIR/data: the scripts' *.sum
# summaries, stop.raw, scale.tsv, syscalls.txt, and meta.sh, what run.sh recorded about the run
# and the machine) into DIR/results.md and the plots DIR/stop-latency.png and DIR/scale.png.
# bench/run.sh calls it at the end; run it again to redo the tables and plots of a run (after
# changing this script, or on another machine with gnuplot) without measuring anything.
set -euo pipefail
export LC_ALL=C

PROG=${0##*/}
BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

usage() {
	cat <<EOF
Usage: $PROG [-h] DIR

Writes DIR/results.md and, with gnuplot, DIR/stop-latency.png and DIR/scale.png from the raw
outputs bench/run.sh left in DIR/data (DIR/data/meta.sh describes the run). Measures nothing.
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$BENCH_DIR/lib.sh"

OUT=
while (($#)); do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; die "unknown option: $1" ;;
	*) [[ -z $OUT ]] || die "one DIR only"; OUT=$1; shift ;;
	esac
done
[[ -n $OUT ]] || { usage >&2; die "which run? (the --out DIR of bench/run.sh)"; }
[[ -d $OUT ]] || die "no such directory: $OUT"
OUT=$(cd -- "$OUT" && pwd)
DATA=$OUT/data
[[ -r $DATA/meta.sh ]] || die "$DATA/meta.sh is missing: not the output of bench/run.sh"
# What run.sh recorded: ARGS, DATE, TOTAL_S, the machine and versions, RUNS, WARM, SIZES, PAR,
# LXC_MAX, QUICK, DO_SCALE, DO_SYSCALLS, HAVE_STRACE, LOAD_BEGIN, LOAD_END, MISSING, RC.
DATE=''
MISSING=()
declare -A RC=()
# shellcheck disable=SC1091
. "$DATA/meta.sh"
HAVE_GNUPLOT=1
command -v gnuplot >/dev/null 2>&1 || HAVE_GNUPLOT=0

# ----------------------------------------------------------------- helpers ---
# sv FILE KEY: a value of a summary file, or "-"
sv() { if [[ -r $1 ]]; then awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; f = 1; exit } END { if (!f) print "-" }' "$1"; else echo -; fi; }
# cell FILE PREFIX: "median (min-max)" in ms from PREFIX_{median,min,max}_ms
cell() {
	local m lo hi
	m=$(sv "$1" "${2}_median_ms") lo=$(sv "$1" "${2}_min_ms") hi=$(sv "$1" "${2}_max_ms")
	if [[ $m == - ]]; then echo -; return; fi
	awk -v m="$m" -v lo="$lo" -v hi="$hi" 'BEGIN { printf "%.2f ms (%.2f–%.2f)", m, lo, hi }'
}
# met RATIO LIMIT [lt]: yes / no / n/a (RATIO <= LIMIT, or < with lt)
met() {
	awk -v r="$1" -v l="$2" -v lt="${3:-}" 'BEGIN {
		if (r == "n/a" || r == "-" || r == "") { print "n/a"; exit }
		ok = (lt == "lt") ? (r + 0 < l + 0) : (r + 0 <= l + 0)
		print ok ? "**yes**" : "**no**" }'
}
xr() { [[ $1 == n/a ]] && echo n/a || echo "${1}×"; }
# tsv N TOOL COLUMN: a value of the scale data
tsv() {
	[[ -r $DATA/scale.tsv ]] || { echo -; return; }
	awk -F '\t' -v n="$1" -v t="$2" -v c="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == n && $2 == t { v = $(col[c]); f = 1 } END { print f ? v : "-" }' "$DATA/scale.tsv"
}

# ------------------------------------------------------------ results.md ---
S=$DATA/start.sum D=$DATA/daemon.sum P=$DATA/stop.sum Y=$DATA/syscalls.sum
NOTES=()
for s in "${!RC[@]}"; do
	if ((RC[$s] != 0)); then NOTES+=("bench/$s.sh exited ${RC[$s]} (see data/$s.txt): its rows may be incomplete or show a ct failure."); fi
done

r_start_lxc=$(ratio "$(sv "$S" ct_median_ms)" "$(sv "$S" lxc_median_ms)")
r_start_bare=$(ratio "$(sv "$S" ct_median_ms)" "$(sv "$S" bare_median_ms)")
r_start_priv=$(ratio "$(sv "$S" ctpriv_median_ms)" "$(sv "$S" lxc_median_ms)")
# The cost of the user namespace (issue 10): default mode minus privileged mode, in ms.
d_userns=$(awk -v a="$(sv "$S" ct_median_ms)" -v b="$(sv "$S" ctpriv_median_ms)" \
	'BEGIN { if (a == "-" || b == "-") print "n/a"; else printf "%+.2f", a - b }')
r_dapp=$(ratio "$(sv "$D" ct_app_median_ms)" "$(sv "$D" lxc_exec_median_ms)")
r_dsys=$(ratio "$(sv "$D" ct_sys_median_ms)" "$(sv "$D" lxc_start_median_ms)")
r_dapp_start=$(ratio "$(sv "$D" ct_app_median_ms)" "$(sv "$D" lxc_start_median_ms)")
r_stop=$(ratio "$(sv "$P" ct_median_ms)" "$(sv "$P" lxc_median_ms)")
r_pss=$(ratio "$(sv "$P" ct_pss_kib)" "$(sv "$P" lxc_pss_kib)")
if [[ $(sv "$P" ct_label) == ct-force ]]; then
	NOTES+=("ctstop has no graceful --timeout: the stop row is 'ctstop --force', not comparable.")
fi

# The scale row: the largest N measured.
read -r -a NS <<<"${SIZES//,/ }"
NMAX=0
for n in "${NS[@]}"; do ((n > NMAX)) && NMAX=$n; done
sc_start=$(tsv "$NMAX" ct start_s) sc_gone=$(tsv "$NMAX" ct gone_s)
sc_lstart=$(tsv "$NMAX" lxc start_s) sc_lgone=$(tsv "$NMAX" lxc gone_s)
left() { # N TOOL -> leftovers, with the non-zero parts of the detail
	local l d
	l=$(tsv "$1" "$2" leftovers) d=$(tsv "$1" "$2" leftover_detail)
	if [[ $l =~ ^[0-9]+$ ]] && ((l > 0)); then
		printf '%s (%s)\n' "$l" "$(tr ',' '\n' <<<"$d" | grep -v '=0$' | paste -sd, - | sed 's/,/, /g')"
	else
		echo "$l"
	fi
}
ct_fail() { # N TOOL -> failures: failed starts + not RUNNING + stops not graceful
	local n=$1 t=$2 sf run g
	sf=$(tsv "$n" "$t" start_failed) run=$(tsv "$n" "$t" running) g=$(tsv "$n" "$t" stop_graceful)
	if [[ $sf == - ]]; then echo -; return; fi
	awk -v n="$n" -v sf="$sf" -v r="$run" -v g="$g" 'BEGIN {
		if (g !~ /^[0-9]+$/) { printf "%d + stop: %s\n", sf + (n - r), g; exit }
		print sf + (n - r) + (r - g) }'
}
sc_fail=$(ct_fail "$NMAX" ct) sc_lfail=$(ct_fail "$NMAX" lxc)
sc_left=$(tsv "$NMAX" ct leftovers) sc_lleft=$(left "$NMAX" lxc)
sc_mode=$(tsv "$NMAX" ct stop_mode)
if [[ $sc_mode == "ctstop -n NAME"* ]]; then
	NOTES+=("This ctstop has no \`--all\` yet: the scale stops used the fallback, one \`ctstop -n NAME -t 10\` per container, all started at once (as for LXC's lxc-stop). Rerun when \`ctstop --all\` has landed.")
fi
# Targets at N = 1000 only.
tgt_ok() { # VALUE LIMIT
	if [[ ! -r $DATA/scale.tsv ]]; then echo "n/a (not run)"; return; fi
	if ((NMAX != 1000)); then echo "n/a (N=$NMAX)"; return; fi
	[[ $1 =~ ^[0-9.]+$ ]] || { echo "**no**"; return; }
	met "$1" "$2" lt
}
zero_ok() { # VALUE -> met for "must be 0"
	if [[ ! -r $DATA/scale.tsv ]]; then echo "n/a (not run)"; elif [[ $1 == 0 ]]; then echo "**yes**"; else echo "**no**"; fi
}
fmt_s() { [[ $1 == - ]] && echo - || echo "$1 s"; }

{
	echo "# ct benchmark results"
	echo
	echo "Generated by \`bench/run.sh${ARGS[*]:+ ${ARGS[*]}}\` ($([[ $QUICK == 1 ]] && echo "quick mode" || echo "full mode")) on $DATE, in ${TOTAL_S} s."
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| kernel | $KERNEL |"
	echo "| CPUs | $CPUS |"
	echo "| memory | $MEM |"
	echo "| ct | \`$CT_DESC\` ($CT_VER), $CT_BINDIR |"
	echo "| LXC | $LXC_VER |"
	echo "| busybox | $BB_VER |"
	echo "| strace, gnuplot | $STRACE_VER; $GNUPLOT_VER |"
	echo "| runs | $RUNS measured + $WARM warm-up per tool, tools alternating; scale sizes $SIZES, $([[ $PAR == 1 ]] && echo "sequential starts" || echo "starts $PAR at a time"), LXC up to N=$LXC_MAX |"
	echo "| load average | $LOAD_BEGIN before the suite, $LOAD_END after it (after includes the suite's own parallel stops) |"
	echo
	echo "## Targets (issue 6)"
	echo
	echo "Medians with (min–max); ratio = ct / LXC of the medians (of the bare floor where stated)."
	echo
	echo "| metric | ct | LXC | bare | ratio | target | met |"
	echo "|---|---|---|---|---|---|---|"
	echo "| start-to-exit of \`/bin/true\`, app container: \`ctstart\` vs \`lxc-execute\` | $(cell "$S" ct) | $(cell "$S" lxc) | $(cell "$S" bare) | $(xr "$r_start_lxc") | ≤ 0.8× lxc-execute | $(met "$r_start_lxc" 0.8) |"
	echo "| start-to-exit of \`/bin/true\`, privileged mode (\`idmap = none\`) vs \`lxc-execute\` | $(cell "$S" ctpriv) | $(cell "$S" lxc) | | $(xr "$r_start_priv") | ≤ 0.8× lxc-execute | $(met "$r_start_priv" 0.8) |"
	echo "| cost of the user namespace: default minus privileged mode (medians) | $d_userns ms | | | | ≤ +1 ms | $(awk -v d="$d_userns" 'BEGIN { if (d == "n/a") print "n/a"; else print (d + 0 <= 1 ? "**yes**" : "**no**") }') |"
	echo "| start-to-exit of \`/bin/true\` vs the bare floor (\`unshare -fpmuin\` + chroot) | $(cell "$S" ct) | | $(cell "$S" bare) | $(xr "$r_start_bare") | ≤ 2× bare | $(met "$r_start_bare" 2) |"
	echo "| \`ctstart -d\` until RUNNING, system container (init = shell loop) vs \`lxc-start -d\` | $(cell "$D" ct_sys) | $(cell "$D" lxc_start) | | $(xr "$r_dsys") | ≤ 0.8× lxc-start | $(met "$r_dsys" 0.8) |"
	echo "| \`ctstart -d\` until RUNNING, app container (ctinit runs the loop) vs \`lxc-execute -d\` | $(cell "$D" ct_app) | $(cell "$D" lxc_exec) | | $(xr "$r_dapp") | ≤ 0.8× | $(met "$r_dapp" 0.8) |"
	echo "| graceful stop of a cooperative container: \`ctstop -t 10\` vs \`lxc-stop -t 10\` | $(cell "$P" ct) | $(cell "$P" lxc) | | $(xr "$r_stop") | ≤ 0.5× lxc-stop | $(met "$r_stop" 0.5) |"
	echo "| monitor memory, one container: PSS (RSS) | $(sv "$P" ct_pss_kib) KiB ($(sv "$P" ct_rss_kib)) | $(sv "$P" lxc_pss_kib) KiB ($(sv "$P" lxc_rss_kib)) | | $(xr "$r_pss") | PSS ≤ 0.5× lxc monitor | $(met "$r_pss" 0.5) |"
	echo "| scale: $NMAX containers started with \`ctstart -d\` / \`lxc-start -d\` | $(fmt_s "$sc_start") | $(fmt_s "$sc_lstart") | | $(xr "$(ratio "$sc_start" "$sc_lstart")") | < 15 s (N=1000) | $(tgt_ok "$sc_start" 15) |"
	echo "| scale: all $NMAX stopped in parallel (until the last monitor exited) | $(fmt_s "$sc_gone") | $(fmt_s "$sc_lgone") | | $(xr "$(ratio "${sc_gone%+}" "${sc_lgone%+}")") | < 3 s (N=1000) | $(tgt_ok "${sc_gone}" 3) |"
	echo "| scale: failures at N=$NMAX (failed starts, not RUNNING, stops not graceful) | $sc_fail | $sc_lfail | | | 0 | $(zero_ok "$sc_fail") |"
	echo "| scale: left behind at N=$NMAX (processes, run dirs, cgroups, mounts; LXC: + lock files) | $(left "$NMAX" ct) | $sc_lleft | | | nothing | $(zero_ok "$sc_left") |"
	echo
	echo "- Start-to-exit, daemon start and stop: \`bench/start.sh\`, \`bench/daemon.sh\`, \`bench/stop.sh\` (their --help says what exactly is timed). \`ctstart -d\`, \`lxc-start -d\` and \`lxc-execute -d\` all return once the container is RUNNING (LXC 5.0.2 waits for the monitor's state report), so no \`lxc-wait\` is timed; every run's state is checked afterwards (starts that returned early: ct-app $(sv "$D" ct_app_early), ct-sys $(sv "$D" ct_sys_early), lxc-exec $(sv "$D" lxc_exec_early), lxc-start $(sv "$D" lxc_start_early))."
	echo "- The issue's own pairing, \`ctstart -d\` of an application container (ctinit) vs \`lxc-start -d\` (the loop as init): $(xr "$r_dapp_start")."
	echo "- Stops that ended in SIGKILL after the timeout: ct $(sv "$P" ct_killed), LXC $(sv "$P" lxc_killed)."
	echo
	echo "## Exec"
	echo
	X=$DATA/exec.sum
	if [[ -r $X ]]; then
		echo "\`bench/exec.sh\`: \`/bin/true\` run inside a running busybox container until it exited: \`ctexec -T\` (through the monitor, confined as init) vs LXC's \`lxc-attach\` and \`nsenter -a\` into the ct container (no confinement, host capabilities: the floor)."
		echo
		echo "| ctexec | lxc-attach | nsenter | ctexec / lxc-attach | ctexec / nsenter |"
		echo "|---|---|---|---|---|"
		echo "| $(cell "$X" ctexec) | $(cell "$X" attach) | $(cell "$X" nsenter) | $(xr "$(ratio "$(sv "$X" ctexec_median_ms)" "$(sv "$X" attach_median_ms)")") | $(xr "$(ratio "$(sv "$X" ctexec_median_ms)" "$(sv "$X" nsenter_median_ms)")") |"
	else
		echo "Not run."
	fi
	echo
	echo "## Scale"
	echo
	if [[ -r $DATA/scale.tsv ]]; then
		echo "\`bench/scale.sh\`: N containers (init = a shell loop that exits on SIGTERM) started one by one with \`ctstart -d\` / \`lxc-start -d\`, checked RUNNING, then stopped in parallel with a 10 s timeout: ct with \`$sc_mode\`, LXC with one \`lxc-stop -t 10\` per container started at once. Start s: first start issued to last start returned. Stop s: stop issued until the stop command(s) returned / until the last monitor process exited. PSS and RSS per monitor (the shared pages of N monitors divide PSS). Host memory: drop of MemAvailable per container with all N running (noisy on a shared machine). Left: ct monitor processes, run dirs, cgroups, mounts; LXC: processes, cgroups, mounts and the lock files LXC keeps in /run/lxc/lock (everything found is then removed)."
		echo
		echo "| N | ct start s | ct starts/s | ct start ms median (max) | ct stop s (cmd / gone) | ct failures | ct left | ct monitor PSS / RSS KiB each | ct host KiB each | LXC start s | LXC stop s (cmd / gone) | LXC failures | LXC left | LXC monitor PSS / RSS KiB each | LXC host KiB each |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
		for n in "${NS[@]}"; do
			printf '| %s | %s | %s | %s (%s) | %s / %s | %s | %s | %s / %s | %s | %s | %s / %s | %s | %s | %s / %s | %s |\n' "$n" \
				"$(tsv "$n" ct start_s)" "$(tsv "$n" ct start_rate)" "$(tsv "$n" ct start_med_ms)" "$(tsv "$n" ct start_max_ms)" \
				"$(tsv "$n" ct stop_s)" "$(tsv "$n" ct gone_s)" "$(ct_fail "$n" ct)" "$(left "$n" ct)" \
				"$(tsv "$n" ct pss_per_kib)" "$(tsv "$n" ct rss_per_kib)" "$(tsv "$n" ct mem_used_per_kib)" \
				"$(tsv "$n" lxc start_s)" "$(tsv "$n" lxc stop_s)" "$(tsv "$n" lxc gone_s)" "$(ct_fail "$n" lxc)" \
				"$(left "$n" lxc)" "$(tsv "$n" lxc pss_per_kib)" "$(tsv "$n" lxc rss_per_kib)" "$(tsv "$n" lxc mem_used_per_kib)"
		done
		echo
		echo "What was left (per round, before the forced removal):"
		echo
		awk -F '\t' 'NR > 1 { printf "- N=%s %s: %s (%s)\n", $1, $2, $29, $30 }' "$DATA/scale.tsv"
		echo
		echo "Starts slowing down as containers accumulate? Median start of the first and last tenth of each round:"
		echo
		awk -F '\t' 'NR > 1 { printf "- N=%s %s: %s ms → %s ms\n", $1, $2, $8, $9 }' "$DATA/scale.tsv"
		((LXC_MAX >= NMAX)) || echo "- LXC was run only up to N=$LXC_MAX (--lxc-max)."
	else
		echo "Not run$([[ $DO_SCALE == 0 ]] && echo " (--no-scale)")."
	fi
	echo
	echo "## Host shutdown"
	echo
	H=$DATA/shutdown.sum
	if [[ -r $H ]]; then
		echo "\`bench/shutdown.sh\`: N running containers whose init exits $(sv "$H" stop_delay_s) s after SIGTERM, stopped by one command with a $(sv "$H" timeout_s) s timeout, as a host shutdown does: \`$(sv "$H" ct_stop_cmd)\` (all in parallel) vs \`$(sv "$H" lxc_stop_cmd)\` (LXC 5.0.2, what Debian's lxc.service runs at shutdown). Stop s: the stop command's wall time. Killed: containers that ended by SIGKILL."
		echo
		echo "| N | ct stop s | ct killed | LXC stop s | LXC killed | LXC / ct |"
		echo "|---|---|---|---|---|---|"
		for n in $(sv "$H" sizes); do
			echo "| $n | $(sv "$H" "ct_n${n}_stop_s") | $(sv "$H" "ct_n${n}_killed")/$n | $(sv "$H" "lxc_n${n}_stop_s") | $(sv "$H" "lxc_n${n}_killed")/$n | $(xr "$(ratio "$(sv "$H" "lxc_n${n}_stop_s")" "$(sv "$H" "ct_n${n}_stop_s")")") |"
		done
	else
		echo "Not run."
	fi
	echo
	echo "## OCI runtime: ctrun vs crun vs runc"
	echo
	O=$DATA/oci.sum
	if [[ -r $O ]]; then
		echo "\`bench/oci.sh\`: medians in ms. run: \`RUNTIME run --bundle B ID\` of /bin/true, start to exit. podman run: \`podman --runtime RUNTIME run --rm --rootfs R /bin/true\` (Podman 4.3, conmon, cgroupfs). podman stop: \`podman stop -t $(sv "$O" podman_stop_timeout_s)\` of a Debian 12 sysvinit guest; ctrun with \`org.ct.shutdown-method=sysvinit\`, crun and runc deliver Podman's SIGRTMIN+3, which sysvinit ignores."
		echo
		echo "| runtime | run ms | podman run ms | podman stop ms | killed |"
		echo "|---|---|---|---|---|"
		for rt in ctrun crun runc; do
			echo "| $rt | $(sv "$O" "run_${rt}_ms") | $(sv "$O" "podman_run_${rt}_ms") | $(sv "$O" "podman_stop_${rt}_ms") | $(sv "$O" "podman_stop_${rt}_killed") |"
		done
	else
		echo "Not run."
	fi
	echo
	echo "## Plots"
	echo
	if ((HAVE_GNUPLOT)); then
		echo "![stop latency](stop-latency.png)"
		echo
		echo "\`stop-latency.png\`: the distribution (CDF) of every measured graceful stop of \`bench/stop.sh\`, ct vs LXC."
		echo
		if [[ -r $DATA/scale.tsv ]]; then
			echo "![scale](scale.png)"
			echo
			echo "\`scale.png\`: containers vs total start time and total parallel stop time (until the last monitor exited), ct and LXC."
		fi
	else
		echo "gnuplot is not installed (apt-get install gnuplot-nox): no plots; the data is in data/stop.raw and data/scale.tsv."
	fi
	echo
	echo "## Syscalls"
	echo
	if [[ -r $Y ]]; then
		echo "\`bench/syscalls.sh\` (strace; counts, not times):"
		echo
		echo "| | ct | LXC | ratio |"
		echo "|---|---|---|---|"
		echo "| start-to-exit of \`/bin/true\` (ctstart / lxc-execute), all processes | $(sv "$Y" app_ct_total) ($(sv "$Y" app_ct_procs) processes) | $(sv "$Y" app_lxc_total) ($(sv "$Y" app_lxc_procs) processes) | $(xr "$(ratio "$(sv "$Y" app_ct_total)" "$(sv "$Y" app_lxc_total)")") |"
		echo "| background start until RUNNING (ctstart -d / lxc-start -d) | $(sv "$Y" daemon_ct_up) | $(sv "$Y" daemon_lxc_up) | $(xr "$(ratio "$(sv "$Y" daemon_ct_up)" "$(sv "$Y" daemon_lxc_up)")") |"
		echo "| then idle + graceful stop (ctstop / lxc-stop) | $(sv "$Y" daemon_ct_after) | $(sv "$Y" daemon_lxc_after) | $(xr "$(ratio "$(sv "$Y" daemon_ct_after)" "$(sv "$Y" daemon_lxc_after)")") |"
		echo
		echo "Per process and phase, and the strace -c summaries:"
		echo
		echo '```text'
		sed -n '/^== /,$p' "$DATA/syscalls.txt"
		echo '```'
	else
		echo "Not run$([[ $HAVE_STRACE == 0 ]] && echo " (strace is not installed)")$([[ $DO_SYSCALLS == 0 ]] && echo " (--no-syscalls)")."
	fi
	echo
	echo "## Notes"
	echo
	echo "- Load average $LOAD_BEGIN before the suite (1, 5, 15 min): other work on the machine makes every figure noisy (it hits both tools alike, as runs alternate, but widens min–max). Take the figures that matter on an idle machine."
	for m in "${MISSING[@]}"; do echo "- Missing: $m."; done
	for m in "${NOTES[@]}"; do echo "- $m"; done
	echo "- Raw outputs: data/*.txt (each script's report), data/*.raw (every run), data/*.sum, data/scale.tsv, data/meta.sh (the run); \`bench/report.sh DIR\` redoes this page and the plots from them."
	echo
	echo "## How to reproduce"
	echo
	echo "From a clean clone, as root: \`bench/run.sh --build\` (installs the dependencies, builds ct into bench/stage, runs everything). Step by step:"
	echo
	echo '```sh'
	echo "sudo bench/install-deps.sh            # lxc busybox-static strace gnuplot-nox gcc (scripts/install-deps.sh: ct's build deps)"
	echo "./autogen.sh && ./configure && make -j2 && make install DESTDIR=\$PWD/tests/stage"
	echo "sudo CT_BINDIR=\$PWD/tests/stage/usr/local/bin bench/run.sh           # full: $((TOTAL_S / 60 + 1)) min or so here"
	echo "sudo CT_BINDIR=\$PWD/tests/stage/usr/local/bin bench/run.sh --quick   # smoke test"
	echo '```'
	echo
	echo "Each part also runs alone (see its --help): \`bench/start.sh\`, \`bench/daemon.sh\`, \`bench/stop.sh --raw FILE\`, \`bench/scale.sh -N \"100 1000\" [-P 8] [--lxc-max N]\`, \`bench/syscalls.sh\`."
} >"$OUT/results.md"

# ------------------------------------------------------------------- plots ---
if ((HAVE_GNUPLOT)); then
	if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then TERM_PNG="pngcairo size 960,560 font ',11'"; else TERM_PNG="png size 960,560"; fi
	# CDF of the stop latencies: "ms fraction" per tool.
	plots=()
	if [[ -s $DATA/stop.raw ]]; then
		for t in ct ct-force lxc; do
			awk -v t="$t" '$1 == t { print $3 }' "$DATA/stop.raw" | sort -g |
				awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }' >"$DATA/stop-$t.cdf"
			[[ -s $DATA/stop-$t.cdf ]] || rm -f -- "$DATA/stop-$t.cdf"
			if [[ -s $DATA/stop-$t.cdf ]]; then
				case $t in
				ct) title="ct: ctstop -t 10" ;;
				ct-force) title="ct: ctstop --force (no graceful stop)" ;;
				lxc) title="LXC: lxc-stop -t 10" ;;
				esac
				plots+=("'$DATA/stop-$t.cdf' using 1:2 with steps lw 2 title '$title'")
			fi
		done
	fi
	if ((${#plots[@]})); then
		IFS=,
		gnuplot <<EOF 2>"$DATA/gnuplot-stop.log" || note "gnuplot failed for stop-latency.png (see $DATA/gnuplot-stop.log)"
set terminal $TERM_PNG
set output '$OUT/stop-latency.png'
set title "Graceful stop latency of a cooperative busybox container ($RUNS runs per tool, $DATE)"
set xlabel 'stop latency, ms (log scale)'
set ylabel 'fraction of stops done'
set logscale x
set yrange [0:1.05]
set grid
set key bottom right
plot ${plots[*]}
EOF
		unset IFS
	fi
	if [[ -r $DATA/scale.tsv ]]; then
		for t in ct lxc; do
			awk -F '\t' -v t="$t" 'NR > 1 && $2 == t { g = $16; sub(/\+$/, "", g); print $1, $4, $15, g }' \
				"$DATA/scale.tsv" >"$DATA/scale-$t.dat"
		done
		if [[ $sc_mode == "ctstop -n NAME"* ]]; then stop_title="ctstop -n NAME per container"; else stop_title=$sc_mode; fi
		if ((PAR == 1)); then how="one by one"; else how="$PAR at a time"; fi
		splots=("'$DATA/scale-ct.dat' using 1:2 with linespoints lw 2 pt 7 title 'ct: start (ctstart -d, $how)'"
			"'$DATA/scale-ct.dat' using 1:4 with linespoints lw 2 pt 5 title 'ct: parallel stop ($stop_title)'")
		if [[ -s $DATA/scale-lxc.dat ]]; then
			splots+=("'$DATA/scale-lxc.dat' using 1:2 with linespoints lw 2 dt 2 pt 6 title 'LXC: start (lxc-start -d, $how)'"
				"'$DATA/scale-lxc.dat' using 1:4 with linespoints lw 2 dt 2 pt 4 title 'LXC: parallel stop (lxc-stop x N)'")
		fi
		targets=
		if ((NMAX >= 1000)); then
			splots+=("'-' using 1:2 with points pt 3 ps 2 lc rgb 'red' title 'targets at N=1000 (start < 15 s, stop < 3 s)'")
			targets=$'1000 15\n1000 3\ne'
		fi
		IFS=,
		gnuplot <<EOF 2>"$DATA/gnuplot-scale.log" || note "gnuplot failed for scale.png (see $DATA/gnuplot-scale.log)"
set terminal $TERM_PNG
set output '$OUT/scale.png'
set title "Containers running at once: total start and parallel stop time ($DATE)"
set xlabel 'containers (N)'
set ylabel 'seconds'
set grid
set key top left
set xrange [0:*]
set yrange [0:*]
plot ${splots[*]}
$targets
EOF
		unset IFS
	fi
fi

