// A background route that reads the raw request itself (bodyParser: false): only Next gives it
// the request as a stream, so `console migrate` keeps it in Next behind the secret.
import type { NextApiRequest, NextApiResponse } from 'next'

export const config = { type: 'experimental-background', api: { bodyParser: false } }

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  let bytes = 0
  for await (const chunk of req) bytes += (chunk as Buffer).length
  console.log(`ingest-background: bytes=${bytes}`)
  res.status(200).json({ bytes })
}
