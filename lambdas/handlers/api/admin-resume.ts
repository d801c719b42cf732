import { apiHandler } from '../../http/api-handler';
import { route } from './admin-resume.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { logger } from '../../platform/powertools';

/**
 * POST /admin/pauses/resume (admin): lifts a pause. Deferred tasks are picked up when their delayed
 * messages come back (within API_SURFACE.pauseRecheckSeconds plus jitter).
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, body: target }) => {
  const result = await rpcOrClientError(
    rpc<{ changed: boolean }>('resume_processing', {
      p_scope: target.scope,
      p_priority: target.scope === 'priority' ? target.priority : null,
      p_directory_id: target.scope === 'directory' ? target.directory_id : null,
      p_actor: actorOf(principal),
    }),
  );
  logger.info('Processing resumed', { scope: target.scope, changed: result.changed });
  return json(200, result);
});
