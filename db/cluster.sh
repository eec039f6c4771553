#!/usr/bin/env bash
# db/cluster.sh — a project-local PostgreSQL 15 + PostGIS cluster without systemd.
#
# Two ways to use it:
#
#   * As a library: `source db/cluster.sh`, then call the oms_* functions below.
#     run.sh and test.sh do this. Sourcing changes no shell options; every function
#     works under `set -euo pipefail`, prints its progress on stderr ("oms: ...", one
#     line per step) and returns non-zero on failure.
#
#   * As a command, for the persistent cluster that run.sh uses
#     (.oms/pgdata-cluster, port $OMS_PG_PORT, default 55432, database omsdashboard):
#       db/cluster.sh start     install what is missing, start the cluster, create the database
#       db/cluster.sh stop      fast shutdown (data kept)
#       db/cluster.sh status    running or not, port, connection string
#       db/cluster.sh psql ...  psql into the omsdashboard database (extra args go to psql)
#
# How the cluster is run:
#   * initdb refuses to run as root, so when we are root the server binaries run as the
#     `postgres` system user (runuser) and the cluster folder is owned by it. When we are
#     not root they run as the current user, and apt is reached through sudo only if a
#     package is missing.
#   * Layout of a cluster folder DIR: DIR/data (PGDATA), DIR/server.log (server log),
#     DIR/initdb.log, and the server's Unix socket DIR/.s.PGSQL.<port>.
#   * The server listens on 127.0.0.1 only, with trust authentication for user postgres:
#     a developer/test database on a single-user machine, never a shared server.
#
# Environment:
#   OMS_PG_BIN    PostgreSQL server binaries (default /usr/lib/postgresql/15/bin)
#   OMS_PG_PORT   port of the persistent cluster for the command form (default 55432)

# Folder of the PostgreSQL 15 binaries (initdb, pg_ctl, pg_isready, psql).
OMS_PG_BIN="${OMS_PG_BIN:-/usr/lib/postgresql/15/bin}"
# Repository root: this file lives in <root>/db/.
OMS_REPO_ROOT="${OMS_REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

# ---------------------------------------------------------------------------------------
# Small helpers (private: leading underscore)
# ---------------------------------------------------------------------------------------

# One progress line on stderr, so that $(oms_connection_string ...) stays clean.
_oms_say() { printf 'oms: %s\n' "$*" >&2; }
_oms_err() { printf 'oms: error: %s\n' "$*" >&2; }

_oms_is_root() { [[ ${EUID:-$(id -u)} -eq 0 ]]; }

# Run a PostgreSQL server binary as the cluster owner: `postgres` when we are root,
# ourselves otherwise. `cd /` first: the postgres user may not be allowed into the
# caller's working directory, and some PostgreSQL tools fail when they cannot getcwd().
_oms_as_owner() {
  if _oms_is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# Quote a word for /bin/sh: pg_ctl passes its -o options through a shell.
_oms_shquote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# apt-get install, as root or through sudo; `apt-get update` first (only called when
# something is actually missing). Waits for a concurrent apt/dpkg to release its lock.
_oms_apt_install() {
  local -a sudo=()
  if ! command -v apt-get >/dev/null 2>&1; then
    _oms_err "missing: $*; no apt-get on this system: install them yourself" \
      "(or point OMS_CONNECTION_STRING / OMS_TEST_CONNECTION_STRING at an existing server)"
    return 1
  fi
  if ! _oms_is_root; then
    if ! command -v sudo >/dev/null 2>&1; then
      _oms_err "missing: $*; not root and no sudo: install them as root (apt-get install -y $*)"
      return 1
    fi
    sudo=(sudo)
  fi
  local log="${TMPDIR:-/tmp}/oms-apt.$$.log"
  local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
  _oms_say "apt-get update (needed to install: $*)"
  if ! "${apt[@]}" update >"$log" 2>&1; then
    tail -n 20 "$log" >&2; _oms_err "apt-get update failed (full log: $log)"; return 1
  fi
  _oms_say "apt-get install -y $* (can take a minute)"
  if ! "${apt[@]}" install -y "$@" >>"$log" 2>&1; then
    tail -n 20 "$log" >&2; _oms_err "apt-get install failed (full log: $log)"; return 1
  fi
  rm -f "$log"
}

# PID of the live postmaster serving DIR/data, or return 1. Stricter than `pg_ctl status`
# (which only checks that *some* process has the PID in postmaster.pid): after a reboot
# or a crash the PID may belong to an unrelated process, so we also check that the
# process's working directory is the data folder (a postmaster chdirs into PGDATA).
_oms_postmaster_pid() {
  local data="$1" pid cwd real
  [[ -f "$data/postmaster.pid" ]] || return 1
  pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -d "/proc/$pid" ]] || return 1
  # A recycled PID usually belongs to something else than a postgres binary.
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == postgres ]] || return 1
  real="$(cd "$data" 2>/dev/null && pwd -P)" || return 1
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
  # Empty cwd: not allowed to look (another user's process); then trust the PID, like
  # pg_ctl does. Otherwise it must be this cluster's data folder.
  [[ -z "$cwd" || "$cwd" == "$real" ]] || return 1
  echo "$pid"
}

