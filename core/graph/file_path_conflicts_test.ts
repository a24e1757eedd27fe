import assert from "node:assert/strict";
import { posix, win32 } from "node:path";
import { absolutePath, type FileNode, filePathConflicts } from "./file_path_conflicts.ts";

const source = (id: string, path: string): FileNode => ({
  id,
  tags: ["audio", "source", "file"],
  config: { path },
});
const writer = (id: string, path: string): FileNode => ({
  id,
  tags: ["audio", "sink", "file"],
  config: { path },
});

Deno.test("filePathConflicts sees one file through '..', a symbolic link, a linked folder and a hard link", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/real`);
    await Deno.mkdir(`${dir}/other`);
    await Deno.writeFile(`${dir}/real/in.wav`, new Uint8Array(44));
    await Deno.symlink(`${dir}/real/in.wav`, `${dir}/link.wav`);
    await Deno.symlink(`${dir}/real`, `${dir}/alias`);
    await Deno.link(`${dir}/real/in.wav`, `${dir}/hard.wav`);
    const codes = (nodes: FileNode[]) =>
      filePathConflicts(nodes).map((c) => [c.code, c.writer, c.other]);
    const overwrites = (path: string) => [
      ["writer-overwrites-source", "rec", "play"],
      path,
    ];
    for (
      const path of [
        `${dir}/link.wav`, // a symbolic link to the source file
        `${dir}/alias/in.wav`, // through a linked folder
        `${dir}/hard.wav`, // a hard link
        `${dir}/other/../real/in.wav`,
      ]
    ) {
      const [expected] = overwrites(path);
      assert.deepEqual(
        codes([source("play", `${dir}/real/in.wav`), writer("rec", path)]),
        [expected],
        path,
      );
    }
    // Two writers of a new file, one through the linked folder.
    assert.deepEqual(
      codes([writer("a", `${dir}/real/new.wav`), writer("b", `${dir}/alias/new.wav`)]),
      [["writers-share-path", "b", "a"]],
    );
    // Different files, and a source read by two nodes, are fine.
    assert.deepEqual(
      codes([
        source("play", `${dir}/real/in.wav`),
        source("again", `${dir}/link.wav`),
        writer("a", `${dir}/real/a.wav`),
        writer("b", `${dir}/other/a.wav`),
      ]),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("filePathConflicts names both nodes and the path in its message, and ignores nodes without a file tag", () => {
  const [conflict] = filePathConflicts([
    writer("first", "/tmp/streamlib-conflict-x/take.wav"),
    {
      id: "not_a_file",
      tags: ["audio", "sink"],
      config: { path: "/tmp/streamlib-conflict-x/take.wav" },
    },
    writer("second", "/tmp/streamlib-conflict-x/./take.wav"),
  ]);
  assert.equal(conflict.code, "writers-share-path");
  assert.equal(conflict.path, "/tmp/streamlib-conflict-x/take.wav");
  assert.match(
    conflict.message,
    /'first' and 'second' both write \/tmp\/streamlib-conflict-x\/take\.wav/,
  );
});

Deno.test("absolutePath() resolves as node:path's resolve() does, POSIX and Windows", () => {
  for (
    const path of [
      "a.wav",
      "./a.wav",
      "../a.wav",
      "../../../../x",
      "/abs/./b/../c.wav",
      "//double//slash/",
      "/",
      ".",
      "..",
      "a/b/",
      "/a/b/..",
      "x/./y/../../z",
    ]
  ) {
    assert.equal(absolutePath(path, () => "/home/u/w", false), posix.resolve("/home/u/w", path));
  }
  for (
    const path of [
      "a.wav",
      "..\\a.wav",
      "C:\\x\\..\\y",
      "c:/x/./y",
      "\\root.wav",
      "C:rel",
      "\\\\srv\\share\\f\\..\\g",
      "\\\\srv\\share",
      "x/y\\..\\z",
      "C:\\",
    ]
  ) {
    assert.equal(
      absolutePath(path, () => "C:\\Users\\u", true),
      win32.resolve("C:\\Users\\u", path),
    );
  }
  // Another drive's relative path: from that drive's root (node reads a per-drive directory).
  assert.equal(absolutePath("D:rel\\f", () => "C:\\Users\\u", true), "D:\\rel\\f");
  // The working directory is read only for a relative path.
  assert.equal(
    absolutePath("/a/../b", () => assert.fail("read the working directory"), false),
    "/b",
  );
});
