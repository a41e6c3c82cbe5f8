import type { CommentInput } from '../../src/comments/schema.ts';

/**
 * A generated docket of stakeholder comments, the same for the same seed: five concerns argued by
 * the kinds of commenters who argue them, one mass-comment campaign (identical form letters),
 * and some comments without consent to publish, one of them the most typical comment of its
 * theme (so a summary that ignored consent would quote it).
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

export const TOPIC_SLUGS = {
  competition: 'prioritizing-strategic-competition',
  humanRights: 'human-rights-and-ihl',
  exportControls: 'export-controls-and-itar',
  uas: 'mtcr-and-uas',
} as const;

/**
 * The concerns commenters raise. Sentences are templates: each {a|b|c} is one choice, so two
 * commenters who make the same argument rarely use the same words, as in a real docket (and the
 * near-duplicate check does not mistake them for a campaign).
 */
const CONCERNS = [
  {
    topic: TOPIC_SLUGS.exportControls,
    types: ['industry', 'industry', 'industry', 'government'],
    sentences: [
      '{License reviews|Export license reviews|Licensing decisions} for {close allies|treaty allies|NATO partners} {take far too long|drag on for months|are much too slow} and {push partners toward foreign suppliers|cost American jobs|send buyers to our competitors}.',
      'We {ask|urge|call on} the Department to set a firm {review deadline|deadline for decisions|time limit} for {licenses to close allies|allied license applications|cases involving treaty partners}.',
      '{Predictable|Reliable|Steady} licensing timelines would let {our members|our company|manufacturers like us} plan {production|co-production|joint programs} with {allied manufacturers|partner industry|foreign partners}.',
      'Export license {backlogs|delays|queues} {cost|lose|take away} {American companies|U.S. manufacturers|small suppliers} {contracts|sales|orders} every {single year|quarter|budget cycle}.',
      'The licensing process should publish {target review times|expected timelines|service standards} for {each category of case|every type of license|routine cases}.',
    ],
  },
  {
    topic: TOPIC_SLUGS.humanRights,
    types: ['ngo', 'ngo', 'academia', 'individual'],
    sentences: [
      'Human rights vetting {must be completed|has to be finished|should be done} before {any sale of munitions|a weapons sale|an arms transfer} is {approved|notified|signed}.',
      'Civilian harm {assessments|reviews|analyses} should be {published|made public|shared with Congress} for every sale to a government with a {record of abuses|history of violations|poor human rights record}.',
      'The policy should {deny|block|refuse} transfers where there is a {credible|serious|real} risk of violations of international humanitarian law.',
      '{Security forces|Police units|Military units} with credible reports of {abuses|atrocities|torture} should not receive {weapons|arms|munitions} from the United States.',
    ],
  },
  {
    topic: TOPIC_SLUGS.humanRights,
    types: ['academia', 'ngo', 'government'],
    sentences: [
      'End-use monitoring {needs|requires|deserves} more {staff and funding|people and money|resources} to cover the {high-risk cases|riskiest transfers|most sensitive exports}.',
      '{Post-shipment checks|Blue Lantern checks|End-use inspections} should be scheduled by risk rather than {at random|on a fixed calendar|by convenience}.',
      'Findings of end-use monitoring should be {reported to Congress|published|shared with the public} every year.',
      'Diversion of {small arms|rifles|ammunition} to armed groups {shows|proves|suggests} that end-use monitoring is not working.',
    ],
  },
  {
    topic: TOPIC_SLUGS.uas,
    types: ['industry', 'government', 'academia'],
    sentences: [
      '{Unmanned aerial systems|Drones|Armed drones} should be treated like other combat aircraft under the {policy|new guidance|revised policy}.',
      'The MTCR presumption of denial for Category I {drones|unmanned aircraft|UAS} puts American industry at a {disadvantage|competitive disadvantage|severe disadvantage}.',
      'Armed drones need the same civilian harm review as any other {munitions sale|weapons sale|arms transfer}.',
      'Allied demand for {unmanned aerial systems|drones|unmanned aircraft} is growing faster than {export approvals|our approvals|licensing capacity}.',
    ],
  },
  {
    topic: TOPIC_SLUGS.competition,
    types: ['industry', 'individual', 'government'],
    sentences: [
      'Arms transfers to partners in the {Indo-Pacific|Pacific|region} {strengthen|reinforce|support} deterrence against strategic competitors.',
      'Co-production agreements with {allies|partners|close allies} keep the defense industrial base {strong|healthy|competitive}.',
      'Strategic competition with China should {weigh heavily|count for a lot|matter most} in decisions on transfers to partners.',
      'Supply chains for munitions depend on {steady orders|predictable orders|long-term contracts} from allies and partners.',
    ],
  },
];

/** One variant of a template sentence. */
function variant(template: string, pick: <T>(xs: readonly T[]) => T): string {
  return template.replace(/\{([^}]*)\}/g, (_, options: string) => pick(options.split('|')));
}

/**
 * Words for each commenter's own line about themselves: many, so none is common enough to look
 * like a theme, and glued with stopwords only, so the glue is not one either. Real comments differ
 * this way; without it, generated comments sharing an argument would be near-duplicates.
 */
