import { writeFile } from 'node:fs/promises';
import { SUITES } from './suites';

/**
 * Runs one suite and writes its result as JSON to the given file. bench/run.ts starts one process per
 * suite: the Lambda handlers read their configuration once at load (as in Lambda), so each suite's
 * fresh environment needs fresh modules, and one suite's leftovers never slow the next.
 */
async function main(): Promise<void> {
  const [name, outFile, mode] = process.argv.slice(2);
  const suite = SUITES.find((candidate) => candidate.name === name);
  if (!suite || !outFile) throw new Error(`usage: run-suite.ts <suite> <result.json> [--quick]`);
  const result = await suite.run({ quick: mode === '--quick' });
  await writeFile(outFile, JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench suite failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
