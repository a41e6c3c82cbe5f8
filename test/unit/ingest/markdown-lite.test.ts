import { describe, expect, it } from 'vitest';
import { htmlToMarkdownLite, normalizeDate } from '../../../ingest/loaders/html.ts';
import { markdownToMarkdownLite } from '../../../ingest/loaders/md.ts';
import { reflowPdfPages } from '../../../ingest/loaders/pdf.ts';

describe('markdownToMarkdownLite', () => {
  it('turns a multi-line setext paragraph into one heading and drops thematic breaks', () => {
    const { text } = markdownToMarkdownLite('First part\nof the title\n===\n\nBody.\n\n---\n\n***\n\nMore.');
    expect(text).toBe('# First part of the title\n\nBody.\n\nMore.');
  });

  it('strips closing hashes from ATX headings and drops empty headings', () => {
    const { text } = markdownToMarkdownLite('### Scope ###\n#\n#hashtag is text');
    expect(text).toBe('### Scope\n\n#hashtag is text');
  });

  it('does not start a list inside a paragraph at a number other than 1, as CommonMark', () => {
    const { text } = markdownToMarkdownLite('Sales rose in\n2018. Then fell.\n\n1. First\n3. Third');
    expect(text).toBe('Sales rose in\n2018. Then fell.\n\n- First\n- Third');
  });

  it('folds lazy continuation lines into the list item and separates a following heading', () => {
    const { text } = markdownToMarkdownLite('- a long item\n  that wraps\n# Next');
    expect(text).toBe('- a long item that wraps\n\n# Next');
  });

  it('unwraps block quotes and keeps inline markdown', () => {
    const { text } = markdownToMarkdownLite('> Quoted **text**\n> continues.\n\n> - item');
    expect(text).toBe('Quoted **text**\ncontinues.\n\n- item');
  });

  it('handles tables without outer pipes and drops empty cells', () => {
    const { text } = markdownToMarkdownLite('Year | Event | Note\n--- | --- | ---\n2018 | NSPM-10 |\n\nAfter.');
    expect(text).toBe('Year | Event | Note\n2018 | NSPM-10\n\nAfter.');
  });

  it('does not read "---" under a line with a different cell count as a table', () => {
    const { text } = markdownToMarkdownLite('a | b\n---');
    expect(text).toBe('## a | b');
  });

  it('removes HTML comments, lone HTML tag lines and link reference definitions', () => {
    const { text } = markdownToMarkdownLite('<!-- draft -->\n<div align="center">\nText [x][1].\n</div>\n\n[1]: https://example.com');
    expect(text).toBe('Text [x][1].');
  });

  it('keeps tilde fences as plain paragraphs, split at blank lines', () => {
    const { text } = markdownToMarkdownLite('~~~\nline 1\n\nline 2\n~~~\nAfter.');
    expect(text).toBe('line 1\n\nline 2\n\nAfter.');
  });

  it('reads only title and date from front matter, and only when they are present', () => {
    expect(markdownToMarkdownLite("---\nauthor: X\ntitle: 'A: B'\n---\nBody").meta).toEqual({ title: 'A: B' });
    expect(markdownToMarkdownLite('---\ndate: someday\n---\nBody')).toEqual({ text: 'Body', meta: {} });
    expect(markdownToMarkdownLite('No front matter').meta).toEqual({});
  });

  it('treats an unclosed leading "---" as a thematic break, not front matter', () => {
    expect(markdownToMarkdownLite('---\ntitle: X\nBody')).toEqual({ text: 'title: X\nBody', meta: {} });
  });
});

