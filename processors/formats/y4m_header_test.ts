import assert from "node:assert/strict";
import { UnsupportedY4mColorspaceError, Y4mHeaderError, Y4mReadError } from "./_y4m_errors.ts";
import { formatY4mHeader, parseY4mHeader, y4mFrameByteLength } from "./y4m_header.ts";

Deno.test("parseY4mHeader() reads every parameter and applies defaults", () => {
  assert.deepEqual(
    parseY4mHeader(
      "YUV4MPEG2 W1920 H1080 F30000:1001 It A0:0 C420mpeg2 XCOLORRANGE=LIMITED",
      "a.y4m",
    ),
    {
      width: 1920,
      height: 1080,
      frameRate: { numerator: 30000, denominator: 1001 },
      pixelAspect: { numerator: 0, denominator: 0 },
      interlace: "t",
      colorspace: "420mpeg2",
      extensions: ["COLORRANGE=LIMITED"],
    },
  );
  const minimal = parseY4mHeader("YUV4MPEG2 W2 H2 F25:1", "b.y4m");
  assert.deepEqual([minimal.colorspace, minimal.interlace, minimal.pixelAspect], ["420jpeg", "p", {
    numerator: 1,
    denominator: 1,
  }]);
  assert.equal(parseY4mHeader("YUV4MPEG2 W2 H2 F25:1 C420", "c.y4m").colorspace, "420");
});

Deno.test("formatY4mHeader() output parses back to the same header", () => {
  const header = parseY4mHeader("YUV4MPEG2 W64 H48 F5:1 Ib A4:3 C420 Xfoo", "x.y4m");
  const line = formatY4mHeader(header);
  assert.equal(line, "YUV4MPEG2 W64 H48 F5:1 Ib A4:3 C420 Xfoo\n");
  assert.deepEqual(parseY4mHeader(line.trimEnd(), "x.y4m"), header);
});

Deno.test("parseY4mHeader() explains malformed headers", () => {
  const cases: [string, RegExp][] = [
    [
      "YUV4MPEG W2 H2 F1:1",
      /not a YUV4MPEG2 stream, found 'YUV4MPEG W2 H2 F', expected 'YUV4MPEG2 '/,
    ],
    ["YUV4MPEG2 H2 F1:1", /header has no W parameter/],
    ["YUV4MPEG2 W2 H2", /header has no F parameter/],
    ["YUV4MPEG2 W0 H2 F1:1", /invalid header parameter 'W0', expected W<integer from 1 to 65536>/],
    ["YUV4MPEG2 W2 H2x F1:1", /invalid header parameter 'H2x'/],
    [
      "YUV4MPEG2 W2 H2 F30",
      /invalid header parameter 'F30', expected F<n>:<d> with integers from 1 to 2147483647$/,
    ],
    ["YUV4MPEG2 W2 H2 F0:0", /'F0:0'/],
    ["YUV4MPEG2 W2 H2 F1:1 A1", /expected A<n>:<d> with integers from 1 to 2147483647 or 0:0/],
    ["YUV4MPEG2 W2 H2 F1:1 Ix", /expected one of Ip, It, Ib, Im, I\?/],
    ["YUV4MPEG2 W2 H2 F1:1 Z9", /expected a parameter starting with W, H, F, I, A, C or X/],
  ];
  for (const [line, message] of cases) {
    assert.throws(() => parseY4mHeader(line, "bad.y4m"), (e) => {
      assert.ok(e instanceof Y4mHeaderError && e instanceof Y4mReadError, line);
      assert.match(e.message, /^Cannot read Y4M 'bad\.y4m': /);
      assert.match(e.message, message, line);
      return true;
    });
  }
});

Deno.test("parseY4mHeader() rejects colour spaces other than 8-bit 4:2:0", () => {
  assert.throws(() => parseY4mHeader("YUV4MPEG2 W2 H2 F1:1 C422", "v.y4m"), (e) => {
    assert.ok(e instanceof UnsupportedY4mColorspaceError);
    assert.equal(e.colorspace, "422");
    assert.deepEqual(e.supported, ["420jpeg", "420", "420mpeg2", "420paldv"]);
    assert.equal(
      e.message,
      "Cannot read Y4M 'v.y4m': unsupported colour space C422, expected one of C420jpeg, C420, C420mpeg2, C420paldv (8-bit 4:2:0)",
    );
    return true;
  });
  assert.throws(
    () => parseY4mHeader("YUV4MPEG2 W2 H2 F1:1 C420p10", "v.y4m"),
    UnsupportedY4mColorspaceError,
  );
});

Deno.test("y4mFrameByteLength() rounds chroma up for odd sizes", () => {
  assert.equal(y4mFrameByteLength(64, 48), 4608);
  assert.equal(y4mFrameByteLength(3, 3), 9 + 2 * 4);
});
