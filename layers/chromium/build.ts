/**
 * Builds the Chromium Lambda layer: `nodejs/node_modules/` holding @sparticuz/chromium, playwright-core and
 * every package they need at run time, copied from this project's node_modules.
 *
 * Why copy from node_modules rather than download a release zip: the layer then carries exactly the
 * versions package-lock.json pins and the local runtime and tests run, and a build needs nothing beyond
 * the npm registry (no Docker, no other downloads). The npm package of @sparticuz/chromium ships the x64
 * Chromium only, so this layer is x86_64 (see lib/constructs/browser/chromium-layer.ts).
 *
 * CDK runs buildChromiumLayer() at synth time (local bundling of the layer asset). By hand:
 *   npx tsx layers/chromium/build.ts [outputDir]     (default: cdk.out/chromium-layer)
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The packages the submitter imports from the layer; its bundle marks them external. */
export const LAYER_PACKAGES = ['@sparticuz/chromium', 'playwright-core'] as const;

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface LayerPackage {
  name: string;
  version: string;
  /** Directory of the installed package. */
  dir: string;
}

/** Node's lookup: `node_modules/<name>` in `fromDir` and each parent up to the project root. */
function findInstalled(name: string, fromDir: string, projectRoot: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === projectRoot || dir === dirname(dir)) return undefined;
  }
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The layer packages and their run-time dependency closure, as npm installed them. */
export function layerPackages(projectRoot: string = PROJECT_ROOT): LayerPackage[] {
  const found = new Map<string, LayerPackage>();
  const visit = (name: string, fromDir: string, optional: boolean): void => {
    const dir = findInstalled(name, fromDir, projectRoot);
    if (dir === undefined) {
      // An optional dependency npm skipped on this platform is not needed here either.
      if (optional) return;
      throw new Error(`Chromium layer: ${name} is not installed (needed from ${fromDir}); run npm ci`);
    }
    if (found.has(dir)) return;
    const pkg = readPackageJson(dir);
    found.set(dir, { name: pkg.name, version: pkg.version, dir });
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of LAYER_PACKAGES) visit(name, projectRoot, false);
  return [...found.values()].sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * Identifies the layer's content without reading 80 MB: the installed name@version of every package
 * plus this script. CDK uses it as the asset hash, so an unchanged layer is neither rebuilt nor uploaded.
 */
export function layerFingerprint(projectRoot: string = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  for (const pkg of layerPackages(projectRoot)) {
    hash.update(`${relative(projectRoot, pkg.dir)}@${pkg.version}\n`);
  }
  hash.update(readFileSync(import.meta.filename));
  return hash.digest('hex');
}

/** Copies the packages into `<outputDir>/nodejs/node_modules`, the path Lambda puts on NODE_PATH. */
export function buildChromiumLayer(outputDir: string, projectRoot: string = PROJECT_ROOT): LayerPackage[] {
  const rootModules = join(projectRoot, 'node_modules') + sep;
  const target = join(outputDir, 'nodejs', 'node_modules');
  mkdirSync(target, { recursive: true });
  const packages = layerPackages(projectRoot);
  for (const pkg of packages) {
    // A package nested in another's node_modules travels inside its parent's copy.
    const rel = pkg.dir.slice(rootModules.length);
    if (!pkg.dir.startsWith(rootModules) || rel.includes(`${sep}node_modules${sep}`)) continue;
    cpSync(pkg.dir, join(target, rel), { recursive: true, dereference: true });
  }
  return packages;
}

if (process.argv[1] === import.meta.filename) {
  const outputDir = resolve(process.argv[2] ?? join(PROJECT_ROOT, 'cdk.out', 'chromium-layer'));
  const packages = buildChromiumLayer(outputDir);
  console.log(`Chromium layer in ${outputDir}: ${packages.map((p) => `${p.name}@${p.version}`).join(', ')}`);
}
