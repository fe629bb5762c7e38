// A dynamic background route: /api/jobs/42 runs job 42.
import { takeJob } from '../../../lib/queue'

export const config = { type: 'experimental-background' }

export default async function handler(req, res) {
  const job = takeJob(req.query.id)
  console.log(`jobs/[id]: running id=${job.id} steps=${job.steps}`)
  res.status(200).json({ done: job.id })
}
