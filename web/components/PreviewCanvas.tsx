/**
 * A video preview: a canvas, positioned over the graph, that draws each thumbnail of its output.
 *
 * @module
 */

import { useEffect, useRef } from "preact/hooks";
import { PREVIEW_HEIGHT, PREVIEW_WIDTH } from "../shared/geometry.ts";
import { useStore } from "../shared/store.ts";

/** Props of {@linkcode PreviewCanvas}. */
export interface PreviewCanvasProps {
  /** The output (`node.port`). */
  output: string;
  /** Left edge, in graph coordinates. */
  x: number;
  /** Top edge, in graph coordinates. */
  y: number;
  /**
   * Why the picture is not live (`paused`, `stopped`, `no access`...), marked over it; `null`
   * while frames flow.
   */
  mark: string | null;
}

/**
 * The canvas; it subscribes to the store's frame bus and letterboxes each thumbnail.
 *
 * @param props Output and position.
 * @returns The canvas.
 */
export function PreviewCanvas({ output, x, y, mark }: PreviewCanvasProps) {
  const store = useStore();
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() =>
    store.frames.subscribe(output, ({ header, rgba }) => {
      const canvas = ref.current;
      const ctx = canvas?.getContext("2d");
      if (!canvas || !ctx) return;
      const image = new ImageData(new Uint8ClampedArray(rgba), header.width, header.height);
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.putImageData(
        image,
        Math.floor((canvas.width - header.width) / 2),
        Math.floor((canvas.height - header.height) / 2),
      );
      canvas.dataset.frames = String(Number(canvas.dataset.frames ?? "0") + 1);
    }), [output]);
  return (
    <div
      class={`preview-slot ${mark ? "still" : ""}`}
      data-preview-state={mark ?? "live"}
      style={{ left: `${x}px`, top: `${y}px` }}
    >
      <canvas
        ref={ref}
        class="preview"
        data-preview={output}
        width={PREVIEW_WIDTH}
        height={PREVIEW_HEIGHT}
        title={`${output} preview`}
      />
      {mark ? <span class="preview-mark">{mark}</span> : null}
    </div>
  );
}
