/** English function words that carry no topic; shared by the hashing embedder and answer scoring. */
export const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him himself his ' +
    'how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out ' +
    'over own same she should so some such than that the their theirs them themselves then there these they this those through to too ' +
    'under until up very was we were what when where which while who whom why will with would you your yours yourself yourselves ' +
    'tell say says said please show give find know want need explain describe'
  ).split(' '),
);

/** A light suffix stripper: enough to meet "transfers"/"transfer", "exporting"/"export". */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith('ies') && word.length > 5) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 6) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 5 && !word.endsWith('eed')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}

/** Lower-cased content words, stemmed, in order. */
export function contentTokens(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().normalize('NFKD').match(/[a-z0-9]+(?:[-/][a-z0-9]+)*/g) ?? []) {
    for (const part of raw.split(/[-/]/)) {
      if (part.length < 2 && !/\d/.test(part)) continue;
      if (STOPWORDS.has(part)) continue;
      out.push(stem(part));
    }
  }
  return out;
}