# Remove a postmaster.pid (and socket lock files) left behind by a server that is no
# longer running — after a reboot, a kill -9 or an OOM kill. Without this, a recycled PID
# makes the new server refuse to start ("lock file postmaster.pid already exists").
_oms_clear_stale_pid() {
  local dir="$1" data="$1/data"
  [[ -f "$data/postmaster.pid" ]] || return 0
  _oms_postmaster_pid "$data" >/dev/null && return 0
  _oms_say "removing stale $data/postmaster.pid (server no longer running: reboot or crash)"
  rm -f "$data/postmaster.pid" "$dir"/.s.PGSQL.*
}

# Make sure the postgres user can reach DIR (search permission on every parent), e.g.
# when the repository is under /root (drwx------). Adds only the x bit (not r) for others,
# or an ACL entry for postgres when setfacl exists, and says what it changed.
_oms_ensure_traversable() {
  local dir="$1" d
  _oms_is_root || return 0
  runuser -u postgres -- test -x "$dir" 2>/dev/null && return 0
  d="$dir"
  local -a parents=()
  while [[ "$d" != "/" && -n "$d" ]]; do parents=("$d" "${parents[@]}"); d="$(dirname "$d")"; done
  for d in "${parents[@]}"; do
    runuser -u postgres -- test -x "$d" 2>/dev/null && continue
    if command -v setfacl >/dev/null 2>&1; then
      _oms_say "granting the postgres user search access to $d (setfacl -m u:postgres:x)"
      setfacl -m u:postgres:x "$d"
    else
      _oms_say "granting search access (chmod o+x) to $d so the postgres user can reach the cluster"
      chmod o+x "$d"
    fi
  done
  runuser -u postgres -- test -x "$dir" || { _oms_err "postgres user still cannot reach $dir"; return 1; }
}

# Wait until the server accepts connections over TCP (up to ~30 s).
_oms_wait_ready() {
  local port="$1" i
  for ((i = 0; i < 60; i++)); do
    "$OMS_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres && return 0
    sleep 0.5
  done
  _oms_err "server on 127.0.0.1:$port not ready after 30 s"
  return 1
}

