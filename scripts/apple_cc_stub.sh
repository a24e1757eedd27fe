#!/bin/sh
# Stand-in C/C++ compiler for the Apple targets, used ONLY by scripts/check_apple.sh.
#
# Why it exists: `deno task check:apple` type-checks crates/ for aarch64-apple-darwin and
# x86_64-apple-darwin on Linux, where there is no Apple SDK and no clang for those targets. Some
# build scripts (openh264-sys2 through cc-rs, opusic-sys through CMake) still run a C/C++
# compiler for the target. `cargo check` and `cargo clippy` never link, so the objects those
# scripts make are never used: an empty object for the host is enough to let them finish. The
# Rust code, including every objc2 call, is still fully type-checked by rustc for the Apple
# target. Nothing built with this stub can be linked or run, and check_apple.sh uses its own
# CARGO_TARGET_DIR so none of it reaches a real build.
#
# It writes an empty host object to the output path, given as `-o PATH`, `-oPATH` or MSVC-style
# `-FoPATH`/`/FoPATH` (cc-rs may take an unknown compiler for MSVC), and prints nothing (so a
# `-E` probe sees no macros and a `--version` probe no version). With no output path it does
# nothing and succeeds.
set -eu
out=""
take_next=false
for arg in "$@"; do
  if $take_next; then
    out=$arg
    take_next=false
    continue
  fi
  case $arg in
    -o) take_next=true ;;
    -Fo* | /Fo*) out=${arg#?Fo} ;;
    -o*) out=${arg#-o} ;;
  esac
done
[ -n "$out" ] || exit 0
mkdir -p "$(dirname "$out")"
host_cc=${APPLE_STUB_HOST_CC:-cc}
printf '' | "$host_cc" -x c -c -o "$out" -
