import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../errors.ts';

/**
 * Fetching a document from a URL someone gave us, safely: a bounded number of redirects, a size
 * limit (also after decompression), one deadline for the whole fetch, conditional requests, and
 * (unless `allowPrivate`) an SSRF guard.
 *
 * The guard resolves the host name itself, checks every address it resolves to, and then
 * connects to exactly those addresses (the socket's lookup returns them; no second DNS query),
 * so a name cannot resolve to a public address for the check and to a private one for the
 * connection (DNS rebinding). Every redirect hop is resolved and checked again. A refused
 * address is refused before any socket is opened: nothing is sent to it.
 *
 * Sits at the bottom (imports only src/errors.ts) so ingest, the Slack library and comment
 * attachments can all use it.
 */

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. Tests pass a stub; the default asks the system resolver. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface FetchOptions {
  /** Largest body accepted, in bytes, after decompression. Default 50 MB. */
  maxBytes?: number;
  /** One deadline for the whole fetch, redirects and name resolution included. Default 30 s. */
  timeoutMs?: number;
  /** Redirects followed at most. Default 5. */
  maxRedirects?: number;
  /** Lift the guard for private, loopback and CGNAT addresses (an intranet). Link-local (cloud metadata) stays refused. */
  allowPrivate?: boolean;
  /** Conditional request: a 304 answer gives `{ status: 'not-modified' }`. */
  ifNoneMatch?: string | null;
  ifModifiedSince?: string | null;
  /** Default: the system resolver. */
  resolver?: Resolver;
  /** Accept header; default accepts anything. */
  accept?: string;
}

export type FetchResult =
  | {
      status: 'ok';
      /** The URL the body came from, after redirects. */
      url: string;
      /** Every URL visited, the requested one first. */
      chain: string[];
      httpStatus: number;
      /** The media type without parameters, lower case (e.g. "text/html"), or null. */
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      body: Buffer;
    }
  | { status: 'not-modified'; url: string; chain: string[]; etag: string | null; lastModified: string | null };

export const DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_REDIRECTS = 5;

export type FetchLimit = 'size' | 'timeout' | 'redirects';

// ---------------------------------------------------------------------------------------------
// The address check

interface Range {
  net: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
  label: string;
}

/** Refused unless allowPrivate: addresses inside an organization's own networks. */
const PRIVATE_RANGES: Range[] = [
  { net: '10.0.0.0', prefix: 8, family: 'ipv4', label: 'a private address (10.0.0.0/8)' },
  { net: '172.16.0.0', prefix: 12, family: 'ipv4', label: 'a private address (172.16.0.0/12)' },
  { net: '192.168.0.0', prefix: 16, family: 'ipv4', label: 'a private address (192.168.0.0/16)' },
  { net: '127.0.0.0', prefix: 8, family: 'ipv4', label: 'a loopback address (127.0.0.0/8)' },
  { net: '100.64.0.0', prefix: 10, family: 'ipv4', label: 'a carrier-grade NAT address (100.64.0.0/10)' },
  { net: '198.18.0.0', prefix: 15, family: 'ipv4', label: 'a benchmarking address (198.18.0.0/15)' },
  { net: '192.0.0.0', prefix: 24, family: 'ipv4', label: 'an IETF protocol address (192.0.0.0/24)' },
  { net: '192.0.2.0', prefix: 24, family: 'ipv4', label: 'a documentation address (192.0.2.0/24)' },
  { net: '198.51.100.0', prefix: 24, family: 'ipv4', label: 'a documentation address (198.51.100.0/24)' },
  { net: '203.0.113.0', prefix: 24, family: 'ipv4', label: 'a documentation address (203.0.113.0/24)' },
  { net: '::1', prefix: 128, family: 'ipv6', label: 'the IPv6 loopback address (::1)' },
  { net: 'fc00::', prefix: 7, family: 'ipv6', label: 'a unique-local IPv6 address (fc00::/7)' },
  { net: '2001:db8::', prefix: 32, family: 'ipv6', label: 'an IPv6 documentation address (2001:db8::/32)' },
];

/** Refused always: no intranet document lives there, and cloud metadata services do. */
const ALWAYS_RANGES: Range[] = [
  { net: '0.0.0.0', prefix: 8, family: 'ipv4', label: 'an unspecified address (0.0.0.0/8)' },
  { net: '169.254.0.0', prefix: 16, family: 'ipv4', label: 'a link-local address (169.254.0.0/16, where cloud metadata services answer)' },
  { net: '224.0.0.0', prefix: 4, family: 'ipv4', label: 'a multicast address (224.0.0.0/4)' },
  { net: '240.0.0.0', prefix: 4, family: 'ipv4', label: 'a reserved address (240.0.0.0/4)' },
  { net: '::', prefix: 128, family: 'ipv6', label: 'the unspecified IPv6 address (::)' },
  { net: 'fe80::', prefix: 10, family: 'ipv6', label: 'a link-local IPv6 address (fe80::/10)' },
  { net: 'ff00::', prefix: 8, family: 'ipv6', label: 'a multicast IPv6 address (ff00::/8)' },
  { net: '::ffff:0:0', prefix: 96, family: 'ipv6', label: 'an IPv4-mapped IPv6 address (::ffff:0:0/96)' },
];

