// Scheduled route: every minute, so the timeline and the local scheduler always show activity.
import { nextRunOf } from '../../lib/next-run'

export const config = {
  type: 'experimental-scheduled',
  schedule: '* * * * *',
}

export default function handler(req, res) {
  console.log(`heartbeat: method=${req.method} next_run=${nextRunOf(req) ?? '-'}`)
  res.status(200).json({ ok: true, at: new Date().toISOString() })
  console.log('heartbeat: done')
}
