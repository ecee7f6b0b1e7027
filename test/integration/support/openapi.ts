/**
 * The project's OpenAPI document (docs/openapi.json) and a checker that holds real answers
 * to it: the status must be documented for the operation, and the body must validate
 * against the documented JSON Schema (2020-12, as OpenAPI 3.1 uses).
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const OPENAPI_PATH = path.resolve(__dirname, '../../../docs/openapi.json');

/** The parts of an OpenAPI document the tests look at. */
export interface OpenApiOperation {
  operationId: string;
  'x-roles'?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { $ref?: string; description?: string; content?: Record<string, { schema: unknown }> }>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security?: unknown[];
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function loadOpenApi(): OpenApiDocument {
  return JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
}

const DOC_ID = 'https://registry-webhooks.local/openapi.json';

/** JSON Pointer escaping of one reference token (RFC 6901). */
function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Checks answers against the document. */
export class OpenApiChecker {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  /** operationId → [path, method] */
  readonly operations = new Map<string, { path: string; method: string; operation: OpenApiOperation }>();

  constructor(readonly doc: OpenApiDocument = loadOpenApi()) {
    // Not strict: the document holds OpenAPI keywords (paths, info, …) around the schemas.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...doc, $id: DOC_ID } as object);
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (operation) this.operations.set(operation.operationId, { path: p, method, operation });
      }
    }
  }

  /** The documented response of an operation for a status, with a `$ref` to components/responses followed. */
  response(operationId: string, status: number) {
    const found = this.operations.get(operationId);
    if (!found) throw new Error(`operation ${operationId} is not in the OpenAPI document`);
    const response = found.operation.responses[String(status)];
    if (!response) return undefined;
    if (response.$ref) {
      const name = response.$ref.replace('#/components/responses/', '');
      return { pointer: `/components/responses/${escapeToken(name)}`, response: this.doc.components.responses[name] as OpenApiOperation['responses'][string] };
    }
    return { pointer: `/paths/${escapeToken(found.path)}/${found.method}/responses/${status}`, response };
  }

  /** Every schema in components compiles (so a broken `$ref` fails here, not on first use). */
  compileAll(): void {
    for (const name of Object.keys(this.doc.components.schemas)) this.validator(`/components/schemas/${escapeToken(name)}`);
  }

  /**
   * Problems with one real answer: an undocumented status, a body that does not match the
   * documented schema, or a body where none is documented. Empty when it conforms.
   */
  check(operationId: string, status: number, text: string, contentType: string | null): string[] {
    const documented = this.response(operationId, status);
    if (!documented) {
      const listed = Object.keys(this.operations.get(operationId)?.operation.responses ?? {}).join(', ');
      return [`${operationId} answered ${status}, which the document does not list (it lists ${listed})`];
    }
    const content = documented.response.content?.['application/json'];
    if (!content) return text === '' ? [] : [`${operationId} ${status}: the document lists no body, but the answer has one: ${text.slice(0, 200)}`];
    if (!/^application\/json\b/.test(contentType ?? '')) return [`${operationId} ${status}: Content-Type is ${contentType}, not application/json`];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${operationId} ${status}: body is not JSON: ${text.slice(0, 200)}`];
    }
    const validate = this.validator(`${documented.pointer}/content/application~1json/schema`);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${operationId} ${status}: body${error.instancePath} ${error.message} (schema ${error.schemaPath}); body was ${text.slice(0, 300)}`);
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}
