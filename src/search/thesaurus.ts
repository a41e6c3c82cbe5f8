/**
 * Plain words staff and stakeholders use, mapped to the terms policy documents use. The
 * offline hashing embedder only matches words it has seen, so "drones" would never meet
 * "UAVs" without this; with a real embedding model it still helps full-text search.
 * Entries are about the domain (arms transfer policy), not about particular documents.
 */
export interface ThesaurusEntry {
  when: RegExp;
  add: string;
}

export const THESAURUS: ThesaurusEntry[] = [
  { when: /\bdrones?\b|\bunmanned (aircraft|aerial)/i, add: 'UAV UAS unmanned aerial systems' },
  { when: /\b(guns?|rifles?|pistols?|handguns?|small arms)\b/i, add: 'firearms' },
  { when: /\bweapons?\b|\bweaponry\b|\bmunitions?\b/i, add: 'arms defense articles' },
  { when: /\b(sell|sells|selling|sale|sales|sold)\b/i, add: 'transfers sales' },
  { when: /\b(buyers?|customers?|purchasers?|recipients?|buying countries|client states?)\b/i, add: 'partners allies' },
  { when: /\b(abus(e|es|ive)|atrocit(y|ies)|rights violat\w*|repressive|dictators?|regimes?)\b/i, add: 'human rights violations' },
  { when: /\blaws? of war\b|\bwar crimes?\b|\brules of war\b/i, add: 'law of armed conflict international humanitarian law' },
  { when: /\b(civilians?|non-?combatants?|collateral)\b/i, add: 'civilian harm casualties' },
  { when: /\bshoulder-?fired\b|\banti-?aircraft missiles?\b|\bportable air defen[cs]e\b/i, add: 'MANPADS man-portable air defense systems' },
  { when: /\bside deals?\b|\bcountertrade\b|\bquid pro quo\b/i, add: 'offset requirements' },
  { when: /\b(money|financ\w*|afford\w*|loans?|funding|costs?|expensive|price)\b/i, add: 'financial barriers financing expensive' },
  { when: /\bterror\w*/i, add: 'State Sponsors of Terrorism sanctions' },
  { when: /\bsatellite (imag\w*|photos?)|\bearth observation\b|\bimagery\b/i, add: 'remote sensing satellites' },
  { when: /\bexport (rules?|regulations?|controls?|licens\w*)\b|\bitar\b/i, add: 'International Traffic in Arms Regulations export controls' },
  { when: /\bmissile (rules?|regime|agreement|controls?)\b/i, add: 'Missile Technology Control Regime MTCR' },
  { when: /\b(defen[cs]e (companies|firms|contractors|manufacturers|industry)|arms makers|manufacturers?|contractors?|companies)\b/i, add: 'defense industrial base industry' },
  { when: /\b(jobs?|workers?|employment)\b/i, add: 'American jobs' },
  { when: /\b(who (runs|heads|leads)|head of|in charge|chief)\b/i, add: 'Director' },
  { when: /\b(e-?mail|contact|reach|get in touch|send (comments|feedback))\b/i, add: 'contact email' },
  { when: /\bbiden\b/i, add: 'Biden-Harris Administration revised' },
  { when: /\b(trump|2018 policy|original policy)\b/i, add: 'NSPM' },
  { when: /\b(spare parts?|components?)\b/i, add: 'spare parts components Commerce-regulated items' },
  { when: /\b(bribe\w*|graft|kickbacks?|corrupt\w*)\b/i, add: 'corruption good governance' },
  { when: /\b(fast\w*|speed\w*|slow\w*|delays?|quick\w*|timelines?)\b/i, add: 'expedite timelines milestones slow' },
  { when: /\b(treat(y|ies)|multilateral|international agreements?)\b/i, add: 'multilateral regimes Wassenaar Arrangement' },
  { when: /\b(rivals?|competitors?|adversar(y|ies)|china|russia)\b/i, add: 'competition adversaries China Russia compete' },
  { when: /\b(comments?|feedback|input|views)\b/i, add: 'comments stakeholders inputs' },
  { when: /\b(goals?|aims?|objectives?|purpose|priorit(y|ies)|trying to achieve)\b/i, add: 'objectives priorities interests' },
  { when: /\b(police|security forces|military forces)\b/i, add: 'security forces police' },
  { when: /\b(oversight|accountab\w*|transparen\w*)\b/i, add: 'transparent accountable governance transparency' },
];

export interface Expansion {
  /** The words of the question that triggered the entry. */
  trigger: string;
  add: string;
}

export function expandQuery(question: string): Expansion[] {
  const out: Expansion[] = [];
  for (const entry of THESAURUS) {
    const m = entry.when.exec(question);
    if (m) out.push({ trigger: m[0], add: entry.add });
  }
  return out;
}
