/**
 * What opening `libstreamlib_native` costs each isolate. Each row is a fresh `deno` process that
 * maps the file in its main isolate, then starts 8 Workers one after the other; each Worker binds
 * symbols and calls one of them, and reports how long that took; the row gives the median time
 * and the process's resident memory added per Worker against the same 8 Workers doing nothing
 * (the "none" row). "every symbol" is `Deno.dlopen(path, symbols)` (the whole table at once, as
 * the loader did before `ffi/native/lazy_symbols.ts`); "lazily, ring + pool" is
 * `loadNativeLibrary()` and one call into the ring and one into the pool group, what a graph with
 * Worker connections needs; "lazily, reverb" one call into the reverb group, what a session
 * running the built-in `Reverb` needs. Processes alternate; medians of the runs.
 *
 * Run: `deno run -A bench/native_bind.ts [--runs 5]`
 *
 * @module
 */

import { parseArgs } from "node:util";

const LIB = new URL("../crates/target/release/libstreamlib_native.so", import.meta.url).pathname;
const WORKERS = 8;

type Kind = "none" | "eager" | "ring-pool" | "reverb";

/** In a Worker: bind as `kind` says and post the milliseconds it took. */
async function inWorker(kind: Kind): Promise<void> {
  const { symbols } = await import("../ffi/native/symbols.ts");
  const { loadNativeLibrary } = await import("../ffi/native/load.ts");
  const t0 = performance.now();
  if (kind === "eager") {
    Deno.dlopen(LIB, symbols).symbols.sl_abi_version();
  } else if (kind !== "none") {
    const lib = loadNativeLibrary({ path: LIB, build: false });
    if (kind === "ring-pool") {
      lib.symbols.sl_ring_slots(0);
      lib.symbols.sl_pool_free(0);
    } else {
      lib.symbols.sl_reverb_free(0);
    }
  }
  (self as unknown as Worker).postMessage(performance.now() - t0);
}

/** In a child process: 8 Workers in turn; prints their median ms and the RSS added per Worker. */
async function inChild(kind: Kind): Promise<void> {
  Deno.dlopen(LIB, { sl_abi_version: { parameters: [], result: "u32" } }).symbols
    .sl_abi_version();
  const rss0 = Deno.memoryUsage().rss;
  const times: number[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const worker = new Worker(import.meta.url, { type: "module", name: `bind:${kind}` });
    times.push(await new Promise<number>((resolve) => worker.onmessage = (e) => resolve(e.data)));
    workers.push(worker);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const mb = (Deno.memoryUsage().rss - rss0) / WORKERS / 2 ** 20;
  for (const worker of workers) worker.terminate();
  console.log(JSON.stringify({ ms: median(times), mb }));
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

const name = (globalThis as { name?: string }).name ?? "";
if (name.startsWith("bind:")) {
  await inWorker(name.slice(5) as Kind);
} else {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string", default: "5" }, child: { type: "string" } },
  });
  if (values.child) {
    await inChild(values.child as Kind);
  } else {
    const rows: [string, Kind][] = [
      ["Workers doing nothing (the baseline)", "none"],
      ["every symbol (Deno.dlopen of the whole table)", "eager"],
      ["lazily: ring + pool groups", "ring-pool"],
      ["lazily: reverb group", "reverb"],
    ];
    const results = new Map<Kind, { ms: number[]; mb: number[] }>();
    for (let run = 0; run < Number(values.runs); run++) {
      for (const [, kind] of rows) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", import.meta.filename!, "--child", kind],
          stderr: "inherit",
        }).output();
        if (!out.success) throw new Error(`${kind} failed`);
        const { ms, mb } = JSON.parse(new TextDecoder().decode(out.stdout));
        const r = results.get(kind) ?? { ms: [], mb: [] };
        r.ms.push(ms);
        r.mb.push(mb);
        results.set(kind, r);
      }
    }
    const base = median(results.get("none")!.mb);
    console.log(
      `native_bind: ${values.runs} processes per row alternating, ${WORKERS} Workers each, ` +
        `medians; load ${Deno.loadavg()[0].toFixed(1)}`,
    );
    console.log("| binding in a Worker | ms | MB resident per Worker over the baseline |");
    console.log("| --- | ---: | ---: |");
    for (const [label, kind] of rows) {
      const r = results.get(kind)!;
      const extra = kind === "none" ? "-" : (median(r.mb) - base).toFixed(2);
      console.log(`| ${label} | ${median(r.ms).toFixed(1)} | ${extra} |`);
    }
  }
}
