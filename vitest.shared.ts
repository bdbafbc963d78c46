// Test settings every package shares. Workspace packages resolve to their TypeScript sources (each export
// of each package, through its `@datastreamer/source` entry), and each run writes a JSON report that
// `pnpm test` and `.ci/run` sum into their closing line.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = new URL('./packages/', import.meta.url);

interface PackageJson {
  readonly name: string;
  readonly exports?: Readonly<Record<string, { readonly '@datastreamer/source'?: string }>>;
}

interface Alias {
  readonly find: RegExp;
  readonly replacement: string;
}

/** `@datastreamer/x` and `@datastreamer/x/sub`, each matched exactly, to the source its export names. */
function sourceAliases(): Alias[] {
  const aliases: Alias[] = [];
  for (const dir of readdirSync(packagesDir)) {
    const base = new URL(`${dir}/`, packagesDir);
    const pkg = JSON.parse(readFileSync(new URL('package.json', base), 'utf8')) as PackageJson;
    for (const [subpath, entry] of Object.entries(pkg.exports ?? {})) {
      const source = entry['@datastreamer/source'];
      if (source === undefined) continue;
      const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
      aliases.push({
        find: new RegExp(`^${specifier.replaceAll('/', '\\/')}$`),
        replacement: fileURLToPath(new URL(source, base)),
      });
    }
  }
  return aliases;
}

export const sharedConfig = defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Test files share one module graph per worker thread instead of re-importing it per file: the import
    // and transform work was most of the suite's CPU (about 250 s of CPU for every package's tests, 95 s
    // without it, on this repository's 2-core machine). No test mocks modules or stubs globals; the one that
    // fakes timers restores them after each test. A file that needs a fresh graph can opt back in with
    // `isolate: true` in its package config.
    pool: 'threads',
    isolate: false,
    // A hang guard, not a speed check: on 2 busy cores the fuzz and property suites take several times
    // longer than alone.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
