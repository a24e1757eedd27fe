/**
 * The event log: the runtime's and the dashboard's events, newest first, errors in red.
 *
 * @module
 */

import { useState } from "preact/hooks";
import { describeEvent } from "../shared/format.ts";
import { useStore } from "../shared/store.ts";

/** The media clock's time of day (UTC), to the millisecond. */
function clockTime(timeNs: number): string {
  return new Date(timeNs / 1e6).toISOString().slice(11, 23);
}

/** Props of the event log. */
export interface EventLogProps {
  /** Events shown at most. */
  limit: number;
}

/**
 * The event log island.
 *
 * @param props How many events to show.
 * @returns The log.
 */
export default function EventLog({ limit }: EventLogProps) {
  const store = useStore();
  const [showStates, setShowStates] = useState(false);
  const events = store.events.value
    .filter(({ event }) => showStates || event.type !== "node-state")
    .slice(-limit)
    .reverse();
  return (
    <section class="event-log">
      <header>
        <h2>Events</h2>
        <label>
          <input
            type="checkbox"
            checked={showStates}
            onChange={(e) => setShowStates(e.currentTarget.checked)}
          />{" "}
          node states
        </label>
      </header>
      <ol data-events={store.events.value.length}>
        {events.map(({ seq, event }) => (
          <li key={seq} class={`event event-${event.type}`} data-event={event.type}>
            <time>{clockTime(event.timeNs)}</time>
            <span>{describeEvent(event)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
