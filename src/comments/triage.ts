import type { CommentTopic } from '../config.ts';
import { contentTokens } from '../search/tokens.ts';
import { PERSONAL_DATA_KINDS, type PersonalDataKind } from './schema.ts';
import { emailPattern } from '../text/email.ts';

/**
 * Triage help: a suggested topic and a personal-data flag. Both are stored in their own columns
 * (suggested_topic, personal_data) and shown as suggestions; they never replace what the
 * submitter chose.
 */

export interface TopicSuggestion {
  /** A configured topic slug. */
  topic: string;
  /** 0..1: how clearly this topic beat the others. */
  score: number;
  /** What produced it, e.g. "keywords" or "llm:gpt-4o-mini"; shown next to the suggestion. */
  method: string;
}

export interface TopicSuggestionInput {
  title: string | null;
  text: string;
  /** Extracted attachment text (may be long; suggesters may read only the start). */
  attachmentText: string;
  topics: readonly CommentTopic[];
}

/**
 * A topic suggester. The keyword suggester below is the offline default and runs inside
 * `submitComment`; an LLM suggester (another module) implements the same interface and is
 * applied after the receipt with `applyTopicSuggestion` from queue.ts. Return null for "no idea";
 * a suggestion naming an unconfigured topic is discarded.
 */
export interface TopicSuggester {
  readonly name: string;
  suggest(input: TopicSuggestionInput): Promise<TopicSuggestion | null>;
}

/**
 * Vocabulary for the default topics (the 2023 CAT policy's lines of effort and the office's other
 * areas). A configured topic without an entry here is matched by the words of its label.
 */
const TOPIC_KEYWORDS: Record<string, string[]> = {
  'prioritizing-strategic-competition': [
    'strategic competition', 'competitor', 'adversary', 'china', 'prc', 'russia', 'great power', 'deterrence',
    'indo-pacific', 'taiwan', 'ukraine', 'alliance', 'ally', 'partner capacity', 'interoperability', 'security cooperation',
    'integrated deterrence', 'national security', 'defense partner',
  ],
  'organizing-for-success': [
    'process', 'timeline', 'delay', 'backlog', 'bureaucracy', 'interagency', 'reform', 'staffing', 'efficiency',
    'congressional notification', 'tiered review', 'foreign military sales', 'fms', 'direct commercial sales', 'dcs',
    'letter of offer', 'case processing', 'transparency', 'predictability', 'speed', 'faster',
  ],
  'creating-conducive-environments': [
    'industrial base', 'defense industrial base', 'financing', 'foreign military financing', 'fmf', 'competitiveness',
    'co-production', 'coproduction', 'offset', 'market', 'supply chain', 'investment', 'export financing', 'industry',
    'manufacturer', 'jobs', 'innovation', 'small business',
  ],
  'human-rights-and-ihl': [
    'human rights', 'international humanitarian law', 'ihl', 'civilian', 'civilian harm', 'atrocity', 'genocide',
    'war crimes', 'leahy', 'abuse', 'accountability', 'end-use monitoring', 'humanitarian', 'violation', 'torture',
    'unlawful', 'children', 'gender-based violence', 'more likely than not',
  ],
  'export-controls-and-itar': [
    'itar', 'usml', 'export control', 'export controls', 'ear', 'ddtc', 'license', 'licensing', 'deemed export',
    'technical data', 'registration', 'commodity jurisdiction', 'ccl', 'bis', 'reexport', 'retransfer', 'brokering',
    'exemption', 'compliance', 'munitions list',
  ],
  'mtcr-and-uas': [
    'mtcr', 'missile technology control regime', 'uas', 'uav', 'unmanned', 'drone', 'category i', 'cruise missile',
    'strong presumption of denial', 'remotely piloted', 'ballistic missile', 'rocket', 'missile',
  ],
};

function phraseTokens(phrase: string): string[] {
  return contentTokens(phrase);
}

/** Counts each keyword phrase in the token stream; a phrase of k words weighs k (specific beats generic). */
function keywordScore(tokens: string[], phrases: string[][]): number {
  let score = 0;
  for (const phrase of phrases) {
    if (phrase.length === 0) continue;
    let hits = 0;
    for (let i = 0; i + phrase.length <= tokens.length; i++) {
      let match = true;
      for (let j = 0; j < phrase.length; j++) {
        if (tokens[i + j] !== phrase[j]) {
          match = false;
          break;
        }
      }
      if (match) hits++;
    }
    // Sublinear: a letter repeating "ITAR" twenty times is not twenty times more about ITAR.
    if (hits > 0) score += phrase.length * (1 + Math.log(hits));
  }
  return score;
}

/** How much attachment text the keyword suggester reads: the start of a letter says what it is about. */
const ATTACHMENT_CHARS_READ = 20_000;

/**
 * The nearest configured topic by keyword overlap (extractive mode). A topic slugged "other"
 * is the answer when nothing matches; without one, null.
 */
export function suggestTopicByKeywords(input: TopicSuggestionInput): TopicSuggestion | null {
  const tokens = contentTokens(
    [input.title ?? '', input.text, input.attachmentText.slice(0, ATTACHMENT_CHARS_READ)].join('\n'),
  );
  const scored = input.topics
    .filter((t) => t.slug !== 'other')
    .map((t) => {
      const phrases = (TOPIC_KEYWORDS[t.slug] ?? [t.label]).map(phraseTokens);
      // The label's own words count as well, so a renamed or added topic still draws matches.
      phrases.push(phraseTokens(t.label));
      return { topic: t.slug, score: keywordScore(tokens, phrases) };
    })
    .sort((a, b) => b.score - a.score || a.topic.localeCompare(b.topic));
  const best = scored[0];
  const total = scored.reduce((s, x) => s + x.score, 0);
  if (!best || best.score < 2) {
    const other = input.topics.find((t) => t.slug === 'other');
    return other ? { topic: other.slug, score: 0, method: 'keywords' } : null;
  }
  return { topic: best.topic, score: Math.round((best.score / (total + 1)) * 1000) / 1000, method: 'keywords' };
}

export const keywordTopicSuggester: TopicSuggester = {
  name: 'keywords',
  suggest: async (input) => suggestTopicByKeywords(input),
};

const PERSONAL_DATA_PATTERNS: Record<PersonalDataKind, RegExp> = {
  email: emailPattern(),
  // North American numbers (the shape log redaction masks) and international numbers written with "+".
  phone: /(?<![\d-])(?:(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}|\(\d{3}\)\s?\d{3}[ .-]?\d{4}|\+\d{1,3}[ .-]?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,4})(?![\d-])/,
  // A house number, one to four capitalised words and a street suffix; or a P.O. box.
  street_address:
    /\b\d{1,6}\s+(?:[A-Z][A-Za-z0-9.'-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq)\b|\bP\.?\s?O\.?\s+Box\s+\d+/,
  ssn: /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/,
};

/** Kinds of personal data in the texts, in a fixed order; empty when none is found. */
export function detectPersonalData(...texts: Array<string | null | undefined>): PersonalDataKind[] {
  const found = new Set<PersonalDataKind>();
  for (const text of texts) {
    if (!text) continue;
    for (const kind of PERSONAL_DATA_KINDS) {
      if (!found.has(kind) && PERSONAL_DATA_PATTERNS[kind].test(text)) found.add(kind);
    }
  }
  return PERSONAL_DATA_KINDS.filter((k) => found.has(k));
}

export const PERSONAL_DATA_LABELS: Record<PersonalDataKind, string> = {
  email: 'e-mail address',
  phone: 'phone number',
  street_address: 'street address',
  ssn: 'SSN-like number',
};
