import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestInputs, refreshUrls } from '../../ingest/url.ts';
import type { IngestContext } from '../../ingest/pipeline.ts';
import { ask, createServices, type Services } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config.ts';
import { HashingEmbedder } from '../../src/search/embedder.ts';
import { openTestDb } from '../helpers/db.ts';
import { startHttpServer } from '../helpers/http-server.ts';

/** A web page as agencies publish them: navigation, a cookie banner and a footer around the text. */
function page(version: string): string {
  return `<!doctype html><html><head><title>End-Use Monitoring Guidance</title></head><body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>
<nav><a href="/">Home</a> <a href="/about">About the Bureau</a> <a href="/contact">Contact us</a></nav>
<main><h1>End-Use Monitoring Guidance</h1>
<h2>Blue Lantern checks</h2>
<p>The Blue Lantern program verifies the end use of defense articles after delivery. ${version}</p>
<p>Pre-license checks confirm that the foreign consignee is legitimate before an export license is approved.</p>
</main>
<footer>Copyright Department of State. Privacy policy. Accessibility statement.</footer>
</body></html>`;
}

async function pdfBytes(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText(text, { x: 50, y: 700, size: 11, font });
  return Buffer.from(await doc.save());
}

let services: Services;
let ctx: IngestContext;
let server: Awaited<ReturnType<typeof startHttpServer>>;
let version = 'Checks are risk based.';
let etag = '"v1"';
const fetchOptions = { allowPrivate: true, maxBytes: 200_000, timeoutMs: 10_000 };

beforeAll(async () => {
  const db = await openTestDb();
  services = await createServices(loadConfig({}), { db, embedder: new HashingEmbedder() });
  ctx = { db: services.db, embedder: services.embedder, chunking: services.config.chunking };
  const pdf = await pdfBytes('The transfer report lists Golden Sentry inspections of night vision devices.');
  server = await startHttpServer({
    '/guidance/end-use.html': (req) =>
      req.headers['if-none-match'] === etag
        ? { status: 304, headers: { etag } }
        : { headers: { 'content-type': 'text/html; charset=utf-8', etag }, body: page(version) },
    '/moved': { status: 301, headers: { location: '/guidance/end-use.html' } },
    // No ETag, only Last-Modified: the refresh asks If-Modified-Since.
    '/notes.txt': (req) =>
      req.headers['if-modified-since'] === 'Tue, 01 Dec 2026 10:00:00 GMT'
        ? { status: 304 }
        : { headers: { 'content-type': 'text/plain', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }, body: 'Congressional notification thresholds apply to major defense equipment sales above fourteen million dollars.' },
    // No extension, the type names the loader.
    '/download/report': { headers: { 'content-type': 'application/pdf' }, body: pdf },
    // A generic type: the extension names it.
    '/files/memo.pdf': { headers: { 'content-type': 'application/octet-stream' }, body: pdf },
    '/data.json': { headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
    '/huge.html': { headers: { 'content-type': 'text/html' }, body: 'x'.repeat(300_000) },
  });
});

afterAll(async () => {
  await server?.close();
  await services?.close();
});

describe('ingest <url>', () => {
  it('ingests an HTML page by its URL, boilerplate removed, with the URL as source and link', async () => {
    const url = server.url('/guidance/end-use.html');
    const summary = await ingestInputs(ctx, [url], fetchOptions);
    expect(summary.files).toEqual([expect.objectContaining({ path: url, status: 'ingested', documentId: 'end-use' })]);
    const [doc] = await services.db.query<{ source: string; sourceUrl: string; format: string; title: string; body: string; etag: string }>(
      `SELECT source, source_url AS "sourceUrl", format, title, body, fetch_etag AS etag FROM documents WHERE id = 'end-use'`,
    );
    expect(doc).toMatchObject({ source: url, sourceUrl: url, format: 'html', title: 'End-Use Monitoring Guidance', etag: '"v1"' });
    expect(doc!.body).toContain('Blue Lantern program verifies the end use');
    for (const boilerplate of ['cookies', 'About the Bureau', 'Privacy policy']) expect(doc!.body).not.toContain(boilerplate);
  });

  it("cites the page: the citation's document names the URL", async () => {
    const answer = await ask(services, 'What does the Blue Lantern program verify?');
    expect(answer.abstained).toBe(false);
    const cited = answer.citations.find((c) => c.document.id === 'end-use');
    expect(cited).toBeDefined();
    expect(cited!.document.source).toBe(server.url('/guidance/end-use.html'));
    expect(cited!.quote).toContain('Blue Lantern');
  });

  it('picks the loader by Content-Type, then by extension, and refuses a type it cannot read', async () => {
    const summary = await ingestInputs(ctx, [server.url('/download/report'), server.url('/files/memo.pdf'), server.url('/data.json'), server.url('/notes.txt')], fetchOptions);
    const by = Object.fromEntries(summary.files.map((f) => [f.path.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''), f]));
    expect(by['/download/report']).toMatchObject({ status: 'ingested', documentId: 'report' });
    expect(by['/files/memo.pdf']).toMatchObject({ status: 'ingested', documentId: 'memo' });
    expect(by['/notes.txt']).toMatchObject({ status: 'ingested', documentId: 'notes' });
    expect(by['/data.json']).toMatchObject({ status: 'failed', code: 'ingest.unsupported' });
    expect((by['/data.json'] as { error: string }).error).toContain('application/json');
    const formats = await services.db.query<{ id: string; format: string }>(`SELECT id, format FROM documents WHERE id IN ('report', 'memo') ORDER BY id`);
    expect(formats).toEqual([{ id: 'memo', format: 'pdf' }, { id: 'report', format: 'pdf' }]);
  });

  it('says which limit stopped a fetch, and stores nothing for it', async () => {
    const summary = await ingestInputs(ctx, [server.url('/huge.html')], fetchOptions);
    expect(summary.files[0]).toMatchObject({ status: 'failed', code: 'fetch.limit' });
    expect((summary.files[0] as { error: string }).error).toMatch(/size limit of 195 KB.*INGEST_URL_MAX_MB/);
    expect(await services.db.query(`SELECT 1 FROM documents WHERE source LIKE '%huge%'`)).toEqual([]);
  });

  it('follows a redirect and keeps the address it was given', async () => {
    const summary = await ingestInputs(ctx, [server.url('/moved')], fetchOptions);
    expect(summary.files[0]).toMatchObject({ status: 'ingested' });
    const [doc] = await services.db.query<{ sourceUrl: string }>(`SELECT source_url AS "sourceUrl" FROM documents WHERE source = $1`, [server.url('/moved')]);
    expect(doc!.sourceUrl).toBe(server.url('/moved'));
  });
});

