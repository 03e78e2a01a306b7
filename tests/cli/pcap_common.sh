# Shared by the pcap tests (sourced): run a scenario with --pcap on one device, merge its interfaces' captures into
# one file, and ask tshark's dissectors questions about it. The caller sets planelab, scenario, out and device.

fail() { echo "FAIL: $*" >&2; exit 1; }

# CI installs tshark (scripts/install-deps.sh): its absence is a failure, not a skip.
command -v tshark >/dev/null 2>&1 || fail "tshark is not installed (scripts/install-deps.sh installs it)"

# Runs the scenario and merges the device's captures into $merged (mergecap comes with tshark, in
# wireshark-common), so each question is one tshark pass.
capture_device() {
  rm -rf "$out"
  "$planelab" run "$scenario" --quiet --out "$out" --pcap "$device" >/dev/null ||
    fail "planelab run $scenario --pcap $device exited $?"
  shopt -s nullglob
  local pcaps=("$out"/pcap/*.pcap)
  ((${#pcaps[@]} > 0)) || fail "no pcap files in $out/pcap"
  merged="$out/all-interfaces.pcap"
  mergecap -w "$merged" "${pcaps[@]}" || fail "mergecap failed"
}

# Frames matching a display filter. tshark's own warnings (e.g. about running as root) go to stderr and are
# ignored; a failing tshark is not.
count() {
  local filter=$1 n
  n=$(tshark -n -r "$merged" -Y "$filter" -T fields -e frame.number 2>"$out/tshark.err") ||
    fail "tshark -Y '$filter': $(cat "$out/tshark.err")"
  printf '%s' "$n" | grep -c . || true
}

check_at_least_one() {
  local what=$1 filter=$2 n
  n=$(count "$filter") || exit 1
  echo "$what: $n frames ($filter)"
  ((n > 0)) || fail "no $what in $device's pcap files"
}

check_none() {
  local what=$1 filter=$2 n
  n=$(count "$filter") || exit 1
  echo "$what: $n frames ($filter)"
  ((n == 0)) || fail "$n frames of $what in $device's pcap files"
}
