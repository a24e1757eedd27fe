/**
 * The side panel: the selected processor (description, a live view for a `WhepSink`, ports, config
 * form, errors with stack) or connection (ends, policy, counters), with remove and disconnect.
 *
 * @module
 */

import type { JsonValue } from "../../core/schema/json_schema.ts";
import { configEdit, removeEdit } from "../client/edits.ts";
import { CounterTable } from "../components/CounterTable.tsx";
import { LiveView } from "../components/LiveView.tsx";
import { SchemaForm } from "../components/SchemaForm.tsx";
import { Sparkline } from "../components/Sparkline.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { formatCount, formatDuration, formatRate, plainText } from "../shared/format.ts";
import { LatencyPlot } from "../components/LatencyPlot.tsx";
import { PluginPanel } from "../components/PluginPanel.tsx";
import { useStore } from "../shared/store.ts";

/** Props of the side panel (none: it reads the store). */
export type SidePanelProps = Record<never, never>;

/**
 * The side panel island.
 *
 * @returns The panel.
 */
export default function SidePanel(_props: SidePanelProps) {
  const store = useStore();
  const selection = store.selection.value;
  const graph = store.graph.value;
  const stats = store.stats.value;
  if (!selection) {
    return (
      <aside class="side-panel" data-panel="none">
        <h2>Details</h2>
        <p class="muted">
          Select a processor or a connection. Drag from an output port to an input port to connect;
          compatible inputs light up.
        </p>
        <p class="muted">
          {graph.nodes.length} processors, {graph.connections.length} connections.
        </p>
        <LatencyPlot />
      </aside>
    );
  }
  if (selection.kind === "many") {
    return (
      <aside class="side-panel" data-panel="many">
        <h2>{selection.nodes.length + selection.connections.length} selected</h2>
        <p class="muted">
          {selection.nodes.length} processors: {selection.nodes.join(", ") || "none"}
          <br />
          {selection.connections.length} connections: {selection.connections.join(", ") || "none"}
        </p>
        <p class="muted">Shift+click adds or takes out; Delete removes them all (Ctrl+Z undoes).</p>
        <button
          type="button"
          class="danger"
          data-action="delete-selection"
          disabled={!store.token.value}
          onClick={() =>
            void store.history.run(removeEdit(store, selection.nodes, selection.connections))}
        >
          Remove selected
        </button>
      </aside>
    );
  }
  if (selection.kind === "connection") {
    const c = graph.connections.find((x) => x.id === selection.id);
    if (!c) return <aside class="side-panel" />;
    const s = stats.connections[c.id] ??
      { ...c.stats, rates: { written: 0, dropped: 0, moving: false } };
    return (
      <aside class="side-panel" data-panel="connection" data-connection={c.id}>
        <h2>{c.id}</h2>
        <p>
          <code>{c.from}</code> → <code>{c.to}</code>
        </p>
        <table class="kv">
          <tbody>
            <tr>
              <th>types</th>
              <td>{c.fromType} → {c.toType}</td>
            </tr>
            <tr>
              <th>policy</th>
              <td>{c.policy}, capacity {c.capacity}</td>
            </tr>
            <tr>
              <th>throughput</th>
              <td>{formatRate(s.rates.written)}</td>
            </tr>
            <tr>
              <th>queued</th>
              <td>{s.queued} of {s.capacity}</td>
            </tr>
            <tr>
              <th>written / read</th>
              <td>{formatCount(s.written)} / {formatCount(s.read)}</td>
            </tr>
            <tr>
              <th>dropped</th>
              <td>{formatCount(s.dropped)} ({formatRate(s.rates.dropped)})</td>
            </tr>
            <tr>
              <th>full rejections</th>
              <td>{formatCount(s.fullRejections)}</td>
            </tr>
            <tr>
              <th>discarded</th>
              <td title="offered after the reading node failed or ended: not queued, so it held back no writer">
                {formatCount(s.discarded ?? 0)}
              </td>
            </tr>
          </tbody>
        </table>
        <h3>Last minutes</h3>
        <Sparkline
          name="rate"
          title="frames/s"
          series={[store.trends.series("connection", c.id, "rate")]}
          format={formatRate}
        />
        <Sparkline
          name="fill"
          title="queue fill"
          series={[store.trends.series("connection", c.id, "fill")]}
          format={(v) => `${Math.round(v * 100)}%`}
        />
        <Sparkline
          name="drops"
          title="drops/s"
          series={[store.trends.series("connection", c.id, "drops")]}
          format={formatRate}
        />
        <button
          type="button"
          class="danger"
          data-action="disconnect"
          disabled={!store.token.value}
          onClick={() => void store.history.run(removeEdit(store, [], [c.id]))}
        >
          Disconnect
        </button>
      </aside>
    );
  }
  const node = graph.nodes.find((n) => n.id === selection.id);
  if (!node) return <aside class="side-panel" />;
  const info = store.processors.value.find((p) => p.name === node.type);
  const s = stats.nodes[node.id];
  const state = s?.state ?? node.state;
  const error = store.errors.value[node.id];
  const notice = store.notice.value;
  const locked = store.state.value === "running";
  return (
    <aside class="side-panel" data-panel="node" data-node={node.id}>
      <h2>
        {node.id} <StateBadge state={state} />
      </h2>
      <p class="muted">{node.type} · {node.mode} · {node.isolate}</p>
      {info ? <p class="description">{plainText(info.description)}</p> : null}
      {error
        ? (
          <section class="error-box" data-error={node.id}>
            <h3>
              Last error: {error.name} in {error.phase}()
            </h3>
            <p>{error.message}</p>
            {error.stack ? <pre class="stack">{error.stack}</pre> : null}
          </section>
        )
        : node.failure
        ? (
          <section class="error-box" data-error={node.id}>
            <h3>failed in {node.failure.phase}</h3>
            <p>{node.failure.message}</p>
          </section>
        )
        : null}
      {node.type === "WhepSink"
        ? (
          <>
            <h3>Live</h3>
            <LiveView
              node={node.id}
              token={store.token.value ?? ""}
              running={state === "running"}
            />
          </>
        )
        : null}
      {node.type !== "WhepSink"
        ? node.outputs.filter((p) => p.portType === "EncodedVideoFrame").map((p) => (
          <section key={`live-${p.name}`}>
            <h3>Live: {p.name}</h3>
            <LiveView
              node={`${node.id}.${p.name}`}
              path={`/api/v1/live/${encodeURIComponent(node.id)}/${encodeURIComponent(p.name)}`}
              token={store.token.value ?? ""}
              running={state === "running"}
            />
          </section>
        ))
        : null}
      <h3>Ports</h3>
      <table class="ports">
        <tbody>
          {node.inputs.map((p) => (
            <tr key={`in-${p.name}`}>
              <td>in</td>
              <td>
                <code>{p.name}</code>
              </td>
              <td>{p.portType}</td>
              <td>{p.connection ?? "—"}</td>
              <td></td>
            </tr>
          ))}
          {node.outputs.map((p) => (
            <tr key={`out-${p.name}`}>
              <td>out</td>
              <td>
                <code>{p.name}</code>
              </td>
              <td>{p.portType}</td>
              <td>{p.connections.join(", ") || "—"}</td>
              <td title="writes a full connection refused (framesRefusedByOutput)">
                {s?.framesRefusedByOutput?.[p.name]
                  ? `${formatCount(s.framesRefusedByOutput[p.name])} refused`
                  : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {s
        ? (
          <p class="muted">
            {formatCount(s.calls)} calls · p50 {formatDuration(s.processTime.p50Ns)} · p99{" "}
            {formatDuration(s.processTime.p99Ns)} · {formatRate(s.rates.framesOut)} out ·{" "}
            {formatCount(s.framesRefused ?? 0)} refused · {s.errors} errors
          </p>
        )
        : null}
      {s?.processor
        ? (
          <>
            <h3>Counters</h3>
            <CounterTable node={node.id} counters={s.processor} />
          </>
        )
        : null}
      <h3>Last minutes</h3>
      <Sparkline
        name="rate"
        title="calls/s"
        series={[store.trends.series("node", node.id, "rate")]}
        format={formatRate}
      />
      <Sparkline
        name="latency"
        title="p50 / p99 process time"
        series={[
          store.trends.series("node", node.id, "p50"),
          store.trends.series("node", node.id, "p99"),
        ]}
        format={formatDuration}
      />
      {info?.ui ? <PluginPanel key={node.id} node={node.id} ui={info.ui} /> : null}
      <h3>Config</h3>
      {locked && info && info.liveFields.length < Object.keys(info.config.properties ?? {}).length
        ? (
          <p class="muted lock-note">
            Recording lock: while running only live fields change; pause or stop for the others.
          </p>
        )
        : null}
      {info
        ? (
          <SchemaForm
            // One form per node: config changes from elsewhere merge into it (see SchemaForm).
            key={node.id}
            name={`config-${node.id}`}
            schema={info.config}
            values={node.config as Record<string, JsonValue>}
            live={info.liveFields}
            locked={locked}
            invalidField={notice?.kind === "error" ? notice.field : undefined}
            submitLabel="Apply"
            onlyChanged
            onSubmit={(config) =>
              void store.history.run(
                configEdit(store, node.id, config, node.config as Record<string, JsonValue>),
              )}
          />
        )
        : <pre>{JSON.stringify(node.config, null, 2)}</pre>}
      <button
        type="button"
        class="danger"
        data-action="remove"
        disabled={!store.token.value}
        onClick={() => void store.history.run(removeEdit(store, [node.id], []))}
      >
        Remove {node.id}
      </button>
    </aside>
  );
}
