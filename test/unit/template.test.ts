import fc from 'fast-check';
import {
  PayloadTooLargeError,
  REDACTED,
  TEMPLATE_VARIABLES,
  renderPayload,
  sampleEvent,
  validateTemplate,
  type RenderSecrets,
  type TemplateContext,
} from '../../lambdas/domain/template';
import type { RegistryEvent } from '../../lambdas/domain/types';

const event: RegistryEvent = {
  ...sampleEvent(),
  id: 'evt-1',
  type: 'ADD_ARTIFACT_ALIAS',
  artifact: {
    ...sampleEvent().artifact,
    metadata: { accuracy: 0.93, owner: 'ml-team', config: { lr: 0.01, layers: [1, 2] }, flag: true, none: null },
  },
};

const noSecrets: RenderSecrets = { accessToken: null, secretName: null, secretValue: null };
const withSecrets: RenderSecrets = { accessToken: 'ghp_token', secretName: 'HMAC_KEY', secretValue: 's3cr3t' };
const plainContext: TemplateContext = { secretName: null, hasAccessToken: false };
const secretContext: TemplateContext = { secretName: 'HMAC_KEY', hasAccessToken: true };

/** Renders `{"v": text}` and returns the substituted string. */
function renderValue(text: string, ev: RegistryEvent = event, secrets: RenderSecrets = noSecrets): unknown {
  return (JSON.parse(renderPayload({ v: text }, ev, secrets).body) as { v: unknown }).v;
}