describe('ingest --refresh', () => {
  it('asks conditionally and skips what did not change', async () => {
    const before = server.requests.length;
    const summary = await refreshUrls(ctx, fetchOptions);
    const asked = server.requests.slice(before);
    const html = asked.find((r) => r.path === '/guidance/end-use.html');
    expect(html?.headers['if-none-match']).toBe('"v1"');
    expect(asked.find((r) => r.path === '/notes.txt')?.headers['if-modified-since']).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
    const page = summary.files.find((f) => f.path === server.url('/guidance/end-use.html'));
    expect(page).toMatchObject({ status: 'unchanged' });
    expect(summary.files.find((f) => f.path === server.url('/notes.txt'))).toMatchObject({ status: 'unchanged' });
    expect(summary.documents).toBe(0);
  });

  it('replaces a changed page, chunks and all', async () => {
    version = 'Checks now include unannounced site visits.';
    etag = '"v2"';
    const summary = await refreshUrls(ctx, fetchOptions);
    expect(summary.files.find((f) => f.path === server.url('/guidance/end-use.html'))).toMatchObject({ status: 'updated', documentId: 'end-use' });
    const [doc] = await services.db.query<{ body: string; etag: string }>(`SELECT body, fetch_etag AS etag FROM documents WHERE id = 'end-use'`);
    expect(doc!.body).toContain('unannounced site visits');
    expect(doc!.etag).toBe('"v2"');
    const chunks = await services.db.query<{ body: string }>(`SELECT body FROM chunks WHERE document_id = 'end-use'`);
    expect(chunks.some((c) => c.body.includes('unannounced site visits'))).toBe(true);
    expect(chunks.some((c) => c.body.includes('Checks are risk based'))).toBe(false);
  });
});
