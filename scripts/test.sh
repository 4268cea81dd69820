#!/usr/bin/env bash
# Installs everything the test suite needs on a Debian machine, makes sure the real servers run,
# and runs the whole suite (SQLite and PostgreSQL, RabbitMQ, Dovecot, aiosmtpd, aiohttp).
# A server that cannot be reached fails the run; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(dovecot-imapd dovecot-core docker-compose postgresql rabbitmq-server openssl chromium)

say() { printf '\n== %s\n' "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

install_debian_packages() {
  local missing=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || die "run as root (or install ${missing[*]} yourself)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The suite starts private Dovecot instances; the system-wide one is not needed.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now dovecot >/dev/null 2>&1 || true; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 name=$2
  for _ in $(seq 1 120); do port_open "$port" && return 0; sleep 1; done
  die "$name is not reachable on 127.0.0.1:$port"
}

start_services() {
  if ! port_open 5432; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  wait_for_port 5432 PostgreSQL
  if ! port_open 5672; then
    say "starting RabbitMQ"
    rabbitmq-server -detached || true
  fi
  wait_for_port 5672 RabbitMQ
  psql -h 127.0.0.1 -U postgres -d postgres -qtAc 'SELECT 1' >/dev/null \
    || die "PostgreSQL on 127.0.0.1:5432 does not accept the postgres user (trust auth expected)"
}

install_python() {
  say "installing Leadgate and its test tools into .venv"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
}

install_debian_packages
start_services
install_python
say "ruff"
.venv/bin/ruff check .
say "mypy"
.venv/bin/mypy
say "import contracts"
.venv/bin/lint-imports
say "docker-compose.yml"
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile cluster config -q
say "pytest"
# Two worker processes, each with its own PostgreSQL database, RabbitMQ vhost and free ports.
# A module's tests stay on one worker, in order (tests/leadgate/test_cluster.py shares one
# cluster between its tests); modules are handed out in file order. `-n 0` runs serially.
.venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --dist loadscope --no-loadscope-reorder "$@"