describe('renderPayload variables', () => {
  it.each([
    ['${event_type}', 'ADD_ARTIFACT_ALIAS'],
    ['${event_author}', 'alice'],
    ['${entity_name}', 'acme'],
    ['${project_name}', 'model-registry'],
    ['${artifact_collection_name}', 'churn-model'],
    ['${artifact_version}', 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz'],
    ['${artifact_version_string}', 'acme/model-registry/churn-model:v3'],
    ['${alias}', 'production'],
    ['${tag}', ''],
    ['${artifact_metadata.owner}', 'ml-team'],
    ['${artifact_metadata.accuracy}', '0.93'],
    ['${artifact_metadata.config}', '{"lr":0.01,"layers":[1,2]}'],
    ['${artifact_metadata.flag}', 'true'],
    ['${artifact_metadata.none}', 'null'],
    ['${artifact_metadata.missing}', ''],
    ['${artifact_metadata.constructor}', ''],
    ['${artifact_metadata.__proto__}', ''],
    ['model ${artifact_collection_name}@${alias}!', 'model churn-model@production!'],
    ['${alias}${alias}', 'productionproduction'],
    ['no variables', 'no variables'],
    ['${} and $alias and ${alias', '${} and $alias and ${alias'],
    ['${unknown}', ''],
    ['$${alias}}', '$production}'],
  ])('%s → %j', (text, expected) => {
    expect(renderValue(text)).toBe(expected);
  });

  it('renders tag and empty alias', () => {
    const tagged: RegistryEvent = { ...event, type: 'ADD_ARTIFACT_TAG', alias: null, tag: 'candidate' };
    expect(renderValue('${tag}|${alias}', tagged)).toBe('candidate|');
  });

  it('leaves keys, numbers, booleans and null untouched', () => {
    const out = renderPayload({ '${alias}': [1, true, null, { n: 2.5 }] }, event, noSecrets);
    expect(out.body).toBe('{"${alias}":[1,true,null,{"n":2.5}]}');
  });

  it('parses a JSON text template and renders compactly', () => {
    const out = renderPayload('{ "event_type": "BUILD", "v": "${artifact_version_string}" }', event, noSecrets);
    expect(out.body).toBe('{"event_type":"BUILD","v":"acme/model-registry/churn-model:v3"}');
  });

  it('treats a string template as JSON text, not as a string value', () => {
    expect(renderPayload('"${alias}"', event, noSecrets).body).toBe('"production"');
    expect(renderPayload('0', event, noSecrets).body).toBe('0');
  });

  it('keeps a literal "__proto__" key as a key', () => {
    const template = JSON.parse('{"__proto__": "${alias}"}') as unknown;
    expect(renderPayload(template, event, noSecrets).body).toBe('{"__proto__":"production"}');
  });

  it('keeps hostile values valid JSON and round-trips them exactly', () => {
    const hostile = 'a"b\\c\nd\te\u0000f 🚀 ü "}], "injected": true, {"';
    const ev: RegistryEvent = {
      ...event,
      alias: hostile,
      artifact: { ...event.artifact, metadata: { note: hostile } },
    };
    const out = renderPayload({ a: '${alias}', m: '${artifact_metadata.note}' }, ev, noSecrets);
    expect(JSON.parse(out.body)).toEqual({ a: hostile, m: hostile });
    expect(Object.keys(JSON.parse(out.body) as object)).toEqual(['a', 'm']);
  });
});

describe('renderPayload secrets', () => {
  it('inserts secrets in body and redacts them in the log copy', () => {
    const out = renderPayload({ auth: 'Bearer ${ACCESS_TOKEN}', sig: '${HMAC_KEY}', a: '${alias}' }, event, withSecrets);
    expect(JSON.parse(out.body)).toEqual({ auth: 'Bearer ghp_token', sig: 's3cr3t', a: 'production' });
    expect(JSON.parse(out.redacted)).toEqual({ auth: `Bearer ${REDACTED}`, sig: REDACTED, a: 'production' });
    expect(out.redacted).not.toContain('ghp_token');
    expect(out.redacted).not.toContain('s3cr3t');
  });

  it('renders secrets that are unavailable at render time as empty', () => {
    const out = renderPayload({ t: '${ACCESS_TOKEN}', s: '${HMAC_KEY}' }, event, noSecrets);
    expect(JSON.parse(out.body)).toEqual({ t: '', s: '' });
  });

  it('lets built-in variables win over a secret sharing their name', () => {
    const out = renderPayload({ a: '${alias}' }, event, { accessToken: null, secretName: 'alias', secretValue: 'x' });
    expect(out.body).toBe('{"a":"production"}');
  });

  it('resolves a secret named ACCESS_TOKEN when the webhook has no access token', () => {
    const secrets: RenderSecrets = { accessToken: null, secretName: 'ACCESS_TOKEN', secretValue: 'v' };
    expect(JSON.parse(renderPayload({ t: '${ACCESS_TOKEN}' }, event, secrets).body)).toEqual({ t: 'v' });
    expect(validateTemplate({ t: '${ACCESS_TOKEN}' }, { secretName: 'ACCESS_TOKEN', hasAccessToken: false }).ok).toBe(true);
  });
});

describe('default payload', () => {
  it('holds every variable and the metadata object, without secrets', () => {
    const out = renderPayload(undefined, event, withSecrets);
    const parsed = JSON.parse(out.body) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...TEMPLATE_VARIABLES, 'artifact_metadata']);
    expect(parsed).toMatchObject({ event_type: 'ADD_ARTIFACT_ALIAS', alias: 'production', tag: '' });
    expect(parsed.artifact_metadata).toEqual(event.artifact.metadata);
    expect(out.redacted).toBe(out.body);
    expect(out.body).not.toContain('s3cr3t');
    expect(out.body).not.toContain('ghp_token');
  });

  it('works for the sample event', () => {
    const sample = sampleEvent();
    expect(sample.type).toBe('LINK_ARTIFACT');
    expect(Object.keys(sample.artifact.metadata).length).toBeGreaterThan(0);
    const parsed = JSON.parse(renderPayload(undefined, sample, noSecrets).body) as Record<string, unknown>;
    expect(parsed.artifact_collection_name).toBe(sample.artifact.collection);
  });
});

