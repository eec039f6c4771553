#!/usr/bin/env bash
# run.sh — THE run command: sets everything up on a fresh Debian machine and runs the
# OmsDashboard web app in the foreground (Ctrl-C stops it).
#
#   ./run.sh              build and run the dashboard with the demo feed
#   ./run.sh --no-demo    without the demo feed (OMS_DEMO_FEED=false)
#   ./run.sh -- ARGS      extra arguments for the web app itself
#   ./run.sh --help       this text
#
# Without OMS_CONNECTION_STRING it installs what is missing (PostgreSQL 15 + PostGIS,
# node/npm) with apt and starts a project-local PostgreSQL cluster in .oms/pgdata-cluster
# (git-ignored) on 127.0.0.1:$OMS_PG_PORT with the database omsdashboard. That cluster keeps
# running after the dashboard stops, data kept; `db/cluster.sh stop` stops it.
# The app itself migrates the database and imports the demo network at start-up.
#
# Environment (all optional):
#   OMS_CONNECTION_STRING   Npgsql connection string of an existing server; when set, no
#                           local cluster is started (only node/npm and dotnet are checked)
#   OMS_PG_PORT             port of the local cluster (default 55432)
#   OMS_URLS                where the dashboard listens (default http://127.0.0.1:5080)
#   ASPNETCORE_ENVIRONMENT  default Production
#   OMS_DEMO_FEED           the live demo feed (default true; --no-demo sets false)
#   OMS_INGEST_API_KEY      the API key with every scope; when unset, one is generated once,
#                           kept in .oms/ingest-api-key and printed below
#   OMS_ADMIN_PASSWORD      the admin account's password at its creation; when unset, one is
#                           generated once and kept in .oms/admin-password

set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

usage() { sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

app_args=()
while (($# > 0)); do
  case "$1" in
    --no-demo) export OMS_DEMO_FEED=false ;;
    -h | --help) usage; exit 0 ;;
    --) shift; app_args=("$@"); break ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=db/cluster.sh
source "$root/db/cluster.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Production}"
OMS_URLS="${OMS_URLS:-http://127.0.0.1:5080}"
export OMS_URLS

cluster_dir="$root/.oms/pgdata-cluster"
local_cluster=0
if [[ -n "${OMS_CONNECTION_STRING:-}" ]]; then
  echo "oms: using the database server from OMS_CONNECTION_STRING (no local cluster)" >&2
  oms_ensure_packages no-postgis
else
  port="${OMS_PG_PORT:-55432}"
  # shellcheck disable=SC2119
  oms_ensure_packages
  oms_cluster_start "$cluster_dir" "$port"
  oms_create_database "$port" omsdashboard
  OMS_CONNECTION_STRING="$(oms_connection_string "$port" omsdashboard)"
  export OMS_CONNECTION_STRING
  local_cluster=1
fi
oms_require_dotnet

export OMS_DEMO_FEED="${OMS_DEMO_FEED:-true}"
# The embedded default's API key (every scope): scripts, the demo feed and tests use it.
if [[ -z "${OMS_INGEST_API_KEY:-}" ]]; then
  key_file="$root/.oms/ingest-api-key"
  mkdir -p "$root/.oms"
  if [[ ! -s "$key_file" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$key_file")
  fi
  OMS_INGEST_API_KEY="$(cat "$key_file")"
fi
export OMS_INGEST_API_KEY
# The admin account's password (user name Oms__Admin__UserName, default admin): generated once
# into .oms/admin-password, used when the app makes the account on first start.
admin_password_file='$OMS_ADMIN_PASSWORD'
if [[ -z "${OMS_ADMIN_PASSWORD:-}" ]]; then
  admin_password_file="$root/.oms/admin-password"
  mkdir -p "$root/.oms"
  if [[ ! -s "$admin_password_file" ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$admin_password_file")
  fi
  OMS_ADMIN_PASSWORD="$(cat "$admin_password_file")"
fi
export OMS_ADMIN_PASSWORD

echo
echo "OmsDashboard is at $OMS_URLS"
echo "  sign in as: ${Oms__Admin__UserName:-admin}, password in $admin_password_file"
echo "    (used when the account is first made; change it later on the Users page)"
echo "  API key (X-Api-Key, every scope): $OMS_INGEST_API_KEY"
echo "  demo feed: $OMS_DEMO_FEED (./run.sh --no-demo turns it off)"
echo "  (once it has built and started; Ctrl-C stops it)"
if ((local_cluster)); then
  echo "  The PostgreSQL cluster in .oms/pgdata-cluster keeps running after the dashboard"
  echo "  stops (data kept). Stop it with: db/cluster.sh stop"
fi
echo

# --no-launch-profile: Properties/launchSettings.json would switch to Development and
# other URLs. exec: the dashboard replaces this shell, so Ctrl-C goes straight to it.
exec dotnet run --project src/OmsDashboard.Web -c Release --no-launch-profile \
  -- --urls "$OMS_URLS" "${app_args[@]}"
