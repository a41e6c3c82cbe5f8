import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToLibrary, isLibraryAdmin, listDocumentsForLibrary, parseFactAssignments, retireDocument, setLibraryFacts, type LibraryActor } from '../../src/app/library.ts';
import { BUNDLED_CORPUS_DIR } from '../../ingest/pipeline.ts';
import { ask, createServices, ingest, type Services } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { openTestDb } from '../helpers/db.ts';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.ts';

const ADMIN: LibraryActor = { userId: 'UADMIN01', teamId: 'TPOLICY', external: false };
const GROUP_ADMIN: LibraryActor = { userId: 'UGROUP01', teamId: 'TPOLICY', external: false, inAdminUsergroup: true };
const COLLEAGUE: LibraryActor = { userId: 'UCOLL001', teamId: 'TPOLICY', external: false };
/** Listed as an admin, but from a partner organization: never an admin. */
const EXTERNAL_LISTED: LibraryActor = { userId: 'UEXT0001', teamId: 'TPARTNER', external: true };

const text = (s: string) => new TextEncoder().encode(s);

const OLD_GUIDANCE = `Interim Guidance on Night Vision Exports

Night vision devices require a license for every destination. Reviews of night vision license applications take ninety days.`;
const NEW_GUIDANCE = `Revised Guidance on Night Vision Exports

Night vision devices require a license except for close allies. Reviews of night vision license applications take thirty days.`;

let services: Services;
let logs: CapturedLogs;

beforeAll(async () => {
  logs = captureLogs();
  const db = await openTestDb();
  const config = loadConfig({ LIBRARY_ADMIN_USER_IDS: `${ADMIN.userId},${EXTERNAL_LISTED.userId}`, LIBRARY_ADMIN_USERGROUP_ID: 'SLIBRARY' });
  services = await createServices(config, { db, embedder: new HashingEmbedder(), logger: logs.logger });
  // Other documents around the library's, as in a real store (word rarity decides what answers).
  await ingest(services, [BUNDLED_CORPUS_DIR]);
});

afterAll(async () => {
  await services?.close();
});

describe('who keeps the library', () => {
  it('admins by id or user group; never external users, whatever the list says', () => {
    const cfg = services.config.library;
    expect(isLibraryAdmin(cfg, ADMIN)).toBe(true);
    expect(isLibraryAdmin(cfg, GROUP_ADMIN)).toBe(true);
    expect(isLibraryAdmin(cfg, COLLEAGUE)).toBe(false);
    expect(isLibraryAdmin(cfg, EXTERNAL_LISTED)).toBe(false);
    expect(isLibraryAdmin(cfg, { ...EXTERNAL_LISTED, inAdminUsergroup: true })).toBe(false);
  });

  it('refuses every action to a non-admin and an external user, and logs each refusal', async () => {
    const file = { kind: 'file' as const, fileId: 'FREFUSED', name: 'x.txt', bytes: text(OLD_GUIDANCE), permalink: null };
    for (const actor of [COLLEAGUE, EXTERNAL_LISTED]) {
      const attempts = [
        () => addToLibrary(services, actor, file),
        () => listDocumentsForLibrary(services, actor),
        () => setLibraryFacts(services, actor, 'x', 'status=current'),
        () => retireDocument(services, actor, 'x'),
      ];
      for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: 'access.denied' });
      const refusals = logs.lines.filter((l) => l.event === 'access.denied' && (l.actor as { userId?: string })?.userId === actor.userId);
      expect(refusals.map((l) => l.action)).toEqual(['library.add', 'library.list', 'library.set', 'library.retire']);
    }
    expect(await services.db.query(`SELECT 1 FROM documents WHERE source LIKE 'slack-file:%'`)).toEqual([]);
  });
});

describe('parseFactAssignments', () => {
  it('reads field=value pairs, quoted values, id lists and unsets', () => {
    expect(parseFactAssignments('issued=2023-02 supersedes=a,b status=current title="Annex C: End use" note=')).toEqual({
      set: { issued: '2023-02', supersedes: ['a', 'b'], status: 'current', title: 'Annex C: End use' },
      unset: ['note'],
    });
  });
  it('names what it cannot read', () => {
    expect(() => parseFactAssignments('issued 2023')).toThrow(/"issued" is not a fact/);
    expect(() => parseFactAssignments('colour=blue')).toThrow(/Unknown field "colour"/);
  });
});