describe('htmlToMarkdownLite', () => {
  it('uses the article when there is no <main>, keeping its own header', () => {
    const { text, meta } = htmlToMarkdownLite(
      '<body><div class="navbar">Menu</div><article><header><h1>Title</h1>' +
        '<time datetime="2018-04-19T10:00:00Z">April 19</time></header><p>Body.</p>' +
        '<footer>Tags: arms</footer></article><p>Outside the article.</p></body>',
    );
    expect(text).toBe('# Title\n\nApril 19\n\nBody.');
    expect(meta).toEqual({ date: '2018-04-19' });
  });

  it('falls back to the body when <main> has no text', () => {
    const { text } = htmlToMarkdownLite('<body><main><div id="app"></div></main><p>Static fallback.</p></body>');
    expect(text).toBe('Static fallback.');
  });

  it('falls back to og:title, reads meta author, and ignores <time> outside an article header', () => {
    const { meta } = htmlToMarkdownLite(
      '<head><meta property="og:title" content="OG title"><meta name="author" content="ISN/CATR"></head>' +
        '<body><p><time datetime="2020-01-01">then</time></p></body>',
    );
    expect(meta).toEqual({ title: 'OG title', author: 'ISN/CATR' });
  });

  it('reads article:published_time given as a property', () => {
    const { meta } = htmlToMarkdownLite(
      '<head><meta property="article:published_time" content="2023-02-23T15:00:00+00:00"></head><body><p>x</p></body>',
    );
    expect(meta).toEqual({ date: '2023-02-23' });
  });

  it('does not drop the page when <body> carries a boilerplate-looking class', () => {
    const { text } = htmlToMarkdownLite('<body class="has-menu"><div id="content"><p>Kept.</p></div></body>');
    expect(text).toBe('Kept.');
  });

  it('removes hidden and aria-hidden elements and skip links without a class', () => {
    const { text } = htmlToMarkdownLite(
      '<body><a href="#c">Skip to content</a><p aria-hidden="true">icon</p><p hidden>hidden</p><p id="c">Visible.</p></body>',
    );
    expect(text).toBe('Visible.');
  });

  it('flattens nested lists in order and joins block children of an item into one line', () => {
    const { text } = htmlToMarkdownLite(
      '<ol><li><p>One</p><p>continued</p><ul><li>One.a</li><li>One.b<ol><li>deep</li></ol></li></ul></li><li>Two</li></ol><p>After.</p>',
    );
    expect(text).toBe('- One continued\n- One.a\n- One.b\n- deep\n- Two\n\nAfter.');
  });

  it('walks layout tables cell by cell but writes data tables a row per line', () => {
    const { text } = htmlToMarkdownLite(
      '<table><tr><td><h2>Mission</h2><p>First.</p><p>Second.</p></td></tr></table>' +
        '<table><tr><th>Office</th><th>Head</th></tr><tr><td><p>ISN/CATR</p></td><td></td></tr></table>',
    );
    expect(text).toBe('## Mission\n\nFirst.\n\nSecond.\n\nOffice | Head\nISN/CATR');
  });

  it('keeps line structure inside <pre>', () => {
    const { text } = htmlToMarkdownLite('<pre>a  b\n\n  c\n</pre><p>x  y</p>');
    expect(text).toBe('a  b\n  c\n\nx y');
  });
});

describe('normalizeDate', () => {
  it.each([
    ['2023-02-24', '2023-02-24'],
    ['2023-02-24T23:30:00-05:00', '2023-02-24'],
    ['2023/2/4', '2023-02-04'],
    ['20230224', '2023-02-24'],
    ['February 24, 2023', '2023-02-24'],
    ['Friday, Feb. 24, 2023', '2023-02-24'],
    ['24 February 2023', '2023-02-24'],
    ['2023', undefined],
    ['2023-02-30', undefined],
    ['soon', undefined],
    ['', undefined],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDate(input)).toBe(expected);
  });
});

describe('reflowPdfPages', () => {
  it('continues a paragraph across a page break when it stops mid-sentence', () => {
    const pages = [
      'Header line\nThe committee reviewed every proposed transfer to partners and allies in\nthe region and',
      'Header line\nconcluded the review in March. It then reported to the Congress directly.',
    ];
    expect(reflowPdfPages(pages)).toBe(
      'The committee reviewed every proposed transfer to partners and allies in the region and concluded the review in March. It then reported to the Congress directly.',
    );
  });

  it('keeps the hyphen of a compound the document itself writes hyphenated', () => {
    const text = reflowPdfPages([
      [
        'This is a well-known rule that applies to every transfer reviewed by the well-',
        'known office, and it is not changed by the new policy that the department issued.',
      ].join('\n'),
    ]);
    expect(text).toBe(
      'This is a well-known rule that applies to every transfer reviewed by the well-known office, and it is not changed by the new policy that the department issued.',
    );
  });

  it('drops "Page N of M" footers and roman page numbers, and removes soft hyphens at line ends', () => {
    const text = reflowPdfPages([
      'iii\nArms transfer decisions weigh the security interests of the partners; the deci\u00ad\nsions are final.\nPage 1 of 2',
      'Second page text that is long enough to be counted as a body line in the document.\nPage 2 of 2',
    ]);
    expect(text).toBe(
      'Arms transfer decisions weigh the security interests of the partners; the decisions are final.\n\nSecond page text that is long enough to be counted as a body line in the document.',
    );
  });

  it('never joins a numbered item or bullet to the previous line, but joins its own wrapped lines', () => {
    const text = reflowPdfPages([
      [
        'The plan has three lines of effort that the department will pursue over the year:',
        '1. Strengthen the partner capacity of allies through training and sustainment',
        'programs.',
        '2. Improve the speed of the review process.',
        '\u25aa Reported to Congress.',
      ].join('\n'),
    ]);
    expect(text).toBe(
      'The plan has three lines of effort that the department will pursue over the year:\n\n' +
        '1. Strengthen the partner capacity of allies through training and sustainment programs.\n\n' +
        '2. Improve the speed of the review process.\n\n' +
        '- Reported to Congress.',
    );
  });
});
