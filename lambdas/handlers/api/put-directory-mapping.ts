import { apiHandler } from '../../http/api-handler';
import { route } from './put-directory-mapping.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { etag, ifMatchVersion } from '../../http/if-match';
import { logger } from '../../platform/powertools';

/**
 * PUT /directories/{id}/mapping (admin): replaces the mapping (FieldMappingSchema; null clears it and
 * the submitter detects fields again). The previous mapping is kept in queue_history. If-Match (the
 * directory's ETag) is checked when sent, 412 when stale; not required, as a PUT replaces the whole
 * mapping and the tools that store mappings (test-submission's suggestion) send none today.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params, body }) => {
  const id = params.id;
  const version = ifMatchVersion(event, 'directory');

  const mapping = await rpcOrClientError(
    rpc<{ version: number }>('set_directory_mapping', {
      p_directory_id: id,
      p_mapping: body.field_mapping,
      p_actor: actorOf(principal),
      p_expected_version: version ?? null,
    }),
  );
  logger.info('Directory mapping replaced', { directory_id: id, cleared: body.field_mapping === null });
  return json(200, mapping, { etag: etag(mapping.version) });
});
