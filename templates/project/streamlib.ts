/**
 * The streamlib command line for this project: `deno task streamlib <command>`
 * (`deno task dev` serves the dashboard with the pipeline running).
 *
 * @module
 */

import { main } from "@streamlib/streamlib/cli";

if (import.meta.main) Deno.exit(await main(Deno.args));
