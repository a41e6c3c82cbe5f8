import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors.ts';
import { checkAddress, fetchUrl, resolveChecked, type Resolver } from '../../../src/net/safe-fetch.ts';
import { startHttpServer } from '../../helpers/http-server.ts';

/** A resolver that knows only the names given; any other name fails as the system resolver would. */
function stubResolver(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (host: string) => {
    calls.push(host);
    const list = table[host];
    if (!list) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
  };
  return Object.assign(fn, { calls });
}

async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('checkAddress', () => {
  const refused = [
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.10', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['169.254.1.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:10.0.0.1', 'IPv4-mapped'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['224.0.0.1', 'multicast'],
  ] as const;
  it.each(refused)('refuses %s (%s)', (ip, words) => {
    const v = checkAddress(ip);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toContain(words);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '2606:4700::1111', '64:ff9b::808:808'])(
    'accepts the public address %s',
    (ip) => expect(checkAddress(ip)).toEqual({ ok: true }),
  );

  it('allowPrivate lifts private, loopback and CGNAT, but never link-local (cloud metadata) or unspecified', () => {
    for (const ip of ['10.0.0.1', '172.16.0.1', '192.168.1.1', '127.0.0.1', '100.64.0.1', '::1', 'fd00::1']) {
      expect(checkAddress(ip, { allowPrivate: true })).toEqual({ ok: true });
    }
    for (const ip of ['169.254.169.254', 'fe80::1', '0.0.0.0', '::ffff:10.0.0.1']) expect(checkAddress(ip, { allowPrivate: true }).ok).toBe(false);
  });

  it('refuses what is not an address', () => expect(checkAddress('example.org').ok).toBe(false));
});

describe('resolveChecked with a stubbed resolver', () => {
  it.each([
    ['intranet.example', ['10.1.2.3']],
    ['wiki.example', ['172.20.0.5']],
    ['home.example', ['192.168.0.10']],
    ['metadata.example', ['169.254.169.254']],
    ['cgnat.example', ['100.100.100.100']],
    ['v6.example', ['fd00::5']],
    ['mapped.example', ['::ffff:192.168.0.1']],
    // One bad address among good ones: the connection could use either, so the name is refused.
    ['mixed.example', ['93.184.216.34', '10.0.0.7']],
  ])('refuses %s -> %j', async (host, addresses) => {
    const err = await rejection(resolveChecked(host, { resolver: stubResolver({ [host]: addresses }) }));
    expect(isAppError(err, 'fetch.refused')).toBe(true);
    expect((err as Error).message).toContain(host);
    expect((err as Error).message).toContain('INGEST_ALLOW_PRIVATE_URLS');
  });

  it('returns every address of a public name', async () => {
    const r = stubResolver({ 'docs.example': ['93.184.216.34', '2606:2800:220:1::1'] });
    expect(await resolveChecked('docs.example', { resolver: r })).toHaveLength(2);
  });

  it('checks IP literals without resolving', async () => {
    const r = stubResolver({});
    await expect(resolveChecked('[::1]', { resolver: r })).rejects.toMatchObject({ code: 'fetch.refused' });
    await expect(resolveChecked('169.254.169.254', { resolver: r })).rejects.toMatchObject({ code: 'fetch.refused' });
    expect(r.calls).toEqual([]);
  });
});

