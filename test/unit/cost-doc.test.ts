/**
 * docs/cost.md and its executable form (bench/cost.ts) agree: the measured quantities the page
 * states, put through the formula, give the totals its table and bottom line state.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { costPerMillion, type RequestsPerDelivery } from '../../bench/cost';

const page = readFileSync(path.join(__dirname, '../../docs/cost.md'), 'utf8');

function measured(name: string): number {
  const found = new RegExp('`' + name + ' (?:=|≈) ([\\d.]+)`').exec(page);
  if (!found) throw new Error(`docs/cost.md states no measured ${name}`);
  return Number(found[1]);
}

function stated(label: RegExp): number[] {
  const found = label.exec(page);
  if (!found) throw new Error(`docs/cost.md has no ${label}`);
  return found.slice(1).map(Number);
}

test('the totals on the page are the formula applied to the measured quantities on the page', () => {
  const requests: RequestsPerDelivery = {
    deliveries: 1,
    dynamoDb: {
      deliverReads: 0, deliverWrites: 0, allReads: 0, allWrites: 0, authorizerReads: 0,
      readUnits: measured('RRU'), writeUnits: measured('WRU_table'), indexWriteUnits: measured('WRU_index'),
    },
    sqs: { send: measured('sends'), receive: 0, emptyReceive: 0, delete: 0, batchSize: 0 },
    secretsManager: measured('secrets_calls'),
  };
  const logBytes = measured('log_bytes');
  const [full, single] = [10, 1].map((batch) => Math.round(costPerMillion(requests, logBytes, batch).total * 100) / 100);
  expect(stated(/\| \*\*total\*\* \| \| \*\*\$([\d.]+)\*\* \| \*\*\$([\d.]+)\*\* \|/)).toEqual([full, single]);
  expect(stated(/\(\$([\d.]+) when the deliver Lambda gets full\s+batches of 10, \$([\d.]+) when every delivery comes alone\)/)).toEqual([full, single]);
});
