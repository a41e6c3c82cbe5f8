import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { AppError } from '../errors.ts';
import { ORGANIZATION_TYPES, type OrganizationType } from './schema.ts';

/**
 * Real exports label their submitters in their own words ("Constituent", "School", "Manufacturer/food
 * industry", "Other government agency - (non school)"). The label is always kept
 * (`organizationLabel`); the queue's category is its mapping through this table:
 *
 * 1. the configured entries (COMMENT_ORGANIZATION_LABELS, COMMENT_ORGANIZATION_LABELS_FILE), matched
 *    on the whole label, case and spacing ignored;
 * 2. one of the six types by name or label ("NGO", "Individual"), and regulations.gov's submitter types;
 * 3. the default keywords below, the first rule with a word that starts a word of the label;
 * 4. otherwise `other`, reported as unknown (once per label, by the import summary).
 */
export interface LabelMapping {
  type: OrganizationType;
  /** How it was decided: the configured table, the type's own name, a default keyword, or nothing (unknown). */
  by: 'table' | 'name' | 'keyword' | 'unknown';
}

export type LabelTable = ReadonlyMap<string, OrganizationType>;

/** In order: the first rule with a matching word wins ("trade association" is industry before "association" could be anything). */
const DEFAULT_RULES: ReadonlyArray<readonly [OrganizationType, readonly string[]]> = [
  ['industry', ['trade association', 'company', 'companies', 'manufactur', 'industr', 'business', 'corporat', 'firm', 'private industry', 'retail', 'vendor', 'producer', 'processor', 'grower', 'farm', 'restaurant', 'food service company']],
  ['academia', ['universit', 'college', 'academ', 'research', 'scientist', 'professor', 'scholar', 'faculty']],
  ['government', ['school', 'agency', 'agencies', 'government', 'federal', 'state', 'local', 'municipal', 'county', 'city', 'tribal', 'tribe', 'district', 'department', 'legislat', 'congress', 'elected', 'official']],
  ['ngo', ['advoca', 'non-profit', 'nonprofit', 'not-for-profit', 'non profit', 'ngo', 'non-governmental', 'nongovernmental', 'charit', 'foundation', 'coalition', 'association', 'organization', 'professional association', 'union', 'faith', 'church', 'community group']],
  ['individual', ['constituent', 'individual', 'citizen', 'resident', 'parent', 'anonymous', 'private citizen', 'consumer', 'student', 'person', 'member of the public', 'self']],
];

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

const TYPE_NAMES: ReadonlyMap<string, OrganizationType> = new Map<string, OrganizationType>([
  ...ORGANIZATION_TYPES.map((t) => [t, t] as const),
  ['non-governmental organization', 'ngo'],
  ['organization', 'other'],
]);

function keywordType(label: string): OrganizationType | null {
  const words = label.split(/[^a-z0-9-]+/).filter(Boolean);
  const text = ` ${words.join(' ')} `;
  for (const [type, keys] of DEFAULT_RULES) {
    for (const k of keys) {
      // A keyword matches at the start of a word: "manufactur" in "manufacturer", "state" not in "estate".
      if (k.includes(' ') ? text.includes(` ${k}`) : words.some((w) => w.startsWith(k))) return type;
    }
  }
  return null;
}

export function mapOrganizationLabel(label: string, table: LabelTable = new Map()): LabelMapping {
  const l = norm(label);
  const configured = table.get(l);
  if (configured) return { type: configured, by: 'table' };
  const named = TYPE_NAMES.get(l);
  if (named && l !== 'organization') return { type: named, by: 'name' };
  const byWord = keywordType(l.replace(/\(non[- ]?school\)/g, ''));
  if (byWord) return { type: byWord, by: 'keyword' };
  return { type: 'other', by: 'unknown' };
}

function asType(value: string, where: string): OrganizationType {
  const v = norm(value);
  if ((ORGANIZATION_TYPES as readonly string[]).includes(v)) return v as OrganizationType;
  throw new AppError('config.invalid', `${where}: "${value}" is not an organization type; expected one of ${ORGANIZATION_TYPES.join(', ')}.`);
}

/**
 * The configured table: inline entries "Label=type" separated by ";" or new lines, and a file of
 * "label,type" rows (CSV, a header row "label,type" optional) or a JSON object {"Label": "type"}.
 */
