// Netlify scheduled function (v1 syntax): the schedule() helper from @netlify/functions wraps
// a Lambda-style handler. Sundays at 04:00 UTC.
const { schedule } = require('@netlify/functions')

exports.handler = schedule('0 4 * * 0', async (event) => {
  const { next_run: nextRun } = JSON.parse(event.body || '{}')
  console.log(`weekly-backup: next_run=${nextRun ?? '-'}`)
  console.log('weekly-backup: done')
  return { statusCode: 200 }
})
