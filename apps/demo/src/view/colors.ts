/**
 * Terminal colours: picocolors, switched on only for a terminal and never when `NO_COLOR` is set
 * (no-color.org), so piped output never carries escape codes.
 */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Whether to colour output written to `stream`, given the environment. */
export function colorEnabled(
  stream: { readonly isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const { NO_COLOR: noColor } = env;
  if (noColor !== undefined && noColor !== '') return false;
  return stream.isTTY === true;
}

/** Colours on or off. */
export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
