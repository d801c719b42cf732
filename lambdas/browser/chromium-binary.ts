/**
 * The Chromium binary of @sparticuz/chromium, with the shared libraries and fonts it runs with.
 *
 * The package ships, beside the browser, the libraries Lambda's own Node.js runtime image lacks (its
 * `al2023` archive: NSS, NSPR, expat) and a font with a fontconfig configuration; it unpacks and
 * applies them (LD_LIBRARY_PATH, FONTCONFIG_PATH) only when it detects Lambda. We apply them
 * everywhere, with the package's own functions: the browser then runs on the same libraries and fonts
 * in Lambda, on a developer's machine and in CI, and a machine needs no system package for it. A
 * minimal Debian has neither: without NSS Chromium does not start, and without a font configuration
 * it starts but its renderer dies on the first page that draws text (the page closes at once).
 * The configuration is our own file naming the unpacked fonts, since the package's names /tmp/fonts
 * and the temporary directory is not always /tmp.
 *
 * Loading: the package is ESM-only, and in Lambda it lives in a layer that Node finds through
 * NODE_PATH. require() honours NODE_PATH, but import() of a bare name does not (ES module resolution
 * ignores it), so the package's path is resolved the CommonJS way and that file imported.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getCallSites } from 'node:util';
import { GLIBC, family as libcFamily, version as libcVersion } from 'detect-libc';

type SparticuzModule = typeof import('@sparticuz/chromium');

/** The oldest glibc the al2023 libraries load with (Amazon Linux 2023's). */
const AL2023_GLIBC = [2, 34] as const;

/**
 * This file, as a path: the TypeScript module locally and in tests, the CommonJS bundle in Lambda
 * (`import.meta` is empty in a CommonJS bundle, and `__filename` does not exist in a module).
 */
function thisFile(): string {
  const name = getCallSites(1)[0]?.scriptName ?? '';
  return name.startsWith('file:') ? fileURLToPath(name) : name;
}

/** @sparticuz/chromium and its `bin/` folder (the compressed browser, libraries and fonts). */
async function loadSparticuz(): Promise<{ chromium: SparticuzModule; binDir: string }> {
  const entry = createRequire(thisFile()).resolve('@sparticuz/chromium');
  // An absolute path: a module path in ES modules (as file://...), and what require() takes where a
  // transform turns import() into require() (jest's global set-up).
  const chromium = (await import(entry)) as SparticuzModule;
  // The package's own layout: build/index.js next to bin/.
  return { chromium, binDir: path.join(path.dirname(entry), '..', 'bin') };
}

/**
 * Whether Lambda's libraries load with this glibc version; true when there is none to compare (not
 * glibc: the libraries are tried, as before a check existed).
 */
export function loadsAl2023(glibcVersion: string | null): boolean {
  if (!glibcVersion) return true;
  const [major = 0, minor = 0] = glibcVersion.split('.').map(Number);
  return major > AL2023_GLIBC[0] || (major === AL2023_GLIBC[0] && minor >= AL2023_GLIBC[1]);
}

/**
 * This system's glibc version, or null where the C library is another. detect-libc reads it from
 * ldd's file; Node's own diagnostic report, which we called before, also reverse-resolves the
 * addresses of every open socket, synchronously: on a fresh Debian container that held the event
 * loop for 10 s at the first launch, and the stack's own database connections timed out. Where
 * detect-libc falls back to the report, it leaves out that network part.
 */
export async function systemGlibcVersion(): Promise<string | null> {
  return (await libcFamily()) === GLIBC ? libcVersion() : null;
}

/** A fontconfig configuration naming the unpacked fonts wherever they are; returns its path. */
function writeFontConfig(fontsDir: string): string {
  const xml = (text: string) =>
    text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const file = path.join(fontsDir, 'directorybolt-fonts.conf');
  const partial = `${file}.${process.pid}`;
  writeFileSync(
    partial,
    '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n' +
      `  <dir>${xml(fontsDir)}</dir>\n  <cachedir>${xml(`${fontsDir}-cache`)}</cachedir>\n</fontconfig>\n`,
  );
  renameSync(partial, file); // whole or not at all, for another process reading it
  return file;
}

let prepared: Promise<string> | undefined;

/**
 * The Chromium binary, decompressed to the temporary directory once per process (about 2 s), with
 * LD_LIBRARY_PATH and FONTCONFIG_FILE set for it in this process's environment (Chromium inherits it).
 */
export function sparticuzExecutablePath(): Promise<string> {
  prepared ??= (async () => {
    const { chromium, binDir } = await loadSparticuz();
    const archives = [path.join(binDir, 'fonts.tar.br')];
    const withLibraries = loadsAl2023(await systemGlibcVersion());
    if (withLibraries) archives.push(path.join(binDir, 'al2023.tar.br'));
    await Promise.all(archives.map((archive) => chromium.inflate(archive)));
    if (withLibraries) {
      // FONTCONFIG_PATH and HOME when unset, and Lambda's libraries first on the library path;
      // <tmp>/al2023/lib is where the package unpacks al2023.tar.br.
      chromium.setupLambdaEnvironment(path.join(tmpdir(), 'al2023', 'lib'));
    }
    // The package's fonts.conf names /tmp/fonts, which holds only where the temporary directory is /tmp.
    process.env.FONTCONFIG_FILE = writeFontConfig(path.join(tmpdir(), 'fonts'));
    return chromium.default.executablePath(binDir);
  })().catch((error: unknown) => {
    prepared = undefined; // a failed unpack (disk full) is retried by the next launch
    throw error;
  });
  return prepared;
}

/**
 * A clearer error for a launch that failed because the system lacks a shared library (only possible
 * where glibc is older than 2.34 and the system's own libnss3 is used), or the original one.
 */
export function explainLaunchFailure(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const missing = /error while loading shared libraries: ([^:\s]+)/.exec(message)?.[1];
  if (!missing) return error;
  return new Error(
    `Chromium cannot load ${missing}: install the system package that provides it ` +
      '(on Debian and Ubuntu: apt-get install libnss3), or use glibc 2.34 or newer, where the ' +
      "browser's own copy of the library is used.",
    { cause: error },
  );
}
