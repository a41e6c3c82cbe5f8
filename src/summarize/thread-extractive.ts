import { analysisSections } from './sections.ts';
import { groundPoint, type RawPoint } from './ground.ts';
import { groupByKeywords, keywordLabel, mentionsKeywords, sentencesOf, sumBasic, SurfaceForms, tokenize, wordProbabilities, type SentenceUnit } from './lexical.ts';
import { baseSummary, type Prepared } from './thread-prepare.ts';
import type { Summary, SummaryPoint, Theme } from './types.ts';

/**
 * Extractive thread summaries (no model): the overview and positions by sentence selection
 * (SumBasic), themes by shared keywords, and the sections a reviewer acts on (agreements,
 * disagreements, decisions, action items, questions) from the thread analysis (sections.ts).
 */

/** "We support ...", "our concern is ...": sentences that state where someone stands. */
const STANCE = /\b(?:we|i)\s+(?:strongly\s+|would\s+|do\s+not\s+|don'?t\s+|cannot\s+|can'?t\s+)?(?:support|oppose|recommend|urge|propose|prefer|object|favou?r|endorse|agree|disagree|believe|request|suggest|want|need)\b|\bour\s+(?:position|view|concern|recommendation|members|priority)\b|\b(?:concern(?:ed)?|important|critical|essential|must|should)\b/i;

const SMALL_TALK = /^(?:thanks|thank you|hi|hello|hey|noted|ok|okay|sounds good|joining late)\b/i;

type ThreadSentence = SentenceUnit & { author: string };

/** Words of participants' names: they say who spoke, not what about. */
function nameWords(p: Prepared): Set<string> {
  const out = new Set<string>();
  for (const m of p.kept) for (const w of m.userName.toLowerCase().split(/[^a-z0-9]+/)) if (w.length > 1) out.add(w);
  return out;
}

function threadSentences(p: Prepared, names: ReadonlySet<string>): ThreadSentence[] {
  return p.kept.flatMap((m, i) => sentencesOf(m.text, i, names).map((s) => ({ ...s, author: m.userName })));
}

function pointOf(p: Prepared, s: { text: string; source: number }, extra: { owner?: string } = {}): SummaryPoint | null {
  const doc = p.docs[s.source]!;
  const raw: RawPoint = { text: s.text, sources: [doc.key], quotes: [{ source: doc.key, quote: s.text }], ...extra };
  return groundPoint(raw, p.index, []);
}

const inOrder = <T extends { source: number; position: number }>(xs: T[]) => [...xs].sort((a, b) => a.source - b.source || a.position - b.position);
const isQuestion = (s: { text: string }) => /\?["')\]]*$/.test(s.text);

export function extractiveThread(p: Prepared, shareable: boolean): Summary {
  const s = baseSummary(p, 'extractive', shareable);
  const names = nameWords(p);
  const sentences = threadSentences(p, names);
  const probabilities = wordProbabilities(sentences.map((x) => x.stems));
  const n = p.kept.length;
  const points = (xs: ThreadSentence[], owner?: (x: ThreadSentence) => string | undefined) =>
    xs.map((x) => pointOf(p, x, owner?.(x) ? { owner: owner(x)! } : {})).filter((x): x is SummaryPoint => x !== null);

  const overviewCount = n < 10 ? 2 : n < 60 ? 3 : 5;
  s.overview = points(inOrder(sumBasic(sentences, overviewCount, { probabilities, distinct: true, boost: (x) => (isQuestion(x) ? 0.4 : 1) })));

  // Positions: the most active participants first, each with what they most clearly argued.
  const byAuthor = new Map<string, ThreadSentence[]>();
  for (const x of sentences) byAuthor.set(x.author, [...(byAuthor.get(x.author) ?? []), x]);
  const activity = new Map<string, number>();
  for (const m of p.kept) activity.set(m.userName, (activity.get(m.userName) ?? 0) + 1);
  const authors = [...byAuthor.keys()].sort((a, b) => activity.get(b)! - activity.get(a)! || a.localeCompare(b)).slice(0, 10);
  for (const author of authors) {
    const chosen = sumBasic(byAuthor.get(author)!, 2, {
      probabilities,
      distinct: true,
      boost: (x) => (isQuestion(x) || SMALL_TALK.test(x.text) ? 0.3 : STANCE.test(x.text) ? 1.6 : 1),
    });
    const ps = points(inOrder(chosen));
    if (ps.length === 0) continue;
    const org = p.kept.find((m) => m.userName === author)?.organization;
    s.positions.push({ participant: author, ...(org ? { organization: org } : {}), points: ps });
  }

  Object.assign(s, analysisSections(p));
  s.themes = extractiveThemes(p);
  return s;
}

/** Topics of the thread: messages grouped by shared keywords, each with its most central sentences as quotes. */
export function extractiveThemes(p: Prepared): Theme[] {
  const n = p.kept.length;
  if (n < 20) return [];
  const names = nameWords(p);
  const surfaces = new SurfaceForms();
  const tokens = p.kept.map((m) => {
    const t = tokenize(m.text, names);
    surfaces.add(t);
    return t.map((x) => x.stem);
  });
  const { groups } = groupByKeywords(tokens, { maxGroups: 5, minSize: Math.max(2, Math.ceil(n * 0.05)) });
  return groups.map((g) => {
    const label = keywordLabel(g.keywords, surfaces);
    const central = g.members.slice(0, 12);
    const candidates = central
      .flatMap((i) => sentencesOf(p.kept[i]!.text, i, names))
      .filter((x) => x.stems.length >= 4 && !isQuestion(x) && mentionsKeywords(x.stems, g.keywords));
    const best = candidates
      .map((x) => ({ x, score: g.score(x.stems) * (x.text.length > 300 ? 0.6 : 1) }))
      .sort((a, b) => b.score - a.score || a.x.source - b.x.source || a.x.position - b.x.position);
    const quotes = [];
    const used = new Set<number>();
    const said = new Set<string>();
    for (const { x } of best) {
      if (quotes.length >= 2) break;
      // The same words from two people are one quote.
      if (used.has(x.source) || said.has(x.text.toLowerCase())) continue;
      const point = pointOf(p, x);
      if (!point || point.quotes.length === 0) continue;
      used.add(x.source);
      said.add(x.text.toLowerCase());
      quotes.push(point.quotes[0]!);
    }
    const byOrganization: Record<string, number> = {};
    for (const i of g.members) {
      const org = p.kept[i]!.organization ?? 'unknown';
      byOrganization[org] = (byOrganization[org] ?? 0) + 1;
    }
    return {
      title: label,
      summary: `${g.members.length} messages about ${keywordLabel(g.keywords, surfaces, 5)}.`,
      count: g.members.length,
      total: g.members.length,
      byOrganizationType: {},
      byTopic: {},
      byOrganization,
      quotes,
      sources: central.slice(0, 8).map((i) => p.docs[i]!.ref),
      campaigns: [],
    } satisfies Theme;
  });
}
