// RtmpSink against nginx with libnginx-mod-rtmp (apt), a media server as deployed: it records the
// publish to FLV, which ffprobe decodes; nginx SIGKILLed and started again brings the peer
// events `disconnected`, `retrying`, `reconnected`. Loopback only; nginx runs in the foreground
// from a temporary prefix and is killed in `finally`.
import assert from "node:assert/strict";
import { RtmpSink } from "../../processors/mod.ts";
import { createRuntime, encodedPattern, stopIfRunning } from "./_graph.ts";
import { freePort, probeVideo, sleep, startPeer, waitFor } from "./_peers.ts";

/** nginx serving RTMP on `port`, recording application `live` under `dir`. */
async function nginxRtmp(dir: string, port: number) {
  await Deno.mkdir(`${dir}/logs`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:${port};
    application live {
      live on;
      record all;
      record_path ${dir};
      record_unique on;
    }
  }
}
`,
  );
  return startPeer("nginx", [
    "-p",
    dir,
    "-c",
    `${dir}/nginx.conf`,
    "-g",
    "daemon off; master_process off;",
  ]);
}

Deno.test("RtmpSink publishes to nginx-rtmp, which records it; a killed nginx brings peer events", async () => {
  const dir = await Deno.makeTempDir();
  const port = await freePort("tcp");
  let nginx = await nginxRtmp(dir, port);
  const rt = createRuntime({ workers: false });
  const seen: string[] = [];
  rt.on((event) => {
    const peer = event.type === "node-log" && event.node === "rtmp"
      ? (event.data as { peer?: string } | undefined)?.peer
      : undefined;
    if (peer) seen.push(peer);
  });
  try {
    await sleep(500); // nginx binds its port
    const rtmp = rt.add(RtmpSink, { url: `rtmp://127.0.0.1:${port}/live/key` }, { id: "rtmp" });
    encodedPattern(rt, rtmp.inputs.video);
    await rt.start();
    await waitFor("connected", 10_000, () => seen.includes("connected"));
    await sleep(2_000);
    await nginx.kill();
    await waitFor("disconnected", 10_000, () => seen.includes("disconnected"));
    await waitFor("retrying", 10_000, () => seen.includes("retrying"));
    nginx = await nginxRtmp(dir, port);
    await waitFor("reconnected", 15_000, () => seen.includes("reconnected"));
    await sleep(2_000);
    await rt.stop();
    await sleep(300); // nginx closes the recording
    assert.deepEqual(seen, ["connected", "disconnected", "retrying", "reconnected"]);
    const flvs = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".flv"));
    assert.equal(flvs.length, 2, `recordings: ${flvs.map((e) => e.name)}`);
    for (const flv of flvs) {
      const probe = await probeVideo(`${dir}/${flv.name}`);
      assert.equal(probe.codec, "h264");
      assert.equal(probe.width, 320);
      assert.ok(probe.frames >= 30, `${flv.name}: ${probe.frames} frames`);
    }
  } finally {
    await stopIfRunning(rt);
    await nginx.kill();
    await Deno.remove(dir, { recursive: true });
  }
});
