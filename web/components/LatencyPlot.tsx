/**
 * `<LatencyPlot>`: pick a source and a sink, and plot the end-to-end latency between them, from
 * frame timestamps (`PUT /api/v1/latency`, polled with `GET /api/v1/latency` once a second).
 *
 * @module
 */

import { useEffect, useState } from "preact/hooks";
import { callApi, requestApi } from "../client/api_client.ts";
import { formatDuration } from "../shared/format.ts";
import { useStore } from "../shared/store.ts";
import { Sparkline } from "./Sparkline.tsx";

/** The body of `GET /api/v1/latency`. */
interface LatencyReply {
  measuring: boolean;
  source?: string;
  sink?: string;
  port?: string;
  sourcePort?: string;
  now: number;
  samples: { t: number; latencyNs: number }[];
  atSource: { t: number; latencyNs: number }[];
}

/**
 * The control and its plot.
 *
 * @returns The section.
 */
export function LatencyPlot() {
  const store = useStore();
  const nodes = store.graph.value.nodes;
  const sources = nodes.filter((n) => n.outputs.length > 0 && n.inputs.length === 0).map((n) =>
    n.id
  );
  const sinks = nodes.filter((n) => n.inputs.length > 0 && n.outputs.length === 0).map((n) => n.id);
  const [source, setSource] = useState("");
  const [sink, setSink] = useState("");
  const [reply, setReply] = useState<LatencyReply | null>(null);
  const measuring = reply?.measuring === true;

  useEffect(() => {
    let stop = false;
    const poll = async () => {
      if (!store.token.value) return; // no access: nothing live to show
      const r = await requestApi<LatencyReply>(store, "GET", "/latency");
      if (!stop && r.ok) setReply(r.body);
    };
    void poll();
    const timer = setInterval(() => void poll(), 1000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);

  const chosenSource = source || reply?.source || sources[0] || "";
  const chosenSink = sink || reply?.sink || sinks[0] || "";
  const shift = reply ? Date.now() - reply.now : 0;
  const series = (samples: { t: number; latencyNs: number }[] = []) => ({
    t: samples.map((s) => s.t + shift),
    v: samples.map((s) => s.latencyNs),
  });
  return (
    <section class="latency" data-latency={measuring ? "measuring" : "idle"}>
      <h3>End-to-end latency</h3>
      <p class="muted">
        How late frames reach the sink against their source timestamps (dashed: at the source's own
        output; the gap is what the graph adds).
      </p>
      <label>
        from{" "}
        <select
          name="latency-source"
          value={chosenSource}
          onChange={(e) => setSource(e.currentTarget.value)}
        >
          {sources.map((id) => <option key={id} value={id}>{id}</option>)}
        </select>
      </label>{" "}
      <label>
        to{" "}
        <select
          name="latency-sink"
          value={chosenSink}
          onChange={(e) => setSink(e.currentTarget.value)}
        >
          {sinks.map((id) => <option key={id} value={id}>{id}</option>)}
        </select>
      </label>{" "}
      <button
        type="button"
        data-action="measure-latency"
        disabled={!store.token.value || !chosenSource || !chosenSink}
        onClick={async () => {
          const r = await callApi<LatencyReply>(store, "PUT", "/latency", {
            source: chosenSource,
            sink: chosenSink,
          });
          if (r) setReply(r);
        }}
      >
        Measure
      </button>{" "}
      <button
        type="button"
        data-action="stop-latency"
        disabled={!store.token.value || !measuring}
        onClick={async () => {
          const r = await callApi<LatencyReply>(store, "DELETE", "/latency");
          if (r) setReply(r);
        }}
      >
        Stop
      </button>
      {reply?.port
        ? (
          <Sparkline
            name="e2e-latency"
            title={`${reply.source} → ${reply.sink} (at ${reply.port} / ${reply.sourcePort})`}
            series={[series(reply.samples), series(reply.atSource)]}
            format={formatDuration}
          />
        )
        : null}
    </section>
  );
}
