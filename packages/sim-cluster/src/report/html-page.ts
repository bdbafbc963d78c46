/**
 * One self-contained HTML page with charts: the chart library (uPlot, MIT) and the page's own script and
 * styles are inlined, and the page's data travels as one JSON block the script reads, so the file opens
 * anywhere without network access. It is the shell of the history report and of the demo's live view.
 *
 * It does not decide what a page shows: its caller gives the body and the script.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What a page is made of. */
export interface HtmlPageParts {
  readonly title: string;
  /** The page's body, already HTML (escape text with {@link escapeHtml}). */
  readonly body: string;
  /** The page's own styles (CSS), after uPlot's and the shared ones (`page/base.css`). */
  readonly style: string;
  /** The page's own script (plain browser JavaScript), run after uPlot is defined and the body parsed. */
  readonly script: string;
  /** Data for the script, as JSON in `<script type="application/json" id="page-data">`. */
  readonly data: unknown;
}

let uplotAssets: { readonly js: string; readonly css: string } | undefined;

/** uPlot's browser build and its styles, read once from the installed package. */
function uplot(): { readonly js: string; readonly css: string } {
  if (uplotAssets === undefined) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

/** `text` safe inside HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** `value` as JSON that cannot end the script element holding it (`<` written as `\u003c`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).replaceAll(
    '<',
    '\\u003c',
  );
}

/** Script text that cannot end its script element early. */
function scriptText(js: string): string {
  return js.replaceAll('</script', '<\\/script');
}

/** The whole page, as one HTML string. */
export function htmlPage(parts: HtmlPageParts): string {
  const { js, css } = uplot();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>${css}</style>
<style>${readPageAsset('base.css')}</style>
<style>${parts.style}</style>
</head>
<body>
${parts.body}
<script type="application/json" id="page-data">${scriptJson(parts.data)}</script>
<script>${scriptText(js)}</script>
<script>${scriptText(parts.script)}</script>
</body>
</html>
`;
}

/** A file that sits next to the page modules, in `src/` (two levels up from `src/report/` or `dist/report/`). */
export function readPageAsset(name: string): string {
  return readFileSync(new URL(`../../src/report/page/${name}`, import.meta.url), 'utf8');
}
