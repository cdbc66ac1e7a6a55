import type { Language, UserStore } from '../ports/users';

/** A user switches between Cymraeg and English; without an argument the language toggles. */
export async function setLanguage(deps: { users: UserStore }, aadObjectId: string, current: Language, requested?: Language): Promise<Language> {
  const next: Language = requested ?? (current === 'cy' ? 'en' : 'cy');
  await deps.users.setLanguage(aadObjectId, next);
  return next;
}
