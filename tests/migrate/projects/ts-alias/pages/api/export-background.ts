// A background TypeScript route that reads a JSON body and fails when asked to.
import type { NextApiRequest, NextApiResponse } from 'next'
import { sendDigest } from '../../lib/mailer'

export const config = { type: 'experimental-background' }

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const rows: string[] = req.body?.rows ?? []
  console.log(`export-background: rows=${rows.length}`)
  if (req.body?.fail) {
    throw new Error('export-background: the export failed')
  }
  await sendDigest(rows)
  res.status(200).json({ exported: rows.length })
}
