import { z } from 'zod';
import { ROUTE_IDS } from '../../domain/routes';
import type { Authority, Directory, School } from '../../ports/directory';
import { ConfigFileError, readYamlFile } from './yaml-file';

// AAD object ids are opaque, bounded strings: the Agents Playground's default user id is not a valid GUID.
const aadId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9-]+$/, 'an AAD object id (letters, digits and dashes)');
const bilingual = z.strictObject({ en: z.string().trim().min(1).max(200), cy: z.string().trim().min(1).max(200) });

const schoolsFileSchema = z.strictObject({
  authority: z.strictObject({
    id: z.string().regex(/^[A-Z]{2,6}$/, '2–6 capital letters (the reference prefix, e.g. MON)'),
    name: bilingual,
    country: z.enum(['wales', 'england']),
    insetCountsAsSchoolDays: z.boolean().default(false),
    contact: z.string().trim().min(1).max(200).optional(),
    consent: z.partialRecord(z.enum(ROUTE_IDS), z.enum(['sharing', 'recorded'])).default({}),
  }),
  schools: z
    .array(
      z.strictObject({
        id: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes'),
        name: bilingual,
        kind: z.enum(['primary', 'secondary', 'all-age', 'special', 'nursery-setting', 'fe-college', 'pru', 'eotas', 'local-authority']),
        cluster: z.string().trim().min(1).max(64).optional(),
        language: z.enum(['english', 'welsh', 'bilingual']),
        alncos: z.array(aadId).default([]),
      }),
    )
    .min(1)
    .superRefine((schools, ctx) => {
      const seen = new Set<string>();
      schools.forEach((s, i) => {
        if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate school id ${s.id}` });
        seen.add(s.id);
      });
    }),
});

export { ConfigFileError };

/** Load and validate the schools file; throws ConfigFileError naming the file and each bad field. */
export function loadSchoolsFile(file: string, admins: readonly string[]): Directory {
  return new FileDirectory(readYamlFile(file, schoolsFileSchema), admins);
}

type SchoolsFile = z.output<typeof schoolsFileSchema>;

export class FileDirectory implements Directory {
  private readonly byId: Map<string, School>;
  private readonly auth: Authority;

  constructor(private readonly file: SchoolsFile, private readonly admins: readonly string[]) {
    this.byId = new Map(file.schools.map((s) => [s.id, s as School]));
    this.auth = {
      id: file.authority.id,
      name: file.authority.name,
      country: file.authority.country,
      insetCountsAsSchoolDays: file.authority.insetCountsAsSchoolDays,
      consentRules: file.authority.consent,
    };
  }

  authority(): Authority {
    return this.auth;
  }

  school(id: string): School | undefined {
    return this.byId.get(id);
  }

  schools(): readonly School[] {
    return [...this.byId.values()];
  }

  schoolsFor(aadObjectId: string): readonly School[] {
    if (this.isAdmin(aadObjectId)) return this.schools();
    return this.schools().filter((s) => s.alncos.includes(aadObjectId));
  }

  isAdmin(aadObjectId: string): boolean {
    return this.admins.includes(aadObjectId);
  }

  contact(): string {
    return this.file.authority.contact ?? this.file.authority.name.en;
  }
}
