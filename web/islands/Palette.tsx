/**
 * The palette: every processor type of the registry, with a form to add one to the graph, and
 * for a type that is not built in where it came from (`project`, `plugin <name> <version>`).
 *
 * @module
 */

import { useState } from "preact/hooks";
import type { JsonValue } from "../../core/schema/json_schema.ts";
import { originLabel } from "../../core/registry/processor_origin.ts";
import { addNodeEdit } from "../client/edits.ts";
import { PROCESSOR_DRAG_TYPE } from "../components/graph/drop_on_graph.ts";
import { schemaDefaults, SchemaForm } from "../components/SchemaForm.tsx";
import { plainText } from "../shared/format.ts";
import { useStore } from "../shared/store.ts";

/** Props of the palette (none: it reads the store). */
export type PaletteProps = Record<never, never>;

/**
 * The palette island.
 *
 * @returns The palette.
 */
export default function Palette(_props: PaletteProps) {
  const store = useStore();
  const [filter, setFilter] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const [id, setId] = useState("");
  const needle = filter.trim().toLowerCase();
  const processors = store.processors.value.filter((p) =>
    needle === "" || p.name.toLowerCase().includes(needle) ||
    p.tags.some((t) => t.includes(needle)) ||
    (p.origin?.kind === "plugin" && originLabel(p.origin).toLowerCase().includes(needle))
  );
  const notice = store.notice.value;
  return (
    <nav class="palette">
      <h2>Processors</h2>
      <input
        class="palette-filter"
        type="search"
        placeholder="Filter by name, tag or plugin"
        value={filter}
        onInput={(e) => setFilter(e.currentTarget.value)}
      />
      <ul>
        {processors.map((p) => (
          <li key={p.name} class={open === p.name ? "open" : ""} data-processor={p.name}>
            <button
              type="button"
              class="palette-item"
              title={`${p.description}\n\nDrag onto the graph to add one there.`}
              draggable={store.token.value !== null}
              onDragStart={(e) => {
                e.dataTransfer?.setData(PROCESSOR_DRAG_TYPE, p.name);
                if (e.dataTransfer) {
                  e.dataTransfer.effectAllowed = "copy";
                }
              }}
              onClick={() => {
                setOpen(open === p.name ? null : p.name);
                setId("");
              }}
            >
              <strong>{p.name}</strong>
              <span class="mode">{p.mode}</span>
              <span class="summary">{plainText(p.description.split("\n")[0])}</span>
              {p.origin && p.origin.kind !== "builtin"
                ? (
                  <span class="origin" title={p.origin.folder ?? ""}>
                    {plainText(originLabel(p.origin))}
                  </span>
                )
                : null}
              <span class="types">
                {p.inputs.length > 0
                  ? `in: ${
                    [...new Set(p.inputs.map((x) => x.portType))].join(", ")
                  }`
                  : "source"}
                {" · "}
                {p.outputs.length > 0
                  ? `out: ${
                    [...new Set(p.outputs.map((x) => x.portType))].join(", ")
                  }`
                  : "sink"}
              </span>
            </button>
            {open === p.name
              ? (
                <SchemaForm
                  name={`add-${p.name}`}
                  schema={p.config}
                  values={schemaDefaults(p.config)}
                  live={p.liveFields}
                  locked={false}
                  invalidField={notice?.kind === "error" ? notice.field : undefined}
                  submitLabel={`Add ${p.name}`}
                  onlyChanged={false}
                  onSubmit={async (config: Record<string, JsonValue>) => {
                    const body = {
                      type: p.name,
                      config,
                      ...(id.trim() ? { id: id.trim() } : {}),
                    };
                    await store.history.run(addNodeEdit(store, body, (added) => {
                      setOpen(null);
                      store.selectSoon({ kind: "node", id: added });
                    }));
                  }}
                >
                  <label class="field">
                    <span class="field-name">id</span>
                    <input
                      name="id"
                      type="text"
                      placeholder="automatic"
                      value={id}
                      onInput={(e) => setId(e.currentTarget.value)}
                    />
                  </label>
                </SchemaForm>
              )
              : null}
          </li>
        ))}
      </ul>
    </nav>
  );
}
