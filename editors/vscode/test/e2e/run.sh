#!/bin/bash
# End-to-end test of the extension in a real VS Code: installs code-server when missing
# (from the npm registry, into target/code-server), installs the built .vsix, serves VS
# Code on 127.0.0.1 with its own user-data and extensions directories, opens a .tenet file
# with an error in headless Chromium (Debian's), and checks that the language mode is
# Tenet, that the grammar colours tokens, that the language server's diagnostic appears
# as a squiggle, and that a control's lens counts the evidence (found through
# `tenet.toml`) and counts again once an evidence file is written on disk. Saves a screenshot to editors/vscode/test/e2e/out/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
cs="$root/target/code-server"
tenet="${TENET_BIN:-$root/target/release/tenet}"
vsix="$root/editors/vscode/tenet.vsix"

# code-server 4.100.3 (VS Code 1.100.3) is the newest release that runs on Node 20. Its
# native modules build against Debian's headers; its ripgrep dependency would download
# from GitHub in postinstall, so its download cache is seeded with Debian's `rg` first.
if [ ! -x "$cs/node_modules/.bin/code-server" ]; then
  if ! dpkg -s libkrb5-dev libsecret-1-dev libxkbfile-dev ripgrep > /dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y build-essential pkg-config python3 \
      libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev ripgrep
  fi
  mkdir -p "$cs/tmp/vscode-ripgrep-cache-1.15.11"
  archive="$cs/tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  [ -f "$archive" ] || tar czf "$archive" -C /usr/bin rg
  [ -f "$cs/package.json" ] || echo '{ "name": "code-server-for-tests", "private": true }' > "$cs/package.json"
  (cd "$cs" && TMPDIR="$cs/tmp" npm_config_yes=true npm_config_unsafe_perm=true \
    npm install code-server@4.100.3 --no-audit --no-fund --dangerously-allow-all-scripts)
fi
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm install --no-audit --no-fund)

work=$(mktemp -d)
trap 'kill -- -$pid 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/workspace" "$work/user" "$work/extensions"
cat > "$work/workspace/sample.tenet" <<'TENET'
package sample

schema AiSystem from "systems/*.yaml" {
  id: string key
  name: string
}

control S.1 "Named systems" {
  rule named
    for s: AiSystem
    require s.nme != ""
}

control S.2 "Owned systems" {
  rule owned
    for s: AiSystem
    require s.name != "unowned"
}
TENET
# Evidence found through the manifest's roots (the extension's own setting left alone),
# edited on disk once the lenses show it.
printf '[evidence]\nroots = ["evidence"]\n' > "$work/workspace/tenet.toml"
mkdir -p "$work/workspace/evidence/systems"
printf 'id: a\nname: Scorer\n' > "$work/workspace/evidence/systems/a.yaml"
cat > "$work/user/settings.json" <<SETTINGS
{ "tenet.server.path": "$tenet", "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off",
  "workbench.startupEditor": "none" }
SETTINGS
mkdir -p "$work/user/User" && cp "$work/user/settings.json" "$work/user/User/settings.json"
"$cs/node_modules/.bin/code-server" --user-data-dir "$work/user" --extensions-dir "$work/extensions" \
  --install-extension "$vsix" > "$work/install.log" 2>&1
port=$((20000 + RANDOM % 20000))
setsid "$cs/node_modules/.bin/code-server" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry \
  --disable-workspace-trust --user-data-dir "$work/user" --extensions-dir "$work/extensions" \
  "$work/workspace" > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -s "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 1; done
mkdir -p "$here/out"
node "$here/inspect.js" --url "http://127.0.0.1:$port" --folder "$work/workspace" --file sample.tenet \
  --language Tenet --min-errors 1 --min-colours 3 --out "$here/out/vscode-tenet.png" \
  --lens "✓ 1 passed · 1 rule" --evidence-file "$work/workspace/evidence/systems/b.yaml" \
  --evidence-text $'id: b\nname: unowned\n' --lens-after "✓ 1 passed · ✗ 1 failed · 1 rule"
