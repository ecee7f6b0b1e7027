/** The Markdown table `npm run bench` prints (and README's "Performance" section quotes). */
import type { BenchResults } from './run';
import type { Summary } from './stats';

function number(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const places = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });
}

function range(summary: Summary, digits?: number, unit = ''): string {
  return `${number(summary.min, digits)}–${number(summary.max, digits)}${unit}`;
}

function verdict(target: string, met: boolean): string {
  return `${target} — ${met ? 'met' : '**missed**'}`;
}

/** Renders the results as one Markdown table. */
export function renderTable(results: BenchResults): string {
  const rows: string[][] = [];
  const f = results.figures;
  const t = results.targets;
  if (f.deliverPath) {
    const d = f.deliverPath;
    rows.push(['1', `Deliver path: deliver handler on SQS batches of ${d.batchSize}, ${d.inFlight} in flight (storage: in memory)`, `${number(d.oursPerSecond.median)} deliveries/s`, range(d.oursPerSecond), '']);
    rows.push(['1', `Bare keep-alive POST loop, same node:http pool settings, ${d.inFlight} in flight`, `${number(d.barePerSecond.median)} POSTs/s`, range(d.barePerSecond), '']);
    rows.push(['1', 'Ratio deliver path / bare (per round)', number(d.ratio.median), range(d.ratio), verdict('≥ 0.8', t.deliverRatio!.met)]);
    rows.push(['1', 'CPU per delivery, deliver path / bare', `${number(d.oursCpuMsPerDelivery.median, 3)} / ${number(d.bareCpuMsPerDelivery.median, 3)} ms`, `${range(d.oursCpuMsPerDelivery, 3)} / ${range(d.bareCpuMsPerDelivery, 3)}`, '']);
  }
  for (const m of f.manualRecipe ?? []) {
    rows.push(['2', `Manual recipe (openssl + curl per delivery), ${m.loops} bash loop${m.loops > 1 ? 's' : ''}`, `${number(m.perSecond.median)} deliveries/s`, range(m.perSecond), '']);
  }
  if (results.skipped.manual) rows.push(['2', 'Manual recipe (openssl + curl per delivery)', 'skipped', results.skipped.manual, '']);
  if (f.deliverPath && f.manualRecipe?.length) {
    const best = f.manualRecipe[f.manualRecipe.length - 1];
    const gain = f.deliverPath.oursPerSecond.median / best.perSecond.median;
    rows.push(['2', `Gain over the manual recipe (deliver path / ${best.loops} loops)`, `${number(gain, 0)}×`, `${number(f.deliverPath.oursPerSecond.min / best.perSecond.max, 0)}–${number(f.deliverPath.oursPerSecond.max / best.perSecond.min, 0)}×`, '']);
  }
  if (f.endToEnd) {
    const e = f.endToEnd;
    rows.push(['3', `Local mode end to end: events accepted (${e.concurrency} reports in flight)`, `${number(e.eventsPerSecond.median)} events/s`, range(e.eventsPerSecond), '']);
    rows.push(['3', 'Local mode end to end: deliveries received', `${number(e.deliveriesPerSecond.median)} deliveries/s`, range(e.deliveriesPerSecond), '']);
    rows.push(['3', 'Event → receiver latency p50 / p99', `${number(e.p50LatencyMs.median, 0)} / ${number(e.p99LatencyMs.median, 0)} ms`, `${range(e.p50LatencyMs, 0)} / ${range(e.p99LatencyMs, 0)} ms`, '']);
  }
  if (f.matching) {
    const m = f.matching;
    rows.push(['4', `Ingest latency, team with ${number(m.small, 0)} automations (1 matching)`, `${number(m.smallMs.median, 1)} ms`, range(m.smallMs, 1, ' ms'), '']);
    rows.push(['4', `Ingest latency, team with ${number(m.large, 0)} automations (1 matching)`, `${number(m.largeMs.median, 1)} ms`, range(m.largeMs, 1, ' ms'), '']);
    rows.push(['4', `Ratio ${number(m.large, 0)} / ${number(m.small, 0)} (per round)`, number(m.ratio.median), range(m.ratio), verdict('≤ 1.3', t.matchingRatio!.met)]);
  }
  if (f.coldStart) {
    for (const b of f.coldStart.bundles) {
      const handler = b.memoryMb !== null;
      rows.push(['5', `${b.name}: ${number(b.bundleBytes / 1024, 0)} KB minified; load over bare node (×${number(b.ratio.median)})`, `+${number(b.loadMs.median, 0)} ms`, range(b.loadMs, 0, ' ms'), handler ? verdict('≤ 100 ms', b.loadMs.median <= 100) : '']);
    }
  }
  if (results.requests) {
    const r = results.requests;
    rows.push(['6', 'DynamoDB per delivery, deliver Lambda: reads / writes', `${number(r.dynamoDb.deliverReads)} / ${number(r.dynamoDb.deliverWrites)}`, '', verdict('writes ≤ 2', t.dynamoWrites!.met)]);
    rows.push(['6', 'DynamoDB per delivery, ingest + deliver: reads / writes (request units: RRU / WRU + index WRU)', `${number(r.dynamoDb.allReads)} / ${number(r.dynamoDb.allWrites)}`, `${number(r.dynamoDb.readUnits)} / ${number(r.dynamoDb.writeUnits)} + ${number(r.dynamoDb.indexWriteUnits)}`, '']);
    rows.push(['6', `SQS per delivery: send / receive / delete (batches of ${number(r.sqs.batchSize, 1)}; + empty polls)`, `${number(r.sqs.send)} / ${number(r.sqs.receive)} / ${number(r.sqs.delete)}`, `+ ${number(r.sqs.emptyReceive)}`, '']);
    rows.push(['6', 'Secrets Manager calls per delivery (steady state)', number(r.secretsManager, 3), '', verdict('0', t.secretsManager!.met)]);
  }
  if (results.cost) {
    const c = results.cost;
    rows.push(['6', 'AWS cost per million deliveries, batches of 10 … of 1 (docs/cost.md)', `$${number(c.fullBatches.total)}`, `… $${number(c.singleRecordBatches.total)}; EventBridge API destinations: $${number(c.fullBatches.eventBridgeTotal)}`, '']);
  }
  if (f.endToEnd) {
    rows.push(['7', 'Local mode RSS: idle after start → peak during the burst', `${number(f.endToEnd.peakRssMb, 0)} MB`, `idle ${number(f.endToEnd.idleRssMb, 0)} MB`, '']);
  }
  if (results.deliverMemory) {
    const m = results.deliverMemory;
    rows.push(['7', 'Deliver Lambda memory setting (bundle loaded / deliver path under load)', `${m.settingMb} MB`, `${m.bundleLoadedRssMb === null ? 'n/a' : number(m.bundleLoadedRssMb, 0)} / ${m.underLoadRssMb === null ? 'n/a' : number(m.underLoadRssMb, 0)} MB RSS`, '']);
  }
  if (f.fairness) {
    const x = f.fairness;
    rows.push(['8', `Healthy webhook alone: 202 → receiver p50 / p99 (${x.healthyDeliveries} deliveries, ${x.attemptTimeoutMs / 1000} s attempt timeout)`, `${number(x.alone.p50Ms, 0)} / ${number(x.alone.p99Ms, 0)} ms`, `max ${number(x.alone.maxMs, 0)} ms`, '']);
    rows.push(['8', `Same, beside ${x.hungDeliveries} deliveries to another team's hung endpoint`, `${number(x.beside.p50Ms, 0)} / ${number(x.beside.p99Ms, 0)} ms`, `max ${number(x.beside.maxMs, 0)} ms; hung endpoint ≤ ${x.hungMaxOpen} POSTs open`, verdict('≤ 2,000 ms each', t.fairness!.met)]);
    rows.push(['8', 'Ratio beside / alone, p50 / p99 (this run)', `${number(x.p50Ratio)} / ${number(x.p99Ratio)}`, '', '']);
  }
  const header = ['#', 'Figure', 'Median', 'Min–max / detail', 'Target'];
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}