# psql to 127.0.0.1:PORT as postgres, quiet, stop on the first error, no ~/.psqlrc.
_oms_psql() {
  local port="$1" db="$2"; shift 2
  PGOPTIONS='-c client_min_messages=warning' PGCONNECT_TIMEOUT=10 \
    "$OMS_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------

# oms_ensure_packages [chromium] [no-postgis]
#   Installs with apt what is missing: postgresql-15-postgis-3 (brings PostgreSQL 15),
#   node + npm (the web project's assets), and chromium when asked (browser tests).
#   `no-postgis` skips the database packages (an external server is used).
#   apt-get update runs only when something must be installed; when everything is there
#   this is a handful of file checks (well under a second). The .NET SDK is not an apt
#   package here: see oms_require_dotnet.
# shellcheck disable=SC2120  # optional arguments; the command form passes none
oms_ensure_packages() {
  local want_chromium=0 want_postgis=1 arg
  for arg in "$@"; do
    case "$arg" in
      chromium) want_chromium=1 ;;
      no-postgis) want_postgis=0 ;;
      *) _oms_err "oms_ensure_packages: unknown argument '$arg'"; return 2 ;;
    esac
  done
  local -a missing=() present=()
  if ((want_postgis)); then
    if [[ -x "$OMS_PG_BIN/initdb" && -f /usr/share/postgresql/15/extension/postgis.control ]]; then
      present+=(postgresql-15-postgis-3)
    else
      missing+=(postgresql-15-postgis-3)
    fi
  fi
  if command -v node >/dev/null 2>&1; then present+=(node); else missing+=(nodejs); fi
  if command -v npm >/dev/null 2>&1; then present+=(npm); else missing+=(npm); fi
  if ((want_chromium)); then
    if [[ -x /usr/bin/chromium ]]; then present+=(chromium); else missing+=(chromium); fi
  fi
  if ((${#missing[@]} == 0)); then
    _oms_say "packages present: ${present[*]}"
  else
    _oms_apt_install "${missing[@]}" || return 1
    _oms_say "installed: ${missing[*]}"
  fi
}

# oms_require_dotnet: the .NET SDK is not in Debian's apt; say how to get it if missing.
oms_require_dotnet() {
  command -v dotnet >/dev/null 2>&1 && return 0
  _oms_err "the .NET 10 SDK ('dotnet') is not installed: see https://dot.net" \
    "(version pinned in global.json; Debian: Microsoft's packages.microsoft.com apt repository)"
  return 1
}

# oms_cluster_start DIR PORT [throwaway]
#   Creates the cluster in DIR/data if absent (initdb) and starts it unless it is already
#   running, on 127.0.0.1:PORT with its socket in DIR and its log in DIR/server.log.
#   A cluster already running on another port is restarted on PORT.
#   `throwaway`: no durability (fsync, synchronous_commit, full_page_writes off) — for
#   test clusters that are deleted afterwards, never for data you keep.
#   Returns when the server accepts connections.
oms_cluster_start() {
  local dir="${1:?oms_cluster_start DIR PORT [throwaway]}" port="${2:?oms_cluster_start DIR PORT [throwaway]}"
  local mode="${3:-persistent}"
  [[ "$port" =~ ^[0-9]+$ ]] || { _oms_err "port '$port' is not a number"; return 2; }
  [[ "$mode" == persistent || "$mode" == throwaway ]] || { _oms_err "unknown mode '$mode'"; return 2; }
  [[ -x "$OMS_PG_BIN/initdb" ]] || { _oms_err "no PostgreSQL binaries in $OMS_PG_BIN (run oms_ensure_packages, or set OMS_PG_BIN)"; return 1; }
  if _oms_is_root && ! id postgres >/dev/null 2>&1; then
    _oms_err "no 'postgres' system user (install postgresql-15)"; return 1
  fi

  # Absolute path: the server chdirs into its data folder; relative paths would break.
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
  local data="$dir/data"

  # The cluster folder belongs to the server's user; 0700 like PGDATA itself.
  if _oms_is_root; then
    [[ "$(stat -c %U "$dir")" == postgres ]] || chown postgres:postgres "$dir"
    _oms_ensure_traversable "$dir"
  elif [[ ! -O "$dir" ]]; then
    _oms_err "$dir belongs to $(stat -c %U "$dir"), not to $(id -un): remove it or run as that user"
    return 1
  fi
  chmod 700 "$dir"

  # 1. initdb when there is no cluster yet.
  if [[ ! -f "$data/PG_VERSION" ]]; then
    if [[ -d "$data" ]] && [[ -n "$(ls -A "$data" 2>/dev/null)" ]]; then
      _oms_err "$data exists but holds no cluster (interrupted initdb?): delete it and retry"
      return 1
    fi
    _oms_say "creating a PostgreSQL cluster in $data"
    if ! _oms_as_owner "$OMS_PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2; _oms_err "initdb failed"; return 1
    fi
  fi

  # 2. Already running? Keep it if it is on the requested port.
  _oms_clear_stale_pid "$dir"
  local pid running_port
  if pid="$(_oms_postmaster_pid "$data")"; then
    running_port="$(sed -n 4p "$data/postmaster.pid")"
    if [[ "$running_port" == "$port" ]]; then
      _oms_say "cluster $dir already running on 127.0.0.1:$port"
      _oms_wait_ready "$port"
      return
    fi
    _oms_say "cluster $dir runs on port $running_port, restarting it on $port"
    oms_cluster_stop "$dir"
  fi

  # 3. Start. The Unix socket goes into DIR unless that path is too long for a socket
  # (108 bytes on Linux): then TCP only — everything here connects over 127.0.0.1.
  local sockdir="$dir"
  if ((${#dir} + ${#port} + 10 > 107)); then
    _oms_say "path too long for a Unix socket, listening on TCP 127.0.0.1:$port only"
    sockdir=""
  fi
  local opts
  opts="-c listen_addresses=127.0.0.1 -p $port -k $(_oms_shquote "$sockdir") -c max_connections=200"
  if [[ "$mode" == throwaway ]]; then
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  _oms_say "starting PostgreSQL ($mode) on 127.0.0.1:$port, log $dir/server.log"
  # pg_ctl detaches the server into its own session, so Ctrl-C in this terminal (e.g.
  # stopping the dashboard) does not reach it.
  if ! _oms_as_owner "$OMS_PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "$opts" start >/dev/null 2>&1; then
    tail -n 20 "$dir/server.log" >&2 2>/dev/null || true
    _oms_err "PostgreSQL did not start (port $port taken? see $dir/server.log)"
    return 1
  fi
  _oms_wait_ready "$port"
}

# oms_cluster_stop DIR [immediate]
#   Fast shutdown (disconnects clients, checkpoint, exit). No error when the cluster is
#   not running or does not exist. `immediate` skips the checkpoint (throwaway clusters).
oms_cluster_stop() {
  local dir="${1:?oms_cluster_stop DIR [immediate]}" mode="fast"
  [[ "${2:-}" == immediate ]] && mode=immediate
  local data="$dir/data"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    _oms_say "no cluster in $dir (nothing to stop)"
    return 0
  fi
  _oms_clear_stale_pid "$dir"
  if ! _oms_postmaster_pid "$data" >/dev/null; then
    _oms_say "cluster $dir is not running"
    return 0
  fi
  _oms_say "stopping cluster $dir ($mode)"
  _oms_as_owner "$OMS_PG_BIN/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null || {
    _oms_err "pg_ctl stop failed for $data"; return 1; }
}

# oms_cluster_status DIR: prints one line; returns 0 when running, 3 otherwise.
oms_cluster_status() {
  local dir="${1:?oms_cluster_status DIR}" data="${1}/data" pid
  if [[ ! -f "$data/PG_VERSION" ]]; then
    echo "no cluster in $dir"; return 3
  fi
  if pid="$(_oms_postmaster_pid "$data")"; then
    echo "running: PID $pid, 127.0.0.1:$(sed -n 4p "$data/postmaster.pid"), data $data"
    return 0
  fi
  echo "stopped: data $data"
  return 3
}

# oms_create_database PORT NAME
#   Creates database NAME if missing, and the postgis extension in it.
oms_create_database() {
  local port="${1:?oms_create_database PORT NAME}" name="${2:?oms_create_database PORT NAME}"
  # psql variables (:'name', :"name") quote the name; they work on stdin, not with -c.
  _oms_psql "$port" postgres -v name="$name" <<'SQL' || { _oms_err "could not create database $name"; return 1; }
SELECT format('CREATE DATABASE %I', :'name')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \gexec
SQL
  _oms_psql "$port" "$name" -c 'CREATE EXTENSION IF NOT EXISTS postgis' ||
    { _oms_err "could not create the postgis extension in $name"; return 1; }
  _oms_say "database $name ready (postgis) on 127.0.0.1:$port"
}

# oms_connection_string PORT NAME: the Npgsql connection string for the local cluster.
oms_connection_string() {
  local port="${1:?oms_connection_string PORT NAME}" name="${2:?oms_connection_string PORT NAME}"
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=$name;Include Error Detail=true"
}

# oms_free_port START: prints the first port from START on where nothing listens on
# 127.0.0.1 (bash's /dev/tcp: no extra tools needed).
oms_free_port() {
  local port="${1:?oms_free_port START}" i
  for ((i = 0; i < 100; i++, port++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  _oms_err "no free port in ${1}..$((${1} + 99))"
  return 1
}

# ---------------------------------------------------------------------------------------
# Command form: db/cluster.sh start|stop|status|psql
# ---------------------------------------------------------------------------------------
_oms_cluster_main() {
  set -euo pipefail
  local dir="$OMS_REPO_ROOT/.oms/pgdata-cluster" port="${OMS_PG_PORT:-55432}" db=omsdashboard
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start)
      # shellcheck disable=SC2119
      oms_ensure_packages
      oms_cluster_start "$dir" "$port"
      oms_create_database "$port" "$db"
      echo "OMS_CONNECTION_STRING=$(oms_connection_string "$port" "$db")"
      ;;
    stop)
      oms_cluster_stop "$dir"
      ;;
    status)
      local rc=0
      oms_cluster_status "$dir" || rc=$?
      ((rc == 0)) && echo "OMS_CONNECTION_STRING=$(oms_connection_string "$(sed -n 4p "$dir/data/postmaster.pid")" "$db")"
      return "$rc"
      ;;
    psql)
      if oms_cluster_status "$dir" >/dev/null; then
        port="$(sed -n 4p "$dir/data/postmaster.pid")"
      fi
      exec "$OMS_PG_BIN/psql" -X -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
      ;;
    -h | --help | help | "")
      sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      [[ -n "$cmd" ]]
      ;;
    *)
      _oms_err "unknown command '$cmd' (start|stop|status|psql)"
      return 2
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "${0}" ]]; then
  _oms_cluster_main "$@"
fi
