//! Pixel conversions the codecs and capture sources need, done natively so frames never pass
//! through JS: RGBA/BGRA (and X11's BGRX) to I420, NV12 and YUYV to I420, and plane copies.
//!
//! YUV is BT.601 limited range with centred 4:2:0 chroma (the average of each 2x2 block), in the
//! same 16.16 fixed-point arithmetic as `processors/video/color_convert.ts`, so a frame converted
//! here is byte-identical to one converted by the TypeScript processors. Sizes are even.

use crate::media::pixel_format::PixelFormat;
use crate::status::{Error, ErrorKind};

// 16.16 fixed-point BT.601 limited-range coefficients, the values `Math.round(x * 65536)` gives
// in `processors/video/color_convert.ts`.
const Y_R: i32 = 16_829;
const Y_G: i32 = 33_039;
const Y_B: i32 = 6_416;
const Y_BIAS: i32 = (16 << 16) + (1 << 15);
// Chroma comes from the sum of a 2x2 block, so these carry an extra 1/4 (>> 18).
const U_R: i32 = -9_714;
const U_G: i32 = -19_070;
const U_B: i32 = 28_784;
const V_R: i32 = 28_784;
const V_G: i32 = -24_103;
const V_B: i32 = -4_681;
const C_BIAS: i32 = (128 << 18) + (1 << 17);

/// Where the colour channels sit in a 4-byte pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RgbOrder {
    /// R, G, B, A.
    Rgba,
    /// B, G, R, A (or X).
    Bgra,
}

impl RgbOrder {
    const fn red(self) -> usize {
        match self {
            Self::Rgba => 0,
            Self::Bgra => 2,
        }
    }
}

/// The three planes of a tightly packed I420 frame of `width` x `height` inside `frame`.
///
/// # Panics
///
/// If `frame` is shorter than an I420 frame of that size.
pub fn i420_planes_mut(frame: &mut [u8], width: usize, height: usize) -> [&mut [u8]; 3] {
    let luma = width * height;
    let chroma = (width / 2) * (height / 2);
    let (y, rest) = frame.split_at_mut(luma);
    let (u, rest) = rest.split_at_mut(chroma);
    let (v, _) = rest.split_at_mut(chroma);
    [y, u, v]
}

/// Converts 4-byte pixels (rows `src_stride` bytes apart) to tightly packed I420 in `dst`.
///
/// # Panics
///
/// If a buffer is too short for the size, or `width` or `height` is odd.
pub fn rgb_to_i420(
    src: &[u8],
    src_stride: usize,
    order: RgbOrder,
    width: usize,
    height: usize,
    dst: &mut [u8],
) {
    assert!(
        width % 2 == 0 && height % 2 == 0,
        "odd size {width}x{height}"
    );
    let red = order.red();
    let blue = 2 - red;
    let [y_plane, u_plane, v_plane] = i420_planes_mut(dst, width, height);
    for (row, y_row) in y_plane.chunks_exact_mut(width).enumerate() {
        let line = &src[row * src_stride..row * src_stride + width * 4];
        for (y, px) in y_row.iter_mut().zip(line.chunks_exact(4)) {
            let sum = Y_R * i32::from(px[red]) + Y_G * i32::from(px[1]) + Y_B * i32::from(px[blue]);
            *y = ((sum + Y_BIAS) >> 16) as u8;
        }
    }
    let cw = width / 2;
    for cy in 0..height / 2 {
        let top = &src[2 * cy * src_stride..2 * cy * src_stride + width * 4];
        let bottom = &src[(2 * cy + 1) * src_stride..(2 * cy + 1) * src_stride + width * 4];
        let u_row = &mut u_plane[cy * cw..(cy + 1) * cw];
        let v_row = &mut v_plane[cy * cw..(cy + 1) * cw];
        for cx in 0..cw {
            let a = &top[cx * 8..cx * 8 + 8];
            let b = &bottom[cx * 8..cx * 8 + 8];
            let sum = |c: usize| {
                i32::from(a[c]) + i32::from(a[c + 4]) + i32::from(b[c]) + i32::from(b[c + 4])
            };
            let (r, g, bl) = (sum(red), sum(1), sum(blue));
            u_row[cx] = ((U_R * r + U_G * g + U_B * bl + C_BIAS) >> 18) as u8;
            v_row[cx] = ((V_R * r + V_G * g + V_B * bl + C_BIAS) >> 18) as u8;
        }
    }
}

