import { z } from 'zod';
import { DOCUMENT_STATUSES, type FactField, type FactValues } from '../db/catalog.ts';

/** A date that may be partial: 2023, 2023-02 or 2023-02-23, and a real one (no 2023-02-30). */
export function isPartialDate(s: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s);
  if (!m) return false;
  const [, y, mo, d] = m;
  if (mo === undefined) return true;
  const month = Number(mo);
  if (month < 1 || month > 12) return false;
  if (d === undefined) return true;
  const date = new Date(Date.UTC(Number(y), month - 1, Number(d)));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === Number(d);
}

/** YAML reads `issued: 2023` as a number; it means the year. */
export const partialDateSchema = z.preprocess(
  (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z.string().trim().refine(isPartialDate, { message: 'expected a date as YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2023-02)' }),
);

const idList = z.preprocess(
  (v) => (typeof v === 'string' ? [v] : v),
  z.array(z.string().trim().min(1, 'a document id or file name cannot be empty')).max(100),
);

/** The facts of one entry; every field optional, nothing else allowed (a typo is an error, not ignored). */
export const factValuesSchema = z
  .object({
    title: z.string().trim().min(1).max(500).optional(),
    issued: partialDateSchema.optional(),
    status: z.enum(DOCUMENT_STATUSES, { message: `expected one of ${DOCUMENT_STATUSES.join(', ')}` }).optional(),
    supersedes: idList.optional(),
    implements: idList.optional(),
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .strict();

export const catalogEntrySchema = factValuesSchema
  .extend({
    file: z.string().trim().min(1).optional(),
    id: z.string().trim().min(1).optional(),
  })
  .strict()
  .refine((e) => (e.file === undefined) !== (e.id === undefined), { message: 'give exactly one of "file" (a file name in this folder) or "id" (a document id)', path: ['file'] });
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

export const catalogFileSchema = z
  .object({ documents: z.array(z.unknown()).max(10_000) })
  .strict();

/** The fields a command can unset. */
export const factFieldSchema = z.enum(['title', 'issued', 'status', 'supersedes', 'implements', 'note'] as const satisfies readonly FactField[], {
  message: 'expected one of title, issued, status, supersedes, implements, note',
});

export function factsOf(entry: CatalogEntry): FactValues {
  const { file: _f, id: _i, ...facts } = entry;
  return facts;
}
