/**
 * Ready payload templates for common receivers (`GET /teams/{team}/payload-examples`). Each one
 * is accepted as an automation's `action.payload` as it is: it uses only the event's own
 * variables (no `${ACCESS_TOKEN}` or secret name, which depend on the webhook), and renders,
 * for every event type, to the JSON its service documents (test/unit/payload-examples.test.ts
 * checks each against those shapes, and the integration tests send them through local mode).
 */

/** One example, as the route lists it. */
export interface PayloadExample {
  /** Stable id (api.md names `github-repository-dispatch`, `microsoft-teams`, `slack`). */
  readonly id: string;
  readonly name: string;
  /** How to set up the webhook that sends it. */
  readonly description: string;
  /** The template: a JSON value whose string values hold `${variable}`. */
  readonly payload: unknown;
}

/**
 * GitHub `POST /repos/{owner}/{repo}/dispatches`: `event_type` (at most 100 characters; the
 * registry event type, so one workflow can pick its events with `types:`) and `client_payload`
 * (at most 10 top-level properties: these are 8).
 */
const GITHUB_REPOSITORY_DISPATCH = {
  event_type: '${event_type}',
  client_payload: {
    event_author: '${event_author}',
    entity_name: '${entity_name}',
    project_name: '${project_name}',
    artifact_collection_name: '${artifact_collection_name}',
    artifact_version: '${artifact_version}',
    artifact_version_string: '${artifact_version_string}',
    alias: '${alias}',
    tag: '${tag}',
  },
};

/**
 * A Teams incoming-webhook message holding one Adaptive Card (schema 1.4, what Teams webhooks
 * and Workflows render). Fact values may be empty (a collection event has no version): Teams
 * shows the title with an empty value.
 */
const MICROSOFT_TEAMS = {
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      contentUrl: null,
      content: {
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
        body: [
          { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: 'Model registry: ${event_type}' },
          { type: 'TextBlock', isSubtle: true, wrap: true, spacing: 'None', text: '${artifact_collection_name} in ${entity_name}/${project_name}' },
          {
            type: 'FactSet',
            facts: [
              { title: 'Registered model', value: '${artifact_collection_name}' },
              { title: 'Version', value: '${artifact_version_string}' },
              { title: 'Alias', value: '${alias}' },
              { title: 'Tag', value: '${tag}' },
              { title: 'By', value: '${event_author}' },
            ],
          },
        ],
      },
    },
  ],
};

/**
 * A Slack incoming-webhook message: `text` (the notification's fallback) and Block Kit
 * `blocks`. Every text object holding event values is `plain_text`, so a name holding Slack
 * markup (`<!channel>`, `*`) is shown as written, never parsed; each one starts with a label,
 * so none is ever empty (Slack refuses an empty text object).
 */
const SLACK = {
  text: 'Model registry: ${event_type} on ${artifact_collection_name}',
  blocks: [
    { type: 'section', text: { type: 'plain_text', emoji: false, text: 'Model registry: ${event_type} on ${artifact_collection_name}' } },
    {
      type: 'section',
      fields: [
        { type: 'plain_text', emoji: false, text: 'Registry: ${entity_name}/${project_name}' },
        { type: 'plain_text', emoji: false, text: 'Version: ${artifact_version_string}' },
        { type: 'plain_text', emoji: false, text: 'Alias: ${alias}' },
        { type: 'plain_text', emoji: false, text: 'Tag: ${tag}' },
      ],
    },
    { type: 'context', elements: [{ type: 'plain_text', emoji: false, text: 'Reported by ${event_author}' }] },
  ],
};

/** Every example, in the order the route lists them. */
export const PAYLOAD_EXAMPLES: readonly PayloadExample[] = [
  {
    id: 'github-repository-dispatch',
    name: 'GitHub repository_dispatch',
    description:
      'Starts GitHub Actions workflows that listen to `repository_dispatch` (for example `types: [LINK_ARTIFACT]`), with the event in `github.event.client_payload`. '
      + 'Webhook URL: https://api.github.com/repos/OWNER/REPO/dispatches; access token: a GitHub token allowed to write the repository\'s contents (sent as `Authorization: Bearer`).',
    payload: GITHUB_REPOSITORY_DISPATCH,
  },
  {
    id: 'microsoft-teams',
    name: 'Microsoft Teams card',
    description: 'Posts an Adaptive Card to a Teams channel. Webhook URL: the channel\'s incoming webhook (or Workflows "post to a channel when a webhook request is received") URL; no secret or access token needed.',
    payload: MICROSOFT_TEAMS,
  },
  {
    id: 'slack',
    name: 'Slack message',
    description: 'Posts a message to a Slack channel. Webhook URL: the Slack app\'s incoming webhook URL (https://hooks.slack.com/services/…); no secret or access token needed.',
    payload: SLACK,
  },
];

/** `GET /teams/{team}/payload-examples`: fresh copies, so no caller can change the shared templates. */
export function listPayloadExamples(): { items: PayloadExample[] } {
  return { items: PAYLOAD_EXAMPLES.map((example) => structuredClone(example)) };
}
