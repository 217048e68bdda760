# Shared by tests/e2e/*.sh: namespaces with a unique prefix, removed on exit
# even when a test fails; result lines as tests/run counts them.
# Addresses: 198.18.0.0/15 and 2001:db8::/32 only.
set -u

XDPCT=${XDPCT:-build/xdpct}
PEER=${PEER:-build/tests/tools/peer}
# E2E_PREFIX from the environment names the namespaces otherwise (a shared host
# may ask for its own prefix); the pid keeps them unique.
E2E_PREFIX="${E2E_PREFIX:-xct}$$"
E2E_NS=()
E2E_TMP=$(mktemp -d)
E2E_FAILED=0

e2e_cleanup() {
	local ns ino
	for ns in "${E2E_NS[@]}"; do
		ino=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null)
		"$XDPCT" -n "$ns" detach --all >/dev/null 2>&1
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
		# What an instance keeps for its namespace (the daemon's log, pins a
		# failed test left) goes with it.
		[ -n "$ino" ] && rm -rf "/run/xdpct/net$ino" "/sys/fs/bpf/xdpct/net$ino"
	done
	rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT

# ns NAME: create namespace $E2E_PREFIX-NAME with lo up; prints its name.
ns_add() {
	local ns="$E2E_PREFIX-$1"
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	E2E_NS+=("$ns")
}
ns() { echo "$E2E_PREFIX-$1"; }

# link A IFA B IFB: a veth pair between namespaces A and B.
link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")" &&
	ip -n "$(ns "$1")" link set "$2" up && ip -n "$(ns "$3")" link set "$4" up
}

# addr NS IF CIDR
addr() { ip -n "$(ns "$1")" addr add "$3" dev "$2" ${4:-}; }

# run NS CMD...: run in a namespace (keeps the host's mounts).
run() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" "$@"; }

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; E2E_FAILED=1; }
skip() { echo "SKIP $1: $2"; }

# expect NAME GOT WANT: one assertion, printed on failure.
expect() {
	if [ "$2" == "$3" ]; then return 0; fi
	echo "  $1: expected '$3', got '$2'"
	return 1
}

# check_error NAME WANT_RC WANT_STDERR_REGEX CMD...: exit status and one stderr line.
check_error() {
	local name=$1 rc_want=$2 re=$3 rc lines
	shift 3
	"$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null; rc=$?
	lines=$(wc -l <"$E2E_TMP/err")
	if [ "$rc" != "$rc_want" ] || ! grep -Eq -- "$re" "$E2E_TMP/err" || [ "$lines" != 1 ]; then
		echo "  $name: expected exit $rc_want and one stderr line matching /$re/"
		echo "  got exit $rc, $lines lines: $(head -3 "$E2E_TMP/err")"
		return 1
	fi
}

# flow_field NS SPORT FIELD: a field of the flow with client port SPORT from list -j.
flow_field() {
	"$XDPCT" -n "$(ns "$1")" -j list | jq -r --argjson p "$2" \
		"[.[] | select(.sport == \$p)][0].$3"
}

# wait_file PATH: up to 10 s.
wait_file() {
	local i
	for i in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done
	echo "  timed out waiting for $1"
	return 1
}

e2e_exit() { exit $E2E_FAILED; }
