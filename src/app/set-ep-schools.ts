import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { EpDirectory } from '../ports/ep-directory';
import type { Actor } from './actor';

export type EpSchoolsError = { readonly code: 'EP.NOT_EP' } | { readonly code: 'EP.UNKNOWN_SCHOOLS'; readonly ids: readonly string[] };

/** An EP sets their own link schools (`/ep schools <ids…>`); with no ids, shows them. Only people in the EPs file are EPs. */
export async function setEpSchools(
  deps: { eps: EpDirectory; directory: Directory; audit: AuditLog; clock: Clock },
  actor: Actor,
  ids: readonly string[] | undefined,
): Promise<Result<readonly string[], EpSchoolsError>> {
  if (!deps.eps.isEp(actor.aadObjectId)) return err({ code: 'EP.NOT_EP' });
  if (!ids) return ok(await deps.eps.schoolsOf(actor.aadObjectId));
  const wanted = [...new Set(ids.map((s) => s.trim().toLowerCase()).filter(Boolean))];
  const unknown = wanted.filter((id) => !deps.directory.school(id));
  if (unknown.length > 0) return err({ code: 'EP.UNKNOWN_SCHOOLS', ids: unknown.slice(0, 10) });
  await deps.eps.setOwnSchools(actor.aadObjectId, wanted);
  await deps.audit.record({ at: deps.clock.now().toISOString(), actor: actor.aadObjectId, action: 'ep.schools', recordType: 'ep', recordId: actor.aadObjectId, correlationId: actor.correlationId, detail: { schools: wanted.join(',') } });
  return ok(wanted);
}
