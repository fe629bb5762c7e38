// Background route: on Netlify the caller gets 202 at once and this runs afterwards (up to
// 15 min). Under `next dev` it runs synchronously; the console plays the 202 part.
import { sleep } from '../../lib/sleep'

export const config = {
  type: 'experimental-background',
}

export default async function handler(req, res) {
  // ?batch=NAME (or {"batch": NAME}) labels this run's lines: overlapping runs stay apart.
  const batch = req.query.batch ?? req.body?.batch
  const label = batch ? ` batch=${batch}` : ''
  console.log(`send-emails-background: start${label}`)
  for (let step = 1; step <= 3; step++) {
    await sleep(300)
    console.log(`send-emails-background: step ${step}/3${label}`)
  }
  res.status(200).json({ sent: 3 })
  console.log(`send-emails-background: done${label}`)
}
