// Background route in TypeScript: long work (20 s by default, ?seconds=N) that reports progress.
import type { NextApiRequest, NextApiResponse } from 'next'
import { numberParam, sleep } from '../../lib/sleep'

// No type annotation and no `as const`: the platform reads only a plain object literal.
export const config = { type: 'experimental-background' }

const IMAGES = 10

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const seconds = numberParam(req.query.seconds, 20)
  console.log(`resize-images-background: start images=${IMAGES} seconds=${seconds}`)
  for (let i = 1; i <= IMAGES; i++) {
    await sleep((seconds * 1000) / IMAGES)
    console.log(`resize-images-background: resized ${i}/${IMAGES}`)
  }
  res.status(200).json({ resized: IMAGES })
  console.log('resize-images-background: done')
}
