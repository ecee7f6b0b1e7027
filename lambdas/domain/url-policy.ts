/**
 * Configuration-time rules for webhook URLs (architecture.md, "Security rules").
 *
 * This is the first of two SSRF checks: it refuses URLs that obviously aim inside (IP literals,
 * localhost, bare intranet names). It cannot see where a DNS name points — `127.0.0.1.nip.io`
 * passes here — so the HTTP sender checks every resolved address again at delivery time.
 */

/** Longest URL we accept; anything longer is not a real webhook endpoint. */
const MAX_URL_LENGTH = 2048;

/**
 * Name suffixes that never point at the public internet, so a webhook there can only be an
 * attempt to reach something internal:
 * - `.local`: multicast DNS on the local link (RFC 6762);
 * - `.internal`: reserved by ICANN for private networks (2024), used by cloud-internal DNS
 *   (e.g. `metadata.google.internal`);
 * - `.localdomain`: the conventional /etc/hosts alias of the machine itself;
 * - `.home.arpa`: residential networks (RFC 8375);
 * - `.arpa`: infrastructure zones, notably the reverse zones `in-addr.arpa` / `ip6.arpa`,
 *   which some resolvers answer with the address spelled in the name.
 * `.localhost` is refused separately with its own message.
 */
const INTERNAL_SUFFIXES = ['.local', '.internal', '.localdomain', '.home.arpa', '.arpa'] as const;

/** One DNS label as the WHATWG parser leaves it (lowercase, punycode; `_` tolerated). */
const DNS_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A dotted quad: the WHATWG parser rewrites every IPv4 spelling it accepts into this form. */
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}\.?$/;

/** Result of {@link checkWebhookUrl}: accepted, or a message for a 400 answer. */
export type WebhookUrlCheck = { ok: true } | { ok: false; message: string };

function refuse(reason: string): WebhookUrlCheck {
  return { ok: false, message: `url: ${reason}` };
}

/** Host rules, for a lowercase hostname as `URL.hostname` gives it (IPv6 in brackets). */
function checkHost(hostname: string): string | null {
  if (hostname === '') return 'host is required';
  // The WHATWG parser has already turned decimal, hex, octal and short IPv4 forms into a dotted
  // quad, and IPv6 into a bracketed literal, so these two tests catch every IP spelling.
  if (hostname.startsWith('[') || DOTTED_QUAD.test(hostname)) return 'IP addresses are not allowed';
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name === 'localhost' || name.endsWith('.localhost')) return 'localhost is not allowed';
  if (!name.includes('.')) return 'host must be a DNS name with a dot';
  const suffix = INTERNAL_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `host under ${suffix} is internal and not allowed`;
  if (name.length > 253 || !name.split('.').every((label) => DNS_LABEL.test(label))) {
    return 'host is not a valid DNS name';
  }
  return null;
}

/**
 * Validates a webhook URL against the URL rules. (The URL is stored as given: see webhooks.ts.)
 *
 * Scheme (http/https) and user-info rules always apply. The host rules (no IP literal in any
 * spelling, no `localhost`, no single-label or internal-suffix names) are skipped when the
 * lowercase hostname, without IPv6 brackets, is in `allowHosts` — for local development only.
 * Never throws; every refusal message starts with `url: `.
 */
export function checkWebhookUrl(raw: unknown, allowHosts: ReadonlySet<string>): WebhookUrlCheck {
  if (typeof raw !== 'string') return refuse('must be a string');
  if (raw.length > MAX_URL_LENGTH) return refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse('scheme must be http or https');
  }
  // Credentials in the URL would be stored and shown in clear; and `user@host` tricks readers.
  if (url.username !== '' || url.password !== '') return refuse('user info is not allowed');
  const bare = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const exempt = bare !== '' && allowHosts.has(bare);
  if (!exempt) {
    const problem = checkHost(url.hostname.toLowerCase());
    if (problem !== null) return refuse(problem);
  }
  return { ok: true };
}

/**
 * Parses `WEBHOOK_ALLOW_HOSTS`: comma-separated exact host names, trimmed and lowercased;
 * empty entries are dropped. Unset or empty means no exemptions (the deployed default).
 */
export function parseAllowHosts(env: string | undefined): ReadonlySet<string> {
  if (env === undefined) return new Set();
  return new Set(
    env
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== ''),
  );
}
