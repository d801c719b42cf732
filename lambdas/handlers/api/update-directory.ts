import { apiHandler } from '../../http/api-handler';
import { route } from './update-directory.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { updateDirectorySchemaAllowing } from '../../http/schemas';
import { optionalEnv } from '../../platform/env';
import { json } from '../../http/responses';
import { etag, requiredIfMatchVersion } from '../../http/if-match';
import { logger } from '../../platform/powertools';
import { parseAllowedHosts } from '../../browser/ssrf-guard';

// The route's schema with the same address rules as POST /directories (see create-directory.ts).
const updateDirectorySchema = updateDirectorySchemaAllowing(
  parseAllowedHosts(optionalEnv('SUBMITTER_ALLOWED_HOSTS')),
);

/**
 * PATCH /directories/{id} (admin): changes its name, form address, limits, verification rule, account
 * (what it asks before the listing form; null clears it) or `active`. If-Match is required (428
 * without, 412 when stale): two operators tuning one directory's limits must not overwrite each other
 * unseen. Every change is in queue_history (who, from, to).
 */
export const handler = apiHandler(
  { ...route, body: updateDirectorySchema },
  async (event, _context, { principal, rpc, params, body: changes }) => {
    const id = params.id;
    const version = requiredIfMatchVersion(event, 'directory');
    const directory = await rpcOrClientError(
      rpc<{ version: number }>('update_directory', {
        p_directory_id: id,
        p_changes: changes,
        p_expected_version: version,
        p_actor: actorOf(principal),
      }),
    );
    logger.info('Directory updated', {
      directory_id: id,
      fields: Object.keys(changes),
      version: directory.version,
    });
    return json(200, directory, { etag: etag(directory.version) });
  },
);
