/** In-memory state of the simulated tenant. */

export type ColumnType = 'text' | 'number' | 'dateTime' | 'boolean' | 'choice' | 'personOrGroup';

/** Built-in columns whose values come from the item record rather than its field bag. */
export type SystemColumn = 'id' | 'created' | 'modified' | 'author' | 'editor' | 'fileLeafRef';

export interface ColumnRecord {
  id: string;
  name: string;
  displayName: string;
  description: string;
  type: ColumnType;
  /** The facet object as Graph shows it, e.g. `{ allowMultipleLines: false, maxLength: 255 }` for text. */
  facet: Record<string, unknown>;
  indexed: boolean;
  enforceUniqueValues: boolean;
  required: boolean;
  readOnly: boolean;
  hidden: boolean;
  system?: SystemColumn;
}

export interface Identity {
  application?: { id: string; displayName: string };
  user: { displayName: string; id?: string };
}

export interface ItemRecord {
  id: number;
  uniqueId: string;
  version: number;
  created: Date;
  modified: Date;
  createdBy: Identity;
  modifiedBy: Identity;
  /** User-column values (and Title), keyed by the column's internal name; null values are never stored. */
  fields: Record<string, unknown>;
  /** Present on document-library items only. */
  doc?: DocPart;
}

export interface DocPart {
  driveItemId: string;
  name: string;
  /** List item id of the parent folder; 0 for the library root. */
  parentId: number;
  isFolder: boolean;
  content: Buffer;
  mimeType: string;
}

export type ListTemplate = 'genericList' | 'documentLibrary';

export interface ListRecord {
  id: string;
  siteId: string;
  name: string;
  displayName: string;
  description: string;
  template: ListTemplate;
  /** Server-relative URL segment under the site: `Lists/Foo` for lists, `Shared Documents` for a library. */
  urlPath: string;
  created: Date;
  modified: Date;
  columns: ColumnRecord[];
  items: Map<number, ItemRecord>;
  nextItemId: number;
  driveId?: string;
  hasUniqueRoleAssignments: boolean;
  /** principalId → role definition ids (only meaningful once inheritance is broken). */
  roleAssignments: Map<number, Set<number>>;
}

export interface DriveRecord {
  id: string;
  siteId: string;
  listId: string;
  rootId: string;
  created: Date;
}

export type SiteRole = 'read' | 'write' | 'manage' | 'owner' | 'fullcontrol';

export const ROLE_RANK: Record<SiteRole, number> = { read: 1, write: 2, manage: 3, owner: 4, fullcontrol: 4 };

export interface PermissionRecord {
  id: string;
  roles: SiteRole[];
  appId: string;
  appDisplayName: string;
}

export interface SiteRecord {
  id: string;
  hostname: string;
  /** Server-relative path, always starting with '/', e.g. '/sites/inclusion' ('/' for a root site). */
  path: string;
  name: string;
  displayName: string;
  description: string;
  created: Date;
  lists: ListRecord[];
  defaultDriveId: string;
  permissions: PermissionRecord[];
  nextPermissionId: number;
}

export interface TokenInfo {
  appId: string;
  /** Application roles in the token, e.g. 'Sites.Selected', 'Sites.ReadWrite.All', 'Sites.FullControl.All'. */
  roles: string[];
  displayName: string;
  /** How the app authenticated; SharePoint REST refuses app-only tokens obtained with a client secret. */
  credential: 'certificate' | 'secret';
}

export interface UploadSessionRecord {
  id: string;
  driveId: string;
  /** Where the file goes: parent folder path segments and file name (new file), or an existing item (replace). */
  parentSegs: string[];
  name: string;
  conflictBehavior: 'fail' | 'replace' | 'rename';
  declaredSize?: number;
  total?: number;
  chunks: Buffer[];
  received: number;
  expires: Date;
  identity: Identity;
}

/** The SharePoint permission levels the REST sliver knows by id. */
export const ROLE_DEFINITIONS: Record<number, string> = {
  1073741825: 'Limited Access',
  1073741826: 'Read',
  1073741827: 'Contribute',
  1073741828: 'Design',
  1073741829: 'Full Control',
  1073741830: 'Edit',
};

/** Role assignments every simulated site has (Owners/Members/Visitors groups), copied on breakroleinheritance(copyRoleAssignments=true). */
export const DEFAULT_SITE_ROLE_ASSIGNMENTS: ReadonlyArray<[number, number]> = [
  [3, 1073741829],
  [4, 1073741830],
  [5, 1073741826],
];
