import { existsSync } from 'node:fs';
import { z } from 'zod';
import { AGENCIES, CADENCES, MEMBER_ROLES, PANEL_KINDS, type Panel } from '../../domain/panels';
import { ROUTE_IDS } from '../../domain/routes';
import { readYamlFile } from './yaml-file';

const aadId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9-]+$/, 'an AAD object id (letters, digits and dashes)');

const panelsFileSchema = z.strictObject({
  panels: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes (used in commands: /panel link <id>)'),
        name: z.strictObject({ en: z.string().trim().min(1).max(120), cy: z.string().trim().min(1).max(120) }),
        kind: z.enum(PANEL_KINDS),
        routes: z.array(z.enum(ROUTE_IDS)).min(1),
        clusters: z.array(z.string().trim().min(1).max(64)).min(1).optional(),
        cadence: z.enum(CADENCES),
        quorum: z.strictObject({ minMembers: z.number().int().min(1).max(500), agencies: z.array(z.enum(AGENCIES)).optional() }),
        members: z
          .array(z.strictObject({ aadObjectId: aadId, name: z.string().trim().min(1).max(120), role: z.enum(MEMBER_ROLES), agency: z.enum(AGENCIES) }))
          .min(1),
      }),
    )
    .superRefine((panels, ctx) => {
      const ids = new Set<string>();
      panels.forEach((p, i) => {
        if (ids.has(p.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate panel id ${p.id}` });
        ids.add(p.id);
        if (!p.members.some((m) => m.role === 'chair')) ctx.addIssue({ code: 'custom', path: [i, 'members'], message: 'a panel needs a chair (role: chair)' });
        const seen = new Set<string>();
        p.members.forEach((m, j) => {
          if (seen.has(m.aadObjectId)) ctx.addIssue({ code: 'custom', path: [i, 'members', j, 'aadObjectId'], message: 'listed twice' });
          seen.add(m.aadObjectId);
        });
      });
    }),
});

/** Read and validate the panels file; a missing file means no panels yet. Throws ConfigFileError naming each bad field. */
export function loadPanelsFile(file: string): Panel[] {
  if (!existsSync(file)) return [];
  return readYamlFile(file, panelsFileSchema).panels as Panel[];
}
