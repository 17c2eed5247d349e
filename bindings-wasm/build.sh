#!/usr/bin/env bash
# Builds the WebAssembly package from source, with no prebuilt binaries:
#   bindings-wasm/pkg/       ES module for browsers and bundlers (--target web)
#   bindings-wasm/pkg-node/  CommonJS module for Node            (--target nodejs)
# each with TypeScript declarations (kam_wasm.d.ts).
#
# Installs what it lacks: the wasm32 target (rustup), the wasm-bindgen CLI at
# exactly the version of the wasm-bindgen crate in Cargo.lock (cargo install,
# ~3 minutes once), and wasm-opt from the npm package binaryen (pinned in
# e2e/package.json). KAM_WASM_OPT=0 skips wasm-opt (a bigger, unstripped module).
# `build.sh --tools-only` installs what is missing and builds nothing (.ci/run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must match the crate byte for byte in its schema version.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have" != "$want" ]; then
  step "cargo install wasm-bindgen-cli --version $want (have: ${have:-none})"
  # --locked first; a registry mirror that lacks one of the CLI's locked
  # dependencies (seen here: webpki-roots) needs a fresh resolution instead.
  cargo install wasm-bindgen-cli --version "$want" --locked ||
    cargo install wasm-bindgen-cli --version "$want"
fi

npm_tools() {
  if [ ! -x "$here/e2e/node_modules/.bin/wasm-opt" ] || [ ! -d "$here/e2e/node_modules/playwright-core" ] || [ ! -x "$here/e2e/node_modules/.bin/tsc" ]; then
    step "npm ci in e2e/ (binaryen's wasm-opt, playwright-core, typescript)"
    (cd "$here/e2e" && npm ci --no-fund --no-audit)
  fi
}

if [ "${1:-}" = "--tools-only" ]; then
  npm_tools
  exit 0
fi

step "cargo build --target wasm32-unknown-unknown --profile wasm-release -p kam-wasm"
cargo build --target wasm32-unknown-unknown --profile wasm-release -p kam-wasm
wasm="${CARGO_TARGET_DIR:-$root/target}/wasm32-unknown-unknown/wasm-release/kam_wasm.wasm"

# Skip wasm-bindgen and wasm-opt (~40 s) when the module and tools are unchanged.
stamp="$(sha256sum "$wasm" | cut -d' ' -f1) wasm-bindgen $want opt ${KAM_WASM_OPT:-1}"
if [ -f "$here/pkg/.built-from" ] && [ -f "$here/pkg-node/kam_wasm_bg.wasm" ] &&
  [ "$(cat "$here/pkg/.built-from")" = "$stamp" ]; then
  step "pkg/ and pkg-node/ are up to date"
else
  step "wasm-bindgen → pkg/ (web) and pkg-node/ (nodejs)"
  rm -rf "$here/pkg" "$here/pkg-node"
  wasm-bindgen --target web --out-dir "$here/pkg" "$wasm"
  wasm-bindgen --target nodejs --out-dir "$here/pkg-node" "$wasm"

  if [ "${KAM_WASM_OPT:-1}" != 0 ]; then
    wasm_opt="$(command -v wasm-opt || true)"
    if [ -z "$wasm_opt" ]; then
      npm_tools
      wasm_opt="$here/e2e/node_modules/.bin/wasm-opt"
    fi
    # After wasm-bindgen, never before: stripping first removes the sections it
    # reads (so no `strip = true` in the release profile either). The features are
    # the ones rustc's wasm32 target emits: wasm-opt refuses a module using others.
    optimise() {
      "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        --strip-debug --strip-producers "$1" -o "$1"
    }
    step "wasm-opt -Oz"
    if cmp -s "$here/pkg/kam_wasm_bg.wasm" "$here/pkg-node/kam_wasm_bg.wasm"; then
      # Both targets hold the same module: optimise once (~40 s).
      optimise "$here/pkg/kam_wasm_bg.wasm"
      cp "$here/pkg/kam_wasm_bg.wasm" "$here/pkg-node/kam_wasm_bg.wasm"
    else
      optimise "$here/pkg/kam_wasm_bg.wasm"
      optimise "$here/pkg-node/kam_wasm_bg.wasm"
    fi
  fi
  echo "$stamp" > "$here/pkg/.built-from"
fi

raw=$(wc -c < "$here/pkg/kam_wasm_bg.wasm")
gz=$(gzip -9 -c "$here/pkg/kam_wasm_bg.wasm" | wc -c)
step "done: kam_wasm_bg.wasm $raw bytes, $gz gzipped (gzip -9)"
