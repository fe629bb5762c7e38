// THE DELIBERATE MISTAKE in this example (keep it: `console check` must report it).
// `as const` makes this config invisible to the Netlify Next runtime: it only reads a plain
// object literal, logs at most "Unsupported config value", and deploys this route as an
// ordinary synchronous route with the 10 s limit. The fix is to drop `as const`.
import type { NextApiRequest, NextApiResponse } from 'next'
import { sleep } from '../../lib/sleep'

export const config = { type: 'experimental-background' } as const

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  console.log('sync-background: start')
  await sleep(500)
  console.log('sync-background: pulled 3 changes from the CRM')
  res.status(200).json({ synced: 3 })
  console.log('sync-background: done')
}