describe('fetchUrl against a loopback server', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  beforeAll(async () => {
    server = await startHttpServer({
      '/page.html': { headers: { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }, body: '<h1>Hi</h1>' },
      '/cond': (req) =>
        req.headers['if-none-match'] === '"v1"' ? { status: 304, headers: { etag: '"v1"' } } : { headers: { etag: '"v1"', 'content-type': 'text/plain' }, body: 'x' },
      '/gz': { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, body: gzipSync('hello '.repeat(1000)) },
      '/bomb': { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(5_000_000)) },
      '/big': { headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(20_000, 97) },
      '/chunked-big': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 20; i++) res.write(Buffer.alloc(1000, 98));
        res.end();
        return 'handled';
      },
      '/hang': () => 'hang',
      '/missing': { status: 404, body: 'no' },
      '/r0': { status: 302, headers: { location: '/page.html' } },
      ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`/loop${i}`, { status: 301, headers: { location: `/loop${i + 1}` } }])),
      '/to-metadata': { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
      '/to-name': { status: 307, headers: { location: 'http://metadata.example/latest/' } },
    });
  });
  afterAll(() => server.close());

  it('refuses loopback by default and sends nothing', async () => {
    const before = server.requests.length;
    const err = await rejection(fetchUrl(server.url('/page.html')));
    expect(isAppError(err, 'fetch.refused')).toBe(true);
    expect((err as Error).message).toContain('loopback');
    expect(server.requests.length).toBe(before);
  });

  it('fetches with allowPrivate, with the type, ETag and Last-Modified', async () => {
    const r = await fetchUrl(server.url('/page.html'), { allowPrivate: true });
    expect(r).toMatchObject({ status: 'ok', contentType: 'text/html', etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
    expect(r.status === 'ok' && r.body.toString()).toBe('<h1>Hi</h1>');
  });

  it('connects to the checked address, not to a second lookup of the name', async () => {
    const resolver = stubResolver({ 'docs.example': ['127.0.0.1'] });
    const r = await fetchUrl(`http://docs.example:${server.port}/page.html`, { allowPrivate: true, resolver });
    expect(r.status).toBe('ok');
    expect(resolver.calls).toEqual(['docs.example']);
    expect(server.requests.at(-1)!.headers.host).toBe(`docs.example:${server.port}`);
  });

  it('sends conditional headers and reports not-modified', async () => {
    const r = await fetchUrl(server.url('/cond'), { allowPrivate: true, ifNoneMatch: '"v1"', ifModifiedSince: 'Tue, 01 Dec 2026 10:00:00 GMT' });
    expect(r.status).toBe('not-modified');
    expect(server.requests.at(-1)!.headers['if-modified-since']).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
  });

  it('decompresses, and counts the size limit after decompression', async () => {
    const r = await fetchUrl(server.url('/gz'), { allowPrivate: true });
    expect(r.status === 'ok' && r.body.length).toBe(6000);
    const err = await rejection(fetchUrl(server.url('/bomb'), { allowPrivate: true, maxBytes: 1_000_000 }));
    expect(err).toMatchObject({ code: 'fetch.limit', details: { limit: 'size' } });
  });

  it('names the size limit, from Content-Length and from a body without one', async () => {
    for (const path of ['/big', '/chunked-big']) {
      const err = await rejection(fetchUrl(server.url(path), { allowPrivate: true, maxBytes: 10_000 }));
      expect(err).toMatchObject({ code: 'fetch.limit', details: { limit: 'size' } });
      expect((err as Error).message).toContain('size limit of 10 KB');
    }
  });

  it('names the time limit', async () => {
    const err = await rejection(fetchUrl(server.url('/hang'), { allowPrivate: true, timeoutMs: 300 }));
    expect(err).toMatchObject({ code: 'fetch.limit', details: { limit: 'timeout' } });
    expect((err as Error).message).toContain('time limit of 0.3 s');
  });

  it('follows redirects up to the limit and names it past that', async () => {
    const ok = await fetchUrl(server.url('/loop2'), { allowPrivate: true, maxRedirects: 5 }).catch((e: unknown) => e);
    // loop2 -> loop7 is 5 redirects, and loop7 is missing: a 404, not the redirect limit.
    expect(ok).toMatchObject({ code: 'fetch.failed', details: { status: 404 } });
    const err = await rejection(fetchUrl(server.url('/loop0'), { allowPrivate: true }));
    expect(err).toMatchObject({ code: 'fetch.limit', details: { limit: 'redirects' } });
    expect((err as Error).message).toContain('more than 5 redirects');
    const r = await fetchUrl(server.url('/r0'), { allowPrivate: true });
    expect(r).toMatchObject({ status: 'ok', url: server.url('/page.html'), chain: [server.url('/r0'), server.url('/page.html')] });
  });

  it('checks every redirect again: a redirect to cloud metadata is refused before any request', async () => {
    const resolver = stubResolver({ 'metadata.example': ['169.254.169.254'] });
    for (const path of ['/to-metadata', '/to-name']) {
      const err = await rejection(fetchUrl(server.url(path), { allowPrivate: true, resolver }));
      expect(isAppError(err, 'fetch.refused')).toBe(true);
      expect((err as Error).message).toContain('link-local');
    }
    expect(resolver.calls).toEqual(['metadata.example']);
  });

  it('says what a failed answer was', async () => {
    await expect(fetchUrl(server.url('/missing'), { allowPrivate: true })).rejects.toMatchObject({ code: 'fetch.failed', message: expect.stringContaining('404') });
    await expect(fetchUrl('ftp://example.org/x')).rejects.toMatchObject({ code: 'input.invalid' });
  });
});
