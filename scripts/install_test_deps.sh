#!/usr/bin/env bash
# Installs what the test suite needs beyond Node/npm and Rust/cargo, on a Debian-like machine:
# the media tools the tests check files with (ffmpeg/ffprobe, sox), the native build's tools
# (cmake, a C/C++ compiler, nasm for OpenH264's assembly), Xvfb and xwud for the screen-capture
# tests, Chromium for the dashboard test, GStreamer for the comparison benchmarks, and numpy for
# the Python subprocess node, HAProxy and Prometheus for the sessions' scale-out test, and the
# Python modules of the Python client, the gRPC interop tests and the WebRTC tests (aiortc), and
# libsrt's srt-live-transmit (srt-tools) as the SRT tests' independent receiver and sender, nginx
# with its RTMP module (libnginx-mod-rtmp) as the RTMP test's media server, espeak-ng, whose
# speech the VoiceActivity tests detect, and GStreamer's RTSP server (gir1.2-gst-rtsp-server-1.0)
# as the RtspSource test's server (and `ss`, from iproute2, to see its UDP sockets), and Mesa's
# Vulkan drivers (mesa-vulkan-drivers: lavapipe, the software device of the WebGPU tests), and
# grpcurl (built with Go, below).
# `deno task test` runs it first. It installs only what is missing, and exits non-zero, naming
# what is still missing, when it cannot install something: a test that needs it would fail
# anyway, and this says why up front.
set -uo pipefail

missing_tools() {
  local out=()
  for pair in ffprobe:ffmpeg ffmpeg:ffmpeg sox:sox cmake:cmake cc:gcc c++:g++ nasm:nasm Xvfb:xvfb \
    xwud:x11-apps chromium:chromium gst-launch-1.0:gstreamer1.0-tools haproxy:haproxy \
    prometheus:prometheus srt-live-transmit:srt-tools nginx:nginx espeak-ng:espeak-ng ss:iproute2; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || out+=("${pair##*:}")
  done
  # nginx's RTMP module, the media server of tests/network/rtmp_nginx_test.ts.
  [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || out+=(libnginx-mod-rtmp)
  # GStreamer elements the benchmarks and interop tests use.
  if command -v gst-inspect-1.0 >/dev/null 2>&1; then
    gst-inspect-1.0 openh264enc >/dev/null 2>&1 || out+=(gstreamer1.0-plugins-bad)
    # SRT elements (srtsrc/srtsink) for the network tests and bench/srt_bench.ts.
    gst-inspect-1.0 srtsrc >/dev/null 2>&1 || out+=(gstreamer1.0-plugins-bad)
    gst-inspect-1.0 audiomixer >/dev/null 2>&1 || out+=(gstreamer1.0-plugins-base)
    # GStreamer's RTSP server and its Python bindings (the system Python's gi), the server of
    # tests/network/rtsp_source_test.ts (tests/network/rtsp_server.py).
    /usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0')" >/dev/null 2>&1 ||
      out+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp)
  else
    # No GStreamer yet: its elements come with it in the same apt run.
    out+=(gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
    out+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp)
  fi
  # Mesa's Vulkan drivers: lavapipe, the software Vulkan device the GPU tests run WebGPU on
  # (tests/gpu/); without an adapter those tests fail, they do not skip.
  compgen -G "/usr/share/vulkan/icd.d/lvp_icd*.json" >/dev/null || out+=(mesa-vulkan-drivers)
  # GStreamer's GL elements (glupload, glvideomixer, ...), bench/gpu_bench.ts's comparison on the
  # same (llvmpipe) device; Mesa's EGL comes with them.
  if command -v gst-inspect-1.0 >/dev/null 2>&1; then
    gst-inspect-1.0 glvideomixer >/dev/null 2>&1 || out+=(gstreamer1.0-gl)
  else
    out+=(gstreamer1.0-gl)
  fi
  # The video window tests (tests/display/): SDL 2 (loaded through FFI), Mesa's Vulkan drivers
  # (lavapipe: a WebGPU adapter on the CPU), xwd (x11-apps) for screenshots, xwininfo (x11-utils).
  command -v xwd >/dev/null 2>&1 || out+=(x11-apps)
  command -v xwininfo >/dev/null 2>&1 || out+=(x11-utils)
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -c 'libSDL2-2\.0\.so\.0' >/dev/null ||
    out+=(libsdl2-2.0-0)
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || out+=(mesa-vulkan-drivers)
  # ALSA's headers and pkg-config: the native build links libasound for Speaker (cpal's ALSA
  # backend; docs/decisions/0048-speaker-with-cpal.md), and its tests play into ALSA's file plugin.
  command -v pkg-config >/dev/null 2>&1 || out+=(pkg-config)
  [ -f /usr/include/alsa/asoundlib.h ] || out+=(libasound2-dev)
  # The VisualOn AAC encoder (Apache-2.0), which AacEncoder loads at run time (decision 0049).
  compgen -G "/usr/lib/*/libvo-aacenc.so.0" >/dev/null || compgen -G "/usr/lib/libvo-aacenc.so.0" >/dev/null ||
    out+=(libvo-aacenc0)
  printf '%s\n' "${out[@]}" | sort -u | tr '\n' ' '
}

