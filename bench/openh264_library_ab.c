/*
 * OpenH264 library A/B: encodes the same raw I420 frames with two or more OpenH264 builds loaded
 * side by side in one process (dlopen, RTLD_LOCAL), at the settings of streamlib's H264Encoder
 * (encoder_openh264.rs: camera real-time usage, low complexity, bit-rate control without frame
 * skipping, a keyframe every 60 frames, baseline, 2 Mbit/s at 30 fps), the encoders taking turns
 * frame by frame (the order reversed every frame) so that machine load hits all alike. Prints,
 * per library, the encode time per frame from the thread's CPU clock and the wall clock, and the
 * bytes produced (equal settings give near-equal bytes). docs/performance.md (Encode) has results.
 *
 * A library is a shared object that exports WelsCreateSVCEncoder: Debian's
 * /usr/lib/x86_64-linux-gnu/libopenh264.so.7 (the one gst openh264enc uses), or our build's static
 * libraries linked into one:
 *
 *   O=crates/target/release/build/openh264-sys2-<hash>/out  (the one holding the .a files)
 *   g++ -shared -o /tmp/ours.so -Wl,--whole-archive $O/libopenh264_encoder.a \
 *     $O/libopenh264_processing.a $O/libopenh264_common.a -Wl,--no-whole-archive -lpthread
 *   gcc -O2 -o /tmp/openh264_ab bench/openh264_library_ab.c -ldl \
 *     -I ~/.cargo/registry/src/<index>/openh264-sys2-<version>/upstream/codec/api/wels
 *   /tmp/openh264_ab 1280 720 480 1 frames.yuv /usr/lib/x86_64-linux-gnu/libopenh264.so.7 /tmp/ours.so
 *
 * Arguments: width height frames threads file library... (file: raw I420 frames, for example our
 * test pattern as bench/encode_bench.ts renders it). Built against OpenH264 2.7's headers; a
 * library whose path contains "libopenh264.so" is read with 2.3's shorter SLayerBSInfo (2.4 added
 * rPsnr at its end; the other structures only grew at their ends).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "codec_api.h"
typedef struct { unsigned char a, b, c; int ft; unsigned char lt; int sub; int nals; int* len; unsigned char* bs; } OldLayer;
typedef int (*create_t)(ISVCEncoder**);
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static double wall(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static long count(SFrameBSInfo* info, int old) {
  long total = 0;
  for (int l = 0; l < info->iLayerNum; l++) {
    int nals = old ? ((OldLayer*)info->sLayerInfo)[l].nals : info->sLayerInfo[l].iNalCount;
    int* len = old ? ((OldLayer*)info->sLayerInfo)[l].len : info->sLayerInfo[l].pNalLengthInByte;
    for (int k = 0; k < nals; k++) total += len[k];
  }
  return total;
}
int main(int argc, char** argv) {
  int w = atoi(argv[1]), h = atoi(argv[2]), frames = atoi(argv[3]), threads = atoi(argv[4]);
  const char* path = argv[5]; int nlib = argc - 6;
  ISVCEncoder* enc[8]; double cpu[8] = {0}, wl[8] = {0}; long bytes[8] = {0};
  for (int i = 0; i < nlib; i++) {
    void* so = dlopen(argv[6 + i], RTLD_NOW | RTLD_LOCAL);
    if (!so) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    create_t create = (create_t)dlsym(so, "WelsCreateSVCEncoder");
    create(&enc[i]);
    SEncParamExt p; (*enc[i])->GetDefaultParams(enc[i], &p);
    p.iUsageType = CAMERA_VIDEO_REAL_TIME; p.iComplexityMode = LOW_COMPLEXITY;
    p.iPicWidth = w; p.iPicHeight = h; p.iTargetBitrate = 2000000; p.iRCMode = RC_BITRATE_MODE;
    p.fMaxFrameRate = 30; p.bEnableFrameSkip = 0; p.uiIntraPeriod = 60; p.iMultipleThreadIdc = threads;
    p.eSpsPpsIdStrategy = CONSTANT_ID; p.bEnableDenoise = 0; p.bEnableSceneChangeDetect = 1;
    p.bEnableBackgroundDetection = 1; p.bEnableAdaptiveQuant = 1; p.bEnableLongTermReference = 0;
    p.iLoopFilterDisableIdc = 0; p.iSpatialLayerNum = 1; p.iTemporalLayerNum = 1;
    p.sSpatialLayers[0].iVideoWidth = w; p.sSpatialLayers[0].iVideoHeight = h; p.sSpatialLayers[0].fFrameRate = 30;
    p.sSpatialLayers[0].iSpatialBitrate = 2000000; p.sSpatialLayers[0].iMaxSpatialBitrate = 2000000;
    p.sSpatialLayers[0].uiProfileIdc = PRO_BASELINE;
    p.sSpatialLayers[0].sSliceArgument.uiSliceMode = threads > 1 ? SM_FIXEDSLCNUM_SLICE : SM_SINGLE_SLICE;
    p.sSpatialLayers[0].sSliceArgument.uiSliceNum = threads;
    int quiet = WELS_LOG_QUIET; (*enc[i])->SetOption(enc[i], ENCODER_OPTION_TRACE_LEVEL, &quiet);
    if ((*enc[i])->InitializeExt(enc[i], &p) != 0) { fprintf(stderr, "init failed\n"); return 1; }
  }
  size_t size = (size_t)w * h * 3 / 2; unsigned char* buf = malloc(size);
  FILE* f = fopen(path, "rb");
  for (int n = 0; n < frames; n++) {
    if (fread(buf, 1, size, f) != size) { fprintf(stderr, "eof\n"); return 1; }
    SSourcePicture pic = {0}; pic.iColorFormat = videoFormatI420; pic.iPicWidth = w; pic.iPicHeight = h;
    pic.iStride[0] = w; pic.iStride[1] = pic.iStride[2] = w / 2;
    pic.pData[0] = buf; pic.pData[1] = buf + w * h; pic.pData[2] = buf + w * h + w * h / 4;
    pic.uiTimeStamp = n * 1000 / 30;
    for (int k = 0; k < nlib; k++) {
      int i = (n % 2) ? nlib - 1 - k : k;
      static union { SFrameBSInfo i; char pad[1 << 16]; } u; memset(&u, 0, sizeof u); SFrameBSInfo* info = &u.i;
      double c = now(), t = wall();
      (*enc[i])->EncodeFrame(enc[i], &pic, info);
      cpu[i] += now() - c; wl[i] += wall() - t;
      bytes[i] += count(info, strstr(argv[6 + i], "libopenh264.so") != 0);
    }
  }
  for (int i = 0; i < nlib; i++) printf("%-40s cpu(thread) %.3f ms/frame, wall %.3f ms/frame (%.0f fps), %ld bytes\n", argv[6 + i], cpu[i] / frames, wl[i] / frames, 1000 * frames / wl[i], bytes[i]);
  return 0;
}