const NOUNS = (
  'acoustics adhesives aerostructures agriculture alloys ammunition antennas apprenticeships archives armor artillery audits ' +
  'avionics ballistics batteries bearings biology boilers bridges brokering cabling canals cargo carpentry castings ceramics ' +
  'chemistry chips circuits coatings composites compressors concrete connectors contracting cryptography cybersecurity dams ' +
  'databases demining depots diesel diplomacy drafting dredging economics electronics elevators energy engines ethics fabrics ' +
  'farming fasteners fiber filters finance firefighting fisheries forestry forgings freight furnaces gears geography geology ' +
  'glass grants gyroscopes harbors hardware healthcare helicopters history hospitals housing hydraulics insurance ' +
  'journalism kitchens labs lasers law lenses libraries lighting linguistics locks lubricants machining magnets mapping ' +
  'marketing masonry mathematics medicine metallurgy meteorology microwaves mining modems museums music navigation nursing ' +
  'nutrition oceanography optics packaging paint parachutes patents pensions pharmacy photography physics pipelines plastics ' +
  'plumbing polymers ports printing propellers propulsion publishing pumps radios railways ranching recycling refineries ' +
  'robotics roofing rubber sailing satellites scaffolding schools sealants seeds semiconductors sensors shipping shipbuilding ' +
  'simulators software soil solar sonar statistics steel surveying tanks taxes telescopes textiles theology tires tooling ' +
  'tourism towers tractors translation trucking tunnels turbines typesetting valves ventilation vessels welding wheels wiring'
).split(' ');
const GLUE = [
  (w: string[]) => `${cap(w[0]!)}, ${w[1]}, ${w[2]} and ${w[3]} are what we do.`,
  (w: string[]) => `We are in ${w[0]} and ${w[1]}, as well as ${w[2]}.`,
  (w: string[]) => `All of this is about ${w[0]}, ${w[1]} and ${w[2]} for us.`,
  (w: string[]) => `Our own field is ${w[0]}, with some ${w[1]} and ${w[2]}.`,
  (w: string[]) => `I am in ${w[0]} and ${w[1]}.`,
];
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const ORGS: Record<string, string[]> = {
  industry: ['Acme Defense Systems', 'Allied Aerospace', 'Northwind Munitions', 'Harbor Electronics'],
  ngo: ['Arms Control Watch', 'Civilians First', 'Human Rights Monitor'],
  academia: ['Georgetown University', 'Institute for Security Studies'],
  government: ['Office of a State Governor', 'Embassy of a Partner Nation'],
  individual: [''],
};

export const CAMPAIGN_LETTER =
  'I am writing as a concerned citizen. I urge the Department of State to stop arms sales to governments that commit atrocities against civilians. ' +
  'Weapons made in America must never be used to kill innocent people. Please put human rights first in every arms transfer decision.';

/** The non-consenting comment a consent-blind summary would quote first for the licensing theme. */
export const SECRET_COMMENT =
  'License reviews for close allies take far too long and push partners toward foreign suppliers. ' +
  'Predictable licensing timelines for close allies would let our members plan production with allied manufacturers. ' +
  'We ask the Department to set a firm review deadline for licenses to close allies, and to publish target review times for licenses.';

export interface GeneratedComment {
  input: CommentInput;
  /** Part of the campaign (identical letters). */
  campaign: boolean;
  secret: boolean;
}

/**
 * `count` comments: about `campaignShare` of them the campaign letter, one the SECRET_COMMENT,
 * about 15% of the rest without consent to publish; received over the 60 days before 2026-10-01.
 */
export function generateDocket(count: number, seed = 9, options: { campaignShare?: number } = {}): GeneratedComment[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const campaignCount = Math.round(count * (options.campaignShare ?? 0.25));
  const out: GeneratedComment[] = [];
  const start = Date.parse('2026-08-02T12:00:00Z');
  for (let i = 0; i < count; i++) {
    const receivedAt = new Date(start + Math.floor((i / count) * 60) * 86_400_000 + (i % 97) * 60_000);
    if (i === 3) {
      out.push({
        input: {
          submitterName: 'Pat Quinlan',
          email: 'pat.quinlan@example.com',
          organization: 'Northwind Munitions',
          organizationType: 'industry',
          topic: TOPIC_SLUGS.exportControls,
          text: SECRET_COMMENT,
          consentToPublish: false,
          source: 'email',
          receivedAt,
        },
        campaign: false,
        secret: true,
      });
      continue;
    }
    // Campaign letters are spread through the docket, as they arrive in real ones.
    if (i % Math.max(2, Math.floor(count / Math.max(1, campaignCount))) === 1 && out.filter((c) => c.campaign).length < campaignCount) {
      out.push({
        input: {
          submitterName: `Citizen ${i}`,
          email: `citizen${i}@example.net`,
          organizationType: 'individual',
          topic: TOPIC_SLUGS.humanRights,
          text: CAMPAIGN_LETTER,
          consentToPublish: rand() < 0.9,
          source: 'email',
          receivedAt,
        },
        campaign: true,
        secret: false,
      });
      continue;
    }
    const concern = pick(CONCERNS);
    const type = pick(concern.types);
    const n = 1 + Math.floor(rand() * 3);
    const chosen: string[] = [];
    while (chosen.length < n) {
      const t = pick(concern.sentences);
      if (!chosen.includes(t)) chosen.push(t);
    }
    const sentences = [pick(GLUE)(Array.from({ length: 4 }, () => pick(NOUNS))), ...chosen.map((t) => variant(t, pick))];
    // Some commenters raise a second concern too.
    if (rand() < 0.25) sentences.push(variant(pick(pick(CONCERNS).sentences), pick));
    out.push({
      input: {
        submitterName: `Commenter ${i}`,
        email: `commenter${i}@example.org`,
        organization: pick(ORGS[type]!) || null,
        organizationType: type,
        topic: rand() < 0.9 ? concern.topic : null,
        text: sentences.join(' '),
        consentToPublish: rand() >= 0.15,
        source: pick(['slack_message', 'email', 'csv'] as const),
        receivedAt,
      },
      campaign: false,
      secret: false,
    });
  }
  return out;
}
