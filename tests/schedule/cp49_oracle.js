// Ask the real cron-parser 4.9.0 (the platform's parser) about schedules; used only to (re)build
// tests/schedule/data/cp49_golden.json. Not run by the tests.
//
//   mkdir -p /tmp/cp49 && cd /tmp/cp49 && npm pack cron-parser@4.9.0 luxon@3 &&
//   mkdir -p node_modules && tar xzf cron-parser-4.9.0.tgz && mv package node_modules/cron-parser &&
//   tar xzf luxon-3.*.tgz && mv package node_modules/luxon
//   NODE_PATH=/tmp/cp49/node_modules python tests/schedule/make_golden.py
//
// stdin: JSON [{"expr": str, "from": [iso, ...], "n": int}]
// stdout: JSON [{"expr", "error": str|null, "runs": [{"from", "fires": [iso], "error": str|null}]}]
'use strict';
const parser = require('cron-parser');

const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = input.map(({ expr, from, n }) => {
  try {
    parser.parseExpression(expr, { utc: true });
  } catch (e) {
    return { expr, error: String(e.message), runs: [] };
  }
  const runs = from.map((start) => {
    const it = parser.parseExpression(expr, { utc: true, currentDate: start });
    const fires = [];
    try {
      for (let i = 0; i < n; i++) fires.push(it.next().toISOString());
      return { from: start, fires, error: null };
    } catch (e) {
      return { from: start, fires, error: String(e.message) };
    }
  });
  return { expr, error: null, runs };
});
process.stdout.write(JSON.stringify(out));
