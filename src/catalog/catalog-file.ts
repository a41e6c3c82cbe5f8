import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { documentIdsBySource, existingDocumentIds, readCatalogHash, readCatalogRecord, writeCatalogRecord, writeFacts, type FactChange, type FactField, type FactValues } from '../db/catalog.ts';
import type { Db } from '../db/types.ts';
import { checkRelations } from './facts.ts';
import { catalogEntrySchema, catalogFileSchema, factsOf, type CatalogEntry } from './schema.ts';

/**
 * catalog.yml: facts about the documents of a folder that their text does not state.
 *
 *   documents:
 *     - file: 2023-revised-conventional-arms-transfer-policy.txt   # or  id: <document id>
 *       issued: 2023-02            # 2023, 2023-02 or 2023-02-23
 *       status: current            # current | superseded | draft | withdrawn
 *       supersedes: [2018-04-19-us-conventional-arms-transfer-policy]   # document ids or file names
 *       implements: []
 *       title: ...
 *       note: ...
 *
 * A catalog applies whole or not at all: any bad entry and none of its facts are stored.
 */
export const CATALOG_FILE_NAME = 'catalog.yml';

export type CatalogOutcome =
  | { path: string; status: 'applied'; documents: number; changes: number }
  | { path: string; status: 'unchanged'; documents: number }
  | { path: string; status: 'failed'; errors: string[] };

/** catalog.yml files inside the given directories (walked like ingest walks them: no dot folders). Files named explicitly have no catalog. */
export async function findCatalogFiles(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && e.name === CATALOG_FILE_NAME) out.push(full);
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(input);
    if ((await stat(abs).catch(() => null))?.isDirectory()) await walk(abs);
  }
  return [...new Set(out)];
}

export interface ParsedCatalog {
  path: string;
  hash: string;
  entries: Array<{ label: string; entry: CatalogEntry }>;
  errors: string[];
}

function entryLabel(i: number, raw: unknown): string {
  const r = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const name = typeof r.file === 'string' ? `file "${r.file}"` : typeof r.id === 'string' ? `id "${r.id}"` : null;
  return `entry ${i + 1}${name ? ` (${name})` : ''}`;
}

// The YAML parser loads with the first catalog parsed: a command on a ready store parses none.
const require = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;

const catalogHash = (text: string) => createHash('sha256').update(text).digest('hex');

/** Parses and validates a catalog's text; every problem is reported, each naming the file, the entry and the field. */
export function parseCatalog(file: string, text: string, shownAs: string = file): ParsedCatalog {
  const hash = catalogHash(text);
  const errors: string[] = [];
  const entries: ParsedCatalog['entries'] = [];
  yaml ??= require('yaml') as typeof import('yaml');
  const doc = yaml.parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    return { path: file, hash, entries, errors: doc.errors.map((e) => `${shownAs}: not valid YAML: ${e.message.split('\n')[0]}`) };
  }
  const top = catalogFileSchema.safeParse(doc.toJS() ?? {});
  if (!top.success) {
    return {
      path: file,
      hash,
      entries,
      errors: top.error.issues.map((i) => `${shownAs}: ${i.path.map(String).join('.') || '(top level)'}: ${i.message} (expected "documents:" followed by a list of entries)`),
    };
  }
  top.data.documents.forEach((raw, i) => {
    const label = entryLabel(i, raw);
    const parsed = catalogEntrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.map(String).join('.') || (issue.code === 'unrecognized_keys' ? '' : '(entry)');
        const keys = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
        errors.push(`${shownAs}: ${label}: ${field ? `${field}: ` : ''}${keys}`);
      }
      return;
    }
    entries.push({ label, entry: parsed.data });
  });
  return { path: file, hash, entries, errors };
}

export interface ApplyOptions {
  /** How ingest names a file in the store (its `source`). */
  sourceFor(absPath: string): string;
}

type Resolved = Record<string, Record<string, unknown>>;

/**
 * Resolves a parsed catalog against the store (file names to document ids, relations to stored
 * documents) and applies it in one transaction. Only what the catalog changed since it was last
 * applied is written, so a fact a person set with `docs set` survives re-ingesting an unchanged
 * catalog, and an edited catalog wins for the entries it edited.
 */
