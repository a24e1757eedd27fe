/**
 * Save and load of the graph as a pipeline manifest: Save downloads `GET /api/v1/manifest`, Load
 * posts a chosen JSON file to `POST /api/v1/manifest` and lists every validation issue by its
 * path (`nodes[1].config.frequency`), grouped by node.
 *
 * @module
 */

import { useRef } from "preact/hooks";
import { requestApi } from "../client/api_client.ts";
import { type DashboardStore, type ManifestProblem, useStore } from "../shared/store.ts";

/**
 * Loads a manifest file into the graph (`POST /api/v1/manifest`, replacing the graph when the
 * page's "replace" box is ticked); its problems, if any, go to the store for the list.
 *
 * @param store The page's store.
 * @param chosen The file (chosen or dropped).
 */
export async function loadManifestFile(store: DashboardStore, chosen: File): Promise<void> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await chosen.text());
  } catch (error) {
    store.manifestProblems.value = {
      name: chosen.name,
      list: [{ path: "", message: `not valid JSON: ${(error as Error).message}` }],
    };
    return;
  }
  const reply = await requestApi<{ added: string[] }>(store, "POST", "/manifest", {
    manifest,
    ...(store.replaceOnLoad.value ? { replace: true } : {}),
  });
  if (reply.ok) {
    store.manifestProblems.value = null;
    store.notice.value = {
      kind: "info",
      text: `Loaded ${chosen.name}: ${reply.body.added.length} processors added`,
    };
  } else store.manifestProblems.value = { name: chosen.name, list: problemsOf(reply.error) };
}

/**
 * The problems an API error carries: every `details.issues` entry, or the error itself.
 *
 * @param error The API's error.
 * @returns The problems, at least one.
 */
export function problemsOf(
  error: { message: string; field?: string; details?: unknown },
): ManifestProblem[] {
  const issues = (error.details as { issues?: ManifestProblem[] } | undefined)?.issues;
  if (Array.isArray(issues) && issues.length > 0) return issues;
  return [{ path: error.field ?? "", message: error.message }];
}

function download(name: string, text: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/**
 * The Save, Trace and Load buttons, and the issues of the last load.
 *
 * @returns The tools.
 */
export function ManifestTools() {
  const store = useStore();
  const file = useRef<HTMLInputElement>(null);
  const problems = store.manifestProblems.value;
  const setProblems = (value: typeof problems) => store.manifestProblems.value = value;
  const replace = store.replaceOnLoad.value;
  const setReplace = (value: boolean) => store.replaceOnLoad.value = value;
  const allowed = store.token.value !== null;

  const save = async () => {
    const reply = await requestApi<unknown>(store, "GET", "/manifest");
    if (!reply.ok) {
      store.notice.value = { kind: "error", text: reply.error.message };
      return;
    }
    download("pipeline.json", `${JSON.stringify(reply.body, null, 2)}\n`);
  };

  const load = (chosen: File) => loadManifestFile(store, chosen);

  return (
    <span class="manifest-tools">
      <button
        type="button"
        data-action="save-manifest"
        title="Download the running graph as a pipeline manifest (JSON)"
        onClick={() => void save()}
      >
        Save
      </button>
      <button
        type="button"
        data-action="export-trace"
        title="Download the last minutes of stats as a Chrome trace (opens in Perfetto)"
        onClick={() =>
          download(
            "streamlib-trace.json",
            JSON.stringify(store.trends.toTrace()),
          )}
      >
        Trace
      </button>
      <button
        type="button"
        data-action="load-manifest"
        disabled={!allowed}
        title="Add the processors and connections of a manifest file to the graph (or drop the file on the graph)"
        onClick={() => file.current?.click()}
      >
        Load…
      </button>
      <label class="replace" title="Remove every processor before loading">
        <input
          type="checkbox"
          name="replace"
          checked={replace}
          disabled={!allowed}
          onChange={(e) => setReplace(e.currentTarget.checked)}
        />{" "}
        replace
      </label>
      <input
        ref={file}
        type="file"
        name="manifest"
        accept=".json,application/json"
        hidden
        onChange={(e) => {
          const chosen = e.currentTarget.files?.[0];
          e.currentTarget.value = "";
          if (chosen) void load(chosen);
        }}
      />
      {problems
        ? (
          <section class="manifest-issues" role="alert" data-manifest-issues={problems.list.length}>
            <header>
              <strong>
                Cannot load {problems.name}: {problems.list.length}{" "}
                {problems.list.length === 1 ? "problem" : "problems"}
              </strong>
              <button type="button" class="dismiss" onClick={() => setProblems(null)}>×</button>
            </header>
            <ul>
              {problems.list.map((p, i) => (
                <li key={i} data-issue-path={p.path}>
                  <code>{p.path || "(file)"}</code>
                  {p.node ? <span class="muted">{p.node}</span> : null}
                  <span>
                    {p.message.startsWith(`${p.path}: `)
                      ? p.message.slice(p.path.length + 2)
                      : p.message}
                  </span>
                  {p.suggestions?.length
                    ? <span class="muted">did you mean {p.suggestions.join(", ")}?</span>
                    : null}
                </li>
              ))}
            </ul>
          </section>
        )
        : null}
    </span>
  );
}
