#!/bin/sh
# Runs this plugin's tests against the streamlib_plugin SDK of a streamlib checkout: the one in
# $STREAMLIB_DIR, else the first folder above this one that holds crates/streamlib_plugin.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${STREAMLIB_DIR:-{{streamlib}}}
if [ -z "$root" ]; then
  dir=$here
  while [ "$dir" != "/" ]; do
    dir=$(dirname "$dir")
    if [ -d "$dir/crates/streamlib_plugin" ]; then root=$dir; break; fi
  done
fi
if [ -z "$root" ] || [ ! -d "$root/crates/streamlib_plugin" ]; then
  echo "error: cannot find the streamlib_plugin SDK: set STREAMLIB_DIR to a streamlib checkout" >&2
  exit 1
fi
ln -sfn "$root" "$here/.streamlib"
cd "$here"
exec cargo test --release "$@"
