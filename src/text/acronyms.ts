/**
 * Acronyms and their expansions as a text defines them: "Defense Technology Security Agency
 * (DTSA)" (long, then short in parentheses), "NSPM (National Security Presidential Memorandum)"
 * (short, then long), and slashed office symbols such as "Office of Conventional Arms Threat
 * Reduction (ISN/CATR)", whose last part is the office's own initials.
 *
 * The match is Schwartz and Hearst's (A simple algorithm for identifying abbreviation
 * definitions in biomedical text, PSB 2003): every character of the short form, right to left,
 * is found in the long form in order, the first one at the start of a word, and the long form
 * has at most min(|S| + 5, 2|S|) words. Nothing is looked up: a pair is only what the text says.
 */
export interface AcronymDefinition {
  /** As the text writes it: "DTSA", "ISN/CATR", "UAS". */
  short: string;
  /** The expansion as written: "Defense Technology Security Agency". */
  long: string;
}

const FUNCTION_WORDS = new Set(['of', 'and', 'the', 'for', 'in', 'on', 'to', 'a', 'an', 'at', 'by']);

const SHORT_FORM = /^[A-Za-z][A-Za-z0-9./&-]{0,14}$/;

/** Whether a parenthesised string looks like a short form: 2-10 letters, some capital, no spaces. */
export function looksLikeShortForm(s: string): boolean {
  if (!SHORT_FORM.test(s)) return false;
  const letters = s.replace(/[^A-Za-z]/g, '');
  if (letters.length < 2 || letters.length > 10) return false;
  const caps = s.replace(/[^A-Z]/g, '').length;
  return caps >= 2 || (caps >= 1 && letters.length <= 3);
}

/** Normalised key of a short form: "U.A.S." / "UAS" / "UASs" → "uas"; "ISN/CATR" stays "isn/catr". */
export function acronymKey(short: string): string {
  const s = short.replace(/\./g, '');
  // A plural written on an acronym ("UAVs", "UASs") is the acronym.
  const unplural = /^[A-Z0-9/&-]{2,}s$/.test(s) ? s.slice(0, -1) : s;
  return unplural.toLowerCase();
}

/**
 * The shortest long form ending at the end of `before` that the short form's characters spell
 * (Schwartz-Hearst), or null.
 */
export function bestLongForm(short: string, before: string): string | null {
  const s = short.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (s.length < 2) return null;
  const words = before.trimEnd().split(/\s+/).filter(Boolean);
  const maxWords = Math.min(s.length + 5, s.length * 2);
  const candidate = words.slice(-maxWords).join(' ');
  const l = candidate.toLowerCase();
  let si = s.length - 1;
  let li = l.length - 1;
  while (si >= 0) {
    const c = s[si]!;
    // Skip characters that cannot match; the first short-form character must start a word.
    while (li >= 0 && (l[li] !== c || (si === 0 && li > 0 && /[a-z0-9]/.test(l[li - 1]!)))) li--;
    if (li < 0) return null;
    li--;
    si--;
  }
  let start = l.lastIndexOf(' ', li) + 1;
  // "Office of Widget Export Review (OWER)": an O that matched "of" belongs to the word before.
  const firstWord = l.slice(start).split(' ')[0]!;
  if (FUNCTION_WORDS.has(firstWord) && start > 1) {
    const prevStart = l.lastIndexOf(' ', start - 2) + 1;
    if (l[prevStart] === firstWord[0]) start = prevStart;
  }
  let long = candidate.slice(start).replace(/^[^A-Za-z0-9]+/, '').replace(/[,;:]+$/, '');
  // "Department of Defense/Defense Technology Security Agency (DTSA)": the name starts after the slash.
  const first = long.split(' ')[0]!;
  const slash = first.lastIndexOf('/');
  if (slash !== -1 && first[slash + 1]?.toLowerCase() === s[0]) long = long.slice(slash + 1);
  if (long.length <= short.length) return null;
  if (long.toLowerCase().replace(/[^a-z0-9]/g, '') === s) return null;
  return long;
}

/** The parts of a slashed office symbol worth trying, whole first: "ISN/CATR" → "ISN/CATR", "CATR". */
function shortVariants(short: string): string[] {
  const parts = short.split('/').filter(Boolean);
  return parts.length > 1 ? [short, parts[parts.length - 1]!] : [short];
}

/** Count of capitalised words: a long form in parentheses is a name ("National Security ..."), not a remark. */
function capitalisedShare(s: string): number {
  const words = s.split(/\s+/).filter((w) => /^[A-Za-z]/.test(w) && !/^(?:of|and|the|for|to|in|on|a|an)$/i.test(w));
  if (words.length === 0) return 0;
  return words.filter((w) => /^[A-Z]/.test(w)).length / words.length;
}

export function mineAcronyms(text: string): AcronymDefinition[] {
  const out = new Map<string, AcronymDefinition>();
  const add = (short: string, long: string) => {
    const clean = long.replace(/\s+/g, ' ').trim();
    const key = `${acronymKey(short)}\u0000${clean.toLowerCase()}`;
    if (!out.has(key)) out.set(key, { short, long: clean });
  };
  // Only within a line: a definition does not span paragraphs.
  for (const line of text.split(/\n/)) {
    for (const m of line.matchAll(/\(([^()]{1,120})\)/g)) {
      const inner = m[1]!.trim();
      const before = line.slice(0, m.index);
      if (looksLikeShortForm(inner)) {
        for (const v of shortVariants(inner)) {
          const long = bestLongForm(v, before);
          if (long) {
            add(inner, long);
            if (v !== inner) add(v, long);
            break;
          }
        }
        continue;
      }
      // Short, then long: "NSPM (National Security Presidential Memorandum)".
      const prev = /([A-Za-z][A-Za-z0-9./&-]*)\s*$/.exec(before)?.[1];
      if (prev && looksLikeShortForm(prev) && /\s/.test(inner) && capitalisedShare(inner) >= 0.5) {
        for (const v of shortVariants(prev)) {
          const long = bestLongForm(v, inner);
          if (long && inner.toLowerCase().startsWith(long.toLowerCase().slice(0, 1))) {
            add(prev, inner);
            break;
          }
        }
      }
    }
  }
  return [...out.values()];
}
