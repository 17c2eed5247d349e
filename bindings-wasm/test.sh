#!/usr/bin/env bash
# Every WebAssembly test, after building pkg/ and pkg-node/ (build.sh) and
# linting the crate for wasm32:
#   1. wasm-bindgen-test under Node: the exported API from Rust — every shared
#      vector, errors, sandbox limits (src/node_tests.rs; a debug build, whose
#      bigger stack frames make the stack-depth test stricter);
#   2. the Node package through its JS glue: every shared vector, exactly
#      (e2e/node.test.js), and the bad-record corpus as JS objects
#      (e2e/bad_records.test.js);
#   3. the Node package's answers on freshly generated records, byte for byte
#      against Rust's (e2e/cross.test.js, records from tests/cross_binding.rs);
#   4. the preview page in headless Chromium via playwright-core
#      (e2e/page.test.js): screenshots and timings in e2e/out/.
# Needs Rust, Node >= 20.19, python3 and Debian's chromium at /usr/bin/chromium
# (or CHROMIUM=/path); build.sh installs the rest (wasm32 target,
# wasm-bindgen-cli, npm packages).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/.."

step() { printf '\n==> %s\n' "$*"; }

"$here/build.sh"
"$here/build.sh" --tools-only

step "lint for wasm32 (the native lint runs in tests/run-all.sh)"
cargo clippy --target wasm32-unknown-unknown -p kam-wasm --all-targets -- -D warnings

step "wasm-bindgen-test under Node (exported API, vectors, limits)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown -p kam-wasm

step "TypeScript: typed_usage.ts type-checks against the generated kam_wasm.d.ts"
(cd "$here/e2e" && node_modules/.bin/tsc --noEmit --strict --target es2022 --lib esnext --module nodenext --moduleResolution nodenext typed_usage.ts)

step "Node package (pkg-node) through its JS glue"
(cd "$here/e2e" && node --test node.test.js bad_records.test.js)

step "Node answers byte-identical to Rust's on generated records (fresh seed; KAM_CROSS_SEED repeats one)"
export KAM_CROSS_DIR="$PWD/target/cross-node"
cargo run -q -p kam-tests --bin cross-binding -- "$KAM_CROSS_DIR"
(cd "$here/e2e" && node --test cross.test.js)

step "preview page in headless Chromium"
(cd "$here/e2e" && node --test page.test.js)

echo
echo "all WebAssembly tests passed"
