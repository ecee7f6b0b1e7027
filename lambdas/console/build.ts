/**
 * Builds the web console: lambdas/console/src (TypeScript + Preact) bundled by esbuild into
 * one ES module, beside the static index.html and stylesheet. Local mode serves the result
 * from memory at `/console/`; the CDK stack writes it to a folder and uploads it to S3.
 * Everything the page loads comes from its own origin: no CDN, no web fonts.
 */
import { buildSync } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const HERE = __dirname;

/** One file of the built console. */
export interface ConsoleFile {
  /** Path below the console's root, e.g. `console.js`. */
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const STATIC_FILES: ReadonlyArray<[string, string]> = [
  ['index.html', 'text/html; charset=utf-8'],
  ['console.css', 'text/css; charset=utf-8'],
  ['favicon.svg', 'image/svg+xml'],
];

/** Builds the console in memory: index.html, console.css, console.js. */
export function buildConsole(): ConsoleFile[] {
  const result = buildSync({
    entryPoints: [path.join(HERE, 'src/main.tsx')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(HERE, 'tsconfig.json'),
    write: false,
    outfile: 'console.js',
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((file) => file.path.endsWith('console.js'));
  if (!script) throw new Error('esbuild produced no console.js');
  return [
    ...STATIC_FILES.map(([name, contentType]) => ({ path: name, contentType, body: readFileSync(path.join(HERE, 'static', name)) })),
    { path: 'console.js', contentType: 'text/javascript; charset=utf-8', body: Buffer.from(script.contents) },
  ];
}

/** Builds the console into `outDir` (for the stack's upload); returns `outDir`. */
export function writeConsole(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  for (const file of buildConsole()) writeFileSync(path.join(outDir, file.path), file.body);
  return outDir;
}
