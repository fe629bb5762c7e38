import type { NextApiHandler } from 'next'

export const config = {
  type: 'experimental-scheduled',
  schedule: '0 */6 * * *',
} as const

const handler: NextApiHandler = async (req, res) => {
  const body = typeof req.body === 'string' ? JSON.parse(req.body) : req.body
  console.log('next run at', body?.next_run)
  await fetch(process.env.URL + '/api/revalidate?secret=' + process.env.REVALIDATE_SECRET)
  res.status(200).end()
}

export default handler
