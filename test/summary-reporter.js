/**
 * Prints the run's totals as one plain closing line, `tests: N passed, N failed`, which CI
 * reads regardless of the test runner (Jest's own summary is not one of the formats it knows).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}

module.exports = SummaryReporter;
