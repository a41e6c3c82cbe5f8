import type { Db, Queryable } from '../db/types.ts';
import { documentFacts, existingDocumentIds, writeFacts, type DocumentFacts, type FactChange, type FactField, type FactValues } from '../db/catalog.ts';
import { AppError } from '../errors.ts';
import { factFieldSchema, factValuesSchema } from './schema.ts';

/**
 * Who or what set a fact, as recorded beside it: `catalog:<path of catalog.yml>`,
 * `cli:<user>` for `policy-desk docs set`, `slack:<user id>` for `/library set`.
 */
export type Actor = string;

function zodMessage(err: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return err.issues.map((i) => `${i.path.map(String).join('.') || '(facts)'}: ${i.message}`).join('; ');
}

/** Checks relations against the store: the documents exist, a document does not supersede itself or what supersedes it. */
export async function checkRelations(db: Queryable, id: string, facts: FactValues, known?: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  const refs = [...(facts.supersedes ?? []), ...(facts.implements ?? [])];
  const existing = known ?? (await existingDocumentIds(db, refs));
  for (const field of ['supersedes', 'implements'] as const) {
    for (const ref of facts[field] ?? []) {
      if (ref === id) problems.push(`${field}: a document cannot ${field === 'supersedes' ? 'supersede' : 'implement'} itself`);
      else if (!existing.has(ref)) problems.push(`${field}: no document "${ref}" (see \`policy-desk docs\`)`);
    }
  }
  if (facts.supersedes?.length) {
    const others = await documentFacts(db, facts.supersedes);
    for (const ref of facts.supersedes) {
      if (others.get(ref)?.supersedes.includes(id)) problems.push(`supersedes: "${ref}" already supersedes "${id}"; a document cannot supersede what supersedes it`);
    }
  }
  return problems;
}

/**
 * Sets facts of one document (the service behind `docs set` and Slack's `/library set` and
 * `/library retire`). Validated, checked against the store, written with their history in one
 * transaction: all of them or none. Returns the document as it now reads.
 */
export async function setDocumentFacts(db: Db, id: string, facts: unknown, actor: Actor): Promise<DocumentFacts> {
  const parsed = factValuesSchema.safeParse(facts);
  if (!parsed.success) throw new AppError('input.invalid', `Cannot set facts of "${id}": ${zodMessage(parsed.error)}`);
  const values = parsed.data;
  if (Object.keys(values).length === 0) throw new AppError('input.invalid', `Nothing to set for "${id}": give at least one fact (e.g. --issued 2023-02)`);
  return db.transaction(async (tx) => {
    if (!(await existingDocumentIds(tx, [id])).has(id)) throw new AppError('input.invalid', `No document "${id}" (see \`policy-desk docs\`)`);
    const problems = await checkRelations(tx, id, values);
    if (problems.length > 0) throw new AppError('input.invalid', `Cannot set facts of "${id}": ${problems.join('; ')}`);
    const changes: FactChange[] = (Object.entries(values) as Array<[FactField, string | string[]]>).map(([field, value]) => ({
      documentId: id,
      field,
      value: Array.isArray(value) ? [...new Set(value)] : value,
    }));
    await writeFacts(tx, changes, actor);
    return (await documentFacts(tx, [id])).get(id)!;
  });
}

/** Removes one fact (the history keeps it). Unsetting a fact that is not set changes nothing. */
export async function unsetDocumentFact(db: Db, id: string, field: unknown, actor: Actor): Promise<DocumentFacts> {
  const f = factFieldSchema.safeParse(field);
  if (!f.success) throw new AppError('input.invalid', `Cannot unset "${String(field)}": ${f.error.issues[0]?.message}`);
  return db.transaction(async (tx) => {
    if (!(await existingDocumentIds(tx, [id])).has(id)) throw new AppError('input.invalid', `No document "${id}" (see \`policy-desk docs\`)`);
    await writeFacts(tx, [{ documentId: id, field: f.data, value: undefined }], actor);
    return (await documentFacts(tx, [id])).get(id)!;
  });
}
