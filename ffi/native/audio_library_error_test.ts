import assert from "node:assert/strict";
import { AudioLibraryMissingError, mentionsMissingAlsa } from "./audio_library_error.ts";

// What `alsa-sys`'s build script printed here with ALSA's headers out of reach
// (`PKG_CONFIG_LIBDIR=/nonexistent cargo build --release -p alsa-sys`), cut to its telling lines.
const ALSA_SYS_BUILD = `
  pkg-config exited with status code 1
  > PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 pkg-config --libs --cflags alsa
  The system library \`alsa\` required by crate \`alsa-sys\` was not found.
  The file \`alsa.pc\` needs to be installed and the PKG_CONFIG_PATH environment variable must contain its parent directory.`;

Deno.test("mentionsMissingAlsa() knows alsa-sys's build failure and libasound's load failure, nothing else", () => {
  assert.ok(mentionsMissingAlsa(ALSA_SYS_BUILD));
  assert.ok(
    mentionsMissingAlsa(
      "Could not open library: libasound.so.2: cannot open shared object file: No such file or directory",
    ),
  );
  assert.ok(!mentionsMissingAlsa("error[E0432]: unresolved import `crate::media::speaker`"));
  assert.ok(
    !mentionsMissingAlsa("Could not open library: /x/libstreamlib_native.so: invalid ELF header"),
  );
});

Deno.test("loadNativeLibrary() throws AudioLibraryMissingError when libasound.so.2 cannot be loaded", async () => {
  // A mount namespace of its own hides libasound from one deno process (root only: CI runs as root).
  const alsa = Deno.realPathSync("/lib/x86_64-linux-gnu/libasound.so.2");
  const script = `
    import { loadNativeLibrary } from ${JSON.stringify(new URL("./load.ts", import.meta.url).href)};
    try {
      loadNativeLibrary({ build: false });
      console.log(JSON.stringify({ loaded: true }));
    } catch (error) {
      console.log(JSON.stringify({ name: error.name, code: error.code, phase: error.phase, install: error.install }));
    }`;
  const out = await new Deno.Command("unshare", {
    args: [
      "-m",
      "sh",
      "-c",
      'mount --bind /dev/null "$1" && exec "$2" eval "$3"',
      "sh",
      alsa,
      Deno.execPath(),
      script,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
    name: "AudioLibraryMissingError",
    code: "audio_library_missing",
    phase: "load",
    install: "libasound2",
  });
  assert.ok(
    new AudioLibraryMissingError("load", "/x.so", "").message.includes(
      "apt-get install libasound2",
    ),
  );
});
