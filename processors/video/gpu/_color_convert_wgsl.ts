/**
 * The WGSL of `color_convert.ts`'s kernels, with the CPU conversion's fixed-point constants
 * (`../_bt601_fixed.ts`) written in.
 *
 * @module
 */

import * as K from "../_bt601_fixed.ts";
import type { PixelFormat } from "../pixel_format.ts";

/** The `format` word of the kernels' uniform. */
export const FORMAT_INDEX: Record<PixelFormat, number> = { RGBA: 0, BGRA: 1, I420: 2, NV12: 3 };

const COMMON = /* wgsl */ `
struct Dims { width: u32, height: u32, format: u32, words: u32 }
@group(0) @binding(2) var<uniform> dims: Dims;
`;

/** YUV to RGB of one pixel, the CPU's integer arithmetic; `u` and `v` already minus 128. */
const YUV_TO_RGB = /* wgsl */ `
fn yuvToRgb(y: i32, uu: i32, vv: i32) -> vec4f {
  let l = ${K.K_Y} * (y - 16);
  let r = clamp((l + ${K.K_RV} * vv + 32768) >> 16u, 0, 255);
  let g = clamp((l - ${K.K_GU} * uu - ${K.K_GV} * vv + 32768) >> 16u, 0, 255);
  let b = clamp((l + ${K.K_BU} * uu + 32768) >> 16u, 0, 255);
  return vec4f(f32(r), f32(g), f32(b), 255.0) / 255.0;
}
`;

/** Packed frame (any format) to RGBA, a pixel an invocation. */
export const UNPACK: string = /* wgsl */ `${COMMON}${YUV_TO_RGB}
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba8unorm, write>;

fn byteAt(i: u32) -> i32 { return i32((src[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu); }

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let w = dims.width;
  let h = dims.height;
  if (id.x >= w || id.y >= h) { return; }
  var rgba: vec4f;
  if (dims.format <= 1u) {
    rgba = unpack4x8unorm(src[id.y * w + id.x]);
    if (dims.format == 1u) { rgba = rgba.zyxw; }
  } else {
    let luma = w * h;
    var u: i32;
    var v: i32;
    if (dims.format == 2u) {
      let cw = w / 2u;
      let c = (id.y / 2u) * cw + id.x / 2u;
      u = byteAt(luma + c);
      v = byteAt(luma + cw * (h / 2u) + c);
    } else {
      let c = luma + (id.y / 2u) * w + (id.x / 2u) * 2u;
      u = byteAt(c);
      v = byteAt(c + 1u);
    }
    rgba = yuvToRgb(byteAt(id.y * w + id.x), u - 128, v - 128);
  }
  textureStore(dst, id.xy, rgba);
}
`;

/** RGBA to a packed frame (any format), a word of output an invocation. */
export const PACK: string = /* wgsl */ `${COMMON}
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

fn rgb(x: u32, y: u32) -> vec3i {
  return vec3i(round(textureLoad(src, vec2u(x, y), 0).rgb * 255.0));
}

fn lumaAt(i: u32) -> u32 {
  let p = rgb(i % dims.width, i / dims.width);
  return u32((${K.Y_R} * p.r + ${K.Y_G} * p.g + ${K.Y_B} * p.b + ${K.Y_BIAS}) >> 16u);
}

fn chromaAt(cx: u32, cy: u32, red: bool) -> u32 {
  let x = cx * 2u;
  let y = cy * 2u;
  let s = rgb(x, y) + rgb(x + 1u, y) + rgb(x, y + 1u) + rgb(x + 1u, y + 1u);
  if (red) {
    return u32((${K.V_R} * s.r + ${K.V_G} * s.g + ${K.V_B} * s.b + ${K.C_BIAS}) >> 18u);
  }
  return u32((${K.U_R} * s.r + ${K.U_G} * s.g + ${K.U_B} * s.b + ${K.C_BIAS}) >> 18u);
}

fn byteOut(i: u32) -> u32 {
  let w = dims.width;
  let luma = w * dims.height;
  if (i < luma) { return lumaAt(i); }
  let cw = w / 2u;
  let chroma = cw * (dims.height / 2u);
  let c = i - luma;
  if (c >= 2u * chroma) { return 0u; }
  if (dims.format == 2u) {
    let k = c % chroma;
    return chromaAt(k % cw, k / cw, c >= chroma);
  }
  let col = c % w;
  return chromaAt(col / 2u, c / w, (col & 1u) == 1u);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * 256u;
  if (i >= dims.words) { return; }
  if (dims.format <= 1u) {
    var c = textureLoad(src, vec2u(i % dims.width, i / dims.width), 0);
    if (dims.format == 1u) { c = c.zyxw; }
    dst[i] = pack4x8unorm(c);
    return;
  }
  let b = i * 4u;
  dst[i] = byteOut(b) | (byteOut(b + 1u) << 8u) | (byteOut(b + 2u) << 16u) | (byteOut(b + 3u) << 24u);
}
`;

