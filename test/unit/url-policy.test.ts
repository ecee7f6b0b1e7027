import fc from 'fast-check';
import { checkWebhookUrl, parseAllowHosts } from '../../lambdas/domain/url-policy';

const NONE: ReadonlySet<string> = new Set();

/** [url, substring the refusal message must contain] */
const BAD: ReadonlyArray<readonly [unknown, string]> = [
  // IPv4 literals in every spelling the WHATWG parser normalizes to a dotted quad.
  ['http://127.0.0.1/', 'IP addresses are not allowed'],
  ['http://127.0.0.1:8080/hook', 'IP addresses are not allowed'],
  ['http://2130706433/', 'IP addresses are not allowed'],
  ['http://0x7f000001/', 'IP addresses are not allowed'],
  ['http://0x7f.1/', 'IP addresses are not allowed'],
  ['http://0177.0.0.1/', 'IP addresses are not allowed'],
  ['http://127.1/', 'IP addresses are not allowed'],
  ['http://127.0.1/', 'IP addresses are not allowed'],
  ['http://127.0.0.1./', 'IP addresses are not allowed'],
  ['http://%31%32%37.0.0.1/', 'IP addresses are not allowed'],
  ['http://１２７.０.０.１/', 'IP addresses are not allowed'],
  ['http://10.0.0.1/', 'IP addresses are not allowed'],
  ['http://012.0.0.1/', 'IP addresses are not allowed'],
  ['http://167772161/', 'IP addresses are not allowed'],
  ['http://192.168.1.1/', 'IP addresses are not allowed'],
  ['http://0xc0.0xa8.1.1/', 'IP addresses are not allowed'],
  ['http://169.254.169.254/latest/meta-data/', 'IP addresses are not allowed'],
  ['http://2852039166/', 'IP addresses are not allowed'],
  ['http://0xA9FEA9FE/', 'IP addresses are not allowed'],
  ['http://0251.0376.0251.0376/', 'IP addresses are not allowed'],
  ['http://169.254.43518/', 'IP addresses are not allowed'],
  ['http://0/', 'IP addresses are not allowed'],
  ['http://0.0.0.0/', 'IP addresses are not allowed'],
  ['https://8.8.8.8/', 'IP addresses are not allowed'],
  // IPv6 literals.
  ['http://[::1]/', 'IP addresses are not allowed'],
  ['http://[::]/', 'IP addresses are not allowed'],
  ['http://[0:0:0:0:0:0:0:1]:9000/', 'IP addresses are not allowed'],
  ['http://[::ffff:127.0.0.1]/', 'IP addresses are not allowed'],
  ['http://[::ffff:7f00:1]/', 'IP addresses are not allowed'],
  ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', 'IP addresses are not allowed'],
  ['http://[fd00:ec2::254]/', 'IP addresses are not allowed'],
  ['https://[2606:4700:4700::1111]/', 'IP addresses are not allowed'],
  // Zone ids are a parse error in WHATWG URLs; a refusal either way.
  ['http://[fe80::1%25eth0]/', 'url: '],
  // localhost in any case, with a trailing dot, and names under it.
  ['http://localhost/', 'localhost is not allowed'],
  ['http://localhost:3000/', 'localhost is not allowed'],
  ['http://LOCALHOST./', 'localhost is not allowed'],
  ['http://foo.localhost/', 'localhost is not allowed'],
  ['http://a.b.LocalHost./', 'localhost is not allowed'],
  // User info.
  ['http://user:pass@example.com/', 'user info is not allowed'],
  ['http://user@example.com/', 'user info is not allowed'],
  ['https://:secret@example.com/', 'user info is not allowed'],
  ['http://example.com@127.0.0.1/', 'user info is not allowed'],
  // Schemes.
  ['ftp://example.com/', 'scheme must be http or https'],
  ['file:///etc/passwd', 'scheme must be http or https'],
  ['javascript:alert(1)', 'scheme must be http or https'],
  ['gopher://x.example.com/', 'scheme must be http or https'],
  ['ws://example.com/', 'scheme must be http or https'],
  ['data:text/plain,hi', 'scheme must be http or https'],
  // Single-label and internal names.
  ['http://intranet/', 'host must be a DNS name with a dot'],
  ['http://intranet./', 'host must be a DNS name with a dot'],
  ['http:///path', 'host must be a DNS name with a dot'], // WHATWG reads this as http://path/
  ['http://metadata.google.internal/computeMetadata/v1/', 'internal'],
  ['http://printer.local/', 'internal'],
  ['http://box.localdomain/', 'internal'],
  ['http://router.home.arpa/', 'internal'],
  ['http://1.0.0.127.in-addr.arpa/', 'internal'],
  ['http://x.ip6.arpa./', 'internal'],
  // Malformed names and non-URLs.
  ['http://a..b/', 'not a valid DNS name'],
  ['http://.example.com/', 'not a valid DNS name'],
  ['http://-bad-.example.com/', 'not a valid DNS name'],
  ['http://ex%2ample.com/', 'not a valid DNS name'],
  ['http://foo.123/', 'not a valid URL'],
  ['http://1.2.3.4.5/', 'not a valid URL'],
  ['http://',  'not a valid URL'],
  ['not a url', 'not a valid URL'],
  ['', 'not a valid URL'],
  ['//example.com/', 'not a valid URL'],
  [`https://example.com/${'a'.repeat(2048)}`, 'at most 2048'],
  [42, 'must be a string'],
  [null, 'must be a string'],
  [{ href: 'https://example.com/' }, 'must be a string'],
];