describe('validateTemplate', () => {
  it.each<[string, unknown, TemplateContext, string | null]>([
    ['absent payload', undefined, plainContext, null],
    ['object with variables', { a: '${alias}', b: ['${tag}', 1, null] }, plainContext, null],
    ['every built-in', Object.fromEntries(TEMPLATE_VARIABLES.map((v) => [v, `\${${v}}`])), plainContext, null],
    ['metadata key', { a: '${artifact_metadata.accuracy}' }, plainContext, null],
    ['metadata key with dots and spaces', { a: '${artifact_metadata.a.b c}' }, plainContext, null],
    ['JSON text', '{"a": "${alias}"}', plainContext, null],
    ['JSON text scalar', '42', plainContext, null],
    ['scalar', true, plainContext, null],
    ['literal non-variables', { a: '${} $alias ${alias' }, plainContext, null],
    ['unknown variable', { a: 'x ${foo} y' }, plainContext, 'payload: unknown variable ${foo}'],
    ['unknown variable in JSON text', '["${nope}"]', plainContext, 'payload: unknown variable ${nope}'],
    ['empty metadata key', { a: '${artifact_metadata.}' }, plainContext, 'payload: unknown variable ${artifact_metadata.}'],
    ['ACCESS_TOKEN without token', { a: '${ACCESS_TOKEN}' }, plainContext, 'payload: unknown variable ${ACCESS_TOKEN}'],
    ['ACCESS_TOKEN with token', { a: '${ACCESS_TOKEN}' }, secretContext, null],
    ['secret name without secret', { a: '${HMAC_KEY}' }, plainContext, 'payload: unknown variable ${HMAC_KEY}'],
    ['secret name with secret', { a: '${HMAC_KEY}' }, secretContext, null],
    ['another secret name', { a: '${OTHER_KEY}' }, secretContext, 'payload: unknown variable ${OTHER_KEY}'],
    ['variable in key is literal', { '${foo}': 1 }, plainContext, null],
    ['non-finite number', { a: Number.NaN }, plainContext, 'payload: numbers must be finite'],
    ['undefined inside', { a: undefined }, plainContext, 'payload: not a JSON value'],
    ['function', () => 1, plainContext, 'payload: not a JSON value'],
    ['date', new Date(0), plainContext, 'payload: not a JSON value'],
  ])('%s', (_name, payload, context, message) => {
    const result = validateTemplate(payload, context);
    if (message === null) {
      expect(result).toEqual({ ok: true, template: payload });
    } else {
      expect(result).toEqual({ ok: false, message });
    }
  });

  it.each(['{"a": ', 'not json', '', "{'a': 1}"])('rejects invalid JSON text %j', (text) => {
    const result = validateTemplate(text, plainContext);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^payload: not valid JSON \(.+\)$/);
  });

  const nest = (levels: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value };
    return value;
  };

  it('accepts 32 levels of nesting and rejects 33', () => {
    expect(validateTemplate(nest(32), plainContext).ok).toBe(true);
    expect(validateTemplate(nest(33), plainContext)).toEqual({ ok: false, message: 'payload: nested deeper than 32 levels' });
    expect(validateTemplate('['.repeat(100_000) + ']'.repeat(100_000), plainContext).ok).toBe(false);
  });

  it('rejects cycles without throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(validateTemplate(cyclic, plainContext).ok).toBe(false);
  });

  it('scans long runs of "${" in linear time (no regex backtracking)', () => {
    expect(validateTemplate({ a: '${'.repeat(200_000) }, plainContext).ok).toBe(true);
  });

  const exotic = fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  });

  it('never throws for any value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), exotic), fc.boolean(), (payload, hasAccessToken) => {
        const result = validateTemplate(payload, { secretName: 'HMAC_KEY', hasAccessToken });
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws for any string', () => {
    const strings = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json());
    fc.assert(
      fc.property(strings, (text) => {
        expect(typeof validateTemplate(text, plainContext).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('renderPayload properties', () => {
  // fast-check 4 dropped fullUnicodeString; unit 'binary' is every code point, plus lone surrogates.
  const anyString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
  );
  const anyEvent = fc.record({
    type: fc.constantFrom('LINK_ARTIFACT' as const, 'ADD_ARTIFACT_TAG' as const),
    author: anyString,
    entity: anyString,
    project: anyString,
    collection: anyString,
    version: anyString,
    versionString: anyString,
    alias: fc.option(anyString),
    tag: fc.option(anyString),
    metaKey: anyString,
    metaValue: fc.jsonValue(),
  });
  const toEvent = (e: {
    type: RegistryEvent['type'];
    author: string;
    entity: string;
    project: string;
    collection: string;
    version: string;
    versionString: string;
    alias: string | null;
    tag: string | null;
    metaKey: string;
    metaValue: unknown;
  }): RegistryEvent => ({
    id: 'evt',
    type: e.type,
    author: e.author,
    entity: e.entity,
    project: e.project,
    artifact: {
      collection: e.collection,
      version: e.version,
      versionString: e.versionString,
      metadata: Object.fromEntries([[e.metaKey, e.metaValue]]) as Record<string, unknown>,
    },
    alias: e.alias,
    tag: e.tag,
  });

  it('never throws and always yields JSON for arbitrary JSON templates', () => {
    fc.assert(
      fc.property(fc.jsonValue(), anyEvent, anyString, (template, e, secret) => {
        const secrets: RenderSecrets = { accessToken: secret, secretName: 'HMAC_KEY', secretValue: secret };
        // A string template is JSON text by contract, so a top-level JSON string goes in as its text.
        const text = JSON.stringify(template);
        const out = renderPayload(typeof template === 'string' ? text : template, toEvent(e), secrets);
        expect(() => JSON.parse(out.body) as unknown).not.toThrow();
        expect(() => JSON.parse(out.redacted) as unknown).not.toThrow();
        expect(renderPayload(text, toEvent(e), secrets)).toEqual(out);
        // Without variables the template comes back unchanged (modulo JSON normalization).
        if (!text.includes('${')) expect(out.body).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips substituted values exactly, mixed with literal text', () => {
    const piece = fc.oneof(
      fc.constantFrom(...TEMPLATE_VARIABLES).map((name) => ({ variable: name })),
      fc.constant({ variable: 'metadata' as const }),
      fc.constant({ variable: 'HMAC_KEY' as const }),
      anyString.filter((s) => !s.includes('$')).map((text) => ({ text })),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), anyEvent, anyString, (pieces, e, secret) => {
        const ev = toEvent(e);
        const values: Record<string, string> = {
          event_type: ev.type,
          event_author: ev.author,
          entity_name: ev.entity,
          project_name: ev.project,
          artifact_collection_name: ev.artifact.collection,
          artifact_version: ev.artifact.version,
          artifact_version_string: ev.artifact.versionString,
          alias: ev.alias ?? '',
          tag: ev.tag ?? '',
          HMAC_KEY: secret,
        };
        const metaText = typeof e.metaValue === 'string' ? e.metaValue : JSON.stringify(e.metaValue);
        let text = '';
        let expected = '';
        let redactedExpected = '';
        for (const p of pieces) {
          if ('text' in p) {
            text += p.text;
            expected += p.text;
            redactedExpected += p.text;
          } else if (p.variable === 'metadata') {
            // A key holding `}` cannot be named in a template; skip it rather than mis-expect.
            if (e.metaKey.includes('}') || e.metaKey === '') continue;
            text += `\${artifact_metadata.${e.metaKey}}`;
            expected += metaText;
            redactedExpected += metaText;
          } else {
            text += `\${${p.variable}}`;
            expected += values[p.variable];
            redactedExpected += p.variable === 'HMAC_KEY' ? REDACTED : values[p.variable];
          }
        }
        const secrets: RenderSecrets = { accessToken: null, secretName: 'HMAC_KEY', secretValue: secret };
        const out = renderPayload(JSON.stringify([text]), ev, secrets);
        expect(JSON.parse(out.body)).toEqual([expected]);
        expect(JSON.parse(out.redacted)).toEqual([redactedExpected]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('render size bound', () => {
  test('stops as soon as inserted values exceed maxChars, before building the whole payload', () => {
    const event = sampleEvent();
    event.artifact.metadata = { big: 'x'.repeat(60_000) };
    const template = { copies: Array.from({ length: 1000 }, () => '${artifact_metadata.big}') };
    const secrets = { accessToken: null, secretName: null, secretValue: null };
    expect(() => renderPayload(template, event, secrets, { maxChars: 200_000 })).toThrow(PayloadTooLargeError);
    expect(renderPayload({ one: '${artifact_metadata.big}' }, event, secrets, { maxChars: 200_000 }).body.length).toBeGreaterThan(60_000);
  });
});
