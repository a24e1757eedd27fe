/**
 * A tiny txtar reader and writer: one text file holding a fixture tree, as
 * `-- path --` headers each followed by the file's text. Lines before the first header are a
 * comment.
 *
 * @module
 */

/** A parsed archive. */
export interface Archive {
  /** The text before the first file. */
  comment: string;
  /** The files, in order. */
  files: { name: string; text: string }[];
}

const HEADER = /^-- (.+) --$/;

/**
 * Parses a txtar archive.
 *
 * @param text The archive text.
 * @returns The comment and files.
 */
export function parseArchive(text: string): Archive {
  const archive: Archive = { comment: "", files: [] };
  let current: { name: string; lines: string[] } | undefined;
  const comment: string[] = [];
  const flush = () => {
    if (current) archive.files.push({ name: current.name, text: current.lines.join("\n") });
  };
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const match = HEADER.exec(line);
    if (match) {
      flush();
      current = { name: match[1], lines: [] };
    } else if (current) {
      current.lines.push(line);
    } else {
      comment.push(line);
    }
  }
  flush();
  archive.comment = comment.join("\n");
  for (const file of archive.files) if (file.text !== "") file.text += "\n";
  return archive;
}

/**
 * Prints a txtar archive.
 *
 * @param archive The archive.
 * @returns The text.
 */
export function formatArchive(archive: Archive): string {
  let out = archive.comment === "" ? "" : `${archive.comment}\n`;
  for (const file of archive.files) {
    out += `-- ${file.name} --\n${file.text}`;
    if (file.text !== "" && !file.text.endsWith("\n")) out += "\n";
  }
  return out;
}