describe('adding, setting, retiring', () => {
  it('adds an upload with its facts and lists it with status, date and date source, pages and chunks', async () => {
    const r = await addToLibrary(services, ADMIN, { kind: 'file', fileId: 'FOLD0001', name: 'interim-guidance.txt', bytes: text(OLD_GUIDANCE), permalink: 'https://example.slack.com/files/U1/FOLD0001/interim-guidance.txt' }, parseFactAssignments('issued=2021-05 status=current'));
    expect(r.status).toBe('ingested');
    expect(r.entry).toMatchObject({ id: 'interim-guidance', title: 'Interim Guidance on Night Vision Exports', status: 'current', publishedOn: '2021-05', dateSource: 'catalog', pages: null, addedBy: 'slack:UADMIN01' });
    expect(r.entry.chunks).toBeGreaterThan(0);
    expect(r.entry.sourceUrl).toBe('https://example.slack.com/files/U1/FOLD0001/interim-guidance.txt');
    const list = await listDocumentsForLibrary(services, GROUP_ADMIN);
    expect(list.filter((d) => d.source.startsWith('slack-file:')).map((d) => d.id)).toEqual(['interim-guidance']);
    expect(list.length).toBeGreaterThan(1);
  });

  it('a new version names what it supersedes', async () => {
    const r = await addToLibrary(services, ADMIN, { kind: 'file', fileId: 'FNEW0001', name: 'revised-guidance.txt', bytes: text(NEW_GUIDANCE), permalink: null }, parseFactAssignments('supersedes=interim-guidance issued=2024-01'));
    expect(r.supersedes).toEqual(['interim-guidance']);
    const old = (await listDocumentsForLibrary(services, ADMIN)).find((d) => d.id === 'interim-guidance');
    expect(old?.status).toBe('current');
  });

  it('refuses facts naming a document that is not there before storing anything', async () => {
    await expect(
      addToLibrary(services, ADMIN, { kind: 'file', fileId: 'FBAD0001', name: 'other.txt', bytes: text('Other Guidance\n\nSome words about licences.'), permalink: null }, parseFactAssignments('supersedes=no-such-doc')),
    ).rejects.toMatchObject({ code: 'input.invalid', message: expect.stringContaining('no-such-doc') });
    expect(await services.db.query(`SELECT 1 FROM documents WHERE source = 'slack-file:FBAD0001'`)).toEqual([]);
  });

  it('a corrupt PDF and an unsupported type are refused and store nothing', async () => {
    const doc = await PDFDocument.create();
    doc.addPage().drawText('Secret', { x: 50, y: 700, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
    const good = await doc.save();
    const cases = [
      { name: 'broken.pdf', bytes: good.slice(0, 200), code: /^ingest\./ },
      { name: 'slides.pptx', bytes: text('PK...'), code: /^ingest\.unsupported$/ },
    ];
    for (const c of cases) {
      const err = await addToLibrary(services, ADMIN, { kind: 'file', fileId: `F${c.name}`, name: c.name, bytes: c.bytes, permalink: null }).catch((e: unknown) => e);
      expect((err as { code: string }).code).toMatch(c.code);
      expect((err as Error).message).toContain(c.name);
    }
    expect(await services.db.query(`SELECT 1 FROM documents WHERE source LIKE 'slack-file:F%.p%'`)).toEqual([]);
  });

  it('sets facts and says which supersession is new', async () => {
    const r = await setLibraryFacts(services, ADMIN, 'interim-guidance', 'status=superseded');
    expect(r.facts.status).toBe('superseded');
    expect(r.newlySupersedes).toEqual([]);
    await expect(setLibraryFacts(services, ADMIN, 'interim-guidance', 'issued=2023-13')).rejects.toMatchObject({ code: 'input.invalid' });
    await expect(setLibraryFacts(services, ADMIN, 'nope', 'status=current')).rejects.toMatchObject({ code: 'input.invalid', message: expect.stringContaining('"nope"') });
  });

  it('retires a document: withdrawn, kept, and left out of answers', async () => {
    const before = await ask(services, 'How long do night vision license reviews take?');
    expect(before.citations.some((c) => c.document.id === 'revised-guidance')).toBe(true);
    const facts = await retireDocument(services, ADMIN, 'revised-guidance');
    expect(facts.status).toBe('withdrawn');
    const after = await ask(services, 'How long do night vision license reviews take?');
    expect(after.citations.some((c) => c.document.id === 'revised-guidance')).toBe(false);
    expect((await listDocumentsForLibrary(services, ADMIN)).find((d) => d.id === 'revised-guidance')?.status).toBe('withdrawn');
  });
});
