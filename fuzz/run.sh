#!/usr/bin/env bash
# Runs kam's fuzz targets (cargo fuzz, libFuzzer) for SECONDS each (default 60).
#   fuzz/run.sh [SECONDS] [TARGET...]        targets: record policy
# KAM_FUZZ_TIMEOUT (default 10) is libFuzzer's per-input limit in wall-clock
# seconds: raise it when the run shares a busy machine (an input starved of
# CPU is otherwise reported as a hang).
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). The stable toolchain
# is enough: RUSTC_BOOTSTRAP lets cargo fuzz pass its coverage flags, and the
# sanitizer is off (the core forbids unsafe code). Corpora live in fuzz/corpus
# (seeded from data/, tests/bad-records/ and tests/attacks/); a crash is saved
# in fuzz/artifacts/<target>/ and fails the run: minimise it with
# `cargo fuzz tmin`, fix, and add it to tests/fuzz-regressions/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(record policy)
export RUSTC_BOOTSTRAP=1

seed() {
  local target=$1; mkdir -p "corpus/$target"
  case $target in
    record)
      local i=0
      for f in ../data/*.jsonl ../tests/bad-records/*.jsonl; do
        while IFS= read -r line || [ -n "$line" ]; do
          i=$((i + 1)); printf '%s' "$line" > "corpus/record/seed-$i"
        done < "$f"
      done ;;
    policy)
      for f in ../tests/attacks/*.rhai ../rules/customer*.rhai; do
        { echo '{"id": "F-1", "annual_revenue": 3000000, "credit_rating": "good", "long_term_intent": true, "tier": "A"}'; cat "$f"; } \
          > "corpus/policy/seed-$(basename "$f" .rhai)"
      done ;;
  esac
  # Saved crashers are replayed first, so a fixed one stays fixed.
  if [ -d "../tests/fuzz-regressions/$target" ]; then
    cp ../tests/fuzz-regressions/"$target"/* "corpus/$target/" 2>/dev/null || true
  fi
}

for target in "${targets[@]}"; do
  seed "$target"
  dict=()
  [ -f "$target.dict" ] && dict=(-dict="$target.dict")
  cargo fuzz run -O --sanitizer none "$target" "corpus/$target" -- "${dict[@]}" \
    -max_total_time="$seconds" -timeout="${KAM_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -print_final_stats=1
done