/** [url, normalized href] */
const GOOD: ReadonlyArray<readonly [string, string]> = [
  ['https://ci.example.com/hooks/wandb', 'https://ci.example.com/hooks/wandb'],
  ['https://example.com', 'https://example.com/'],
  ['https://example.com:8443/a/b?x=1&y=2', 'https://example.com:8443/a/b?x=1&y=2'],
  ['HTTP://Hooks.Example.COM:80/Path', 'http://hooks.example.com/Path'],
  ['https://example.com:443/', 'https://example.com/'],
  ['https://bücher.example/', 'https://xn--bcher-kva.example/'],
  ['https://api.example.co.uk/v1/hook#frag', 'https://api.example.co.uk/v1/hook#frag'],
  ['https://example.com./', 'https://example.com./'],
  ['https://my_service.example.com/', 'https://my_service.example.com/'],
  ['https://1password.example/', 'https://1password.example/'],
  ['https://localhost.example.com/', 'https://localhost.example.com/'],
  ['https://example.com/a path', 'https://example.com/a%20path'],
  // A DNS name that happens to resolve to loopback is fine here: the sender refuses it at
  // delivery time, after resolving it (architecture.md, Security rules).
  ['http://127.0.0.1.nip.io/', 'http://127.0.0.1.nip.io/'],
  ['https://169.254.169.254.sslip.io/', 'https://169.254.169.254.sslip.io/'],
];

describe('checkWebhookUrl', () => {
  test('the bad table has at least 40 rows', () => {
    expect(BAD.length).toBeGreaterThanOrEqual(40);
  });

  test.each(BAD)('refuses %p', (raw, expected) => {
    const result = checkWebhookUrl(raw, NONE);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message.startsWith('url: ')).toBe(true);
      expect(result.message).toContain(expected);
    }
  });

  // The second column is what the WHATWG parser makes of the URL: the host it will dial.
  test.each(GOOD)('accepts %s', (raw, href) => {
    expect(checkWebhookUrl(raw, NONE)).toEqual({ ok: true });
    expect(new URL(raw).href).toBe(href);
  });

  describe('allow-list exemption', () => {
    const allow = parseAllowHosts('127.0.0.1, localhost,receiver.test,::1,intranet');

    test.each([
      ['http://127.0.0.1:4000/hook', 'http://127.0.0.1:4000/hook'],
      ['http://2130706433:4000/', 'http://127.0.0.1:4000/'],
      ['http://LOCALHOST:3000/', 'http://localhost:3000/'],
      ['http://receiver.test/x', 'http://receiver.test/x'],
      ['http://[::1]:9/', 'http://[::1]:9/'],
      ['http://intranet/', 'http://intranet/'],
    ])('exempts %s', (raw, href) => {
      expect(checkWebhookUrl(raw, allow)).toEqual({ ok: true });
      expect(new URL(raw).href).toBe(href);
    });

    test.each([
      ['http://user:pass@127.0.0.1/', 'user info is not allowed'],
      ['ftp://localhost/', 'scheme must be http or https'],
      // Exact names only: neither a trailing dot nor a sub-name is exempt.
      ['http://localhost./', 'localhost is not allowed'],
      ['http://a.receiver.test.localhost/', 'localhost is not allowed'],
      ['http://127.0.0.2/', 'IP addresses are not allowed'],
      ['http://10.0.0.1/', 'IP addresses are not allowed'],
    ])('still refuses %s', (raw, expected) => {
      const result = checkWebhookUrl(raw, allow);
      expect(result).toEqual({ ok: false, message: `url: ${expected}` });
    });
  });

  describe('never throws', () => {
    const check = (raw: unknown): void => {
      const result = checkWebhookUrl(raw, NONE);
      if (result.ok) expect(result).toEqual({ ok: true });
      else expect(result.message.startsWith('url: ')).toBe(true);
    };

    test('on fc.anything()', () => {
      fc.assert(fc.property(fc.anything(), check), { numRuns: 1000 });
    });

    test('on fc.string()', () => {
      fc.assert(fc.property(fc.string(), check), { numRuns: 2000 });
    });

    test('on fc.webUrl()', () => {
      fc.assert(
        fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), check),
        { numRuns: 2000 },
      );
    });

    test('no accepted URL has an IP literal host or user info', () => {
      fc.assert(
        fc.property(fc.webUrl({ authoritySettings: { withIPv4: true, withIPv6: true, withUserInfo: true } }), (raw) => {
          const result = checkWebhookUrl(raw, NONE);
          if (!result.ok) return;
          const url = new URL(raw);
          expect(url.hostname.startsWith('[')).toBe(false);
          expect(/^[\d.]+$/.test(url.hostname)).toBe(false);
          expect(url.username + url.password).toBe('');
        }),
        { numRuns: 2000 },
      );
    });
  });
});

describe('parseAllowHosts', () => {
  test.each([
    [undefined, []],
    ['', []],
    [' , ,', []],
    ['localhost', ['localhost']],
    [' Receiver.Test , 127.0.0.1,,LOCALHOST ', ['receiver.test', '127.0.0.1', 'localhost']],
  ])('%p', (env, expected) => {
    expect([...parseAllowHosts(env)]).toEqual(expected);
  });
});
