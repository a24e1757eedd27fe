#!/bin/sh
# Runs this plugin's tests with the streamlib_processor package of a streamlib checkout: the one
# in $STREAMLIB_DIR, else the first folder above this one that holds
# plugins/python/streamlib_processor. Needs python3 (standard library only).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${STREAMLIB_DIR:-{{streamlib}}}
if [ -z "$root" ]; then
  dir=$here
  while [ "$dir" != "/" ]; do
    dir=$(dirname "$dir")
    if [ -d "$dir/plugins/python/streamlib_processor" ]; then root=$dir; break; fi
  done
fi
if [ -z "$root" ] || [ ! -d "$root/plugins/python/streamlib_processor" ]; then
  echo "error: cannot find streamlib_processor: set STREAMLIB_DIR to a streamlib checkout" >&2
  exit 1
fi
cd "$here"
PYTHONPATH="$root/plugins/python${PYTHONPATH:+:$PYTHONPATH}" exec python3 -m unittest discover -s tests -v
