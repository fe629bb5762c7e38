// A scheduled route that needs Next itself: res.revalidate exists only inside Next's server.
import type { NextApiRequest, NextApiResponse } from 'next'

export const config = {
  type: 'experimental-scheduled',
  schedule: '*/30 * * * *',
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  await res.revalidate('/posts')
  console.log('revalidate-posts: /posts regenerated')
  res.status(200).json({ revalidated: true })
}
