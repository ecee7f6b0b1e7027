/**
 * Test-only preload (`node --require`) for a local mode child process: answers DNS lookups
 * for the names in TEST_DNS_STUB ("name=address,name=address") from that table, and leaves
 * every other name to the system resolver. It stands in for a DNS record pointing a public-
 * looking name at loopback, without touching /etc/hosts or the network. Loaded only by tests.
 */
'use strict';
const dns = require('node:dns');

const table = new Map(
  (process.env.TEST_DNS_STUB || '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [name, address] = entry.split('=');
      return [name.toLowerCase(), address];
    }),
);

function answer(hostname, options) {
  const address = table.get(String(hostname).toLowerCase());
  if (address === undefined) return undefined;
  const family = address.includes(':') ? 6 : 4;
  const all = typeof options === 'object' && options !== null && options.all;
  return all ? [{ address, family }] : { address, family };
}

const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function lookup(hostname, options) {
  const stubbed = answer(hostname, options);
  return stubbed === undefined ? promisesLookup.call(this, hostname, options) : Promise.resolve(stubbed);
};

const callbackLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const stubbed = answer(hostname, typeof options === 'function' ? {} : options);
  if (stubbed === undefined) return callbackLookup.apply(this, arguments);
  process.nextTick(() => (Array.isArray(stubbed) ? cb(null, stubbed) : cb(null, stubbed.address, stubbed.family)));
  return {};
};
