import path from 'node:path';
import type { IngestItem } from '../../ingest/pipeline.ts';
import { isWebUrl } from '../../ingest/url.ts';
import { diffDocuments } from '../answer/compare.ts';
import { setDocumentFacts, unsetDocumentFact } from '../catalog/facts.ts';
import { factValuesSchema } from '../catalog/schema.ts';
import type { LibraryConfig } from '../config.ts';
import { documentFacts, existingDocumentIds, FACT_FIELDS, type DocumentFacts, type FactField } from '../db/catalog.ts';
import { recordAddedBy } from '../db/document-fetch.ts';
import { libraryEntry, listLibrary, type LibraryEntry } from '../db/library.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import { ingest, type Services } from './services.ts';

/**
 * The document library kept from Slack: library admins add documents (a file, a URL), set their
 * catalog facts and retire them; everyone else is refused, and each refusal is logged. The Slack
 * layer turns people into LibraryActors and files into bytes; everything else happens here, the
 * same way `policy-desk ingest` and `docs set` do it.
 */

/** A Slack user as the library sees them. External (Slack Connect) users are never admins. */
export interface LibraryActor {
  userId: string;
  teamId?: string | null;
  external: boolean;
  /** Filled by the Slack layer when LIBRARY_ADMIN_USERGROUP_ID is set (usergroups.users.list). */
  inAdminUsergroup?: boolean;
}

export function isLibraryAdmin(config: LibraryConfig, actor: LibraryActor): boolean {
  if (actor.external) return false;
  if (config.adminUserIds.includes(actor.userId)) return true;
  return config.adminUsergroupId !== undefined && actor.inAdminUsergroup === true;
}

export const LIBRARY_DENIED_MESSAGE =
  'Sorry, only library admins can add, change or retire documents in the Policy Desk library. Ask one of them to do it for you; you can still ask questions about the documents.';

/** Logs the refusal (who, what, on which document) and throws it. Call first in every library action. */
export function requireLibraryAdmin(deps: { config: { library: LibraryConfig }; logger: Logger }, actor: LibraryActor, action: string, target?: string): void {
  if (isLibraryAdmin(deps.config.library, actor)) return;
  deps.logger.warn(
    { event: 'access.denied', action, target, actor: { userId: actor.userId, teamId: actor.teamId ?? undefined, external: actor.external } },
    `library: ${action} refused for a ${actor.external ? 'external' : 'non-admin'} user`,
  );
  throw new AppError('access.denied', LIBRARY_DENIED_MESSAGE, { details: { action, target } });
}

const actorLabel = (actor: LibraryActor) => `slack:${actor.userId}`;

// ---------------------------------------------------------------------------------------------
// Facts written as `issued=2023-02 supersedes=<id> status=current`

const SETTABLE = FACT_FIELDS.join(', ');

export interface FactAssignments {
  set: Record<string, string | string[]>;
  unset: FactField[];
}

/**
 * `field=value` pairs; a value with spaces in double quotes (`title="Annex C"`); `field=` (empty)
 * unsets it; supersedes and implements take ids separated by commas.
 */
export function parseFactAssignments(text: string): FactAssignments {
  const out: FactAssignments = { set: {}, unset: [] };
  const re = /\s*([A-Za-z_]+)=(?:"([^"]*)"|“([^”]*)”|(\S*))/y;
  const rest = text.trim();
  let i = 0;
  while (i < rest.length) {
    re.lastIndex = i;
    const m = re.exec(rest);
    if (!m) {
      const word = rest.slice(i).trim().split(/\s+/)[0];
      throw new AppError('input.invalid', `"${word}" is not a fact: write field=value, e.g. issued=2023-02 status=current supersedes=<document id>. Fields: ${SETTABLE}.`);
    }
    i = re.lastIndex;
    const field = m[1]!.toLowerCase();
    if (!(FACT_FIELDS as readonly string[]).includes(field)) throw new AppError('input.invalid', `Unknown field "${m[1]}". Fields: ${SETTABLE}.`);
    const value = (m[2] ?? m[3] ?? m[4] ?? '').trim();
    if (value === '') out.unset.push(field as FactField);
    else if (field === 'supersedes' || field === 'implements') out.set[field] = value.split(',').map((v) => v.trim()).filter(Boolean);
    else out.set[field] = value;
  }
  return out;
}

