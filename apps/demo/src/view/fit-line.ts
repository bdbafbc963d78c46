/**
 * Fitting terminal lines to a width: the visible length of a line that may carry colour codes, and the line
 * cut to at most a number of visible columns (its colour codes kept, a reset added when cut). Every glyph
 * the view draws is one column wide. It draws nothing.
 */

const ESCAPE = String.fromCharCode(27);
/** A colour (SGR) escape sequence: ESC [ parameters m. */
const SGR = new RegExp(`${ESCAPE}\\[[0-9;]*m`, 'y');
const RESET = `${ESCAPE}[0m`;

/** The columns `line` takes on a terminal (colour codes take none). */
export function visibleLength(line: string): number {
  let length = 0;
  for (let i = 0; i < line.length; ) {
    SGR.lastIndex = i;
    const code = SGR.exec(line);
    if (code !== null) {
      i += code[0].length;
      continue;
    }
    const cp = line.codePointAt(i) ?? 0;
    i += cp > 0xffff ? 2 : 1;
    length++;
  }
  return length;
}

/** `line` cut to at most `width` visible columns, ending with `…` when cut. */
export function fitLine(line: string, width: number): string {
  if (visibleLength(line) <= width) return line;
  let out = '';
  let length = 0;
  let coloured = false;
  for (let i = 0; i < line.length; ) {
    SGR.lastIndex = i;
    const code = SGR.exec(line);
    if (code !== null) {
      out += code[0];
      coloured = true;
      i += code[0].length;
      continue;
    }
    if (length === width - 1) break;
    const cp = line.codePointAt(i) ?? 0;
    const step = cp > 0xffff ? 2 : 1;
    out += line.slice(i, i + step);
    i += step;
    length++;
  }
  return `${out}…${coloured ? RESET : ''}`;
}