/// Converts tightly packed NV12 to tightly packed I420 (luma copied, chroma de-interleaved).
///
/// # Panics
///
/// If a buffer is too short for the size.
pub fn nv12_to_i420(src: &[u8], width: usize, height: usize, dst: &mut [u8]) {
    let luma = width * height;
    let [y, u, v] = i420_planes_mut(dst, width, height);
    y.copy_from_slice(&src[..luma]);
    let uv = &src[luma..luma + 2 * u.len()];
    for ((pair, u), v) in uv.chunks_exact(2).zip(u.iter_mut()).zip(v.iter_mut()) {
        *u = pair[0];
        *v = pair[1];
    }
}

/// Converts packed YUYV 4:2:2 (rows `src_stride` bytes apart, V4L2's most common camera format)
/// to I420, averaging the chroma of each pair of rows.
///
/// # Panics
///
/// If a buffer is too short for the size, or `width` or `height` is odd.
pub fn yuyv_to_i420(src: &[u8], src_stride: usize, width: usize, height: usize, dst: &mut [u8]) {
    assert!(
        width % 2 == 0 && height % 2 == 0,
        "odd size {width}x{height}"
    );
    let cw = width / 2;
    let [y_plane, u_plane, v_plane] = i420_planes_mut(dst, width, height);
    for row in 0..height {
        let line = &src[row * src_stride..row * src_stride + width * 2];
        let y_row = &mut y_plane[row * width..(row + 1) * width];
        for (y, px) in y_row.iter_mut().zip(line.iter().step_by(2)) {
            *y = *px;
        }
    }
    for cy in 0..height / 2 {
        let top = &src[2 * cy * src_stride..2 * cy * src_stride + width * 2];
        let bottom = &src[(2 * cy + 1) * src_stride..(2 * cy + 1) * src_stride + width * 2];
        for cx in 0..cw {
            let (a, b) = (&top[cx * 4..cx * 4 + 4], &bottom[cx * 4..cx * 4 + 4]);
            u_plane[cy * cw + cx] = (u16::from(a[1]) + u16::from(b[1])).div_ceil(2) as u8;
            v_plane[cy * cw + cx] = (u16::from(a[3]) + u16::from(b[3])).div_ceil(2) as u8;
        }
    }
}

/// Copies `rows` rows of `row_bytes` from a plane with `src_stride` into a tightly packed `dst`.
///
/// # Panics
///
/// If a buffer is too short.
pub fn copy_plane(src: &[u8], src_stride: usize, row_bytes: usize, rows: usize, dst: &mut [u8]) {
    if src_stride == row_bytes {
        dst[..row_bytes * rows].copy_from_slice(&src[..row_bytes * rows]);
        return;
    }
    for (row, out) in dst.chunks_exact_mut(row_bytes).take(rows).enumerate() {
        out.copy_from_slice(&src[row * src_stride..row * src_stride + row_bytes]);
    }
}

