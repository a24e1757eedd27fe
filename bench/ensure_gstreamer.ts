/**
 * Makes sure the GStreamer elements a comparison bench needs are installed, installing Debian's
 * packages with `apt-get` when they are missing (the benches run as root on the project's
 * machines); elsewhere it says which packages to install.
 *
 * @module
 */

/** Debian packages and the elements each brings. */
const PACKAGES: Record<string, string[]> = {
  "gstreamer1.0-tools": [],
  "gstreamer1.0-plugins-base": ["videotestsrc", "audiotestsrc", "audiomixer"],
  "gstreamer1.0-plugins-good": [],
  "gstreamer1.0-plugins-bad": ["openh264enc"],
  "gstreamer1.0-gl": ["glupload", "glcolorconvert", "glcolorscale", "glvideomixer", "gldownload"],
};

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, { args, stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

/**
 * Installs the GStreamer packages that provide `elements` (and `gst-launch-1.0`) when missing.
 *
 * @param elements Element names the bench uses, e.g. `["openh264enc"]`.
 * @returns Whether everything is available afterwards; on `false` the caller prints its
 *   GStreamer rows as not measured.
 */
export async function ensureGstreamer(elements: readonly string[]): Promise<boolean> {
  const missing: string[] = [];
  if (!await succeeds("gst-launch-1.0", ["--version"])) missing.push("gstreamer1.0-tools");
  for (const element of elements) {
    if (await succeeds("gst-inspect-1.0", [element])) continue;
    const pkg = Object.entries(PACKAGES).find(([, els]) => els.includes(element))?.[0] ??
      "gstreamer1.0-plugins-good";
    if (!missing.includes(pkg)) missing.push(pkg);
  }
  if (missing.length === 0) return true;
  const packages = [
    ...new Set(["gstreamer1.0-plugins-base", "gstreamer1.0-plugins-good", ...missing]),
  ];
  console.error(`installing ${packages.join(" ")} (apt-get)`);
  const installed = await succeeds("sh", [
    "-c",
    `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${
      packages.join(" ")
    }`,
  ]);
  if (!installed) {
    console.error(`could not install GStreamer; run: apt-get install ${packages.join(" ")}`);
    return false;
  }
  for (const element of elements) {
    if (!await succeeds("gst-inspect-1.0", [element])) return false;
  }
  return true;
}
