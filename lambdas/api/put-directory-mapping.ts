import { apiHandler } from '../shared/api-handler';
import { actorOf, parseBody, rpcOrClientError } from '../shared/api-requests';
import { putMappingSchema } from '../shared/api-schemas';
import { json, pathUuid } from '../shared/http';
import { etag, ifMatchVersion } from '../shared/if-match';
import { logger } from '../shared/powertools';

/**
 * PUT /directories/{id}/mapping (admin): replaces the mapping (FieldMappingSchema; null clears it and
 * the submitter detects fields again). The previous mapping is kept in queue_history. If-Match (the
 * directory's ETag) is checked when sent, 412 when stale; not required, as a PUT replaces the whole
 * mapping and the tools that store mappings (test-submission's suggestion) send none today.
 */
export const handler = apiHandler(
  'PUT /directories/{id}/mapping',
  async (event, _context, { principal, rpc }) => {
    const id = pathUuid(event, 'id');
    const version = ifMatchVersion(event, 'directory');
    const body = parseBody(event, putMappingSchema);
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
  },
);
