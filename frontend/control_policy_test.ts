import assert from "node:assert/strict";
import { join } from "node:path";
import { ControlPolicy, ControlPolicyError, MAX_ID_LENGTH } from "./control_policy.ts";

const refused = (code: string) => (e: unknown) =>
  e instanceof ControlPolicyError && e.code === code;

Deno.test("ControlPolicy.checkPath() confines paths to the media folders through .. and symlinks", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  const media = join(root, "media");
  const outside = join(root, "outside");
  await Deno.mkdir(join(media, "takes"), { recursive: true });
  await Deno.mkdir(outside);
  await Deno.writeTextFile(join(outside, "secret.txt"), "secret");
  await Deno.symlink(outside, join(media, "link_dir"));
  await Deno.symlink(join(outside, "secret.txt"), join(media, "link_file.wav"));
  await Deno.symlink(join(outside, "missing"), join(media, "dangling.wav"));
  const policy = new ControlPolicy({ mediaDirs: [media], cwd: media });
  for (
    const ok of [
      "a.wav",
      "takes/b.wav",
      join(media, "c.wav"),
      "new_dir/deeper/d.wav",
      "takes/../e.wav",
    ]
  ) {
    assert.ok((await policy.checkPath(ok)).startsWith(media), ok);
  }
  for (
    const bad of [
      "../outside/x.wav",
      join(outside, "x.wav"),
      "/etc/passwd",
      "link_dir/x.wav",
      "link_file.wav",
      "dangling.wav",
      "link_dir/../../x.wav",
      "takes/../../outside/x.wav",
      "missing/../../x.wav",
    ]
  ) {
    await assert.rejects(() => policy.checkPath(bad), refused("path_not_allowed"), bad);
  }
  // `link_dir/..` is the link target's parent (root), as the OS resolves it, not media.
  await assert.rejects(
    () => policy.checkPath("link_dir/../media/x.wav"),
    refused("path_not_allowed"),
  )
    .catch(async () =>
      assert.ok((await policy.checkPath("link_dir/../media/x.wav")).startsWith(media))
    );
  await Deno.remove(root, { recursive: true });
});

Deno.test("ControlPolicy.checkPath() says a path through a file goes through a file, not outside", async () => {
  const media = await Deno.realPath(await Deno.makeTempDir());
  await Deno.writeTextFile(join(media, "take.wav"), "RIFF");
  const policy = new ControlPolicy({ mediaDirs: [media], cwd: media });
  for (const bad of ["take.wav/x.wav", "take.wav/deeper/x.wav", join(media, "take.wav", "x.wav")]) {
    await assert.rejects(
      () => policy.checkPath(bad, "config.path"),
      (e: unknown) =>
        refused("path_not_allowed")(e) &&
        (e as Error).message.includes(`'${join(media, "take.wav")}' is a file, not a folder`) &&
        !(e as Error).message.includes("only inside the media folders"),
      bad,
    );
  }
  await Deno.remove(media, { recursive: true });
});

Deno.test("ControlPolicy.checkNode() refuses SubprocessProcessor unless named, and types off the list", async () => {
  const media = await Deno.makeTempDir();
  const byDefault = new ControlPolicy({ mediaDirs: [media] });
  await assert.rejects(
    () => byDefault.checkNode("SubprocessProcessor", { command: "sh", args: ["-c", "id"] }),
    (e: unknown) =>
      refused("processor_not_allowed")(e) &&
      /--allow-processor SubprocessProcessor/.test((e as Error).message),
  );
  await byDefault.checkNode("Gain", { gain: 2 });
  const listed = new ControlPolicy({
    mediaDirs: [media],
    processors: ["Gain", "SubprocessProcessor"],
  });
  await listed.checkNode("SubprocessProcessor", { command: "sh" });
  await assert.rejects(
    () => listed.checkNode("WavWriter", { path: "x.wav" }),
    (e: unknown) =>
      refused("processor_not_allowed")(e) && (e as ControlPolicyError).allowed.length === 2,
  );
  await new ControlPolicy({ mediaDirs: [media], processors: "*" }).checkNode(
    "SubprocessProcessor",
    {},
  );
  await assert.rejects(
    () => byDefault.checkNode("WavWriter", { path: "/tmp/../etc/cron.d/x" }),
    (e: unknown) =>
      refused("path_not_allowed")(e) && (e as ControlPolicyError).field === "config.path",
  );
  await Deno.remove(media, { recursive: true });
});

Deno.test("ControlPolicy.checkId() refuses ids over the limit with a message about length", () => {
  const policy = new ControlPolicy();
  policy.checkId("a".repeat(MAX_ID_LENGTH));
  assert.throws(() => policy.checkId("a".repeat(1_000_000)), (e: unknown) => {
    assert.ok(refused("id_too_long")(e));
    const message = (e as Error).message;
    assert.match(message, /is 1000000 characters long, the limit is 64/);
    assert.ok(message.length < 200, "the message does not echo the id");
    return true;
  });
});
