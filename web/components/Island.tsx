/**
 * Marks an island in server-rendered HTML, the way Fresh does: the browser bundle finds each
 * `data-island` element and hydrates the component there with the same props and store.
 *
 * @module
 */

import type { ComponentType } from "preact";
import { type DashboardStore, StoreContext } from "../shared/store.ts";

/** Props of {@linkcode Island}. */
export interface IslandProps<P> {
  /** The island's name: its file name in `web/islands/` without the extension. */
  name: string;
  /** The island component. */
  component: ComponentType<P>;
  /** Its props (JSON-serializable). */
  props: P;
  /** The store it reads. */
  store: DashboardStore;
}

/**
 * Renders an island inside a marker element carrying its name and props.
 *
 * @param props The island, its props and the store.
 * @returns The marked element.
 */
export function Island<P>({ name, component: Component, props, store }: IslandProps<P>) {
  return (
    <div class={`island island-${name}`} data-island={name} data-props={JSON.stringify(props)}>
      <StoreContext.Provider value={store}>
        <Component {...(props as P & object)} />
      </StoreContext.Provider>
    </div>
  );
}
