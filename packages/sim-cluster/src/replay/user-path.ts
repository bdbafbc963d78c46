/**
 * A path typed on the command line, resolved against the folder it was typed in. `pnpm --filter
 * @datastreamer/sim-cluster replay x.json` runs the command inside the package's folder; pnpm (like npm) keeps
 * the folder the user ran it from in `INIT_CWD`, so `x.json` means the file the user sees.
 */
import { resolve } from 'node:path';

/** The variable pnpm and npm set to the folder a script was started from. */
const INIT_CWD = 'INIT_CWD';

/** `path` resolved against `INIT_CWD`, else the working directory (an absolute path stays as it is). */
export function userPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[INIT_CWD] ?? process.cwd(), path);
}
