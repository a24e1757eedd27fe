// The shell of a plugin's panel: the script of the sandboxed frame the dashboard opens for a
// plugin UI (`/plugins/<name>/frame`). It waits for the dashboard's init message and its
// MessagePort, imports the plugin's module and calls its default export with a root element and a
// host object; every call of the host is a message on the port. The protocol and the sandbox are
// described in docs/plugin_ui.md. Plain JavaScript: it is served as it is, no bundle.
"use strict";

(() => {
  const root = document.getElementById("plugin-root");
  const moduleUrl = document.body.dataset.module;
  /** @type {MessagePort | null} */
  let port = null;
  let init = null;
  let nextId = 1;
  const pending = new Map();
  const listeners = { config: new Set(), stats: new Set(), levels: new Set() };
  const subscribed = new Set();

  const showError = (text) => {
    const box = document.createElement("pre");
    box.dataset.pluginFailure = "";
    box.style.cssText = "color:#b00;white-space:pre-wrap;font:12px monospace";
    box.textContent = text;
    root.replaceChildren(box);
  };
  const describe = (error) =>
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const send = (message) => port?.postMessage(message);

  const subscribe = (topic, callback) => {
    if (typeof callback !== "function") throw new TypeError(`on${topic}() takes a function`);
    listeners[topic].add(callback);
    if (!subscribed.has(topic)) {
      subscribed.add(topic);
      send({ type: "subscribe", topics: [...subscribed] });
    }
    return () => listeners[topic].delete(callback);
  };

  const host = (data) =>
    Object.freeze({
      node: Object.freeze({ id: data.node.id, type: data.node.type }),
      schema: data.schema,
      liveFields: data.liveFields,
      get config() {
        return structuredClone(init.config);
      },
      get locked() {
        return init.locked;
      },
      setConfig(patch) {
        const id = nextId++;
        send({ type: "set-config", id, patch });
        return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      },
      onConfig: (callback) => subscribe("config", callback),
      onStats: (callback) => subscribe("stats", callback),
      onLevels: (callback) => subscribe("levels", callback),
      resize(height) {
        send({ type: "resize", height: Number(height) });
      },
    });

  const onPortMessage = (event) => {
    const message = event.data;
    if (!message || typeof message !== "object") return;
    if (message.type === "result") {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.ok) waiting.resolve(message.result);
      else {
        const error = Object.assign(new Error(message.error.message), {
          code: message.error.code,
          field: message.error.field,
        });
        waiting.reject(error);
      }
    } else if (message.type === "config") {
      init.config = message.config;
      init.locked = message.locked;
      for (const callback of listeners.config) callback(structuredClone(message.config));
    } else if (message.type === "stats") {
      for (const callback of listeners.stats) callback(message.stats);
    } else if (message.type === "levels") {
      for (const callback of listeners.levels) callback(message.levels);
    }
  };

  const start = async () => {
    try {
      // Absolute: this classic script is cross-origin to the sandboxed page (an opaque origin),
      // so a relative import() would resolve against about:blank.
      const module = await import(new URL(moduleUrl, document.baseURI).href);
      if (typeof module.default !== "function") {
        throw new TypeError(
          `${moduleUrl} has no default export function: export default function mount(root, host)`,
        );
      }
      await module.default(root, host(init));
      send({ type: "mounted" });
    } catch (error) {
      const text = `The panel failed to load: ${describe(error)}`;
      showError(text);
      send({ type: "failed", message: text.slice(0, 2000) });
    }
  };

  globalThis.addEventListener("error", (event) => {
    send({ type: "error", message: describe(event.error ?? event.message).slice(0, 2000) });
  });
  globalThis.addEventListener("unhandledrejection", (event) => {
    send({ type: "error", message: describe(event.reason).slice(0, 2000) });
  });
  globalThis.addEventListener("message", (event) => {
    const data = event.data;
    if (port || event.source !== parent || !data || data.type !== "streamlib-plugin-init") return;
    if (!event.ports[0]) return;
    port = event.ports[0];
    init = {
      node: data.node,
      schema: data.schema,
      liveFields: data.liveFields,
      config: data.config,
      locked: data.locked,
    };
    port.onmessage = onPortMessage;
    void start();
  });
  parent.postMessage({ type: "streamlib-plugin-ready" }, "*");
})();
