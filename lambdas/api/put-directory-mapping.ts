import { apiHandler } from '../shared/api-handler';
import { actorOf, parseBody, rpcOrClientError } from '../shared/api-requests';
import { putMappingSchema } from '../shared/api-schemas';
import { json, pathUuid } from '../shared/http';
import { logger } from '../shared/powertools';

/**
 * PUT /directories/{id}/mapping (admin): replaces the mapping (FieldMappingSchema; null clears it and
 * the submitter detects fields again). The previous mapping is kept in queue_history.
 */
export const handler = apiHandler(
  'PUT /directories/{id}/mapping',
  async (event, _context, { principal, rpc }) => {
    const id = pathUuid(event, 'id');
    const body = parseBody(event, putMappingSchema);
    const mapping = await rpcOrClientError(
      rpc<unknown>('set_directory_mapping', {
        p_directory_id: id,
        p_mapping: body.field_mapping,
        p_actor: actorOf(principal),
      }),
    );
    logger.info('Directory mapping replaced', { directory_id: id, cleared: body.field_mapping === null });
    return json(200, mapping);
  },
);
