/**
 * Child process of synth-offline.test.ts: loads the synthesized Lambda bundles (plain node,
 * no loaders, the environment the test gives it) and invokes their handlers on request, as
 * the Lambda runtime would: `{ id, handler, event }` in, `{ id, value }` or `{ id, error }` out.
 *
 *   node bundle-runner.cjs '{"authorizer": "/…/asset.…/index.js", …}'
 */
'use strict';
const { randomUUID } = require('node:crypto');

const bundles = JSON.parse(process.argv[2]);
const loaded = new Map();

function handlerOf(name) {
  if (!loaded.has(name)) {
    if (!bundles[name]) throw new Error(`no bundle for ${name}`);
    loaded.set(name, require(bundles[name]).handler);
  }
  return loaded.get(name);
}

function lambdaContext(functionName) {
  const deadline = Date.now() + 30000;
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bundle-runner',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

process.on('message', (message) => {
  Promise.resolve()
    .then(() => handlerOf(message.handler)(message.event, lambdaContext(message.handler)))
    .then(
      (value) => process.send({ id: message.id, value: value === undefined ? null : value }),
      (error) => process.send({ id: message.id, error: { name: error && error.name, message: error && error.message } }),
    );
});
process.send({ ready: true });
