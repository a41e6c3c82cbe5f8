import { describe, expect, it } from 'vitest';
import {
  cleanText,
  isBoilerplateLine,
  isDateLine,
  isNavigationLine,
  normalizeChars,
  stripInlineMarkup,
  type Block,
  type CleanedDocument,
} from '../../../ingest/clean.ts';
import { CORPUS_KEYS, readCorpus, THREE_LINES, type CorpusKey } from '../../helpers/corpus.ts';

const cleaned = (key: CorpusKey): CleanedDocument => cleanText(readCorpus(key));
const blockTexts = (doc: CleanedDocument, kind?: Block['kind']): string[] =>
  doc.blocks.filter((b) => !kind || b.kind === kind).map((b) => b.text);
/** The blocks right after the block whose text is `lead`. */
function blocksAfter(doc: CleanedDocument, lead: string, n: number): Block[] {
  const i = doc.blocks.findIndex((b) => b.text === lead);
  expect(i, `no block "${lead}"`).toBeGreaterThanOrEqual(0);
  return doc.blocks.slice(i + 1, i + 1 + n);
}

describe('cleaned text invariants, every bundled document', () => {
  for (const key of CORPUS_KEYS) {
    it(`${key}: blocks index the cleaned text, which has no odd whitespace or glyphs`, () => {
      const doc = cleaned(key);
      expect(doc.blocks.length).toBeGreaterThan(3);
      expect(doc.text).toBe(doc.blocks.map((b) => b.text).join('\n\n'));
      for (const b of doc.blocks) {
        expect(doc.text.slice(b.start, b.end)).toBe(b.text);
        expect(b.text).toBe(b.text.trim());
        expect(b.text).not.toContain('\n');
        if (b.kind === 'heading') expect([1, 2, 3, 4, 5, 6]).toContain(b.level);
        else expect(b.level).toBe(0);
      }
      expect(doc.text).not.toMatch(/[\u00a0\u2000-\u200d\u202f\u2060\ufeff\t\r]/);
      expect(doc.text).not.toMatch(/ {2,}/);
      expect(doc.text).not.toContain('•');
      expect(doc.text).not.toMatch(/^\s*[-#*=]{3,}\s*$/m);
    });
  }
});

describe('2018-04-19 policy statement', () => {
  const raw = readCorpus('policy2018');
  const doc = cleaned('policy2018');

  it('has the noise in the source (so the checks below mean something)', () => {
    expect(raw).toMatch(/^---$/m);
    expect(raw).toMatch(/^###$/m);
    expect(raw).toContain('[ArmsTransferProcess@state.gov](mailto:ArmsTransferProcess@state.gov)');
  });

  it('drops rules, stray hashes and markdown link syntax', () => {
    expect(doc.text).not.toContain('---');
    expect(doc.text).not.toContain('#');
    expect(doc.text).not.toMatch(/[[\]]|\]\(|mailto:/);
  });

  it('keeps the e-mail address as plain text in its sentence', () => {
    expect(doc.text).toContain('We encourage submission of comments via email to ArmsTransferProcess@state.gov.');
  });

  it('keeps the letterhead lines, the date and the title apart, then the six body paragraphs', () => {
    expect(doc.blocks.slice(0, 4).map((b) => [b.kind, b.text])).toEqual([
      ['paragraph', 'U.S. DEPARTMENT OF STATE'],
      ['paragraph', 'Bureau of Political Military Affairs'],
      ['paragraph', 'April 19, 2018'],
      ['heading', 'U.S. Conventional Arms Transfer Policy'],
    ]);
    const body = doc.blocks.slice(4);
    expect(body.map((b) => b.kind)).toEqual(Array(6).fill('paragraph'));
    expect(body[0]!.text).toMatch(/^The President has issued a National Security Presidential Memorandum \(NSPM\)/);
    expect(body[1]!.text).toContain('1) preserve peace through strength by reforming regulations');
    expect(body[5]!.text).toMatch(/^In the coming weeks, we will be engaging with stakeholders/);
  });
});

describe('2018-07-16 fact sheet', () => {
  const raw = readCorpus('factSheet');
  const doc = cleaned('factSheet');

  it('has the noise in the source', () => {
    for (const s of ['**', '(<mailto:PM-CPA@state.gov>)', '(http://www.state.gov/t/pm/#_blank)', 'Adobe Acrobat', 'should not be construed']) {
      expect(raw).toContain(s);
    }
  });

  it('drops bold markers, link targets and the mailto duplicate of the address', () => {
    expect(doc.text).not.toContain('**');
    expect(doc.text).not.toMatch(/mailto:|https?:\/\/|#_blank|[<>[\]]/);
    expect(doc.text.match(/PM-CPA@state\.gov/g)).toHaveLength(1);
  });

  it('keeps the contact sentence intact, address and Twitter handle included', () => {
    expect(blockTexts(doc)).toContain(
      'For further information, please contact the Bureau of Political-Military Affairs, Office of Congressional ' +
        'and Public Affairs at PM-CPA@state.gov, and follow the Bureau of Political-Military Affairs on Twitter, @StateDeptPM.',
    );
  });

  it('drops the site footer sentences, the PDF-reader note and the "Diplomacy in Action" tagline', () => {
    expect(doc.text).not.toMatch(/manages this site as a portal/);
    expect(doc.text).not.toMatch(/should not be construed/);
    expect(doc.text).not.toMatch(/Adobe Acrobat|Portable Document Format/);
    expect(doc.text).not.toMatch(/Diplomacy in Action/i);
    // The contact paragraph is the last thing left.
    expect(doc.blocks.at(-1)!.text).toMatch(/^For further information/);
  });

  it('keeps the letterhead: department, title, kind label, office, place and date', () => {
    expect(blockTexts(doc).slice(0, 6)).toEqual([
      'U.S. Department of State',
      'Implementation of the Conventional Arms Transfer (CAT) Policy',
      'Fact Sheet',
      'Office of the Spokesperson',
      'Washington, DC',
      'July 16, 2018',
    ]);
  });

  it('reads the three lines of effort as item blocks after their lead-in', () => {
    const lead = doc.blocks.find((b) => b.text === 'The plan is based on three lines of effort:');
    expect(lead?.kind).toBe('paragraph');
    expect(blocksAfter(doc, 'The plan is based on three lines of effort:', 4).map((b) => [b.kind, b.text])).toEqual([
      ...THREE_LINES.map((t) => ['item', t]),
      ['paragraph', 'The tasks we will undertake in this implementation plan include:'],
    ]);
  });

  it('reads the seven tasks as items, ending the list at the contact paragraph', () => {
    const after = blocksAfter(doc, 'The tasks we will undertake in this implementation plan include:', 8);
    expect(after.slice(0, 7).map((b) => b.kind)).toEqual(Array(7).fill('item'));
    expect(after[0]!.text).toMatch(/^Working with partners and allies to identify critical capability requirements/);
    expect(after[6]!.text).toMatch(/^Continuing to improve our arms transfer processes/);
    expect(after[7]!.kind).toBe('paragraph');
    expect(doc.blocks.filter((b) => b.kind === 'item')).toHaveLength(10);
  });
});

describe('2018 CSIS event article (already clean text)', () => {
  it('passes through unchanged: same paragraphs, same characters', () => {
    const raw = readCorpus('csis');
    const doc = cleaned('csis');
    expect(doc.text).toBe(raw.replace(/\r\n?/g, '\n').trim());
    expect(doc.blocks).toHaveLength(raw.trim().split(/\n\s*\n/).length);
    expect(doc.blocks.every((b) => b.kind === 'paragraph')).toBe(true);
    expect(doc.text).toContain('“The UAS export market alone is estimated to be worth more than $50 billion a year');
  });
});

describe('2023 revised policy', () => {
  const raw = readCorpus('policy2023');
  const doc = cleaned('policy2023');

  it('has the noise in the source', () => {
    expect(raw).toMatch(/^11edited$/m);
    expect(raw).toContain('\u00a0');
    expect(raw.match(/•/g)).toHaveLength(10);
    expect(raw).toContain('Original source can be found');
    expect(raw).toMatch(/More News$/);
  });

  it('drops the editor residue, bullet glyphs, the source link line and "More News"', () => {
    expect(doc.text).not.toContain('11edited');
    expect(doc.text).not.toContain('•');
    expect(doc.text).not.toMatch(/Original source can be found/i);
    expect(doc.text).not.toMatch(/More News/i);
    expect(doc.text).not.toContain('\u00a0');
  });

  it('starts at the title heading and ends with the contact paragraph', () => {
    expect(doc.blocks[0]).toMatchObject({ kind: 'heading', level: 1, text: 'The U.S. Conventional Arms Transfer Policy', start: 0 });
    expect(doc.blocks[1]!.text).toMatch(/^The U\.S\. Conventional Arms Transfer Policy provides a framework/);
    expect(doc.blocks[1]!.text).toContain('proposed arms transfers. Administrations have long issued');
    expect(doc.blocks.at(-1)).toMatchObject({ kind: 'paragraph' });
    expect(doc.blocks.at(-1)!.text).toMatch(/^For further information, please contact .* at PM-CPA@state\.gov, .*@StateDeptPM\.$/);
  });

  it('turns each of the ten bullets into an item block, in order', () => {
    const items = doc.blocks.filter((b) => b.kind === 'item');
    expect(items).toHaveLength(10);
    expect(items.map((b) => b.text.slice(0, 30))).toEqual([
      'The Biden-Harris Administratio',
      'Building on the October 2022 N',
      'The revised CAT Policy makes i',
      'The newly revised CAT Policy i',
      'Preventing arms transfers that',
      'Strengthening ally and partner',
      'Ensuring that arms transfers d',
      'The revised CAT Policy formali',
      'The CAT Policy aligns U.S. for',
      'In addition to its strengthene',
    ]);
    // Items are consecutive: nothing between the first and the last bullet.
    const first = doc.blocks.indexOf(items[0]!);
    expect(doc.blocks.slice(first, first + 10)).toEqual(items);
  });
});

describe('ISN/CATR office mission statement (a captured web page)', () => {
  const raw = readCorpus('mission');
  const doc = cleaned('mission');

  it('has the site chrome in the source', () => {
    for (const s of ['Skip Links', 'You are in:', 'Back to top', 'Bookmark and Share', 'SEARCHU.S.', 'HomeHot Topics', '|', 'USA.govU.S.', 'Director: Chris Kessler']) {
      expect(raw).toContain(s);
    }
    expect(raw).toContain('\u00a0');
  });

  it('drops "Skip Links", breadcrumbs, "Back to top", "Bookmark and Share" and menu lines', () => {
    for (const noise of [
      /Skip Links/i,
      /You are in/i,
      /Back to top/i,
      /Bookmark and Share/i,
      /Subject Index/i,
      /\bVideo\b/,
      /Daily Press Briefing/,
      /Secretary Rice Travels/,
      /Hot Topics/,
      /Privacy Notice|FOIA|Copyright Information/,
      /Frequent Questions|Email this Page/,
    ]) {
      expect(doc.text).not.toMatch(noise);
    }
  });

  it('drops navigation lines with pipes and glued menu words', () => {
    expect(doc.text).not.toContain('|');
    expect(doc.text).not.toMatch(/SEARCHU\.S\.|HomeHot|USA\.govU\.S\.|StateUpdates|[a-z]U\.S\. Department/);
  });

  it('drops the footer: portal sentence, disclaimer, "About state.gov" and "Published by" lines', () => {
    expect(doc.text).not.toMatch(/manages this site as a portal/);
    expect(doc.text).not.toMatch(/should not be construed/);
    expect(doc.text).not.toMatch(/About state\.gov/i);
    expect(doc.text).not.toMatch(/Published by/i);
    expect(doc.text).not.toMatch(/https?:\/\//);
  });

  it('keeps the office header once, the mission text and the director line', () => {
    expect(doc.text.match(/U\.S\. Department of State/g)).toHaveLength(1);
    expect(blockTexts(doc).slice(0, 5)).toEqual([
      'U.S. Department of State',
      'Office of Conventional Arms Threat Reduction (ISN/CATR)',
      'MISSION STATEMENT',
      expect.stringMatching(/^This office assumes the responsibilities of the former NP\/ECNP\. /),
      'Key missions of the office include:',
    ]);
    expect(doc.blocks[2]!.kind).toBe('heading');
    const missions = doc.blocks.slice(5, 10).map((b) => b.text.split(':')[0]);
    expect(missions).toEqual([
      'Conventional Weapons Controls & Transparency',
      'White House MANPADS Initiative',
      'Dual-use export Control Implementation',
      'Conventional Arms Sanctions & Interdictions',
      'Commercial Remote Sensing Satellites',
    ]);
    expect(doc.blocks.at(-1)!.text).toBe('Director: Chris Kessler');
    expect(doc.blocks).toHaveLength(11);
  });

  it('keeps dashes and abbreviations inside the mission text', () => {
    expect(doc.text).toContain('coordinate closely with – and provide support to, as needed – ISN/MNSA’s work');
    expect(doc.text).toContain('(e.g., the Wassenaar Arrangement and the U.N. Register of Arms)');
  });
});

describe('normalizeChars', () => {
  it('turns non-breaking and typographic spaces into spaces, removes invisible characters, unifies line ends', () => {
    expect(normalizeChars('a\u00a0b\u200bc\r\nd\re\tf\u2009g\ufeffh\u00adi\u202fj\u3000k')).toBe('a bc\nd\ne f ghi j k');
  });
});

describe('stripInlineMarkup', () => {
  const cases: Array<[string, string]> = [
    [
      'We encourage submission of comments via email to [ArmsTransferProcess@state.gov](mailto:ArmsTransferProcess@state.gov).',
      'We encourage submission of comments via email to ArmsTransferProcess@state.gov.',
    ],
    [
      'contact the **Bureau of Political-Military Affairs** (http://www.state.gov/t/pm/#_blank), at **PM-CPA@state.gov** (<mailto:PM-CPA@state.gov>), and **@StateDeptPM** (https://twitter.com/StateDeptPM#_blank).',
      'contact the Bureau of Political-Military Affairs, at PM-CPA@state.gov, and @StateDeptPM.',
    ],
    ['[download Adobe Acrobat Reader](http://get.adobe.com/reader/) (<http://get.adobe.com/reader/>).', 'download Adobe Acrobat Reader.'],
    ['Write to <PM-CPA@state.gov> or <mailto:a@b.org>, see <https://state.gov/x>.', 'Write to PM-CPA@state.gov or a@b.org, see https://state.gov/x.'],
    ['This is *emphasis*, _under_, `code` and __strong__.', 'This is emphasis, under, code and strong.'],
    ['See [the policy (2018)](https://example.gov/a_(b)) now', 'See the policy (2018) now'],
    ['  spaced    out  ', 'spaced out'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input.slice(0, 50))}`, () => {
      expect(stripInlineMarkup(input)).toBe(expected);
    });
  }

  it('leaves text that only looks like markup alone', () => {
    for (const s of ['snake_case_name and 2*3*4 and a * b', 'Keep (parenthetical remarks) intact', 'Section 36(b) of the AECA', 'NSPM-10 (2018)']) {
      expect(stripInlineMarkup(s)).toBe(s);
    }
  });
});

describe('isNavigationLine', () => {
  it('flags menus with pipes, breadcrumbs and glued menu words', () => {
    for (const line of [
      "Secretary Rice Travels to Mexico | Daily Press Briefing | What's New",
      'Home | About | Contact',
      '| Privacy Notice | FOIA',
      'Under Secretary for Arms Control > Bureau of ISN > Bureau Organization',
      'SEARCHU.S. Department of State',
      'HomeHot Topics',
      'USA.govU.S. Department of StateUpdates',
      'Subject IndexBookmark and Share',
    ]) {
      expect(isNavigationLine(line), line).toBe(true);
    }
  });

  it('does not flag sentences, headings or labels with capitalised words', () => {
    for (const line of [
      'The Secretary of State met with the Minister of Defense in Washington on Tuesday.',
      'The United States will work with NATO Allies',
      'Officers will coordinate with the Department of Defense/Defense Technology Security Agency (DTSA).',
      'The iPhone export was discussed with McDonald.',
      'Use the a | b operator in queries.',
      'Prices rose: A > B > C.',
      'Director: Chris Kessler',
      'Bureau of Political-Military Affairs',
      'U.S. Conventional Arms Transfer Policy',
      'Implementation of the Conventional Arms Transfer (CAT) Policy',
    ]) {
      expect(isNavigationLine(line), line).toBe(false);
    }
  });
});

describe('isBoilerplateLine', () => {
  it('flags rules, stray editor tokens and known chrome lines', () => {
    for (const line of ['---', '###', '* * *', '===', '11edited', 'Skip Links', 'Skip to main content', 'Back to top', 'More News', 'You are in: Home', 'Original source can be found here.', 'Bookmark and Share']) {
      expect(isBoilerplateLine(line), line).toBe(true);
    }
  });

  it('keeps content lines that share words with chrome', () => {
    for (const line of ['2018', 'NSPM-10', 'Share the burden with allies.', 'The search for partners continues.', 'More news will follow next week.', 'Director: Chris Kessler']) {
      expect(isBoilerplateLine(line), line).toBe(false);
    }
  });
});

describe('isDateLine', () => {
  it('accepts a line that is only a date', () => {
    for (const d of ['April 19, 2018', 'July 16, 2018', 'Sept. 5, 2019', 'Jul 16 2018', '2018-07-16', '16 July 2018', '  March 3, 2020  ']) {
      expect(isDateLine(d), d).toBe(true);
    }
  });

  it('rejects sentences that contain a date, partial dates and other short lines', () => {
    for (const d of ['On July 13, 2018 the Secretary of State submitted the plan', 'July 16, 2018.', 'July 2018', '2018', 'Washington, DC', 'Fact Sheet', '07/16/2018', 'Junk 5, 2019', 'Marching 3, 2020']) {
      expect(isDateLine(d), d).toBe(false);
    }
  });
});

describe('cleanText structure on small inputs', () => {
  it('keeps explicit markdown-lite headings with their levels and list items', () => {
    const doc = cleanText('# Policy\n\n## Scope\n\nThe policy covers **arms** transfers.\n\n- First item\n- Second item\n\n1. Numbered one\n2) Numbered two');
    expect(doc.blocks.map((b) => [b.kind, b.level, b.text])).toEqual([
      ['heading', 1, 'Policy'],
      ['heading', 2, 'Scope'],
      ['paragraph', 0, 'The policy covers arms transfers.'],
      ['item', 0, 'First item'],
      ['item', 0, 'Second item'],
      ['item', 0, 'Numbered one'],
      ['item', 0, 'Numbered two'],
    ]);
  });

  it('joins a hard-wrapped paragraph into one block and ends it at a dropped chrome line', () => {
    const doc = cleanText('The Department reviews every proposed\ntransfer against the policy criteria.\nBack to top\nA second paragraph starts here.');
    expect(blockTexts(doc)).toEqual([
      'The Department reviews every proposed transfer against the policy criteria.',
      'A second paragraph starts here.',
    ]);
  });

  it('infers a heading for a short unpunctuated line before a long paragraph, but never for a date', () => {
    const long = 'The policy sets out how arms transfer decisions are made, which agencies take part, and what risks each decision must weigh before a transfer is approved by the Department.';
    expect(long.length).toBeGreaterThanOrEqual(160);
    const doc = cleanText(`Review Criteria\n\n${long}\n\nJuly 16, 2018\n\n${long}`);
    expect(doc.blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'paragraph', 'paragraph']);
  });

  it('infers list items after a line ending in ":" and stops at a full sentence', () => {
    const doc = cleanText('The plan has two goals:\n\nFaster reviews\n\nBetter oversight\n\nThe rest of the plan explains how the goals are met.');
    expect(doc.blocks.map((b) => b.kind)).toEqual(['paragraph', 'item', 'item', 'paragraph']);
  });

  it('keeps a repeated short label once but repeated long paragraphs every time', () => {
    const para = 'This sentence is long enough that it is content rather than a repeated menu label on a web page.';
    const doc = cleanText(`Site Name\n\n${para}\n\nSite Name\n\n${para}`);
    expect(blockTexts(doc)).toEqual(['Site Name', para, para]);
  });

  it('gives empty output for a page that is all chrome', () => {
    expect(cleanText('Skip Links\nHome | News | Contact\nBack to top\n---\n').text).toBe('');
  });

  // The plain-text rule "an item ending in ';' continues the list" must not extend an explicit list.
  it('keeps the paragraph after a bulleted list whose last item ends with ";" a paragraph', () => {
    const doc = cleanText('The office has duties:\n\n- Review licences;\n- Brief Congress;\n\nThe office was founded in 2005 and has grown every year since.');
    expect(doc.blocks.map((b) => b.kind)).toEqual(['paragraph', 'item', 'item', 'paragraph']);
  });

  // Markdown and HTML tables reach cleaning as "a | b | c" rows, which alone would look like a menu bar.
  it('keeps the rows of a table from the markdown/HTML loaders', () => {
    const doc = cleanText('Intro text.\n\nYear | Event | Note\n2018 | NSPM-10 issued | Trump\n2023 | NSM-18 issued | Biden\n\nAfter.');
    expect(doc.text).toContain('2018 | NSPM-10 issued | Trump');
  });
});
