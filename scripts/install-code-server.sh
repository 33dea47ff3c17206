#!/usr/bin/env bash
# Installs code-server 4.100.3 (bundles VS Code 1.100.3) into .tools/code-server, offline except
# for the npm and Debian registries. Idempotent: a second run only checks and exits.
#
#   scripts/install-code-server.sh            install code-server (and its Debian needs)
#   scripts/install-code-server.sh --chromium also install Debian's chromium (for the UI tests)
#
# Why the ripgrep trick: @vscode/ripgrep's postinstall downloads a binary from GitHub, which is
# not reachable here. It first looks in a cache folder under the OS temp dir, so we put Debian's
# `rg` there under the file name it expects.
set -euo pipefail

VERSION=4.100.3
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools/code-server"
BIN="$TOOLS/node_modules/.bin/code-server"

want_chromium=0
for arg in "$@"; do
  case "$arg" in
    --chromium) want_chromium=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { printf '[install-code-server] %s\n' "$*"; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  log "apt-get install ${missing[*]}"
  # Other processes may hold the dpkg lock (unattended upgrades, parallel jobs): wait for it.
  local APT=($SUDO apt-get -o DPkg::Lock::Timeout=900)
  if ! "${APT[@]}" install -y --no-install-recommends "${missing[@]}"; then
    "${APT[@]}" update
    "${APT[@]}" install -y --no-install-recommends "${missing[@]}"
  fi
}

if [ "$want_chromium" = 1 ]; then
  apt_install chromium
fi

installed_version() {
  # `code-server --version` prints log lines before "4.100.3 <commit> with Code 1.100.3".
  "$BIN" --version 2>/dev/null | grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n1 | tr -d ' '
}

if [ -x "$BIN" ] && [ "$(installed_version)" = "$VERSION" ]; then
  log "code-server $VERSION already installed at $BIN"
  exit 0
fi

# Build needs: kerberos/argon2 compile from source when their prebuilds cannot be downloaded.
apt_install libkrb5-dev ripgrep build-essential python3

TMP="$(node -p 'require("os").tmpdir()')"
CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
TARBALL="$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$TARBALL" ]; then
  log "seeding the @vscode/ripgrep cache with Debian's rg"
  mkdir -p "$CACHE"
  STAGE="$(mktemp -d)"
  cp "$(command -v rg)" "$STAGE/rg"
  tar -czf "$TARBALL" -C "$STAGE" rg
  rm -rf "$STAGE"
fi

mkdir -p "$TOOLS"
cd "$TOOLS"
[ -f package.json ] || printf '{ "name": "tools-code-server", "private": true }\n' > package.json
log "npm install code-server@$VERSION into $TOOLS (takes a few minutes)"
npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund "code-server@$VERSION"

if [ ! -x "$BIN" ]; then
  echo "code-server was not installed: $BIN is missing" >&2
  exit 1
fi
if [ "$(installed_version)" != "$VERSION" ]; then
  echo "code-server at $BIN does not report version $VERSION" >&2
  exit 1
fi
log "installed code-server $VERSION at $BIN"
