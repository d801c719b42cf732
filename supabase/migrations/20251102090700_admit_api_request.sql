-- ===================================================================================================
-- admit_api_request: everything the handler layer needs to know about an authenticated request, in
-- one round trip (it was three: the failed-key guard, resolve_api_key, check_rate_limit). In order,
-- exactly as before:
--   1. the client IP's failed-key counter is only looked at: a blocked IP is refused before its key
--      is even resolved ('ip_blocked');
--   2. the key is resolved; an unknown or revoked key charges that counter ('unknown', 'revoked');
--   3. a key whose role may not use the route is refused without charging the route's limit
--      ('forbidden');
--   4. the route's limit is charged to the key ('admitted', with the limit decision; the caller
--      refuses with 429 when it is not allowed).
-- Resolving on every request (no principal cache in the Lambdas) also makes a revocation take
-- effect at once. The pieces are the existing functions, so their validation and locking apply.
-- Rate-limit counters are not queue state: no queue_history row.
-- ===================================================================================================
create or replace function public.admit_api_request(
  p_key_hash text,
  p_ip_subject text,
  p_auth_route text,
  p_auth_limit int,
  p_auth_window_seconds int,
  p_route text,
  p_roles text[],
  p_limit int,
  p_window_seconds int
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = public
as $$
declare
  v_guard jsonb;
  v_key jsonb;
begin
  perform internal.check_key_hash('p_key_hash', p_key_hash);
  if p_roles is null or cardinality(p_roles) = 0
     or exists (select 1 from unnest(p_roles) r where r is null or r not in ('customer', 'staff', 'admin')) then
    perform internal.invalid_argument('p_roles must be a non-empty list of customer, staff, admin');
  end if;

  v_guard := public.check_rate_limit(p_ip_subject, p_auth_route, p_auth_limit, p_auth_window_seconds, 0);
  if not (v_guard->>'allowed')::boolean then
    return jsonb_build_object('outcome', 'ip_blocked', 'auth', v_guard);
  end if;

  v_key := public.resolve_api_key(p_key_hash);
  if v_key is null or (v_key->>'revoked')::boolean then
    return jsonb_build_object(
      'outcome', case when v_key is null then 'unknown' else 'revoked' end,
      'auth', public.check_rate_limit(p_ip_subject, p_auth_route, p_auth_limit, p_auth_window_seconds, 1));
  end if;

  if not (v_key->>'role' = any (p_roles)) then
    return jsonb_build_object('outcome', 'forbidden', 'principal', v_key);
  end if;

  return jsonb_build_object(
    'outcome', 'admitted',
    'principal', v_key,
    'limit', public.check_rate_limit('key:' || (v_key->>'key_id'), p_route, p_limit, p_window_seconds, 1));
end
$$;

revoke all on function public.admit_api_request(text, text, text, int, int, text, text[], int, int)
  from public, anon, authenticated;
grant execute on function public.admit_api_request(text, text, text, int, int, text, text[], int, int)
  to service_role;
