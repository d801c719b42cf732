/**
 * Migrates a database (README, Deploy): every file in supabase/migrations not yet applied, in order,
 * each in its own transaction, as local/runtime/migrate.ts describes.
 *
 *   DATABASE_URL=<url> npx tsx scripts/migrate.ts [--skip-bootstrap]
 *
 * --skip-bootstrap against a Supabase project: its roles and auth helpers exist there.
 */
import { migrate } from '../local/runtime/migrate';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
const skipBootstrap = process.argv.slice(2).includes('--skip-bootstrap');
migrate(url, { skipBootstrap, log: (m) => console.log(m) }).then(
  (r) => console.log(`done: ${r.applied.length} applied, ${r.skipped.length} already applied`),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