export function loadLabelTable(inline: string | undefined, file: string | undefined): Map<string, OrganizationType> {
  const table = new Map<string, OrganizationType>();
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AppError('config.invalid', `COMMENT_ORGANIZATION_LABELS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`);
    }
    if (/^\s*\{/.test(text)) {
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch {
        throw new AppError('config.invalid', `COMMENT_ORGANIZATION_LABELS_FILE: ${file} is not valid JSON.`);
      }
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) table.set(norm(k), asType(String(v), file));
    } else {
      const rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, bom: true, trim: true }) as string[][];
      for (const [i, row] of rows.entries()) {
        if (i === 0 && norm(row[0] ?? '') === 'label') continue;
        if (row.length < 2) throw new AppError('config.invalid', `${file} line ${i + 1}: expected "label,type".`);
        table.set(norm(row[0]!), asType(row[1]!, `${file} line ${i + 1}`));
      }
    }
  }
  for (const entry of (inline ?? '').split(/[;\n]/)) {
    if (!entry.trim()) continue;
    const at = entry.lastIndexOf('=');
    if (at <= 0) throw new AppError('config.invalid', `COMMENT_ORGANIZATION_LABELS: "${entry.trim()}" should be "Label=type".`);
    table.set(norm(entry.slice(0, at)), asType(entry.slice(at + 1), 'COMMENT_ORGANIZATION_LABELS'));
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// Without a label: guessed from what the row or message says (an organization's name, an e-mail domain)

export const WEBMAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'aol.com',
  'icloud.com', 'me.com', 'mac.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'web.de', 'mail.com', 'yandex.ru',
  'zoho.com', 'fastmail.com', 'comcast.net', 'verizon.net', 'att.net',
]);

const ORG_WORDS: Array<[RegExp, OrganizationType]> = [
  [/\b(?:University|College|School of|Academy|Polytechnic|Research Institute)\b/i, 'academia'],
  [/\b(?:Ministry|Department of|Embassy|Mission of|Government of|Agency|Parliament|Congress(?:ional)?|Senate|Office of)\b/i, 'government'],
  [/\b(?:Foundation|Coalition|Watch|Amnesty|Oxfam|Society|Alliance|Campaign|Committee|Network|Council|Association|Federation|Forum|Initiative|Project|Center|Centre|Institute|Union|International)\b/i, 'ngo'],
  [/\b(?:Inc|Incorporated|LLC|L\.L\.C|Corp|Corporation|Company|Co|Ltd|Limited|GmbH|PLC|AG|S\.A|Group|Industries|Technologies|Systems|Aerospace|Defense|Defence|Holdings|Partners|Consulting)\b\.?/i, 'industry'],
];

export function orgTypeFromName(name: string): OrganizationType | null {
  for (const [re, type] of ORG_WORDS) if (re.test(name)) return type;
  return null;
}

function orgTypeFromDomain(domain: string): OrganizationType | null {
  const d = domain.toLowerCase();
  if (WEBMAIL.has(d)) return 'individual';
  if (/\.(?:gov|mil)$|\.gov\.[a-z]{2}$|\.gc\.ca$|\.gouv\.[a-z]{2}$|\.gob\.[a-z]{2}$|\.europa\.eu$/.test(d)) return 'government';
  if (/\.edu$|\.edu\.[a-z]{2}$|\.ac\.[a-z]{2}$/.test(d)) return 'academia';
  if (/\.(?:org|ngo)$|\.org\.[a-z]{2}$/.test(d)) return 'ngo';
  if (/\.(?:com|co|net|biz)$|\.co\.[a-z]{2}$|\.com\.[a-z]{2}$/.test(d)) return 'industry';
  return null;
}

/** Best guess at the organization type from what a row or message says; `other` when nothing says. */
export function guessOrganizationType(organization: string | null | undefined, emailAddress?: string | null): OrganizationType {
  const fromName = organization ? orgTypeFromName(organization) : null;
  if (fromName) return fromName;
  const domain = emailAddress?.split('@')[1];
  const fromDomain = domain ? orgTypeFromDomain(domain) : null;
  // A web-mail sender naming an organization is writing for it, not as an individual.
  if (fromDomain === 'individual' && organization) return 'other';
  return fromDomain ?? (organization ? 'other' : 'individual');
}
