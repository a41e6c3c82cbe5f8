/**
 * The cues a thread analysis reads in one message: assent and dissent (with negation), proposals,
 * decisions, questions, requests and commitments. Each is a small grammar of everyday forms
 * rather than a word list: an assent word under negation ("I don't agree") is dissent, an assent
 * in question form ("Agreed?") is a question, and the cue that comes first in a message decides
 * its stance ("Fair point, though ..." is assent with a caveat). Pure; no Slack, no model.
 */

/** Stems with a plural's s dropped: the search stemmer keeps "fees" and "fee" apart, an overlap should not. */
export function looseStems(words: readonly string[]): string[] {
  return words.map((w) => (w.length >= 4 && !/(?:ss|us|is)$/.test(w) ? w.replace(/s$/, '') : w));
}

/** Curly quotes and apostrophes straightened, Slack emoji codes kept, lower case. */
export function normalizeCue(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/👍|✅|✔️?|☑️?/g, ' +1 ')
    .replace(/👎/g, ' -1 ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const NEG = "(?:don't|dont|do not|can't|cant|cannot|can not|won't|wont|will not|wouldn't|would not|doesn't|does not|didn't|did not|am not|i'm not|not)";

/** Dissent: disagreement, negated assent, doubt, rebuttal. */
const DISSENT: RegExp[] = [
  /\b(?:i|we)\s+(?:\w+\s+)?(?:disagree|object|oppose)\b/,
  /^(?:hard|strong(?:ly)?|respectfully|totally|completely|slightly|gotta|have to)?\s*disagree\b/,
  new RegExp(`\\b(?:i|we)\\s+(?:really\\s+|just\\s+|still\\s+)?${NEG}\\s+(?:really\\s+|fully\\s+|entirely\\s+|quite\\s+)?(?:agree|concur|support|buy (?:it|that|this)|accept|see it that way|think (?:so|that'?s (?:right|true|the case)))\\b(?! more)`),
  /\b(?:i'm|i am|we're|we are)\s+not\s+(?:convinced|persuaded|sold|on board|comfortable)\b/,
  /(?:^|[.!;,]\s|\b(?:still|but|honestly)\s)not (?:convinced|persuaded|sold|on board)\b/,
  /\b(?:i'm|i am)\s+not\s+(?:sure|certain)\s+(?:that(?:'s| is)?|this|it(?:'s| is)?|about (?:that|this)|we should|i agree)\b/,
  /^not sure (?:that(?:'s| is)?|this|it(?:'s| is)?|about)\b/,
  /\b(?:i|we)\s+(?:don't|do not)\s+(?:really\s+)?think\b/,
  /\b(?:i'm|i am|we're|we are)\s+(?:against|opposed to|skeptical|sceptical|wary of|uneasy about)\b/,
  /\b(?:i'd|i would|i want to|i have to|let me|i'll)\s+push back\b|\bpushing back on\b/,
  /\b(?:that's|that is|this is|it's|it is)\s+not\s+(?:right|correct|accurate|true|quite right|the case)\b/,
  /\b(?:that|this|it)\s+(?:won't|will not|wouldn't|would not|doesn't|does not)\s+work\b/,
  /\bi\s+still\s+(?:think|believe|prefer|feel)\b/,
  /(?:^|[.!;]\s)even so\b/,
  /\bon the contrary\b|\bi see it differently\b|\bi'd argue the opposite\b/,
  /\b(?:i|we)\s+have\s+(?:some\s+|serious\s+|real\s+|strong\s+)?(?:concerns|reservations|doubts)\b/,
  /\bno(?:body|\s+one)\s+(?:is|was)\s+(?:asking|saying|suggesting|proposing)\b/,
  /\bi\s+(?:doubt|question whether)\b/,
  /\bnot a fan\b|\bi'd rather not\b|\bthat's a stretch\b/,
  /^(?:-1|nope|no)\b(?![-\s]?(?:problem|worries|objection))/,
  /^(?:yeah|yes|well|hmm+|sorry),?\s+no\b/,
  /\b(?:that|this|it)\s+(?:won't|will not|wouldn't|would not)\s+fly\b/,
  /^not (?:quite|really|exactly)\b/,
];

/** Assent that stands anywhere in a message. */
const ASSENT: RegExp[] = [
  /\b(?:i|we)\s+(?:\w+\s+)?(?:agree|concur)\b/,
  /^(?:totally\s+|fully\s+|completely\s+|strongly\s+)?agree(?:d)?\b/,
  /\bagree(?:d)? (?:with|on)\b/,
  /(?:^|\s)\+1\b/,
  /\bsame (?:here|for me|from me|view)\b|^same\b|^ditto\b/,
  /\b(?:i|we)\s+second\b|\bseconded\b|\bseconding\b/,
  /\bcould(?:n't| not) agree more\b/,
  /^(?:that|this|it) works\b|\bthat works for\b/,
  /\b(?:is|are|sounds|seems|looks) (?:fine|ok|okay|good|great|right) (?:for|to|with|by) (?:me|us|[a-z]+)\b/,
  /\b(?:that|this)(?: one)? (?:i|we) can (?:support|accept|live with|get behind)\b/,
  /^(?:100%|this\.?|\^+ ?this|strongly agree|totally|exactly this)(?:[.!]|$)/,
  /\bmakes (?:a lot of |total |good )?sense\b/,
  /\b(?:fair|good|great|valid|excellent) (?:point|call|idea)\b|\bfair enough\b/,
  /\b(?:that's|that is|it's|it is)\s+a\s+(?:real|fair|valid|good)\s+(?:risk|concern|point)\b/,
  /\bsounds? (?:good|right|reasonable|fine|great|like a plan)\b|\bsgtm\b|\blgtm\b/,
  /\b(?:works|fine|ok|okay|good)\s+(?:for|with|by)\s+me\b/,
  /^(?:fine|ok|okay|happy|good) with\b/,
  /\b(?:i|we)\s+can\s+live\s+with\s+(?:that|this|it)\b/,
  /\b(?:i'm|i am|we're|we are)\s+(?:fine|ok|okay|happy|comfortable)\s+with\s+(?:that|this|it|the|option|@)/,
  /\b(?:i'm|i am|we're|we are)\s+(?:on board|aligned|with @)/,
  /\b(?:i'm|i am|we're|we are)\s+with\s+(?!the\b|a\b|an\b|it\b|this\b|that\b)[a-z@][\w.'-]*(?:\s+on\s+(?:this|that|it))?\s*(?:[.!,;]|$)/,
  /\b(?:i|we)\s+(?:can|could)\s+(?:accept|support|get behind|go with|live with)\b/,
  /\b(?:i|we)\s+(?:also\s+|fully\s+|strongly\s+)?support\s+(?:this|that|it|the proposal|the idea|@)/,
  /\b(?:you're|you are|(?:he|she|they)(?:'s|'re| is| are))\s+right\b|@[a-z][\w.'-]*(?:\s+[a-z][\w.'-]*)?\s+is\s+right\b/,
  /\bno objections?(?: from me| here)?\b(?!\s*\?)/,
  /^(?:exactly|absolutely|totally|definitely|indeed|correct|right|true|yes|yep|yeah|yup|sure)\b/,
  /\b(?:good|great) (?:idea|plan)\b|\bi like (?:that|this|it|the idea)\b/,
];

/** Short answers that accept a request addressed to the writer. */
export const ACCEPT_REQUEST = /^(?:will (?:do|check|look|send|get|have|follow|draft|pull|set|ask|take)|on it|can do|sure|yes|yep|ok|okay|got it|done|happy to|absolutely|of course|i'll|i will|i can|no problem|consider it done|roger)\b/;

export interface StanceCue {
  stance: 'assent' | 'dissent';
  /** Where the cue starts in the normalized text: the earliest cue decides. */
  at: number;
  /** "yes", "right", "no", "not quite": at a question these are answers, not stances. */
  weak: boolean;
}

const WEAK = /^(?:exactly|absolutely|totally|definitely|indeed|correct|right|true|yes|yep|yeah|yup|sure|nope|no|not (?:quite|really|exactly))\b/;

function firstMatch(patterns: RegExp[], text: string): number {
  let best = -1;
  for (const re of patterns) {
    const m = re.exec(text);
    if (m && (best < 0 || m.index < best)) best = m.index;
  }
  return best;
}

/** Whether a sentence ends as a question. */
export const isQuestionSentence = (s: string) => /\?["')\]]*\s*$/.test(s.trim());

/** The stance of a message (its sentences that are not questions), or null. */
export function stanceOf(text: string): StanceCue | null {
  const statements = text
    .split(/(?<=[.!?])\s+|\n+/)
    .filter((s) => !isQuestionSentence(s))
    .join(' ');
  const t = normalizeCue(statements);
  if (!t) return null;
  const d = firstMatch(DISSENT, t);
  const a = firstMatch(ASSENT, t);
  if (d < 0 && a < 0) return null;
  const stance = d >= 0 && (a < 0 || d <= a) ? 'dissent' : 'assent';
  const at = stance === 'dissent' ? d : a;
  return { stance, at, weak: WEAK.test(t.slice(at)) && !/^(?:yes|yeah|yep)[,.!]?\s+(?:i|we)\s+agree/.test(t.slice(at)) };
}

/** "agreed on X", "agree with Y that X": the words naming what is agreed, for finding the position by its words. */
export function assentObject(text: string): string | null {
  const t = normalizeCue(text);
  const m = /\bagree(?:d)? (?:on|that|with [^,.;]*? that)\s+(.+?)(?:[.;!]|$)/.exec(t);
  return m ? m[1]! : null;
}

/** A proposal for the group: "I propose", "let's", "how about we", "the proposal:", "we could ... instead". */
const PROPOSAL =
  /\b(?:i|we)(?:'d|\s+would)?\s+(?:propose|suggest|recommend)\b|\b(?:my|the|our)\s+proposal\b|^proposal:|\blet's\b|\blet us\b|\bhow about (?:we|if we)\b|\bwhat if we\b|\bwhy don't we\b|\bshall we\b|\bwe could\b.*\binstead\b|\bi'd (?:go|vote) (?:with|for)\b|\bmy (?:vote|preference) is\b/;

/** An explicit decision: "decided", "we'll go with", "final:", "settled", "let's do". */
const DECISION =
  /\b(?:decided|decision(?: is)?:|final(?: call| decision| answer)?:|settled|we(?:'ll| will| are going to|'re going to)\s+go\s+with|let's\s+go\s+(?:with|ahead)|we(?:'re| are)\s+going\s+with|going with option|(?:^|[.!;]\s)going with\b|let's\s+do\b|we(?:'ll| will)\s+proceed\s+with|approved:|conclusion:|resolved:|the plan is\b|agreed:|it's a go\b|done deal\b|lock (?:that|this|it) in\b|we(?:'re| are) agreed\b|consensus is\b|it's settled\b|(?:^|[.!]\s)decision:)/;
const NOT_DECIDED = /\b(?:not|yet to be|un|haven't|hasn't|nothing(?: is)?|isn't|before we)\s*(?:been\s+)?(?:decided|settled|final)\b/;

/** A proposal asked as a question: "How about we ...?", "Then a short definition in the guidance?" */
const PROPOSAL_QUESTION = /^(?:so |ok(?:ay)?,? |fair\.? )?(?:how about|what if we|why don't we|shall we|should we|could we|can we just|then\b|maybe we|what about (?:we|if we))/;

export function isProposal(text: string): boolean {
  const sentences = text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim());
  const statements = sentences.filter((s) => !isQuestionSentence(s)).join(' ');
  return PROPOSAL.test(normalizeCue(statements)) || sentences.some((s) => isQuestionSentence(s) && PROPOSAL_QUESTION.test(normalizeCue(s)) && !/\b(?:or|whether)\b/.test(normalizeCue(s)));
}

export function isDecision(text: string): boolean {
  const statements = text
    .split(/(?<=[.!?])\s+|\n+/)
    .filter((s) => !isQuestionSentence(s))
    .join(' ');
  const t = normalizeCue(statements);
  return DECISION.test(t) && !NOT_DECIDED.test(t);
}

/** Asks for the group's view ("should we", "what about", "is that right?"): a stance in reply answers it. */
export function asksForView(question: string): boolean {
  return /\b(?:should|shall) (?:we|i|they)\b|\bwhat about\b|\bhow about\b|\bwhat do (?:we|you|people) (?:say|think)\b|\bthoughts\b|\bdo we\b.*\bor\b|\bany (?:objections|concerns|views)\b|\bis (?:that|this|it) (?:right|correct|true|accurate|ok|okay|fair|worth)\b|\bwould it (?:make sense|be)\b|\bagreed\b|\bsound good\b|\bor (?:not|just|should)\b/.test(
    normalizeCue(question),
  );
}

/** Asks the group to choose what to do ("should we ...?", "do we X or Y?"): an answer others accept is a decision. */
export function asksForChoice(question: string): boolean {
  return /\b(?:should|shall) (?:we|i)\b|\b(?:do|are|will) we\b.*\bor\b|\bwhich (?:option|one|approach|way)\b|\bgo with\b/.test(normalizeCue(question));
}

/** A question that only checks a proposal ("Objections?", "Thoughts?", "OK?"): the replies to the proposal answer it. */
export function isProposalCheck(question: string): boolean {
  const t = normalizeCue(question).replace(/[?!.\s]+$/, '');
  return t.split(/\s+/).length <= 4 && /^(?:any )?(?:objections?|thoughts|concerns|ok|okay|agreed|sound good|sounds good|good|right|yes|no|fair|make sense|everyone ok|all good|any views)(?: with (?:this|that))?$/.test(t);
}

/** A reply that says it cannot answer yet: the question stays open. */
export const NON_ANSWER =
  /\b(?:good question|not sure|no idea|don't know|do not know|dunno|unclear|i'll (?:ask|check|find out|look into)|let me (?:ask|check|find out|look)|(?:we|i) (?:should|need to|will have to) (?:check|ask|find out)|need to check|will check|i'll get back|tbd|to be determined)\b/;

/** A request anyone may take: "Can someone draft ...?", "Who can ...?", "Any volunteers?" */
export const OPEN_REQUEST = /\b(?:can|could|would) (?:someone|somebody|anyone|anybody|one of you)\b|\bwho (?:can|could|wants to|will)\b|\bany volunteers\b|\bneed (?:someone|somebody) to\b/;

/** Small talk, greetings, acknowledgements. */
export const SMALL_TALK = /^(?:thanks|thank you|thx|ty|cheers|hi|hello|hey|noted|ok|okay|got it|perfect|great|cool|nice|joining late|sorry)\b/;

/** Words a direct answer often opens with. */
export const ANSWER_OPENER =
  /^(?:yes|yeah|yep|no|nope|not (?:yet|quite|really|that i know)|both|neither|either|only|just|it|its|they|there|that|this|about|around|roughly|approximately|over|under|less|more|because|since|as of|currently|right now|so far|as far as|we|our|the|\d)/;

/** Verbs after "I'll"/"I can" that make no commitment. */
const NOT_A_TASK =
  /^(?:be|admit|say|bet|grant|assume|guess|pass|see|believe|live|agree|disagree|support|accept|get behind|go with|understand|imagine|note|leave it|defer|concede|miss|try not|let you know if|leave that|take that as)\b/;

/** A first-person commitment in a sentence: the task words after "I'll", "I can", "let me", "I'm going to". */
export function commitmentIn(sentence: string): string | null {
  const t = normalizeCue(sentence);
  const taking = /^(?:taking|i'm taking|i am taking|i'll own|i'll take)\s+(?:this|that|it|the\s+[\w\s-]+?)\s+on(?: myself| me)?\b|^(?:taking|i'll take) (?:this|that) one\b|^(?:i've|i have) got (?:this|it)\b|^mine\b/.exec(t);
  if (taking) return t;
  const m = /(?:^|[^a-z'])(?:i'll|i will|i can|i'm going to|i am going to|let me|i'm happy to|happy to|i'll go ahead and|i'll take)\s+(?:also\s+|just\s+|then\s+|now\s+|quickly\s+)?(.+)$/.exec(t);
  if (!m) {
    if (/^(?:i'm|i am) on it\b|^on it\b|^will do\b/.test(t)) return t;
    // Subjectless: "Will check and report back Thursday."
    const bare = /^will\s+(.+)$/.exec(t);
    return bare && !NOT_A_TASK.test(bare[1]!) ? bare[1]! : null;
  }
  const rest = m[1]!;
  if (/^let me know\b/.test(t.slice(m.index).trim()) || /\blet me know\b/.test(t.slice(m.index, m.index + 20))) return null;
  if (NOT_A_TASK.test(rest)) return null;
  if (/^(?:i|we) can't\b/.test(rest)) return null;
  return rest;
}

/** A request in a sentence addressed to someone: "can you", "could you", "please", "X to draft". */
export function requestIn(sentence: string): boolean {
  const t = normalizeCue(sentence);
  return (
    /\b(?:can|could|would|will) you\b(?!\s+(?:believe|imagine|see why))/.test(t) ||
    /(?:^|[,:;—-]\s*|@[\w.' -]+?\s)(?:please|pls|kindly)\s+[a-z]/.test(t) ||
    /\b(?:please|pls)\s+(?:draft|send|share|prepare|pull|check|review|put|write|update|confirm|find|set|reach|ping|circulate|let|look|take|schedule|compile|coordinate|follow|get|add|ask|book)\b/.test(t) ||
    /\byou (?:take|own|handle|draft|lead)\b/.test(t) ||
    /\b(?:action(?: items?)?|owner|assigned(?: to)?|ai|todo)\s*:/.test(t)
  );
}
