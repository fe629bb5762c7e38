// A scheduled TypeScript route that imports through a tsconfig path alias.
import type { NextApiRequest, NextApiResponse } from 'next'
import { sendDigest } from '@/lib/mailer'

export const config = {
  type: 'experimental-scheduled',
  schedule: '@daily',
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const sent = await sendDigest(['ana', 'bo'])
  console.log(`digest: method=${req.method} sent=${sent}`)
  res.status(200).json({ sent })
}
