#!/usr/bin/env bash
# Installs what the test suites need beyond the base image (Rust, Python 3.11,
# Node, gcc), skipping whatever is already there: rustfmt and clippy, Debian's
# chromium and a CJK font for the page test (the sample customers have Chinese
# names), the wasm32 target, wasm-bindgen-cli at the crate's exact version and
# the npm packages (bindings-wasm/build.sh --tools-only). The Python suite
# makes its own virtualenv. tests/run-all.sh runs this first.
set -euo pipefail
cd "$(dirname "$0")/.."

for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done

# Debian packages: as root, or through sudo; otherwise say what is missing.
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || packages+=(fonts-wqy-zenhei)
if [ ${#packages[@]} -gt 0 ]; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      echo "tests/setup.sh: install ${packages[*]} (Debian packages) as root, then run again" >&2
      exit 1
    fi
  fi
  "${as_root[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
fi

bindings-wasm/build.sh --tools-only
