#!/usr/bin/env bash
# Runs every test (`deno task test` calls it after installing the tools and building the native
# library): the test files one per core (`--parallel`), then, one at a time, those whose WebRTC
# endpoints are named by node id in the process (`live`, `ingest`, ...: two runtimes in one
# process cannot both have one of a name, and `deno test --parallel` runs its files in one
# process), which would refuse each other's endpoints if they ran at once. Both phases always run;
# the exit status is non-zero when either failed. Arguments go to both `deno test` calls.
set -uo pipefail
cd "$(dirname "$0")/.."

serial=(
  tests/webrtc
  tests/sessions/webrtc_test.ts
  tests/sessions/webrtc_example_test.ts
  tests/web/security_test.ts
  tests/web/hostile_http_test.ts
)
# `--ignore` replaces deno.json's "exclude" for this run, so its entries are repeated here: the
# templates' own tests (`templates/*/*.test.ts`, with {{placeholders}} in their imports) run only in
# the folders `streamlib new` makes (tests/templates_test.ts).
excluded=(node_modules/ crates/target/ .cache/ templates/)
ignore=$(IFS=,; echo "${serial[*]},${excluded[*]}")
# `deno task` runs this with its own deno, which need not be on PATH: use the repository's.
deno=$(command -v deno || echo "$PWD/node_modules/deno/deno")

"$deno" test -A --doc --parallel --ignore="$ignore" "$@"
parallel=$?
"$deno" test -A --doc "$@" "${serial[@]}"
one_at_a_time=$?
[ "$parallel" -eq 0 ] && [ "$one_at_a_time" -eq 0 ]
