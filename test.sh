#!/usr/bin/env bash
# test.sh — THE test command: sets up what the tests need and runs every test project.
#
#   ./test.sh                      all tests
#   ./test.sh --filter Category=X  extra arguments go to `dotnet test`
#
# What it does:
#   1. installs what is missing (PostgreSQL 15 + PostGIS, node/npm, chromium) with apt;
#   2. starts a throwaway PostgreSQL cluster (no fsync) in a fresh .oms/test-XXXXXX folder
#      on port $OMS_TEST_PG_PORT (default 55433, or the next free one);
#   3. runs `dotnet test OmsDashboard.sln -c Release` with a TRX logger;
#   4. stops and deletes the throwaway cluster — always, also on failure or Ctrl-C;
#   5. prints as its last line the sum over all TRX files: `N passed, N failed`
#      (`, N skipped` appended when tests were skipped), and exits with dotnet test's
#      exit code (non-zero too when a test failed or no TRX file was written).
#
# Environment (all optional):
#   OMS_TEST_CONNECTION_STRING  use this server instead of a throwaway cluster (an admin
#                               connection: the tests create their own databases from it)
#   OMS_TEST_PG_PORT            first port tried for the throwaway cluster (default 55433)
#   OMS_TEST_RESULTS            TRX folder, emptied first (default artifacts/test-results)
#   OMS_CHROMIUM_PATH           browser for the Playwright tests (default /usr/bin/chromium)
#   OMS_TEST_KEEP_CLUSTER=1     keep the throwaway cluster folder (debugging; still stopped)
#
# This file can also be sourced (for oms_trx_summary) without running anything.

# oms_trx_summary DIR: sums the <Counters .../> of every *.trx under DIR and prints
#   `P passed, F failed[, S skipped]`. failed counts failed + error + timeout + aborted
#   outcomes; skipped = total - passed - failed (xunit's skipped tests are "NotExecuted").
#   Returns 1 (still printing "0 passed, 0 failed") when there is no TRX file.
#   Plain awk (mawk is enough): a fresh machine may have no python3.
oms_trx_summary() {
  local dir="${1:?oms_trx_summary DIR}" f found=0
  {
    while IFS= read -r -d '' f; do
      found=1
      # One record per file: attributes may in theory wrap over several lines.
      tr '\r\n' '  ' <"$f"
      echo
    done < <(find "$dir" -type f -name '*.trx' -print0 2>/dev/null)
    # Tell awk whether any file was found (a record of its own).
    echo "@@files=$found"
  } | awk '
    /^@@files=/ { files = substr($0, 9) + 0; next }
    {
      rest = $0
      while (match(rest, /<Counters[^>]*>/)) {
        c = substr(rest, RSTART, RLENGTH)
        rest = substr(rest, RSTART + RLENGTH)
        n = split("total passed failed error timeout aborted", keys, " ")
        for (i = 1; i <= n; i++) {
          k = keys[i]
          if (match(c, " " k "=\"[0-9]+\"")) {
            v = substr(c, RSTART + length(k) + 3, RLENGTH - length(k) - 4)
            sum[k] += v
          }
        }
      }
    }
    END {
      passed = sum["passed"] + 0
      failed = sum["failed"] + sum["error"] + sum["timeout"] + sum["aborted"]
      skipped = sum["total"] - passed - failed
      line = passed " passed, " failed " failed"
      if (skipped > 0) line = line ", " skipped " skipped"
      print line
      exit (files ? 0 : 1)
    }'
}

_oms_test_usage() { sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

_oms_test_main() {
  set -euo pipefail
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  cd "$root"
  case "${1:-}" in -h | --help) _oms_test_usage; return 0 ;; esac

  # shellcheck source=db/cluster.sh
  source "$root/db/cluster.sh"

  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  export OMS_CHROMIUM_PATH="${OMS_CHROMIUM_PATH:-/usr/bin/chromium}"
  local results="${OMS_TEST_RESULTS:-artifacts/test-results}"
  # It is emptied with rm -rf: refuse the root, the repository or one of its parents.
  local abs
  abs="$(realpath -m "$results")"
  if [[ "$abs" == / || "$root/" == "$abs"/* ]]; then
    echo "oms: refusing OMS_TEST_RESULTS=$results (would delete $abs)" >&2
    return 2
  fi

  # Throwaway cluster folder; the EXIT trap stops and deletes it whatever happens.
  # INT/TERM become exits so that the EXIT trap runs (and the exit code says why).
  OMS_TEST_CLUSTER_DIR=""
  trap _oms_test_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if [[ -n "${OMS_TEST_CONNECTION_STRING:-}" ]]; then
    echo "oms: using the server in OMS_TEST_CONNECTION_STRING (no throwaway cluster)" >&2
    oms_ensure_packages chromium no-postgis
  else
    oms_ensure_packages chromium
    mkdir -p "$root/.oms"
    OMS_TEST_CLUSTER_DIR="$(mktemp -d "$root/.oms/test-XXXXXX")"
    # Port: the requested one or the next free; retry if another process grabs it
    # between the check and the server's bind.
    local port="${OMS_TEST_PG_PORT:-55433}" attempt started=0
    for attempt in 1 2 3 4 5; do
      port="$(oms_free_port "$port")"
      if oms_cluster_start "$OMS_TEST_CLUSTER_DIR" "$port" throwaway; then started=1; break; fi
      echo "oms: retrying on another port (attempt $attempt failed)" >&2
      port=$((port + 1))
    done
    ((started)) || { echo "oms: could not start the test cluster" >&2; return 1; }
    OMS_TEST_CONNECTION_STRING="$(oms_connection_string "$port" postgres)"
    export OMS_TEST_CONNECTION_STRING
  fi
  oms_require_dotnet

  rm -rf "$results"
  mkdir -p "$results"
  echo "oms: dotnet test OmsDashboard.sln -c Release $* (results in $results)" >&2
  local rc=0
  dotnet test OmsDashboard.sln -c Release --logger "trx;LogFilePrefix=oms" \
    --results-directory "$results" "$@" || rc=$?

  # Stop the cluster now, so that nothing is printed after the summary line.
  _oms_test_cleanup
  trap - EXIT INT TERM

  local summary trx_rc=0
  summary="$(oms_trx_summary "$results")" || trx_rc=$?
  if ((trx_rc != 0)); then
    echo "oms: no TRX file in $results (build failure or crashed test host?)" >&2
    ((rc != 0)) || rc=1
  elif [[ "$summary" =~ ,\ ([0-9]+)\ failed ]] && ((BASH_REMATCH[1] > 0 && rc == 0)); then
    rc=1
  fi
  echo "$summary"
  return "$rc"
}

# Stops and deletes the throwaway cluster (idempotent; quiet unless something fails).
_oms_test_cleanup() {
  local dir="${OMS_TEST_CLUSTER_DIR:-}"
  [[ -n "$dir" && -d "$dir" ]] || return 0
  OMS_TEST_CLUSTER_DIR=""
  oms_cluster_stop "$dir" immediate 2>/dev/null || echo "oms: could not stop the test cluster in $dir" >&2
  if [[ "${OMS_TEST_KEEP_CLUSTER:-0}" == 1 ]]; then
    echo "oms: test cluster kept in $dir" >&2
  else
    rm -rf "$dir"
  fi
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  _oms_test_main "$@"
fi
