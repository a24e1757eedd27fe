/**
 * The WGSL of the video window: one triangle covering the viewport, and a fragment shader per
 * pixel layout that samples the frame's planes and, for 4:2:0 frames, converts to RGB with the
 * BT.601 limited-range matrix of `processors/video/color_convert.ts` (chroma sampled nearest, as
 * that conversion does).
 *
 * @module
 */

/** The shader module's source: `vs`, and `fs_rgb`, `fs_i420`, `fs_nv12`. */
export const PRESENT_WGSL = /* wgsl */ `
struct Varyings {
  @builtin(position) position: vec4f,
  @location(0) uv: vec2f,
};

// One triangle over the whole viewport: uv (0,0) at the top left, (1,1) at the bottom right.
@vertex
fn vs(@builtin(vertex_index) i: u32) -> Varyings {
  let xy = vec2f(f32((i << 1u) & 2u), f32(i & 2u));
  var out: Varyings;
  out.position = vec4f(xy * vec2f(2.0, -2.0) + vec2f(-1.0, 1.0), 0.0, 1.0);
  out.uv = xy;
  return out;
}

@group(0) @binding(0) var linear_sampler: sampler;
@group(0) @binding(1) var nearest_sampler: sampler;
@group(0) @binding(2) var plane0: texture_2d<f32>;

// RGBA and BGRA frames: the texture's format puts the channels in order.
@fragment
fn fs_rgb(v: Varyings) -> @location(0) vec4f {
  return vec4f(textureSample(plane0, linear_sampler, v.uv).rgb, 1.0);
}

// Y'CbCr (0..255) to R'G'B' (0..1): BT.601, limited range.
fn ycbcr_to_rgb(y: f32, cb: f32, cr: f32) -> vec4f {
  let c = (y - 16.0) * (255.0 / 219.0);
  let u = cb - 128.0;
  let w = cr - 128.0;
  let k = 255.0 / 224.0;
  let rgb = vec3f(
    c + k * 1.402 * w,
    c - k * 0.344136 * u - k * 0.714136 * w,
    c + k * 1.772 * u,
  );
  return vec4f(clamp(rgb / 255.0, vec3f(0.0), vec3f(1.0)), 1.0);
}

@group(0) @binding(3) var plane1: texture_2d<f32>;
@group(0) @binding(4) var plane2: texture_2d<f32>;

@fragment
fn fs_i420(v: Varyings) -> @location(0) vec4f {
  let y = textureSample(plane0, linear_sampler, v.uv).r * 255.0;
  let cb = textureSample(plane1, nearest_sampler, v.uv).r * 255.0;
  let cr = textureSample(plane2, nearest_sampler, v.uv).r * 255.0;
  return ycbcr_to_rgb(y, cb, cr);
}

@fragment
fn fs_nv12(v: Varyings) -> @location(0) vec4f {
  let y = textureSample(plane0, linear_sampler, v.uv).r * 255.0;
  let c = textureSample(plane1, nearest_sampler, v.uv).rg * 255.0;
  return ycbcr_to_rgb(y, c.x, c.y);
}
`;