/** One list per range, and each consulted only for its own family: BlockList matches IPv4 addresses against IPv4-mapped IPv6 subnets. */
function blockList(ranges: Range[]): Array<{ list: BlockList; label: string; family: Range['family'] }> {
  return ranges.map((r) => {
    const list = new BlockList();
    list.addSubnet(r.net, r.prefix, r.family);
    return { list, label: r.label, family: r.family };
  });
}

const PRIVATE = blockList(PRIVATE_RANGES);
const ALWAYS = blockList(ALWAYS_RANGES);

/** The eight 16-bit groups of an IPv6 address (with or without an embedded dotted quad). */
function ipv6Groups(ip: string): number[] {
  let s = ip.toLowerCase().split('%')[0]!;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    const b = quad[1]!.split('.').map(Number);
    s = s.slice(0, quad.index) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/** IPv6 forms that carry an IPv4 address a gateway will forward to: NAT64 (64:ff9b::/96), 6to4 (2002::/16), IPv4-compatible (::/96). */
function embeddedIpv4(ip: string): string | null {
  const g = ipv6Groups(ip);
  if (g.length !== 8) return null;
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0) return v4(g[6]!, g[7]!);
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  // Deprecated IPv4-compatible form (::a.b.c.d); :: and ::1 are not in it.
  if (g.slice(0, 6).every((x) => x === 0) && g[6] !== 0) return v4(g[6]!, g[7]!);
  return null;
}

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

/** Whether a fetch may connect to this address. Not an IP address at all is refused too. */
export function checkAddress(address: string, options: { allowPrivate?: boolean } = {}): AddressVerdict {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (family === 0) return { ok: false, reason: `"${address}" is not an IP address` };
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const r of ALWAYS) if (r.family === type && r.list.check(ip, type)) return { ok: false, reason: `${ip} is ${r.label}` };
  if (!options.allowPrivate) for (const r of PRIVATE) if (r.family === type && r.list.check(ip, type)) return { ok: false, reason: `${ip} is ${r.label}` };
  if (family === 6) {
    const inner = embeddedIpv4(ip);
    if (inner) {
      const verdict = checkAddress(inner, options);
      if (!verdict.ok) return { ok: false, reason: `${ip} carries ${inner}, and ${verdict.reason}` };
    }
  }
  return { ok: true };
}

/**
 * Resolves a host (or takes an IP literal as it is) and checks every address. Refuses when any
 * address is refused: a name with one private address among public ones could be answered from
 * either. Returns the checked addresses, the only ones the connection may use.
 */
export async function resolveChecked(hostname: string, options: { allowPrivate?: boolean; resolver?: Resolver } = {}): Promise<ResolvedAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (options.resolver ?? systemResolver)(host);
    } catch (err) {
      throw new AppError('fetch.failed', `Cannot resolve the host name "${host}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
        cause: err,
        details: { host },
      });
    }
    if (addresses.length === 0) throw new AppError('fetch.failed', `The host name "${host}" resolves to no address.`, { details: { host } });
  }
  for (const a of addresses) {
    const verdict = checkAddress(a.address, options);
    if (!verdict.ok) {
      throw new AppError(
        'fetch.refused',
        `Refused to fetch from "${host}": ${literal ? '' : `it resolves to ${a.address}, and `}${verdict.reason}. ` +
          'Documents are fetched only from public addresses (set INGEST_ALLOW_PRIVATE_URLS=true to allow intranet addresses).',
        { details: { host, address: a.address } },
      );
    }
  }
  return addresses;
}

/** A socket lookup that answers with the already-checked addresses only. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, opts: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    const wanted = opts?.family === 4 || opts?.family === 6 ? addresses.filter((a) => a.family === opts.family) : addresses;
    const list = wanted.length > 0 ? wanted : addresses;
    if (opts?.all) callback(null, list.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, list[0]!.address, list[0]!.family);
  }) as unknown as LookupFunction;
}

// ---------------------------------------------------------------------------------------------
// The fetch

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

function limitError(limit: FetchLimit, url: string, message: string): AppError {
  return new AppError('fetch.limit', `${url}: ${message}`, { details: { limit, url } });
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('input.invalid', `"${raw}" is not a valid URL.`, { details: { url: raw } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('input.invalid', `"${raw}": only http:// and https:// URLs can be fetched.`, { details: { url: raw } });
  }
  return url;
}

