#!/usr/bin/env bash
# Type-checks and lints the whole crates/ workspace for macOS on Linux: `cargo check` and
# `cargo clippy -- -D warnings` for aarch64-apple-darwin and x86_64-apple-darwin, with the
# macOS-only code (target_os = "macos": AVFoundation capture, VideoToolbox encoding and their
# objc2-* dependencies) compiled by rustc against the real objc2 crates. Run as
# `deno task check:apple`; CI runs it too (.ci/run, step "Apple targets (check + clippy)").
#
# How: Debian's rustc-web/cargo-web (a current Rust) plus rust-web-src (the standard library's
# source) let `cargo -Zbuild-std` build std for the Apple targets (no prebuilt std for them is
# installable here); RUSTC_BOOTSTRAP=1 allows the -Z flag on a stable compiler. rust-web-clippy is
# Debian's clippy for that same compiler. Build scripts that compile C/C++ (openh264-sys2, opus)
# get scripts/apple_cc_stub.sh as the target's compiler: `cargo check` never links, so their
# objects may be empty (see that file). Nothing is linked or run: this proves the code compiles
# for Apple targets, not that it works there (docs/platforms.md).
#
# The normal toolchain (rustup's or whatever `cargo` is on PATH) is untouched: this script calls
# /usr/bin/cargo and /usr/bin/rustc by path and builds into crates/target/apple.
#
# Installs rustc-web, cargo-web, rust-web-src and rust-web-clippy with apt-get when missing (as
# root, or through password-less sudo); `--install-only` does only that (CI installs first, then
# runs the check in the background beside the test suite, where apt would meet other installs);
# `--target aarch64-apple-darwin` (or x86_64-apple-darwin) checks that one target only. Exits
# non-zero when any step fails; prints one summary line per target and step with its error and
# warning counts.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

targets=(aarch64-apple-darwin x86_64-apple-darwin)
packages=(rustc-web cargo-web rust-web-src rust-web-clippy)
toolbin=/usr/bin
rust_src=/usr/lib/rustlib/src/rust/library

install_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --install-only) install_only=1 ;;
    --target)
      case "${2:-}" in
        aarch64-apple-darwin | x86_64-apple-darwin) targets=("$2") ;;
        *)
          echo "check_apple: --target takes aarch64-apple-darwin or x86_64-apple-darwin, not '${2:-}'" >&2
          exit 2
          ;;
      esac
      shift
      ;;
    *)
      echo "check_apple: unknown argument '$1' (valid: --install-only, --target <apple target>)" >&2
      exit 2
      ;;
  esac
  shift
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    echo "check_apple: need root or password-less sudo to run: $*" >&2
    return 1
  fi
}

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "check_apple: installing ${missing[*]} (apt)"
  as_root apt-get update -qq >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "check_apple: could not install ${missing[*]} with apt-get" >&2
    exit 1
  }
fi
for tool in cargo rustc cargo-clippy clippy-driver; do
  [ -x "$toolbin/$tool" ] || {
    echo "check_apple: $toolbin/$tool is missing after installing ${packages[*]}" >&2
    exit 1
  }
done
[ -d "$rust_src" ] || {
  echo "check_apple: $rust_src is missing (rust-web-src); -Zbuild-std needs it" >&2
  exit 1
}
rustc_version=$("$toolbin/rustc" --version | awk '{print $2}')
src_version=$(dpkg-query -W -f='${Version}' rust-web-src)
rustc_package=$(dpkg-query -W -f='${Version}' rustc-web)
if [ "$src_version" != "$rustc_package" ]; then
  echo "check_apple: rust-web-src $src_version does not match rustc-web $rustc_package" >&2
  exit 1
fi
if [ "$install_only" -eq 1 ]; then
  echo "check_apple: toolchain installed (rustc $rustc_version, Debian rustc-web $rustc_package)"
  exit 0
fi
echo "check_apple: rustc $rustc_version ($toolbin, Debian rustc-web $rustc_package), $("$toolbin/cargo-clippy" --version)"

# The stub stands in for every C/C++ compiler of both targets (cc-rs and CMake read these).
stub="$root/scripts/apple_cc_stub.sh"
for target in "${targets[@]}"; do
  var=${target//-/_}
  export "CC_$var=$stub" "CXX_$var=$stub" "AR_$var=ar"
done

# The Debian toolchain first on PATH, so `cargo clippy` finds its cargo-clippy/clippy-driver,
# whatever rustup or other cargo the caller has.
export PATH="$toolbin:$PATH" RUSTC="$toolbin/rustc" RUSTDOC="$toolbin/rustdoc"
unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTUP_TOOLCHAIN
export RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$root/crates/target/apple" CARGO_TERM_COLOR=never

logs=$(mktemp -d)
status=0
summary=()
run() {
  local name=$1 target=$2
  shift 2
  local log="$logs/$name-$target.log" start end code errors warnings
  start=$(date +%s)
  (cd crates && "$toolbin/cargo" "$@") >"$log" 2>&1
  code=$?
  end=$(date +%s)
  # Diagnostics only (not cargo's "generated N warnings", "could not compile" and "build failed,
  # waiting for other jobs to finish" status lines).
  errors=$(grep -cE '^error(\[E[0-9]+\])?: ' "$log")
  errors=$((errors - $(grep -cE '^error: (could not compile|aborting)' "$log")))
  warnings=$(grep -E '^warning: ' "$log" |
    grep -cvE 'generated [0-9]+ warnings?|warnings? emitted|build failed, waiting for other jobs')
  summary+=("$(printf '%-8s %-22s %s  %d errors, %d warnings, %ds' "$name" "$target" \
    "$([ $code -eq 0 ] && echo ok || echo FAILED)" "$errors" "$warnings" $((end - start)))")
  if [ $code -ne 0 ]; then
    status=1
    echo "---- cargo $name for $target failed; its diagnostics:"
    grep -vE '^\s+(Compiling|Checking|Fresh|Building)' "$log" | tail -n 150
  fi
}

build_std=(-Zbuild-std=std,panic_abort)
for target in "${targets[@]}"; do
  run check "$target" check "${build_std[@]}" --target "$target" --workspace --all-targets
  run clippy "$target" clippy "${build_std[@]}" --target "$target" --workspace --all-targets \
    -- -D warnings
done

echo
echo "check_apple: cargo (Debian rustc-web $rustc_version) for ${targets[*]}, crates/ workspace, all targets:"
printf '  %s\n' "${summary[@]}"
rm -rf "$logs"
exit $status