# grpcurl, the reflection-free command-line gRPC client of tests/sessions/grpcurl_test.ts: no
# Debian package, so built with `go install` into the repository's .cache/bin (v1.9.1 is the last
# release whose go.mod asks for no newer Go than Debian 12's golang-go, 1.19). Go comes from apt
# when the machine has none.
root="$(cd "$(dirname "$0")/.." && pwd)"
GRPCURL_VERSION=v1.9.1
grpcurl_bin="$root/.cache/bin/grpcurl"
go_cmd() { command -v go 2>/dev/null || { [ -x /usr/lib/go/bin/go ] && echo /usr/lib/go/bin/go; }; }

need=$(missing_tools)
if [ ! -x "$grpcurl_bin" ] && [ -z "$(go_cmd)" ]; then need="$need golang-go"; fi
if [ -n "${need// /}" ]; then
  echo "install_test_deps: installing with apt: $need"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  # shellcheck disable=SC2086
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq $need; } >/dev/null 2>&1 ||
    echo "install_test_deps: apt-get could not install: $need"
fi

# Python modules: numpy (the subprocess node), pytest and pytest-asyncio (the Python client's tests),
# mypy (its --strict check of the client and of the docs' Python blocks),
# websockets (the Python client's transport), grpcio and grpcio-tools (the gRPC interop tests),
# aiortc (the WHEP players of the WebRTC tests, an independent WebRTC stack).
py_modules="numpy:numpy pytest:pytest pytest_asyncio:pytest-asyncio mypy:mypy websockets:websockets grpc:grpcio grpc_tools:grpcio-tools aiortc:aiortc"
missing_py() {
  local out=()
  for pair in $py_modules; do
    python3 -c "import ${pair%%:*}" >/dev/null 2>&1 || out+=("${pair##*:}")
  done
  echo "${out[*]:-}"
}
need_py=$(missing_py)
if [ -n "$need_py" ]; then
  echo "install_test_deps: installing with pip: $need_py"
  # shellcheck disable=SC2086
  python3 -m pip install --quiet $need_py >/dev/null 2>&1 ||
    python3 -m pip install --quiet --user $need_py >/dev/null 2>&1 ||
    python3 -m pip install --quiet --break-system-packages $need_py >/dev/null 2>&1 || true
fi

if [ ! -x "$grpcurl_bin" ] && [ -n "$(go_cmd)" ]; then
  echo "install_test_deps: building grpcurl $GRPCURL_VERSION with go install"
  GOBIN="$root/.cache/bin" GOFLAGS=-modcacherw "$(go_cmd)" install \
    "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" >/dev/null 2>&1 ||
    echo "install_test_deps: go install of grpcurl failed"
fi

still=$(missing_tools)
[ -x "$grpcurl_bin" ] || still="$still grpcurl (go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION)"

still_py=$(missing_py)
[ -z "$still_py" ] || still="$still (pip) $still_py"
if [ -n "${still// /}" ]; then
  echo "install_test_deps: still missing: $still" >&2
  echo "install them (Debian: apt-get install $still) and run the tests again" >&2
  exit 1
fi
echo "install_test_deps: every tool the tests need is here"
