import { apiHandler } from '../../http/api-handler';
import { route } from './admin-pause.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { logger } from '../../platform/powertools';

/**
 * POST /admin/pauses (admin): stop handing out tasks of one priority or one directory. claim_task
 * refuses them with a retry-after and the submitter re-sends the message with that delay, so nothing
 * is lost and nothing is failed; in-flight submissions finish. Pausing twice changes nothing (200).
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, body: target }) => {
  const result = await rpcOrClientError(
    rpc<{ changed: boolean }>('pause_processing', {
      p_scope: target.scope,
      p_priority: target.scope === 'priority' ? target.priority : null,
      p_directory_id: target.scope === 'directory' ? target.directory_id : null,
      p_reason: target.reason ?? null,
      p_actor: actorOf(principal),
    }),
  );
  logger.info('Processing paused', { scope: target.scope, changed: result.changed });
  return json(result.changed ? 201 : 200, result);
});