/** 4:2:0 to RGBA, four pixels of a row an invocation (width a multiple of 4): one word of luma. */
export const UNPACK4: string = /* wgsl */ `${COMMON}${YUV_TO_RGB}
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba8unorm, write>;

fn byteOf(word: u32, i: u32) -> i32 { return i32((word >> (i * 8u)) & 0xffu); }

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let w = dims.width;
  let h = dims.height;
  let x = id.x * 4u;
  if (x >= w || id.y >= h) { return; }
  let luma = w * h;
  let ys = src[(id.y * w + x) >> 2u];
  var u: vec2i;
  var v: vec2i;
  if (dims.format == 2u) {
    let c = luma + (id.y / 2u) * (w / 2u) + x / 2u;
    let cv = c + (w / 2u) * (h / 2u);
    let uw = src[c >> 2u];
    let vw = src[cv >> 2u];
    u = vec2i(byteOf(uw, c & 3u), byteOf(uw, (c & 3u) + 1u));
    v = vec2i(byteOf(vw, cv & 3u), byteOf(vw, (cv & 3u) + 1u));
  } else {
    let uv = src[(luma + (id.y / 2u) * w + x) >> 2u];
    u = vec2i(byteOf(uv, 0u), byteOf(uv, 2u));
    v = vec2i(byteOf(uv, 1u), byteOf(uv, 3u));
  }
  u -= 128;
  v -= 128;
  for (var k = 0u; k < 4u; k++) {
    textureStore(dst, vec2u(x + k, id.y), yuvToRgb(byteOf(ys, k), u[k / 2u], v[k / 2u]));
  }
}
`;

/** RGBA to 4:2:0, an 8x2 block an invocation (width a multiple of 8): whole words out. */
export const PACK8: string = /* wgsl */ `${COMMON}
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let w = dims.width;
  let h = dims.height;
  let x = id.x * 8u;
  let y = id.y * 2u;
  if (x >= w || y >= h) { return; }
  var us = 0u;
  var vs = 0u;
  var y0 = vec2u(0u);
  var y1 = vec2u(0u);
  for (var k = 0u; k < 4u; k++) {
    var s = vec3i(0);
    for (var j = 0u; j < 2u; j++) {
      let top = vec3i(round(textureLoad(src, vec2u(x + 2u * k + j, y), 0).rgb * 255.0));
      let bottom = vec3i(round(textureLoad(src, vec2u(x + 2u * k + j, y + 1u), 0).rgb * 255.0));
      let shift = ((2u * k + j) & 3u) * 8u;
      let lt = u32((${K.Y_R} * top.r + ${K.Y_G} * top.g + ${K.Y_B} * top.b + ${K.Y_BIAS}) >> 16u);
      let lb = u32((${K.Y_R} * bottom.r + ${K.Y_G} * bottom.g + ${K.Y_B} * bottom.b + ${K.Y_BIAS}) >> 16u);
      let half = k / 2u;
      y0[half] |= lt << shift;
      y1[half] |= lb << shift;
      s += top + bottom;
    }
    let cu = u32((${K.U_R} * s.r + ${K.U_G} * s.g + ${K.U_B} * s.b + ${K.C_BIAS}) >> 18u);
    let cv = u32((${K.V_R} * s.r + ${K.V_G} * s.g + ${K.V_B} * s.b + ${K.C_BIAS}) >> 18u);
    us |= cu << (k * 8u);
    vs |= cv << (k * 8u);
  }
  let row0 = (y * w + x) >> 2u;
  let row1 = ((y + 1u) * w + x) >> 2u;
  dst[row0] = y0.x;
  dst[row0 + 1u] = y0.y;
  dst[row1] = y1.x;
  dst[row1 + 1u] = y1.y;
  let luma = w * h;
  if (dims.format == 2u) {
    let c = (luma + (y / 2u) * (w / 2u) + x / 2u) >> 2u;
    dst[c] = us;
    dst[c + ((w / 2u) * (h / 2u) >> 2u)] = vs;
  } else {
    let c = (luma + (y / 2u) * w + x) >> 2u;
    dst[c] = (us & 0xffu) | ((vs & 0xffu) << 8u) | (((us >> 8u) & 0xffu) << 16u) | (((vs >> 8u) & 0xffu) << 24u);
    dst[c + 1u] = ((us >> 16u) & 0xffu) | (((vs >> 16u) & 0xffu) << 8u) | ((us >> 24u) << 16u) | ((vs >> 24u) << 24u);
  }
}
`;