/** Validates facts before anything is written (an upload with bad facts leaves the library untouched). */
async function checkFacts(services: Services, set: FactAssignments['set'], selfId?: string): Promise<void> {
  const parsed = factValuesSchema.safeParse(set);
  if (!parsed.success) {
    throw new AppError('input.invalid', `Cannot use those facts: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const refs = [...(parsed.data.supersedes ?? []), ...(parsed.data.implements ?? [])].filter((r) => r !== selfId);
  const known = await existingDocumentIds(services.db, refs);
  const missing = refs.filter((r) => !known.has(r));
  if (missing.length > 0) throw new AppError('input.invalid', `No document ${missing.map((m) => `"${m}"`).join(', ')} in the library (\`/library\` lists them).`);
}

// ---------------------------------------------------------------------------------------------
// Listing, adding, setting, retiring

export async function listDocumentsForLibrary(services: Services, actor: LibraryActor): Promise<LibraryEntry[]> {
  requireLibraryAdmin(services, actor, 'library.list');
  return listLibrary(services.db);
}

/** What is added: a URL (fetched now), or a file's bytes (a Slack upload). */
export type LibraryInput =
  | { kind: 'url'; url: string }
  | { kind: 'file'; fileId: string; name: string; bytes: Uint8Array; permalink: string | null };

export interface AddResult {
  status: 'ingested' | 'updated' | 'unchanged';
  entry: LibraryEntry;
  /** Ingest warnings (e.g. a page OCR read with low confidence). */
  warnings: string[];
  /** The documents the new one supersedes (from the facts given, or a catalog entry naming it). */
  supersedes: string[];
}

/** The source key of a Slack upload: one document per Slack file. */
export const slackFileSource = (fileId: string) => `slack-file:${fileId}`;

function itemFor(input: LibraryInput): string | IngestItem {
  if (input.kind === 'url') return input.url;
  const name = path.basename(input.name.replace(/[\\/]/g, '_')) || input.fileId;
  return { path: name, source: slackFileSource(input.fileId), name, sourceUrl: input.permalink, read: async () => input.bytes };
}

/**
 * Adds one document as an admin: the file or URL is ingested (replacing an earlier copy of the
 * same source atomically), then the facts given with it are set. Facts are checked first, and an
 * ingest that fails stores nothing, so a refused document leaves the library as it was.
 */
export async function addToLibrary(services: Services, actor: LibraryActor, input: LibraryInput, facts: FactAssignments = { set: {}, unset: [] }): Promise<AddResult> {
  requireLibraryAdmin(services, actor, 'library.add', input.kind === 'url' ? input.url : input.name);
  if (input.kind === 'url' && !isWebUrl(input.url)) throw new AppError('input.invalid', `"${input.url}" is not an http:// or https:// URL.`);
  await checkFacts(services, facts.set);
  const summary = await ingest(services, [itemFor(input)], undefined, { trigger: 'slack' });
  const outcome = summary.files[0];
  if (!outcome) throw new AppError('ingest.unsupported', 'Nothing to ingest there.');
  if (outcome.status === 'failed') throw new AppError(outcome.code as ErrorCode, outcome.error, { details: { input: input.kind === 'url' ? input.url : input.name } });
  const id = outcome.documentId;
  await recordAddedBy(services.db, id, actorLabel(actor));
  if (Object.keys(facts.set).length > 0) await setDocumentFacts(services.db, id, facts.set, actorLabel(actor));
  for (const field of facts.unset) await unsetDocumentFact(services.db, id, field, actorLabel(actor));
  const entry = (await libraryEntry(services.db, id))!;
  services.logger.info({ event: 'library.add', documentId: id, status: outcome.status, by: actor.userId }, 'library: document added');
  return {
    status: outcome.status,
    entry,
    warnings: 'warnings' in outcome && Array.isArray(outcome.warnings) ? (outcome.warnings as string[]) : [],
    supersedes: entry.supersedes,
  };
}

export interface SetResult {
  facts: DocumentFacts;
  /** Supersession relations this change added: their differences are worth posting. */
  newlySupersedes: string[];
}

/** `/library set <id> field=value...`: all the facts at once, or none (errors say which field). */
export async function setLibraryFacts(services: Services, actor: LibraryActor, id: string, text: string): Promise<SetResult> {
  requireLibraryAdmin(services, actor, 'library.set', id);
  const facts = parseFactAssignments(text);
  if (Object.keys(facts.set).length === 0 && facts.unset.length === 0) {
    throw new AppError('input.invalid', 'Give at least one fact, e.g. `/library set <id> issued=2023-02 status=current supersedes=<id>`.');
  }
  const before = (await documentFacts(services.db, [id])).get(id);
  if (!before) throw new AppError('input.invalid', `No document "${id}" in the library (\`/library\` lists them).`);
  await checkFacts(services, facts.set, id);
  let now = before;
  if (Object.keys(facts.set).length > 0) now = await setDocumentFacts(services.db, id, facts.set, actorLabel(actor));
  for (const field of facts.unset) now = await unsetDocumentFact(services.db, id, field, actorLabel(actor));
  services.logger.info({ event: 'library.set', documentId: id, set: facts.set, unset: facts.unset, by: actor.userId }, 'library: facts set');
  return { facts: now, newlySupersedes: now.supersedes.filter((s) => !before.supersedes.includes(s)) };
}

/** `/library retire <id>`: status withdrawn, so answers leave it out; the document and its history stay. */
export async function retireDocument(services: Services, actor: LibraryActor, id: string): Promise<DocumentFacts> {
  requireLibraryAdmin(services, actor, 'library.retire', id);
  if (!(await existingDocumentIds(services.db, [id])).has(id)) throw new AppError('input.invalid', `No document "${id}" in the library (\`/library\` lists them).`);
  const facts = await setDocumentFacts(services.db, id, { status: 'withdrawn' }, actorLabel(actor));
  services.logger.info({ event: 'library.retire', documentId: id, by: actor.userId }, 'library: document withdrawn');
  return facts;
}

/** One difference between two versions, with the quote that shows it (page and section where known). */
export interface VersionDifference {
  summary: string;
  oldQuote: string | null;
  newQuote: string | null;
  oldWhere: string | null;
  newWhere: string | null;
}

export interface VersionComparison {
  oldDoc: { id: string; title: string };
  newDoc: { id: string; title: string };
  differences: VersionDifference[];
}

function where(c: { page: number | null; pageEnd: number | null; section: string | null } | undefined): string | null {
  if (!c) return null;
  const page = c.page === null ? null : c.pageEnd !== null && c.pageEnd !== c.page ? `pp. ${c.page}-${c.pageEnd}` : `p. ${c.page}`;
  return [page, c.section].filter(Boolean).join(' · ') || null;
}

/**
 * What changed from `oldId` to `newId` (diffDocuments): sections only one of them has, and the
 * themes each stresses that the other does not, each theme with its verbatim quote.
 */
export async function versionDifferences(services: Services, oldId: string, newId: string): Promise<VersionComparison> {
  const diff = await diffDocuments(services.db, oldId, newId);
  const cite = (n: number) => diff.citations.find((c) => c.n === n);
  const differences: VersionDifference[] = [];
  for (const t of diff.new.themes) {
    const c = cite(t.n);
    differences.push({ summary: `New in this version: ${t.theme}.`, oldQuote: null, newQuote: c?.quote ?? null, oldWhere: null, newWhere: where(c) });
  }
  for (const t of diff.old.themes) {
    const c = cite(t.n);
    differences.push({ summary: `In the old version, not the new one: ${t.theme}.`, oldQuote: c?.quote ?? null, newQuote: null, oldWhere: where(c), newWhere: null });
  }
  if (diff.new.sections.length) differences.push({ summary: `Sections only in the new version: ${diff.new.sections.join('; ')}.`, oldQuote: null, newQuote: null, oldWhere: null, newWhere: null });
  if (diff.old.sections.length) differences.push({ summary: `Sections dropped from the old version: ${diff.old.sections.join('; ')}.`, oldQuote: null, newQuote: null, oldWhere: null, newWhere: null });
  return { oldDoc: { id: diff.old.document.id, title: diff.old.document.title }, newDoc: { id: diff.new.document.id, title: diff.new.document.title }, differences };
}
