/**
 * The streamlib command line for this plugin's own folder (`deno task codegen`, `deno task test`).
 *
 * @module
 */

import { main } from "@streamlib/streamlib/cli";

if (import.meta.main) Deno.exit(await main(Deno.args));