interface Hop {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer | null;
}

function header(headers: http.IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

/** One request to a checked address. Reads the body only for a 2xx answer. */
function requestOnce(url: URL, addresses: ResolvedAddress[], options: Required<Pick<FetchOptions, 'maxBytes'>> & FetchOptions, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      accept: options.accept ?? '*/*',
      'accept-encoding': 'gzip, deflate, br',
      'user-agent': 'policy-desk (document ingest)',
    };
    if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
    if (options.ifModifiedSince) headers['if-modified-since'] = options.ifModifiedSince;
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: 'GET', headers, lookup: pinnedLookup(addresses), agent: false, signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        resolve({ status, headers: res.headers, body: null });
        return;
      }
      const declared = Number(header(res.headers, 'content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        res.destroy();
        reject(limitError('size', url.href, `the document is ${formatBytes(declared)}, larger than the size limit of ${formatBytes(options.maxBytes)}`));
        return;
      }
      const encoding = (header(res.headers, 'content-encoding') ?? '').trim().toLowerCase();
      let stream: Readable = res;
      if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip());
      else if (encoding === 'deflate') stream = res.pipe(zlib.createInflate());
      else if (encoding === 'br') stream = res.pipe(zlib.createBrotliDecompress());
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const fail = (err: unknown) => {
        if (done) return;
        done = true;
        res.destroy();
        stream.destroy();
        reject(err);
      };
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > options.maxBytes) {
          fail(limitError('size', url.href, `the document is larger than the size limit of ${formatBytes(options.maxBytes)}`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (err) => fail(err));
      res.on('aborted', () => fail(new Error('the connection closed before the whole document arrived')));
      stream.on('end', () => {
        if (done) return;
        done = true;
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Fetches a URL: follows up to `maxRedirects` redirects (each hop checked again), stops at
 * `maxBytes` and at `timeoutMs`, and names the limit it hit. Errors are AppErrors:
 * `fetch.refused` (the guard), `fetch.limit` (details.limit says which), `fetch.failed`
 * (network, HTTP status), `input.invalid` (not an http(s) URL).
 */
export async function fetchUrl(rawUrl: string, options: FetchOptions = {}): Promise<FetchResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  let url = parseUrl(rawUrl);
  const chain = [url.href];
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const timeout = () => limitError('timeout', rawUrl, `no complete answer within the time limit of ${Math.round(timeoutMs / 100) / 10} s`);
  const deadline = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(timeout()), { once: true }));
  deadline.catch(() => undefined);
  try {
    for (let hop = 0; ; hop++) {
      const addresses = await Promise.race([resolveChecked(url.hostname, options), deadline]);
      let answer: Hop;
      try {
        answer = await Promise.race([requestOnce(url, addresses, { ...options, maxBytes }, controller.signal), deadline]);
      } catch (err) {
        if (timedOut) throw timeout();
        if (err instanceof AppError) throw err;
        throw new AppError('fetch.failed', `${url.href}: the request failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
          cause: err,
          details: { url: url.href },
        });
      }
      const etag = header(answer.headers, 'etag');
      const lastModified = header(answer.headers, 'last-modified');
      if (REDIRECTS.has(answer.status)) {
        const location = header(answer.headers, 'location');
        if (!location) throw new AppError('fetch.failed', `${url.href}: answered ${answer.status} (a redirect) without a Location.`, { details: { url: url.href } });
        if (hop >= maxRedirects) {
          throw limitError('redirects', rawUrl, `more than ${maxRedirects} redirects (the limit); the last one pointed to ${new URL(location, url).href}`);
        }
        url = parseUrl(new URL(location, url).href);
        chain.push(url.href);
        continue;
      }
      if (answer.status === 304) return { status: 'not-modified', url: url.href, chain, etag, lastModified };
      if (answer.status < 200 || answer.status >= 300) {
        throw new AppError('fetch.failed', `${url.href}: the server answered ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}`.trimEnd() + '.', {
          details: { url: url.href, status: answer.status },
        });
      }
      const type = header(answer.headers, 'content-type');
      return {
        status: 'ok',
        url: url.href,
        chain,
        httpStatus: answer.status,
        contentType: type ? type.split(';')[0]!.trim().toLowerCase() || null : null,
        etag,
        lastModified,
        body: answer.body ?? Buffer.alloc(0),
      };
    }
  } finally {
    clearTimeout(timer);
  }
}
