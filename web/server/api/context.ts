/**
 * What the API routes work on.
 *
 * @module
 */

import type { Runtime } from "../../../mod.ts";
import type { ControlPolicy } from "../../../frontend/control_policy.ts";
import type { BodyLimits } from "../../../frontend/read_body.ts";
import type { PluginInfo, ProcessorInfo } from "../../shared/protocol.ts";
import type { DashboardPlugin } from "../plugin_ui.ts";
import type { LatencyMeter } from "../latency_meter.ts";
import type { StatsRing } from "../stats_ring.ts";
import type { StreamHub } from "../stream.ts";
import type { AccessPolicy } from "./auth.ts";
import type { LiveOutputs } from "../live_outputs.ts";

/** The runtime, the registry as listed, the stream hub, the stats history and the access rules. */
export interface ApiContext {
  /** The runtime, used only through its public API. */
  readonly runtime: Runtime;
  /** The processors the API lists and the palette offers. */
  readonly processors: readonly ProcessorInfo[];
  /** The plugins `GET /plugins` lists. */
  readonly plugins: readonly (PluginInfo | DashboardPlugin)[];
  /** The event stream. */
  readonly hub: StreamHub;
  /** The last minutes of stats, sampled every second (`GET /history`). */
  readonly history: StatsRing;
  /** End-to-end latency from a chosen source to a chosen sink (`/latency`). */
  readonly latency: LatencyMeter;
  /** Host, origin and token rules. */
  readonly policy: AccessPolicy;
  /** Size and time bounds of request bodies. */
  readonly bodyLimits: BodyLimits;
  /** What a token holder may add and where files may be: checked before every change. */
  readonly control: ControlPolicy;
  /** Live views of encoded outputs (`/live/:node/:port`, WHEP). */
  readonly live: LiveOutputs;
}
