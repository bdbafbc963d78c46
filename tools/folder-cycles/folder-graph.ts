/**
 * The folder graph of one package: which top-level folders of its `src/` import which, with the first import
 * that draws each arrow (file and line) as evidence. A folder is the first directory under `src/`; files
 * directly in `src/` form the folder `(root)`. Every relative import counts, types included: `import`,
 * `import type`, `export ... from`, `import x = require(...)`, `import('...')` and `import('...').T` types.
 *
 * It reads files and parses them with the TypeScript compiler (no type checking, no program); it does not
 * follow package imports (`@datastreamer/...`, `node:...`), which are arrows between packages, not folders.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The name of the folder made of the files directly in `src/`. */
export const ROOT_FOLDER = '(root)';

/** One import statement that draws an arrow between two folders. */
export interface ImportSite {
  /** The importing file, relative to `src/`, with `/` separators. */
  readonly file: string;
  /** 1-based line of the import in that file. */
  readonly line: number;
}

/** Arrows between the folders of one package: `edges.get(from).get(to)` is the first import that draws it. */
export interface FolderGraph {
  readonly folders: readonly string[];
  readonly edges: ReadonlyMap<string, ReadonlyMap<string, ImportSite>>;
}

/** Every `.ts` file under `dir`, recursively, as absolute paths in a stable order. */
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.[cm]?tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The folder a path under `srcDir` belongs to, or undefined when it lies outside `srcDir`. */
export function folderOf(srcDir: string, path: string): string | undefined {
  const rel = relative(srcDir, path);
  if (rel === '' || rel.startsWith('..') || resolve(srcDir, rel) !== path) return undefined;
  const parts = rel.split(sep);
  return parts.length === 1 ? ROOT_FOLDER : parts[0];
}

/**
 * The file a relative specifier names, as Node's ESM resolution with TypeScript's sources would find it:
 * `./x.js` is `./x.ts`, `./x` is `./x.ts` or `./x/index.ts`. Undefined when no such file exists (the import
 * is then not an arrow this check can place, and typecheck reports it anyway).
 */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    base.replace(/\.cjs$/, '.cts'),
    `${base}.ts`,
    join(base, 'index.ts'),
    base,
  ];
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

/** Every module specifier in a source text, with its 1-based line. */
export function importSpecifiers(fileName: string, text: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined): void => {
    if (literal === undefined || !ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier: literal.text, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The folder graph of the package whose sources are in `srcDir`. */
export function buildFolderGraph(srcDir: string): FolderGraph {
  const root = resolve(srcDir);
  const folders = new Set<string>();
  const edges = new Map<string, Map<string, ImportSite>>();
  for (const file of sourceFiles(root)) {
    const from = folderOf(root, file);
    if (from === undefined) continue;
    folders.add(from);
    for (const { specifier, line } of importSpecifiers(file, readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      const to = target === undefined ? undefined : folderOf(root, target);
      if (to === undefined || to === from) continue;
      let out = edges.get(from);
      if (out === undefined) {
        out = new Map();
        edges.set(from, out);
      }
      // The first import in file order is the evidence; later ones draw the same arrow.
      if (!out.has(to)) out.set(to, { file: relative(root, file).split(sep).join('/'), line });
    }
  }
  return { folders: [...folders].sort(), edges };
}
