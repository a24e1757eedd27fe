#!/usr/bin/env bash
# Installs what `deno task build:native` needs beyond Rust/cargo, on a Debian-like machine: cmake
# (libopus's build), a C/C++ compiler (OpenH264, libopus), nasm (OpenH264's x86 assembly: the
# build refuses to go without it unless STREAMLIB_ALLOW_NO_ASM=1, issue 19) and on Linux ALSA's
# headers with pkg-config (libasound2-dev, for Speaker). `deno task demo` runs
# it first, so the README's demo command works on a machine with only Node and Rust. It installs
# only what is missing (apt-get as root or with password-less sudo), and on other systems or
# without root it prints what to install and exits non-zero.
set -uo pipefail

missing_tools() {
  # Shell builtins only (HOSTTYPE, command -v), so it works whatever is on the PATH.
  local out=""
  for pair in cmake:cmake cc:gcc c++:g++; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || out+="${pair##*:} "
  done
  case "${HOSTTYPE:-}" in
    x86_64 | i?86)
      command -v "${NASM:-nasm}" >/dev/null 2>&1 || [ "${STREAMLIB_ALLOW_NO_ASM:-}" = 1 ] ||
        out+="nasm "
      ;;
  esac
  # Linux: ALSA's headers and pkg-config, which cpal's ALSA backend links against (Speaker;
  # docs/decisions/0048-speaker-with-cpal.md).
  case "${OSTYPE:-}" in
    linux*)
      command -v pkg-config >/dev/null 2>&1 || out+="pkg-config "
      [ -f /usr/include/alsa/asoundlib.h ] || out+="libasound2-dev "
      ;;
  esac
  printf '%s' "$out"
}

need=$(missing_tools)
[ -z "${need// /}" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  echo "install_build_deps: installing with apt: $need"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  # shellcheck disable=SC2086
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq $need; } >/dev/null 2>&1 ||
    echo "install_build_deps: apt-get could not install: $need"
fi
still=$(missing_tools)
still=${still% }
if [ -n "${still// /}" ]; then
  echo "install_build_deps: the native build needs: $still" >&2
  echo "install them (Debian/Ubuntu: apt-get install $still; Fedora: dnf install $still;" \
    "macOS: brew install $still) and run again" >&2
  exit 1
fi
