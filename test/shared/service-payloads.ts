/**
 * The request bodies three receivers document, as checks that list every problem (empty: the
 * body is what the service accepts). Shared by the payload examples' unit tests and the
 * integration test that sends them through local mode. Written from each service's reference:
 * - GitHub REST "Create a repository dispatch event" (`POST /repos/{owner}/{repo}/dispatches`):
 *   `event_type` required, 1–100 characters; `client_payload` optional, an object of at most
 *   10 top-level properties.
 * - Slack incoming webhooks with Block Kit: `text` and/or `blocks`; `text` is the notification
 *   fallback when there are blocks; at most 50 blocks; a `section` has `text` (≤ 3000
 *   characters) and/or `fields` (1–10 text objects of ≤ 2000); a `context` 1–10 elements; a
 *   `header` plain text ≤ 150; a text object is `plain_text` or `mrkdwn` with non-empty `text`.
 * - Microsoft Teams incoming webhooks: `{"type": "message", "attachments": [{"contentType":
 *   "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <Adaptive Card>}]}`;
 *   the card is `type: "AdaptiveCard"`, a `version` Teams renders (1.0–1.5), a `body` of
 *   elements (`TextBlock` with `text`, `FactSet` with `facts` of string `title`/`value`, …);
 *   the whole message at most 28 KB.
 */

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Problems of a GitHub repository_dispatch body. */
export function githubRepositoryDispatchProblems(body: Json): string[] {
  if (!isObject(body)) return ['body: not an object'];
  const problems: string[] = [];
  for (const key of Object.keys(body)) if (key !== 'event_type' && key !== 'client_payload') problems.push(`${key}: not a repository_dispatch parameter`);
  const eventType = body.event_type;
  if (typeof eventType !== 'string' || eventType.length < 1 || eventType.length > 100) problems.push('event_type: must be a string of 1-100 characters');
  if (body.client_payload !== undefined) {
    if (!isObject(body.client_payload)) problems.push('client_payload: must be an object');
    else if (Object.keys(body.client_payload).length > 10) problems.push('client_payload: more than 10 top-level properties');
  }
  return problems;
}

function slackTextObjectProblems(where: string, value: Json, max: number, plainOnly = false): string[] {
  if (!isObject(value)) return [`${where}: not a text object`];
  const problems: string[] = [];
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn')) problems.push(`${where}.type: must be plain_text${plainOnly ? '' : ' or mrkdwn'}`);
  if (typeof value.text !== 'string' || value.text.length < 1 || value.text.length > max) problems.push(`${where}.text: must be 1-${max} characters`);
  if (value.emoji !== undefined && (value.type !== 'plain_text' || typeof value.emoji !== 'boolean')) problems.push(`${where}.emoji: only a boolean on plain_text`);
  if (value.verbatim !== undefined && (value.type !== 'mrkdwn' || typeof value.verbatim !== 'boolean')) problems.push(`${where}.verbatim: only a boolean on mrkdwn`);
  return problems;
}

function slackBlockProblems(where: string, block: Json): string[] {
  if (!isObject(block)) return [`${where}: not an object`];
  switch (block.type) {
    case 'section': {
      const problems: string[] = [];
      if (block.text === undefined && block.fields === undefined) problems.push(`${where}: needs text or fields`);
      if (block.text !== undefined) problems.push(...slackTextObjectProblems(`${where}.text`, block.text, 3000));
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length < 1 || block.fields.length > 10) problems.push(`${where}.fields: must be 1-10 text objects`);
        else block.fields.forEach((field, index) => problems.push(...slackTextObjectProblems(`${where}.fields[${index}]`, field, 2000)));
      }
      return problems;
    }
    case 'context': {
      if (!Array.isArray(block.elements) || block.elements.length < 1 || block.elements.length > 10) return [`${where}.elements: must be 1-10 elements`];
      return block.elements.flatMap((element, index) => slackTextObjectProblems(`${where}.elements[${index}]`, element, 3000));
    }
    case 'header':
      return slackTextObjectProblems(`${where}.text`, block.text, 150, true);
    case 'divider':
      return [];
    default:
      return [`${where}.type: ${String(block.type)} is not a block these checks know`];
  }
}

/** Problems of a Slack incoming-webhook message. */
export function slackMessageProblems(body: Json): string[] {
  if (!isObject(body)) return ['body: not an object'];
  const problems: string[] = [];
  if (body.text === undefined && body.blocks === undefined) problems.push('body: needs text or blocks');
  if (body.text !== undefined && (typeof body.text !== 'string' || body.text.length < 1 || body.text.length > 40000)) problems.push('text: must be 1-40000 characters');
  if (body.blocks !== undefined) {
    if (typeof body.text !== 'string') problems.push('text: the fallback for notifications is missing');
    if (!Array.isArray(body.blocks) || body.blocks.length < 1 || body.blocks.length > 50) problems.push('blocks: must be 1-50 blocks');
    else body.blocks.forEach((block, index) => problems.push(...slackBlockProblems(`blocks[${index}]`, block)));
  }
  return problems;
}

function adaptiveElementProblems(where: string, element: Json): string[] {
  if (!isObject(element)) return [`${where}: not an object`];
  switch (element.type) {
    case 'TextBlock':
      return typeof element.text === 'string' ? [] : [`${where}.text: must be a string`];
    case 'FactSet': {
      if (!Array.isArray(element.facts)) return [`${where}.facts: must be an array`];
      return element.facts.flatMap((fact, index) =>
        isObject(fact) && typeof fact.title === 'string' && typeof fact.value === 'string' ? [] : [`${where}.facts[${index}]: needs string title and value`]);
    }
    default:
      return [`${where}.type: ${String(element.type)} is not an element these checks know`];
  }
}

/** Problems of a Microsoft Teams incoming-webhook message with an Adaptive Card. */
export function teamsMessageProblems(body: Json): string[] {
  if (!isObject(body)) return ['body: not an object'];
  const problems: string[] = [];
  if (body.type !== 'message') problems.push('type: must be "message"');
  if (Buffer.byteLength(JSON.stringify(body)) > 28 * 1024) problems.push('body: over 28 KB');
  if (!Array.isArray(body.attachments) || body.attachments.length !== 1) return [...problems, 'attachments: must hold one card'];
  const attachment = body.attachments[0];
  if (!isObject(attachment)) return [...problems, 'attachments[0]: not an object'];
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') problems.push('attachments[0].contentType: must be application/vnd.microsoft.card.adaptive');
  if (attachment.contentUrl !== undefined && attachment.contentUrl !== null && typeof attachment.contentUrl !== 'string') problems.push('attachments[0].contentUrl: must be null or a string');
  const card = attachment.content;
  if (!isObject(card)) return [...problems, 'attachments[0].content: not an object'];
  if (card.type !== 'AdaptiveCard') problems.push('content.type: must be "AdaptiveCard"');
  if (typeof card.version !== 'string' || !/^1\.[0-5]$/.test(card.version)) problems.push('content.version: must be 1.0-1.5');
  if (!Array.isArray(card.body) || card.body.length === 0) problems.push('content.body: must be a non-empty array');
  else card.body.forEach((element, index) => problems.push(...adaptiveElementProblems(`content.body[${index}]`, element)));
  return problems;
}

/** The checks by payload example id. */
export const SERVICE_CHECKS: Record<string, (body: Json) => string[]> = {
  'github-repository-dispatch': githubRepositoryDispatchProblems,
  'microsoft-teams': teamsMessageProblems,
  slack: slackMessageProblems,
};