export async function applyCatalog(db: Db, catalog: ParsedCatalog, options: ApplyOptions): Promise<CatalogOutcome> {
  const shown = options.sourceFor(catalog.path);
  if (catalog.errors.length > 0) return { path: catalog.path, status: 'failed', errors: catalog.errors };
  const dir = path.dirname(catalog.path);
  const errors: string[] = [];
  const fileSources = new Map<string, string>();
  const refFile = (ref: string) => /\.[a-z0-9]{2,5}$/i.test(ref) || ref.includes('/');
  for (const { entry } of catalog.entries) {
    for (const ref of [entry.file, ...(entry.supersedes ?? []), ...(entry.implements ?? [])]) {
      if (ref && refFile(ref)) fileSources.set(ref, options.sourceFor(path.resolve(dir, ref)));
    }
  }
  const bySource = await documentIdsBySource(db, [...new Set(fileSources.values())]);
  // A reference that looks like a file name is a file of this folder when one was ingested, else an id.
  const idOf = (ref: string): string => (fileSources.has(ref) ? (bySource.get(fileSources.get(ref)!) ?? ref) : ref);
  const plainIds = catalog.entries.flatMap(({ entry }) => [entry.id, ...(entry.supersedes ?? []), ...(entry.implements ?? [])]).filter((r): r is string => !!r);
  const known = await existingDocumentIds(db, plainIds);
  for (const id of bySource.values()) known.add(id);

  const resolved: Resolved = {};
  for (const { label, entry } of catalog.entries) {
    const ref = entry.file ?? entry.id!;
    const id = idOf(ref);
    if (!known.has(id)) {
      errors.push(`${shown}: ${label}: ${entry.file ? 'file' : 'id'}: no ingested document ${entry.file ? `from the file "${entry.file}" in ${dir}` : `with the id "${entry.id}"`}`);
      continue;
    }
    if (resolved[id]) {
      errors.push(`${shown}: ${label}: ${entry.file ? 'file' : 'id'}: a second entry for the document "${id}"`);
      continue;
    }
    const facts: FactValues = factsOf(entry);
    for (const field of ['supersedes', 'implements'] as const) {
      if (!facts[field]) continue;
      const ids: string[] = [];
      for (const r of facts[field]!) {
        const target = idOf(r);
        if (!known.has(target)) errors.push(`${shown}: ${label}: ${field}: no ingested document "${r}"`);
        else ids.push(target);
      }
      facts[field] = [...new Set(ids)];
    }
    resolved[id] = facts as Record<string, unknown>;
  }
  // Relations among the catalog's own entries and against the store.
  for (const [id, facts] of Object.entries(resolved)) {
    const label = catalog.entries.find(({ entry }) => idOf(entry.file ?? entry.id!) === id)!.label;
    const problems = (await checkRelations(db, id, facts as FactValues, known)).filter((p) => !/no document/.test(p));
    for (const other of (facts.supersedes as string[] | undefined) ?? []) {
      if (((resolved[other]?.supersedes as string[] | undefined) ?? []).includes(id)) problems.push(`supersedes: "${other}" supersedes "${id}" too`);
    }
    for (const p of problems) errors.push(`${shown}: ${label}: ${p}`);
  }
  if (errors.length > 0) return { path: catalog.path, status: 'failed', errors: [...new Set(errors)] };

  const previous = (await readCatalogRecord(db, shown)) ?? {};
  const changes: FactChange[] = [];
  for (const id of new Set([...Object.keys(previous), ...Object.keys(resolved)])) {
    for (const field of ['title', 'issued', 'status', 'supersedes', 'implements', 'note'] as FactField[]) {
      const before = previous[id]?.[field];
      const after = resolved[id]?.[field];
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      changes.push({ documentId: id, field, value: after as string | string[] | undefined });
    }
  }
  const documents = Object.keys(resolved).length;
  if (changes.length === 0 && Object.keys(previous).length > 0) return { path: catalog.path, status: 'unchanged', documents };
  const written = await db.transaction(async (tx) => {
    const done = await writeFacts(tx, changes, `catalog:${shown}`);
    await writeCatalogRecord(tx, shown, catalog.hash, resolved);
    return done;
  });
  return { path: catalog.path, status: 'applied', documents, changes: written.length };
}

/** Reads, validates and applies one catalog file. */
export async function applyCatalogFile(db: Db, file: string, options: ApplyOptions): Promise<CatalogOutcome> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { path: file, status: 'failed', errors: [`${options.sourceFor(file)}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`] };
  }
  return applyCatalog(db, parseCatalog(file, text, options.sourceFor(file)), options);
}

export function formatCatalogOutcome(o: CatalogOutcome, shown: string = o.path): string {
  if (o.status === 'failed') return `Catalog ${shown} not applied (nothing from it was stored):\n${o.errors.map((e) => `  ${e}`).join('\n')}`;
  if (o.status === 'unchanged') return `Catalog ${shown}: ${o.documents} document(s), unchanged.`;
  return `Catalog ${shown}: ${o.documents} document(s), ${o.changes} fact(s) changed.`;
}

/**
 * Every catalog.yml inside the ingested directories, applied after their documents were ingested.
 * `onlyChanged`: a catalog whose text is the one the store last applied (same hash) is skipped
 * unread by the parser and unresolved against the store; applied again it would change nothing.
 * The first use of a ready store (ensureCorpus) checks the bundled catalog this way.
 */
export async function applyCatalogs(db: Db, inputs: readonly string[], options: ApplyOptions & { onlyChanged?: boolean }): Promise<CatalogOutcome[]> {
  const out: CatalogOutcome[] = [];
  for (const file of await findCatalogFiles(inputs)) {
    if (options.onlyChanged) {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text !== null && (await readCatalogHash(db, options.sourceFor(file))) === catalogHash(text)) continue;
    }
    out.push(await applyCatalogFile(db, file, options));
  }
  return out;
}