/// Copies X11-style 4-byte BGRX pixels (rows `src_stride` apart) into tightly packed `format`:
/// BGRA and RGBA with an opaque alpha, or I420.
///
/// # Errors
///
/// [`ErrorKind::UnknownCode`] for NV12, which no capture source here produces.
///
/// # Panics
///
/// If a buffer is too short for the size.
pub fn bgrx_to(
    src: &[u8],
    src_stride: usize,
    width: usize,
    height: usize,
    format: PixelFormat,
    dst: &mut [u8],
) -> Result<(), Error> {
    match format {
        PixelFormat::I420 => rgb_to_i420(src, src_stride, RgbOrder::Bgra, width, height, dst),
        PixelFormat::Bgra | PixelFormat::Rgba => {
            let swap = format == PixelFormat::Rgba;
            for (row, out) in dst.chunks_exact_mut(width * 4).take(height).enumerate() {
                let line = &src[row * src_stride..row * src_stride + width * 4];
                for (o, i) in out.chunks_exact_mut(4).zip(line.chunks_exact(4)) {
                    if swap {
                        o[0] = i[2];
                        o[2] = i[0];
                    } else {
                        o[0] = i[0];
                        o[2] = i[2];
                    }
                    o[1] = i[1];
                    o[3] = 255;
                }
            }
        }
        PixelFormat::Nv12 => {
            return Err(ErrorKind::UnknownCode {
                what: "capture output format",
                value: format.code(),
                valid: "0 (RGBA), 1 (BGRA), 2 (I420)",
            }
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BT.601 limited range by the textbook formulas, rounded.
    fn reference_yuv(r: f64, g: f64, b: f64) -> (f64, f64, f64) {
        let y = 16.0 + (219.0 / 255.0) * (0.299 * r + 0.587 * g + 0.114 * b);
        let u = 128.0 + (224.0 / 255.0) * (-0.168736 * r - 0.331264 * g + 0.5 * b);
        let v = 128.0 + (224.0 / 255.0) * (0.5 * r - 0.418688 * g - 0.081312 * b);
        (y, u, v)
    }

    #[test]
    fn rgb_to_i420_matches_the_bt601_formulas_for_flat_colours() {
        for (r, g, b) in [
            (255, 0, 0),
            (0, 255, 0),
            (0, 0, 255),
            (255, 255, 255),
            (0, 0, 0),
        ] {
            let rgba: Vec<u8> = [r, g, b, 255].repeat(16);
            let mut bgra = rgba.clone();
            for px in bgra.chunks_exact_mut(4) {
                px.swap(0, 2);
            }
            let (ey, eu, ev) = reference_yuv(f64::from(r), f64::from(g), f64::from(b));
            for (src, order) in [(&rgba, RgbOrder::Rgba), (&bgra, RgbOrder::Bgra)] {
                let mut out = [0u8; 24];
                rgb_to_i420(src, 16, order, 4, 4, &mut out);
                assert!(
                    (f64::from(out[0]) - ey).abs() <= 0.5,
                    "Y {} vs {ey}",
                    out[0]
                );
                assert!(
                    (f64::from(out[16]) - eu).abs() <= 0.5,
                    "U {} vs {eu}",
                    out[16]
                );
                assert!(
                    (f64::from(out[20]) - ev).abs() <= 0.5,
                    "V {} vs {ev}",
                    out[20]
                );
            }
        }
    }

    #[test]
    fn rgb_to_i420_respects_the_source_stride_and_averages_chroma_blocks() {
        // 2x2 image in rows of 12 bytes (4 bytes of padding): red, green / blue, white.
        let mut src = vec![0u8; 24];
        src[0..4].copy_from_slice(&[255, 0, 0, 255]);
        src[4..8].copy_from_slice(&[0, 255, 0, 255]);
        src[12..16].copy_from_slice(&[0, 0, 255, 255]);
        src[16..20].copy_from_slice(&[255, 255, 255, 255]);
        let mut out = [0u8; 6];
        rgb_to_i420(&src, 12, RgbOrder::Rgba, 2, 2, &mut out);
        // The bytes `convertFrame` in processors/video/color_convert.ts gives for this image.
        assert_eq!(out, [81, 145, 41, 235, 128, 128]);
    }

    #[test]
    fn nv12_and_yuyv_become_i420() {
        let nv12 = [1, 2, 3, 4, 10, 20];
        let mut out = [0u8; 6];
        nv12_to_i420(&nv12, 2, 2, &mut out);
        assert_eq!(out, [1, 2, 3, 4, 10, 20]);
        let nv12 = [0u8; 16]
            .iter()
            .copied()
            .chain([10, 20, 30, 40, 50, 60, 70, 80])
            .collect::<Vec<_>>();
        let mut out = [0u8; 24];
        nv12_to_i420(&nv12, 4, 4, &mut out);
        assert_eq!(&out[16..], &[10, 30, 50, 70, 20, 40, 60, 80]);
        // YUYV 2x2: Y0 U Y1 V per row; chroma averaged over the two rows.
        let yuyv = [10, 100, 20, 200, 30, 110, 40, 210];
        let mut out = [0u8; 6];
        yuyv_to_i420(&yuyv, 4, 2, 2, &mut out);
        assert_eq!(out, [10, 20, 30, 40, 105, 205]);
    }

    #[test]
    fn bgrx_becomes_opaque_rgba_bgra_or_i420() {
        let bgrx = [1, 2, 3, 0, 4, 5, 6, 9, 0, 0, 0, 0];
        let mut out = [0u8; 8];
        bgrx_to(&bgrx, 12, 2, 1, PixelFormat::Rgba, &mut out).unwrap();
        assert_eq!(out, [3, 2, 1, 255, 6, 5, 4, 255]);
        bgrx_to(&bgrx, 12, 2, 1, PixelFormat::Bgra, &mut out).unwrap();
        assert_eq!(out, [1, 2, 3, 255, 4, 5, 6, 255]);
        assert!(bgrx_to(&bgrx, 12, 2, 1, PixelFormat::Nv12, &mut out).is_err());
        let mut plane = [0u8; 4];
        copy_plane(&[1, 2, 9, 3, 4, 9], 3, 2, 2, &mut plane);
        assert_eq!(plane, [1, 2, 3, 4]);
    }
}
