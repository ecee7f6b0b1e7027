import fc from 'fast-check';
import { describeAddressClass, isPublicAddress } from '../../lambdas/domain/ip-policy';

/** [address, expected isPublicAddress, expected describeAddressClass] */
const ROWS: ReadonlyArray<readonly [string, boolean, string]> = [
  // Public IPv4 / IPv6.
  ['8.8.8.8', true, 'public'],
  ['93.184.216.34', true, 'public'],
  ['1.1.1.1', true, 'public'],
  ['172.15.255.255', true, 'public'],
  ['172.32.0.1', true, 'public'],
  ['100.63.255.255', true, 'public'],
  ['100.128.0.1', true, 'public'],
  ['198.20.0.1', true, 'public'],
  ['223.255.255.255', true, 'public'],
  ['2606:4700:4700::1111', true, 'public'],
  ['2001:4860:4860::8888', true, 'public'],
  ['2a00:1450:4001:82b::200e', true, 'public'],
  ['::ffff:8.8.8.8', true, 'public'],
  ['::ffff:808:808', true, 'public'],
  ['64:ff9b::808:808', true, 'public'],
  // IPv4 non-public.
  ['0.0.0.0', false, 'unspecified'],
  ['0.1.2.3', false, 'this-network'],
  ['127.0.0.1', false, 'loopback'],
  ['127.255.255.254', false, 'loopback'],
  ['127.1.2.3', false, 'loopback'],
  ['10.0.0.1', false, 'private'],
  ['10.255.255.255', false, 'private'],
  ['172.16.0.1', false, 'private'],
  ['172.31.255.255', false, 'private'],
  ['192.168.1.1', false, 'private'],
  ['169.254.169.254', false, 'link-local'],
  ['169.254.0.1', false, 'link-local'],
  ['100.64.0.1', false, 'carrier-grade NAT'],
  ['100.127.255.255', false, 'carrier-grade NAT'],
  ['224.0.0.1', false, 'multicast'],
  ['239.255.255.250', false, 'multicast'],
  ['255.255.255.255', false, 'broadcast'],
  ['240.0.0.1', false, 'reserved'],
  ['250.1.2.3', false, 'reserved'],
  ['198.18.0.1', false, 'benchmarking'],
  ['198.19.255.255', false, 'benchmarking'],
  ['192.0.2.1', false, 'documentation'],
  ['198.51.100.7', false, 'documentation'],
  ['203.0.113.9', false, 'documentation'],
  ['192.0.0.8', false, 'IETF protocol assignment'],
  ['192.88.99.1', false, '6to4 relay'],
  // IPv6 non-public.
  ['::', false, 'unspecified'],
  ['::1', false, 'loopback'],
  ['0:0:0:0:0:0:0:1', false, 'loopback'],
  ['fe80::1', false, 'link-local'],
  ['febf::1', false, 'link-local'],
  ['fe80::1%eth0', false, 'link-local'],
  ['fc00::1', false, 'unique local'],
  ['fd12:3456:789a::1', false, 'unique local'],
  ['ff02::1', false, 'multicast'],
  ['ff05::1:3', false, 'multicast'],
  ['fec0::1', false, 'site-local'],
  ['100::1', false, 'discard-only'],
  ['2001:db8::1', false, 'documentation'],
  ['3fff::1', false, 'documentation'],
  ['2002:7f00:1::1', false, '6to4'],
  ['2002:808:808::1', false, '6to4'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false, 'Teredo'],
  ['2001:2::1', false, 'IETF protocol assignment'],
  ['::ffff:127.0.0.1', false, 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', false, 'IPv4-mapped loopback'],
  ['0:0:0:0:0:ffff:a9fe:a9fe', false, 'IPv4-mapped link-local'],
  ['::ffff:10.0.0.1', false, 'IPv4-mapped private'],
  ['::ffff:0.0.0.0', false, 'IPv4-mapped unspecified'],
  ['64:ff9b::7f00:1', false, 'NAT64 loopback'],
  ['64:ff9b::a9fe:a9fe', false, 'NAT64 link-local'],
  ['64:ff9b:1::1', false, 'local-use NAT64'],
  ['::127.0.0.1', false, 'IPv4-compatible'],
  ['::8.8.8.8', false, 'IPv4-compatible'],
  ['0:0:0:0:0:0:8.8.8.8', false, 'IPv4-compatible'],
  ['::ffff:0:808:808', false, 'IPv4-translated'],
  ['5f00::1', false, 'reserved'],
  ['4000::1', false, 'reserved'],
  ['2606:4700::1%eth0', false, 'scoped (zone id)'],
  // Not an address in standard notation: refused, never guessed at.
  ['', false, 'not an IP address'],
  ['localhost', false, 'not an IP address'],
  ['example.com', false, 'not an IP address'],
  ['2130706433', false, 'not an IP address'],
  ['0x7f.0.0.1', false, 'not an IP address'],
  ['0177.0.0.1', false, 'not an IP address'],
  ['127.1', false, 'not an IP address'],
  ['010.8.8.8', false, 'not an IP address'],
  ['8.8.8.8 ', false, 'not an IP address'],
  ['256.1.1.1', false, 'not an IP address'],
  ['[::1]', false, 'not an IP address'],
  ['::ffff:010.0.0.1', false, 'not an IP address'],
  ['1:2:3:4:5:6:7:8:9', false, 'not an IP address'],
];

describe('isPublicAddress / describeAddressClass', () => {
  test('the table has at least 40 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  test.each(ROWS)('%s → public=%s (%s)', (address, isPublic, kind) => {
    expect(isPublicAddress(address)).toBe(isPublic);
    expect(describeAddressClass(address)).toBe(kind);
  });

  test('never throws on arbitrary strings, and only "public" means true', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const kind = describeAddressClass(s);
        expect(isPublicAddress(s)).toBe(kind === 'public');
      }),
      { numRuns: 2000 },
    );
  });

  test('never throws on address-shaped strings', () => {
    const v4ish = fc
      .array(fc.oneof(fc.nat(300).map(String), fc.constantFrom('0x7f', '00', '')), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join('.'));
    const v6ish = fc
      .array(fc.oneof(fc.nat(0xffff).map((n) => n.toString(16)), fc.constant(''), fc.constant('1.2.3.4')), {
        minLength: 1,
        maxLength: 10,
      })
      .map((parts) => parts.join(':'));
    fc.assert(
      fc.property(fc.oneof(v4ish, v6ish, fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (s) => {
        expect(typeof isPublicAddress(s)).toBe('boolean');
        expect(typeof describeAddressClass(s)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  test('every IPv4-mapped address gets the verdict of its embedded IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(isPublicAddress(`::ffff:${address}`)).toBe(isPublicAddress(address));
      }),
      { numRuns: 1000 },
    );
  });
});
