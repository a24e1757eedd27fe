/**
 * The graph view's zoom toolbar: out, the level, in, Fit and Auto.
 *
 * @module
 */

import { zoomStep } from "../../shared/zoom.ts";
import type { Viewport } from "./use_viewport.ts";

/** Props of {@linkcode ZoomTools}. */
export interface ZoomToolsProps {
  /** The viewport the buttons act on. */
  viewport: Viewport;
}

/**
 * The toolbar.
 *
 * @param props The viewport.
 * @returns The toolbar.
 */
export function ZoomTools({ viewport }: ZoomToolsProps) {
  const { scale } = viewport;
  return (
    <div class="graph-tools" role="toolbar" aria-label="zoom">
      <button
        type="button"
        data-zoom-action="out"
        title="Zoom out (Ctrl+wheel)"
        onClick={() => viewport.zoomTo(zoomStep(scale, -1))}
      >
        −
      </button>
      <span class="zoom-level" data-zoom-level={scale.toFixed(2)}>
        {Math.round(scale * 100)}%
      </span>
      <button
        type="button"
        data-zoom-action="in"
        title="Zoom in (Ctrl+wheel)"
        onClick={() => viewport.zoomTo(zoomStep(scale, 1))}
      >
        +
      </button>
      <button
        type="button"
        data-zoom-action="fit"
        title="Fit the whole graph in view"
        onClick={() => viewport.fit()}
      >
        Fit
      </button>
      <button
        type="button"
        data-zoom-action="auto"
        title="Default: fit, but keep text legible (scroll for the rest)"
        onClick={() => viewport.auto()}
      >
        Auto
      </button>
    </div>
  );
}
